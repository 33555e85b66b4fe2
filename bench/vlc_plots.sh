#!/usr/bin/env bash
# Runs the VLC benchmark (bench/vlc_bench.cpp: regime map, variants, gap to the optimum, motion, scaling), draws its
# PNG plots into docs/img/ and writes the regime-map tables (markdown) to build/vlc-bench/vlc_map.md.
#   bash bench/vlc_plots.sh [drops]      (build first: cmake --build build --target vlc_bench)
#   VLC_BENCH_SKIP_RUN=1 bash bench/vlc_plots.sh   re-draws from the last run's data
set -euo pipefail
cd "$(dirname "$0")/.."
drops="${1:-200}"
out="build/vlc-bench"
mkdir -p "$out" docs/img
if [ -z "${VLC_BENCH_SKIP_RUN:-}" ]; then
  { echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    /usr/bin/time -f "# cpu: %U s user, %S s system, %e s wall" build/vlc_bench all "$out" "$drops"
    echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg)"; } 2>&1 | tee "$out/vlc_bench.txt"
fi

# 1. sum rate and Jain against FOV, one user per LED, at 38 and 8 dB
gnuplot <<GP
set terminal pngcairo size 1200,900 font 'sans,10' noenhanced
set output 'docs/img/vlc_fov.png'
set multiplot layout 2,2 title 'VLC, 4x4 LEDs in 5x5x3 m, 16 users, 20 slots: time-averaged means with 95% intervals'
set grid; set key top right font ',8'; set xlabel 'receiver FOV (degrees)'; set xrange [15:75]
labels = 'sm_0.1.0 sm_pf tdma tdma_all reuse conflict_graph single_user user_centric'
sel(snr, lab, v) = (column(2) == snr && column(3) == 1 && strcol(6) eq lab) ? v : NaN
do for [snr in '38 8'] {
  set title sprintf('SNR under one LED %s dB', snr); set ylabel 'sum rate (Mb/s)'
  plot for [l in labels] '$out/vlc_map.dat' using (sel(real(snr), l, \$1)):7:8:9 with yerrorlines title l
  set ylabel 'Jain index of time-averaged rates'
  plot for [l in labels] '$out/vlc_map.dat' using (sel(real(snr), l, \$1)):10:11:12 with yerrorlines title l
}
unset multiplot
GP

# 2. stable marriage over TDMA against users per LED, at two SNRs
gnuplot <<GP
set terminal pngcairo size 1200,500 font 'sans,10' noenhanced
set output 'docs/img/vlc_sm_over_tdma.png'
set multiplot layout 1,2 title 'sum rate of stable marriage / TDMA (paired drops, 95% intervals), 20 slots'
set grid; set key top right font ',8'; set logscale x; set xlabel 'users per LED (16 LEDs)'
set ylabel 'ratio to tdma'; set xrange [0.2:3.5]
sel(fov, snr, lab, v) = (column(1) == fov && column(2) == snr && strcol(5) eq lab) ? v : NaN
do for [fov in '60 30'] {
  set title sprintf('FOV %s degrees', fov)
  plot for [l in 'sm_pf sm_0.1.0'] for [snr in '8 38'] '$out/vlc_vs_tdma.dat' \
         using (sel(real(fov), real(snr), l, \$3)):6:7:8 with yerrorlines title sprintf('%s, %s dB', l, snr), \
       1 with lines lc 'black' dt 2 notitle
}
unset multiplot
GP

# 3. gap to the single-slot optimum against FOV
gnuplot <<GP
set terminal pngcairo size 1200,500 font 'sans,10' noenhanced
set output 'docs/img/vlc_gap.png'
set multiplot layout 1,2 title 'single-slot sum rate / exhaustive optimum, 3x3 LEDs in 5x5 m, 4 users (95% intervals)'
set grid; set key bottom left font ',8'; set xlabel 'receiver FOV (degrees)'; set ylabel 'ratio to the optimum'
set yrange [0:1.05]
names = 'sm_0.1.0 sm_pf tdma tdma_all reuse conflict_graph single_user user_centric'
sel(snr, v) = (column(2) == snr && column(3) == 4) ? v : NaN
do for [snr in '38 8'] {
  set title sprintf('SNR under one LED %s dB', snr)
  plot for [i in '1 2 3 6 7 8'] '$out/vlc_gap.dat' using (sel(real(snr), \$1)):(column(1 + 3 * int(i))):(column(2 + 3 * int(i))):(column(3 + 3 * int(i))) \
       with yerrorlines title word(names, int(i))
}
unset multiplot
GP

# 4. Jain against sum rate for the multi-slot variants
gnuplot <<GP
set terminal pngcairo size 1300,600 font 'sans,9' noenhanced
set output 'docs/img/vlc_jain_vs_rate.png'
set multiplot layout 1,2 title 'Jain against sum rate over 20 slots, 16 users, SNR 18 dB (95% intervals); stable-marriage variants in blue'
set grid; set xlabel 'sum rate (Mb/s)'; set ylabel 'Jain index'
shown(s) = s eq 'sm_gain' || s eq 'sm_gain_two' || s eq 'sm_gain_adm0.5' || s eq 'sm_pf' || s eq 'sm_pf_two' || \
           s eq 'sm_pf_adm0.7' || s eq 'sm_pf_two_adm0.7' || s eq 'sm_random_two_adm0.5' || s eq 'sm_pf_led3db' || \
           substr(s, 1, 3) ne 'sm_'
do for [fov in '40 60'] {
  set title sprintf('FOV %s degrees', fov)
  plot '$out/vlc_variants.dat' using (\$1 == real(fov) && \$3 == 1 ? \$4 : NaN):7:5:6:8:9 with xyerrorbars lc 'blue' notitle, \
       '' using (\$1 == real(fov) && \$3 == 0 ? \$4 : NaN):7:5:6:8:9 with xyerrorbars lc 'red' notitle, \
       '' using (\$1 == real(fov) && shown(strcol(2)) ? \$4 : NaN):7:2 with labels font ',7' offset 0,0.6 notitle
}
unset multiplot
GP

# 5. the regime map: ratio of sm_pf to the best baseline, per cell
gnuplot <<GP
set terminal pngcairo size 1500,750 font 'sans,9' noenhanced
set output 'docs/img/vlc_map.png'
set multiplot layout 2,4 title 'regime map: sm_pf / best baseline (W = 95% interval above 1, L = below, T = tie), $drops drops x 20 slots'
set palette defined (0.25 'red', 1 'white', 1.5 'blue'); set cbrange [0.25:1.5]
set xrange [15:75]; set yrange [-0.5:4.5]; set ytics ('0.25' 0, '0.5' 1, '1' 2, '2' 3, '3' 4)
set xlabel 'FOV (degrees)'; set ylabel 'users per LED'
row(u) = u == 0.25 ? 0 : u == 0.5 ? 1 : u == 1 ? 2 : u == 2 ? 3 : 4
mark(v) = v eq 'win' ? 'W' : v eq 'lose' ? 'L' : 'T'
do for [m in 'sum_rate jain'] {
  do for [snr in '8 18 28 38'] {
    set title sprintf('%s, %s dB', m, snr)
    plot '$out/vlc_verdicts.dat' using (\$2 == real(snr) && strcol(5) eq m && strcol(6) eq 'sm_pf' ? \$1 : NaN):(row(\$3)):(10):(0.5):8 \
           with boxxyerror fs solid lc palette notitle, \
         '' using (\$2 == real(snr) && strcol(5) eq m && strcol(6) eq 'sm_pf' ? \$1 : NaN):(row(\$3)):(sprintf('%s%.2f', mark(strcol(11)), \$8)) \
           with labels font ',7' notitle
  }
}
unset multiplot
GP

# the regime-map tables for docs/benchmarks.md
awk '
  function abbrev(b) {
    if (b == "conflict_graph") return "CG"
    if (b == "user_centric") return "UC"
    if (b == "single_user") return "SU"
    if (b == "tdma_all") return "TA"
    if (b == "tdma") return "TD"
    if (b == "reuse") return "RE"
    return b
  }
  !/^#/ && $6 == "sm_pf" {
    v = ($11 == "win" ? "**W**" : $11 == "lose" ? "L" : "T")
    cell[$5, $2, $3, $1] = sprintf("%s %.2f [%.2f, %.2f] %s", v, $8, $9, $10, abbrev($7))
  }
  END {
    split("sum_rate jain p5_rate", metrics, " "); split("8 18 28 38", snrs, " ")
    split("0.25 0.5 1 2 3", upls, " "); split("20 30 40 50 60 70", fovs, " ")
    for (mi = 1; mi <= 3; ++mi) {
      m = metrics[mi]
      printf "\n#### %s: sm_pf / best baseline\n\n| SNR dB | users/LED |", m
      for (f = 1; f <= 6; ++f) printf " FOV %s |", fovs[f]
      printf "\n|---:|---:|"; for (f = 1; f <= 6; ++f) printf "---|"; printf "\n"
      for (s = 1; s <= 4; ++s) for (u = 1; u <= 5; ++u) {
        printf "| %s | %s |", snrs[s], upls[u]
        for (f = 1; f <= 6; ++f) printf " %s |", cell[m, snrs[s], upls[u], fovs[f]]
        printf "\n"
      }
    }
  }' "$out/vlc_verdicts.dat" >"$out/vlc_map.md"
awk '!/^#/ { n[$5 " " $6 " " $11]++ } END { for (k in n) print k, n[k] }' "$out/vlc_verdicts.dat" | sort \
  >"$out/vlc_verdict_counts.txt"
echo "plots: docs/img/vlc_fov.png vlc_sm_over_tdma.png vlc_gap.png vlc_jain_vs_rate.png vlc_map.png"
echo "tables: $out/vlc_map.md, counts: $out/vlc_verdict_counts.txt"

#!/usr/bin/env bash
# Runs the VLC benchmark (bench/vlc_bench.cpp) and draws its PNG plots into docs/img/.
#   bash bench/vlc_plots.sh [drops]      (build first: cmake --build build --target vlc_bench)
set -euo pipefail
cd "$(dirname "$0")/.."
drops="${1:-1000}"
out="build/vlc-bench"
mkdir -p "$out" docs/img
{ echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
  build/vlc_bench "$out" "$drops"; } | tee "$out/vlc_bench.txt"
methods=(stable_marriage stable_marriage_ap greedy tdma reuse conflict_graph)
compare_plot() { # quota
  local dat="$out/vlc_compare_q$1.dat" title="quota $1"
  [ "$1" = 0 ] && title="no quota"
  local plots=() i
  for what in "2:sum rate (Mb/s)" "3:Jain fairness index" "5:1-bit / CSI messages per slot" "4:served fraction"; do
    local col="${what%%:*}" label="${what#*:}" line=""
    for i in "${!methods[@]}"; do
      line+="'$dat' using 1:$((col + 5 * i)) with linespoints title '${methods[$i]}', "
    done
    plots+=("set ylabel '$label'; plot ${line%, }")
  done
  gnuplot <<GP
set terminal pngcairo size 1200,900 font 'sans,10' noenhanced
set output 'docs/img/vlc_compare_q$1.png'
set multiplot layout 2,2 title 'VLC schedulers, 4x4 APs in a 5x5x3 m room, $drops drops per point, $title'
set xlabel 'users K'; set grid; set key bottom right font ',8'
${plots[0]}
${plots[1]}
set logscale y
${plots[2]}
unset logscale y
${plots[3]}
unset multiplot
GP
}
compare_plot 0
compare_plot 2
awk '$1 == 1000' "$out/vlc_scaling.dat" >"$out/vlc_scaling_users.dat"
awk '$2 == 10000' "$out/vlc_scaling.dat" >"$out/vlc_scaling_aps.dat"
line_users="" line_aps=""
for i in "${!methods[@]}"; do
  line_users+="'$out/vlc_scaling_users.dat' using 2:$((4 + i)) with linespoints title '${methods[$i]}', "
  line_aps+="'$out/vlc_scaling_aps.dat' using 1:$((4 + i)) with linespoints title '${methods[$i]}', "
done
gnuplot <<GP
set terminal pngcairo size 1200,500 font 'sans,10' noenhanced
set output 'docs/img/vlc_scaling.png'
set multiplot layout 1,2 title 'VLC scheduling time (one drop, channel excluded)'
set logscale xy; set grid; set key top left font ',8'; set ylabel 'time (ms)'
set xlabel 'users (1000 APs)'
plot ${line_users%, }
set xlabel 'APs (10000 users)'
plot ${line_aps%, }
unset multiplot
GP
echo "plots: docs/img/vlc_compare_q0.png docs/img/vlc_compare_q2.png docs/img/vlc_scaling.png"

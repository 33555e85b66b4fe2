# Steps to the training-loss target against batch size (log-log), one line per depth (width), one panel per target,
# from width_experiment's plot CSV (depth,width,batch_size,target_loss,steps_geomean,steps_lower,steps_upper,...):
# points are geometric means over the evaluation seeds with their 95% t-intervals; a missing point did not reach the
# target on every seed; points are shifted sideways a little per depth. Dashed: perfect scaling (steps x B0 / B) from the widest network's smallest batch.
#   gnuplot -e "csv='plot.csv'; png='out.png'" bench/width_plot.gp
set datafile separator ","
set terminal pngcairo size 1300,560 font "sans,11"
set output png
targets = system(sprintf("awk -F, 'NR > 1 && !seen[$4]++ {printf \"%%s \", $4}' %s | tr ' ' '\\n' | sort -rn | tr '\\n' ' '", csv))
depths = system(sprintf("awk -F, 'NR > 1 && !seen[$1]++ {printf \"%%s \", $1}' %s", csv))
seeds = system(sprintf("awk -F, 'NR > 1 {print $10; exit}' %s", csv))
width_of(d) = system(sprintf("awk -F, '$1==%s {print $2; exit}' %s", d, csv))
b0 = real(system(sprintf("awk -F, 'NR > 1 {print $3}' %s | sort -n | head -1", csv)))
bmax = real(system(sprintf("awk -F, 'NR > 1 {print $3}' %s | sort -n | tail -1", csv)))
d0 = word(depths, 1)
s0(t) = real(system(sprintf("awk -F, '$1==%s && $4==%s && $3==%g {print $5}' %s", d0, t, b0, csv)))
set multiplot layout 1, words(targets) title sprintf("Fashion-MNIST 14x14, 8192 rows, 100k parameters: steps to target (%s seeds, 95%% intervals)", seeds)
do for [t in targets] {
  set logscale xy 2
  set xrange [b0 / 1.4 : bmax * 1.4]
  set xlabel "batch size B"
  set ylabel "steps (iterations) to target"
  set title sprintf("training loss %s", t)
  set key bottom left
  set grid
  s = s0(t)
  # One data stream per depth (batch sizes ascending), shifted sideways a little so the intervals do not overlap.
  plot for [i = 1:words(depths)] sprintf("< awk -F, '$1 == %s && $4 == %s && $5 != \"nan\"' %s", word(depths, i), t, csv) \
         using ($3 * 1.06 ** (i - (words(depths) + 1) / 2.0)):5:6:7 with yerrorlines lw 2 pt 7 \
         title sprintf("depth %s, width %s", word(depths, i), width_of(word(depths, i))), \
       [b0:] s * b0 / x with lines dt 2 lc rgb "gray" title "perfect scaling"
}
unset multiplot

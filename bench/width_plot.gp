# Steps to the training-loss target against batch size (log-log), one line per depth (width), one panel per target,
# from width_experiment's plot CSV (depth,width,batch_size,target_loss,steps_geomean,steps_lower,steps_upper,...):
# points are geometric means over the evaluation seeds with their 95% t-intervals; missing points did not reach the
# target on every seed. Dashed: perfect scaling from the smallest batch (steps x B0 / B).
#   gnuplot -e "csv='plot.csv'; png='out.png'" bench/width_plot.gp
set datafile separator ","
set terminal pngcairo size 1300,560 font "sans,11"
set output png
targets = system(sprintf("awk -F, 'NR > 1 && !seen[$4]++ {printf \"%%s \", $4}' %s", csv))
depths = system(sprintf("awk -F, 'NR > 1 && !seen[$1]++ {printf \"%%s \", $1}' %s", csv))
width_of(d) = system(sprintf("awk -F, '$1==%s {print $2; exit}' %s", d, csv))
b0 = system(sprintf("awk -F, 'NR > 1 {print $3}' %s | sort -n | head -1", csv)) + 0
set multiplot layout 1, words(targets) title "Fashion-MNIST 14x14, 8192 rows, 100k parameters: steps to target (5 seeds, 95% intervals)"
do for [t in targets] {
  set logscale xy 2
  set xlabel "batch size B"
  set ylabel "steps (iterations) to target"
  set title sprintf("training loss %s", t)
  set key top right
  set grid
  plot for [d in depths] csv using ($1 == d + 0 && $4 == t + 0 && $5 == $5 ? $3 : 1/0):5:6:7 every ::1 \
         with yerrorlines lw 2 pt 7 title sprintf("depth %s, width %s", d, width_of(d)), \
       for [d in depths] csv using ($1 == d + 0 && $4 == t + 0 && $3 == b0 ? $3 : 1/0):5 every ::1 \
         notitle with points pt 0, \
       for [d in depths] '< awk -F, -v d='.d.' -v t='.t.' -v b0='.b0.' '\''$1==d && $4==t && $3==b0 {s=$5} $1==d && $4==t && s>0 {print $3","s*b0/$3}'\'' '.csv \
         using 1:2 with lines dt 2 lw 1 lc rgb "gray" notitle
}
unset multiplot

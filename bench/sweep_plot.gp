# Iterations to the training-loss target against batch size (log-log), one line per depth, from sweep_bench's CSV;
# dashed: the ideal linear speed-up from the smallest batch (iterations x B0 / B). Unreached points are left out.
#   gnuplot -e "csv='sweep.csv'; png='sweep.png'; depths='1 8'" bench/sweep_plot.gp
set datafile separator ","
set datafile missing "NaN"
set terminal pngcairo size 900,600 font "sans,11"
set output png
set logscale xy 2
set xlabel "batch size B"
set ylabel "iterations to target (best learning rate per B)"
set title "Fashion-MNIST subset: iterations to the training-loss target at a fixed parameter budget"
set key top right
set grid
plot for [d in depths] csv using ($1 == d + 0 ? $4 : 1/0):8 every ::1 with linespoints lw 2 pt 7 \
       title sprintf("depth %s (width %s)", d, system(sprintf("awk -F, '$1==%s{print $2; exit}' %s", d, csv))), \
     for [d in depths] csv using ($1 == d + 0 ? $4 : 1/0):16 every ::1 with lines dt 2 lw 1 \
       title sprintf("ideal, depth %s", d)

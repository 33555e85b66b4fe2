# DRACO's speed-up over the geometric median (time to the test-accuracy target) against the compute:communication
# ratio, from bench/draco_paper_report.py --plot-data (columns: gbps, ratio, then one speed-up per
# rule/code/s: GM whole then per layer, repetition then cyclic, s = 1, 2, 4).
#   gnuplot -e "csv='speedup.csv'; png='docs/img/draco_speedup.png'" bench/draco_paper_plot.gp
set datafile separator ","
set datafile missing "nan"
set terminal pngcairo size 900,600 font "sans,11"
set output png
set logscale xy 10
set xlabel "compute : communication per iteration (one worker's gradient time / transfer time)"
set ylabel "speed-up of DRACO over the geometric median"
set title "784-800-500-10 network, Fashion-MNIST, n = 45, reverse-gradient attack (geometric mean of 3 seeds)"
set key top left
set grid
set arrow from graph 0, first 3 to graph 1, first 3 nohead dt 3 lw 1
set label "3x (decision threshold)" at graph 0.02, first 3.3
plot csv using 2:3 every ::1 with linespoints lw 2 pt 7 title "GM whole vs repetition, s = 1", \
     csv using 2:5 every ::1 with linespoints lw 2 pt 5 title "GM whole vs repetition, s = 4", \
     csv using 2:8 every ::1 with linespoints lw 2 pt 9 dt 2 title "GM whole vs cyclic, s = 4", \
     csv using 2:11 every ::1 with linespoints lw 2 pt 11 title "GM per layer vs repetition, s = 4"

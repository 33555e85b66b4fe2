-- morpheus demo, part 50: does a wider network train with larger batches? A small multi-seed sweep on synthetic data.
\echo '--- the same parameter budget buys width 83 at depth 1, but only width 12 at depth 6'
SELECT depth, morpheus.width_for_budget(inputs => 8, outputs => 3, depth => depth, param_budget => 1000) AS width,
       morpheus.param_count(8, 3, depth, morpheus.width_for_budget(8, 3, depth, 1000)) AS params
FROM unnest('{1,2,6}'::int[]) AS depth;

\echo '--- seeded synthetic data: 3 Gaussian classes in 8 dimensions'
CREATE TEMP TABLE demo_sweep_data AS
  SELECT * FROM morpheus.synthetic_classification(rows => 600, inputs => 8, classes => 3, spread => 1.5, seed => 42);

\echo '--- one SGD run, loss per epoch'
SELECT epoch, round(loss::numeric, 4) AS loss, round(accuracy::numeric, 3) AS accuracy
FROM morpheus.train_mlp('demo_sweep_data', depth => 1, width => 83, batch_size => 20, learning_rate => 0.2,
                        max_epochs => 4);

\echo '--- what the sweep will cost at most (every run to max_epochs), measured on this machine'
SELECT round(sum(minutes)::numeric, 2) AS minutes_at_most
FROM morpheus.width_sweep_cost('demo_sweep_data', param_budget => 1000, depths => '{1,6}',
                               batch_sizes => '{10,30,100,300}', seeds => '{1,2,3}', tuning_seeds => '{11,12,13}',
                               max_epochs => 20);

\echo '--- the sweep (progress NOTICEs on): rates searched on seeds 11-13, evaluated on seeds 1-3, rows kept in a table'
SET morpheus.progress = on;
CALL morpheus.width_sweep_run('pg_temp.demo_sweep_runs', 'demo_sweep_data', param_budget => 1000, depths => '{1,6}',
                              batch_sizes => '{10,30,100,300}', seeds => '{1,2,3}', tuning_seeds => '{11,12,13}',
                              target_losses => '{0.5}', max_epochs => 20);
RESET morpheus.progress;

\echo '--- steps to target per (depth, batch): geometric mean over the seeds with its 95% interval'
SELECT depth, width, batch_size, learning_rate AS lr, reached, round(steps_geomean::numeric, 1) AS steps,
       round(steps_lower::numeric, 1) AS lower, round(steps_upper::numeric, 1) AS upper
FROM morpheus.width_sweep_summary('pg_temp.demo_sweep_runs');

\echo '--- the critical batch b_crit = E_min / S_min per depth, and the verdict'
SELECT depth, width, round(b_crit_fit::numeric, 1) AS b_crit, round(b_crit_lower::numeric, 1) AS lower,
       round(b_crit_upper::numeric, 1) AS upper, b_crit_slack AS slack_rule
FROM morpheus.width_sweep_fit('pg_temp.demo_sweep_runs') WHERE seed IS NULL;
SELECT reading, round(estimate::numeric, 3) AS elasticity, round(lower::numeric, 3) AS lower,
       round(upper::numeric, 3) AS upper, verdict
FROM morpheus.width_sweep_verdict('pg_temp.demo_sweep_runs', target_loss => 0.5);

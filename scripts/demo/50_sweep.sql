-- morpheus demo, part 50: does a wider network train with larger batches? A tiny width/batch sweep on synthetic data.
\echo '--- the same parameter budget buys width 83 at depth 1, but only width 12 at depth 6'
SELECT depth, morpheus.width_for_budget(inputs => 8, outputs => 3, depth => depth, param_budget => 1000) AS width,
       morpheus.param_count(8, 3, depth, morpheus.width_for_budget(8, 3, depth, 1000)) AS params
FROM unnest('{1,2,6}'::int[]) AS depth;

\echo '--- seeded synthetic data: 3 Gaussian classes in 8 dimensions'
CREATE TEMP TABLE demo_sweep_data AS
  SELECT * FROM morpheus.synthetic_classification(n => 600, n_features => 8, n_classes => 3, spread => 1.5, seed => 42);

\echo '--- one SGD run, loss per epoch'
SELECT epoch, round(train_loss::numeric, 4) AS loss, round(train_accuracy::numeric, 3) AS accuracy
FROM morpheus.train_mlp(data_sql => 'SELECT features, label FROM demo_sweep_data', depth => 1, width => 83,
                        batch_size => 20, learning_rate => 0.2, max_epochs => 4);

\echo '--- the sweep (progress NOTICEs on): learning rate tuned per (depth, batch size)'
SET morpheus.progress = on;
SELECT depth, width, params, batch_size, best_learning_rate AS lr, reached_target AS hit,
       round(epochs_to_target::numeric, 2) AS epochs, round(iterations_to_target::numeric, 1) AS iterations,
       round(speedup::numeric, 2) AS speedup, critical_batch_size AS b_crit, round(batch_size_bound::numeric, 1) AS b_s
FROM morpheus.width_sweep(data_sql => 'SELECT features, label FROM demo_sweep_data', param_budget => 1000,
                          depths => '{1,6}', batch_sizes => '{10,30,100,300}',
                          learning_rates => '{0.025,0.05,0.1,0.2,0.4,0.8}', target_loss => 0.5, max_epochs => 20,
                          seed => 7);
RESET morpheus.progress;

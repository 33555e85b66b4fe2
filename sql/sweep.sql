-- Width/batch sweeps: the documented examples on a small seeded synthetic data set, and what bad input looks like.
SET extra_float_digits = 0;

-- Parameter counts (Parallels reference, section 6) and the width that fits a budget at each depth.
SELECT depth, morpheus.width_for_budget(inputs => 784, outputs => 10, depth => depth, param_budget => 795010) AS width,
       morpheus.param_count(784, 10, depth, morpheus.width_for_budget(784, 10, depth, 795010)) AS params
FROM unnest('{1,2,3,4,6,8}'::int[]) AS depth;

-- A small seeded data set: 3 Gaussian classes in 8 dimensions.
CREATE TABLE toy AS SELECT * FROM morpheus.synthetic_classification(n => 300, n_features => 8, n_classes => 3,
                                                                     spread => 1.5, seed => 42);
SELECT label, count(*) AS rows, round(avg(features[1])::numeric, 3) AS mean_x1 FROM toy GROUP BY label ORDER BY label;

-- One training run: the loss per epoch.
SELECT epoch, iteration, round(train_loss::numeric, 4) AS loss, round(train_accuracy::numeric, 3) AS accuracy
FROM morpheus.train_mlp(data_sql => 'SELECT features, label FROM toy', depth => 2, width => 16, batch_size => 30,
                        learning_rate => 0.1, max_epochs => 5, seed => 1);

-- Gradient diversity and the batch-size bound B_S of the initial network, wide-shallow vs narrow-deep.
SELECT d.depth, d.width, g.params, round(g.gradient_diversity::numeric, 5) AS diversity,
       round(g.batch_size_bound::numeric, 2) AS b_s
FROM (VALUES (1, 80), (6, 13)) AS d(depth, width),
     LATERAL morpheus.gradient_diversity(data_sql => 'SELECT features, label FROM toy', depth => d.depth,
                                         width => d.width) AS g;

-- The sweep: at ~1000 parameters, depth 1 (wide) against depth 6 (narrow), batch sizes 5..150, rates tuned per row.
SELECT depth, width, params, batch_size, best_learning_rate AS lr, reached_target AS hit,
       round(epochs_to_target::numeric, 2) AS epochs, round(iterations_to_target::numeric, 1) AS iters,
       round(speedup::numeric, 2) AS speedup, round(efficiency::numeric, 2) AS eff, critical_batch_size AS b_crit,
       round(batch_size_bound::numeric, 2) AS b_s, round(final_loss::numeric, 3) AS final_loss
FROM morpheus.width_sweep(data_sql => 'SELECT features, label FROM toy', param_budget => 1000, depths => '{1,6}',
                          batch_sizes => '{5,15,50,150}', learning_rates => '{0.025,0.05,0.1,0.2,0.4,0.8}',
                          target_loss => 0.45, max_epochs => 20, family => 'mlp', seed => 7);

-- The residual family at the same budget (same parameter count: skips have no parameters).
SELECT depth, width, params, batch_size, best_learning_rate AS lr, reached_target AS hit,
       round(epochs_to_target::numeric, 2) AS epochs
FROM morpheus.width_sweep(data_sql => 'SELECT features, label FROM toy', param_budget => 1000, depths => '{5}',
                          batch_sizes => '{15,150}', learning_rates => '{0.05,0.2}', target_loss => 0.45,
                          max_epochs => 20, family => 'resnet', seed => 7);

-- Bad input: each is an ERROR naming the argument, with a hint.
SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 16, depths => '{1,3}',
                                   batch_sizes => '{10}');
SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 1000, batch_sizes => '{}');
SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 1000, batch_sizes => '{-4}');
SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 1000, batch_sizes => '{10}',
                                   family => 'transformer');
SELECT * FROM morpheus.train_mlp('SELECT features, label + 1 AS label FROM toy', depth => 1, width => 4, classes => 3);
SELECT * FROM morpheus.train_mlp('SELECT features AS x, label FROM toy', depth => 1, width => 4);
SELECT morpheus.width_for_budget(784, 10, 8, 800);

DROP TABLE toy;

-- Width/batch sweeps: the documented examples on a small seeded synthetic data set, and what bad input looks like.
SET extra_float_digits = 0;

-- Parameter counts (Parallels reference, section 6) and the width that fits a budget at each depth.
SELECT depth, morpheus.width_for_budget(inputs => 784, outputs => 10, depth => depth, param_budget => 795010) AS width,
       morpheus.param_count(784, 10, depth, morpheus.width_for_budget(784, 10, depth, 795010)) AS params
FROM unnest('{1,2,3,4,6,8}'::int[]) AS depth;
-- Pooled Fashion-MNIST (196 inputs) at 100,000 parameters: the width experiment's networks.
SELECT depth, morpheus.width_for_budget(196, 10, depth, 100000) AS width,
       morpheus.param_count(196, 10, depth, morpheus.width_for_budget(196, 10, depth, 100000)) AS params
FROM unnest('{1,2,4,8}'::int[]) AS depth;
SELECT morpheus.pool_image('{1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16}', height => 4, width => 4, factor => 2);

-- A small seeded data set: 3 Gaussian classes in 8 dimensions.
CREATE TABLE toy AS SELECT * FROM morpheus.synthetic_classification(rows => 300, inputs => 8, classes => 3,
                                                                     spread => 1.5, seed => 42);
SELECT label, count(*) AS rows, round(avg(features[1])::numeric, 3) AS mean_x1 FROM toy GROUP BY label ORDER BY label;
SELECT label, count(*) AS rows FROM morpheus.teacher_classification(rows => 300, inputs => 8, classes => 3, depth => 2,
                                                                     width => 16, seed => 5)
GROUP BY label ORDER BY label;

-- One training run: the loss per epoch, the trained parameters on the last row.
SELECT epoch, iteration, round(loss::numeric, 4) AS loss, round(accuracy::numeric, 3) AS accuracy,
       array_length(parameters, 1) AS parameters
FROM morpheus.train_mlp('toy', depth => 2, width => 16, batch_size => 30, learning_rate => 0.1, max_epochs => 3);
-- The same run's model (last row): its predictions give the trainer's accuracy; mlp_predict agrees on the parameters.
WITH r AS (SELECT parameters, accuracy, model FROM morpheus.train_mlp('toy', depth => 2, width => 16, batch_size => 30,
                                                                     learning_rate => 0.1, max_epochs => 3)
           WHERE parameters IS NOT NULL)
SELECT (r.model).kind, (r.model).family, (r.model).shape, (r.model).converged IS NULL AS no_tolerance,
       abs(avg((morpheus.predict(r.model, t.features) = t.label)::int) - r.accuracy) < 1e-12 AS same_accuracy,
       bool_and(morpheus.predict(r.model, t.features) = morpheus.mlp_predict(r.parameters, t.features, '{8,16,16,3}'))
         AS agree
FROM r, toy t GROUP BY r.parameters, r.accuracy, r.model;

-- Gradient diversity and the batch-size bound B_S along training, three seeds: rows with seed NULL aggregate.
SELECT seed, epoch, samples, round(batch_size_bound::numeric, 2) AS b_s, round(bound_lower::numeric, 2) AS lower,
       round(bound_upper::numeric, 2) AS upper
FROM morpheus.gradient_diversity_trajectory('toy', depth => 2, width => 16, checkpoints => '{0,1,2}',
                                            seeds => '{1,2,3}', batch_size => 30)
WHERE seed IS NULL;

-- A multi-seed sweep at ~1000 parameters: depth 1 (wide) against depth 6 (narrow), batch sizes 5..150, learning rates
-- searched on 3 tuning seeds, evaluated on 3 held-out seeds, two targets from one curve. Cost first.
SELECT depth, count(*) AS batch_sizes, sum(runs) AS runs, max(epochs_per_run) AS epochs_per_run
FROM morpheus.width_sweep_cost('toy', param_budget => 1000, depths => '{1,6}', batch_sizes => '{5,15,50,150}',
                               seeds => '{1,2,3}', tuning_seeds => '{11,12,13}', max_epochs => 20)
GROUP BY depth ORDER BY depth;
CALL morpheus.width_sweep_run('toy_runs', 'toy', param_budget => 1000, depths => '{1,6}',
                              batch_sizes => '{5,15,50,150}', seeds => '{1,2,3}', tuning_seeds => '{11,12,13}',
                              target_losses => '{0.45,0.3}', max_epochs => 20);
SELECT role, count(*) AS rows, count(DISTINCT settings) AS sweeps FROM toy_runs GROUP BY role ORDER BY role;
SELECT depth, width, batch_size, target_loss, learning_rate, rate_at_edge, reached,
       round(steps_geomean::numeric, 1) AS steps, round(steps_lower::numeric, 1) AS lower,
       round(steps_upper::numeric, 1) AS upper
FROM morpheus.width_sweep_summary('toy_runs') ORDER BY target_loss DESC, depth, batch_size;
SELECT depth, width, seed, target_loss, points, round(s_min::numeric, 1) AS s_min, round(e_min::numeric) AS e_min,
       round(b_crit_fit::numeric, 1) AS b_crit, round(b_crit_lower::numeric, 1) AS lower,
       round(b_crit_upper::numeric, 1) AS upper, b_crit_slack, valid_fits, note
FROM morpheus.width_sweep_fit('toy_runs') ORDER BY target_loss DESC, depth, seed NULLS LAST;
SELECT reading, batch_size, round(estimate::numeric, 3) AS elasticity, round(lower::numeric, 3) AS lower,
       round(upper::numeric, 3) AS upper, seeds_used, round(ratio::numeric, 3) AS ratio, verdict
FROM morpheus.width_sweep_verdict('toy_runs', target_loss => 0.45);

-- The same call again resumes: nothing is trained twice, no row is added.
CALL morpheus.width_sweep_run('toy_runs', 'toy', param_budget => 1000, depths => '{1,6}',
                              batch_sizes => '{5,15,50,150}', seeds => '{1,2,3}', tuning_seeds => '{11,12,13}',
                              target_losses => '{0.45,0.3}', max_epochs => 20);
SELECT count(*) AS rows FROM toy_runs;

-- Bad input: each is an ERROR naming the argument, with a hint.
SELECT * FROM morpheus.width_sweep('toy', param_budget => 16, depths => '{1,3}', batch_sizes => '{10}');
SELECT * FROM morpheus.width_sweep('toy', param_budget => 1000, batch_sizes => '{}');
SELECT * FROM morpheus.width_sweep('toy', param_budget => 1000, batch_sizes => '{-4}');
SELECT * FROM morpheus.width_sweep('toy', param_budget => 1000, batch_sizes => '{10}', seeds => '{1,101}');
SELECT * FROM morpheus.width_sweep('toy', param_budget => 1000, batch_sizes => '{10}', architecture => 'transformer');
SELECT * FROM morpheus.train_mlp('SELECT features, label + 1 AS label FROM toy', depth => 1, width => 4, classes => 3);
SELECT * FROM morpheus.train_mlp('SELECT features AS x, label FROM toy', depth => 1, width => 4);
SELECT * FROM morpheus.width_sweep_verdict('toy_runs', target_loss => 0.5);
SELECT morpheus.width_for_budget(784, 10, 8, 800);

DROP TABLE toy_runs;
DROP TABLE toy;

-- Width/batch sweeps: surface, labels, sane sweep rows against their definitions, diversity against its definition,
-- and every bad input.
BEGIN;
SELECT plan(79);

-- ---- surface -----------------------------------------------------------------------------------------------------
SELECT has_function('morpheus', 'param_count', ARRAY['integer', 'integer', 'integer', 'integer']);
SELECT has_function('morpheus', 'width_for_budget', ARRAY['integer', 'integer', 'integer', 'integer']);
SELECT has_function('morpheus', 'synthetic_classification', ARRAY['integer', 'integer', 'integer', 'double precision', 'integer']);
SELECT has_function('morpheus', 'train_mlp', ARRAY['text', 'integer', 'integer', 'integer', 'double precision', 'integer',
                    'text', 'text', 'double precision', 'integer', 'integer', 'integer']);
SELECT has_function('morpheus', 'gradient_diversity', ARRAY['text', 'integer', 'integer', 'text', 'text', 'integer',
                    'integer', 'integer', 'double precision', 'integer', 'double precision']);
SELECT has_function('morpheus', 'width_sweep', ARRAY['text', 'integer', 'integer[]', 'integer[]', 'double precision[]',
                    'double precision', 'integer', 'text', 'integer', 'text', 'integer', 'integer', 'double precision',
                    'integer']);
SELECT function_returns('morpheus', 'param_count', ARRAY['integer', 'integer', 'integer', 'integer'], 'bigint');
SELECT volatility_is('morpheus', 'param_count', ARRAY['integer', 'integer', 'integer', 'integer'], 'immutable');
SELECT volatility_is('morpheus', 'width_for_budget', ARRAY['integer', 'integer', 'integer', 'integer'], 'immutable');
SELECT volatility_is('morpheus', 'synthetic_classification', ARRAY['integer', 'integer', 'integer', 'double precision', 'integer'], 'immutable');
SELECT volatility_is('morpheus', 'train_mlp', ARRAY['text', 'integer', 'integer', 'integer', 'double precision', 'integer',
                    'text', 'text', 'double precision', 'integer', 'integer', 'integer'], 'volatile');
SELECT volatility_is('morpheus', 'gradient_diversity', ARRAY['text', 'integer', 'integer', 'text', 'text', 'integer',
                    'integer', 'integer', 'double precision', 'integer', 'double precision'], 'volatile');
SELECT volatility_is('morpheus', 'width_sweep', ARRAY['text', 'integer', 'integer[]', 'integer[]', 'double precision[]',
                    'double precision', 'integer', 'text', 'integer', 'text', 'integer', 'integer', 'double precision',
                    'integer'], 'volatile');
SELECT is_strict('morpheus', 'param_count', ARRAY['integer', 'integer', 'integer', 'integer']);
SELECT isnt_strict('morpheus', 'width_sweep', ARRAY['text', 'integer', 'integer[]', 'integer[]', 'double precision[]',
                    'double precision', 'integer', 'text', 'integer', 'text', 'integer', 'integer', 'double precision',
                    'integer']);
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = 'morpheus.width_sweep'::regproc), 'u', 'width_sweep is PARALLEL UNSAFE');
SELECT is(morpheus.param_count(1, 1, 1, NULL), NULL, 'param_count: NULL in, NULL out');

-- ---- parameter counts and the width solver -------------------------------------------------------------------------
-- Parallels reference section 6 (MNIST, d = 784, c = 10): K used and parameter counts.
SELECT results_eq(
  $$SELECT morpheus.param_count(inputs => 784, outputs => 10, depth => l, width => k)
      FROM (VALUES (1, 1000), (2, 578), (3, 462), (4, 399), (6, 327), (8, 285)) AS t(l, k)$$,
  $$VALUES (795010::bigint), (794182), (795112), (796015), (796255), (797155)$$,
  'param_count reproduces the reference table');
SELECT is_empty($$
  SELECT l, b FROM generate_series(1, 8) l, (VALUES (795010), (100000), (5000)) AS v(b),
       LATERAL (SELECT morpheus.width_for_budget(784, 10, l, b) AS k) s
  WHERE NOT (784*k + k + (l-1)*(k*k + k) + 10*k + 10 <= b AND 784*(k+1) + (k+1) + (l-1)*((k+1)^2 + k + 1) + 10*(k+1) + 10 > b)
$$, 'width_for_budget: the largest width within the budget (closed form, depths 1..8)');
SELECT is(morpheus.width_for_budget(784, 10, 1, 795010), 1000, 'one hidden layer of 1000 units at the MNIST budget');

-- ---- synthetic data ---------------------------------------------------------------------------------------------------
SELECT results_eq($$SELECT * FROM morpheus.synthetic_classification(50, 4, 3, 1.0, 7)$$,
                  $$SELECT * FROM morpheus.synthetic_classification(50, 4, 3, 1.0, 7)$$, 'synthetic data: same seed, same rows');
SELECT isnt((SELECT array_agg(features) FROM morpheus.synthetic_classification(5, 4, 3, 1.0, 7)),
            (SELECT array_agg(features) FROM morpheus.synthetic_classification(5, 4, 3, 1.0, 8)), 'another seed, other rows');
SELECT results_eq($$SELECT label, count(*) FROM morpheus.synthetic_classification(30, 2, 3) GROUP BY 1 ORDER BY 1$$,
                  $$VALUES (0, 10::bigint), (1, 10), (2, 10)$$, 'labels cycle through 0..n_classes-1');

CREATE TEMP TABLE toy AS SELECT * FROM morpheus.synthetic_classification(n => 240, n_features => 6, n_classes => 3, spread => 1.0, seed => 11);

-- ---- train_mlp ----------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE run AS SELECT * FROM morpheus.train_mlp('SELECT features, label FROM toy', depth => 2, width => 12,
  batch_size => 24, learning_rate => 0.1, max_epochs => 6, seed => 3);
SELECT is((SELECT count(*) FROM run), 7::bigint, 'train_mlp: one row per epoch plus the initial network');
SELECT results_eq('SELECT epoch, iteration FROM run ORDER BY iteration',
                  $$SELECT k::float8, k * 10::bigint FROM generate_series(0, 6) k$$, 'epochs and iterations (240 rows / 24 per batch)');
SELECT ok((SELECT max(train_loss) FILTER (WHERE epoch = 6) < 0.7 * max(train_loss) FILTER (WHERE epoch = 0) FROM run),
          'the training loss falls');
SELECT results_eq($$SELECT * FROM morpheus.train_mlp('SELECT features, label FROM toy', depth => 2, width => 12,
                      batch_size => 24, learning_rate => 0.1, max_epochs => 6, seed => 3)$$, 'SELECT * FROM run',
                  'train_mlp is reproducible per seed');
SELECT ok((SELECT max(train_loss) <= 0.6 AND count(*) < 7 FROM (SELECT * FROM morpheus.train_mlp('SELECT features, label FROM toy',
          depth => 2, width => 12, batch_size => 24, learning_rate => 0.1, max_epochs => 6, seed => 3, target_loss => 0.6)
          ORDER BY iteration DESC LIMIT 1) t), 'target_loss stops the run at the first evaluation below it');
SELECT ok((SELECT bool_and(train_loss IS NOT NULL) FROM morpheus.train_mlp('SELECT features, label FROM toy', depth => 3,
          width => 8, loss => 'squared', family => 'resnet', max_epochs => 2)), 'squared loss and the residual family train');

-- ---- gradient diversity against its definition ---------------------------------------------------------------------------
-- n copies of one row have identical gradients: diversity = 1/n and B_S = 1 exactly.
SELECT is((SELECT round(gradient_diversity::numeric, 12) || ' ' || round(batch_size_bound::numeric, 12)
           FROM morpheus.gradient_diversity('SELECT features, label FROM toy, generate_series(1, 5) WHERE id = 4',
                                            depth => 3, width => 7, classes => 3)),
          '0.200000000000 1.000000000000', 'identical gradients: diversity 1/n, bound 1');
-- One row: diversity 1.
SELECT is((SELECT round(gradient_diversity::numeric, 12) FROM morpheus.gradient_diversity(
           'SELECT features, label FROM toy WHERE id = 9', depth => 2, width => 5, classes => 3)), 1.000000000000, 'one row: diversity 1');
-- Two rows: sum = ||g1||^2 + ||g2||^2 and ||g1 + g2||^2 from the one-row and the doubled-row measurements:
-- ||g1 + g2||^2 = 2 (||g1||^2 + ||g2||^2) - ||g1 - g2||^2 is not observable, but the plug-in and unbiased bounds satisfy
-- unbiased = (m - 1) S / (Q - S) with S = sum_sq_norms, Q = sq_norm_of_sum.
SELECT ok((SELECT abs(unbiased_bound - (rows_used - 1) * sum_sq_norms / (sq_norm_of_sum - sum_sq_norms)) < 1e-9 * unbiased_bound
             AND abs(batch_size_bound - rows_used * sum_sq_norms / sq_norm_of_sum) < 1e-9 * batch_size_bound
           FROM morpheus.gradient_diversity('SELECT features, label FROM toy', depth => 2, width => 12, sample_rows => 30)),
          'bounds follow from the two sums');
SELECT ok((SELECT abs(sum_sq_norms - (SELECT sum(sum_sq_norms) FROM generate_series(1, 3) i,
             LATERAL morpheus.gradient_diversity(format('SELECT features, label FROM toy WHERE id = %s', i), depth => 2,
                                                 width => 12, classes => 3)))
           < 1e-9 * sum_sq_norms
           FROM morpheus.gradient_diversity('SELECT features, label FROM toy WHERE id <= 3', depth => 2, width => 12)),
          'sum of per-sample squared norms equals the one-row gradient norms summed');
SELECT is((SELECT rows_used FROM morpheus.gradient_diversity('SELECT features, label FROM toy', depth => 2, width => 12,
           sample_rows => 30)), 30::bigint, 'sample_rows rows are used');
SELECT ok((SELECT batch_size_bound >= 1 AND params = morpheus.param_count(6, 3, 2, 12)
           FROM morpheus.gradient_diversity('SELECT features, label FROM toy', depth => 2, width => 12, after_epochs => 1)),
          'after training: B_S >= 1 (Cauchy-Schwarz), params by the formula');

-- ---- width_sweep rows ---------------------------------------------------------------------------------------------------
CREATE TEMP TABLE sw AS SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 400,
  depths => '{1,4}', batch_sizes => '{60,8,24}', learning_rates => '{0.05,0.2,0.8}', target_loss => 0.5, max_epochs => 20,
  seed => 5);
SELECT is((SELECT count(*) FROM sw), 6::bigint, 'one row per (depth, batch size)');
SELECT results_eq('SELECT depth, batch_size FROM sw', $$VALUES (1, 8), (1, 24), (1, 60), (4, 8), (4, 24), (4, 60)$$,
                  'rows ordered by depth as given, then batch size');
SELECT is_empty($$SELECT * FROM sw WHERE best_learning_rate NOT IN (0.05, 0.2, 0.8)$$, 'the best learning rate is from the grid');
SELECT is_empty($$SELECT * FROM sw WHERE abs(iterations_to_target - epochs_to_target * 240 / batch_size) > 1e-9$$,
                'iterations = epochs x n / batch (not rounded)');
SELECT is_empty($$SELECT * FROM sw WHERE params <> morpheus.param_count(6, 3, depth, width) OR params > 400
                  OR width <> morpheus.width_for_budget(6, 3, depth, 400)$$, 'params equal the formula, within budget');
SELECT is_empty($$SELECT * FROM sw WHERE reached_target <> (epochs_to_target IS NOT NULL) OR (reached_target AND final_loss > 0.5)$$,
                'reached_target matches non-NULL epochs and a final loss at the target');
SELECT ok((SELECT count(*) FILTER (WHERE reached_target) >= 4 FROM sw), 'most runs reach the target');
SELECT is_empty($$SELECT * FROM sw s WHERE s.reached_target AND abs(s.speedup - (SELECT iterations_to_target FROM sw b
                  WHERE b.depth = s.depth AND b.batch_size = 8) / s.iterations_to_target) > 1e-12$$,
                'speedup = iterations(smallest batch) / iterations(B)');
SELECT is_empty($$SELECT * FROM sw WHERE abs(efficiency - speedup * 8 / batch_size) > 1e-12$$, 'efficiency = speedup / (B / B0)');
SELECT is_empty($$SELECT * FROM sw s WHERE critical_batch_size IS DISTINCT FROM (
                  SELECT max(batch_size) FROM sw c WHERE c.depth = s.depth AND NOT EXISTS (SELECT 1 FROM sw e
                    WHERE e.depth = c.depth AND e.batch_size <= c.batch_size AND (NOT e.reached_target
                      OR e.epochs_to_target > 1.2 * (SELECT epochs_to_target FROM sw b WHERE b.depth = c.depth AND b.batch_size = 8) + 1e-12)))$$,
                'critical batch size: largest B with every B'' <= B within 20% of the smallest batch''s epochs');
SELECT is_empty($$SELECT * FROM sw s, LATERAL morpheus.gradient_diversity('SELECT features, label FROM toy', depth => s.depth,
                  width => s.width, seed => 5) g WHERE abs(s.batch_size_bound - g.batch_size_bound) > 1e-9 * g.batch_size_bound
                  OR abs(s.batch_size_bound - 240 * s.gradient_diversity) > 1e-9 * s.batch_size_bound$$,
                'diversity columns equal gradient_diversity() of the initial network, B_S = n x diversity');
-- A single run with the best rate crosses the target between its last two evaluations, around epochs_to_target.
SELECT is_empty($$SELECT * FROM sw s, LATERAL (SELECT array_agg(epoch ORDER BY iteration DESC) AS e,
                  array_agg(train_loss ORDER BY iteration DESC) AS l FROM morpheus.train_mlp('SELECT features, label FROM toy',
                  depth => s.depth, width => s.width, batch_size => s.batch_size, learning_rate => s.best_learning_rate,
                  max_epochs => 20, seed => 5, target_loss => 0.5, evals_per_epoch => 4)) t
                  WHERE s.reached_target AND NOT (t.l[1] <= 0.5 AND t.l[2] > 0.5 AND t.e[2] <= s.epochs_to_target
                    AND s.epochs_to_target <= t.e[1])$$,
                'the best rate''s single run crosses the target where the sweep says');
SELECT results_eq($$SELECT depth, batch_size, best_learning_rate, epochs_to_target FROM morpheus.width_sweep('SELECT features, label FROM toy',
                    param_budget => 400, depths => '{4}', batch_sizes => '{24}', learning_rates => '{0.05,0.2,0.8}',
                    target_loss => 0.5, max_epochs => 20, seed => 5)$$,
                  $$SELECT depth, batch_size, best_learning_rate, epochs_to_target FROM sw WHERE depth = 4 AND batch_size = 24$$,
                  'reproducible per seed, and independent of the other grid points');
SELECT ok((SELECT bool_and(reached_target) FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 400,
           depths => '{3}', batch_sizes => '{24}', learning_rates => '{0.1}', target_loss => 0.7, max_epochs => 20,
           family => 'resnet', loss => 'cross_entropy')), 'the residual family sweeps');

-- ---- bad inputs ------------------------------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 15, depths => '{1,4}', batch_sizes => '{8}')$$,
  '22023', 'param_budget = 15 is too small for depth 4: even width 1 needs 19 parameters', 'budget too small for a depth');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 400, depths => '{}')$$,
  '22023', 'depths is empty', 'empty depths');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 400, batch_sizes => '{}')$$,
  '22023', 'batch_sizes is empty', 'empty batch sizes');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 400, learning_rates => '{}')$$,
  '22023', 'learning_rates is empty', 'empty learning rates');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 400, batch_sizes => '{8,0}')$$,
  '22023', 'batch_sizes contains 0, which is not positive', 'non-positive batch size');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 400, batch_sizes => '{500}')$$,
  '22023', 'batch_sizes contains 500, outside 1..240 (the number of rows of data_sql)', 'batch larger than the data');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 400, depths => '{0}')$$,
  '22023', 'depths contains 0, outside 1..1000', 'non-positive depth');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 400, batch_sizes => '{8}', learning_rates => '{0.1,-0.1}')$$,
  '22023', 'learning_rates contains -0.1, which is not positive and finite', 'non-positive learning rate');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 400, depths => '{2,2}', batch_sizes => '{8}')$$,
  '22023', 'depths lists a value twice', 'duplicate depths');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => -5)$$,
  '22023', 'param_budget = -5 must be positive', 'non-positive budget');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 400, max_epochs => 0)$$,
  '22023', 'max_epochs = 0 must be positive', 'non-positive max_epochs');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('SELECT features, label FROM toy', param_budget => 400, family => 'cnn')$$,
  '22023', 'family = ''cnn'' is not a known network family', 'unknown family');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('SELECT features, label FROM toy', 1, 4, loss => 'hinge')$$,
  '22023', 'loss = ''hinge'' is not a known loss', 'unknown loss');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('SELECT features, label - 1 AS label FROM toy', 1, 4)$$,
  '22023', 'label = -1 in row 1 of data_sql is outside 0..99999', 'negative label');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('SELECT features, label FROM toy', 1, 4, classes => 2)$$,
  '22023', 'label = 2 in row 3 of data_sql is outside 0..1', 'label at or above classes');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('SELECT features, 0 AS label FROM toy', 1, 4)$$,
  '22023', 'data_sql has only label 0: a classifier needs at least two classes', 'a single class');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('SELECT features AS x, label FROM toy', 1, 4)$$,
  '42703', 'data_sql returns no column "features" (it returns: x, label)', 'missing features column');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('SELECT features, label::text AS label FROM toy', 1, 4)$$,
  '42804', NULL, 'label of the wrong type');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp(NULL, 1, 4)$$, '22004', 'data_sql must not be NULL', 'NULL data_sql');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('SELECT features, NULLIF(label, 2) AS label FROM toy', 1, 4)$$,
  '22004', NULL, 'NULL label');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('SELECT CASE WHEN id = 5 THEN features[1:2] ELSE features END AS features, label FROM toy', 1, 4)$$,
  '22023', 'column "features" of data_sql has 2 values in row 5 but 6 in row 1', 'ragged features');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('SELECT CASE WHEN id = 5 THEN features || ''NaN''::float8 ELSE features || 0::float8 END AS features, label FROM toy', 1, 4)$$,
  '22023', NULL, 'NaN in features');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('SELECT features, label FROM toy WHERE false', 1, 4)$$,
  '22023', 'data_sql returned no rows', 'empty data');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('SELECT features, label FROM toy', 1, 4, batch_size => 0)$$,
  '22023', 'batch_size = 0 is outside 1..2147483647', 'non-positive batch size in train_mlp');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('SELECT features, label FROM toy', 3, 99999, batch_size => 8)$$,
  '54000', NULL, 'a network over the parameter limit');
SELECT throws_ok($$SELECT morpheus.param_count(784, 10, 2, 0)$$, '22023', 'width = 0 is outside 1..100000', 'width 0');
SELECT throws_ok($$SELECT morpheus.width_for_budget(784, 10, 3, 808)$$, '22023',
  'param_budget = 808 is too small for depth 3: even width 1 needs 809 parameters', 'width solver: budget too small');
SELECT throws_ok($$SELECT * FROM morpheus.synthetic_classification(0)$$, '22023', 'n = 0 must be positive', 'no rows asked');
SELECT throws_ok($$SELECT * FROM morpheus.gradient_diversity('SELECT features, label FROM toy', 2, 4, sample_rows => 1)$$,
  '22023', 'sample_rows = 1 must be at least 2', 'sample of one row');

-- ---- cancel --------------------------------------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.timed_sweep() RETURNS text LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  PERFORM * FROM morpheus.width_sweep('SELECT features, label FROM morpheus.synthetic_classification(2000, 50)',
    param_budget => 50000, depths => '{1,2,3}', batch_sizes => '{1,2,4}', target_loss => 0, max_epochs => 1000);
  RETURN 'finished';
EXCEPTION WHEN query_canceled THEN
  RETURN SQLSTATE || ' after ' || CASE WHEN clock_timestamp() - t0 < interval '5 s' THEN 'under 5 s' ELSE 'too long' END;
END $$;
SET LOCAL statement_timeout = '400ms';
SELECT pg_temp.timed_sweep() AS r \gset
RESET statement_timeout;
SELECT is(:'r'::text, '57014 after under 5 s', 'statement_timeout stops a long sweep promptly');

SELECT * FROM finish();
ROLLBACK;

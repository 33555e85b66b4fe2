-- Width/batch sweeps: surface, labels, data generators and pooling against hand computations, training and
-- diversity against their definitions, multi-seed sweeps (rows, search, readings recomputed in SQL), persistence
-- into a results table, and every bad input. (The cancel-keeps-rows test needs its own sessions:
-- tests/pgtap/51_sweep_persist.sql.)
BEGIN;
SELECT plan(82);

-- ---- surface -----------------------------------------------------------------------------------------------------
SELECT has_function('morpheus', 'param_count', ARRAY['integer', 'integer', 'integer', 'integer']);
SELECT has_function('morpheus', 'width_for_budget', ARRAY['integer', 'integer', 'integer', 'integer']);
SELECT has_function('morpheus', 'synthetic_classification', ARRAY['integer', 'integer', 'integer', 'double precision', 'integer']);
SELECT has_function('morpheus', 'teacher_classification', ARRAY['integer', 'integer', 'integer', 'integer', 'integer',
                    'text', 'text', 'double precision', 'integer']);
SELECT has_function('morpheus', 'pool_image', ARRAY['double precision[]', 'integer', 'integer', 'integer', 'text']);
SELECT has_function('morpheus', 'train_mlp', ARRAY['text', 'integer', 'integer', 'text', 'text[]', 'integer',
                    'double precision', 'integer', 'text', 'text', 'double precision', 'integer', 'integer', 'integer',
                    'text', 'double precision']);
SELECT has_function('morpheus', 'width_sweep_verdict', ARRAY['text', 'double precision', 'integer', 'double precision',
                    'double precision']);
SELECT is((SELECT prokind FROM pg_proc WHERE oid = 'morpheus.width_sweep_run'::regproc), 'p', 'width_sweep_run is a procedure');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'morpheus'::regnamespace
  AND p.proname IN ('width_sweep', 'width_sweep_cost', 'width_sweep_fit', 'width_sweep_summary', 'width_sweep_verdict',
                    'train_mlp', 'gradient_diversity', 'gradient_diversity_trajectory')
  AND (p.provolatile <> 'v' OR p.proparallel <> 'u')$$, 'functions that read queries are VOLATILE and PARALLEL UNSAFE');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'morpheus'::regnamespace
  AND p.proname IN ('param_count', 'width_for_budget', 'synthetic_classification', 'teacher_classification', 'pool_image')
  AND (p.provolatile <> 'i' OR NOT p.proisstrict OR p.proparallel <> 's')$$, 'generators are IMMUTABLE STRICT PARALLEL SAFE');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'morpheus'::regnamespace
  AND p.proname LIKE 'width_sweep%' AND ('data_sql' = ANY(p.proargnames) OR 'loss' = ANY(p.proargnames)
                                         OR 'family' = ANY(p.proargnames))$$, 'the 0.2.0 vocabulary: no data_sql, loss or family input');
SELECT is(morpheus.param_count(1, 1, 1, NULL), NULL, 'param_count: NULL in, NULL out');

-- ---- parameter counts and the width solver -------------------------------------------------------------------------
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
SELECT results_eq($$SELECT morpheus.width_for_budget(196, 10, d, 100000) FROM unnest('{1,2,4,8}'::int[]) d$$,
                  $$VALUES (483), (228), (150), (105)$$, 'the width experiment''s widths (pooled Fashion-MNIST, 100k)');

-- ---- data generators and pooling -------------------------------------------------------------------------------------
SELECT results_eq($$SELECT * FROM morpheus.synthetic_classification(50, 4, 3, 1.0, 7)$$,
                  $$SELECT * FROM morpheus.synthetic_classification(50, 4, 3, 1.0, 7)$$, 'synthetic data: same seed, same rows');
SELECT isnt((SELECT array_agg(features) FROM morpheus.synthetic_classification(5, 4, 3, 1.0, 7)),
            (SELECT array_agg(features) FROM morpheus.synthetic_classification(5, 4, 3, 1.0, 8)), 'another seed, other rows');
SELECT results_eq($$SELECT label, count(*) FROM morpheus.synthetic_classification(30, 2, 3) GROUP BY 1 ORDER BY 1$$,
                  $$VALUES (0, 10::bigint), (1, 10), (2, 10)$$, 'labels cycle through 0..classes-1');
-- A depth-1 linear teacher of width 1 with 2 classes: output k = w2[k] (w1 . x + b1) + b2[k]; labels by argmax.
SELECT is_empty($$SELECT * FROM morpheus.teacher_classification(rows => 40, inputs => 3, classes => 4, depth => 2,
                  width => 5, seed => 9) WHERE label NOT BETWEEN 0 AND 3 OR array_length(features, 1) <> 3$$,
                'teacher data: labels in 0..classes-1, inputs of the asked size');
SELECT results_eq($$SELECT * FROM morpheus.teacher_classification(30, 3, 2, seed => 4)$$,
                  $$SELECT * FROM morpheus.teacher_classification(30, 3, 2, seed => 4)$$, 'teacher data: same seed, same rows');
SELECT ok((SELECT count(DISTINCT label) = 2 FROM morpheus.teacher_classification(200, 5, 2, seed => 4)),
          'a random teacher uses both classes');
SELECT is(morpheus.pool_image('{1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16}', 4, 4, 2), '{3.5,5.5,11.5,13.5}'::float8[],
          'mean pooling by hand');
SELECT is(morpheus.pool_image('{1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16}', 4, 4, 2, 'max'), '{6,8,14,16}'::float8[],
          'max pooling by hand');
SELECT is(morpheus.pool_image('{1,2,3,4,5,6,7,8,9,10,11,12,13,14,15}', 3, 5, 2), '{4,6,7.5,11.5,13.5,15}'::float8[],
          'partial edge blocks average the pixels they hold');
SELECT is(array_length(morpheus.pool_image(array_fill(0.5::float8, ARRAY[784]), 28, 28, 2), 1), 196, '28 x 28 to 14 x 14');

CREATE TEMP TABLE toy AS SELECT * FROM morpheus.synthetic_classification(rows => 240, inputs => 6, classes => 3, spread => 1.0, seed => 11);

-- ---- train_mlp ----------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE run AS SELECT * FROM morpheus.train_mlp('toy', depth => 2, width => 12,
  batch_size => 24, learning_rate => 0.1, max_epochs => 6, seed => 3);
SELECT is((SELECT count(*) FROM run), 7::bigint, 'train_mlp: one row per epoch plus the initial network');
SELECT results_eq('SELECT epoch, iteration FROM run ORDER BY iteration',
                  $$SELECT k::float8, k * 10::bigint FROM generate_series(0, 6) k$$, 'epochs and iterations (240 rows / 24 per batch)');
SELECT ok((SELECT max(loss) FILTER (WHERE epoch = 6) < 0.7 * max(loss) FILTER (WHERE epoch = 0) FROM run),
          'the training loss falls');
-- (every column; of the model all but its source, which records the table name or the query as given)
SELECT results_eq($$SELECT epoch, iteration, loss, accuracy, parameters, (model).parameters, (model).options, (model).loss
                    FROM morpheus.train_mlp('SELECT features, label FROM toy', depth => 2, width => 12,
                      batch_size => 24, learning_rate => 0.1, max_epochs => 6, seed => 3)$$,
                  'SELECT epoch, iteration, loss, accuracy, parameters, (model).parameters, (model).options, (model).loss FROM run',
                  'train_mlp is reproducible per seed, from a table name or a query');
SELECT is((SELECT count(*) FROM run WHERE parameters IS NOT NULL), 1::bigint, 'the parameters come on one row');
SELECT is((SELECT array_length(parameters, 1) FROM run WHERE epoch = 6), morpheus.param_count(6, 3, 2, 12)::int,
          'the last row carries every parameter');
-- The forward pass from the flat parameters (w0 12x6, b0, w1 12x12, b1, w2 3x12, b2), in SQL: the mean cross-entropy
-- equals the last row's loss.
SELECT ok((WITH p AS (SELECT parameters AS v FROM run WHERE epoch = 6),
  h1 AS (SELECT t.id, t.label, j, greatest(0, (SELECT sum(p.v[(j - 1) * 6 + k] * t.features[k]) FROM generate_series(1, 6) k)
                                            + p.v[72 + j]) AS a
         FROM toy t, p, generate_series(1, 12) j),
  h2 AS (SELECT h.id, h.label, j, greatest(0, sum(p.v[84 + (j - 1) * 12 + h.j_in] * h.a) + max(p.v[84 + 144 + j])) AS a
         FROM (SELECT id, label, j AS j_in, a FROM h1) h, p, generate_series(1, 12) j GROUP BY h.id, h.label, j),
  o AS (SELECT h.id, h.label, c, sum(p.v[240 + (c - 1) * 12 + h.j] * h.a) + max(p.v[276 + c]) AS z
        FROM h2 h, p, generate_series(1, 3) c GROUP BY h.id, h.label, c),
  ce AS (SELECT id, ln(sum(exp(z))) - max(z) FILTER (WHERE c = label + 1) AS l FROM o GROUP BY id)
  SELECT abs(avg(l) - (SELECT loss FROM run WHERE epoch = 6)) < 1e-9 FROM ce),
  'the parameter layout w[0], b[0], w[1], b[1], ... (out x in, row-major) reproduces the loss');
SELECT ok((SELECT bool_and(loss IS NOT NULL) FROM morpheus.train_mlp('SELECT features, label FROM toy', depth => 3,
          width => 8, loss_function => 'squared', architecture => 'resnet', residual_scale => 0.5,
          initialization => 'pytorch', max_epochs => 2)), 'squared loss, scaled residual branch and PyTorch init train');
SELECT ok((SELECT max(loss) FILTER (WHERE epoch = 4) < max(loss) FILTER (WHERE epoch = 0) FROM morpheus.train_mlp(
          'SELECT features, label FROM toy', depth => 3, width => 8, architecture => 'linear', max_epochs => 4,
          learning_rate => 0.02)), 'the deep linear family trains');
SELECT results_eq($$SELECT loss FROM morpheus.train_mlp('SELECT id, features[1] AS a, features[2] AS b, features[3] AS c,
                    features[4] AS d, features[5] AS e, features[6] AS f, label FROM toy', depth => 2, width => 12,
                    features => '{a,b,c,d,e,f}', batch_size => 24, max_epochs => 6, seed => 3)$$,
                  'SELECT loss FROM run', 'features as a list of numeric columns equal the array column');

-- ---- gradient diversity against its definition ---------------------------------------------------------------------------
SELECT is((SELECT round(gradient_diversity::numeric, 12) || ' ' || round(batch_size_bound::numeric, 12)
           FROM morpheus.gradient_diversity('SELECT features, label FROM toy, generate_series(1, 5) WHERE id = 4',
                                            depth => 3, width => 7, classes => 3)),
          '0.200000000000 1.000000000000', 'identical gradients: diversity 1/n, bound 1');
SELECT ok((SELECT abs(sum_sq_norms - (SELECT sum(sum_sq_norms) FROM generate_series(1, 3) i,
             LATERAL morpheus.gradient_diversity(format('SELECT features, label FROM toy WHERE id = %s', i), depth => 2,
                                                 width => 12, classes => 3)))
           < 1e-9 * sum_sq_norms
           FROM morpheus.gradient_diversity('SELECT features, label FROM toy WHERE id <= 3', depth => 2, width => 12)),
          'sum of per-sample squared norms equals the one-row gradient norms summed');
CREATE TEMP TABLE traj AS SELECT * FROM morpheus.gradient_diversity_trajectory('toy', depth => 2, width => 12,
  checkpoints => '{0,1,2}', seeds => '{1,2,3}', batch_size => 24, learning_rate => 0.1);
SELECT is((SELECT count(*) FROM traj), 16::bigint, '9 measurements, 3 seed averages, 3 checkpoint averages, 1 overall');
SELECT ok((SELECT abs(batch_size_bound - (SELECT g.batch_size_bound FROM morpheus.gradient_diversity('toy', depth => 2,
             width => 12, seed => 2) g)) < 1e-9 * batch_size_bound FROM traj WHERE seed = 2 AND epoch = 0),
          'checkpoint 0 is the initial network of the seed');
SELECT ok((SELECT abs(a.batch_size_bound - m.mean) < 1e-9 * m.mean
             AND abs(a.bound_lower - (m.mean - m.half)) < 1e-9 * m.mean AND abs(a.bound_upper - (m.mean + m.half)) < 1e-9 * m.mean
           FROM traj a, (SELECT avg(batch_size_bound) AS mean, 4.302652729749464 * stddev_samp(batch_size_bound) / sqrt(3) AS half
                         FROM traj WHERE seed IS NOT NULL AND epoch IS NULL) m
           WHERE a.seed IS NULL AND a.epoch IS NULL), 'overall: mean of the seed averages with its t-interval (df 2)');

-- ---- multi-seed sweeps ------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE sw AS SELECT * FROM morpheus.width_sweep('toy', param_budget => 400, depths => '{1,4}',
  batch_sizes => '{60,8,24}', seeds => '{1,2}', tuning_seeds => '{7,8,9}', target_losses => '{0.7,0.5}',
  learning_rate => 0.2, min_learning_rate => 0.025, max_learning_rate => 1.6, max_epochs => 15, evals_per_epoch => 2);
SELECT is((SELECT count(*) FROM sw WHERE role = 'eval'), 24::bigint, 'one evaluation row per (depth, batch, seed, target)');
SELECT is((SELECT count(DISTINCT settings) FROM sw), 1::bigint, 'one settings fingerprint');
SELECT is_empty($$SELECT * FROM sw WHERE abs(iterations_to_target - epochs_to_target * 240 / batch_size) > 1e-9$$,
                'iterations = epochs x n / batch (not rounded)');
SELECT is_empty($$SELECT * FROM sw WHERE params <> morpheus.param_count(6, 3, depth, width) OR params > 400
                  OR width <> morpheus.width_for_budget(6, 3, depth, 400)$$, 'params equal the formula, within budget');
SELECT is_empty($$SELECT * FROM sw WHERE reached <> (epochs_to_target IS NOT NULL)$$, 'epochs are NULL exactly when not reached');
SELECT is_empty($$SELECT * FROM sw WHERE learning_rate NOT IN (0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6)$$,
                'rates are the start times powers of two, within the bounds');
-- The evaluated rate has the lowest median over the tuning seeds (unreached = infinity) among the rates tried.
SELECT is_empty($$
  WITH t AS (SELECT depth, batch_size, target_loss, learning_rate,
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN reached THEN epochs_to_target ELSE 'Infinity' END) AS med
             FROM sw WHERE role = 'tune' GROUP BY 1, 2, 3, 4),
       e AS (SELECT DISTINCT depth, batch_size, target_loss, learning_rate FROM sw WHERE role = 'eval')
  SELECT * FROM e JOIN t c USING (depth, batch_size, target_loss, learning_rate)
  WHERE EXISTS (SELECT 1 FROM t o WHERE (o.depth, o.batch_size, o.target_loss) = (e.depth, e.batch_size, e.target_loss)
                AND o.med < c.med)$$, 'the chosen rate minimizes the tuning median');
-- An evaluation row is one training run: train_mlp with its rate and seed crosses the target where the row says.
SELECT is_empty($$SELECT * FROM sw s, LATERAL (SELECT array_agg(epoch ORDER BY iteration DESC) AS e,
                  array_agg(loss ORDER BY iteration DESC) AS l FROM morpheus.train_mlp('toy',
                  depth => s.depth, width => s.width, batch_size => s.batch_size, learning_rate => s.learning_rate,
                  max_epochs => 15, seed => s.seed, target_loss => s.target_loss, evals_per_epoch => 2)) t
                  WHERE s.role = 'eval' AND s.reached AND NOT (t.l[1] <= s.target_loss AND t.l[2] > s.target_loss
                    AND t.e[2] <= s.epochs_to_target AND s.epochs_to_target <= t.e[1])$$,
                'each evaluation row is reproduced by train_mlp');
-- The readings, recomputed in SQL from the rows.
CREATE TEMP TABLE sm AS SELECT * FROM morpheus.width_sweep_summary('sw');
SELECT is((SELECT count(*) FROM sm), 12::bigint, 'summary: one row per (depth, batch, target)');
SELECT is_empty($$SELECT * FROM sm m, LATERAL (SELECT count(*) AS n, count(*) FILTER (WHERE reached) AS r,
                    exp(avg(ln(iterations_to_target))) AS g FROM sw WHERE role = 'eval' AND (depth, batch_size, target_loss)
                    = (m.depth, m.batch_size, m.target_loss)) s
                  WHERE m.seeds <> s.n OR m.reached <> s.r OR (s.r = s.n AND abs(m.steps_geomean - s.g) > 1e-9 * s.g)$$,
                'summary: seeds, reached and the geometric mean of the steps');
CREATE TEMP TABLE fit AS SELECT * FROM morpheus.width_sweep_fit('sw');
SELECT is((SELECT count(*) FROM fit WHERE seed IS NOT NULL), 8::bigint, 'fit: one row per (depth, seed, target)');
-- The weighted fit by its normal equations in SQL: u = 1/s, v = 1/(B s); S = (Su Svv - Sv Suv)/det, E = (Sv Suu - Su Suv)/det.
SELECT is_empty($$
  WITH q AS (SELECT depth, seed, target_loss, sum(1/s^2) AS suu, sum(1/(b*s^2)) AS suv, sum(1/(b*s)^2) AS svv,
                    sum(1/s) AS su, sum(1/(b*s)) AS sv, count(*) AS k
             FROM (SELECT depth, seed, target_loss, batch_size::float8 AS b, iterations_to_target AS s FROM sw
                   WHERE role = 'eval' AND reached) r GROUP BY 1, 2, 3),
       f AS (SELECT *, (su*svv - sv*suv)/(suu*svv - suv^2) AS s_min, (sv*suu - su*suv)/(suu*svv - suv^2) AS e_min FROM q)
  SELECT * FROM f JOIN fit USING (depth, seed, target_loss)
  WHERE f.k >= 2 AND (abs(fit.s_min - f.s_min) > 1e-6 * abs(f.s_min) OR abs(fit.e_min - f.e_min) > 1e-6 * abs(f.e_min)
        OR (f.s_min > 0 AND f.e_min > 0 AND abs(fit.b_crit_fit - f.e_min / f.s_min) > 1e-6 * f.e_min / f.s_min)
        OR ((f.s_min <= 0 OR f.e_min <= 0) AND fit.b_crit_fit IS NOT NULL))$$,
  'fit: S_min, E_min and b_crit = E_min / S_min equal the weighted normal equations');
SELECT is_empty($$SELECT * FROM fit f WHERE seed IS NOT NULL AND b_crit_slack IS DISTINCT FROM (
                  SELECT max(batch_size)::float8 FROM sw c WHERE c.role = 'eval' AND (c.depth, c.seed, c.target_loss) = (f.depth, f.seed, f.target_loss)
                    AND NOT EXISTS (SELECT 1 FROM sw e WHERE e.role = 'eval' AND (e.depth, e.seed, e.target_loss) = (f.depth, f.seed, f.target_loss)
                      AND e.batch_size <= c.batch_size AND (NOT e.reached OR e.epochs_to_target > 1.2 * (SELECT epochs_to_target
                        FROM sw b WHERE b.role = 'eval' AND (b.depth, b.seed, b.target_loss) = (f.depth, f.seed, f.target_loss)
                        AND b.batch_size = 8) + 1e-12)))$$,
                'slack rule: largest B with every B'' <= B within 20% of the smallest batch''s epochs');
SELECT is((SELECT count(*) FROM morpheus.width_sweep_verdict('sw', target_loss => 0.7)), 2::bigint,
          'verdict: the critical-batch and step-count readings');
SELECT is_empty($$
  WITH s AS (SELECT seed, (max(ln(b_crit_fit)) FILTER (WHERE depth = 1) - max(ln(b_crit_fit)) FILTER (WHERE depth = 4))
                          / (ln(morpheus.width_for_budget(6, 3, 1, 400)) - ln(morpheus.width_for_budget(6, 3, 4, 400))) AS e,
                    count(b_crit_fit) AS k
             FROM fit WHERE seed IS NOT NULL AND target_loss = 0.7 GROUP BY seed)
  SELECT * FROM morpheus.width_sweep_verdict('sw', target_loss => 0.7) v
  WHERE v.reading = 'critical_batch' AND (v.seeds_used <> (SELECT count(*) FROM s WHERE k = 2)
        OR (v.seeds_used = 2 AND (abs(v.estimate - (SELECT avg(e) FROM s)) > 1e-9
            OR abs(v.upper - (SELECT avg(e) + 12.706204736174707 * stddev_samp(e) / sqrt(2) FROM s)) > 1e-7)))$$,
  'verdict: the elasticity is the mean of the per-seed log-log slopes, with its t-interval (df 1)');

-- ---- persistence (in this transaction; cancel and resume across commits: 51_sweep_persist.sql) -----------------------------
CALL morpheus.width_sweep_run('pg_temp.runs', 'toy', param_budget => 400, depths => '{1,4}', batch_sizes => '{60,8,24}',
  seeds => '{1,2}', tuning_seeds => '{7,8,9}', target_losses => '{0.7,0.5}', learning_rate => 0.2,
  min_learning_rate => 0.025, max_learning_rate => 1.6, max_epochs => 15, evals_per_epoch => 2);
SELECT results_eq($$SELECT depth, batch_size, seed, role, learning_rate, target_loss, reached, epochs_to_target, settings
                    FROM pg_temp.runs ORDER BY 1, 2, 3, 4, 5, 6$$,
                  $$SELECT depth, batch_size, seed, role, learning_rate, target_loss, reached, epochs_to_target, settings
                    FROM sw ORDER BY 1, 2, 3, 4, 5, 6$$, 'width_sweep_run stores the rows width_sweep returns');
CALL morpheus.width_sweep_run('pg_temp.runs', 'toy', param_budget => 400, depths => '{1,4}', batch_sizes => '{60,8,24}',
  seeds => '{1,2,3}', tuning_seeds => '{7,8,9}', target_losses => '{0.7,0.5}', learning_rate => 0.2,
  min_learning_rate => 0.025, max_learning_rate => 1.6, max_epochs => 15, evals_per_epoch => 2);
SELECT is((SELECT count(*) FROM pg_temp.runs) - (SELECT count(*) FROM sw), 12::bigint,
          'a second call with one more seed adds only that seed''s evaluation rows');
SELECT is((SELECT count(*) FROM morpheus.width_sweep_summary('pg_temp.runs') WHERE seeds = 3), 12::bigint,
          'the readings use every seed');

-- ---- cost ------------------------------------------------------------------------------------------------------------------
SELECT ok((SELECT bool_and(runs = 3.5 * 3 + 2 AND epochs_per_run = 15 AND minutes > 0 AND abs(minutes - runs * epochs_per_run * ms_per_epoch / 60000) < 1e-9)
             AND count(*) = 6
           FROM morpheus.width_sweep_cost('toy', param_budget => 400, depths => '{1,4}', batch_sizes => '{60,8,24}',
             seeds => '{1,2}', tuning_seeds => '{7,8,9}', max_epochs => 15)), 'cost: runs x epochs x measured time per epoch');

-- ---- bad inputs ------------------------------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('toy', param_budget => 15, depths => '{1,4}', batch_sizes => '{8}')$$,
  '22023', 'param_budget = 15 is too small for depth 4: even width 1 needs 19 parameters', 'budget too small for a depth');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('toy', param_budget => 400, depths => '{}')$$,
  '22023', 'depths is empty', 'empty depths');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('toy', param_budget => 400, batch_sizes => '{500}')$$,
  '22023', 'batch_sizes contains 500, outside 1..240 (the number of rows of source)', 'batch larger than the data');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('toy', param_budget => 400, seeds => '{1,101}')$$,
  '22023', 'seed 101 is both a tuning seed and an evaluation seed', 'tuning and evaluation seeds overlap');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('toy', param_budget => 400, learning_rate => 0.1, max_learning_rate => 0.05)$$,
  '22023', 'learning_rate = 0.1 is outside [0.0001, 0.05]', 'start rate outside its bounds');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep('toy', param_budget => 400, architecture => 'cnn')$$,
  '22023', 'unknown architecture "cnn"', 'unknown architecture');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('toy', 1, 4, loss_function => 'hinge')$$,
  '22023', 'unknown loss_function "hinge"', 'unknown loss function');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('toy', 1, 4, initialization => 'xavier')$$,
  '22023', 'unknown initialization "xavier"', 'unknown initialization');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('toy', 3, 4, architecture => 'resnet', residual_scale => 0)$$,
  '22023', 'residual_scale = 0 is outside (0, 1e6]', 'residual scale 0');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('SELECT features, label - 1 AS label FROM toy', 1, 4)$$,
  '22023', 'column "label" is -1 in row 1 of source, outside 0..99999', 'negative label');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('SELECT features AS x, label FROM toy', 1, 4)$$,
  '42703', 'source returns no column "features" (it returns: x, label)', 'missing features column');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('no_such_table', 1, 4)$$, '42P01', NULL, 'unknown table');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp(NULL, 1, 4)$$, '22004', 'source must not be NULL', 'NULL source');
SELECT throws_ok($$SELECT * FROM morpheus.train_mlp('toy', 3, 99999, batch_size => 8)$$,
  '54000', NULL, 'a network over the parameter limit');
SELECT throws_ok($$SELECT morpheus.pool_image('{1,2,3}', 2, 2)$$, '22023',
  'the image has 3 values but height x width = 2 x 2', 'pooling: wrong image size');
SELECT throws_ok($$SELECT morpheus.pool_image('{1,2,3,4}', 2, 2, 2, 'median')$$, '22023', 'unknown method "median"',
  'pooling: unknown method');
SELECT throws_ok($$SELECT * FROM morpheus.teacher_classification(10, label_noise => 2)$$, '22023',
  'label_noise = 2 is outside 0..1', 'teacher: label noise above 1');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep_verdict('sw', target_loss => 0.6)$$, '22023',
  'no evaluation rows for target_loss = 0.6', 'verdict: a target the sweep did not run');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep_fit('SELECT * FROM sw UNION ALL SELECT * FROM sw')$$, '22023', NULL,
  'readings reject duplicated rows');
SELECT throws_ok($$SELECT * FROM morpheus.width_sweep_summary('SELECT depth FROM sw')$$, '42703', NULL,
  'readings need the result columns');
SELECT throws_ok($$SELECT * FROM morpheus.gradient_diversity_trajectory('toy', 2, 4, checkpoints => '{2,1}')$$, '22023',
  'checkpoints must be ascending epochs in 0..1e6', 'trajectory: checkpoints out of order');
CREATE ROLE morpheus_sweep_tester;
GRANT USAGE ON SCHEMA morpheus TO morpheus_sweep_tester;
SET LOCAL ROLE morpheus_sweep_tester;
SELECT throws_ok($$CALL morpheus.width_sweep_run('public.sweep_runs', 'toy', param_budget => 400, batch_sizes => '{8}')$$,
  '42501', 'results table public.sweep_runs does not exist and schema "public" is not yours to create it in',
  'no results table is created in a schema the caller does not own');
RESET ROLE;

-- ---- cancel --------------------------------------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.timed_sweep() RETURNS text LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  PERFORM * FROM morpheus.width_sweep('SELECT features, label FROM morpheus.synthetic_classification(2000, 50)',
    param_budget => 50000, depths => '{1,2,3}', batch_sizes => '{1,2,4}', target_losses => '{0}', max_epochs => 1000);
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

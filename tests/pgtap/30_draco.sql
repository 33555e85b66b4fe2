-- DRACO: signatures, labels, results against independent SQL computations, MLPs, sources, NULLs and bad inputs.
BEGIN;
SELECT plan(75);

CREATE TEMP TABLE pts AS
  SELECT i AS id, ARRAY[sin(i), cos(1.7 * i), sin(0.3 * i)]::float8[] AS features,
         CASE WHEN sin(i) + 0.5 * cos(1.7 * i) > 0 THEN 1 ELSE 0 END AS label
  FROM generate_series(1, 120) i;
-- three classes in the plane for the networks
CREATE TEMP TABLE blobs AS
  SELECT i AS id, ARRAY[(i % 3) + 0.3 * sin(7.1 * i), ((i % 3) * 2 % 3) + 0.3 * cos(3.3 * i)]::float8[] AS features,
         i % 3 AS label, (i % 3 = 1) AS is_one, sin(7.1 * i)::float4 AS x1, cos(3.3 * i)::numeric AS x2
  FROM generate_series(1, 180) i;
CREATE FUNCTION pg_temp.hint_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE h text;
BEGIN
  EXECUTE q;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
  RETURN h;
END $$;

-- signatures and labels
SELECT has_function('morpheus', 'draco_train',
  ARRAY['text', 'text', 'text[]', 'text', 'integer[]', 'boolean', 'integer', 'integer', 'integer', 'text', 'text',
        'integer', 'integer', 'double precision', 'double precision', 'integer', 'text', 'double precision', 'integer',
        'text', 'boolean', 'integer', 'double precision', 'integer']);
SELECT has_function('morpheus', 'robust_aggregate',
  ARRAY['double precision[]', 'text', 'integer', 'integer', 'integer[]', 'double precision', 'integer']);
SELECT has_function('morpheus', 'glm_predict', ARRAY['double precision[]', 'double precision[]', 'text', 'boolean']);
SELECT has_function('morpheus', 'mlp_predict', ARRAY['double precision[]', 'double precision[]', 'integer[]']);
SELECT is((SELECT provolatile FROM pg_proc WHERE proname = 'draco_train'), 'v', 'draco_train is VOLATILE');
SELECT is((SELECT proparallel FROM pg_proc WHERE proname = 'draco_train'), 'u', 'draco_train is PARALLEL UNSAFE');
SELECT is((SELECT array_agg(provolatile::text || proparallel::text ORDER BY proname) FROM pg_proc
           WHERE proname IN ('robust_aggregate', 'glm_predict', 'mlp_predict')),
          ARRAY['is', 'is', 'is']::text[], 'robust_aggregate, glm_predict, mlp_predict are IMMUTABLE PARALLEL SAFE');
SELECT is((SELECT array_agg(a ORDER BY n) FROM pg_proc, unnest(proargnames) WITH ORDINALITY t(a, n)
           WHERE proname = 'draco_train' AND proargmodes[n] = 't'),
          ARRAY['iteration', 'loss', 'accuracy', 'validation_accuracy', 'grad_error', 'compute_ms', 'aggregate_ms',
                'median_iterations', 'adversarial_workers', 'flagged_workers', 'consistent', 'weights', 'model'],
          'draco_train result columns');
SELECT ok((SELECT bool_and(obj_description(oid, 'pg_proc') IS NOT NULL) FROM pg_proc
           WHERE proname IN ('draco_train', 'robust_aggregate', 'glm_predict', 'mlp_predict')), 'every function has a comment');

-- GLMs: DRACO under every attack decodes the clean gradient and flags the adversaries
SELECT ok(bool_and(grad_error < 1e-9 AND consistent AND flagged_workers <@ adversarial_workers)
          AND count(*) = 5 * 6, 'cyclic decodes the clean gradient under every attack (' || string_agg(DISTINCT a, ',') || ')')
FROM unnest(ARRAY['signflip', 'constant', 'gaussian', 'alie', 'ipm']) a,
     morpheus.draco_train('SELECT features, label FROM pts', workers => 9, adversaries => 2,
                          attack => a, batch_size => 10, max_iterations => 6, seed => 4);
SELECT ok(bool_and(grad_error = 0 AND consistent) AND count(*) = 5 * 6, 'repetition is bit-exact under every attack')
FROM unnest(ARRAY['signflip', 'constant', 'gaussian', 'alie', 'ipm']) a,
     morpheus.draco_train('SELECT features, label FROM pts', workers => 10, adversaries => 2,
                          attack => a, aggregation => 'repetition', batch_size => 10, max_iterations => 6, seed => 4);
-- trained weights equal adversary-free training (same seed, same batches)
SELECT ok((SELECT max(abs(a - b)) FROM unnest(
            (SELECT weights FROM morpheus.draco_train('SELECT features, label FROM pts', workers => 9,
               adversaries => 2, attack => 'alie', max_iterations => 10, batch_size => 10) WHERE weights IS NOT NULL),
            (SELECT weights FROM morpheus.draco_train('SELECT features, label FROM pts', workers => 9,
               adversaries => 0, max_adversaries => 2, attack => 'none', max_iterations => 10, batch_size => 10)
             WHERE weights IS NOT NULL)) t(a, b)) < 1e-12, 'cyclic weights equal adversary-free weights');
SELECT ok((SELECT weights FROM morpheus.draco_train('SELECT features, label FROM pts', workers => 10,
             adversaries => 2, aggregation => 'repetition', max_iterations => 10, batch_size => 10) WHERE weights IS NOT NULL)
        = (SELECT weights FROM morpheus.draco_train('SELECT features, label FROM pts', workers => 10,
             adversaries => 0, max_adversaries => 2, aggregation => 'repetition', max_iterations => 10, batch_size => 10)
           WHERE weights IS NOT NULL), 'repetition weights are bit-identical to adversary-free weights');
SELECT ok((SELECT max(grad_error) FROM morpheus.draco_train('SELECT features, label FROM pts',
             adversaries => 1, aggregation => 'mean', max_iterations => 3)) > 1, 'the mean is corrupted by one sign-flipper');
SELECT is((SELECT count(*) FROM morpheus.draco_train('SELECT features, label FROM pts',
             max_iterations => 7) WHERE weights IS NOT NULL), 1::bigint, 'weights are on the last row only');
SELECT ok((SELECT bool_and(NOT consistent AND grad_error IS NULL) FROM morpheus.draco_train(
             'SELECT features, label FROM pts', workers => 7, adversaries => 3, max_adversaries => 1,
             attack => 'gaussian', max_iterations => 3)), 'more than s adversaries: reported as inconsistent');
SELECT ok((SELECT bool_and(flagged_workers IS NULL) FROM morpheus.draco_train(
             'SELECT features, label FROM pts', aggregation => a, max_iterations => 2)), a || ' flags nobody')
FROM unnest(ARRAY['median', 'geometric_median']) a;
SELECT ok((SELECT bool_and(loss >= 0 AND aggregate_ms >= 0 AND compute_ms >= 0) FROM morpheus.draco_train(
             'SELECT features, label::float8 AS label FROM pts', family => m, max_iterations => 3,
             learning_rate => 0.05)), m || ' trains')
FROM unnest(ARRAY['least_squares', 'poisson', 'softmax']) m;
SELECT ok((SELECT accuracy FROM morpheus.draco_train('pts', features => '{features}', max_iterations => 40,
             learning_rate => 1.0) WHERE iteration = 40) > 0.9, 'a table name as source; DRACO learns');
-- features as a list of columns (float4, numeric, boolean) equal the same values as an array
SELECT ok((SELECT weights FROM morpheus.draco_train('blobs', label => 'is_one', features => '{x1, x2, is_one}',
             max_iterations => 5) WHERE weights IS NOT NULL)
        = (SELECT weights FROM morpheus.draco_train(
             'SELECT ARRAY[x1, x2, is_one::int]::float8[] AS f, is_one::int AS y FROM blobs', label => 'y',
             features => '{f}', max_iterations => 5) WHERE weights IS NOT NULL),
          'feature columns and a boolean label read as the same array and 0/1');
SELECT ok((SELECT weights FROM morpheus.draco_train('SELECT features, 2 * label - 1 AS label FROM pts',
             max_iterations => 5) WHERE weights IS NOT NULL)
        = (SELECT weights FROM morpheus.draco_train('pts', max_iterations => 5) WHERE weights IS NOT NULL),
          'labels -1/+1 train as 0/1');
SELECT ok((SELECT bool_and(validation_accuracy IS NOT NULL AND accuracy IS NOT NULL) FROM morpheus.draco_train(
             'SELECT features, label FROM pts WHERE id <= 90', validation => 'SELECT features, label FROM pts WHERE id > 90',
             max_iterations => 3)), 'validation rows give validation_accuracy');
-- without intercept: the weights hold p values; glm_predict scores them
SELECT is((SELECT array_length(weights, 1) FROM morpheus.draco_train('pts', intercept => false, max_iterations => 3)
           WHERE weights IS NOT NULL), 3, 'intercept => false: one weight per feature');
SELECT ok(abs(morpheus.glm_predict('{0.3,-0.2}', '{1.5,2}', 'logistic', false) - 1 / (1 + exp(-(0.3 * 1.5 - 0.2 * 2))))
          < 1e-15, 'glm_predict without intercept = sigmoid(x w)');

-- MLPs: exact under attack, per-layer rules, predictions against a forward pass in SQL
SELECT ok((SELECT weights FROM morpheus.draco_train('blobs', family => 'mlp', hidden_layers => '{6, 4}', workers => 10,
             adversaries => 2, aggregation => 'repetition', attack => a, batch_size => 6, max_iterations => 8,
             learning_rate => 0.05, momentum => 0.9) WHERE weights IS NOT NULL)
        = (SELECT weights FROM morpheus.draco_train('blobs', family => 'mlp', hidden_layers => '{6, 4}', workers => 10,
             adversaries => 0, max_adversaries => 2, aggregation => 'repetition', attack => 'none', batch_size => 6,
             max_iterations => 8, learning_rate => 0.05, momentum => 0.9) WHERE weights IS NOT NULL),
          'mlp: repetition weights under ' || a || ' are bit-identical to adversary-free weights')
FROM unnest(ARRAY['signflip', 'constant']) a;
SELECT ok((SELECT max(abs(x - y)) / max(abs(y)) FROM unnest(
            (SELECT weights FROM morpheus.draco_train('blobs', family => 'mlp', hidden_layers => '{6, 4}', workers => 11,
               adversaries => 2, attack => 'alie', batch_size => 6, max_iterations => 8, learning_rate => 0.05,
               momentum => 0.9) WHERE weights IS NOT NULL),
            (SELECT weights FROM morpheus.draco_train('blobs', family => 'mlp', hidden_layers => '{6, 4}', workers => 11,
               adversaries => 0, max_adversaries => 2, attack => 'none', batch_size => 6, max_iterations => 8,
               learning_rate => 0.05, momentum => 0.9) WHERE weights IS NOT NULL)) t(x, y)) < 1e-9,
          'mlp: cyclic weights equal adversary-free weights to 1e-9');
SELECT is((SELECT array_length(weights, 1) FROM morpheus.draco_train('blobs', family => 'mlp', hidden_layers => '{6, 4}',
             max_iterations => 1) WHERE weights IS NOT NULL), 2 * 6 + 6 + 6 * 4 + 4 + 4 * 3 + 3,
          'mlp parameters: w[0], b[0], w[1], b[1], w[2], b[2]');
SELECT ok((SELECT bool_and(cardinality(median_iterations) = 6 AND 1 <= ALL(median_iterations)) FROM morpheus.draco_train(
             'blobs', family => 'mlp', hidden_layers => '{6, 4}', workers => 9, adversaries => 2,
             aggregation => 'geometric_median', per_layer => true, max_iterations => 3)),
          'per-layer geometric median: Weiszfeld iterations for each of the 6 parameter blocks');
SELECT ok((SELECT bool_and(cardinality(median_iterations) = 1) FROM morpheus.draco_train(
             'blobs', family => 'mlp', hidden_layers => '{6, 4}', workers => 9, adversaries => 2,
             aggregation => 'geometric_median', max_iterations => 3)), 'whole-vector geometric median: one count');
SELECT ok((SELECT accuracy FROM morpheus.draco_train('blobs', family => 'mlp', hidden_layers => '{8}', workers => 9,
             adversaries => 2, batch_size => 10, max_iterations => 60, learning_rate => 0.05, momentum => 0.9)
           WHERE iteration = 60) > 0.9, 'an mlp learns the three blobs under attack');
-- mlp_predict = argmax of relu(x W0' + b0) W1' + b1, computed in SQL from the weights
CREATE TEMP TABLE net AS
  SELECT weights AS w FROM morpheus.draco_train('blobs', family => 'mlp', hidden_layers => '{3}', max_iterations => 5)
  WHERE weights IS NOT NULL;
SELECT is((SELECT count(*) FROM blobs b, net,
             LATERAL (SELECT array_agg(greatest(0, w[2 * h + 1] * b.features[1] + w[2 * h + 2] * b.features[2] + w[7 + h])
                                       ORDER BY h) AS hid FROM generate_series(0, 2) h) hl,
             LATERAL (SELECT c, w[10 + 3 * c] * hl.hid[1] + w[10 + 3 * c + 1] * hl.hid[2] + w[10 + 3 * c + 2] * hl.hid[3]
                                + w[19 + c] AS z FROM generate_series(0, 2) c ORDER BY z DESC, c LIMIT 1) best
           WHERE morpheus.mlp_predict(net.w, b.features, '{2, 3, 3}') = best.c), 180::bigint,
          'mlp_predict equals a forward pass in SQL on every row');

-- robust_aggregate against independent SQL computations on the reference fixture
CREATE TEMP TABLE fx AS SELECT * FROM (VALUES (1, 0.0, 0.0), (2, 1, 0), (3, 0, 2), (4, 1, 1), (5, 2, 1),
                                              (6, 0.5, 0.5), (7, 50, -50)) v(i, x, y);
SELECT is(morpheus.robust_aggregate('{{0,0},{1,0},{0,2},{1,1},{2,1},{0.5,0.5},{50,-50}}', 'mean', 1),
          (SELECT ARRAY[avg(x), avg(y)]::float8[] FROM fx), 'mean = avg');
SELECT is(morpheus.robust_aggregate('{{0,0},{1,0},{0,2},{1,1},{2,1},{0.5,0.5},{50,-50}}', 'median', 1),
          (SELECT ARRAY[percentile_cont(0.5) WITHIN GROUP (ORDER BY x), percentile_cont(0.5) WITHIN GROUP (ORDER BY y)]
           FROM fx), 'median = percentile_cont(0.5)');
SELECT ok((SELECT max(abs(a - b)) FROM unnest(
            morpheus.robust_aggregate('{{0,0},{1,0},{0,2},{1,1},{2,1},{0.5,0.5},{50,-50}}', 'trimmed_mean', 1),
            ARRAY[(SELECT avg(x) FROM (SELECT x FROM fx ORDER BY x OFFSET 1 LIMIT 5) t),
                  (SELECT avg(y) FROM (SELECT y FROM fx ORDER BY y OFFSET 1 LIMIT 5) t)]::float8[]) u(a, b)) < 1e-12,
          'trimmed_mean = average without the extremes');
SELECT is(morpheus.robust_aggregate('{{0,0},{1,0},{0,2},{1,1},{2,1},{0.5,0.5},{50,-50}}', 'krum', 1),
          '{0.5,0.5}'::float8[], 'krum (reference scores)');
SELECT is(morpheus.robust_aggregate('{{0,0},{1,0},{0,2},{1,1},{2,1},{0.5,0.5},{50,-50}}', 'multi_krum', 1, 4),
          '{0.625,0.375}'::float8[], 'multi_krum with selected = 4');
SELECT ok((SELECT abs(g[1] - 0.811620) < 1e-6 AND abs(g[2] - 0.505058) < 1e-6 FROM
            (SELECT morpheus.robust_aggregate('{{0,0},{1,0},{0,2},{1,1},{2,1},{0.5,0.5},{50,-50}}', tolerance => 1e-12) g) t),
          'geometric_median (default rule) matches the reference');
-- repeated Krum selects 3, 4, 2, 5, 1 (hand-computed); the 3 values nearest their median 3 average to 3
SELECT is(morpheus.robust_aggregate('{{1},{2},{3},{4},{5},{6},{100}}', 'bulyan', 1), '{3}'::float8[],
          'bulyan on a line');
-- per block = the rule on each block's columns (here: the geometric median of column 1, then of columns 2..3)
SELECT ok((SELECT max(abs(a - b)) FROM unnest(
            morpheus.robust_aggregate('{{0,0,1},{1,0,2},{0,2,0},{1,1,1},{2,1,5},{0.5,0.5,0},{50,-50,9}}',
                                      blocks => '{1, 2}', tolerance => 1e-12),
            morpheus.robust_aggregate('{{0},{1},{0},{1},{2},{0.5},{50}}', tolerance => 1e-12)
              || morpheus.robust_aggregate('{{0,1},{0,2},{2,0},{1,1},{1,5},{0.5,0},{-50,9}}', tolerance => 1e-12)) t(a, b))
          < 1e-12, 'per-block geometric median = the median of each block');
SELECT ok(abs((morpheus.robust_aggregate('{{0},{1},{0},{1},{2},{0.5},{50}}', tolerance => 1e-12))[1] - 1) < 1e-9,
          'geometric median of a column = its median');

-- glm_predict against SQL formulas
SELECT ok(abs(morpheus.glm_predict('{0.3,-0.2,0.1}', '{1.5,2}', 'logistic')
              - 1 / (1 + exp(-(0.3 * 1.5 - 0.2 * 2 + 0.1)))) < 1e-15, 'logistic = sigmoid(x w + b)');
SELECT ok(abs(morpheus.glm_predict('{0.3,-0.2,0.1}', '{1.5,2}', 'poisson') - exp(0.3 * 1.5 - 0.2 * 2 + 0.1)) < 1e-15,
          'poisson = exp(x w + b)');
SELECT is(morpheus.glm_predict('{1,0,0, 0,1,0, 0,0,5}', '{3,2}', 'softmax'), 2::float8, 'softmax = argmax');

-- bad input
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label FROM pts', workers => 4, adversaries => 2)$$,
  '22023', 'cyclic code with workers = 4 and max_adversaries s = 2 needs workers >= 2s+1 = 5', 'workers < 2s+1');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label FROM pts', workers => 65, adversaries => 5)$$,
  '22023', 'cyclic code with workers = 65 and max_adversaries s = 5 is outside its numerically verified range (s <= 4 for 65 workers)',
  'cyclic code outside its verified range');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label FROM pts', aggregation => 'repetition')$$,
  '22023', NULL, 'repetition needs (2s+1) | workers');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('pts', attack => 'flip')$$, '22023', 'unknown attack "flip"',
  'unknown attack');
SELECT is(pg_temp.hint_of($$SELECT * FROM morpheus.draco_train('pts', attack => 'flip')$$),
  'valid values: none, signflip, constant, gaussian, alie, ipm', 'the hint lists the attacks');
SELECT is(pg_temp.hint_of($$SELECT morpheus.robust_aggregate('{{1}}', 'avg', 0)$$),
  'valid values: mean, median, trimmed_mean, geometric_median, krum, multi_krum, bulyan', 'the hint lists the rules');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('pts', aggregation => 'average')$$,
  '22023', 'unknown aggregation "average"', 'unknown aggregation');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('pts', family => 'svm')$$, '22023', 'unknown family "svm"',
  'unknown family');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('pts', placement => 'worst')$$, '22023',
  'unknown placement "worst"', 'unknown placement');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('no_such_table')$$, '42P01', NULL, 'missing relation');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label FROM pts WHERE false')$$,
  '22023', 'source returned no rows', 'empty data');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, CASE WHEN id = 3 THEN NULL ELSE label END AS label FROM pts ORDER BY id')$$,
  '22004', 'label "label" of source is NULL in row 3', 'NULL label');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT CASE WHEN id = 5 THEN ARRAY[1.0]::float8[] ELSE features END AS features, label FROM pts ORDER BY id')$$,
  '22023', 'column "features" of source has 1 elements in row 5 but 3 in row 1', 'feature length mismatch');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features FROM pts')$$, '42703', NULL, 'no label column');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('pts', features => '{nope}')$$, '42703', NULL, 'no such feature column');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label::text AS label FROM pts')$$, '42804', NULL,
  'text label');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label + 1 AS label FROM pts')$$, '22023', NULL,
  'logistic labels must be 0/1');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train(NULL)$$, '22004', NULL, 'NULL source');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('pts', batch_size => 20)$$, '22023',
  NULL, 'batch (workers x batch_size) larger than the data');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('pts', learning_rate => 0)$$, '22023',
  NULL, 'learning_rate must be positive');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('pts', momentum => 1)$$, '22023', NULL, 'momentum must be < 1');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('pts', hidden_layers => '{4}')$$, '22023', NULL,
  'hidden_layers need family mlp');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('pts', family => 'mlp', hidden_layers => '{100000, 100000}')$$,
  '54000', NULL, 'an mlp over the parameter limit');
SELECT throws_ok($$SELECT morpheus.robust_aggregate('{{1,2},{3,4}}', 'krum', 1)$$, '22023',
  'krum with max_adversaries f = 1 needs n > 2f + 2 inputs but got 2', 'krum needs n > 2f + 2');
SELECT throws_ok($$SELECT morpheus.robust_aggregate('{{1,2},{3,NULL}}', 'mean', 0)$$, '22004', NULL, 'NULL gradient element');
SELECT throws_ok($$SELECT morpheus.robust_aggregate('{{1,2},{3,4}}', 'mean', 0, blocks => '{1,2}')$$, '22023', NULL,
  'blocks must add up to the columns');
SELECT throws_ok($$SELECT morpheus.glm_predict('{1,2}', '{1,1}', 'logistic')$$, '22023',
  'weights have 2 values but 2 features need 3 (the last is the intercept)', 'weights/features mismatch');
SELECT throws_ok($$SELECT morpheus.mlp_predict('{1,2,3}', '{1,1}', '{2,3,2}')$$, '22023', NULL,
  'mlp_predict: weights do not fit the layers');

SELECT * FROM finish();
ROLLBACK;

-- DRACO: signatures, labels, results against independent SQL computations, NULLs and bad inputs.
BEGIN;
SELECT plan(52);

CREATE TEMP TABLE pts AS
  SELECT i AS id, ARRAY[sin(i), cos(1.7 * i), sin(0.3 * i)]::float8[] AS features,
         CASE WHEN sin(i) + 0.5 * cos(1.7 * i) > 0 THEN 1 ELSE 0 END AS label
  FROM generate_series(1, 120) i;
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
  ARRAY['text', 'text', 'integer', 'integer', 'text', 'text', 'integer', 'integer', 'double precision', 'integer',
        'integer', 'text', 'double precision', 'integer']);
SELECT has_function('morpheus', 'robust_aggregate', ARRAY['double precision[]', 'text', 'integer', 'integer']);
SELECT has_function('morpheus', 'glm_predict', ARRAY['double precision[]', 'double precision[]', 'text']);
SELECT volatility_is('morpheus', 'draco_train',
  ARRAY['text', 'text', 'integer', 'integer', 'text', 'text', 'integer', 'integer', 'double precision', 'integer',
        'integer', 'text', 'double precision', 'integer'], 'volatile', 'draco_train is VOLATILE');
SELECT volatility_is('morpheus', 'robust_aggregate', ARRAY['double precision[]', 'text', 'integer', 'integer'],
                     'immutable', 'robust_aggregate is IMMUTABLE');
SELECT volatility_is('morpheus', 'glm_predict', ARRAY['double precision[]', 'double precision[]', 'text'],
                     'immutable', 'glm_predict is IMMUTABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE proname = 'draco_train'), 'u', 'draco_train is PARALLEL UNSAFE');
SELECT is((SELECT array_agg(a ORDER BY n) FROM pg_proc, unnest(proargnames) WITH ORDINALITY t(a, n)
           WHERE proname = 'draco_train' AND proargmodes[n] = 't'),
          ARRAY['iteration', 'loss', 'accuracy', 'grad_error', 'aggregate_ms', 'compute_ms', 'adversarial_workers',
                'flagged_workers', 'consistent', 'weights'], 'draco_train result columns');

-- DRACO under every attack: the decoded gradient equals the clean one and the adversaries are flagged
SELECT ok(bool_and(grad_error < 1e-9 AND consistent AND flagged_workers <@ adversarial_workers)
          AND count(*) = 5 * 6, 'cyclic decodes the clean gradient under every attack (' || string_agg(DISTINCT a, ',') || ')')
FROM unnest(ARRAY['signflip', 'constant', 'gaussian', 'alie', 'ipm']) a,
     morpheus.draco_train(data_sql => 'SELECT features, label FROM pts', workers => 9, adversaries => 2,
                          attack => a, batch_size => 90, iterations => 6, seed => 4);
SELECT ok(bool_and(grad_error = 0 AND consistent) AND count(*) = 5 * 6, 'repetition is bit-exact under every attack')
FROM unnest(ARRAY['signflip', 'constant', 'gaussian', 'alie', 'ipm']) a,
     morpheus.draco_train(data_sql => 'SELECT features, label FROM pts', workers => 10, adversaries => 2,
                          attack => a, aggregation => 'repetition', batch_size => 100, iterations => 6, seed => 4);
-- trained weights equal adversary-free training (same seed, same batches)
SELECT ok((SELECT max(abs(a - b)) FROM unnest(
            (SELECT weights FROM morpheus.draco_train(data_sql => 'SELECT features, label FROM pts', workers => 9,
               adversaries => 2, attack => 'alie', iterations => 10, batch_size => 90) WHERE weights IS NOT NULL),
            (SELECT weights FROM morpheus.draco_train(data_sql => 'SELECT features, label FROM pts', workers => 9,
               adversaries => 0, tolerance => 2, attack => 'none', iterations => 10, batch_size => 90)
             WHERE weights IS NOT NULL)) t(a, b)) < 1e-12, 'cyclic weights equal adversary-free weights');
SELECT ok((SELECT weights FROM morpheus.draco_train(data_sql => 'SELECT features, label FROM pts', workers => 10,
             adversaries => 2, aggregation => 'repetition', iterations => 10, batch_size => 100) WHERE weights IS NOT NULL)
        = (SELECT weights FROM morpheus.draco_train(data_sql => 'SELECT features, label FROM pts', workers => 10,
             adversaries => 0, tolerance => 2, aggregation => 'repetition', iterations => 10, batch_size => 100)
           WHERE weights IS NOT NULL), 'repetition weights are bit-identical to adversary-free weights');
SELECT ok((SELECT max(grad_error) FROM morpheus.draco_train(data_sql => 'SELECT features, label FROM pts',
             adversaries => 1, aggregation => 'mean', iterations => 3)) > 1, 'the mean is corrupted by one sign-flipper');
SELECT is((SELECT count(*) FROM morpheus.draco_train(data_sql => 'SELECT features, label FROM pts',
             iterations => 7) WHERE weights IS NOT NULL), 1::bigint, 'weights are on the last row only');
SELECT ok((SELECT bool_and(NOT consistent AND grad_error IS NULL) FROM morpheus.draco_train(
             data_sql => 'SELECT features, label FROM pts', workers => 7, adversaries => 3, tolerance => 1,
             attack => 'gaussian', iterations => 3)), 'more than s adversaries: reported as inconsistent');
SELECT ok((SELECT bool_and(flagged_workers IS NULL) FROM morpheus.draco_train(
             data_sql => 'SELECT features, label FROM pts', aggregation => a, iterations => 2)), a || ' flags nobody')
FROM unnest(ARRAY['median', 'geometric_median']) a;
SELECT ok((SELECT bool_and(loss >= 0 AND aggregate_ms >= 0 AND compute_ms >= 0) FROM morpheus.draco_train(
             data_sql => 'SELECT features, label::float8 AS label FROM pts', model => m, iterations => 3,
             learning_rate => 0.05)), m || ' trains')
FROM unnest(ARRAY['least_squares', 'poisson', 'softmax']) m;
SELECT ok((SELECT accuracy FROM morpheus.draco_train(
             data_sql => 'SELECT features[1] AS a, features[2] AS b, label FROM pts', iterations => 40,
             learning_rate => 1.0) WHERE iteration = 40) > 0.9, 'numeric columns as features; DRACO learns');

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
          '{0.625,0.375}'::float8[], 'multi_krum with m = 4');
SELECT ok((SELECT abs(g[1] - 0.811620) < 1e-6 AND abs(g[2] - 0.505058) < 1e-6 FROM
            (SELECT morpheus.robust_aggregate('{{0,0},{1,0},{0,2},{1,1},{2,1},{0.5,0.5},{50,-50}}') g) t),
          'geometric_median (default rule) matches the reference');
-- repeated Krum selects 3, 4, 2, 5, 1 (hand-computed); the 3 values nearest their median 3 average to 3
SELECT is(morpheus.robust_aggregate('{{1},{2},{3},{4},{5},{6},{100}}', 'bulyan', 1), '{3}'::float8[],
          'bulyan on a line');

-- glm_predict against SQL formulas
SELECT ok(abs(morpheus.glm_predict('{0.3,-0.2,0.1}', '{1.5,2}', 'logistic')
              - 1 / (1 + exp(-(0.3 * 1.5 - 0.2 * 2 + 0.1)))) < 1e-15, 'logistic = sigmoid(x w + b)');
SELECT ok(abs(morpheus.glm_predict('{0.3,-0.2,0.1}', '{1.5,2}', 'poisson') - exp(0.3 * 1.5 - 0.2 * 2 + 0.1)) < 1e-15,
          'poisson = exp(x w + b)');
SELECT is(morpheus.glm_predict('{1,0,0, 0,1,0, 0,0,5}', '{3,2}', 'softmax'), 2::float8, 'softmax = argmax');

-- bad input
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label FROM pts', workers => 4, adversaries => 2)$$,
  '22023', 'cyclic code with workers = 4 and tolerance s = 2 needs workers >= 2s+1 = 5', 'workers < 2s+1');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label FROM pts', workers => 65, adversaries => 5)$$,
  '22023', 'cyclic code with workers = 65 and tolerance s = 5 is outside its numerically verified range (s <= 4 for 65 workers)',
  'cyclic code outside its verified range');
SELECT ok(bool_and(grad_error < 1e-9 AND consistent AND flagged_workers = adversarial_workers),
          'cyclic code at the edge of its range (64 workers, s = 5) decodes exactly and names the liars')
  FROM morpheus.draco_train('SELECT features, label FROM pts', workers => 64, adversaries => 5, batch_size => 120,
                            iterations => 3);
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label FROM pts', aggregation => 'repetition')$$,
  '22023', NULL, 'repetition needs (2s+1) | workers');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label FROM pts', attack => 'flip')$$,
  '22023', 'attack "flip" is not supported', 'unknown attack');
SELECT is(pg_temp.hint_of($$SELECT * FROM morpheus.draco_train('SELECT features, label FROM pts', attack => 'flip')$$),
  'Valid attacks: none, signflip, constant, gaussian, alie, ipm.', 'the hint lists the attacks');
SELECT is(pg_temp.hint_of($$SELECT morpheus.robust_aggregate('{{1}}', 'avg', 0)$$),
  'Valid values: mean, median, trimmed_mean, geometric_median, krum, multi_krum, bulyan.', 'the hint lists the rules');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label FROM pts', aggregation => 'average')$$,
  '22023', 'aggregation "average" is not supported', 'unknown aggregation');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label FROM pts', model => 'svm')$$,
  '22023', 'model "svm" is not supported', 'unknown model');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label FROM pts WHERE false')$$,
  '22023', 'data_sql returned no rows', 'empty data');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, CASE WHEN id = 3 THEN NULL ELSE label END AS label FROM pts')$$,
  '22004', 'column "label" of data_sql is NULL in row 3', 'NULL label');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT CASE WHEN id = 5 THEN ARRAY[1.0]::float8[] ELSE features END AS features, label FROM pts ORDER BY id')$$,
  '22023', 'features of row 5 of data_sql have 1 values but row 1 has 3', 'feature length mismatch');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features FROM pts')$$, '42703', NULL, 'no label column');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label::text AS label FROM pts')$$, '42804', NULL,
  'text label');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label + 1 AS label FROM pts')$$, '22023', NULL,
  'logistic labels must be 0/1');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train(NULL)$$, '22004', NULL, 'NULL data_sql');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label FROM pts', batch_size => 500)$$, '22023',
  NULL, 'batch larger than the data');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train('SELECT features, label FROM pts', learning_rate => 0)$$, '22023',
  NULL, 'learning_rate must be positive');
SELECT throws_ok($$SELECT morpheus.robust_aggregate('{{1,2},{3,4}}', 'krum', 1)$$, '22023',
  'krum with f = 1 needs n > 2f + 2 inputs but got 2', 'krum needs n > 2f + 2');
SELECT throws_ok($$SELECT morpheus.robust_aggregate('{{1,2},{3,NULL}}', 'mean', 0)$$, '22004', NULL, 'NULL gradient element');
SELECT throws_ok($$SELECT morpheus.glm_predict('{1,2}', '{1,1}', 'logistic')$$, '22023',
  'weights have 2 values but 2 features need 3 (the last is the intercept)', 'weights/features mismatch');

SELECT * FROM finish();
ROLLBACK;

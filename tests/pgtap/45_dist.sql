-- Distributed DRACO on one server (the multi-node path is tested by scripts/multinode-test.sh): the code's partition
-- assignment against its definition, a worker's message and a full-batch step against SQL arithmetic, the node's
-- Byzantine settings, labels, NULLs and bad inputs.
BEGIN;
SELECT plan(69);

CREATE TABLE dd AS
  SELECT 1 + (r % 3) AS partition, (1000 + 7 * r)::bigint AS row_id,
         (CASE WHEN sin(r) + 0.5 * cos(2 * r) > 0 THEN 1 ELSE 0 END)::float8 AS label,
         ARRAY[sin(r), cos(2 * r)]::float8[] AS features
    FROM generate_series(1, 30) r;
CREATE FUNCTION pg_temp.maxdiff(a float8[], b float8[]) RETURNS float8 LANGUAGE sql AS $$
  SELECT max(abs(p - q)) FROM unnest(a, b) u(p, q) $$;
-- sum over all rows of the logistic gradient at w = 0, (0.5 - y) [x, 1]
CREATE TEMP TABLE g0 AS
  SELECT ARRAY[sum((0.5 - label) * features[1]), sum((0.5 - label) * features[2]), sum(0.5 - label)] AS g,
         count(*)::float8 AS n FROM dd;

-- signatures and labels
SELECT has_function('morpheus', 'dist_partitions', ARRAY['integer', 'integer', 'text']);
SELECT has_function('morpheus', 'dist_worker_message',
  ARRAY['integer', 'double precision[]', 'text', 'text', 'integer', 'integer', 'integer', 'integer', 'integer', 'text', 'integer', 'text']);
SELECT has_function('morpheus', 'draco_train_distributed',
  ARRAY['text', 'text', 'text', 'text', 'integer', 'integer', 'integer', 'integer', 'double precision', 'integer', 'integer', 'text']);
SELECT has_function('morpheus', 'dist_setup', ARRAY['text']);
SELECT volatility_is('morpheus', 'dist_partitions', ARRAY['integer', 'integer', 'text'], 'immutable');
SELECT volatility_is('morpheus', 'dist_worker_message',
  ARRAY['integer', 'double precision[]', 'text', 'text', 'integer', 'integer', 'integer', 'integer', 'integer', 'text', 'integer', 'text'], 'volatile');
SELECT volatility_is('morpheus', 'draco_train_distributed',
  ARRAY['text', 'text', 'text', 'text', 'integer', 'integer', 'integer', 'integer', 'double precision', 'integer', 'integer', 'text'], 'volatile');
SELECT is((SELECT proparallel::text FROM pg_proc WHERE proname = 'dist_worker_message'), 'u', 'dist_worker_message is PARALLEL UNSAFE');

-- assignment: cyclic worker k holds k, k+1, k+2 (mod n); repetition groups of 2s+1
SELECT set_eq($$SELECT worker, partition FROM morpheus.dist_partitions(workers => 5, max_adversaries => 1, aggregation => 'cyclic')$$,
              $$SELECT k, 1 + ((k - 1 + j) % 5) FROM generate_series(1, 5) k, generate_series(0, 2) j$$,
              'cyclic assignment (n = 5, s = 1)');
SELECT set_eq($$SELECT worker, partition FROM morpheus.dist_partitions(6, 1, 'repetition')$$,
              $$SELECT k, 3 * ((k - 1) / 3) + j FROM generate_series(1, 6) k, generate_series(1, 3) j$$,
              'repetition assignment (n = 6, s = 1)');
SELECT throws_ok($$SELECT * FROM morpheus.dist_partitions(5, 1, 'median')$$, '22023', NULL, 'a baseline rule is not a code');
SELECT throws_ok($$SELECT * FROM morpheus.dist_partitions(5, 1, 'repetition')$$, '22023', NULL, 'repetition needs (2s+1) | n');
SELECT throws_ok($$SELECT * FROM morpheus.dist_partitions(3, 2, 'cyclic')$$, '22023', NULL, 'cyclic needs n >= 2s+1');
SELECT throws_ok($$SELECT * FROM morpheus.dist_partitions(5, 1, 'bogus')$$, '22023', NULL, 'unknown aggregation');

-- a worker's message: repetition with n = 3 = 2s+1 gives every worker every partition; a batch as large as the
-- data takes every row, so the message is [sum of gradients at 0, n log 2, n]
CREATE TEMP TABLE msg AS
  SELECT * FROM morpheus.dist_worker_message(iteration => 1, weights => '{}', aggregation => 'repetition', workers => 3,
                                             max_adversaries => 1, batch_size => 30, source => 'TABLE dd', worker => 2);
SELECT is((SELECT worker FROM msg), 2, 'the message names its worker');
SELECT is((SELECT array_length(message, 1) FROM msg), 5, 'a message holds 3 gradient values, the loss and the count');
SELECT ok((SELECT pg_temp.maxdiff(message[1:3], g) FROM msg, g0) < 1e-12, 'gradient part = SQL sum of (0.5 - y)[x, 1]');
SELECT ok((SELECT abs(message[4] - n * ln(2)) < 1e-12 AND message[5] = n FROM msg, g0), 'loss part = n log 2, count = n');
SELECT is((SELECT array_length(message, 1) FROM morpheus.dist_worker_message(1, '{}',
             aggregation => 'cyclic', workers => 3, batch_size => 30, source => 'TABLE dd', worker => 1)), 5,
          'cyclic messages are real vectors of the same length');
-- one full-batch step of the coordinator loop: w1 = -lr / n * g
SELECT ok((SELECT pg_temp.maxdiff(t.weights, ARRAY[-0.5 / n * g[1], -0.5 / n * g[2], -0.5 / n * g[3]])
             FROM morpheus.draco_train_distributed(source => 'TABLE dd', workers => 3, aggregation => 'repetition',
                                                   batch_size => 30, max_iterations => 1, learning_rate => 0.5) t, g0) < 1e-14,
          'local run: first full-batch step = -lr/n * gradient');
SELECT ok((SELECT pg_temp.maxdiff(a.weights, b.weights)
             FROM morpheus.draco_train_distributed(source => 'TABLE dd', workers => 3, aggregation => 'repetition',
                                                   batch_size => 9, max_iterations => 4) a
             JOIN morpheus.draco_train_distributed(source => 'TABLE dd', workers => 3, aggregation => 'cyclic',
                                                   batch_size => 9, max_iterations => 4) b USING (iteration)
            WHERE iteration = 4) < 1e-9, 'cyclic and repetition decode the same batches (same weights)');
SELECT is((SELECT count(*) FROM morpheus.draco_train_distributed(source => 'TABLE dd', workers => 3, max_iterations => 3,
                                                                 batch_size => 9)
            WHERE batch_rows = 9 AND flagged_workers = '{}' AND erased_workers = '{}'), 3::bigint,
          'local run: one row per iteration, 9 batch rows, nobody flagged');

-- softmax: K blocks of p + 1 weights; at w = 0 every class has probability 1/K, so block c of the full-batch
-- gradient is sum_r (1/K - [y_r = c]) [x_r, 1] and the loss n log K
CREATE TEMP TABLE sm AS
  SELECT * FROM morpheus.dist_worker_message(1, '{}', family => 'softmax', classes => 3, aggregation => 'repetition',
                                             workers => 3, batch_size => 30,
                                             source => 'SELECT partition, row_id, (row_id % 3)::float8 AS label, features FROM dd',
                                             worker => 1);
SELECT ok((SELECT array_length(message, 1) = 3 * 3 + 2 AND abs(message[10] - 30 * ln(3)) < 1e-12 AND message[11] = 30 FROM sm),
          'softmax message: 3 blocks of 3, loss n log K, count n');
SELECT ok((SELECT pg_temp.maxdiff(sm.message[4:6], ARRAY[sum((1 / 3.0 - (row_id % 3 = 1)::int) * features[1]),
                                                   sum((1 / 3.0 - (row_id % 3 = 1)::int) * features[2]),
                                                   sum(1 / 3.0 - (row_id % 3 = 1)::int)]) FROM dd, sm GROUP BY sm.message) < 1e-12,
          'softmax gradient block of class 1 = SQL sum of (1/K - [y = 1]) [x, 1]');
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, '{}', family => 'softmax', classes => 2, workers => 3,
                   source => 'SELECT partition, row_id, (row_id % 3)::float8 AS label, features FROM dd', worker => 1)$$,
                 '22023', NULL, 'softmax label beyond classes');

-- the node's settings: worker number and Byzantine behaviour
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, '{}', aggregation => 'repetition', workers => 3,
                   batch_size => 30, source => 'TABLE dd')$$, '22023', 'morpheus.worker_id is not set on this node',
                 'no worker number on this node');
SET morpheus.worker_id = 2;
SELECT ok((SELECT m.message = msg.message FROM morpheus.dist_worker_message(1, '{}', aggregation => 'repetition', workers => 3,
             batch_size => 30, source => 'TABLE dd') m, msg), 'worker from morpheus.worker_id, honest by default');
SET morpheus.worker_attack = 'signflip';
SELECT ok((SELECT pg_temp.maxdiff(m.message, (SELECT array_agg(-100 * v) FROM unnest(msg.message) v)) = 0
             FROM morpheus.dist_worker_message(1, '{}', aggregation => 'repetition', workers => 3, batch_size => 30,
                                               source => 'TABLE dd') m, msg), 'signflip sends -100 z');
SET morpheus.worker_attack_scale = 3;
SELECT ok((SELECT pg_temp.maxdiff(m.message, (SELECT array_agg(-3 * v) FROM unnest(msg.message) v)) = 0
             FROM morpheus.dist_worker_message(1, '{}', aggregation => 'repetition', workers => 3, batch_size => 30,
                                               source => 'TABLE dd') m, msg), 'worker_attack_scale sets the strength');
SET morpheus.worker_attack = 'constant';
SELECT ok((SELECT bool_and(v = 3) FROM morpheus.dist_worker_message(1, '{}', aggregation => 'repetition', workers => 3,
             batch_size => 30, source => 'TABLE dd') m, unnest(m.message) v), 'constant sends scale * 1');
SELECT ok((SELECT m.message = msg.message FROM morpheus.dist_worker_message(1, '{}', aggregation => 'repetition', workers => 3,
             batch_size => 30, source => 'TABLE dd', worker => 2) m, msg), 'worker => k simulates an honest worker');
SELECT throws_ok($$SET morpheus.worker_attack = 'alie'$$, '22023', NULL, 'ALIE needs other workers: not a node setting');
RESET morpheus.worker_attack;
RESET morpheus.worker_attack_scale;
SET morpheus.worker_id = 4;
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, '{}', aggregation => 'repetition', workers => 3,
                   batch_size => 30, source => 'TABLE dd')$$, '22023', NULL, 'morpheus.worker_id beyond workers');
RESET morpheus.worker_id;

-- bad inputs of the worker function
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, NULL, workers => 3, batch_size => 30, source => 'TABLE dd', worker => 1)$$,
                 '22004', NULL, 'NULL weights');
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, '{1,2}', workers => 3, batch_size => 30, source => 'TABLE dd', worker => 1)$$,
                 '22023', 'weights have 2 values but the model over 2 features needs 3', 'weights of the wrong length');
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(0, '{}', workers => 3, batch_size => 30, source => 'TABLE dd', worker => 1)$$,
                 '22023', NULL, 'iteration 0');
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, '{}', workers => 3, batch_size => 30, source => 'TABLE dd', worker => 4)$$,
                 '22023', 'worker = 4 is out of range for workers = 3', 'worker out of range');
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, '{}', workers => 3, batch_size => 2, source => 'TABLE dd', worker => 1)$$,
                 '22023', NULL, 'batch_size < workers');
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, '{}', family => 'lasso', workers => 3, source => 'TABLE dd', worker => 1)$$,
                 '22023', NULL, 'unknown model');
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, '{}', family => 'softmax', workers => 3, source => 'TABLE dd', worker => 1)$$,
                 '22004', NULL, 'softmax without classes');
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, '{}', workers => 3, source => 'SELECT row_id, label, features FROM dd', worker => 1)$$,
                 '42703', NULL, 'missing partition column');
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, '{}', workers => 3, source => 'SELECT partition, row_id, label::text AS label, features FROM dd', worker => 1)$$,
                 '42804', NULL, 'mistyped label column');
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, '{}', workers => 3, source => 'SELECT partition + 1 AS partition, row_id, label, features FROM dd', worker => 1)$$,
                 '22023', NULL, 'partition out of range');
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, '{}', workers => 3, source => 'SELECT partition, 1::bigint AS row_id, label, features FROM dd', worker => 1)$$,
                 '22023', NULL, 'duplicate row ids');
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, '{}', workers => 3, source => 'SELECT * FROM dd WHERE partition <> 2', worker => 1)$$,
                 '22023', NULL, 'a partition the worker must hold is missing (or the table is empty)');
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, '{}', workers => 3, source => 'SELECT partition, row_id, NULL::float8 AS label, features FROM dd', worker => 1)$$,
                 '22004', NULL, 'NULL label');
SELECT throws_ok($$SELECT * FROM morpheus.dist_worker_message(1, '{}', workers => 3, source => 'SELECT partition, row_id, label, ARRAY[''NaN''::float8, 1] AS features FROM dd', worker => 1)$$,
                 '22023', NULL, 'NaN feature');

-- bad inputs of the coordinator
SELECT throws_ok($$SELECT * FROM morpheus.draco_train_distributed(source => 'TABLE dd')$$, '22004', NULL,
                 'neither cluster nor workers');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train_distributed(source => 'TABLE dd', workers => 3, on_failure => 'ignore')$$,
                 '22023', 'unknown on_failure "ignore"', 'unknown on_failure');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train_distributed(source => 'TABLE dd', workers => 3, learning_rate => 0)$$,
                 '22023', NULL, 'learning_rate 0');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train_distributed(cluster => 'nosuch')$$, '42704', NULL,
                 'unknown cluster');
SELECT throws_ok($$SELECT morpheus.dist_setup(cluster => 'c')$$, '42704',
                 'the plproxy extension is not installed in this database', 'dist_setup without plproxy');

-- factorized shard states (dist_shard_state, merge_states, dist_nmatrix_op with cluster NULL)
CREATE TABLE st_attr AS SELECT k AS key, ARRAY[k * 0.5, sin(k)]::float8[] AS features FROM generate_series(1, 4) k;
CREATE TABLE st_ent AS SELECT i AS id, 1 + i % 4 AS fk, ARRAY[cos(i)]::float8[] AS features, (i % 3)::float8 AS y
  FROM generate_series(1, 20) i;
CREATE TEMP TABLE st_join AS SELECT e.id, e.features || a.features AS x, e.y FROM st_ent e JOIN st_attr a ON a.key = e.fk;
SELECT ok(pg_temp.maxdiff(morpheus._crossprod_final(morpheus.merge_states(s)),
                          (SELECT morpheus.crossprod_agg(x) FROM st_join)) < 1e-12,
          'two shards'' crossprod states merged = crossprod_agg over the join')
  FROM (SELECT morpheus.dist_shard_state('crossprod', format('SELECT features, fk FROM st_ent WHERE id %% 2 = %s ORDER BY id', h),
                                          ARRAY['SELECT key, features FROM st_attr'], ARRAY['fk']) s
          FROM generate_series(0, 1) h) q;
SELECT ok(pg_temp.maxdiff(morpheus.dist_nmatrix_op(NULL, 'xty', 'SELECT features, fk, y FROM st_ent ORDER BY id',
                                                   ARRAY['SELECT key, features FROM st_attr'], ARRAY['fk'], label => 'y'),
                          (SELECT morpheus.xty_agg(x, y) FROM st_join)) < 1e-12, 'dist_nmatrix_op xty = xty_agg');
SELECT ok(pg_temp.maxdiff(morpheus.dist_nmatrix_op(NULL, 'gradient', 'SELECT features, fk, y FROM st_ent ORDER BY id',
                                                   ARRAY['SELECT key, features FROM st_attr'], ARRAY['fk'],
                                                   weights => '{0.1,0.2,-0.3}', family => 'poisson', label => 'y'),
                          (SELECT morpheus.glm_gradient_agg(x, y, '{0.1,0.2,-0.3}'::float8[], 'poisson') FROM st_join)) < 1e-12,
          'dist_nmatrix_op poisson gradient = glm_gradient_agg');
SELECT throws_ok($$SELECT morpheus.dist_shard_state('gram', 'SELECT features, fk FROM st_ent')$$, '22023',
                 'unknown kind "gram"', 'unknown kind');
SELECT throws_ok($$SELECT morpheus.dist_shard_state('gradient', 'SELECT features, fk, y FROM st_ent', ARRAY['SELECT key, features FROM st_attr'], ARRAY['fk'], weights => '{1}', label => 'y')$$,
                 '22023', 'weights have 1 values but the normalized matrix has 3 columns', 'gradient weights of the wrong length');
SELECT throws_ok($$SELECT morpheus.dist_shard_state('gradient', 'SELECT features, fk, y FROM st_ent', ARRAY['SELECT key, features FROM st_attr'], ARRAY['fk'], weights => '{1,1,1}', family => 'probit', label => 'y')$$,
                 '22023', 'unknown family "probit"', 'unknown family');
SELECT throws_ok($$SELECT morpheus.dist_shard_state('xty', 'SELECT features, fk, NULL::float8 AS y FROM st_ent', ARRAY['SELECT key, features FROM st_attr'], ARRAY['fk'], label => 'y')$$,
                 '22004', NULL, 'NULL target');
SELECT throws_ok($$SELECT morpheus.dist_shard_state('gradient', 'SELECT features, fk, y FROM st_ent', ARRAY['SELECT key, features FROM st_attr'], ARRAY['fk'], weights => '{1,1,1}', family => 'logistic', label => 'y')$$,
                 '22023', NULL, 'logistic needs class labels');
SELECT ok(pg_temp.maxdiff(morpheus.dist_nmatrix_op(NULL, 'crossprod', 'SELECT features, fk FROM st_ent ORDER BY id',
                                                   ARRAY['SELECT key AS k, features FROM st_attr'], ARRAY['fk'],
                                                   attribute_keys => ARRAY['k']),
                          (SELECT morpheus.crossprod_agg(x) FROM st_join)) < 1e-12,
          'attribute_keys names the key column of each attribute relation');
SELECT ok(pg_temp.maxdiff(morpheus.dist_nmatrix_op(NULL, 'crossprod', 'SELECT features, fk FROM st_ent ORDER BY id',
                                                   ARRAY['st_attr'], ARRAY['fk'], attribute_keys => ARRAY['key']),
                          (SELECT morpheus.crossprod_agg(x) FROM st_join)) < 1e-12,
          'an attribute relation given by its table name');
SELECT throws_ok($$SELECT morpheus.dist_nmatrix_op(NULL, 'crossprod', 'SELECT features, fk FROM st_ent',
                   ARRAY['st_attr'], ARRAY['fk'], attribute_keys => ARRAY['key', 'x'])$$, '22023',
                 'attribute_keys has 2 elements but attributes has 1', 'attribute_keys of the wrong length');
SELECT throws_ok($$SELECT morpheus.dist_shard_state('col_sums', 'SELECT features, fk FROM st_ent', run_as => 'morpheus_no_such_role')$$,
                 '42704', NULL, 'run_as: an unknown role');

-- the decode-and-step helper
SELECT throws_ok($$SELECT * FROM morpheus._dist_step('{1,1}', '{{1,2,3},{1,2,3}}', '{}', 'repetition', 3)$$,
                 '22023', 'answered[2] = 1 is out of range or repeated', 'a worker answering twice');
SELECT throws_ok($$SELECT * FROM morpheus._dist_step('{1,2}', '{{1,2,3}}', '{}', 'repetition', 3)$$,
                 '22023', 'messages has 1 rows but answered lists 2 workers', 'message rows and answered disagree');
SELECT ok((SELECT weights = '{-1}' AND batch_rows = 3 AND flagged_workers = '{2}'
             FROM morpheus._dist_step('{1,3}', '{{1,2,3},{1,2,3}}', '{}', 'repetition', 3, learning_rate => 3)),
          'a worker missing from answered is an erasure (a zero message), outvoted by the two others');
SELECT is((SELECT consistent FROM morpheus._dist_step('{1,2,3}', '{{1,2,3},{1,2,4},{1,2,5}}', '{}', 'repetition', 3)),
          false, 'no majority in a repetition group: inconsistent');
SELECT ok((SELECT weights = '{-1}' AND loss = 2 / 3.0 AND batch_rows = 3 AND flagged_workers = '{2}'
             FROM morpheus._dist_step('{1,2,3}', '{{1,2,3},{7,2,3},{1,2,3}}', '{}', 'repetition', 3,
                                      learning_rate => 3)), 'majority decode: w = 0 - lr / 3 * 1, loss 2 / 3, flags worker 2');

SELECT * FROM finish();
ROLLBACK;

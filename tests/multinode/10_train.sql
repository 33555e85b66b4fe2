-- Distributed DRACO, all nodes up, node 2 Byzantine (signflip): the decoded training equals the single-node
-- adversary-free run of the same schedule (cyclic to 1e-9, repetition bit for bit), and node 2 is flagged.
BEGIN;
SELECT plan(16);

CREATE TEMP TABLE ref_cyc AS
  SELECT * FROM morpheus.draco_train_distributed(workers => 5, source => 'SELECT * FROM src_cyc',
                                                 max_iterations => 12, batch_size => 60, learning_rate => 0.5, seed => 3);
CREATE TEMP TABLE got_cyc AS
  SELECT * FROM morpheus.draco_train_distributed(cluster => 'cyc', max_iterations => 12, batch_size => 60,
                                                 learning_rate => 0.5, seed => 3);
SELECT is((SELECT count(*) FROM got_cyc), 12::bigint, 'cyclic: one row per iteration');
SELECT ok((SELECT bool_and(r.weights IS NOT NULL AND array_length(r.weights, 1) = 4) FROM ref_cyc r),
          'reference: 3 features + intercept');
SELECT ok((SELECT max(abs(a - b)) FROM ref_cyc r JOIN got_cyc g USING (iteration),
                  unnest(r.weights, g.weights) AS t(a, b)) <= 1e-9,
          'cyclic: weights of every iteration equal the single-node adversary-free run (1e-9)');
SELECT ok((SELECT max(abs(r.loss - g.loss)) FROM ref_cyc r JOIN got_cyc g USING (iteration)) <= 1e-9,
          'cyclic: decoded batch loss equals the reference');
SELECT ok((SELECT bool_and(g.flagged_workers = '{2}' AND g.erased_workers = '{}' AND g.batch_rows = 60)
             FROM got_cyc g), 'cyclic: Byzantine node 2 flagged every iteration, no erasure, 60 batch rows');
SELECT ok((SELECT bool_and(r.flagged_workers = '{}') FROM ref_cyc r), 'reference: nobody flagged');
SELECT ok((SELECT avg(loss) FILTER (WHERE iteration > 9) < avg(loss) FILTER (WHERE iteration <= 3) FROM got_cyc),
          'cyclic: the loss goes down');
SELECT ok((SELECT bool_and(compute_ms >= 0 AND network_ms >= 0 AND decode_ms >= 0 AND total_ms >= compute_ms)
             FROM got_cyc), 'timings are split into compute, network and decode');

CREATE TEMP TABLE ref_rep AS
  SELECT * FROM morpheus.draco_train_distributed(workers => 3, aggregation => 'repetition',
                                                 source => 'SELECT * FROM src_rep', max_iterations => 10,
                                                 batch_size => 45, learning_rate => 0.5, seed => 5);
CREATE TEMP TABLE got_rep AS
  SELECT * FROM morpheus.draco_train_distributed(cluster => 'rep', aggregation => 'repetition',
                                                 source => 'SELECT * FROM dist_rep', max_iterations => 10,
                                                 batch_size => 45, learning_rate => 0.5, seed => 5);
SELECT ok((SELECT bool_and(r.weights = g.weights AND r.loss = g.loss) FROM ref_rep r JOIN got_rep g USING (iteration))
          AND (SELECT count(*) FROM got_rep) = 10,
          'repetition: weights and loss bit-identical to the single-node adversary-free run');
SELECT ok((SELECT bool_and(flagged_workers = '{2}') FROM got_rep), 'repetition: node 2 flagged every iteration');

-- errors
SELECT throws_ok($$SELECT * FROM morpheus.draco_train_distributed(cluster => 'nosuch')$$, '42704', NULL,
                 'unknown cluster');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train_distributed(cluster => 'cyc', workers => 4)$$, '22023',
                 'workers = 4 but cluster ''cyc'' has 5 partitions', 'workers disagree with the cluster');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train_distributed(cluster => 'cyc', aggregation => 'repetition')$$,
                 '22023', NULL, 'repetition needs (2s+1) | n');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train_distributed(cluster => 'cyc', on_failure => 'retry')$$,
                 '22023', 'unknown on_failure "retry"', 'unknown on_failure');
-- a data error on the workers fails on every node: clear error naming them, nothing returned
SELECT throws_like($$SELECT * FROM morpheus.draco_train_distributed(cluster => 'cyc', source => 'SELECT 1 AS x')$$,
                   '%workers 1, 2, 3, 4, 5 did not answer%', 'a query error on every worker names them all');
SELECT throws_ok($$SELECT morpheus.dist_setup(cluster => 'nosuch')$$, '42704', NULL, 'dist_setup: unknown cluster');

SELECT * FROM finish();
ROLLBACK;

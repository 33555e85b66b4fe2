-- Node 4 is down and node 2 is Byzantine: two faulty workers, more than the code's s = 1. The decoder sees the
-- inconsistency: a clear error, or with on_failure => 'stop' a warning and the rows of the completed iterations
-- (none here). The repetition cluster (nodes 1..3) is unaffected by node 4.
BEGIN;
SELECT plan(4);
SELECT throws_like($$SELECT * FROM morpheus.draco_train_distributed(cluster => 'cyc', max_iterations => 2, batch_size => 60)$$,
                   'iteration 1: the workers'' messages are not a codeword with at most max_adversaries = 1 faulty workers (erased: 4)',
                   'down node + Byzantine node: inconsistency error naming the erased worker');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train_distributed(cluster => 'cyc', max_iterations => 2, batch_size => 60)$$,
                 'XX001', NULL, 'inconsistency is SQLSTATE XX001');
SELECT is((SELECT count(*) FROM morpheus.draco_train_distributed(cluster => 'cyc', max_iterations => 2, batch_size => 60,
                                                                 on_failure => 'stop')), 0::bigint,
          'on_failure => stop: no iteration applied, no row');
SELECT is((SELECT count(*) FROM morpheus.draco_train_distributed(cluster => 'rep', aggregation => 'repetition',
                                                                 source => 'SELECT * FROM dist_rep', max_iterations => 2,
                                                                 batch_size => 45)), 2::bigint,
          'the repetition cluster without node 4 still trains');
SELECT * FROM finish();
ROLLBACK;

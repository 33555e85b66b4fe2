-- Nodes 4 and 5 are down: more erasures than s = 1. The iteration fails with an error naming both; nothing applied.
BEGIN;
SELECT plan(3);
SELECT throws_like($$SELECT * FROM morpheus.draco_train_distributed(cluster => 'cyc', max_iterations => 3, batch_size => 60)$$,
                   'iteration 1: workers 4, 5 did not answer, more than max_adversaries = 1%',
                   'two nodes down: error naming workers 4 and 5');
SELECT throws_ok($$SELECT * FROM morpheus.draco_train_distributed(cluster => 'cyc', max_iterations => 3, batch_size => 60)$$,
                 '08006', NULL, 'SQLSTATE 08006 (connection failure)');
SELECT is((SELECT count(*) FROM morpheus.draco_train_distributed(cluster => 'cyc', max_iterations => 3, batch_size => 60,
                                                                 on_failure => 'stop')), 0::bigint,
          'on_failure => stop: a warning and no half-applied iteration');
SELECT * FROM finish();
ROLLBACK;

-- Distributed rights (issue 12, item 11; docs/distributed.md#security): a query text runs on the workers as the
-- caller's role, not as the connection user of the PL/Proxy mapping (a superuser here). alice has no SELECT on the
-- workers' tables, bob has; carol, the connection user of cluster cyc_carol, may act as bob but not as alice.
BEGIN;
SELECT plan(9);
SET LOCAL ROLE alice;
SELECT throws_ok($$SELECT * FROM morpheus.draco_train_distributed(cluster => 'cyc', max_iterations => 1, batch_size => 60)$$,
                 '42501', NULL, 'alice cannot read the workers'' data through a superuser mapping');
SELECT throws_ok($$SELECT morpheus.dist_nmatrix_op('cyc', 'col_sums', 'SELECT features, fk FROM ent',
                                                   ARRAY['SELECT key, features FROM attr'], ARRAY['fk'])$$,
                 '42501', NULL, 'nor through the sharded operators');
-- the fan-out functions cannot be told another role
SELECT throws_ok($$SELECT * FROM morpheus._dist_worker_messages('cyc', 'postgres', 1, '{}', 'logistic', 'cyclic', 5, 1,
                     60, 1, NULL, 'SELECT partition, row_id, label, features FROM dist_data')$$,
                 '42501', NULL, 'a forged run_as is refused on the coordinator');
SELECT throws_ok($$SELECT * FROM morpheus._dist_shard_states('cyc', 'bob', 'col_sums', 'SELECT features, fk FROM ent',
                     ARRAY['SELECT key, features FROM attr'], ARRAY['fk'], NULL, NULL, 'least_squares', 'label')$$,
                 '42501', NULL, 'also for the sharded operators');
SELECT throws_like($$SELECT * FROM morpheus.draco_train_distributed(cluster => 'cyc_carol', max_iterations => 1,
                                                                      batch_size => 60)$$,
                   '%connection user "carol" of this node may not act as role "alice"%',
                   'a connection user that may not become the caller is refused, naming both');
RESET ROLE;
CREATE TABLE public.rights_ref AS
  SELECT * FROM morpheus.draco_train_distributed(cluster => 'cyc', max_iterations => 2, batch_size => 60, seed => 5);
GRANT SELECT ON public.rights_ref TO bob;
SET LOCAL ROLE bob;
SELECT is((SELECT array_agg(weights ORDER BY iteration)
             FROM morpheus.draco_train_distributed(cluster => 'cyc', max_iterations => 2, batch_size => 60, seed => 5)),
          (SELECT array_agg(weights ORDER BY iteration) FROM public.rights_ref),
          'bob, who may read the data on the workers, trains (same weights as the superuser)');
SELECT is((SELECT array_agg(weights ORDER BY iteration)
             FROM morpheus.draco_train_distributed(cluster => 'cyc_carol', max_iterations => 2, batch_size => 60,
                                                   seed => 5)),
          (SELECT array_agg(weights ORDER BY iteration) FROM public.rights_ref),
          'bob through a non-superuser connection user that may act as bob');
SELECT ok(morpheus.dist_nmatrix_op('cyc', 'col_sums', 'SELECT features, fk FROM ent',
                                   ARRAY['SELECT key, features FROM attr'], ARRAY['fk']) IS NOT NULL,
          'bob computes the sharded operators');
SELECT is(current_user::text, 'bob', 'the caller''s role is unchanged after the calls');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;

-- Node 3 runs past the statement_timeout (2 s) set in the cluster's connection strings (it sleeps 4 s): the worker
-- cancels its query, and the coordinator treats node 3 as an erasure.
BEGIN;
SELECT plan(3);
CREATE TEMP TABLE ref AS
  SELECT * FROM morpheus.draco_train_distributed(workers => 5, source => 'SELECT * FROM src_cyc', max_iterations => 1,
                                                 batch_size => 60, seed => 4);
CREATE TEMP TABLE got AS
  SELECT * FROM morpheus.draco_train_distributed(
    cluster => 'cyc', max_iterations => 1, batch_size => 60, seed => 4,
    source => $q$SELECT partition, row_id, label, features FROM dist_data,
                   LATERAL (SELECT pg_sleep(CASE current_setting('morpheus.worker_id') WHEN '3' THEN 4 ELSE 0 END)) s$q$);
SELECT is((SELECT erased_workers FROM got), '{3}'::int[], 'the slow node 3 is an erasure');
SELECT ok((SELECT max(abs(a - b)) FROM ref r JOIN got g USING (iteration), unnest(r.weights, g.weights) AS t(a, b))
            <= 1e-9, 'weights equal the single-node run (1e-9)');
SELECT ok((SELECT network_ms FROM got) >= 1500, 'the wait for the timeout shows in network_ms');
SELECT * FROM finish();
ROLLBACK;

-- Node 4 is down, nobody is Byzantine: node 4 is an erasure (a zero message the decoder locates), within s = 1, and
-- training equals the single-node run of the same schedule.
BEGIN;
SELECT plan(4);
CREATE TEMP TABLE ref AS
  SELECT * FROM morpheus.draco_train_distributed(workers => 5, source => 'SELECT * FROM src_cyc', max_iterations => 6,
                                                 batch_size => 60, learning_rate => 0.5, seed => 9);
CREATE TEMP TABLE got AS
  SELECT * FROM morpheus.draco_train_distributed(cluster => 'cyc', max_iterations => 6, batch_size => 60,
                                                 learning_rate => 0.5, seed => 9);
SELECT is((SELECT count(*) FROM got), 6::bigint, 'every iteration completes with node 4 down');
SELECT ok((SELECT bool_and(erased_workers = '{4}' AND flagged_workers = '{4}') FROM got),
          'node 4 is reported erased (and located by the decoder) every iteration');
SELECT ok((SELECT max(abs(a - b)) FROM ref r JOIN got g USING (iteration), unnest(r.weights, g.weights) AS t(a, b))
            <= 1e-9, 'weights equal the single-node run (1e-9)');
SELECT ok((SELECT bool_and(batch_rows = 60) FROM got), 'the decoded batch still has all 60 rows');
SELECT * FROM finish();
ROLLBACK;

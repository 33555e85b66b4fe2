-- Distributed factorized operators: the entity table ent is sharded by id over the 5 nodes, the attribute table attr
-- is replicated; each node computes its shard's state with nmatrix_from_sql and the factorized operators, the
-- coordinator merges. Checked against the row aggregates over the materialized join on the coordinator (all rows).
BEGIN;
SELECT plan(9);
CREATE FUNCTION pg_temp.reldiff(a float8[], b float8[]) RETURNS float8 LANGUAGE sql AS $$
  SELECT max(abs(p - q)) / (1 + max(abs(q))) FROM unnest(a, b) u(p, q) $$;
CREATE TEMP TABLE joined AS
  SELECT e.features || a.features AS x, e.y, e.label FROM ent e JOIN attr a ON a.key = e.fk;

SELECT is((SELECT count(*) FROM joined), 300::bigint, 'the materialized join has every entity row');
SELECT ok(pg_temp.reldiff(
            morpheus.dist_nmatrix_op('cyc', 'crossprod', 'SELECT features, fk FROM ent ORDER BY id',
                                     ARRAY['SELECT key, features FROM attr'], ARRAY['fk']),
            (SELECT morpheus.crossprod_agg(x) FROM joined)) < 1e-12,
          'sharded crossprod = crossprod_agg over the materialized join');
SELECT is(array_dims(morpheus.dist_nmatrix_op('cyc', 'crossprod', 'SELECT features, fk FROM ent ORDER BY id',
                                              ARRAY['SELECT key, features FROM attr'], ARRAY['fk'])), '[1:4][1:4]',
          'crossprod is 4 x 4');
SELECT ok(pg_temp.reldiff(
            morpheus.dist_nmatrix_op('cyc', 'col_sums', 'SELECT features, fk FROM ent ORDER BY id',
                                     ARRAY['SELECT key, features FROM attr'], ARRAY['fk']),
            (SELECT morpheus.col_sums_agg(x) FROM joined)) < 1e-12, 'sharded col_sums = col_sums_agg');
SELECT ok(pg_temp.reldiff(
            morpheus.dist_nmatrix_op('cyc', 'xty', 'SELECT features, fk, y FROM ent ORDER BY id',
                                     ARRAY['SELECT key, features FROM attr'], ARRAY['fk'], label => 'y'),
            (SELECT morpheus.xty_agg(x, y) FROM joined)) < 1e-12, 'sharded T''y = xty_agg');
SELECT ok(pg_temp.reldiff(
            morpheus.dist_nmatrix_op('cyc', 'gradient', 'SELECT features, fk, label FROM ent ORDER BY id',
                                     ARRAY['SELECT key AS id, features FROM attr'], ARRAY['fk'],
                                     attribute_keys => ARRAY['id'], weights => '{0.3,-0.2,0.1,0.4}',
                                     family => 'logistic'),
            (SELECT morpheus.glm_gradient_agg(x, label, '{0.3,-0.2,0.1,0.4}'::float8[], 'logistic') FROM joined)) < 1e-12,
          'sharded logistic gradient = glm_gradient_agg');
SELECT ok(pg_temp.reldiff(
            morpheus.dist_nmatrix_op('cyc', 'gradient', 'SELECT features, fk, y FROM ent ORDER BY id',
                                     ARRAY['SELECT key, features FROM attr'], ARRAY['fk'],
                                     weights => '{0.3,-0.2,0.1,0.4}', label => 'y'),
            morpheus.dist_nmatrix_op(NULL, 'gradient', 'SELECT features, fk, y FROM ent ORDER BY id',
                                     ARRAY['SELECT key, features FROM attr'], ARRAY['fk'],
                                     weights => '{0.3,-0.2,0.1,0.4}', label => 'y')) < 1e-12,
          'sharded least-squares gradient = the same function on the whole table (cluster NULL)');
SELECT throws_ok($$SELECT morpheus.dist_nmatrix_op('cyc', 'tcrossprod', 'SELECT features, fk FROM ent')$$, '22023',
                 'unknown kind "tcrossprod"', 'unknown kind');
SELECT throws_like($$SELECT morpheus.dist_nmatrix_op('cyc', 'xty', 'SELECT features, fk FROM ent ORDER BY id',
                                                     ARRAY['SELECT key, features FROM attr'], ARRAY['fk'])$$,
                   '%source returns no column "label"%', 'xty without a target column');
SELECT * FROM finish();
ROLLBACK;

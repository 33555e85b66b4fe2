-- The factorized kernels from SQL: morpheus.threads (identical results for any value), the materialized plan run
-- row by row (never = always), sparse features (nmatrix_from_sparse), crossprod_sparse and entries; bad inputs.
BEGIN;
SELECT plan(26);
SET LOCAL search_path = public, morpheus;

-- threads: default, range (settings exist once the library is loaded)
SELECT ok(morpheus.version() IS NOT NULL, 'library loaded');
SELECT is(current_setting('morpheus.threads'), '1', 'threads defaults to 1');
SELECT throws_ok($$SET morpheus.threads = 0$$, '22023', NULL, 'threads below 1 is refused');
SELECT throws_ok($$SET morpheus.threads = 65$$, '22023', NULL, 'threads above 64 is refused');

-- 70,000 rows: two fixed row blocks of 35,000, so threads > 1 really splits the work
CREATE TEMP TABLE big AS
SELECT nm_join_sparse(
         nm_join(nmatrix(s => (SELECT array_agg(ARRAY[(i % 13) / 13.0::float8] ORDER BY i) FROM generate_series(1, 70000) i)),
                 fk => (SELECT array_agg(1 + (i * 7919) % 500 ORDER BY i) FROM generate_series(1, 70000) i),
                 r => (SELECT array_agg(ARRAY[(j % 5) / 5.0::float8, (j % 3) / 3.0::float8] ORDER BY j) FROM generate_series(1, 500) j)),
         fk => (SELECT array_agg(1 + ((i::bigint * 104729) % 300)::int ORDER BY i) FROM generate_series(1, 70000) i),
         n_rows => 300, n_cols => 40,
         i => (SELECT array_agg(1 + k / 2 ORDER BY k) FROM generate_series(0, 599) k),
         j => (SELECT array_agg(1 + (k * 17) % 40 ORDER BY k) FROM generate_series(0, 599) k),
         v => (SELECT array_agg(1.0::float8 ORDER BY k) FROM generate_series(0, 599) k)) AS t,
       (SELECT array_agg(((i * 31) % 7)::float8 ORDER BY i) FROM generate_series(1, 70000) i) AS y,
       (SELECT array_agg((i % 2)::float8 ORDER BY i) FROM generate_series(1, 70000) i) AS yb;

CREATE TEMP TABLE runs(threads int, mode text, ls float8[], lr float8[], km float8[], km_assign int[], nmf float8[]);
CREATE FUNCTION pg_temp.run(th int, mode text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('morpheus.threads', th::text, true);
  PERFORM set_config('morpheus.factorize', mode, true);
  INSERT INTO runs
  SELECT th, mode,
         (SELECT coefficients FROM big, linreg(t => big.t, y => big.y, method => 'gd', max_iterations => 5, learning_rate => 0.01, tolerance => 0)),
         (SELECT coefficients || loss FROM big, logreg(t => big.t, y => big.yb, method => 'lbfgs', max_iterations => 5)),
         (SELECT ARRAY(SELECT unnest(centers)) || loss FROM big, kmeans(t => big.t, k => 3, max_iterations => 4, seed => 3)),
         (SELECT assignment FROM big, kmeans(t => big.t, k => 3, max_iterations => 4, seed => 3)),
         (SELECT loss FROM big, gnmf(t => big.t, rank => 2, max_iterations => 4, seed => 2));
END $$;
SELECT pg_temp.run(1, 'always'), pg_temp.run(2, 'always'), pg_temp.run(3, 'always'), pg_temp.run(1, 'never');

SELECT ok((SELECT bool_and(r.ls = a.ls AND r.lr = a.lr AND r.km = a.km AND r.km_assign = a.km_assign AND r.nmf = a.nmf)
           FROM runs r, runs a WHERE a.threads = 1 AND a.mode = 'always' AND r.mode = 'always'),
          'threads = 2 and 3 give results identical in every bit to threads = 1');
SELECT cmp_ok((SELECT max(abs(x - z) / (1 + abs(z))) FROM runs r, runs a, unnest(r.ls || r.lr || r.km || r.nmf, a.ls || a.lr || a.km || a.nmf) u(x, z)
               WHERE r.mode = 'never' AND a.mode = 'always' AND a.threads = 1), '<', 1e-9::float8,
              'the materialized plan (row by row through the keys) gives the factorized results');
SELECT ok((SELECT r.km_assign = a.km_assign FROM runs r, runs a WHERE r.mode = 'never' AND a.mode = 'always' AND a.threads = 1),
          'the materialized plan assigns the same clusters');

-- sparse features: nmatrix_from_sparse
CREATE TEMP TABLE ent(id int, fk int, sidx int[], sval float8[]);
INSERT INTO ent VALUES (1, 2, '{1,3}', '{0.5,2}'), (2, 1, '{}', '{}'), (3, 2, '{2}', '{-1}');
CREATE TEMP TABLE attr(key int, idx int[]);
INSERT INTO attr VALUES (1, '{1}'), (2, '{2,4}'), (3, '{}');
SELECT is(materialize(nmatrix_from_sparse(
    source => 'SELECT sidx AS index, sval AS value, 3 AS width, fk FROM ent ORDER BY id',
    attributes => ARRAY['SELECT key, idx AS index FROM attr'], foreign_keys => '{fk}', attribute_keys => '{key}')),
  '{{0.5,0,2,0,1,0,1},{0,0,0,1,0,0,0},{0,-1,0,0,1,0,1}}'::float8[],
  'sparse entity (index, value, width) and one-hot attribute (index only, width = largest index)');
SELECT is(materialize(nmatrix_from_sparse(
    source => 'SELECT fk FROM ent ORDER BY id',
    attributes => ARRAY['SELECT key, idx AS index, 6 AS width FROM attr'], foreign_keys => '{fk}', attribute_keys => '{key}')),
  '{{0,1,0,1,0,0},{1,0,0,0,0,0},{0,1,0,1,0,0}}'::float8[], 'width pads trailing empty columns');
SELECT throws_ok($$ SELECT nmatrix_from_sparse(source => 'SELECT fk FROM ent',
    attributes => ARRAY['SELECT key, idx AS index, 3 AS width FROM attr'], foreign_keys => '{fk}', attribute_keys => '{key}') $$, '2202E',
  'column "index" of attributes[1] holds 4 in row 2 but width is 3', 'index past width');
SELECT throws_ok($$ SELECT nmatrix_from_sparse(source => 'SELECT fk FROM ent',
    attributes => ARRAY['SELECT key, ARRAY[0] AS index FROM attr'], foreign_keys => '{fk}', attribute_keys => '{key}') $$, '2202E',
  'column "index" of attributes[1] holds 0 in row 1', 'index below 1');
SELECT throws_ok($$ SELECT nmatrix_from_sparse(source => 'SELECT fk FROM ent',
    attributes => ARRAY['SELECT key, idx AS index, ARRAY[1.0]::float8[] AS value FROM attr'], foreign_keys => '{fk}', attribute_keys => '{key}') $$, '22023',
  'row 2 of attributes[1] has 2 indices but 1 values', 'index and value lengths differ');
SELECT throws_ok($$ SELECT nmatrix_from_sparse(source => 'SELECT fk FROM ent',
    attributes => ARRAY['SELECT key, NULL::int[] AS index FROM attr'], foreign_keys => '{fk}', attribute_keys => '{key}') $$, '22004', NULL, 'NULL index array');
SELECT throws_ok($$ SELECT nmatrix_from_sparse(source => 'SELECT fk FROM ent',
    attributes => ARRAY['SELECT key, idx AS index, ARRAY[1.0]::float8[] AS features FROM attr'], foreign_keys => '{fk}', attribute_keys => '{key}') $$, '22023',
  'attributes[1] returns both "features" and "index"', 'both forms at once');
SELECT throws_ok($$ SELECT nmatrix_from_sparse(source => 'SELECT fk FROM ent',
    attributes => ARRAY['SELECT key, ARRAY[1.0]::float8[] AS value FROM attr'], foreign_keys => '{fk}', attribute_keys => '{key}') $$, '22023',
  'attributes[1] returns "value" or "width" without "index"', 'value without index');
SELECT throws_ok($$ SELECT nmatrix_from_sparse(source => 'SELECT fk FROM ent',
    attributes => ARRAY['SELECT key, idx::bigint[] AS index FROM attr'], foreign_keys => '{fk}', attribute_keys => '{key}') $$, '42804', NULL, 'index of the wrong type');
SELECT throws_ok($$ SELECT nmatrix_from_sparse(source => 'SELECT fk FROM ent',
    attributes => ARRAY['SELECT key, idx AS index, key AS width FROM attr'], foreign_keys => '{fk}', attribute_keys => '{key}') $$, '22023', NULL, 'width differs between rows');
SELECT throws_ok($$ SELECT nmatrix_from_sparse(source => 'SELECT 2 AS fk',
    attributes => ARRAY['SELECT key, idx AS index, ARRAY[''NaN''::float8, 1] AS value FROM attr WHERE key = 2'], foreign_keys => '{fk}', attribute_keys => '{key}') $$,
  '22023', NULL, 'non-finite value');

-- crossprod_sparse = crossprod; entries lists the stored entries
CREATE TEMP TABLE sm AS SELECT nmatrix_from_sparse(
    source => 'SELECT sidx AS index, sval AS value, 3 AS width, fk FROM ent ORDER BY id',
    attributes => ARRAY['SELECT key, idx AS index FROM attr'], foreign_keys => '{fk}', attribute_keys => '{key}') AS t;
CREATE FUNCTION pg_temp.maxdiff(a float8[], b float8[]) RETURNS float8 LANGUAGE sql AS
  $$ SELECT CASE WHEN array_dims(a) = array_dims(b) THEN (SELECT max(abs(x - y)) FROM unnest(a, b) u(x, y)) ELSE 'Infinity' END $$;
SELECT cmp_ok((SELECT pg_temp.maxdiff(materialize(crossprod_sparse(t)), crossprod(t)) FROM sm), '<', 1e-12::float8, 'crossprod_sparse equals crossprod');
SELECT cmp_ok((SELECT pg_temp.maxdiff(materialize(crossprod_sparse(t(t))), tcrossprod(t)) FROM sm), '<', 1e-12::float8, 'crossprod_sparse of a transposed value is T T''');
SELECT cmp_ok((SELECT pg_temp.maxdiff(materialize(crossprod_sparse(t)), crossprod(t)) / (SELECT max(abs(v)) FROM unnest(crossprod(t)) v) FROM big),
              '<', 1e-12::float8, 'crossprod_sparse equals crossprod on a star with dense and one-hot tables');
SELECT is((SELECT nrow(crossprod_sparse(t)) || 'x' || ncol(crossprod_sparse(t)) FROM sm), '7x7', 'crossprod_sparse is d x d');
SELECT is((SELECT count(*) FROM sm, entries(crossprod_sparse(sm.t))), (SELECT count(*) FROM sm, unnest(crossprod(sm.t)) v WHERE v <> 0),
          'the Gram matrix stores exactly its non-zeros');
SELECT is((SELECT array_agg(ARRAY[e.i, e.j, e.v] ORDER BY e.i, e.j) FROM sm, entries(sm.t) e WHERE e.i = 1),
          '{{1,1,0.5},{1,3,2},{1,5,1},{1,7,1}}'::float8[], 'entries lists row 1 of the join, 1-based');
SELECT is((SELECT sum(v) FROM sm, entries(sm.t)), (SELECT sum(t) FROM sm), 'entries sum to sum(t)');
SELECT throws_ok($$ SELECT crossprod_sparse(nmatrix(n_rows => 3)) $$, '22023', NULL, 'crossprod_sparse needs columns');

SELECT * FROM finish();
ROLLBACK;

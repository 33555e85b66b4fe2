-- Empty shapes (issue 12, item 1): every nmatrix and ML function called with 0 rows, 0 columns, 0-column blocks,
-- empty arrays and empty query results gives a defined result or a 22023 error, never a crash. The first two calls
-- are the reproducers: linreg on morpheus.nmatrix(n_rows => 3) and on the literal `identity dense 3x0 {}` crashed
-- the server in 0.1.0 (an SVD of the empty Gram matrix read through a null pointer).
BEGIN;
SELECT plan(78);
SET LOCAL search_path = morpheus, public;

SELECT throws_ok($$SELECT * FROM morpheus.linreg(morpheus.nmatrix(n_rows => 3), '{1,2,3}'::float8[])$$,
                 '22023', 't has no columns (3x0)', 'linreg on a column-less nmatrix is 22023 (was a crash)');
SELECT throws_ok($$SELECT * FROM morpheus.linreg('nmatrix v1 rows=3 transposed=false; identity dense 3x0 {}'::morpheus.nmatrix,
                                                 '{1,2,3}'::float8[])$$,
                 '22023', 't has no columns (3x0)', 'linreg on the literal dense 3x0 is 22023 (was a crash)');

-- The shapes: c0 3x0 (no attribute table), r0 its transpose (0x3), j0 3x0 with a 0-column attribute table, mn0 an
-- M:N join of two 0-column blocks.
CREATE TEMP TABLE e AS SELECT
  nmatrix(n_rows => 3) AS c0,
  t(nmatrix(n_rows => 3)) AS r0,
  nm_join_sparse(nmatrix(n_rows => 3), '{1,1,2}', 2, 0, '{}', '{}', '{}') AS j0,
  nm_mn_blocks(nmatrix_sparse(2, 0, '{}', '{}', '{}'), '{1,2,2}', nmatrix_sparse(2, 0, '{}', '{}', '{}'), '{1,1,2}') AS mn0;

-- Shapes and I/O.
SELECT is((SELECT ARRAY[nrow(c0), ncol(c0), nrow(r0), ncol(r0), nrow(j0), ncol(j0), nrow(mn0), ncol(mn0)] FROM e),
          ARRAY[3, 0, 0, 3, 3, 0, 3, 0]::bigint[], 'nrow/ncol of the empty shapes');
SELECT is((SELECT c0::text FROM e), 'nmatrix v1 rows=3 transposed=false; identity dense 3x0 {}', 'text of 3x0');
SELECT is((SELECT count(*) FROM e WHERE c0::text::nmatrix::text = c0::text AND r0::text::nmatrix::text = r0::text
             AND j0::text::nmatrix::text = j0::text AND mn0::text::nmatrix::text = mn0::text), 1::bigint,
          'text round trip of every empty shape');
SELECT ok((SELECT length(nmatrix_send(c0)) > 0 AND length(nmatrix_send(mn0)) > 0 FROM e), 'nmatrix_send of empty shapes');

-- Sums are defined: zeros of the right length.
SELECT is((SELECT row_sums(c0) FROM e), '{0,0,0}'::float8[], 'row_sums 3x0');
SELECT is((SELECT col_sums(c0) FROM e), '{}'::float8[], 'col_sums 3x0');
SELECT is((SELECT sum(c0) FROM e), 0::float8, 'sum 3x0');
SELECT is((SELECT row_sums(r0) FROM e), '{}'::float8[], 'row_sums 0x3');
SELECT is((SELECT col_sums(r0) FROM e), '{0,0,0}'::float8[], 'col_sums 0x3');
SELECT is((SELECT sum(r0) FROM e), 0::float8, 'sum 0x3');
SELECT is((SELECT row_sums(j0) FROM e), '{0,0,0}'::float8[], 'row_sums with a 0-column attribute table');
SELECT is((SELECT col_sums(j0) FROM e), '{}'::float8[], 'col_sums with a 0-column attribute table');
SELECT is((SELECT sum(j0) FROM e), 0::float8, 'sum with a 0-column attribute table');
SELECT is((SELECT row_sums(mn0) FROM e), '{0,0,0}'::float8[], 'row_sums of an M:N join of 0-column blocks');
SELECT is((SELECT col_sums(t(mn0)) FROM e), '{0,0,0}'::float8[], 'col_sums of its transpose');

-- Operators whose result is an array: an array cannot be empty in a dimension, so 22023 naming the shape.
SELECT throws_ok($$SELECT materialize(c0) FROM e$$, '22023', 'materialize of an nmatrix with no columns (3x0) has no array form', 'materialize 3x0');
SELECT throws_ok($$SELECT materialize(r0) FROM e$$, '22023', NULL, 'materialize 0x3');
SELECT throws_ok($$SELECT crossprod(c0) FROM e$$, '22023', NULL, 'crossprod 3x0');
SELECT throws_ok($$SELECT crossprod(r0) FROM e$$, '22023', NULL, 'crossprod 0x3');
SELECT throws_ok($$SELECT crossprod(j0) FROM e$$, '22023', NULL, 'crossprod with a 0-column attribute table');
SELECT throws_ok($$SELECT tcrossprod(c0) FROM e$$, '22023', NULL, 'tcrossprod 3x0');
SELECT throws_ok($$SELECT tcrossprod(r0) FROM e$$, '22023', NULL, 'tcrossprod 0x3');
SELECT throws_ok($$SELECT ginv(c0) FROM e$$, '22023', NULL, 'ginv 3x0');
SELECT throws_ok($$SELECT ginv(r0) FROM e$$, '22023', NULL, 'ginv 0x3');
SELECT throws_ok($$SELECT ginv(mn0) FROM e$$, '22023', NULL, 'ginv of an M:N join of 0-column blocks');
SELECT throws_ok($$SELECT c0 %*% '{{1}}'::float8[] FROM e$$, '22023', NULL, 'nmatrix %*% float8[][] 3x0');
SELECT throws_ok($$SELECT r0 %*% '{{1},{2},{3}}'::float8[] FROM e$$, '22023', NULL, 'nmatrix %*% float8[][] 0x3');
SELECT throws_ok($$SELECT '{{1,2,3}}'::float8[] %*% c0 FROM e$$, '22023', NULL, 'float8[][] %*% nmatrix 3x0');
SELECT throws_ok($$SELECT '{{1}}'::float8[] %*% r0 FROM e$$, '22023', NULL, 'float8[][] %*% nmatrix 0x3');
SELECT throws_ok($$SELECT c0 %*% r0 FROM e$$, '22023', NULL, 'nmatrix %*% nmatrix 3x0 by 0x3');
SELECT throws_ok($$SELECT r0 %*% c0 FROM e$$, '22023', NULL, 'nmatrix %*% nmatrix 0x3 by 3x0');
SELECT throws_ok($$SELECT c0 + '{{1}}'::float8[] FROM e$$, '22023', NULL, 'nmatrix + float8[][] 3x0');
SELECT throws_ok($$SELECT '{{1,2,3}}'::float8[] * r0 FROM e$$, '22023', NULL, 'float8[][] * nmatrix 0x3');

-- Closure operators keep the shape (nothing to compute).
SELECT is((SELECT (c0 + 1)::text FROM e), (SELECT c0::text FROM e), 'nmatrix + scalar of 3x0');
SELECT is((SELECT (2 ^ r0)::text FROM e), (SELECT r0::text FROM e), 'scalar ^ nmatrix of 0x3');
SELECT is((SELECT (j0 * 3)::text FROM e), (SELECT j0::text FROM e), 'nmatrix * scalar with a 0-column attribute table');
SELECT is((SELECT exp(c0)::text FROM e), (SELECT c0::text FROM e), 'exp of 3x0');
SELECT is((SELECT nrow(log(j0)) FROM e), 3::bigint, 'log with a 0-column attribute table');
SELECT is((SELECT t(t(c0))::text FROM e), (SELECT c0::text FROM e), 't(t(3x0))');

-- ML on the nmatrix shapes: 22023 naming x.
SELECT throws_ok($$SELECT * FROM linreg(nmatrix(n_rows => 3), '{1,2,3}'::float8[], method => 'gd')$$, '22023', 't has no columns (3x0)', 'linreg gd 3x0');
SELECT throws_ok($$SELECT * FROM logreg(nmatrix(n_rows => 3), '{1,0,1}'::float8[])$$, '22023', 't has no columns (3x0)', 'logreg 3x0');
SELECT throws_ok($$SELECT * FROM kmeans(nmatrix(n_rows => 3), 2)$$, '22023', 't has no columns (3x0)', 'kmeans 3x0');
SELECT throws_ok($$SELECT * FROM gnmf(nmatrix(n_rows => 3), 1)$$, '22023', 't has no columns (3x0)', 'gnmf 3x0');
SELECT throws_ok($$SELECT x.* FROM e, linreg(j0, '{1,2,3}'::float8[]) x$$, '22023', 't has no columns (3x0)', 'linreg with a 0-column attribute table');
SELECT throws_ok($$SELECT x.* FROM e, kmeans(mn0, 1) x$$, '22023', 't has no columns (3x0)', 'kmeans of an M:N join of 0-column blocks');
SELECT throws_ok($$SELECT * FROM linreg(t(nmatrix(n_rows => 3)), '{1}'::float8[])$$, '22023', 't has no rows (0x3)', 'linreg 0x3');
SELECT throws_ok($$SELECT * FROM logreg(t(nmatrix(n_rows => 3)), '{1}'::float8[])$$, '22023', 't has no rows (0x3)', 'logreg 0x3');
SELECT throws_ok($$SELECT * FROM kmeans(t(nmatrix(n_rows => 3)), 1)$$, '22023', 't has no rows (0x3)', 'kmeans 0x3');
SELECT throws_ok($$SELECT * FROM gnmf(t(nmatrix(n_rows => 3)), 1)$$, '22023', 't has no rows (0x3)', 'gnmf 0x3');
SELECT is((SELECT count(*) FROM explain(nmatrix(n_rows => 3))), 0::bigint, 'explain of a column-less nmatrix: no attribute tables');
SELECT is((SELECT feature_ratio FROM e, explain(j0, 'crossprod')), NULL::float8,
          'explain: the feature ratio over an entity table without features is NULL, not Infinity');

-- ML on empty arrays: the array forms refuse an empty x or y.
SELECT throws_ok($$SELECT * FROM linreg('{}'::float8[], '{}'::float8[])$$, '22023', 'x is empty', 'linreg of an empty array');
SELECT throws_ok($$SELECT * FROM kmeans('{}'::float8[], 1)$$, '22023', 'x is empty', 'kmeans of an empty array');
SELECT throws_ok($$SELECT * FROM gnmf('{}'::float8[], 1)$$, '22023', 'x is empty', 'gnmf of an empty array');
SELECT throws_ok($$SELECT * FROM logreg('{{1}}'::float8[], '{}'::float8[])$$, '22023', 'y is empty', 'logreg with an empty y');

-- Aggregates: an empty row array is 22023; no rows at all is NULL.
SELECT throws_ok($$SELECT crossprod_agg(x) FROM (VALUES ('{}'::float8[])) v(x)$$, '22023', 'x is empty', 'crossprod_agg of an empty row');
SELECT throws_ok($$SELECT col_sums_agg(x) FROM (VALUES ('{}'::float8[])) v(x)$$, '22023', 'x is empty', 'col_sums_agg of an empty row');
SELECT throws_ok($$SELECT xty_agg(x, 1) FROM (VALUES ('{}'::float8[])) v(x)$$, '22023', 'x is empty', 'xty_agg of an empty row');
SELECT throws_ok($$SELECT linreg_agg(x, 1) FROM (VALUES ('{}'::float8[])) v(x)$$, '22023', 'x is empty', 'linreg_agg of an empty row');
SELECT throws_ok($$SELECT glm_gradient_agg(x, 1, '{}', 'logistic') FROM (VALUES ('{}'::float8[])) v(x)$$, '22023', 'x is empty', 'glm_gradient_agg of an empty row');
SELECT throws_ok($$SELECT glm_loss_agg(x, 1, '{}', 'logistic') FROM (VALUES ('{}'::float8[])) v(x)$$, '22023', 'x is empty', 'glm_loss_agg of an empty row');
SELECT is((SELECT linreg_agg(x, 1) FROM (SELECT '{1,2}'::float8[] x WHERE false) s), NULL::float8[], 'linreg_agg over no rows is NULL');
SELECT is((SELECT crossprod_agg(x) FROM (SELECT '{1,2}'::float8[] x WHERE false) s), NULL::float8[], 'crossprod_agg over no rows is NULL');

-- Queries returning no rows or no features, and empty attribute tables.
SELECT throws_ok($$SELECT nmatrix_from_sql('SELECT 1.0 AS a WHERE false', features => '{a}')$$, '22023', 'source returned no rows', 'nmatrix_from_sql: empty entity query');
SELECT throws_ok($$SELECT nmatrix_from_sql('SELECT 1 AS fk', '{"SELECT 1 AS id, 2.0 AS a WHERE false"}', '{fk}')$$,
                 '22023', 'attributes[1] returned no rows', 'nmatrix_from_sql: empty attribute table');
SELECT throws_ok($$SELECT nmatrix_from_sql('SELECT 1 AS fk', features => '{}')$$, '22023',
                 'source has no feature columns and no attribute relations', 'nmatrix_from_sql without any feature: 22023');
SELECT throws_ok($$SELECT * FROM linreg_stream('SELECT ''{}''::float8[] AS features, 1.0::float8 AS label', intercept => false)$$, '22023', NULL, 'linreg_stream: 0 features');
SELECT throws_ok($$SELECT * FROM linreg_stream('SELECT ''{1}''::float8[] AS features, 1.0::float8 AS label WHERE false')$$, '22023', NULL, 'linreg_stream: no rows');
SELECT throws_ok($$SELECT * FROM logreg_stream('SELECT ''{}''::float8[] AS features, 1.0::float8 AS label', intercept => false)$$, '22023', NULL, 'logreg_stream: 0 features');
SELECT throws_ok($$SELECT * FROM kmeans_stream('SELECT ''{}''::float8[] AS features', 1)$$, '22023', NULL, 'kmeans_stream: 0 features');
SELECT throws_ok($$SELECT * FROM draco_train('SELECT ''{1}''::float8[] AS features, 1 AS label WHERE false')$$, '22023', NULL, 'draco_train: no rows');
SELECT throws_ok($$SELECT * FROM draco_train('SELECT ''{}''::float8[] AS features, 1 AS label')$$, '22023', NULL, 'draco_train: 0 features');
SELECT throws_ok($$SELECT robust_aggregate('{}'::float8[])$$, '22023', NULL, 'robust_aggregate of no gradients');
SELECT throws_ok($$SELECT glm_predict('{1}', '{}')$$, '22023', NULL, 'glm_predict with no features');

-- Literals with no block or no rows are syntax errors.
SELECT throws_ok($$SELECT 'nmatrix v1 rows=3 transposed=false'::morpheus.nmatrix$$, '22P02', NULL, 'a literal without blocks');
SELECT throws_ok($$SELECT 'nmatrix v1 rows=0 transposed=false; identity dense 0x0 {}'::morpheus.nmatrix$$, '22P02', NULL, 'a literal with 0 rows');

SELECT * FROM finish();
ROLLBACK;

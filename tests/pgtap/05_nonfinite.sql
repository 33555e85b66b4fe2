-- Non-finite results (issue 12, item 8): one rule everywhere. A computation that overflows to NaN or infinity is a
-- 22003 error naming the function and what overflowed, never a value returned silently. The check lives in the
-- result builders (src/pg/arrays.cpp), the set-returning row writer (src/pg/srf.cpp) and the scalar float8 results,
-- so every function is covered; this file triggers it in each function the issue lists (all of which returned NaN or
-- Infinity in 0.1.0).
BEGIN;
SELECT plan(29);
SET LOCAL search_path = morpheus, public;

-- ML trainers.
SELECT throws_ok($$SELECT * FROM kmeans('{{1e308,1e308},{1e308,1e308}}'::float8[], 2)$$, '22003',
                 'kmeans: centers overflowed: element [1][1] is infinite', 'kmeans: the reproducer of the issue');
SELECT throws_ok($$SELECT * FROM kmeans('{{1e308,-1e308},{-1e308,1e308},{1,1}}'::float8[], 2)$$, '22003', NULL,
                 'kmeans: an overflowing loss');
SELECT throws_ok($$SELECT * FROM gnmf('{{1e308,1e308},{1e308,1e308}}'::float8[], 1)$$, '22003',
                 'gnmf: w overflowed: element [1] is NaN', 'gnmf');
SELECT throws_ok($$SELECT * FROM linreg('{{1e200,1},{1,1e200},{1,2}}'::float8[], '{1,2,3}')$$, '22003',
                 'linreg: the Gram matrix holds a non-finite value (its entries overflowed)', 'linreg normal equations');
SELECT throws_ok($$SELECT * FROM linreg('{{1e300,1},{1,2},{3,1}}'::float8[], '{1,2,1e300}', method => 'gd')$$,
                 '22003', NULL, 'linreg gradient descent');
SELECT throws_ok($$SELECT * FROM logreg('{{1e300,1},{1,2},{3,1}}'::float8[], '{1,0,1}')$$, '22003', NULL, 'logreg');
SELECT throws_ok($$SELECT * FROM kmeans(morpheus.nmatrix(s => '{{1e308,1e308},{1e308,1e308}}'::float8[]), 2)$$,
                 '22003', NULL, 'kmeans on an nmatrix');

-- Aggregates.
SELECT throws_ok($$SELECT linreg_agg(x, y) FROM (VALUES ('{1e200,1}'::float8[], 1.0::float8), ('{1,1e200}', 2)) v(x, y)$$,
                 '22003', 'linreg_agg: the Gram matrix holds a non-finite value (its entries overflowed)', 'linreg_agg');
SELECT throws_ok($$SELECT xty_agg(x, y) FROM (VALUES ('{1e300,1}'::float8[], 1e300::float8), ('{1,1}', 2)) v(x, y)$$,
                 '22003', 'xty_agg result overflowed: element [1] is infinite', 'xty_agg');
SELECT throws_ok($$SELECT crossprod_agg(x) FROM (VALUES ('{1e300,1}'::float8[])) v(x)$$, '22003',
                 'crossprod_agg result overflowed: element [1][1] is infinite', 'crossprod_agg');
SELECT throws_ok($$SELECT col_sums_agg(x) FROM (VALUES ('{1e308,1}'::float8[]), ('{1e308,1}')) v(x)$$, '22003',
                 'col_sums_agg result overflowed: element [1] is infinite', 'col_sums_agg');
SELECT throws_ok($$SELECT glm_gradient_agg(x, y, '{1e308,1e308}', 'least_squares') FROM (VALUES ('{1e308,1}'::float8[], 1.0::float8)) v(x, y)$$,
                 '22003', 'glm_gradient_agg result overflowed: element [1] is infinite', 'glm_gradient_agg (least_squares)');
SELECT throws_ok($$SELECT glm_gradient_agg(x, y, '{1e308,1e308}', 'poisson') FROM (VALUES ('{1e308,1}'::float8[], 1.0::float8)) v(x, y)$$,
                 '22003', NULL, 'glm_gradient_agg (poisson)');
SELECT throws_ok($$SELECT glm_loss_agg(x, y, '{1e308,1e308}', 'least_squares') FROM (VALUES ('{1e308,1}'::float8[], 1.0::float8)) v(x, y)$$,
                 '22003', 'glm_loss_agg result overflowed: element [1] is infinite', 'glm_loss_agg');

-- DRACO.
SELECT throws_ok($$SELECT robust_aggregate('{{1e308,1e308},{1e308,1e308},{1e308,1e308}}'::float8[], 'mean')$$, '22003',
                 'robust_aggregate result overflowed: element [1] is infinite', 'robust_aggregate (mean)');
SELECT throws_ok($$SELECT robust_aggregate('{{1e308,1e308},{1e308,1e308},{1e308,1e308}}'::float8[], 'geometric_median')$$,
                 '22003', NULL, 'robust_aggregate (geometric median)');
SELECT throws_ok($$SELECT glm_predict('{1e308,1e308,0}', '{1e308,1}', 'least_squares')$$, '22003', NULL, 'glm_predict');
SELECT throws_ok($$SELECT * FROM draco_train('SELECT ARRAY[1e300::float8, 1] AS features, 1e300::float8 * i AS label
                                              FROM generate_series(1, 100) i', family => 'least_squares', max_iterations => 2)$$,
                 '22003', 'draco_train: column "loss" overflowed: element [1] is infinite', 'draco_train');

-- VLC (a transmit power of 1e308 W overflows the received signal).
SELECT throws_ok($$SELECT * FROM vlc_channel('SELECT 1 AS id, 1.0::float8 AS x_m, 1.0::float8 AS y_m',
                                             'SELECT 1 AS id, 1.0::float8 AS x_m, 1.0::float8 AS y_m', power_w => 1e308, area_m2 => 1e308)$$,
                 '22003', 'vlc_channel: column "gain" overflowed: element [1] is infinite', 'vlc_channel');
SELECT throws_ok($$SELECT * FROM vlc_schedule('SELECT 1 AS id, 1.0::float8 AS x_m, 1.0::float8 AS y_m',
                                              'SELECT 1 AS id, 1.0::float8 AS x_m, 1.0::float8 AS y_m', power_w => 1e308)$$,
                 '22003', 'vlc_schedule: column "signal" overflowed: element [1] is infinite', 'vlc_schedule');
SELECT throws_ok($$SELECT * FROM vlc_evaluate('SELECT 1 AS id, 1.0::float8 AS x_m, 1.0::float8 AS y_m',
                                              'SELECT 1 AS id, 1.0::float8 AS x_m, 1.0::float8 AS y_m', power_w => 1e308)$$,
                 '22003', NULL, 'vlc_evaluate');
SELECT throws_ok($$SELECT * FROM vlc_compare('SELECT 1 AS id, 1.0::float8 AS x_m, 1.0::float8 AS y_m', n_users => 2,
                                             drops => 1, power_w => 1e308)$$,
                 '22003', NULL, 'vlc_compare');

-- nmatrix and dense operators.
SELECT throws_ok($$SELECT sum('nmatrix v1 rows=2 transposed=false; identity dense 2x1 {{1e308},{1e308}}'::nmatrix)$$,
                 '22003', 'sum(nmatrix) result overflowed: element [1] is infinite', 'sum(nmatrix)');
SELECT throws_ok($$SELECT col_sums('nmatrix v1 rows=2 transposed=false; identity dense 2x1 {{1e308},{1e308}}'::nmatrix)$$,
                 '22003', NULL, 'col_sums(nmatrix)');
SELECT throws_ok($$SELECT crossprod('nmatrix v1 rows=1 transposed=false; identity dense 1x1 {{1e200}}'::nmatrix)$$,
                 '22003', NULL, 'crossprod(nmatrix)');
SELECT throws_ok($$SELECT morpheus.matmul('{{1e200}}', '{{1e200}}')$$, '22003', NULL, 'matmul');

-- What is not an overflow: mat_transpose moves values and keeps a NaN of its input (documented), an undefined ratio
-- is NULL, and finite results pass.
SELECT is(morpheus.mat_transpose('{{NaN,1}}')::text, '{{NaN},{1}}', 'mat_transpose keeps NaN of its input');
SELECT is((SELECT feature_ratio FROM explain(nm_join(nmatrix(n_rows => 2), '{1,1}', '{{1}}'), 'crossprod')), NULL::float8,
          'explain: an undefined feature ratio is NULL');
SELECT lives_ok($$SELECT * FROM kmeans('{{1e150,1e150},{-1e150,-1e150}}'::float8[], 2)$$,
                'kmeans with large but representable results');

SELECT * FROM finish();
ROLLBACK;

-- Factorized operators on morpheus.nmatrix against the materialized matrix (morpheus.materialize, morpheus.matmul,
-- plain SQL arithmetic) and against the reference fixture's published values.
BEGIN;
SELECT plan(49);
SET LOCAL search_path = public, morpheus;

-- pg_temp.near(a, b): same shape and max |a - b| <= 1e-10 (1 + max |b|).
CREATE FUNCTION pg_temp.near(a float8[], b float8[]) RETURNS boolean LANGUAGE sql AS $$
  SELECT array_dims(a) = array_dims(b)
     AND (SELECT max(abs(x - y)) FROM unnest(a, b) u(x, y)) <= 1e-10 * (1 + (SELECT max(abs(y)) FROM unnest(b) y))
$$;

CREATE TEMP TABLE f AS SELECT
  nm_join(nmatrix(s => '{{1,2},{4,3},{5,6},{8,7},{9,1}}'), fk => '{1,2,2,1,2}', r => '{{1.1,2.2},{3.3,4.4}}') AS t,
  '{{1,2,1.1,2.2},{4,3,3.3,4.4},{5,6,3.3,4.4},{8,7,1.1,2.2},{9,1,3.3,4.4}}'::float8[] AS m;
-- star schema with 3 tables, one sparse, unreferenced attribute rows; d_S = 0 variant; M:N
CREATE TEMP TABLE g AS SELECT
  nm_join_sparse(nm_join(nm_join(nmatrix(s => '{{1,0.5},{-2,3},{0,1},{4,4},{2,-1},{1,1}}'), '{3,1,1,2,3,1}', '{{1,2,3},{0.5,0,-1},{2,2,2},{9,9,9}}'),
                         '{1,1,2,2,1,2}', '{{-1},{2}}'),
                 '{2,3,3,1,2,2}', 3, 4, '{1,2,2,3}', '{4,1,3,2}', '{1.5,-2,0.25,3}') AS t,
  nm_join(nmatrix(n_rows => 4), '{2,1,2,2}', '{{1,-1},{0.5,2},{3,3}}') AS z,
  nm_mn(s => '{{1,2},{3,4},{5,6}}', s_rows => '{1,1,2,3,3}', r => '{{10},{20},{30}}', r_rows => '{1,2,3,1,2}') AS mn;
-- Independent materialization of g.t: gather the rows by hand in SQL.
CREATE TEMP TABLE gm AS
  SELECT (SELECT array_agg(ARRAY[s1, s2, a1, a2, a3, b1, c1, c2, c3, c4] ORDER BY i) FROM (VALUES
    (1, 1, 0.5, 2, 2, 2, -1, -2, 0, 0.25, 0), (2, -2, 3, 1, 2, 3, -1, 0, 3, 0, 0), (3, 0, 1, 1, 2, 3, 2, 0, 3, 0, 0),
    (4, 4, 4, 0.5, 0, -1, 2, 0, 0, 0, 1.5), (5, 2, -1, 2, 2, 2, -1, -2, 0, 0.25, 0), (6, 1, 1, 1, 2, 3, 2, -2, 0, 0.25, 0))
    v(i, s1, s2, a1, a2, a3, b1, c1, c2, c3, c4))::float8[] AS m;

-- materialization, shape
SELECT is((SELECT materialize(t) FROM f), (SELECT m FROM f), 'materialize(fixture) = T');
SELECT is((SELECT materialize(t) FROM g), (SELECT m FROM gm), 'materialize(star, sparse, unreferenced rows) = hand-built join');
SELECT is((SELECT materialize(z) FROM g), '{{0.5,2},{1,-1},{0.5,2},{0.5,2}}'::float8[], 'materialize with d_S = 0');
SELECT is((SELECT materialize(mn) FROM g), '{{1,2,10},{1,2,20},{3,4,30},{5,6,10},{5,6,20}}'::float8[], 'materialize(M:N fixture)');
SELECT is((SELECT ARRAY[nrow(t), ncol(t), nrow(t(t)), ncol(t(t))] FROM g), '{6,10,10,6}'::bigint[], 'nrow/ncol, also transposed');
SELECT is((SELECT materialize(t(t)) FROM f), (SELECT mat_transpose(m) FROM f), 'materialize(t(T)) = transpose');
SELECT is((SELECT t(t(t))::text FROM f), (SELECT t::text FROM f), 't(t(T)) = T');

-- reference values (morpheus.md §7)
SELECT ok((SELECT pg_temp.near(row_sums(t), '{6.3,14.7,18.7,18.3,17.7}') FROM f), 'row_sums(fixture)');
SELECT ok((SELECT pg_temp.near(col_sums(t), '{27,19,12.1,17.6}') FROM f), 'col_sums(fixture)');
SELECT ok((SELECT abs(sum(t) - 75.7) < 1e-12 FROM f), 'sum(fixture) = 75.7');
SELECT ok((SELECT pg_temp.near(t %*% '{{1},{2},{3},{4}}'::float8[], '{{17.1},{37.5},{44.5},{34.1},{38.5}}') FROM f), 'LMM fixture');
SELECT ok((SELECT pg_temp.near('{{1,2,3,4,5}}'::float8[] %*% t, '{{101,59,38.5,55}}') FROM f), 'RMM fixture');
SELECT ok((SELECT pg_temp.near(t(t) %*% '{{1},{2},{3},{4},{5}}'::float8[], '{{101},{59},{38.5},{55}}') FROM f), 'transposed LMM fixture');
SELECT ok((SELECT pg_temp.near(crossprod(t), '{{187,109,69.3,99},{109,99,42.9,63.8},{69.3,42.9,35.09,48.4},{99,63.8,48.4,67.76}}') FROM f), 'crossprod fixture');
SELECT ok((SELECT pg_temp.near(tcrossprod(t), '{{11.05,23.31,30.31,28.05,24.31},{23.31,55.25,68.25,66.31,69.25},{30.31,68.25,91.25,95.31,81.25},{28.05,66.31,95.31,119.05,92.31},{24.31,69.25,81.25,92.31,112.25}}') FROM f), 'tcrossprod fixture');
SELECT ok((SELECT (SELECT max(abs(x - y)) FROM unnest(ginv(t), '{{-0.0745353,-0.0529740,-0.0533457,0.0745353,0.1063197},{-0.0741636,0.0046468,0.1239777,0.0741636,-0.1286245},{-1.4944238,0.1824941,0.7962149,-0.3237580,-0.0696181},{1.2786414,0.0076039,-0.5425820,0.0849949,0.0804326}}'::float8[]) u(x, y)) < 1e-6 FROM f),
  'ginv fixture (reference rounded to 7 decimals)');
SELECT ok((SELECT pg_temp.near(crossprod(mn), '{{61,76,270},{76,96,360},{270,360,1900}}') AND pg_temp.near(row_sums(mn), '{13,23,37,21,31}')
              AND pg_temp.near(col_sums(mn), '{15,20,90}') AND pg_temp.near(mn %*% '{{1},{-1},{2}}'::float8[], '{{19},{39},{59},{19},{39}}')
              AND pg_temp.near('{{1,2,3,4,5}}'::float8[] %*% mn, '{{57,72,280}}') FROM g), 'M:N fixture: crossprod, sums, LMM, RMM');

-- every operator on the star schema (3 tables, sparse, unreferenced rows) against its materialization
SELECT ok((SELECT pg_temp.near(row_sums(t), (SELECT array_agg(s) FROM (SELECT sum(x) s FROM generate_subscripts(m, 1) i, LATERAL unnest(m[i:i]) x GROUP BY i ORDER BY i) q)) FROM g, gm), 'row_sums(star) = SQL sums');
SELECT ok((SELECT pg_temp.near(col_sums(t), (SELECT array_agg(s) FROM (SELECT j, sum(m[i][j]) s FROM generate_subscripts(m, 1) i, generate_subscripts(m, 2) j GROUP BY j ORDER BY j) q)) FROM g, gm),
  'col_sums(star) = SQL sums');
SELECT ok((SELECT abs(sum(t) - (SELECT sum(x) FROM unnest(m) x)) < 1e-12 FROM g, gm), 'sum(star) = SQL sum');
SELECT ok((SELECT pg_temp.near(t %*% '{{1,0},{2,1},{3,0},{-1,2},{0.5,0},{2,2},{1,1},{0,3},{-2,1},{1,0}}'::float8[],
                      matmul(m, '{{1,0},{2,1},{3,0},{-1,2},{0.5,0},{2,2},{1,1},{0,3},{-2,1},{1,0}}')) FROM g, gm), 'LMM(star) = matmul(materialize)');
SELECT ok((SELECT pg_temp.near('{{1,2,3,4,5,6},{0,-1,0,1,0,2}}'::float8[] %*% t, matmul('{{1,2,3,4,5,6},{0,-1,0,1,0,2}}', m)) FROM g, gm), 'RMM(star) = matmul(materialize)');
SELECT ok((SELECT pg_temp.near(t(t) %*% '{{1},{2},{3},{4},{5},{6}}'::float8[], matmul(mat_transpose(m), '{{1},{2},{3},{4},{5},{6}}')) FROM g, gm), 'transposed LMM(star)');
SELECT ok((SELECT pg_temp.near('{{1,2,3,4,5,6,7,8,9,10}}'::float8[] %*% t(t), matmul('{{1,2,3,4,5,6,7,8,9,10}}', mat_transpose(m))) FROM g, gm), 'transposed RMM(star)');
SELECT ok((SELECT pg_temp.near(crossprod(t), matmul(mat_transpose(m), m)) FROM g, gm), 'crossprod(star) = m''m');
SELECT ok((SELECT pg_temp.near(tcrossprod(t), matmul(m, mat_transpose(m))) AND pg_temp.near(crossprod(t(t)), matmul(m, mat_transpose(m))) FROM g, gm), 'tcrossprod(star) = crossprod(t(star)) = m m''');
SELECT ok((SELECT pg_temp.near(ginv(t), mat_ginv(m)) AND pg_temp.near(ginv(t(t)), mat_ginv(mat_transpose(m))) FROM g, gm), 'ginv(star) and ginv(t(star)) = mat_ginv(materialize)');
SELECT ok((SELECT pg_temp.near(t %*% t(t), matmul(m, mat_transpose(m))) AND pg_temp.near(t(t) %*% t, matmul(mat_transpose(m), m)) FROM g, gm), 'nmatrix %*% nmatrix');
SELECT ok((SELECT pg_temp.near(materialize(t * 2.5), (SELECT array_agg(r ORDER BY i) FROM (SELECT i, array_agg(m[i][j] * 2.5 ORDER BY j) r FROM generate_subscripts(m, 1) i, generate_subscripts(m, 2) j GROUP BY i) q)) FROM g, gm), 't * 2.5 = SQL arithmetic');
-- Scalar ops and functions, compared element by element with SQL arithmetic on the materialized matrix.
CREATE TEMP TABLE ew AS SELECT op, materialize(v) AS got, want FROM g, gm, LATERAL (VALUES
  ('t + 1', t + 1, (SELECT array_agg(x + 1) FROM unnest(m) x)),
  ('1 + t', 1 + t, (SELECT array_agg(1 + x) FROM unnest(m) x)),
  ('t - 3', t - 3, (SELECT array_agg(x - 3) FROM unnest(m) x)),
  ('3 - t', 3 - t, (SELECT array_agg(3 - x) FROM unnest(m) x)),
  ('-2 * t', -2 * t, (SELECT array_agg(-2 * x) FROM unnest(m) x)),
  ('t / 4', t / 4, (SELECT array_agg(x / 4) FROM unnest(m) x)),
  ('t ^ 2', t ^ 2, (SELECT array_agg(x ^ 2) FROM unnest(m) x)),
  ('2 ^ t', 2 ^ t, (SELECT array_agg(2 ^ x) FROM unnest(m) x)),
  ('exp(t)', morpheus.exp(t), (SELECT array_agg(exp(x)) FROM unnest(m) x)),
  ('abs(t)', morpheus.abs(t), (SELECT array_agg(abs(x)) FROM unnest(m) x)),
  ('sin(t)', morpheus.sin(t), (SELECT array_agg(sin(x)) FROM unnest(m) x)),
  ('cos(t)', morpheus.cos(t), (SELECT array_agg(cos(x)) FROM unnest(m) x)),
  ('tanh(t)', morpheus.tanh(t), (SELECT array_agg(tanh(x)) FROM unnest(m) x)),
  ('sign(t)', morpheus.sign(t), (SELECT array_agg(sign(x)) FROM unnest(m) x)),
  ('square(t)', morpheus.square(t), (SELECT array_agg(x * x) FROM unnest(m) x)),
  ('sigmoid(t)', morpheus.sigmoid(t), (SELECT array_agg(1 / (1 + exp(-x))) FROM unnest(m) x)),
  ('log(exp(t))', morpheus.log(morpheus.exp(t)), (SELECT array_agg(x) FROM unnest(m) x)),
  ('sqrt(t^2)', morpheus.sqrt(t ^ 2), (SELECT array_agg(abs(x)) FROM unnest(m) x)),
  ('log1p(abs(t))', morpheus.log1p(morpheus.abs(t)), (SELECT array_agg(ln(1 + abs(x))) FROM unnest(m) x)),
  ('expm1(t)', morpheus.expm1(t), (SELECT array_agg(exp(x) - 1) FROM unnest(m) x)),
  ('tan(t / 10)', morpheus.tan(t / 10), (SELECT array_agg(tan(x / 10)) FROM unnest(m) x))) v(op, v, want);
SELECT is_empty($$ SELECT op FROM ew WHERE (SELECT max(abs(a - b) / (1 + abs(b))) FROM unnest(got, want) u(a, b)) > 1e-12
                     OR cardinality(got) <> 60 $$, 'scalar ops (both sides) and element-wise functions = SQL arithmetic');
SELECT is((SELECT count(*) FROM ew), 21::bigint, '21 scalar ops and functions checked');
SELECT ok((SELECT pg_temp.near(t * '{{1,2,3,4},{1,2,3,4},{1,2,3,4},{1,2,3,4},{1,2,3,4}}'::float8[], '{{1,4,3.3,8.8},{4,6,9.9,17.6},{5,12,9.9,17.6},{8,14,3.3,8.8},{9,2,9.9,17.6}}')
              AND pg_temp.near('{{1,1,1,1},{1,1,1,1},{1,1,1,1},{1,1,1,1},{1,1,1,1}}'::float8[] - t, '{{0,-1,-0.1,-1.2},{-3,-2,-2.3,-3.4},{-4,-5,-2.3,-3.4},{-7,-6,-0.1,-1.2},{-8,0,-2.3,-3.4}}') FROM f),
  'element-wise with a dense array, both sides');
SELECT ok((SELECT pg_temp.near(t(t) + mat_transpose(m), (SELECT mat_transpose(materialize(t * 2)))) FROM f), 'element-wise on a transposed nmatrix');

-- NULLs
SELECT ok(row_sums(NULL::nmatrix) IS NULL AND col_sums(NULL) IS NULL AND sum(NULL::nmatrix) IS NULL AND materialize(NULL) IS NULL
          AND crossprod(NULL) IS NULL AND ginv(NULL) IS NULL AND (NULL::nmatrix %*% '{{1}}'::float8[]) IS NULL AND (t(NULL) * 2) IS NULL, 'STRICT: NULL nmatrix gives NULL');
SELECT is((SELECT (t * NULL::float8) IS NULL AND (t %*% NULL::float8[]) IS NULL FROM f), true, 'NULL scalar or array gives NULL');
SELECT throws_ok($$ SELECT t %*% '{{1},{NULL},{3},{4}}'::float8[] FROM f $$, '22004', 'x[2][1] is NULL', 'NULL element in x');

-- bad inputs
SELECT throws_ok($$ SELECT t %*% '{{1},{2},{3}}'::float8[] FROM f $$, '22023',
  'nmatrix %*% x: nmatrix is 5x4 but x is 3x1', 'LMM shape mismatch');
SELECT throws_ok($$ SELECT '{{1,2,3,4}}'::float8[] %*% t FROM f $$, '22023',
  'x %*% nmatrix: x is 1x4 but nmatrix is 5x4', 'RMM shape mismatch');
SELECT throws_ok($$ SELECT t %*% t FROM f $$, '22023',
  'nmatrix %*% nmatrix: left is 5x4 but right is 5x4', 'mixing incompatible normalized matrices');
SELECT throws_ok($$ SELECT t + '{{1,2},{3,4}}'::float8[] FROM f $$, '22023',
  'nmatrix + float8[][]: nmatrix is 5x4 but the array is 2x2', 'element-wise shape mismatch');
SELECT throws_ok($$ SELECT t / 0 FROM f $$, '22003', 'nm_div_scalar: nmatrix / float8 produced a NaN or infinite value', 'division by zero');
SELECT throws_ok($$ SELECT morpheus.log(t - 100) FROM f $$, '22003', 'log(nmatrix) produced a NaN or infinite value', 'log of negative values');
SELECT throws_ok($$ SELECT t * 'NaN'::float8 FROM f $$, '22023', 'the scalar of nmatrix * float8 is not finite', 'NaN scalar');
SELECT throws_ok($$ SELECT materialize(nmatrix(n_rows => 3)) $$, '22023',
  'materialize of an nmatrix with no columns (3x0) has no array form', 'nmatrix without columns');

-- morpheus.factorize applies to the operators: with every table materialized (never; or the rule, since the star's
-- tuple ratios 6/4, 6/2, 6/3 are all below 5) each operator still equals the independent materialization
SET morpheus.factorize = 'never';
SELECT ok((SELECT pg_temp.near(crossprod(t), matmul(mat_transpose(m), m)) AND pg_temp.near(ginv(t), mat_ginv(m))
                  AND pg_temp.near(tcrossprod(t), matmul(m, mat_transpose(m))) FROM g, gm),
          'factorize = never: crossprod, ginv, tcrossprod = materialized');
SELECT ok((SELECT pg_temp.near(t %*% '{{1},{2},{3},{4},{5},{6},{7},{8},{9},{10}}'::float8[],
                               matmul(m, '{{1},{2},{3},{4},{5},{6},{7},{8},{9},{10}}'))
                  AND pg_temp.near('{{1,2,3,4,5,6}}'::float8[] %*% t, matmul('{{1,2,3,4,5,6}}', m))
                  AND pg_temp.near(row_sums(t), (SELECT array_agg(s ORDER BY i) FROM (SELECT i, sum(m[i][j]) s FROM generate_subscripts(m, 1) i, generate_subscripts(m, 2) j GROUP BY i) q))
                  AND abs(sum(t) - (SELECT sum(x) FROM unnest(m) x)) < 1e-12 FROM g, gm),
          'factorize = never: LMM, RMM, row_sums, sum = materialized');
SET morpheus.factorize = 'auto';
SET morpheus.plan_model = 'rule';
SELECT ok((SELECT pg_temp.near(col_sums(t), (SELECT array_agg(s ORDER BY j) FROM (SELECT j, sum(m[i][j]) s FROM generate_subscripts(m, 1) i, generate_subscripts(m, 2) j GROUP BY j) q))
                  AND pg_temp.near(crossprod(mn), '{{61,76,270},{76,96,360},{270,360,1900}}') FROM g, gm),
          'factorize = auto, rule: col_sums(star), crossprod(M:N) = materialized');
RESET morpheus.plan_model;
RESET morpheus.factorize;

-- ginv is written in 64-wide panels: tall (150 x 102, d < n) and wide (70 x 102, d >= n) values over several panels,
-- each also transposed, against mat_ginv of the materialized matrix
CREATE TEMP TABLE gp AS
  SELECT n, nm_join(nmatrix(s => (SELECT array_agg(ARRAY[sin(i), cos(i)]) FROM generate_series(1, n) i)),
                    (SELECT array_agg(1 + i % 40) FROM generate_series(1, n) i),
                    (SELECT array_agg(r ORDER BY i) FROM (SELECT i, array_agg(sin(i * j + 0.3) ORDER BY j) r
                       FROM generate_series(1, 40) i, generate_series(1, 100) j GROUP BY i) q)) AS t
  FROM (VALUES (150), (70)) v(n);
SELECT ok((SELECT pg_temp.near(ginv(t), mat_ginv(materialize(t))) AND pg_temp.near(ginv(t(t)), mat_ginv(materialize(t(t))))
           FROM gp WHERE n = 150), 'ginv of a tall value over two panels, and of its transpose');
SELECT ok((SELECT pg_temp.near(ginv(t), mat_ginv(materialize(t))) AND pg_temp.near(ginv(t(t)), mat_ginv(materialize(t(t))))
           FROM gp WHERE n = 70), 'ginv of a wide value over two panels, and of its transpose');
SELECT * FROM finish();
ROLLBACK;

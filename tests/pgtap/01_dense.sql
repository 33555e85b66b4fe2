-- Dense helpers: signatures, labels, results against independent SQL computations, NULLs and bad inputs.
BEGIN;
SELECT plan(43);

-- Independent reference: a product computed by SQL aggregation, element by element.
CREATE FUNCTION pg_temp.sql_matmul(a float8[], b float8[]) RETURNS float8[] LANGUAGE sql AS $$
  SELECT array_agg(r ORDER BY i) FROM (
    SELECT i, array_agg(s ORDER BY j) AS r FROM (
      SELECT i, j, sum(a[i][k] * b[k][j]) AS s
      FROM generate_series(1, array_length(a, 1)) i, generate_series(1, array_length(b, 2)) j,
           generate_series(1, array_length(a, 2)) k
      GROUP BY i, j) e GROUP BY i) rows_ $$;
CREATE FUNCTION pg_temp.max_abs_diff(a float8[], b float8[]) RETURNS float8 LANGUAGE sql AS $$
  SELECT max(abs(x - y)) FROM unnest(a, b) AS t(x, y) $$;
CREATE FUNCTION pg_temp.random_matrix(r int, c int, seed float8) RETURNS float8[] LANGUAGE sql AS $$
  SELECT array_agg(row_ ORDER BY i) FROM (
    -- fract(sin(.) * 43758.5453): a deterministic hash, full rank (a plain sin(i a + j b) matrix has rank 2)
    SELECT i, array_agg(8 * (h - floor(h)) - 4 ORDER BY j) AS row_
    FROM (SELECT i, j, sin(i * 12.9898 + j * 78.233 + seed) * 43758.5453 AS h
          FROM generate_series(1, r) i, generate_series(1, c) j) hashed GROUP BY i) t $$;

-- signatures and labels
SELECT has_function('morpheus', 'version', ARRAY[]::text[]);
SELECT function_returns('morpheus', 'version', ARRAY[]::text[], 'text');
SELECT has_function('morpheus', f, ARRAY['double precision[]', 'double precision[]'])
  FROM unnest(ARRAY['matmul', 'mat_solve']) f;
SELECT has_function('morpheus', f, ARRAY['double precision[]'])
  FROM unnest(ARRAY['mat_transpose', 'mat_ginv']) f;
-- products go through OpenBLAS, whose last bits depend on morpheus.blas_threads: STABLE (docs/security.md#labels)
SELECT volatility_is('morpheus', f, args, v, f || ' is ' || upper(v))
  FROM (VALUES ('matmul', ARRAY['double precision[]', 'double precision[]'], 'stable'),
               ('mat_solve', ARRAY['double precision[]', 'double precision[]'], 'stable'),
               ('mat_transpose', ARRAY['double precision[]'], 'immutable'), ('mat_ginv', ARRAY['double precision[]'], 'stable'),
               ('version', ARRAY[]::text[], 'immutable')) s(f, args, v);
SELECT is_strict('morpheus', f, args, f || ' is STRICT')
  FROM (VALUES ('matmul', ARRAY['double precision[]', 'double precision[]']),
               ('mat_solve', ARRAY['double precision[]', 'double precision[]']),
               ('mat_transpose', ARRAY['double precision[]']), ('mat_ginv', ARRAY['double precision[]'])) s(f, args);
SELECT is((SELECT array_agg(DISTINCT proparallel) FROM pg_proc
           WHERE pronamespace = 'morpheus'::regnamespace
             AND proname IN ('matmul', 'mat_transpose', 'mat_solve', 'mat_ginv', 'version')), ARRAY['s']::"char"[],
          'dense helpers are PARALLEL SAFE');

-- results: hand-computed
SELECT is(morpheus.matmul(a => '{{1,2,3},{4,5,6}}', b => '{{7,8},{9,10},{11,12}}'), '{{58,64},{139,154}}'::float8[],
          'matmul, hand-computed');
SELECT is(morpheus.mat_transpose(a => '{{1,2,3},{4,5,6}}'), '{{1,4},{2,5},{3,6}}'::float8[], 'transpose');
SELECT ok(pg_temp.max_abs_diff(morpheus.mat_solve(a => '{{2,1},{1,3}}', b => '{{5},{10}}'), '{{1},{3}}') < 1e-14,
          'mat_solve, hand-computed');
SELECT ok(pg_temp.max_abs_diff(morpheus.mat_ginv(a => '{{4,7},{2,6}}'), '{{0.6,-0.7},{-0.2,0.4}}') < 1e-14,
          'mat_ginv of a non-singular matrix is its inverse');
SELECT ok(pg_temp.max_abs_diff(morpheus.mat_ginv(a => '{{1,2},{2,4}}'), '{{0.04,0.08},{0.08,0.16}}') < 1e-14,
          'mat_ginv of rank-1 [1 2; 2 4] is itself / 25');
SELECT is(array_dims(morpheus.mat_ginv('{{1,2,3},{4,5,6}}')), '[1:3][1:2]', 'mat_ginv of 2x3 is 3x2');

-- results: against independent SQL arithmetic on random shapes
SELECT ok(pg_temp.max_abs_diff(morpheus.matmul(a, b), pg_temp.sql_matmul(a, b)) < 1e-12,
          format('matmul %sx%s by %sx%s equals SQL aggregation', r, k, k, c))
  FROM (VALUES (1, 1, 1), (3, 4, 2), (7, 5, 9), (1, 8, 1)) s(r, k, c),
       LATERAL (SELECT pg_temp.random_matrix(r, k, r + k) a, pg_temp.random_matrix(k, c, k * c) b) m;
SELECT ok(pg_temp.max_abs_diff(pg_temp.sql_matmul(a, morpheus.mat_solve(a, b)), b) < 1e-10,
          'a * mat_solve(a, b) = b (residual checked by SQL arithmetic)')
  FROM (SELECT pg_temp.random_matrix(6, 6, 3) a, pg_temp.random_matrix(6, 2, 9) b) m;
-- Penrose conditions (with the independently checked matmul): a g a = a and g a g = g
SELECT ok(pg_temp.max_abs_diff(pg_temp.sql_matmul(pg_temp.sql_matmul(a, g), a), a) < 1e-10
          AND pg_temp.max_abs_diff(pg_temp.sql_matmul(pg_temp.sql_matmul(g, a), g), g) < 1e-10,
          'mat_ginv satisfies the Penrose conditions on a 5x3 matrix')
  FROM (SELECT a, morpheus.mat_ginv(a) g FROM (SELECT pg_temp.random_matrix(5, 3, 1) a) x) m;

-- NULLs
SELECT is(morpheus.matmul(NULL, '{{1}}'), NULL, 'matmul(NULL, b) is NULL');
SELECT is(morpheus.mat_ginv(NULL), NULL, 'mat_ginv(NULL) is NULL');
SELECT throws_ok($$SELECT morpheus.matmul('{{1,NULL}}', '{{1},{2}}')$$, '22004', 'a[1][2] is NULL',
                 'NULL element is rejected, named');

-- bad inputs
SELECT throws_ok($$SELECT morpheus.matmul('{{1,2}}', '{{1,2}}')$$, '22023',
                 'cannot multiply a (1x2) by b (1x2)', 'shape mismatch');
SELECT throws_ok($$SELECT morpheus.matmul('{1,2}', '{{1},{2}}')$$, '22023',
                 'a must be a 2-D array (float8[][]) but has 1 dimension (2)', '1-D array rejected');
SELECT throws_ok($$SELECT morpheus.matmul('{{1}}', '{{{1}}}')$$, '22023',
                 'b must be a 2-D array (float8[][]) but has 3 dimensions (1x1x1)', '3-D array rejected');
SELECT throws_ok($$SELECT morpheus.mat_transpose('{}')$$, '22023', 'a is empty', 'empty array rejected');
SELECT throws_ok($$SELECT morpheus.matmul('{{NaN,1}}', '{{1},{2}}')$$, '22023', 'a[1][1] is NaN', 'NaN rejected');
SELECT throws_ok($$SELECT morpheus.mat_ginv('{{1,-Infinity}}')$$, '22023', 'a[1][2] is infinite',
                 'infinity rejected');
SELECT throws_ok($$SELECT morpheus.matmul('{{1e300}}', '{{1e300}}')$$, '22003', NULL, 'overflow is out of range');
SELECT throws_ok($$SELECT morpheus.mat_solve('{{1,2},{2,4}}', '{{1},{2}}')$$, '22023', NULL, 'singular system');
SELECT throws_ok($$SELECT morpheus.mat_solve('{{1,2,3},{4,5,6}}', '{{1},{2}}')$$, '22023',
                 'a must be square, but it is 2x3', 'non-square system');
SELECT throws_ok($$SELECT morpheus.mat_solve('{{1,0},{0,1}}', '{{1},{2},{3}}')$$, '22023',
                 'a has 2 rows but b has 3', 'b rows mismatch');
SELECT throws_ok($$SELECT morpheus.matmul(array_fill(1::float8, ARRAY[20000, 1]), array_fill(1::float8, ARRAY[1, 20000]))$$,
                 '54000', NULL, 'a result over the 1 GB value limit is refused before allocation');

-- transposition keeps NaN (it is meaningful there) but still rejects NULLs
SELECT ok((morpheus.mat_transpose('{{NaN,1}}'))[1][1] = 'NaN'::float8, 'transpose keeps NaN');
SELECT * FROM finish();
ROLLBACK;

-- Pseudo-inverse on collinear data and cancel inside decompositions (issue 12, items 3 and 4).
-- Item 3: mat_ginv of the constant 1000 x 1000 matrix, ginv of an nmatrix holding it, linreg (normal equations) on
-- 1000 identical columns and linreg_agg on 1000-wide constant rows crashed the server in 0.1.0 (Eigen 3.4's BDCSVD
-- indexes out of bounds when most singular values deflate) and raised a false "overflowed" at 500-600. Results are
-- checked against closed forms: ginv(c 1 1') = 1 1' / (c m n), and the minimum-norm least-squares solution of
-- y = 3 on k identical columns puts 3 / k on each.
-- Item 4: a cancel (statement_timeout) stops a decomposition within a fraction of a second (0.1.0: 19 s for a
-- 2500 x 2500 mat_ginv against a 1 s timeout).
BEGIN;
SELECT plan(15);
SET LOCAL search_path = morpheus, public;

SELECT cmp_ok((SELECT max(abs(v - 1e-6)) FROM unnest(mat_ginv(array_fill(1.0::float8, ARRAY[1000, 1000]))) v), '<', 1e-18::float8,
              'mat_ginv of the 1000 x 1000 matrix of ones is 1 1'' / 1e6 (was a crash)');
SELECT cmp_ok((SELECT max(abs(v - 1.0 / (2.0 * 500 * 600))) FROM unnest(mat_ginv(array_fill(2.0::float8, ARRAY[500, 600]))) v), '<',
              1e-18::float8, 'mat_ginv of a constant 500 x 600 matrix (was a false overflow error)');
SELECT cmp_ok((SELECT max(abs(v - 1e-6)) FROM unnest(ginv(nmatrix(s => array_fill(1.0::float8, ARRAY[1000, 1000])))) v), '<',
              1e-18::float8, 'ginv of an nmatrix holding it (was a crash)');
SELECT cmp_ok((SELECT max(abs(c - 0.003)) FROM linreg(array_fill(1.0::float8, ARRAY[1200, 1000]), array_fill(3.0::float8, ARRAY[1200])),
                      unnest(coefficients) c), '<', 1e-12::float8,
              'linreg normal equations on 1000 identical columns: the minimum-norm solution 3/1000 each (was a crash)');
SELECT cmp_ok((SELECT max(abs(c - 0.003)) FROM unnest((SELECT linreg_agg(array_fill(1.0::float8, ARRAY[1000]), 3.0)
                                                        FROM generate_series(1, 200))) c), '<', 1e-12::float8,
              'linreg_agg on 1000-wide constant rows (was a crash)');

-- Collinear regression data: intercept, a one-hot group summing to it, duplicated columns. The fitted values equal
-- those of the full-rank model (intercept, 2 group indicators, z) computed by mat_solve on its normal equations, and
-- the coefficients satisfy the Penrose-based minimum-norm property: they lie in the row space of X (X^+ X w = w).
CREATE TEMP TABLE reg AS
  SELECT i, 1.0::float8 AS one, (i % 3 = 0)::int::float8 AS g0, (i % 3 = 1)::int::float8 AS g1, (i % 3 = 2)::int::float8 AS g2,
         sin(i)::float8 AS z, (2 + 3 * (i % 3 = 1)::int - (i % 3 = 2)::int + 0.5 * sin(i) + 0.01 * cos(7 * i))::float8 AS y
  FROM generate_series(1, 60) i;
CREATE TEMP TABLE fit AS
  SELECT (SELECT coefficients FROM linreg((SELECT array_agg(ARRAY[one, g0, g1, g2, z, z] ORDER BY i) FROM reg),
                                          (SELECT array_agg(y ORDER BY i) FROM reg))) AS w,
         (SELECT array_agg(ARRAY[one, g0, g1, g2, z, z] ORDER BY i) FROM reg) AS x,
         (SELECT array_agg(ARRAY[one, g1, g2, z] ORDER BY i) FROM reg) AS xr,
         (SELECT array_agg(ARRAY[y] ORDER BY i) FROM reg) AS yc;
SELECT cmp_ok((SELECT max(abs(a - b)) FROM fit,
                      unnest(matmul(x, (SELECT array_agg(ARRAY[c]) FROM unnest(w) c)),
                             matmul(xr, mat_solve(matmul(mat_transpose(xr), xr), matmul(mat_transpose(xr), yc)))) AS u(a, b)),
              '<', 1e-9::float8, 'collinear regression: fitted values equal the full-rank model''s (mat_solve)');
SELECT cmp_ok((SELECT max(abs(a - b)) FROM fit,
                      unnest(matmul(matmul(mat_ginv(x), x), (SELECT array_agg(ARRAY[c]) FROM unnest(w) c)), w) AS u(a, b)),
              '<', 1e-9::float8, 'collinear regression: the coefficients are the minimum-norm solution (in the row space)');
SELECT cmp_ok((SELECT abs(w[5] - w[6]) FROM fit), '<', 1e-12::float8, 'duplicated columns get equal coefficients');
-- Penrose conditions of mat_ginv on the collinear design.
CREATE TEMP TABLE pen AS SELECT x, mat_ginv(x) AS g FROM fit;
SELECT cmp_ok((SELECT max(abs(a - b)) FROM pen, unnest(matmul(matmul(x, g), x), x) u(a, b)), '<', 1e-10::float8, 'Penrose: X G X = X');
SELECT cmp_ok((SELECT max(abs(a - b)) FROM pen, unnest(matmul(matmul(g, x), g), g) u(a, b)), '<', 1e-10::float8, 'Penrose: G X G = G');
SELECT cmp_ok((SELECT max(abs(a - b)) FROM pen, unnest(matmul(x, g), mat_transpose(matmul(x, g))) u(a, b)), '<', 1e-10::float8,
              'Penrose: X G symmetric');
SELECT cmp_ok((SELECT max(abs(a - b)) FROM pen, unnest(matmul(g, x), mat_transpose(matmul(g, x))) u(a, b)), '<', 1e-10::float8,
              'Penrose: G X symmetric');

-- Cancel: a statement_timeout of 100 ms lands inside the factorization of a 1500 x 1500 matrix (0.1.0 ran the SVD
-- to its end, several seconds). The matrix is a product of 1500 x 40 and 40 x 1500 random factors (rank 40), so it
-- takes the full blocked QR and then the rank-revealing path.
CREATE TEMP TABLE big AS
  SELECT matmul((SELECT array_agg(r ORDER BY i) FROM (SELECT i, array_agg(random() ORDER BY j) r FROM generate_series(1, 1500) i,
                                                    generate_series(1, 40) j GROUP BY i) a),
                (SELECT array_agg(r ORDER BY i) FROM (SELECT i, array_agg(random() ORDER BY j) r FROM generate_series(1, 40) i,
                                                    generate_series(1, 1500) j GROUP BY i) b)) AS a;
CREATE FUNCTION pg_temp.cancel_ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  EXECUTE q;
  RETURN -1;  -- finished before the timeout
EXCEPTION WHEN query_canceled THEN
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;
SET LOCAL statement_timeout = '100ms';
SELECT pg_temp.cancel_ms('SELECT mat_ginv(a) FROM big') AS ginv_ms \gset
SET LOCAL statement_timeout = '100ms';
SELECT pg_temp.cancel_ms('SELECT mat_solve(a, a) FROM big') AS solve_ms \gset
SET LOCAL statement_timeout = 0;
SELECT cmp_ok(:ginv_ms::float8, '>', 0::float8, 'mat_ginv of 1500 x 1500 was canceled by a 100 ms statement_timeout');
SELECT cmp_ok(:ginv_ms::float8, '<', 600::float8, 'and stopped within 500 ms of it (0.1.0: seconds)');
SELECT ok(:solve_ms::float8 < 600, 'mat_solve of 1500 x 1500 finished or stopped within 500 ms of a 100 ms timeout');

SELECT * FROM finish();
ROLLBACK;

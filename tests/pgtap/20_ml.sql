-- ML algorithms on dense float8[][] input: signatures, labels, results against independent SQL computations,
-- NULLs and bad inputs.
BEGIN;
SELECT plan(35);

SELECT has_function('morpheus', f, args)
  FROM (VALUES ('linreg', ARRAY['double precision[]', 'double precision[]', 'text', 'integer', 'double precision', 'double precision', 'double precision']),
               ('logreg', ARRAY['double precision[]', 'double precision[]', 'text', 'integer', 'double precision', 'double precision', 'double precision']),
               ('kmeans', ARRAY['double precision[]', 'integer', 'integer', 'integer']),
               ('gnmf', ARRAY['double precision[]', 'integer', 'integer', 'integer', 'double precision'])) s(f, args);
SELECT is((SELECT array_agg(DISTINCT provolatile::text || proparallel::text || proisstrict::text) FROM pg_proc
           WHERE pronamespace = 'morpheus'::regnamespace AND proname IN ('linreg', 'logreg', 'kmeans', 'gnmf')
             AND proargtypes[0] = 'float8[]'::regtype),
          ARRAY['ssfalse'], 'ML functions on float8[][] are STABLE (their BLAS products depend on morpheus.blas_threads), PARALLEL SAFE, not STRICT (NULL defaults mean automatic)');

-- linreg on y = b0 + b1 t against PostgreSQL's own regression aggregates
CREATE TEMP TABLE pts AS SELECT t::float8 AS t, 1 + 2 * t + sin(t * 7) AS y FROM generate_series(0, 19) t;
CREATE TEMP TABLE lin AS SELECT array_agg(ARRAY[1, t] ORDER BY t) AS x, array_agg(y ORDER BY t) AS y FROM pts;
SELECT ok(abs(coefficients[1] - (SELECT regr_intercept(y, t) FROM pts)) < 1e-10
          AND abs(coefficients[2] - (SELECT regr_slope(y, t) FROM pts)) < 1e-10,
          'linreg normal equals regr_intercept / regr_slope')
  FROM lin, morpheus.linreg(x => lin.x, y => lin.y);
SELECT ok(abs(l.coefficients[1] - (SELECT regr_intercept(y, t) FROM pts)) < 1e-6
          AND abs(l.coefficients[2] - (SELECT regr_slope(y, t) FROM pts)) < 1e-6,
          'linreg gd converges to the same coefficients')
  FROM lin, morpheus.linreg(x => lin.x, y => lin.y, method => 'gd', max_iterations => 20000, tolerance => 1e-12) l;
SELECT ok((SELECT bool_and(a >= b - 1e-12) FROM unnest(l.loss[1:array_length(l.loss, 1) - 1], l.loss[2:]) u(a, b)),
          'linreg gd loss never increases')
  FROM lin, morpheus.linreg(x => lin.x, y => lin.y, method => 'gd', max_iterations => 50) l;
SELECT is(array_length(l.loss, 1), l.iterations, 'one loss per iteration')
  FROM lin, morpheus.linreg(x => lin.x, y => lin.y, method => 'gd', max_iterations => 50) l;

-- logreg: the gradient of the regularized logistic loss, computed by SQL at the returned weights, vanishes
CREATE TEMP TABLE cls AS
  SELECT i, ARRAY[1, i / 10.0]::float8[] AS xi, CASE WHEN i % 3 = 0 OR i > 12 THEN 1 ELSE 0 END::float8 AS yi
  FROM generate_series(1, 20) i;
CREATE TEMP TABLE lr AS
  SELECT l.* FROM (SELECT array_agg(xi ORDER BY i) x, array_agg(yi ORDER BY i) y FROM cls) d,
                  morpheus.logreg(x => d.x, y => d.y, l2 => 0.01, tolerance => 1e-12, max_iterations => 200) l;
SELECT ok((SELECT max(abs(g)) FROM (
             SELECT j, avg(-(2 * yi - 1) * xi[j] / (1 + exp((2 * yi - 1) * (xi[1] * w[1] + xi[2] * w[2]))))
                       + 0.01 * w[j] AS g
             FROM cls, (SELECT coefficients w FROM lr) m, generate_series(1, 2) j GROUP BY j, w) s) < 1e-7,
          'logreg: SQL-computed gradient at the solution is zero');
SELECT ok(iterations < 50, 'L-BFGS converges in few passes') FROM lr;
SELECT ok(abs(l.coefficients[1] - (SELECT coefficients[1] FROM lr)) < 1e-5, 'logreg gd reaches the same optimum')
  FROM (SELECT array_agg(xi ORDER BY i) x, array_agg(yi ORDER BY i) y FROM cls) d,
       morpheus.logreg(x => d.x, y => d.y, method => 'gd', l2 => 0.01, tolerance => 1e-10, max_iterations => 100000) l;
SELECT is((SELECT coefficients FROM lr),
          (SELECT coefficients FROM (SELECT array_agg(xi ORDER BY i) x, array_agg(2 * yi - 1 ORDER BY i) y FROM cls) d,
                  morpheus.logreg(x => d.x, y => d.y, l2 => 0.01, tolerance => 1e-12, max_iterations => 200)),
          'labels 0/1 and -1/+1 give the same model');

-- kmeans: two obvious clusters
CREATE TEMP TABLE km AS SELECT * FROM morpheus.kmeans(x => '{{0},{0.1},{0.2},{10},{10.1},{10.2}}'::float8[], k => 2, seed => 3);
SELECT ok((SELECT array_agg(round(c::numeric, 12) ORDER BY c) FROM unnest(centers) c) = ARRAY[0.1, 10.1],
          'kmeans centers are the cluster means') FROM km;
SELECT ok(assignment[1] = assignment[2] AND assignment[2] = assignment[3] AND assignment[4] = assignment[5]
          AND assignment[5] = assignment[6] AND assignment[1] <> assignment[4], 'kmeans assignments') FROM km;
SELECT ok(abs(loss[array_length(loss, 1)] - 0.04) < 1e-12, 'kmeans final loss = sum of squared distances') FROM km;
SELECT is((SELECT assignment FROM morpheus.kmeans(x => '{{0},{0.1},{0.2},{10},{10.1},{10.2}}'::float8[], k => 2, seed => 3)),
          (SELECT assignment FROM km), 'kmeans is reproducible for a seed');

-- gnmf: loss equals |x - w h'|^2 computed with SQL, and never increases
CREATE TEMP TABLE nx AS SELECT '{{1,2,0.5},{0.3,1,2},{2,0.1,1},{1,1,1}}'::float8[] AS x;
CREATE TEMP TABLE nm AS SELECT g.* FROM nx, morpheus.gnmf(x => nx.x, rank => 2, max_iterations => 80, seed => 5, tolerance => 0) g;
SELECT ok(abs(loss[80] - (SELECT sum((x[i][j] - p[i][j]) ^ 2) FROM nx, generate_series(1, 4) i, generate_series(1, 3) j,
                           (SELECT morpheus.matmul(w, morpheus.mat_transpose(h)) p FROM nm) pp)) < 1e-9,
          'gnmf loss equals the SQL-computed residual') FROM nm;
SELECT ok((SELECT bool_and(a >= b - 1e-12 * a) FROM unnest(loss[1:79], loss[2:80]) u(a, b)), 'gnmf loss never increases') FROM nm;
SELECT ok((SELECT min(v) FROM unnest(w) v) >= 0 AND (SELECT min(v) FROM unnest(h) v) >= 0, 'gnmf factors are non-negative') FROM nm;
SELECT is(array_dims(w) || array_dims(h), '[1:4][1:2][1:3][1:2]', 'gnmf factor shapes') FROM nm;

-- NULLs and bad input
SELECT throws_ok($$SELECT * FROM morpheus.linreg(x => NULL::float8[], y => '{1}')$$, '22004', 'x must not be NULL', 'NULL x');
SELECT throws_ok($$SELECT * FROM morpheus.linreg(x => '{{1},{2}}'::float8[], y => NULL)$$, '22004', 'y must not be NULL', 'NULL y');
SELECT throws_ok($$SELECT * FROM morpheus.linreg(x => '{{1},{2}}'::float8[], y => '{1,2,3}')$$, '22023',
                 'y has 3 elements but x has 2 rows', 'y length mismatch');
SELECT throws_ok($$SELECT * FROM morpheus.linreg(x => '{{1},{2}}'::float8[], y => '{1,2}', method => 'qr')$$, '22023',
                 'unknown method "qr"', 'unknown linreg method');
SELECT throws_ok($$SELECT * FROM morpheus.linreg(x => '{{1},{2}}'::float8[], y => '{1,NaN}')$$, '22023', 'y[2] is NaN', 'NaN target');
SELECT throws_ok($$SELECT * FROM morpheus.logreg(x => '{{1},{2}}'::float8[], y => '{1,NaN}')$$, '22023',
                 'y is nan in row 2, not a finite number', 'NaN label');
SELECT throws_ok($$SELECT * FROM morpheus.logreg(x => '{{1},{2}}'::float8[], y => '{1,2}')$$, '22023',
                 'y is 2 in row 2, not a binary label', 'label out of range');
SELECT throws_ok($$SELECT * FROM morpheus.logreg(x => '{{1},{2}}'::float8[], y => '{1,0}', method => 'newton')$$, '22023',
                 'unknown method "newton"', 'unknown logreg method');
SELECT throws_ok($$SELECT * FROM morpheus.kmeans(x => '{{1},{2}}'::float8[], k => 3)$$, '22023',
                 'k = 3 but x has only 2 rows', 'k > rows');
SELECT throws_ok($$SELECT * FROM morpheus.kmeans(x => '{{1},{2}}'::float8[], k => 0)$$, '22023', 'k must be at least 1, got 0', 'k <= 0');
SELECT throws_ok($$SELECT * FROM morpheus.gnmf(x => '{{1},{2}}'::float8[], rank => 0)$$, '22023', 'rank must be at least 1, got 0',
                 'rank <= 0');
SELECT throws_ok($$SELECT * FROM morpheus.gnmf(x => '{{1},{-2}}'::float8[], rank => 1)$$, '22023', 'x has a negative entry (-2)',
                 'negative data for NMF');
SELECT throws_ok($$SELECT * FROM morpheus.kmeans(x => '{{1},{2}}'::float8[], k => 1, max_iterations => 0)$$, '22023',
                 'max_iterations must be at least 1, got 0', 'max_iterations <= 0');
SELECT throws_ok($$SELECT * FROM morpheus.linreg(x => '{{1},{2}}'::float8[], y => '{1,2}', l2 => -1)$$, '22023',
                 'l2 must be non-negative, got -1', 'negative l2');

SELECT * FROM finish();
ROLLBACK;

-- Aggregates over rows: results against independent SQL computations, serial = parallel (and the planner does run
-- them in parallel), partial states merge associatively, NULLs and bad inputs.
BEGIN;
SELECT plan(21);

CREATE TABLE agg_rows AS
  SELECT i, ARRAY[1, sin(i), cos(i * 0.3), (i % 7) / 7.0]::float8[] AS x, (sin(i * 0.1) + (i % 5) / 5.0)::float8 AS y,
         (CASE WHEN sin(i * 0.7) > 0 THEN 1 ELSE 0 END)::float8 AS label, (i % 4)::float8 AS cnt
  FROM generate_series(1, 20000) i;
ANALYZE agg_rows;
CREATE FUNCTION pg_temp.maxdiff(a float8[], b float8[]) RETURNS float8 LANGUAGE sql AS $$
  SELECT max(abs(p - q)) / (1 + max(abs(q))) FROM unnest(a, b) u(p, q) $$;

SELECT has_function('morpheus', 'crossprod_agg', ARRAY['double precision[]']);
SELECT is((SELECT bool_and(a.aggcombinefn <> 0 AND p.proparallel = 's') FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
           WHERE p.pronamespace = 'morpheus'::regnamespace), true, 'every aggregate has a combine function and is PARALLEL SAFE');

-- results against SQL arithmetic
SELECT ok(pg_temp.maxdiff(morpheus.crossprod_agg(x),
            (SELECT array_agg(r ORDER BY j) FROM (SELECT j, array_agg(s ORDER BY k) r FROM (
               SELECT j, k, sum(x[j] * x[k]) s FROM agg_rows, generate_series(1, 4) j, generate_series(1, 4) k GROUP BY j, k) e GROUP BY j) t)) < 1e-12,
          'crossprod_agg = SQL sums of x_j x_k') FROM agg_rows;
SELECT ok(pg_temp.maxdiff(morpheus.col_sums_agg(x), (SELECT array_agg(s ORDER BY j) FROM (SELECT j, sum(x[j]) s FROM agg_rows, generate_series(1, 4) j GROUP BY j) t)) < 1e-12,
          'col_sums_agg = SQL column sums') FROM agg_rows;
SELECT ok(pg_temp.maxdiff(morpheus.xty_agg(x, y), (SELECT array_agg(s ORDER BY j) FROM (SELECT j, sum(x[j] * y) s FROM agg_rows, generate_series(1, 4) j GROUP BY j) t)) < 1e-12,
          'xty_agg = SQL sums of x_j y') FROM agg_rows;
SELECT ok(pg_temp.maxdiff(morpheus.linreg_agg(x, y), (SELECT coefficients FROM morpheus.linreg(
            x => (SELECT array_agg(x ORDER BY i) FROM agg_rows), y => (SELECT array_agg(y ORDER BY i) FROM agg_rows)))) < 1e-9,
          'linreg_agg = linreg on the whole matrix') FROM agg_rows;
SELECT ok(pg_temp.maxdiff(morpheus.glm_gradient_agg(x, label, '{0.1,-0.2,0.3,0.05}', 'logistic'),
            (SELECT array_agg(g ORDER BY j) FROM (SELECT j, avg(-(2 * label - 1) * x[j] /
               (1 + exp((2 * label - 1) * (x[1] * 0.1 - x[2] * 0.2 + x[3] * 0.3 + x[4] * 0.05)))) g
             FROM agg_rows, generate_series(1, 4) j GROUP BY j) t)) < 1e-12,
          'glm_gradient_agg logistic = SQL formula') FROM agg_rows;
SELECT ok(pg_temp.maxdiff(morpheus.glm_gradient_agg(x, cnt, '{0.1,-0.2,0.3,0.05}', 'poisson'),
            (SELECT array_agg(g ORDER BY j) FROM (SELECT j, avg((exp(x[1] * 0.1 - x[2] * 0.2 + x[3] * 0.3 + x[4] * 0.05) - cnt) * x[j]) g
             FROM agg_rows, generate_series(1, 4) j GROUP BY j) t)) < 1e-12,
          'glm_gradient_agg poisson = SQL formula') FROM agg_rows;
SELECT ok(abs(morpheus.glm_loss_agg(x, y, '{0.1,-0.2,0.3,0.05}', 'least_squares')
              - (SELECT avg(0.5 * (x[1] * 0.1 - x[2] * 0.2 + x[3] * 0.3 + x[4] * 0.05 - y) ^ 2) FROM agg_rows)) < 1e-12,
          'glm_loss_agg least_squares = SQL mean of half squared errors') FROM agg_rows;

-- serial versus parallel
CREATE TEMP TABLE serial_ AS
  SELECT morpheus.crossprod_agg(x) c, morpheus.linreg_agg(x, y) l, morpheus.glm_gradient_agg(x, label, '{0.1,-0.2,0.3,0.05}', 'logistic') g FROM agg_rows;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
CREATE FUNCTION pg_temp.plan_text(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; o text := '';
BEGIN
  FOR r IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP o := o || r || E'\n'; END LOOP;
  RETURN o;
END $$;
SELECT matches(pg_temp.plan_text('SELECT morpheus.crossprod_agg(x), morpheus.linreg_agg(x, y) FROM agg_rows'),
               'Finalize Aggregate.*Gather.*Workers Launched: [1-9].*Partial Aggregate.*Parallel Seq Scan',
               'EXPLAIN: partial aggregates in parallel workers, finalized after Gather');
SELECT ok(pg_temp.maxdiff(p.c, s.c) < 1e-12 AND pg_temp.maxdiff(p.l, s.l) < 1e-9 AND pg_temp.maxdiff(p.g, s.g) < 1e-12,
          'parallel results equal serial results')
  FROM serial_ s, (SELECT morpheus.crossprod_agg(x) c, morpheus.linreg_agg(x, y) l,
                          morpheus.glm_gradient_agg(x, label, '{0.1,-0.2,0.3,0.05}', 'logistic') g FROM agg_rows) p;
RESET max_parallel_workers_per_gather;

-- NULLs and empty input
SELECT is((SELECT morpheus.crossprod_agg(x) FROM agg_rows WHERE false), NULL, 'no rows: NULL');
SELECT is((SELECT morpheus.col_sums_agg(x) FROM (VALUES ('{1,2}'::float8[]), (NULL), ('{3,4}')) v(x)), '{4,6}'::float8[],
          'NULL rows are skipped');
SELECT throws_ok($$SELECT morpheus.col_sums_agg(x) FROM (VALUES ('{1,NULL}'::float8[])) v(x)$$, '22004', 'x[2] is NULL',
                 'NULL element rejected');

-- bad input
SELECT throws_ok($$SELECT morpheus.crossprod_agg(x) FROM (VALUES ('{1,2}'::float8[]), ('{1,2,3}')) v(x)$$, '22023',
                 'x has 3 elements but earlier rows had 2', 'rows of different widths');
SELECT throws_ok($$SELECT morpheus.glm_gradient_agg(x, 2, '{0,0}', 'logistic') FROM (VALUES ('{1,2}'::float8[])) v(x)$$,
                 '22023', 'y is 2, not a binary label', 'logistic label out of range');
SELECT is(morpheus.glm_gradient_agg(x, y, '{0.3,-0.1}', 'logistic'), morpheus.glm_gradient_agg(x, (y + 1) / 2, '{0.3,-0.1}', 'logistic'),
          'logistic labels -1/+1 and 0/1 give the same gradient')
  FROM (VALUES ('{1,2}'::float8[], -1::float8), ('{0.5,-1}', 1), ('{2,0}', 1)) v(x, y);
SELECT throws_ok($$SELECT morpheus.glm_gradient_agg(x, 1, '{0,0}', 'linear') FROM (VALUES ('{1,2}'::float8[])) v(x)$$,
                 '22023', 'unknown family "linear"', 'unknown family (0.1.0 called least squares linear)');
SELECT throws_ok($$SELECT morpheus.glm_gradient_agg(x, 1, '{0}', 'least_squares') FROM (VALUES ('{1,2}'::float8[])) v(x)$$,
                 '22023', 'w has 1 elements but x has 2', 'weights of the wrong length');
SELECT throws_ok($$SELECT morpheus.xty_agg(x, 'NaN') FROM (VALUES ('{1,2}'::float8[])) v(x)$$, '22023', 'y is NaN', 'NaN target');
SELECT throws_ok($$SELECT morpheus._state_combine('{}', '{}')$$, '22023',
                 'morpheus._state_combine is an aggregate support function and cannot be called directly',
                 'support functions refuse to run outside an aggregate (22023, not XX000)');

SELECT * FROM finish();
ROLLBACK;

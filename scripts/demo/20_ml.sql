-- morpheus demo, part 2: ML algorithms written once over an abstract matrix (here on a dense float8[][]).
\echo '--- linear regression: normal equations and gradient descent agree'
WITH pts AS (SELECT t::float8 AS t, 1 + 2 * t + sin(t * 7) AS y FROM generate_series(0, 19) t),
     d AS (SELECT array_agg(ARRAY[1, t] ORDER BY t) x, array_agg(y ORDER BY t) y FROM pts)
SELECT m.method, l.coefficients::numeric(8,5)[] AS coefficients, l.iterations
FROM d, (VALUES ('normal'), ('gd')) m(method),
     morpheus.linreg(x => d.x, y => d.y, method => m.method, max_iterations => 20000, tolerance => 1e-12) l;

\echo '--- logistic regression by L-BFGS: loss per iteration'
WITH d AS (SELECT array_agg(ARRAY[1, i / 10.0]::float8[] ORDER BY i) x,
                  array_agg(CASE WHEN i % 3 = 0 OR i > 12 THEN 1 ELSE 0 END::float8 ORDER BY i) y
           FROM generate_series(1, 20) i)
SELECT it AS iteration, round(v::numeric, 6) AS loss
FROM d, morpheus.logreg(x => d.x, y => d.y, l2 => 0.01) l, unnest(l.loss) WITH ORDINALITY u(v, it)
WHERE it <= 5 OR it = array_length(l.loss, 1);

\echo '--- k-means with k-means++ seeding'
SELECT centers::numeric(6,3)[], assignment, iterations
FROM morpheus.kmeans(x => '{{0,0},{0.1,0.2},{0.2,0.1},{5,5},{5.1,4.9},{4.8,5.2}}'::float8[], k => 2, seed => 7);

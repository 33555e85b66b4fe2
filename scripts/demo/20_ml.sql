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

\echo '--- a factorized model trained from tables: 20000 orders -> 40 products with 40 features (TR 500, FR 20), no join built'
CREATE TEMP TABLE demo_products(product_id int PRIMARY KEY, features float8[]);
INSERT INTO demo_products SELECT p, ARRAY(SELECT sin(p * k) / k FROM generate_series(1, 40) k)::float8[]
FROM generate_series(1, 40) p;
CREATE TEMP TABLE demo_orders(order_id int PRIMARY KEY, quantity float8, discount float8, product_id int, returned float8);
INSERT INTO demo_orders SELECT i, 1 + i % 4, (i % 10) / 10.0, 1 + (i * 13) % 40, 0 FROM generate_series(1, 20000) i;
UPDATE demo_orders o SET returned = (sin(o.order_id * 0.37) + 2 * p.features[1] + 0.5 * o.discount - 0.2 * o.quantity > 0)::int
FROM demo_products p WHERE p.product_id = o.product_id;
CREATE TEMP TABLE demo_x AS SELECT morpheus.nmatrix_from_sql(
  source => 'SELECT quantity, discount, product_id FROM demo_orders ORDER BY order_id',
  features => '{quantity,discount}', attributes => '{demo_products}', foreign_keys => '{product_id}',
  attribute_keys => '{product_id}') AS t,
  (SELECT array_agg(returned ORDER BY order_id) FROM demo_orders) AS y;
SELECT attribute_table, tuple_ratio, feature_ratio, round(factorized_cost_ms::numeric, 3) AS factorized_ms,
       round(materialized_cost_ms::numeric, 3) AS materialized_ms, rule_factorize, cost_factorize, decision
FROM demo_x, morpheus.explain(t => demo_x.t, operation => 'logreg');
\timing on
SELECT 'factorized' AS plan, l.coefficients[1:4]::numeric(8,4)[] AS first_coefficients, l.iterations, l.loss[l.iterations]::numeric(10,8) AS loss
FROM demo_x, morpheus.logreg(t => demo_x.t, y => demo_x.y, l2 => 0.001) l;
SELECT 'materialized' AS plan, l.coefficients[1:4]::numeric(8,4)[] AS first_coefficients, l.iterations, l.loss[l.iterations]::numeric(10,8) AS loss
FROM demo_x, morpheus.logreg(x => morpheus.materialize(demo_x.t), y => demo_x.y, l2 => 0.001) l;
\timing off

\echo '--- the same model from the tables, by name: no array to keep in order, a model to keep and score'
SELECT (m).converged, (m).iterations, round(((m).statistics->>'accuracy')::numeric, 4) AS accuracy,
       (m).features[1:4] AS first_features
FROM (SELECT morpheus.logreg_train('demo_orders', label => 'returned', features => '{quantity,discount}',
                                   intercept => false, attributes => '{demo_products}',
                                   foreign_keys => '{product_id}', attribute_keys => '{product_id}', l2 => 0.001,
                                   model_name => 'demo_returns') AS m) s;
SELECT class, count(*) FROM morpheus.predict(morpheus.load_model('demo_returns'), 'demo_orders') GROUP BY class ORDER BY class;
SELECT morpheus.drop_model('demo_returns');

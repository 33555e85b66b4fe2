-- Models: every trainer on a table name, a query and normalized data; predict round trips; fit statistics against
-- PostgreSQL's own regression aggregates and SQL arithmetic; the misalignment scenario of issue 13; saving under a
-- name (row-level security per role); and every bad input of the surface with its SQLSTATE.
BEGIN;
SELECT plan(107);
SET LOCAL search_path = public, morpheus;

-- a star schema: 60 orders -> 10 customers (integer key id), 4 products (text key code)
CREATE TEMP TABLE customers AS
  SELECT id, (20 + 3 * id + 5 * sin(id))::float8 AS age, (30 + 7 * cos(id * 1.3))::float8 AS income, id % 3 = 0 AS vip
  FROM generate_series(1, 10) id;
CREATE TEMP TABLE products AS
  SELECT 'p' || k AS code, (0.5 + k * 0.7)::float8 AS weight, (2 + 3 * abs(sin(k * 2.3)))::float8 AS price
  FROM generate_series(1, 4) k;
CREATE TEMP TABLE orders AS
  SELECT i AS order_id, 1 + (i * 7) % 10 AS customer_id, 'p' || (1 + i % 4) AS product, (1 + i % 5)::float8 AS qty,
         i % 4 = 0 AS discount
  FROM generate_series(1, 60) i;
ALTER TABLE orders ADD COLUMN amount float8, ADD COLUMN returned int;
UPDATE orders o SET amount = 2 + 1.5 * o.qty - 0.3 * c.age + 0.1 * c.income + 2 * p.price + 0.5 * sin(o.order_id * 2.1)
                             - CASE WHEN o.discount THEN 1 ELSE 0 END,
                    returned = (sin(o.order_id * 1.7) + 0.4 * o.qty - 0.02 * c.age > 0)::int
  FROM customers c, products p WHERE c.id = o.customer_id AND p.code = o.product;
CREATE TEMP VIEW joined AS
  SELECT o.*, c.age, c.income, c.vip::int::float8 AS vip, p.weight, p.price
  FROM orders o JOIN customers c ON c.id = o.customer_id JOIN products p ON p.code = o.product;

-- signatures and labels
SELECT has_type('morpheus', 'model', 'the model type');
SELECT has_function('morpheus', f, args) FROM (VALUES
  ('linreg_train', ARRAY['text', 'text', 'text[]', 'text', 'boolean', 'text[]', 'text[]', 'text[]', 'text', 'integer', 'double precision', 'double precision', 'double precision', 'text']),
  ('logreg_train', ARRAY['text', 'text', 'text[]', 'text', 'boolean', 'text[]', 'text[]', 'text[]', 'text', 'integer', 'double precision', 'double precision', 'double precision', 'text']),
  ('kmeans_train', ARRAY['text', 'integer', 'text[]', 'text', 'text[]', 'text[]', 'text[]', 'integer', 'integer', 'text']),
  ('gnmf_train', ARRAY['text', 'integer', 'text[]', 'text', 'text[]', 'text[]', 'text[]', 'integer', 'double precision', 'integer', 'text']),
  ('predict', ARRAY['morpheus.model', 'double precision[]']),
  ('predict', ARRAY['morpheus.model', 'text', 'text', 'text[]', 'text[]', 'text[]']),
  ('predict_probability', ARRAY['morpheus.model', 'double precision[]']),
  ('project', ARRAY['morpheus.model', 'double precision[]']),
  ('save_model', ARRAY['text', 'morpheus.model', 'boolean']),
  ('load_model', ARRAY['text']),
  ('drop_model', ARRAY['text'])) s(f, args);
SELECT is((SELECT array_agg(DISTINCT provolatile::text || proparallel::text) FROM pg_proc
           WHERE pronamespace = 'morpheus'::regnamespace AND proname LIKE '%\_train'), ARRAY['vu'],
          'trainers are VOLATILE PARALLEL UNSAFE (they run queries and may save)');
SELECT is((SELECT array_agg(DISTINCT provolatile::text || proparallel::text || proisstrict::text) FROM pg_proc
           WHERE pronamespace = 'morpheus'::regnamespace AND proname IN ('predict', 'predict_probability', 'project')),
          ARRAY['istrue', 'vufalse'],
          'per-row scoring is IMMUTABLE STRICT PARALLEL SAFE; the relation form VOLATILE');

-- linreg on a table name, one feature: PostgreSQL's regr_* aggregates are the textbook answer
CREATE TEMP TABLE m1 AS SELECT linreg_train('orders', label => 'amount', features => '{qty}') AS m;
SELECT ok(abs((m).parameters[1] - (SELECT regr_slope(amount, qty) FROM orders)) < 1e-10
          AND abs((m).parameters[2] - (SELECT regr_intercept(amount, qty) FROM orders)) < 1e-10,
          'linreg_train(table) = regr_slope, regr_intercept') FROM m1;
SELECT ok(abs(((m).statistics->>'r2')::float8 - (SELECT regr_r2(amount, qty) FROM orders)) < 1e-10, 'R^2 = regr_r2') FROM m1;
SELECT ok(abs(((m).statistics->'std_errors'->>0)::float8
              - (SELECT sqrt(regr_syy(amount, qty) * (1 - regr_r2(amount, qty)) / (count(*) - 2) / regr_sxx(amount, qty))
                 FROM orders)) < 1e-10,
          'standard error of the slope = sqrt(sigma^2 / Sxx)') FROM m1;
SELECT ok(abs(((m).statistics->'std_errors'->>1)::float8
              - (SELECT sqrt(regr_syy(amount, qty) * (1 - regr_r2(amount, qty)) / (count(*) - 2)
                             * (1.0 / count(*) + avg(qty) ^ 2 / regr_sxx(amount, qty))) FROM orders)) < 1e-10,
          'standard error of the intercept = sigma sqrt(1/n + mean^2 / Sxx)') FROM m1;
SELECT ok(((m).statistics->>'rank')::int = 2 AND ((m).statistics->>'condition_number')::float8 > 1, 'rank and condition number') FROM m1;
SELECT is(ROW((m).kind, (m).family, (m).label, (m).features, (m).intercept, (m).shape, (m).source, (m).rows::int,
              (m).converged, (m).classes IS NULL),
          ROW('linreg'::text, 'least_squares'::text, 'amount'::text, '{qty}'::text[], true, '{1,2}'::int[], 'orders'::text, 60, true, true),
          'the model records kind, family, label, features, intercept, layout, source, rows, converged') FROM m1;
SELECT is((m).options->'features', '["qty"]'::jsonb, 'options record the feature columns') FROM m1;

-- linreg on a query with a boolean feature: the residual is orthogonal to every column (normal equations, in SQL)
CREATE TEMP TABLE m2 AS SELECT linreg_train('SELECT amount, qty, discount FROM orders WHERE order_id > 5',
                                            label => 'amount', features => '{qty,discount}') AS m;
SELECT ok((SELECT max(abs(g)) FROM (
             SELECT sum(r * qty) AS g1, sum(r * discount::int) AS g2, sum(r) AS g3
             FROM (SELECT qty, discount, amount - ((m).parameters[1] * qty + (m).parameters[2] * discount::int
                                                  + (m).parameters[3]) AS r FROM orders, m2 WHERE order_id > 5) e) s,
             LATERAL unnest(ARRAY[g1, g2, g3]) g) < 1e-8, 'linreg_train(query, boolean feature): X''(y - Xw) = 0');
SELECT is((m).rows, 55::bigint, 'rows used') FROM m2;

-- normalized data by table names: the same model as the join written out in SQL, and the normal equations hold
CREATE TEMP TABLE m3 AS SELECT linreg_train('orders', label => 'amount', features => '{qty}',
                                            attributes => '{customers,products}', foreign_keys => '{customer_id,product}',
                                            attribute_keys => '{id,code}') AS m;
SELECT is((m).features, '{qty,customers.age,customers.income,customers.vip,products.weight,products.price}'::text[],
          'normalized features are named by relation and column') FROM m3;
CREATE TEMP TABLE m3q AS SELECT linreg_train('SELECT * FROM joined', label => 'amount',
                                             features => '{qty,age,income,vip,weight,price}') AS m;
SELECT ok((SELECT max(abs(a - b)) FROM m3, m3q, unnest((m3.m).parameters, (m3q.m).parameters) u(a, b)) < 1e-8,
          'linreg_train(normalized, factorized) = linreg_train on the join') FROM m3;
SELECT ok(abs(((m3.m).statistics->>'r2')::float8 - ((m3q.m).statistics->>'r2')::float8) < 1e-10
          AND (m3.m).statistics->'rank' = (m3q.m).statistics->'rank'
          AND (m3.m).statistics->'std_errors' IS NOT NULL, 'statistics of the normalized model = those on the join') FROM m3, m3q;

-- predict: per row and by relation, against SQL arithmetic
SELECT ok((SELECT max(abs(predict(m, ARRAY[qty]) - ((m).parameters[1] * qty + (m).parameters[2]))) FROM orders, m1) < 1e-12,
          'predict(model, features) = w x + b');
SELECT ok((SELECT max(abs(p.prediction - (j.qty * w[1] + j.age * w[2] + j.income * w[3] + j.vip * w[4] + j.weight * w[5]
                                        + j.price * w[6] + w[7])))
           FROM (SELECT (m).parameters AS w, m FROM m3) s, predict(s.m, 'orders', id => 'order_id') p
           JOIN joined j ON j.order_id = p.id::int) < 1e-9,
          'predict(model, source) re-joins the attribute relations by key');
SELECT is((SELECT count(*) FROM m3, predict(m, 'SELECT * FROM orders WHERE order_id <= 7')), 7::bigint, 'one row per source row');
SELECT is((SELECT array_agg(prediction ORDER BY id::int) FROM m3, predict(m, 'orders', id => 'order_id',
             attributes => ARRAY['SELECT * FROM customers', 'SELECT code, weight, price FROM products'])),
          (SELECT array_agg(prediction ORDER BY id::int) FROM m3, predict(m, 'orders', id => 'order_id')),
          'attribute relations with the same columns may replace the model''s');
SELECT ok((SELECT bool_and(id IS NULL AND probability IS NULL AND class IS NULL AND cluster IS NULL AND projection IS NULL)
           FROM m1, predict(m, 'orders')), 'columns a regression has none of are NULL; no id without id');

-- the misalignment scenario of issue 13: an UPDATE reorders the heap, nothing is ordered, the model is still right
CREATE TEMP TABLE mis AS SELECT i AS id, sin(i)::float8 AS x1, cos(i * 0.7)::float8 AS x2,
                                (3 + 2 * sin(i) - 4 * cos(i * 0.7) + 0.1 * sin(i * 5))::float8 AS y
                         FROM generate_series(1, 50) i;
UPDATE mis SET x1 = x1 WHERE id % 3 = 0;
SELECT isnt((SELECT array_agg(id) FROM mis), (SELECT array_agg(id ORDER BY id) FROM mis), 'the UPDATE reordered the heap');
CREATE TEMP TABLE mm AS SELECT linreg_train('mis', label => 'y', features => '{x1,x2}') AS m;
SELECT ok((SELECT max(abs(a - b)) FROM mm, morpheus.linreg(
             x => (SELECT array_agg(ARRAY[x1, x2, 1] ORDER BY id) FROM mis), y => (SELECT array_agg(y ORDER BY id) FROM mis)) l,
             unnest((m).parameters, l.coefficients) u(a, b)) < 1e-10,
          'linreg_train on the reordered table = the array form with every row ordered by id');
SELECT ok((SELECT max(abs(g)) FROM (SELECT sum(r * x1) g1, sum(r * x2) g2, sum(r) g3
           FROM (SELECT x1, x2, y - ((m).parameters[1] * x1 + (m).parameters[2] * x2 + (m).parameters[3]) r FROM mis, mm) e) s,
           unnest(ARRAY[g1, g2, g3]) g) < 1e-9, 'and it satisfies the normal equations of the table');

-- logreg: 0/1 integer labels by table name, the gradient of the penalized loss is zero (SQL), statistics by SQL
CREATE TEMP TABLE l1 AS SELECT logreg_train('orders', label => 'returned', features => '{qty,discount}', l2 => 0.01,
                                            tolerance => 1e-12) AS m;
SELECT ok((SELECT max(abs(g)) FROM (
             SELECT avg((1 / (1 + exp(-eta)) - returned) * qty) + 0.01 * w[1] AS g1,
                    avg((1 / (1 + exp(-eta)) - returned) * discount::int) + 0.01 * w[2] AS g2,
                    avg(1 / (1 + exp(-eta)) - returned) + 0.01 * w[3] AS g3
             FROM (SELECT returned, qty, discount, w, w[1] * qty + w[2] * discount::int + w[3] AS eta
                   FROM orders, (SELECT (m).parameters AS w FROM l1) p) e GROUP BY w) s, unnest(ARRAY[g1, g2, g3]) g) < 1e-7,
          'logreg_train(table): SQL gradient at the model is zero');
SELECT ok(abs(((m).statistics->>'log_likelihood')::float8
              - (SELECT sum(CASE WHEN returned = 1 THEN ln(p) ELSE ln(1 - p) END)
                 FROM (SELECT returned, 1 / (1 + exp(-((m).parameters[1] * qty + (m).parameters[2] * discount::int
                                                       + (m).parameters[3]))) AS p FROM orders) e)) < 1e-9
          AND abs(((m).statistics->>'accuracy')::float8
              - (SELECT avg(((p >= 0.5)::int = returned)::int)
                 FROM (SELECT returned, 1 / (1 + exp(-((m).parameters[1] * qty + (m).parameters[2] * discount::int
                                                       + (m).parameters[3]))) AS p FROM orders) e)) < 1e-12,
          'log-likelihood and accuracy = SQL') FROM l1;
SELECT is((m).classes, '{0,1}'::text[], 'classes in the training coding') FROM l1;
SELECT ok((SELECT bool_and(abs(p.probability - 1 / (1 + exp(-((m).parameters[1] * o.qty + (m).parameters[2] * o.discount::int + (m).parameters[3])))) < 1e-12
                           AND p.class = (p.probability >= 0.5)::int::text AND p.prediction = p.class::float8)
           FROM l1, predict(m, 'orders', id => 'order_id') p JOIN orders o ON o.order_id = p.id::int),
          'predict(logreg, source): probability, class and prediction');
SELECT ok((SELECT bool_and(predict_probability(m, ARRAY[qty, discount::int]) = p.probability)
           FROM l1, orders o JOIN predict((SELECT m FROM l1), 'orders', id => 'order_id') p ON p.id::int = o.order_id),
          'predict_probability per row = the relation form');
-- labels -1/+1 and boolean: the same parameters, classes in their own coding
CREATE TEMP TABLE l2 AS SELECT logreg_train('SELECT qty, discount, 2 * returned - 1 AS y FROM orders', label => 'y',
                                            features => '{qty,discount}', l2 => 0.01, tolerance => 1e-12) AS m;
CREATE TEMP TABLE l3 AS SELECT logreg_train('SELECT qty, discount, returned = 1 AS y FROM orders', label => 'y',
                                            features => '{qty,discount}', l2 => 0.01, tolerance => 1e-12) AS m;
SELECT ok((l2.m).parameters = (l1.m).parameters AND (l3.m).parameters = (l1.m).parameters
          AND (l2.m).classes = '{-1,1}' AND (l3.m).classes = '{false,true}', 'labels 0/1, -1/+1 and boolean: one model, three codings')
  FROM l1, l2, l3;
SELECT is((SELECT array_agg(DISTINCT class ORDER BY class) FROM l3, predict(m, 'SELECT qty, discount FROM orders')),
          '{false,true}'::text[], 'predict answers in the training coding (boolean)');
SELECT is((SELECT array_agg(DISTINCT prediction ORDER BY prediction) FROM l2, predict(m, 'SELECT qty, discount FROM orders')),
          '{-1,1}'::float8[], 'predict answers in the training coding (-1/+1)');
-- normalized logreg = logreg on the join
SELECT ok((SELECT max(abs(a - b)) FROM
             (SELECT logreg_train('orders', label => 'returned', features => '{qty}', attributes => '{customers}',
                                  foreign_keys => '{customer_id}', l2 => 0.05) AS m) f,
             (SELECT logreg_train('SELECT * FROM joined', label => 'returned', features => '{qty,age,income,vip}', l2 => 0.05) AS m) q,
             unnest((f.m).parameters, (q.m).parameters) u(a, b)) < 1e-7, 'logreg_train(normalized) = logreg_train on the join');

-- kmeans: centers are the means of the rows predict assigns them, and every row goes to its nearest center (SQL)
CREATE TEMP TABLE k1 AS SELECT kmeans_train('SELECT order_id, qty, amount FROM orders', k => 3, features => '{qty,amount}',
                                            id => 'order_id', seed => 5) AS m;
CREATE TEMP TABLE k1p AS SELECT p.* FROM k1, predict(m, 'SELECT order_id, qty, amount FROM orders') p;
SELECT is((SELECT count(*) FROM k1p WHERE id IS NOT NULL), 60::bigint, 'the model''s id column is used by default');
CREATE TEMP TABLE k1c AS SELECT c, (m).parameters[2 * c - 1] AS cq, (m).parameters[2 * c] AS ca FROM k1, generate_series(1, 3) c;
SELECT ok((SELECT bool_and(p.cluster = (SELECT c FROM k1c ORDER BY (o.qty - cq) ^ 2 + (o.amount - ca) ^ 2, c LIMIT 1))
           FROM k1p p JOIN orders o ON o.order_id = p.id::int), 'kmeans: predict assigns the nearest center');
SELECT ok((SELECT max(abs(k1c.cq - s.mq) + abs(k1c.ca - s.ma)) FROM k1c JOIN
             (SELECT cluster, avg(o.qty) mq, avg(o.amount) ma FROM k1p p JOIN orders o ON o.order_id = p.id::int GROUP BY cluster) s
             ON s.cluster = k1c.c) < 1e-9, 'kmeans: centers are the means of their rows');
SELECT ok(abs(((m).statistics->>'within_ss')::float8
              - (SELECT sum((o.qty - cq) ^ 2 + (o.amount - ca) ^ 2) FROM k1p p JOIN orders o ON o.order_id = p.id::int
                 JOIN k1c ON k1c.c = p.cluster)) < 1e-8
          AND (SELECT array_agg(n ORDER BY cluster) FROM (SELECT cluster, count(*) n FROM k1p GROUP BY cluster) s)
              = ARRAY(SELECT jsonb_array_elements_text((m).statistics->'cluster_sizes')::bigint),
          'within-cluster sum of squares and sizes = SQL') FROM k1;
SELECT ok((m).converged AND (m).iterations < 100 AND (m).shape = '{3,2}', 'kmeans model: converged, layout {k, d}') FROM k1;
SELECT is((SELECT array_agg(predict(m, ARRAY[o.qty, o.amount]) ORDER BY o.order_id) FROM k1, orders o),
          (SELECT array_agg(cluster::float8 ORDER BY id::int) FROM k1p), 'predict per row = the relation form (cluster)');
SELECT ok((SELECT max(abs(a - b)) FROM
             (SELECT kmeans_train('SELECT * FROM orders ORDER BY order_id', k => 2, features => '{qty}',
                                  attributes => '{products}', foreign_keys => '{product}', attribute_keys => '{code}',
                                  seed => 2) AS m) f,
             (SELECT kmeans_train('SELECT * FROM joined ORDER BY order_id', k => 2, features => '{qty,weight,price}',
                                  seed => 2) AS m) q,
             unnest((f.m).parameters, (q.m).parameters) u(a, b)) < 1e-9, 'kmeans_train(normalized) = kmeans_train on the join');

-- gnmf: the model holds H; a row's projection satisfies the non-negative least-squares optimality conditions (SQL)
CREATE TEMP TABLE g1 AS SELECT gnmf_train('customers', rank => 2, features => '{age,income,vip}', seed => 3) AS m;
SELECT ok((m).shape = '{3,2}' AND (SELECT min(v) FROM unnest((m).parameters) v) >= 0, 'gnmf model: H is d x r, non-negative') FROM g1;
CREATE TEMP TABLE g1p AS
  SELECT c.id, c.age, c.income, c.vip::int::float8 AS vip, project(m, ARRAY[c.age, c.income, c.vip::int]) AS h,
         (m).parameters AS hp FROM g1, customers c;
SELECT ok((SELECT bool_and(h[1] >= 0 AND h[2] >= 0
                           AND g1 >= -1e-7 AND g2 >= -1e-7 AND abs(h[1] * g1) < 1e-6 AND abs(h[2] * g2) < 1e-6)
           FROM (SELECT h, sum(hp[2 * j - 1] * r) AS g1, sum(hp[2 * j] * r) AS g2
                 FROM g1p, generate_series(1, 3) j,
                      LATERAL (SELECT hp[2 * j - 1] * h[1] + hp[2 * j] * h[2] - (ARRAY[age, income, vip])[j] AS r) rr
                 GROUP BY id, h) s),
          'gnmf projection: h >= 0, H''(Hh - x) >= 0, complementary slackness');
SELECT ok((SELECT bool_and(p.projection = g1p.h AND p.prediction IS NULL) FROM g1, predict(m, 'customers', id => 'id') p
           JOIN g1p ON g1p.id = p.id::int), 'predict(gnmf, source) gives the projection');
SELECT ok(((m).statistics->>'relative_error')::float8 BETWEEN 0 AND 1, 'gnmf statistics') FROM g1;
SELECT ok((m).converged, 'gnmf converges at the default tolerance') FROM g1;

-- GLM and MLP models (the layouts draco_train and train_mlp produce) scored from SQL by hand
CREATE TEMP TABLE glm AS SELECT ROW('glm', 'poisson', 'y', '{a,b}', true, NULL, '{1,3}', '{0.1,-0.2,0.3}', NULL, '{}',
                                    100, 10, true, '{}', '{}')::morpheus.model AS m;
SELECT ok(abs(predict(m, ARRAY[1.5, 2]) - exp(0.1 * 1.5 - 0.2 * 2 + 0.3)) < 1e-14, 'glm poisson: the mean exp(x''w + b)') FROM glm;
CREATE TEMP TABLE sm AS SELECT ROW('glm', 'softmax', 'y', '{a,b}', true, '{0,1,2}', '{3,3}',
                                   '{1,0,0, 0,1,0, 0,0,0.5}', NULL, '{}', 1, 1, true, '{}', '{}')::morpheus.model AS m;
SELECT ok(predict(m, ARRAY[0.2, 0.9]) = 1 AND abs(predict_probability(m, ARRAY[0.2, 0.9])
          - exp(0.9) / (exp(0.2) + exp(0.9) + exp(0.5))) < 1e-14, 'glm softmax: argmax class and its probability') FROM sm;
-- a 2-2-2 ReLU network: w0 = {{1,-1},{0.5,2}}, b0 = {0.1,-0.2}, w1 = {{1,1},{-1,2}}, b1 = {0,0.3}
CREATE TEMP TABLE mlp AS SELECT ROW('mlp', 'mlp', 'y', '{a,b}', false, '{0,1}', '{2,2,2}',
                                    '{1,-1,0.5,2, 0.1,-0.2, 1,1,-1,2, 0,0.3}', NULL, '{}', 1, 1, true, '{}', '{}')::morpheus.model AS m;
SELECT ok((SELECT bool_and(predict(m, ARRAY[x1, x2]) = (o1 > o0)::int
                           AND abs(predict_probability(m, ARRAY[x1, x2]) - exp(greatest(o0, o1)) / (exp(o0) + exp(o1))) < 1e-14)
           FROM mlp, (SELECT x1, x2, h0 + h1 AS o0, -h0 + 2 * h1 + 0.3 AS o1
                      FROM (SELECT x1, x2, greatest(0, x1 - x2 + 0.1) h0, greatest(0, 0.5 * x1 + 2 * x2 - 0.2) h1
                            FROM (VALUES (0.3, 0.1), (-1.0, 2.0), (2.0, -0.5), (0.0, 0.0)) v(x1, x2)) h) f),
          'mlp: a hand forward pass gives the class and its probability');

-- saving under a name, and one name space per role (row-level security)
CREATE TEMP TABLE saved AS SELECT linreg_train('orders', label => 'amount', features => '{qty}', model_name => 'amount') AS m;
SELECT is((load_model('amount')).parameters, (m).parameters, 'model_name saves; load_model reads it back') FROM saved;
SELECT is((SELECT count(*) FROM morpheus.models WHERE name = 'amount'), 1::bigint, 'one row per name');
SELECT lives_ok($$SELECT linreg_train('orders', label => 'amount', features => '{qty,discount}', model_name => 'amount')$$,
                'training again replaces the saved model');
SELECT is((load_model('amount')).features, '{qty,discount}'::text[], 'the replacement is the new model');
SELECT throws_ok($$SELECT save_model('amount', (SELECT m FROM saved), replace => false)$$, '23505',
                 'a model named "amount" exists already', 'replace => false refuses to overwrite');
SELECT ok(drop_model('amount') AND NOT drop_model('amount'), 'drop_model: true once, then false');
SELECT throws_ok($$SELECT load_model('amount')$$, '42704', 'no model named "amount"', 'a dropped model is gone');
CREATE ROLE morpheus_test_a NOSUPERUSER;
CREATE ROLE morpheus_test_b NOSUPERUSER;
GRANT USAGE ON SCHEMA morpheus TO morpheus_test_a, morpheus_test_b;
GRANT SELECT ON glm TO morpheus_test_a, morpheus_test_b;
SET LOCAL ROLE morpheus_test_a;
SELECT lives_ok($$SELECT save_model('mine', (SELECT m FROM glm))$$, 'a role saves a model');
SET LOCAL ROLE morpheus_test_b;
SELECT is((SELECT count(*) FROM morpheus.models), 0::bigint, 'another role sees none of its rows');
SELECT throws_ok($$SELECT load_model('mine')$$, '42704', NULL, 'nor loads it');
SELECT throws_ok($$INSERT INTO morpheus.models (owner, name, model) VALUES ('morpheus_test_a', 'x', (SELECT m FROM glm))$$,
                 '42501', NULL, 'nor writes in its name');
SELECT ok(NOT drop_model('mine'), 'nor drops it');
SET LOCAL ROLE morpheus_test_a;
SELECT is((load_model('mine')).kind, 'glm', 'the owner still has it');
RESET ROLE;
SELECT ok((SELECT extcondition IS NOT NULL FROM pg_extension WHERE extname = 'morpheus')
          AND 'morpheus.models'::regclass::oid = ANY ((SELECT extconfig FROM pg_extension WHERE extname = 'morpheus')::oid[]),
          'morpheus.models is dumped by pg_dump (an extension configuration table)');

-- bad inputs: SQLSTATE and message
SELECT throws_ok($$SELECT linreg_train('orders', label => 'amount', features => '{qty}', method => 'qr')$$, '22023',
                 'unknown method "qr"', 'unknown method');
SELECT throws_ok($$SELECT linreg_train('no_such_table', label => 'amount')$$, '42P01',
                 'source "no_such_table" is neither a query nor a table or view on the search_path', 'unknown relation');
SELECT throws_ok($$SELECT linreg_train('orders', label => 'nope', features => '{qty}')$$, '42703', NULL, 'missing label column');
SELECT throws_ok($$SELECT linreg_train('orders', label => 'product', features => '{qty}')$$, '42804', NULL, 'text label');
SELECT throws_ok($$SELECT linreg_train('orders', label => 'amount')$$, '42703', NULL, 'no features column and no features argument');
SELECT throws_ok($$SELECT linreg_train('orders', label => 'amount', features => '{product}')$$, '42804', NULL, 'text feature');
SELECT throws_ok($$SELECT linreg_train('orders', label => 'amount', features => '{qty,amount}')$$, '22023',
                 'the label column "amount" is also named in features', 'the label as a feature');
SELECT throws_ok($$SELECT linreg_train('orders', label => 'amount', features => '{qty,order_id}', id => 'order_id')$$, '22023',
                 'the id column "order_id" is also named in features', 'the id as a feature');
SELECT throws_ok($$SELECT linreg_train('orders', label => 'amount', features => '{qty,qty}')$$, '22023',
                 'features names the column "qty" twice', 'a feature twice');
SELECT throws_ok($$SELECT linreg_train('SELECT NULL::float8 AS amount, 1.0 AS qty', label => 'amount', features => '{qty}')$$,
                 '22004', 'column "amount" of source is NULL in row 1', 'NULL label');
SELECT throws_ok($$SELECT linreg_train('SELECT 1.0 AS amount, NULL::float8 AS qty', label => 'amount', features => '{qty}')$$,
                 '22004', NULL, 'NULL feature');
SELECT throws_ok($$SELECT linreg_train('SELECT 1.0 AS amount, ''NaN''::float8 AS qty', label => 'amount', features => '{qty}')$$,
                 '22023', 'column "qty" of source is NaN in row 1', 'NaN feature');
SELECT throws_ok($$SELECT linreg_train('SELECT * FROM orders WHERE false', label => 'amount', features => '{qty}')$$,
                 '22023', 'source returned no rows', 'empty source');
SELECT throws_ok($$SELECT linreg_train('orders', label => 'amount', features => '{}', intercept => false)$$,
                 '22023', 'source has no feature columns', 'no features at all');
SELECT throws_ok($$SELECT logreg_train('SELECT * FROM orders ORDER BY order_id', label => 'qty', features => '{amount}')$$, '22023',
                 'column "qty" of source is 2 in row 1, not a binary label', 'logistic labels must be binary');
SELECT throws_ok($$SELECT linreg_train('orders', label => 'amount', features => '{qty}', attributes => '{customers}',
                                       foreign_keys => '{}')$$, '22023',
                 'attributes has 1 relations but foreign_keys has 0 names', 'attributes without foreign keys');
SELECT throws_ok($$SELECT kmeans_train('orders', k => 0, features => '{qty}')$$, '22023', 'k must be at least 1, got 0', 'k = 0');
SELECT throws_ok($$SELECT gnmf_train('orders', rank => 2, features => '{amount}')$$, '22023', NULL, 'gnmf of negative data');
SELECT throws_ok($$SELECT gnmf_train('customers', rank => 2000000000, features => '{age}')$$, '54000', NULL,
                 'a rank whose factors cannot fit is refused before allocating');
SELECT throws_ok($$SELECT linreg_train('orders', label => 'amount', features => '{qty}', model_name => '')$$, '22023',
                 'model_name is empty', 'empty model_name');
SELECT throws_ok($$SELECT linreg_train('orders', label => 'amount', features => '{qty}', tolerance => -1)$$, '22023',
                 'tolerance must be non-negative, got -1', 'negative tolerance');
SELECT throws_ok($$SELECT linreg_train('orders', label => 'amount', features => '{qty}', method => 'gd', learning_rate => 0)$$,
                 '22023', 'learning_rate must be positive, got 0', 'zero learning rate');
SELECT throws_ok($$SELECT predict(m, ARRAY[1.0, 2.0]) FROM m1$$, '22023',
                 'features has 2 values but the model has 1 features (qty)', 'predict with the wrong number of features');
SELECT throws_ok($$SELECT predict(m, ARRAY[1.0, 'NaN']) FROM m3$$, '22023', NULL, 'predict with a NaN feature');
SELECT throws_ok($$SELECT predict(m, ARRAY[1.0, 2.0, 3.0]) FROM g1$$, '22023', NULL, 'a gnmf model has no scalar prediction');
SELECT throws_ok($$SELECT predict_probability(m, ARRAY[1.0]) FROM m1$$, '22023', NULL, 'a regression has no probabilities');
SELECT throws_ok($$SELECT project(m, ARRAY[1.0]) FROM m1$$, '22023', NULL, 'only gnmf models project');
SELECT throws_ok($$SELECT predict(ROW('linreg', 'least_squares', 'y', '{a}', true, NULL, '{1,3}', '{1,2,3}', NULL, '{}', 1, 1, true, '{}', '{}')::morpheus.model, ARRAY[1.0])$$,
                 '22023', NULL, 'a model whose shape does not fit its features');
SELECT throws_ok($$SELECT predict(ROW('linreg', 'least_squares', 'y', '{a}', true, NULL, '{1,2}', NULL, NULL, '{}', 1, 1, true, '{}', '{}')::morpheus.model, ARRAY[1.0])$$,
                 '22004', 'model.parameters is NULL', 'a model without parameters');
SELECT throws_ok($$SELECT predict(ROW('svm', NULL, 'y', '{a}', true, NULL, '{1,2}', '{1,2}', NULL, '{}', 1, 1, true, '{}', '{}')::morpheus.model, ARRAY[1.0])$$,
                 '22023', NULL, 'an unknown kind');
SELECT throws_ok($$SELECT predict(m, ARRAY[1e300, 1]) FROM glm$$, '22003', NULL, 'an overflowing prediction is an error');
SELECT throws_ok($$SELECT * FROM predict((SELECT m FROM m3), 'SELECT order_id, qty, customer_id FROM orders')$$, '42703', NULL,
                 'predict on a relation without the model''s foreign keys');
SELECT throws_ok($$SELECT * FROM predict((SELECT m FROM m1), 'SELECT qty::text AS qty FROM orders')$$, '42804', NULL,
                 'predict on a relation whose feature has the wrong type');
SELECT throws_ok($$SELECT * FROM predict((SELECT m FROM m3), 'orders', attributes => ARRAY['customers', 'SELECT code, price FROM products'])$$,
                 '22023', NULL, 'predict with attribute relations of other features');
SELECT throws_ok($$SELECT save_model(NULL, (SELECT m FROM m1))$$, '22004', NULL, 'NULL model_name');

SELECT * FROM finish();
ROLLBACK;

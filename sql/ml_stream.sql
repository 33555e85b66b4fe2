-- Streaming trainers: the source relation is read in batches through a cursor on every pass, attribute relations in
-- memory; the result is the same model as the in-memory trainers'.
SET extra_float_digits = 0;
SET search_path = public, morpheus;

CREATE TABLE st_stores(store_id int PRIMARY KEY, size float8, region float8);
INSERT INTO st_stores VALUES (1, 1.5, 2), (2, 3, -1), (3, 0.5, 0.25);
-- target = 1 * units - 2 * price + 0.5 * size + 3 * region, exactly
CREATE TABLE st_sales AS
  SELECT i AS sale_id, (i % 5)::float8 AS units, (i * i % 7)::float8 AS price, 1 + i % 3 AS store_id
  FROM generate_series(1, 10) i;
ALTER TABLE st_sales ADD COLUMN target float8;
UPDATE st_sales s SET target = units - 2 * price + 0.5 * st.size + 3 * st.region FROM st_stores st
  WHERE st.store_id = s.store_id;

-- the generating coefficients come back (batch_rows 3: 10 rows in 4 batches); the model names its features
SELECT (m).features, array(SELECT round(c::numeric, 6) FROM unnest((m).parameters) c) AS parameters, (m).iterations,
       (m).converged
FROM (SELECT linreg_stream('st_sales', label => 'target', features => '{units,price}', intercept => false,
                           attributes => '{st_stores}', foreign_keys => '{store_id}', attribute_keys => '{store_id}',
                           batch_rows => 3) AS m) s;

-- gradient descent reaches them too
SELECT array(SELECT round(c::numeric, 4) FROM unnest((m).parameters) c) AS parameters, (m).converged
FROM (SELECT linreg_stream('st_sales', label => 'target', features => '{units,price}', intercept => false,
                           attributes => '{st_stores}', foreign_keys => '{store_id}', attribute_keys => '{store_id}',
                           batch_rows => 4, method => 'gd', max_iterations => 20000, tolerance => 1e-12) AS m) s;

-- two obvious clusters among the stores' rows; predict gives every sale its cluster
SELECT (m).parameters AS centers, (m).iterations, (m).statistics->'cluster_sizes' AS sizes
FROM (SELECT kmeans_stream('SELECT sale_id, store_id FROM st_sales ORDER BY sale_id', k => 2, features => '{}',
                           attributes => '{st_stores}', foreign_keys => '{store_id}', attribute_keys => '{store_id}',
                           id => 'sale_id', batch_rows => 4, seed => 1) AS m) s;

-- logreg_stream is logreg_train on the same relations
SELECT (SELECT max(abs(a - b)) FROM unnest((s.m).parameters, (t.m).parameters) u(a, b)) < 1e-9
       AND (s.m).iterations = (t.m).iterations AS same_as_logreg_train
FROM (SELECT logreg_stream('SELECT units, price, store_id, target > 0 AS up FROM st_sales ORDER BY sale_id',
                           label => 'up', features => '{units,price}', attributes => '{st_stores}',
                           foreign_keys => '{store_id}', attribute_keys => '{store_id}', l2 => 0.1, tolerance => 1e-6,
                           batch_rows => 3) AS m) s,
     (SELECT logreg_train('SELECT units, price, store_id, target > 0 AS up FROM st_sales ORDER BY sale_id',
                          label => 'up', features => '{units,price}', attributes => '{st_stores}',
                          foreign_keys => '{store_id}', attribute_keys => '{store_id}', l2 => 0.1,
                          tolerance => 1e-6) AS m) t;

-- errors name the column and the row
SELECT linreg_stream('SELECT units, store_id + 1 AS store_id, target FROM st_sales ORDER BY sale_id', label => 'target',
                     features => '{units}', attributes => '{st_stores}', foreign_keys => '{store_id}',
                     attribute_keys => '{store_id}');
SELECT linreg_stream('SELECT units FROM st_sales', label => 'target', features => '{units}');

DROP TABLE st_sales, st_stores;

-- Streaming ML: the entity table is read in batches through a cursor on every pass, attribute tables in memory.
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

-- the generating coefficients come back (batch_rows 3: 10 rows in 4 batches, 2 passes)
SELECT array(SELECT round(c::numeric, 6) FROM unnest(coefficients) c) AS coefficients, iterations
FROM linreg_stream(entity_sql => 'SELECT ARRAY[units, price] AS features, store_id, target FROM st_sales',
                   attribute_sql => ARRAY['SELECT store_id AS key, ARRAY[size, region] AS features FROM st_stores'],
                   fk_columns => ARRAY['store_id'], y_column => 'target', batch_rows => 3);

-- gradient descent reaches them too
SELECT array(SELECT round(c::numeric, 4) FROM unnest(coefficients) c) AS coefficients
FROM linreg_stream(entity_sql => 'SELECT ARRAY[units, price] AS features, store_id, target FROM st_sales',
                   attribute_sql => ARRAY['SELECT store_id AS key, ARRAY[size, region] AS features FROM st_stores'],
                   fk_columns => ARRAY['store_id'], y_column => 'target', batch_rows => 4, method => 'gd',
                   max_iterations => 20000, tolerance => 1e-12);

-- two obvious clusters among the stores' rows
SELECT centers, assignment, iterations
FROM kmeans_stream(entity_sql => 'SELECT store_id FROM st_sales ORDER BY sale_id', k => 2,
                   attribute_sql => ARRAY['SELECT store_id AS key, ARRAY[size, region] AS features FROM st_stores'],
                   fk_columns => ARRAY['store_id'], batch_rows => 4, seed => 1);

-- logreg_stream is logreg on the same normalized matrix
SELECT abs(s.coefficients[1] - m.coefficients[1]) < 1e-9 AND s.iterations = m.iterations AS same_as_logreg
FROM logreg_stream(entity_sql => 'SELECT ARRAY[units, price] AS features, store_id, (target > 0)::int AS y FROM st_sales ORDER BY sale_id',
                   attribute_sql => ARRAY['SELECT store_id AS key, ARRAY[size, region] AS features FROM st_stores'],
                   fk_columns => ARRAY['store_id'], l2 => 0.1, tolerance => 1e-6) s,
     logreg(x => nmatrix_from_sql('SELECT ARRAY[units, price] AS features, store_id FROM st_sales ORDER BY sale_id',
                                  ARRAY['SELECT store_id AS key, ARRAY[size, region] AS features FROM st_stores'],
                                  ARRAY['store_id']),
            y => (SELECT array_agg((target > 0)::int::float8 ORDER BY sale_id) FROM st_sales), l2 => 0.1,
            tolerance => 1e-6) m;

-- errors name the column and the row
SELECT * FROM linreg_stream(entity_sql => 'SELECT ARRAY[units] AS features, store_id + 1 AS store_id, target FROM st_sales ORDER BY sale_id',
                            attribute_sql => ARRAY['SELECT store_id AS key, ARRAY[size] AS features FROM st_stores'],
                            fk_columns => ARRAY['store_id'], y_column => 'target');
SELECT * FROM linreg_stream(entity_sql => 'SELECT ARRAY[units] AS features FROM st_sales', y_column => 'target');

DROP TABLE st_sales, st_stores;

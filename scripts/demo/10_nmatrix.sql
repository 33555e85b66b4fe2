-- morpheus demo, part 10: a normalized matrix over sales -> stores, used without building the join.
SET search_path = public, morpheus;
CREATE TEMP TABLE demo_stores(store_id int PRIMARY KEY, size float8, region float8);
INSERT INTO demo_stores SELECT s, 1 + s % 7, s % 3 FROM generate_series(1, 50) s;
CREATE TEMP TABLE demo_sales(sale_id int PRIMARY KEY, units float8, price float8, store_id int, revenue float8);
INSERT INTO demo_sales SELECT i, 1 + i % 5, 0.5 + (i % 11) / 4.0, 1 + (i * 7) % 50, 0 FROM generate_series(1, 5000) i;
UPDATE demo_sales s SET revenue = 2 * units + 3 * price + 0.5 * st.size - st.region FROM demo_stores st WHERE st.store_id = s.store_id;

\echo '--- build T = [S, K R] from the two tables (5000 x 4, stored factorized)'
CREATE TEMP TABLE demo_t AS SELECT nmatrix_from_sql(
  source => 'SELECT units, price, store_id FROM demo_sales ORDER BY sale_id', features => '{units,price}',
  attributes => '{demo_stores}', foreign_keys => '{store_id}', attribute_keys => '{store_id}') AS t;
SELECT nrow(t), ncol(t), pg_size_pretty(pg_column_size(t)::bigint) AS stored,
       pg_size_pretty(8 * nrow(t) * ncol(t)) AS join_would_be FROM demo_t;

\echo '--- column sums and T''T, factorized'
SELECT col_sums(t), crossprod(t) FROM demo_t;

\echo '--- linear regression by the normal equations, w = ginv(T''T) T''y (recovers 2, 3, 0.5, -1)'
SELECT (SELECT array_agg(round(w::numeric, 6)) FROM unnest(matmul(mat_ginv(crossprod(t)), t(t) %*% y)) w) AS w
FROM demo_t, (SELECT array_agg(ARRAY[revenue] ORDER BY sale_id) AS y FROM demo_sales) q;

\echo '--- a dangling key is an ERROR naming it'
\set ON_ERROR_STOP 0
SELECT nmatrix_from_sql(source => 'SELECT 99 AS store_id', attributes => ARRAY['SELECT store_id, size FROM demo_stores'],
  foreign_keys => '{store_id}', attribute_keys => '{store_id}');
\set ON_ERROR_STOP 1

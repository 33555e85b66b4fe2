-- morpheus.nmatrix: a normalized matrix built from tables and used without materializing the join.
SET extra_float_digits = 0;
SET search_path = public, morpheus;

CREATE TABLE nm_stores(store_id int PRIMARY KEY, size float8, region float8);
INSERT INTO nm_stores VALUES (1, 1.1, 2.2), (2, 3.3, 4.4), (3, 7, 7);
CREATE TABLE nm_sales(sale_id int PRIMARY KEY, units float8, price float8, store_id int REFERENCES nm_stores);
INSERT INTO nm_sales VALUES (1, 1, 2, 1), (2, 4, 3, 2), (3, 5, 6, 2), (4, 8, 7, 1), (5, 9, 1, 2);

CREATE TABLE nm_t AS SELECT nmatrix_from_sql(
  source => 'SELECT units, price, store_id FROM nm_sales ORDER BY sale_id', features => '{units,price}',
  attributes => '{nm_stores}', foreign_keys => '{store_id}', attribute_keys => '{store_id}') AS t;

-- the value, its shape and its join
SELECT t FROM nm_t;
SELECT nrow(t), ncol(t) FROM nm_t;
SELECT materialize(t) FROM nm_t;

-- aggregates and products, factorized
SELECT row_sums(t), col_sums(t), round(sum(t)::numeric, 6) AS sum FROM nm_t;
SELECT t %*% '{{1},{2},{3},{4}}'::float8[] AS lmm FROM nm_t;
SELECT '{{1,2,3,4,5}}'::float8[] %*% t AS rmm FROM nm_t;
SELECT crossprod(t) FROM nm_t;
SELECT (SELECT array_agg(round(x::numeric, 6)) FROM unnest(ginv(t)) x) AS ginv_flat FROM nm_t;

-- closure: scalar ops, functions and the transpose stay normalized
SELECT 2 * t + 1 FROM nm_t;
SELECT t(t) FROM nm_t;
SELECT t(t) %*% '{{1},{1},{1},{1},{1}}'::float8[] AS col_sums_again FROM nm_t;

-- sparse blocks and M:N
SELECT nm_join_sparse(nmatrix(n_rows => 3), fk => '{1,2,1}', n_rows => 2, n_cols => 4, i => '{1,2}', j => '{4,2}', v => '{1,1}');
SELECT materialize(nm_mn(s => '{{1,2},{3,4},{5,6}}', s_rows => '{1,1,2,3,3}', r => '{{10},{20},{30}}', r_rows => '{1,2,3,1,2}'));

-- morpheus.factorize also governs the operators: the same value, computed on the materialized layout
SET morpheus.factorize = 'never';
SET client_min_messages = debug1;
SELECT crossprod(t) FROM nm_t;
RESET client_min_messages;
RESET morpheus.factorize;

-- errors
SELECT nm_join(nmatrix(n_rows => 3), fk => '{1,4,2}', r => '{{1},{2},{3}}');
SELECT t %*% '{{1},{2}}'::float8[] FROM nm_t;
SELECT 'nmatrix v1 rows=2 transposed=false; identity dense 2x1 {{1},{2},{3}}'::nmatrix;
INSERT INTO nm_sales VALUES (6, 1, 1, NULL);
SELECT nmatrix_from_sql(source => 'SELECT store_id FROM nm_sales',
  attributes => ARRAY['SELECT store_id, size FROM nm_stores'], foreign_keys => '{store_id}', attribute_keys => '{store_id}');

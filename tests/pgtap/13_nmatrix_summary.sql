-- morpheus.summary(t nmatrix) against counts taken independently: on the materialized join (materialize + unnest),
-- on the input arrays, on pg_column_size, on the relations the value was read from, and on explain's ratios.
BEGIN;
SELECT plan(21);
SET LOCAL search_path = public, morpheus;

-- star: dense S (a zero entry), a dense table with an unreferenced row, a sparse table (one stored 0)
CREATE TEMP TABLE g AS SELECT
  nm_join_sparse(nm_join(nmatrix(s => '{{1,0},{-2,3},{0,1},{4,4},{2,-1},{1,1}}'), '{3,1,1,2,3,1}', '{{1,2,3},{0.5,0,-1},{2,2,2},{9,9,9}}'),
                 '{2,3,3,1,2,2}', 3, 4, '{1,2,2,3,3}', '{4,1,3,2,3}', '{1.5,-2,0.25,3,0}') AS t,
  nm_join(nmatrix(n_rows => 4), '{2,1,2,2}', '{{1,-1},{0.5,2},{3,3}}') AS z,
  nmatrix(n_rows => 3) AS e,
  nm_mn(s => '{{1,2},{3,0},{5,6}}', s_rows => '{1,1,2,3,3}', r => '{{10},{0},{30}}', r_rows => '{1,2,2,1,2}') AS mn;
-- independent counts on the materialized values
CREATE TEMP VIEW counted AS
  SELECT name, m, array_length(m, 1)::bigint AS r, array_length(m, 2)::bigint AS c,
         (SELECT count(*) FROM unnest(m) v WHERE v <> 0) AS nz
  FROM (SELECT 't' AS name, materialize(t) AS m FROM g UNION ALL SELECT 'tt', materialize(t(t)) FROM g
        UNION ALL SELECT 'z', materialize(z) FROM g UNION ALL SELECT 'mn', materialize(mn) FROM g) x;
CREATE TEMP VIEW s AS
  SELECT 't' AS name, (summary(t)).* FROM g UNION ALL SELECT 'tt', (summary(t(t))).* FROM g
  UNION ALL SELECT 'z', (summary(z)).* FROM g UNION ALL SELECT 'mn', (summary(mn)).* FROM g;

SELECT is((SELECT count(*) FROM s JOIN counted USING (name) WHERE s.rows = counted.r AND s.cols = counted.c), 4::bigint,
          'rows and cols = the shape of materialize(t), for star, transpose, d_S = 0 and M:N');
SELECT is((SELECT count(*) FROM s JOIN counted USING (name) WHERE s.nnz = counted.nz), 4::bigint,
          'nnz = the non-zero entries of materialize(t)');
SELECT is((SELECT count(*) FROM s JOIN counted USING (name) WHERE s.density = counted.nz::float8 / (counted.r * counted.c)), 4::bigint,
          'density = nnz / (rows * cols)');
SELECT is((SELECT count(*) FROM s JOIN counted USING (name) WHERE s.materialized_bytes = 8.0 * counted.r * counted.c), 4::bigint,
          'materialized_bytes = 8 * rows * cols');
SELECT is((SELECT array_agg(transposed ORDER BY name) FROM s), '{f,f,t,f}'::boolean[], 'transposed only for t(t)');
SELECT is((SELECT array_agg(form ORDER BY name) FROM s), '{m:n,pk-fk,pk-fk,pk-fk}'::text[], 'form');
SELECT is((SELECT attribute_tables FROM s WHERE name = 't'), 2, 'two attribute tables');
SELECT is((SELECT blocks FROM s WHERE name = 't'),
          '{"S 6x2 dense","R1 4x3 dense, 3 of 4 rows referenced","R2 3x4 sparse (5 stored), 3 of 3 rows referenced"}'::text[],
          'blocks: shapes, storage, referenced rows');
SELECT is((SELECT stored_entries FROM s WHERE name = 't'),
          (SELECT (cardinality('{{1,0},{-2,3},{0,1},{4,4},{2,-1},{1,1}}'::float8[]) + cardinality('{{1,2,3},{0.5,0,-1},{2,2,2},{9,9,9}}'::float8[])
                   + cardinality('{1.5,-2,0.25,3,0}'::float8[]))::bigint),
          'stored_entries = dense entries + sparse triplets');
SELECT is((SELECT blocks FROM s WHERE name = 'mn'),
          '{"S 3x2 dense, 3 of 3 rows referenced","R 3x1 dense, 2 of 3 rows referenced"}'::text[], 'M:N blocks');
SELECT ok((summary(NULL::nmatrix)).rows IS NULL, 'STRICT: NULL in, NULL out');
SELECT is((SELECT stored_bytes FROM summary((SELECT t FROM g))), (SELECT pg_column_size(t)::bigint FROM g),
          'stored_bytes = pg_column_size(t)');
-- ratios: n_S / n_Ri and stored entries per row of R_i over those of S, from the input shapes; equal to explain's
SELECT is((SELECT tuple_ratios FROM s WHERE name = 't'), ARRAY[6 / 4.0, 6 / 3.0]::float8[], 'tuple_ratios = n_S / n_Ri');
SELECT is((SELECT feature_ratios FROM s WHERE name = 't'), ARRAY[(12::float8 / 4) / (12::float8 / 6), (5::float8 / 3) / (12::float8 / 6)],
          'feature_ratios = (stored(R_i) / n_Ri) / (stored(S) / n_S)');
SELECT is((SELECT tuple_ratios FROM s WHERE name = 't'), (SELECT array_agg(tuple_ratio ORDER BY attribute_table) FROM g, explain(g.t)),
          'tuple_ratios as explain computes them');
SELECT is((SELECT feature_ratios FROM s WHERE name = 'z'), '{NULL}'::float8[], 'feature ratio undefined without entity features: NULL element');
SELECT is((SELECT ARRAY[rows, cols, nnz]::float8[] || density || cardinality(tuple_ratios)::float8 FROM g, summary(g.e)),
          ARRAY[3, 0, 0, NULL, 0]::float8[], 'no columns: density NULL, no ratios');

-- from relations: the ratios follow the tables' row counts
CREATE TEMP TABLE stores(store_id int, size float8, region float8);
INSERT INTO stores SELECT i, i, i % 3 FROM generate_series(1, 7) i;
CREATE TEMP TABLE sales(sale_id int, units float8, price float8, store_id int);
INSERT INTO sales SELECT i, i % 5, 1 + i % 4, 1 + i % 6 FROM generate_series(1, 84) i;
CREATE TEMP TABLE st AS SELECT nmatrix_from_sql('SELECT units, price, store_id FROM sales ORDER BY sale_id',
  attributes => '{stores}', foreign_keys => '{store_id}', attribute_keys => '{store_id}', features => '{units,price}') AS t;
SELECT is((SELECT ARRAY[rows, cols, attribute_tables] FROM st, summary(st.t)),
          ARRAY[(SELECT count(*) FROM sales), 2 + 2, 1], 'from relations: rows = |sales|, cols = 2 + 2');
SELECT is((SELECT tuple_ratios[1] FROM st, summary(st.t)), (SELECT count(*) FROM sales)::float8 / (SELECT count(*) FROM stores),
          'tuple ratio = |sales| / |stores|');
SELECT is((SELECT blocks[2] FROM st, summary(st.t)),
          format('R1 %sx2 dense, %s of %s rows referenced', (SELECT count(*) FROM stores),
                 (SELECT count(DISTINCT store_id) FROM sales), (SELECT count(*) FROM stores)),
          'referenced rows = distinct foreign keys');
SELECT is((SELECT nnz FROM st, summary(st.t)),
          (SELECT count(*) FILTER (WHERE units <> 0) + count(*) FILTER (WHERE price <> 0) + count(*) FILTER (WHERE size <> 0)
                  + count(*) FILTER (WHERE region <> 0) FROM sales JOIN stores USING (store_id)),
          'nnz = non-zeros of the SQL join');

SELECT * FROM finish();
ROLLBACK;

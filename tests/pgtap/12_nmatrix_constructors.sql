-- Constructors of morpheus.nmatrix: dense, sparse, M:N, from queries; every bad input they reject.
BEGIN;
SELECT plan(42);
SET LOCAL search_path = public, morpheus;

CREATE TEMP TABLE stores(id int, size float8, region float8);
INSERT INTO stores VALUES (10, 1.5, 0), (20, 2.5, 1), (30, 3.5, 0), (40, 9, 9);  -- store 40 is never referenced
CREATE TEMP TABLE dates(d text, holiday float8);
INSERT INTO dates VALUES ('mon', 0), ('sat', 1);
CREATE TEMP TABLE sales(id int, units float8, price float8, store_id int, day text);
INSERT INTO sales VALUES (1, 3, 1.25, 20, 'mon'), (2, 1, 2.5, 10, 'sat'), (3, 4, 0.5, 20, 'sat'), (4, 2, 1, 30, 'mon');

-- nmatrix_from_sql: relations by name or query, keys named by the user (integer and text), features as columns or
-- arrays, unreferenced attribute rows, entity features optional
SELECT is(materialize(nmatrix_from_sql(
    source => 'SELECT ARRAY[units, price] AS features, store_id, day FROM sales ORDER BY id',
    attributes => ARRAY['SELECT id, ARRAY[size, region] AS features FROM stores',
                        'SELECT d, holiday FROM dates'],
    foreign_keys => '{store_id,day}', attribute_keys => '{id,d}')),
  '{{3,1.25,2.5,1,0},{1,2.5,1.5,0,1},{4,0.5,2.5,1,1},{2,1,3.5,0,0}}'::float8[], 'from_sql builds [S, K1 R1, K2 R2] (int and text keys)');
SELECT is(materialize(nmatrix_from_sql(
    source => 'SELECT store_id FROM sales ORDER BY id',
    attributes => ARRAY['SELECT id, size FROM stores'], foreign_keys => '{store_id}')),
  '{{2.5},{1.5},{2.5},{3.5}}'::float8[], 'from_sql without entity features (d_S = 0), attribute key id by default');
SELECT is(materialize(nmatrix_from_sql(source => 'SELECT units FROM sales ORDER BY id', features => '{units}')),
  '{{3},{1},{4},{2}}'::float8[], 'from_sql with no attribute table, a feature column');
SELECT is(materialize(nmatrix_from_sql(source => 'sales', features => '{units,price}', attributes => '{stores}',
                                       foreign_keys => '{store_id}'))::float8[],
  (SELECT array_agg(ARRAY[s.units, s.price, t.size, t.region] ORDER BY s.ctid) FROM sales s JOIN stores t ON t.id = s.store_id),
  'from_sql on table names: every non-key column of an attribute table is a feature');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'SELECT store_id FROM sales UNION ALL SELECT 99',
    attributes => ARRAY['SELECT id, size FROM stores'], foreign_keys => '{store_id}') $$, '22023',
  'column "store_id" of source has the dangling key ''99'' in row 5: no row of attributes[1] has that key', 'dangling integer key names the key');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'SELECT ''sun''::text AS day',
    attributes => ARRAY['dates'], foreign_keys => '{day}', attribute_keys => '{d}') $$, '22023',
  'column "day" of source has the dangling key ''sun'' in row 1: no row of attributes[1] has that key', 'dangling text key names the key');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'SELECT store_id FROM sales',
    attributes => ARRAY['SELECT 10 AS id, 1.0 AS f UNION ALL SELECT 10, 2.0'], foreign_keys => '{store_id}') $$, '22023',
  'column "id" of attributes[1] has the duplicate value ''10'' (row 2)', 'duplicate attribute key');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'SELECT store_id FROM sales',
    attributes => ARRAY['SELECT id FROM stores'], foreign_keys => '{store_id}') $$, '22023',
  'attributes[1] has no feature column besides its key "id"', 'an attribute relation without features');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'SELECT store_id FROM sales',
    attributes => ARRAY['SELECT id, ''big''::text AS label FROM stores'], foreign_keys => '{store_id}') $$, '42804', NULL,
  'a text column of an attribute relation is not a feature');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'SELECT store_id FROM sales', attributes => ARRAY['stores'],
    foreign_keys => '{store_id}', attribute_keys => '{key}') $$, '42703', NULL, 'missing attribute key column');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'SELECT id FROM sales',
    attributes => ARRAY['stores'], foreign_keys => '{store_id}') $$, '42703', NULL, 'missing fk column');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'SELECT store_id, ''x''::text AS features FROM sales',
    attributes => ARRAY['stores'], foreign_keys => '{store_id}') $$, '42804', NULL, 'features of the wrong type');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'SELECT store_id FROM sales',
    attributes => ARRAY['stores'], foreign_keys => '{}') $$, '22023',
  'attributes has 1 relations but foreign_keys has 0 names', 'attributes and foreign_keys lengths differ');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'SELECT store_id FROM sales WHERE false',
    attributes => ARRAY['stores'], foreign_keys => '{store_id}') $$, '22023',
  'source returned no rows', 'empty entity table');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'SELECT NULL::int AS store_id',
    attributes => ARRAY['stores'], foreign_keys => '{store_id}') $$, '22004', NULL, 'NULL foreign key');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'SELECT store_id FROM sales',
    attributes => ARRAY['SELECT id, CASE WHEN id = 20 THEN ARRAY[1.0, 2.0] ELSE ARRAY[size] END::float8[] AS features FROM stores'], foreign_keys => '{store_id}') $$, '22023',
  'column "features" of attributes[1] has 2 elements in row 2 but 1 in the first row', 'ragged features');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'SELECT store_id, day FROM sales',
    attributes => ARRAY['dates'], foreign_keys => '{store_id}', attribute_keys => '{d}') $$, '42804',
  'column "store_id" of source holds integers but the keys of attributes[1] are text', 'key types differ');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => NULL) $$, '22004', NULL, 'NULL source');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'no_such_table') $$, '42P01',
  'source "no_such_table" is neither a query nor a table or view on the search_path', 'an unknown relation names the argument');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'SELECT store_id FROM no_such_table') $$, '42P01', NULL, 'a failing query reports its own error');
SELECT throws_ok($$ SELECT nmatrix_from_sql(source => 'SELECT units FROM sales') $$, '42703', NULL,
  'without attributes the features column is required');

-- nm_join: keys, shapes, NULLs
SELECT throws_ok($$ SELECT nm_join(nmatrix(n_rows => 3), fk => '{1,9,2}', r => '{{1},{2}}') $$, '2202E',
  'fk[2] = 9 but r has 2 rows', 'out-of-range foreign key names fk[i] and the row count');
SELECT throws_ok($$ SELECT nm_join(nmatrix(n_rows => 3), fk => '{1,0,2}', r => '{{1},{2}}') $$, '2202E',
  'fk[2] = 0 is not a row number', 'zero foreign key');
SELECT throws_ok($$ SELECT nm_join(nmatrix(n_rows => 3), fk => '{1,2}', r => '{{1},{2}}') $$, '22023',
  'fk has 2 entries but t has 3 rows', 'fk of the wrong length');
SELECT throws_ok($$ SELECT nm_join(nmatrix(n_rows => 3), fk => '{1,NULL,2}', r => '{{1},{2}}') $$, '22004', 'fk[2] is NULL', 'NULL element in fk');
SELECT throws_ok($$ SELECT nm_join(nmatrix(n_rows => 2), fk => '{1,2}', r => '{{1},{NULL}}') $$, '22004', 'r[2][1] is NULL', 'NULL element in r');
SELECT throws_ok($$ SELECT nm_join(nmatrix(n_rows => 2), fk => '{1,2}', r => '{{1},{NaN}}') $$, '22023', NULL, 'NaN in r');
SELECT throws_ok($$ SELECT nm_join(t(nmatrix(n_rows => 2)), fk => '{1,2}', r => '{{1},{2}}') $$, '22023',
  'cannot join an attribute table to a transposed nmatrix', 'join on a transposed nmatrix');
SELECT throws_ok($$ SELECT nmatrix(n_rows => 0) $$, '22023', 'n_rows must be between 1 and 2147483647, got 0', 'zero rows');
SELECT throws_ok($$ SELECT nmatrix(s => '{1,2}') $$, '22023', NULL, '1-D array for s');
SELECT ok(nm_join(NULL, '{1}', '{{1}}') IS NULL, 'nm_join is STRICT');
SELECT is(materialize(nm_join(nmatrix(s => '{{1},{2},{3}}'), '{1,1,1}', '{{5,6}}')), '{{1,5,6},{2,5,6},{3,5,6}}'::float8[], 'n_R = 1');

-- sparse constructors
SELECT is(materialize(nmatrix_sparse(n_rows => 2, n_cols => 3, i => '{1,2,1}', j => '{3,1,3}', v => '{1,2,0.5}')),
  '{{0,0,1.5},{2,0,0}}'::float8[], 'sparse entity from triplets (duplicates summed)');
SELECT throws_ok($$ SELECT nmatrix_sparse(n_rows => 2, n_cols => 3, i => '{1,3}', j => '{1,1}', v => '{1,2}') $$, '2202E',
  's entry 2 at (3, 1) is outside its 2x3 shape', 'sparse triplet out of range');
SELECT throws_ok($$ SELECT nmatrix_sparse(n_rows => 2, n_cols => 3, i => '{1,2}', j => '{1}', v => '{1,2}') $$, '22023',
  's triplets have different lengths: 2 row indices, 1 column indices, 2 values', 'sparse triplets of different lengths');

-- M:N
SELECT is(materialize(nm_mn(s => '{{1,2},{3,4}}', s_rows => '{2,1,2}', r => '{{7}}', r_rows => '{1,1,1}')),
  '{{3,4,7},{1,2,7},{3,4,7}}'::float8[], 'M:N constructor');
SELECT throws_ok($$ SELECT nm_mn(s => '{{1,2},{3,4}}', s_rows => '{2,1,2}', r => '{{7}}', r_rows => '{1,2,1}') $$, '2202E',
  'r_rows[2] = 2 but r has 1 rows', 'M:N index out of range');
SELECT throws_ok($$ SELECT nm_mn(s => '{{1,2},{3,4}}', s_rows => '{2,1,2}', r => '{{7}}', r_rows => '{1,1}') $$, '22023', NULL, 'M:N index vectors of different lengths');

-- M:N from blocks: sparse S and R (triplets), or dense ones (then the same value as nm_mn)
SELECT is(materialize(nm_mn_blocks(s => nmatrix_sparse(n_rows => 2, n_cols => 3, i => '{1,2}', j => '{3,1}', v => '{5,-1}'),
                                   s_rows => '{2,1,2,1}',
                                   r => nmatrix_sparse(n_rows => 3, n_cols => 2, i => '{1,3}', j => '{2,1}', v => '{4,9}'),
                                   r_rows => '{1,1,3,2}')),
  '{{-1,0,0,0,4},{0,0,5,0,4},{-1,0,0,9,0},{0,0,5,0,0}}'::float8[], 'M:N with sparse blocks = the join written out');
SELECT is(nm_mn_blocks(s => nmatrix(s => '{{1,2},{3,4}}'), s_rows => '{2,1,2}', r => nmatrix(s => '{{7}}'), r_rows => '{1,1,1}')::text,
  nm_mn(s => '{{1,2},{3,4}}', s_rows => '{2,1,2}', r => '{{7}}', r_rows => '{1,1,1}')::text, 'M:N from dense blocks = nm_mn');
SELECT throws_ok($$ SELECT nm_mn_blocks(s => nm_join(nmatrix(s => '{{1},{2}}'), '{1,1}', '{{3}}'), s_rows => '{1}', r => nmatrix(s => '{{7}}'), r_rows => '{1}') $$,
  '22023', 's must be a single block, but it has 1 attribute table(s)', 'M:N side with an attribute table');
SELECT throws_ok($$ SELECT nm_mn_blocks(s => nmatrix(s => '{{1}}'), s_rows => '{1}', r => t(nmatrix(s => '{{7,8}}')), r_rows => '{3}') $$,
  '22023', 'r must be a single block, but it has 0 attribute table(s) and is transposed', 'transposed M:N side');

SELECT * FROM finish();
ROLLBACK;

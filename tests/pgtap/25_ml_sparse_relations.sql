-- Sparse attribute relations in the relation-reading trainers, nmatrix_from_sql and predict(model, source): a relation
-- returning index int[] (with value float8[], width int) gives the same model and predictions as the same features
-- written dense (the dense float8[] columns are built here in SQL from the index/value arrays, independently of the
-- reader), and linreg_train equals linreg on nmatrix_from_sparse's matrix; bad inputs name the relation.
BEGIN;
SELECT plan(26);
SET LOCAL search_path = public, morpheus;

-- 40 entity rows, one dense feature s1 >= 0, keys into a6 (6 rows, width 5, weighted, one empty row) and a4 (4 rows,
-- width 3, index only: every value 1).
CREATE TEMP TABLE ent AS
  SELECT i, (1 + sin(i))::float8 AS s1, 1 + i % 6 AS k6, 1 + (i * 5) % 4 AS k4,
         (sin(i * 0.3) + 0.5 * cos(i) + 0.1 * i / 40.0)::float8 AS y,
         (CASE WHEN sin(i * 1.3) + 0.2 * cos(i) > 0 THEN 1 ELSE 0 END)::float8 AS label
  FROM generate_series(1, 40) i;
CREATE TEMP TABLE a6(key int, index int[], value float8[], width int);
INSERT INTO a6 VALUES (1, '{1,3}', '{0.5,2}', 5), (2, '{2}', '{1.5}', 5), (3, '{4,5}', '{1,0.75}', 5),
                      (4, '{5,1}', '{0.25,2}', 5), (5, '{3}', '{1}', 5), (6, '{}', '{}', 5);
CREATE TEMP TABLE a4(key int, index int[]);
INSERT INTO a4 VALUES (1, '{1}'), (2, '{2}'), (3, '{3}'), (4, '{1,2,3}');
-- the same features dense, expanded in SQL
CREATE FUNCTION pg_temp.dense(idx int[], val float8[], width int) RETURNS float8[] LANGUAGE sql AS $$
  SELECT array_agg(coalesce((SELECT sum(v) FROM unnest(idx, coalesce(val, array_fill(1::float8, ARRAY[cardinality(idx)]))) u(j, v)
                             WHERE j = c), 0) ORDER BY c) FROM generate_series(1, width) c $$;
CREATE TEMP TABLE a6d AS SELECT key, pg_temp.dense(index, value, 5) AS f FROM a6;
CREATE TEMP TABLE a4d AS SELECT key, pg_temp.dense(index, NULL, 3) AS g FROM a4;
CREATE FUNCTION pg_temp.rel(a float8[], b float8[]) RETURNS float8 LANGUAGE sql AS $$
  SELECT CASE WHEN cardinality(a) = cardinality(b)
              THEN sqrt(sum((p - q) ^ 2)) / (1 + sqrt(sum(q ^ 2))) ELSE 'Infinity' END FROM unnest(a, b) u(p, q) $$;

SELECT is(pg_temp.dense('{3,1,3}', '{1,2,0.5}', 4), '{2,0,1.5,0}'::float8[], 'the SQL expansion sums duplicates');

-- linreg_train: sparse = dense = linreg on nmatrix_from_sparse
CREATE TEMP TABLE m AS SELECT
  linreg_train('ent', label => 'y', features => '{s1}', intercept => false, attributes => '{a6, a4}',
               foreign_keys => '{k6, k4}', attribute_keys => '{key, key}') AS sparse,
  linreg_train('ent', label => 'y', features => '{s1}', intercept => false, attributes => '{a6d, a4d}',
               foreign_keys => '{k6, k4}', attribute_keys => '{key, key}') AS dense;
SELECT cmp_ok(pg_temp.rel((sparse).parameters, (dense).parameters), '<', 1e-10::float8, 'linreg_train: sparse = dense')
  FROM m;
SELECT is((sparse).features, ARRAY['s1', 'a6.index[1]', 'a6.index[2]', 'a6.index[3]', 'a6.index[4]', 'a6.index[5]',
                                   'a4.index[1]', 'a4.index[2]', 'a4.index[3]'], 'sparse feature names: <relation>.index[j]')
  FROM m;
SELECT cmp_ok(pg_temp.rel((sparse).parameters[1:9], f.coefficients), '<', 1e-10::float8,
              'linreg_train (sparse) = linreg on nmatrix_from_sparse (parameters end with the intercept slot, 0 here)')
  FROM m, linreg(t => nmatrix_from_sparse('SELECT ARRAY[1] AS index, ARRAY[s1] AS value, 1 AS width, k6, k4 FROM ent ORDER BY i',
                                          '{a6, a4}', '{k6, k4}', '{key, key}'),
                 y => (SELECT array_agg(y ORDER BY i) FROM ent)) f;
SELECT ok((sparse).statistics->'r2' IS NOT NULL AND abs(((sparse).statistics->>'r2')::float8 - ((dense).statistics->>'r2')::float8) < 1e-10,
          'linreg_train: the same fit statistics (r2)') FROM m;
SELECT cmp_ok(pg_temp.rel((SELECT parameters FROM linreg_stream('ent', label => 'y', features => '{s1}', intercept => false,
                              attributes => '{a6, a4}', foreign_keys => '{k6, k4}', attribute_keys => '{key, key}', batch_rows => 7)),
                          (dense).parameters), '<', 1e-10::float8, 'linreg_stream: sparse = dense') FROM m;

SELECT cmp_ok(pg_temp.rel((linreg_train('ent', label => 'y', features => '{s1}', intercept => false,
                            attributes => ARRAY['SELECT key AS index, f FROM a6d', 'a4d'], foreign_keys => '{k6, k4}',
                            attribute_keys => '{index, key}')).parameters, (dense).parameters), '<', 1e-12::float8,
              'a key column named index is a key, not the sparse form') FROM m;

-- nmatrix_from_sql reads the sparse relation as a CSR block: the same matrix as nmatrix_from_sparse and as dense
SELECT is(materialize(nmatrix_from_sql('SELECT s1, k6, k4 FROM ent ORDER BY i', '{a6, a4}', '{k6, k4}', '{key, key}', '{s1}')),
          materialize(nmatrix_from_sql('SELECT s1, k6, k4 FROM ent ORDER BY i', '{a6d, a4d}', '{k6, k4}', '{key, key}', '{s1}')),
          'nmatrix_from_sql: sparse attribute relation = its dense form');

-- logreg, kmeans, gnmf: sparse = dense
SELECT cmp_ok(pg_temp.rel(
  (logreg_train('ent', label => 'label', features => '{s1}', attributes => '{a6, a4}', foreign_keys => '{k6, k4}',
                attribute_keys => '{key, key}', l2 => 0.01)).parameters,
  (logreg_train('ent', label => 'label', features => '{s1}', attributes => '{a6d, a4d}', foreign_keys => '{k6, k4}',
                attribute_keys => '{key, key}', l2 => 0.01)).parameters), '<', 1e-8::float8, 'logreg_train: sparse = dense');
SELECT cmp_ok(pg_temp.rel(
  (kmeans_train('ent', 3, features => '{s1}', attributes => '{a6, a4}', foreign_keys => '{k6, k4}',
                attribute_keys => '{key, key}', seed => 3)).parameters,
  (kmeans_train('ent', 3, features => '{s1}', attributes => '{a6d, a4d}', foreign_keys => '{k6, k4}',
                attribute_keys => '{key, key}', seed => 3)).parameters), '<', 1e-10::float8, 'kmeans_train: sparse = dense');
SELECT cmp_ok(pg_temp.rel(
  (gnmf_train('ent', 2, features => '{s1}', attributes => '{a6, a4}', foreign_keys => '{k6, k4}',
              attribute_keys => '{key, key}', max_iterations => 20, tolerance => 0, seed => 5)).parameters,
  (gnmf_train('ent', 2, features => '{s1}', attributes => '{a6d, a4d}', foreign_keys => '{k6, k4}',
              attribute_keys => '{key, key}', max_iterations => 20, tolerance => 0, seed => 5)).parameters), '<', 1e-10::float8,
  'gnmf_train: sparse = dense');

-- predict(model, source): the sparse relations score as the dense ones; a relation without width takes the model's
SELECT cmp_ok((SELECT max(abs(s.prediction - d.prediction)) FROM m, predict((m.sparse), 'ent', id => 'i') s
                 JOIN predict((m.dense), 'ent', id => 'i') d USING (id)), '<', 1e-10::float8, 'predict: sparse = dense');
SELECT is((SELECT count(*) FROM m, predict((m.sparse), 'ent', id => 'i')), 40::bigint, 'predict: every row scored');
SELECT cmp_ok((SELECT max(abs(s.prediction - d.prediction)) FROM m,
                 predict((m.sparse), 'SELECT * FROM ent WHERE k6 NOT IN (3, 4)', id => 'i',
                         attributes => ARRAY['SELECT key, index, value FROM a6 WHERE key NOT IN (3, 4)', 'a4']) s
                 JOIN predict((m.dense), 'SELECT * FROM ent WHERE k6 NOT IN (3, 4)', id => 'i') d USING (id)), '<', 1e-10::float8,
              'predict: a relation without width (largest index 3) takes the model''s width 5');

-- bad inputs: each names the relation
SELECT throws_ok($$ SELECT linreg_train('ent', label => 'y', features => '{s1}', attributes => ARRAY['SELECT key, ARRAY[key] AS index, 5 AS width FROM a6'],
                   foreign_keys => '{k6}', attribute_keys => '{key}') $$, '2202E',
                 'column "index" of attributes[1] holds 6 in row 6 but width is 5', 'index past width');
SELECT throws_ok($$ SELECT linreg_train('ent', label => 'y', features => '{s1}', attributes => ARRAY['SELECT key, ARRAY[key - 1] AS index FROM a6'],
                   foreign_keys => '{k6}', attribute_keys => '{key}') $$, '2202E',
                 'column "index" of attributes[1] holds 0 in row 1', 'index below 1');
SELECT throws_ok($$ SELECT kmeans_train('ent', 2, features => '{s1}', attributes => ARRAY['SELECT key, index, ARRAY[1.0]::float8[] AS value FROM a6'],
                   foreign_keys => '{k6}', attribute_keys => '{key}') $$, '22023',
                 'row 1 of attributes[1] has 2 indices but 1 values', 'index and value lengths differ');
SELECT throws_ok($$ SELECT linreg_train('ent', label => 'y', features => '{s1}', attributes => ARRAY['SELECT key, index::float8[] AS index FROM a6'],
                   foreign_keys => '{k6}', attribute_keys => '{key}') $$, '42804',
                 'column "index" of attributes[1] is double precision[], expected int[]', 'index of the wrong type');
SELECT throws_ok($$ SELECT gnmf_train('ent', 2, features => '{s1}', attributes => ARRAY['SELECT key, index, value, 1.5 AS extra FROM a6'],
                   foreign_keys => '{k6}', attribute_keys => '{key}') $$, '22023',
                 'attributes[1] returns the column "extra" beside "index"', 'a column beside index');
SELECT throws_ok($$ SELECT linreg_train('ent', label => 'y', features => '{s1}', attributes => ARRAY['SELECT key, index, 2.0::float8 AS value FROM a6'],
                   foreign_keys => '{k6}', attribute_keys => '{key}') $$, '42804', NULL, 'a scalar value column');
SELECT throws_ok($$ SELECT linreg_train('ent', label => 'y', features => '{s1}', attributes => ARRAY['SELECT key, index, 2000000000 AS width FROM a6'],
                   foreign_keys => '{k6}', attribute_keys => '{key}') $$, '54000', NULL,
                 'a declared width whose feature names exceed 1 GB is refused before they are made');
SELECT throws_ok($$ SELECT linreg_train('ent', label => 'y', features => '{s1}', attributes => ARRAY['SELECT key, index, 12000 AS width FROM a6'],
                   foreign_keys => '{k6}', attribute_keys => '{key}') $$, '54000',
                 'linreg_train (normal equations and fit statistics): the 12002 x 12002 Gram matrix X''X would need 1152384032 bytes, over the 1 GB limit of one allocation',
                 'a Gram matrix over 1 GB is refused before it is allocated');
SELECT is((logreg_train('ent', label => 'label', features => '{s1}', attributes => ARRAY['SELECT key, index, 12000 AS width FROM a6'],
                        foreign_keys => '{k6}', attribute_keys => '{key}', max_iterations => 2)).shape,
          '{1,12002}'::int[], 'logreg_train on 12001 features (12000 sparse) needs no Gram matrix');
SELECT throws_ok($$ SELECT * FROM m, predict((m.sparse), 'ent', attributes => ARRAY['SELECT key, index, value, 6 AS width FROM a6', 'a4']) $$,
                 '22023', 'attributes[1] has width 6 but the model was trained with width 5', 'predict: a declared width that differs');
SELECT throws_ok($$ SELECT * FROM m, predict((m.sparse), 'ent', attributes => ARRAY['SELECT key, index || 7 AS index FROM a6', 'a4']) $$,
                 '22023', 'attributes[1] has the column number 7 but the model was trained with width 5', 'predict: an index past the model''s width');
SELECT throws_ok($$ SELECT * FROM m, predict((m.dense), 'ent', attributes => ARRAY['a6', 'a4']) $$,
                 '22023', NULL, 'predict: a sparse relation for a model trained dense');

SELECT * FROM finish();
ROLLBACK;

-- Streaming trainers (linreg_stream, logreg_stream, kmeans_stream): signatures and labels, the same model as the
-- in-memory trainers (linreg_train, logreg_train, kmeans_train) on the same relations at several batch sizes, and
-- every bad input.
BEGIN;
SELECT plan(57);

-- 203 entity rows (not a multiple of the batch sizes used), 2 features, an integer-keyed attribute table (8 x 3)
-- and a text-keyed one (50 x 2).
CREATE TEMP TABLE ent AS
  SELECT i, ARRAY[sin(i), cos(i * 0.7)]::float8[] AS features, 1 + i % 8 AS fk1, 'k' || (1 + (i * 7) % 50) AS fk2,
         (sin(i * 0.3) + 0.5 * cos(i))::float8 AS y,
         (CASE WHEN sin(i * 1.3) + 0.2 * cos(i) > 0 THEN 1 ELSE 0 END)::float8 AS label
  FROM generate_series(1, 203) i;
CREATE TEMP TABLE a1 AS SELECT r AS key, ARRAY[r, r * r / 10.0, 1.0 / r]::float8[] AS features FROM generate_series(1, 8) r;
CREATE TEMP TABLE a2 AS SELECT 'k' || r AS key, ARRAY[abs(sin(r)), abs(cos(r))]::float8[] AS features
  FROM generate_series(1, 50) r;
CREATE FUNCTION pg_temp.rel(a float8[], b float8[]) RETURNS float8 LANGUAGE sql AS $$
  SELECT sqrt(sum((p - q) ^ 2)) / (1 + sqrt(sum(q ^ 2))) FROM unnest(a, b) u(p, q) $$;
CREATE FUNCTION pg_temp.jarr(j jsonb) RETURNS float8[] LANGUAGE sql AS $$
  SELECT array_agg(v::float8 ORDER BY o) FROM jsonb_array_elements_text(j) WITH ORDINALITY u(v, o) $$;
CREATE FUNCTION pg_temp.same(s morpheus.model, m morpheus.model) RETURNS boolean LANGUAGE sql AS $$
  SELECT pg_temp.rel(s.parameters, m.parameters) < 1e-9 AND s.iterations = m.iterations
         AND pg_temp.rel(s.loss, m.loss) < 1e-9 AND s.features = m.features AND s.rows = m.rows
         AND s.converged = m.converged AND s.classes IS NOT DISTINCT FROM m.classes $$;

-- signatures and labels
SELECT has_function('morpheus', 'linreg_stream',
                    ARRAY['text', 'text', 'text[]', 'text', 'boolean', 'text[]', 'text[]', 'text[]', 'integer', 'text',
                          'integer', 'double precision', 'double precision', 'double precision', 'text']);
SELECT has_function('morpheus', 'logreg_stream',
                    ARRAY['text', 'text', 'text[]', 'text', 'boolean', 'text[]', 'text[]', 'text[]', 'integer', 'text',
                          'integer', 'double precision', 'double precision', 'double precision', 'text']);
SELECT has_function('morpheus', 'kmeans_stream',
                    ARRAY['text', 'integer', 'text[]', 'text', 'text[]', 'text[]', 'text[]', 'integer', 'integer',
                          'integer', 'text']);
SELECT is((SELECT array_agg(DISTINCT provolatile::text) FROM pg_proc WHERE proname LIKE '%\_stream'
             AND pronamespace = 'morpheus'::regnamespace), ARRAY['v'], 'streaming functions are VOLATILE');
SELECT is((SELECT array_agg(DISTINCT proparallel::text) FROM pg_proc WHERE proname LIKE '%\_stream'
             AND pronamespace = 'morpheus'::regnamespace), ARRAY['u'], 'streaming functions are PARALLEL UNSAFE');
SELECT is((SELECT count(*) FROM pg_proc WHERE proname LIKE '%\_stream' AND pronamespace = 'morpheus'::regnamespace
             AND NOT proisstrict AND proconfig = ARRAY['synchronize_seqscans=off']), 3::bigint,
          'not STRICT, and every pass reads the rows in one order (synchronize_seqscans = off)');

-- the same model as the in-memory trainers. logreg runs with tolerance 1e-6: at the default 1e-8 L-BFGS may stop
-- where the loss no longer decreases in floating point, and that point moves with rounding (by ~1e-7 here, for any
-- two summation orders, in memory too).
CREATE TEMP TABLE q AS SELECT
  'SELECT features, fk1, fk2, y, label FROM ent ORDER BY i'::text AS e,
  ARRAY['SELECT key, features FROM a1', 'SELECT key, features FROM a2'] AS a, ARRAY['fk1', 'fk2'] AS f,
  ARRAY['key', 'key'] AS k;
SELECT ok(pg_temp.same(s, m) AND pg_temp.rel(pg_temp.jarr((s).statistics->'std_errors'),
                                             pg_temp.jarr((m).statistics->'std_errors')) < 1e-9,
          'linreg_stream normal = linreg_train (batch_rows ' || b || ')')
  FROM (VALUES (1), (7), (203), (100000)) v(b), q,
       LATERAL morpheus.linreg_stream(q.e, label => 'y', attributes => q.a, foreign_keys => q.f, attribute_keys => q.k,
                                      batch_rows => b) s,
       LATERAL morpheus.linreg_train(q.e, label => 'y', attributes => q.a, foreign_keys => q.f, attribute_keys => q.k) m;
SELECT ok(pg_temp.same(s, m) AND NOT (s).converged, 'linreg_stream gd = linreg_train gd (not converged in 50 steps)')
  FROM q, morpheus.linreg_stream(q.e, label => 'y', attributes => q.a, foreign_keys => q.f, attribute_keys => q.k,
                                 batch_rows => 7, method => 'gd', max_iterations => 50) s,
       morpheus.linreg_train(q.e, label => 'y', attributes => q.a, foreign_keys => q.f, attribute_keys => q.k,
                             method => 'gd', max_iterations => 50) m;
SELECT ok(pg_temp.same(s, m), 'linreg_stream ridge with a fixed step = linreg_train')
  FROM q, morpheus.linreg_stream(q.e, label => 'y', attributes => q.a, foreign_keys => q.f, attribute_keys => q.k,
                                 batch_rows => 64, method => 'gd', max_iterations => 30, learning_rate => 0.05, l2 => 0.1) s,
       morpheus.linreg_train(q.e, label => 'y', attributes => q.a, foreign_keys => q.f, attribute_keys => q.k,
                             method => 'gd', max_iterations => 30, learning_rate => 0.05, l2 => 0.1) m;
SELECT ok(pg_temp.same(s, m) AND (s).statistics = (m).statistics OR
          (abs(((s).statistics->>'log_likelihood')::float8 - ((m).statistics->>'log_likelihood')::float8) < 1e-9
           AND (s).statistics->'accuracy' = (m).statistics->'accuracy'),
          'logreg_stream lbfgs = logreg_train (batch_rows ' || b || ')')
  FROM (VALUES (1), (10), (500)) v(b), q,
       LATERAL morpheus.logreg_stream(q.e, label => 'label', attributes => q.a, foreign_keys => q.f,
                                      attribute_keys => q.k, batch_rows => b, l2 => 0.01, tolerance => 1e-6) s,
       LATERAL morpheus.logreg_train(q.e, label => 'label', attributes => q.a, foreign_keys => q.f,
                                     attribute_keys => q.k, l2 => 0.01, tolerance => 1e-6) m;
SELECT ok(pg_temp.same(s, m), 'logreg_stream gd = logreg_train gd')
  FROM q, morpheus.logreg_stream(q.e, label => 'label', attributes => q.a, foreign_keys => q.f, attribute_keys => q.k,
                                 batch_rows => 16, method => 'gd', max_iterations => 25) s,
       morpheus.logreg_train(q.e, label => 'label', attributes => q.a, foreign_keys => q.f, attribute_keys => q.k,
                             method => 'gd', max_iterations => 25) m;
SELECT ok(pg_temp.same(s, m) AND (s).classes = '{-1,1}', 'logreg_stream keeps the -1/+1 coding')
  FROM morpheus.logreg_stream('SELECT features, 2 * label - 1 AS label FROM ent', batch_rows => 20) s,
       morpheus.logreg_train('SELECT features, 2 * label - 1 AS label FROM ent') m;
SELECT ok(pg_temp.same(s, m) AND (s).statistics->'cluster_sizes' = (m).statistics->'cluster_sizes'
          AND abs(((s).statistics->>'within_ss')::float8 - ((m).statistics->>'within_ss')::float8) < 1e-9,
          'kmeans_stream = kmeans_train (batch_rows ' || b || ')')
  FROM (VALUES (1), (9), (1000)) v(b), q,
       LATERAL morpheus.kmeans_stream(q.e, k => 3, attributes => q.a, foreign_keys => q.f, attribute_keys => q.k,
                                      batch_rows => b, seed => 4) s,
       LATERAL morpheus.kmeans_train(q.e, k => 3, attributes => q.a, foreign_keys => q.f, attribute_keys => q.k, seed => 4) m;
SELECT ok(pg_temp.same(s, m), 'linreg_stream: no entity features (d_S = 0), table names, a feature column list')
  FROM morpheus.linreg_stream('ent', label => 'y', features => '{}', attributes => '{a1,a2}',
                              foreign_keys => '{fk1,fk2}', attribute_keys => '{key,key}', batch_rows => 13) s,
       morpheus.linreg_train('ent', label => 'y', features => '{}', attributes => '{a1,a2}',
                             foreign_keys => '{fk1,fk2}', attribute_keys => '{key,key}') m;
SELECT ok(pg_temp.same(s, m), 'linreg_stream: y as numeric and integer keys as bigint')
  FROM morpheus.linreg_stream('SELECT features, fk1::bigint AS fk1, y::numeric AS y FROM ent ORDER BY i', label => 'y',
                              attributes => ARRAY['SELECT key::bigint AS key, features FROM a1'], foreign_keys => '{fk1}',
                              attribute_keys => '{key}') s,
       morpheus.linreg_train('SELECT features, fk1, y FROM ent ORDER BY i', label => 'y',
                             attributes => ARRAY['SELECT key, features FROM a1'], foreign_keys => '{fk1}',
                             attribute_keys => '{key}') m;
SELECT ok((s).converged AND (s).options->>'batch_rows' = '50' AND (s).source = 'ent',
          'a streamed model records its source and batch_rows')
  FROM morpheus.linreg_stream('ent', label => 'y', batch_rows => 50) s;

-- bad arguments
SELECT throws_ok($$SELECT morpheus.linreg_stream('ent', label => 'y', batch_rows => 0)$$,
                 '22023', 'batch_rows must be between 1 and 10000000, got 0', 'batch_rows 0');
SELECT throws_ok($$SELECT morpheus.kmeans_stream('ent', k => 2, batch_rows => -5)$$,
                 '22023', 'batch_rows must be between 1 and 10000000, got -5', 'negative batch_rows');
SELECT throws_ok($$SELECT morpheus.linreg_stream('ent', label => 'y', batch_rows => NULL)$$,
                 '22004', 'batch_rows must not be NULL', 'NULL batch_rows');
SELECT throws_ok($$SELECT morpheus.linreg_stream(NULL)$$, '22004', 'source must not be NULL', 'NULL source');
SELECT throws_ok($$SELECT morpheus.linreg_stream('ent', label => 'y', method => 'qr')$$,
                 '22023', 'unknown method "qr"', 'unknown linreg method');
SELECT throws_ok($$SELECT morpheus.logreg_stream('ent', method => 'newton')$$,
                 '22023', 'unknown method "newton"', 'unknown logreg method');
SELECT throws_ok($$SELECT morpheus.linreg_stream('ent', label => 'y', max_iterations => 0)$$,
                 '22023', 'max_iterations must be at least 1, got 0', 'max_iterations 0');
SELECT throws_ok($$SELECT morpheus.logreg_stream('ent', l2 => -1)$$,
                 '22023', 'l2 must be non-negative, got -1', 'negative l2');
SELECT throws_ok($$SELECT morpheus.linreg_stream('ent', label => '')$$, '22023', 'label is empty', 'empty label');
SELECT throws_ok($$SELECT morpheus.linreg_stream('SELECT features FROM ent')$$,
                 '42703', 'source returns no column "label" (it returns: features)', 'missing label column');
SELECT throws_ok($$SELECT morpheus.linreg_stream('SELECT features, fk2 AS y FROM ent', label => 'y')$$,
                 '42804', 'column "y" of source is text, expected a number (float8, numeric, an integer type or boolean)',
                 'label column of the wrong type');
SELECT throws_ok($$SELECT morpheus.linreg_stream('SELECT y::text AS features, y FROM ent', label => 'y')$$,
                 '42804', 'column "features" of source is text, expected a number, a boolean or float8[]', 'features of the wrong type');
SELECT throws_ok($$SELECT morpheus.linreg_stream(
                   'SELECT features, CASE WHEN i = 77 THEN NULL ELSE y END AS y FROM ent ORDER BY i', label => 'y')$$,
                 '22004', 'column "y" of source is NULL in row 77', 'NULL label');
SELECT throws_ok($$SELECT morpheus.linreg_stream(
                   'SELECT features, CASE WHEN i = 5 THEN ''NaN''::float8 ELSE y END AS y FROM ent ORDER BY i', label => 'y')$$,
                 '22023', 'column "y" of source is NaN in row 5', 'NaN label');
SELECT throws_ok($$SELECT morpheus.linreg_stream(batch_rows => 10, label => 'y',
                   source => 'SELECT CASE WHEN i = 33 THEN ARRAY[1, ''NaN'']::float8[] ELSE features END AS features, y FROM ent ORDER BY i')$$,
                 '22023', 'column "features" of source holds NaN in row 33', 'NaN feature');
SELECT throws_ok($$SELECT morpheus.linreg_stream(label => 'y',
                   source => 'SELECT CASE WHEN i = 9 THEN ARRAY[1]::float8[] ELSE features END AS features, y FROM ent ORDER BY i')$$,
                 '22023', 'column "features" of source has 1 elements in row 9 but 2 in the first row', 'ragged features');
SELECT throws_ok($$SELECT morpheus.linreg_stream(label => 'y',
                   source => 'SELECT CASE WHEN i = 4 THEN NULL ELSE features END AS features, y FROM ent ORDER BY i')$$,
                 '22004', NULL, 'NULL features');
SELECT throws_ok($$SELECT morpheus.linreg_stream('SELECT features, y FROM ent WHERE false', label => 'y')$$,
                 '22023', 'source returned no rows', 'empty source');
SELECT throws_ok($$SELECT morpheus.kmeans_stream('SELECT features FROM ent WHERE i > 1000', k => 2)$$,
                 '22023', 'source returned no rows', 'empty source (kmeans)');
SELECT throws_ok($$SELECT morpheus.linreg_stream('SELECT 1 AS y', label => 'y', features => '{}', intercept => false)$$,
                 '22023', 'source has no features', 'no features and no attribute tables');
SELECT throws_ok($$SELECT morpheus.linreg_stream('SELEC features FROM ent')$$, '42601', NULL, 'syntax error in the query');
SELECT throws_ok($$SELECT morpheus.linreg_stream('SELECT features, fk1, y FROM ent', label => 'y',
                   attributes => '{a1}', foreign_keys => '{}')$$,
                 '22023', 'attributes has 1 relations but foreign_keys has 0 names', 'attributes / foreign_keys mismatch');
SELECT throws_ok($$SELECT morpheus.linreg_stream('SELECT features, y FROM ent', label => 'y',
                   attributes => '{a1}', foreign_keys => '{fk1}', attribute_keys => '{key}')$$,
                 '42703', 'source returns no column "fk1" (it returns: features, y)', 'missing fk column');
SELECT throws_ok($$SELECT morpheus.linreg_stream('SELECT features, fk1::text AS fk1, y FROM ent', label => 'y',
                   attributes => '{a1}', foreign_keys => '{fk1}', attribute_keys => '{key}')$$,
                 '42804', 'column "fk1" of source holds text but the keys of attributes[1] are integers', 'key type mismatch');
SELECT throws_ok($$SELECT morpheus.linreg_stream(label => 'y',
                   source => 'SELECT features, CASE WHEN i = 50 THEN 99 ELSE fk1 END AS fk1, y FROM ent ORDER BY i',
                   attributes => '{a1}', foreign_keys => '{fk1}', attribute_keys => '{key}')$$,
                 '22023', 'column "fk1" of source has the dangling key ''99'' in row 50: no row of attributes[1] has that key',
                 'dangling key');
SELECT throws_ok($$SELECT morpheus.linreg_stream(label => 'y',
                   source => 'SELECT features, CASE WHEN i = 3 THEN NULL ELSE fk2 END AS fk2, y FROM ent ORDER BY i',
                   attributes => '{a2}', foreign_keys => '{fk2}', attribute_keys => '{key}')$$,
                 '22004', 'column "fk2" of source is NULL in row 3', 'NULL foreign key');
SELECT throws_ok($$SELECT morpheus.linreg_stream('SELECT features, fk1, y FROM ent', label => 'y',
                   attributes => ARRAY['SELECT 1 AS key, ARRAY[1.0]::float8[] AS features UNION ALL SELECT 1, ARRAY[2.0]'],
                   foreign_keys => '{fk1}', attribute_keys => '{key}')$$,
                 '22023', 'column "key" of attributes[1] has the duplicate value ''1'' (row 2)', 'duplicate attribute key');
SELECT throws_ok($$SELECT morpheus.linreg_stream('SELECT features, fk1, y FROM ent', label => 'y',
                   attributes => ARRAY[NULL], foreign_keys => '{fk1}')$$,
                 '22004', 'attributes[1] is NULL', 'NULL attribute relation');
SELECT throws_ok($$SELECT morpheus.logreg_stream(
                   'SELECT features, CASE WHEN i = 12 THEN 2 ELSE label END AS label FROM ent ORDER BY i')$$,
                 '22023', 'column "label" of source is 2 in row 12, not a class label', 'logreg label 2');
SELECT throws_ok($$SELECT morpheus.logreg_stream(
                   'SELECT features, CASE WHEN i = 12 THEN -1 ELSE label END AS label FROM ent ORDER BY i')$$,
                 '22023', NULL, 'logreg labels mixing 0 and -1');
SELECT throws_ok($$SELECT morpheus.kmeans_stream('SELECT features FROM ent WHERE i <= 3', k => 5)$$,
                 '22023', 'k = 5 but x has only 3 rows', 'kmeans k > rows');
SELECT throws_ok($$SELECT morpheus.kmeans_stream('ent', k => 0)$$, '22023', 'k must be at least 1, got 0', 'kmeans k = 0');
CREATE TEMP SEQUENCE grow;
SELECT throws_ok($$SELECT morpheus.linreg_stream(label => 'y',
                   source => 'SELECT features, y FROM ent, (SELECT nextval(''grow'') AS p) z WHERE i <= 100 + z.p')$$,
                 '22023', 'source returned 102 rows on one pass but 101 on an earlier one',
                 'a query whose rows change between passes');

-- model_name: the model is saved after the stream's read-only scope ends (it was a 25006 error)
CREATE TEMP TABLE saved AS SELECT s FROM q, morpheus.kmeans_stream(q.e, k => 2, attributes => q.a, foreign_keys => q.f,
                                                                    attribute_keys => q.k, model_name => 'stream_saved') s;
SELECT is((SELECT (morpheus.load_model('stream_saved')).parameters), (SELECT (s).parameters FROM saved),
          'kmeans_stream with model_name saves the model it returns');

SELECT * FROM finish();
ROLLBACK;

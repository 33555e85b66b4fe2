-- Streaming ML (linreg_stream, logreg_stream, kmeans_stream): signatures and labels, equality with linreg / logreg /
-- kmeans on morpheus.nmatrix_from_sql of the same tables at several batch sizes, and every bad input.
BEGIN;
SELECT plan(59);

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
CREATE TEMP TABLE q AS SELECT
  'SELECT features, fk1, fk2, y, label FROM ent ORDER BY i'::text AS e,
  ARRAY['SELECT key, features FROM a1', 'SELECT key, features FROM a2'] AS a, ARRAY['fk1', 'fk2'] AS f;
CREATE TEMP TABLE x AS
  SELECT morpheus.nmatrix_from_sql(entity_sql => q.e, attribute_sql => q.a, fk_columns => q.f) AS t,
         (SELECT array_agg(y ORDER BY i) FROM ent) AS y, (SELECT array_agg(label ORDER BY i) FROM ent) AS label
  FROM q;
CREATE FUNCTION pg_temp.rel(a float8[], b float8[]) RETURNS float8 LANGUAGE sql AS $$
  SELECT sqrt(sum((p - q) ^ 2)) / (1 + sqrt(sum(q ^ 2))) FROM unnest(a, b) u(p, q) $$;

-- signatures and labels
SELECT has_function('morpheus', 'linreg_stream',
                    ARRAY['text', 'text[]', 'text[]', 'text', 'integer', 'text', 'integer', 'double precision',
                          'double precision', 'double precision']);
SELECT has_function('morpheus', 'logreg_stream',
                    ARRAY['text', 'text[]', 'text[]', 'text', 'integer', 'text', 'integer', 'double precision',
                          'double precision', 'double precision']);
SELECT has_function('morpheus', 'kmeans_stream',
                    ARRAY['text', 'integer', 'text[]', 'text[]', 'integer', 'integer', 'integer', 'boolean']);
SELECT is((SELECT array_agg(DISTINCT provolatile::text) FROM pg_proc WHERE proname LIKE '%\_stream'
             AND pronamespace = 'morpheus'::regnamespace), ARRAY['v'], 'streaming functions are VOLATILE');
SELECT is((SELECT array_agg(DISTINCT proparallel::text) FROM pg_proc WHERE proname LIKE '%\_stream'
             AND pronamespace = 'morpheus'::regnamespace), ARRAY['u'], 'streaming functions are PARALLEL UNSAFE');
SELECT is((SELECT count(*) FROM pg_proc WHERE proname LIKE '%\_stream' AND pronamespace = 'morpheus'::regnamespace
             AND NOT proisstrict AND proconfig = ARRAY['synchronize_seqscans=off']), 3::bigint,
          'not STRICT, and every pass reads the rows in one order (synchronize_seqscans = off)');

-- equality with the in-memory algorithms on nmatrix_from_sql of the same tables. logreg runs with tolerance 1e-6:
-- at the default 1e-8 L-BFGS may stop where the loss no longer decreases in floating point, and that point moves
-- with rounding (by ~1e-7 here, for any two summation orders, in memory too).
SELECT ok(pg_temp.rel(s.coefficients, m.coefficients) < 1e-9 AND s.iterations = m.iterations
          AND pg_temp.rel(s.loss, m.loss) < 1e-9, 'linreg_stream normal = linreg (batch_rows ' || b || ')')
  FROM (VALUES (1), (7), (203), (100000)) v(b), q, x,
       LATERAL morpheus.linreg_stream(entity_sql => q.e, attribute_sql => q.a, fk_columns => q.f, batch_rows => b) s,
       LATERAL morpheus.linreg(x => x.t, y => x.y) m;
SELECT ok(pg_temp.rel(s.coefficients, m.coefficients) < 1e-9 AND s.iterations = m.iterations
          AND pg_temp.rel(s.loss, m.loss) < 1e-9 AND pg_temp.rel(s.grad_norm, m.grad_norm) < 1e-9,
          'linreg_stream gd = linreg gd')
  FROM q, x, morpheus.linreg_stream(entity_sql => q.e, attribute_sql => q.a, fk_columns => q.f, batch_rows => 7,
                                    method => 'gd', max_iterations => 50) s,
       morpheus.linreg(x => x.t, y => x.y, method => 'gd', max_iterations => 50) m;
SELECT ok(pg_temp.rel(s.coefficients, m.coefficients) < 1e-9, 'linreg_stream ridge with a fixed step = linreg')
  FROM q, x, morpheus.linreg_stream(entity_sql => q.e, attribute_sql => q.a, fk_columns => q.f, batch_rows => 64,
                                    method => 'gd', max_iterations => 30, learning_rate => 0.05, l2 => 0.1) s,
       morpheus.linreg(x => x.t, y => x.y, method => 'gd', max_iterations => 30, learning_rate => 0.05, l2 => 0.1) m;
SELECT ok(pg_temp.rel(s.coefficients, m.coefficients) < 1e-9 AND s.iterations = m.iterations
          AND pg_temp.rel(s.loss, m.loss) < 1e-9, 'logreg_stream lbfgs = logreg (batch_rows ' || b || ')')
  FROM (VALUES (1), (10), (500)) v(b), q, x,
       LATERAL morpheus.logreg_stream(entity_sql => q.e, attribute_sql => q.a, fk_columns => q.f,
                                      y_column => 'label', batch_rows => b, l2 => 0.01, tolerance => 1e-6) s,
       LATERAL morpheus.logreg(x => x.t, y => x.label, l2 => 0.01, tolerance => 1e-6) m;
SELECT ok(pg_temp.rel(s.coefficients, m.coefficients) < 1e-9 AND s.iterations = m.iterations,
          'logreg_stream gd = logreg gd')
  FROM q, x, morpheus.logreg_stream(entity_sql => q.e, attribute_sql => q.a, fk_columns => q.f, y_column => 'label',
                                    batch_rows => 16, method => 'gd', max_iterations => 25) s,
       morpheus.logreg(x => x.t, y => x.label, method => 'gd', max_iterations => 25) m;
SELECT ok(pg_temp.rel(s.centers, m.centers) < 1e-9 AND s.assignment = m.assignment AND s.iterations = m.iterations
          AND pg_temp.rel(s.loss, m.loss) < 1e-9, 'kmeans_stream = kmeans (batch_rows ' || b || ')')
  FROM (VALUES (1), (9), (1000)) v(b), q, x,
       LATERAL morpheus.kmeans_stream(entity_sql => q.e, k => 3, attribute_sql => q.a, fk_columns => q.f,
                                      batch_rows => b, seed => 4) s,
       LATERAL morpheus.kmeans(x => x.t, k => 3, seed => 4) m;
SELECT ok(s.assignment IS NULL AND pg_temp.rel(s.centers, m.centers) < 1e-9,
          'kmeans_stream with_assignment => false: same centers, no assignment')
  FROM q, x, morpheus.kmeans_stream(entity_sql => q.e, k => 4, attribute_sql => q.a, fk_columns => q.f,
                                    with_assignment => false) s, morpheus.kmeans(x => x.t, k => 4) m;
SELECT ok(pg_temp.rel(s.coefficients, m.coefficients) < 1e-9, 'linreg_stream: entity features only')
  FROM ent, LATERAL (SELECT 1) z,
       morpheus.linreg_stream(entity_sql => 'SELECT features, y FROM ent ORDER BY i', batch_rows => 50) s,
       morpheus.linreg(x => (SELECT array_agg(features ORDER BY i) FROM ent), y => (SELECT array_agg(y ORDER BY i) FROM ent)) m
  LIMIT 1;
SELECT ok(pg_temp.rel(s.coefficients, m.coefficients) < 1e-9, 'linreg_stream: no entity features (d_S = 0)')
  FROM x, morpheus.linreg_stream(entity_sql => 'SELECT fk1, fk2, y FROM ent ORDER BY i',
                                 attribute_sql => ARRAY['SELECT key, features FROM a1', 'SELECT key, features FROM a2'],
                                 fk_columns => ARRAY['fk1', 'fk2'], batch_rows => 13) s,
       morpheus.linreg(x => morpheus.nmatrix_from_sql('SELECT fk1, fk2 FROM ent ORDER BY i',
                                                      ARRAY['SELECT key, features FROM a1', 'SELECT key, features FROM a2'],
                                                      ARRAY['fk1', 'fk2']), y => x.y) m;
SELECT ok(pg_temp.rel(s.coefficients, m.coefficients) < 1e-9, 'linreg_stream: y as numeric and integer keys as bigint')
  FROM x, morpheus.linreg_stream(entity_sql => 'SELECT features, fk1::bigint AS fk1, fk2, y::numeric AS y FROM ent ORDER BY i',
                                 attribute_sql => ARRAY['SELECT key::bigint AS key, features FROM a1', 'SELECT key, features FROM a2'],
                                 fk_columns => ARRAY['fk1', 'fk2']) s,
       morpheus.linreg(x => x.t, y => x.y) m;

-- bad arguments
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT features, y FROM ent', batch_rows => 0)$$,
                 '22023', 'batch_rows must be between 1 and 10000000, got 0', 'batch_rows 0');
SELECT throws_ok($$SELECT * FROM morpheus.kmeans_stream(entity_sql => 'SELECT features FROM ent', k => 2, batch_rows => -5)$$,
                 '22023', 'batch_rows must be between 1 and 10000000, got -5', 'negative batch_rows');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT features, y FROM ent', batch_rows => NULL)$$,
                 '22004', 'batch_rows must not be NULL', 'NULL batch_rows');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => NULL)$$, '22004', 'entity_sql must not be NULL',
                 'NULL entity_sql');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT features, y FROM ent', method => 'qr')$$,
                 '22023', 'method must be ''normal'' or ''gd'', got ''qr''', 'unknown linreg method');
SELECT throws_ok($$SELECT * FROM morpheus.logreg_stream(entity_sql => 'SELECT features, label AS y FROM ent', method => 'newton')$$,
                 '22023', 'method must be ''lbfgs'' or ''gd'', got ''newton''', 'unknown logreg method');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT features, y FROM ent', max_iterations => 0)$$,
                 '22023', 'max_iterations must be at least 1, got 0', 'max_iterations 0');
SELECT throws_ok($$SELECT * FROM morpheus.logreg_stream(entity_sql => 'SELECT features, label AS y FROM ent', l2 => -1)$$,
                 '22023', 'l2 must be non-negative, got -1', 'negative l2');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT features, y FROM ent', y_column => '')$$,
                 '22023', 'y_column is empty', 'empty y_column');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT features FROM ent')$$,
                 '42703', 'entity_sql returns no column "y" (it returns: features)', 'missing y column');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT features, fk2 AS y FROM ent')$$,
                 '42804', 'column "y" of entity_sql is text, expected a number (float8, numeric or an integer type)',
                 'y column of the wrong type');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT y::text AS features, y FROM ent')$$,
                 '42804', 'column "features" of entity_sql is text, expected float8[]', 'features of the wrong type');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(
                   entity_sql => 'SELECT features, CASE WHEN i = 77 THEN NULL ELSE y END AS y FROM ent ORDER BY i')$$,
                 '22004', 'column "y" of entity_sql is NULL in row 77', 'NULL label');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(
                   entity_sql => 'SELECT features, CASE WHEN i = 5 THEN ''NaN''::float8 ELSE y END AS y FROM ent ORDER BY i')$$,
                 '22023', 'column "y" of entity_sql is NaN in row 5', 'NaN label');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(batch_rows => 10,
                   entity_sql => 'SELECT CASE WHEN i = 33 THEN ARRAY[1, ''NaN'']::float8[] ELSE features END AS features, y FROM ent ORDER BY i')$$,
                 '22023', 'column "features" of entity_sql holds NaN in row 33', 'NaN feature');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(
                   entity_sql => 'SELECT CASE WHEN i = 9 THEN ARRAY[1]::float8[] ELSE features END AS features, y FROM ent ORDER BY i')$$,
                 '22023', 'column "features" of entity_sql has 1 elements in row 9 but 2 in row 1', 'ragged features');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(
                   entity_sql => 'SELECT CASE WHEN i = 4 THEN NULL ELSE features END AS features, y FROM ent ORDER BY i')$$,
                 '22004', 'column "features" of entity_sql is NULL in row 4', 'NULL features');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT features, y FROM ent WHERE false')$$,
                 '22023', 'entity_sql returned no rows', 'empty entity query');
SELECT throws_ok($$SELECT * FROM morpheus.kmeans_stream(entity_sql => 'SELECT features FROM ent WHERE i > 1000', k => 2)$$,
                 '22023', 'entity_sql returned no rows', 'empty entity query (kmeans)');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT 1 AS y')$$,
                 '22023', 'entity_sql has no features', 'no features and no attribute tables');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELEC features FROM ent')$$,
                 '42601', NULL, 'syntax error in entity_sql');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'CREATE TEMP TABLE zz (y float8)')$$,
                 '22023', 'entity_sql must be a single query that returns rows', 'entity_sql that returns no rows');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT features, fk1, y FROM ent',
                   attribute_sql => ARRAY['SELECT key, features FROM a1'], fk_columns => '{}')$$,
                 '22023', 'attribute_sql has 1 queries but fk_columns has 0 names', 'attribute/fk count mismatch');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT features, y FROM ent',
                   attribute_sql => ARRAY['SELECT key, features FROM a1'], fk_columns => ARRAY['fk1'])$$,
                 '42703', 'entity_sql returns no column "fk1" (it returns: features, y)', 'missing fk column');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT features, fk1::text AS fk1, y FROM ent',
                   attribute_sql => ARRAY['SELECT key, features FROM a1'], fk_columns => ARRAY['fk1'])$$,
                 '42804', 'column "fk1" of entity_sql is text but the keys of attribute_sql[1] are integers',
                 'key type mismatch');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(
                   entity_sql => 'SELECT features, CASE WHEN i = 50 THEN 99 ELSE fk1 END AS fk1, y FROM ent ORDER BY i',
                   attribute_sql => ARRAY['SELECT key, features FROM a1'], fk_columns => ARRAY['fk1'])$$,
                 '22023', 'column "fk1" of entity_sql has the dangling key ''99'' in row 50: no row of attribute_sql[1] has that key',
                 'dangling key');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(
                   entity_sql => 'SELECT features, CASE WHEN i = 3 THEN NULL ELSE fk2 END AS fk2, y FROM ent ORDER BY i',
                   attribute_sql => ARRAY['SELECT key, features FROM a2'], fk_columns => ARRAY['fk2'])$$,
                 '22004', 'column "fk2" of entity_sql is NULL in row 3', 'NULL foreign key');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT features, fk1, y FROM ent',
                   attribute_sql => ARRAY['SELECT 1 AS key, ARRAY[1.0]::float8[] AS features UNION ALL SELECT 1, ARRAY[2.0]'],
                   fk_columns => ARRAY['fk1'])$$,
                 '22023', 'column "key" of attribute_sql[1] has the duplicate value ''1'' (row 2)', 'duplicate attribute key');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT features, fk1, y FROM ent',
                   attribute_sql => ARRAY['SELECT key FROM a1'], fk_columns => ARRAY['fk1'])$$,
                 '42703', NULL, 'attribute query without features');
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(entity_sql => 'SELECT features, fk1, y FROM ent',
                   attribute_sql => ARRAY[NULL], fk_columns => ARRAY['fk1'])$$,
                 '22004', 'attribute_sql[1] is NULL', 'NULL attribute query');
SELECT throws_ok($$SELECT * FROM morpheus.logreg_stream(
                   entity_sql => 'SELECT features, CASE WHEN i = 12 THEN 2 ELSE label END AS y FROM ent ORDER BY i')$$,
                 '22023', 'column "y" of entity_sql is 2 in row 12, not a class label', 'logreg label 2');
SELECT throws_ok($$SELECT * FROM morpheus.logreg_stream(
                   entity_sql => 'SELECT features, CASE WHEN i = 12 THEN -1 ELSE label END AS y FROM ent ORDER BY i')$$,
                 '22023', NULL, 'logreg labels mixing 0 and -1');
SELECT throws_ok($$SELECT * FROM morpheus.kmeans_stream(entity_sql => 'SELECT features FROM ent WHERE i <= 3', k => 5)$$,
                 '22023', 'k = 5 but x has only 3 rows', 'kmeans k > rows');
SELECT throws_ok($$SELECT * FROM morpheus.kmeans_stream(entity_sql => 'SELECT features FROM ent', k => 0)$$,
                 '22023', 'k must be at least 1, got 0', 'kmeans k = 0');
SELECT throws_ok($$SELECT * FROM morpheus.kmeans_stream(entity_sql => 'SELECT features FROM ent', k => 2, with_assignment => NULL)$$,
                 '22004', 'with_assignment must not be NULL', 'NULL with_assignment');
CREATE TEMP SEQUENCE grow;
SELECT throws_ok($$SELECT * FROM morpheus.linreg_stream(
                   entity_sql => 'SELECT features, y FROM ent, (SELECT nextval(''grow'') AS p) z WHERE i <= 100 + z.p')$$,
                 '22023', 'entity_sql returned 102 rows on one pass but 101 on an earlier one',
                 'a query whose rows change between passes');

SELECT * FROM finish();
ROLLBACK;

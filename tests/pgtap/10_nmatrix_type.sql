-- morpheus.nmatrix: catalog surface (signatures, labels), text and binary I/O, validation and size limits.
BEGIN;
SELECT plan(42);

-- operators that follow the plan of morpheus.factorize / plan_model / the thresholds, or whose BLAS products depend on
-- morpheus.blas_threads, are STABLE (docs/security.md#labels)
CREATE TEMP TABLE nm_api(sig text, ret text, vol char, strict bool, par char);
INSERT INTO nm_api VALUES
  ('morpheus.nmatrix_in(cstring)', 'morpheus.nmatrix', 'i', true, 's'),
  ('morpheus.nmatrix_out(morpheus.nmatrix)', 'cstring', 'i', true, 's'),
  ('morpheus.nmatrix_recv(internal)', 'morpheus.nmatrix', 'i', true, 's'),
  ('morpheus.nmatrix_send(morpheus.nmatrix)', 'bytea', 'i', true, 's'),
  ('morpheus.nmatrix(float8[])', 'morpheus.nmatrix', 'i', true, 's'),
  ('morpheus.nmatrix(integer)', 'morpheus.nmatrix', 'i', true, 's'),
  ('morpheus.nmatrix_sparse(integer, integer, integer[], integer[], float8[])', 'morpheus.nmatrix', 'i', true, 's'),
  ('morpheus.nm_join(morpheus.nmatrix, integer[], float8[])', 'morpheus.nmatrix', 'i', true, 's'),
  ('morpheus.nm_join_sparse(morpheus.nmatrix, integer[], integer, integer, integer[], integer[], float8[])', 'morpheus.nmatrix', 'i', true, 's'),
  ('morpheus.nm_mn(float8[], integer[], float8[], integer[])', 'morpheus.nmatrix', 'i', true, 's'),
  ('morpheus.nm_mn_blocks(morpheus.nmatrix, integer[], morpheus.nmatrix, integer[])', 'morpheus.nmatrix', 'i', true, 's'),
  ('morpheus.nmatrix_from_sql(text, text[], text[], text[], text[])', 'morpheus.nmatrix', 'v', false, 'u'),
  ('morpheus.nmatrix_from_sparse(text, text[], text[], text[])', 'morpheus.nmatrix', 'v', false, 'u'),
  ('morpheus.row_sums(morpheus.nmatrix)', 'float8[]', 's', true, 's'),
  ('morpheus.col_sums(morpheus.nmatrix)', 'float8[]', 's', true, 's'),
  ('morpheus.sum(morpheus.nmatrix)', 'float8', 's', true, 's'),
  ('morpheus.nrow(morpheus.nmatrix)', 'bigint', 'i', true, 's'),
  ('morpheus.ncol(morpheus.nmatrix)', 'bigint', 'i', true, 's'),
  ('morpheus.summary(morpheus.nmatrix)', 'record', 'i', true, 's'),
  ('morpheus.t(morpheus.nmatrix)', 'morpheus.nmatrix', 'i', true, 's'),
  ('morpheus.materialize(morpheus.nmatrix)', 'float8[]', 'i', true, 's'),
  ('morpheus.crossprod(morpheus.nmatrix)', 'float8[]', 's', true, 's'),
  ('morpheus.tcrossprod(morpheus.nmatrix)', 'float8[]', 's', true, 's'),
  ('morpheus.crossprod_sparse(morpheus.nmatrix)', 'morpheus.nmatrix', 'i', true, 's'),
  ('morpheus.entries(morpheus.nmatrix)', 'record', 'i', true, 's'),
  ('morpheus.ginv(morpheus.nmatrix)', 'float8[]', 's', true, 's'),
  ('morpheus.nm_lmm(morpheus.nmatrix, float8[])', 'float8[]', 's', true, 's'),
  ('morpheus.nm_rmm(float8[], morpheus.nmatrix)', 'float8[]', 's', true, 's'),
  ('morpheus.nm_matmul(morpheus.nmatrix, morpheus.nmatrix)', 'float8[]', 's', true, 's');
INSERT INTO nm_api
  SELECT format('morpheus.%s(morpheus.nmatrix)', f), 'morpheus.nmatrix', 'i', true, 's'
  FROM unnest('{exp,log,sqrt,abs,sin,cos,tan,tanh,sign,square,sigmoid,log1p,expm1}'::text[]) f;
INSERT INTO nm_api
  SELECT format('morpheus.nm_%s_scalar(morpheus.nmatrix, float8)', o), 'morpheus.nmatrix', 'i', true, 's'
  FROM unnest('{add,sub,mul,div,pow}'::text[]) o
  UNION ALL SELECT format('morpheus.nm_scalar_%s(float8, morpheus.nmatrix)', o), 'morpheus.nmatrix', 'i', true, 's'
  FROM unnest('{add,sub,mul,div,pow}'::text[]) o
  UNION ALL SELECT format('morpheus.nm_%s_array(morpheus.nmatrix, float8[])', o), 'float8[]', 'i', true, 's'
  FROM unnest('{add,sub,mul,div,pow}'::text[]) o
  UNION ALL SELECT format('morpheus.nm_array_%s(float8[], morpheus.nmatrix)', o), 'float8[]', 'i', true, 's'
  FROM unnest('{add,sub,mul,div,pow}'::text[]) o;

SELECT is((SELECT count(*) FROM nm_api), 62::bigint, 'the nmatrix API lists 62 functions');
SELECT is_empty($$ SELECT sig FROM nm_api WHERE to_regprocedure(sig) IS NULL $$, 'every nmatrix function exists with its signature');
SELECT is_empty($$ SELECT sig FROM nm_api a JOIN pg_proc p ON p.oid = to_regprocedure(a.sig)
                   WHERE p.prorettype <> a.ret::regtype $$, 'every nmatrix function has its return type');
SELECT is_empty($$ SELECT sig FROM nm_api a JOIN pg_proc p ON p.oid = to_regprocedure(a.sig)
                   WHERE p.provolatile <> a.vol OR p.proisstrict <> a.strict OR p.proparallel <> a.par $$,
                'volatility, strictness and parallel labels are as documented');
-- (the ML functions and explain also take an nmatrix; tests/pgtap/21_ml_nmatrix.sql covers them)
SELECT is((SELECT count(*) FROM pg_proc WHERE pronamespace = 'morpheus'::regnamespace
             AND proname NOT IN ('linreg', 'logreg', 'kmeans', 'gnmf', 'explain')
             AND (proargtypes::oid[] && ARRAY['morpheus.nmatrix'::regtype::oid] OR prorettype = 'morpheus.nmatrix'::regtype)),
          (SELECT count(*) FROM nm_api a JOIN pg_proc p ON p.oid = to_regprocedure(a.sig)
             WHERE p.proargtypes::oid[] && ARRAY['morpheus.nmatrix'::regtype::oid] OR p.prorettype = 'morpheus.nmatrix'::regtype),
          'no undocumented function takes or returns nmatrix');
SELECT is((SELECT count(*) FROM pg_operator WHERE oprnamespace = 'morpheus'::regnamespace
             AND 'morpheus.nmatrix'::regtype IN (oprleft, oprright)), 23::bigint,
          '23 operators on nmatrix: 10 scalar, 10 element-wise with arrays, 3 products');
SELECT is_empty($$ SELECT o FROM unnest('{+,-,*,/,^}'::text[]) o
                   WHERE to_regoperator(format('morpheus.%s(morpheus.nmatrix, float8)', o)) IS NULL
                      OR to_regoperator(format('morpheus.%s(float8, morpheus.nmatrix)', o)) IS NULL
                      OR to_regoperator(format('morpheus.%s(morpheus.nmatrix, float8[])', o)) IS NULL
                      OR to_regoperator(format('morpheus.%s(float8[], morpheus.nmatrix)', o)) IS NULL $$,
                'scalar and element-wise operators exist with both operand orders');
SELECT ok(to_regoperator('morpheus.%*%(morpheus.nmatrix, float8[])') IS NOT NULL
      AND to_regoperator('morpheus.%*%(float8[], morpheus.nmatrix)') IS NOT NULL
      AND to_regoperator('morpheus.%*%(morpheus.nmatrix, morpheus.nmatrix)') IS NOT NULL, '%*% exists for LMM, RMM and nmatrix %*% nmatrix');
SELECT has_type('morpheus', 'nmatrix', 'type morpheus.nmatrix exists');
SELECT is((SELECT typalign::text || typstorage::text FROM pg_type WHERE oid = 'morpheus.nmatrix'::regtype), 'de', 'nmatrix is double-aligned, external (uncompressed) storage');

-- text output format and exact round trip
SELECT is(morpheus.nm_join(morpheus.nmatrix(s => '{{1,2},{4,3},{5,6},{8,7},{9,1}}'), fk => '{1,2,2,1,2}', r => '{{1.1,2.2},{3.3,4.4}}')::text,
  'nmatrix v1 rows=5 transposed=false; identity dense 5x2 {{1,2},{4,3},{5,6},{8,7},{9,1}}; index {1,2,2,1,2} dense 2x2 {{1.1,2.2},{3.3,4.4}}',
  'text output of the reference fixture');
SELECT is(morpheus.nm_join_sparse(morpheus.nmatrix(n_rows => 3), fk => '{2,2,1}', n_rows => 2, n_cols => 3, i => '{2,1}', j => '{3,1}', v => '{0.1,-5e-300}')::text,
  'nmatrix v1 rows=3 transposed=false; identity dense 3x0 {}; index {2,2,1} sparse 2x3 {(1,1,-5e-300),(2,3,0.1)}',
  'text output of a d_S = 0 matrix with a sparse block (entries in row order)');
SELECT is(morpheus.t(morpheus.nmatrix(s => '{{0.1,1e300}}'))::text,
  'nmatrix v1 rows=1 transposed=true; identity dense 1x2 {{0.1,1e+300}}', 'transposed flag in the text form');
CREATE TEMP TABLE rt AS
  SELECT morpheus.nm_join(morpheus.nmatrix(s => ARRAY[[random(), random()], [random(), 1/3.0], [pi(), -exp(1.0)]]::float8[]),
                          fk => '{1,1,2}', r => ARRAY[[random()], [1e-310], [7]]::float8[]) AS v;
SELECT is((SELECT v::text::morpheus.nmatrix::text FROM rt), (SELECT v::text FROM rt), 'text round trip is exact (text)');
SELECT is((SELECT morpheus.materialize(v::text::morpheus.nmatrix) FROM rt), (SELECT morpheus.materialize(v) FROM rt),
  'text round trip is exact (values, bit for bit)');
SELECT is('  nmatrix  v1 rows = 2 transposed = false ;identity dense 2 x 1 { { 1 } , { 2.5 } } '::morpheus.nmatrix::text,
  'nmatrix v1 rows=2 transposed=false; identity dense 2x1 {{1},{2.5}}', 'whitespace between tokens is accepted');

-- malformed text: 22P02 with the position
SELECT throws_ok($$ SELECT 'nmatrix v1 rows=2 transposed=false; identity dense 2x1 {{1},{x}}'::morpheus.nmatrix $$, '22P02',
  'invalid input syntax for type nmatrix: expected a number at position 62 (near "x}}")', 'a non-number is rejected naming the position');
SELECT throws_ok($$ SELECT 'nmatrix v2 rows=2 transposed=false; identity dense 2x1 {{1},{2}}'::morpheus.nmatrix $$, '22P02', NULL, 'unknown format version');
SELECT throws_ok($$ SELECT 'nmatrix v1 rows=2 transposed=false; identity dense 2x1 {{1},{NaN}}'::morpheus.nmatrix $$, '22P02', NULL, 'NaN in text');
SELECT throws_ok($$ SELECT 'nmatrix v1 rows=2 transposed=false; identity dense 2x1 {{1},{1e999}}'::morpheus.nmatrix $$, '22P02', NULL, 'overflowing number in text');
SELECT throws_ok($$ SELECT 'nmatrix v1 rows=2 transposed=false; index {1,3} dense 2x1 {{1},{2}}'::morpheus.nmatrix $$, '22P02',
  'invalid input for type nmatrix: s_rows[2] = 3 but s has 2 rows', 'out-of-range index in text');
SELECT throws_ok($$ SELECT 'nmatrix v1 rows=3 transposed=false; identity dense 2x1 {{1},{2}}'::morpheus.nmatrix $$, '22P02', NULL, 'entity block with the wrong row count');
SELECT throws_ok($$ SELECT 'nmatrix v1 rows=2 transposed=false; identity sparse 2x2 {(1,2,1),(1,1,2)}'::morpheus.nmatrix $$, '22P02', NULL, 'unordered sparse entries');
SELECT throws_ok($$ SELECT 'nmatrix v1 rows=2 transposed=false; identity dense 2x1 {{1},{2}} trailing'::morpheus.nmatrix $$, '22P02', NULL, 'trailing text');
SELECT throws_ok($$ SELECT ''::morpheus.nmatrix $$, '22P02', NULL, 'empty text');

-- binary send/receive through COPY (FORMAT binary)
CREATE TEMP TABLE bin_src(v morpheus.nmatrix);
INSERT INTO bin_src SELECT v FROM rt UNION ALL SELECT morpheus.t(morpheus.nm_join_sparse(morpheus.nmatrix(n_rows => 2), '{1,2}', 2, 2, '{1,2}', '{2,1}', '{0.25,-1}'));
CREATE TEMP TABLE bin_dst(v morpheus.nmatrix);
DO $$
BEGIN
  EXECUTE format('COPY bin_src TO %L (FORMAT binary)', '/tmp/morpheus_nm_' || pg_backend_pid() || '.bin');
  EXECUTE format('COPY bin_dst FROM %L (FORMAT binary)', '/tmp/morpheus_nm_' || pg_backend_pid() || '.bin');
END $$;
SELECT is((SELECT array_agg(v::text) FROM bin_dst), (SELECT array_agg(v::text) FROM bin_src), 'binary round trip through COPY is exact');
-- corrupt binary input is rejected by recv: copy one value out, flip bytes of its payload (the binary COPY file has
-- a 19-byte header, then a 2-byte field count and a 4-byte length before the value), load it back.
CREATE TEMP TABLE bin_one(v morpheus.nmatrix);
CREATE FUNCTION pg_temp.load_corrupt(pos int, val int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  path text := '/tmp/morpheus_nm_' || pg_backend_pid() || '_bad.bin';
  b bytea;
  lo oid;
BEGIN
  EXECUTE format('COPY (SELECT morpheus.nmatrix(s => ''{{1,2},{3,4}}'')) TO %L (FORMAT binary)', path);
  b := set_byte(pg_read_binary_file(path), pos, val);
  lo := lo_from_bytea(0, b);
  PERFORM lo_export(lo, path);
  PERFORM lo_unlink(lo);
  EXECUTE format('COPY bin_one FROM %L (FORMAT binary)', path);
END $$;
SELECT lives_ok($$ SELECT pg_temp.load_corrupt(20, 1) $$, 'an unmodified binary value loads (byte 20 is already 1)');
SELECT throws_ok($$ SELECT pg_temp.load_corrupt(25, 0) $$, '22P03', 'invalid nmatrix value: bad magic number (not an nmatrix)', 'recv rejects a bad magic number');
SELECT throws_ok($$ SELECT pg_temp.load_corrupt(30, 9) $$, '22P03',
  'invalid nmatrix value: format version 9 is not supported (this library reads versions 1 and 2)', 'recv rejects an unknown version');
SELECT throws_ok($$ SELECT pg_temp.load_corrupt(36, 1) $$, '22P03', 'invalid nmatrix value: reserved field is not zero', 'recv rejects a non-zero reserved field');
SELECT is(length(morpheus.nmatrix_send(morpheus.nmatrix(s => '{{1}}'))), 24 + 32 + 8, 'binary form: 24-byte header, 32-byte block header, 8 bytes per value');
SELECT is(substr(morpheus.nmatrix_send(morpheus.nmatrix(s => '{{1}}')), 1, 8), '\x4e4d415400010000'::bytea, 'binary form starts with magic NMAT and version 1 (big-endian)');

-- size limits, NULLs
SELECT throws_ok($$ SELECT morpheus.nmatrix_sparse(n_rows => 300000000, n_cols => 1, i => '{}', j => '{}', v => '{}') $$, '54000',
  's (300000000x1, sparse) would need 1200000004 bytes, over PostgreSQL''s 1 GB limit for one value', 'values over 1 GB are refused naming the limit');
SELECT throws_ok($$ SELECT morpheus.materialize(morpheus.nm_join_sparse(morpheus.nmatrix(n_rows => 200000), '{1}'::int[] || array_fill(1, ARRAY[199999]), 1, 1000, '{1}', '{1}', '{1}')) $$,
  '54000', NULL, 'materializing over 1 GB is refused before allocating');
SELECT ok(morpheus.nmatrix(s => NULL::float8[]) IS NULL, 'NULL in, NULL out');
SELECT is(NULL::morpheus.nmatrix::text, NULL, 'NULL nmatrix casts to NULL text');

-- Stored values (layout v2) are read in place wherever they sit: a TOASTed column, a short inline column, an
-- nmatrix[] element, a composite field, a PL/pgSQL variable. Each gives the materialized result computed by hand
-- (the join written out with SQL array code).
CREATE TEMP TABLE nm_store(id int, t morpheus.nmatrix);
ALTER TABLE nm_store ALTER COLUMN t SET STORAGE external;
INSERT INTO nm_store
  SELECT 1, morpheus.nm_join(morpheus.nmatrix(s => (SELECT array_agg(ARRAY[i::float8, (i % 7)::float8]) FROM generate_series(1, 20000) i)),
                             fk => (SELECT array_agg(1 + i % 3) FROM generate_series(1, 20000) i),
                             r => '{{1,10},{2,20},{3,30}}');
INSERT INTO nm_store VALUES (2, morpheus.nmatrix(s => '{{1.5,2}}'));
SELECT ok(pg_column_size(t) > 2000 AND pg_column_size(t) < 600000, 'the large value is stored out of line (TOAST)') FROM nm_store WHERE id = 1;
SELECT is(morpheus.col_sums(t), ARRAY[(SELECT sum(i)::float8 FROM generate_series(1, 20000) i), (SELECT sum(i % 7)::float8 FROM generate_series(1, 20000) i),
                                      (SELECT sum(1 + i % 3)::float8 FROM generate_series(1, 20000) i), (SELECT sum(10 * (1 + i % 3))::float8 FROM generate_series(1, 20000) i)],
  'a TOASTed stored value reads in place: col_sums equal the sums of the written-out join') FROM nm_store WHERE id = 1;
SELECT is(t OPERATOR(morpheus.%*%) '{{2},{4}}'::float8[], '{{11}}'::float8[][], 'a small inline stored value (short varlena header) reads correctly') FROM nm_store WHERE id = 2;
SELECT is((ARRAY[(SELECT t FROM nm_store WHERE id = 2), (SELECT t FROM nm_store WHERE id = 1)])[2] OPERATOR(morpheus.%*%) '{{0},{0},{1},{0}}'::float8[],
  (SELECT array_agg(ARRAY[(1 + i % 3)::float8] ORDER BY i) FROM generate_series(1, 20000) i), 'an nmatrix[] element reads correctly');
SELECT is(morpheus.sum((ROW(7, t)::nm_store).t), (SELECT sum(i + i % 7 + 11 * (1 + i % 3))::float8 FROM generate_series(1, 20000) i),
  'a composite field reads correctly') FROM nm_store WHERE id = 1;
DO $$
DECLARE t morpheus.nmatrix; c float8[]; BEGIN
  SELECT nm_store.t INTO t FROM nm_store WHERE id = 1;
  FOR k IN 1..3 LOOP c := morpheus.crossprod(t); END LOOP;
  CREATE TEMP TABLE nm_var_result AS SELECT c;
END $$;
SELECT cmp_ok((SELECT max(abs(x - y) / greatest(1, abs(y)))
                FROM unnest((SELECT c FROM nm_var_result), morpheus.matmul(morpheus.mat_transpose(morpheus.materialize(t)), morpheus.materialize(t))) AS u(x, y)),
  '<', 1e-12::float8, 'a PL/pgSQL variable reads in place: crossprod equals that of the materialized join') FROM nm_store WHERE id = 1;

SELECT * FROM finish();
ROLLBACK;

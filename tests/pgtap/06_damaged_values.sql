-- Damaged binary and stored values, and memory amplification (issue 12, items 2 and 7).
-- Item 2: every field of a value received through binary input (nmatrix_recv: COPY ... (FORMAT binary), binary
-- parameters) or read from storage is validated before use: damage is 22P03 (binary input) or XX001 (stored), never a
-- crash or an out-of-bounds read. The first test is the 68-byte COPY file of the issue, which crashed 0.1.0 (a sparse
-- block with nnz 0 and row pointers {0,1,0}: the column check read through them before they were validated).
-- Item 7: the 65-byte literal of a 1 x 2147483647 sparse block made a backend allocate 8 GB (a column-major
-- temporary); blocks are now built in their stored CSR layout, and shapes whose arrays exceed 1 GB are 54000 first.
BEGIN;
SELECT plan(22);

-- A COPY file written from bytes (superuser: lo_export writes server-side), then loaded through nmatrix_recv.
CREATE TEMP TABLE bin_in(v morpheus.nmatrix);
CREATE FUNCTION pg_temp.copy_in(file bytea) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  path text := current_setting('data_directory') || '/morpheus_recv_' || pg_backend_pid() || '.bin';
  lo oid := lo_from_bytea(0, file);
BEGIN
  PERFORM lo_export(lo, path);
  PERFORM lo_unlink(lo);
  EXECUTE format('COPY bin_in FROM %L (FORMAT binary)', path);
END $$;
-- The COPY file of one value: signature, flags, extension length, then one tuple (1 field) and the trailer.
CREATE FUNCTION pg_temp.copy_file(value bytea) RETURNS bytea LANGUAGE sql AS $$
  SELECT decode('5047434f50590aff0d0a00' || '00000000' || '00000000' || '0001' || lpad(to_hex(length(value)), 8, '0'), 'hex')
         || value || decode('ffff', 'hex') $$;

SELECT throws_ok($$SELECT pg_temp.copy_in(decode('5047434f50590aff0d0a0000000000000000000001000000444e4d415400010000000000'
                                                 '000000000100000000000000020101000000000000000000000000000200000000000000'
                                                 '030000000000000000000000000000000100000000ffff', 'hex'))$$,
                 '22P03', 'invalid nmatrix value: bad sparse row pointers', 'the COPY reproducer of the issue is 22P03 (was a crash)');
SELECT throws_ok($$SELECT pg_temp.copy_in(pg_temp.copy_file(decode('4e4d41540001000000000000000000010000000000000004010100000000000000000000000000040000000000000003'
     || '000000000000000300000000000063010000000000000002000000030000000000000001000000023ff0000000000000'
     || '40000000000000004008000000000000', 'hex')))$$,
                 '22P03', 'invalid nmatrix value: bad sparse row pointers', 'row pointers {0,25345,0,2,3} are 22P03 (was a heap over-read)');
SELECT lives_ok($$SELECT pg_temp.copy_in(pg_temp.copy_file(morpheus.nmatrix_send(
                    'nmatrix v1 rows=2 transposed=false; identity sparse 2x3 {(1,2,5),(2,3,-1)}'::morpheus.nmatrix)))$$,
                'a valid sparse value loads through COPY (FORMAT binary)');
SELECT is((SELECT v::text FROM bin_in), 'nmatrix v1 rows=2 transposed=false; identity sparse 2x3 {(1,2,5),(2,3,-1)}',
          'and reads back unchanged');
SELECT throws_ok($$SELECT pg_temp.copy_in(pg_temp.copy_file(substr(morpheus.nmatrix_send(morpheus.nmatrix(s => '{{1,2},{3,4}}')), 1, 50)))$$,
                 '22P03', 'invalid nmatrix value: truncated', 'a truncated value is 22P03');

-- Stored values: PostgreSQL's byteasend returns its bytea argument unchanged; declared as returning nmatrix it places
-- arbitrary bytes where a stored nmatrix is read (the detoasting read of every function). Layout version 2 (padded)
-- and version 1 (packed), native byte order.
CREATE FUNCTION pg_temp.as_nmatrix(bytea) RETURNS morpheus.nmatrix LANGUAGE internal IMMUTABLE STRICT AS 'byteasend';
CREATE TEMP TABLE stored(name text PRIMARY KEY, v bytea);
INSERT INTO stored VALUES
  ('star', decode('54414d4e0200000000000000020000000400000000000000000000000100000000000000040000000000000002000000'
     || '000000000000000000000000000000000000f03f00000000000000400000000000000840000000000000104000000000'
     || '0000144000000000000018400000000000001c4000000000000020400001000000000000020000000000000003000000'
     || '000000000200000000000000000000000100000001000000000000000000000001000000020000000000000001000000'
     || '02000000000000000000e03f000000000000f0bf', 'hex')),
  ('copy reproducer (v1)', decode('54414d4e0100000000000000010000000200000000000000010100000000000002000000000000000300000000000000'
     || '0000000000000000000000000100000000000000', 'hex')),
  ('over-read (v2)', decode('54414d4e0200000000000000010000000400000000000000000000000101000000000000040000000000000003000000'
     || '000000000300000000000000000000000163000000000000020000000300000000000000000000000100000002000000'
     || '00000000000000000000f03f00000000000000400000000000000840', 'hex')),
  ('index out of range', decode('54414d4e0200000000000000020000000200000000000000000000000100000000000000020000000000000001000000'
     || '000000000000000000000000000000000000f03f00000000000000400000000000000000020000000000000001000000'
     || '000000000000000000000000000000000500000000000000000008400000000000001040', 'hex')),
  ('truncated', decode('54414d4e0200000000000000020000000400000000000000000000000100000000000000040000000000000002000000'
     || '000000000000000000000000000000000000f03f00000000000000400000000000000840000000000000104000000000'
     || '0000144000000000000018400000000000001c4000000000000020400001000000000000020000000000000003000000'
     || '000000000200000000000000000000000100000001000000000000000000000001000000020000000000000001000000'
     || '0200000000000000', 'hex')),
  ('bad magic', decode('584d41540200000000000000020000000400000000000000000000000100000000000000040000000000000002000000'
     || '000000000000000000000000000000000000f03f00000000000000400000000000000840000000000000104000000000'
     || '0000144000000000000018400000000000001c4000000000000020400001000000000000020000000000000003000000'
     || '000000000200000000000000000000000100000001000000000000000000000001000000020000000000000001000000'
     || '02000000000000000000e03f000000000000f0bf', 'hex'));
SELECT is((SELECT morpheus.nrow(pg_temp.as_nmatrix(v)) FROM stored WHERE name = 'star'), 4::bigint,
          'a well-formed stored value read through the cast (control)');
SELECT is((SELECT pg_temp.as_nmatrix(v)::text FROM stored WHERE name = 'star'),
          'nmatrix v1 rows=4 transposed=false; identity dense 4x2 {{1,2},{3,4},{5,6},{7,8}}; index {1,2,2,1} sparse 2x3 {(1,2,0.5),(2,3,-1)}',
          'and its text form');
SELECT throws_ok($$SELECT morpheus.nrow(pg_temp.as_nmatrix(v)) FROM stored WHERE name = 'copy reproducer (v1)'$$,
                 'XX001', 'invalid nmatrix value: bad sparse row pointers', 'stored: the reproducer layout is XX001');
SELECT throws_ok($$SELECT morpheus.crossprod(pg_temp.as_nmatrix(v)) FROM stored WHERE name = 'over-read (v2)'$$,
                 'XX001', 'invalid nmatrix value: bad sparse row pointers', 'stored: the over-read layout is XX001');
SELECT throws_ok($$SELECT morpheus.row_sums(pg_temp.as_nmatrix(v)) FROM stored WHERE name = 'index out of range'$$,
                 'XX001', NULL, 'stored: an index entry beyond its block is XX001');
SELECT throws_ok($$SELECT pg_temp.as_nmatrix(v)::text FROM stored WHERE name = 'truncated'$$,
                 'XX001', NULL, 'stored: a truncated value is XX001');
SELECT throws_ok($$SELECT morpheus.ncol(pg_temp.as_nmatrix(v)) FROM stored WHERE name = 'bad magic'$$,
                 'XX001', 'invalid nmatrix value: bad magic number (not an nmatrix)', 'stored: a bad magic number is XX001');
SELECT throws_ok($$SELECT x.* FROM stored, morpheus.linreg(pg_temp.as_nmatrix(v), '{1,2,3,4}') x WHERE name = 'over-read (v2)'$$,
                 'XX001', NULL, 'stored: an ML function on a damaged value is XX001');

-- Memory amplification: wide sparse values are cheap to build, store, print and parse back.
CREATE TEMP TABLE wide(id int, v morpheus.nmatrix);
INSERT INTO wide VALUES (1, 'nmatrix v1 rows=1 transposed=false; identity sparse 1x2147483647 {}'),
                        (2, 'nmatrix v1 rows=2 transposed=false; identity sparse 2x2147483647 {(1,7,1.5),(2,2147483647,-2)}'),
                        (3, morpheus.nmatrix_sparse(n_rows => 1, n_cols => 2147483647, i => '{1,1}', j => '{2147483647,2147483647}', v => '{3,4}'));
SELECT is((SELECT array_agg(v::text::morpheus.nmatrix::text = v::text ORDER BY id) FROM wide), '{t,t,t}'::bool[],
          'wide sparse values: dump (text) and restore (parse) round trip');
SELECT is((SELECT array_agg(morpheus.sum(v) ORDER BY id) FROM wide), '{0,-0.5,7}'::float8[], 'their sums (duplicates summed)');
SELECT is((SELECT morpheus.row_sums(v) FROM wide WHERE id = 2), '{1.5,-2}'::float8[], 'row sums of a wide sparse value');
-- A fresh backend does all of it: its peak resident memory stays small (it was 8 GB for the first literal alone).
SELECT dblink_connect('fresh', format('dbname=%s host=%s port=%s user=%s', current_database(),
                      current_setting('unix_socket_directories'), current_setting('port'), current_user));
SELECT * FROM dblink('fresh', $$SELECT pg_backend_pid()$$) AS t(pid int) \gset
SELECT is((SELECT n FROM dblink('fresh', $$SELECT sum(length(v::text)) + sum(morpheus.sum(v)) + sum(morpheus.ncol(v::text::morpheus.nmatrix))
                                           FROM (VALUES ('nmatrix v1 rows=1 transposed=false; identity sparse 1x2147483647 {(1,2147483647,5)}'::morpheus.nmatrix),
                                                        (morpheus.nmatrix_sparse(1, 2147483647, '{1}', '{2147483647}', '{3}'))) w(v)$$) AS t(n float8)),
          83 + 83 + 5 + 3 + 2 * 2147483647::float8, 'a fresh backend parses, builds, prints and re-reads wide sparse values');
SELECT cmp_ok(regexp_replace(pg_read_file('/proc/' || :pid || '/status'), '.*VmHWM:\s*(\d+) kB.*', '\1')::bigint, '<',
              262144::bigint, 'its peak resident memory is under 256 MB');
SELECT dblink_disconnect('fresh');
-- Shapes whose arrays would exceed 1 GB are refused before allocating, with a hint.
SELECT throws_ok($$SELECT 'nmatrix v1 rows=2147483647 transposed=false; identity sparse 2147483647x1 {}'::morpheus.nmatrix$$,
                 '54000', NULL, 'a sparse block whose row pointers need 8 GB is 54000');
SELECT throws_ok($$SELECT morpheus.nmatrix_sparse(2147483647, 1, '{}', '{}', '{}')$$, '54000', NULL,
                 'nmatrix_sparse of the same shape is 54000');
SELECT throws_ok($$SELECT morpheus.col_sums(v) FROM wide WHERE id = 1$$, '54000', NULL, 'col_sums of a wide value (a 16 GB result) is 54000');
SELECT throws_ok($$SELECT morpheus.exp(v) FROM wide WHERE id = 1$$, '54000', NULL, 'exp densifying a wide sparse block is 54000');

SELECT * FROM finish();
ROLLBACK;

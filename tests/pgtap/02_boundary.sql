-- The C++/PostgreSQL boundary: C++ exceptions become ERRORs with their SQLSTATE, PostgreSQL errors raised under
-- live C++ frames unwind them (destructors run), and the session keeps working; cancel and statement_timeout
-- stop long C++ loops.
BEGIN;
-- the probes live in the test-only extension morpheus_test (tests/extension)
CREATE EXTENSION IF NOT EXISTS morpheus_test;
SELECT plan(16);

SELECT throws_ok($$SELECT morpheus._raise(kind => 'invalid_argument')$$, '22023', '_raise: std::invalid_argument',
                 'std::invalid_argument -> 22023');
SELECT throws_ok($$SELECT morpheus._raise(kind => 'out_of_range')$$, '22003', '_raise: std::out_of_range',
                 'std::out_of_range -> 22003');
SELECT throws_ok($$SELECT morpheus._raise(kind => 'bad_alloc')$$, '53200', 'out of memory in morpheus',
                 'std::bad_alloc -> 53200');
SELECT throws_ok($$SELECT morpheus._raise(kind => 'length_error')$$, '54000', NULL, 'std::length_error -> 54000');
SELECT throws_ok($$SELECT morpheus._raise(kind => 'runtime_error')$$, 'XX000', '_raise: std::runtime_error',
                 'other std::exception -> XX000');
SELECT throws_ok($$SELECT morpheus._raise(kind => 'unknown')$$, 'XX000', 'unknown C++ exception in morpheus',
                 'non-std exception -> XX000');
SELECT throws_ok($$SELECT morpheus._raise(kind => 'morpheus')$$, '22023', '_raise: morpheus::Error',
                 'morpheus::Error keeps its SQLSTATE and message');
SELECT throws_ok($$SELECT morpheus._raise(kind => 'nonsense')$$, '22023', NULL, 'unknown kind lists valid ones');

-- hint and detail survive the boundary
CREATE FUNCTION pg_temp.error_fields(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; h text; d text;
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, h = PG_EXCEPTION_HINT, d = PG_EXCEPTION_DETAIL;
  RETURN st || '|' || h || '|' || d;
END $$;
SELECT is(pg_temp.error_fields($$SELECT morpheus._raise(kind => 'morpheus')$$),
          '22023|a hint from C++|a detail from C++', 'hint and detail reach the client');

-- A PostgreSQL error under live C++ frames: re-raised unchanged, and the C++ destructor ran.
CREATE TEMP TABLE before_ AS SELECT morpheus._destructors_run() AS n;
SELECT throws_ok($$SELECT morpheus._raise(kind => 'pg')$$, '22P02',
                 'invalid input syntax for type integer: "not a number"',
                 'PostgreSQL error raised inside C++ keeps its SQLSTATE and message');
SELECT is(morpheus._destructors_run(), (SELECT n + 1 FROM before_),
          'the C++ object live during the PostgreSQL error was destroyed (no longjmp over it)');
SELECT is(morpheus._raise(kind => 'none'), true, 'the same session keeps working after errors');

-- statement_timeout stops a long C++ loop with PostgreSQL's own error, promptly.
CREATE FUNCTION pg_temp.timed_spin() RETURNS text LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  PERFORM morpheus._spin(seconds => 30);
  RETURN 'finished';
EXCEPTION WHEN query_canceled THEN
  RETURN SQLSTATE || ' ' || SQLERRM || ' after ' ||
         CASE WHEN clock_timestamp() - t0 < interval '5 s' THEN 'under 5 s' ELSE 'too long' END;
END $$;
SET statement_timeout = '300ms';
SELECT pg_temp.timed_spin() AS r \gset
RESET statement_timeout;
SELECT is(:'r'::text, '57014 canceling statement due to statement timeout after under 5 s',
          'statement_timeout cancels a C++ loop with 57014');

-- A cancel request from another session (pg_cancel_backend) stops it too.
SELECT dblink_connect('spinner', format('dbname=%s host=%s port=%s user=%s', current_database(),
                      current_setting('unix_socket_directories'), current_setting('port'), current_user));
SELECT is(dblink_send_query('spinner', 'SELECT morpheus._spin(seconds => 30)'), 1, 'long call started elsewhere');
SELECT pg_sleep(0.3);
SELECT ok(pg_cancel_backend(pid), 'cancel sent')
  FROM pg_stat_activity WHERE query LIKE 'SELECT morpheus._spin(seconds => 30)%' AND pid <> pg_backend_pid();
CREATE FUNCTION pg_temp.cancel_result() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM * FROM dblink_get_result('spinner') AS t(n bigint);
  RETURN 'finished';
EXCEPTION WHEN query_canceled THEN  -- dblink re-raises the remote error with its SQLSTATE, 57014
  RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
SELECT is(pg_temp.cancel_result(), '57014 canceling statement due to user request',
          'the other call was canceled with 57014');
SELECT dblink_disconnect('spinner');
SELECT * FROM finish();
ROLLBACK;

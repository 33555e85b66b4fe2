-- Settings: morpheus.blas_threads reaches OpenBLAS, bad values are refused, the prefix is reserved.
BEGIN;
-- the probes live in the test-only extension morpheus_test (tests/extension)
CREATE EXTENSION IF NOT EXISTS morpheus_test;
SELECT plan(9);

-- Settings exist once the library is loaded in the session: the first call of any morpheus function loads it.
SELECT ok(morpheus.version() IS NOT NULL, 'library loaded');

SELECT is(current_setting('morpheus.blas_threads'), '1', 'blas_threads defaults to 1');
SELECT is(split_part(morpheus._blas_info(), ' ', 1), '1', 'OpenBLAS runs single-threaded in a backend by default');
SET LOCAL morpheus.blas_threads = 2;
SELECT is(split_part(morpheus._blas_info(), ' ', 1), '2', 'SET morpheus.blas_threads = 2 reaches OpenBLAS');
RESET morpheus.blas_threads;
SELECT is(split_part(morpheus._blas_info(), ' ', 1), '1', 'RESET restores one thread');
SELECT throws_ok($$SET morpheus.blas_threads = 0$$, '22023', NULL, 'blas_threads below 1 is refused');
SELECT is(current_setting('morpheus.progress'), 'off', 'progress NOTICEs are off by default');
SELECT throws_ok($$SET morpheus.progress = 'sometimes'$$, '22023', NULL, 'progress takes a boolean');
SELECT throws_ok($$SET morpheus.no_such_setting = 1$$, '42602', 'invalid configuration parameter name "morpheus.no_such_setting"', 'unknown morpheus.* settings are refused');

SELECT * FROM finish();
ROLLBACK;

-- morpheus_test 1.0: test probes (tests/extension/morpheus_test.control). Not part of the production install.
\echo Use "CREATE EXTENSION morpheus_test" to load this file. \quit
--------------------------------------------------------------------------------------------------------------------
-- Internal: probes of the C++/PostgreSQL boundary used by the test suite (not API)
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus._raise(kind text)
  RETURNS boolean
  AS 'MODULE_PATHNAME', 'morpheus__raise'
  LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus._raise(text) IS
  'Internal test probe: throws the named C++ exception (or a PostgreSQL error under live C++ frames with kind => ''pg'').';

CREATE FUNCTION morpheus._destructors_run()
  RETURNS bigint
  AS 'MODULE_PATHNAME', 'morpheus__destructors_run'
  LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION morpheus._destructors_run() IS
  'Internal test probe: how many C++ probe objects this backend has destroyed (proves unwinding ran destructors).';

CREATE FUNCTION morpheus._spin(seconds float8)
  RETURNS bigint
  AS 'MODULE_PATHNAME', 'morpheus__spin'
  LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus._spin(float8) IS
  'Internal test probe: busy C++ loop for up to the given seconds that honours cancel requests and statement_timeout.';

CREATE FUNCTION morpheus._blas_info()
  RETURNS text
  AS 'MODULE_PATHNAME', 'morpheus__blas_info'
  LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION morpheus._blas_info() IS
  'Internal test probe: the number of threads OpenBLAS uses in this backend, then its build configuration.';

-- The probes are for the test suites' superuser only.
REVOKE EXECUTE ON FUNCTION morpheus._raise(text), morpheus._destructors_run(), morpheus._spin(float8),
  morpheus._blas_info() FROM PUBLIC;

-- morpheus 0.1.0 install script. Objects live in schema morpheus (see morpheus.control).
\echo Use "CREATE EXTENSION morpheus" to load this file. \quit

--------------------------------------------------------------------------------------------------------------------
-- Foundation: version and dense matrix helpers
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus.version()
  RETURNS text
  AS 'MODULE_PATHNAME', 'morpheus_version'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.version() IS
  'Version of the morpheus shared library (equals the extension version when installation is consistent).';

CREATE FUNCTION morpheus.matmul(a float8[], b float8[])
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_matmul'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.matmul(float8[], float8[]) IS
  'Matrix product a b of two 2-D float8 arrays (row-major: a[i][j] is row i, column j).';

CREATE FUNCTION morpheus.mat_transpose(a float8[])
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_mat_transpose'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.mat_transpose(float8[]) IS
  'Transpose of a 2-D float8 array.';

CREATE FUNCTION morpheus.mat_solve(a float8[], b float8[])
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_mat_solve'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.mat_solve(float8[], float8[]) IS
  'Solution x of a x = b for a square non-singular a (LU with partial pivoting); b may have several columns.';

CREATE FUNCTION morpheus.mat_ginv(a float8[])
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_mat_ginv'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.mat_ginv(float8[]) IS
  'Moore-Penrose pseudo-inverse of a 2-D float8 array, by SVD (singular values below max(m,n)*eps*sigma_max are zero).';

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

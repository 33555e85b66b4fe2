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

--------------------------------------------------------------------------------------------------------------------
-- ML algorithms written once over an abstract data matrix (dense float8[][] here; normalized matrices too)
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus.linreg(x float8[], y float8[], method text DEFAULT 'normal', max_iterations int DEFAULT 1000,
                                learning_rate float8 DEFAULT NULL, tolerance float8 DEFAULT 1e-10,
                                l2 float8 DEFAULT 0)
  RETURNS TABLE (coefficients float8[], iterations int, loss float8[], grad_norm float8[])
  AS 'MODULE_PATHNAME', 'morpheus_linreg'
  LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.linreg(float8[], float8[], text, int, float8, float8, float8) IS
  'Least squares x w ~ y (objective 0.5 mean squared residual + 0.5 l2 |w|^2): method normal (crossprod + ginv) or gd; per-iteration loss in loss[].';

CREATE FUNCTION morpheus.logreg(x float8[], y float8[], method text DEFAULT 'lbfgs', max_iterations int DEFAULT 100,
                                learning_rate float8 DEFAULT NULL, tolerance float8 DEFAULT 1e-8,
                                l2 float8 DEFAULT 0)
  RETURNS TABLE (coefficients float8[], iterations int, loss float8[], grad_norm float8[])
  AS 'MODULE_PATHNAME', 'morpheus_logreg'
  LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.logreg(float8[], float8[], text, int, float8, float8, float8) IS
  'Logistic regression (labels 0/1 or -1/+1, mean logistic loss + 0.5 l2 |w|^2) by L-BFGS (lbfgs) or gradient descent (gd); per-iteration loss in loss[].';

CREATE FUNCTION morpheus.kmeans(x float8[], k int, max_iterations int DEFAULT 100, seed int DEFAULT 1)
  RETURNS TABLE (centers float8[], assignment int[], iterations int, loss float8[])
  AS 'MODULE_PATHNAME', 'morpheus_kmeans'
  LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.kmeans(float8[], int, int, int) IS
  'Lloyd k-means with seeded k-means++ start: centers (k x d), 1-based cluster of every row, per-iteration sum of squared distances.';

CREATE FUNCTION morpheus.gnmf(x float8[], rank int, max_iterations int DEFAULT 100, seed int DEFAULT 1)
  RETURNS TABLE (w float8[], h float8[], iterations int, loss float8[])
  AS 'MODULE_PATHNAME', 'morpheus_gnmf'
  LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.gnmf(float8[], int, int, int) IS
  'Gaussian non-negative matrix factorization x ~ w h'' by multiplicative updates; loss[] is |x - w h''|_F^2 per iteration.';

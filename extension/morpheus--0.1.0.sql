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

--------------------------------------------------------------------------------------------------------------------
-- DRACO: Byzantine-robust GLM training with coded redundant gradients (issue 5)
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus.draco_train(
    data_sql text,
    model text DEFAULT 'logistic',
    workers int DEFAULT 7,
    adversaries int DEFAULT 1,
    attack text DEFAULT 'signflip',
    aggregation text DEFAULT 'cyclic',
    batch_size int DEFAULT 70,
    iterations int DEFAULT 50,
    learning_rate float8 DEFAULT 0.1,
    seed int DEFAULT 1,
    tolerance int DEFAULT NULL,
    placement text DEFAULT 'random',
    attack_scale float8 DEFAULT NULL,
    eval_every int DEFAULT 1)
  RETURNS TABLE(iteration int, loss float8, accuracy float8, grad_error float8, aggregate_ms float8,
                compute_ms float8, adversarial_workers int[], flagged_workers int[], consistent boolean,
                weights float8[])
  AS 'MODULE_PATHNAME', 'morpheus_draco_train'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.draco_train(text, text, int, int, text, text, int, int, float8, int, int, text, float8, int) IS
  'Trains a GLM (least_squares, logistic, softmax, poisson) by simulated distributed SGD with adversarial workers; aggregation cyclic or repetition (DRACO, exact with <= tolerance adversaries) or a baseline rule; one row per iteration, final weights on the last row.';

CREATE FUNCTION morpheus.robust_aggregate(
    gradients float8[],
    rule text DEFAULT 'geometric_median',
    f int DEFAULT 1,
    m int DEFAULT NULL)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_robust_aggregate'
  LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.robust_aggregate(float8[], text, int, int) IS
  'Aggregates the rows of a 2-D array of gradients with a Byzantine-robust rule (mean, median, trimmed_mean, geometric_median, krum, multi_krum, bulyan) tolerating f bad rows.';

CREATE FUNCTION morpheus.glm_predict(
    weights float8[],
    features float8[],
    model text DEFAULT 'logistic')
  RETURNS float8
  AS 'MODULE_PATHNAME', 'morpheus_glm_predict'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.glm_predict(float8[], float8[], text) IS
  'Prediction of a GLM with draco_train weights (intercept last): least_squares eta, logistic P(y = 1), poisson exp(eta), softmax the most likely class.';

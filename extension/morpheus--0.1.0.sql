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
-- nmatrix: the normalized matrix type (Morpheus) and factorized linear algebra over it
--------------------------------------------------------------------------------------------------------------------
CREATE TYPE morpheus.nmatrix;

CREATE FUNCTION morpheus.nmatrix_in(input cstring)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nmatrix_in'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nmatrix_in(cstring) IS
  'Text input of morpheus.nmatrix (format: nmatrix v1 rows=N transposed=false; identity|index {..} dense|sparse RxC {..}; ...).';

CREATE FUNCTION morpheus.nmatrix_out(value morpheus.nmatrix)
  RETURNS cstring
  AS 'MODULE_PATHNAME', 'morpheus_nmatrix_out'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nmatrix_out(morpheus.nmatrix) IS
  'Text output of morpheus.nmatrix (shortest round-trip doubles; reading it back gives the same value).';

CREATE FUNCTION morpheus.nmatrix_recv(buf internal)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nmatrix_recv'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nmatrix_recv(internal) IS
  'Binary input of morpheus.nmatrix (versioned, big-endian; fully validated).';

CREATE FUNCTION morpheus.nmatrix_send(value morpheus.nmatrix)
  RETURNS bytea
  AS 'MODULE_PATHNAME', 'morpheus_nmatrix_send'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nmatrix_send(morpheus.nmatrix) IS
  'Binary output of morpheus.nmatrix (versioned, big-endian).';

CREATE TYPE morpheus.nmatrix (
  INPUT = morpheus.nmatrix_in, OUTPUT = morpheus.nmatrix_out,
  RECEIVE = morpheus.nmatrix_recv, SEND = morpheus.nmatrix_send,
  INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = external);
COMMENT ON TYPE morpheus.nmatrix IS
  'Normalized matrix T = [S, K1 R1, ..., Kq Rq] (or M:N [I_S S, I_R R], optionally transposed) kept factorized; dense or sparse blocks.';

-- constructors
CREATE FUNCTION morpheus.nmatrix(s float8[])
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nmatrix_from_s'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nmatrix(float8[]) IS
  'Normalized matrix holding only the entity block S (a 2-D float8 array); add attribute tables with nm_join.';

CREATE FUNCTION morpheus.nmatrix(n_rows integer)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nmatrix_from_rows'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nmatrix(integer) IS
  'Normalized matrix with n_rows rows and no entity features (d_S = 0); add attribute tables with nm_join.';

CREATE FUNCTION morpheus.nmatrix_sparse(n_rows integer, n_cols integer, i integer[], j integer[], v float8[])
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nmatrix_sparse'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nmatrix_sparse(integer, integer, integer[], integer[], float8[]) IS
  'Normalized matrix whose entity block S is sparse (CSR), from 1-based (i, j, v) triplets; duplicates are summed.';

CREATE FUNCTION morpheus.nm_join(t morpheus.nmatrix, fk integer[], r float8[])
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_join'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_join(morpheus.nmatrix, integer[], float8[]) IS
  'Adds a dense attribute table: T <- [T, K r], where fk[i] is the 1-based row of r referenced by row i of T.';

CREATE FUNCTION morpheus.nm_join_sparse(t morpheus.nmatrix, fk integer[], n_rows integer, n_cols integer, i integer[], j integer[], v float8[])
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_join_sparse'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_join_sparse(morpheus.nmatrix, integer[], integer, integer, integer[], integer[], float8[]) IS
  'Adds a sparse (CSR) attribute table built from 1-based (i, j, v) triplets: T <- [T, K R]; fk as in nm_join.';

CREATE FUNCTION morpheus.nm_mn(s float8[], s_rows integer[], r float8[], r_rows integer[])
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_mn'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_mn(float8[], integer[], float8[], integer[]) IS
  'M:N (general equi-join) normalized matrix T = [I_S s, I_R r]: row t of the join pairs row s_rows[t] of s with row r_rows[t] of r (1-based).';

CREATE FUNCTION morpheus.nm_mn_blocks(s morpheus.nmatrix, s_rows integer[], r morpheus.nmatrix, r_rows integer[])
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_mn_blocks'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_mn_blocks(morpheus.nmatrix, integer[], morpheus.nmatrix, integer[]) IS
  'M:N normalized matrix T = [I_S s, I_R r] from two single-block nmatrix values, dense (nmatrix(s => ...)) or sparse (nmatrix_sparse(...)); s_rows and r_rows are 1-based row numbers.';

CREATE FUNCTION morpheus.nmatrix_from_sql(entity_sql text, attribute_sql text[] DEFAULT '{}', fk_columns text[] DEFAULT '{}')
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nmatrix_from_sql'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.nmatrix_from_sql(text, text[], text[]) IS
  'Builds a normalized matrix from queries: entity_sql gives optional features float8[] and the key columns named in fk_columns; attribute_sql[k] gives key (int or text) and features float8[].';

-- scalar operators
CREATE FUNCTION morpheus.nm_add_scalar(t morpheus.nmatrix, x float8)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_add_s'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_add_scalar(morpheus.nmatrix, float8) IS
  'Element-wise t + x, factorized (applied to every block).';

CREATE FUNCTION morpheus.nm_scalar_add(x float8, t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_s_add'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_scalar_add(float8, morpheus.nmatrix) IS
  'Element-wise x + t, factorized (applied to every block).';

CREATE OPERATOR morpheus.+ (LEFTARG = morpheus.nmatrix, RIGHTARG = float8, FUNCTION = morpheus.nm_add_scalar);
COMMENT ON OPERATOR morpheus.+ (morpheus.nmatrix, float8) IS 'Element-wise nmatrix + scalar, factorized.';
CREATE OPERATOR morpheus.+ (LEFTARG = float8, RIGHTARG = morpheus.nmatrix, FUNCTION = morpheus.nm_scalar_add);
COMMENT ON OPERATOR morpheus.+ (float8, morpheus.nmatrix) IS 'Element-wise scalar + nmatrix, factorized.';

CREATE FUNCTION morpheus.nm_sub_scalar(t morpheus.nmatrix, x float8)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_sub_s'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_sub_scalar(morpheus.nmatrix, float8) IS
  'Element-wise t - x, factorized (applied to every block).';

CREATE FUNCTION morpheus.nm_scalar_sub(x float8, t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_s_sub'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_scalar_sub(float8, morpheus.nmatrix) IS
  'Element-wise x - t, factorized (applied to every block).';

CREATE OPERATOR morpheus.- (LEFTARG = morpheus.nmatrix, RIGHTARG = float8, FUNCTION = morpheus.nm_sub_scalar);
COMMENT ON OPERATOR morpheus.- (morpheus.nmatrix, float8) IS 'Element-wise nmatrix - scalar, factorized.';
CREATE OPERATOR morpheus.- (LEFTARG = float8, RIGHTARG = morpheus.nmatrix, FUNCTION = morpheus.nm_scalar_sub);
COMMENT ON OPERATOR morpheus.- (float8, morpheus.nmatrix) IS 'Element-wise scalar - nmatrix, factorized.';

CREATE FUNCTION morpheus.nm_mul_scalar(t morpheus.nmatrix, x float8)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_mul_s'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_mul_scalar(morpheus.nmatrix, float8) IS
  'Element-wise t * x, factorized (applied to every block).';

CREATE FUNCTION morpheus.nm_scalar_mul(x float8, t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_s_mul'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_scalar_mul(float8, morpheus.nmatrix) IS
  'Element-wise x * t, factorized (applied to every block).';

CREATE OPERATOR morpheus.* (LEFTARG = morpheus.nmatrix, RIGHTARG = float8, FUNCTION = morpheus.nm_mul_scalar);
COMMENT ON OPERATOR morpheus.* (morpheus.nmatrix, float8) IS 'Element-wise nmatrix * scalar, factorized.';
CREATE OPERATOR morpheus.* (LEFTARG = float8, RIGHTARG = morpheus.nmatrix, FUNCTION = morpheus.nm_scalar_mul);
COMMENT ON OPERATOR morpheus.* (float8, morpheus.nmatrix) IS 'Element-wise scalar * nmatrix, factorized.';

CREATE FUNCTION morpheus.nm_div_scalar(t morpheus.nmatrix, x float8)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_div_s'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_div_scalar(morpheus.nmatrix, float8) IS
  'Element-wise t / x, factorized (applied to every block).';

CREATE FUNCTION morpheus.nm_scalar_div(x float8, t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_s_div'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_scalar_div(float8, morpheus.nmatrix) IS
  'Element-wise x / t, factorized (applied to every block).';

CREATE OPERATOR morpheus./ (LEFTARG = morpheus.nmatrix, RIGHTARG = float8, FUNCTION = morpheus.nm_div_scalar);
COMMENT ON OPERATOR morpheus./ (morpheus.nmatrix, float8) IS 'Element-wise nmatrix / scalar, factorized.';
CREATE OPERATOR morpheus./ (LEFTARG = float8, RIGHTARG = morpheus.nmatrix, FUNCTION = morpheus.nm_scalar_div);
COMMENT ON OPERATOR morpheus./ (float8, morpheus.nmatrix) IS 'Element-wise scalar / nmatrix, factorized.';

CREATE FUNCTION morpheus.nm_pow_scalar(t morpheus.nmatrix, x float8)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_pow_s'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_pow_scalar(morpheus.nmatrix, float8) IS
  'Element-wise t ^ x, factorized (applied to every block).';

CREATE FUNCTION morpheus.nm_scalar_pow(x float8, t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_s_pow'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_scalar_pow(float8, morpheus.nmatrix) IS
  'Element-wise x ^ t, factorized (applied to every block).';

CREATE OPERATOR morpheus.^ (LEFTARG = morpheus.nmatrix, RIGHTARG = float8, FUNCTION = morpheus.nm_pow_scalar);
COMMENT ON OPERATOR morpheus.^ (morpheus.nmatrix, float8) IS 'Element-wise nmatrix ^ scalar, factorized.';
CREATE OPERATOR morpheus.^ (LEFTARG = float8, RIGHTARG = morpheus.nmatrix, FUNCTION = morpheus.nm_scalar_pow);
COMMENT ON OPERATOR morpheus.^ (float8, morpheus.nmatrix) IS 'Element-wise scalar ^ nmatrix, factorized.';

-- element-wise operators with a dense array of the same shape (not factorizable: computed on the materialized matrix)
CREATE FUNCTION morpheus.nm_add_array(t morpheus.nmatrix, x float8[])
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_add_m'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_add_array(morpheus.nmatrix, float8[]) IS
  'Element-wise t + x for a 2-D array x of the same shape (through materialization).';

CREATE FUNCTION morpheus.nm_array_add(x float8[], t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_m_add'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_array_add(float8[], morpheus.nmatrix) IS
  'Element-wise x + t for a 2-D array x of the same shape (through materialization).';

CREATE OPERATOR morpheus.+ (LEFTARG = morpheus.nmatrix, RIGHTARG = float8[], FUNCTION = morpheus.nm_add_array);
COMMENT ON OPERATOR morpheus.+ (morpheus.nmatrix, float8[]) IS 'Element-wise nmatrix + 2-D array of the same shape (materializes).';
CREATE OPERATOR morpheus.+ (LEFTARG = float8[], RIGHTARG = morpheus.nmatrix, FUNCTION = morpheus.nm_array_add);
COMMENT ON OPERATOR morpheus.+ (float8[], morpheus.nmatrix) IS 'Element-wise 2-D array + nmatrix of the same shape (materializes).';

CREATE FUNCTION morpheus.nm_sub_array(t morpheus.nmatrix, x float8[])
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_sub_m'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_sub_array(morpheus.nmatrix, float8[]) IS
  'Element-wise t - x for a 2-D array x of the same shape (through materialization).';

CREATE FUNCTION morpheus.nm_array_sub(x float8[], t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_m_sub'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_array_sub(float8[], morpheus.nmatrix) IS
  'Element-wise x - t for a 2-D array x of the same shape (through materialization).';

CREATE OPERATOR morpheus.- (LEFTARG = morpheus.nmatrix, RIGHTARG = float8[], FUNCTION = morpheus.nm_sub_array);
COMMENT ON OPERATOR morpheus.- (morpheus.nmatrix, float8[]) IS 'Element-wise nmatrix - 2-D array of the same shape (materializes).';
CREATE OPERATOR morpheus.- (LEFTARG = float8[], RIGHTARG = morpheus.nmatrix, FUNCTION = morpheus.nm_array_sub);
COMMENT ON OPERATOR morpheus.- (float8[], morpheus.nmatrix) IS 'Element-wise 2-D array - nmatrix of the same shape (materializes).';

CREATE FUNCTION morpheus.nm_mul_array(t morpheus.nmatrix, x float8[])
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_mul_m'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_mul_array(morpheus.nmatrix, float8[]) IS
  'Element-wise t * x for a 2-D array x of the same shape (through materialization).';

CREATE FUNCTION morpheus.nm_array_mul(x float8[], t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_m_mul'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_array_mul(float8[], morpheus.nmatrix) IS
  'Element-wise x * t for a 2-D array x of the same shape (through materialization).';

CREATE OPERATOR morpheus.* (LEFTARG = morpheus.nmatrix, RIGHTARG = float8[], FUNCTION = morpheus.nm_mul_array);
COMMENT ON OPERATOR morpheus.* (morpheus.nmatrix, float8[]) IS 'Element-wise nmatrix * 2-D array of the same shape (materializes).';
CREATE OPERATOR morpheus.* (LEFTARG = float8[], RIGHTARG = morpheus.nmatrix, FUNCTION = morpheus.nm_array_mul);
COMMENT ON OPERATOR morpheus.* (float8[], morpheus.nmatrix) IS 'Element-wise 2-D array * nmatrix of the same shape (materializes).';

CREATE FUNCTION morpheus.nm_div_array(t morpheus.nmatrix, x float8[])
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_div_m'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_div_array(morpheus.nmatrix, float8[]) IS
  'Element-wise t / x for a 2-D array x of the same shape (through materialization).';

CREATE FUNCTION morpheus.nm_array_div(x float8[], t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_m_div'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_array_div(float8[], morpheus.nmatrix) IS
  'Element-wise x / t for a 2-D array x of the same shape (through materialization).';

CREATE OPERATOR morpheus./ (LEFTARG = morpheus.nmatrix, RIGHTARG = float8[], FUNCTION = morpheus.nm_div_array);
COMMENT ON OPERATOR morpheus./ (morpheus.nmatrix, float8[]) IS 'Element-wise nmatrix / 2-D array of the same shape (materializes).';
CREATE OPERATOR morpheus./ (LEFTARG = float8[], RIGHTARG = morpheus.nmatrix, FUNCTION = morpheus.nm_array_div);
COMMENT ON OPERATOR morpheus./ (float8[], morpheus.nmatrix) IS 'Element-wise 2-D array / nmatrix of the same shape (materializes).';

CREATE FUNCTION morpheus.nm_pow_array(t morpheus.nmatrix, x float8[])
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_pow_m'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_pow_array(morpheus.nmatrix, float8[]) IS
  'Element-wise t ^ x for a 2-D array x of the same shape (through materialization).';

CREATE FUNCTION morpheus.nm_array_pow(x float8[], t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_m_pow'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_array_pow(float8[], morpheus.nmatrix) IS
  'Element-wise x ^ t for a 2-D array x of the same shape (through materialization).';

CREATE OPERATOR morpheus.^ (LEFTARG = morpheus.nmatrix, RIGHTARG = float8[], FUNCTION = morpheus.nm_pow_array);
COMMENT ON OPERATOR morpheus.^ (morpheus.nmatrix, float8[]) IS 'Element-wise nmatrix ^ 2-D array of the same shape (materializes).';
CREATE OPERATOR morpheus.^ (LEFTARG = float8[], RIGHTARG = morpheus.nmatrix, FUNCTION = morpheus.nm_array_pow);
COMMENT ON OPERATOR morpheus.^ (float8[], morpheus.nmatrix) IS 'Element-wise 2-D array ^ nmatrix of the same shape (materializes).';

-- element-wise functions
CREATE FUNCTION morpheus.exp(t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_exp'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.exp(morpheus.nmatrix) IS
  'Element-wise e^x of a normalized matrix, factorized (applied to every block).';

CREATE FUNCTION morpheus.log(t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_log'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.log(morpheus.nmatrix) IS
  'Element-wise natural logarithm of a normalized matrix, factorized (applied to every block).';

CREATE FUNCTION morpheus.sqrt(t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_sqrt'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.sqrt(morpheus.nmatrix) IS
  'Element-wise square root of a normalized matrix, factorized (applied to every block).';

CREATE FUNCTION morpheus.abs(t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_abs'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.abs(morpheus.nmatrix) IS
  'Element-wise absolute value of a normalized matrix, factorized (applied to every block).';

CREATE FUNCTION morpheus.sin(t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_sin'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.sin(morpheus.nmatrix) IS
  'Element-wise sine of a normalized matrix, factorized (applied to every block).';

CREATE FUNCTION morpheus.cos(t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_cos'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.cos(morpheus.nmatrix) IS
  'Element-wise cosine of a normalized matrix, factorized (applied to every block).';

CREATE FUNCTION morpheus.tan(t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_tan'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.tan(morpheus.nmatrix) IS
  'Element-wise tangent of a normalized matrix, factorized (applied to every block).';

CREATE FUNCTION morpheus.tanh(t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_tanh'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.tanh(morpheus.nmatrix) IS
  'Element-wise hyperbolic tangent of a normalized matrix, factorized (applied to every block).';

CREATE FUNCTION morpheus.sign(t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_sign'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.sign(morpheus.nmatrix) IS
  'Element-wise sign (-1, 0, 1) of a normalized matrix, factorized (applied to every block).';

CREATE FUNCTION morpheus.square(t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_square'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.square(morpheus.nmatrix) IS
  'Element-wise square of a normalized matrix, factorized (applied to every block).';

CREATE FUNCTION morpheus.sigmoid(t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_sigmoid'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.sigmoid(morpheus.nmatrix) IS
  'Element-wise logistic function 1/(1+e^-x) of a normalized matrix, factorized (applied to every block).';

CREATE FUNCTION morpheus.log1p(t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_log1p'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.log1p(morpheus.nmatrix) IS
  'Element-wise log(1+x) of a normalized matrix, factorized (applied to every block).';

CREATE FUNCTION morpheus.expm1(t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_expm1'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.expm1(morpheus.nmatrix) IS
  'Element-wise e^x - 1 of a normalized matrix, factorized (applied to every block).';

-- aggregates, shape, transpose, materialization
CREATE FUNCTION morpheus.row_sums(t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_row_sums'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.row_sums(morpheus.nmatrix) IS
  'Row sums of a normalized matrix, factorized: rowSums(S) + sum_k K_k rowSums(R_k).';

CREATE FUNCTION morpheus.col_sums(t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_col_sums'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.col_sums(morpheus.nmatrix) IS
  'Column sums of a normalized matrix, factorized: [colSums(S), colSums(K_k) R_k ...].';

CREATE FUNCTION morpheus.sum(t morpheus.nmatrix)
  RETURNS float8
  AS 'MODULE_PATHNAME', 'morpheus_nm_sum'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.sum(morpheus.nmatrix) IS
  'Sum of all elements of a normalized matrix, factorized.';

CREATE FUNCTION morpheus.nrow(t morpheus.nmatrix)
  RETURNS bigint
  AS 'MODULE_PATHNAME', 'morpheus_nm_nrow'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nrow(morpheus.nmatrix) IS
  'Number of rows of a normalized matrix (of the join, or of its transpose).';

CREATE FUNCTION morpheus.ncol(t morpheus.nmatrix)
  RETURNS bigint
  AS 'MODULE_PATHNAME', 'morpheus_nm_ncol'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.ncol(morpheus.nmatrix) IS
  'Number of columns of a normalized matrix.';

CREATE FUNCTION morpheus.t(t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_t'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.t(morpheus.nmatrix) IS
  'Transpose of a normalized matrix (flips its transpose flag; nothing is copied out of the blocks).';

CREATE FUNCTION morpheus.materialize(t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_materialize'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.materialize(morpheus.nmatrix) IS
  'The normalized matrix as a regular 2-D float8 array (builds the join).';

-- products
CREATE FUNCTION morpheus.crossprod(t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_crossprod'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.crossprod(morpheus.nmatrix) IS
  'T''T as a 2-D array, by the factorized algorithm (Morpheus Algorithm 2; M:N Algorithm 10).';

CREATE FUNCTION morpheus.tcrossprod(t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_tcrossprod'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.tcrossprod(morpheus.nmatrix) IS
  'T T'' (the Gram matrix of the rows) as a 2-D array, factorized: S S'' + K (R R'') K''.';

CREATE FUNCTION morpheus.ginv(t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_ginv'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.ginv(morpheus.nmatrix) IS
  'Moore-Penrose pseudo-inverse of a normalized matrix, through ginv(crossprod(T)) T'' (d < n) or T'' ginv(T T'').';

CREATE FUNCTION morpheus.nm_lmm(t morpheus.nmatrix, x float8[])
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_lmm'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_lmm(morpheus.nmatrix, float8[]) IS
  'Left matrix multiplication T x (x a 2-D array), factorized: S x_S + sum_k K_k (R_k x_k).';

CREATE FUNCTION morpheus.nm_rmm(x float8[], t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_rmm'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_rmm(float8[], morpheus.nmatrix) IS
  'Right matrix multiplication x T (x a 2-D array), factorized: [x S, (x K_k) R_k ...].';

CREATE FUNCTION morpheus.nm_matmul(a morpheus.nmatrix, b morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_matmul'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_matmul(morpheus.nmatrix, morpheus.nmatrix) IS
  'Product of two normalized matrices: the smaller operand is materialized, the other multiplied factorized.';

CREATE OPERATOR morpheus.%*% (LEFTARG = morpheus.nmatrix, RIGHTARG = float8[], FUNCTION = morpheus.nm_lmm);
COMMENT ON OPERATOR morpheus.%*% (morpheus.nmatrix, float8[]) IS 'Left matrix multiplication nmatrix %*% 2-D array, factorized.';
CREATE OPERATOR morpheus.%*% (LEFTARG = float8[], RIGHTARG = morpheus.nmatrix, FUNCTION = morpheus.nm_rmm);
COMMENT ON OPERATOR morpheus.%*% (float8[], morpheus.nmatrix) IS 'Right matrix multiplication 2-D array %*% nmatrix, factorized.';
CREATE OPERATOR morpheus.%*% (LEFTARG = morpheus.nmatrix, RIGHTARG = morpheus.nmatrix, FUNCTION = morpheus.nm_matmul);
COMMENT ON OPERATOR morpheus.%*% (morpheus.nmatrix, morpheus.nmatrix) IS 'Product of two normalized matrices, both kept factorized (double matrix multiplication).';

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

-- the same algorithms on a normalized matrix: factorized or materialized per attribute table (morpheus.factorize)
CREATE FUNCTION morpheus.linreg(x morpheus.nmatrix, y float8[], method text DEFAULT 'normal',
                                max_iterations int DEFAULT 1000, learning_rate float8 DEFAULT NULL,
                                tolerance float8 DEFAULT 1e-10, l2 float8 DEFAULT 0)
  RETURNS TABLE (coefficients float8[], iterations int, loss float8[], grad_norm float8[])
  AS 'MODULE_PATHNAME', 'morpheus_linreg'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.linreg(morpheus.nmatrix, float8[], text, int, float8, float8, float8) IS
  'Least squares on a normalized matrix without materializing the join (plan per morpheus.factorize); same results as on morpheus.materialize(x).';

CREATE FUNCTION morpheus.logreg(x morpheus.nmatrix, y float8[], method text DEFAULT 'lbfgs',
                                max_iterations int DEFAULT 100, learning_rate float8 DEFAULT NULL,
                                tolerance float8 DEFAULT 1e-8, l2 float8 DEFAULT 0)
  RETURNS TABLE (coefficients float8[], iterations int, loss float8[], grad_norm float8[])
  AS 'MODULE_PATHNAME', 'morpheus_logreg'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.logreg(morpheus.nmatrix, float8[], text, int, float8, float8, float8) IS
  'Logistic regression on a normalized matrix without materializing the join (plan per morpheus.factorize).';

CREATE FUNCTION morpheus.kmeans(x morpheus.nmatrix, k int, max_iterations int DEFAULT 100, seed int DEFAULT 1)
  RETURNS TABLE (centers float8[], assignment int[], iterations int, loss float8[])
  AS 'MODULE_PATHNAME', 'morpheus_kmeans'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.kmeans(morpheus.nmatrix, int, int, int) IS
  'k-means on a normalized matrix with factorized distances (plan per morpheus.factorize).';

CREATE FUNCTION morpheus.gnmf(x morpheus.nmatrix, rank int, max_iterations int DEFAULT 100, seed int DEFAULT 1)
  RETURNS TABLE (w float8[], h float8[], iterations int, loss float8[])
  AS 'MODULE_PATHNAME', 'morpheus_gnmf'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.gnmf(morpheus.nmatrix, int, int, int) IS
  'Gaussian NMF of a normalized matrix with factorized updates (plan per morpheus.factorize).';

CREATE FUNCTION morpheus.explain(x morpheus.nmatrix, operation text DEFAULT 'lmm')
  RETURNS TABLE (attribute_table int, tuple_ratio float8, feature_ratio float8, sparsity float8,
                 factorized_cost_ms float8, materialized_cost_ms float8, rule_factorize boolean,
                 cost_factorize boolean, decision text)
  AS 'MODULE_PATHNAME', 'morpheus_explain'
  LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.explain(morpheus.nmatrix, text) IS
  'Factorize or materialize, per attribute table: tuple and feature ratios, sparsity, both estimated costs, and the decision under the current settings.';

--------------------------------------------------------------------------------------------------------------------
-- vlc: visible light communication scheduling (Lambertian channel, amorphous cells, stable-marriage scheduler and
-- centralized baselines). AP queries return id, x, y [, z, power_w, semi_angle_deg]; user queries return id, x, y
-- [, z, fov_deg, quota]. Metres, watts, degrees; NULL in an optional column means the named argument's value.
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus.vlc_channel(
    ap_sql text, user_sql text,
    room_width float8 DEFAULT 5, room_length float8 DEFAULT 5, room_height float8 DEFAULT 3,
    power_w float8 DEFAULT 1, semi_angle_deg float8 DEFAULT 60, fov_deg float8 DEFAULT 60,
    area_m2 float8 DEFAULT 1e-4, filter_gain float8 DEFAULT 1, refractive_index float8 DEFAULT 1.5,
    responsivity float8 DEFAULT 0.53)
  RETURNS TABLE(ap_id int, user_id int, distance_m float8, irradiance_deg float8, incidence_deg float8, gain float8,
                visible boolean)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_channel'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_channel(text, text, float8, float8, float8, float8, float8, float8, float8, float8,
                                         float8, float8) IS
  'Lambertian line-of-sight DC gain H of every AP-user pair (0 outside the receiver field of view), with distance and angles.';

CREATE FUNCTION morpheus.vlc_schedule(
    ap_sql text, user_sql text, method text DEFAULT 'stable_marriage', quota int DEFAULT NULL,
    ap_preference text DEFAULT 'gain', reuse_factor int DEFAULT 4, seed int DEFAULT 1,
    room_width float8 DEFAULT 5, room_length float8 DEFAULT 5, room_height float8 DEFAULT 3,
    power_w float8 DEFAULT 1, semi_angle_deg float8 DEFAULT 60, fov_deg float8 DEFAULT 60,
    area_m2 float8 DEFAULT 1e-4, filter_gain float8 DEFAULT 1, refractive_index float8 DEFAULT 1.5,
    responsivity float8 DEFAULT 0.53, bandwidth_hz float8 DEFAULT 20e6, noise text DEFAULT 'simple',
    n0 float8 DEFAULT 1e-21, rate text DEFAULT 'shannon')
  RETURNS TABLE(user_id int, ap_ids int[], signal float8, interference float8, noise_var float8, sinr float8,
                sinr_db float8, rate_bps float8, time_share float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_schedule'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_schedule(text, text, text, int, text, int, int, float8, float8, float8, float8,
                                          float8, float8, float8, float8, float8, float8, float8, text, float8, text) IS
  'Schedules one slot: the serving APs (amorphous cell) of each user with its signal, interference, noise (A^2), SINR and rate.';

CREATE FUNCTION morpheus.vlc_evaluate(
    ap_sql text, user_sql text, method text DEFAULT 'stable_marriage', quota int DEFAULT NULL,
    ap_preference text DEFAULT 'gain', reuse_factor int DEFAULT 4, seed int DEFAULT 1,
    room_width float8 DEFAULT 5, room_length float8 DEFAULT 5, room_height float8 DEFAULT 3,
    power_w float8 DEFAULT 1, semi_angle_deg float8 DEFAULT 60, fov_deg float8 DEFAULT 60,
    area_m2 float8 DEFAULT 1e-4, filter_gain float8 DEFAULT 1, refractive_index float8 DEFAULT 1.5,
    responsivity float8 DEFAULT 0.53, bandwidth_hz float8 DEFAULT 20e6, noise text DEFAULT 'simple',
    n0 float8 DEFAULT 1e-21, rate text DEFAULT 'shannon')
  RETURNS TABLE(users int, aps int, sum_rate_bps float8, mean_rate_bps float8, min_rate_bps float8,
                jain float8, served_fraction float8, active_aps int, messages bigint, rounds bigint, compute_ms float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_evaluate'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_evaluate(text, text, text, int, text, int, int, float8, float8, float8, float8,
                                          float8, float8, float8, float8, float8, float8, float8, text, float8, text) IS
  'Schedules one slot and summarizes it: sum rate, Jain fairness, served fraction, protocol messages and rounds, scheduler time.';

CREATE FUNCTION morpheus.vlc_compare(
    ap_sql text, n_users int DEFAULT 10, drops int DEFAULT 100,
    methods text[] DEFAULT ARRAY['stable_marriage', 'stable_marriage_ap', 'greedy', 'tdma', 'reuse', 'conflict_graph'],
    quota int DEFAULT NULL, ap_preference text DEFAULT 'gain', reuse_factor int DEFAULT 4, seed int DEFAULT 1,
    room_width float8 DEFAULT 5, room_length float8 DEFAULT 5, room_height float8 DEFAULT 3,
    power_w float8 DEFAULT 1, semi_angle_deg float8 DEFAULT 60, fov_deg float8 DEFAULT 60,
    area_m2 float8 DEFAULT 1e-4, filter_gain float8 DEFAULT 1, refractive_index float8 DEFAULT 1.5,
    responsivity float8 DEFAULT 0.53, bandwidth_hz float8 DEFAULT 20e6, noise text DEFAULT 'simple',
    n0 float8 DEFAULT 1e-21, rate text DEFAULT 'shannon', user_height float8 DEFAULT 0.85)
  RETURNS TABLE(method text, sum_rate_bps float8, sum_rate_sd_bps float8, mean_rate_bps float8,
                min_rate_bps float8, jain float8, served_fraction float8, messages float8, rounds float8,
                compute_ms float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_compare'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.vlc_compare(text, int, int, text[], int, text, int, int, float8, float8, float8, float8,
                                         float8, float8, float8, float8, float8, float8, float8, text, float8, text,
                                         float8) IS
  'Monte Carlo comparison of schedulers over seeded uniform user drops: per-method means of sum rate, fairness, messages, time.';

CREATE FUNCTION morpheus.vlc_grid_aps(rows int DEFAULT 4, cols int DEFAULT 4, room_width float8 DEFAULT 5,
                                      room_length float8 DEFAULT 5, height float8 DEFAULT 3)
  RETURNS TABLE(id int, x float8, y float8, z float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_grid_aps'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.vlc_grid_aps(int, int, float8, float8, float8) IS
  'A rows x cols grid of ceiling APs centred in their cells (the reference room: 4 x 4 at 1.25 m pitch in 5 x 5 m).';

CREATE FUNCTION morpheus.vlc_random_users(n int DEFAULT 10, seed int DEFAULT 1, room_width float8 DEFAULT 5,
                                          room_length float8 DEFAULT 5, height float8 DEFAULT 0.85)
  RETURNS TABLE(id int, x float8, y float8, z float8)
  AS 'MODULE_PATHNAME', 'morpheus_vlc_random_users'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.vlc_random_users(int, int, float8, float8, float8) IS
  'n users placed uniformly at random on the receiver plane (seeded: the same seed gives the same users).';

--------------------------------------------------------------------------------------------------------------------
-- Aggregates over rows with a float8[] state and a combine function: parallel query and fan-out merge them
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus._crossprod_sfunc(state float8[], x float8[]) RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus__crossprod_sfunc' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION morpheus._col_sums_sfunc(state float8[], x float8[]) RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus__col_sums_sfunc' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION morpheus._xty_sfunc(state float8[], x float8[], y float8) RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus__xty_sfunc' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION morpheus._normal_eq_sfunc(state float8[], x float8[], y float8) RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus__normal_eq_sfunc' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION morpheus._gradient_sfunc(state float8[], x float8[], y float8, w float8[], model text) RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus__gradient_sfunc' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION morpheus._state_combine(a float8[], b float8[]) RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus__state_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION morpheus._crossprod_final(state float8[]) RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus__crossprod_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION morpheus._col_sums_final(state float8[]) RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus__col_sums_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION morpheus._xty_final(state float8[]) RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus__xty_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION morpheus._linreg_final(state float8[]) RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus__linreg_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION morpheus._gradient_final(state float8[]) RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus__gradient_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION morpheus._loss_final(state float8[]) RETURNS float8
  AS 'MODULE_PATHNAME', 'morpheus__loss_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus._crossprod_sfunc(float8[], float8[]) IS 'Internal: transition function of crossprod_agg.';
COMMENT ON FUNCTION morpheus._col_sums_sfunc(float8[], float8[]) IS 'Internal: transition function of col_sums_agg.';
COMMENT ON FUNCTION morpheus._xty_sfunc(float8[], float8[], float8) IS 'Internal: transition function of xty_agg.';
COMMENT ON FUNCTION morpheus._normal_eq_sfunc(float8[], float8[], float8) IS 'Internal: transition function of linreg_agg.';
COMMENT ON FUNCTION morpheus._gradient_sfunc(float8[], float8[], float8, float8[], text) IS 'Internal: transition function of glm_gradient_agg and glm_loss_agg.';
COMMENT ON FUNCTION morpheus._state_combine(float8[], float8[]) IS 'Internal: adds two partial aggregate states of the same kind and width.';
COMMENT ON FUNCTION morpheus._crossprod_final(float8[]) IS 'Internal: final function of crossprod_agg.';
COMMENT ON FUNCTION morpheus._col_sums_final(float8[]) IS 'Internal: final function of col_sums_agg.';
COMMENT ON FUNCTION morpheus._xty_final(float8[]) IS 'Internal: final function of xty_agg.';
COMMENT ON FUNCTION morpheus._linreg_final(float8[]) IS 'Internal: final function of linreg_agg.';
COMMENT ON FUNCTION morpheus._gradient_final(float8[]) IS 'Internal: final function of glm_gradient_agg.';
COMMENT ON FUNCTION morpheus._loss_final(float8[]) IS 'Internal: final function of glm_loss_agg.';

CREATE AGGREGATE morpheus.crossprod_agg(x float8[]) (
  SFUNC = morpheus._crossprod_sfunc, STYPE = float8[], INITCOND = '{}', COMBINEFUNC = morpheus._state_combine,
  FINALFUNC = morpheus._crossprod_final, PARALLEL = SAFE);
COMMENT ON AGGREGATE morpheus.crossprod_agg(float8[]) IS 'X''X (d x d) over rows x; NULL rows are skipped; runs in parallel.';
CREATE AGGREGATE morpheus.col_sums_agg(x float8[]) (
  SFUNC = morpheus._col_sums_sfunc, STYPE = float8[], INITCOND = '{}', COMBINEFUNC = morpheus._state_combine,
  FINALFUNC = morpheus._col_sums_final, PARALLEL = SAFE);
COMMENT ON AGGREGATE morpheus.col_sums_agg(float8[]) IS 'Column sums of the rows x; runs in parallel.';
CREATE AGGREGATE morpheus.xty_agg(x float8[], y float8) (
  SFUNC = morpheus._xty_sfunc, STYPE = float8[], INITCOND = '{}', COMBINEFUNC = morpheus._state_combine,
  FINALFUNC = morpheus._xty_final, PARALLEL = SAFE);
COMMENT ON AGGREGATE morpheus.xty_agg(float8[], float8) IS 'X''y over rows (x, y); runs in parallel.';
CREATE AGGREGATE morpheus.linreg_agg(x float8[], y float8) (
  SFUNC = morpheus._normal_eq_sfunc, STYPE = float8[], INITCOND = '{}', COMBINEFUNC = morpheus._state_combine,
  FINALFUNC = morpheus._linreg_final, PARALLEL = SAFE);
COMMENT ON AGGREGATE morpheus.linreg_agg(float8[], float8) IS 'Least-squares coefficients ginv(X''X) X''y over rows (x, y), any table size, in parallel.';
CREATE AGGREGATE morpheus.glm_gradient_agg(x float8[], y float8, w float8[], model text) (
  SFUNC = morpheus._gradient_sfunc, STYPE = float8[], INITCOND = '{}', COMBINEFUNC = morpheus._state_combine,
  FINALFUNC = morpheus._gradient_final, PARALLEL = SAFE);
COMMENT ON AGGREGATE morpheus.glm_gradient_agg(float8[], float8, float8[], text) IS 'Mean gradient of the GLM loss (linear, logistic, poisson) at weights w over rows (x, y); runs in parallel.';
CREATE AGGREGATE morpheus.glm_loss_agg(x float8[], y float8, w float8[], model text) (
  SFUNC = morpheus._gradient_sfunc, STYPE = float8[], INITCOND = '{}', COMBINEFUNC = morpheus._state_combine,
  FINALFUNC = morpheus._loss_final, PARALLEL = SAFE);
COMMENT ON AGGREGATE morpheus.glm_loss_agg(float8[], float8, float8[], text) IS 'Mean GLM loss (linear: 0.5 squared error, logistic, poisson) at weights w over rows (x, y).';

--------------------------------------------------------------------------------------------------------------------
-- sweep: width/batch sweeps at a fixed parameter budget (does a wider network train with larger batches?)
-- data_sql returns a float8[] column "features" (same length on every row) and an integer column "label" (0..c-1).
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus.param_count(inputs int, outputs int, depth int, width int)
  RETURNS bigint
  AS 'MODULE_PATHNAME', 'morpheus_param_count'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.param_count(int, int, int, int) IS
  'Parameters of a ReLU network with depth hidden layers of the given width and biases: d K + K + (L-1)(K^2+K) + c K + c.';

CREATE FUNCTION morpheus.width_for_budget(inputs int, outputs int, depth int, param_budget int)
  RETURNS int
  AS 'MODULE_PATHNAME', 'morpheus_width_for_budget'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.width_for_budget(int, int, int, int) IS
  'Largest hidden width K whose network of the given depth has at most param_budget parameters.';

CREATE FUNCTION morpheus.synthetic_classification(n int, n_features int DEFAULT 10, n_classes int DEFAULT 3,
                                                  spread float8 DEFAULT 1.0, seed int DEFAULT 1)
  RETURNS TABLE (id int, features float8[], label int)
  AS 'MODULE_PATHNAME', 'morpheus_synthetic_classification'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.synthetic_classification(int, int, int, float8, int) IS
  'Seeded Gaussian classes for tests and demos: row id has label (id-1) mod n_classes and features centre + spread * N(0, I).';

CREATE FUNCTION morpheus.train_mlp(data_sql text, depth int, width int, batch_size int DEFAULT 32,
                                   learning_rate float8 DEFAULT 0.1, max_epochs int DEFAULT 10,
                                   family text DEFAULT 'mlp', loss text DEFAULT 'cross_entropy',
                                   target_loss float8 DEFAULT NULL, classes int DEFAULT NULL,
                                   evals_per_epoch int DEFAULT 1, seed int DEFAULT 1)
  RETURNS TABLE (epoch float8, iteration bigint, train_loss float8, train_accuracy float8)
  AS 'MODULE_PATHNAME', 'morpheus_train_mlp'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.train_mlp(text, int, int, int, float8, int, text, text, float8, int, int, int) IS
  'One run of mini-batch SGD (constant step) on a ReLU MLP or residual MLP; one row per evaluation of the full training loss.';

CREATE FUNCTION morpheus.gradient_diversity(data_sql text, depth int, width int, family text DEFAULT 'mlp',
                                            loss text DEFAULT 'cross_entropy', classes int DEFAULT NULL,
                                            sample_rows int DEFAULT NULL, seed int DEFAULT 1,
                                            after_epochs float8 DEFAULT 0, batch_size int DEFAULT 32,
                                            learning_rate float8 DEFAULT 0.1)
  RETURNS TABLE (rows_used bigint, params bigint, mean_loss float8, sum_sq_norms float8, sq_norm_of_sum float8,
                 gradient_diversity float8, batch_size_bound float8, unbiased_bound float8)
  AS 'MODULE_PATHNAME', 'morpheus_gradient_diversity'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.gradient_diversity(text, int, int, text, text, int, int, int, float8, int, float8) IS
  'Gradient diversity sum ||g_i||^2 / ||sum g_i||^2 and batch-size bound B_S = m x diversity, from exact per-sample gradient norms.';

CREATE FUNCTION morpheus.width_sweep(data_sql text, param_budget int, depths int[] DEFAULT '{1,4}',
                                     batch_sizes int[] DEFAULT '{32,64,128,256,512}',
                                     learning_rates float8[] DEFAULT '{0.025,0.05,0.1,0.2,0.4,0.8}',
                                     target_loss float8 DEFAULT 0.5, max_epochs int DEFAULT 10,
                                     family text DEFAULT 'mlp', seed int DEFAULT 1,
                                     loss text DEFAULT 'cross_entropy', classes int DEFAULT NULL,
                                     evals_per_epoch int DEFAULT 4, critical_slack float8 DEFAULT 0.2,
                                     diversity_rows int DEFAULT NULL)
  RETURNS TABLE (depth int, width int, params bigint, batch_size int, best_learning_rate float8,
                 reached_target boolean, epochs_to_target float8, iterations_to_target float8, speedup float8,
                 efficiency float8, critical_batch_size int, gradient_diversity float8, batch_size_bound float8,
                 final_loss float8, diverged_rates int, train_ms float8, train_gflop float8)
  AS 'MODULE_PATHNAME', 'morpheus_width_sweep'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.width_sweep(text, int, int[], int[], float8[], float8, int, text, int, text, int, int, float8, int) IS
  'Width/batch sweep at a fixed parameter budget: per (depth, batch size) the best learning rate, epochs and iterations to the training-loss target, speed-up, critical batch size and gradient diversity.';

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

-- =============================================================================================================
-- Distributed DRACO (issue 8): worker messages on PostgreSQL worker nodes, PL/Proxy fan-out, coordinator loop
-- =============================================================================================================

CREATE FUNCTION morpheus.dist_partitions(
    workers int,
    tolerance int DEFAULT 1,
    aggregation text DEFAULT 'cyclic')
  RETURNS TABLE(worker int, partition int)
  AS 'MODULE_PATHNAME', 'morpheus_dist_partitions'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.dist_partitions(int, int, text) IS
  'The data partitions (1..workers) each worker node must hold under the cyclic or repetition code: load a worker''s rows with WHERE partition IN (its partitions).';

CREATE FUNCTION morpheus.dist_worker_message(
    iteration int,
    weights float8[],
    model text DEFAULT 'logistic',
    aggregation text DEFAULT 'cyclic',
    workers int DEFAULT 5,
    tolerance int DEFAULT 1,
    batch_size int DEFAULT 64,
    seed int DEFAULT 1,
    classes int DEFAULT NULL,
    data_sql text DEFAULT 'SELECT partition, row_id, label, features FROM dist_data',
    worker int DEFAULT NULL)
  RETURNS TABLE(worker int, message float8[], compute_ms float8)
  AS 'MODULE_PATHNAME', 'morpheus_dist_worker_message'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.dist_worker_message(int, float8[], text, text, int, int, int, int, int, text, int) IS
  'A distributed-DRACO worker''s encoded message [gradient, loss, rows] for one iteration over its local partitions (worker from morpheus.worker_id, Byzantine per morpheus.worker_attack), or worker => k to simulate worker k honestly.';

CREATE FUNCTION morpheus._dist_step(
    answered int[],
    messages float8[],
    weights float8[],
    aggregation text DEFAULT 'cyclic',
    workers int DEFAULT 5,
    tolerance int DEFAULT 1,
    batch_size int DEFAULT 64,
    seed int DEFAULT 1,
    iteration int DEFAULT 1,
    learning_rate float8 DEFAULT 0.1)
  RETURNS TABLE(weights float8[], loss float8, batch_rows bigint, flagged_workers int[], consistent boolean,
                decode_ms float8)
  AS 'MODULE_PATHNAME', 'morpheus__dist_step'
  LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION morpheus._dist_step(int[], float8[], float8[], text, int, int, int, int, int, float8) IS
  'Internal: decodes the answering workers'' messages (the others count as erasures) and takes one SGD step.';

CREATE FUNCTION morpheus._dist_cluster_workers(cluster text)
  RETURNS int
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
DECLARE
  n int;
BEGIN
  IF cluster IS NULL THEN
    RAISE EXCEPTION 'cluster is NULL' USING ERRCODE = '22004', HINT = 'Give the name of a PL/Proxy cluster.';
  END IF;
  SELECT count(*) FILTER (WHERE o ~ '^p[0-9]+=') INTO n
    FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw,
         LATERAL unnest(coalesce(s.srvoptions, '{}')) o
   WHERE s.srvname = cluster AND w.fdwname = 'plproxy';
  IF NOT FOUND OR n IS NULL OR n = 0 THEN
    RAISE EXCEPTION 'cluster ''%'' is not a PL/Proxy server with partitions p0, p1, ...', cluster
      USING ERRCODE = '42704',
            HINT = 'CREATE SERVER name FOREIGN DATA WRAPPER plproxy OPTIONS (p0 ''host=.. dbname=..'', p1 ..., modular_mapping ''1'') and a user mapping; see docs/distributed.md.';
  END IF;
  RETURN n;
END;
$$;
COMMENT ON FUNCTION morpheus._dist_cluster_workers(text) IS
  'Internal: the number of partitions (worker nodes) of a PL/Proxy cluster defined with CREATE SERVER.';

CREATE FUNCTION morpheus.dist_setup(cluster text)
  RETURNS int
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  AS $body$
DECLARE
  n int;
  args constant text := 'cluster text, iteration int, weights float8[], model text, aggregation text, workers int, '
    'tolerance int, batch_size int, seed int, classes int, data_sql text';
  ret constant text := 'RETURNS TABLE(worker int, message float8[], compute_ms float8)';
  call constant text := 'SELECT * FROM morpheus.dist_worker_message($2, $3, $4, $5, $6, $7, $8, $9, $10, $11)';
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'plproxy') THEN
    RAISE EXCEPTION 'the plproxy extension is not installed in this database'
      USING ERRCODE = '42704',
            HINT = 'Install postgresql-15-plproxy and run CREATE EXTENSION plproxy on the coordinator, then call dist_setup again.';
  END IF;
  n := morpheus._dist_cluster_workers(cluster);
  CREATE SCHEMA IF NOT EXISTS morpheus_dist;
  CREATE OR REPLACE FUNCTION morpheus_dist.cluster_name(cluster text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT AS 'SELECT cluster';
  CREATE OR REPLACE FUNCTION morpheus_dist.node(node int) RETURNS int
    LANGUAGE sql IMMUTABLE STRICT AS 'SELECT node';
  COMMENT ON FUNCTION morpheus_dist.cluster_name(text) IS 'The PL/Proxy cluster named by an argument.';
  COMMENT ON FUNCTION morpheus_dist.node(int) IS 'The PL/Proxy partition (0-based node) named by an argument.';
  EXECUTE format($f$CREATE OR REPLACE FUNCTION morpheus_dist.worker_messages(%s) %s LANGUAGE plproxy AS $p$
      CLUSTER morpheus_dist.cluster_name(cluster); RUN ON ALL; %s; $p$$f$, args, ret, call);
  EXECUTE format($f$CREATE OR REPLACE FUNCTION morpheus_dist.worker_message_on(node int, %s) %s LANGUAGE plproxy AS $p$
      CLUSTER morpheus_dist.cluster_name(cluster); RUN ON morpheus_dist.node(node); SELECT * FROM morpheus.dist_worker_message($3, $4, $5, $6, $7, $8, $9, $10, $11, $12); $p$$f$,
      args, ret);
  EXECUTE $f$CREATE OR REPLACE FUNCTION morpheus_dist.shard_states(cluster text, kind text, entity_sql text,
      attribute_sql text[], fk_columns text[], weights float8[], model text) RETURNS SETOF float8[] LANGUAGE plproxy AS $p$
      CLUSTER morpheus_dist.cluster_name(cluster); RUN ON ALL;
      SELECT morpheus.dist_shard_state($2, $3, $4, $5, $6, $7); $p$$f$;
  COMMENT ON FUNCTION morpheus_dist.shard_states(text, text, text, text[], text[], float8[], text) IS
    'Calls morpheus.dist_shard_state on every node of the cluster in parallel (PL/Proxy RUN ON ALL).';
  COMMENT ON FUNCTION morpheus_dist.worker_messages(text, int, float8[], text, text, int, int, int, int, int, text) IS
    'Calls morpheus.dist_worker_message on every node of the cluster in parallel (PL/Proxy RUN ON ALL).';
  COMMENT ON FUNCTION morpheus_dist.worker_message_on(int, text, int, float8[], text, text, int, int, int, int, int, text) IS
    'Calls morpheus.dist_worker_message on one node (0-based PL/Proxy partition) of the cluster.';
  RETURN n;
END;
$body$;
COMMENT ON FUNCTION morpheus.dist_setup(text) IS
  'Creates the PL/Proxy fan-out functions (schema morpheus_dist) for distributed DRACO and returns the cluster''s number of worker nodes; needs CREATE EXTENSION plproxy.';

CREATE FUNCTION morpheus.draco_train_distributed(
    cluster text DEFAULT NULL,
    data_sql text DEFAULT 'SELECT partition, row_id, label, features FROM dist_data',
    model text DEFAULT 'logistic',
    aggregation text DEFAULT 'cyclic',
    workers int DEFAULT NULL,
    tolerance int DEFAULT 1,
    batch_size int DEFAULT 64,
    iterations int DEFAULT 20,
    learning_rate float8 DEFAULT 0.1,
    seed int DEFAULT 1,
    classes int DEFAULT NULL,
    on_failure text DEFAULT 'error')
  RETURNS TABLE(iteration int, loss float8, batch_rows bigint, flagged_workers int[], erased_workers int[],
                compute_ms float8, network_ms float8, decode_ms float8, total_ms float8, weights float8[])
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  AS $$
DECLARE
  n int;
  w float8[] := '{}';
  it int;
  t0 timestamptz;
  t1 timestamptz;
  ids int[];
  res float8[];
  comp float8;
  failed boolean;
  erased int[];
  reasons text[];
  m record;
  st record;
  k int;
  msg text;
BEGIN
  IF on_failure IS NULL OR on_failure NOT IN ('error', 'stop') THEN
    RAISE EXCEPTION 'on_failure = ''%'' is not valid', on_failure
      USING ERRCODE = '22023', HINT = 'Valid values: error, stop.';
  END IF;
  IF iterations IS NULL OR iterations < 1 OR iterations > 1000000 THEN
    RAISE EXCEPTION 'iterations = % is out of range', iterations
      USING ERRCODE = '22023', HINT = 'Give iterations between 1 and 1000000.';
  END IF;
  IF learning_rate IS NULL OR NOT (learning_rate > 0) OR learning_rate = 'Infinity' THEN
    RAISE EXCEPTION 'learning_rate = % must be positive and finite', learning_rate
      USING ERRCODE = '22023', HINT = 'Try learning_rate => 0.1.';
  END IF;
  IF cluster IS NULL THEN
    IF workers IS NULL THEN
      RAISE EXCEPTION 'workers is NULL and no cluster is given'
        USING ERRCODE = '22004', HINT = 'Give cluster => a PL/Proxy cluster, or workers => n to run all n workers in this session.';
    END IF;
    n := workers;
  ELSE
    n := morpheus._dist_cluster_workers(cluster);
    IF workers IS NOT NULL AND workers <> n THEN
      RAISE EXCEPTION 'workers = % but cluster ''%'' has % partitions', workers, cluster, n
        USING ERRCODE = '22023', HINT = 'Leave workers NULL to use the cluster''s partition count.';
    END IF;
    IF to_regproc('morpheus_dist.worker_messages') IS NULL THEN
      RAISE EXCEPTION 'the PL/Proxy functions are missing'
        USING ERRCODE = '42883', HINT = format('Run SELECT morpheus.dist_setup(cluster => %L) once.', cluster);
    END IF;
  END IF;
  -- validates the code, n, s before any worker is called
  PERFORM morpheus.dist_partitions(n, tolerance, aggregation);
  IF batch_size IS NULL OR batch_size < n THEN
    RAISE EXCEPTION 'batch_size = % is smaller than workers = %', batch_size, n
      USING ERRCODE = '22023', HINT = 'Each partition needs at least one batch row per iteration: give batch_size >= workers.';
  END IF;

  FOR it IN 1 .. iterations LOOP
    t0 := clock_timestamp();
    failed := false;
    erased := '{}';
    reasons := '{}';
    ids := '{}';
    res := NULL;
    IF cluster IS NULL THEN
      comp := 0;
      FOR k IN 1 .. n LOOP
        SELECT * INTO m FROM morpheus.dist_worker_message(it, w, model, aggregation, n, tolerance, batch_size, seed,
                                                          classes, data_sql, k);
        ids := ids || m.worker;
        res := CASE WHEN res IS NULL THEN ARRAY[m.message] ELSE res || ARRAY[m.message] END;
        comp := comp + m.compute_ms;
      END LOOP;
    ELSE
      BEGIN
        SELECT array_agg(x.worker ORDER BY x.worker), array_agg(x.message ORDER BY x.worker), max(x.compute_ms)
          INTO ids, res, comp
          FROM morpheus_dist.worker_messages(cluster, it, w, model, aggregation, n, tolerance, batch_size, seed,
                                             classes, data_sql) x;
      EXCEPTION
        WHEN query_canceled THEN
          -- a worker cancelled by its own statement_timeout fails remotely; our own cancel must stop training
          GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
          IF msg NOT LIKE '%REMOTE ERROR%' THEN
            RAISE;
          END IF;
          failed := true;
        WHEN OTHERS THEN
          failed := true;
      END;
      IF failed THEN
        -- one node at a time, to find the ones that are down, too slow or failing; they become erasures
        ids := '{}'; res := NULL; comp := 0;
        FOR k IN 0 .. n - 1 LOOP
          BEGIN
            SELECT * INTO m FROM morpheus_dist.worker_message_on(k, cluster, it, w, model, aggregation, n, tolerance,
                                                                 batch_size, seed, classes, data_sql);
            IF m.worker <> k + 1 THEN
              RAISE EXCEPTION 'cluster ''%'' partition p% answered as worker %', cluster, k, m.worker
                USING ERRCODE = '22023', HINT = format('Set morpheus.worker_id = %s on the node of p%s.', k + 1, k);
            END IF;
            ids := ids || m.worker;
            res := CASE WHEN res IS NULL THEN ARRAY[m.message] ELSE res || ARRAY[m.message] END;
            comp := greatest(comp, m.compute_ms);
          EXCEPTION WHEN OTHERS OR query_canceled THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
            IF msg LIKE 'cluster % partition p% answered as worker %'
               OR (SQLSTATE = '57014' AND msg NOT LIKE '%REMOTE ERROR%') THEN
              RAISE;
            END IF;
            erased := erased || (k + 1);
            reasons := reasons || format('worker %s: %s', k + 1, msg);
          END;
        END LOOP;
      ELSIF cardinality(ids) <> n OR (SELECT count(DISTINCT v) FROM unnest(ids) v) <> n THEN
        RAISE EXCEPTION 'cluster ''%'' answered as workers % but has % partitions', cluster, ids, n
          USING ERRCODE = '22023', HINT = 'Set morpheus.worker_id = k + 1 on the node of partition pk, each once.';
      END IF;
    END IF;
    t1 := clock_timestamp();
    IF cardinality(erased) > tolerance THEN
      msg := format('iteration %s: workers %s did not answer, more than tolerance = %s (%s)', it,
                    array_to_string(erased, ', '), tolerance, array_to_string(reasons, '; '));
      IF on_failure = 'stop' THEN
        RAISE WARNING '%', msg USING HINT = 'Training stopped; the last returned row holds the weights.';
        RETURN;
      END IF;
      RAISE EXCEPTION '%', msg USING ERRCODE = '08006',
        HINT = 'Bring the workers back (or raise the cluster''s query_timeout), or train with a larger tolerance.';
    END IF;
    SELECT * INTO st FROM morpheus._dist_step(ids, res, w, aggregation, n, tolerance, batch_size, seed, it,
                                              learning_rate);
    IF NOT st.consistent THEN
      msg := format('iteration %s: the workers'' messages are not a codeword with at most tolerance = %s faulty workers (erased: %s)',
                    it, tolerance, coalesce(nullif(array_to_string(erased, ', '), ''), 'none'));
      IF on_failure = 'stop' THEN
        RAISE WARNING '%', msg USING HINT = 'Training stopped; the last returned row holds the weights.';
        RETURN;
      END IF;
      RAISE EXCEPTION '%', msg USING ERRCODE = 'XX001',
        HINT = 'More workers are Byzantine or down than the code tolerates: train with a larger tolerance.';
    END IF;
    w := st.weights;
    iteration := it;
    loss := st.loss;
    batch_rows := st.batch_rows;
    flagged_workers := st.flagged_workers;
    erased_workers := erased;
    compute_ms := comp;
    network_ms := greatest(extract(epoch FROM t1 - t0) * 1000 - comp, 0);
    decode_ms := st.decode_ms;
    total_ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
    weights := w;
    RETURN NEXT;
  END LOOP;
END;
$$;
COMMENT ON FUNCTION morpheus.draco_train_distributed(text, text, text, text, int, int, int, int, float8, int, int, text) IS
  'Byzantine-robust GLM training over PostgreSQL worker nodes: each iteration calls dist_worker_message on every node of a PL/Proxy cluster in parallel and decodes (down nodes are erasures); cluster NULL runs the same schedule with workers honest workers in this session; one row per iteration with the weights.';

-- Distributed factorized operators: an entity table sharded over the nodes, attribute tables replicated; each node
-- returns the partial state (the float8[] state format of the row aggregates) of its shard, the coordinator merges.
CREATE AGGREGATE morpheus.merge_states(state float8[]) (
  SFUNC = morpheus._state_combine, STYPE = float8[], INITCOND = '{}', COMBINEFUNC = morpheus._state_combine,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE morpheus.merge_states(float8[]) IS
  'Adds partial states of the row aggregates (crossprod_agg, xty_agg, col_sums_agg, glm_gradient_agg) shipped from shards; finish with the matching final function.';

CREATE FUNCTION morpheus.dist_shard_state(
    kind text,
    entity_sql text,
    attribute_sql text[] DEFAULT '{}',
    fk_columns text[] DEFAULT '{}',
    weights float8[] DEFAULT NULL,
    model text DEFAULT 'linear')
  RETURNS float8[]
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  AS $$
DECLARE
  t morpheus.nmatrix;
  n bigint;
  d bigint;
  y float8[];
  ycol float8[];
  eta float8[];
  loss float8;
  coefs float8[];
  g float8[];
BEGIN
  IF kind IS NULL OR kind NOT IN ('crossprod', 'col_sums', 'xty', 'gradient') THEN
    RAISE EXCEPTION 'kind = ''%'' is not valid', kind
      USING ERRCODE = '22023', HINT = 'Valid values: crossprod, col_sums, xty, gradient.';
  END IF;
  IF model IS NULL OR model NOT IN ('linear', 'logistic', 'poisson') THEN
    RAISE EXCEPTION 'model = ''%'' is not valid', model
      USING ERRCODE = '22023', HINT = 'Valid values: linear, logistic, poisson.';
  END IF;
  t := morpheus.nmatrix_from_sql(entity_sql, attribute_sql, fk_columns);
  n := morpheus.nrow(t);
  d := morpheus.ncol(t);
  IF kind = 'crossprod' THEN
    RETURN ARRAY[1, d, n]::float8[] || (SELECT array_agg(v ORDER BY o) FROM unnest(morpheus.crossprod(t)) WITH ORDINALITY u(v, o));
  ELSIF kind = 'col_sums' THEN
    RETURN ARRAY[2, d, n]::float8[] || morpheus.col_sums(t);
  END IF;
  -- the target: column y of entity_sql, in its row order
  BEGIN
    EXECUTE format('SELECT array_agg(e.y::float8) FROM (%s) e', entity_sql) INTO y;
  EXCEPTION WHEN undefined_column THEN
    RAISE EXCEPTION 'entity_sql returns no column "y"' USING ERRCODE = '42703',
      HINT = 'xty and gradient need the target as a column y of entity_sql.';
  END;
  IF array_position(y, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'column y of entity_sql is NULL in row %', array_position(y, NULL)
      USING ERRCODE = '22004', HINT = 'Filter or fill the NULL targets.';
  END IF;
  ycol := (SELECT array_agg(ARRAY[v] ORDER BY o) FROM unnest(y) WITH ORDINALITY u(v, o));
  IF kind = 'xty' THEN
    RETURN ARRAY[5, d, n]::float8[]
      || (SELECT array_agg(v ORDER BY o) FROM unnest(morpheus.t(t) OPERATOR(morpheus.%*%) ycol) WITH ORDINALITY u(v, o));
  END IF;
  IF weights IS NULL OR cardinality(weights) <> d THEN
    RAISE EXCEPTION 'weights have % values but the normalized matrix has % columns', coalesce(cardinality(weights), 0), d
      USING ERRCODE = '22023', HINT = 'Pass one weight per column of the joined features.';
  END IF;
  eta := (SELECT array_agg(v ORDER BY o) FROM unnest(t OPERATOR(morpheus.%*%)
            (SELECT array_agg(ARRAY[v] ORDER BY o) FROM unnest(weights) WITH ORDINALITY u(v, o))) WITH ORDINALITY u(v, o));
  -- per-row loss and d loss / d eta, as glm_gradient_agg defines them
  IF model = 'linear' THEN
    SELECT sum(0.5 * (m - yy) ^ 2), array_agg(ARRAY[m - yy] ORDER BY o) INTO loss, coefs
      FROM unnest(eta, y) WITH ORDINALITY u(m, yy, o);
  ELSIF model = 'logistic' THEN
    IF EXISTS (SELECT 1 FROM unnest(y) v WHERE v NOT IN (0, 1, -1)) THEN
      RAISE EXCEPTION 'column y of entity_sql has a value that is not a class label' USING ERRCODE = '22023',
        HINT = 'The logistic model takes labels 0/1 or -1/+1.';
    END IF;
    SELECT sum(CASE WHEN z > 0 THEN ln(1 + exp(-z)) ELSE -z + ln(1 + exp(z)) END),
           array_agg(ARRAY[-s / (1 + exp(z))] ORDER BY o) INTO loss, coefs
      FROM (SELECT o, CASE WHEN yy > 0 THEN 1.0 ELSE -1.0 END::float8 AS s,
                   CASE WHEN yy > 0 THEN 1.0 ELSE -1.0 END::float8 * m AS z
              FROM unnest(eta, y) WITH ORDINALITY u(m, yy, o)) q;
  ELSE
    IF EXISTS (SELECT 1 FROM unnest(y) v WHERE NOT v >= 0) THEN
      RAISE EXCEPTION 'column y of entity_sql has a negative value' USING ERRCODE = '22023',
        HINT = 'The Poisson model takes non-negative counts.';
    END IF;
    SELECT sum(exp(m) - yy * m), array_agg(ARRAY[exp(m) - yy] ORDER BY o) INTO loss, coefs
      FROM unnest(eta, y) WITH ORDINALITY u(m, yy, o);
  END IF;
  g := (SELECT array_agg(v ORDER BY o) FROM unnest(morpheus.t(t) OPERATOR(morpheus.%*%) coefs) WITH ORDINALITY u(v, o));
  RETURN ARRAY[4, d, n, loss]::float8[] || g;
END;
$$;
COMMENT ON FUNCTION morpheus.dist_shard_state(text, text, text[], text[], float8[], text) IS
  'The partial aggregate state (crossprod, col_sums, xty or GLM gradient at weights) of this node''s shard of an entity table joined with replicated attribute tables, computed with the factorized nmatrix operators.';

CREATE FUNCTION morpheus.dist_nmatrix_op(
    cluster text,
    kind text,
    entity_sql text,
    attribute_sql text[] DEFAULT '{}',
    fk_columns text[] DEFAULT '{}',
    weights float8[] DEFAULT NULL,
    model text DEFAULT 'linear')
  RETURNS float8[]
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  AS $$
DECLARE
  st float8[];
BEGIN
  IF kind IS NULL OR kind NOT IN ('crossprod', 'col_sums', 'xty', 'gradient') THEN
    RAISE EXCEPTION 'kind = ''%'' is not valid', kind
      USING ERRCODE = '22023', HINT = 'Valid values: crossprod, col_sums, xty, gradient.';
  END IF;
  IF cluster IS NULL THEN
    st := morpheus.dist_shard_state(kind, entity_sql, attribute_sql, fk_columns, weights, model);
  ELSE
    PERFORM morpheus._dist_cluster_workers(cluster);
    IF to_regproc('morpheus_dist.shard_states') IS NULL THEN
      RAISE EXCEPTION 'the PL/Proxy functions are missing'
        USING ERRCODE = '42883', HINT = format('Run SELECT morpheus.dist_setup(cluster => %L) once.', cluster);
    END IF;
    SELECT morpheus.merge_states(s) INTO st
      FROM morpheus_dist.shard_states(cluster, kind, entity_sql, attribute_sql, fk_columns, weights, model) s;
  END IF;
  RETURN CASE kind WHEN 'crossprod' THEN morpheus._crossprod_final(st)
                   WHEN 'col_sums' THEN morpheus._col_sums_final(st)
                   WHEN 'xty' THEN morpheus._xty_final(st)
                   ELSE morpheus._gradient_final(st) END;
END;
$$;
COMMENT ON FUNCTION morpheus.dist_nmatrix_op(text, text, text, text[], text[], float8[], text) IS
  'crossprod (d x d), col_sums, xty (T''y) or the mean GLM gradient of an entity table sharded over a PL/Proxy cluster and joined with replicated attribute tables: per-shard factorized states merged on the coordinator; cluster NULL computes it here.';

--------------------------------------------------------------------------------------------------------------------
-- ml stream: linreg, logreg and kmeans over a normalized matrix whose entity table is streamed in batches through a
-- read-only cursor (every pass in the statement's snapshot), attribute tables in memory; memory independent of the
-- number of entity rows. synchronize_seqscans is off so every pass reads the rows in the same order.
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus.linreg_stream(entity_sql text, attribute_sql text[] DEFAULT '{}', fk_columns text[] DEFAULT '{}',
                                       y_column text DEFAULT 'y', batch_rows int DEFAULT 100000,
                                       method text DEFAULT 'normal', max_iterations int DEFAULT 1000,
                                       learning_rate float8 DEFAULT NULL, tolerance float8 DEFAULT 1e-10,
                                       l2 float8 DEFAULT 0)
  RETURNS TABLE (coefficients float8[], iterations int, loss float8[], grad_norm float8[])
  AS 'MODULE_PATHNAME', 'morpheus_linreg_stream'
  LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1
  SET synchronize_seqscans = off;
COMMENT ON FUNCTION morpheus.linreg_stream(text, text[], text[], text, int, text, int, float8, float8, float8) IS
  'linreg over tables of any size: entity_sql (optional features float8[], the fk_columns, y_column) is streamed batch_rows at a time, attribute_sql[k] (key, features) held in memory; same result as linreg on nmatrix_from_sql.';

CREATE FUNCTION morpheus.logreg_stream(entity_sql text, attribute_sql text[] DEFAULT '{}', fk_columns text[] DEFAULT '{}',
                                       y_column text DEFAULT 'y', batch_rows int DEFAULT 100000,
                                       method text DEFAULT 'lbfgs', max_iterations int DEFAULT 100,
                                       learning_rate float8 DEFAULT NULL, tolerance float8 DEFAULT 1e-8,
                                       l2 float8 DEFAULT 0)
  RETURNS TABLE (coefficients float8[], iterations int, loss float8[], grad_norm float8[])
  AS 'MODULE_PATHNAME', 'morpheus_logreg_stream'
  LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1
  SET synchronize_seqscans = off;
COMMENT ON FUNCTION morpheus.logreg_stream(text, text[], text[], text, int, text, int, float8, float8, float8) IS
  'logreg (labels 0/1 or -1/+1 in y_column) over tables of any size, one fused pass per loss and gradient; same result as logreg on nmatrix_from_sql.';

CREATE FUNCTION morpheus.kmeans_stream(entity_sql text, k int, attribute_sql text[] DEFAULT '{}',
                                       fk_columns text[] DEFAULT '{}', batch_rows int DEFAULT 100000,
                                       max_iterations int DEFAULT 100, seed int DEFAULT 1,
                                       with_assignment boolean DEFAULT true)
  RETURNS TABLE (centers float8[], assignment int[], iterations int, loss float8[])
  AS 'MODULE_PATHNAME', 'morpheus_kmeans_stream'
  LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1
  SET synchronize_seqscans = off;
COMMENT ON FUNCTION morpheus.kmeans_stream(text, int, text[], text[], int, int, int, boolean) IS
  'kmeans over tables of any size, one pass per Lloyd step; assignment (4 bytes per row) is NULL when with_assignment is false; same result as kmeans on nmatrix_from_sql.';

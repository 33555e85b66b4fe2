-- nmatrix: constructors, operators, element-wise functions, products (the type itself is in 10_nmatrix.type.sql)
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

CREATE FUNCTION morpheus.nmatrix_from_sql(source text, attributes text[] DEFAULT '{}', foreign_keys text[] DEFAULT '{}',
                                          attribute_keys text[] DEFAULT NULL, features text[] DEFAULT NULL)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nmatrix_from_sql'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.nmatrix_from_sql(text, text[], text[], text[], text[]) IS
  'Builds a normalized matrix from relations (table names or queries): source gives the features (columns, or the column features if NULL) and the foreign_keys; attributes[k] gives its key column attribute_keys[k] (default id) and features (every other column).';

CREATE FUNCTION morpheus.nmatrix_from_sparse(source text, attributes text[] DEFAULT '{}',
                                             foreign_keys text[] DEFAULT '{}', attribute_keys text[] DEFAULT NULL)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nmatrix_from_sparse'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.nmatrix_from_sparse(text, text[], text[], text[]) IS
  'Builds a normalized matrix with sparse blocks from relations (table names or queries): every relation gives its features as index int[] (1-based column numbers), optional value float8[] (default 1) and optional width int (default the largest index); source also gives the foreign_keys, attributes[k] its key column attribute_keys[k] (default id).';

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
  LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.row_sums(morpheus.nmatrix) IS
  'Row sums of a normalized matrix, factorized: rowSums(S) + sum_k K_k rowSums(R_k).';

CREATE FUNCTION morpheus.col_sums(t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_col_sums'
  LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.col_sums(morpheus.nmatrix) IS
  'Column sums of a normalized matrix, factorized: [colSums(S), colSums(K_k) R_k ...].';

CREATE FUNCTION morpheus.sum(t morpheus.nmatrix)
  RETURNS float8
  AS 'MODULE_PATHNAME', 'morpheus_nm_sum'
  LANGUAGE C STABLE STRICT PARALLEL SAFE;
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

CREATE FUNCTION morpheus.summary(t morpheus.nmatrix, OUT rows bigint, OUT cols bigint, OUT transposed boolean,
                                 OUT form text, OUT attribute_tables int, OUT blocks text[], OUT stored_entries bigint,
                                 OUT nnz bigint, OUT density float8, OUT stored_bytes bigint,
                                 OUT materialized_bytes float8, OUT tuple_ratios float8[], OUT feature_ratios float8[])
  RETURNS record
  AS 'MODULE_PATHNAME', 'morpheus_nm_summary'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.summary(morpheus.nmatrix) IS
  'One row describing a normalized matrix instead of printing it: shape, transpose flag, form (entity, pk-fk, m:n), blocks (shape, dense/sparse, rows referenced), stored entries, non-zeros and density of the join, stored and materialized bytes, per attribute table the tuple and feature ratios that decide factorization (as in explain).';

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
  LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.crossprod(morpheus.nmatrix) IS
  'T''T as a 2-D array, by the factorized algorithm (Morpheus Algorithm 2; M:N Algorithm 10).';

CREATE FUNCTION morpheus.crossprod_sparse(t morpheus.nmatrix)
  RETURNS morpheus.nmatrix
  AS 'MODULE_PATHNAME', 'morpheus_nm_crossprod_sparse'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.crossprod_sparse(morpheus.nmatrix) IS
  'T''T as a sparse d x d nmatrix (one CSR block, zeros not stored), by the factorized algorithm: for wide one-hot matrices whose dense crossprod does not fit. List it with morpheus.entries.';

CREATE FUNCTION morpheus.entries(t morpheus.nmatrix)
  RETURNS TABLE (i integer, j integer, v float8)
  AS 'MODULE_PATHNAME', 'morpheus_nm_entries'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION morpheus.entries(morpheus.nmatrix) IS
  'The stored entries of a normalized matrix (its join, row by row) as 1-based (i, j, v) triplets; zeros of sparse blocks are not listed.';

CREATE FUNCTION morpheus.tcrossprod(t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_tcrossprod'
  LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.tcrossprod(morpheus.nmatrix) IS
  'T T'' (the Gram matrix of the rows) as a 2-D array, factorized: S S'' + K (R R'') K''.';

CREATE FUNCTION morpheus.ginv(t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_ginv'
  LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.ginv(morpheus.nmatrix) IS
  'Moore-Penrose pseudo-inverse of a normalized matrix, through ginv(crossprod(T)) T'' (d < n) or T'' ginv(T T'').';

CREATE FUNCTION morpheus.nm_lmm(t morpheus.nmatrix, x float8[])
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_lmm'
  LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_lmm(morpheus.nmatrix, float8[]) IS
  'Left matrix multiplication T x (x a 2-D array), factorized: S x_S + sum_k K_k (R_k x_k).';

CREATE FUNCTION morpheus.nm_rmm(x float8[], t morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_rmm'
  LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_rmm(float8[], morpheus.nmatrix) IS
  'Right matrix multiplication x T (x a 2-D array), factorized: [x S, (x K_k) R_k ...].';

CREATE FUNCTION morpheus.nm_matmul(a morpheus.nmatrix, b morpheus.nmatrix)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_nm_matmul'
  LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.nm_matmul(morpheus.nmatrix, morpheus.nmatrix) IS
  'Product of two normalized matrices: the smaller operand is materialized, the other multiplied factorized.';

CREATE OPERATOR morpheus.%*% (LEFTARG = morpheus.nmatrix, RIGHTARG = float8[], FUNCTION = morpheus.nm_lmm);
COMMENT ON OPERATOR morpheus.%*% (morpheus.nmatrix, float8[]) IS 'Left matrix multiplication nmatrix %*% 2-D array, factorized.';
CREATE OPERATOR morpheus.%*% (LEFTARG = float8[], RIGHTARG = morpheus.nmatrix, FUNCTION = morpheus.nm_rmm);
COMMENT ON OPERATOR morpheus.%*% (float8[], morpheus.nmatrix) IS 'Right matrix multiplication 2-D array %*% nmatrix, factorized.';
CREATE OPERATOR morpheus.%*% (LEFTARG = morpheus.nmatrix, RIGHTARG = morpheus.nmatrix, FUNCTION = morpheus.nm_matmul);
COMMENT ON OPERATOR morpheus.%*% (morpheus.nmatrix, morpheus.nmatrix) IS 'Product of two normalized matrices, both kept factorized (double matrix multiplication).';

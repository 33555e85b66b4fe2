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
  LANGUAGE C STABLE STRICT PARALLEL SAFE;
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
  LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.mat_solve(float8[], float8[]) IS
  'Solution x of a x = b for a square non-singular a (blocked LU with partial pivoting); b may have several columns.';

CREATE FUNCTION morpheus.mat_ginv(a float8[])
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_mat_ginv'
  LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.mat_ginv(float8[]) IS
  'Moore-Penrose pseudo-inverse of a 2-D float8 array, by QR with a rank-revealing pivoted QR (tolerance max(m,n)*eps).';

-- since 0.1.0: a type and its I/O functions, created once (by the install script of the version that
-- introduced it); upgrades keep it, so stored values survive.
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

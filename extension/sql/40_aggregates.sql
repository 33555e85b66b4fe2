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
CREATE FUNCTION morpheus._gradient_sfunc(state float8[], x float8[], y float8, w float8[], family text) RETURNS float8[]
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
  AS 'MODULE_PATHNAME', 'morpheus__linreg_final' LANGUAGE C STABLE STRICT PARALLEL SAFE;
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
CREATE AGGREGATE morpheus.glm_gradient_agg(x float8[], y float8, w float8[], family text) (
  SFUNC = morpheus._gradient_sfunc, STYPE = float8[], INITCOND = '{}', COMBINEFUNC = morpheus._state_combine,
  FINALFUNC = morpheus._gradient_final, PARALLEL = SAFE);
COMMENT ON AGGREGATE morpheus.glm_gradient_agg(float8[], float8, float8[], text) IS 'Mean gradient of the GLM loss (family least_squares, logistic with labels 0/1 or -1/+1, poisson) at weights w over rows (x, y); runs in parallel.';
CREATE AGGREGATE morpheus.glm_loss_agg(x float8[], y float8, w float8[], family text) (
  SFUNC = morpheus._gradient_sfunc, STYPE = float8[], INITCOND = '{}', COMBINEFUNC = morpheus._state_combine,
  FINALFUNC = morpheus._loss_final, PARALLEL = SAFE);
COMMENT ON AGGREGATE morpheus.glm_loss_agg(float8[], float8, float8[], text) IS 'Mean GLM loss (family least_squares: 0.5 squared error, logistic, poisson) at weights w over rows (x, y).';

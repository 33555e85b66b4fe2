--------------------------------------------------------------------------------------------------------------------
-- ML algorithms written once over an abstract data matrix (dense float8[][] here; normalized matrices too)
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus.linreg(x float8[], y float8[], method text DEFAULT 'normal', max_iterations int DEFAULT 1000,
                                learning_rate float8 DEFAULT NULL, tolerance float8 DEFAULT 1e-10,
                                l2 float8 DEFAULT 0)
  RETURNS TABLE (coefficients float8[], iterations int, loss float8[], grad_norm float8[])
  AS 'MODULE_PATHNAME', 'morpheus_linreg'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.linreg(float8[], float8[], text, int, float8, float8, float8) IS
  'Least squares x w ~ y (objective 0.5 mean squared residual + 0.5 l2 |w|^2): method normal (crossprod + ginv) or gd; per-iteration loss in loss[].';

CREATE FUNCTION morpheus.logreg(x float8[], y float8[], method text DEFAULT 'lbfgs', max_iterations int DEFAULT 100,
                                learning_rate float8 DEFAULT NULL, tolerance float8 DEFAULT 1e-8,
                                l2 float8 DEFAULT 0)
  RETURNS TABLE (coefficients float8[], iterations int, loss float8[], grad_norm float8[])
  AS 'MODULE_PATHNAME', 'morpheus_logreg'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.logreg(float8[], float8[], text, int, float8, float8, float8) IS
  'Logistic regression (labels 0/1 or -1/+1, mean logistic loss + 0.5 l2 |w|^2) by L-BFGS (lbfgs) or gradient descent (gd); per-iteration loss in loss[].';

CREATE FUNCTION morpheus.kmeans(x float8[], k int, max_iterations int DEFAULT 100, seed int DEFAULT 1)
  RETURNS TABLE (centers float8[], assignment int[], iterations int, loss float8[])
  AS 'MODULE_PATHNAME', 'morpheus_kmeans'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.kmeans(float8[], int, int, int) IS
  'Lloyd k-means with seeded k-means++ start: centers (k x d), 1-based cluster of every row, per-iteration sum of squared distances.';

CREATE FUNCTION morpheus.gnmf(x float8[], rank int, max_iterations int DEFAULT 100, seed int DEFAULT 1)
  RETURNS TABLE (w float8[], h float8[], iterations int, loss float8[])
  AS 'MODULE_PATHNAME', 'morpheus_gnmf'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
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

--------------------------------------------------------------------------------------------------------------------
-- ML: trainers on relations returning a morpheus.model (data in by relation: docs/ml.md), and the array forms for
-- matrix users (float8[][] or a morpheus.nmatrix t). The algorithms are written once over an abstract data matrix.
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus.linreg_train(source text, label text DEFAULT 'label', features text[] DEFAULT NULL,
                                      id text DEFAULT NULL, intercept boolean DEFAULT true,
                                      attributes text[] DEFAULT '{}', foreign_keys text[] DEFAULT '{}',
                                      attribute_keys text[] DEFAULT NULL, method text DEFAULT 'normal',
                                      max_iterations int DEFAULT 10000, learning_rate float8 DEFAULT NULL,
                                      tolerance float8 DEFAULT 1e-6, l2 float8 DEFAULT 0, model_name text DEFAULT NULL)
  RETURNS morpheus.model
  AS 'MODULE_PATHNAME', 'morpheus_linreg_train'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.linreg_train(text, text, text[], text, boolean, text[], text[], text[], text, int, float8, float8, float8, text) IS
  'Least squares on a relation (table name or query) or on normalized data (attributes joined by key, factorized): normal equations or gd; returns a model with R^2, standard errors and condition number; saved under model_name if given.';

CREATE FUNCTION morpheus.logreg_train(source text, label text DEFAULT 'label', features text[] DEFAULT NULL,
                                      id text DEFAULT NULL, intercept boolean DEFAULT true,
                                      attributes text[] DEFAULT '{}', foreign_keys text[] DEFAULT '{}',
                                      attribute_keys text[] DEFAULT NULL, method text DEFAULT 'lbfgs',
                                      max_iterations int DEFAULT 100, learning_rate float8 DEFAULT NULL,
                                      tolerance float8 DEFAULT 1e-8, l2 float8 DEFAULT 0, model_name text DEFAULT NULL)
  RETURNS morpheus.model
  AS 'MODULE_PATHNAME', 'morpheus_logreg_train'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.logreg_train(text, text, text[], text, boolean, text[], text[], text[], text, int, float8, float8, float8, text) IS
  'Logistic regression (labels 0/1, -1/+1 or boolean) on a relation or normalized data, by L-BFGS or gd; returns a model with log-likelihood and accuracy; saved under model_name if given.';

CREATE FUNCTION morpheus.kmeans_train(source text, k int, features text[] DEFAULT NULL, id text DEFAULT NULL,
                                      attributes text[] DEFAULT '{}', foreign_keys text[] DEFAULT '{}',
                                      attribute_keys text[] DEFAULT NULL, max_iterations int DEFAULT 100,
                                      seed int DEFAULT 1, model_name text DEFAULT NULL)
  RETURNS morpheus.model
  AS 'MODULE_PATHNAME', 'morpheus_kmeans_train'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.kmeans_train(text, int, text[], text, text[], text[], text[], int, int, text) IS
  'Lloyd k-means (seeded k-means++) on a relation or normalized data (factorized distances); returns a model with the centers, within-cluster sums of squares and cluster sizes.';

CREATE FUNCTION morpheus.gnmf_train(source text, rank int, features text[] DEFAULT NULL, id text DEFAULT NULL,
                                    attributes text[] DEFAULT '{}', foreign_keys text[] DEFAULT '{}',
                                    attribute_keys text[] DEFAULT NULL, max_iterations int DEFAULT 200,
                                    tolerance float8 DEFAULT 1e-4, seed int DEFAULT 1, model_name text DEFAULT NULL)
  RETURNS morpheus.model
  AS 'MODULE_PATHNAME', 'morpheus_gnmf_train'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.gnmf_train(text, int, text[], text, text[], text[], text[], int, float8, int, text) IS
  'Gaussian non-negative matrix factorization T ~ W H'' of a relation or normalized data; returns a model holding H (predict projects rows onto it) and the final loss.';

-- the array forms, for matrix users: x float8[][] and y float8[] (row i of x with y[i])
CREATE FUNCTION morpheus.linreg(x float8[], y float8[], method text DEFAULT 'normal', max_iterations int DEFAULT 10000,
                                learning_rate float8 DEFAULT NULL, tolerance float8 DEFAULT 1e-6,
                                l2 float8 DEFAULT 0)
  RETURNS TABLE (coefficients float8[], iterations int, loss float8[], grad_norm float8[], converged boolean)
  AS 'MODULE_PATHNAME', 'morpheus_linreg'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.linreg(float8[], float8[], text, int, float8, float8, float8) IS
  'Array form of linreg_train (no intercept unless x has a column of ones): least squares x w ~ y (0.5 mean squared residual + 0.5 l2 |w|^2), normal or gd; per-iteration loss[] and converged.';

CREATE FUNCTION morpheus.logreg(x float8[], y float8[], method text DEFAULT 'lbfgs', max_iterations int DEFAULT 100,
                                learning_rate float8 DEFAULT NULL, tolerance float8 DEFAULT 1e-8,
                                l2 float8 DEFAULT 0)
  RETURNS TABLE (coefficients float8[], iterations int, loss float8[], grad_norm float8[], converged boolean)
  AS 'MODULE_PATHNAME', 'morpheus_logreg'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.logreg(float8[], float8[], text, int, float8, float8, float8) IS
  'Array form of logreg_train: logistic regression (labels 0/1 or -1/+1, mean logistic loss + 0.5 l2 |w|^2) by L-BFGS or gd; per-iteration loss[] and converged.';

CREATE FUNCTION morpheus.kmeans(x float8[], k int, max_iterations int DEFAULT 100, seed int DEFAULT 1)
  RETURNS TABLE (centers float8[], assignment int[], iterations int, loss float8[], converged boolean)
  AS 'MODULE_PATHNAME', 'morpheus_kmeans'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.kmeans(float8[], int, int, int) IS
  'Array form of kmeans_train: centers (k x d), 1-based cluster of every row, per-iteration sum of squared distances, converged.';

CREATE FUNCTION morpheus.gnmf(x float8[], rank int, max_iterations int DEFAULT 200, seed int DEFAULT 1,
                              tolerance float8 DEFAULT 1e-4)
  RETURNS TABLE (w float8[], h float8[], iterations int, loss float8[], converged boolean)
  AS 'MODULE_PATHNAME', 'morpheus_gnmf'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.gnmf(float8[], int, int, int, float8) IS
  'Array form of gnmf_train: x ~ w h'' by multiplicative updates until the loss |x - w h''|_F^2 falls by at most tolerance (relative) in an iteration; loss[] per iteration.';

-- the same algorithms on a normalized matrix t: factorized or materialized per attribute table (morpheus.factorize)
CREATE FUNCTION morpheus.linreg(t morpheus.nmatrix, y float8[], method text DEFAULT 'normal',
                                max_iterations int DEFAULT 10000, learning_rate float8 DEFAULT NULL,
                                tolerance float8 DEFAULT 1e-6, l2 float8 DEFAULT 0)
  RETURNS TABLE (coefficients float8[], iterations int, loss float8[], grad_norm float8[], converged boolean)
  AS 'MODULE_PATHNAME', 'morpheus_linreg'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.linreg(morpheus.nmatrix, float8[], text, int, float8, float8, float8) IS
  'Least squares on a normalized matrix without materializing the join (plan per morpheus.factorize); y[i] belongs to row i of t; same results as on morpheus.materialize(t).';

CREATE FUNCTION morpheus.logreg(t morpheus.nmatrix, y float8[], method text DEFAULT 'lbfgs',
                                max_iterations int DEFAULT 100, learning_rate float8 DEFAULT NULL,
                                tolerance float8 DEFAULT 1e-8, l2 float8 DEFAULT 0)
  RETURNS TABLE (coefficients float8[], iterations int, loss float8[], grad_norm float8[], converged boolean)
  AS 'MODULE_PATHNAME', 'morpheus_logreg'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.logreg(morpheus.nmatrix, float8[], text, int, float8, float8, float8) IS
  'Logistic regression on a normalized matrix without materializing the join (plan per morpheus.factorize); y[i] belongs to row i of t.';

CREATE FUNCTION morpheus.kmeans(t morpheus.nmatrix, k int, max_iterations int DEFAULT 100, seed int DEFAULT 1)
  RETURNS TABLE (centers float8[], assignment int[], iterations int, loss float8[], converged boolean)
  AS 'MODULE_PATHNAME', 'morpheus_kmeans'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.kmeans(morpheus.nmatrix, int, int, int) IS
  'k-means on a normalized matrix with factorized distances (plan per morpheus.factorize).';

CREATE FUNCTION morpheus.gnmf(t morpheus.nmatrix, rank int, max_iterations int DEFAULT 200, seed int DEFAULT 1,
                              tolerance float8 DEFAULT 1e-4)
  RETURNS TABLE (w float8[], h float8[], iterations int, loss float8[], converged boolean)
  AS 'MODULE_PATHNAME', 'morpheus_gnmf'
  LANGUAGE C STABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION morpheus.gnmf(morpheus.nmatrix, int, int, int, float8) IS
  'Gaussian NMF of a normalized matrix with factorized updates (plan per morpheus.factorize).';

CREATE FUNCTION morpheus.explain(t morpheus.nmatrix, operation text DEFAULT 'lmm')
  RETURNS TABLE (attribute_table int, tuple_ratio float8, feature_ratio float8, sparsity float8,
                 factorized_cost_ms float8, materialized_cost_ms float8, rule_factorize boolean,
                 cost_factorize boolean, decision text)
  AS 'MODULE_PATHNAME', 'morpheus_explain'
  LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.explain(morpheus.nmatrix, text) IS
  'Factorize or materialize, per attribute table: tuple and feature ratios, sparsity, both estimated costs, and the decision under the current settings.';

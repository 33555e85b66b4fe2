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

--------------------------------------------------------------------------------------------------------------------
-- DRACO: Byzantine-robust training (GLMs and fully-connected networks) with coded redundant gradients
--------------------------------------------------------------------------------------------------------------------
CREATE FUNCTION morpheus.draco_train(
    source text,
    label text DEFAULT 'label',
    features text[] DEFAULT '{features}',
    family text DEFAULT 'logistic',
    hidden_layers int[] DEFAULT NULL,
    intercept boolean DEFAULT true,
    workers int DEFAULT 7,
    adversaries int DEFAULT 1,
    max_adversaries int DEFAULT NULL,
    attack text DEFAULT 'signflip',
    aggregation text DEFAULT 'cyclic',
    batch_size int DEFAULT 10,
    max_iterations int DEFAULT 50,
    learning_rate float8 DEFAULT 0.1,
    momentum float8 DEFAULT 0,
    seed int DEFAULT 1,
    placement text DEFAULT 'random',
    attack_scale float8 DEFAULT NULL,
    eval_every int DEFAULT 1,
    validation text DEFAULT NULL,
    per_layer boolean DEFAULT false,
    selected int DEFAULT NULL,
    median_tolerance float8 DEFAULT 1e-8,
    median_max_iterations int DEFAULT 1000)
  RETURNS TABLE(iteration int, loss float8, accuracy float8, validation_accuracy float8, grad_error float8,
                compute_ms float8, aggregate_ms float8, median_iterations int[], adversarial_workers int[],
                flagged_workers int[], consistent boolean, weights float8[], model morpheus.model)
  AS 'MODULE_PATHNAME', 'morpheus_draco_train'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.draco_train(text, text, text[], text, int[], boolean, int, int, int, text, text, int, int,
                                         float8, float8, int, text, float8, int, text, boolean, int, float8, int) IS
  'Trains a GLM (least_squares, logistic, softmax, poisson) or an mlp by simulated distributed SGD with adversarial workers; aggregation cyclic or repetition (DRACO, exact with <= max_adversaries liars) or a baseline rule; one row per iteration, final parameters and the trained morpheus.model (for morpheus.predict; converged NULL: fixed iterations) on the last row.';

CREATE FUNCTION morpheus.robust_aggregate(
    gradients float8[],
    rule text DEFAULT 'geometric_median',
    max_adversaries int DEFAULT 1,
    selected int DEFAULT NULL,
    blocks int[] DEFAULT NULL,
    tolerance float8 DEFAULT 1e-8,
    max_iterations int DEFAULT 1000)
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_robust_aggregate'
  LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.robust_aggregate(float8[], text, int, int, int[], float8, int) IS
  'Aggregates the rows of a 2-D array of gradients with a Byzantine-robust rule (mean, median, trimmed_mean, geometric_median, krum, multi_krum, bulyan) tolerating max_adversaries bad rows, over the whole row or per block of columns.';

CREATE FUNCTION morpheus.glm_predict(
    weights float8[],
    features float8[],
    family text DEFAULT 'logistic',
    intercept boolean DEFAULT true)
  RETURNS float8
  AS 'MODULE_PATHNAME', 'morpheus_glm_predict'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.glm_predict(float8[], float8[], text, boolean) IS
  'Prediction of a GLM with draco_train parameters (intercept last in each class block): least_squares eta, logistic P(y = 1), poisson exp(eta), softmax the most likely class.';

CREATE FUNCTION morpheus.mlp_predict(
    weights float8[],
    features float8[],
    layers int[])
  RETURNS int
  AS 'MODULE_PATHNAME', 'morpheus_mlp_predict'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.mlp_predict(float8[], float8[], int[]) IS
  'The most likely class (0-based) of a fully-connected ReLU network with draco_train parameters (w[0], b[0], w[1], b[1], ...; w[l] out x in row-major); layers = {inputs, hidden..., classes}.';

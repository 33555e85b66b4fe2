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

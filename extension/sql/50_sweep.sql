--------------------------------------------------------------------------------------------------------------------
-- sweep: width/batch sweeps at a fixed parameter budget (does a wider network train with larger batches?)
-- source: a table/view name or a query text, read with the caller's rights; label: an integer column of classes
-- 0..c-1; features: one float8[] column, or two or more numeric columns.
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

CREATE FUNCTION morpheus.synthetic_classification(rows int, inputs int DEFAULT 10, classes int DEFAULT 3,
                                                  spread float8 DEFAULT 1.0, seed int DEFAULT 1)
  RETURNS TABLE (id int, features float8[], label int)
  AS 'MODULE_PATHNAME', 'morpheus_synthetic_classification'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.synthetic_classification(int, int, int, float8, int) IS
  'Seeded Gaussian classes for tests and demos: row id has label (id-1) mod classes and features centre + spread * N(0, I).';

CREATE FUNCTION morpheus.teacher_classification(rows int, inputs int DEFAULT 10, classes int DEFAULT 2,
                                                depth int DEFAULT 1, width int DEFAULT 16,
                                                architecture text DEFAULT 'mlp', initialization text DEFAULT 'he',
                                                label_noise float8 DEFAULT 0, seed int DEFAULT 1)
  RETURNS TABLE (id int, features float8[], label int)
  AS 'MODULE_PATHNAME', 'morpheus_teacher_classification'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.teacher_classification(int, int, int, int, int, text, text, float8, int) IS
  'Seeded student-teacher data: inputs N(0, I), labels the argmax of a random teacher network (optionally noisy).';

CREATE FUNCTION morpheus.pool_image(pixels float8[], height int, width int, factor int DEFAULT 2,
                                    method text DEFAULT 'mean')
  RETURNS float8[]
  AS 'MODULE_PATHNAME', 'morpheus_pool_image'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION morpheus.pool_image(float8[], int, int, int, text) IS
  'Pools a row-major height x width image by factor x factor blocks (mean or max), e.g. 28 x 28 pixels to 14 x 14.';

CREATE FUNCTION morpheus.train_mlp(source text, depth int, width int, label text DEFAULT 'label',
                                   features text[] DEFAULT '{features}', batch_size int DEFAULT 32,
                                   learning_rate float8 DEFAULT 0.1, max_epochs int DEFAULT 10,
                                   architecture text DEFAULT 'mlp', loss_function text DEFAULT 'cross_entropy',
                                   target_loss float8 DEFAULT NULL, classes int DEFAULT NULL,
                                   evals_per_epoch int DEFAULT 1, seed int DEFAULT 1,
                                   initialization text DEFAULT 'he', residual_scale float8 DEFAULT 1.0)
  RETURNS TABLE (epoch float8, iteration bigint, loss float8, accuracy float8, parameters float8[],
                 model morpheus.model)
  AS 'MODULE_PATHNAME', 'morpheus_train_mlp'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.train_mlp(text, int, int, text, text[], int, float8, int, text, text, float8, int, int, int, text, float8) IS
  'One run of mini-batch SGD (constant step) on a ReLU, residual or deep linear network; one row per evaluation of the training loss, the trained parameters and the trained morpheus.model (for morpheus.predict) on the last row.';

CREATE FUNCTION morpheus.gradient_diversity(source text, depth int, width int, label text DEFAULT 'label',
                                            features text[] DEFAULT '{features}', architecture text DEFAULT 'mlp',
                                            loss_function text DEFAULT 'cross_entropy', classes int DEFAULT NULL,
                                            sample_rows int DEFAULT NULL, seed int DEFAULT 1,
                                            after_epochs float8 DEFAULT 0, batch_size int DEFAULT 32,
                                            learning_rate float8 DEFAULT 0.1, initialization text DEFAULT 'he',
                                            residual_scale float8 DEFAULT 1.0)
  RETURNS TABLE (rows_used bigint, params bigint, mean_loss float8, sum_sq_norms float8, sq_norm_of_sum float8,
                 gradient_diversity float8, batch_size_bound float8, unbiased_bound float8)
  AS 'MODULE_PATHNAME', 'morpheus_gradient_diversity'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.gradient_diversity(text, int, int, text, text[], text, text, int, int, int, float8, int, float8, text, float8) IS
  'Gradient diversity sum ||g_i||^2 / ||sum g_i||^2 and batch-size bound B_S = m x diversity, from exact per-sample gradient norms.';

CREATE FUNCTION morpheus.gradient_diversity_trajectory(source text, depth int, width int,
                                                       checkpoints float8[] DEFAULT '{0,1,2,4}',
                                                       seeds int[] DEFAULT '{1,2,3}', batch_size int DEFAULT 32,
                                                       learning_rate float8 DEFAULT 0.1, label text DEFAULT 'label',
                                                       features text[] DEFAULT '{features}',
                                                       architecture text DEFAULT 'mlp',
                                                       loss_function text DEFAULT 'cross_entropy',
                                                       classes int DEFAULT NULL, sample_rows int DEFAULT NULL,
                                                       initialization text DEFAULT 'he',
                                                       residual_scale float8 DEFAULT 1.0,
                                                       confidence float8 DEFAULT 0.95)
  RETURNS TABLE (seed int, epoch float8, samples bigint, mean_loss float8, gradient_diversity float8,
                 batch_size_bound float8, bound_sd float8, bound_lower float8, bound_upper float8)
  AS 'MODULE_PATHNAME', 'morpheus_gradient_diversity_trajectory'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.gradient_diversity_trajectory(text, int, int, float8[], int[], int, float8, text, text[], text, text, int, int, text, float8, float8) IS
  'Batch-size bound B_S along SGD at checkpoints (epochs) for several seeds: per measurement, per seed over checkpoints, per checkpoint over seeds, and overall with a t-interval.';

CREATE FUNCTION morpheus.width_sweep(source text, param_budget int, depths int[] DEFAULT '{1,4}',
                                     batch_sizes int[] DEFAULT '{32,64,128,256,512}',
                                     seeds int[] DEFAULT '{1,2,3}', tuning_seeds int[] DEFAULT '{101,102,103}',
                                     target_losses float8[] DEFAULT '{0.5}', learning_rate float8 DEFAULT 0.1,
                                     min_learning_rate float8 DEFAULT 0.0001, max_learning_rate float8 DEFAULT 100,
                                     max_epochs int DEFAULT 10, label text DEFAULT 'label',
                                     features text[] DEFAULT '{features}', architecture text DEFAULT 'mlp',
                                     loss_function text DEFAULT 'cross_entropy', classes int DEFAULT NULL,
                                     evals_per_epoch int DEFAULT 4, eval_rows int DEFAULT NULL,
                                     initialization text DEFAULT 'he', residual_scale float8 DEFAULT 1.0)
  RETURNS TABLE (depth int, width int, params bigint, batch_size int, seed int, role text, learning_rate float8,
                 target_loss float8, reached boolean, epochs_to_target float8, iterations_to_target float8,
                 final_loss float8, epochs_run float8, diverged boolean, stopped_early boolean,
                 rate_at_edge boolean, train_ms float8, run_ms float8, train_gflop float8, settings text)
  AS 'MODULE_PATHNAME', 'morpheus_width_sweep'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.width_sweep(text, int, int[], int[], int[], int[], float8[], float8, float8, float8, int, text, text[], text, text, int, int, int, text, float8) IS
  'Multi-seed width/batch sweep at a fixed parameter budget: learning rate searched per (depth, batch) on tuning seeds, evaluated on held-out seeds; one row per (run, target).';

-- A procedure, so that it can commit each finished run (no SET clause: it would forbid transaction control).
CREATE PROCEDURE morpheus.width_sweep_run(results text, source text, param_budget int, depths int[] DEFAULT '{1,4}',
                                          batch_sizes int[] DEFAULT '{32,64,128,256,512}',
                                          seeds int[] DEFAULT '{1,2,3}',
                                          tuning_seeds int[] DEFAULT '{101,102,103}',
                                          target_losses float8[] DEFAULT '{0.5}', learning_rate float8 DEFAULT 0.1,
                                          min_learning_rate float8 DEFAULT 0.0001,
                                          max_learning_rate float8 DEFAULT 100, max_epochs int DEFAULT 10,
                                          label text DEFAULT 'label', features text[] DEFAULT '{features}',
                                          architecture text DEFAULT 'mlp',
                                          loss_function text DEFAULT 'cross_entropy', classes int DEFAULT NULL,
                                          evals_per_epoch int DEFAULT 4, eval_rows int DEFAULT NULL,
                                          initialization text DEFAULT 'he', residual_scale float8 DEFAULT 1.0)
  AS 'MODULE_PATHNAME', 'morpheus_width_sweep_run'
  LANGUAGE C;
COMMENT ON PROCEDURE morpheus.width_sweep_run(text, text, int, int[], int[], int[], int[], float8[], float8, float8, float8, int, text, text[], text, text, int, int, int, text, float8) IS
  'width_sweep whose rows are inserted into the table named by results and committed run by run; a new call with the same settings resumes.';

CREATE FUNCTION morpheus.width_sweep_cost(source text, param_budget int, depths int[] DEFAULT '{1,4}',
                                          batch_sizes int[] DEFAULT '{32,64,128,256,512}',
                                          seeds int[] DEFAULT '{1,2,3}',
                                          tuning_seeds int[] DEFAULT '{101,102,103}',
                                          target_losses float8[] DEFAULT '{0.5}', learning_rate float8 DEFAULT 0.1,
                                          min_learning_rate float8 DEFAULT 0.0001,
                                          max_learning_rate float8 DEFAULT 100, max_epochs int DEFAULT 10,
                                          label text DEFAULT 'label', features text[] DEFAULT '{features}',
                                          architecture text DEFAULT 'mlp',
                                          loss_function text DEFAULT 'cross_entropy', classes int DEFAULT NULL,
                                          evals_per_epoch int DEFAULT 4, eval_rows int DEFAULT NULL,
                                          initialization text DEFAULT 'he', residual_scale float8 DEFAULT 1.0,
                                          expected_epochs float8 DEFAULT NULL, rates_per_batch float8 DEFAULT 3.5)
  RETURNS TABLE (depth int, width int, params bigint, batch_size int, runs float8, epochs_per_run float8,
                 gflop float8, ms_per_epoch float8, minutes float8)
  AS 'MODULE_PATHNAME', 'morpheus_width_sweep_cost'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.width_sweep_cost(text, int, int[], int[], int[], int[], float8[], float8, float8, float8, int, text, text[], text, text, int, int, int, text, float8, float8, float8) IS
  'Predicted cost of a width_sweep call per (depth, batch): runs, GFLOP and minutes at the speed measured now on this machine.';

CREATE FUNCTION morpheus.width_sweep_fit(results text, critical_slack float8 DEFAULT 0.2,
                                         confidence float8 DEFAULT 0.95)
  RETURNS TABLE (depth int, width int, params bigint, target_loss float8, seed int, points int, s_min float8,
                 e_min float8, b_crit_fit float8, b_crit_median float8, b_crit_lower float8, b_crit_upper float8,
                 b_crit_slack float8, seeds int, valid_fits int, note text)
  AS 'MODULE_PATHNAME', 'morpheus_width_sweep_fit'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.width_sweep_fit(text, float8, float8) IS
  'Critical batch of a sweep per (depth, seed, target): weighted fit of steps = S_min + E_min / B, b_crit = E_min / S_min, beside the slack rule; seed NULL rows aggregate over seeds.';

CREATE FUNCTION morpheus.width_sweep_summary(results text, confidence float8 DEFAULT 0.95)
  RETURNS TABLE (depth int, width int, batch_size int, target_loss float8, learning_rate float8,
                 rate_at_edge boolean, seeds int, reached int, steps_median float8, epochs_median float8,
                 steps_geomean float8, steps_lower float8, steps_upper float8)
  AS 'MODULE_PATHNAME', 'morpheus_width_sweep_summary'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.width_sweep_summary(text, float8) IS
  'Steps to target per (depth, batch, target) over the evaluation seeds of a sweep: median, geometric mean and t-interval.';

CREATE FUNCTION morpheus.width_sweep_verdict(results text, target_loss float8, large_batch int DEFAULT NULL,
                                             confidence float8 DEFAULT 0.95, threshold float8 DEFAULT 0.15)
  RETURNS TABLE (reading text, target_loss float8, batch_size int, estimate float8, lower float8, upper float8,
                 seeds_used int, seeds_total int, ratio float8, verdict text, rule text)
  AS 'MODULE_PATHNAME', 'morpheus_width_sweep_verdict'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION morpheus.width_sweep_verdict(text, float8, int, float8, float8) IS
  'Verdict statistics of the width claim: elasticity in width of the critical batch and of the steps at a large batch, with t-intervals over seeds and the stated decision rules.';

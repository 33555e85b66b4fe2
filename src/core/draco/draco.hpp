// DRACO: Byzantine-robust training of generalized linear models with coded redundant gradients (Chen et al., ICML
// 2018), and the baseline robust aggregation rules and attacks it is compared with.
//
// Layout of the computation (one iteration):
//   batch rows -> B = n partitions of batch_size rows -> worker i computes the gradients of its assigned partitions
//   at the broadcast weights and sends ONE encoded message z_i (encode_messages / worker_message) -> up to s
//   adversarial workers replace theirs (apply_attack) -> the parameter server decodes the exact gradient sum
//   (decode_repetition / CyclicCode::decode) or aggregates the plain messages with a baseline rule (aggregate,
//   optionally per parameter block: server_step).
// What is trained is a Learner (learner.hpp): a GLM or a fully-connected ReLU network.
// Every random draw comes from morpheus::Rng streams derived from the seed (core/random.hpp).
#pragma once
#include "core/no_postgres.hpp"

#include <complex>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/dense.hpp"
#include "core/draco/learner.hpp"
#include "core/progress.hpp"
#include "core/random.hpp"

namespace morpheus::draco {

// ---------------------------------------------------------------------------------------------------------------
// GLM losses and gradients
// ---------------------------------------------------------------------------------------------------------------
enum class Model { LeastSquares, Logistic, Softmax, Poisson };

// "least_squares", "logistic", "softmax", "poisson"; throws InvalidParameter listing the valid names.
Model parse_model(const std::string& name);
const char* model_name(Model m);

// A data set: X is rows x p (no intercept column), y holds the labels (0/1 for logistic, 0..classes-1 for softmax,
// counts >= 0 for Poisson, any real for least squares).
struct Dataset {
  ConstRowMap x{nullptr, 0, 0};
  const double* y = nullptr;
  std::int64_t rows() const { return x.rows(); }
  std::int64_t features() const { return x.cols(); }
};

// The parameter layout: every model has an intercept. Scalar models: w = [w_1..w_p, b] (p + 1 values).
// Softmax with K classes: K blocks of p + 1 values, block c = [w_c1..w_cp, b_c].
struct Glm {
  Model model = Model::Logistic;
  std::int64_t features = 0;
  std::int64_t classes = 1;  // K for softmax, 1 otherwise
  std::int64_t params() const { return classes * (features + 1); }
};

// Checks the labels for the model (names the first bad row, 1-based, of `query_arg`), and for softmax returns the
// number of classes (max label + 1, at least 2); 1 otherwise.
std::int64_t check_labels(Model m, const double* y, std::int64_t n, const char* query_arg);

// Adds the gradient of sum_{r in rows} loss_r(w) to grad (params() values) and returns the summed loss. Rows are
// visited in the given order, so two calls with the same rows give bit-identical results.
double glm_gradient(const Glm& g, const Dataset& d, const std::int64_t* rows, std::int64_t count, const double* w,
                    double* grad);
// Summed loss only.
double glm_loss(const Glm& g, const Dataset& d, const std::int64_t* rows, std::int64_t count, const double* w);
// Prediction for one feature vector: least squares eta, logistic P(y = 1), Poisson exp(eta), softmax argmax class.
double glm_predict(const Glm& g, const double* features, const double* w);
// Fraction of rows predicted correctly (logistic: P >= 0.5; softmax: argmax); NaN for the regression models.
double glm_accuracy(const Glm& g, const Dataset& d, const double* w);

// ---------------------------------------------------------------------------------------------------------------
// Aggregation rules (the parameter server's side)
// ---------------------------------------------------------------------------------------------------------------
enum class Rule { Mean, Median, TrimmedMean, GeometricMedian, Krum, MultiKrum, Bulyan, Repetition, Cyclic };

// All rule names, including the two DRACO codes ("repetition", "cyclic").
Rule parse_rule(const std::string& name, bool allow_codes);
const char* rule_name(Rule r);
bool is_code(Rule r);

// Rows of a matrix with a row stride: a column block of the n x d messages without copying it.
using ConstRowsView = Eigen::Map<const RowMatrix, 0, Eigen::OuterStride<>>;
inline ConstRowsView rows_view(const ConstRowMap& v) {
  return ConstRowsView(v.data(), v.rows(), v.cols(), Eigen::OuterStride<>(v.cols()));
}
inline ConstRowsView column_block(const ConstRowMap& v, std::int64_t offset, std::int64_t size) {
  return ConstRowsView(v.data() + offset, v.rows(), size, Eigen::OuterStride<>(v.cols()));
}

// Weiszfeld's stopping rule, as in hdmedians (the DRACO authors' geometric median): stop when the step
// ||z_{t+1} - z_t|| is below `tolerance` (absolute), or after max_iterations iterations.
struct GeometricMedianOptions {
  double tolerance = 1e-8;
  int max_iterations = 1000;
};

struct GeometricMedianResult {
  Vector z;
  int iterations = 0;
  bool converged = true;  // false: stopped at max_iterations with the last step >= tolerance
};

// Baseline rules over the rows of v (n inputs x d). f = number of Byzantine inputs tolerated; selected = Multi-Krum's
// selection size (<= 0: n - f - 2). Requirements (InvalidParameter otherwise): trimmed mean n > 2f, Krum and
// Multi-Krum n > 2f + 2, Bulyan n >= 4f + 3. Results estimate the MEAN of the honest inputs.
Vector aggregate(Rule rule, const ConstRowMap& v, int f, int selected = 0,
                 const GeometricMedianOptions& median = GeometricMedianOptions());
Vector aggregate(Rule rule, const ConstRowsView& v, int f, int selected = 0,
                 const GeometricMedianOptions& median = GeometricMedianOptions(),
                 GeometricMedianResult* median_result = nullptr);
Vector coordinate_median(const ConstRowsView& v);
Vector trimmed_mean(const ConstRowsView& v, int b);
// Weiszfeld from the mean with the Vardi-Zhang step at input points (an input within 1e-14 max distance of z counts
// as coinciding with it).
GeometricMedianResult geometric_median(const ConstRowsView& v, const GeometricMedianOptions& o);
inline GeometricMedianResult geometric_median(const ConstRowMap& v, double tolerance = 1e-8,
                                              int max_iterations = 1000) {
  return geometric_median(rows_view(v), GeometricMedianOptions{tolerance, max_iterations});
}
// Krum scores (sum of squared distances to the n - f - 2 nearest other inputs).
std::vector<double> krum_scores(const ConstRowsView& v, int f);
// Indices (0-based) of the m lowest Krum scores, lowest first (ties: lowest index).
std::vector<int> multi_krum_select(const ConstRowsView& v, int f, int m);
Vector bulyan(const ConstRowsView& v, int f);
inline Vector coordinate_median(const ConstRowMap& v) { return coordinate_median(rows_view(v)); }
inline Vector trimmed_mean(const ConstRowMap& v, int b) { return trimmed_mean(rows_view(v), b); }
inline std::vector<double> krum_scores(const ConstRowMap& v, int f) { return krum_scores(rows_view(v), f); }
inline std::vector<int> multi_krum_select(const ConstRowMap& v, int f, int m) {
  return multi_krum_select(rows_view(v), f, m);
}
inline Vector bulyan(const ConstRowMap& v, int f) { return bulyan(rows_view(v), f); }
// The rule's requirement on n for f, as a message fragment; throws InvalidParameter if it fails.
void require_rule_size(Rule rule, int n, int f);

// A baseline rule applied to each parameter block separately (blocks tile [0, d)); the result concatenates the
// blocks' estimates. median_iterations gets one Weiszfeld count per block for the geometric median (empty for the
// other rules); median_converged is false when some block stopped at max_iterations.
struct BlockAggregate {
  Vector value;
  std::vector<int> median_iterations;
  bool median_converged = true;
};
BlockAggregate aggregate_blocks(Rule rule, const ConstRowMap& v, const std::vector<Block>& blocks, int f,
                                int selected = 0, const GeometricMedianOptions& median = GeometricMedianOptions());

// ---------------------------------------------------------------------------------------------------------------
// Codes: partitions, assignment, encoding, decoding
// ---------------------------------------------------------------------------------------------------------------
// Messages of n workers: re (n x d). Row i is worker i's message (every code is real).
struct Messages {
  RowMatrix re;
};

// Partitions of worker i (0-based) under a rule with n workers and parameter s:
// repetition: group g = i / (2s+1) holds partitions g(2s+1) .. g(2s+1)+2s; cyclic: i, i+1, .., i+2s (mod n);
// baselines: {i}.
std::vector<int> assigned_partitions(Rule rule, int n, int s, int worker);
// Throws InvalidParameter when n workers cannot tolerate s adversaries with the code (n >= 2s+1; repetition also
// needs (2s+1) | n), naming the values and suggesting valid ones.
// The cyclic code is also limited to the range where its float64 decoding was verified to 1e-9 relative error
// (cyclic_max_tolerance: n <= 30 any s; n <= 45: s <= 6; n <= 64: s <= 5; n <= 100: s <= 4; n <= 150: s <= 3;
// n <= 200: s <= 2; n <= 300: s <= 1; -1 beyond 300).
void require_code_size(Rule rule, int n, int s);
int cyclic_max_tolerance(int n);

// The cyclic code for n workers and s adversaries: a REAL code of the DFT (Reed-Solomon/BCH-like) family.
// W = N diag(c): column j of N holds the coefficients of x^(j-2s) h(x) mod (x^n - rho), rho = +1 for odd n
// (circulant) and -1 for even n (negacyclic), with the real generator
//   h(x) = prod_{j<s} (x^2 + 2 cos((2j+1) pi / n) x + 1),
// whose 2s roots -exp(+-i (2j+1) pi / n) are the 2s (twisted) n-th roots closest to -1; c_j makes every column sum
// 1 (so 1^T W = 1^T). Column j is supported on the 2s+1 workers that compute partition j. The parity checks are the
// (twisted) Fourier vectors C_R at these 2s consecutive frequencies (C_R^H W = 0); C_L spans the k = n - 2s others
// (W = C_L C_L^H W). Derivation: docs/draco.md.
class CyclicCode {
 public:
  CyclicCode(int n, int s);
  int n() const { return n_; }
  int s() const { return s_; }
  // W[i, j] (zero off support).
  double w(int i, int j) const { return wr_(i, j); }
  const Eigen::MatrixXd& wreal() const { return wr_; }
  // complex orthonormal bases: data frequencies (n x k) and parity frequencies (n x 2s, consecutive, so that the
  // syndromes C_R^H e are a sum of <= s exponentials in the frequency index)
  const Eigen::MatrixXcd& cl() const { return cl_; }
  const Eigen::MatrixXcd& cr() const { return cr_; }
  // real orthonormal basis of the column space of W (n x k): cosines and sines of the data frequencies
  const Eigen::MatrixXd& basis() const { return br_; }

  struct Decoded {
    Vector sum;                // decoded sum of the partition gradients
    std::vector<int> flagged;  // workers whose message disagrees with the decoded codeword (0-based)
    bool consistent = true;    // false: the messages are not a codeword plus <= s errors (more than s adversaries)
    double residual = 0.0;     // relative residual of the consistency check (largest over the blocks)
    int blocks = 0;            // number of coordinate blocks decoded
  };
  // Decodes the messages (n x d, one row per worker). The d coordinates
  // are decoded in blocks of `block` columns (<= 0: sized for the cache); each block gets its own fresh random
  // projection (uniform on [-1, 1), from a generator seeded by rng), its own error location and its own consistency
  // check; a worker found lying in any block is flagged, and any inconsistent block makes the result inconsistent.
  Decoded decode(const Messages& m, Rng& rng) const;
  Decoded decode(const ConstRowMap& messages, Rng& rng, Eigen::Index block = 0) const;
  // The distributed path's form (src/core/dist): the projections' generator is seeded with four raw outputs of rng,
  // as before 0.2.0, so its results are unchanged.
  Decoded decode(const Messages& m, std::mt19937_64& rng) const;

 private:
  Decoded decode_seeded(const ConstRowMap& messages, const std::uint64_t seed_words[4], Eigen::Index block) const;

 public:
 private:
  int n_, s_;
  Eigen::MatrixXd wr_, br_;
  Eigen::MatrixXcd cl_, cr_;
  Eigen::MatrixXd crh_re_, crh_im_;          // C_R^H split into real and imaginary parts (2s x n)
  Vector t_;                                 // br_^T 1: v^T br_[H, :] = t^T gives v^T W[H, :] = 1^T
  std::vector<std::complex<double>> nodes_;  // exp(2 pi i q / n): the error locator's evaluation points
};

// Encoded message of one worker: repetition and baselines: the sum of its partitions' gradients; cyclic:
// sum_j W[i, j] g_j. Written to re (params() values). part_rows[j] = batch rows of partition j
// (all partitions of the iteration; only the worker's own are read).
void worker_message(const Glm& g, const Dataset& d, Rule rule, int n, int s, const CyclicCode* code, int worker,
                    const std::vector<std::vector<std::int64_t>>& part_rows, const double* w, double* re);

struct RepetitionDecoded {
  Vector sum;
  std::vector<int> flagged;  // workers not equal to their group's majority (0-based)
  bool consistent = true;    // false: some group has no value sent by at least s + 1 of its 2s + 1 workers
};
// Majority vote (bitwise equality) per group of 2s+1 consecutive workers, summed over groups.
RepetitionDecoded decode_repetition(const ConstRowMap& messages, int s);

// ---------------------------------------------------------------------------------------------------------------
// Attacks and adversary placement
// ---------------------------------------------------------------------------------------------------------------
enum class Attack { None, SignFlip, Constant, Gaussian, Alie, Ipm };
Attack parse_attack(const std::string& name);
const char* attack_name(Attack a);
// Default strength: signflip 100 (sends -100 z), constant -100, gaussian sigma 100, ipm epsilon 0.1, alie: NaN
// (z_max from n and the number of adversaries, as in Baruch et al.).
double default_attack_scale(Attack a);
// ALIE's z_max = Phi^{-1}((n - m - s') / (n - m)), s' = floor(n/2 + 1) - m (clamped to a usable range).
double alie_z(int n, int m);

enum class Placement { Random, Fixed, Omniscient };
Placement parse_placement(const std::string& name);
// Adversarial workers (sorted, 0-based) among n: random = a fresh uniform draw from rng; fixed = 0..q-1;
// omniscient = s+1 workers in as many groups of 2s+1 consecutive workers as possible, then the rest in order.
std::vector<int> place_adversaries(Placement p, int n, int q, int s, Rng& rng);

// Replaces the messages of the adversarial workers. Signflip: -scale z_i; constant: scale * 1; gaussian: N(0,
// scale^2) per coordinate; ALIE: mu - scale sigma over the honest messages (coordinate mean and standard deviation);
// IPM: -scale mean(honest).
void apply_attack(Attack a, double scale, const std::vector<int>& adversaries, Messages& m, Rng& rng);
void apply_attack(Attack a, double scale, const std::vector<int>& adversaries, RowMatrix& messages, Rng& rng);
// The distributed path's form: gaussian noise from a morpheus::Rng seeded with one raw output of rng.
void apply_attack(Attack a, double scale, const std::vector<int>& adversaries, Messages& m, std::mt19937_64& rng);

// ---------------------------------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------------------------------
struct TrainOptions {
  Family family = Family::Logistic;
  bool intercept = true;                    // GLMs
  std::vector<std::int64_t> hidden_layers;  // mlp: hidden widths (the DRACO paper's net: {800, 500})
  int workers = 7;
  int adversaries = 1;
  int max_adversaries = -1;  // s (code design / baseline f); < 0: = adversaries
  Attack attack = Attack::SignFlip;
  double attack_scale = std::numeric_limits<double>::quiet_NaN();  // NaN: default_attack_scale
  Placement placement = Placement::Random;
  Rule rule = Rule::Cyclic;
  std::int64_t batch_size = 10;  // rows per worker partition (the batch is workers x batch_size rows)
  int max_iterations = 100;
  double learning_rate = 0.1;
  double momentum = 0.0;  // heavy ball: v = momentum v + g / batch; w -= learning_rate v
  std::uint64_t seed = 1;
  int eval_every = 1;             // accuracy every k iterations (and at the last one)
  bool evaluate_training = true;  // accuracy on the training rows (else only on the validation rows)
  bool per_layer = false;         // baseline rules applied per parameter block (MLP: w[0], b[0], ...)
  int selected = 0;               // Multi-Krum's m (<= 0: n - f - 2)
  GeometricMedianOptions median;  // Weiszfeld's stopping rule
  int s() const { return max_adversaries < 0 ? adversaries : max_adversaries; }
};

struct IterationResult {
  int iteration = 0;
  double loss = 0.0;                                           // mean batch loss at the weights before the step
  double accuracy = std::numeric_limits<double>::quiet_NaN();  // training rows, after the step; NaN if not evaluated
  double validation_accuracy = std::numeric_limits<double>::quiet_NaN();  // validation rows, after the step
  double compute_ms = 0.0;             // the slowest worker: its partitions' gradients + its encoding
  double partition_ms = 0.0;           // median time of one partition's gradient (for cost models)
  double aggregate_ms = 0.0;           // decoding / aggregation at the server
  std::vector<int> median_iterations;  // Weiszfeld iterations per block (geometric median only)
  bool median_converged = true;
  std::vector<int> adversaries;  // 0-based
  std::vector<int> flagged;      // 0-based
  bool flagged_known = false;    // false for baseline rules
  bool consistent = true;
  double grad_error = std::numeric_limits<double>::quiet_NaN();  // ||applied - clean|| of the mean gradient
};

// Validates options against the data (throws InvalidParameter naming the argument) and returns the learner.
std::unique_ptr<Learner> prepare_training(const TrainOptions& o, const Dataset& d);

// Runs the iterations; calls on_iteration after each one (weights after the step). Weights start at
// learner.initial(seed). When the decoder reports an inconsistency the step is skipped. validation (may be null):
// rows whose accuracy is reported as validation_accuracy (same features and classes).
void train(const TrainOptions& o, const Dataset& d, const Dataset* validation, Vector& weights,
           const std::function<void(const IterationResult&, const Vector&)>& on_iteration, Progress& progress);
inline void train(const TrainOptions& o, const Dataset& d, Vector& weights,
                  const std::function<void(const IterationResult&, const Vector&)>& on_iteration, Progress& progress) {
  train(o, d, nullptr, weights, on_iteration, progress);
}

// ---------------------------------------------------------------------------------------------------------------
// The pieces of one iteration (train() is built from them; bench/ reuses them)
// ---------------------------------------------------------------------------------------------------------------
// Batches as epochs of seeded permutations of the rows: each iteration takes the next workers x batch_size rows of
// the permutation (a fresh permutation when fewer remain) and gives partition j the j-th run of batch_size rows.
class BatchSampler {
 public:
  BatchSampler(std::int64_t rows, std::uint64_t seed);
  void next(int workers, std::int64_t batch_size, std::vector<std::vector<std::int64_t>>& parts);

 private:
  Rng rng_;
  std::vector<std::int64_t> perm_;
  std::int64_t cursor_ = 0;
};

// Gradients of the n partitions at w: row j of g (resized to n x params) = gradient of partition j's summed loss;
// partition_ms[j] its compute time. Returns the summed loss over the batch.
double partition_gradients(const Learner& l, const Dataset& d, const std::vector<std::vector<std::int64_t>>& parts,
                           const double* w, RowMatrix& g, std::vector<double>& partition_ms);

// The exact gradient sum with the association of an honest decode: repetition sums each group's partitions, then
// the groups in order (bit-identical to decode_repetition of honest messages); the other rules sum g's rows in order.
void clean_sum(Rule rule, int s, const RowMatrix& g, Vector& out);

// Honest messages of the code (n x params) from the partition gradients: repetition: each member of a group sends
// the group's sum (computed once and copied, as every honest member computes the same bits); cyclic:
// sum_j W[i, j] g_j; baselines: not used (the messages are g). worker_ms[i] = sum of partition_ms over worker i's
// partitions + its encoding time.
void encode_messages(Rule rule, int s, const CyclicCode* code, const RowMatrix& g,
                     const std::vector<double>& partition_ms, RowMatrix& messages, std::vector<double>& worker_ms);

// The server's step: decodes (codes) or aggregates (baselines, the estimate of the mean times n, per block when
// blocks has more than one entry) the messages into the gradient sum.
struct ServerResult {
  Vector sum;
  std::vector<int> flagged;
  bool flagged_known = false;
  bool consistent = true;
  std::vector<int> median_iterations;
  bool median_converged = true;
};
ServerResult server_step(Rule rule, int s, const CyclicCode* code, const ConstRowMap& messages,
                         const std::vector<Block>& blocks, int selected, const GeometricMedianOptions& median,
                         Rng& projection_rng);

}  // namespace morpheus::draco

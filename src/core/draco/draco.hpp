// DRACO: Byzantine-robust training of generalized linear models with coded redundant gradients (Chen et al., ICML
// 2018), and the baseline robust aggregation rules and attacks it is compared with.
//
// Layout of the computation (one iteration):
//   batch rows -> B = n partitions -> worker i computes the gradients of its assigned partitions at the broadcast
//   weights and sends ONE encoded message z_i (worker_message) -> up to s adversarial workers replace theirs
//   (apply_attack) -> the parameter server decodes the exact gradient sum (decode_repetition / CyclicCode::decode)
//   or aggregates the plain messages with a baseline rule (aggregate).
// worker_message depends only on (worker index, its partitions' rows, the weights), so a worker can run anywhere.
#pragma once
#include "core/no_postgres.hpp"

#include <complex>
#include <functional>
#include <limits>
#include <memory>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/dense.hpp"
#include "core/progress.hpp"

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

struct GeometricMedianResult {
  Vector z;
  int iterations = 0;
};

// Baseline rules over the rows of v (n inputs x d). f = number of Byzantine inputs tolerated; m = Multi-Krum's
// selection size (<= 0: n - f - 2). Requirements (InvalidParameter otherwise): trimmed mean n > 2f, Krum and
// Multi-Krum n > 2f + 2, Bulyan n >= 4f + 3. Results estimate the MEAN of the honest inputs.
Vector aggregate(Rule rule, const ConstRowMap& v, int f, int m = 0);
Vector coordinate_median(const ConstRowMap& v);
Vector trimmed_mean(const ConstRowMap& v, int b);
// Weiszfeld from the mean with the Vardi-Zhang step at input points; stops when ||z_{t+1} - z_t|| < eps (1 + ||z||)
// or after max_iter iterations.
GeometricMedianResult geometric_median(const ConstRowMap& v, double eps = 1e-10, int max_iter = 1000);
// Krum scores (sum of squared distances to the n - f - 2 nearest other inputs).
std::vector<double> krum_scores(const ConstRowMap& v, int f);
// Indices (0-based) of the m lowest Krum scores, lowest first (ties: lowest index).
std::vector<int> multi_krum_select(const ConstRowMap& v, int f, int m);
Vector bulyan(const ConstRowMap& v, int f);
// The rule's requirement on n for f, as a message fragment; throws InvalidParameter if it fails.
void require_rule_size(Rule rule, int n, int f);

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
  Decoded decode(const Messages& m, std::mt19937_64& rng) const;
  Decoded decode(const ConstRowMap& messages, std::mt19937_64& rng, Eigen::Index block = 0) const;

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
std::vector<int> place_adversaries(Placement p, int n, int q, int s, std::mt19937_64& rng);

// Replaces the messages of the adversarial workers. Signflip: -scale z_i; constant: scale * 1; gaussian: N(0,
// scale^2) per coordinate; ALIE: mu - scale sigma over the honest messages (coordinate mean and standard deviation);
// IPM: -scale mean(honest).
void apply_attack(Attack a, double scale, const std::vector<int>& adversaries, Messages& m, std::mt19937_64& rng);

// ---------------------------------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------------------------------
struct TrainOptions {
  Model model = Model::Logistic;
  int workers = 7;
  int adversaries = 1;
  int tolerance = -1;  // s (code design / baseline f); < 0: = adversaries
  Attack attack = Attack::SignFlip;
  double attack_scale = std::numeric_limits<double>::quiet_NaN();  // NaN: default_attack_scale
  Placement placement = Placement::Random;
  Rule rule = Rule::Cyclic;
  std::int64_t batch_size = 256;
  int iterations = 100;
  double learning_rate = 0.1;
  std::uint64_t seed = 1;
  int eval_every = 1;  // accuracy on the whole data set every k iterations (and at the last one)
};

struct IterationResult {
  int iteration = 0;
  double loss = 0.0;                                           // mean batch loss at the weights before the step
  double accuracy = std::numeric_limits<double>::quiet_NaN();  // after the step; NaN if not evaluated
  double compute_ms = 0.0;                                     // all workers' gradients + encoding
  double aggregate_ms = 0.0;                                   // decoding / aggregation at the server
  std::vector<int> adversaries;                                // 0-based
  std::vector<int> flagged;                                    // 0-based
  bool flagged_known = false;                                  // false for baseline rules
  bool consistent = true;
  double grad_error = std::numeric_limits<double>::quiet_NaN();  // ||applied - clean|| of the mean gradient
};

// Validates options against the data (throws InvalidParameter naming the argument) and returns the GLM.
Glm prepare_training(const TrainOptions& o, const Dataset& d);

// Runs the iterations; calls on_iteration after each one (weights after the step). Weights start at zero.
// When the decoder reports an inconsistency the step is skipped.
void train(const TrainOptions& o, const Dataset& d, Vector& weights,
           const std::function<void(const IterationResult&, const Vector&)>& on_iteration, Progress& progress);

}  // namespace morpheus::draco

// Fully-connected ReLU networks (plain and residual), their losses, mini-batch SGD, exact per-sample gradient norms
// and gradient diversity (Yin et al. 2018; Chen et al. 2018, "The Effect of Network Width on the Performance of
// Large-batch Training"). Everything is float64, row-major, GEMM-based (Eigen, products routed to OpenBLAS).
//
// Architecture: input d, L hidden layers of width K (ReLU), output c (linear), all layers with biases, so
//   p(L, K) = dK + K + (L-1)(K^2 + K) + cK + c.
// Family "resnet" adds identity skip connections around pairs of hidden layers: hidden layer j (1-based) with j >= 3
// and j odd computes h_j = relu(alpha (W_j h_{j-1} + b_j) + h_{j-2}) with alpha = Arch::residual_scale (1 by default);
// layers (2,3), (4,5), ... form residual blocks, and with an even L the last hidden layer is a plain layer. Family
// "linear" is the deep linear network (identity activation, no skips), the regime of the theory. Skips have no
// parameters, so p(L, K) is the same for every family.
//
// Parameter layout (flat(), set_flat(); also the layout models store): w[0], b[0], w[1], b[1], ..., w[L], b[L], each
// w[l] out_l x in_l row-major, in_0 = inputs, out_L = outputs, every other size = width.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "core/dense.hpp"
#include "core/progress.hpp"
#include "core/random.hpp"

namespace morpheus::sweep {

enum class Family { Mlp, Resnet, Linear };
enum class LossKind { CrossEntropy, Squared };
// Initialization: He-normal (weights N(0, 2/fan_in), output layer N(0, 1/fan_in), zero biases) or PyTorch's nn.Linear
// default (weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in))).
enum class Init { He, Torch };

// Parse "mlp" | "resnet" | "linear", "cross_entropy" | "squared" and "he" | "pytorch" through the one option parser
// (core/options.hpp): anything else is `unknown <arg> "<value>"` with the valid values in the hint.
Family parse_family(const std::string& s, const char* arg = "architecture");
LossKind parse_loss(const std::string& s, const char* arg = "loss_function");
Init parse_init(const std::string& s, const char* arg = "initialization");
const char* family_name(Family f);
const char* loss_name(LossKind l);
const char* init_name(Init i);

// The one generator of the extension (core/random.hpp), with the 0.1.0 names of this module kept for source
// compatibility (next(), shuffle(vector&)); the draws are morpheus::Rng's.
class Rng : public ::morpheus::Rng {
 public:
  using ::morpheus::Rng::Rng;
  using ::morpheus::Rng::shuffle;
  std::uint64_t next() noexcept { return (*this)(); }
  void shuffle(std::vector<std::int64_t>& v) noexcept { shuffle(v.begin(), v.end()); }
};

// Limits that keep one training run inside a backend's memory.
inline constexpr std::int64_t kMaxParams = 20'000'000;
inline constexpr std::int64_t kMaxDepth = 1000;
inline constexpr std::int64_t kMaxWidth = 100'000;

// p(L, K) for input d, output c (closed form above). Arguments must be >= 1; the result is exact in int64 for the
// limits above (callers check the limits first).
std::int64_t param_count(std::int64_t inputs, std::int64_t outputs, std::int64_t depth, std::int64_t width);

// The largest width K >= 1 with p(depth, K) <= budget. Throws InvalidParameter when even K = 1 exceeds the budget
// (the message names the depth and the smallest budget that works).
std::int64_t width_for_budget(std::int64_t inputs, std::int64_t outputs, std::int64_t depth, std::int64_t budget);

struct Arch {
  std::int64_t inputs = 0;
  std::int64_t outputs = 0;
  std::int64_t depth = 1;  // hidden layers L >= 1
  std::int64_t width = 1;  // hidden width K >= 1
  Family family = Family::Mlp;
  double residual_scale = 1.0;  // alpha of the residual branch (family resnet), positive and finite
};

// Checks sizes and limits (InvalidParameter / LimitExceeded with hints).
void validate_arch(const Arch& a);

// A labelled data set: features n x d, labels in [0, classes).
struct Dataset {
  RowMatrix x;
  std::vector<int> y;
  int classes = 0;
  std::int64_t rows() const { return x.rows(); }
};

// Checks shapes, finiteness and label range (names `arg` in messages).
void validate_dataset(const Dataset& data, const char* arg = "source");

// The rows `rows` (0-based indices) of a data set, same classes.
Dataset subset(const Dataset& data, const std::vector<std::int64_t>& rows);
// Copies rows idx[0..m) of data into x (m x d) and y.
void gather_batch(const Dataset& data, const std::int64_t* idx, std::int64_t m, RowMatrix& x, std::vector<int>& y);

// Seeded synthetic classes: class centres with N(0, 1) coordinates (drawn first), then row i (0-based) has label
// i mod classes and features centre[label] + spread * N(0, I). Same seed, same data on every platform.
inline constexpr std::int64_t kMaxSyntheticValues = 50'000'000;
Dataset synthetic_classification(std::int64_t rows, std::int64_t features, int classes, double spread,
                                 std::uint64_t seed);

class Network {
 public:
  // Seeded initialization (see Init; He by default) from the portable generator: the same seed gives the same weights
  // on every platform. Draw order: layer 0's weights (row-major), then its biases (PyTorch only), then layer 1, ...
  Network(const Arch& arch, std::uint64_t seed, Init init = Init::He);
  const Arch& arch() const { return arch_; }
  // Dense layers 0..L: layer l maps width in_l to out_l; w[l] is out_l x in_l.
  std::vector<RowMatrix> w;
  std::vector<Vector> b;
  std::int64_t parameters() const;
  // Whether hidden layer j (1-based) receives a skip connection from h_{j-2}.
  bool has_skip(std::int64_t j) const { return arch_.family == Family::Resnet && j >= 3 && j % 2 == 1; }
  // Whether hidden layers apply ReLU (every family but linear).
  bool relu() const { return arch_.family != Family::Linear; }
  // Flattened parameters (w[0], b[0], w[1], b[1], ...), for tests and finite differences.
  Vector flat() const;
  void set_flat(const Vector& v);

 private:
  Arch arch_;
};

// Gradient of the summed loss, in the shapes of a Network.
struct Gradient {
  std::vector<RowMatrix> w;
  std::vector<Vector> b;
  void reset(const Network& net);
  Vector flat() const;
  double squared_norm() const;
};

// Forward and backward pass over one batch. Keeps the layer inputs and the output deltas, so the per-sample gradient
// norms follow from them without a per-sample backward pass:
//   ||g_i||^2 = sum_l ||delta_{l,i}||^2 (||a_{l,i}||^2 + 1).
class Pass {
 public:
  // Loss summed over the batch rows (x: B x d; y: B labels).
  double forward(const Network& net, const RowMatrix& x, const int* y, LossKind loss);
  // Correct predictions (argmax of the output) in the last forward batch.
  std::int64_t correct() const;
  // Gradient of the summed loss into g (reset by the caller or accumulated), and, when per_sample_sq is not null, each
  // row's squared gradient norm over all parameters.
  void backward(const Network& net, Gradient* g, Vector* per_sample_sq);
  // Flops of one forward pass per sample (2 x the weights); backward costs twice that.
  static double forward_flops_per_sample(const Network& net);
  // The network outputs (B x outputs) of the last forward batch.
  const RowMatrix& outputs() const { return out_; }

 private:
  std::vector<RowMatrix> h_;  // h_[0] = x, h_[j] = hidden output j
  std::vector<RowMatrix> s_;  // s_[j] = pre-activation of hidden j (including the skip)
  RowMatrix out_;
  RowMatrix dout_;  // d loss / d out (summed loss)
  std::vector<int> y_;
  LossKind loss_ = LossKind::CrossEntropy;
};

// Mean loss and accuracy of the network over the whole data set (chunked forward passes).
struct Evaluation {
  double loss = 0;
  double accuracy = 0;
};
Evaluation evaluate(const Network& net, const Dataset& data, LossKind loss);

// The network outputs for the rows of x (n x inputs -> n x outputs), in chunks; what a model's predict computes.
RowMatrix forward_outputs(const Network& net, const RowMatrix& x);

// Gradient diversity of the per-sample gradients g_i of the mean loss, over the data set or a uniform sample of m rows
// without replacement (sample_rows 0 or >= n: all rows).
//   diversity = sum ||g_i||^2 / ||sum g_i||^2, batch_size_bound = m * diversity (the plug-in B_S, <= m);
//   unbiased_bound = (m - 1) sum ||g_i||^2 / (||sum g_i||^2 - sum ||g_i||^2) (NaN when the denominator is <= 0) is the
//   estimate of the population B_S from a sample (Parallels reference section 5).
struct Diversity {
  std::int64_t rows = 0;
  double sum_sq_norms = 0;
  double sq_norm_of_sum = 0;
  double diversity = 0;
  double batch_size_bound = 0;
  double unbiased_bound = 0;
  double loss = 0;  // mean loss over the rows used
};
Diversity gradient_diversity(const Network& net, const Dataset& data, LossKind loss, std::int64_t sample_rows = 0,
                             std::uint64_t seed = 0);

// One point of a training curve.
struct CurvePoint {
  double epoch = 0;  // samples seen / n
  std::int64_t iteration = 0;
  double loss = 0;  // mean loss over the training set
  double accuracy = 0;
};

struct TrainOptions {
  std::int64_t batch_size = 32;
  double learning_rate = 0.1;
  double max_epochs = 10;
  double target_loss = -1;  // stop once the training loss is <= target (negative: never)
  // Several targets read from one curve (used instead of target_loss when not empty): the run stops once every target
  // is reached; TrainResult::hits gives each crossing. The legacy fields of TrainResult then describe the lowest.
  std::vector<double> targets;
  // Per target (same length as targets when not empty): stop (without reaching) at the first scheduled evaluation at
  // which every unreached target t has cutoffs[t] >= 0 and the epochs seen are >= cutoffs[t].
  std::vector<double> target_cutoffs;
  // When not null, the training loss is evaluated on these rows instead of the whole training set.
  const Dataset* eval_data = nullptr;
  std::int64_t evals_per_epoch = 4;  // full-data evaluations per epoch (at least one per iteration)
  LossKind loss = LossKind::CrossEntropy;
  std::uint64_t seed = 1;  // data order
  // Stop (without reaching) at the first scheduled evaluation at or past this many epochs; the schedule is unchanged,
  // so a run that reaches the target before it gives the same result as without the cut (negative: no cut).
  double stop_after_epochs = -1;
};

struct TargetHit {
  double target = 0;
  bool reached = false;
  double epochs = 0;      // valid when reached
  double iterations = 0;  // epochs * n / batch_size, not rounded
};

struct TrainResult {
  std::vector<TargetHit> hits;    // one per TrainOptions::targets, in order
  bool stopped_early = false;     // stopped by target_cutoffs or stop_after_epochs
  std::vector<CurvePoint> curve;  // starts with the initial network (epoch 0)
  bool reached = false;
  bool diverged = false;            // the loss became non-finite or exceeded 1e6 x its initial value
  double epochs_to_target = 0;      // interpolated linearly in iterations between evaluations
  double iterations_to_target = 0;  // = epochs_to_target * n / batch_size (not rounded)
  double final_loss = 0;
  std::int64_t iterations = 0;
  double train_flops = 0;    // forward + backward flops of the SGD steps (evaluations excluded)
  double train_seconds = 0;  // wall time of the SGD steps
};

// Plain mini-batch SGD with a constant step on the mean batch loss. Samples are drawn as a stream of seeded
// permutations of the rows (a new permutation when one is used up), so after t iterations exactly t*B samples were
// seen, i.e. t*B/n epochs. Calls check_interrupts() every iteration; progress->step once per evaluation.
TrainResult train(Network& net, const Dataset& data, const TrainOptions& opt, Progress* progress = nullptr);

}  // namespace morpheus::sweep

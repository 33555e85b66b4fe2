#include "core/sweep/mlp.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "core/interrupt.hpp"

namespace morpheus::sweep {

namespace {

constexpr std::int64_t kChunk = 1024;  // rows per forward pass when evaluating a whole data set

std::string num(std::int64_t v) { return std::to_string(v); }

}  // namespace

Family parse_family(const std::string& s, const char* arg) {
  if (s == "mlp") return Family::Mlp;
  if (s == "resnet") return Family::Resnet;
  throw invalid_parameter(std::string(arg) + " = '" + s + "' is not a known network family",
                          "Valid values: 'mlp', 'resnet'.");
}

LossKind parse_loss(const std::string& s, const char* arg) {
  if (s == "cross_entropy") return LossKind::CrossEntropy;
  if (s == "squared") return LossKind::Squared;
  throw invalid_parameter(std::string(arg) + " = '" + s + "' is not a known loss",
                          "Valid values: 'cross_entropy', 'squared'.");
}

const char* family_name(Family f) { return f == Family::Mlp ? "mlp" : "resnet"; }
const char* loss_name(LossKind l) { return l == LossKind::CrossEntropy ? "cross_entropy" : "squared"; }

std::int64_t param_count(std::int64_t d, std::int64_t c, std::int64_t depth, std::int64_t k) {
  return d * k + k + (depth - 1) * (k * k + k) + c * k + c;
}

std::int64_t width_for_budget(std::int64_t d, std::int64_t c, std::int64_t depth, std::int64_t budget) {
  if (depth < 1 || depth > kMaxDepth)
    throw invalid_parameter("depth = " + num(depth) + " is out of range",
                            "Use 1 to " + num(kMaxDepth) + " hidden layers.");
  const std::int64_t smallest = param_count(d, c, depth, 1);
  if (budget < smallest)
    throw invalid_parameter("param_budget = " + num(budget) + " is too small for depth " + num(depth) +
                                ": even width 1 needs " + num(smallest) + " parameters",
                            "Raise param_budget to at least " + num(smallest) + " or use fewer hidden layers.");
  // Solve (L-1) K^2 + (d + L + c) K + c - p = 0, then correct the rounding with exact integer counts.
  const double a = static_cast<double>(depth - 1);
  const double bb = static_cast<double>(d + depth + c);
  const double cc = static_cast<double>(c - budget);
  double k = a == 0 ? -cc / bb : (-bb + std::sqrt(bb * bb - 4 * a * cc)) / (2 * a);
  std::int64_t kk = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(k)));
  kk = std::min(kk, kMaxWidth);
  while (kk > 1 && param_count(d, c, depth, kk) > budget) --kk;
  while (kk < kMaxWidth && param_count(d, c, depth, kk + 1) <= budget) ++kk;
  return kk;
}

void validate_arch(const Arch& a) {
  if (a.inputs < 1) throw invalid_parameter("the data has no features", "Return a non-empty features array.");
  if (a.outputs < 1) throw invalid_parameter("the network needs at least one output");
  if (a.depth < 1 || a.depth > kMaxDepth)
    throw invalid_parameter("depth = " + num(a.depth) + " is out of range",
                            "Use 1 to " + num(kMaxDepth) + " hidden layers.");
  if (a.width < 1 || a.width > kMaxWidth)
    throw invalid_parameter("width = " + num(a.width) + " is out of range", "Use 1 to " + num(kMaxWidth) + ".");
  if (a.inputs > kMaxParams)
    throw Error(ErrorKind::LimitExceeded, "the data has " + num(a.inputs) + " features, more than supported",
                "Use at most " + num(kMaxParams) + " features.");
  const std::int64_t p = param_count(a.inputs, a.outputs, a.depth, a.width);
  if (p > kMaxParams)
    throw Error(ErrorKind::LimitExceeded,
                "a network of depth " + num(a.depth) + " and width " + num(a.width) + " has " + num(p) +
                    " parameters, more than the limit of " + num(kMaxParams),
                "Use a smaller width, depth or param_budget.");
}

void validate_dataset(const Dataset& data, const char* arg) {
  const std::string a(arg);
  if (data.rows() < 1) throw invalid_parameter(a + " returned no rows", "The query must return training rows.");
  if (data.x.cols() < 1)
    throw invalid_parameter(a + " returned empty features arrays", "Return at least one feature per row.");
  if (static_cast<std::int64_t>(data.y.size()) != data.rows())
    throw Error(ErrorKind::Internal, "labels and features differ in length");
  if (data.classes < 2 || data.classes > 100000)
    throw invalid_parameter("classes = " + num(data.classes) + " is out of range", "Use 2 to 100000 classes.");
  for (std::int64_t i = 0; i < data.rows(); ++i) {
    const int y = data.y[static_cast<std::size_t>(i)];
    if (y < 0 || y >= data.classes)
      throw invalid_parameter(
          "label = " + num(y) + " in row " + num(i + 1) + " of " + a + " is outside 0.." + num(data.classes - 1),
          "Labels must be integers 0 .. classes - 1; pass classes => max(label) + 1.");
  }
  require_finite(data.x.data(), data.x.size(), (a + " features").c_str());
}

Dataset synthetic_classification(std::int64_t rows, std::int64_t features, int classes, double spread,
                                 std::uint64_t seed) {
  if (rows < 1) throw invalid_parameter("n = " + num(rows) + " must be positive", "Ask for at least one row.");
  if (features < 1)
    throw invalid_parameter("features = " + num(features) + " must be positive", "Ask for at least one feature.");
  if (classes < 2 || classes > 100000)
    throw invalid_parameter("classes = " + num(classes) + " is outside 2..100000", "Ask for at least two classes.");
  if (!(spread >= 0) || !std::isfinite(spread))
    throw invalid_parameter("spread = " + format_number(spread) + " must be non-negative and finite",
                            "spread is the noise standard deviation around each class centre, e.g. 1.0.");
  if (rows > kMaxSyntheticValues / features)
    throw Error(ErrorKind::LimitExceeded,
                "n x features = " + num(rows) + " x " + num(features) + " exceeds " + num(kMaxSyntheticValues),
                "Generate fewer rows or features.");
  Rng rng(seed);
  RowMatrix centres(classes, features);
  for (std::int64_t i = 0; i < centres.size(); ++i) centres.data()[i] = rng.normal();
  Dataset d;
  d.classes = classes;
  d.x.resize(rows, features);
  d.y.resize(static_cast<std::size_t>(rows));
  for (std::int64_t i = 0; i < rows; ++i) {
    const int k = static_cast<int>(i % classes);
    d.y[static_cast<std::size_t>(i)] = k;
    for (std::int64_t j = 0; j < features; ++j) d.x(i, j) = centres(k, j) + spread * rng.normal();
  }
  return d;
}

// ---------------------------------------------------------------------------------------------------------------
Rng::Rng(std::uint64_t seed) {
  std::uint64_t z = seed;
  for (auto& s : s_) {
    z += 0x9e3779b97f4a7c15ULL;
    std::uint64_t x = z;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    s = x ^ (x >> 31);
  }
}

std::uint64_t Rng::next() {
  auto rotl = [](std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Rng::normal() {
  double u1 = uniform();
  while (u1 <= 0) u1 = uniform();
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

std::uint64_t Rng::below(std::uint64_t n) {
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
  std::uint64_t r = next();
  while (r >= limit) r = next();
  return r % n;
}

void Rng::shuffle(std::vector<std::int64_t>& v) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
}

// ---------------------------------------------------------------------------------------------------------------
Network::Network(const Arch& arch, std::uint64_t seed) : arch_(arch) {
  validate_arch(arch);
  Rng rng(seed);
  const std::int64_t L = arch.depth;
  for (std::int64_t l = 0; l <= L; ++l) {
    const std::int64_t in = l == 0 ? arch.inputs : arch.width;
    const std::int64_t out = l == L ? arch.outputs : arch.width;
    const double sd = std::sqrt((l == L ? 1.0 : 2.0) / static_cast<double>(in));
    RowMatrix m(out, in);
    for (std::int64_t i = 0; i < m.size(); ++i) m.data()[i] = sd * rng.normal();
    w.push_back(std::move(m));
    b.push_back(Vector::Zero(out));
  }
}

std::int64_t Network::parameters() const {
  std::int64_t p = 0;
  for (std::size_t l = 0; l < w.size(); ++l) p += w[l].size() + b[l].size();
  return p;
}

namespace {
// Layer weights and biases as one vector: W_1 (row-major), b_1, W_2, b_2, ...
Vector flatten(const std::vector<RowMatrix>& w, const std::vector<Vector>& b) {
  std::int64_t p = 0;
  for (std::size_t l = 0; l < w.size(); ++l) p += w[l].size() + b[l].size();
  Vector v(p);
  std::int64_t o = 0;
  for (std::size_t l = 0; l < w.size(); ++l) {
    v.segment(o, w[l].size()) = Eigen::Map<const Vector>(w[l].data(), w[l].size());
    o += w[l].size();
    v.segment(o, b[l].size()) = b[l];
    o += b[l].size();
  }
  return v;
}
}  // namespace

Vector Network::flat() const { return flatten(w, b); }

void Network::set_flat(const Vector& v) {
  std::int64_t o = 0;
  for (std::size_t l = 0; l < w.size(); ++l) {
    Eigen::Map<Vector>(w[l].data(), w[l].size()) = v.segment(o, w[l].size());
    o += w[l].size();
    b[l] = v.segment(o, b[l].size());
    o += b[l].size();
  }
}

void Gradient::reset(const Network& net) {
  w.resize(net.w.size());
  b.resize(net.b.size());
  for (std::size_t l = 0; l < net.w.size(); ++l) {
    w[l].setZero(net.w[l].rows(), net.w[l].cols());
    b[l].setZero(net.b[l].size());
  }
}

Vector Gradient::flat() const { return flatten(w, b); }

double Gradient::squared_norm() const {
  double s = 0;
  for (std::size_t l = 0; l < w.size(); ++l) s += w[l].squaredNorm() + b[l].squaredNorm();
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
double Pass::forward(const Network& net, const RowMatrix& x, const int* y, LossKind loss) {
  const std::int64_t L = net.arch().depth;
  const std::int64_t rows = x.rows();
  loss_ = loss;
  y_.assign(y, y + rows);
  h_.resize(static_cast<std::size_t>(L + 1));
  s_.resize(static_cast<std::size_t>(L + 1));
  h_[0] = x;
  for (std::int64_t j = 1; j <= L; ++j) {
    RowMatrix& s = s_[j];
    s.noalias() = h_[j - 1] * net.w[j - 1].transpose();
    s.rowwise() += net.b[j - 1].transpose();
    if (net.has_skip(j)) s += h_[j - 2];
    h_[j] = s.cwiseMax(0.0);
  }
  out_.noalias() = h_[L] * net.w[L].transpose();
  out_.rowwise() += net.b[L].transpose();
  dout_.resize(rows, out_.cols());
  double total = 0;
  for (std::int64_t i = 0; i < rows; ++i) {
    const int yi = y[i];
    auto o = out_.row(i);
    auto g = dout_.row(i);
    if (loss == LossKind::CrossEntropy) {
      const double m = o.maxCoeff();
      const double z = (o.array() - m).exp().sum();
      const double lse = m + std::log(z);
      total += lse - o(yi);
      g = (o.array() - lse).exp();
      g(yi) -= 1.0;
    } else {
      g = o;
      g(yi) -= 1.0;
      total += 0.5 * g.squaredNorm();
    }
  }
  return total;
}

std::int64_t Pass::correct() const {
  std::int64_t c = 0;
  for (std::int64_t i = 0; i < out_.rows(); ++i) {
    Eigen::Index arg = 0;
    out_.row(i).maxCoeff(&arg);
    if (arg == y_[static_cast<std::size_t>(i)]) ++c;
  }
  return c;
}

void Pass::backward(const Network& net, Gradient* g, Vector* per_sample_sq) {
  const std::int64_t L = net.arch().depth;
  const std::int64_t rows = out_.rows();
  if (per_sample_sq != nullptr) per_sample_sq->setZero(rows);
  // dh[j] = d loss / d h_j, accumulated (skips add to earlier layers before they are processed).
  std::vector<RowMatrix> dh(static_cast<std::size_t>(L + 1));
  auto add_layer = [&](std::int64_t l, const RowMatrix& delta, const RowMatrix& a) {
    if (g != nullptr) {
      g->w[l].noalias() += delta.transpose() * a;
      g->b[l] += delta.colwise().sum().transpose();
    }
    if (per_sample_sq != nullptr)
      per_sample_sq->array() += delta.rowwise().squaredNorm().array() * (a.rowwise().squaredNorm().array() + 1.0);
  };
  add_layer(L, dout_, h_[L]);
  dh[L].noalias() = dout_ * net.w[L];
  for (std::int64_t j = L; j >= 1; --j) {
    RowMatrix delta = (s_[j].array() > 0.0).select(dh[j], 0.0);
    add_layer(j - 1, delta, h_[j - 1]);
    if (j >= 2) {
      if (dh[j - 1].size() == 0)
        dh[j - 1].noalias() = delta * net.w[j - 1];
      else
        dh[j - 1].noalias() += delta * net.w[j - 1];
      if (net.has_skip(j)) {
        if (dh[j - 2].size() == 0)
          dh[j - 2] = delta;
        else
          dh[j - 2] += delta;
      }
    }
  }
}

double Pass::forward_flops_per_sample(const Network& net) {
  double p = 0;
  for (const auto& m : net.w) p += static_cast<double>(m.size());
  return 2.0 * p;
}

// ---------------------------------------------------------------------------------------------------------------
namespace {

void gather(const Dataset& data, const std::int64_t* idx, std::int64_t m, RowMatrix& x, std::vector<int>& y) {
  x.resize(m, data.x.cols());
  y.resize(static_cast<std::size_t>(m));
  for (std::int64_t i = 0; i < m; ++i) {
    x.row(i) = data.x.row(idx[i]);
    y[static_cast<std::size_t>(i)] = data.y[static_cast<std::size_t>(idx[i])];
  }
}

}  // namespace

Evaluation evaluate(const Network& net, const Dataset& data, LossKind loss) {
  Pass pass;
  double total = 0;
  std::int64_t correct = 0;
  const std::int64_t n = data.rows();
  for (std::int64_t start = 0; start < n; start += kChunk) {
    check_interrupts();
    const std::int64_t m = std::min(kChunk, n - start);
    RowMatrix x = data.x.middleRows(start, m);
    total += pass.forward(net, x, data.y.data() + start, loss);
    correct += pass.correct();
  }
  return {total / static_cast<double>(n), static_cast<double>(correct) / static_cast<double>(n)};
}

Diversity gradient_diversity(const Network& net, const Dataset& data, LossKind loss, std::int64_t sample_rows,
                             std::uint64_t seed) {
  const std::int64_t n = data.rows();
  std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = i;
  std::int64_t m = n;
  if (sample_rows > 0 && sample_rows < n) {
    Rng rng(seed);
    rng.shuffle(idx);
    m = sample_rows;
    std::sort(idx.begin(), idx.begin() + m);
  }
  Pass pass;
  Gradient g;
  g.reset(net);
  Vector sq;
  RowMatrix x;
  std::vector<int> y;
  Diversity d;
  d.rows = m;
  double total_loss = 0;
  for (std::int64_t start = 0; start < m; start += kChunk) {
    check_interrupts();
    const std::int64_t c = std::min(kChunk, m - start);
    gather(data, idx.data() + start, c, x, y);
    total_loss += pass.forward(net, x, y.data(), loss);
    pass.backward(net, &g, &sq);
    d.sum_sq_norms += sq.sum();
  }
  // Gradients of the mean loss are g_i / n: the ratio does not change, so work with the summed-loss gradients.
  d.sq_norm_of_sum = g.squared_norm();
  d.loss = total_loss / static_cast<double>(m);
  d.diversity = d.sum_sq_norms / d.sq_norm_of_sum;
  d.batch_size_bound = static_cast<double>(m) * d.diversity;
  const double denom = d.sq_norm_of_sum - d.sum_sq_norms;
  d.unbiased_bound = denom > 0 && m > 1 ? static_cast<double>(m - 1) * d.sum_sq_norms / denom
                                        : std::numeric_limits<double>::quiet_NaN();
  return d;
}

// ---------------------------------------------------------------------------------------------------------------
TrainResult train(Network& net, const Dataset& data, const TrainOptions& opt, Progress* progress) {
  const std::int64_t n = data.rows();
  const std::int64_t bsz = opt.batch_size;
  if (bsz < 1 || bsz > n)
    throw invalid_parameter("batch_size = " + num(bsz) + " must be between 1 and the number of rows (" + num(n) + ")",
                            "Use smaller batches or more data.");
  if (!(opt.learning_rate > 0) || !std::isfinite(opt.learning_rate))
    throw invalid_parameter("learning_rate = " + format_number(opt.learning_rate) + " must be positive and finite");
  if (!(opt.max_epochs > 0) || !std::isfinite(opt.max_epochs))
    throw invalid_parameter("max_epochs = " + format_number(opt.max_epochs) + " must be positive");
  if (opt.evals_per_epoch < 1)
    throw invalid_parameter("evals_per_epoch = " + num(opt.evals_per_epoch) + " must be at least 1");

  TrainResult r;
  const double nd = static_cast<double>(n);
  const std::int64_t max_iter = static_cast<std::int64_t>(std::ceil(opt.max_epochs * nd / static_cast<double>(bsz)));
  const double eval_interval = nd / static_cast<double>(opt.evals_per_epoch);  // in samples

  Evaluation e0 = evaluate(net, data, opt.loss);
  r.curve.push_back({0.0, 0, e0.loss, e0.accuracy});
  const double initial = e0.loss;
  const bool has_target = opt.target_loss >= 0;
  auto finish_reached = [&](double t) {
    r.reached = true;
    r.iterations_to_target = t;
    r.epochs_to_target = t * static_cast<double>(bsz) / nd;
  };
  if (has_target && e0.loss <= opt.target_loss) finish_reached(0.0);

  Rng rng(opt.seed);
  std::vector<std::int64_t> perm(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
  rng.shuffle(perm);
  std::int64_t pos = 0;
  std::vector<std::int64_t> batch(static_cast<std::size_t>(bsz));
  Pass pass;
  Gradient g;
  RowMatrix x;
  std::vector<int> y;
  const double step = opt.learning_rate / static_cast<double>(bsz);
  const double flops_per_iter = 3.0 * Pass::forward_flops_per_sample(net) * static_cast<double>(bsz);
  double next_eval = eval_interval;
  const std::int64_t total_evals = static_cast<std::int64_t>(std::ceil(opt.max_epochs * opt.evals_per_epoch));
  std::int64_t evals = 0;

  std::int64_t t = 0;
  while (!r.reached && t < max_iter) {
    check_interrupts();
    const auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t k = 0; k < bsz; ++k) {
      if (pos == n) {
        rng.shuffle(perm);
        pos = 0;
      }
      batch[static_cast<std::size_t>(k)] = perm[static_cast<std::size_t>(pos++)];
    }
    gather(data, batch.data(), bsz, x, y);
    g.reset(net);
    pass.forward(net, x, y.data(), opt.loss);
    pass.backward(net, &g, nullptr);
    for (std::size_t l = 0; l < net.w.size(); ++l) {
      net.w[l].noalias() -= step * g.w[l];
      net.b[l].noalias() -= step * g.b[l];
    }
    ++t;
    r.train_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.train_flops += flops_per_iter;
    const double seen = static_cast<double>(t) * static_cast<double>(bsz);
    if (seen + 1e-9 < next_eval && t < max_iter) continue;
    while (next_eval <= seen + 1e-9) next_eval += eval_interval;
    const Evaluation e = evaluate(net, data, opt.loss);
    const CurvePoint prev = r.curve.back();
    r.curve.push_back({seen / nd, t, e.loss, e.accuracy});
    ++evals;
    if (progress != nullptr) progress->step(std::min(evals, total_evals), total_evals, e.loss);
    if (!std::isfinite(e.loss) || e.loss > 1e6 * std::max(initial, 1e-300)) {
      r.diverged = true;
      break;
    }
    if (has_target && e.loss <= opt.target_loss) {
      // Linear interpolation of the crossing between the previous and this evaluation, in iterations.
      const double frac = prev.loss > e.loss ? (prev.loss - opt.target_loss) / (prev.loss - e.loss) : 1.0;
      const double ti =
          static_cast<double>(prev.iteration) + std::clamp(frac, 0.0, 1.0) * static_cast<double>(t - prev.iteration);
      finish_reached(ti);
    } else if (opt.stop_after_epochs >= 0 && seen / nd >= opt.stop_after_epochs) {
      break;
    }
  }
  r.iterations = t;
  r.final_loss = r.curve.back().loss;
  return r;
}

}  // namespace morpheus::sweep

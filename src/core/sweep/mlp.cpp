#include "core/sweep/mlp.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/options.hpp"

namespace morpheus::sweep {

namespace {

constexpr std::int64_t kChunk = 1024;  // rows per forward pass when evaluating a whole data set

std::string num(std::int64_t v) { return std::to_string(v); }

}  // namespace

namespace {
constexpr std::initializer_list<Choice<Family>> kFamilies = {
    {"mlp", Family::Mlp}, {"resnet", Family::Resnet}, {"linear", Family::Linear}};
constexpr std::initializer_list<Choice<LossKind>> kLosses = {{"cross_entropy", LossKind::CrossEntropy},
                                                             {"squared", LossKind::Squared}};
constexpr std::initializer_list<Choice<Init>> kInits = {{"he", Init::He}, {"pytorch", Init::Torch}};
}  // namespace

Family parse_family(const std::string& s, const char* arg) { return parse_choice(arg, s, kFamilies); }
LossKind parse_loss(const std::string& s, const char* arg) { return parse_choice(arg, s, kLosses); }
Init parse_init(const std::string& s, const char* arg) { return parse_choice(arg, s, kInits); }
const char* family_name(Family f) { return choice_name(f, kFamilies); }
const char* loss_name(LossKind l) { return choice_name(l, kLosses); }
const char* init_name(Init i) { return choice_name(i, kInits); }

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
  if (!(a.residual_scale > 0) || !std::isfinite(a.residual_scale) || a.residual_scale > 1e6)
    throw invalid_parameter("residual_scale = " + format_number(a.residual_scale) + " is outside (0, 1e6]",
                            "The residual branch is scaled by residual_scale: use 1, or e.g. 1/sqrt(depth).");
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

// ---------------------------------------------------------------------------------------------------------------
Network::Network(const Arch& arch, std::uint64_t seed, Init init) : arch_(arch) {
  validate_arch(arch);
  Rng rng(seed);
  const std::int64_t L = arch.depth;
  for (std::int64_t l = 0; l <= L; ++l) {
    const std::int64_t in = l == 0 ? arch.inputs : arch.width;
    const std::int64_t out = l == L ? arch.outputs : arch.width;
    RowMatrix m(out, in);
    Vector bias = Vector::Zero(out);
    if (init == Init::He) {
      const double sd = std::sqrt((l == L ? 1.0 : 2.0) / static_cast<double>(in));
      for (std::int64_t i = 0; i < m.size(); ++i) {
        if ((i & 65535) == 0) check_interrupts();
        m.data()[i] = sd * rng.normal();
      }
    } else {
      const double bound = 1.0 / std::sqrt(static_cast<double>(in));
      for (std::int64_t i = 0; i < m.size(); ++i) {
        if ((i & 65535) == 0) check_interrupts();
        m.data()[i] = rng.uniform(-bound, bound);
      }
      for (std::int64_t i = 0; i < out; ++i) bias(i) = rng.uniform(-bound, bound);
    }
    w.push_back(std::move(m));
    b.push_back(std::move(bias));
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
    if (net.has_skip(j)) {
      if (net.arch().residual_scale != 1.0) s *= net.arch().residual_scale;
      s += h_[j - 2];
    }
    if (net.relu())
      h_[j] = s.cwiseMax(0.0);
    else
      h_[j] = s;
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
  const double alpha = net.arch().residual_scale;
  for (std::int64_t j = L; j >= 1; --j) {
    RowMatrix delta = net.relu() ? RowMatrix((s_[j].array() > 0.0).select(dh[j], 0.0)) : dh[j];
    // d loss / d s_j reaches the skip unscaled and the branch (W_j h_{j-1} + b_j) scaled by alpha.
    const bool skip = net.has_skip(j);
    if (skip && alpha != 1.0) {
      if (j >= 2) {
        if (dh[j - 2].size() == 0)
          dh[j - 2] = delta;
        else
          dh[j - 2] += delta;
      }
      delta *= alpha;
    }
    add_layer(j - 1, delta, h_[j - 1]);
    if (j >= 2) {
      if (dh[j - 1].size() == 0)
        dh[j - 1].noalias() = delta * net.w[j - 1];
      else
        dh[j - 1].noalias() += delta * net.w[j - 1];
      if (skip && alpha == 1.0) {
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
void gather_batch(const Dataset& data, const std::int64_t* idx, std::int64_t m, RowMatrix& x, std::vector<int>& y) {
  x.resize(m, data.x.cols());
  y.resize(static_cast<std::size_t>(m));
  for (std::int64_t i = 0; i < m; ++i) {
    x.row(i) = data.x.row(idx[i]);
    y[static_cast<std::size_t>(i)] = data.y[static_cast<std::size_t>(idx[i])];
  }
}

Dataset subset(const Dataset& data, const std::vector<std::int64_t>& rows) {
  Dataset out;
  out.classes = data.classes;
  for (const std::int64_t r : rows)
    if (r < 0 || r >= data.rows()) throw Error(ErrorKind::Internal, "subset row out of range");
  gather_batch(data, rows.data(), static_cast<std::int64_t>(rows.size()), out.x, out.y);
  return out;
}

RowMatrix forward_outputs(const Network& net, const RowMatrix& x) {
  if (x.cols() != net.arch().inputs)
    throw invalid_parameter(
        "features have " + num(x.cols()) + " values but the network has " + num(net.arch().inputs) + " inputs",
        "Give every row as many features as the network was trained on.");
  RowMatrix out(x.rows(), net.arch().outputs);
  Pass pass;
  std::vector<int> zeros(static_cast<std::size_t>(std::min(kChunk, x.rows())), 0);
  for (std::int64_t start = 0; start < x.rows(); start += kChunk) {
    check_interrupts();
    const std::int64_t m = std::min(kChunk, x.rows() - start);
    RowMatrix chunk = x.middleRows(start, m);
    pass.forward(net, chunk, zeros.data(), LossKind::Squared);
    out.middleRows(start, m) = pass.outputs();
  }
  return out;
}

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
    rng.shuffle(idx.begin(), idx.end());
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
    gather_batch(data, idx.data() + start, c, x, y);
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

}  // namespace morpheus::sweep

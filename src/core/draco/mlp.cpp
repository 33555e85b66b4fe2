// Forward and backward passes of the fully-connected ReLU network (softmax cross-entropy), in row chunks.
#include "core/draco/mlp.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/draco/draco.hpp"
#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/random.hpp"

namespace morpheus::draco {

namespace {
constexpr std::int64_t kChunk = 256;  // rows per forward/backward panel

std::string str(std::int64_t v) { return std::to_string(v); }

int label_of(const Dataset& d, std::int64_t r, std::int64_t classes) {
  const double y = d.y[r];
  if (!(y >= 0) || y != std::floor(y) || y >= static_cast<double>(classes))
    throw invalid_parameter(
        "label of row " + str(r + 1) + " is " + format_number(y) + " but the network has " + str(classes) + " classes",
        "Labels must be classes 0 .. " + str(classes - 1) + ".");
  return static_cast<int>(y);
}
}  // namespace

Mlp::Mlp(std::vector<std::int64_t> sizes) : sizes_(std::move(sizes)) {
  if (sizes_.size() < 3)
    throw invalid_parameter("an mlp needs at least one hidden layer",
                            "Give hidden_layers, e.g. '{800, 500}' (the DRACO paper's network on 28 x 28 images).");
  for (std::size_t l = 0; l < sizes_.size(); ++l)
    if (sizes_[l] < 1 || sizes_[l] > 1'000'000)
      throw invalid_parameter(
          "layer size " + str(sizes_[l]) + " (layer " + str(static_cast<std::int64_t>(l)) + ") is out of range",
          "Layer widths must be between 1 and 1000000.");
  if (sizes_.back() < 2)
    throw invalid_parameter("an mlp needs at least 2 classes", "Labels must take at least two values 0, 1, ...");
  // counted in double first: the products cannot overflow int64 for sizes <= 1e6, but the sum over many layers could
  double total = 0;
  for (std::size_t l = 0; l + 1 < sizes_.size(); ++l)
    total += static_cast<double>(sizes_[l + 1]) * static_cast<double>(sizes_[l] + 1);
  if (total > static_cast<double>(kMaxLearnerParams))
    throw Error(ErrorKind::LimitExceeded, "the network would have " + format_number(total) + " parameters",
                "Use narrower or fewer hidden layers (at most " + str(kMaxLearnerParams) + " parameters).");
  std::int64_t o = 0;
  for (std::size_t l = 0; l + 1 < sizes_.size(); ++l) {
    const std::int64_t nw = sizes_[l + 1] * sizes_[l], nb = sizes_[l + 1];
    blocks_.push_back({o, nw, "w[" + str(static_cast<std::int64_t>(l)) + "]"});
    o += nw;
    blocks_.push_back({o, nb, "b[" + str(static_cast<std::int64_t>(l)) + "]"});
    o += nb;
  }
  params_ = o;
}

Vector Mlp::initial(std::uint64_t seed) const {
  Vector w = Vector::Zero(params_);
  Rng rng(seed);
  for (std::int64_t l = 0; l < layers(); ++l) {
    const double sd = std::sqrt((l == layers() - 1 ? 1.0 : 2.0) / static_cast<double>(sizes_[l]));
    const Block& b = blocks_[static_cast<std::size_t>(2 * l)];
    for (std::int64_t i = 0; i < b.size; ++i) w[b.offset + i] = sd * rng.normal();
  }
  return w;
}

double Mlp::flops_per_row() const {
  double f = 0;
  for (std::int64_t l = 0; l < layers(); ++l) f += static_cast<double>(sizes_[l]) * static_cast<double>(sizes_[l + 1]);
  return 3.0 * f;
}

void Mlp::logits(const ConstRowMap& x, const double* w, RowMatrix& out) const {
  RowMatrix a = x, z;
  for (std::int64_t l = 0; l < layers(); ++l) {
    const ConstRowMap wl(w + weight_offset(l), sizes_[l + 1], sizes_[l]);
    const ConstVectorMap bl(w + bias_offset(l), sizes_[l + 1]);
    z.noalias() = a * wl.transpose();
    z.rowwise() += bl.transpose();
    if (l + 1 < layers())
      a = z.cwiseMax(0.0);
    else
      out.swap(z);
  }
}

double Mlp::gradient(const Dataset& d, const std::int64_t* rows, std::int64_t count, const double* w,
                     double* grad) const {
  const std::int64_t L = layers(), in = sizes_[0], k = sizes_.back();
  if (d.features() != in)
    throw invalid_parameter(
        "the data have " + str(d.features()) + " features but the network has " + str(in) + " inputs",
        "Give features of the width the network was built for.");
  std::vector<RowMatrix> act(static_cast<std::size_t>(L));  // act[l] = input of layer l
  RowMatrix z, delta, prev;
  std::vector<int> lab;
  double total = 0.0;
  for (std::int64_t c0 = 0; c0 < count; c0 += kChunk) {
    const std::int64_t m = std::min(kChunk, count - c0);
    act[0].resize(m, in);
    lab.resize(static_cast<std::size_t>(m));
    for (std::int64_t i = 0; i < m; ++i) {
      const std::int64_t r = rows[c0 + i];
      act[0].row(i) = d.x.row(r);
      lab[static_cast<std::size_t>(i)] = label_of(d, r, k);
    }
    for (std::int64_t l = 0; l < L; ++l) {
      const ConstRowMap wl(w + weight_offset(l), sizes_[l + 1], sizes_[l]);
      const ConstVectorMap bl(w + bias_offset(l), sizes_[l + 1]);
      z.noalias() = act[l] * wl.transpose();
      z.rowwise() += bl.transpose();
      if (l + 1 < L) act[l + 1] = z.cwiseMax(0.0);
    }
    // z = logits (m x k): softmax cross-entropy and its derivative, row by row
    delta.resize(m, k);
    for (std::int64_t i = 0; i < m; ++i) {
      const double mx = z.row(i).maxCoeff();
      double s = 0.0;
      for (std::int64_t c = 0; c < k; ++c) s += std::exp(z(i, c) - mx);
      const double lse = mx + std::log(s);
      const int y = lab[static_cast<std::size_t>(i)];
      total += lse - z(i, y);
      for (std::int64_t c = 0; c < k; ++c) delta(i, c) = std::exp(z(i, c) - lse) - (c == y ? 1.0 : 0.0);
    }
    for (std::int64_t l = L - 1; l >= 0; --l) {
      RowMap gw(grad + weight_offset(l), sizes_[l + 1], sizes_[l]);
      Eigen::Map<Vector> gb(grad + bias_offset(l), sizes_[l + 1]);
      gw.noalias() += delta.transpose() * act[l];
      gb += delta.colwise().sum().transpose();
      if (l > 0) {
        const ConstRowMap wl(w + weight_offset(l), sizes_[l + 1], sizes_[l]);
        prev.noalias() = delta * wl;
        delta = prev.cwiseProduct((act[l].array() > 0.0).cast<double>().matrix());
      }
    }
    check_interrupts();
  }
  return total;
}

double Mlp::loss(const Dataset& d, const std::int64_t* rows, std::int64_t count, const double* w) const {
  const std::int64_t in = sizes_[0], k = sizes_.back();
  RowMatrix x, out;
  double total = 0.0;
  for (std::int64_t c0 = 0; c0 < count; c0 += kChunk) {
    const std::int64_t m = std::min(kChunk, count - c0);
    x.resize(m, in);
    for (std::int64_t i = 0; i < m; ++i) x.row(i) = d.x.row(rows[c0 + i]);
    logits(ConstRowMap(x.data(), m, in), w, out);
    for (std::int64_t i = 0; i < m; ++i) {
      const double mx = out.row(i).maxCoeff();
      const double lse = mx + std::log((out.row(i).array() - mx).exp().sum());
      total += lse - out(i, label_of(d, rows[c0 + i], k));
    }
    check_interrupts();
  }
  return total;
}

double Mlp::accuracy(const Dataset& d, const double* w) const {
  if (d.rows() == 0) return std::numeric_limits<double>::quiet_NaN();
  const std::int64_t in = sizes_[0];
  if (d.features() != in)
    throw invalid_parameter(
        "the data have " + str(d.features()) + " features but the network has " + str(in) + " inputs",
        "Give features of the width the network was built for.");
  RowMatrix out;
  std::int64_t ok = 0;
  for (std::int64_t c0 = 0; c0 < d.rows(); c0 += kChunk) {
    const std::int64_t m = std::min(kChunk, d.rows() - c0);
    logits(ConstRowMap(d.x.data() + c0 * in, m, in), w, out);
    for (std::int64_t i = 0; i < m; ++i) {
      Eigen::Index best = 0;
      out.row(i).maxCoeff(&best);  // first maximum on ties
      ok += static_cast<double>(best) == d.y[c0 + i] ? 1 : 0;
    }
    check_interrupts();
  }
  return static_cast<double>(ok) / static_cast<double>(d.rows());
}

}  // namespace morpheus::draco

// The cyclic code: a real code of the DFT family (circulant for odd n, negacyclic for even n), its construction and
// its blocked decoder (random projection, syndromes, error locator, consistency check and honest-set combination,
// one cache-sized block of coordinates at a time). Derivation and numerical range: docs/draco.md.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

#include "core/draco/draco.hpp"
#include "core/errors.hpp"
#include "core/interrupt.hpp"

namespace morpheus::draco {

using cd = std::complex<double>;

namespace {

// exp(i pi m / n) with m reduced modulo 2n first, so that large products of indices lose no precision.
cd twiddle(long long m, int n) {
  const long long two_n = 2LL * n;
  m %= two_n;
  if (m < 0) m += two_n;
  return std::polar(1.0, M_PI * static_cast<double>(m) / n);
}

// xoshiro256+ (Blackman & Vigna): the projection's fast generator, seeded from the caller's engine.
class FastUniform {
 public:
  explicit FastUniform(const std::uint64_t seed_words[4]) {
    for (int i = 0; i < 4; ++i) s_[i] = seed_words[i];
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
  }
  // uniform on [-1, 1), 53 random bits
  double next() {
    const std::uint64_t result = s_[0] + s_[3];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = (s_[3] << 45) | (s_[3] >> 19);
    return static_cast<double>(result >> 11) * 0x1.0p-52 - 1.0;
  }

 private:
  std::uint64_t s_[4];
};

// Everything the decoder needs for one presumed-honest set H (|H| = n - s): fit maps e_H to the least-squares
// codeword on all n workers (n x |H|), v gives v^T W[H, :] = 1^T (minimum norm).
struct HonestPlan {
  std::vector<int> h;
  Eigen::MatrixXd fit;
  Vector v;
  Vector coef;  // v scattered to the n workers (0 outside H)
};

HonestPlan make_plan(const Eigen::MatrixXd& basis, const Vector& t, std::vector<int> h) {
  const int mh = static_cast<int>(h.size());
  const Eigen::Index k = basis.cols();
  Eigen::MatrixXd bh(mh, k);
  for (int r = 0; r < mh; ++r) bh.row(r) = basis.row(h[r]);
  // bh = Q R (thin); its pseudo-inverse is P = R^{-1} Q^T (k x |H|): any k rows of the basis are independent
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(bh);
  const Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(mh, k);
  const Eigen::MatrixXd rk = qr.matrixQR().topLeftCorner(k, k).triangularView<Eigen::Upper>();
  const Eigen::MatrixXd p = rk.triangularView<Eigen::Upper>().solve(q.transpose());
  HonestPlan out;
  out.h = std::move(h);
  out.fit = basis * p;
  out.v = p.transpose() * t;  // = Q R^{-T} t, the minimum-norm solution of bh^T v = t
  out.coef = Vector::Zero(basis.rows());
  for (int r = 0; r < mh; ++r) out.coef[out.h[r]] = out.v[r];
  return out;
}

}  // namespace

CyclicCode::CyclicCode(int n, int s) : n_(n), s_(s) {
  require_code_size(Rule::Cyclic, n, s);
  const int k = n - 2 * s;
  const int tau = n % 2 == 0 ? 1 : 0;        // twist: frequencies (q + tau/2) / n
  const double rho = tau == 1 ? -1.0 : 1.0;  // x^n = rho
  const double rs = 1.0 / std::sqrt(static_cast<double>(n));
  // u_q[i] = exp(-2 pi i (q + tau/2) i / n) / sqrt(n) = exp(-i pi (2q + tau) i / n) / sqrt(n)
  auto u = [&](int q, int i) { return rs * twiddle(-static_cast<long long>(2 * q + tau) * i, n); };
  const int q0 = (n - (2 * s - 1) - tau) / 2;  // parity frequencies q0 .. q0 + 2s - 1, centered on 1/2
  cr_.resize(n, 2 * s);
  cl_.resize(n, k);
  for (int i = 0; i < n; ++i) {
    for (int m = 0; m < 2 * s; ++m) cr_(i, m) = u(q0 + m, i);
    for (int l = 0; l < k; ++l) cl_(i, l) = u(q0 + 2 * s + l, i);
  }
  // real orthonormal basis of the data frequencies (closed under conjugation): odd n: 1 and cos/sin of 2 pi p i / n,
  // p = 1 .. (k-1)/2; even n: cos/sin of pi (2p+1) i / n, p = 0 .. k/2 - 1
  br_.resize(n, k);
  {
    int col = 0;
    const double r2 = std::sqrt(2.0 / n);
    if (tau == 0) br_.col(col++).setConstant(rs);
    for (int f = tau == 0 ? 2 : 1; col < k; f += 2) {
      for (int i = 0; i < n; ++i) {
        const cd z = twiddle(static_cast<long long>(f) * i, n);
        br_(i, col) = r2 * z.real();
        br_(i, col + 1) = r2 * z.imag();
      }
      col += 2;
    }
  }
  // generator h(x) = prod_{j<s} (x^2 + 2 cos((2j+1) pi / n) x + 1), coefficients low to high
  std::vector<double> h{1.0};
  for (int j = 0; j < s; ++j) {
    const double c = 2.0 * std::cos((2 * j + 1) * M_PI / n);
    std::vector<double> next(h.size() + 2, 0.0);
    for (std::size_t l = 0; l < h.size(); ++l) {
      next[l] += h[l];
      next[l + 1] += c * h[l];
      next[l + 2] += h[l];
    }
    h.swap(next);
  }
  // column j: x^(j-2s) h(x) mod (x^n - rho) on rows j-2s .. j (mod n), scaled to column sum 1
  wr_ = Eigen::MatrixXd::Zero(n, n);
  for (int j = 0; j < n; ++j) {
    double sum = 0.0;
    for (int l = 0; l <= 2 * s; ++l) {
      const int e = j - 2 * s + l;
      const double val = e < 0 ? rho * h[l] : h[l];
      wr_((e + n) % n, j) = val;
      sum += val;
    }
    if (!(std::abs(sum) > 1e-8))
      throw invalid_parameter("cyclic code with workers = " + std::to_string(n) + " and s = " + std::to_string(s) +
                                  " has a column with zero sum",
                              "Use aggregation => 'repetition' or another number of workers.");
    wr_.col(j) /= sum;
  }
  t_ = br_.transpose() * Vector::Ones(n);
  crh_re_ = cr_.adjoint().real();
  crh_im_ = cr_.adjoint().imag();
  nodes_.resize(static_cast<std::size_t>(n));
  for (int q = 0; q < n; ++q) nodes_[q] = twiddle(2LL * q, n);
}

CyclicCode::Decoded CyclicCode::decode(const Messages& m, std::mt19937_64& rng) const {
  std::uint64_t words[4];
  for (auto& w : words) w = rng();
  return decode_seeded(ConstRowMap(m.re.data(), m.re.rows(), m.re.cols()), words, 0);
}

CyclicCode::Decoded CyclicCode::decode(const Messages& m, Rng& rng) const {
  return decode(ConstRowMap(m.re.data(), m.re.rows(), m.re.cols()), rng, 0);
}

CyclicCode::Decoded CyclicCode::decode(const ConstRowMap& r, Rng& rng, Eigen::Index block) const {
  std::uint64_t words[4];
  for (auto& w : words) w = rng();
  return decode_seeded(r, words, block);
}

CyclicCode::Decoded CyclicCode::decode_seeded(const ConstRowMap& r, const std::uint64_t seed_words[4],
                                              Eigen::Index block) const {
  const int n = n_, s = s_, mh = n - s;
  if (r.rows() != n)
    throw invalid_parameter("cyclic decoder needs " + std::to_string(n) + " messages, got " + std::to_string(r.rows()),
                            "Give one message row per worker.");
  const Eigen::Index d = r.cols();
  Decoded out;
  out.sum = Vector::Zero(d);
  if (d == 0) return out;
  // default: ~16 MB of messages per block (long row segments stream well), at most 65536 columns so that f and
  // the block sum (0.5 MB each) stay in L2
  if (block <= 0) block = std::clamp<Eigen::Index>((Eigen::Index{1} << 21) / n, 256, 65536);
  block = std::min(block, d);
  FastUniform gen(seed_words);
  Vector f(block), e(n), fit(n);
  Eigen::VectorXcd sigma(2 * s);
  Eigen::MatrixXcd hank(s, s);
  Eigen::VectorXcd b(s), alpha(s);
  std::vector<double> lam(static_cast<std::size_t>(n));
  std::vector<int> order(static_cast<std::size_t>(n)), hs(static_cast<std::size_t>(mh));
  std::vector<char> bad(static_cast<std::size_t>(n), 0);
  std::vector<HonestPlan> plans;  // one per presumed-honest set met (usually one per call)
  const double tol = 1e-7;
  Vector eh(mh);
  // e = R[:, c0 .. c0+bw) f for a fresh f; Inf / NaN come only from liars: their projection is set to zero, which
  // the locator finds like any other error. With plan >= 0, the block's sum over that plan's honest set is formed
  // in the same pass, so the messages are read from memory once.
  auto project = [&](Eigen::Index c0, Eigen::Index bw, int plan) {
    for (Eigen::Index c = 0; c < bw; ++c) f[c] = gen.next();
    auto acc = out.sum.segment(c0, bw);
    for (int i = 0; i < n; ++i) {
      const auto row = r.row(i).segment(c0, bw);
      e[i] = row.dot(f.head(bw).transpose());
      if (plan >= 0 && plans[plan].coef[i] != 0.0) acc.noalias() += plans[plan].coef[i] * row.transpose();
      if (!std::isfinite(e[i])) {
        e[i] = 0.0;
        bad[i] = 1;
      }
    }
  };
  // Syndromes, error locator (minimum-norm Hankel solve), the n - s workers with the largest |Lambda|; returns the
  // index of their plan.
  auto locate = [&]() {
    std::fill(lam.begin(), lam.end(), 1.0);
    if (s > 0) {
      // small products: lazyProduct keeps them out of BLAS (its call and threading overhead dwarfs 2s x n)
      sigma.real() = crh_re_.lazyProduct(e);
      sigma.imag() = crh_im_.lazyProduct(e);
      for (int m = 0; m < s; ++m) {
        for (int j = 0; j < s; ++j) hank(m, j) = sigma[m + j];
        b[m] = sigma[m + s];
      }
      const Eigen::JacobiSVD<Eigen::MatrixXcd> svd(hank, Eigen::ComputeFullU | Eigen::ComputeFullV);
      // V S^+ U^H b over the singular values above 1e-9 of the largest, summed explicitly (no zero-size products
      // when the Hankel matrix is numerically zero, i.e. no error)
      const Eigen::VectorXd& sv = svd.singularValues();
      alpha.setZero();
      for (int t = 0; t < s; ++t)
        if (sv[t] > 1e-9 * sv[0] && sv[t] > 0) alpha += (svd.matrixU().col(t).dot(b) / sv[t]) * svd.matrixV().col(t);
      for (int q = 0; q < n; ++q) {  // Lambda(z) = z^s - sum_j alpha_j z^j, by Horner
        const cd z = nodes_[q];
        cd val(1.0, 0.0);
        for (int j = s - 1; j >= 0; --j) val = val * z - alpha[j];
        lam[q] = std::norm(val);  // |Lambda|^2 ranks the same
      }
    }
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return lam[x] > lam[y]; });
    std::copy(order.begin(), order.begin() + mh, hs.begin());
    std::sort(hs.begin(), hs.end());
    for (std::size_t p = 0; p < plans.size(); ++p)
      if (plans[p].h == hs) return static_cast<int>(p);
    plans.push_back(make_plan(br_, t_, hs));
    return static_cast<int>(plans.size()) - 1;
  };
  // Consistency: the presumed-honest projections must be a codeword; returns the relative residual and leaves the
  // fitted codeword on all n workers in fit.
  auto check = [&](const HonestPlan& plan) {
    for (int q = 0; q < mh; ++q) eh[q] = e[plan.h[q]];
    fit.noalias() = plan.fit.lazyProduct(eh);
    const double scale = eh.norm();
    double res = 0.0;
    for (int q = 0; q < mh; ++q) res += (fit[plan.h[q]] - eh[q]) * (fit[plan.h[q]] - eh[q]);
    return scale > 0 ? std::sqrt(res) / scale : 0.0;
  };
  // A block whose projection happens to make one liar's error tiny against the others' can mislead the locator
  // (its Hankel matrix is then nearly singular); the check catches it, and a fresh projection decides.
  constexpr int kAttempts = 3;
  int guess = -1;  // the previous block's plan
  for (Eigen::Index c0 = 0; c0 < d; c0 += block) {
    const Eigen::Index bw = std::min(block, d - c0);
    project(c0, bw, guess);
    int found = locate();
    double res = check(plans[found]);
    for (int attempt = 1; attempt < kAttempts && !(res <= tol); ++attempt) {
      project(c0, bw, -1);
      found = locate();
      res = check(plans[found]);
    }
    out.residual = std::max(out.residual, res);
    if (!(res <= tol)) out.consistent = false;
    const HonestPlan& plan = plans[found];
    const double scale = eh.norm();
    for (int i = 0; i < n; ++i)
      if (std::abs(fit[i] - e[i]) > tol * std::max(scale, 1e-300)) bad[i] = 1;
    // the sum from the presumed-honest rows: already formed if the guess was right, otherwise again from the
    // block, which is still in cache
    if (found != guess) {
      auto acc = out.sum.segment(c0, bw);
      acc.setZero();
      for (int q = 0; q < mh; ++q) acc.noalias() += plan.v[q] * r.row(plan.h[q]).segment(c0, bw).transpose();
      guess = found;
    }
    ++out.blocks;
    check_interrupts();
  }
  for (int i = 0; i < n; ++i)
    if (bad[i]) out.flagged.push_back(i);
  return out;
}

}  // namespace morpheus::draco

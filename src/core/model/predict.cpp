#include "core/model/predict.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "core/errors.hpp"

namespace morpheus::model {
namespace {

double finite_or_throw(double v, const char* what) {
  if (!std::isfinite(v))
    throw out_of_range(std::string("the model's ") + what + " for this row is not finite",
                       "The features are far outside the training data, or the model's parameters are extreme.");
  return v;
}

double parse_class(const std::string& s) {
  if (s == "true") return 1;
  if (s == "false") return 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !std::isfinite(v))
    throw invalid_parameter("model is not a valid morpheus model: class \"" + s + "\" is not a number or boolean",
                            "Use a model returned by a morpheus trainer (or morpheus.load_model), unchanged.");
  return v;
}

}  // namespace

Predictor::Predictor(Model m) : m_(std::move(m)) {
  validate(m_);
  for (const auto& c : m_.classes) class_values_.push_back(parse_class(c));
  const std::int64_t p = inputs();
  switch (m_.kind) {
    case Kind::Linreg:
    case Kind::Logreg:
    case Kind::Glm:
      family_ = glm::parse_family(m_.family, "model family");
      scratch_.resize(static_cast<size_t>(2 * m_.shape[0]));
      break;
    case Kind::Kmeans: break;
    case Kind::Gnmf: {
      const std::int64_t r = m_.shape[1];
      h_ = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          m_.parameters.data(), p, r);
      hth_ = h_.transpose() * h_;
      break;
    }
    case Kind::Mlp: {
      probabilities_ = m_.options.find("\"loss_function\": \"squared\"") == std::string::npos;
      std::int64_t widest = 0;
      for (std::int64_t s : m_.shape) widest = std::max(widest, s);
      scratch_.resize(static_cast<size_t>(4 * widest));
      break;
    }
  }
}

Prediction Predictor::predict(const double* x) const {
  Prediction out;
  const std::int64_t p = inputs();
  const double* w = m_.parameters.data();
  switch (m_.kind) {
    case Kind::Linreg:
    case Kind::Logreg:
    case Kind::Glm: {
      const std::int64_t k = m_.shape[0];
      double* eta = scratch_.data();
      for (std::int64_t c = 0; c < k; ++c) {
        const double* wc = w + c * (p + 1);
        double e = wc[p];
        for (std::int64_t j = 0; j < p; ++j) e += x[j] * wc[j];
        eta[c] = finite_or_throw(e, "linear predictor");
      }
      if (family_ == glm::Family::LeastSquares || family_ == glm::Family::Poisson) {
        out.has_value = true;
        out.value = finite_or_throw(glm::mean(family_, eta[0]), "prediction");
      } else if (family_ == glm::Family::Logistic) {
        out.has_probability = true;
        out.probability = glm::sigmoid(eta[0]);
        out.class_index = out.probability >= 0.5 ? 1 : 0;
        out.has_value = true;
        out.value = class_values_[static_cast<size_t>(out.class_index)];
      } else {
        double* prob = scratch_.data() + k;
        glm::softmax_probabilities(eta, k, prob);
        out.class_index = glm::argmax(eta, k);
        out.scores.assign(eta, eta + k);
        out.has_probability = true;
        out.probability = prob[out.class_index];
        out.has_value = true;
        out.value = class_values_[static_cast<size_t>(out.class_index)];
      }
      break;
    }
    case Kind::Kmeans: {
      const std::int64_t k = m_.shape[0];
      double best = std::numeric_limits<double>::infinity();
      std::int64_t arg = 0;
      for (std::int64_t c = 0; c < k; ++c) {
        const double* center = w + c * p;
        double d2 = 0;
        for (std::int64_t j = 0; j < p; ++j) {
          const double diff = x[j] - center[j];
          d2 += diff * diff;
        }
        if (d2 < best) best = d2, arg = c;
      }
      finite_or_throw(best, "distance to the nearest center");
      out.cluster = static_cast<std::int32_t>(arg + 1);
      out.has_value = true;
      out.value = static_cast<double>(out.cluster);
      break;
    }
    case Kind::Gnmf: {
      const Eigen::VectorXd c = h_.transpose() * Eigen::Map<const Eigen::VectorXd>(x, p);
      const Eigen::VectorXd z = nnls(hth_, c);
      out.has_projection = true;
      out.projection.assign(z.data(), z.data() + z.size());
      for (double v : out.projection) finite_or_throw(v, "projection");
      break;
    }
    case Kind::Mlp: {
      const auto& layers = m_.shape;
      const auto depth = static_cast<std::int64_t>(layers.size()) - 2;
      const std::int64_t widest = static_cast<std::int64_t>(scratch_.size()) / 4;
      // h_{j-2}, h_{j-1}, h_j rotate through three buffers; the input is x itself.
      double* buf[3] = {scratch_.data(), scratch_.data() + widest, scratch_.data() + 2 * widest};
      double* outv = scratch_.data() + 3 * widest;
      const double* prev2 = nullptr;  // h_{j-2}
      const double* prev = x;         // h_{j-1}
      const double* wl = w;
      for (std::int64_t l = 0; l <= depth; ++l) {
        const std::int64_t in = layers[static_cast<size_t>(l)], o = layers[static_cast<size_t>(l + 1)];
        const double* bl = wl + in * o;
        const bool last = l == depth;
        double* next = last ? outv : buf[l % 3];
        const std::int64_t j = l + 1;  // 1-based hidden layer this product feeds
        const bool skip = !last && m_.family == "resnet" && j >= 3 && j % 2 == 1;
        const bool relu = m_.family != "linear";
        for (std::int64_t r = 0; r < o; ++r) {
          double s = bl[r];
          const double* row = wl + r * in;
          for (std::int64_t c = 0; c < in; ++c) s += row[c] * prev[c];
          if (skip) s += prev2[r];
          next[r] = last || !relu ? s : std::max(s, 0.0);
        }
        prev2 = prev;
        prev = next;
        wl = bl + o;
      }
      const std::int64_t k = layers.back();
      for (std::int64_t c = 0; c < k; ++c) finite_or_throw(outv[c], "output");
      out.class_index = glm::argmax(outv, k);
      out.scores.assign(outv, outv + k);
      out.has_value = true;
      out.value = class_values_[static_cast<size_t>(out.class_index)];
      if (probabilities_) {
        out.has_probability = true;
        out.probability = std::exp(outv[out.class_index] - glm::log_sum_exp(outv, k));
      }
      break;
    }
  }
  return out;
}

Eigen::VectorXd nnls(const Eigen::MatrixXd& g, const Eigen::VectorXd& c) {
  const Eigen::Index r = c.size();
  Eigen::VectorXd z = Eigen::VectorXd::Zero(r);
  std::vector<bool> passive(static_cast<size_t>(r), false);
  const double scale = std::max({1.0, g.cwiseAbs().maxCoeff(), c.cwiseAbs().maxCoeff()});
  const double tol = 1e-12 * scale;
  const int max_outer = static_cast<int>(3 * r + 10);
  for (int outer = 0; outer < max_outer; ++outer) {
    const Eigen::VectorXd grad = c - g * z;  // the negative gradient of the objective
    Eigen::Index j = -1;
    double best = tol;
    for (Eigen::Index i = 0; i < r; ++i)
      if (!passive[static_cast<size_t>(i)] && grad(i) > best) best = grad(i), j = i;
    if (j < 0) break;  // Karush-Kuhn-Tucker conditions hold
    passive[static_cast<size_t>(j)] = true;
    for (int inner = 0; inner < max_outer; ++inner) {
      std::vector<Eigen::Index> idx;
      for (Eigen::Index i = 0; i < r; ++i)
        if (passive[static_cast<size_t>(i)]) idx.push_back(i);
      const auto m = static_cast<Eigen::Index>(idx.size());
      Eigen::MatrixXd gp(m, m);
      Eigen::VectorXd cp(m);
      for (Eigen::Index a = 0; a < m; ++a) {
        cp(a) = c(idx[static_cast<size_t>(a)]);
        for (Eigen::Index b = 0; b < m; ++b) gp(a, b) = g(idx[static_cast<size_t>(a)], idx[static_cast<size_t>(b)]);
      }
      const Eigen::VectorXd sp = gp.completeOrthogonalDecomposition().solve(cp);
      if (sp.minCoeff() > 0) {
        z.setZero();
        for (Eigen::Index a = 0; a < m; ++a) z(idx[static_cast<size_t>(a)]) = sp(a);
        break;
      }
      // Step from z towards s as far as feasibility allows; the variables that reach 0 leave the passive set.
      double alpha = 1;
      for (Eigen::Index a = 0; a < m; ++a) {
        const Eigen::Index i = idx[static_cast<size_t>(a)];
        const double denom = z(i) - sp(a);
        if (sp(a) <= 0 && denom > 0) alpha = std::min(alpha, z(i) / denom);
      }
      for (Eigen::Index a = 0; a < m; ++a) {
        const Eigen::Index i = idx[static_cast<size_t>(a)];
        z(i) += alpha * (sp(a) - z(i));
        if (z(i) <= tol) {
          z(i) = 0;
          passive[static_cast<size_t>(i)] = false;
        }
      }
      if (std::none_of(passive.begin(), passive.end(), [](bool b) { return b; })) break;
    }
  }
  return z;
}

}  // namespace morpheus::model

// What DRACO trains: a model family behind one interface (parameters, parameter blocks, per-partition gradients,
// accuracy), so the codes, attacks and aggregation rules are the same for generalized linear models and
// fully-connected ReLU networks.
//
// Families: the GLMs of glm.cpp (least_squares, logistic, softmax, poisson; optional intercept) and "mlp": a
// fully-connected ReLU network with softmax cross-entropy on classes 0..K-1 (the DRACO paper's 784-800-500-10 net
// is hidden = {800, 500} on 28 x 28 images). MLP parameter layout: w[0], b[0], w[1], b[1], ..., where w[l] is
// (out_l x in_l) row-major and b[l] has out_l values: the layout of core/sweep/mlp.hpp's Network::flat().
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/dense.hpp"

namespace morpheus::draco {

struct Dataset;

enum class Family { LeastSquares, Logistic, Softmax, Poisson, Mlp };
// "least_squares", "logistic", "softmax", "poisson", "mlp" through the one option parser: an unknown value is
// `unknown family "x"` with the valid values as hint.
Family parse_family(const std::string& name);
const char* family_name(Family f);

// A contiguous range of parameters that a per-layer aggregation rule treats as one vector.
struct Block {
  std::int64_t offset = 0;
  std::int64_t size = 0;
  std::string name;  // "w[0]", "b[0]", ... ("all" for a GLM)
};

class Learner {
 public:
  virtual ~Learner() = default;
  virtual std::int64_t params() const = 0;
  // The parameter blocks in layout order; they tile [0, params()).
  virtual const std::vector<Block>& blocks() const = 0;
  // Initial parameters (GLM: zeros; MLP: He-normal from seed, zero biases).
  virtual Vector initial(std::uint64_t seed) const = 0;
  // Adds the gradient of the summed loss over rows[0..count) to grad (params() values) and returns the summed loss.
  // Deterministic: the same rows in the same order give bit-identical results.
  virtual double gradient(const Dataset& d, const std::int64_t* rows, std::int64_t count, const double* w,
                          double* grad) const = 0;
  // Fraction of the rows of d classified correctly; NaN for regression families.
  virtual double accuracy(const Dataset& d, const double* w) const = 0;
  // Multiply-adds of one gradient evaluation per row (forward + backward), for cost estimates.
  virtual double flops_per_row() const = 0;
};

struct LearnerSpec {
  Family family = Family::Logistic;
  bool intercept = true;                  // GLMs only (an MLP always has biases)
  std::vector<std::int64_t> hidden = {};  // MLP hidden layer widths (at least one)
  std::int64_t features = 0;              // inputs
  std::int64_t classes = 1;               // softmax / mlp: K >= 2; others 1
};

// Builds the learner; throws InvalidParameter / LimitExceeded (over kMaxLearnerParams) with hints.
inline constexpr std::int64_t kMaxLearnerParams = 50'000'000;
std::unique_ptr<Learner> make_learner(const LearnerSpec& spec);

// Checks labels for the family (names the first bad row, 1-based, of `source_arg`) and returns the number of
// classes: softmax and mlp max label + 1 (at least 2), otherwise 1.
std::int64_t family_classes(Family f, const double* y, std::int64_t n, const char* source_arg);

}  // namespace morpheus::draco

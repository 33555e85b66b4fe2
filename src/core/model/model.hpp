// The one model object of every trainer (SQL type morpheus.model, docs/ml.md#models): what was trained, on which
// features in which order, with which parameters, and how the training went. The C++ value mirrors the SQL
// composite field by field; predict.hpp scores it.
//
// Parameter layouts (shape, then the flat parameters):
//   linreg, logreg, glm   shape {k, p + 1}: k blocks [w_1 .. w_p, b] (k = classes for softmax, else 1); b is the
//                         intercept (0 when the model has none), last in every block, as DRACO lays it out
//   kmeans                shape {k, d}: the centers, row by row
//   gnmf                  shape {d, r}: the factor H (T ~ W H'), row by row
//   mlp                   shape {inputs, width, ..., width, outputs} (the layer sizes): w[0], b[0], w[1], b[1], ...
//                         with w[l] of size out_l x in_l row-major (core/sweep/mlp.hpp); family mlp (ReLU hidden
//                         layers), resnet (ReLU, skips as in core/sweep/mlp.hpp with residual_scale 1) or linear
//                         (identity hidden layers: the deep linear network)
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "core/glm/glm.hpp"

namespace morpheus::model {

enum class Kind { Linreg, Logreg, Glm, Kmeans, Gnmf, Mlp };

const char* kind_name(Kind k);
// Parses a stored kind (an unknown one is an error about the model value, not an option).
Kind parse_kind(const std::string& s);

struct Model {
  Kind kind = Kind::Linreg;
  std::string family;                 // least_squares, logistic, softmax, poisson; mlp, resnet; empty otherwise
  std::string label;                  // label column; empty for kmeans and gnmf
  std::vector<std::string> features;  // feature names in parameter order (without the intercept)
  bool intercept = false;
  std::vector<std::string> classes;  // class labels in the training encoding (negative first); empty for regression
  std::vector<std::int64_t> shape;
  std::vector<double> parameters;
  std::string source;     // the training relation (table name or query), as given
  std::string options;    // jsonb text: how the data was read and the hyper-parameters
  std::int64_t rows = 0;  // rows used
  std::int64_t iterations = 0;
  bool converged = true;
  // false: the trainer has no convergence test (it runs a fixed number of iterations), so converged is NULL
  bool convergence_tested = true;
  std::vector<double> loss;  // objective after every iteration
  std::string statistics;    // jsonb text: fit statistics
};

// Checks the invariants predict relies on (known kind and family, shape against parameters, features, classes, all
// parameters finite); an inconsistent value is an InvalidParameter error naming `what`.
void validate(const Model& m, const std::string& what = "model");

// What a trainer or a caller knows beyond the parameters.
struct Provenance {
  std::string label;
  std::vector<std::string> features;
  std::vector<std::string> classes;  // empty: the trainer's default ({"0","1"} for logistic, {"0".."k-1"} softmax)
  std::string source;
  std::string options = "{}";
  std::int64_t rows = 0;
  std::int64_t iterations = 0;
  bool converged = true;
  bool convergence_tested = true;  // false: converged is NULL (a fixed-iteration trainer)
  std::vector<double> loss;
  std::string statistics = "{}";
};

// A GLM in DRACO's layout (core/draco/glm.cpp): `classes` blocks of p + 1 values [w_1 .. w_p, b] (classes = 1 for
// the scalar families). kind is Glm; intercept true.
Model model_from_glm(glm::Family family, std::int64_t features, std::int64_t classes,
                     const std::vector<double>& weights, Provenance p);

// An MLP in the layout of core/sweep/mlp.hpp: layers = {inputs, hidden widths..., outputs}, flat = w[0], b[0],
// w[1], b[1], ...; resnet selects the residual family. Outputs are class scores (classes 0 .. outputs-1).
Model model_from_mlp(const std::vector<std::int64_t>& layers, bool resnet, const std::vector<double>& flat,
                     Provenance p);
// The same with the family by name: "mlp", "resnet" or "linear".
Model model_from_mlp(const std::vector<std::int64_t>& layers, const std::string& family,
                     const std::vector<double>& flat, Provenance p);

// ---- a small JSON writer for the options and statistics fields -----------------------------------------------
class Json {
 public:
  Json& add(const std::string& key, double v);  // non-finite values are written as null
  Json& add(const std::string& key, std::int64_t v);
  Json& add(const std::string& key, int v) { return add(key, static_cast<std::int64_t>(v)); }
  Json& add(const std::string& key, bool v);
  Json& add(const std::string& key, const std::string& v);
  Json& add(const std::string& key, const char* v) { return add(key, std::string(v)); }
  Json& add(const std::string& key, const std::vector<double>& v);  // non-finite elements are null
  Json& add(const std::string& key, const std::vector<std::int64_t>& v);
  Json& add(const std::string& key, const std::vector<std::string>& v);
  Json& add_null(const std::string& key);
  Json& add_raw(const std::string& key, const std::string& json);
  std::string str() const { return "{" + body_ + "}"; }

  static std::string quote(const std::string& s);
  static std::string number(double v);

 private:
  void key(const std::string& k);
  std::string body_;
};

}  // namespace morpheus::model

#include "core/sweep/data.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/options.hpp"

namespace morpheus::sweep {

namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

void check_rows(std::int64_t rows, std::int64_t features, const char* rows_arg, const char* features_arg) {
  if (rows < 1)
    throw invalid_parameter(std::string(rows_arg) + " = " + num(rows) + " must be positive",
                            "Ask for at least one row.");
  if (features < 1)
    throw invalid_parameter(std::string(features_arg) + " = " + num(features) + " must be positive",
                            "Ask for at least one feature.");
  if (rows > kMaxSyntheticValues / features)
    throw Error(ErrorKind::LimitExceeded,
                std::string(rows_arg) + " x " + features_arg + " = " + num(rows) + " x " + num(features) + " exceeds " +
                    num(kMaxSyntheticValues),
                "Generate fewer rows or features.");
}

void check_classes(std::int64_t classes) {
  if (classes < 2 || classes > 100000)
    throw invalid_parameter("classes = " + num(classes) + " is outside 2..100000", "Ask for at least two classes.");
}

}  // namespace

Dataset synthetic_classification(std::int64_t rows, std::int64_t features, int classes, double spread,
                                 std::uint64_t seed) {
  check_rows(rows, features, "rows", "inputs");
  check_classes(classes);
  if (!(spread >= 0) || !std::isfinite(spread))
    throw invalid_parameter("spread = " + format_number(spread) + " must be non-negative and finite",
                            "spread is the noise standard deviation around each class centre, e.g. 1.0.");
  Rng rng(seed);
  RowMatrix centres(classes, features);
  for (std::int64_t i = 0; i < centres.size(); ++i) centres.data()[i] = rng.normal();
  Dataset d;
  d.classes = classes;
  d.x.resize(rows, features);
  d.y.resize(static_cast<std::size_t>(rows));
  for (std::int64_t i = 0; i < rows; ++i) {
    check_interrupts();  // rows may be few and wide
    const int k = static_cast<int>(i % classes);
    d.y[static_cast<std::size_t>(i)] = k;
    for (std::int64_t j = 0; j < features; ++j) d.x(i, j) = centres(k, j) + spread * rng.normal();
  }
  return d;
}

Network teacher_network(const TeacherOptions& opt) {
  check_rows(opt.rows, opt.inputs, "rows", "inputs");
  check_classes(opt.classes);
  return Network(Arch{opt.inputs, opt.classes, opt.depth, opt.width, opt.family}, opt.seed, opt.init);
}

Dataset teacher_classification(const TeacherOptions& opt) {
  if (!(opt.label_noise >= 0 && opt.label_noise <= 1))
    throw invalid_parameter("label_noise = " + format_number(opt.label_noise) + " is outside 0..1",
                            "label_noise is the probability that a row gets a random label, e.g. 0 or 0.1.");
  const Network teacher = teacher_network(opt);
  Dataset d;
  d.classes = opt.classes;
  d.x.resize(opt.rows, opt.inputs);
  d.y.resize(static_cast<std::size_t>(opt.rows));
  ::morpheus::Rng inputs = ::morpheus::Rng::stream(opt.seed, 1);
  ::morpheus::Rng noise = ::morpheus::Rng::stream(opt.seed, 2);
  std::vector<int> random_class(static_cast<std::size_t>(opt.rows), -1);
  for (std::int64_t i = 0; i < opt.rows; ++i) {
    check_interrupts();  // rows may be few and wide
    for (std::int64_t j = 0; j < opt.inputs; ++j) d.x(i, j) = inputs.normal();
    if (opt.label_noise > 0 && noise.uniform() < opt.label_noise)
      random_class[static_cast<std::size_t>(i)] =
          static_cast<int>(noise.below(static_cast<std::uint64_t>(opt.classes)));
  }
  const RowMatrix out = forward_outputs(teacher, d.x);
  for (std::int64_t i = 0; i < opt.rows; ++i) {
    Eigen::Index arg = 0;
    out.row(i).maxCoeff(&arg);  // first maximum on ties
    const int rc = random_class[static_cast<std::size_t>(i)];
    d.y[static_cast<std::size_t>(i)] = rc >= 0 ? rc : static_cast<int>(arg);
  }
  return d;
}

PoolKind parse_pool(const std::string& s, const char* arg) {
  return parse_choice<PoolKind>(arg, s, {{"mean", PoolKind::Mean}, {"max", PoolKind::Max}});
}

std::vector<double> pool_image(const double* pixels, std::int64_t count, std::int64_t height, std::int64_t width,
                               std::int64_t factor, PoolKind kind) {
  if (height < 1 || width < 1)
    throw invalid_parameter("height = " + num(height) + " and width = " + num(width) + " must be positive",
                            "Give the image's size in pixels, e.g. height => 28, width => 28.");
  if (height > count || width > count || height * width != count)
    throw invalid_parameter(
        "the image has " + num(count) + " values but height x width = " + num(height) + " x " + num(width),
        "Pixels are row-major: the array needs height x width values.");
  if (factor < 1 || factor > std::max(height, width))
    throw invalid_parameter("factor = " + num(factor) + " is outside 1.." + num(std::max(height, width)),
                            "Use e.g. 2 (28 x 28 -> 14 x 14) or 4 (-> 7 x 7).");
  const std::int64_t oh = (height + factor - 1) / factor;
  const std::int64_t ow = (width + factor - 1) / factor;
  std::vector<double> out(static_cast<std::size_t>(oh * ow));
  for (std::int64_t r = 0; r < oh; ++r)
    for (std::int64_t c = 0; c < ow; ++c) {
      double acc = kind == PoolKind::Max ? -std::numeric_limits<double>::infinity() : 0.0;
      std::int64_t k = 0;
      for (std::int64_t i = r * factor; i < std::min(height, (r + 1) * factor); ++i)
        for (std::int64_t j = c * factor; j < std::min(width, (c + 1) * factor); ++j) {
          const double v = pixels[i * width + j];
          if (!std::isfinite(v))
            throw invalid_parameter("pixel " + num(i * width + j + 1) + " is not finite",
                                    "Pool finite pixel values only.");
          acc = kind == PoolKind::Max ? std::max(acc, v) : acc + v;
          ++k;
        }
      out[static_cast<std::size_t>(r * ow + c)] = kind == PoolKind::Max ? acc : acc / static_cast<double>(k);
    }
  return out;
}

}  // namespace morpheus::sweep

// Data for width/batch experiments beside synthetic_classification (mlp.hpp): a seeded teacher network that labels
// Gaussian inputs (the student-teacher regime of the theory), and pooling of image features (Fashion-MNIST's 28 x 28
// pixels to 14 x 14 or 7 x 7, so the input layer no longer dominates a small parameter budget).
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "core/sweep/mlp.hpp"

namespace morpheus::sweep {

struct TeacherOptions {
  std::int64_t rows = 1000;
  std::int64_t inputs = 10;
  int classes = 2;
  std::int64_t depth = 1;  // hidden layers of the teacher
  std::int64_t width = 16;
  Family family = Family::Mlp;
  Init init = Init::He;
  double label_noise = 0;  // probability that a row's label is replaced by a uniform random class
  std::uint64_t seed = 1;
};

// Rows x_i ~ N(0, I_inputs); the teacher network (Network(arch, seed, init)) labels each row by the argmax of its
// outputs (the lowest index on ties); then, with probability label_noise, a uniform random class replaces the label.
// Draw order: the teacher's weights (from seed); the inputs row by row from the stream Rng::stream(seed, 1); the label
// noise from Rng::stream(seed, 2) (per row one uniform, and a class only when the row is relabelled), so the inputs do
// not depend on label_noise.
Dataset teacher_classification(const TeacherOptions& opt);
// The teacher network of teacher_classification(opt) (the same weights).
Network teacher_network(const TeacherOptions& opt);

enum class PoolKind { Mean, Max };
PoolKind parse_pool(const std::string& s, const char* arg = "method");

// Pools a row-major height x width image by non-overlapping factor x factor blocks: ceil(height/factor) x
// ceil(width/factor) outputs, row-major; blocks at the right and bottom edges may be partial (their mean is over the
// pixels they hold). Checks the sizes (InvalidParameter).
std::vector<double> pool_image(const double* pixels, std::int64_t count, std::int64_t height, std::int64_t width,
                               std::int64_t factor, PoolKind kind);

}  // namespace morpheus::sweep

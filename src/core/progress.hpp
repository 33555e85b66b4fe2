// Progress reporting from long core loops (training, sweeps, Monte Carlo). The glue implements it with NOTICE lines
// governed by the morpheus.progress setting; unit tests and benchmarks use NoProgress.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>

namespace morpheus {

class Progress {
 public:
  virtual ~Progress() = default;
  // Step k (1-based) of total is done; loss is the current objective (NaN when there is none).
  virtual void step(std::int64_t k, std::int64_t total, double loss) = 0;
};

class NoProgress final : public Progress {
 public:
  void step(std::int64_t, std::int64_t, double) override {}
};

}  // namespace morpheus

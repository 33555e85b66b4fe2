// Distributed DRACO: the pieces that run on separate PostgreSQL servers. A worker node holds the rows of the data
// partitions its code assigns (assigned_partitions), picks each iteration's batch rows of a partition from (seed,
// iteration, partition) and the rows' stable ids only, so every node holding partition j picks the same rows in the
// same order, and sends one encoded message. The coordinator decodes the messages and takes the SGD step.
//
// Message layout (d = params + 2 values): [gradient sum (params), loss sum, batch row count]. Loss and row count are
// linear in the partitions like the gradient, so the code encodes and decodes them too: the coordinator learns the
// exact batch loss and size from the decoded sum, robustly, without knowing the workers' data.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <vector>

#include "core/dense.hpp"
#include "core/draco/draco.hpp"

namespace morpheus::dist {

namespace dr = morpheus::draco;

// The training schedule every node must agree on.
struct Schedule {
  dr::Rule rule = dr::Rule::Cyclic;  // cyclic or repetition
  int workers = 5;                   // n = number of partitions
  int tolerance = 1;                 // s
  std::int64_t batch_size = 64;      // rows per iteration over all partitions
  std::uint64_t seed = 1;
};

// Checks rule (a code), n, s (require_code_size) and batch_size >= n; throws InvalidParameter naming the argument.
void check_schedule(const Schedule& sc);

// Rows of partition `partition` (0-based) in each iteration's batch: batch_size / n, the first batch_size % n
// partitions one more.
std::int64_t partition_batch(const Schedule& sc, int partition);

// A 64-bit seed mixed from (seed, a, b, c) (splitmix64 steps): the same on every node and platform.
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c);

// The batch of one partition in one iteration: `take` rows (all rows when the partition has fewer) drawn without
// replacement from the partition's rows ordered by row id, by a partial Fisher-Yates shuffle driven by
// mix_seed(seed, iteration, partition). row_ids[k] is the id of local row rows[k]; returns local rows in batch order.
// Throws InvalidParameter on a duplicate row id (naming it).
std::vector<std::int64_t> select_batch(std::uint64_t seed, int iteration, int partition,
                                       const std::vector<std::int64_t>& rows, const std::int64_t* row_ids,
                                       std::int64_t take);

// A node's local data: x/y plus each row's partition (0-based) and stable row id.
struct LocalData {
  dr::Dataset data;
  const std::int64_t* partition = nullptr;
  const std::int64_t* row_id = nullptr;
};

// Per-partition message vector [gradient, loss, count] of partition j in this iteration (d = params + 2 values,
// added to out). `rows` are the local rows of partition j.
void partition_message(const dr::Glm& g, const LocalData& ld, const Schedule& sc, int iteration, int partition,
                       const std::vector<std::int64_t>& rows, const double* w, double* out);

// The encoded message of `worker` (0-based), d values: repetition: the sum of its partitions' vectors; cyclic:
// sum_j W[worker, j] v_j. Throws InvalidParameter naming the partition when the node has
// no row of an assigned partition. Rows of other partitions are ignored.
void encode_message(const dr::Glm& g, const LocalData& ld, const Schedule& sc, const dr::CyclicCode* code,
                    int iteration, int worker, const double* w, double* re);

// Replaces one message by a Byzantine one (signflip, constant, gaussian: the attacks a node can mount alone; ALIE
// and IPM need the other workers' messages and are rejected). Gaussian noise is drawn from
// mix_seed(seed, iteration, worker, 7).
void attack_message(dr::Attack a, double scale, std::uint64_t seed, int iteration, int worker, double* re,
                    Eigen::Index d);

struct Step {
  Vector weights;               // after the step (unchanged when !consistent)
  double loss = 0.0;            // mean batch loss at the weights before the step
  std::int64_t batch_rows = 0;  // decoded batch size
  std::vector<int> flagged;     // 0-based workers whose message was not part of the codeword
  bool consistent = true;
};

// Decodes the messages (n x d) and takes the step w -= lr / count * gradient. erased
// workers (0-based) must have zero messages; they count against s. weights empty: zeros (d - 2 values).
// The cyclic decoder's projection is drawn from mix_seed(seed, iteration, 3).
Step decode_step(const Schedule& sc, const dr::CyclicCode* code, int iteration, const dr::Messages& m,
                 const Vector& weights, double learning_rate);

}  // namespace morpheus::dist

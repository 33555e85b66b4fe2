// A small team of worker threads for the factorized kernels (morpheus.threads). Rules (docs/settings.md):
// - workers run plain C++ only: they never call PostgreSQL, and they block every signal, so PostgreSQL's handlers
//   run on the backend's own thread;
// - only the calling (main) thread polls check_interrupts(); a cancel stops the workers between tasks and is
//   rethrown on the main thread;
// - an exception in a worker is captured and rethrown on the main thread after every task has stopped;
// - which thread runs a task never changes a result: callers split work into a fixed number of tasks that depend
//   on the data only, and reduce partial results in task order.
#pragma once
#include "core/no_postgres.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace morpheus {

class ThreadTeam {
 public:
  // threads >= 1: the calling thread plus threads - 1 workers (started here, joined by the destructor).
  explicit ThreadTeam(int threads);
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }
  // Runs task(i) for every i in [0, tasks), on every thread of the team; returns when all have finished. The main
  // thread polls check_interrupts() between its tasks and, through poll(), inside long ones.
  void run(std::int64_t tasks, const std::function<void(std::int64_t)>& task);
  // For long tasks: true on a worker when the job was cancelled (stop early); on the main thread it also polls
  // check_interrupts() (which throws Interrupted).
  bool poll() const;

 private:
  void worker_loop();
  void drain();  // takes tasks until none is left

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(std::int64_t)>* task_ = nullptr;
  std::int64_t tasks_ = 0;
  std::atomic<std::int64_t> next_{0};
  std::atomic<bool> cancel_{false};
  int finished_ = 0;       // workers done with the current job
  std::uint64_t job_ = 0;  // generation counter
  bool stop_ = false;
  std::exception_ptr error_;  // first exception of the current job
  std::thread::id main_;
};

}  // namespace morpheus

#include "core/parallel.hpp"

#include <pthread.h>
#include <signal.h>

#include "core/interrupt.hpp"

namespace morpheus {

ThreadTeam::ThreadTeam(int threads) : main_(std::this_thread::get_id()) {
  if (threads <= 1) return;
  // Workers inherit the creator's signal mask: block everything while starting them, then restore.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  try {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
  } catch (...) {
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    throw;
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

ThreadTeam::~ThreadTeam() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

bool ThreadTeam::poll() const {
  if (std::this_thread::get_id() == main_) check_interrupts();
  return cancel_.load(std::memory_order_relaxed);
}

void ThreadTeam::drain() {
  for (;;) {
    if (cancel_.load(std::memory_order_relaxed)) return;
    const std::int64_t i = next_.fetch_add(1, std::memory_order_relaxed);
    if (i >= tasks_) return;
    try {
      if (std::this_thread::get_id() == main_) check_interrupts();
      (*task_)(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_ = std::current_exception();
      cancel_.store(true, std::memory_order_relaxed);
      return;
    }
  }
}

void ThreadTeam::worker_loop() {
  std::uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stop_ || job_ != seen; });
      if (stop_) return;
      seen = job_;
    }
    drain();  // every worker takes part in every job once, so no worker can lag into the next one
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++finished_;
    }
    done_.notify_one();
  }
}

void ThreadTeam::run(std::int64_t tasks, const std::function<void(std::int64_t)>& task) {
  if (tasks <= 0) return;
  if (workers_.empty() || tasks == 1) {
    for (std::int64_t i = 0; i < tasks; ++i) {
      check_interrupts();
      task(i);
    }
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    task_ = &task;
    tasks_ = tasks;
    next_.store(0);
    cancel_.store(false);
    error_ = nullptr;
    finished_ = 0;
    ++job_;
  }
  wake_.notify_all();
  drain();
  std::exception_ptr err;
  {
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [&] { return finished_ == static_cast<int>(workers_.size()); });
    task_ = nullptr;
    err = error_;
    error_ = nullptr;
  }
  if (err) std::rethrow_exception(err);
}

}  // namespace morpheus

// Cooperative cancellation for long core loops without any PostgreSQL dependency.
// The glue installs a probe (a plain function reading PostgreSQL's signal flags); core loops call
// check_interrupts() every so often, which throws morpheus::Interrupted when the probe says so.
#pragma once
#include "core/errors.hpp"
#include "core/no_postgres.hpp"

namespace morpheus {

using InterruptProbe = bool (*)();

// Installs the probe; nullptr disables checking (the default, used by unit tests and benchmarks).
void set_interrupt_probe(InterruptProbe probe) noexcept;
InterruptProbe interrupt_probe() noexcept;

// Throws Interrupted if a cancel or terminate request is pending.
inline void check_interrupts() {
  InterruptProbe p = interrupt_probe();
  if (p != nullptr && p()) throw Interrupted{};
}

}  // namespace morpheus

#include "core/interrupt.hpp"

namespace morpheus {
namespace {
InterruptProbe g_probe = nullptr;
}
void set_interrupt_probe(InterruptProbe probe) noexcept { g_probe = probe; }
InterruptProbe interrupt_probe() noexcept { return g_probe; }
}  // namespace morpheus

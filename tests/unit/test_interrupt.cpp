#include <gtest/gtest.h>

#include "core/dense.hpp"
#include "core/interrupt.hpp"

namespace {
bool g_flag = false;
bool probe() { return g_flag; }
}  // namespace

TEST(Interrupt, NoProbeNeverThrows) {
  morpheus::set_interrupt_probe(nullptr);
  EXPECT_NO_THROW(morpheus::check_interrupts());
}

TEST(Interrupt, ProbeStopsLongProducts) {
  morpheus::set_interrupt_probe(probe);
  g_flag = false;
  EXPECT_NO_THROW(morpheus::check_interrupts());
  g_flag = true;
  morpheus::RowMatrix a = morpheus::RowMatrix::Ones(4, 4), out(4, 4);
  morpheus::ConstRowMap v(a.data(), 4, 4);
  EXPECT_THROW(morpheus::matmul(v, v, morpheus::RowMap(out.data(), 4, 4)), morpheus::Interrupted);
  g_flag = false;
  morpheus::set_interrupt_probe(nullptr);
}

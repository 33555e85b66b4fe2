#pragma once
#include "core/no_postgres.hpp"

namespace morpheus {
// The extension's version; the build checks it against extension/morpheus.control.
inline constexpr const char* kVersion = MORPHEUS_VERSION;
}  // namespace morpheus

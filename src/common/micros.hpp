// Time as the whole project counts it: monotonic microseconds from whatever origin the driver
// chose. The protocol core never reads a clock (every entry point is told the time); the edges
// (src/io/clock.hpp) read CLOCK_MONOTONIC into this type. Here, not in the core, so that the I/O
// layer needs nothing of the core.
#pragma once

#include <cstdint>

namespace hb {

using Micros = std::int64_t;
inline constexpr Micros kMillis = 1000;
inline constexpr Micros kSeconds = 1000 * kMillis;
inline constexpr Micros kNever = INT64_MAX;

}  // namespace hb

// The daemon's clocks: monotonic for liveness (never wall time), wall seconds for heartbeat's `ts`.
#pragma once

#include <time.h>

#include <cstdint>

#include "common/micros.hpp"

namespace hb::io {

inline Micros monotonic_now() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<Micros>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

inline std::int64_t wall_seconds() { return static_cast<std::int64_t>(::time(nullptr)); }

}  // namespace hb::io

// The core's deadlines in one min-heap. Entries are never removed early: each owner keeps the time
// of its pending entry and ignores entries that no longer match (lazy cancellation), so an arriving
// heartbeat costs no heap work at all.
#pragma once

#include <cstdint>

#include "common/stable_heap.hpp"
#include "core/types.hpp"

namespace hb::core {

enum class TimerKind : std::uint8_t { heartbeat, comm_up, node_death, link_death, rexmit };

struct Timer {
    Micros when = 0;
    std::uint64_t order = 0;  // insertion counter: equal times fire in the order they were set
    TimerKind kind = TimerKind::heartbeat;
    std::uint32_t peer = 0;
    std::uint32_t link = 0;
    std::uint64_t seq = 0;
};

using TimerQueue = StableHeap<Timer>;

}  // namespace hb::core

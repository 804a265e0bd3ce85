// Simulated time's agenda: events in time order, ties in the order they were scheduled.
#pragma once

#include <cstdint>
#include <memory>

#include "common/stable_heap.hpp"
#include "core/types.hpp"
#include "msg/message.hpp"

namespace hb::sim {

// script: a resource script call ends (node, version = the simulator's ticket for the call).
// partition: a partition starts or heals (only scheduled with resource management, whose
// invariants depend on it).
enum class EventKind : std::uint8_t { timer, deliver, crash, restart, leave, traffic, script, partition };

struct Event {
    core::Micros when = 0;
    std::uint64_t order = 0;
    EventKind kind = EventKind::timer;
    int node = 0;      // the node concerned (receiver for deliver); -1: every node but the sender
    int from = 0;      // sender (deliver)
    int link = 0;
    std::uint64_t version = 0;  // timers: stale when the node re-armed since
    std::shared_ptr<const Message> msg;
};

using EventQueue = StableHeap<Event>;

}  // namespace hb::sim

// Simulated time's agenda: a min-heap by (time, insertion order), so equal times are processed in
// the order they were scheduled and a run never depends on heap internals.
#pragma once

#include <cstdint>
#include <memory>
#include <queue>
#include <vector>

#include "core/types.hpp"
#include "msg/message.hpp"

namespace hb::sim {

enum class EventKind : std::uint8_t { timer, deliver, crash, restart, leave, traffic };

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

class EventQueue {
public:
    void push(Event e) {
        e.order = next_++;
        heap_.push(std::move(e));
    }
    bool empty() const { return heap_.empty(); }
    Event pop() {
        Event e = heap_.top();
        heap_.pop();
        return e;
    }
    core::Micros next_time() const { return heap_.empty() ? core::kNever : heap_.top().when; }

private:
    struct Later {
        bool operator()(const Event& a, const Event& b) const {
            return a.when != b.when ? a.when > b.when : a.order > b.order;
        }
    };
    std::priority_queue<Event, std::vector<Event>, Later> heap_;
    std::uint64_t next_ = 0;
};

}  // namespace hb::sim

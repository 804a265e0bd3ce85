// The core's deadlines in one min-heap. Entries are never removed early: each owner keeps the time
// of its pending entry and ignores entries that no longer match (lazy cancellation), so an arriving
// heartbeat costs no heap work at all.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

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

class TimerQueue {
public:
    void push(Timer t) {
        t.order = next_order_++;
        heap_.push(t);
    }
    bool empty() const { return heap_.empty(); }
    const Timer& top() const { return heap_.top(); }
    void pop() { heap_.pop(); }
    Micros next() const { return heap_.empty() ? kNever : heap_.top().when; }

private:
    struct Later {
        bool operator()(const Timer& a, const Timer& b) const {
            return a.when != b.when ? a.when > b.when : a.order > b.order;
        }
    };
    std::priority_queue<Timer, std::vector<Timer>, Later> heap_;
    std::uint64_t next_order_ = 0;
};

}  // namespace hb::core

// A min-heap by time whose ties come out in insertion order, so that a run never depends on the
// heap's internals: the core's timers and the simulator's agenda both need exactly that.
// T has `Micros when` and `std::uint64_t order` (set here).
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include "common/micros.hpp"

namespace hb {

template <class T>
class StableHeap {
public:
    void push(T item) {
        item.order = next_order_++;
        heap_.push(std::move(item));
    }
    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    const T& top() const { return heap_.top(); }
    T pop() {
        T item = heap_.top();
        heap_.pop();
        return item;
    }
    Micros next() const { return heap_.empty() ? kNever : heap_.top().when; }

private:
    struct Later {
        bool operator()(const T& a, const T& b) const {
            return a.when != b.when ? a.when > b.when : a.order > b.order;
        }
    };
    std::priority_queue<T, std::vector<T>, Later> heap_;
    std::uint64_t next_order_ = 0;
};

}  // namespace hb

// A timeout in milliseconds turned into a point in time, so that a loop of waits (poll, then read,
// then poll again) spends one budget, not a fresh one per turn: how every call of the client
// library that takes timeout_ms waits. Negative means for ever, 0 means look once. The clock is
// std::chrono::steady_clock; every member takes `now` so that tests give the time themselves.
#pragma once

#include <algorithm>
#include <chrono>

namespace hb {

class Deadline {
public:
    using Clock = std::chrono::steady_clock;

    explicit Deadline(int timeout_ms, Clock::time_point now = Clock::now())
        : forever_(timeout_ms < 0), at_(now + std::chrono::milliseconds(forever_ ? 0 : timeout_ms)) {}

    bool forever() const { return forever_; }
    // What is left for poll(2): -1 for ever, otherwise 0 or more (0 once it has passed).
    int left_ms(Clock::time_point now = Clock::now()) const {
        if (forever_) return -1;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at_ - now).count();
        return static_cast<int>(std::max<decltype(left)>(0, left));
    }
    bool passed(Clock::time_point now = Clock::now()) const { return !forever_ && left_ms(now) == 0; }

private:
    bool forever_;
    Clock::time_point at_;
};

}  // namespace hb

// Sequence bookkeeping for one sender (spec §3.2): accepts each sequence number once, remembers
// the gaps, and releases messages strictly in sequence order once every earlier number has either
// arrived or been given up. Heartbeat delivers in arrival order; we deliver in sender order.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/types.hpp"
#include "msg/message.hpp"

namespace hb::core {

enum class Accept { fresh, duplicate };

class ReceiveWindow {
public:
    static constexpr std::uint64_t kMaxGap = 250;      // a larger jump resynchronises (heartbeat's)
    static constexpr std::size_t kMaxMissing = 500;    // heartbeat's bound on the missing set

    // Records `seq`. Fresh numbers are held with their payload (nullopt: nothing to deliver, e.g. a
    // heartbeat) until released. `now` and `first_request` schedule the gap's retransmit requests.
    Accept accept(std::uint64_t seq, std::optional<Message> payload, Micros first_request);

    // A sender that restarted numbers from 1 again: expect that, so that whatever of the new run
    // was lost before we first heard it is asked for like any other gap.
    void expect_from(std::uint64_t first) {
        started_ = true;
        floor_ = highest_ = first - 1;
    }

    // Gives up a missing number (the sender NAKed it or is gone); false when it was not missing.
    bool give_up(std::uint64_t seq);
    // Gives up every gap and starts over at the next number that arrives (after a death or a jump).
    // Numbers at or below what was already released stay refused, so nothing is delivered twice.
    std::size_t resync();

    // Messages now deliverable, in order.
    std::vector<Message> release();

    // Highest number released with no gap before it: what we acknowledge.
    std::uint64_t contiguous() const { return floor_; }
    bool started() const { return started_; }
    std::uint64_t highest() const { return highest_; }

    // Gaps and when to (re)request each; the owner re-arms with set_request_time.
    const std::map<std::uint64_t, Micros>& missing() const;
    void set_request_time(std::uint64_t seq, Micros when);
    std::size_t gaps_given_up() const { return given_up_; }

private:
    bool started_ = false;
    std::uint64_t floor_ = 0;    // every number <= floor_ is released or given up
    std::uint64_t highest_ = 0;  // highest number accepted
    // Only a window with a gap needs these; most windows never have one, and a node keeps a
    // window per peer, so they live apart and exist only while needed.
    struct Gaps {
        std::map<std::uint64_t, std::optional<Message>> held;  // accepted, waiting for a gap
        std::map<std::uint64_t, Micros> missing;                // gap -> next request time
    };
    Gaps& gaps();
    void drop_gaps_if_empty();

    std::vector<Message> ready_;  // accepted in order with no gap: deliverable at once
    std::unique_ptr<Gaps> gaps_;
    std::size_t given_up_ = 0;
};

}  // namespace hb::core

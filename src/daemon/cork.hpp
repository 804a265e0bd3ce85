// When the packets of a reactor round go out (bundler.hpp), as TCP's autocorking: at the end of
// their round, unless we are streaming (the last datagram, less than kHoldTime ago, carried
// kStreamPackets or more); then they wait for more, until a bundle is full or kHoldTime after
// the last one went out. A request, a reply or a heartbeat, one or two packets a round, is never
// held. Fuller bundles cut a busy sender's datagrams, and its peers' wake-ups, by 3 or more
// (hbbench S2). Pure: time is passed in.
#pragma once

#include <cstddef>

#include "core/types.hpp"

namespace hb::daemon {

class Cork {
public:
    static constexpr std::size_t kStreamPackets = 4;
    static constexpr core::Micros kHoldTime = core::kMillis;

    // Packets of `bytes` encoded bytes (at most `full` fit in a bundle) are ready at `now`:
    // true if they should wait (until deadline() at the latest).
    bool hold(core::Micros now, std::size_t bytes, std::size_t full) {
        if (sent_packets_ < kStreamPackets || now - sent_at_ >= kHoldTime || bytes >= full) return false;
        deadline_ = sent_at_ + kHoldTime;
        return true;
    }
    // When held packets must go out; core::kNever when none are held.
    core::Micros deadline() const { return deadline_; }
    // `packets` went out at `now`.
    void sent(core::Micros now, std::size_t packets) {
        sent_at_ = now;
        sent_packets_ = packets;
        deadline_ = core::kNever;
    }

private:
    core::Micros sent_at_ = 0;
    std::size_t sent_packets_ = 0;
    core::Micros deadline_ = core::kNever;
};

}  // namespace hb::daemon

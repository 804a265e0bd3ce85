// Which encrypted datagrams were already accepted, by their nonces: a sender's nonces count up
// (nonce_sequence.hpp), so per (link, nonce prefix) a sliding window of the last kWindow counters
// is enough, as in IPsec and WireGuard. Per link, because every link carries the same datagram
// once; a copy on the same link again is a replay. Only authenticated datagrams reach it, so only
// real senders' runs take table entries; the table is bounded all the same.
// Older runs of a sender are the core's business: their generation is below the current one.
#pragma once

#include <bitset>
#include <cstdint>
#include <map>
#include <utility>

#include "auth/nonce_sequence.hpp"

namespace hb::auth {

class ReplayGuard {
public:
    static constexpr std::uint32_t kWindow = 1024;   // reordering tolerated, in datagrams
    static constexpr std::size_t kMaxRuns = 1024;    // (link, prefix) pairs remembered

    // True the first time this nonce is seen on this link; false for a replay, or for a counter
    // too far behind the newest seen (it can no longer be told from a replay).
    bool accept(int link, const NonceParts& nonce);

    std::size_t runs() const { return windows_.size(); }

private:
    struct Window {
        std::uint32_t top = 0;  // newest counter accepted
        std::bitset<kWindow> seen;  // bit (c % kWindow): counter c accepted, for c in (top - kWindow, top]
        std::uint64_t used = 0;     // for evicting the least recently used run
    };
    std::map<std::pair<int, NoncePrefix>, Window> windows_;
    std::uint64_t uses_ = 0;
};

}  // namespace hb::auth

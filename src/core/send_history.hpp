// The last messages we sent, by sequence number, so that peers can ask for them again (spec §3.3).
// A retransmission is the stored message itself, so it is byte-identical to the original. They are
// kept encoded (netstring is canonical): a tenth of the memory of a Message, and a node keeps 500.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "core/types.hpp"
#include "msg/message.hpp"

namespace hb::core {

class SendHistory {
public:
    static constexpr std::size_t kCapacity = 500;  // heartbeat's MAXMSGHIST

    // Returns the stored encoding, which the driver may send as it is (Send::encoded).
    std::shared_ptr<const std::string> record(std::uint64_t seq, const Message& msg);
    // The same, for a message the caller has encoded already.
    std::shared_ptr<const std::string> record_encoded(std::uint64_t seq, std::string encoded);
    std::uint64_t lowest() const { return entries_.empty() ? 0 : entries_.front().seq; }
    std::uint64_t highest() const { return entries_.empty() ? 0 : entries_.back().seq; }

    enum class Lookup { found, too_old, not_sent_yet, recently_resent };
    // Finds `seq` for a retransmission, refusing one resent less than `min_interval` ago.
    Lookup find(std::uint64_t seq, Micros now, Micros min_interval, Message* out);

private:
    struct Entry {
        std::uint64_t seq;
        std::shared_ptr<const std::string> encoded;
        Micros last_resent = -1;
    };
    std::deque<Entry> entries_;  // consecutive sequence numbers, oldest first
};

}  // namespace hb::core

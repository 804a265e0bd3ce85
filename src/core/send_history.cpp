#include "core/send_history.hpp"

#include "msg/netstring_codec.hpp"

namespace hb::core {

std::shared_ptr<const std::string> SendHistory::record(std::uint64_t seq, const Message& msg) {
    auto encoded = encode_netstring(msg);
    auto stored = record_encoded(seq, encoded ? std::move(encoded).value() : std::string());
    return encoded ? stored : nullptr;
}

std::shared_ptr<const std::string> SendHistory::record_encoded(std::uint64_t seq, std::string encoded) {
    // Sequence numbers are consecutive for one generation; anything else starts over.
    if (!entries_.empty() && seq != entries_.back().seq + 1) entries_.clear();
    auto stored = std::make_shared<const std::string>(std::move(encoded));
    entries_.push_back(Entry{seq, stored});
    if (entries_.size() > kCapacity) entries_.pop_front();
    return stored;
}

SendHistory::Lookup SendHistory::find(std::uint64_t seq, Micros now, Micros min_interval, Message* out) {
    if (entries_.empty() || seq > highest()) return Lookup::not_sent_yet;
    if (seq < lowest()) return Lookup::too_old;
    Entry& e = entries_[seq - lowest()];
    if (e.last_resent >= 0 && now - e.last_resent < min_interval) return Lookup::recently_resent;
    auto decoded = decode_netstring(*e.encoded);
    if (!decoded) return Lookup::not_sent_yet;  // cannot happen: we encoded it
    e.last_resent = now;
    *out = std::move(decoded->message);
    return Lookup::found;
}

}  // namespace hb::core

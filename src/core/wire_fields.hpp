// The fields a sending daemon appends to every message (spec §2.2), and heartbeat's number radixes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "msg/message.hpp"

namespace hb::core {

struct Stamp {
    std::string_view node;
    std::string_view uuid;
    std::optional<std::uint64_t> seq;  // absent for NS_* messages
    std::uint64_t generation = 0;
    std::int64_t wall_seconds = 0;
    std::string_view load;             // absent (empty) for NS_* messages
    int ttl = 0;
};

// Sets src, srcuuid, seq, hg, ts, ld, ttl in that order, replacing fields already present in place.
void stamp(Message& msg, const Stamp& s);

bool is_nosequence_type(std::string_view type);  // "NS_" prefix: no seq, never retransmitted
std::string hex(std::uint64_t value);

}  // namespace hb::core

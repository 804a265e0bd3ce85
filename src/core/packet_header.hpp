// The fields the core reads from every received packet, found in one pass over the message
// (each Message::get is a scan of its own, and a status carries a dozen fields).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "msg/message.hpp"

namespace hb::core {

struct PacketHeader {
    std::optional<std::string_view> type;      // t
    std::optional<std::string_view> src;       // src
    std::optional<std::string_view> dest;      // dest
    std::optional<std::string_view> destuuid;  // destuuid (binary)
    std::optional<std::string_view> srcuuid;   // srcuuid (binary)
    std::optional<std::string_view> status;    // st
    std::optional<std::uint64_t> ts;           // hex
    std::optional<std::uint64_t> generation;   // hg, hex
    std::optional<std::uint64_t> seq;          // hex
    std::optional<std::uint64_t> deadtime_ms;  // dt, hex
    bool bad_number = false;                   // ts/hg/seq/dt present but not hex

    // The first field of each name counts, as for Message::get.
    static PacketHeader read(const Message& msg);
};

}  // namespace hb::core

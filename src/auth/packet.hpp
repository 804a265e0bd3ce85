// Signing and checking cluster packets as heartbeat 3.0.6 does (spec §2.4): an optional inner
// "auth" field over the text rendering of the other fields, then the netstring encoding, then a
// trailer netstring "N digest" over every byte from "###\n" through "%%%\n".
#pragma once

#include <string>
#include <string_view>

#include "auth/keyring.hpp"
#include "common/result.hpp"
#include "msg/message.hpp"

namespace hb::auth {

// Adds (or replaces in place) the inner "auth" field when `inner_auth` (msgfmt classic), then
// returns the signed netstring datagram.
Result<std::string> sign_packet(Message& msg, const Keyring& keys, bool inner_auth);

enum class PacketStatus { ok, malformed, bad_auth };

struct CheckedPacket {
    PacketStatus status = PacketStatus::malformed;
    Message message;     // valid when status == ok
    std::string detail;  // why it was refused
};

// A netstring datagram is checked by its trailer; a text datagram (heartbeat accepts those too)
// by its inner "auth" field.
CheckedPacket check_packet(std::string_view datagram, const Keyring& keys);

}  // namespace hb::auth

// Signing and checking cluster packets as heartbeat 3.0.6 does (spec §2.4): an optional inner
// "auth" field over the text rendering of the other fields, then the netstring encoding, then a
// trailer netstring "N digest" over every byte from "###\n" through "%%%\n".
// With an encrypting signing key (ours), the whole netstring datagram is sealed instead:
//   "HBAE" | key index (1 byte) | nonce (12 bytes) | ciphertext | tag (16 bytes)
// with the first 17 bytes as associated data. Nothing of the message is readable on the wire.
#pragma once

#include <optional>

#include <string>
#include <string_view>

#include "auth/keyring.hpp"
#include "auth/nonce_sequence.hpp"
#include "common/result.hpp"
#include "msg/message.hpp"

namespace hb::auth {

inline constexpr std::string_view kSealedMagic = "HBAE";
inline constexpr std::size_t kSealedOverhead = kSealedMagic.size() + 1 + kAeadNonceBytes + kAeadTagBytes;

// Adds (or replaces in place) the inner "auth" field when `inner_auth` (msgfmt classic), then
// returns the signed netstring datagram. An encrypting signing key seals it with the next nonce
// of `nonces` instead (and adds no inner field: nobody could read it); without `nonces` that fails.
Result<std::string> sign_packet(Message& msg, const Keyring& keys, bool inner_auth, NonceSequence* nonces = nullptr);

enum class PacketStatus { ok, malformed, bad_auth };

struct CheckedPacket {
    PacketStatus status = PacketStatus::malformed;
    Message message;     // valid when status == ok
    std::string detail;  // why it was refused
    std::optional<NonceParts> nonce;  // an encrypted datagram's, for the ReplayGuard
};

// A netstring datagram is checked by its trailer; a text datagram (heartbeat accepts those too)
// by its inner "auth" field; a sealed one is opened with the key its index names.
CheckedPacket check_packet(std::string_view datagram, const Keyring& keys);

}  // namespace hb::auth

// Packet authentication methods: heartbeat's three, and ours (one that signs, two that encrypt).
#pragma once

#include <optional>
#include <string_view>

namespace hb::auth {

enum class Method {
    crc,          // heartbeat: CRC-32 (POSIX cksum polynomial), no key: integrity only
    md5,          // heartbeat: HMAC-MD5
    sha1,         // heartbeat: HMAC-SHA1
    hmac_sha256,  // ours: HMAC-SHA256, what our examples use
    aes_256_gcm,        // ours: the whole datagram encrypted and authenticated (aead.hpp)
    chacha20_poly1305,  // ours: the same with ChaCha20-Poly1305, for CPUs without AES instructions
};

// "crc", "md5", "sha1", "hmac-sha256", "aes-256-gcm", "chacha20-poly1305"
std::optional<Method> method_from_name(std::string_view name);
std::string_view method_name(Method method);
inline bool method_needs_key(Method method) { return method != Method::crc; }
// Encrypting methods: only our nodes read what they send (heartbeat 3.0.6 has no such method).
inline bool method_is_aead(Method method) {
    return method == Method::aes_256_gcm || method == Method::chacha20_poly1305;
}

}  // namespace hb::auth

// Packet authentication methods: heartbeat's three, and ours.
#pragma once

#include <optional>
#include <string_view>

namespace hb::auth {

enum class Method {
    crc,          // heartbeat: CRC-32 (POSIX cksum polynomial), no key: integrity only
    md5,          // heartbeat: HMAC-MD5
    sha1,         // heartbeat: HMAC-SHA1
    hmac_sha256,  // ours: HMAC-SHA256, what our examples use
};

std::optional<Method> method_from_name(std::string_view name);  // "crc", "md5", "sha1", "hmac-sha256"
std::string_view method_name(Method method);
inline bool method_needs_key(Method method) { return method != Method::crc; }

}  // namespace hb::auth

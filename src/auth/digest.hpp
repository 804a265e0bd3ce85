// The signature text of one authentication method over some bytes, exactly as heartbeat 3.0.6
// writes it: lowercase hex; for crc without leading zeros.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/method.hpp"

namespace hb::auth {

// Starts OpenSSL without reading openssl.cnf: the daemon's first call, before any other use of
// libcrypto. The config file only chooses providers and TLS policy; loading it (and the provider
// set it names) made 600 KiB of libcrypto resident for nothing the authkeys methods use (hbbench
// S4). heartbeat 3.0.6 never read it either: its md5/sha1 were its own code.
void start_crypto_without_config();

std::string compute_digest(Method method, std::string_view key, std::string_view data);

// CRC-32 with polynomial 0x04C11DB7, initial value 0, not reflected, final XOR 0xFFFFFFFF and no
// length appended: the POSIX cksum CRC without its length step, as heartbeat's crc method.
std::uint32_t crc32_posix(std::string_view data);

}  // namespace hb::auth

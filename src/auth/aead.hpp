// Authenticated encryption for our own authkeys methods (aes-256-gcm, chacha20-poly1305), through
// OpenSSL EVP: the key derivation from the authkeys secret and the seal/open of one datagram body.
// heartbeat 3.0.6 only signs (its methods leave every field readable on the wire); these methods
// are for clusters of our nodes only.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/method.hpp"

namespace hb::auth {

inline constexpr std::size_t kAeadKeyBytes = 32;
inline constexpr std::size_t kAeadNonceBytes = 12;
inline constexpr std::size_t kAeadTagBytes = 16;
using Nonce = std::array<std::uint8_t, kAeadNonceBytes>;

// HKDF with SHA-256 (RFC 5869): `length` bytes, or empty if OpenSSL refused.
std::string hkdf_sha256(std::string_view secret, std::string_view salt, std::string_view info, std::size_t length);

// The 32-byte key an AEAD method uses for authkeys entry `index`: HKDF of the entry's secret, with
// the method and the index in the info, so that the same secret under two entries or two methods
// never gives the same key.
std::string derive_aead_key(Method method, int index, std::string_view secret);

// Ciphertext followed by the 16-byte tag; empty optional if OpenSSL refused.
std::optional<std::string> aead_seal(Method method, std::string_view key, const Nonce& nonce, std::string_view aad,
                                     std::string_view plaintext);
// The plaintext, or nullopt when the tag does not match (wrong key, altered bytes).
std::optional<std::string> aead_open(Method method, std::string_view key, const Nonce& nonce, std::string_view aad,
                                     std::string_view sealed);

}  // namespace hb::auth

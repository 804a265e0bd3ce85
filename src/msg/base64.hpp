// Standard base64 (RFC 4648 alphabet, '=' padding, no line breaks): heartbeat's text encoding of
// binary fields. Implemented with OpenSSL's EVP block coder.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hb {

std::string base64_encode(std::string_view bytes);
// nullopt for anything but canonical base64 (length a multiple of 4, alphabet, padding at the end).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace hb

#include "auth/method.hpp"

namespace hb::auth {

std::optional<Method> method_from_name(std::string_view name) {
    if (name == "crc") return Method::crc;
    if (name == "md5") return Method::md5;
    if (name == "sha1") return Method::sha1;
    if (name == "hmac-sha256") return Method::hmac_sha256;
    if (name == "aes-256-gcm") return Method::aes_256_gcm;
    if (name == "chacha20-poly1305") return Method::chacha20_poly1305;
    return std::nullopt;
}

std::string_view method_name(Method method) {
    switch (method) {
        case Method::crc: return "crc";
        case Method::md5: return "md5";
        case Method::sha1: return "sha1";
        case Method::hmac_sha256: return "hmac-sha256";
        case Method::aes_256_gcm: return "aes-256-gcm";
        case Method::chacha20_poly1305: return "chacha20-poly1305";
    }
    return "unknown";
}

}  // namespace hb::auth

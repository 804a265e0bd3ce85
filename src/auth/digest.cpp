#include "auth/digest.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include <array>
#include <cstdio>

#include "msg/dump.hpp"

namespace hb::auth {

namespace {

std::string hmac_hex(const EVP_MD* md, std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
              data.size(), out, &len)) {
        return {};
    }
    return hex_encode(std::string_view(reinterpret_cast<const char*>(out), len));
}

constexpr std::array<unsigned char, 256> make_bit_reverse_table() {
    std::array<unsigned char, 256> table{};
    for (unsigned i = 0; i < 256; ++i) {
        unsigned r = 0;
        for (unsigned b = 0; b < 8; ++b) r |= ((i >> b) & 1u) << (7 - b);
        table[i] = static_cast<unsigned char>(r);
    }
    return table;
}

std::uint32_t reverse32(std::uint32_t v) {
    constexpr auto kRev = make_bit_reverse_table();
    return (std::uint32_t{kRev[v & 0xff]} << 24) | (std::uint32_t{kRev[(v >> 8) & 0xff]} << 16) |
           (std::uint32_t{kRev[(v >> 16) & 0xff]} << 8) | std::uint32_t{kRev[v >> 24]};
}

}  // namespace

std::uint32_t crc32_posix(std::string_view data) {
    // zlib computes the reflected CRC-32 of the same polynomial. Feeding it bit-reversed bytes and
    // reversing its result gives the non-reflected one. zlib XORs the running value with ~0 on entry
    // and exit, so passing ~0 starts the register at 0, as cksum does; the exit XOR is cksum's too.
    constexpr auto kRev = make_bit_reverse_table();
    uLong crc = 0xffffffffUL;
    std::array<unsigned char, 4096> chunk;
    while (!data.empty()) {
        std::size_t n = std::min(chunk.size(), data.size());
        for (std::size_t i = 0; i < n; ++i) chunk[i] = kRev[static_cast<unsigned char>(data[i])];
        crc = crc32(crc, chunk.data(), static_cast<uInt>(n));
        data.remove_prefix(n);
    }
    return reverse32(static_cast<std::uint32_t>(crc));
}

std::string compute_digest(Method method, std::string_view key, std::string_view data) {
    switch (method) {
        case Method::crc: {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%x", static_cast<unsigned>(crc32_posix(data)));
            return buf;
        }
        case Method::md5: return hmac_hex(EVP_md5(), key, data);
        case Method::sha1: return hmac_hex(EVP_sha1(), key, data);
        case Method::hmac_sha256: return hmac_hex(EVP_sha256(), key, data);
    }
    return {};
}

}  // namespace hb::auth

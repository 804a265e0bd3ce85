#include "auth/digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <zlib.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "msg/dump.hpp"

namespace hb::auth {

namespace {

// HMAC() fetches the algorithm and schedules the key on every call (OpenSSL 3); a daemon signs
// with one or two keys, so a keyed context is made once per (digest, key) and copied per message.
// Per thread, as OpenSSL contexts are not shared between threads.
class HmacContexts {
public:
    ~HmacContexts() {
        for (auto& e : entries_) EVP_MAC_CTX_free(e.ctx);
        EVP_MAC_free(mac_);
    }
    // A keyed context to copy, or nullptr if OpenSSL refused.
    EVP_MAC_CTX* keyed(const char* digest, std::string_view key) {
        for (auto& e : entries_) {
            if (e.digest == digest && e.key == key) return e.ctx;
        }
        if (!mac_) mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        if (!mac_) return nullptr;
        EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac_);
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", const_cast<char*>(digest), 0), OSSL_PARAM_END};
        if (!ctx || !EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params)) {
            EVP_MAC_CTX_free(ctx);
            return nullptr;
        }
        if (entries_.size() >= kMaxEntries) {  // keys rotate rarely; forget the oldest
            EVP_MAC_CTX_free(entries_.front().ctx);
            entries_.erase(entries_.begin());
        }
        entries_.push_back({digest, std::string(key), ctx});
        return ctx;
    }

private:
    static constexpr std::size_t kMaxEntries = 16;
    struct Entry {
        std::string digest;
        std::string key;
        EVP_MAC_CTX* ctx;
    };
    EVP_MAC* mac_ = nullptr;
    std::vector<Entry> entries_;
};

std::string hmac_hex(const char* digest, std::string_view key, std::string_view data) {
    thread_local HmacContexts contexts;
    EVP_MAC_CTX* keyed = contexts.keyed(digest, key);
    EVP_MAC_CTX* ctx = keyed ? EVP_MAC_CTX_dup(keyed) : nullptr;
    unsigned char out[EVP_MAX_MD_SIZE];
    std::size_t len = 0;
    const bool ok = ctx && EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) &&
                    EVP_MAC_final(ctx, out, &len, sizeof out);
    EVP_MAC_CTX_free(ctx);
    if (!ok) return {};
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

void start_crypto_without_config() {
    (void)OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, nullptr);
}

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
        case Method::md5: return hmac_hex("MD5", key, data);
        case Method::sha1: return hmac_hex("SHA1", key, data);
        case Method::hmac_sha256: return hmac_hex("SHA256", key, data);
        case Method::aes_256_gcm:
        case Method::chacha20_poly1305: return {};  // they encrypt; they have no digest (aead.hpp)
    }
    return {};
}

}  // namespace hb::auth

// Netstring decoder and packet checks (signed and sealed): never crash; accepted messages re-encode to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/packet.hpp"
#include "msg/netstring_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    static const hb::auth::Keyring keys = [] {
        hb::auth::Keyring k;
        k.add({1, hb::auth::Method::sha1, "anchor-key"});
        k.set_signing_index(1);
        return k;
    }();
    static const hb::auth::Keyring sealing = [] {
        hb::auth::Keyring k;
        k.add({1, hb::auth::Method::aes_256_gcm, "anchor-key"});
        k.add({2, hb::auth::Method::chacha20_poly1305, "anchor-key"});
        k.set_signing_index(1);
        return k;
    }();
    (void)hb::auth::check_packet(input, keys);
    (void)hb::auth::check_packet(input, sealing);  // "HBAE" datagrams: header parsing, never a crash
    auto decoded = hb::decode_netstring(input);
    if (!decoded) return 0;
    auto bytes = hb::encode_netstring(decoded->message);
    // Netstring is canonical: the same message always has the same bytes.
    if (!bytes || *bytes != input.substr(0, decoded->consumed)) __builtin_trap();
    return 0;
}

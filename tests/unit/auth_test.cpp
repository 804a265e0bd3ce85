#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "auth/digest.hpp"
#include "auth/keyring.hpp"
#include "auth/packet.hpp"
#include "msg/netstring_codec.hpp"
#include "msg/packed_list.hpp"
#include "msg/text_codec.hpp"
#include "common/numbered_name.hpp"

namespace hb::auth {
namespace {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

Keyring keyring(int index, Method method, std::string secret) {
    Keyring keys;
    EXPECT_TRUE(keys.add({index, method, std::move(secret)}));
    EXPECT_TRUE(keys.set_signing_index(index));
    return keys;
}

TEST(Digest, Crc32PosixCheckValue) {
    // The catalogue check value of CRC-32/POSIX (cksum without the length).
    EXPECT_EQ(crc32_posix("123456789"), 0x765E7680u);
    EXPECT_EQ(crc32_posix(""), 0xffffffffu);
}

TEST(Digest, CrcIsHexWithoutLeadingZeros) {
    std::string d = compute_digest(Method::crc, "", "123456789");
    EXPECT_EQ(d, "765e7680");
    // Find an input whose CRC has a leading zero nibble and check it is not padded.
    for (int i = 0; i < 1000; ++i) {
        std::string data = numbered_name("x", i);
        if (crc32_posix(data) < 0x10000000u) {
            EXPECT_LT(compute_digest(Method::crc, "", data).size(), 8u);
            return;
        }
    }
    FAIL() << "no CRC below 0x10000000 in 1000 inputs";
}

TEST(Digest, HmacKnownAnswersRfc2202And4231) {
    const std::string data = "what do ya want for nothing?";
    EXPECT_EQ(compute_digest(Method::md5, "Jefe", data), "750c783e6ab0b503eaa86e310a5db738");
    EXPECT_EQ(compute_digest(Method::sha1, "Jefe", data), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    EXPECT_EQ(compute_digest(Method::hmac_sha256, "Jefe", data),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Keyring, RejectsBadEntries) {
    Keyring keys;
    EXPECT_FALSE(keys.add({16, Method::sha1, "k"}));
    EXPECT_FALSE(keys.add({-1, Method::sha1, "k"}));
    EXPECT_FALSE(keys.add({1, Method::sha1, ""}));
    EXPECT_FALSE(keys.add({1, Method::crc, "k"}));
    EXPECT_FALSE(keys.set_signing_index(1));
    EXPECT_TRUE(keys.add({1, Method::crc, ""}));
    EXPECT_TRUE(keys.set_signing_index(1));
}

TEST(Keyring, VerifiesWithAnyEntrySignsWithOne) {
    Keyring keys;
    ASSERT_TRUE(keys.add({1, Method::sha1, "old"}));
    ASSERT_TRUE(keys.add({2, Method::hmac_sha256, "new"}));
    ASSERT_TRUE(keys.set_signing_index(2));
    std::string token = keys.sign("data");
    EXPECT_EQ(token.substr(0, 2), "2 ");
    EXPECT_EQ(token.size(), 2u + 64u);
    EXPECT_TRUE(keys.verify("data", token));
    EXPECT_TRUE(keys.verify("data", "1 " + compute_digest(Method::sha1, "old", "data")));
    EXPECT_FALSE(keys.verify("datA", token));
    EXPECT_FALSE(keys.verify("data", "3 " + token.substr(2)));
    EXPECT_FALSE(keys.verify("data", "x"));
    EXPECT_FALSE(keys.verify("data", ""));
    EXPECT_FALSE(keys.verify("data", token.substr(0, token.size() - 1)));
}

struct Capture {
    const char* file;
    int index;
    Method method;
    const char* key;
};

class RealPackets : public ::testing::TestWithParam<Capture> {};

TEST_P(RealPackets, BothSignaturesMatchAndBytesRoundTrip) {
    const Capture& c = GetParam();
    std::string datagram = read_file(std::filesystem::path(HB_TEST_DATA_DIR) / "captures" / c.file);
    ASSERT_FALSE(datagram.empty()) << c.file;
    Keyring keys = keyring(c.index, c.method, c.key);

    // Signature A: the trailer over "###\n" .. "%%%\n".
    CheckedPacket checked = check_packet(datagram, keys);
    ASSERT_EQ(checked.status, PacketStatus::ok) << checked.detail;
    auto decoded = decode_netstring(datagram);
    ASSERT_TRUE(decoded.ok());
    auto trailer = read_netstring(std::string_view(datagram).substr(decoded->consumed));
    ASSERT_TRUE(trailer);
    EXPECT_EQ(decoded->consumed + trailer->consumed, datagram.size());
    EXPECT_EQ(std::string(trailer->payload), keys.sign(datagram.substr(0, decoded->consumed)));

    // Signature B: the inner auth field over the text rendering without it.
    auto inner = checked.message.get("auth");
    ASSERT_TRUE(inner);
    auto body = encode_text_unsigned_body(checked.message);
    ASSERT_TRUE(body.ok());
    EXPECT_EQ(std::string(*inner), keys.sign(*body));

    // Re-encoding gives the same bytes, and re-signing the same datagram.
    auto again = encode_netstring(checked.message);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, datagram.substr(0, decoded->consumed));
    Message copy = checked.message;
    auto resigned = sign_packet(copy, keys, true);
    ASSERT_TRUE(resigned.ok());
    EXPECT_EQ(*resigned, datagram);
}

TEST_P(RealPackets, TamperedOrWrongKeyIsRefused) {
    const Capture& c = GetParam();
    std::string datagram = read_file(std::filesystem::path(HB_TEST_DATA_DIR) / "captures" / c.file);
    ASSERT_FALSE(datagram.empty());
    Keyring keys = keyring(c.index, c.method, c.key);
    std::string tampered = datagram;
    tampered[tampered.find("src=") + 4] ^= 1;
    EXPECT_EQ(check_packet(tampered, keys).status, PacketStatus::bad_auth);
    if (c.method != Method::crc) {
        EXPECT_EQ(check_packet(datagram, keyring(c.index, c.method, "wrong")).status, PacketStatus::bad_auth);
    }
    EXPECT_EQ(check_packet(datagram, keyring(c.index == 1 ? 2 : 1, c.method, c.key)).status,
              PacketStatus::bad_auth);
    std::string no_trailer = datagram.substr(0, decode_netstring(datagram)->consumed);
    EXPECT_EQ(check_packet(no_trailer, keys).status, PacketStatus::bad_auth);
    EXPECT_EQ(check_packet(datagram.substr(0, 40), keys).status, PacketStatus::malformed);
}

INSTANTIATE_TEST_SUITE_P(
    Heartbeat306, RealPackets,
    ::testing::Values(Capture{"udp-packet-1.bin", 1, Method::sha1, "anchor-key"},
                      Capture{"udp-packet-2.bin", 1, Method::sha1, "anchor-key"},
                      Capture{"udp-packet-3.bin", 1, Method::sha1, "anchor-key"},
                      Capture{"udp-packet-4.bin", 1, Method::sha1, "anchor-key"},
                      Capture{"spec-sha1-status.bin", 1, Method::sha1, "spec-key"},
                      Capture{"spec-sha1-NS_ackmsg.bin", 1, Method::sha1, "spec-key"},
                      Capture{"spec-sha1-NS_rexmit.bin", 1, Method::sha1, "spec-key"},
                      Capture{"spec-sha1-hbapi-clstat.bin", 1, Method::sha1, "spec-key"},
                      Capture{"spec-sha1-ping.bin", 1, Method::sha1, "spec-key"},
                      Capture{"spec-sha1-resource.bin", 1, Method::sha1, "spec-key"},
                      Capture{"spec-md5-status.bin", 2, Method::md5, "spec-key"},
                      Capture{"spec-md5-NS_ackmsg.bin", 2, Method::md5, "spec-key"},
                      Capture{"spec-crc-status.bin", 3, Method::crc, ""},
                      Capture{"spec-crc-NS_ackmsg.bin", 3, Method::crc, ""}),
    [](const auto& info) {
        std::string name = info.param.file;
        for (char& ch : name) {
            if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
        }
        return name;
    });

TEST(TextPackets, InnerAuthIsChecked) {
    Keyring keys = keyring(1, Method::sha1, "k");
    Message msg;
    msg.add("t", "status");
    msg.add("src", "n1");
    msg.add("seq", "1");
    auto body = encode_text_unsigned_body(msg);
    ASSERT_TRUE(body.ok());
    msg.add("auth", keys.sign(*body));
    auto text = encode_text(msg);
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(check_packet(*text, keys).status, PacketStatus::ok);
    msg.set("auth", "1 0000");
    EXPECT_EQ(check_packet(*encode_text(msg), keys).status, PacketStatus::bad_auth);
    msg.remove("auth");
    EXPECT_EQ(check_packet(*encode_text(msg), keys).status, PacketStatus::bad_auth);
}

TEST(SignPacket, ClassicAddsInnerAuthNetstringDoesNot) {
    Keyring keys = keyring(1, Method::hmac_sha256, "secret");
    Message classic;
    classic.add("t", "status");
    classic.add("src", "n1");
    auto a = sign_packet(classic, keys, true);
    ASSERT_TRUE(a.ok());
    EXPECT_TRUE(classic.has("auth"));
    EXPECT_EQ(check_packet(*a, keys).status, PacketStatus::ok);

    Message plain;
    plain.add("t", "status");
    auto b = sign_packet(plain, keys, false);
    ASSERT_TRUE(b.ok());
    EXPECT_FALSE(plain.has("auth"));
    EXPECT_EQ(check_packet(*b, keys).status, PacketStatus::ok);

    EXPECT_FALSE(sign_packet(plain, Keyring(), false).ok());
}

}  // namespace
}  // namespace hb::auth

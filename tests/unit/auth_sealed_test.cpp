// Our encrypting authkeys methods: the primitives against published vectors, the sealed datagram
// (nothing readable, any change refused, keys told apart), nonces, and the replay window.
#include <gtest/gtest.h>

#include <set>

#include "auth/aead.hpp"
#include "auth/keyring.hpp"
#include "auth/packet.hpp"
#include "auth/replay_guard.hpp"
#include "msg/dump.hpp"

namespace hb::auth {
namespace {

std::string unhex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    return out;
}

Nonce nonce_of(std::string_view bytes) {
    Nonce n{};
    for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<std::uint8_t>(bytes[i]);
    return n;
}

TEST(Aead, HkdfMatchesRfc5869CaseOne) {
    const std::string okm = hkdf_sha256(std::string(22, '\x0b'), unhex("000102030405060708090a0b0c"),
                                        unhex("f0f1f2f3f4f5f6f7f8f9"), 42);
    EXPECT_EQ(hex_encode(okm),
              "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(Aead, AesGcmMatchesTheGcmSpecTestCase14) {
    auto sealed = aead_seal(Method::aes_256_gcm, std::string(32, '\0'), Nonce{}, "", std::string(16, '\0'));
    ASSERT_TRUE(sealed);
    EXPECT_EQ(hex_encode(*sealed), "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
    EXPECT_EQ(aead_open(Method::aes_256_gcm, std::string(32, '\0'), Nonce{}, "", *sealed), std::string(16, '\0'));
}

TEST(Aead, ChachaPolyMatchesRfc8439Section282) {
    std::string key;
    for (int i = 0x80; i <= 0x9f; ++i) key += static_cast<char>(i);
    const Nonce nonce = nonce_of(unhex("070000004041424344454647"));
    const std::string aad = unhex("50515253c0c1c2c3c4c5c6c7");
    const std::string text =
        "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
    auto sealed = aead_seal(Method::chacha20_poly1305, key, nonce, aad, text);
    ASSERT_TRUE(sealed);
    ASSERT_EQ(sealed->size(), text.size() + kAeadTagBytes);
    EXPECT_EQ(hex_encode(sealed->substr(0, 16)), "d31a8d34648e60db7b86afbc53ef7ec2");
    EXPECT_EQ(hex_encode(sealed->substr(text.size())), "1ae10b594f09e26a7e902ecbd0600691");
    EXPECT_EQ(aead_open(Method::chacha20_poly1305, key, nonce, aad, *sealed), text);
    EXPECT_FALSE(aead_open(Method::chacha20_poly1305, key, nonce, "other aad", *sealed));
}

TEST(Aead, DerivedKeysDifferByMethodAndIndex) {
    const std::string a = derive_aead_key(Method::aes_256_gcm, 1, "secret");
    EXPECT_EQ(a.size(), kAeadKeyBytes);
    EXPECT_EQ(a, derive_aead_key(Method::aes_256_gcm, 1, "secret"));
    EXPECT_NE(a, derive_aead_key(Method::aes_256_gcm, 2, "secret"));
    EXPECT_NE(a, derive_aead_key(Method::chacha20_poly1305, 1, "secret"));
    EXPECT_NE(a, derive_aead_key(Method::aes_256_gcm, 1, "secreT"));
}

Keyring sealing(int index, Method method, std::string secret) {
    Keyring keys;
    EXPECT_TRUE(keys.add({index, method, std::move(secret)}));
    EXPECT_TRUE(keys.set_signing_index(index));
    return keys;
}

Message status_message() {
    Message m;
    m.add("t", "status");
    m.add("st", "active");
    m.add("src", "node-alpha");
    m.add("seq", "1f");
    m.add("hg", "6b05c21d");
    m.add("payload", "the database password is hunter2");
    return m;
}

class SealedPackets : public ::testing::TestWithParam<Method> {};

TEST_P(SealedPackets, NothingOfTheMessageIsReadableAndItOpensWhole) {
    Keyring keys = sealing(3, GetParam(), "cluster-secret");
    NonceSequence nonces;
    Message msg = status_message();
    auto datagram = sign_packet(msg, keys, true, &nonces);
    ASSERT_TRUE(datagram.ok()) << datagram.error();
    EXPECT_EQ(datagram->substr(0, 4), "HBAE");
    EXPECT_FALSE(msg.has("auth")) << "no inner auth field inside a sealed datagram";
    for (const char* plain : {"t=", "src", "seq", "status", "node-alpha", "hunter2", "###", "%%%", "cluster-secret"}) {
        EXPECT_EQ(datagram->find(plain), std::string::npos) << plain;
    }
    CheckedPacket checked = check_packet(*datagram, keys);
    ASSERT_EQ(checked.status, PacketStatus::ok) << checked.detail;
    EXPECT_EQ(checked.message.get("payload"), std::optional<std::string_view>("the database password is hunter2"));
    EXPECT_EQ(checked.message.get("src"), std::optional<std::string_view>("node-alpha"));
    ASSERT_TRUE(checked.nonce);
    EXPECT_EQ(checked.nonce->counter, 1u);
    // The same message sealed again: another nonce, other bytes.
    Message again = status_message();
    auto second = sign_packet(again, keys, false, &nonces);
    ASSERT_TRUE(second.ok());
    EXPECT_NE(*second, *datagram);
    EXPECT_EQ(check_packet(*second, keys).nonce->counter, 2u);
}

TEST_P(SealedPackets, EveryChangedByteWrongKeyOrWrongIndexIsRefused) {
    Keyring keys = sealing(3, GetParam(), "cluster-secret");
    NonceSequence nonces;
    Message msg = status_message();
    const std::string datagram = *sign_packet(msg, keys, false, &nonces);
    for (std::size_t i = 0; i < datagram.size(); ++i) {
        std::string changed = datagram;
        changed[i] = static_cast<char>(changed[i] ^ 0x01);
        EXPECT_NE(check_packet(changed, keys).status, PacketStatus::ok) << "byte " << i;
    }
    EXPECT_EQ(check_packet(datagram, sealing(3, GetParam(), "another-secret")).status, PacketStatus::bad_auth);
    EXPECT_EQ(check_packet(datagram, sealing(4, GetParam(), "cluster-secret")).status, PacketStatus::bad_auth);
    EXPECT_EQ(check_packet(datagram, sealing(3, Method::sha1, "cluster-secret")).status, PacketStatus::bad_auth);
    EXPECT_EQ(check_packet(datagram.substr(0, kSealedOverhead - 1), keys).status, PacketStatus::malformed);
    EXPECT_EQ(check_packet(datagram.substr(0, datagram.size() - 1), keys).status, PacketStatus::bad_auth);
}

INSTANTIATE_TEST_SUITE_P(Methods, SealedPackets, ::testing::Values(Method::aes_256_gcm, Method::chacha20_poly1305),
                         [](const auto& info) { return info.param == Method::aes_256_gcm ? "AesGcm" : "ChachaPoly"; });

TEST(SealedPackets, SealingNeedsANonceSequenceAndSigningKeysStillSign) {
    Keyring keys = sealing(1, Method::aes_256_gcm, "k");
    Message msg = status_message();
    EXPECT_FALSE(sign_packet(msg, keys, false).ok());
    EXPECT_TRUE(keys.sign("data").empty());
    EXPECT_FALSE(keys.verify("data", "1 00"));
    // During a rotation from a signing key to an encrypting one, both kinds are read.
    Keyring both;
    ASSERT_TRUE(both.add({1, Method::sha1, "old"}));
    ASSERT_TRUE(both.add({2, Method::aes_256_gcm, "new"}));
    ASSERT_TRUE(both.set_signing_index(2));
    NonceSequence nonces;
    Message a = status_message(), b = status_message();
    EXPECT_EQ(check_packet(*sign_packet(a, both, false, &nonces), both).status, PacketStatus::ok);
    EXPECT_EQ(check_packet(*sign_packet(b, sealing(1, Method::sha1, "old"), true), both).status, PacketStatus::ok);
}

TEST(NonceSequence, CountsUpUnderOnePrefixAndDrawsAnotherBeforeWrapping) {
    int draws = 0;
    NonceSequence nonces([&] {
        ++draws;
        NoncePrefix p{};
        p[0] = static_cast<std::uint8_t>(draws);
        return std::optional<NoncePrefix>(p);
    });
    EXPECT_EQ(draws, 0);
    NonceParts first = split_nonce(*nonces.next());
    NonceParts second = split_nonce(*nonces.next());
    EXPECT_EQ(draws, 1);
    EXPECT_EQ(first.prefix, second.prefix);
    EXPECT_EQ(first.counter, 1u);
    EXPECT_EQ(second.counter, 2u);
    EXPECT_EQ(NonceSequence([] { return std::optional<NoncePrefix>(); }).next(), std::nullopt);
    // Two runs (two nodes, or a restart) draw different prefixes from the CSPRNG.
    std::set<NoncePrefix> prefixes;
    for (int i = 0; i < 100; ++i) prefixes.insert(split_nonce(*NonceSequence().next()).prefix);
    EXPECT_EQ(prefixes.size(), 100u);
}

NonceParts at(std::uint32_t counter, std::uint8_t run = 1) {
    NonceParts n;
    n.prefix[0] = run;
    n.counter = counter;
    return n;
}

TEST(ReplayGuard, EachNonceOncePerLinkWithReorderingInsideTheWindow) {
    ReplayGuard guard;
    EXPECT_TRUE(guard.accept(0, at(10)));
    EXPECT_FALSE(guard.accept(0, at(10)));
    EXPECT_TRUE(guard.accept(1, at(10))) << "the other link's copy";
    EXPECT_TRUE(guard.accept(0, at(12)));
    EXPECT_TRUE(guard.accept(0, at(11))) << "late, inside the window";
    EXPECT_FALSE(guard.accept(0, at(11)));
    EXPECT_TRUE(guard.accept(0, at(9))) << "older than the first seen, inside the window";
    EXPECT_TRUE(guard.accept(0, at(12 + ReplayGuard::kWindow)));
    EXPECT_FALSE(guard.accept(0, at(12))) << "fell out of the window";
    EXPECT_TRUE(guard.accept(0, at(13))) << "not seen, and still inside the window";
    EXPECT_FALSE(guard.accept(0, at(12 + ReplayGuard::kWindow)));
    EXPECT_TRUE(guard.accept(0, at(10, 2))) << "another run of the sender";
    // A jump beyond the window forgets all below it.
    EXPECT_TRUE(guard.accept(0, at(100000)));
    EXPECT_FALSE(guard.accept(0, at(100000)));
    EXPECT_TRUE(guard.accept(0, at(99999)));
}

TEST(ReplayGuard, TheTableIsBoundedAndForgetsTheLeastRecentRun) {
    ReplayGuard guard;
    for (std::size_t i = 0; i < ReplayGuard::kMaxRuns + 10; ++i) {
        NonceParts n = at(1);
        n.prefix[1] = static_cast<std::uint8_t>(i);
        n.prefix[2] = static_cast<std::uint8_t>(i >> 8);
        EXPECT_TRUE(guard.accept(0, n));
    }
    EXPECT_EQ(guard.runs(), ReplayGuard::kMaxRuns);
}

}  // namespace
}  // namespace hb::auth

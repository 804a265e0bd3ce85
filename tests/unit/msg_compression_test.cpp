// heartbeat's message compression: the exact bytes zlib's compress() and bzip2 at block size 1
// give (what 3.0.6's plugins produce and read), wrappers both ways, field packing, and refusals of
// corrupt or inflating input.
#include <gtest/gtest.h>

#include <random>

#include "msg/compression.hpp"
#include "msg/limits.hpp"
#include "msg/netstring_codec.hpp"

namespace hb {
namespace {

std::string unhex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    return out;
}

Message ping() {
    Message m;
    m.add("t", "ping");
    m.add("dest", "node2");
    return m;
}

// Made independently of this code (Python's zlib.compress and bz2.compress(data, 1)).
constexpr std::string_view kPingZlib = "789c535656e6b2b4d230d02cb12dc8cc4bd73134067152528b4b6cf3f253528d74545555b900ada8097c";
constexpr std::string_view kPingBz2 =
    "425a6831314159265359cf6a8076000002598000100a64783206a1cc00200021a8d01a6868341468c81a34c8d089c44248280d6a24a8"
    "77c7875763accd07dfd4f8bb9229c284867b5403b0";
// heartbeat's classic text encoding with the NUL its encoder counts, zlib-compressed.
constexpr std::string_view kPingTextZlib = "789cb3b3b3e32ab12dc8cc4be74a492d2eb1cdcb4f4935e2b2b1b1e1620000747e07bb";

TEST(Compression, WrapsAsHeartbeatDoes) {
    auto wrapper = compress_message(ping(), Compression::zlib);
    ASSERT_TRUE(wrapper.ok()) << wrapper.error();
    ASSERT_EQ(wrapper->size(), 2u);
    EXPECT_EQ((*wrapper)[0].name, "_compressed_payload");
    EXPECT_EQ((*wrapper)[0].type, FieldType::binary);
    EXPECT_EQ((*wrapper)[0].bytes, unhex(kPingZlib));
    EXPECT_EQ(wrapper->get("_compression_algorithm"), "zlib");
    EXPECT_TRUE(is_compressed_message(*wrapper));
    EXPECT_FALSE(is_compressed_message(ping()));

    auto bz = compress_message(ping(), Compression::bz2);
    ASSERT_TRUE(bz.ok()) << bz.error();
    EXPECT_EQ(*bz->get_binary("_compressed_payload"), unhex(kPingBz2));
    EXPECT_EQ(bz->get("_compression_algorithm"), "bz2");
}

TEST(Compression, UnwrapsNetstringAndTextInsides) {
    for (auto [algorithm, hex] : {std::pair{"zlib", kPingZlib}, std::pair{"bz2", kPingBz2}, std::pair{"zlib", kPingTextZlib}}) {
        Message wrapper;
        wrapper.add_binary("_compressed_payload", unhex(hex));
        wrapper.add("_compression_algorithm", algorithm);
        auto inner = unwrap_compressed(wrapper);
        ASSERT_TRUE(inner.ok()) << inner.error();
        EXPECT_EQ(*inner, ping());
    }
    auto plain = unwrap_compressed(ping());
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(*plain, ping());
}

TEST(Compression, RoundTripsLargeAndRandomMessages) {
    std::mt19937 rng(7);
    std::string random(200 * 1024, '\0');
    for (char& c : random) c = static_cast<char>(rng());
    Message m;
    m.add("t", "big");
    m.add("text", std::string(250 * 1024, 'x'));
    m.add_binary("noise", random);
    for (Compression how : {Compression::zlib, Compression::bz2}) {
        auto wrapper = compress_message(m, how);
        ASSERT_TRUE(wrapper.ok()) << wrapper.error();
        auto back = decompress_message(*wrapper);
        ASSERT_TRUE(back.ok()) << back.error();
        EXPECT_EQ(*back, m);
    }
}

TEST(Compression, RefusesCorruptUnknownAndBombs) {
    Message bad;
    bad.add_binary("_compressed_payload", "not zlib at all");
    bad.add("_compression_algorithm", "zlib");
    EXPECT_FALSE(decompress_message(bad).ok());
    bad.set("_compression_algorithm", "bz2");
    EXPECT_FALSE(decompress_message(bad).ok());
    bad.set("_compression_algorithm", "lzma");
    auto unknown = decompress_message(bad);
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.error().find("unknown compression 'lzma'"), std::string::npos);

    Message no_name;
    no_name.add_binary("_compressed_payload", unhex(kPingZlib));
    EXPECT_FALSE(decompress_message(no_name).ok());

    // Truncated data.
    Message cut;
    cut.add_binary("_compressed_payload", unhex(kPingZlib).substr(0, 10));
    cut.add("_compression_algorithm", "zlib");
    EXPECT_FALSE(decompress_message(cut).ok());

    // 3 MiB of zeros compress to a few KiB but inflate past MAXUNCOMPRESSED.
    const std::string zeros(3 * 1024 * 1024, '\0');
    for (Compression how : {Compression::zlib, Compression::bz2}) {
        auto packed = compress_bytes(how, zeros);
        ASSERT_TRUE(packed.ok());
        EXPECT_LT(packed->size(), kMaxWireBytes);
        auto inflated = decompress_bytes(how, *packed, kMaxUncompressedBytes);
        ASSERT_FALSE(inflated.ok());
        EXPECT_NE(inflated.error().find("once inflated"), std::string::npos);
    }

    // A wrapper whose inside is no message.
    Message junk;
    junk.add_binary("_compressed_payload", *compress_bytes(Compression::zlib, "hello"));
    junk.add("_compression_algorithm", "zlib");
    EXPECT_FALSE(decompress_message(junk).ok());
}

TEST(Compression, PacksAndUnpacksCompressFields) {
    Message m;
    m.add("t", "cib");
    Message child;
    child.add("xml", std::string(10000, 'a'));
    m.add_uncompress("data", child);
    auto packed = pack_compress_fields(m, Compression::zlib);
    ASSERT_TRUE(packed.ok()) << packed.error();
    ASSERT_EQ(packed->type_of("data"), FieldType::compress);
    EXPECT_EQ(packed->get("_compression_algorithm"), "zlib");
    EXPECT_LT(packed->find("data")->bytes.size(), 200u);
    auto back = unpack_compress_field(*packed, *packed->find("data"));
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(*back, child);
    // A message without such fields is left as it is.
    auto same = pack_compress_fields(ping(), Compression::bz2);
    ASSERT_TRUE(same.ok());
    EXPECT_EQ(*same, ping());
    EXPECT_FALSE(unpack_compress_field(ping(), *ping().find("t")).ok());
    // A reader inflates them back into type 5; bytes that do not inflate stay as they came.
    Message read = *packed;
    read.add_compress("junk", "not zlib");
    EXPECT_EQ(inflate_compress_fields(read), 1u);
    ASSERT_EQ(read.type_of("data"), FieldType::uncompress);
    EXPECT_EQ(*read.get_struct("data"), child);
    EXPECT_EQ(read.type_of("junk"), FieldType::compress);
}

}  // namespace
}  // namespace hb

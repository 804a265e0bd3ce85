#include <gtest/gtest.h>

#include "msg/limits.hpp"
#include "msg/netstring_codec.hpp"
#include "msg/text_codec.hpp"
#include "msg/wire_format.hpp"

namespace hb {
namespace {

Message sample() {
    Message m;
    m.add("t", "status");
    m.add("st", "up");
    m.add_binary("srcuuid", std::string("\x15\x16\x4a\xc2\xf6\xe6\x41\x67\x88\x27\x66\x01\x8c\xdf\x2a\x8e", 16));
    m.add("ld", "0.00 0.06 0.31 1/111 32294");
    return m;
}

TEST(TextCodec, EncodesHeartbeatsLayout) {
    auto text = encode_text(sample());
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(*text, ">>>\nt=status\nst=up\n(1)srcuuid=FRZKwvbmQWeIJ2YBjN8qjg==\nld=0.00 0.06 0.31 1/111 32294\n<<<\n");
}

TEST(TextCodec, NewlinesInStringsBecome0x13) {
    Message m;
    m.add("val", "line1\nline2");
    auto text = encode_text(m);
    EXPECT_EQ(*text, ">>>\nval=line1\x13line2\n<<<\n");
    auto back = decode_text(*text);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back->get("val"), "line1\nline2");
}

TEST(TextCodec, NestedStructsUseDepthBytes) {
    Message inner;
    inner.add("a", "1");
    Message mid;
    mid.add_struct("in", inner);
    Message top;
    top.add_struct("mid", mid);
    auto text = encode_text(top);
    ASSERT_TRUE(text.ok());
    // depth 0 holds "mid": its child's newlines become 0x14; inside it, "in" uses 0x15.
    EXPECT_EQ(*text, std::string(">>>\n(2)mid=>>>\x14(2)in=>>>\x15" "a=1\x15<<<\x15\x14<<<\x14\n<<<\n"));
    auto back = decode_text(*text);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(*back, top);
}

TEST(TextCodec, ListsAndSkippedBlankLines) {
    auto m = decode_text(">>>\n\n\nl=x\n(3)names=3:abc,1:d,\n\n<<<\n");
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(*m->get("l"), "x");
    EXPECT_EQ(*m->get_list("names"), (std::vector<std::string>{"abc", "d"}));
    EXPECT_EQ(*encode_text(*m), ">>>\nl=x\n(3)names=3:abc,1:d,\n<<<\n");
}

TEST(TextCodec, TrailingNulAndBytesAfterEndAreIgnored) {
    EXPECT_TRUE(decode_text(std::string(">>>\na=1\n<<<\n\0", 13)).ok());
    EXPECT_TRUE(decode_text(">>>\na=1\n<<<\ngarbage").ok());
}

TEST(TextCodec, MalformedInputIsRefused) {
    for (std::string bad : {"", "a=1\n", ">>>\na=1\n", ">>>\nnoequals\n<<<\n", ">>>\n=v\n<<<\n",
                            ">>>\n(1)b=!!!!\n<<<\n", ">>>\n(9)x=1\n<<<\n", ">>>\n(0)x=1\n<<<\n",
                            ">>>\n(x=1\n<<<\n", ">>>\n(3)l=0:,\n<<<\n", ">>>\n(3)l=5:ab,\n<<<\n",
                            ">>>\n(2)c=notamessage\n<<<\n"}) {
        EXPECT_FALSE(decode_text(bad).ok()) << bad;
    }
}

TEST(NetstringCodec, EncodesHeartbeatsLayout) {
    auto ns = encode_netstring(sample());
    ASSERT_TRUE(ns.ok());
    EXPECT_EQ(ns->substr(0, 30), "###\n11:(0)t=status,8:(0)st=up,");
    EXPECT_EQ(ns->substr(30, 15), "27:(1)srcuuid=\x15");
    EXPECT_TRUE(ns->ends_with("32:(0)ld=0.00 0.06 0.31 1/111 32294,%%%\n"));
    auto back = decode_netstring(*ns);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->consumed, ns->size());
    EXPECT_EQ(back->message, sample());
}

TEST(NetstringCodec, RoundTripsEveryType) {
    Message child;
    child.add("k", "v\nw");
    child.add_list("l", {"a", "b,c", "1:2"});
    Message m;
    m.add("s", "x\ny");
    m.add_binary("b", std::string("\0\xff\n,", 4));
    m.add_binary("empty", "");
    m.add_struct("c", child);
    m.add_uncompress("u", child);
    m.add_compress("z", "raw");
    auto ns = encode_netstring(m);
    ASSERT_TRUE(ns.ok());
    auto back = decode_netstring(*ns + "9:1 abcdef,");
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back->message, m);
    EXPECT_EQ(back->consumed, ns->size());
}

TEST(NetstringCodec, MalformedInputIsRefused) {
    for (std::string bad : {"", "###\n", "###\n11:(0)t=status,", "###\n12:(0)t=status,%%%\n",
                            "###\n11:(0)t=status;%%%\n", "###\n4:(0)t=,,%%%\n", "###\n5:(7)t=1,%%%\n",
                            "###\n5:(0)=12,%%%\n", "###\n5:00t=1,%%%\n", "###\nx:(0)t=1,%%%\n",
                            "###\n99999999:(0)t=1,%%%\n", "###\n3:(0),%%%\n",
                            "###\n11:(2)c=###\n,%%%\n"}) {
        EXPECT_FALSE(decode_netstring(bad).ok()) << bad;
    }
}

TEST(NetstringCodec, DeepNestingIsRefusedNotACrash) {
    std::string s = "%%%\n";
    for (int i = 0; i < 40; ++i) {
        std::string inner = "(2)c=###\n" + s;
        s = std::to_string(inner.size()) + ":" + inner + ",%%%\n";
    }
    EXPECT_FALSE(decode_netstring("###\n" + s).ok());
}

TEST(WireFormat, StructsForceNetstring) {
    Message m = sample();
    EXPECT_FALSE(must_use_netstring(m));
    EXPECT_EQ(encode(m, WireFormat::text)->substr(0, 4), ">>>\n");
    Message child;
    child.add("a", "1");
    m.add_struct("c", child);
    EXPECT_TRUE(must_use_netstring(m));
    EXPECT_EQ(encode(m, WireFormat::text)->substr(0, 4), "###\n");
    EXPECT_EQ(*decode(*encode(m, WireFormat::text)), m);
    EXPECT_FALSE(decode("hello").ok());
}

TEST(Limits, OversizedMessagesAreRefused) {
    Message m;
    m.add("big", std::string(kMaxUncompressedBytes, 'x'));
    EXPECT_FALSE(encode_text(m).ok());
    EXPECT_FALSE(encode_netstring(m).ok());
    EXPECT_FALSE(decode_text(">>>\nbig=" + std::string(kMaxUncompressedBytes, 'x') + "\n<<<\n").ok());
}

}  // namespace
}  // namespace hb

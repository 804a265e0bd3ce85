#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <regex>

#include "ipc/frame.hpp"

namespace hb::ipc {
namespace {

Message signon() {
    Message m;
    for (auto [k, v] : {std::pair{"t", "hbapi-req"}, {"reqtype", "signon"}, {"dest", "alpha"}, {"pid", "7566"},
                        {"from_id", "7566"}, {"uid", "0"}, {"gid", "105"}}) {
        m.add(k, v);
    }
    return m;
}

TEST(IpcFrame, MatchesTheCapturedSignOnFrame) {
    // From tests/data/captures/ipc-cl_status-listnodes.txt: C->D len=83 magic=0xabcd.
    auto frame = encode_frame(signon());
    ASSERT_TRUE(frame.ok());
    ASSERT_EQ(frame->size(), 8u + 83u);
    EXPECT_EQ(frame->substr(0, 8), std::string("\x53\x00\x00\x00\xcd\xab\x00\x00", 8));
    EXPECT_EQ(frame->substr(8), std::string(">>>\nt=hbapi-req\nreqtype=signon\ndest=alpha\npid=7566\nfrom_id=7566\nuid=0\ngid=105\n<<<\n") +
                                   std::string(1, '\0'));
}

TEST(IpcFrame, ReaderCutsBackToBackFramesAcrossReads) {
    std::string stream = *encode_frame(signon()) + *encode_frame(signon());
    FrameReader r;
    Message out;
    std::string err;
    int got = 0;
    for (char c : stream) {
        r.feed(std::string_view(&c, 1));
        while (r.next(out, err) == FrameReader::Status::message) {
            ++got;
            EXPECT_EQ(out, signon());
        }
    }
    EXPECT_EQ(got, 2);
    EXPECT_EQ(r.buffered(), 0u);
}

TEST(IpcFrame, StructsTravelAsNetstring) {
    Message child;
    child.add("a", "1");
    Message m = signon();
    m.add_struct("c", child);
    auto frame = encode_frame(m);
    ASSERT_TRUE(frame.ok());
    EXPECT_EQ(frame->substr(8, 4), "###\n");
    FrameReader r;
    r.feed(*frame);
    Message out;
    std::string err;
    ASSERT_EQ(r.next(out, err), FrameReader::Status::message) << err;
    EXPECT_EQ(out, m);
}

TEST(IpcFrame, BadFramesBreakTheConnection) {
    for (std::string bad : {std::string("\x05\x00\x00\x00\xcd\xab\x00\x01hello", 13),
                            std::string("\x00\x00\x00\x00\xcd\xab\x00\x00", 8),
                            std::string("\xff\xff\xff\x7f\xcd\xab\x00\x00", 8),
                            std::string("\x05\x00\x00\x00\xcd\xab\x00\x00hello", 13)}) {
        FrameReader r;
        r.feed(bad);
        Message out;
        std::string err;
        EXPECT_EQ(r.next(out, err), FrameReader::Status::error);
        EXPECT_FALSE(err.empty());
        EXPECT_EQ(r.next(out, err), FrameReader::Status::error);
    }
}

}  // namespace
}  // namespace hb::ipc

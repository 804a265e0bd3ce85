// Bundles (daemon/bundler.hpp): packets keep their order and content through pack/unpack, a lone
// packet is not wrapped, big runs are split, and a bundle cannot smuggle another node's packet.
#include <gtest/gtest.h>

#include "daemon/bundler.hpp"

namespace hb::daemon {
namespace {

Message packet(const std::string& src, int seq, std::size_t payload = 64) {
    Message m;
    m.add("t", "app");
    m.add("src", src);
    m.add_int("seq", seq);
    m.add("payload", std::string(payload, 'x'));
    return m;
}

TEST(Bundler, PacksInOrderAndUnpacksTheSamePackets) {
    std::vector<Message> packets;
    for (int i = 1; i <= 20; ++i) packets.push_back(packet("n1", i));
    auto out = Bundler::pack("n1", packets);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].get("t"), std::optional<std::string_view>(Bundler::kType));
    auto back = Bundler::unpack(out[0]);
    ASSERT_TRUE(back.ok()) << back.error();
    ASSERT_EQ(back->size(), packets.size());
    for (std::size_t i = 0; i < packets.size(); ++i) EXPECT_EQ((*back)[i], packets[i]);
}

TEST(Bundler, ALonePacketGoesOutAsItIs) {
    auto out = Bundler::pack("n1", {packet("n1", 1)});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], packet("n1", 1));
}

TEST(Bundler, SplitsAtTheSizeLimitAndKeepsTheOrder) {
    std::vector<Message> packets;
    for (int i = 1; i <= 40; ++i) packets.push_back(packet("n1", i, 1000));
    auto out = Bundler::pack("n1", packets);
    ASSERT_GT(out.size(), 1u);
    int next = 1;
    for (const auto& m : out) {
        std::vector<Message> inner;
        if (m.get("t") == std::optional<std::string_view>(Bundler::kType)) {
            auto u = Bundler::unpack(m);
            ASSERT_TRUE(u.ok());
            inner = *u;
        } else {
            inner = {m};
        }
        for (const auto& p : inner) EXPECT_EQ(p.get_int("seq"), std::optional<long>(next++));
    }
    EXPECT_EQ(next, 41);
}

TEST(Bundler, RefusesAnotherNodesPacketAndNonsense) {
    auto out = Bundler::pack("n1", {packet("n1", 1), packet("n2", 2)});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_FALSE(Bundler::unpack(out[0]).ok());
    Message bad;
    bad.add("t", Bundler::kType);
    bad.add("src", "n1");
    bad.add_int("n", 3);
    bad.add_binary("m0", "not a netstring");
    EXPECT_FALSE(Bundler::unpack(bad).ok());
}

TEST(Bundler, ABundleIsForOneNodeOnlyIfAllItsPacketsAre) {
    Bundler b;
    b.queue(packet("n1", 1), nullptr, "n2");
    b.queue(packet("n1", 2), nullptr, "n2");
    auto only_n2 = b.take("n1");
    ASSERT_EQ(only_n2.size(), 1u);
    EXPECT_EQ(only_n2[0].to, "n2");
    EXPECT_FALSE(b.has_queued());
    b.queue(packet("n1", 3), nullptr, "n2");
    b.queue(packet("n1", 4));  // for every node
    auto mixed = b.take("n1");
    ASSERT_EQ(mixed.size(), 1u);
    EXPECT_EQ(mixed[0].to, "");
    b.queue(packet("n1", 5), nullptr, "n3");
    auto alone = b.take("n1");
    ASSERT_EQ(alone.size(), 1u);
    EXPECT_EQ(alone[0].packet, packet("n1", 5));
    EXPECT_EQ(alone[0].to, "n3");
}

TEST(Bundler, LearnsWhoReadsBundlesFromTheirHeartbeats) {
    Bundler b;
    Message ours;
    ours.add("t", "status");
    ours.add("src", "n2");
    ours.add("hbcaps", "bundle,frag");
    Message theirs;  // heartbeat 3.0.6's status has no such field
    theirs.add("t", "status");
    theirs.add("src", "n3");
    EXPECT_TRUE(b.heard(ours));
    EXPECT_FALSE(b.heard(ours));  // nothing new
    EXPECT_TRUE(b.heard(theirs));
    EXPECT_TRUE(b.reads_bundles("n2"));
    EXPECT_FALSE(b.reads_bundles("n3"));
    EXPECT_FALSE(b.reads_bundles("n4"));
}

}  // namespace
}  // namespace hb::daemon

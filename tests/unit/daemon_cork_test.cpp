// The cork (daemon/cork.hpp): requests and replies are never held, a stream is held for fuller
// bundles, and never longer than kHoldTime after the last datagram nor once a bundle is full.
#include <gtest/gtest.h>

#include "daemon/cork.hpp"

namespace hb::daemon {
namespace {

constexpr std::size_t kFull = 8192;
constexpr core::Micros kT0 = 1'000'000;

TEST(Cork, NothingIsHeldBeforeAStream) {
    Cork c;
    EXPECT_FALSE(c.hold(kT0, 200, kFull));
    EXPECT_EQ(c.deadline(), core::kNever);
}

TEST(Cork, RequestsAndRepliesGoAtOnceHoweverOften) {
    Cork c;
    core::Micros now = kT0;
    for (int i = 0; i < 100; ++i, now += 50) {  // a packet or two every 50 µs
        ASSERT_FALSE(c.hold(now, 400, kFull)) << i;
        c.sent(now, 1 + i % 2);
    }
}

TEST(Cork, AStreamWaitsUntilTheHoldTimeAfterTheLastDatagram) {
    Cork c;
    c.sent(kT0, Cork::kStreamPackets);
    EXPECT_TRUE(c.hold(kT0 + 100, 1000, kFull));
    EXPECT_EQ(c.deadline(), kT0 + Cork::kHoldTime);
    EXPECT_TRUE(c.hold(kT0 + 500, 3000, kFull));
    EXPECT_EQ(c.deadline(), kT0 + Cork::kHoldTime);  // the deadline does not move on
    EXPECT_FALSE(c.hold(kT0 + Cork::kHoldTime, 3000, kFull));
}

TEST(Cork, AFullBundleGoesAtOnce) {
    Cork c;
    c.sent(kT0, 40);
    EXPECT_FALSE(c.hold(kT0 + 10, kFull, kFull));
}

TEST(Cork, SendingClearsTheDeadlineAndAQuietPauseEndsTheStream) {
    Cork c;
    c.sent(kT0, 10);
    ASSERT_TRUE(c.hold(kT0 + 10, 100, kFull));
    c.sent(kT0 + Cork::kHoldTime, 10);
    EXPECT_EQ(c.deadline(), core::kNever);
    EXPECT_FALSE(c.hold(kT0 + 3 * Cork::kHoldTime, 100, kFull));  // the stream has stopped
}

}  // namespace
}  // namespace hb::daemon

// hb::Deadline (src/common/deadline.hpp): one budget across a loop of waits, with the time given.
#include "common/deadline.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
const auto t0 = hb::Deadline::Clock::time_point{} + 1000s;

TEST(Deadline, SpendsOneBudgetAcrossTurns) {
    hb::Deadline d(250, t0);
    EXPECT_EQ(d.left_ms(t0), 250);
    EXPECT_EQ(d.left_ms(t0 + 100ms), 150);
    EXPECT_FALSE(d.passed(t0 + 249ms));
    EXPECT_EQ(d.left_ms(t0 + 250ms), 0);
    EXPECT_TRUE(d.passed(t0 + 250ms));
    EXPECT_EQ(d.left_ms(t0 + 10s), 0);  // never negative: that would mean "for ever" to poll(2)
}

TEST(Deadline, NegativeMeansForEver) {
    hb::Deadline d(-1, t0);
    EXPECT_TRUE(d.forever());
    EXPECT_EQ(d.left_ms(t0 + 3600s), -1);
    EXPECT_FALSE(d.passed(t0 + 3600s));
}

TEST(Deadline, ZeroMeansLookOnce) {
    hb::Deadline d(0, t0);
    EXPECT_FALSE(d.forever());
    EXPECT_EQ(d.left_ms(t0), 0);
    EXPECT_TRUE(d.passed(t0));
}

}  // namespace

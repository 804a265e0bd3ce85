// The flood gate: members are always checked, strangers share a budget and are shut out for a
// while after repeated failures, and the tables stay bounded.
#include <gtest/gtest.h>

#include "auth/stranger_gate.hpp"

namespace hb::auth {
namespace {

constexpr StrangerGate::Micros kSecond = 1'000'000;
const std::string kMember("\x0a\x51\x00\x01", 4);
const std::string kStranger("\x0a\x51\x00\x09", 4);

std::string address(std::size_t i) {
    std::string a(4, '\0');
    for (std::size_t b = 0; b < 4; ++b) a[b] = static_cast<char>(i >> (8 * b));
    return a;
}

TEST(StrangerGate, AMemberIsAlwaysCheckedEvenWhenItsAddressSendsGarbage) {
    StrangerGate gate;
    const StrangerGate::Micros t = 100 * kSecond;
    ASSERT_TRUE(gate.admit(t, kMember));
    gate.authenticated(t, kMember);
    for (int i = 0; i < 100000; ++i) {
        ASSERT_TRUE(gate.admit(t, kMember)) << i;
        gate.failed(t, kMember);  // someone spoofing the member's address
    }
}

TEST(StrangerGate, AFailingStrangerIsShutOutForThePenaltyThenCheckedAgain) {
    StrangerGate gate;
    StrangerGate::Micros t = 100 * kSecond;
    for (int i = 0; i < StrangerGate::kStrikes; ++i) {
        ASSERT_TRUE(gate.admit(t, kStranger));
        gate.failed(t, kStranger);
    }
    EXPECT_FALSE(gate.admit(t, kStranger));
    EXPECT_FALSE(gate.admit(t + StrangerGate::kPenalty - 1, kStranger));
    EXPECT_TRUE(gate.admit(t + StrangerGate::kPenalty, kStranger));
    // One that authenticates becomes a member: no more strikes against it.
    gate.authenticated(t + StrangerGate::kPenalty, kStranger);
    for (int i = 0; i < 2 * StrangerGate::kStrikes; ++i) gate.failed(t + StrangerGate::kPenalty, kStranger);
    EXPECT_TRUE(gate.admit(t + StrangerGate::kPenalty, kStranger));
}

TEST(StrangerGate, StrangersFromManyAddressesShareABudgetPerSecond) {
    StrangerGate gate;
    const StrangerGate::Micros t = 100 * kSecond;
    int admitted = 0;
    for (std::size_t i = 0; i < 10000; ++i) admitted += gate.admit(t, address(i));
    EXPECT_EQ(admitted, static_cast<int>(StrangerGate::kStrangerChecksPerSecond));
    EXPECT_FALSE(gate.admit(t, address(20000)));
    EXPECT_TRUE(gate.admit(t + kSecond / 10, address(20001))) << "the budget refills with time";
    gate.authenticated(t, kMember);
    EXPECT_TRUE(gate.admit(t, kMember)) << "the budget never holds back a member";
}

TEST(StrangerGate, TablesAreBounded) {
    StrangerGate gate;
    StrangerGate::Micros t = 100 * kSecond;
    for (std::size_t i = 0; i < StrangerGate::kMaxKnown + 50; ++i) gate.authenticated(t + static_cast<StrangerGate::Micros>(i), address(i));
    EXPECT_EQ(gate.known(), StrangerGate::kMaxKnown);
    EXPECT_TRUE(gate.admit(t + kSecond, address(StrangerGate::kMaxKnown + 49))) << "the newest stays known";
}

}  // namespace
}  // namespace hb::auth

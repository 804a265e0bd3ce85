// The receiving side of send_ordered_*: messages come out in oseq order per sender stream, a
// restart starts the numbering over, a gap the window outgrows is given up on, and a leaving
// client's held messages go out before the news of its leave.
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "client/order_queue.hpp"

namespace hb::client {
namespace {

Message ordered(const std::string& src, unsigned long oseq, const std::string& hg = "10", const std::string& gen = "1",
                bool to_node = false) {
    Message m;
    m.add("t", "demo");
    if (to_node) m.add("dest", "n1");
    m.add("src", src);
    char hex[32];
    std::snprintf(hex, sizeof hex, "%lx", oseq);
    m.add("oseq", hex);
    m.add("hg", hg);
    m.add("client_gen", gen);
    return m;
}

std::vector<unsigned long> oseqs(const std::deque<Message>& ready) {
    std::vector<unsigned long> out;
    for (const auto& m : ready) out.push_back(m.get_hex("oseq").value_or(0));
    return out;
}

TEST(OrderQueue, ReleasesInOrderAndDropsRepeats) {
    OrderQueue q;
    std::deque<Message> ready;
    q.push(ordered("n2", 1), ready);
    q.push(ordered("n2", 3), ready);
    q.push(ordered("n2", 4), ready);
    EXPECT_EQ(oseqs(ready), (std::vector<unsigned long>{1}));
    EXPECT_EQ(q.held(), 2u);
    q.push(ordered("n2", 2), ready);
    q.push(ordered("n2", 2), ready);  // a repeat is not handed out twice
    EXPECT_EQ(oseqs(ready), (std::vector<unsigned long>{1, 2, 3, 4}));
    EXPECT_EQ(q.held(), 0u);
}

TEST(OrderQueue, StreamsAreKeptApartAndUnorderedMessagesPassAtOnce) {
    OrderQueue q;
    std::deque<Message> ready;
    q.push(ordered("n2", 1), ready);
    q.push(ordered("n3", 5), ready);            // another sender starts where it is
    q.push(ordered("n2", 1, "10", "1", true), ready);  // node stream of n2, apart from its cluster stream
    Message plain;
    plain.add("t", "other");
    plain.add("src", "n2");
    q.push(plain, ready);
    ASSERT_EQ(ready.size(), 4u);
    EXPECT_EQ(*ready.back().get("t"), "other");
}

TEST(OrderQueue, RestartStartsTheNumberingOver) {
    OrderQueue q;
    std::deque<Message> ready;
    q.push(ordered("n2", 7), ready);
    q.push(ordered("n2", 9), ready);          // held: 8 is missing
    q.push(ordered("n2", 1, "11"), ready);    // the daemon restarted: what was held goes first
    EXPECT_EQ(oseqs(ready), (std::vector<unsigned long>{7, 9, 1}));
    q.push(ordered("n2", 1, "11", "2"), ready);  // the client signed on again
    EXPECT_EQ(ready.size(), 4u);
}

TEST(OrderQueue, AGapTheWindowOutgrowsIsGivenUp) {
    OrderQueue q;
    std::deque<Message> ready;
    q.push(ordered("n2", 1), ready);
    for (unsigned long s = 3; s < 3 + OrderQueue::kWindow + 1; ++s) q.push(ordered("n2", s), ready);
    ASSERT_EQ(ready.size(), OrderQueue::kWindow + 2);
    EXPECT_EQ(ready[1].get_hex("oseq"), 3u);
    EXPECT_EQ(q.held(), 0u);
}

TEST(OrderQueue, ALeaveOrADeathFlushesWhatTheSenderHeld) {
    OrderQueue q;
    std::deque<Message> ready;
    q.push(ordered("n2", 1), ready);
    q.push(ordered("n2", 3), ready);
    Message leave;
    leave.add("t", "hbapi-clstat");
    leave.add("st", "leave");
    leave.add("src", "n2");
    q.push(leave, ready);
    ASSERT_EQ(ready.size(), 3u);
    EXPECT_EQ(ready[1].get_hex("oseq"), 3u);
    EXPECT_EQ(*ready[2].get("t"), "hbapi-clstat");
    q.push(ordered("n3", 1), ready);
    q.push(ordered("n3", 4), ready);
    Message dead;
    dead.add("t", "status");
    dead.add("src", "n3");
    dead.add("st", "dead");
    q.push(dead, ready);
    EXPECT_EQ(*ready.back().get("st"), "dead");
    EXPECT_EQ(q.held(), 0u);
}

}  // namespace
}  // namespace hb::client

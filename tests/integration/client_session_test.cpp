// The client engine (src/client/session) against real daemons: sign-on, queries, cluster and node
// messages between named clients on two nodes, notifications, and the daemon going away.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include "loopback_cluster.hpp"
#include "session.hpp"
#include "session_wait.hpp"

namespace hb::test {
namespace {

using namespace std::chrono_literals;
using client::Session;

// Tests run in parallel: each gets its own port (the cluster is made in start()).
class ClientSession : public ::testing::Test {
protected:
    void start(int port) {
        c = std::make_unique<LoopbackCluster>(2, port);
        LoopbackCluster& c = *this->c;
        for (int i : {1, 2}) {
            std::ofstream(c.node_dir(i) + "/ha.cf", std::ios::app) << "apiauth anon uid=root\napiauth demo uid=root\n";
        }
        c.start_all();
        for (int i : {1, 2}) {
            EXPECT_TRUE(c.wait_for_line(i, "status active", 10s));
        }
    }
    std::string sock(int i) { return c->dir() + "/n" + std::to_string(i) + ".sock"; }

    std::unique_ptr<LoopbackCluster> c;
};

TEST_F(ClientSession, CasualClientQueries) {
    start(17190);
    auto s = Session::signon(sock(1), "");
    ASSERT_TRUE(s.ok()) << s.error();
    EXPECT_EQ((*s)->info().node, "n1");
    EXPECT_EQ((*s)->info().deadtime_ms, 500);
    EXPECT_EQ((*s)->info().keepalive_ms, 100);
    auto nodes = (*s)->request("nodelist", Message());
    ASSERT_TRUE(nodes.ok());
    ASSERT_EQ(nodes->size(), 2u);
    EXPECT_EQ(*(*nodes)[1].get("st"), "active");
    Message q;
    q.add("pname", "deadtime");
    auto p = (*s)->request("getparm", q);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p->back().get("pvalue"), "500ms");
    Message data;
    data.add("t", "hello");
    EXPECT_FALSE((*s)->send(data).ok());  // casual clients only query
}

TEST_F(ClientSession, NamedClientsExchangeClusterAndNodeMessages) {
    start(17200);
    auto a = Session::signon(sock(1), "demo");
    auto b = Session::signon(sock(2), "demo");
    ASSERT_TRUE(a.ok()) << a.error();
    ASSERT_TRUE(b.ok()) << b.error();
    Message hello;
    hello.add("t", "demo-hello");
    hello.add("payload", "from n1");
    ASSERT_TRUE((*a)->send(hello).ok());
    auto got = next_of(**b, "demo-hello");
    ASSERT_TRUE(got);
    EXPECT_EQ(*got->get("payload"), "from n1");
    EXPECT_EQ(*got->get("src"), "n1");
    EXPECT_EQ(*got->get("from_id"), "demo");
    EXPECT_TRUE(next_of(**a, "demo-hello"));  // a cluster message reaches its sender's namesakes too

    Message direct;
    direct.add("t", "demo-direct");
    direct.add("dest", "n1");
    ASSERT_TRUE((*b)->send(direct).ok());
    auto d = next_of(**a, "demo-direct");
    ASSERT_TRUE(d);
    EXPECT_EQ(*d->get("src"), "n2");
}

TEST_F(ClientSession, MessagesOfEverySizeUpToMaxmsgArriveAndLargerOnesAreRefusedWithTheReason) {
    start(17220);
    auto a = Session::signon(sock(1), "demo");
    auto b = Session::signon(sock(2), "demo");
    ASSERT_TRUE(a.ok()) << a.error();
    ASSERT_TRUE(b.ok()) << b.error();
    // One datagram as it is, one compressed, several fragments: text, noise and binary noise.
    int id = 0;
    for (std::size_t size : {1u, 60000u, 70000u, 200000u, 250000u}) {
        for (int kind = 0; kind < 3; ++kind) {
            Message m;
            m.add("t", "demo-big");
            m.add("id", std::to_string(++id));
            const std::string payload = kind == 0 ? std::string(size, 'z') : printable_noise(size, static_cast<unsigned>(id));
            if (kind == 2) {
                // Binary travels base64 over the socket: 4/3 as large, so a smaller share of MAXMSG.
                m.add_binary("payload", payload.substr(0, size * 2 / 3));
            } else {
                m.add("payload", payload);
            }
            auto sent = (*a)->send(m);
            ASSERT_TRUE(sent.ok()) << size << " kind " << kind << ": " << sent.error();
            auto got = next_of(**b, "demo-big");
            ASSERT_TRUE(got) << size << " kind " << kind;
            EXPECT_EQ(got->get("id"), m.get("id"));
            if (kind == 2) {
                EXPECT_EQ(got->get_binary("payload"), m.get_binary("payload")) << size;
            } else {
                EXPECT_EQ(got->get("payload"), m.get("payload")) << size << " kind " << kind;
            }
        }
    }
    // Noise that stays above MAXMSG compressed, and a text too large for the client's socket
    // uncompressed that compresses into a few KiB.
    Message noise;
    noise.add("t", "demo-too-big");
    noise.add("payload", printable_noise(400000, 99));
    auto refused = (*a)->send(noise);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().find("above heartbeat's limit"), std::string::npos) << refused.error();
    Message text;
    text.add("t", "demo-big");
    text.add("payload", std::string(1000000, 'q'));
    auto sent = (*a)->send(text);
    ASSERT_TRUE(sent.ok()) << sent.error();
    auto got = next_of(**b, "demo-big");
    ASSERT_TRUE(got);
    EXPECT_EQ(got->get("payload")->size(), 1000000u);
    // A type 5 field (ha_msg_addstruct_compress) travels compressed and is read back as one.
    Message cib;
    cib.add("t", "demo-big");
    Message xml;
    xml.add("xml", std::string(150000, 'x'));
    cib.add_uncompress("cib", xml);
    sent = (*a)->send(cib);
    ASSERT_TRUE(sent.ok()) << sent.error();
    got = next_of(**b, "demo-big");
    ASSERT_TRUE(got);
    ASSERT_EQ(got->type_of("cib"), FieldType::uncompress);
    EXPECT_EQ(*got->get_struct("cib"), xml);
}

TEST_F(ClientSession, NodeDeathIsNotifiedAndTheDaemonsDisappearanceReported) {
    start(17210);
    auto a = Session::signon(sock(1), "demo");
    ASSERT_TRUE(a.ok()) << a.error();
    c->signal(2, SIGKILL);
    bool dead = false;
    for (int i = 0; i < 100 && !dead; ++i) {
        auto st = next_of(**a, "status");
        dead = st && st->get("src") == std::optional<std::string_view>("n2") &&
               st->get("st") == std::optional<std::string_view>("dead");
    }
    EXPECT_TRUE(dead);
    c->signal(1, SIGKILL);
    c->wait_exit(1, 5s);
    // What was queued is still handed out; then the end of the connection is reported.
    bool reported = false;
    for (int i = 0; i < 100 && !reported; ++i) reported = !(*a)->receive(2000).ok();
    EXPECT_TRUE(reported);
    EXPECT_FALSE((*a)->connected());
}

}  // namespace
}  // namespace hb::test

// Every llc_ops call of hb_api.h, through libhbclient.so, against 3 real daemons on 127.0.0.x:
// queries, sending and receiving between named clients, ordered messages, callbacks (node
// status, client status), argument checks, and the daemon's disappearance.
#include <poll.h>
#include <signal.h>
#include <stdlib.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "heartbeat/hb_api.h"
#include "loopback_cluster.hpp"

namespace hb::test {
namespace {

using namespace std::chrono_literals;

struct Deleter {
    void operator()(ll_cluster_t* h) const {
        if (h) h->llc_ops->delete_cluster(h);
    }
};
using Handle = std::unique_ptr<ll_cluster_t, Deleter>;

struct MsgDeleter {
    void operator()(ha_msg* m) const { ha_msg_del(m); }
};
using Msg = std::unique_ptr<ha_msg, MsgDeleter>;

// What the callbacks saw, as "node status" / "node client status" lines.
struct Seen {
    std::vector<std::string> lines;
    bool has(const std::string& line) const {
        for (const auto& l : lines) {
            if (l == line) return true;
        }
        return false;
    }
};

void on_node(const char* node, const char* status, void* p) {
    static_cast<Seen*>(p)->lines.push_back(std::string("node ") + node + " " + status);
}
void on_client(const char* node, const char* client, const char* status, void* p) {
    static_cast<Seen*>(p)->lines.push_back(std::string("client ") + node + " " + client + " " + status);
}
void on_hello(ha_msg* msg, void* p) {
    static_cast<Seen*>(p)->lines.push_back(std::string("hello ") + ha_msg_value(msg, F_ORIG));
}

class LlcApi : public ::testing::Test {
public:
    void start(int port) {
        c = std::make_unique<LoopbackCluster>(3, port);
        for (int i : {1, 2, 3}) {
            std::ofstream(c->node_dir(i) + "/ha.cf", std::ios::app) << "apiauth anon uid=root\napiauth demo uid=root\n";
        }
        c->start_all();
        for (int i : {1, 2, 3}) ASSERT_TRUE(c->wait_for_line(i, "status active", 10s));
    }
    // A handle signed on to node i (nullptr id: casual).
    Handle signon(int i, const char* id) {
        setenv("HA_API_SOCKET", (c->dir() + "/n" + std::to_string(i) + ".sock").c_str(), 1);
        Handle h(ll_cluster_new("heartbeat"));
        EXPECT_TRUE(h);
        EXPECT_EQ(h->llc_ops->signon(h.get(), id), HA_OK) << h->llc_ops->errmsg(h.get());
        return h;
    }
    // Runs callbacks for up to `ms` until `done` holds.
    template <class Done>
    bool pump(ll_cluster_t* h, Done done, int ms = 5000) {
        for (int waited = 0; waited < ms && !done(); waited += 20) {
            pollfd p{h->llc_ops->inputfd(h), POLLIN, 0};
            poll(&p, 1, 20);
            while (h->llc_ops->msgready(h)) h->llc_ops->rcvmsg(h, 0);
        }
        return done();
    }
    // Hands each message readmsg returns within `ms` to `take` until it returns true; whether it did.
    template <class Take>
    static bool read_until(ll_cluster_t* h, int ms, Take take) {
        for (int waited = 0; waited < ms; waited += 10) {
            while (h->llc_ops->msgready(h)) {
                Msg m(h->llc_ops->readmsg(h, 0));
                if (m && take(m)) return true;
            }
            pollfd p{h->llc_ops->inputfd(h), POLLIN, 0};
            poll(&p, 1, 10);
        }
        return false;
    }
    // The next message of type `t` readmsg hands out within `ms` (others are freed).
    static Msg next_of(ll_cluster_t* h, const std::string& t, int ms = 5000) {
        Msg out;
        read_until(h, ms, [&](Msg& m) {
            if (ha_msg_value(m.get(), F_TYPE) != t) return false;
            out = std::move(m);
            return true;
        });
        return out;
    }
    static Msg message(const char* type) {
        Msg m(ha_msg_new(0));
        ha_msg_add(m.get(), F_TYPE, type);
        return m;
    }

    std::unique_ptr<LoopbackCluster> c;
};

TEST_F(LlcApi, NewRefusesOtherTypesAndCallsBeforeSignonFail) {
    EXPECT_EQ(ll_cluster_new("corosync"), nullptr);
    EXPECT_EQ(ll_cluster_new(nullptr), nullptr);
    Handle h(ll_cluster_new("heartbeat"));
    ASSERT_TRUE(h);
    const llc_ops* ops = h->llc_ops;
    EXPECT_EQ(ops->init_nodewalk(h.get()), HA_FAIL);
    EXPECT_STREQ(ops->errmsg(h.get()), "not signed on");
    EXPECT_EQ(ops->node_status(h.get(), "n1"), nullptr);
    EXPECT_EQ(ops->inputfd(h.get()), -1);
    EXPECT_EQ(ops->chan_is_connected(h.get()), 0);
    EXPECT_EQ(ops->get_mynodeid(h.get()), nullptr);
    // A handle that is not one of ours is refused, not followed.
    ll_cluster_t fake{nullptr, h->llc_ops};
    EXPECT_EQ(ops->signon(&fake, "x"), HA_FAIL);
    EXPECT_EQ(ops->num_nodes(nullptr), -1);
    EXPECT_EQ(ops->set_nstatus_callback(nullptr, on_node, nullptr), HA_FAIL);
    EXPECT_NE(std::string(ops->errmsg(nullptr)), "");
    // No daemon at the socket: signon fails with the reason.
    setenv("HA_API_SOCKET", "/nonexistent/register", 1);
    EXPECT_EQ(ops->signon(h.get(), nullptr), HA_FAIL);
    EXPECT_NE(std::string(ops->errmsg(h.get())).find("/nonexistent/register"), std::string::npos);
}

TEST_F(LlcApi, CasualClientQueriesEverything) {
    start(17300);
    Handle h = signon(1, nullptr);
    ll_cluster_t* hb = h.get();
    const llc_ops* ops = hb->llc_ops;
    EXPECT_STREQ(ops->get_mynodeid(hb), "n1");
    EXPECT_EQ(ops->get_deadtime(hb), 500);
    EXPECT_EQ(ops->get_keepalive(hb), 100);
    EXPECT_EQ(ops->get_logfacility(hb), -1);  // logfacility none
    EXPECT_EQ(ops->chan_is_connected(hb), 1);
    EXPECT_GE(ops->inputfd(hb), 0);
    EXPECT_EQ(ops->ipcchan(hb), nullptr);
    EXPECT_NE(std::string(ops->errmsg(hb)).find("inputfd"), std::string::npos);

    ASSERT_EQ(ops->init_nodewalk(hb), HA_OK);
    std::set<std::string> nodes;
    for (const char* n = ops->nextnode(hb); n; n = ops->nextnode(hb)) nodes.insert(n);
    EXPECT_EQ(ops->end_nodewalk(hb), HA_OK);
    EXPECT_EQ(nodes, (std::set<std::string>{"n1", "n2", "n3"}));
    EXPECT_EQ(ops->num_nodes(hb), 3);
    EXPECT_STREQ(ops->node_status(hb, "n2"), "active");
    EXPECT_STREQ(ops->node_status(hb, "n1"), "active");
    EXPECT_EQ(ops->node_status(hb, "nosuch"), nullptr);
    EXPECT_NE(std::string(ops->errmsg(hb)).find("EINVAL"), std::string::npos);
    EXPECT_EQ(ops->node_status(hb, nullptr), nullptr);
    EXPECT_EQ(ops->node_weight(hb, "n3"), 100);
    EXPECT_EQ(ops->node_weight(hb, "nosuch"), -1);
    EXPECT_STREQ(ops->node_site(hb, "n3"), "");
    EXPECT_STREQ(ops->node_type(hb, "n3"), "normal");

    ASSERT_EQ(ops->init_ifwalk(hb, "n2"), HA_OK);
    std::vector<std::string> ifs;
    for (const char* i = ops->nextif(hb); i; i = ops->nextif(hb)) ifs.emplace_back(i);
    EXPECT_EQ(ops->end_ifwalk(hb), HA_OK);
    EXPECT_EQ(ifs, std::vector<std::string>{"lo"});
    EXPECT_STREQ(ops->if_status(hb, "n2", "lo"), "up");
    EXPECT_STREQ(ops->if_status(hb, "n1", "lo"), "dead");  // our own links, as heartbeat says
    EXPECT_EQ(ops->if_status(hb, "n2", "eth9"), nullptr);
    EXPECT_EQ(ops->init_ifwalk(hb, "nosuch"), HA_FAIL);

    char* keepalive = ops->get_parameter(hb, KEY_KEEPALIVE);
    ASSERT_NE(keepalive, nullptr);
    EXPECT_STREQ(keepalive, "100ms");
    free(keepalive);
    char* deadtime = ops->get_parameter(hb, KEY_DEADTIME);
    ASSERT_NE(deadtime, nullptr);
    EXPECT_STREQ(deadtime, "500ms");
    free(deadtime);
    EXPECT_EQ(ops->get_parameter(hb, "no_such_parameter"), nullptr);
    // haresources is empty and auto_failback legacy: the held set is always none (or transition
    // while a script runs), as heartbeat 3.0.6 answers.
    const char* held = ops->get_resources(hb);
    ASSERT_NE(held, nullptr) << ops->errmsg(hb);
    EXPECT_TRUE(std::string(held) == "none" || std::string(held) == "transition") << held;

    cl_uuid_t uuid{};
    ASSERT_EQ(ops->get_uuid_by_name(hb, "n2", &uuid), HA_OK);
    char name[64] = {};
    ASSERT_EQ(ops->get_name_by_uuid(hb, &uuid, name, sizeof name), HA_OK);
    EXPECT_STREQ(name, "n2");
    EXPECT_EQ(ops->get_name_by_uuid(hb, &uuid, name, 2), HA_FAIL);  // does not fit
    EXPECT_EQ(ops->get_uuid_by_name(hb, "nosuch", &uuid), HA_FAIL);
    EXPECT_EQ(ops->get_uuid_by_name(hb, "n2", nullptr), HA_FAIL);

    EXPECT_STREQ(ops->client_status(hb, "n1", "nobody", 1000), "offline");
    EXPECT_STREQ(ops->client_status(hb, "n2", "nobody", 2000), "offline");

    // Casual clients may query, not send.
    Msg m = message("casual-hello");
    EXPECT_EQ(ops->sendclustermsg(hb, m.get()), HA_FAIL);
    EXPECT_NE(std::string(ops->errmsg(hb)).find("casual"), std::string::npos);
    EXPECT_EQ(ops->sendnodemsg(hb, m.get(), "n2"), HA_FAIL);
    EXPECT_EQ(ops->sendclustermsg(hb, nullptr), HA_FAIL);

    EXPECT_EQ(ops->setmsgsignal(hb, 0), HA_OK);
    EXPECT_EQ(ops->setmsgsignal(hb, SIGKILL), HA_FAIL);
    EXPECT_EQ(ops->setfmode(hb, LLC_FILTER_DEFAULT), HA_OK);
    EXPECT_EQ(ops->setfmode(hb, 42), HA_FAIL);
    EXPECT_EQ(ops->set_sendq_len(hb, 500), HA_OK);
    EXPECT_EQ(ops->set_sendq_len(hb, 0), HA_FAIL);
    EXPECT_EQ(ops->set_send_block_mode(hb, 0), HA_OK);
    EXPECT_EQ(ops->set_send_block_mode(hb, 1), HA_OK);
    EXPECT_STREQ(ops->node_status(hb, "n3"), "active");  // still answering after all that
    EXPECT_EQ(ops->signoff(hb, 1), HA_OK);
    EXPECT_EQ(ops->chan_is_connected(hb), 0);
    EXPECT_EQ(ops->signoff(hb, 1), HA_FAIL);
}

TEST_F(LlcApi, NamedClientsExchangeMessagesWithCallbacks) {
    start(17310);
    Handle a = signon(1, "demo");
    Handle b = signon(2, "demo");
    Handle d = signon(3, "demo");
    const llc_ops* ops = a->llc_ops;
    Seen at_b;
    ASSERT_EQ(ops->set_msg_callback(b.get(), "demo-hello", on_hello, &at_b), HA_OK);
    EXPECT_EQ(ops->set_msg_callback(b.get(), nullptr, on_hello, &at_b), HA_FAIL);

    Msg hello = message("demo-hello");
    ha_msg_add(hello.get(), "payload", "from n1");
    ASSERT_EQ(ops->sendclustermsg(a.get(), hello.get()), HA_OK) << ops->errmsg(a.get());
    EXPECT_TRUE(pump(b.get(), [&] { return at_b.has("hello n1"); }));
    // No callback on d: readmsg hands it out, with heartbeat's wire fields.
    Msg got = next_of(d.get(), "demo-hello");
    ASSERT_TRUE(got);
    EXPECT_STREQ(ha_msg_value(got.get(), "payload"), "from n1");
    EXPECT_STREQ(ha_msg_value(got.get(), F_FROMID), "demo");
    EXPECT_STREQ(ha_msg_value(got.get(), F_ORIG), "n1");
    EXPECT_TRUE(next_of(a.get(), "demo-hello"));  // its sender's namesakes get it too

    // A node message reaches that node only; by name and by UUID.
    Msg direct = message("demo-direct");
    ASSERT_EQ(ops->sendnodemsg(a.get(), direct.get(), "n3"), HA_OK);
    Msg at_d = next_of(d.get(), "demo-direct");
    ASSERT_TRUE(at_d);
    EXPECT_STREQ(ha_msg_value(at_d.get(), F_TO), "n3");
    cl_uuid_t uuid{};
    ASSERT_EQ(ops->get_uuid_by_name(a.get(), "n2", &uuid), HA_OK);
    Msg by_uuid = message("demo-uuid");
    ASSERT_EQ(ops->sendnodemsg_byuuid(a.get(), by_uuid.get(), &uuid), HA_OK);
    EXPECT_TRUE(next_of(b.get(), "demo-uuid"));
    Msg marker = message("demo-marker");
    ASSERT_EQ(ops->sendclustermsg(a.get(), marker.get()), HA_OK);
    // d sees the marker, and no demo-uuid (that one was for n2) before it.
    bool uuid_msg_seen = false;
    const bool marker_seen = read_until(d.get(), 5000, [&](Msg& o) {
        const std::string t = ha_msg_value(o.get(), F_TYPE);
        uuid_msg_seen = uuid_msg_seen || t == "demo-uuid";
        return t == "demo-marker";
    });
    EXPECT_TRUE(marker_seen);
    EXPECT_FALSE(uuid_msg_seen);

    // Ordered sends come out in order, numbered from 1.
    for (int i = 0; i < 50; ++i) {
        Msg o = message("demo-ordered");
        ha_msg_add_int(o.get(), "n", i);
        ASSERT_EQ(ops->send_ordered_clustermsg(a.get(), o.get()), HA_OK);
        Msg on = message("demo-ordered-node");
        ha_msg_add_int(on.get(), "n", i);
        ASSERT_EQ(ops->send_ordered_nodemsg(a.get(), on.get(), "n3"), HA_OK);
    }
    int next_cluster = 0, next_node = 0;
    read_until(d.get(), 5000, [&](Msg& o) {
        const std::string t = ha_msg_value(o.get(), F_TYPE);
        int n = -1;
        ha_msg_value_int(o.get(), "n", &n);
        if (t == "demo-ordered") {
            EXPECT_EQ(n, next_cluster++);
        }
        if (t == "demo-ordered-node") {
            EXPECT_EQ(n, next_node++);
        }
        return next_cluster >= 50 && next_node >= 50;
    });
    EXPECT_EQ(next_cluster, 50);
    EXPECT_EQ(next_node, 50);
    EXPECT_EQ(ops->send_ordered_nodemsg(a.get(), marker.get(), ""), HA_FAIL);
}

TEST_F(LlcApi, ClientStatusQueriesAndCallbacks) {
    start(17320);
    Handle a = signon(1, "demo");
    const llc_ops* ops = a->llc_ops;
    Seen seen;
    ASSERT_EQ(ops->set_cstatus_callback(a.get(), on_client, &seen), HA_OK);
    Handle b = signon(2, "demo");
    EXPECT_STREQ(ops->client_status(a.get(), "n2", "demo", 3000), "online");
    EXPECT_STREQ(ops->client_status(a.get(), "n3", "demo", 3000), "offline");
    EXPECT_STREQ(ops->client_status(a.get(), "n1", nullptr, 3000), "online");  // NULL: our own id
    // The join of b was announced; its sign-off is too.
    EXPECT_TRUE(pump(a.get(), [&] { return seen.has("client n2 demo join"); }));
    EXPECT_EQ(b->llc_ops->signoff(b.get(), 1), HA_OK);
    EXPECT_TRUE(pump(a.get(), [&] { return seen.has("client n2 demo leave"); }));
    // The asynchronous form: every node answers through the callback.
    Handle d = signon(3, "demo");
    EXPECT_EQ(ops->client_status(a.get(), nullptr, "demo", -1), nullptr);
    EXPECT_TRUE(pump(a.get(), [&] { return seen.has("client n3 demo online") && seen.has("client n2 demo offline"); }));
}

// Counts the status messages from `node` that readmsg hands out within `ms`.
int heartbeats_seen(ll_cluster_t* h, const char* node, int ms) {
    int n = 0;
    LlcApi::read_until(h, ms, [&](Msg& m) {
        n += ha_msg_value(m.get(), F_TYPE) == std::string("status") && ha_msg_value(m.get(), F_ORIG) == std::string(node);
        return false;
    });
    return n;
}

TEST_F(LlcApi, FilterModeAllHeartbeatsShowsUnchangedHeartbeats) {
    start(17340);
    Handle all = signon(1, "demo");
    Handle plain = signon(1, nullptr);
    ASSERT_EQ(all->llc_ops->setfmode(all.get(), LLC_FILTER_ALLHB), HA_OK) << all->llc_ops->errmsg(all.get());
    EXPECT_GE(heartbeats_seen(all.get(), "n2", 1000), 3);  // keepalive 100 ms: about 10
    EXPECT_EQ(heartbeats_seen(plain.get(), "n2", 300), 0);  // the default shows changes only
    ASSERT_EQ(all->llc_ops->setfmode(all.get(), LLC_FILTER_DEFAULT), HA_OK);
    heartbeats_seen(all.get(), "n2", 100);  // what was queued before the change
    EXPECT_EQ(heartbeats_seen(all.get(), "n2", 300), 0);
}

TEST_F(LlcApi, NodeDeathReachesTheCallbackAndTheDaemonsDisappearanceIsReported) {
    start(17330);
    Handle a = signon(1, "demo");
    const llc_ops* ops = a->llc_ops;
    Seen seen;
    ASSERT_EQ(ops->set_nstatus_callback(a.get(), on_node, &seen), HA_OK);
    c->signal(3, SIGKILL);
    EXPECT_TRUE(pump(a.get(), [&] { return seen.has("node n3 dead"); }));
    EXPECT_STREQ(ops->node_status(a.get(), "n3"), "dead");
    EXPECT_STREQ(ops->if_status(a.get(), "n3", "lo"), "dead");
    c->signal(1, SIGKILL);
    c->wait_exit(1, 5s);
    // A blocking read returns NULL instead of hanging; the handle says the daemon is gone.
    Msg last;
    for (int i = 0; i < 100; ++i) {
        last.reset(ops->readmsg(a.get(), 1));
        if (!last) break;
    }
    EXPECT_FALSE(last);
    EXPECT_EQ(ops->chan_is_connected(a.get()), 0);
    EXPECT_EQ(ops->node_status(a.get(), "n2"), nullptr);
    EXPECT_NE(std::string(ops->errmsg(a.get())), "");
    EXPECT_EQ(ops->rcvmsg(a.get(), 1), 0);
}

}  // namespace
}  // namespace hb::test

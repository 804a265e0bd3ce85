// The API's request handlers (daemon/api_requests.hpp), with plain messages and no socket: what
// each answers about the cluster, what it refuses and why, and what it changes in the client.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <signal.h>

#include "daemon/api_requests.hpp"
#include "daemon/status_report.hpp"

namespace hb::daemon {
namespace {

struct ApiRequests : ::testing::Test {
    ApiRequests() : core(config()), registry(settings, 0) {
        settings.core = core.config();
        settings.parameters["deadtime"] = "2";
        (void)core.start(0);
        client.peer = {100, 0, 0};
        client.signed_on = true;
        client.casual = false;
        client.id = "probe";
    }
    static core::CoreConfig config() {
        core::CoreConfig c;
        c.node = "n1";
        c.uuid = std::string(16, '\1');
        c.nodes = {"n1", "n2"};
        c.links = {"lo"};
        return c;
    }
    RequestReplies ask(const std::string& reqtype, Message req = {}) {
        req.set("t", "hbapi-req");
        req.set("reqtype", reqtype);
        RequestReplies out;
        RequestHandler h = find_request_handler(reqtype);
        EXPECT_TRUE(h) << reqtype;
        if (h) h(context, client, req, out);
        return out;
    }
    static Message with(std::initializer_list<std::pair<const char*, const char*>> fields) {
        Message m;
        for (const auto& [k, v] : fields) m.add(k, v);
        return m;
    }
    static std::string field(const RequestReplies& out, std::size_t i, const char* name) {
        auto v = out.replies().at(i).fields.get(name);
        return v ? std::string(*v) : "<none>";
    }

    core::Core core;
    Settings settings;
    ClientRegistry registry;
    ApiClient client;
    std::vector<Message> sent;
    std::optional<std::string> refuse_sends;
    RequestContext context{core,
                           settings,
                           registry,
                           [this](ApiClient&, Message m) {
                               sent.push_back(std::move(m));
                               return refuse_sends;
                           },
                           [this](Message m) { sent.push_back(std::move(m)); },
                           {},
                           {},
                           [this] { return status_report(5 * core::kSeconds, core, settings, registry, ""); },
                           {}};
};

TEST_F(ApiRequests, UnknownRequestTypesHaveNoHandler) {
    EXPECT_EQ(find_request_handler("signon"), nullptr);  // the server's: it changes the registry
    EXPECT_EQ(find_request_handler("nonsense"), nullptr);
}

TEST_F(ApiRequests, TheNodeWalkAnswersOnePerNodeAndEndsWithOk) {
    auto out = ask("nodelist");
    ASSERT_EQ(out.replies().size(), 2u);
    EXPECT_EQ(out.replies()[0].result, "ok/more");
    EXPECT_EQ(field(out, 0, "node"), "n1");
    EXPECT_EQ(field(out, 1, "node"), "n2");
    EXPECT_EQ(field(out, 1, "st"), "dead");  // not heard yet
    EXPECT_EQ(out.replies()[1].result, "OK");
}

TEST_F(ApiRequests, NodeAndLinkQueriesRefuseWhatDoesNotExist) {
    auto unknown = ask("nodestatus", with({{"node", "n9"}}));
    ASSERT_EQ(unknown.replies().size(), 1u);
    EXPECT_EQ(unknown.replies()[0].result, "badreq");
    EXPECT_EQ(field(unknown, 0, "info"), "EINVAL");
    EXPECT_TRUE(unknown.refused());
    auto link = ask("ifstatus", with({{"node", "n2"}, {"ifname", "eth7"}}));
    EXPECT_EQ(field(link, 0, "info"), "EINVAL");
    auto ok = ask("ifstatus", with({{"node", "n2"}, {"ifname", "lo"}}));
    EXPECT_EQ(ok.replies()[0].result, "OK");
    EXPECT_EQ(field(ok, 0, "st"), "dead");
    auto self = ask("iflist", with({{"node", "n1"}}));
    ASSERT_EQ(self.replies().size(), 1u);
    EXPECT_EQ(field(self, 0, "ifname"), "lo");
}

TEST_F(ApiRequests, ParametersAndUuidsAreAnswered) {
    EXPECT_EQ(field(ask("getparm", with({{"pname", "deadtime"}})), 0, "pvalue"), "2");
    EXPECT_EQ(field(ask("getparm", with({{"pname", "nope"}})), 0, "pvalue"), "<none>");
    EXPECT_EQ(field(ask("numnodes"), 0, "numnodes"), "2");
    Message q;
    q.add_binary("queryuuid", std::string(16, '\1'));
    EXPECT_EQ(field(ask("getnodename", q), 0, "queryname"), "n1");
}

TEST_F(ApiRequests, ResourceRequestsAreRefusedWhenNoResourceManagerRuns) {
    auto out = ask("getrsc");
    EXPECT_EQ(out.replies()[0].result, "badreq");
    EXPECT_NE(field(out, 0, "info").find("crm"), std::string::npos);
    context.getrsc = [] { return std::string("local"); };
    EXPECT_EQ(field(ask("getrsc"), 0, "rsc_hold"), "local");
}

TEST_F(ApiRequests, SetfilterAndSetsignalCheckTheirArguments) {
    EXPECT_EQ(field(ask("setfilter", with({{"fmask", "ff"}})), 0, "info"), "EINVAL");
    client.peer.uid = 1000;  // neither root nor the daemon's user
    EXPECT_EQ(field(ask("setfilter", with({{"fmask", "f"}})), 0, "info"), "EPERM");
    EXPECT_EQ(client.filter, ipc::kKeepIt);
    client.peer.uid = 0;
    int changed = 0;
    context.filter_changed = [&] { ++changed; };
    EXPECT_EQ(ask("setfilter", with({{"fmask", "f"}})).replies()[0].result, "OK");
    EXPECT_EQ(client.filter, 0xfu);
    EXPECT_EQ(changed, 1);
    Message kill;
    kill.add_int("signal", SIGKILL);
    EXPECT_EQ(field(ask("setsignal", kill), 0, "info"), "EINVAL");
    Message usr1;
    usr1.add_int("signal", SIGUSR1);
    ask("setsignal", usr1);
    EXPECT_EQ(client.signal, SIGUSR1);
    Message len;
    len.add_int("sendqlen", 500);
    EXPECT_TRUE(ask("set_sendqlen", len).replies().empty());  // heartbeat answers nothing
    EXPECT_EQ(client.queue_limit, 500u);
}

TEST_F(ApiRequests, SendmsgCarriesTheMessageOrSaysWhyNot) {
    Message inner;
    inner.add("t", "app");
    inner.add("payload", "hello");
    Message req;
    req.add_struct("msg", inner);
    EXPECT_EQ(ask("sendmsg", req).replies()[0].result, "OK");
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].get("payload"), std::optional<std::string_view>("hello"));
    refuse_sends = "the backlog is full";
    auto refused = ask("sendmsg", req);
    EXPECT_EQ(refused.replies()[0].result, "fail");
    EXPECT_EQ(field(refused, 0, "info"), "the backlog is full");
    EXPECT_EQ(field(ask("sendmsg"), 0, "info"), "no message in 'msg'");
    client.casual = true;
    EXPECT_EQ(field(ask("sendmsg", req), 0, "info"), "a casual client may not send messages");
    EXPECT_EQ(sent.size(), 2u);
}

TEST_F(ApiRequests, ClientstatusAnswersHereOrAsksTheNode) {
    auto self = ask("clientstatus", with({{"node", "n1"}, {"cn", "nobody"}}));
    EXPECT_EQ(field(self, 0, "cs"), "offline");
    auto dead = ask("clientstatus", with({{"node", "n2"}, {"cn", "x"}}));
    EXPECT_EQ(field(dead, 0, "cs"), "offline");  // n2 is not active: no question goes out
    EXPECT_TRUE(sent.empty());
}

TEST_F(ApiRequests, CountersAreOneJsonDocumentWithEveryCounterAndEachPeer) {
    auto out = ask("counters");
    ASSERT_EQ(out.replies().size(), 1u);
    auto doc = nlohmann::json::parse(field(out, 0, "json"));
    EXPECT_EQ(doc["node"], "n1");
    EXPECT_EQ(doc["counters"].size(), std::size(core::kCounterFields));
    EXPECT_EQ(doc["api"].size(), std::size(kApiCounterFields));
    EXPECT_GE(doc["counters"]["heartbeats_sent"].get<int>(), 1);
    ASSERT_EQ(doc["peers"].size(), 1u);
    EXPECT_EQ(doc["peers"][0]["name"], "n2");
    EXPECT_EQ(doc["peers"][0]["status"], "dead");
    EXPECT_TRUE(doc["peers"][0]["last_heard_ms_ago"].is_null());  // never heard
    EXPECT_EQ(doc["peers"][0]["links"][0]["name"], "lo");
    EXPECT_TRUE(doc["resources"].is_null());
}

}  // namespace
}  // namespace hb::daemon

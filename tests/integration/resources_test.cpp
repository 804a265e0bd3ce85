// The resource manager in real daemons on 127.0.0.x, with a real resource script (resource.d/rmtest:
// a marker file per node stands for "running"): start-up, SIGKILL of the holder, the return with
// auto_failback on, standby through a client's message, graceful shutdown, a script that hangs,
// and getrsc through the client library.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "heartbeat/client.hpp"
#include "loopback_cluster.hpp"

namespace hb::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class Resources : public ::testing::Test {
protected:
    // Two nodes; `groups` is the haresources text; `extra` more ha.cf lines.
    void make(int port, const std::string& groups, const std::string& extra = "auto_failback on\n") {
        c = std::make_unique<LoopbackCluster>(2, port);
        rm_dir = c->dir() + "/rm";
        fs::create_directories(rm_dir);
        for (int i : {1, 2}) {
            std::ofstream(c->node_dir(i) + "/ha.cf", std::ios::app)
                << extra << "env RMTEST_DIR=" << rm_dir << "\napiauth rmclient uid=root\napiauth anon uid=root\n";
            std::ofstream(c->node_dir(i) + "/haresources") << groups;
            fs::create_directories(c->node_dir(i) + "/resource.d");
            fs::copy_file(HB_TEST_RESOURCE_D "/rmtest", c->node_dir(i) + "/resource.d/rmtest");
        }
    }
    std::string sock(int i) const { return c->dir() + "/n" + std::to_string(i) + ".sock"; }
    bool holds(int i, const std::string& name) const { return fs::exists(rm_dir + "/n" + std::to_string(i) + "/" + name); }

    // getrsc through the client library; "" while the daemon does not answer.
    std::string getrsc(int i) {
        auto cl = Cluster::signon("", sock(i));
        if (!cl) return "";
        auto r = (*cl)->resources();
        return r ? *r : "error: " + r.error();
    }
    // Polls getrsc (a status request) until it says `want`, within `timeout`.
    bool wait_rsc(int i, const std::string& want, std::chrono::milliseconds timeout) {
        const auto until = std::chrono::steady_clock::now() + timeout;
        for (int n = 0; n < 2000 && std::chrono::steady_clock::now() < until; ++n) {
            if (getrsc(i) == want) return true;
            std::this_thread::sleep_for(50ms);
        }
        last = getrsc(i);
        return false;
    }
    // A client on node i sends a cluster message as hb_standby / hb_takeover do.
    void post(int i, const std::string& type, const std::string& set, const std::string& info = "me") {
        auto cl = Cluster::signon("rmclient", sock(i));
        ASSERT_TRUE(cl) << cl.error();
        Message m;
        m.add("t", type);
        m.add("rsc_hold", set);
        if (!info.empty()) m.add("info", info);
        auto sent = (*cl)->send_to_cluster(m);
        ASSERT_TRUE(sent) << sent.error();
    }
    std::string calls() const {
        std::ifstream in(rm_dir + "/calls");
        return std::string((std::istreambuf_iterator<char>(in)), {});
    }

    std::unique_ptr<LoopbackCluster> c;
    std::string rm_dir;
    std::string last;
};

const char* kGroups = "n1 rmtest::a1 rmtest::a2::x\nn2 rmtest::b1\n";

TEST_F(Resources, FailoverAndFailbackWithAutoFailbackOn) {
    make(17400, kGroups);
    c->start_all();
    ASSERT_TRUE(wait_rsc(1, "local", 30s)) << last;
    ASSERT_TRUE(wait_rsc(2, "local", 30s)) << last;
    EXPECT_TRUE(holds(1, "a1"));
    EXPECT_TRUE(holds(1, "a2_x"));
    EXPECT_TRUE(holds(2, "b1"));
    EXPECT_FALSE(holds(2, "a1"));
    // heartbeat's call order: the :: arguments, then the action; status before each start.
    EXPECT_NE(calls().find("n1 a2 x status\nn1 a2 x start\n"), std::string::npos) << calls();

    // The holder dies without a word: n2 takes its group once it sees n1 dead.
    c->signal(1, SIGKILL);
    c->wait_exit(1, 5s);
    ASSERT_TRUE(c->wait_for_line(2, "mach_down takeover complete for node n1", 10s));
    EXPECT_TRUE(wait_rsc(2, "all", 10s)) << last;
    EXPECT_TRUE(holds(2, "a1"));
    EXPECT_TRUE(holds(2, "a2_x"));

    // n1 "reboots" (its resources are gone with it) and comes back: auto_failback on returns them.
    fs::remove_all(rm_dir + "/n1");
    c->start(1);
    ASSERT_TRUE(wait_rsc(1, "local", 30s)) << last;
    ASSERT_TRUE(wait_rsc(2, "local", 30s)) << last;
    EXPECT_TRUE(holds(1, "a1"));
    EXPECT_FALSE(holds(2, "a1"));
    EXPECT_FALSE(holds(2, "a2_x"));
    EXPECT_TRUE(holds(2, "b1"));
}

TEST_F(Resources, StandbyAndGracefulShutdownMoveTheGroupsWithoutOverlap) {
    make(17410, kGroups);
    c->start_all();
    ASSERT_TRUE(wait_rsc(1, "local", 30s)) << last;
    ASSERT_TRUE(wait_rsc(2, "local", 30s)) << last;

    // hb_standby on n1: everything to n2.
    post(1, "ask_resources", "all");
    ASSERT_TRUE(wait_rsc(1, "none", 20s)) << last;
    ASSERT_TRUE(wait_rsc(2, "all", 20s)) << last;
    EXPECT_FALSE(holds(1, "a1"));
    EXPECT_TRUE(holds(2, "a1"));
    // n1's stops came before n2's starts.
    const std::string log = calls();
    EXPECT_LT(log.find("n1 a1 stop"), log.find("n2 a1 start")) << log;

    // hb_takeover on n1 (all): n2 runs a standby of all, n1 takes everything.
    post(1, "hb_takeover", "all", "");
    ASSERT_TRUE(wait_rsc(1, "all", 20s)) << last;
    ASSERT_TRUE(wait_rsc(2, "none", 20s)) << last;
    EXPECT_TRUE(holds(1, "b1"));
    EXPECT_FALSE(holds(2, "b1"));

    // SIGTERM on n1: it stops every group, then leaves; n2 takes over at once.
    c->signal(1, SIGTERM);
    EXPECT_EQ(c->wait_exit(1, 30s), std::optional<int>(0));
    EXPECT_FALSE(holds(1, "a1"));
    EXPECT_FALSE(holds(1, "b1"));
    EXPECT_TRUE(c->wait_for_line(2, "Received shutdown notice from 'n1'", 5s));
    EXPECT_TRUE(wait_rsc(2, "all", 10s)) << last;
    EXPECT_TRUE(holds(2, "a1"));
    EXPECT_TRUE(holds(2, "b1"));
}

TEST_F(Resources, ScriptsSeeHeartbeatsEnvironment) {
    make(17420, kGroups);
    c->start_all();
    ASSERT_TRUE(wait_rsc(1, "local", 30s)) << last;
    std::ifstream in(rm_dir + "/n1/env.a2_x");
    const std::string env((std::istreambuf_iterator<char>(in)), {});
    EXPECT_NE(env.find("HA_CURHOST=n1\n"), std::string::npos) << env;
    EXPECT_NE(env.find("HA_auto_failback=on\n"), std::string::npos) << env;
    EXPECT_NE(env.find("HA_NICEFAILBACK=yes\n"), std::string::npos) << env;
    EXPECT_NE(env.find("HA_DIR=" + c->node_dir(1) + "\n"), std::string::npos) << env;
    EXPECT_NE(env.find("RMTEST_DIR=" + rm_dir + "\n"), std::string::npos) << env;
}

TEST_F(Resources, AHangingStartTimesOutWithoutDisturbingTheCluster) {
    make(17430, "n1 rmtest::hang\nn2 rmtest::b1\n", "auto_failback on\nresource_start_timeout 1000ms\n");
    c->start_all();
    ASSERT_TRUE(c->wait_for_line(1, "timed out", 40s));
    EXPECT_TRUE(c->wait_for_line(1, "Giving up resources due to failure of rmtest::hang", 10s));
    ASSERT_TRUE(wait_rsc(2, "local", 30s)) << last;
    EXPECT_TRUE(holds(2, "b1"));
    // Heartbeats went on meanwhile: nobody was declared dead.
    for (int i : {1, 2}) {
        for (const auto& line : c->log_lines(i)) EXPECT_EQ(line.find("is dead"), std::string::npos) << line;
    }
}

TEST_F(Resources, AGroupThatCannotStopIsNotReleasedAtShutdown) {
    make(17440, "n1 rmtest::failstop\nn2 rmtest::b1\n", "auto_failback on\n");
    c->start_all();
    ASSERT_TRUE(wait_rsc(1, "local", 30s)) << last;
    ASSERT_TRUE(holds(1, "failstop"));
    c->signal(1, SIGTERM);
    ASSERT_TRUE(c->wait_for_line(1, "Resource STOP failure", 40s));
    EXPECT_TRUE(c->running(1));  // it stays, holding the group, rather than let n2 start it too
    EXPECT_FALSE(holds(2, "failstop"));
    EXPECT_EQ(getrsc(1), "local");
}

TEST_F(Resources, AMessageTypeWithAnRcdHookRunsItOnEveryNode) {
    make(17460, kGroups);
    for (int i : {1, 2}) {
        fs::create_directories(c->node_dir(i) + "/rc.d");
        const std::string hook = c->node_dir(i) + "/rc.d/my-event";
        std::ofstream(hook) << "#!/bin/sh\n# heartbeat's harc calls rc.d/<type> <type>\n"
                            << "echo \"$1 $HA_t $HA_src $HA_detail $HA_OSTATUS\" >" << rm_dir << "/hook.$HA_CURHOST\n";
        fs::permissions(hook, fs::perms::owner_all);
    }
    c->start_all();
    ASSERT_TRUE(wait_rsc(1, "local", 30s)) << last;
    auto cl = Cluster::signon("rmclient", sock(2));
    ASSERT_TRUE(cl) << cl.error();
    Message m;
    m.add("t", "my-event");
    m.add("detail", "hello");
    ASSERT_TRUE((*cl)->send_to_cluster(m));
    for (int i : {1, 2}) {
        const std::string marker = rm_dir + "/hook.n" + std::to_string(i);
        for (int n = 0; n < 200 && !fs::exists(marker); ++n) std::this_thread::sleep_for(50ms);
        std::ifstream in(marker);
        std::string line;
        std::getline(in, line);
        EXPECT_EQ(line, "my-event my-event n2 hello active") << "node " << i;
    }
}

TEST_F(Resources, GetrscIsRefusedWithPacemakerOn) {
    make(17450, "", "pacemaker on\n");
    fs::remove(c->node_dir(1) + "/haresources");
    c->start(1);
    ASSERT_TRUE(c->wait_for_line(1, "Comm_now_up", 10s));
    auto cl = Cluster::signon("", sock(1));
    ASSERT_TRUE(cl) << cl.error();
    auto r = (*cl)->resources();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("managed by crm"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace hb::test

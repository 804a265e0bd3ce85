// The heartbeat daemon as real processes on 127.0.0.1-3: membership, crash detection, restart,
// graceful leave, bad packets, configuration errors, one instance per pidfile.
#include <arpa/inet.h>
#include <sys/un.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "auth/keyring.hpp"
#include "auth/packet.hpp"
#include "ipc/frame.hpp"
#include "loopback_cluster.hpp"
#include "node_counters.hpp"

namespace hb::test {
namespace {

using namespace std::chrono_literals;

constexpr int kKeepaliveMs = 100;
constexpr int kDeadtimeMs = 500;

void expect_converged(LoopbackCluster& c, int nodes) {
    for (int i = 1; i <= nodes; ++i) {
        for (int j = 1; j <= nodes; ++j) {
            if (i == j) continue;
            EXPECT_TRUE(c.wait_for_line(i, "Status update for node n" + std::to_string(j) + ": status active", 10s))
                << "n" << i << " never saw n" << j << " active";
        }
    }
}

// Heartbeats of `peer` node `observer` has authenticated so far (its counters); -1 if it does not answer.
long long heartbeats_heard(LoopbackCluster& c, int observer, const std::string& peer) {
    auto doc = node_counters(c.socket_path(observer));
    if (!doc) return -1;
    for (const auto& p : (*doc)["peers"]) {
        if (p["name"] == peer) return p["heartbeats"].get<long long>();
    }
    return -1;
}

// Waits (bounded) until `observer` has authenticated `more` further heartbeats of `peer`.
bool hears_more(LoopbackCluster& c, int observer, const std::string& peer, long long more) {
    const long long from = heartbeats_heard(c, observer, peer);
    auto doc = wait_for_counters(c.socket_path(observer), [&](const nlohmann::json& d) {
        for (const auto& p : d["peers"]) {
            if (p["name"] == peer) return p["heartbeats"].get<long long>() >= from + more;
        }
        return false;
    }, 5s);
    return from >= 0 && doc && heartbeats_heard(c, observer, peer) >= from + more;
}

TEST(Daemon, ThreeNodesConvergeToActive) {
    LoopbackCluster c(3, 17100);
    c.start_all();
    expect_converged(c, 3);
}

TEST(Daemon, KillNineIsSeenDeadWithinDeadtime) {
    LoopbackCluster c(3, 17110);
    allow_casual_clients(c, {1, 2, 3});
    c.start_all();
    expect_converged(c, 3);
    // Steady heartbeats from n3 before it is killed, so that the death is timed from one of them.
    for (int observer : {1, 2}) ASSERT_TRUE(hears_more(c, observer, "n3", 3)) << "n" << observer;
    const long long killed = wall_ms_now();
    c.signal(3, SIGKILL);
    for (int observer : {1, 2}) {
        auto line = c.wait_for_line(observer, "node n3: is dead", 5s);
        ASSERT_TRUE(line) << "n" << observer;
        auto at = log_line_ms(*line);
        ASSERT_TRUE(at);
        const long long delay = *at - killed;
        EXPECT_GE(delay, kDeadtimeMs - kKeepaliveMs) << *line;
        EXPECT_LE(delay, kDeadtimeMs + 50) << *line;
        EXPECT_TRUE(c.wait_for_line(observer, "Link n3:lo dead.", 1s));
    }
    c.wait_exit(3, 1s);

    // Restarted, with a new generation: active again.
    const std::size_t before = c.log_lines(1).size();
    c.start(3);
    EXPECT_TRUE(c.wait_for_line(1, "Status update for node n3: status active", 10s, before));
    EXPECT_TRUE(c.wait_for_line(2, "Status update for node n3: status active", 10s, before));
}

TEST(Daemon, SigtermLeavesAndIsSeenAtOnce) {
    LoopbackCluster c(3, 17120);
    c.start_all();
    expect_converged(c, 3);
    const long long stopped = wall_ms_now();
    c.signal(2, SIGTERM);
    auto line = c.wait_for_line(1, "node n2: is dead", 5s);
    ASSERT_TRUE(line);
    EXPECT_LE(*log_line_ms(*line) - stopped, 500) << *line;
    EXPECT_EQ(c.wait_exit(2, 5s), 0);
    EXPECT_TRUE(c.wait_for_line(2, "counters: packets_received", 1s));
}

// Datagrams from a stranger on the cluster port: dropped, counted, and nobody's status changes.
TEST(Daemon, BadPacketsAreDroppedAndCounted) {
    LoopbackCluster c(2, 17130);
    allow_casual_clients(c, {1, 2});
    c.start_all();
    expect_converged(c, 2);
    const std::size_t before = c.log_lines(1).size();

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(17130);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    auto send = [&](const std::string& bytes) {
        sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    };

    auth::Keyring right, wrong;
    right.add({1, auth::Method::hmac_sha256, "integration-test-key"});
    right.set_signing_index(1);
    wrong.add({1, auth::Method::hmac_sha256, "not-the-key"});
    wrong.set_signing_index(1);
    auto status_from_n2 = [](std::uint64_t generation, std::uint64_t seq) {
        Message m;
        m.add("t", "status");
        m.add("st", "dead");
        m.add("src", "n2");
        char buf[32];
        std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(seq));
        m.add("seq", buf);
        std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(generation));
        m.add("hg", buf);
        m.add("ts", "6b05c21d");
        return m;
    };
    std::ifstream gen_file(c.state_dir(2) + "/hb_generation");
    std::uint64_t n2_generation = 0;
    gen_file >> n2_generation;
    ASSERT_GT(n2_generation, 1u);

    send("garbage");                                                   // malformed
    send("###\n11:(0)t=status,");                                       // truncated
    send(std::string(60000, 'x'));                                     // large garbage
    Message forged = status_from_n2(n2_generation, 1000000);
    send(*auth::sign_packet(forged, wrong, true));                     // bad signature
    Message replayed = status_from_n2(n2_generation - 1, 5);
    send(*auth::sign_packet(replayed, right, true));                   // older generation: replay
    Message again = status_from_n2(n2_generation, 1);
    send(*auth::sign_packet(again, right, true));                      // seq 1 again: duplicate
    close(fd);

    // Every bad packet counted, each under its reason (asked of the running daemon).
    auto counts = [](const nlohmann::json& d) { return d["counters"]; };
    auto doc = wait_for_counters(c.socket_path(1), [&](const nlohmann::json& d) {
        return counts(d)["dropped_bad_auth"] == 1 && counts(d)["dropped_malformed"] == 3 &&
               counts(d)["dropped_replay"] == 1 && counts(d)["dropped_duplicate"] >= 1;
    }, 5s);
    ASSERT_TRUE(doc) << "n1 does not answer the counters request";
    EXPECT_EQ(counts(*doc)["dropped_bad_auth"], 1) << counts(*doc);
    EXPECT_EQ(counts(*doc)["dropped_malformed"], 3) << counts(*doc);
    EXPECT_EQ(counts(*doc)["dropped_replay"], 1) << counts(*doc);
    EXPECT_GE(counts(*doc)["dropped_duplicate"], 1) << counts(*doc);
    // Membership did not change: no death, no status update after the bad packets.
    auto lines = c.log_lines(1);
    for (std::size_t k = before; k < lines.size(); ++k) {
        EXPECT_EQ(lines[k].find("Status update"), std::string::npos) << lines[k];
        EXPECT_EQ(lines[k].find("is dead"), std::string::npos) << lines[k];
    }
}

TEST(Daemon, KeysRotateWithoutDowntimeOnSighup) {
    LoopbackCluster c(2, 17160);
    allow_casual_clients(c, {1, 2});
    c.start_all();
    expect_converged(c, 2);
    auto write_keys = [&](int i, const std::string& text) {
        const std::string path = c.node_dir(i) + "/authkeys";
        std::ofstream(path) << text;
        chmod(path.c_str(), 0600);
    };
    const std::size_t before1 = c.log_lines(1).size(), before2 = c.log_lines(2).size();
    // 1: both learn the new key, still signing with the old one.
    for (int i : {1, 2}) {
        write_keys(i, "auth 1\n1 hmac-sha256 integration-test-key\n2 hmac-sha256 the-new-key\n");
        c.signal(i, SIGHUP);
        ASSERT_TRUE(c.wait_for_line(i, "SIGHUP: ha.cf and authkeys reloaded", 5s));
    }
    // 2: n1 signs with the new key and drops the old one; n2 still signs with the old key for a
    // while, which n1 keeps accepting during the switch-over window.
    write_keys(1, "auth 2\n2 hmac-sha256 the-new-key\n");
    c.signal(1, SIGHUP);
    ASSERT_TRUE(c.wait_for_line(1, "signing with key 2", 5s, before1));
    EXPECT_TRUE(hears_more(c, 2, "n1", 10));  // n1's new key is taken
    EXPECT_TRUE(hears_more(c, 1, "n2", 10));  // n2's old one still is
    write_keys(2, "auth 2\n2 hmac-sha256 the-new-key\n");
    c.signal(2, SIGHUP);
    ASSERT_TRUE(c.wait_for_line(2, "signing with key 2", 5s, before2));
    EXPECT_TRUE(hears_more(c, 1, "n2", 10));
    EXPECT_TRUE(hears_more(c, 2, "n1", 10));
    for (auto [i, before] : {std::pair{1, before1}, std::pair{2, before2}}) {
        auto lines = c.log_lines(i);
        for (std::size_t k = before; k < lines.size(); ++k) EXPECT_EQ(lines[k].find("is dead"), std::string::npos) << lines[k];
    }
    // A key nobody else has does cut the node off.
    write_keys(2, "auth 3\n3 hmac-sha256 a-key-only-n2-has\n");
    c.signal(2, SIGHUP);
    EXPECT_TRUE(c.wait_for_line(1, "node n2: is dead", 5s, before1));
}

int connect_api(const std::string& path) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

// Reads frames until a reply of `reqtype` with a final result (or EOF); returns the replies.
std::vector<Message> read_replies(int fd, const std::string& reqtype) {
    ipc::FrameReader reader;
    std::vector<Message> replies;
    char buf[4096];
    for (int i = 0; i < 1000; ++i) {
        Message m;
        std::string err;
        auto st = reader.next(m, err);
        if (st == ipc::FrameReader::Status::message) {
            if (m.get("reqtype") == std::optional<std::string_view>(reqtype)) {
                replies.push_back(m);
                if (m.get("result") != std::optional<std::string_view>("ok/more")) return replies;
            }
            continue;
        }
        if (st == ipc::FrameReader::Status::error) return replies;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) return replies;
        reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    }
    return replies;
}

Message request(const std::string& reqtype, const std::string& id) {
    Message m;
    m.add("t", "hbapi-req");
    m.add("reqtype", reqtype);
    m.add("dest", "n1");
    m.add("pid", std::to_string(getpid()));
    m.add("from_id", id);
    return m;
}

void send_msg(int fd, const Message& m) {
    auto frame = ipc::encode_frame(m);
    ASSERT_TRUE(frame.ok());
    ASSERT_EQ(write(fd, frame->data(), frame->size()), static_cast<ssize_t>(frame->size()));
}

TEST(DaemonApi, ABadClientIsDroppedAloneAndOthersAreServed) {
    LoopbackCluster c(2, 17170);
    {
        std::ofstream(c.node_dir(1) + "/ha.cf", std::ios::app) << "apiauth anon uid=root\n";
    }
    c.start_all();
    expect_converged(c, 2);
    const std::string sock = c.dir() + "/n1.sock";

    int bad = connect_api(sock);
    ASSERT_GE(bad, 0);
    const char garbage[] = "\x10\x00\x00\x00\xef\xbe\x00\x00not a heartbeat frame";
    ASSERT_GT(write(bad, garbage, sizeof garbage - 1), 0);
    char b;
    EXPECT_EQ(read(bad, &b, 1), 0);  // the daemon closed it
    close(bad);

    int good = connect_api(sock);
    ASSERT_GE(good, 0);
    const std::string me = std::to_string(getpid());
    Message signon = request("signon", me);
    signon.add("uid", std::to_string(getuid()));
    signon.add("gid", std::to_string(getgid()));
    send_msg(good, signon);
    auto r = read_replies(good, "signon");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(*r[0].get("result"), "OK");
    EXPECT_EQ(*r[0].get("keepalive"), "64");  // hex milliseconds, as heartbeat
    send_msg(good, request("nodelist", me));
    auto nodes = read_replies(good, "nodelist");
    ASSERT_EQ(nodes.size(), 2u);
    EXPECT_EQ(*nodes[0].get("result"), "ok/more");
    EXPECT_EQ(*nodes[1].get("node"), "n2");
    EXPECT_EQ(*nodes[1].get("st"), "active");
    // A casual client may not send to the cluster: it is dropped.
    Message data;
    data.add("t", "ping");
    send_msg(good, data);
    EXPECT_EQ(read(good, &b, 1), 0);
    close(good);
    EXPECT_FALSE(c.wait_for_line(1, "is dead", 300ms));
}

TEST(DaemonApi, SignOnIsRefusedWithoutApiauthOrWithForgedCredentials) {
    LoopbackCluster c(2, 17180);
    c.start(1);
    ASSERT_TRUE(c.wait_for_line(1, "starting, generation", 5s));
    int fd = connect_api(c.dir() + "/n1.sock");
    ASSERT_GE(fd, 0);
    Message signon = request("signon", "myclient");
    signon.add("uid", "12345");  // not who we are
    signon.add("gid", std::to_string(getgid()));
    send_msg(fd, signon);
    auto r = read_replies(fd, "signon");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(*r[0].get("result"), "badreq");
    close(fd);
}

struct BadConfig {
    std::string line;
    std::string expected;
};

TEST(Daemon, ConfigMistakesExitTwoWithFileAndLine) {
    LoopbackCluster c(1, 17140);
    const std::string hacf = c.node_dir(1) + "/ha.cf";
    std::string good;
    {
        std::ifstream in(hacf);
        good.assign(std::istreambuf_iterator<char>(in), {});
    }
    for (const auto& bad : {BadConfig{"frobnicate yes", "unknown directive"}, BadConfig{"keepalive 1s", "keepalive '1s'"},
                            BadConfig{"deadtime 150ms", "deadtime (150ms)"}, BadConfig{"ucast lo 999.1.1.1", "ucast peer"},
                            BadConfig{"mcast lo 10.0.0.1 694 1 0", "mcast group"}}) {
        std::ofstream(hacf) << good << bad.line << "\n";
        auto [rc, out] = LoopbackCluster::run_heartbeat({"-f", "-c", c.node_dir(1), "-n", "n1", "--state-dir",
                                                         c.state_dir(1), "--pidfile", c.dir() + "/p"});
        EXPECT_EQ(rc, 2) << out;
        EXPECT_NE(out.find(hacf + ":"), std::string::npos) << out;
        EXPECT_NE(out.find(bad.expected), std::string::npos) << out;
    }
    std::ofstream(hacf) << good;
    chmod((c.node_dir(1) + "/authkeys").c_str(), 0644);
    auto [rc, out] = LoopbackCluster::run_heartbeat({"-f", "-c", c.node_dir(1), "-n", "n1", "--state-dir",
                                                     c.state_dir(1), "--pidfile", c.dir() + "/p"});
    EXPECT_EQ(rc, 2);
    EXPECT_NE(out.find("chmod 600"), std::string::npos) << out;
}

TEST(Daemon, OneInstancePerPidfileAndStatusAndStop) {
    LoopbackCluster c(2, 17150);
    c.start(1);
    ASSERT_TRUE(c.wait_for_line(1, "starting, generation", 5s));
    const std::string pidfile = c.dir() + "/n1.pid";
    auto [rc, out] = LoopbackCluster::run_heartbeat({"-f", "-c", c.node_dir(1), "-n", "n1", "--state-dir",
                                                     c.state_dir(1), "--pidfile", pidfile});
    EXPECT_EQ(rc, 1);
    EXPECT_NE(out.find("already running"), std::string::npos) << out;
    EXPECT_EQ(LoopbackCluster::run_heartbeat({"-s", "--pidfile", pidfile}).first, 0);
    EXPECT_EQ(LoopbackCluster::run_heartbeat({"-k", "--pidfile", pidfile}).first, 0);
    EXPECT_EQ(c.wait_exit(1, 5s), 0);
    EXPECT_EQ(LoopbackCluster::run_heartbeat({"-s", "--pidfile", pidfile}).first, 3);
}

}  // namespace
}  // namespace hb::test

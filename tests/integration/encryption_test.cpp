// Encrypting authkeys methods on real daemons: the cluster forms and carries client messages of
// every size; what goes on the wire (read by a socket that n1 also sends to) shows nothing of the
// messages; replayed and altered datagrams are dropped and counted; a node with a wrong key never
// joins; keys rotate from a signing method to an encrypting one and between ciphers on SIGHUP.
#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include "loopback_cluster.hpp"
#include "node_counters.hpp"
#include "session.hpp"
#include "session_wait.hpp"

namespace hb::test {
namespace {

using namespace std::chrono_literals;
using client::Session;

void write_keys(LoopbackCluster& c, int i, const std::string& text) {
    const std::string path = c.node_dir(i) + "/authkeys";
    std::ofstream(path) << text;
    chmod(path.c_str(), 0600);
}

void allow_demo_clients(LoopbackCluster& c, int i) {
    std::ofstream(c.node_dir(i) + "/ha.cf", std::ios::app) << "apiauth demo uid=root\napiauth anon uid=root\n";
}

std::string sock(const LoopbackCluster& c, int i) { return c.dir() + "/n" + std::to_string(i) + ".sock"; }

// Starts both nodes, waits until each sees the other active, and signs a "demo" client on to each.
struct Clients {
    std::unique_ptr<Session> a, b;
};
std::optional<Clients> start_with_clients(LoopbackCluster& c) {
    c.start_all();
    if (!c.wait_for_line(1, "Status update for node n2: status active", 10s) ||
        !c.wait_for_line(2, "Status update for node n1: status active", 10s)) {
        ADD_FAILURE() << "the two nodes did not see each other active";
        return std::nullopt;
    }
    auto a = Session::signon(sock(c, 1), "demo");
    auto b = Session::signon(sock(c, 2), "demo");
    if (!a.ok() || !b.ok()) {
        ADD_FAILURE() << "sign-on: " << (a.ok() ? b.error() : a.error());
        return std::nullopt;
    }
    return Clients{std::move(a).value(), std::move(b).value()};
}

// A client message from `from` reaches `to`: proof that `to` reads what `from` now sends.
void expect_round_trip(Session& from, Session& to, const std::string& payload) {
    Message m;
    m.add("t", "demo-sealed");
    m.add("payload", payload);
    auto sent = from.send(m);
    ASSERT_TRUE(sent.ok()) << sent.error();
    std::optional<Message> got;
    for (int i = 0; i < 10; ++i) {  // earlier messages of the test may still be queued
        got = next_of(to, "demo-sealed");
        if (!got || got->get("payload") == m.get("payload")) break;
    }
    ASSERT_TRUE(got) << payload.substr(0, 40);
    EXPECT_EQ(got->get("payload"), m.get("payload"));
}

// Node i's core counters once `holds` is true of them (bounded), asked of the running daemon.
nlohmann::json counters_once(LoopbackCluster& c, int i, const std::function<bool(const nlohmann::json&)>& holds) {
    auto doc = wait_for_counters(c.socket_path(i), [&](const nlohmann::json& d) { return holds(d["counters"]); }, 5s);
    return doc ? (*doc)["counters"] : nlohmann::json();
}

void expect_no_death(LoopbackCluster& c, int i, std::size_t from_line) {
    auto lines = c.log_lines(i);
    for (std::size_t k = from_line; k < lines.size(); ++k) EXPECT_EQ(lines[k].find("is dead"), std::string::npos) << lines[k];
}

TEST(Encryption, ClusterCarriesMessagesAndTheWireShowsNothingOfThem) {
    LoopbackCluster c(2, 17500);
    for (int i : {1, 2}) {
        write_keys(c, i, "auth 1\n1 aes-256-gcm an-encryption-test-secret\n");
        allow_demo_clients(c, i);
    }
    // n1 also sends everything to 127.0.0.9, where this test reads the wire.
    std::ofstream(c.node_dir(1) + "/ha.cf", std::ios::app) << "ucast lo 127.0.0.9\n";
    struct Fd {
        int fd;
        ~Fd() { close(fd); }
    } owned{socket(AF_INET, SOCK_DGRAM, 0)};
    const int wire = owned.fd;
    ASSERT_GE(wire, 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_port = htons(17500);
    inet_pton(AF_INET, "127.0.0.9", &at.sin_addr);
    ASSERT_EQ(bind(wire, reinterpret_cast<sockaddr*>(&at), sizeof at), 0);

    auto clients = start_with_clients(c);
    ASSERT_TRUE(clients);
    Session& a = *clients->a;
    Session& b = *clients->b;
    // One datagram, and fragments: encryption seals each of them.
    expect_round_trip(a, b, "the-plaintext-payload-marker");
    expect_round_trip(a, b, printable_noise(200000, 7));
    expect_round_trip(b, a, "the-reply-payload-marker");

    std::vector<std::string> captured;
    char buf[70000];
    for (int i = 0; i < 5000; ++i) {  // what is queued now
        ssize_t n = recv(wire, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0) break;
        captured.emplace_back(buf, static_cast<std::size_t>(n));
    }
    ASSERT_GE(captured.size(), 10u);
    for (const std::string& d : captured) {
        EXPECT_EQ(d.substr(0, 4), "HBAE");
        // Markers long enough not to turn up in random bytes by chance.
        for (const char* plain : {"src=n1", "seq=", "status", "payload-marker", "###\n", "%%%\n", "an-encryption-test-secret"}) {
            EXPECT_EQ(d.find(plain), std::string::npos) << plain;
        }
    }

    // What n1 sent last (n2 had started long before), sent again to n2: replays. One of them
    // altered: not ours.
    sockaddr_in n2{};
    n2.sin_family = AF_INET;
    n2.sin_port = htons(17500);
    inet_pton(AF_INET, "127.0.0.2", &n2.sin_addr);
    for (int k = 0; k < 5; ++k) {
        const std::string& d = captured[captured.size() - 1 - static_cast<std::size_t>(k)];
        sendto(wire, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&n2), sizeof n2);
    }
    std::string altered = captured.back();
    altered[altered.size() / 2] ^= 0x20;
    sendto(wire, altered.data(), altered.size(), 0, reinterpret_cast<sockaddr*>(&n2), sizeof n2);
    expect_round_trip(a, b, "after-the-replays");  // n2 read the replays before this
    expect_no_death(c, 1, 0);
    expect_no_death(c, 2, 0);

    auto counters = counters_once(c, 2, [](const nlohmann::json& k) {
        return k["dropped_replayed_packet"] == 5 && k["dropped_bad_auth"] == 1;
    });
    EXPECT_EQ(counters["dropped_replayed_packet"], 5) << counters;
    EXPECT_EQ(counters["dropped_bad_auth"], 1) << counters;
}

TEST(Encryption, ANodeWithAWrongKeyNeverJoinsAndIsCounted) {
    LoopbackCluster c(3, 17510);
    allow_casual_clients(c, {1});
    write_keys(c, 1, "auth 1\n1 chacha20-poly1305 the-cluster-secret\n");
    write_keys(c, 2, "auth 1\n1 chacha20-poly1305 the-cluster-secret\n");
    write_keys(c, 3, "auth 1\n1 chacha20-poly1305 a-wrong-secret\n");
    c.start_all();
    ASSERT_TRUE(c.wait_for_line(1, "Status update for node n2: status active", 10s));
    // n3 has been sending heartbeats all through its initdead.
    ASSERT_TRUE(c.wait_for_line(3, "Comm_now_up()", 10s));
    ASSERT_TRUE(c.wait_for_line(1, "Comm_now_up()", 10s));
    auto counters = counters_once(c, 1, [](const nlohmann::json& k) { return k["dropped_bad_auth"] > 0; });
    EXPECT_GT(counters["dropped_bad_auth"], 0) << counters;
    for (int i : {1, 2}) {
        for (const auto& line : c.log_lines(i)) EXPECT_EQ(line.find("node n3: status"), std::string::npos) << line;
    }
    for (const auto& line : c.log_lines(3)) EXPECT_EQ(line.find("status active"), std::string::npos) << line;
}

TEST(Encryption, KeysRotateFromSigningToEncryptingAndBetweenCiphersOnSighup) {
    LoopbackCluster c(2, 17520);
    for (int i : {1, 2}) allow_demo_clients(c, i);
    auto clients = start_with_clients(c);
    ASSERT_TRUE(clients);
    Session& a = *clients->a;
    Session& b = *clients->b;
    const std::size_t before1 = c.log_lines(1).size(), before2 = c.log_lines(2).size();
    auto reload = [&](int i, const std::string& keys) {
        const std::size_t from = c.log_lines(i).size();
        write_keys(c, i, keys);
        c.signal(i, SIGHUP);
        ASSERT_TRUE(c.wait_for_line(i, "SIGHUP: ha.cf and authkeys reloaded", 5s, from)) << keys;
    };
    // From the HMAC key the cluster started with to AES-GCM, then to ChaCha20-Poly1305: each time
    // both learn the new key, n1 then n2 sign with it (the other still reads it), the old one goes.
    const std::string hmac = "1 hmac-sha256 integration-test-key\n";
    const std::string gcm = "2 aes-256-gcm the-second-key\n";
    const std::string chacha = "3 chacha20-poly1305 the-third-key\n";
    for (auto [old_key, new_key, old_index, new_index] :
         {std::tuple{hmac, gcm, "1", "2"}, std::tuple{gcm, chacha, "2", "3"}}) {
        for (int i : {1, 2}) reload(i, std::string("auth ") + old_index + "\n" + old_key + new_key);
        reload(1, std::string("auth ") + new_index + "\n" + old_key + new_key);
        expect_round_trip(a, b, std::string("n1 signs with key ") + new_index);
        reload(2, std::string("auth ") + new_index + "\n" + old_key + new_key);
        expect_round_trip(b, a, std::string("n2 signs with key ") + new_index);
        for (int i : {1, 2}) reload(i, std::string("auth ") + new_index + "\n" + new_key);
        expect_round_trip(a, b, std::string("only key ") + new_index + " is left");
        expect_round_trip(b, a, std::string("only key ") + new_index + " is left, back");
    }
    expect_no_death(c, 1, before1);
    expect_no_death(c, 2, before2);
}

}  // namespace
}  // namespace hb::test

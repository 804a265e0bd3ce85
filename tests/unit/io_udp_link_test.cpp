// A ucast link on real sockets (127.0.0.x): send_to reaches one peer only, send reaches every peer,
// and drain tells which peer's address a datagram came from (whatever its source port).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "io/udp_link.hpp"

namespace hb::io {
namespace {

constexpr std::uint16_t kPort = 17917;

sockaddr_in address(const char* ip, std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

// A plain UDP socket standing for a peer at `ip` (bound to the cluster port, as a daemon is).
class Peer {
public:
    explicit Peer(const char* ip, std::uint16_t port = kPort) : fd_(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in a = address(ip, port);
        EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << ip;
    }
    ~Peer() { close(fd_); }
    // What arrives within `ms`, or empty.
    std::string receive(int ms = 1000) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, ms) != 1) return {};
        char buf[256];
        ssize_t n = recv(fd_, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    }
    void send(const std::string& bytes, const char* to) {
        sockaddr_in a = address(to, kPort);
        ASSERT_EQ(sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a),
                  static_cast<ssize_t>(bytes.size()));
    }

private:
    int fd_;
};

std::unique_ptr<UdpLink> open_link() {
    LinkSpec spec;
    spec.name = "lo";
    spec.kind = MediumKind::ucast;
    spec.bind_address = "127.0.0.1";
    spec.port = kPort;
    spec.peers = {"127.0.0.1", "127.0.0.2", "127.0.0.3"};  // ha.cf lists every node, ourselves too
    auto link = UdpLink::open(spec);
    EXPECT_TRUE(link.ok()) << (link.ok() ? "" : link.error());
    return link.ok() ? std::move(link).value() : nullptr;
}

TEST(UdpLink, SendToReachesOnePeerAndSendReachesAll) {
    Peer two("127.0.0.2"), three("127.0.0.3");
    auto link = open_link();
    ASSERT_TRUE(link);
    link->send_to("for three", 1);  // destinations: .2, .3 (our own address is left out)
    EXPECT_EQ(three.receive(), "for three");
    EXPECT_EQ(two.receive(100), "");
    link->send("for all");
    EXPECT_EQ(two.receive(), "for all");
    EXPECT_EQ(three.receive(), "for all");
    link->send_to("unknown destination: all", -1);
    EXPECT_EQ(two.receive(), "unknown destination: all");
    EXPECT_EQ(three.receive(), "unknown destination: all");
}

TEST(UdpLink, DrainTellsWhichPeerSentADatagram) {
    auto link = open_link();
    ASSERT_TRUE(link);
    Peer three("127.0.0.3", 0), stranger("127.0.0.9", 0);  // any source port
    three.send("from three", "127.0.0.1");
    stranger.send("from a stranger", "127.0.0.1");
    std::vector<std::pair<std::string, int>> got;
    for (int i = 0; i < 100 && got.size() < 2; ++i) {
        pollfd p{link->fd(), POLLIN, 0};
        poll(&p, 1, 10);
        link->drain(8, [&](std::string_view bytes, int from, std::string_view) { got.emplace_back(std::string(bytes), from); });
    }
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], std::make_pair(std::string("from three"), 1));
    EXPECT_EQ(got[1], std::make_pair(std::string("from a stranger"), -1));
}

}  // namespace
}  // namespace hb::io

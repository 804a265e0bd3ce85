#include "io/udp_link.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "msg/limits.hpp"

namespace hb::io {

namespace {

bool is_v6(MediumKind k) { return k == MediumKind::ucast6 || k == MediumKind::mcast6; }

bool make_address(const std::string& text, std::uint16_t port, bool v6, sockaddr_storage& out, socklen_t& len) {
    std::memset(&out, 0, sizeof out);
    if (v6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&out);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        if (!text.empty() && inet_pton(AF_INET6, text.c_str(), &a->sin6_addr) != 1) return false;
        len = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&out);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        if (!text.empty() && inet_pton(AF_INET, text.c_str(), &a->sin_addr) != 1) return false;
        len = sizeof *a;
    }
    return true;
}

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

Result<std::unique_ptr<UdpLink>> UdpLink::open(const LinkSpec& spec) {
    std::unique_ptr<UdpLink> link(new UdpLink(spec));
    const bool v6 = is_v6(spec.kind);
    link->fd_ = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (link->fd_ < 0) return make_error(errno_text("socket"));
    const int fd = link->fd_;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rcvbuf = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (!v6) {
        int tos = IPTOS_LOWDELAY;
        setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos);
    }
    if (!spec.device.empty() && spec.bind_address.empty()) {
        // Needs CAP_NET_RAW; without it the socket still works, bound by address instead.
        if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, spec.device.c_str(),
                       static_cast<socklen_t>(spec.device.size())) != 0) {
            link->warnings_.push_back(errno_text(("SO_BINDTODEVICE " + spec.device).c_str()));
        }
    }

    sockaddr_storage local{};
    socklen_t local_len = 0;
    // Multicast and broadcast receivers must bind the wildcard to hear the group/broadcast.
    const bool wildcard = spec.kind == MediumKind::bcast || spec.kind == MediumKind::mcast ||
                          spec.kind == MediumKind::mcast6 || spec.bind_address.empty();
    if (!make_address(wildcard ? "" : spec.bind_address, spec.port, v6, local, local_len)) {
        return make_error("invalid bind address '" + spec.bind_address + "'");
    }
    if (bind(fd, reinterpret_cast<sockaddr*>(&local), local_len) != 0) {
        return make_error(errno_text(("bind port " + std::to_string(spec.port)).c_str()));
    }

    auto add_destination = [&](const std::string& addr) -> bool {
        sockaddr_storage d{};
        socklen_t len = 0;
        if (!make_address(addr, spec.port, v6, d, len)) return false;
        link->destinations_.push_back(d);
        link->destination_lengths_.push_back(len);
        return true;
    };

    switch (spec.kind) {
        case MediumKind::ucast:
        case MediumKind::ucast6:
            for (const auto& peer : spec.peers) {
                if (peer == spec.bind_address) continue;  // the same ha.cf lists every node
                if (!add_destination(peer)) return make_error("invalid peer address '" + peer + "'");
            }
            break;
        case MediumKind::bcast: {
            setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
            ifreq ifr{};
            std::strncpy(ifr.ifr_name, spec.device.c_str(), IFNAMSIZ - 1);
            if (ioctl(fd, SIOCGIFBRDADDR, &ifr) != 0) return make_error(errno_text(("broadcast address of " + spec.device).c_str()));
            char text[INET_ADDRSTRLEN];
            const in_addr brd = reinterpret_cast<sockaddr_in*>(&ifr.ifr_broadaddr)->sin_addr;
            if (brd.s_addr == htonl(INADDR_ANY)) {
                return make_error("device " + spec.device + " has no broadcast address (ip addr add ... brd + dev " +
                                  spec.device + ")");
            }
            inet_ntop(AF_INET, &brd, text, sizeof text);
            add_destination(text);
            break;
        }
        case MediumKind::mcast: {
            ip_mreqn req{};
            if (inet_pton(AF_INET, spec.group.c_str(), &req.imr_multiaddr) != 1) return make_error("invalid group");
            req.imr_ifindex = static_cast<int>(if_nametoindex(spec.device.c_str()));
            if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &req, sizeof req) != 0) {
                return make_error(errno_text(("join " + spec.group).c_str()));
            }
            setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &req, sizeof req);
            unsigned char ttl = static_cast<unsigned char>(spec.ttl), loop = spec.loop ? 1 : 0;
            setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
            setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop);
            add_destination(spec.group);
            break;
        }
        case MediumKind::mcast6: {
            ipv6_mreq req{};
            if (inet_pton(AF_INET6, spec.group.c_str(), &req.ipv6mr_multiaddr) != 1) return make_error("invalid group");
            req.ipv6mr_interface = if_nametoindex(spec.device.c_str());
            if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &req, sizeof req) != 0) {
                return make_error(errno_text(("join " + spec.group).c_str()));
            }
            int hops = spec.ttl, loop = spec.loop ? 1 : 0;
            unsigned ifindex = req.ipv6mr_interface;
            setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex);
            setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops);
            setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof loop);
            add_destination(spec.group);
            break;
        }
    }
    link->buffer_.resize(kMaxWireBytes + 1);
    return link;
}

UdpLink::~UdpLink() {
    if (fd_ >= 0) close(fd_);
}

void UdpLink::send_one(std::string_view datagram, std::size_t i) {
    ssize_t n = sendto(fd_, datagram.data(), datagram.size(), MSG_DONTWAIT,
                       reinterpret_cast<const sockaddr*>(&destinations_[i]), destination_lengths_[i]);
    if (n < 0) {
        ++stats_.send_errors;
    } else {
        ++stats_.sent;
    }
}

void UdpLink::send(std::string_view datagram) {
    for (std::size_t i = 0; i < destinations_.size(); ++i) send_one(datagram, i);
}

void UdpLink::send_to(std::string_view datagram, int destination) {
    if (destination < 0 || static_cast<std::size_t>(destination) >= destinations_.size()) return send(datagram);
    send_one(datagram, static_cast<std::size_t>(destination));
}

// The address only: a peer's source port is whatever its socket got (spec: never filter on it).
int UdpLink::destination_of(const sockaddr_storage& from) const {
    for (std::size_t i = 0; i < destinations_.size(); ++i) {
        const sockaddr_storage& d = destinations_[i];
        if (d.ss_family != from.ss_family) continue;
        if (from.ss_family == AF_INET) {
            if (reinterpret_cast<const sockaddr_in&>(d).sin_addr.s_addr ==
                reinterpret_cast<const sockaddr_in&>(from).sin_addr.s_addr) {
                return static_cast<int>(i);
            }
        } else if (from.ss_family == AF_INET6) {
            if (std::memcmp(&reinterpret_cast<const sockaddr_in6&>(d).sin6_addr,
                            &reinterpret_cast<const sockaddr_in6&>(from).sin6_addr, sizeof(in6_addr)) == 0) {
                return static_cast<int>(i);
            }
        }
    }
    return -1;
}

namespace {

std::string_view address_bytes(const sockaddr_storage& from) {
    if (from.ss_family == AF_INET) {
        const auto& a = reinterpret_cast<const sockaddr_in&>(from).sin_addr;
        return {reinterpret_cast<const char*>(&a), sizeof a};
    }
    if (from.ss_family == AF_INET6) {
        const auto& a = reinterpret_cast<const sockaddr_in6&>(from).sin6_addr;
        return {reinterpret_cast<const char*>(&a), sizeof a};
    }
    return {};
}

}  // namespace

void UdpLink::drain(std::size_t max_datagrams, const OnDatagram& on_datagram) {
    for (std::size_t i = 0; i < max_datagrams; ++i) {
        sockaddr_storage from{};
        socklen_t from_len = sizeof from;
        ssize_t n = recvfrom(fd_, buffer_.data(), buffer_.size(), MSG_DONTWAIT | MSG_TRUNC,
                             reinterpret_cast<sockaddr*>(&from), &from_len);
        if (n < 0) return;  // EAGAIN: drained (other errors: try again on the next readiness)
        ++stats_.received;
        if (static_cast<std::size_t>(n) >= buffer_.size()) {
            ++stats_.oversized;
            continue;
        }
        on_datagram(std::string_view(buffer_.data(), static_cast<std::size_t>(n)), destination_of(from),
                    address_bytes(from));
    }
}

}  // namespace hb::io

#include "io/icmp_echo.hpp"

#include <arpa/inet.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "msg/limits.hpp"

namespace hb::io {

namespace {

constexpr std::uint8_t kEchoRequest4 = 8, kEchoReply4 = 0;
constexpr std::size_t kEchoHeader = 8;  // type, code, checksum, identifier, sequence

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// RFC 1071's ones'-complement sum. ICMPv4 raw sockets leave it to us; for ICMPv6 the kernel
// computes it (it covers a pseudo-header only the kernel knows).
std::uint16_t internet_checksum(const std::uint8_t* data, std::size_t n) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
    if (n % 2) sum += static_cast<std::uint32_t>(data[n - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

std::vector<std::uint8_t> echo_request(std::uint8_t type, std::uint16_t id, std::uint16_t seq, std::string_view payload) {
    std::vector<std::uint8_t> out(kEchoHeader + payload.size());
    out[0] = type;
    out[4] = static_cast<std::uint8_t>(id >> 8);
    out[5] = static_cast<std::uint8_t>(id);
    out[6] = static_cast<std::uint8_t>(seq >> 8);
    out[7] = static_cast<std::uint8_t>(seq);
    std::memcpy(out.data() + kEchoHeader, payload.data(), payload.size());
    return out;
}

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

}  // namespace

std::string numeric_address(std::string_view text) {
    const std::string s(text);
    char buf[INET6_ADDRSTRLEN] = {};
    in6_addr a6{};
    in_addr a4{};
    if (inet_pton(AF_INET, s.c_str(), &a4) == 1 && inet_ntop(AF_INET, &a4, buf, sizeof buf)) return buf;
    if (inet_pton(AF_INET6, s.c_str(), &a6) == 1 && inet_ntop(AF_INET6, &a6, buf, sizeof buf)) return buf;
    return s;
}

Result<std::unique_ptr<IcmpEcho>> IcmpEcho::open(bool v4, bool v6, std::uint16_t identifier) {
    std::unique_ptr<IcmpEcho> e(new IcmpEcho(identifier));
    if (v4) {
        e->fd4_ = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
        if (e->fd4_ < 0) return make_error(errno_text("raw ICMP socket (ping nodes need CAP_NET_RAW)"));
        icmp_filter filter{};
        filter.data = ~(1U << kEchoReply4);  // the bits set are the types dropped
        setsockopt(e->fd4_, SOL_RAW, ICMP_FILTER, &filter, sizeof filter);
    }
    if (v6) {
        e->fd6_ = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
        if (e->fd6_ < 0) return make_error(errno_text("raw ICMPv6 socket (ping nodes need CAP_NET_RAW)"));
        icmp6_filter filter{};
        ICMP6_FILTER_SETBLOCKALL(&filter);
        ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
        setsockopt(e->fd6_, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
    }
    return e;
}

IcmpEcho::~IcmpEcho() {
    if (fd4_ >= 0) close(fd4_);
    if (fd6_ >= 0) close(fd6_);
}

std::optional<std::string> IcmpEcho::send(const std::string& address, std::string_view payload) {
    sockaddr_storage to{};
    socklen_t len = 0;
    int fd = -1;
    std::vector<std::uint8_t> packet;
    ++sequence_;
    if (auto* a = reinterpret_cast<sockaddr_in*>(&to); inet_pton(AF_INET, address.c_str(), &a->sin_addr) == 1) {
        a->sin_family = AF_INET;
        len = sizeof *a;
        fd = fd4_;
        packet = echo_request(kEchoRequest4, identifier_, sequence_, payload);
        const std::uint16_t sum = internet_checksum(packet.data(), packet.size());
        packet[2] = static_cast<std::uint8_t>(sum >> 8);
        packet[3] = static_cast<std::uint8_t>(sum);
    } else if (auto* a6 = reinterpret_cast<sockaddr_in6*>(&to); inet_pton(AF_INET6, address.c_str(), &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        len = sizeof *a6;
        fd = fd6_;
        packet = echo_request(ICMP6_ECHO_REQUEST, identifier_, sequence_, payload);
    } else {
        return "'" + address + "' is not an address";
    }
    if (fd < 0) {
        return "no ICMP socket for " + address;
    }
    if (sendto(fd, packet.data(), packet.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to), len) < 0) {
        return errno_text("sendto");
    }
    return std::nullopt;
}

void IcmpEcho::drain(int fd, int max,
                     const std::function<void(const std::string& address, std::string_view payload)>& on_reply,
                     const std::function<void()>& on_stray) {
    static thread_local std::vector<std::uint8_t> buf(kMaxDatagramBytes + 128);
    for (int n = 0; n < max; ++n) {
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        const ssize_t got = recvfrom(fd, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &len);
        if (got < 0) return;  // EAGAIN, or an error the next round sees again
        const auto size = static_cast<std::size_t>(got);
        std::size_t offset = 0;
        std::uint8_t reply_type = ICMP6_ECHO_REPLY;
        char text[INET6_ADDRSTRLEN] = {};
        if (fd == fd4_) {
            // A raw IPv4 socket reads the IP header too.
            if (size < 20) {
                on_stray();
                continue;
            }
            offset = static_cast<std::size_t>(buf[0] & 0x0f) * 4;
            reply_type = kEchoReply4;
            inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&from)->sin_addr, text, sizeof text);
        } else {
            inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr, text, sizeof text);
        }
        if (size < offset + kEchoHeader || buf[offset] != reply_type || be16(&buf[offset + 4]) != identifier_) {
            on_stray();
            continue;
        }
        const auto* payload = reinterpret_cast<const char*>(buf.data() + offset + kEchoHeader);
        on_reply(text, std::string_view(payload, size - offset - kEchoHeader));
    }
}

}  // namespace hb::io

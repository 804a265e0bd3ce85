// One heartbeat medium ("link"): a UDP socket that receives on the cluster port and sends every
// datagram to all of the medium's destinations (unicast peers, the broadcast address, or a
// multicast group). Several `ucast` lines on one device are one link with several peers.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace hb::io {

enum class MediumKind { ucast, bcast, mcast, ucast6, mcast6 };

struct LinkSpec {
    std::string name;          // what clients see as the interface name (the device)
    MediumKind kind = MediumKind::ucast;
    std::string device;        // SO_BINDTODEVICE when permitted
    std::string bind_address;  // local address to bind (empty: any)
    std::uint16_t port = 694;
    std::vector<std::string> peers;  // ucast destinations
    std::string group;               // mcast group
    int ttl = 1;
    bool loop = false;
};

struct LinkStats {
    std::uint64_t sent = 0;
    std::uint64_t send_errors = 0;
    std::uint64_t received = 0;
    std::uint64_t oversized = 0;  // datagrams larger than heartbeat's MAXMSG: dropped
};

class UdpLink {
public:
    static Result<std::unique_ptr<UdpLink>> open(const LinkSpec& spec);
    ~UdpLink();
    UdpLink(const UdpLink&) = delete;
    UdpLink& operator=(const UdpLink&) = delete;

    int fd() const { return fd_; }
    const LinkSpec& spec() const { return spec_; }
    const LinkStats& stats() const { return stats_; }
    const std::vector<std::string>& warnings() const { return warnings_; }

    // Never blocks: a full socket buffer drops the datagram and counts it.
    void send(std::string_view datagram);
    // To one destination only (an index as drain() reports it); to all if out of range.
    void send_to(std::string_view datagram, int destination);
    // Reads what is waiting (at most `max_datagrams`), calling `on_datagram` for each with the
    // index of the destination whose address sent it (a ucast peer), or -1 for none, and the
    // sender's address (the raw 4 or 16 bytes).
    using OnDatagram = std::function<void(std::string_view bytes, int destination, std::string_view address)>;
    void drain(std::size_t max_datagrams, const OnDatagram& on_datagram);

private:
    explicit UdpLink(LinkSpec spec) : spec_(std::move(spec)) {}

    LinkSpec spec_;
    int fd_ = -1;
    std::vector<sockaddr_storage> destinations_;
    std::vector<socklen_t> destination_lengths_;
    std::vector<char> buffer_;
    LinkStats stats_;
    void send_one(std::string_view datagram, std::size_t destination);
    int destination_of(const sockaddr_storage& from) const;
    std::vector<std::string> warnings_;
};

}  // namespace hb::io

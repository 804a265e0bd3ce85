// The ping nodes' medium: raw ICMP and ICMPv6 sockets that send echo requests carrying a payload
// of ours and hand back the payloads of echo replies. Which replies count, and what a payload
// means, is decided above (the daemon checks the signature, the core the sender): this file only
// frames ICMP. One identifier per daemon (heartbeat 3.0.6 uses one per node too); the kernel's
// ICMP filter keeps everything but echo replies out of the sockets.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace hb::io {

// "10.0.0.1", "fe80::1": the form inet_ntop writes, so that addresses compare as text; the text
// itself when it is no address.
std::string numeric_address(std::string_view text);

class IcmpEcho {
public:
    // Needs CAP_NET_RAW. Opens only the families asked for.
    static Result<std::unique_ptr<IcmpEcho>> open(bool v4, bool v6, std::uint16_t identifier);
    ~IcmpEcho();
    IcmpEcho(const IcmpEcho&) = delete;
    IcmpEcho& operator=(const IcmpEcho&) = delete;

    int fd4() const { return fd4_; }  // -1 when not opened
    int fd6() const { return fd6_; }

    // Never blocks. The reason when the datagram could not be sent (no route, a blackhole, ...).
    std::optional<std::string> send(const std::string& address, std::string_view payload);
    // Reads what waits on `fd` (at most `max`): `on_reply(address, payload)` for each echo reply
    // with our identifier, `on_stray()` for any other datagram.
    void drain(int fd, int max, const std::function<void(const std::string& address, std::string_view payload)>& on_reply,
               const std::function<void()>& on_stray);

private:
    IcmpEcho(std::uint16_t identifier) : identifier_(identifier) {}
    int fd4_ = -1;
    int fd6_ = -1;
    std::uint16_t identifier_;
    std::uint16_t sequence_ = 0;
};

}  // namespace hb::io

// The addresses the daemon can add itself, without forking IPaddr2 or IPaddr (ha.cf
// `native_ipaddr on`, ours): an IPv4 address with its prefix and interface given. Everything else
// (no interface: the agent finds one from the routes; IPv6; an option we do not carry out) stays
// with the agent. The arguments are read exactly as the agent mapping reads them (command.cpp),
// so both paths put the same address, broadcast and label on the same interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace hb::agents {

struct NativeAddress {
    std::uint32_t address = 0;    // network byte order
    int prefix = 0;               // 1..32
    std::string nic;              // e.g. eth0
    std::string label;            // e.g. eth0:vip, or empty
    // Network byte order. 0: as IPaddr2's findif decides, the broadcast of the interface's own
    // address in the same subnet (none if it has none).
    std::uint32_t broadcast = 0;
    std::string text;             // "10.0.0.5/24 dev eth0", for logs
};

// The native form of an IPaddr2 / IPaddr resource, or nullopt when it must go to the agent.
std::optional<NativeAddress> native_address(const config::Resource& resource);

}  // namespace hb::agents

#include "agents/native_address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <map>

#include "agents/command.hpp"

namespace hb::agents {

namespace {

// The OCF parameters the agent mapping gives this resource (as if the agent were installed).
std::map<std::string, std::string> ocf_parameters(const config::Resource& r) {
    Lookup l;
    l.resource_dir = "/nonexistent";
    l.init_dir = {};
    const std::string agent = l.ocf_root + "/resource.d/heartbeat/" + r.type;
    l.is_executable = [agent](const std::string& p) { return p == agent; };
    std::map<std::string, std::string> out;
    auto cmd = resolve(r, Action::start, l);
    if (!cmd) return out;
    for (const auto& e : cmd->env) {
        const auto eq = e.find('=');
        if (e.rfind("OCF_RESKEY_", 0) == 0 && eq != std::string::npos) out[e.substr(11, eq - 11)] = e.substr(eq + 1);
    }
    return out;
}

std::optional<std::uint32_t> ipv4(const std::string& text) {
    in_addr a{};
    if (inet_pton(AF_INET, text.c_str(), &a) != 1) return std::nullopt;
    return a.s_addr;
}

// "24" or a dotted netmask such as "255.255.255.0" (IPaddr's form).
std::optional<int> prefix_of(const std::string& text) {
    int n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && end == text.data() + text.size()) {
        if (n >= 1 && n <= 32) return n;
        return std::nullopt;
    }
    auto mask = ipv4(text);
    if (!mask) return std::nullopt;
    const std::uint32_t m = ntohl(*mask);
    const int bits = __builtin_popcount(m);
    if (bits == 0 || m != (~std::uint32_t{0} << (32 - bits))) return std::nullopt;  // not contiguous
    return bits;
}

}  // namespace

std::optional<NativeAddress> native_address(const config::Resource& r) {
    if (r.type != "IPaddr2" && r.type != "IPaddr") return std::nullopt;
    auto p = ocf_parameters(r);
    // Only what both agents do with these parameters alone: lvs_support is the mapping's own.
    for (const auto& [k, v] : p) {
        if (k != "ip" && k != "cidr_netmask" && k != "nic" && k != "broadcast" && k != "lvs_support") return std::nullopt;
    }
    NativeAddress a;
    const auto ip = ipv4(p["ip"]);
    const auto prefix = prefix_of(p["cidr_netmask"]);
    std::string nic = p["nic"];
    if (!ip || !prefix || nic.empty()) return std::nullopt;
    a.address = *ip;
    a.prefix = *prefix;
    if (const auto colon = nic.find(':'); colon != std::string::npos) {
        a.label = nic;  // the kernel's label is the whole "eth0:vip", as the agents set it
        nic.resize(colon);
    }
    if (nic.empty() || nic.size() >= 16) return std::nullopt;
    a.nic = nic;
    if (!p["broadcast"].empty()) {
        auto b = ipv4(p["broadcast"]);  // "+" and "-" (the agent's derived forms) stay with the agent
        if (!b) return std::nullopt;
        a.broadcast = *b;
    }
    a.text = p["ip"] + "/" + std::to_string(a.prefix) + " dev " + a.nic + (a.label.empty() ? "" : " label " + a.label);
    return a;
}

}  // namespace hb::agents

// What our nodes say in their heartbeats that they can do beyond heartbeat 3.0.6: a field
// `hbcaps` with a comma-separated list (3.0.6 ignores fields it does not know, and never sends it).
// "bundle": reads several packets in one datagram (daemon/bundler.hpp); "frag": reassembles a
// message sent in fragments (core/fragments.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hb::core {

inline constexpr std::string_view kCapsField = "hbcaps";
inline constexpr std::string_view kCapBundle = "bundle";
inline constexpr std::string_view kCapFragments = "frag";

inline bool has_capability(std::optional<std::string_view> caps, std::string_view cap) {
    if (!caps) return false;
    std::string_view rest = *caps;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        if (rest.substr(0, comma) == cap) return true;
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return false;
}

inline std::string join_capabilities(const std::vector<std::string>& caps) {
    std::string out;
    for (const auto& c : caps) out += (out.empty() ? "" : ",") + c;
    return out;
}

}  // namespace hb::core

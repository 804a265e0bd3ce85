// Vocabulary of the protocol core: time, node and link states.
#pragma once

#include <cstdint>
#include <string_view>

namespace hb::core {

// Monotonic time in microseconds, from whatever origin the driver chose. The core never reads a
// clock: every entry point is told the time.
using Micros = std::int64_t;
inline constexpr Micros kMillis = 1000;
inline constexpr Micros kSeconds = 1000 * kMillis;
inline constexpr Micros kNever = INT64_MAX;

// Node states as heartbeat reports them. `init`, `up` and `active` are what a node says of itself
// in its status heartbeats; `dead` is what we conclude of a silent node; `ping` is a ping node
// that answers (ping_nodes.hpp).
enum class NodeStatus { init, up, active, dead, ping };
std::string_view to_string(NodeStatus s);

enum class LinkStatus { up, dead };
std::string_view to_string(LinkStatus s);

}  // namespace hb::core

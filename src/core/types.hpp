// Vocabulary of the protocol core: time, node and link states.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/micros.hpp"

namespace hb::core {

// The core's time is the project's (common/micros.hpp): it never reads a clock, every entry point
// is told the time.
using hb::kMillis;
using hb::kNever;
using hb::kSeconds;
using hb::Micros;

// Node states as heartbeat reports them. `init`, `up` and `active` are what a node says of itself
// in its status heartbeats; `dead` is what we conclude of a silent node; `ping` is a ping node
// that answers (ping_nodes.hpp).
enum class NodeStatus { init, up, active, dead, ping };
std::string_view to_string(NodeStatus s);

enum class LinkStatus { up, dead };
std::string_view to_string(LinkStatus s);

}  // namespace hb::core

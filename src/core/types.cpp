#include "core/types.hpp"

namespace hb::core {

std::string_view to_string(NodeStatus s) {
    switch (s) {
        case NodeStatus::init: return "init";
        case NodeStatus::up: return "up";
        case NodeStatus::active: return "active";
        case NodeStatus::dead: return "dead";
        case NodeStatus::ping: return "ping";
    }
    return "unknown";
}

std::string_view to_string(LinkStatus s) { return s == LinkStatus::up ? "up" : "dead"; }

}  // namespace hb::core

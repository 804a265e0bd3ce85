// What the core asks its driver to do. Effects are returned in the order they must happen.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/types.hpp"
#include "msg/message.hpp"

namespace hb::core {

inline constexpr int kAllLinks = -1;

// Put a message on the wire: on one link (medium) or on every link. The driver adds nothing but the
// signature (auth field and trailer) and the encoding.
struct Send {
    int link = kAllLinks;
    Message msg;
    // The one node that needs it (messages with `dest`), or empty for every node. Heartbeat puts
    // every packet in front of every node; a driver that can address a single peer may use this.
    std::string to;
    // msg in netstring form, when the core encoded it anyway (for its send history): a driver
    // that sends netstrings need not encode it again. Null otherwise.
    std::shared_ptr<const std::string> encoded = nullptr;
};

// Why a message is handed to clients: heartbeat's filter treatments (spec §5.3). Only `keep`
// messages are made unless the driver asked for the others (Core::set_promiscuous), for clients
// whose filter mode asks to see them.
enum class Treatment {
    keep,              // for us: client data, status changes, link and client events
    unchanged_status,  // a heartbeat that changed nothing (heartbeat's NOCHANGE)
    duplicate,         // a packet seen before (DUPLICATE)
    not_for_us,        // addressed to another node (DROPIT)
};

// Hand a message to the local API clients (the driver routes it by `to_id`/filters): client data
// from any node, our own included, and heartbeat's status/ifstat/clstat notifications.
struct Deliver {
    Message msg;
    Treatment treatment = Treatment::keep;
};

struct NodeChange {
    std::string node;
    NodeStatus from;
    NodeStatus to;
    bool left = false;  // to dead because it said goodbye (shutdone), not because it fell silent
};

// Every peer was heard from or given up at initdead (heartbeat's "comm up"): we are active now.
// Peers still dead at this point never spoke since we started.
struct CommUp {};

struct LinkChange {
    std::string node;
    int link = 0;  // index into CoreConfig::links; -1 for a ping node's own link
    LinkStatus to;
    std::string ifname;  // the link's name as clients see it
};

// Send an ICMP echo request to a ping node's address with this message, signed as a packet, as
// its payload (heartbeat 3.0.6's NS_st); the reply carries it back (Core::ping_reply).
struct Probe {
    std::string address;
    Message payload;
};

// Sending is paused while too many of our messages are unacknowledged (heartbeat's flow control).
struct FlowChange {
    bool paused = false;
};

// Something worth logging that is not a state change (late heartbeat, replay attempt, ...).
struct Notice {
    int level = 0;  // syslog-style: 3 error, 4 warning, 6 info, 7 debug
    std::string text;
};

using Effect = std::variant<Send, Deliver, NodeChange, LinkChange, FlowChange, Notice, CommUp, Probe>;
using Effects = std::vector<Effect>;

}  // namespace hb::core

// What the resource manager asks its driver to do, in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "msg/message.hpp"
#include "resources/group_action.hpp"

namespace hb::resources {

// Run one resource script: the `resource`-th resource of haresources group `group`, with `action`.
// The driver answers with Manager::script_done(id, ...).
struct RunScript {
    std::uint64_t id = 0;
    std::size_t group = 0;
    std::size_t resource = 0;
    Action action = Action::status;
};

// Run the hook script of a message type (heartbeat's rc.d/<type>, which harc runs as
// `rc.d/<type> <type>`), with HA_<field>=<value> for each string field of the message. Answered
// with Manager::script_done(id, ...) like a RunScript.
struct RunHook {
    std::uint64_t id = 0;
    std::string type;
    std::vector<std::pair<std::string, std::string>> fields;
};

// A cluster message from this node (broadcast; the driver sends it as any of our messages, and,
// as heartbeat does, our own copy comes back through Manager::message).
struct SendMessage {
    Message msg;
};

struct Log {
    int level = 6;  // syslog-style: 2 critical, 3 error, 4 warning, 6 info, 7 debug
    std::string text;
};

// A graceful shutdown has given up every group: the node may leave the cluster now.
struct LeaveCluster {};

// Reset (power-cycle) `node` through the STONITH device, or with an empty node check the
// device's status. Answered with Manager::stonith_done(id, ok, detail).
struct RunStonith {
    std::uint64_t id = 0;
    std::string node;
};

using Effect = std::variant<RunScript, RunHook, SendMessage, Log, LeaveCluster, RunStonith>;
using Effects = std::vector<Effect>;

}  // namespace hb::resources

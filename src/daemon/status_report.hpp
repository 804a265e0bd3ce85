// The daemon's live figures as one JSON document: the core's counters, the API server's, what
// this node saw of each peer and each of its links, each client's queue, and the resource
// manager's state. Answers the counters request (cl_status counters); docs/protocol.md §6.8
// lists the keys.
#pragma once

#include <string>

#include "core/core.hpp"
#include "daemon/client_registry.hpp"
#include "daemon/settings.hpp"

namespace hb::daemon {

// `resources`: the resource manager's status JSON, empty when it does not run; `children`: the
// respawn children's (ChildDriver::status_json), empty when there are none.
std::string status_report(core::Micros now, const core::Core& core, const Settings& settings,
                          const ClientRegistry& clients, const std::string& resources,
                          const std::string& children = "");

}  // namespace hb::daemon

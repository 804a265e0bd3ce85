// The daemon's figures as Prometheus metrics: what `metrics_listen` serves (metrics_server.hpp).
// Counters of the core and the API server, every node's and link's status as this node sees it
// (gauges), each peer's heartbeat intervals (a histogram), its deaths and repairs. The names are
// listed in docs/protocol.md §6.9; packaging/grafana-dashboard.json draws them.
#pragma once

#include <string>

#include "core/core.hpp"
#include "daemon/client_registry.hpp"
#include "daemon/settings.hpp"

namespace hb::daemon {

// The text exposition format (version 0.0.4, exposition.hpp).
std::string metrics_text(core::Micros now, const core::Core& core, const Settings& settings, const ClientRegistry& clients);

}  // namespace hb::daemon

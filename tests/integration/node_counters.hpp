// A running node's counters and state, asked through the API (the counters request, as
// `cl_status counters --json` asks), so that tests wait for a count to change instead of sleeping
// or reading the line a daemon logs at exit.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <initializer_list>
#include <string>

#include "loopback_cluster.hpp"

namespace hb::test {

// The counters request is a casual client's: apiauth anon for root, in these nodes' ha.cf
// (before they start; a test that adds its own anon line does not call this).
void allow_casual_clients(LoopbackCluster& c, std::initializer_list<int> nodes);

// Node's document (docs/protocol.md §6.8), or nullopt when its daemon does not answer.
std::optional<nlohmann::json> node_counters(const std::string& socket_path);

// Asks until `holds` is true of the document (bounded by `timeout`); the last document, or
// nullopt when the daemon never answered.
std::optional<nlohmann::json> wait_for_counters(const std::string& socket_path,
                                                const std::function<bool(const nlohmann::json&)>& holds,
                                                std::chrono::milliseconds timeout);

}  // namespace hb::test

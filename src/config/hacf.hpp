// ha.cf: heartbeat's main configuration file (man ha.cf of heartbeat 3.0.6, spec §6).
#pragma once

#include <string>
#include <string_view>

#include "config/config.hpp"
#include "config/diagnostics.hpp"

namespace hb::config {

// Parses and validates ha.cf text into `out`. `local_node` (may be empty) must be declared unless
// autojoin is "any". Problems go to `diag`, each with file:line.
void parse_hacf(std::string_view text, const std::string& filename, const std::string& local_node, Config& out,
                Diagnostics& diag);

// The syslog facility value for a name ("daemon", "local0", ...); nullopt when unknown.
std::optional<int> facility_from_name(std::string_view name);

}  // namespace hb::config

// Resource scripts that are not there: heartbeat 3.0.6 starts anyway (a script may be installed
// later) and the group's start fails when it runs; we say so earlier, as warnings tied to
// haresources lines, from hbconfig check and in the daemon's log at start.
#pragma once

#include <string>
#include <vector>

#include "agents/command.hpp"
#include "config/config.hpp"
#include "config/diagnostics.hpp"

namespace hb::agents {

// One warning per resource that resolve() cannot find or accept, naming `haresources_path`:line.
void check_scripts(const std::vector<config::ResourceGroup>& groups, const std::string& haresources_path,
                   const Lookup& lookup, config::Diagnostics& diag);

}  // namespace hb::agents

// Turns a validated configuration and the command line into the daemon's Settings.
#pragma once

#include <string>

#include "config/config.hpp"
#include "daemon/settings.hpp"

namespace hb::daemon {

struct CommandLine {
    std::string config_dir = "/etc/ha.d";
    std::string node;        // empty: uname -n
    std::string bind;        // overrides ha.cf's bind
    std::string socket = "/var/run/heartbeat/register";
    std::string state_dir = "/var/lib/heartbeat";
    std::string pidfile = "/var/run/heartbeat.pid";
    bool foreground = false;
    int debug = 0;
};

std::string local_node_name();  // uname -n, lowercased

// Several `ucast` lines on one device become one link with several peers; each bcast device and
// each mcast line is a link of its own.
std::vector<io::LinkSpec> links_from_media(const config::Config& cfg, const std::string& bind);

Settings settings_from_config(const config::Config& cfg, const CommandLine& cmd, const std::string& node);

}  // namespace hb::daemon

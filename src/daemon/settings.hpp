// Everything the running daemon needs, derived from the validated configuration and the command
// line: one plain value, so the runtime never looks at ha.cf text.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"

#include "auth/keyring.hpp"
#include "core/core.hpp"
#include "daemon/logger.hpp"
#include "io/udp_link.hpp"

namespace hb::daemon {

struct Settings {
    core::CoreConfig core;              // node names, timers, seed (generation/uuid filled at start)
    std::vector<io::LinkSpec> links;    // one per medium device
    auth::Keyring keys;
    bool inner_auth = true;             // msgfmt classic: add the inner auth field
    LogTargets log;
    int debug_level = 0;
    std::string state_dir = "/var/lib/heartbeat";
    std::string pidfile = "/var/run/heartbeat.pid";
    std::string api_socket = "/var/run/heartbeat/register";
    std::string config_dir = "/etc/ha.d";
    bool realtime = false;
    // For the client API: get_parameter's answers and who may sign on.
    std::map<std::string, std::string> parameters;
    std::vector<config::ApiAuth> apiauth;
    // The resource manager (off with `pacemaker on`, as heartbeat's): haresources and its mode.
    bool manage_resources = true;
    std::vector<config::ResourceGroup> resource_groups;
    config::AutoFailback auto_failback = config::AutoFailback::legacy;
    config::ResourceTimeouts resource_timeouts_ms;
    bool native_ipaddr = false;  // IPaddr2/IPaddr carried out by NativeIp where it can
    std::string metrics_address;  // ha.cf metrics_listen (ours); empty: no OpenMetrics endpoint
    int metrics_port = 0;
    std::map<std::string, std::string> script_env;  // ha.cf `env NAME=value`
    std::vector<config::Respawn> children;
    std::optional<config::StonithDevice> stonith;  // ha.cf stonith / stonith_host for this node  // ha.cf respawn and failfast lines, in file order
    std::string logfacility_name;                    // as written in ha.cf, for HA_LOGFACILITY
};

}  // namespace hb::daemon

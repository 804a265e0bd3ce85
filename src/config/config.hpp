// One validated configuration: ha.cf, authkeys and haresources of a config directory.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/keyring.hpp"

namespace hb::config {

enum class MediumKind { ucast, bcast, mcast, ucast6, mcast6, serial };

struct Medium {
    MediumKind kind = MediumKind::ucast;
    std::string device;               // for bcast: each device is its own medium
    std::string address;              // ucast peer / mcast group
    int port = 0;                     // udpport, or mcast's own port
    int ttl = 1;                      // mcast
    bool loop = false;                // mcast
    int line = 0;
};

struct PingGroup {
    std::string name;
    std::vector<std::string> addresses;
};

struct ApiAuth {
    std::string client;
    std::vector<uid_t> uids;
    std::vector<gid_t> gids;
    int line = 0;  // 0: built in
};

struct Respawn {
    std::string user;
    std::string command;
    bool failfast = false;
    int line = 0;
};

// A STONITH device of cluster-glue (`stonith TYPE FILE`, or `stonith_host FROM TYPE PARAMS...`
// when FROM is `*` or this node): how this node resets a dead peer.
struct StonithDevice {
    std::string type;        // a cluster-glue plugin: `null`, `external/ssh`, `ipmilan`, ...
    std::string config_file; // `stonith`: its parameters file (stonith -F)
    std::string params;      // `stonith_host`: its parameters (stonith -p)
    int line = 0;
};

struct AuthKeys {
    int sign_index = -1;
    std::vector<auth::Key> keys;
    std::int64_t mtime = 0;  // heartbeat re-reads the file when it changes
    auth::Keyring keyring() const;
};

struct Resource {
    std::string text;                // as written: "IPaddr2::10.0.0.5/24", "10.0.0.5" (a group's key)
    std::string type;                // "IPaddr", "Filesystem", a script name
    std::vector<std::string> args;
};

struct ResourceGroup {
    std::string node;
    std::vector<Resource> resources;
    int line = 0;
};

enum class AutoFailback { on, off, legacy };

// Ours (heartbeat 3.0.6 waits for ever): how long one resource script call may run before it is
// killed and counts as failed.
struct ResourceTimeouts {
    std::int64_t start = 120000;
    std::int64_t stop = 120000;
    std::int64_t status = 60000;
};
enum class Autojoin { none, other, any };

struct Config {
    std::vector<std::string> nodes;  // lowercased, in order, no duplicates
    std::vector<Medium> media;
    std::vector<std::string> ping_nodes;
    std::vector<PingGroup> ping_groups;
    std::int64_t keepalive_ms = 1000;
    std::int64_t deadtime_ms = 30000;
    std::int64_t warntime_ms = 15000;
    std::int64_t initdead_ms = 60000;
    std::int64_t deadping_ms = 30000;
    std::int64_t max_rexmit_delay_ms = 250;
    int udpport = 694;
    int hopfudge = 1;
    int debug = 0;
    AutoFailback auto_failback = AutoFailback::legacy;
    ResourceTimeouts resource_timeouts_ms;
    bool native_ipaddr = false;      // ours: IPaddr2/IPaddr addresses added by the daemon, no agent
    Autojoin autojoin = Autojoin::none;
    int logfacility = -1;            // syslog facility value; -1: none
    std::string logfile;
    std::string debugfile;
    bool uuid_from_nodename = false;
    bool msgfmt_netstring = false;
    std::string compression = "zlib";
    int compression_threshold_kib = 2;
    bool traditional_compression = false;
    bool hbgen_from_time = false;
    bool realtime = true;
    bool pacemaker = false;
    std::string bind_address;        // ours: local address the UDP sockets bind to
    // ours: where the OpenMetrics endpoint listens (`metrics_listen 127.0.0.1:9694`,
    // `metrics_listen [::1]:9694`); empty: no endpoint.
    std::string metrics_address;
    int metrics_port = 0;
    std::vector<ApiAuth> apiauth;
    std::vector<Respawn> respawn;
    std::optional<StonithDevice> stonith;  // the last one read that applies to this node
    std::map<std::string, std::string> env;

    AuthKeys authkeys;
    std::vector<ResourceGroup> resources;

    // get_parameter / hbparameter: the value exactly as written in ha.cf, or heartbeat's default.
    std::optional<std::string> parameter(const std::string& name) const;
    std::map<std::string, std::string> parameters;  // directive -> value as written (or computed)
    const ApiAuth* apiauth_for(const std::string& client) const;
};

}  // namespace hb::config

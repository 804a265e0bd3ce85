// The environment resource scripts and agents run in.
//
// heartbeat 3.0.6's scripts inherit the daemon's environment plus what the daemon sets at start
// (its directories, log files, date format, OCF root, local node name, debug level), one
// HA_<directive>=<value> per recorded ha.cf parameter and the `env NAME=value` lines of ha.cf; each
// child adds HA_LOGD and, outside auto_failback legacy, HA_NICEFAILBACK=yes; the shell helpers
// then fill HA_BIN, HA_FIFO, HA_RESOURCEDIR, ... where still unset, put heartbeat's directories
// first in PATH, and unset LC_ALL and LANGUAGE. script_environment builds that result directly.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace hb::agents {

struct EnvironmentInput {
    std::vector<std::string> base;          // NAME=value inherited, e.g. from `environ`
    std::string node;                       // HA_CURHOST: the local node name
    std::string config_dir = "/etc/ha.d";   // HA_DIR; HA_FUNCS, HA_RESOURCEDIR, HA_RCDIR below it
    std::string state_dir = "/var/lib/heartbeat";  // HA_FIFO = <state_dir>/fifo
    std::string bin_dir = "/usr/libexec/heartbeat";  // HA_BIN: heartbeat's helper programs
    std::string ocf_root = "/usr/lib/ocf";
    std::string logfile;                    // HA_LOGFILE, when not empty
    std::string debugfile;                  // HA_DEBUGLOG; empty: /dev/null, as the scripts default it
    std::string logfacility;                // HA_LOGFACILITY ("none", "daemon", ...), when not empty
    int debug = 0;                          // HA_debug, when not 0
    std::string datefmt = "%Y/%m/%d_%T\t";  // HA_DATEFMT
    std::map<std::string, std::string> parameters;  // recorded ha.cf parameters: HA_<name>=<value>
    std::map<std::string, std::string> env;         // ha.cf `env NAME=value`
    config::AutoFailback auto_failback = config::AutoFailback::legacy;
    bool use_logd = false;                  // HA_LOGD=yes|no
    std::vector<std::string> extra;         // NAME=value for this child only (HA_DONTASK, hook fields)
    bool drop_locale_overrides = true;      // remove LC_ALL and LANGUAGE, as the shell helpers do
};

// NAME=value entries, one per name, sorted by name. Precedence, lowest first: the helpers' defaults
// (HA_BIN, HA_FIFO, HA_RESOURCEDIR, HA_RCDIR, HA_DOCDIR, OCF_AGENTS), `base`, the daemon's own
// settings, `parameters`, `env`, the per-child HA_LOGD / HA_NICEFAILBACK, `extra`. Then PATH is
// HA_BIN, /usr/sbin, /usr/share/heartbeat and the remaining entries of the resulting PATH (empty
// entries, "." and repeats of those three dropped; a standard list when there was none).
std::vector<std::string> script_environment(const EnvironmentInput& input);

// `base` with `overrides` applied (a later entry replaces an earlier one of the same name); one
// entry per name, sorted by name. E.g. merge_environment(script_environment(in), command.env).
std::vector<std::string> merge_environment(const std::vector<std::string>& base,
                                           const std::vector<std::string>& overrides);

}  // namespace hb::agents

// Which program a haresources resource runs, with which arguments and environment.
//
// heartbeat's v1 resource manager runs a resource "type::arg1::arg2" as the script <type> found in
// the resource directory (<config-dir>/resource.d) or, failing that, in /etc/init.d, called as
// `<script> arg1 arg2 <action>`; such a script's `status` is judged by what it prints. heartbeat
// 3.0.6 also shipped, in resource.d, small wrappers that turn the positional arguments of well-known
// types (IPaddr2, Filesystem, MailTo, ...) into OCF_RESKEY_* parameters and run the OCF agent of the
// same name. When no script of such a name is installed, we do the wrapper's work here and run the
// agent directly (`<agent> start|stop|monitor`, parameters in the environment, judged by exit
// code), so a node needs resource-agents but not 3.0.6's wrapper scripts.
//
// Nothing here runs a program: the only contact with the filesystem is the injected probe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "config/config.hpp"

namespace hb::agents {

enum class Action { start, stop, status };

// How the result of a call is read (see verdict.hpp).
enum class Judge {
    heartbeat_text,  // heartbeat-style script: status by its printed text, start/stop by exit code
    ocf_exit,        // OCF agent: every action by its exit code
};

struct Command {
    std::string path;               // the program to execute
    std::vector<std::string> argv;  // argv[0] = path, then the resource's args, then the action word
                                    // (an OCF agent gets only {path, start|stop|monitor})
    std::vector<std::string> env;   // NAME=value to add to the scripts' environment for this call
    Judge judge = Judge::heartbeat_text;
};

struct Lookup {
    std::string resource_dir;            // <config-dir>/resource.d
    std::string init_dir = "/etc/init.d";
    std::string ocf_root = "/usr/lib/ocf";
    // True for a regular file we may execute; empty: is_regular_executable below.
    std::function<bool(const std::string&)> is_executable;
};

// The word a heartbeat-style script gets for an action: "start", "stop", "status".
std::string_view action_word(Action action);

// The real probe: `path` is a regular file (after symlinks) executable by our effective ids.
bool is_regular_executable(const std::string& path);

// The command for one call of `action` on `resource`. Errors: no script and no OCF agent found
// ("cannot locate resource script <type> (looked in ...)"), arguments an OCF-mapped type does not
// accept, the generic OCF:: wrapper (not supported yet), a type that is not a plain file name.
Result<Command> resolve(const config::Resource& resource, Action action, const Lookup& lookup);

// The types run as an OCF agent (of the same name, provider heartbeat) when no script is found.
std::vector<std::string_view> ocf_mapped_types();

}  // namespace hb::agents

// Building the resource scripts' environment: a name -> value map filled in order of precedence,
// then PATH rewritten and the result flattened to NAME=value strings.
#include "agents/environment.hpp"

#include <string_view>

namespace hb::agents {
namespace {

using Env = std::map<std::string, std::string>;

void set(Env& env, std::string_view name, std::string_view value) {
    env[std::string(name)] = std::string(value);
}

// NAME=value; anything without '=' or with an empty name is ignored.
void set_entry(Env& env, std::string_view entry) {
    std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0) return;
    set(env, entry.substr(0, eq), entry.substr(eq + 1));
}

std::string below(std::string_view dir, std::string_view name) {
    std::string p(dir);
    if (!p.empty() && p.back() != '/') p += '/';
    p += name;
    return p;
}

std::vector<std::string> flatten(const Env& env) {
    std::vector<std::string> out;
    out.reserve(env.size());
    for (const auto& [name, value] : env) {
        std::string entry = name;
        entry += '=';
        entry += value;
        out.push_back(std::move(entry));
    }
    return out;
}

std::string heartbeat_path(const std::string& bin, const std::string* old) {
    static const std::string standard = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    std::vector<std::string> parts = {bin, "/usr/sbin", "/usr/share/heartbeat"};
    std::string_view rest = old ? std::string_view(*old) : std::string_view(standard);
    while (true) {
        std::size_t colon = rest.find(':');
        std::string_view part = rest.substr(0, colon);
        bool seen = false;
        for (const auto& p : parts) seen = seen || p == part;
        if (!part.empty() && part != "." && !seen) parts.emplace_back(part);
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    std::string path;
    for (const auto& p : parts) {
        if (!path.empty()) path += ':';
        path += p;
    }
    return path;
}

}  // namespace

std::vector<std::string> script_environment(const EnvironmentInput& in) {
    Env env;
    // What the shell helpers set only when it is still unset.
    set(env, "HA_BIN", in.bin_dir);
    set(env, "HA_FIFO", below(in.state_dir, "fifo"));
    set(env, "HA_RESOURCEDIR", below(in.config_dir, "resource.d"));
    set(env, "HA_RCDIR", below(in.config_dir, "rc.d"));
    set(env, "HA_DOCDIR", "/usr/share/doc/heartbeat");
    set(env, "OCF_AGENTS", below(in.ocf_root, "resource.d/heartbeat/"));

    for (const auto& entry : in.base) set_entry(env, entry);

    // The daemon's own settings.
    set(env, "HA_DIR", in.config_dir);
    set(env, "HA_FUNCS", below(in.config_dir, "shellfuncs"));
    set(env, "HA_DATEFMT", in.datefmt);
    set(env, "OCF_ROOT", in.ocf_root);
    set(env, "HA_CURHOST", in.node);
    if (!in.logfile.empty()) set(env, "HA_LOGFILE", in.logfile);
    set(env, "HA_DEBUGLOG", in.debugfile.empty() ? std::string("/dev/null") : in.debugfile);
    if (!in.logfacility.empty()) set(env, "HA_LOGFACILITY", in.logfacility);
    if (in.debug != 0) set(env, "HA_debug", std::to_string(in.debug));

    for (const auto& [name, value] : in.parameters) {
        std::string key = "HA_";
        key += name;
        set(env, key, value);
    }
    for (const auto& [name, value] : in.env) set(env, name, value);

    set(env, "HA_LOGD", in.use_logd ? "yes" : "no");
    if (in.auto_failback != config::AutoFailback::legacy) set(env, "HA_NICEFAILBACK", "yes");
    else env.erase("HA_NICEFAILBACK");

    for (const auto& entry : in.extra) set_entry(env, entry);

    auto old_path = env.find("PATH");
    set(env, "PATH", heartbeat_path(env["HA_BIN"], old_path == env.end() ? nullptr : &old_path->second));

    if (in.drop_locale_overrides) {
        env.erase("LC_ALL");
        env.erase("LANGUAGE");
    }
    return flatten(env);
}

std::vector<std::string> merge_environment(const std::vector<std::string>& base,
                                           const std::vector<std::string>& overrides) {
    Env env;
    for (const auto& entry : base) set_entry(env, entry);
    for (const auto& entry : overrides) set_entry(env, entry);
    return flatten(env);
}

}  // namespace hb::agents

#include "daemon/resource_driver.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "agents/environment.hpp"
#include "agents/native_address.hpp"
#include "agents/script_check.hpp"
#include "agents/verdict.hpp"
#include "config/stonith_types.hpp"
#include "io/clock.hpp"

extern char** environ;

namespace hb::daemon {

namespace {

// heartbeat runs rc.d/<type> for a message of type <type> when such a file exists (read once, at
// start, as heartbeat reads the directory once).
std::vector<std::string> hook_types(const std::string& rc_dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(rc_dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (agents::is_regular_executable(entry.path().string()) && !resources::Manager::handles_natively(name)) {
            out.push_back(name);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<const config::ResourceGroup*> groups_with_resources(const Settings& s) {
    std::vector<const config::ResourceGroup*> out;
    for (const auto& g : s.resource_groups) {
        if (!g.resources.empty()) out.push_back(&g);
    }
    return out;
}

// The manager's group i is groups[i]: RunScript names groups by that index.
resources::ManagerConfig manager_config(const Settings& s, const std::vector<const config::ResourceGroup*>& groups) {
    resources::ManagerConfig c;
    c.hooks = hook_types(s.config_dir + "/rc.d");
    c.node = s.core.node;
    c.nodes = s.core.nodes;
    c.auto_failback = s.auto_failback;
    c.stonith = s.stonith.has_value();
    for (const auto* g : groups) c.groups.push_back({g->resources.front().text, g->node, g->resources.size()});
    return c;
}

std::vector<std::string> inherited_environment() {
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
    return out;
}

}  // namespace

std::vector<std::string> script_environment_of(const Settings& settings) {
    agents::EnvironmentInput in;
    in.base = inherited_environment();
    in.node = settings.core.node;
    in.config_dir = settings.config_dir;
    in.state_dir = settings.state_dir;
    in.logfile = settings.log.logfile;
    in.debugfile = settings.log.debugfile;
    in.logfacility = settings.logfacility_name;
    in.debug = settings.debug_level;
    in.parameters = settings.parameters;
    in.env = settings.script_env;
    in.auto_failback = settings.auto_failback;
    return agents::script_environment(in);
}

namespace {

agents::Lookup lookup_for(const Settings& s) {
    agents::Lookup l;
    l.resource_dir = s.config_dir + "/resource.d";
    return l;
}

// A script's output, one log line per line.
void log_output(Logger& log, const std::string& what, const std::string& output) {
    std::istringstream in(output);
    std::string line;
    for (int n = 0; n < 200 && std::getline(in, line); ++n) {
        if (!line.empty()) log.info(what + ": " + line);
    }
}

}  // namespace

ResourceDriver::ResourceDriver(const Settings& settings, io::Reactor& reactor, Logger& log, Hooks hooks)
    : settings_(settings),
      log_(log),
      hooks_(std::move(hooks)),
      groups_(groups_with_resources(settings)),
      manager_(manager_config(settings, groups_)),
      runner_(reactor, log, [this](ScriptOutcome o) { finished(o); }),
      native_(log),
      lookup_(lookup_for(settings)),
      environment_(script_environment_of(settings)) {
    for (const auto& line : missing_scripts(settings)) log_.warn(line);
}

std::vector<std::string> ResourceDriver::missing_scripts(const Settings& settings) {
    config::Diagnostics diag;
    agents::check_scripts(settings.resource_groups, settings.config_dir + "/haresources", lookup_for(settings), diag);
    std::vector<std::string> out;
    for (const auto& d : diag.items()) out.push_back(config::format(d));
    return out;
}

core::Micros ResourceDriver::timeout_for(resources::Action action) const {
    const auto& t = settings_.resource_timeouts_ms;
    switch (action) {
        case resources::Action::start: return t.start * core::kMillis;
        case resources::Action::stop: return t.stop * core::kMillis;
        case resources::Action::status: return t.status * core::kMillis;
    }
    return t.status * core::kMillis;
}

void ResourceDriver::apply(core::Micros now, resources::Effects effects) {
    for (auto& e : effects) {
        if (auto* send = std::get_if<resources::SendMessage>(&e)) {
            hooks_.send(std::move(send->msg));
        } else if (auto* run_script = std::get_if<resources::RunScript>(&e)) {
            run(now, *run_script);
        } else if (auto* hook = std::get_if<resources::RunHook>(&e)) {
            run_hook(now, *hook);
        } else if (auto* line = std::get_if<resources::Log>(&e)) {
            log_.log(line->level, line->text);
        } else if (std::holds_alternative<resources::LeaveCluster>(e)) {
            hooks_.leave();
        } else if (auto* st = std::get_if<resources::RunStonith>(&e)) {
            run_stonith(now, *st);
        }
    }
    if (hooks_.rearm) hooks_.rearm();
}

void ResourceDriver::run(core::Micros now, const resources::RunScript& r) {
    const config::Resource& resource = groups_.at(r.group)->resources.at(r.resource);
    if (run_native(now, r, resource)) return;
    auto command = agents::resolve(resource, r.action, lookup_);
    if (!command) {
        log_.error("Cannot locate resource script for " + resource.text + ": " + command.error());
        apply(now, manager_.script_done(now, r.id, false, false, command.error()));
        return;
    }
    ScriptJob job;
    job.id = r.id;
    job.path = command->path;
    job.argv = command->argv;
    job.env = agents::merge_environment(environment_, command->env);
    job.timeout = timeout_for(r.action);
    std::string line;
    for (const auto& a : job.argv) line += (line.empty() ? "" : " ") + a;
    // heartbeat logs the status probes at debug level only; starts and stops are worth a line.
    if (r.action == resources::Action::status) {
        log_.debug("Running " + line);
    } else {
        log_.info("Running " + line);
    }
    auto started = runner_.start(now, std::move(job));
    if (!started) {
        log_.error("cannot run " + line + ": " + started.error());
        apply(now, manager_.script_done(now, r.id, false, false, started.error()));
        return;
    }
    pending_.emplace(r.id, Pending{std::move(command).value(), r});
}

bool ResourceDriver::run_native(core::Micros now, const resources::RunScript& r, const config::Resource& resource) {
    if (!settings_.native_ipaddr) return false;
    const auto address = agents::native_address(resource);
    if (!address) return false;
    const auto out = native_.run(now, r.action, *address);
    const std::string what = "native_ipaddr " + std::string(agents::action_word(r.action)) + " " + address->text;
    if (r.action == resources::Action::status) {
        log_.debug(what + (out.ok ? (out.running ? ": running" : ": stopped") : ": " + out.detail));
    } else if (out.ok) {
        log_.info(what + ": done");
    } else {
        log_.error(what + ": failed: " + out.detail);
    }
    apply(now, manager_.script_done(now, r.id, out.ok, out.running, out.detail));
    return true;
}

// As heartbeat's harc: `rc.d/<type> <type>`, with HA_<field> of the message and HA_OSTATUS.
void ResourceDriver::run_hook(core::Micros now, const resources::RunHook& h) {
    ScriptJob job;
    job.id = h.id;
    job.path = settings_.config_dir + "/rc.d/" + h.type;
    job.argv = {job.path, h.type};
    std::vector<std::string> extra;
    for (const auto& [name, value] : h.fields) extra.push_back("HA_" + name + "=" + value);
    extra.push_back("HA_OSTATUS=" + std::string(core::to_string(hook_local_status())));
    job.env = agents::merge_environment(environment_, extra);
    job.timeout = timeout_for(resources::Action::status);
    log_.info("Running " + job.path + " " + h.type);
    agents::Command command;
    command.path = job.path;
    command.argv = job.argv;
    auto started = runner_.start(now, std::move(job));
    if (!started) {
        log_.error("cannot run hook " + h.type + ": " + started.error());
        apply(now, manager_.script_done(now, h.id, false, false, started.error()));
        return;
    }
    pending_.emplace(h.id, Pending{std::move(command), std::nullopt});
}

void ResourceDriver::run_stonith(core::Micros now, const resources::RunStonith& r) {
    const config::StonithDevice& d = *settings_.stonith;
    ScriptJob job;
    job.id = r.id;
    job.path = config::kStonithCommand;
    job.argv = {job.path, "-t", d.type};
    if (d.config_file.empty()) {
        job.argv.insert(job.argv.end(), {"-p", d.params});
    } else {
        job.argv.insert(job.argv.end(), {"-F", d.config_file});
    }
    if (r.node.empty()) {
        job.argv.push_back("-S");
    } else {
        job.argv.insert(job.argv.end(), {"-T", "reset", r.node});
    }
    job.env = environment_;
    job.timeout = kStonithTimeout;
    const std::string what = r.node.empty() ? "STONITH device " + d.type + " status" : "STONITH reset of " + r.node;
    if (r.node.empty()) {
        log_.debug("Running " + what);
    } else {
        log_.info("Running " + what + " (" + d.type + ")");
    }
    auto started = runner_.start(now, std::move(job));
    if (!started) {
        apply(now, manager_.stonith_done(now, r.id, false, started.error()));
        return;
    }
    agents::Command command;
    command.path = config::kStonithCommand;
    command.argv = {"stonith"};
    pending_.emplace(r.id, Pending{std::move(command), std::nullopt, true});
}

void ResourceDriver::finished(const ScriptOutcome& o) {
    const core::Micros now = io::monotonic_now();
    auto it = pending_.find(o.id);
    if (it == pending_.end()) return;
    Pending p = std::move(it->second);
    pending_.erase(it);
    const std::string what = p.command.argv.empty() ? p.command.path : p.command.argv.front();
    log_output(log_, what, o.output);
    if (p.stonith) {
        const bool ok = o.started && !o.timed_out && o.exit_code == 0;
        const std::string detail = !o.started   ? "could not run: " + o.output
                                   : o.timed_out ? std::string("timed out")
                                   : o.signal    ? "killed by signal " + std::to_string(o.signal)
                                                 : "exit code " + std::to_string(o.exit_code);
        apply(now, manager_.stonith_done(now, o.id, ok, detail));
        return;
    }
    bool ok = false, running = false;
    std::string detail;
    if (!o.started) {
        detail = "could not run: " + o.output;
    } else if (o.timed_out) {
        detail = "timed out";
    } else if (o.exit_code < 0) {
        detail = "killed by signal " + std::to_string(o.signal);
    } else {
        ok = agents::action_succeeded(p.command, o.exit_code);
        if (p.run && p.run->action == resources::Action::status) {
            const auto verdict = agents::status_verdict(p.command, o.exit_code, o.output);
            running = verdict == agents::Verdict::running;
            ok = verdict != agents::Verdict::failed;
            if (!ok) detail = "status failed with exit code " + std::to_string(o.exit_code);
        } else if (!ok) {
            detail = "exit code " + std::to_string(o.exit_code);
        }
    }
    if (p.run && p.run->action != resources::Action::status && !ok) {
        log_.error(what + " " + std::string(agents::action_word(p.run->action)) + " failed: " + detail);
    }
    apply(now, manager_.script_done(now, o.id, ok, running, detail));
}

void ResourceDriver::comm_up(core::Micros now) { apply(now, manager_.comm_up(now)); }

void ResourceDriver::node_changed(core::Micros now, const core::NodeChange& c) {
    apply(now, manager_.node_changed(now, c.node, c.to, c.left));
}

void ResourceDriver::message(core::Micros now, const Message& msg) {
    auto t = msg.get("t");
    if (!t || !manager_.wants(*t)) return;
    apply(now, manager_.message(now, msg));
}

void ResourceDriver::tick(core::Micros now) {
    runner_.tick(now);
    native_.tick(now);
    if (manager_.next_deadline() <= now) apply(now, manager_.tick(now));
}

void ResourceDriver::shutdown(core::Micros now) { apply(now, manager_.shutdown(now)); }

core::Micros ResourceDriver::next_deadline() const {
    return std::min({manager_.next_deadline(), runner_.next_deadline(), native_.next_deadline()});
}

std::string ResourceDriver::status_json() const {
    nlohmann::json groups = nlohmann::json::array();
    const auto& cfg = manager_.config();
    for (std::size_t g = 0; g < cfg.groups.size(); ++g) {
        groups.push_back({{"key", cfg.groups[g].key},
                          {"node", cfg.groups[g].node},
                          {"state", std::string(resources::to_string(manager_.group_state(g)))}});
    }
    const auto& c = manager_.counters();
    nlohmann::json out = {{"rsc_hold", manager_.getrsc()},
                          {"held", std::string(resources::to_string(manager_.held()))},
                          {"state", std::string(manager_.state_name())},
                          {"groups", groups},
                          {"resets_pending", manager_.resets_pending()},
                          {"counters",
                           {{"scripts_run", c.scripts_run},
                            {"scripts_failed", c.scripts_failed},
                            {"takeovers", c.takeovers},
                            {"standbys", c.standbys},
                            {"start_failures", c.start_failures},
                            {"stop_failures", c.stop_failures},
                            {"stonith_resets", c.stonith_resets},
                            {"stonith_failures", c.stonith_failures},
                            {"dropped_malformed", c.dropped_malformed},
                            {"dropped_unexpected", c.dropped_unexpected}}}};
    return out.dump();
}

}  // namespace hb::daemon

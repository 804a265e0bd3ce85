#include "daemon/child_driver.hpp"

#include <pwd.h>

#include <nlohmann/json.hpp>

#include "daemon/resource_driver.hpp"
#include "io/clock.hpp"

namespace hb::daemon {

ChildDriver::ChildDriver(const Settings& settings, io::Reactor& reactor, Logger& log, Hooks hooks)
    : log_(log),
      hooks_(std::move(hooks)),
      supervisor_([&settings] {
          std::vector<resources::ChildSpec> specs;
          for (const auto& r : settings.children) specs.push_back({r.user, r.command, r.failfast});
          return specs;
      }()),
      runner_(reactor, log, [this](ScriptOutcome o) { finished(o); }),
      environment_(script_environment_of(settings)),
      job_of_(settings.children.size(), 0) {}

Result<std::vector<std::string>> ChildDriver::argv_for(const std::string& user, const std::string& command) {
    std::vector<std::string> shell = {"/bin/sh", "-c", "exec " + command};
    const passwd* pw = getpwnam(user.c_str());
    if (!pw) return make_error("no user " + user);
    if (pw->pw_uid == 0) return shell;
    std::vector<std::string> argv = {"/usr/bin/setpriv", "--reuid=" + std::to_string(pw->pw_uid),
                                     "--regid=" + std::to_string(pw->pw_gid), "--init-groups", "--"};
    argv.insert(argv.end(), shell.begin(), shell.end());
    return argv;
}

void ChildDriver::comm_up(core::Micros now) { apply(now, supervisor_.comm_up(now)); }
void ChildDriver::tick(core::Micros now) {
    runner_.tick(now);
    apply(now, supervisor_.tick(now));
}
void ChildDriver::shutdown(core::Micros now) { apply(now, supervisor_.shutdown(now)); }

core::Micros ChildDriver::next_deadline() const {
    return std::min(supervisor_.next_deadline(), runner_.next_deadline());
}

void ChildDriver::apply(core::Micros now, resources::ChildEffects effects) {
    for (const auto& line : effects.log) log_.log(line.level, line.text);
    for (std::size_t i : effects.start) {
        const auto& spec = supervisor_.children()[i].spec;
        auto argv = argv_for(spec.user, spec.command);
        ScriptJob job;
        job.id = next_job_++;
        if (argv) job.argv = std::move(argv).value();
        job.path = job.argv.empty() ? "" : job.argv.front();
        job.env = environment_;
        job.keep_output = false;
        job_of_[i] = job.id;
        auto ok = argv ? runner_.start(now, std::move(job)) : Result<bool>(make_error(argv.error()));
        if (!ok) {
            job_of_[i] = 0;
            resources::ChildExit how;
            how.started = false;
            how.why = ok.error();
            apply(now, supervisor_.exited(i, now, how));
            continue;
        }
        supervisor_.started(i, now);
    }
    for (std::size_t i : effects.terminate) runner_.terminate(now, job_of_[i]);
    if (effects.leave && hooks_.failfast) hooks_.failfast();
    if (effects.all_stopped && hooks_.all_stopped) hooks_.all_stopped();
    if (hooks_.rearm) hooks_.rearm();
}

void ChildDriver::finished(const ScriptOutcome& o) {
    for (std::size_t i = 0; i < job_of_.size(); ++i) {
        if (job_of_[i] != o.id) continue;
        job_of_[i] = 0;
        resources::ChildExit how;
        how.started = o.started;
        how.exit_code = o.exit_code;
        how.signal = o.signal;
        how.why = o.output;
        const core::Micros now = io::monotonic_now();
        apply(now, supervisor_.exited(i, now, how));
        return;
    }
}

std::string ChildDriver::status_json() const {
    nlohmann::json out = nlohmann::json::array();
    const auto& children = supervisor_.children();
    for (std::size_t i = 0; i < children.size(); ++i) {
        const auto& c = children[i];
        out.push_back({{"command", c.spec.command},
                       {"user", c.spec.user},
                       {"failfast", c.spec.failfast},
                       {"state", std::string(resources::to_string(c.phase))},
                       {"pid", job_of_[i] ? runner_.pid_of(job_of_[i]) : 0},
                       {"starts", c.starts},
                       {"restarts", c.starts > 0 ? c.starts - 1 : 0},
                       {"quick_deaths", c.quick_deaths},
                       {"last_exit", c.last_exit}});
    }
    return out.dump();
}

}  // namespace hb::daemon

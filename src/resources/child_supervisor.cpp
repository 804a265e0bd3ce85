#include "resources/child_supervisor.hpp"

#include <algorithm>

namespace hb::resources {

std::string_view to_string(ChildPhase p) {
    switch (p) {
        case ChildPhase::idle: return "idle";
        case ChildPhase::running: return "running";
        case ChildPhase::waiting: return "waiting";
        case ChildPhase::stopping: return "stopping";
        case ChildPhase::stopped: return "stopped";
        case ChildPhase::finished: return "finished";
        case ChildPhase::given_up: return "given-up";
    }
    return "?";
}

ChildSupervisor::ChildSupervisor(std::vector<ChildSpec> specs) {
    for (auto& s : specs) {
        ChildState c;
        c.spec = std::move(s);
        children_.push_back(std::move(c));
    }
}

std::string ChildSupervisor::name(std::size_t i) const {
    return (children_[i].spec.failfast ? "failfast child \"" : "respawn child \"") + children_[i].spec.command + "\"";
}

void ChildSupervisor::start(std::size_t i, ChildEffects& out) {
    children_[i].restart_at = core::kNever;
    out.start.push_back(i);
}

ChildEffects ChildSupervisor::comm_up(core::Micros /*now*/) {
    ChildEffects out;
    if (shutting_down_) return out;
    for (std::size_t i = 0; i < children_.size(); ++i) {
        if (children_[i].phase != ChildPhase::idle) continue;
        out.log.push_back({6, "Starting " + name(i) + " as user " + children_[i].spec.user});
        start(i, out);
    }
    return out;
}

void ChildSupervisor::started(std::size_t i, core::Micros now) {
    if (i >= children_.size()) return;
    ChildState& c = children_[i];
    c.phase = ChildPhase::running;
    c.started_at = now;
    ++c.starts;
}

ChildEffects ChildSupervisor::exited(std::size_t i, core::Micros now, const ChildExit& how) {
    ChildEffects out;
    if (i >= children_.size()) return out;
    ChildState& c = children_[i];
    c.last_exit = !how.started ? "not started: " + how.why
                  : how.signal  ? "signal " + std::to_string(how.signal)
                                : "exit code " + std::to_string(how.exit_code);
    if (shutting_down_) {
        c.phase = ChildPhase::stopped;
        out.log.push_back({6, name(i) + " stopped (" + c.last_exit + ")"});
        stop_next(out);
        return out;
    }
    const bool failed = !how.started || how.signal != 0 || how.exit_code != 0;
    if (c.spec.failfast && failed) {
        c.phase = ChildPhase::given_up;
        out.log.push_back({2, name(i) + " died (" + c.last_exit + "): this node leaves the cluster now"});
        out.leave = true;
        return out;
    }
    if (how.started && how.exit_code == 100) {
        c.phase = ChildPhase::finished;
        out.log.push_back({6, name(i) + " exited with 100: not respawned"});
        return out;
    }
    const bool quick = !how.started || now - c.started_at < kQuickDeath;
    c.quick_deaths = quick ? c.quick_deaths + 1 : 0;
    if (c.quick_deaths > kMaxQuickDeaths) {
        c.phase = ChildPhase::given_up;
        out.log.push_back({3, name(i) + " is respawning too fast (" + std::to_string(c.quick_deaths) +
                                  " deaths within 30 s of their start in a row): not respawned any more"});
        return out;
    }
    out.log.push_back({4, name(i) + " died (" + c.last_exit + "): respawning"});
    if (quick) {
        c.phase = ChildPhase::waiting;
        c.restart_at = now + kQuickRestartDelay;
    } else {
        start(i, out);
    }
    return out;
}

ChildEffects ChildSupervisor::tick(core::Micros now) {
    ChildEffects out;
    if (shutting_down_) return out;
    for (std::size_t i = 0; i < children_.size(); ++i) {
        if (children_[i].phase == ChildPhase::waiting && children_[i].restart_at <= now) start(i, out);
    }
    return out;
}

ChildEffects ChildSupervisor::shutdown(core::Micros /*now*/) {
    ChildEffects out;
    if (shutting_down_) return out;
    shutting_down_ = true;
    for (auto& c : children_) {
        if (c.phase == ChildPhase::waiting || c.phase == ChildPhase::idle) c.phase = ChildPhase::stopped;
        c.restart_at = core::kNever;
    }
    stop_next(out);
    return out;
}

void ChildSupervisor::stop_next(ChildEffects& out) {
    for (std::size_t i = children_.size(); i-- > 0;) {
        if (children_[i].phase == ChildPhase::stopping) return;  // one at a time
        if (children_[i].phase == ChildPhase::running) {
            children_[i].phase = ChildPhase::stopping;
            out.log.push_back({6, "Stopping " + name(i)});
            out.terminate.push_back(i);
            return;
        }
    }
    out.all_stopped = true;
}

core::Micros ChildSupervisor::next_deadline() const {
    core::Micros next = core::kNever;
    for (const auto& c : children_) next = std::min(next, c.restart_at);
    return next;
}

}  // namespace hb::resources

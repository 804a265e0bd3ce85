// The simulator's resource side (SimOptions::resource_groups > 0): each running node's
// resources::Manager is fed what its core reports (comm up, node changes, resource messages,
// its own included), time and script results, and its effects are carried out: messages through
// Core::send, scripts by a simulated runner that takes a random time, fails starts and stops with
// the configured probability, and keeps the table of what runs where (in ResourceChecks), and
// LeaveCluster by Core::leave. After every change of that table, of a node's life or of who hears
// whom, the invariants are brought up to date.
#include <algorithm>
#include <cstdio>

#include "msg/dump.hpp"
#include "sim/simulator.hpp"

namespace hb::sim {

namespace {
// "t=resource rsc_hold=all ...": a message on one line, for the timeline.
std::string fields_of(const Message& msg) {
    std::string out;
    for (const auto& line : dump_lines(msg)) {
        if (!out.empty()) out += ' ';
        for (char c : line) {
            if (c != ' ' && c != '"') out += c;
        }
    }
    return out;
}

void add(resources::ManagerCounters& sum, const resources::ManagerCounters& c) {
    sum.messages_handled += c.messages_handled;
    sum.dropped_malformed += c.dropped_malformed;
    sum.dropped_unexpected += c.dropped_unexpected;
    sum.scripts_run += c.scripts_run;
    sum.scripts_failed += c.scripts_failed;
    sum.takeovers += c.takeovers;
    sum.standbys += c.standbys;
    sum.start_failures += c.start_failures;
    sum.stop_failures += c.stop_failures;
}
}  // namespace

void Simulator::feed(int i, ManagerInput input, core::Micros now) {
    Node& n = nodes_[static_cast<std::size_t>(i)];
    if (!n.manager) return;
    n.inbox.push_back(std::move(input));
    drain(i, now);
    rearm(i);
}

void Simulator::drain(int i, core::Micros now) {
    Node& n = nodes_[static_cast<std::size_t>(i)];
    if (n.feeding || !n.manager) return;
    n.feeding = true;
    // Each input gives finitely many effects; the bound only stops a manager that would keep
    // answering its own messages for ever.
    for (int guard = 0; guard < 1'000'000 && n.manager && !n.inbox.empty(); ++guard) {
        ManagerInput input = std::move(n.inbox.front());
        n.inbox.pop_front();
        resources::Manager& m = *n.manager;
        resources::Effects effects;
        if (std::holds_alternative<core::CommUp>(input)) {
            effects = m.comm_up(now);
        } else if (auto* c = std::get_if<core::NodeChange>(&input)) {
            effects = m.node_changed(now, c->node, c->to, c->left);
        } else if (auto* msg = std::get_if<Message>(&input)) {
            effects = m.message(now, *msg);
        } else if (std::holds_alternative<Tick>(input)) {
            effects = m.tick(now);
        } else if (auto* r = std::get_if<ScriptResult>(&input)) {
            effects = m.script_done(now, r->id, r->ok, r->running, "");
        } else {
            effects = m.shutdown(now);
        }
        carry_out(i, std::move(effects), now);
    }
    n.feeding = false;
    if (!n.manager) n.inbox.clear();
    maybe_settled(now);
}

void Simulator::carry_out(int i, resources::Effects effects, core::Micros now) {
    Node& n = nodes_[static_cast<std::size_t>(i)];
    for (auto& effect : effects) {
        if (!n.manager) return;  // it left the cluster: nothing after that is carried out
        if (auto* send = std::get_if<resources::SendMessage>(&effect)) {
            if (o_.timeline) timeline_line(i, now, "sends " + fields_of(send->msg));
            auto result = n.core->send(now, std::move(send->msg));
            if (!result) {
                ++report_.resources.messages_refused;
                continue;
            }
            ++report_.resources.messages_sent;
            apply(i, std::move(result).value(), now);  // our own copy joins the inbox
        } else if (auto* run = std::get_if<resources::RunScript>(&effect)) {
            start_script(i, *run, now);
        } else if (std::holds_alternative<resources::LeaveCluster>(effect)) {
            leave_core(i, now);
        } else if (auto* line = std::get_if<resources::Log>(&effect); line && o_.timeline) {
            timeline_line(i, now, line->text);
        }
    }
}

void Simulator::timeline_line(int i, core::Micros now, const std::string& text) {
    char at[32];
    std::snprintf(at, sizeof at, "%.3f ms  ", static_cast<double>(now) / 1000.0);
    report_.resources.log.push_back(std::string(at) + names_[static_cast<std::size_t>(i)] + ": " + text);
}

void Simulator::start_script(int i, const resources::RunScript& run, core::Micros now) {
    Node& n = nodes_[static_cast<std::size_t>(i)];
    const double factor = std::uniform_real_distribution<double>(0.5, 1.5)(rng_);
    const auto duration = std::max<core::Micros>(1, static_cast<core::Micros>(o_.script_ms * factor * 1000));
    const bool can_fail = run.action != resources::Action::status && o_.script_fail > 0;
    const bool fails = can_fail && std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < o_.script_fail;
    const std::uint64_t ticket = ++script_tickets_;
    n.scripts.emplace(ticket, PendingScript{run, fails});
    Event e;
    e.when = now + duration;
    e.kind = EventKind::script;
    e.node = i;
    e.version = ticket;
    queue_.push(std::move(e));
}

void Simulator::script_finished(int i, std::uint64_t ticket, core::Micros now) {
    Node& n = nodes_[static_cast<std::size_t>(i)];
    auto it = n.scripts.find(ticket);
    if (it == n.scripts.end()) return;  // begun before a crash or a leave: nobody waits for it
    const PendingScript call = it->second;
    n.scripts.erase(it);
    const auto& run = call.run;
    const bool ok = !call.fails;
    bool running = false;
    switch (run.action) {
        case resources::Action::start:
            if (ok) checks_->set_running(i, run.group, run.resource, true);
            break;
        case resources::Action::stop:
            if (ok) checks_->set_running(i, run.group, run.resource, false);
            break;
        case resources::Action::status:
            running = checks_->running(i, run.group, run.resource);
            break;
    }
    check(now);
    feed(i, ScriptResult{run.id, ok, running}, now);
}

void Simulator::leave_core(int i, core::Micros now) {
    Node& n = nodes_[static_cast<std::size_t>(i)];
    if (!n.running) return;
    if (n.manager) drop_manager(n);
    apply(i, n.core->leave(now), now);
    n.running = false;
    n.down_at.push_back(now);
    split_aftermath_ = false;  // it gave everything up: whatever was decided apart is undone
    check(now);
    rearm(i);
}

void Simulator::drop_manager(Node& n) {
    add(retired_, n.manager->counters());
    n.manager.reset();
    n.inbox.clear();
    n.scripts.clear();
}

bool Simulator::connected(core::Micros now) const {
    if (nodes_.size() != 2) return false;
    return nodes_[0].running && nodes_[1].running && sees_alive_[0][1] && sees_alive_[1][0] && !net_.blocked(0, 1, now) &&
           !net_.blocked(1, 0, now);
}

void Simulator::check(core::Micros now) {
    if (checks_) checks_->update(now, connected(now), split_aftermath_);
}

// Called after every batch of manager inputs: stability only changes there.
void Simulator::maybe_settled(core::Micros now) {
    if (!split_aftermath_ || !connected(now) || checks_->any_overlap()) return;
    for (const Node& n : nodes_) {
        if (!n.manager || !n.manager->stable()) return;
    }
    split_aftermath_ = false;
    check(now);
}

void Simulator::finish_resources(core::Micros end) {
    if (!checks_) return;
    ResourceReport& r = report_.resources;
    std::vector<bool> up;
    resources::ManagerCounters sum = retired_;
    for (const Node& n : nodes_) {
        up.push_back(n.running);
        if (n.manager) add(sum, n.manager->counters());
    }
    const bool all_up = std::all_of(up.begin(), up.end(), [](bool u) { return u; });
    check(end);
    checks_->finish(end, up, all_up && o_.auto_failback == config::AutoFailback::on, r);
    for (std::size_t k = 0; k < r.final_failed_groups.size(); ++k) {
        std::string where;
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            const auto& m = nodes_[i].manager;
            if (m && m->group_state(r.final_failed_groups[k]) == resources::GroupState::failed) where = names_[i];
        }
        if (where.empty()) {
            r.final_failures_explained = false;
        } else {
            r.final_failures[k] += " (failed on " + where + ": a start or a stop of it did not succeed)";
        }
    }
    // A manager still in transition after the quiet period is stuck (getrsc says "transition").
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        if (nodes_[i].manager && !nodes_[i].manager->stable()) {
            r.final_failures.push_back(names_[i] + ": its resource manager is still in transition");
            r.final_failures_explained = false;
        }
    }
    r.final_ok = r.final_failures.empty();
    r.takeovers = sum.takeovers;
    r.standbys = sum.standbys;
    r.scripts_run = sum.scripts_run;
    r.script_failures = sum.scripts_failed;
    r.start_failures = sum.start_failures;
    r.stop_failures = sum.stop_failures;
    double last_s = 0;
    for (const auto& ev : o_.events) last_s = std::max(last_s, ev.at_s);
    for (const auto& p : o_.partitions) last_s = std::max({last_s, p.at_s, p.heal_s});
    r.quiet_us = std::max<core::Micros>(0, end - static_cast<core::Micros>(last_s * 1e6));
}

}  // namespace hb::sim

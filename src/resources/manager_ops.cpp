// Running groups: the queue of group actions (one of heartbeat's resource children at a time),
// the script results that drive them, what each finished op announces, and the shutdown that
// releases every group before the node leaves.
#include "resources/manager.hpp"

#include <utility>

namespace hb::resources {

Effects Manager::shutdown(core::Micros now) {
    if (shutdown_requested_) return {};
    shutdown_requested_ = true;
    cancel_standby();
    resets_.clear();  // leaving: a dead peer's groups are not ours to take any more
    check_at_ = core::kNever;
    maybe_shut_down(now);
    return take();
}

// The shutdown starts once no group is being started or stopped: every group of the file is
// given up (held or not: a stop of a stopped resource succeeds), then we may leave.
void Manager::maybe_shut_down(core::Micros now) {
    if (!shutdown_requested_ || state_ == State::shutdown || left_) return;
    if (!comm_up_) {
        left_ = true;
        out_.emplace_back(std::in_place_type<LeaveCluster>);
        return;
    }
    if (!ops_.empty()) return;
    held_ = HeldSet::none;
    set_state(State::shutdown);
    if (nice()) send_resource("shutdown", false);
    Op op = make_op(OpKind::give_all, {});
    for (std::size_t g = cfg_.groups.size(); g-- > 0;) op.groups.push_back(g);
    queue(std::move(op));
    pump(now);
}

Effects Manager::script_done(core::Micros now, std::uint64_t id, bool ok, bool running, std::string_view detail) {
    if (id != 0 && id == running_id_ && !ops_.empty() && ops_.front().hook) {
        running_id_ = 0;
        Op done = std::move(ops_.front());
        ops_.pop_front();
        if (!ok) {
            ++counters_.scripts_failed;
            log(4, "hook " + done.hook->type + " failed" + (detail.empty() ? "" : ": " + std::string(detail)));
        }
        pump(now);
        maybe_shut_down(now);
        return take();
    }
    if (id == 0 || id != running_id_ || ops_.empty() || !ops_.front().action) {
        ++counters_.dropped_unexpected;
        return {};
    }
    running_id_ = 0;
    Op& op = ops_.front();
    GroupAction& action = *op.action;
    const std::size_t g = op.groups[op.next];
    const auto step = action.next(now);
    if (!ok && (!step || step->action != Action::status)) ++counters_.scripts_failed;
    const std::string note = action.done(now, ok, running);
    if (!note.empty() && step) {
        const std::string what = "group " + cfg_.groups[g].key + ", resource " + std::to_string(step->resource + 1) +
                                 " " + std::string(agents::action_word(step->action));
        log(action.outcome() == GroupAction::Outcome::stop_failed ? 2 : 3,
            what + ": " + note + (detail.empty() ? "" : " (" + std::string(detail) + ")"));
    }
    pump(now);
    maybe_shut_down(now);
    return take();
}

void Manager::queue(Op op) { ops_.push_back(std::move(op)); }

// Runs the head of the queue: one script at a time, groups in the op's order.
void Manager::pump(core::Micros now) {
    while (!ops_.empty() && running_id_ == 0) {
        Op& op = ops_.front();
        if (op.hook) {
            ++counters_.scripts_run;
            running_id_ = next_id_++;
            op.hook->id = running_id_;
            out_.emplace_back(std::in_place_type<RunHook>, *op.hook);
            return;
        }
        if (!op.action) {
            if (op.next >= op.groups.size()) {
                Op done = std::move(op);
                ops_.pop_front();
                op_finished(now, done);
                continue;
            }
            const std::size_t g = op.groups[op.next];
            // Legacy: a dead node's group is not taken once the node is back (it asks for it with
            // ip-request, and may have been told to go ahead already).
            if (op.kind == OpKind::take_dead && !nice()) {
                auto peer = peers_.find(op.node);
                if (peer != peers_.end() && peer->second != core::NodeStatus::dead) {
                    ++op.next;
                    continue;
                }
            }
            const bool give = op.kind == OpKind::standby_give || op.kind == OpKind::give_all ||
                              op.kind == OpKind::legacy_give;
            op.action.emplace(give ? GroupAction::Kind::give : GroupAction::Kind::take, cfg_.groups[g].resources,
                              cfg_.stop_retries, cfg_.stop_retry);
            group_states_[g] = give ? GroupState::stopping : GroupState::starting;
            log(6, std::string(give ? "Releasing" : "Acquiring") + " resource group: " + cfg_.groups[g].key);
        }
        GroupAction& action = *op.action;
        const std::size_t g = op.groups[op.next];
        if (action.outcome() != GroupAction::Outcome::pending) {
            switch (action.outcome()) {
                case GroupAction::Outcome::done:
                    group_states_[g] = action.kind() == GroupAction::Kind::take ? GroupState::running : GroupState::stopped;
                    break;
                case GroupAction::Outcome::start_failed:
                    ++counters_.start_failures;
                    group_states_[g] = GroupState::failed;
                    log(2, "Giving up resources due to failure of " + cfg_.groups[g].key);
                    // As heartbeat: a standby of the foreign set follows, later.
                    failed_start_standby_at_ = now + cfg_.failed_start_standby;
                    break;
                case GroupAction::Outcome::stop_failed:
                    ++counters_.stop_failures;
                    group_states_[g] = GroupState::failed;
                    op.failed = true;
                    break;
                case GroupAction::Outcome::pending:
                    break;
            }
            op.action.reset();
            ++op.next;
            continue;
        }
        const auto step = action.next(now);
        if (!step) return;  // waiting before a retry
        ++counters_.scripts_run;
        running_id_ = next_id_++;
        out_.emplace_back(std::in_place_type<RunScript>, RunScript{running_id_, g, step->resource, step->action});
    }
}

void Manager::op_finished(core::Micros now, Op& op) {
    // A group that could not be stopped may still run here: it stays ours, whatever the op meant
    // to do with it, and the node says so.
    if (op.failed) {
        for (std::size_t g : op.groups) {
            if (group_states_[g] == GroupState::failed) held_ = held_ | (is_local(g) ? HeldSet::local : HeldSet::foreign);
        }
        log(2, "Resource STOP failure: a group is still held here; not releasing it (fix it, then retry)");
        if (op.kind == OpKind::give_all) {
            // The shutdown is abandoned: leaving would let the peer start what still runs here.
            shutdown_requested_ = false;
            set_state(State::stable);
        }
        if (op.kind == OpKind::standby_give) cancel_standby();
        if (nice()) send_resource(std::nullopt, true);
        return;
    }
    switch (op.kind) {
        case OpKind::acquire_local:
            log(6, "Local Resource acquisition completed.");
            send_resource("req_our_resources()", true);
            break;
        case OpKind::take_dead:
            log(6, "mach_down takeover complete for node " + op.node + ".");
            if (nice()) {
                Message m;
                m.add("t", "resource");
                m.add("rsc_hold", "foreign");
                m.add("info", "mach_down");
                send(std::move(m));
            }
            break;
        case OpKind::standby_give:
        case OpKind::standby_take: {
            Message m;
            m.add("t", "ask_resources");
            m.add("rsc_hold", to_string(op.set));
            m.add("info", "done");
            send(std::move(m));
            break;
        }
        case OpKind::give_all:
            log(6, "All resource groups released.");
            left_ = true;
            out_.emplace_back(std::in_place_type<LeaveCluster>);
            break;
        case OpKind::legacy_take:
        case OpKind::hook:
            break;
        case OpKind::legacy_give: {
            Message m;
            m.add("t", "ip-request-resp");
            m.add("dest", op.node);
            m.add("ipaddr", cfg_.groups[op.groups.front()].key);
            m.add("weown", "yes");
            m.add("ok", "OK");
            send(std::move(m));
            if (nice() && ops_.empty()) send_resource(std::nullopt, true);  // the split brain is over
            break;
        }
    }
    maybe_fail_back(now);
}

}  // namespace hb::resources

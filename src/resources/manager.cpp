// The resource manager's start-up, membership events and message dispatch (the standby protocol
// is in manager_standby.cpp, legacy's per-group requests in manager_legacy.cpp, the running of
// groups and the shutdown in manager_ops.cpp).
#include "resources/manager.hpp"

#include <algorithm>
#include <utility>

namespace hb::resources {

std::string_view to_string(GroupState s) {
    switch (s) {
        case GroupState::stopped: return "stopped";
        case GroupState::starting: return "starting";
        case GroupState::running: return "running";
        case GroupState::stopping: return "stopping";
        case GroupState::failed: return "failed";
    }
    return "stopped";
}

bool Manager::is_resource_message(std::string_view t) {
    return t == "starting" || t == "resource" || t == "ask_resources" || t == "hb_takeover" || t == "ip-request" ||
           t == "ip-request-resp";
}

bool Manager::handles_natively(std::string_view t) {
    return is_resource_message(t) || t == "status" || t == "shutdone";
}

bool Manager::wants(std::string_view t) const {
    return is_resource_message(t) ||
           (!handles_natively(t) && std::find(cfg_.hooks.begin(), cfg_.hooks.end(), t) != cfg_.hooks.end());
}

Manager::Manager(ManagerConfig config) : cfg_(std::move(config)), group_states_(cfg_.groups.size(), GroupState::stopped) {
    for (const auto& n : cfg_.nodes) {
        if (n != cfg_.node) peers_.emplace(n, core::NodeStatus::dead);
    }
}

std::string_view Manager::state_name() const {
    switch (state_) {
        case State::init: return "init";
        case State::starting: return "starting";
        case State::bothstarting: return "bothstarting";
        case State::rscrcvd: return "rscrcvd";
        case State::stable: return "stable";
        case State::shutdown: return "shutdown";
    }
    return "init";
}

// ----- helpers -------------------------------------------------------------------------------

Manager::Op Manager::make_op(OpKind kind, std::vector<std::size_t> groups, HeldSet set) {
    Op op;
    op.kind = kind;
    op.groups = std::move(groups);
    op.set = set;
    return op;
}

std::vector<std::size_t> Manager::groups_of(HeldSet set) const {
    std::vector<std::size_t> out;
    for (std::size_t g = 0; g < cfg_.groups.size(); ++g) {
        if ((is_local(g) && has(set, HeldSet::local)) || (!is_local(g) && has(set, HeldSet::foreign))) out.push_back(g);
    }
    return out;
}

std::vector<std::size_t> Manager::groups_of_node(std::string_view node) const {
    std::vector<std::size_t> out;
    for (std::size_t g = 0; g < cfg_.groups.size(); ++g) {
        if (cfg_.groups[g].node == node) out.push_back(g);
    }
    return out;
}

bool Manager::peer_alive() const {
    return std::any_of(peers_.begin(), peers_.end(), [](const auto& p) { return p.second != core::NodeStatus::dead; });
}

void Manager::send(Message msg) { out_.emplace_back(std::in_place_type<SendMessage>, SendMessage{std::move(msg)}); }

void Manager::send_resource(std::optional<std::string_view> info, bool stable_flag) {
    Message m;
    m.add("t", "resource");
    m.add("rsc_hold", to_string(held_));
    m.add("rtype", "full");
    m.add("isstable", stable_flag ? "1" : "0");
    if (info) m.add("info", *info);
    send(std::move(m));
}

void Manager::log(int level, std::string text) {
    out_.emplace_back(std::in_place_type<Log>, Log{level, std::move(text)});
}

void Manager::set_state(State s) {
    if (s == state_) return;
    const std::string_view from = state_name();
    state_ = s;
    log(7, "resource state " + std::string(from) + " => " + std::string(state_name()));
}

bool Manager::stable() const {
    if (!ops_.empty()) return false;
    if (!nice()) return true;
    return other_stable_ && !takeover_in_progress_ && standby_ == Standby::none && standby_deadline_ == core::kNever &&
           (state_ == State::init || state_ == State::stable || state_ == State::shutdown);
}

std::string Manager::getrsc() const {
    if (!stable()) return "transition";
    return std::string(to_string(held_));
}

core::Micros Manager::next_deadline() const {
    core::Micros next = std::min({standby_deadline_, request_deadline_, failback_at_, failed_start_standby_at_,
                                  stonith_deadline()});
    if (!ops_.empty() && ops_.front().action && running_id_ == 0) next = std::min(next, ops_.front().action->wait_until());
    return next;
}

// ----- events --------------------------------------------------------------------------------

Effects Manager::comm_up(core::Micros now) {
    if (comm_up_) return {};
    comm_up_ = true;
    if (nice()) {
        set_state(State::starting);
        Message m;
        m.add("t", "starting");
        send(std::move(m));
        // Heartbeat starts this wait at the first resource message; a peer that never answers
        // (it reached comm up after our `starting`, and holds nothing yet) must not leave us in
        // transition for ever, so it starts now as well.
        request_deadline_ = now + cfg_.request_delay;
    } else {
        log(4, "Deprecated 'legacy' auto_failback option selected.");
    }
    if (cfg_.stonith) {
        check_at_ = now;  // the device's status now, then every stonith_check
        stonith_tick(now);
    }
    // Peers still dead now were silent for initdead: they are dead as any other.
    for (const auto& [name, status] : peers_) {
        if (status == core::NodeStatus::dead) peer_died(name, false);
    }
    if (!nice()) {
        // As heartbeat's req_our_resources: ask only when another node is active. One that is
        // not at comm up yet would drop the ip-request, and nobody would ever start the group.
        const bool alone = std::none_of(peers_.begin(), peers_.end(),
                                        [](const auto& p) { return p.second == core::NodeStatus::active; });
        for (std::size_t g : groups_of(HeldSet::local)) {
            if (alone) {
                queue(make_op(OpKind::legacy_take, {g}));
            } else {
                Message m;
                m.add("t", "ip-request");
                m.add("ipaddr", cfg_.groups[g].key);
                send(std::move(m));
            }
        }
    }
    pump(now);
    maybe_shut_down(now);
    return take();
}

Effects Manager::node_changed(core::Micros now, std::string_view node, core::NodeStatus to, bool left) {
    auto it = peers_.find(node);
    if (it == peers_.end()) return {};
    const bool was_dead = it->second == core::NodeStatus::dead;
    it->second = to;
    if (to != core::NodeStatus::dead) {
        cancel_reset(node);
        // A peer we took over is back. Restarted, it holds nothing and says `starting`; back from
        // a partition (heartbeat's "returning after partition") it still runs what it ran and
        // would never hear that we run its groups too: we say what we hold. Until it speaks we do
        // not know how it stands (no failback before it answers). Legacy has no held set to
        // say: its groups go back to it (a restarted peer would ask for them anyway).
        if (was_dead && taken_over_.erase(std::string(node)) > 0 && comm_up_ && !left_ && !shutdown_requested_) {
            if (nice() && has(held_, HeldSet::foreign)) {
                other_stable_ = false;
                send_resource(std::nullopt, state_ == State::stable);
            } else if (!nice()) {
                for (std::size_t g : groups_of_node(it->first)) {
                    Op op = make_op(OpKind::legacy_give, {g});
                    op.node = it->first;
                    queue(std::move(op));
                }
                pump(now);
            }
        }
        return take();
    }
    if (comm_up_ && !was_dead) peer_died(it->first, left);
    pump(now);
    return take();
}

Effects Manager::message(core::Micros now, const Message& msg) {
    const auto type = msg.get("t");
    const auto src = msg.get("src");
    if (!type || !wants(*type)) return {};
    // Before comm up heartbeat has no handler installed yet: such messages are not processed.
    if (!comm_up_ || left_) return {};
    if (!is_resource_message(*type)) {
        // A type with a hook script: run it, as one more resource child (one at a time, and
        // getrsc says transition meanwhile), with the message's string fields.
        Op op = make_op(OpKind::hook, {});
        op.hook.emplace();
        op.hook->type = std::string(*type);
        for (const Field& f : msg.fields()) {
            if (f.type == FieldType::string) op.hook->fields.emplace_back(f.name, f.bytes);
        }
        queue(std::move(op));
        pump(now);
        return take();
    }
    if (!src) {
        ++counters_.dropped_malformed;
        return {};
    }
    if (*src != cfg_.node && !peers_.contains(*src)) {
        ++counters_.dropped_unexpected;
        return {};
    }
    ++counters_.messages_handled;
    if (*type == "starting") {
        on_starting(*src);
    } else if (*type == "resource") {
        on_resource(now, *src, msg);
    } else if (*type == "ask_resources") {
        on_ask_resources(now, *src, msg);
    } else if (*type == "hb_takeover") {
        on_takeover_request(*src, msg);
    } else if (*type == "ip-request") {
        on_ip_request(*src, msg);
    } else if (*type == "ip-request-resp") {
        on_ip_request_resp(*src, msg);
    }
    pump(now);
    maybe_shut_down(now);
    return take();
}

void Manager::on_starting(std::string_view src) {
    if (src == cfg_.node || !nice()) return;
    if (state_ == State::starting) set_state(State::bothstarting);
    other_stable_ = false;
    send_resource(std::nullopt, state_ == State::stable);
}

void Manager::on_resource(core::Micros now, std::string_view src, const Message& msg) {
    if (!nice()) return;
    const auto hold = msg.get("rsc_hold");
    const auto set = hold ? parse_held_set(*hold) : std::nullopt;
    if (!set) {
        ++counters_.dropped_malformed;
        log(4, "resource message from " + std::string(src) + " without a valid rsc_hold: dropped");
        return;
    }
    const bool full = msg.get("rtype") == std::optional<std::string_view>("full");
    const auto isstable = msg.get("isstable");
    const auto info = msg.get("info");
    if (state_ == State::starting || state_ == State::bothstarting) {
        set_state(State::rscrcvd);
        request_deadline_ = now + cfg_.request_delay;
    }
    if (src != cfg_.node && info == std::optional<std::string_view>("standby") && standby_ == Standby::other) {
        standby_deadline_ = now + cfg_.standby_phase;  // the giver is releasing: its stops may take long
    }
    if (src == cfg_.node) {
        // Our own report back: the end of a takeover (mach_down).
        if (info == std::optional<std::string_view>("mach_down")) takeover_in_progress_ = false;
    } else {
        // A report without rtype=full (heartbeat's mach_down script) adds to what we knew.
        other_holds_ = full || *set == HeldSet::none ? *set : other_holds_ | *set;
        if (isstable) other_stable_ = *isstable == "1";
        if (has(other_holds_, HeldSet::local) && has(held_, HeldSet::foreign) && other_stable_) {
            log(3, "Both machines own foreign resources!");
        }
        if (has(other_holds_, HeldSet::foreign) && has(held_, HeldSet::local) && other_stable_) {
            log(3, "Both machines own our resources!");
        }
        // After a split brain both may run a group. The node it does not belong to stops it, so
        // that it ends on its own node without stopping there (heartbeat restarts both nodes).
        // Not on the word of a peer we hold dead: the core may still hand us what its last
        // incarnation said before it crashed.
        const auto peer = peers_.find(src);
        const bool in_hand = state_ == State::stable && !shutdown_requested_ && standby_ == Standby::none &&
                             peer != peers_.end() && peer->second != core::NodeStatus::dead;
        if (in_hand && full && has(other_holds_, HeldSet::local) && has(held_, HeldSet::foreign)) {
            held_ = without(held_, HeldSet::foreign);
            for (std::size_t g : groups_of(HeldSet::foreign)) {
                Op op = make_op(OpKind::legacy_give, {g});  // its end says so: ip-request-resp
                op.node = std::string(src);
                queue(std::move(op));
            }
            send_resource(std::nullopt, false);
        } else if (in_hand && full && has(other_holds_, HeldSet::foreign) && !has(held_, HeldSet::foreign)) {
            // It holds our groups and says so, as after it lost us (we may not have lost it): our
            // answer makes it stop those we run, and tells it how we stand.
            send_resource(std::nullopt, true);
        }
    }
    if (state_ == State::rscrcvd && other_stable_) {
        acquire_local();
        become_stable();
    }
    maybe_fail_back(now);
}

void Manager::become_stable() {
    request_deadline_ = core::kNever;
    set_state(State::stable);
    send_resource(std::nullopt, true);
}

// Heartbeat's req_our_resources: our own groups, unless the peer holds them or we already do.
void Manager::acquire_local() {
    const auto mine = groups_of(HeldSet::local);
    if (has(other_holds_, HeldSet::foreign) || has(held_, HeldSet::local)) {
        log(6, "Local Resource acquisition completed. (none)");
        return;
    }
    held_ = held_ | HeldSet::local;
    queue(make_op(OpKind::acquire_local, mine));
}

// A peer is gone: its groups are taken at once, or with a STONITH device once it is reset. Without
// a device heartbeat says so in a `stonith` message (n_stnth), and `unneeded` when the peer held
// nothing or said goodbye.
void Manager::peer_died(const std::string& node, bool left) {
    if (taken_over_.contains(node) || left_) return;
    taken_over_[node] = true;
    cancel_standby();
    const bool unneeded = left || (nice() && other_holds_ == HeldSet::none && other_stable_);
    if (!unneeded && cfg_.stonith) return start_reset(node);
    Message st;
    st.add("t", "stonith");
    st.add("node", node);
    st.add("result", unneeded ? "unneeded" : "n_stnth");
    send(std::move(st));
    take_over(node, left);
}

void Manager::take_over(const std::string& node, bool left) {
    if (left) log(6, "Received shutdown notice from '" + node + "'.");
    const auto theirs = groups_of_node(node);
    ++counters_.takeovers;
    if (nice()) {
        held_ = held_ | (theirs.empty() ? HeldSet::none : HeldSet::foreign);
        other_holds_ = HeldSet::none;
        other_stable_ = true;
        failback_due_ = true;
        if (!theirs.empty()) {
            takeover_in_progress_ = true;
            Op op = make_op(OpKind::take_dead, theirs);
            op.node = node;
            queue(std::move(op));
        }
        if (state_ == State::rscrcvd || state_ == State::starting || state_ == State::bothstarting) {
            acquire_local();
            become_stable();
        } else if (!has(held_, HeldSet::local)) {
            acquire_local();
        }
    } else if (!theirs.empty()) {
        Op op = make_op(OpKind::take_dead, theirs);
        op.node = node;
        queue(std::move(op));
    }
}

Effects Manager::tick(core::Micros now) {
    if (request_deadline_ <= now) {
        request_deadline_ = core::kNever;
        if (state_ == State::starting || state_ == State::bothstarting || state_ == State::rscrcvd) {
            log(6, "local resource transition completed.");
            acquire_local();
            become_stable();
        }
    }
    if (standby_deadline_ <= now) {
        log(4, "No reply to standby request. Standby request cancelled.");
        cancel_standby();
        other_stable_ = true;
    }
    if (failback_at_ <= now) {
        failback_at_ = core::kNever;
        maybe_fail_back(now);
    }
    if (failed_start_standby_at_ <= now && nice() && (!stable() || state_ != State::stable)) {
        // We would refuse our own request now ("in flux") while the peer, which may not know,
        // would take it and wait for us for an hour: it waits until we could accept it.
        failed_start_standby_at_ = now + cfg_.failback_retry;
    } else if (failed_start_standby_at_ <= now) {
        failed_start_standby_at_ = core::kNever;
        Message m;
        m.add("t", "ask_resources");
        m.add("rsc_hold", "foreign");
        m.add("info", "me");
        send(std::move(m));
    }
    stonith_tick(now);
    pump(now);
    maybe_shut_down(now);
    return take();
}

}  // namespace hb::resources

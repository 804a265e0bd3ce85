#include "resources/manager.hpp"

#include <algorithm>
#include <utility>

namespace hb::resources {

namespace {

std::optional<std::string_view> field(const Message& m, std::string_view name) { return m.get(name); }

std::optional<std::size_t> find_group(const ManagerConfig& cfg, std::string_view key) {
    for (std::size_t g = 0; g < cfg.groups.size(); ++g) {
        if (cfg.groups[g].key == key) return g;
    }
    return std::nullopt;
}

}  // namespace

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
    core::Micros next = std::min({standby_deadline_, request_deadline_, failback_at_, failed_start_standby_at_});
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
    const auto type = field(msg, "t");
    const auto src = field(msg, "src");
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
    const auto hold = field(msg, "rsc_hold");
    const auto set = hold ? parse_held_set(*hold) : std::nullopt;
    if (!set) {
        ++counters_.dropped_malformed;
        log(4, "resource message from " + std::string(src) + " without a valid rsc_hold: dropped");
        return;
    }
    const bool full = field(msg, "rtype") == std::optional<std::string_view>("full");
    const auto isstable = field(msg, "isstable");
    const auto info = field(msg, "info");
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

void Manager::on_ask_resources(core::Micros now, std::string_view src, const Message& msg) {
    if (!nice()) {
        log(4, "Standby mode only implemented when nice_failback on");
        ++counters_.dropped_unexpected;
        return;
    }
    const auto hold = field(msg, "rsc_hold");
    const auto set = hold ? parse_held_set(*hold) : std::nullopt;
    const auto info = field(msg, "info");
    if (!set || !info || (*info != "me" && *info != "other" && *info != "done")) {
        ++counters_.dropped_malformed;
        log(4, "ask_resources from " + std::string(src) + " without a valid rsc_hold and info: dropped");
        return;
    }
    if (shutdown_requested_ || state_ == State::shutdown) {
        ++counters_.dropped_unexpected;
        return;
    }
    const bool from_me = src == cfg_.node;
    auto ignored = [&](std::string why) {
        ++counters_.dropped_unexpected;
        log(4, "Ignored standby message '" + std::string(*info) + "' from " + std::string(src) + ": " + why);
    };
    if (*info == "me") {
        if (standby_ != Standby::none || standby_deadline_ != core::kNever) {
            return ignored("standby in progress");
        }
        if (!other_stable_ || state_ != State::stable || !ops_.empty()) {
            return ignored(from_me || !other_stable_ ? "other side is in flux" : "local resources in flux");
        }
        if (!peer_alive()) return ignored("no other node is up");
        standby_set_ = *set;
        if (from_me) {
            log(6, "Going standby [" + std::string(to_string(*set)) + "].");
            standby_ = Standby::me;
            standby_deadline_ = now + cfg_.standby_reply;
        } else {
            standby_ = Standby::other;
            // Until the giver says it releases (`resource ... info=standby`): a giver that
            // refused its own request (it was in flux) never will, and we must not wait an hour.
            standby_deadline_ = now + cfg_.standby_reply;
            Message m;
            m.add("t", "ask_resources");
            m.add("rsc_hold", to_string(*set));
            m.add("info", "other");
            send(std::move(m));
        }
        return;
    }
    if (*info == "other") {
        if (from_me) return;  // our own answer as the taker
        if (standby_ != Standby::me) return ignored("not giving");
        // The giver releases: it says so (unstable) first, then stops the groups.
        standby_deadline_ = now + cfg_.standby_phase;
        held_ = without(held_, standby_set_);
        send_resource("standby", false);
        queue(make_op(OpKind::standby_give, groups_of(standby_set_), standby_set_));
        return;
    }
    // done
    if (from_me) {
        if (standby_ == Standby::me) {
            standby_ = Standby::done;  // the giver has released
        } else if (standby_ == Standby::done) {
            held_ = held_ | mirror(standby_set_);  // the taker has taken
            finish_standby();
        }
        return;
    }
    if (standby_ == Standby::other) {
        standby_ = Standby::done;
        queue(make_op(OpKind::standby_take, groups_of(mirror(standby_set_)), standby_set_));
    } else if (standby_ == Standby::done) {
        finish_standby();
    } else {
        ignored("no standby in progress");
    }
}

void Manager::finish_standby() {
    ++counters_.standbys;
    standby_ = Standby::none;
    standby_deadline_ = core::kNever;
    send_resource(std::nullopt, true);
}

void Manager::cancel_standby() {
    standby_ = Standby::none;
    standby_deadline_ = core::kNever;
}

// hb_takeover on another node: heartbeat's hook answers with a standby of the mirror set here
// (its `failback` has no case in the hook and so means all).
void Manager::on_takeover_request(std::string_view src, const Message& msg) {
    if (src == cfg_.node) return;
    const auto hold = field(msg, "rsc_hold").value_or("all");
    HeldSet set = HeldSet::all;
    if (auto parsed = parse_held_set(hold)) {
        set = mirror(*parsed);
    } else if (hold != "failback") {
        ++counters_.dropped_malformed;
        return;
    }
    Message m;
    m.add("t", "ask_resources");
    m.add("rsc_hold", to_string(set));
    m.add("info", "me");
    send(std::move(m));
}


// legacy: a peer asks for its group; we stop it if it runs here and say go ahead.
void Manager::on_ip_request(std::string_view src, const Message& msg) {
    if (src == cfg_.node) return;
    const auto key = field(msg, "ipaddr");
    const auto g = key ? find_group(cfg_, *key) : std::nullopt;
    if (!g) {
        ++counters_.dropped_malformed;
        return;
    }
    Op op = make_op(OpKind::legacy_give, {});
    op.node = std::string(src);
    op.groups.push_back(*g);
    queue(std::move(op));
}

void Manager::on_ip_request_resp(std::string_view src, const Message& msg) {
    (void)src;
    if (field(msg, "dest") != std::optional<std::string_view>(cfg_.node)) return;
    if (field(msg, "ok") != std::optional<std::string_view>("OK")) return;
    const auto key = field(msg, "ipaddr");
    const auto g = key ? find_group(cfg_, *key) : std::nullopt;
    if (!g) {
        ++counters_.dropped_malformed;
        return;
    }
    if (nice()) return;  // nice modes start their groups directly (the message is informative)
    queue(make_op(OpKind::legacy_take, {*g}));
}

// A peer is gone: its groups are taken at once. Without a STONITH device heartbeat says so in a
// `stonith` message (n_stnth), and `unneeded` when the peer held nothing or said goodbye.
void Manager::peer_died(const std::string& node, bool left) {
    if (taken_over_.contains(node) || left_) return;
    taken_over_[node] = true;
    cancel_standby();
    const bool unneeded = left || (nice() && other_holds_ == HeldSet::none && other_stable_);
    Message st;
    st.add("t", "stonith");
    st.add("node", node);
    st.add("result", unneeded ? "unneeded" : "n_stnth");
    send(std::move(st));
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

void Manager::maybe_fail_back(core::Micros now) {
    if (cfg_.auto_failback != config::AutoFailback::on || !failback_due_) return;
    if (!has(held_, HeldSet::foreign)) {
        failback_due_ = false;
        return;
    }
    if (!peer_alive()) return;
    if (!stable() || state_ != State::stable) {
        if (failback_at_ == core::kNever) failback_at_ = now + cfg_.failback_retry;
        return;
    }
    failback_due_ = false;
    failback_at_ = core::kNever;
    Message m;
    m.add("t", "ask_resources");
    m.add("rsc_hold", "foreign");
    m.add("info", "me");
    send(std::move(m));
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
    pump(now);
    maybe_shut_down(now);
    return take();
}

Effects Manager::shutdown(core::Micros now) {
    if (shutdown_requested_) return {};
    shutdown_requested_ = true;
    cancel_standby();
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

// ----- running groups ------------------------------------------------------------------------

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

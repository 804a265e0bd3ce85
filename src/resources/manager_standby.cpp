// The standby protocol (ask_resources me / other / done), hb_takeover as a standby of the mirror
// set, and auto failback: how a set of groups moves from a giver to a taker while both are up.
#include "resources/manager.hpp"

namespace hb::resources {

void Manager::on_ask_resources(core::Micros now, std::string_view src, const Message& msg) {
    if (!nice()) {
        log(4, "Standby mode only implemented when nice_failback on");
        ++counters_.dropped_unexpected;
        return;
    }
    const auto hold = msg.get("rsc_hold");
    const auto set = hold ? parse_held_set(*hold) : std::nullopt;
    const auto info = msg.get("info");
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
    const auto hold = msg.get("rsc_hold").value_or("all");
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

}  // namespace hb::resources

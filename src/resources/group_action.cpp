#include "resources/group_action.hpp"

namespace hb::resources {

GroupAction::GroupAction(Kind kind, std::size_t resources, int stop_retries, core::Micros stop_retry_delay)
    : kind_(kind),
      count_(resources),
      stop_retries_(stop_retries),
      stop_retry_delay_(stop_retry_delay),
      phase_(kind == Kind::take ? Phase::probe : Phase::stop),
      at_(kind == Kind::take ? 0 : resources - (resources > 0 ? 1 : 0)) {
    if (count_ == 0) outcome_ = Outcome::done;
}

std::optional<GroupAction::Step> GroupAction::next(core::Micros now) const {
    if (outcome_ != Outcome::pending || now < wait_until_) return std::nullopt;
    switch (phase_) {
        case Phase::probe: return Step{at_, Action::status};
        case Phase::start: return Step{at_, Action::start};
        case Phase::stop:
        case Phase::unwind: return Step{at_, Action::stop};
        case Phase::verify: return Step{at_, Action::status};
    }
    return std::nullopt;
}

// Moves to the next resource in the direction of the phase; the end of the group ends the action.
void GroupAction::finish_if_past_end() {
    if (phase_ == Phase::probe || phase_ == Phase::start) {
        if (++at_ < count_) return void(phase_ = Phase::probe);
        outcome_ = Outcome::done;
        return;
    }
    if (at_ == 0) {
        outcome_ = phase_ == Phase::unwind ? Outcome::start_failed : Outcome::done;
        return;
    }
    --at_;
    failures_ = 0;
    if (phase_ == Phase::verify) phase_ = Phase::stop;
}

std::string GroupAction::done(core::Micros now, bool ok, bool running) {
    if (outcome_ != Outcome::pending) return {};
    switch (phase_) {
        case Phase::probe:
            if (running) {
                finish_if_past_end();
            } else {
                phase_ = Phase::start;
            }
            return {};
        case Phase::start:
            if (ok) {
                finish_if_past_end();
                return {};
            }
            // The rest of the group is not started; all of it is stopped, right to left.
            phase_ = Phase::unwind;
            at_ = count_ - 1;
            return "start failed: the group is stopped";
        case Phase::unwind:
            finish_if_past_end();
            return ok ? std::string() : "stop failed while giving up a group that failed to start";
        case Phase::stop:
            if (ok) {
                finish_if_past_end();
                return {};
            }
            if (++failures_ < stop_retries_) {
                wait_until_ = now + stop_retry_delay_;
                return "stop failed: retrying (" + std::to_string(failures_) + " of " +
                       std::to_string(stop_retries_) + ")";
            }
            phase_ = Phase::verify;
            return "stop failed " + std::to_string(failures_) + " times: checking its status";
        case Phase::verify:
            if (running) {
                outcome_ = Outcome::stop_failed;
                return "still running after failed stops: the group is NOT released";
            }
            finish_if_past_end();
            return "stop failed but status says it is not running (not LSB-compliant?): going on";
    }
    return {};
}

}  // namespace hb::resources

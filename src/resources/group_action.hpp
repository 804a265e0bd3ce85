// Starting or stopping one resource group, one script call at a time, as heartbeat 3.0.6's
// ResourceManager does it (takegroup / givegroup):
//   take: for each resource left to right, `status` first; `start` only if it is not running.
//         A failed start stops the whole group, right to left, and the take has failed.
//   give: `stop` for each resource right to left. A failed stop is retried after a pause, up to a
//         limit; then `status` decides: still running means the give has failed (the group may
//         still be running here and must not be handed over), not running is only a warning.
// Pure: the manager runs each step it asks for and reports the result back.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "agents/command.hpp"
#include "core/types.hpp"

namespace hb::resources {

using Action = agents::Action;

class GroupAction {
public:
    enum class Kind { take, give };
    enum class Outcome { pending, done, start_failed, stop_failed };
    struct Step {
        std::size_t resource = 0;
        Action action = Action::status;
    };

    GroupAction(Kind kind, std::size_t resources, int stop_retries, core::Micros stop_retry_delay);

    // The script to run now, or nullopt: finished (outcome() says how) or waiting until wait_until().
    std::optional<Step> next(core::Micros now) const;
    core::Micros wait_until() const { return wait_until_; }
    // The result of the step next() returned: `ok` is exit status 0, `running` the status verdict.
    // Returns a line worth logging, or an empty string.
    std::string done(core::Micros now, bool ok, bool running);
    Outcome outcome() const { return outcome_; }
    Kind kind() const { return kind_; }

private:
    enum class Phase { probe, start, stop, unwind, verify };
    Kind kind_;
    std::size_t count_;
    int stop_retries_;
    core::Micros stop_retry_delay_;
    Phase phase_;
    std::size_t at_ = 0;  // the resource of the current step
    int failures_ = 0;    // failed stops of the current resource
    core::Micros wait_until_ = 0;
    Outcome outcome_ = Outcome::pending;
    void finish_if_past_end();
};

}  // namespace hb::resources

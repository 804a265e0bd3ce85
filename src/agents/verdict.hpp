// How the outcome of a resource call is read.
//
// start and stop succeed when the program exits 0, whatever kind it is. status differs: a
// heartbeat-style script is judged only by what it prints on stdout, with heartbeat 3.0.6's text
// rule (its exit code is ignored, so a script printing "running" and exiting 3 counts as running);
// an OCF agent's monitor is judged by its exit code.
#pragma once

#include <string_view>

#include "agents/command.hpp"

namespace hb::agents {

// Exit codes of OCF agents that status judging looks at.
inline constexpr int ocf_success = 0;
inline constexpr int ocf_not_running = 7;
inline constexpr int ocf_running_master = 8;

enum class Verdict {
    running,  // the resource is held
    stopped,  // it is not
    failed,   // not held either, but the agent reported an error the caller should log
};

// heartbeat 3.0.6's rule on a status script's stdout, in order:
//  1. "not" (each letter in either case) followed by one space and, anywhere after that,
//     "running" or "Running": not running;
//  2. else "running", "Running" or "OK" anywhere: running;
//  3. else (empty output included): not running.
// The matching is byte-wise and case-exact apart from the cases listed ("RUNNING" and "ok" do not
// count); lines do not matter; NUL bytes are ignored, as the shell dropped them.
bool heartbeat_status_says_running(std::string_view output);

// The verdict on a status call of `cmd`: text rule for heartbeat_text (never `failed`), exit code
// for ocf_exit (0 or 8 running, 7 stopped, anything else failed).
Verdict status_verdict(const Command& cmd, int exit_code, std::string_view output);

// status_verdict(...) == Verdict::running.
bool says_running(const Command& cmd, int exit_code, std::string_view output);

// Whether a start or stop call succeeded: exit code 0, for both kinds.
bool action_succeeded(const Command& cmd, int exit_code);

}  // namespace hb::agents

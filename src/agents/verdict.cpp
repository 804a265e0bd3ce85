// Judging resource calls: heartbeat 3.0.6's status text rule, written as plain string scans, and
// the OCF exit codes.
#include "agents/verdict.hpp"

#include <string>

namespace hb::agents {
namespace {

bool is_either(char c, char lower, char upper) { return c == lower || c == upper; }

// "running" or "Running" at or after `from`.
bool has_running(std::string_view s, std::size_t from) {
    for (std::size_t i = from; i + 7 <= s.size(); ++i)
        if (is_either(s[i], 'r', 'R') && s.substr(i + 1, 6) == "unning") return true;
    return false;
}

// Where the first "not " (letters in any case) ends, or npos. The first one is enough: any later
// occurrence leaves less text in which to find "running".
std::size_t after_first_not_space(std::string_view s) {
    for (std::size_t i = 0; i + 4 <= s.size(); ++i)
        if (is_either(s[i], 'n', 'N') && is_either(s[i + 1], 'o', 'O') && is_either(s[i + 2], 't', 'T') &&
            s[i + 3] == ' ')
            return i + 4;
    return std::string_view::npos;
}

}  // namespace

bool heartbeat_status_says_running(std::string_view output) {
    std::string text;
    text.reserve(output.size());
    for (char c : output)
        if (c != '\0') text += c;
    std::string_view s = text;

    std::size_t after_not = after_first_not_space(s);
    if (after_not != std::string_view::npos && has_running(s, after_not)) return false;
    return has_running(s, 0) || s.find("OK") != std::string_view::npos;
}

Verdict status_verdict(const Command& cmd, int exit_code, std::string_view output) {
    if (cmd.judge == Judge::heartbeat_text)
        return heartbeat_status_says_running(output) ? Verdict::running : Verdict::stopped;
    switch (exit_code) {
        case ocf_success:
        case ocf_running_master: return Verdict::running;
        case ocf_not_running: return Verdict::stopped;
        default: return Verdict::failed;
    }
}

bool says_running(const Command& cmd, int exit_code, std::string_view output) {
    return status_verdict(cmd, exit_code, output) == Verdict::running;
}

bool action_succeeded(const Command&, int exit_code) { return exit_code == 0; }

}  // namespace hb::agents

// The steps every hbbench scenario takes: progress lines, parsing an agent's "word k=v" output,
// and starting a system until every node sees every other.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "scenarios.hpp"

namespace hbbench {

// One line per step on stderr, so that a long run shows where it is.
template <typename... Args>
void progress(const System& sys, const char* fmt, Args... args) {
    std::fprintf(stderr, "[hbbench %s] ", sys.name().c_str());
    std::fprintf(stderr, fmt, args...);
    std::fputc('\n', stderr);
}

// "word k=v k=v ..." -> {k: v}; the first word under "".
std::map<std::string, std::string> fields(const std::string& line);
double num(const std::map<std::string, std::string>& f, const std::string& key);
Json error(const std::string& why);
std::string timing_key(int ka, int dt);

// Every node runs `agent converge`; the latest "converged" time, or -1 if one did not in time.
std::int64_t converge(const System& sys, int nodes, int timeout_ms);
// sys.start() then converge(); false with the reason in `why`.
bool start_converged(System& sys, int nodes, int ka, int dt, std::string& why);

}  // namespace hbbench

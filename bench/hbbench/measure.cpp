#include "measure.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>

namespace hbbench {

namespace {
std::int64_t clock_us(clockid_t id) {
    timespec t{};
    clock_gettime(id, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1000000 + t.tv_nsec / 1000;
}
}  // namespace

std::int64_t wall_us() { return clock_us(CLOCK_REALTIME); }
std::int64_t mono_us() { return clock_us(CLOCK_MONOTONIC); }
void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(in, text)) return 0;
    // The command name may hold spaces; the fields after it are positional (utime is field 14).
    auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 2));
    std::string skip;
    for (int i = 3; i < 14; ++i) fields >> skip;
    unsigned long long utime = 0, stime = 0;
    fields >> utime >> stime;
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

Memory memory_mib(pid_t pid) {
    Memory m;
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    for (std::string line; std::getline(in, line);) {
        auto kib = [&](const char* key) { return line.rfind(key, 0) == 0 ? std::stod(line.substr(std::strlen(key))) / 1024.0 : 0.0; };
        m.rss += kib("Rss:");
        m.pss += kib("Pss:");
        m.private_ += kib("Private_Clean:") + kib("Private_Dirty:");
    }
    return m;
}

double percentile(std::vector<double> samples, double p) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
    return samples[std::clamp<std::size_t>(rank, 1, samples.size()) - 1];
}

double mean(const std::vector<double>& samples) {
    return samples.empty() ? 0 : std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
}

CpuHogs::CpuHogs(int count) {
    for (int i = 0; i < count; ++i) {
        pid_t pid = fork();
        if (pid == 0) {
            for (;;) asm volatile("" ::: "memory");  // a busy loop the compiler keeps
        }
        if (pid > 0) pids_.push_back(pid);
    }
}

CpuHogs::~CpuHogs() {
    for (pid_t pid : pids_) kill(pid, SIGKILL);
    for (pid_t pid : pids_) waitpid(pid, nullptr, 0);
}

}  // namespace hbbench

// What hbbench reads off processes and samples: CPU time and RSS from /proc, percentiles, clocks.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace hbbench {

std::int64_t wall_us();  // CLOCK_REALTIME, as the agents print it
std::int64_t mono_us();
void sleep_ms(int ms);

// CPU seconds (user + system) a process has used; 0 if it is gone.
double cpu_seconds(pid_t pid);
// Its resident set in MiB (all of it; its proportional share of shared pages; its private pages),
// from /proc/PID/smaps_rollup; zeros if it is gone.
struct Memory {
    double rss = 0, pss = 0, private_ = 0;
    Memory& operator+=(const Memory& o) {
        rss += o.rss;
        pss += o.pss;
        private_ += o.private_;
        return *this;
    }
};
Memory memory_mib(pid_t pid);

// The p-th percentile (0..100) by nearest rank; 0 for no samples.
double percentile(std::vector<double> samples, double p);
double mean(const std::vector<double>& samples);

// Busy loops on every core, as "other processes" loading the machine; stopped on destruction.
class CpuHogs {
public:
    explicit CpuHogs(int count);
    ~CpuHogs();
    CpuHogs(const CpuHogs&) = delete;
    CpuHogs& operator=(const CpuHogs&) = delete;

private:
    std::vector<pid_t> pids_;
};

}  // namespace hbbench

// The daemon's log: syslog (logfacility), logfile, debugfile and stderr in the foreground, with
// heartbeat's line format. A message repeated within a second is counted, not written again.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace hb::daemon {

struct LogTargets {
    int syslog_facility = -1;   // LOG_DAEMON etc.; -1: no syslog
    std::string logfile;        // empty: none
    std::string debugfile;      // empty: none
    bool to_stderr = false;
};

class Logger {
public:
    Logger() = default;
    ~Logger();
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    void configure(const LogTargets& targets);
    void set_debug_level(int level) { debug_level_ = level < 0 ? 0 : level; }
    int debug_level() const { return debug_level_; }

    // level: syslog priority (LOG_ERR .. LOG_DEBUG). Debug lines are written only when the debug
    // level is at least `debug_min`.
    void log(int level, std::string_view text, int debug_min = 1);
    void error(std::string_view t) { log(3, t); }
    void warn(std::string_view t) { log(4, t); }
    void info(std::string_view t) { log(6, t); }
    void debug(std::string_view t, int min = 1) { log(7, t, min); }

private:
    void write_line(int level, std::string_view text);
    void flush_repeats();

    LogTargets targets_;
    std::FILE* logfile_ = nullptr;
    std::FILE* debugfile_ = nullptr;
    int debug_level_ = 0;
    std::string last_text_;
    int last_level_ = 0;
    long long last_time_s_ = 0;
    int repeats_ = 0;
};

}  // namespace hb::daemon

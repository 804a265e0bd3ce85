#include "daemon/logger.hpp"

#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace hb::daemon {

namespace {

const char* level_name(int level) {
    switch (level) {
        case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: return "CRIT";
        case LOG_ERR: return "ERROR";
        case LOG_WARNING: return "WARN";
        case LOG_NOTICE: case LOG_INFO: return "info";
        default: return "debug";
    }
}

}  // namespace

Logger::~Logger() {
    flush_repeats();
    if (logfile_) std::fclose(logfile_);
    if (debugfile_) std::fclose(debugfile_);
    if (targets_.syslog_facility >= 0) closelog();
}

void Logger::configure(const LogTargets& targets) {
    flush_repeats();
    if (logfile_) std::fclose(logfile_), logfile_ = nullptr;
    if (debugfile_) std::fclose(debugfile_), debugfile_ = nullptr;
    targets_ = targets;
    if (!targets_.logfile.empty()) logfile_ = std::fopen(targets_.logfile.c_str(), "a");
    if (!targets_.debugfile.empty()) debugfile_ = std::fopen(targets_.debugfile.c_str(), "a");
    if (targets_.syslog_facility >= 0) openlog("heartbeat", LOG_PID | LOG_NDELAY, targets_.syslog_facility);
}

void Logger::log(int level, std::string_view text, int debug_min) {
    if (level >= LOG_DEBUG && debug_level_ < debug_min) return;
    const long long now_s = static_cast<long long>(std::time(nullptr));
    if (text == last_text_ && level == last_level_ && now_s - last_time_s_ < 1) {
        ++repeats_;
        return;
    }
    flush_repeats();
    last_text_ = std::string(text);
    last_level_ = level;
    last_time_s_ = now_s;
    write_line(level, text);
}

void Logger::flush_repeats() {
    if (repeats_ == 0) return;
    const int n = repeats_;
    repeats_ = 0;
    write_line(last_level_, "last message repeated " + std::to_string(n) + " times");
}

void Logger::write_line(int level, std::string_view text) {
    // heartbeat's timestamp, with milliseconds: detection times are read off these lines.
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    std::tm tm{};
    localtime_r(&now.tv_sec, &tm);
    char stamp[40];
    std::size_t n = std::strftime(stamp, sizeof stamp, "%Y/%m/%d_%H:%M:%S", &tm);
    std::snprintf(stamp + n, sizeof stamp - n, ".%03ld", now.tv_nsec / 1'000'000);
    const std::string line = "heartbeat[" + std::to_string(::getpid()) + "]: " + stamp + " " + level_name(level) +
                             ": " + std::string(text) + "\n";
    if (targets_.to_stderr) std::fputs(line.c_str(), stderr);
    std::FILE* file = level >= LOG_DEBUG ? (debugfile_ ? debugfile_ : nullptr) : logfile_;
    if (file) {
        std::fputs(line.c_str(), file);
        std::fflush(file);
    }
    if (level < LOG_DEBUG && debugfile_ && file != debugfile_) {
        std::fputs(line.c_str(), debugfile_);
        std::fflush(debugfile_);
    }
    if (targets_.syslog_facility >= 0) {
        syslog(level, "%s: %.*s", level_name(level), static_cast<int>(text.size()), text.data());
    }
}

}  // namespace hb::daemon

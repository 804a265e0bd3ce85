// The files heartbeat keeps in its state directory (spec §3.1, §2.5, §6.5): the generation counter,
// the node UUID, and the pidfile that makes one daemon per state directory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace hb::daemon {

// Reads hb_generation (16 bytes: decimal right-aligned in 15 columns, then '\n'), adds one, writes
// it back and fsyncs before returning, so a generation never goes backwards. A missing file starts
// from `now_seconds` + 1, as heartbeat does.
Result<std::uint64_t> next_generation(const std::string& state_dir, std::int64_t now_seconds);

// Reads hb_uuid (16 raw bytes), creating it with random bytes on first start.
Result<std::string> load_or_create_uuid(const std::string& state_dir);

// Holds an flock'ed pidfile for the daemon's lifetime. Another live daemon holding it is an error
// naming its pid; a leftover file from a dead daemon is taken over.
class PidFile {
public:
    static Result<PidFile> acquire(const std::string& path);
    PidFile(PidFile&& other) noexcept;
    PidFile& operator=(PidFile&&) = delete;
    ~PidFile();

    // The pid recorded in a pidfile, when that process is alive (for -k, -s).
    static std::optional<long> running_pid(const std::string& path);

private:
    PidFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
    std::string path_;
    int fd_ = -1;
};

}  // namespace hb::daemon

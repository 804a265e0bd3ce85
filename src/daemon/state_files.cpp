#include "daemon/state_files.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace hb::daemon {

namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// Writes through a temporary file, fsync and rename, so a crash leaves the old or the new content.
Result<bool> write_durably(const std::string& path, const std::string& content) {
    const std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return make_error(errno_text("cannot write " + tmp));
    bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) return make_error(errno_text("cannot write " + path));
    return true;
}

}  // namespace

Result<std::uint64_t> next_generation(const std::string& state_dir, std::int64_t now_seconds) {
    const std::string path = state_dir + "/hb_generation";
    std::uint64_t generation = static_cast<std::uint64_t>(now_seconds);
    std::ifstream in(path);
    if (in) {
        std::string text((std::istreambuf_iterator<char>(in)), {});
        unsigned long long value = 0;
        if (std::sscanf(text.c_str(), "%llu", &value) != 1) {
            return make_error(path + ": not a generation number; remove it to start from the clock");
        }
        generation = value;
    }
    ++generation;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%15llu\n", static_cast<unsigned long long>(generation));
    auto written = write_durably(path, buf);
    if (!written) return make_error(written.error());
    return generation;
}

Result<std::string> load_or_create_uuid(const std::string& state_dir) {
    const std::string path = state_dir + "/hb_uuid";
    std::ifstream in(path, std::ios::binary);
    if (in) {
        std::string bytes((std::istreambuf_iterator<char>(in)), {});
        if (bytes.size() != 16) return make_error(path + ": expected 16 bytes; remove it to make a new UUID");
        return bytes;
    }
    std::string uuid(16, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(uuid.data()), 16) != 1) return make_error("no random bytes");
    uuid[6] = static_cast<char>((uuid[6] & 0x0f) | 0x40);  // RFC 4122 version 4
    uuid[8] = static_cast<char>((uuid[8] & 0x3f) | 0x80);
    auto written = write_durably(path, uuid);
    if (!written) return make_error(written.error());
    return uuid;
}

Result<PidFile> PidFile::acquire(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return make_error(errno_text("cannot open pidfile " + path));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        auto pid = running_pid(path);
        return make_error("already running" + (pid ? " [pid " + std::to_string(*pid) + "]" : std::string()) +
                          " (pidfile " + path + ")");
    }
    std::string text = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
        ::close(fd);
        return make_error(errno_text("cannot write pidfile " + path));
    }
    return PidFile(path, fd);
}

PidFile::PidFile(PidFile&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) { other.fd_ = -1; }

PidFile::~PidFile() {
    if (fd_ < 0) return;
    ::unlink(path_.c_str());
    ::close(fd_);
}

std::optional<long> PidFile::running_pid(const std::string& path) {
    std::ifstream in(path);
    long pid = 0;
    if (!(in >> pid) || pid <= 0) return std::nullopt;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return std::nullopt;
    return pid;
}

}  // namespace hb::daemon

#include "daemon/fifo_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "msg/limits.hpp"
#include "msg/text_codec.hpp"

namespace hb::daemon {

namespace {
constexpr std::string_view kEnd = "<<<\n";
}

Result<std::unique_ptr<FifoReader>> FifoReader::open(const std::string& path, io::Reactor& reactor, Logger& log,
                                                     std::function<void(Message)> on_message) {
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0) {
        if (!S_ISFIFO(st.st_mode)) return make_error("FIFO " + path + ": exists and is not a FIFO; remove it");
    } else if (mkfifo(path.c_str(), 0600) != 0) {
        return make_error("FIFO " + path + ": " + std::strerror(errno));
    }
    const int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return make_error("FIFO " + path + ": " + std::strerror(errno));
    return std::unique_ptr<FifoReader>(new FifoReader(fd, path, reactor, log, std::move(on_message)));
}

FifoReader::FifoReader(int fd, std::string path, io::Reactor& reactor, Logger& log,
                       std::function<void(Message)> on_message)
    : fd_(fd), path_(std::move(path)), reactor_(reactor), log_(log), on_message_(std::move(on_message)) {
    reactor_.add(fd_, [this] { readable(); });
}

FifoReader::~FifoReader() {
    reactor_.remove(fd_);
    ::close(fd_);
}

void FifoReader::readable() {
    char buf[65536];
    // Bounded: what is there now, up to a few buffers per round; the rest waits for the next.
    for (int round = 0; round < 8; ++round) {
        const ssize_t n = ::read(fd_, buf, sizeof buf);
        if (n <= 0) break;
        pending_.append(buf, static_cast<std::size_t>(n));
    }
    for (std::size_t end; (end = pending_.find(kEnd)) != std::string::npos;) {
        const std::string text = pending_.substr(0, end + kEnd.size());
        pending_.erase(0, end + kEnd.size());
        // Anything before the start marker is noise from a writer that was cut off.
        const std::size_t start = text.rfind(">>>\n");
        auto msg = start == std::string::npos ? Result<Message>(make_error("no start marker"))
                                              : decode_text(std::string_view(text).substr(start));
        if (!msg || !msg->get("t")) {
            ++dropped_;
            log_.warn("FIFO " + path_ + ": dropped a malformed message: " + (msg ? "no type (t)" : msg.error()));
            continue;
        }
        ++messages_;
        log_.debug("FIFO message [type " + std::string(*msg->get("t")) + "]");
        on_message_(std::move(msg).value());
    }
    if (pending_.size() > kMaxWireBytes) {
        ++dropped_;
        log_.warn("FIFO " + path_ + ": dropped " + std::to_string(pending_.size()) + " bytes without an end marker");
        pending_.clear();
    }
}

}  // namespace hb::daemon

// heartbeat's FIFO (<state-dir>/fifo): scripts and shell tools (ha_clustermsg in shellfuncs,
// hb_standby, hb_takeover, mach_down) write text-format messages (">>>\n" name=value lines
// "<<<\n") into it, and the daemon sends each to the cluster as its own. Reading never blocks:
// the FIFO is held open for reading and writing, so a writer that goes away is no end of file,
// and a message cut short or too long is dropped and counted, not waited for.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "daemon/logger.hpp"
#include "io/reactor.hpp"
#include "msg/message.hpp"

namespace hb::daemon {

class FifoReader {
public:
    // Creates the FIFO (mode 0600) unless a FIFO is there already; fails if something else is.
    static Result<std::unique_ptr<FifoReader>> open(const std::string& path, io::Reactor& reactor, Logger& log,
                                                    std::function<void(Message)> on_message);
    ~FifoReader();
    FifoReader(const FifoReader&) = delete;
    FifoReader& operator=(const FifoReader&) = delete;

    std::uint64_t messages() const { return messages_; }
    std::uint64_t dropped() const { return dropped_; }

private:
    FifoReader(int fd, std::string path, io::Reactor& reactor, Logger& log, std::function<void(Message)> on_message);
    void readable();

    int fd_;
    std::string path_;
    io::Reactor& reactor_;
    Logger& log_;
    std::function<void(Message)> on_message_;
    std::string pending_;  // bytes of a message not yet complete
    std::uint64_t messages_ = 0;
    std::uint64_t dropped_ = 0;
};

}  // namespace hb::daemon

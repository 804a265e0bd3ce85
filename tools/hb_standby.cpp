// hb_standby and hb_takeover (one source, two programs: HB_TAKEOVER picks the second), as heartbeat
// 3.0.6's shell tools: they write one message into the daemon's FIFO and return at once; the
// daemons carry out the standby protocol.
//   hb_standby  [all|foreign|local|failback]   give this node's resources to the other node
//                                              (failback = foreign: give back what we took)
//   hb_takeover [all|foreign|local|failback]   ask the other node to give them to this one
// Both default to all. Exit 0 when the message was written, 1 otherwise (usage, no daemon).
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "msg/message.hpp"
#include "msg/text_codec.hpp"

namespace {

#ifdef HB_TAKEOVER
constexpr const char* kProgram = "hb_takeover";
constexpr const char* kAbout = "Ask the other node to hand this node its resource groups (heartbeat's haresources).";
#else
constexpr const char* kProgram = "hb_standby";
constexpr const char* kAbout = "Hand this node's resource groups to the other node (heartbeat's haresources).";
#endif

std::string default_fifo() {
    const char* env = std::getenv("HA_FIFO");
    return env && *env ? env : "/var/lib/heartbeat/fifo";
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app(kAbout, kProgram);
    std::string set = "all";
    std::string fifo = default_fifo();
    app.add_option("set", set, "all, foreign, local or failback (default all)")
        ->check(CLI::IsMember({"all", "foreign", "local", "failback"}));
    app.add_option("--fifo", fifo, "the daemon's FIFO (default $HA_FIFO, else /var/lib/heartbeat/fifo)");
    app.set_version_flag("--version", std::string(kProgram) + " (hb " HB_VERSION ")");
    CLI11_PARSE(app, argc, argv);

    hb::Message m;
#ifdef HB_TAKEOVER
    m.add("t", "hb_takeover");
    m.add("rsc_hold", set);
#else
    if (set == "failback") set = "foreign";
    std::cout << "Going standby [" << set << "].\n";
    m.add("t", "ask_resources");
    m.add("rsc_hold", set);
    m.add("info", "me");
#endif
    auto text = hb::encode_text(m);
    if (!text) {
        std::cerr << kProgram << ": " << text.error() << "\n";
        return 1;
    }
    // Non-blocking: with no daemon reading, the open fails (ENXIO) instead of hanging.
    const int fd = open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        std::cerr << kProgram << ": cannot write to " << fifo << ": " << std::strerror(errno)
                  << (errno == ENXIO || errno == ENOENT ? " (is heartbeat running?)" : "") << "\n";
        return 1;
    }
    // One write of less than PIPE_BUF bytes: atomic, never interleaved with another writer's.
    const ssize_t n = write(fd, text->data(), text->size());
    close(fd);
    if (n != static_cast<ssize_t>(text->size())) {
        std::cerr << kProgram << ": cannot write to " << fifo << ": " << (n < 0 ? std::strerror(errno) : "short write") << "\n";
        return 1;
    }
    return 0;
}

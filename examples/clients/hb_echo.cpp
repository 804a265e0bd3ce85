// hb_echo: a C++ client (include/heartbeat/client.hpp). Signs on as client "demo" and answers
// every demo-ping with a demo-pong to the node it came from, carrying the same number; prints the
// membership changes it is told about. Stops at SIGINT/SIGTERM or after SECONDS.
// Usage: hb_echo [SECONDS]   (socket: $HA_API_SOCKET, else /var/run/heartbeat/register)
#include <poll.h>
#include <signal.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "heartbeat/client.hpp"

namespace {
volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
    const int seconds = argc > 1 ? std::atoi(argv[1]) : 3600;
    auto hb = hb::Cluster::signon("demo");
    if (!hb) {
        std::cerr << "hb_echo: " << hb.error() << "\n";
        return 1;
    }
    hb::Cluster& cluster = **hb;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::cout << "hb_echo: signed on to " << cluster.node() << " as client demo" << std::endl;

    cluster.on_node_status([](const std::string& node, const std::string& st) {
        std::cout << "hb_echo: node " << node << " is " << st << std::endl;
    });
    cluster.on_message("demo-ping", [&cluster](const hb::Message& ping) {
        hb::Message pong;
        pong.add("t", "demo-pong");
        pong.add("n", ping.get("n").value_or("?"));
        auto from = ping.get("src");
        if (!from) return;
        if (auto sent = cluster.send_to_node(pong, *from); !sent) std::cerr << "hb_echo: " << sent.error() << "\n";
    });

    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!g_stop && std::chrono::steady_clock::now() < end) {
        pollfd p{cluster.fd(), POLLIN, 0};
        if (!cluster.message_ready() && poll(&p, 1, 200) <= 0) continue;
        // Handlers run here; a message nobody handles (our own pongs' echoes, ...) is dropped.
        auto r = cluster.dispatch(0);
        if (!r) {
            std::cerr << "hb_echo: " << r.error() << "\n";
            return 1;
        }
    }
    return 0;
}

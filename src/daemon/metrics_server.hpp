// The OpenMetrics endpoint (ha.cf `metrics_listen`, ours): a small HTTP responder in the event
// loop, so that no thread touches the core and a scrape never holds a heartbeat up: at most
// kMaxConnections at once, a request bounded to kMaxRequestBytes and kRequestTimeout, one
// response rendered per request (metrics.hpp) and written without blocking, then the connection
// closes. Only `GET /metrics` is served. Why not prometheus-cpp's server: it runs civetweb's
// threads, which would need the core's state copied under a lock, in a realtime daemon.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "core/types.hpp"
#include "io/reactor.hpp"

namespace hb::daemon {

class MetricsServer {
public:
    using Render = std::function<std::string()>;
    static constexpr std::size_t kMaxConnections = 8;
    static constexpr std::size_t kMaxRequestBytes = 8192;
    static constexpr core::Micros kRequestTimeout = 2 * core::kSeconds;

    static Result<std::unique_ptr<MetricsServer>> open(const std::string& address, int port, io::Reactor& reactor,
                                                       Render render);
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    // From the daemon's timer: connections that did not finish in time are closed.
    void tick(core::Micros now);

private:
    struct Connection {
        std::string in;
        std::string out;
        core::Micros since = 0;
        bool answered = false;
    };
    MetricsServer(io::Reactor& reactor, Render render) : reactor_(reactor), render_(std::move(render)) {}

    void accept_connections();
    void on_readable(int fd);
    void on_writable(int fd);
    void answer(int fd, Connection& c);
    // Closed at the end of the reactor round, not inside the handler that decided it.
    void close_later(int fd);
    void close_pending();

    io::Reactor& reactor_;
    Render render_;
    int listen_fd_ = -1;
    int round_end_id_ = 0;
    std::map<int, Connection> connections_;
    std::vector<int> closing_;
};

}  // namespace hb::daemon

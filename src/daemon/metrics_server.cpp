#include "daemon/metrics_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "io/clock.hpp"

namespace hb::daemon {

namespace {

std::string response(const char* status, const char* type, const std::string& body) {
    return std::string("HTTP/1.1 ") + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

Result<std::unique_ptr<MetricsServer>> MetricsServer::open(const std::string& address, int port, io::Reactor& reactor,
                                                           Render render) {
    std::unique_ptr<MetricsServer> s(new MetricsServer(reactor, std::move(render)));
    const bool v6 = address.find(':') != std::string::npos;
    sockaddr_storage storage{};
    socklen_t len = 0;
    if (v6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(static_cast<std::uint16_t>(port));
        if (inet_pton(AF_INET6, address.c_str(), &a->sin6_addr) != 1) return make_error("metrics_listen: bad address " + address);
        len = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&storage);
        a->sin_family = AF_INET;
        a->sin_port = htons(static_cast<std::uint16_t>(port));
        if (inet_pton(AF_INET, address.c_str(), &a->sin_addr) != 1) return make_error("metrics_listen: bad address " + address);
        len = sizeof *a;
    }
    s->listen_fd_ = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->listen_fd_ < 0) return make_error(std::string("metrics_listen: socket: ") + std::strerror(errno));
    const int on = 1;
    setsockopt(s->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (bind(s->listen_fd_, reinterpret_cast<sockaddr*>(&storage), len) != 0 || listen(s->listen_fd_, 16) != 0) {
        const std::string why = std::strerror(errno);
        close(s->listen_fd_);
        s->listen_fd_ = -1;
        return make_error("metrics_listen " + address + ":" + std::to_string(port) + ": " + why);
    }
    reactor.add(s->listen_fd_, [raw = s.get()] { raw->accept_connections(); });
    s->round_end_id_ = reactor.after_each_round([raw = s.get()] { raw->close_pending(); });
    return s;
}

MetricsServer::~MetricsServer() {
    reactor_.cancel_round_end(round_end_id_);
    for (auto& [fd, c] : connections_) {
        reactor_.remove(fd);
        close(fd);
    }
    if (listen_fd_ >= 0) {
        reactor_.remove(listen_fd_);
        close(listen_fd_);
    }
}

void MetricsServer::accept_connections() {
    for (int i = 0; i < 16; ++i) {
        const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        if (connections_.size() >= kMaxConnections) {
            close(fd);
            continue;
        }
        connections_[fd].since = io::monotonic_now();
        reactor_.add(fd, [this, fd] { on_readable(fd); }, [this, fd] { on_writable(fd); });
    }
}

void MetricsServer::on_readable(int fd) {
    auto it = connections_.find(fd);
    if (it == connections_.end() || it->second.answered) return;
    Connection& c = it->second;
    char buf[4096];
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return close_later(fd);
    if (n < 0) return;
    c.in.append(buf, static_cast<std::size_t>(n));
    if (c.in.find("\r\n\r\n") == std::string::npos && c.in.find("\n\n") == std::string::npos) {
        if (c.in.size() > kMaxRequestBytes) {
            c.out = response("431 Request Header Fields Too Large", "text/plain", "request too large\n");
            c.answered = true;
            reactor_.set_readable(fd, false);
            on_writable(fd);
        }
        return;
    }
    answer(fd, c);
}

void MetricsServer::answer(int fd, Connection& c) {
    const std::string line = c.in.substr(0, c.in.find_first_of("\r\n"));
    const bool get = line.rfind("GET ", 0) == 0;
    const std::string target = get ? line.substr(4, line.find(' ', 4) - 4) : std::string();
    if (!get) {
        c.out = response("405 Method Not Allowed", "text/plain", "only GET /metrics\n");
    } else if (target == "/metrics" || target.rfind("/metrics?", 0) == 0) {
        c.out = response("200 OK", "text/plain; version=0.0.4; charset=utf-8", render_());
    } else {
        c.out = response("404 Not Found", "text/plain", "the metrics are at /metrics\n");
    }
    c.answered = true;
    c.in.clear();
    reactor_.set_readable(fd, false);  // whatever else it sends is not read: no wake-up for it
    on_writable(fd);
}

void MetricsServer::on_writable(int fd) {
    auto it = connections_.find(fd);
    if (it == connections_.end()) return;
    Connection& c = it->second;
    while (!c.out.empty()) {
        const ssize_t n = ::send(fd, c.out.data(), c.out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            return close_later(fd);
        }
        c.out.erase(0, static_cast<std::size_t>(n));
    }
    if (c.answered && c.out.empty()) return close_later(fd);
    reactor_.set_writable(fd, !c.out.empty());
}

void MetricsServer::tick(core::Micros now) {
    for (const auto& [fd, c] : connections_) {
        if (now - c.since > kRequestTimeout) close_later(fd);
    }
    close_pending();
}

void MetricsServer::close_later(int fd) {
    if (std::find(closing_.begin(), closing_.end(), fd) == closing_.end()) closing_.push_back(fd);
}

void MetricsServer::close_pending() {
    for (int fd : closing_) {
        if (connections_.erase(fd) == 0) continue;
        reactor_.remove(fd);
        close(fd);
    }
    closing_.clear();
}

}  // namespace hb::daemon

#include "daemon/api_server.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "daemon/status_report.hpp"
#include "io/clock.hpp"
#include "msg/compression.hpp"

namespace hb::daemon {

ApiServer::ApiServer(io::Reactor& reactor, Logger& log, const core::Core& core, const Settings& settings, ClusterSend send)
    : reactor_(reactor),
      log_(log),
      core_(core),
      settings_(settings),
      send_(std::move(send)),
      registry_(settings, geteuid()),
      context_{core, settings, registry_, {}, {}, {}, {}, {}, {}} {
    context_.send_from = [this](Client& c, Message msg) { return send_from(c, std::move(msg)); };
    context_.send = [this](Message msg) { send_(std::move(msg)); };
    context_.filter_changed = [this] { update_promiscuous(); };
    context_.counters = [this] {
        return status_report(io::monotonic_now(), core_, settings_, registry_, context_.rscstatus ? context_.rscstatus() : "",
                             children_status_ ? children_status_() : "");
    };
}

Result<std::unique_ptr<ApiServer>> ApiServer::open(const std::string& path, io::Reactor& reactor, Logger& log,
                                                   const core::Core& core, const Settings& settings, ClusterSend send) {
    std::unique_ptr<ApiServer> s(new ApiServer(reactor, log, core, settings, std::move(send)));
    sockaddr_un addr{};
    if (path.size() >= sizeof addr.sun_path) return make_error("API socket path too long: " + path);
    s->listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->listen_fd_ < 0) return make_error(std::string("API socket: ") + std::strerror(errno));
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    ::unlink(path.c_str());  // our pidfile lock says no other daemon owns it
    if (bind(s->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(s->listen_fd_, 64) != 0) {
        return make_error("API socket " + path + ": " + std::strerror(errno));
    }
    chmod(path.c_str(), 0777);  // as heartbeat: who may sign on is decided by apiauth
    s->path_ = path;
    reactor.add(s->listen_fd_, [raw = s.get()] { raw->accept_clients(); });
    s->round_end_id_ = reactor.after_each_round([raw = s.get()] { raw->flush_dirty(); });
    return s;
}

ApiServer::~ApiServer() {
    reactor_.cancel_round_end(round_end_id_);
    // The daemon is going: its clients are closed without telling the cluster about each.
    send_ = [](Message) { return std::optional<std::string>(); };
    for (const auto& [fd, c] : registry_.all()) drop(fd, "daemon stopping");
    reap();
    if (listen_fd_ >= 0) {
        reactor_.remove(listen_fd_);
        close(listen_fd_);
        ::unlink(path_.c_str());
    }
}

void ApiServer::accept_clients() {
    for (int i = 0; i < 64; ++i) {
        int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        Credentials peer;
        ucred cred{};
        socklen_t len = sizeof cred;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) peer = {cred.pid, cred.uid, cred.gid};
        (void)registry_.admit(io::monotonic_now(), fd, peer);  // what it evicts is reaped below
        reactor_.add(fd, [this, fd] { on_readable(fd); }, [this, fd] { on_writable(fd); });
        // Its sign-on request is usually there already: read now, so that a burst of connections
        // behind it cannot evict it before it signed on.
        ++busy_;
        on_readable_client(fd);
        --busy_;
    }
    reap();
}

void ApiServer::on_readable(int fd) {
    ++busy_;
    on_readable_client(fd);
    --busy_;
    reap();
}

void ApiServer::on_readable_client(int fd) {
    Client* found = registry_.find(fd);
    if (!found || !found->closing.empty()) return;
    char buf[16384];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        drop(fd, "EOF", &ApiCounters::disconnects);
        return;
    }
    if (n < 0) return;
    Client& c = *found;
    c.reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    Message msg;
    std::string error;
    // Bounded by what was read: each message consumes at least a frame header.
    for (int i = 0; i < 4096; ++i) {
        switch (c.reader.next(msg, error)) {
            case ipc::FrameReader::Status::need_more:
                return;
            case ipc::FrameReader::Status::error:
                drop(fd, "malformed frame: " + error, &ApiCounters::dropped_malformed);
                return;
            case ipc::FrameReader::Status::message:
                handle(c, msg);
                if (!c.closing.empty()) return;  // handling dropped it
                break;
        }
    }
}

void ApiServer::on_writable(int fd) {
    if (Client* c = registry_.find(fd)) flush(*c);
    reap();
}

void ApiServer::handle(Client& c, Message& msg) {
    if (is_compressed_message(msg)) {
        // heartbeat's library compresses what reaches MAXMSG; its daemon unpacks it at once.
        auto inner = decompress_message(msg);
        if (!inner) {
            drop(c.fd, inner.error(), &ApiCounters::dropped_malformed);
            return;
        }
        msg = std::move(inner).value();
    }
    if (msg.get("t") == std::optional<std::string_view>("hbapi-req")) {
        handle_request(c, msg);
        return;
    }
    if (!c.signed_on || c.casual) {
        // heartbeat's rule: casual clients query only.
        drop(c.fd, "general message from casual client", &ApiCounters::dropped_casual_send);
        return;
    }
    (void)send_from(c, std::move(msg));  // a refusal is logged where it is made
}

std::optional<std::string> ApiServer::send_from(Client& c, Message msg) {
    // A named client's message for the cluster or one node: tagged with its id, as heartbeat does.
    msg.set("from_id", c.id);
    msg.set("to_id", c.id);
    msg.set_int("client_gen", client_generation_[c.id]);
    ++registry_.counters().messages_from_clients;
    auto refused = send_(std::move(msg));
    if ((core_.paused() || moderating_) && !c.held) {
        c.held = true;
        reactor_.set_readable(c.fd, false);
    }
    return refused;
}

void ApiServer::on_flow(bool paused) {
    if (!paused) resume_held();  // senders are held as they send
}

void ApiServer::moderate(bool on) {
    moderating_ = on;
    if (!on) resume_held();
}

void ApiServer::resume_held() {
    if (core_.paused() || moderating_) return;
    for (const auto& [fd, c] : registry_.all()) {
        if (!c->held) continue;
        c->held = false;
        reactor_.set_readable(fd, true);
    }
}

std::size_t ApiServer::hard_limit(const Client& c) const {
    return c.queue_limit + settings_.core.send_window * std::max<std::size_t>(1, settings_.core.nodes.size()) + 64;
}

void ApiServer::update_behind(Client& c) {
    // Behind at a full sendq, caught up once everything is written. (At half a sendq, a reader's
    // bursts of a bundle or two stopped and restarted the senders' acks all the time: hbbench S2
    // at 3 nodes 62-63k msg/s against 64-80k.)
    const bool behind = c.closing.empty() && (c.behind ? c.queued > 0 : c.queued >= std::max<std::size_t>(1, c.queue_limit));
    if (behind == c.behind) return;
    c.behind = behind;
    c.behind_since = io::monotonic_now();
    const std::size_t before = clients_behind_;
    clients_behind_ = behind ? clients_behind_ + 1 : clients_behind_ - 1;
    if ((before == 0) != (clients_behind_ == 0) && congestion_change_) congestion_change_(clients_behind_ > 0);
}

void ApiServer::tick(core::Micros now) {
    for (const auto& [fd, c] : registry_.all()) {
        if (c->behind && now - c->behind_since > kStallLimit) {
            log_.warn("API: client " + c->id + " does not read: " + std::to_string(c->queued) +
                      " messages unread for over a second while the cluster waits for it");
            drop(fd, "does not read", &ApiCounters::dropped_stalled);
        }
    }
    (void)registry_.expire(now);  // reaped below, each logged with its reason
    reap();
}

void ApiServer::signon(Client& c, const Message& req) {
    if (auto why = registry_.sign_on(c, req)) {
        Message f;
        f.add("info", *why);
        reply(c, "signon", std::move(f), "badreq");
        log_.warn("API: client pid " + std::to_string(c.peer.pid) + " refused: " + *why);
        drop(c.fd, *why);
        return;
    }
    if (!c.casual) {
        ++client_generation_[c.id];
        announce(c, "join", "signon");
    }
    reply(c, "signon", signon_fields(settings_));
}

void ApiServer::handle_request(Client& c, const Message& req) {
    ++registry_.counters().requests;
    const std::string reqtype(req.get("reqtype").value_or(""));
    if (reqtype == "signon") return signon(c, req);
    if (!c.signed_on) return drop(c.fd, "request before signon", &ApiCounters::dropped_malformed);
    if (reqtype == "signoff") return drop(c.fd, "signoff", &ApiCounters::signoffs);
    RequestReplies out;
    if (RequestHandler handler = find_request_handler(reqtype)) {
        handler(context_, c, req, out);
    } else {
        ++registry_.counters().requests_refused;
        return reply(c, reqtype, Message(), "badreq");  // as heartbeat: no reason given
    }
    if (out.refused()) ++registry_.counters().requests_refused;
    for (const auto& r : out.replies()) reply(c, reqtype, r.fields, r.result);
    if (out.dropped()) drop(c.fd, *out.dropped());
}

void ApiServer::reply(Client& c, const std::string& reqtype, Message fields, std::string_view result) {
    Message m;
    m.add("t", "hbapi-resp");
    m.add("reqtype", reqtype);
    // heartbeat 3.0.6 writes the result first in a sign-on reply and last everywhere else.
    const bool result_first = reqtype == "signon";
    if (result_first) m.add("result", result);
    for (const Field& f : fields.fields()) m.add_field(f);
    if (!result_first) m.add("result", result);
    queue(c, m);
}

void ApiServer::queue(Client& c, const Message& msg) {
    if (!c.closing.empty()) return;
    auto frame = ipc::encode_frame(msg);
    if (!frame) {
        // Larger than the socket's frame: compressed, as heartbeat's library would, for the client
        // library to inflate on reading.
        auto wrapper = compress_message(msg, Compression::zlib);
        if (wrapper) frame = ipc::encode_frame(*wrapper);
        if (!frame) {
            log_.warn("API: a message for client " + c.id + " does not fit the socket even compressed: " +
                      frame.error());
            return;
        }
    }
    if (c.queued >= hard_limit(c)) {
        log_.warn("API: client " + c.id + " does not read: sendq length=" + std::to_string(c.queued) + " (max is " +
                  std::to_string(hard_limit(c)) + ")");
        drop(c.fd, "send queue full", &ApiCounters::dropped_queue_full);
        return;
    }
    c.out += *frame;
    ++c.queued;
    if (!c.dirty) {
        c.dirty = true;
        dirty_.push_back(c.fd);
    }
}

void ApiServer::flush_dirty() {
    std::vector<int> fds;
    fds.swap(dirty_);
    for (int fd : fds) {
        Client* found = registry_.find(fd);
        if (!found) continue;
        Client& c = *found;
        c.dirty = false;
        flush(c);
        // setmsgsignal: once the messages can be read, once per round.
        if (c.signal > 0 && c.closing.empty()) ::kill(c.peer.pid, c.signal);
    }
    reap();
}

void ApiServer::flush(Client& c) {
    if (!c.closing.empty()) return;
    while (!c.out.empty()) {
        ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            drop(c.fd, "write failed", &ApiCounters::dropped_write_failed);
            return;
        }
        c.out.erase(0, static_cast<std::size_t>(n));
        if (c.behind) c.behind_since = io::monotonic_now();  // it takes bytes: slow, not stuck
    }
    // Count whole frames still waiting: a client is as far behind as its unwritten bytes.
    if (c.out.empty()) c.queued = 0;
    reactor_.set_writable(c.fd, !c.out.empty());
    update_behind(c);
}

void ApiServer::announce(const Client& c, const char* status, const char* info) {
    Message m;
    m.add("t", "hbapi-clstat");
    m.add("st", status);
    m.add("from_id", c.id);
    m.add("to_id", c.id);
    m.add("info", info);
    m.add_int("client_gen", client_generation_[c.id]);
    send_(std::move(m));
}

void ApiServer::drop(int fd, const std::string& why, std::uint64_t ApiCounters::*reason) {
    Client* found = registry_.find(fd);
    if (!found || !found->closing.empty()) return;
    Client& c = *found;
    c.closing = why;
    if (reason) ++(registry_.counters().*reason);
    update_behind(c);
    // A refusal or a last reply still in the buffer goes out if the socket takes it now.
    if (!c.out.empty()) ::send(fd, c.out.data(), c.out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

void ApiServer::reap() {
    // Not while a handler holds a client (a client's own message can come back through
    // deliver()), and not inside itself (a leave announcement comes back through deliver() too).
    if (busy_ > 0 || reaping_) return;
    reaping_ = true;
    // An announcement may drop clients (their queues overflow): rounds until none is closing;
    // each round closes at least one, so there are at most as many rounds as clients.
    for (bool closed = true; closed;) {
        closed = false;
        std::vector<int> gone;
        for (const auto& [fd, c] : registry_.all()) {
            if (!c->closing.empty()) gone.push_back(fd);
        }
        for (int fd : gone) {
            std::unique_ptr<Client> c = registry_.remove(fd);
            closed = true;
            reactor_.remove(c->fd);
            close(c->fd);
            log_.debug("API: client " + c->name() + " gone: " + c->closing);
            if (c->signed_on && !c->casual) announce(*c, "leave", c->closing == "signoff" ? "signoff" : "EOF");
            if (c->filter & ~ipc::kKeepIt) update_promiscuous();
        }
    }
    reaping_ = false;
}

// A peer (or we, for a cluster-wide query) asks whether a client of that name is signed on here.
void ApiServer::answer_cstatus_query(const Message& query) {
    const std::string cn(query.get("cn").value_or(""));
    Message r;
    r.add("t", "respond-cstatus");
    r.add("dest", *query.get("src"));
    r.add("result", "OK");
    r.add("cn", cn);
    r.add("to_id", query.get("from_id").value_or(""));
    r.add("cs", registry_.signed_on(cn) ? "online" : "offline");
    send_(std::move(r));
}

void ApiServer::update_promiscuous() {
    bool wanted = false;
    for (const auto& [fd, c] : registry_.all()) wanted = wanted || (c->signed_on && c->closing.empty() && (c->filter & ~ipc::kKeepIt));
    if (wanted == promiscuous_) return;
    promiscuous_ = wanted;
    if (filter_change_) filter_change_(wanted);
}

void ApiServer::deliver(const Message& msg, core::Treatment treatment) {
    const auto type = msg.get("t");
    // The core only delivers what has no `dest` or is for us, so a query here is ours to answer.
    if (treatment == core::Treatment::keep && type == std::optional<std::string_view>("query-cstatus") &&
        msg.get("src") && msg.get("cn")) {
        answer_cstatus_query(msg);
        return;
    }
    const unsigned bit = treatment == core::Treatment::keep               ? ipc::kKeepIt
                         : treatment == core::Treatment::unchanged_status ? ipc::kNoChange
                         : treatment == core::Treatment::duplicate        ? ipc::kDuplicate
                                                                          : ipc::kDropIt;
    const auto to = msg.get("to_id");
    std::vector<int> targets;
    for (const auto& [fd, c] : registry_.all()) {
        if (c->signed_on && (c->filter & bit) && (!to || c->id == *to)) targets.push_back(fd);
    }
    for (int fd : targets) {
        Client& c = *registry_.find(fd);
        ++c.delivered;
        ++registry_.counters().messages_to_clients;
        queue(c, msg);
    }
    reap();
}

}  // namespace hb::daemon

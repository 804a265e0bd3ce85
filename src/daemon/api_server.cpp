#include "daemon/api_server.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/wire_fields.hpp"
#include "io/clock.hpp"
#include "msg/compression.hpp"

namespace hb::daemon {

namespace {

constexpr std::size_t kMaxClients = 256;

std::string str(std::optional<std::string_view> v) { return v ? std::string(*v) : std::string(); }

bool in(const auto& list, auto value) { return std::find(list.begin(), list.end(), value) != list.end(); }

}  // namespace

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
    for (auto& [fd, c] : clients_) drop(fd, "daemon stopping");
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
        if (fd < 0) return;
        if (clients_.size() >= kMaxClients) {
            log_.warn("API: refusing a client: " + std::to_string(kMaxClients) + " clients already");
            close(fd);
            continue;
        }
        auto c = std::make_unique<Client>();
        c->fd = fd;
        ucred cred{};
        socklen_t len = sizeof cred;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
            c->peer_pid = cred.pid;
            c->peer_uid = cred.uid;
            c->peer_gid = cred.gid;
        }
        clients_[fd] = std::move(c);
        reactor_.add(fd, [this, fd] { on_readable(fd); }, [this, fd] { on_writable(fd); });
    }
}

void ApiServer::on_readable(int fd) {
    ++busy_;
    on_readable_client(fd);
    --busy_;
    reap();
}

void ApiServer::on_readable_client(int fd) {
    auto it = clients_.find(fd);
    if (it == clients_.end() || !it->second->closing.empty()) return;
    char buf[16384];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        drop(fd, "EOF");
        return;
    }
    if (n < 0) return;
    Client& c = *it->second;
    c.reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    Message msg;
    std::string error;
    // Bounded by what was read: each message consumes at least a frame header.
    for (int i = 0; i < 4096; ++i) {
        switch (c.reader.next(msg, error)) {
            case ipc::FrameReader::Status::need_more:
                return;
            case ipc::FrameReader::Status::error:
                drop(fd, "malformed frame: " + error);
                return;
            case ipc::FrameReader::Status::message:
                handle(c, msg);
                if (!c.closing.empty()) return;  // handling dropped it
                break;
        }
    }
}

void ApiServer::on_writable(int fd) {
    auto it = clients_.find(fd);
    if (it != clients_.end()) flush(*it->second);
    reap();
}

void ApiServer::handle(Client& c, Message& msg) {
    if (is_compressed_message(msg)) {
        // heartbeat's library compresses what reaches MAXMSG; its daemon unpacks it at once.
        auto inner = decompress_message(msg);
        if (!inner) {
            drop(c.fd, inner.error());
            return;
        }
        msg = std::move(inner).value();
    }
    if (msg.get("t") == std::optional<std::string_view>("hbapi-req")) {
        handle_request(c, msg);
        return;
    }
    if (!c.signed_on || c.casual) {
        drop(c.fd, "general message from casual client");  // heartbeat's rule: casual clients query only
        return;
    }
    (void)send_from(c, std::move(msg));  // a refusal is logged where it is made
}

std::optional<std::string> ApiServer::send_from(Client& c, Message msg) {
    // A named client's message for the cluster or one node: tagged with its id, as heartbeat does.
    msg.set("from_id", c.id);
    msg.set("to_id", c.id);
    msg.set_int("client_gen", client_generation_[c.id]);
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
    for (auto& [fd, c] : clients_) {
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

void ApiServer::drop_stalled(core::Micros now) {
    for (auto& [fd, c] : clients_) {
        if (c->behind && now - c->behind_since > kStallLimit) {
            log_.warn("API: client " + c->id + " does not read: " + std::to_string(c->queued) +
                      " messages unread for over a second while the cluster waits for it");
            drop(fd, "does not read");
        }
    }
    reap();
}

bool ApiServer::signon(Client& c, const Message& req, std::string& why) {
    const std::string pid = str(req.get("pid"));
    const std::string id = req.get("from_id") ? str(req.get("from_id")) : pid;
    auto uid = req.get_int("uid");
    auto gid = req.get_int("gid");
    if (!uid || !gid || static_cast<uid_t>(*uid) != c.peer_uid || static_cast<gid_t>(*gid) != c.peer_gid) {
        why = "uid/gid do not match the socket's credentials";
        return false;
    }
    if (pid.empty() || std::to_string(c.peer_pid) != pid) {
        why = "pid does not match the socket's credentials";
        return false;
    }
    if (id.empty() || id.size() >= 32) {
        why = "invalid client id";
        return false;
    }
    const bool casual = id == pid;
    if (signed_on(id)) {
        why = "duplicate add request";
        return false;
    }
    const config::ApiAuth* rule = nullptr;
    const std::string key = casual ? "anon" : id;
    for (const auto& a : settings_.apiauth) {
        if (a.client == key) rule = &a;
    }
    if (!rule && !casual) {
        for (const auto& a : settings_.apiauth) {
            if (a.client == "default") rule = &a;
        }
    }
    if (!rule || (!in(rule->uids, c.peer_uid) && !in(rule->gids, c.peer_gid))) {
        why = "client failed authorization";
        return false;
    }
    c.id = id;
    c.casual = casual;
    c.signed_on = true;
    return true;
}

void ApiServer::handle_request(Client& c, const Message& req) {
    const std::string reqtype = str(req.get("reqtype"));
    if (reqtype == "signon") {
        std::string why;
        if (c.signed_on || !signon(c, req, why)) {
            Message f;
            f.add("info", why.empty() ? "already signed on" : why);
            reply(c, reqtype, std::move(f), "badreq");
            log_.warn("API: client pid " + std::to_string(c.peer_pid) + " refused: " + why);
            drop(c.fd, why);
            return;
        }
        Message f;
        f.add("deadtime", core::hex(static_cast<std::uint64_t>(settings_.core.deadtime / core::kMillis)));
        f.add("keepalive", core::hex(static_cast<std::uint64_t>(settings_.core.keepalive / core::kMillis)));
        f.add("node", settings_.core.node);
        f.add("hbversion", "3.0.6 (hb " HB_VERSION ")");
        f.add("pacemaker", "off");
        f.add_int("logfacility", settings_.log.syslog_facility);
        if (!c.casual) {
            ++client_generation_[c.id];
            announce(c, "join", "signon");
        }
        reply(c, reqtype, std::move(f));
        return;
    }
    if (!c.signed_on) {
        drop(c.fd, "request before signon");
        return;
    }
    if (reqtype == "signoff") {
        drop(c.fd, "signoff");
        return;
    }
    const std::string node = str(req.get("node"));
    const bool self = node == settings_.core.node;
    const auto view = self ? std::nullopt : core_.node(node);
    const bool known = self || view.has_value();
    Message f;
    if (reqtype == "nodelist") {
        for (std::size_t i = 0; i < settings_.core.nodes.size(); ++i) {
            const std::string& n = settings_.core.nodes[i];
            Message one;
            one.add("node", n);
            one.add("nodetype", "normal");
            auto v = core_.node(n);
            one.add("st", to_string(n == settings_.core.node ? core_.local_status()
                                                              : (v ? v->status : core::NodeStatus::dead)));
            reply(c, reqtype, std::move(one), i + 1 < settings_.core.nodes.size() ? "ok/more" : "OK");
        }
        return;
    }
    if (reqtype == "nodestatus" || reqtype == "nodetype" || reqtype == "nodeweight" || reqtype == "nodesite" ||
        reqtype == "iflist" || reqtype == "ifstatus") {
        if (!known) {
            f.add("info", "EINVAL");
            reply(c, reqtype, std::move(f), "badreq");
            return;
        }
    }
    if (reqtype == "nodestatus") {
        f.add("st", to_string(self ? core_.local_status() : view->status));
    } else if (reqtype == "nodetype") {
        f.add("nodetype", "normal");
    } else if (reqtype == "nodeweight") {
        f.add("weight", "100");
    } else if (reqtype == "nodesite") {
        f.add("site", "");
    } else if (reqtype == "numnodes") {
        f.add_int("numnodes", static_cast<long>(settings_.core.nodes.size()));
    } else if (reqtype == "iflist") {
        const auto& links = settings_.core.links;
        for (std::size_t l = 0; l < links.size(); ++l) {
            Message one;
            one.add("ifname", links[l]);
            // heartbeat reports our own links as dead.
            one.add("st", to_string(self ? core::LinkStatus::dead : view->links[l]));
            reply(c, reqtype, std::move(one), l + 1 < links.size() ? "ok/more" : "OK");
        }
        return;
    } else if (reqtype == "ifstatus") {
        const auto& links = settings_.core.links;
        auto it = std::find(links.begin(), links.end(), str(req.get("ifname")));
        if (it == links.end()) {
            f.add("info", "EINVAL");
            reply(c, reqtype, std::move(f), "badreq");
            return;
        }
        f.add("st", to_string(self ? core::LinkStatus::dead : view->links[static_cast<std::size_t>(it - links.begin())]));
    } else if (reqtype == "getparm") {
        auto p = settings_.parameters.find(str(req.get("pname")));
        if (p != settings_.parameters.end()) f.add("pvalue", p->second);
    } else if (reqtype == "getrsc" || reqtype == "rscstatus") {
        if (!getrsc_) {
            // heartbeat 3.0.6's words when it does not manage resources itself (pacemaker on).
            f.add("info", "Resource is managed by crm. Use crm tool to query resource");
            reply(c, reqtype, std::move(f), "badreq");
            return;
        }
        if (reqtype == "getrsc") {
            f.add("rsc_hold", getrsc_());
        } else {
            f.add("json", rscstatus_());
        }
    } else if (reqtype == "getuuid") {
        const std::string q = str(req.get("queryname"));
        if (q == settings_.core.node) {
            f.add_binary("queryuuid", settings_.core.uuid);
        } else if (auto v = core_.node(q); v && !v->uuid.empty()) {
            f.add_binary("queryuuid", v->uuid);
        }
    } else if (reqtype == "getnodename") {
        auto q = req.get_binary("queryuuid");
        if (q && *q == settings_.core.uuid) {
            f.add("queryname", settings_.core.node);
        } else if (q) {
            for (const auto& v : core_.node_views()) {
                if (v.uuid == *q) f.add("queryname", v.name);
            }
        }
    } else if (reqtype == "clientstatus") {
        const std::string cn = str(req.get("cn"));
        if (self) {
            f.add("subt", "respond-cstatus");
            f.add("cs", signed_on(cn) ? "online" : "offline");
        } else if (!known || view->status != core::NodeStatus::active) {
            f.add("subt", "respond-cstatus");
            f.add("cs", "offline");
        } else {
            // The answer comes from that node as a respond-cstatus message routed to this client.
            Message q;
            q.add("t", "query-cstatus");
            q.add("dest", node);
            q.add("cn", cn);
            q.add("from_id", c.id);
            send_(std::move(q));
            return;
        }
    } else if (reqtype == "setfilter") {
        auto mask = req.get_hex("fmask");
        if (!mask || *mask > ipc::kAllTreatments) {
            f.add("info", "EINVAL");
            reply(c, reqtype, std::move(f), "badreq");
            return;
        }
        // Seeing other nodes' traffic is for root or the daemon's own user, as in heartbeat.
        if ((*mask & ~ipc::kKeepIt) != 0 && c.peer_uid != 0 && c.peer_uid != geteuid()) {
            f.add("info", "EPERM");
            reply(c, reqtype, std::move(f), "badreq");
            return;
        }
        c.filter = static_cast<unsigned>(*mask);
        update_promiscuous();
    } else if (reqtype == "setsignal") {
        auto sig = req.get_int("signal");
        if (!sig || *sig < 0 || *sig == SIGKILL || *sig == SIGSTOP || *sig >= 32) {
            f.add("info", "EINVAL");
            reply(c, reqtype, std::move(f), "badreq");
            return;
        }
        c.signal = static_cast<int>(*sig);
    } else if (reqtype == "sendmsg") {
        // Ours: a message larger than one datagram, sent with an answer (the client library's
        // sendclustermsg/sendnodemsg), so that one that cannot reach its destination whole fails
        // at the call instead of being accepted and lost.
        const Message* carried = req.get_struct("msg");
        if (!c.signed_on || c.casual || !carried) {
            f.add("info", c.casual ? "a casual client may not send messages" : "no message in 'msg'");
            reply(c, reqtype, std::move(f), "badreq");
            return;
        }
        // The library compresses a message that would not fit the socket's frame otherwise.
        auto msg = unwrap_compressed(*carried);
        if (!msg || !msg->get("t")) {
            f.add("info", msg ? "the message in 'msg' has no type (t)" : msg.error());
            reply(c, reqtype, std::move(f), "badreq");
            return;
        }
        if (auto refused = send_from(c, std::move(msg).value())) {
            f.add("info", *refused);
            reply(c, reqtype, std::move(f), "fail");
            return;
        }
    } else if (reqtype == "set_sendqlen") {
        if (auto n = req.get_int("sendqlen"); n && *n > 0 && *n <= 100000) c.queue_limit = static_cast<std::size_t>(*n);
        return;  // no reply, as heartbeat
    } else {
        reply(c, reqtype, Message(), "badreq");
        return;
    }
    reply(c, reqtype, std::move(f));
}

void ApiServer::reply(Client& c, const std::string& reqtype, Message fields, const char* result) {
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
        drop(c.fd, "send queue full");
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
        auto it = clients_.find(fd);
        if (it == clients_.end()) continue;
        Client& c = *it->second;
        c.dirty = false;
        flush(c);
        // setmsgsignal: once the messages can be read, once per round.
        if (c.signal > 0 && c.closing.empty()) ::kill(c.peer_pid, c.signal);
    }
    reap();
}

void ApiServer::flush(Client& c) {
    if (!c.closing.empty()) return;
    while (!c.out.empty()) {
        ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            drop(c.fd, "write failed");
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

void ApiServer::drop(int fd, const std::string& why) {
    auto it = clients_.find(fd);
    if (it == clients_.end() || !it->second->closing.empty()) return;
    Client& c = *it->second;
    c.closing = why;
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
        for (auto it = clients_.begin(); it != clients_.end();) {
            if (it->second->closing.empty()) {
                ++it;
                continue;
            }
            std::unique_ptr<Client> c = std::move(it->second);
            it = clients_.erase(it);
            closed = true;
            reactor_.remove(c->fd);
            close(c->fd);
            log_.debug("API: client " + (c->id.empty() ? std::to_string(c->peer_pid) : c->id) + " gone: " + c->closing);
            if (c->signed_on && !c->casual) announce(*c, "leave", c->closing == "signoff" ? "signoff" : "EOF");
            if (c->filter & ~ipc::kKeepIt) update_promiscuous();
        }
    }
    reaping_ = false;
}

// A peer (or we, for a cluster-wide query) asks whether a client of that name is signed on here.
void ApiServer::answer_cstatus_query(const Message& query) {
    const std::string cn = str(query.get("cn"));
    Message r;
    r.add("t", "respond-cstatus");
    r.add("dest", *query.get("src"));
    r.add("result", "OK");
    r.add("cn", cn);
    r.add("to_id", str(query.get("from_id")));
    r.add("cs", signed_on(cn) ? "online" : "offline");
    send_(std::move(r));
}

bool ApiServer::signed_on(std::string_view id) const {
    return std::any_of(clients_.begin(), clients_.end(), [&](const auto& e) { return e.second->signed_on && e.second->id == id; });
}

void ApiServer::update_promiscuous() {
    bool wanted = false;
    for (const auto& [fd, c] : clients_) wanted = wanted || (c->signed_on && c->closing.empty() && (c->filter & ~ipc::kKeepIt));
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
    for (const auto& [fd, c] : clients_) {
        if (c->signed_on && (c->filter & bit) && (!to || c->id == *to)) targets.push_back(fd);
    }
    for (int fd : targets) queue(*clients_.at(fd), msg);
    reap();
}

}  // namespace hb::daemon

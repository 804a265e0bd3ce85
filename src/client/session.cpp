#include "session.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/deadline.hpp"
#include "msg/compression.hpp"
#include "msg/limits.hpp"

namespace hb::client {

namespace {
constexpr const char* kDefaultSocket = "/var/run/heartbeat/register";
// Before sign-on tells us the node's name, heartbeat's library sends uname -n, lowercased.
std::string local_node_guess() {
    utsname u{};
    uname(&u);
    std::string n = u.nodename;
    for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return n;
}

bool is_reply(const Message& m) { return m.get("t") == std::optional<std::string_view>("hbapi-resp"); }
}  // namespace

std::string default_socket_path() {
    const char* env = std::getenv("HA_API_SOCKET");
    return env && *env ? env : kDefaultSocket;
}

Result<std::unique_ptr<Session>> Session::signon(const std::string& path, const std::string& client_id,
                                                 int timeout_ms) {
    std::unique_ptr<Session> s(new Session());
    sockaddr_un addr{};
    if (path.size() >= sizeof addr.sun_path) return make_error("socket path too long: " + path);
    s->fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->fd_ < 0) return make_error(std::string("socket: ") + std::strerror(errno));
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (connect(s->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        return make_error("cannot reach the heartbeat daemon at " + path + ": " + std::strerror(errno));
    }
    s->pid_ = std::to_string(getpid());
    s->casual_ = client_id.empty();
    s->id_ = s->casual_ ? s->pid_ : client_id;
    Message fields;
    fields.add("uid", std::to_string(geteuid()));
    fields.add("gid", std::to_string(getegid()));
    auto replies = s->request("signon", fields, timeout_ms);
    if (!replies) return make_error(replies.error());
    const Message& r = replies->back();
    if (r.get("result") != std::optional<std::string_view>("OK")) {
        return make_error("signon refused: " + std::string(r.get("info").value_or("no reason given")));
    }
    s->info_.node = std::string(r.get("node").value_or(""));
    s->info_.deadtime_ms = static_cast<long>(r.get_hex("deadtime").value_or(0));
    s->info_.keepalive_ms = static_cast<long>(r.get_hex("keepalive").value_or(0));
    s->info_.logfacility = static_cast<int>(r.get_int("logfacility").value_or(-1));
    s->info_.version = std::string(r.get("hbversion").value_or(""));
    return s;
}

Session::~Session() { signoff(); }

Message Session::header(const std::string& reqtype) const {
    Message m;
    m.add("t", "hbapi-req");
    m.add("reqtype", reqtype);
    m.add("dest", info_.node.empty() ? local_node_guess() : info_.node);
    m.add("pid", pid_);
    m.add("from_id", id_);
    return m;
}

Result<bool> Session::write_frame(const Message& msg) {
    auto frame = ipc::encode_frame(msg);
    if (!frame) return make_error(frame.error());
    return write_encoded(std::move(frame).value());
}

Result<bool> Session::write_encoded(std::string frame) {
    if (fd_ < 0) return make_error("not connected to the heartbeat daemon");
    if (pending_.size() + frame.size() > kMaxPendingBytes) {
        (void)flush(false);
        if (pending_.size() + frame.size() > kMaxPendingBytes) {
            return make_error("send queue full: the heartbeat daemon is not reading");
        }
    }
    pending_ += frame;
    return flush(blocking_);
}

Result<bool> Session::flush(bool wait) {
    // Bounded: every turn writes something, or waits for the socket, or fails.
    while (!pending_.empty()) {
        ssize_t n = ::send(fd_, pending_.data(), pending_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            pending_.erase(0, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait) return true;
            // While we wait to write, the daemon may be waiting to write to us: what it sends is
            // read into the frame buffer, so neither side waits for the other forever.
            pollfd p{fd_, POLLOUT | POLLIN, 0};
            if (poll(&p, 1, -1) < 0 && errno != EINTR) break;
            if ((p.revents & POLLIN) && !read_some()) break;
            continue;
        }
        break;
    }
    if (pending_.empty()) return true;
    disconnect();
    return make_error("the heartbeat daemon went away");
}

Result<std::optional<Message>> Session::read_frame(int timeout_ms) {
    if (!pending_.empty() && fd_ >= 0) (void)flush(false);  // non-blocking sends go out as we read
    const Deadline deadline(timeout_ms);
    for (;;) {
        Message m;
        std::string error;
        switch (reader_.next(m, error)) {
            case ipc::FrameReader::Status::message:
                if (is_compressed_message(m)) {
                    // heartbeat 3.0.6's daemon with traditional_compression compresses what it
                    // hands clients too; its library unpacks it at once.
                    auto inner = decompress_message(m);
                    if (!inner) {
                        disconnect();
                        return make_error("bad message from the daemon: " + inner.error());
                    }
                    m = std::move(inner).value();
                }
                inflate_compress_fields(m);
                if (on_frame_) on_frame_(m);
                return std::optional<Message>(std::move(m));
            case ipc::FrameReader::Status::error:
                disconnect();
                return make_error("bad frame from the daemon: " + error);
            case ipc::FrameReader::Status::need_more:
                break;
        }
        if (fd_ < 0) return make_error("not connected to the heartbeat daemon");
        // timeout 0 still looks once; a longer one that has run out does not.
        if (timeout_ms > 0 && deadline.passed()) return std::optional<Message>();
        pollfd p{fd_, POLLIN, 0};
        int r = poll(&p, 1, deadline.left_ms());
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) return std::optional<Message>();
        if (!read_some()) {
            disconnect();
            return make_error("the heartbeat daemon went away");
        }
    }
}

bool Session::read_some() {
    char buf[16384];
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) return false;
    reader_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    return true;
}

Result<std::optional<Message>> Session::await(const std::function<bool(const Message&)>& wanted, int timeout_ms) {
    const Deadline deadline(std::max(0, timeout_ms));
    // Bounded by the deadline: every turn reads a frame or times out.
    for (;;) {
        if (deadline.passed()) return std::optional<Message>();
        auto m = read_frame(deadline.left_ms());
        if (!m) return m;
        if (!*m) continue;
        if (wanted(**m)) return m;
        if (!is_reply(**m)) queued_.push_back(std::move(**m));  // a cluster message that arrived meanwhile
    }
}

Result<std::vector<Message>> Session::request(const std::string& reqtype, const Message& fields, int timeout_ms) {
    auto written = post(reqtype, fields);
    if (!written) return make_error(written.error());
    auto is_answer = [&](const Message& m) {
        return is_reply(m) && m.get("reqtype") == std::optional<std::string_view>(reqtype);
    };
    std::vector<Message> replies;
    const Deadline deadline(std::max(0, timeout_ms));
    for (;;) {
        auto m = await(is_answer, deadline.left_ms());
        if (!m) return make_error(m.error());
        if (!*m) return make_error("no reply to " + reqtype + " in time");
        const bool more = (*m)->get("result") == std::optional<std::string_view>("ok/more");
        replies.push_back(std::move(**m));
        if (!more) return replies;
    }
}

Result<bool> Session::post(const std::string& reqtype, const Message& fields) {
    Message req = header(reqtype);
    for (const Field& f : fields.fields()) req.add_field(f);
    return write_frame(req);
}

Result<bool> Session::send(const Message& given) {
    if (casual_) return make_error("a casual client may not send messages (sign on with a client id)");
    if (!given.get("t")) return make_error("a message needs a type (t)");
    bool to_pack = false;
    for (const Field& f : given.fields()) to_pack = to_pack || f.type == FieldType::uncompress;
    if (!to_pack) return send_packed(given);
    // Fields added with ha_msg_addstruct_compress leave the process compressed, as heartbeat's do.
    auto msg = pack_compress_fields(given, Compression::zlib);
    if (!msg) return make_error(msg.error());
    return send_packed(*msg);
}

Result<bool> Session::send_packed(const Message& msg) {
    auto frame = ipc::encode_frame(msg);
    if (frame && frame->size() <= kMaxOneDatagramBytes) return write_encoded(std::move(frame).value());
    return send_large(msg);
}

// Larger than one datagram: it reaches the other nodes only compressed or in fragments, which
// depends on them, so it goes with an answer (our `sendmsg` request) and fails at the call when it
// cannot arrive whole, instead of being accepted and lost on the way. Compressed here first when
// it would not fit the socket's frame otherwise, as heartbeat's library compresses at MAXMSG.
Result<bool> Session::send_large(const Message& msg) {
    auto carrying = [this](Message m) {
        Message fields;
        fields.add_struct("msg", std::move(m));
        Message req = header("sendmsg");
        for (const Field& f : fields.fields()) req.add_field(f);
        return std::pair{fields, ipc::encode_frame(req)};
    };
    auto [fields, frame] = carrying(msg);
    if (!frame) {
        auto wrapper = compress_message(msg, Compression::zlib);
        if (!wrapper) return make_error(wrapper.error());
        std::tie(fields, frame) = carrying(std::move(wrapper).value());
        if (!frame) return make_error("the message is above heartbeat's limit even compressed: " + frame.error());
    }
    auto replies = request("sendmsg", fields);
    if (!replies) return make_error(replies.error());
    const auto result = replies->back().get("result");
    if (result == std::optional<std::string_view>("OK")) return true;
    // Ours says why it refused; heartbeat 3.0.6's daemon does not know the request (a bare
    // badreq): it would send the message as it is, in one datagram, and lose it.
    if (auto why = replies->back().get("info")) return make_error(std::string(*why));
    return make_error("a message larger than one datagram (at most " + std::to_string(kMaxOneDatagramBytes) +
                      " bytes), and this daemon (heartbeat 3.0.6?) can send it neither compressed nor in fragments");
}

Result<std::optional<Message>> Session::receive(int timeout_ms) {
    if (!queued_.empty()) {
        Message m = std::move(queued_.front());
        queued_.pop_front();
        return std::optional<Message>(std::move(m));
    }
    for (;;) {
        auto m = read_frame(timeout_ms);
        if (!m || !*m) return m;
        if (!is_reply(**m)) return m;  // a stray reply (to a timed-out request) is skipped
    }
}

bool Session::message_ready() {
    if (!queued_.empty()) return true;
    auto m = read_frame(0);
    if (!m || !*m) return false;
    queued_.push_back(std::move(**m));
    return true;
}

void Session::read_available() {
    // Bounded by what has arrived: each turn takes one frame, and a read takes at most 16 KiB.
    for (int i = 0; i < 100000 && fd_ >= 0; ++i) {
        auto m = read_frame(0);
        if (!m || !*m) return;
        if (!is_reply(**m)) queued_.push_back(std::move(**m));
    }
}

void Session::signoff() {
    if (fd_ < 0) return;
    blocking_ = true;  // what is pending goes out before we leave
    (void)post("signoff", Message());
    disconnect();
}

void Session::disconnect() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

}  // namespace hb::client

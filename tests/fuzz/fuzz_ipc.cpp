// The daemon's client API server under arbitrary client bytes (spec §5).
//
// One real hb::daemon::ApiServer (real Reactor, Logger, Core, Settings) listens on a Unix socket
// under a mkdtemp directory for the whole run. For each input a fresh client connects, optionally
// signs on (so that requests after sign-on are reached), writes the payload in two parts, and the
// reactor runs a bounded number of non-blocking rounds. Checked every time:
//   - every frame the server sends back decodes (ipc::FrameReader), and every message has a `t`;
//   - the server forgets the client once it is closed (no client kept, no fd leaked);
//   - a well-behaved named client that signed on at start-up is still answered afterwards;
//   - ipc::FrameReader cuts the payload into the same messages whether fed at once or in parts.
//
// Input: byte 0 is the mode, byte 1 the split point, the rest the payload.
//   mode & 3: 0 nothing first, 1 casual sign-on first, 2/3 named ("ping") sign-on first
//   mode & 4: half-close (EOF) after the payload
//   mode & 8: read the replies between the two writes
//
// Clients connect from a helper child process that passes the socket back (SCM_RIGHTS): the
// server sees the helper's pid in SO_PEERCRED, so a `setsignal` request signals the helper (which
// blocks every signal), never the fuzzer itself.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/core.hpp"
#include "daemon/api_server.hpp"
#include "daemon/logger.hpp"
#include "daemon/settings.hpp"
#include "io/clock.hpp"
#include "io/reactor.hpp"
#include "ipc/frame.hpp"

namespace {

using hb::Message;
using hb::ipc::FrameReader;

[[noreturn]] void fail(const char* what, const std::string& detail = "") {
    std::fprintf(stderr, "fuzz_ipc: %s%s%s\n", what, detail.empty() ? "" : ": ", detail.c_str());
    __builtin_trap();
}

// ----- the helper that connects on our behalf -------------------------------------------------

[[noreturn]] void helper_main(int ctl, const char* path) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, nullptr);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
    for (;;) {
        char c = 0;
        ssize_t n = recv(ctl, &c, 1, 0);
        if (n <= 0) _exit(0);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        char ok = 0;
        if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) ok = 1;
        alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))] = {};
        iovec iov{&ok, 1};
        msghdr mh{};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        if (ok) {
            mh.msg_control = cbuf;
            mh.msg_controllen = sizeof cbuf;
            cmsghdr* cm = CMSG_FIRSTHDR(&mh);
            cm->cmsg_level = SOL_SOCKET;
            cm->cmsg_type = SCM_RIGHTS;
            cm->cmsg_len = CMSG_LEN(sizeof(int));
            std::memcpy(CMSG_DATA(cm), &fd, sizeof fd);
        }
        if (sendmsg(ctl, &mh, MSG_NOSIGNAL) < 0) _exit(1);
        if (fd >= 0) close(fd);
        // Only our caller holds the socket now: its close() is the client's EOF.
        if (send(ctl, &ok, 1, MSG_NOSIGNAL) != 1) _exit(1);
    }
}

// ----- the one server of the run --------------------------------------------------------------

struct Harness {
    std::string dir;
    std::string path;
    hb::daemon::Logger log;
    hb::daemon::Settings settings;
    std::unique_ptr<hb::io::Reactor> reactor;
    std::unique_ptr<hb::core::Core> core;
    std::unique_ptr<hb::daemon::ApiServer> api;
    pid_t helper = -1;
    int ctl = -1;
    int good = -1;       // the well-behaved named client "good"
    FrameReader good_reader;
    long good_requests = 0;

    // One round of the loop: whatever is ready is served, then the (past) deadline stops it.
    void round() {
        reactor->set_deadline(0);
        if (!reactor->run()) fail("reactor failed");
    }

    int connect_client() {
        char c = 1;
        if (send(ctl, &c, 1, MSG_NOSIGNAL) != 1) fail("helper gone");
        char ok = 0;
        alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))] = {};
        iovec iov{&ok, 1};
        msghdr mh{};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = cbuf;
        mh.msg_controllen = sizeof cbuf;
        if (recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC) != 1 || !ok) fail("helper could not connect");
        cmsghdr* cm = CMSG_FIRSTHDR(&mh);
        if (!cm || cm->cmsg_type != SCM_RIGHTS) fail("no fd from the helper");
        int fd = -1;
        std::memcpy(&fd, CMSG_DATA(cm), sizeof fd);
        if (recv(ctl, &ok, 1, 0) != 1) fail("helper gone");
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        // Bounded: the server accepts on its first round.
        const std::size_t before = api->clients();
        for (int i = 0; i < 8 && api->clients() == before; ++i) round();
        if (api->clients() != before + 1) fail("server did not accept a client");
        return fd;
    }

    Message request(std::string_view reqtype, std::string_view from_id) const {
        Message m;
        m.add("t", "hbapi-req");
        m.add("reqtype", reqtype);
        m.add("dest", settings.core.node);
        m.add("pid", std::to_string(helper));
        m.add("from_id", from_id);
        return m;
    }

    std::string frame(const Message& m) const {
        auto f = hb::ipc::encode_frame(m);
        if (!f) fail("cannot encode a request", f.error());
        return *f;
    }

    std::string signon_frame(std::string_view id) const {
        Message m = request("signon", id);
        m.add("uid", std::to_string(geteuid()));
        m.add("gid", std::to_string(getegid()));
        return frame(m);
    }
};

Harness* h = nullptr;

// Everything readable now; false once the peer closed.
bool drain(int fd, std::string& into) {
    char buf[65536];
    for (int i = 0; i < 1024; ++i) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            into.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        return !(n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR));
    }
    return true;
}

// Every frame the server wrote must decode; a message must have a type.
void check_replies(FrameReader& reader, std::string_view bytes, std::vector<Message>* out = nullptr) {
    reader.feed(bytes);
    Message m;
    std::string error;
    for (;;) {
        switch (reader.next(m, error)) {
            case FrameReader::Status::need_more:
                return;
            case FrameReader::Status::error:
                fail("the server sent a frame that does not decode", error);
            case FrameReader::Status::message:
                if (!m.get("t")) fail("the server sent a message without t");
                // The server's own replies carry reqtype and result. (A named client's message
                // for the cluster, tagged with from_id, may have any type, this one included.)
                if (m.get("t") == std::optional<std::string_view>("hbapi-resp") && !m.get("from_id") &&
                    (!m.get("reqtype") || !m.get("result"))) {
                    fail("a reply without reqtype or result");
                }
                if (out) out->push_back(m);
                break;
        }
    }
}

// Writes all of `bytes`, serving the server between partial writes; false if the server hung up.
bool write_all(int fd, std::string_view bytes) {
    for (int i = 0; i < 256 && !bytes.empty(); ++i) {
        ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
        h->round();
    }
    return bytes.empty();
}

// Waits (bounded) for the reply to `reqtype` on a signed-on client.
std::vector<Message> await_reply(int fd, FrameReader& reader, std::string_view reqtype, bool& closed) {
    std::vector<Message> got;
    closed = false;
    for (int i = 0; i < 16; ++i) {
        h->round();
        std::string bytes;
        closed = !drain(fd, bytes);
        check_replies(reader, bytes, &got);
        for (const auto& m : got) {
            if (m.get("t") == std::optional<std::string_view>("hbapi-resp") && m.get("reqtype") == reqtype) return got;
        }
        if (closed) break;
    }
    return got;
}

const Message* find_reply(const std::vector<Message>& got, std::string_view reqtype) {
    for (const auto& m : got) {
        if (m.get("t") == std::optional<std::string_view>("hbapi-resp") && m.get("reqtype") == reqtype) return &m;
    }
    return nullptr;
}

// As the runtime hands a delivery to the server, with its filter treatment where there is one.
void deliver(auto& api, const auto& d) {
    if constexpr (requires { d.treatment; }) {
        api.deliver(d.msg, d.treatment);
    } else {
        api.deliver(d.msg);
    }
}

// As the runtime: a client's filter asking for more turns the core's extra deliveries on.
void wire_filters(auto& api, auto& core) {
    if constexpr (requires { api.on_filter_change([](bool) {}); }) {
        api.on_filter_change([&core](bool on) { core.set_promiscuous(on); });
    }
}

void setup() {
    h = new Harness;
    char tmpl[] = "/tmp/fuzz_ipc-XXXXXX";
    if (!mkdtemp(tmpl)) fail("mkdtemp", std::strerror(errno));
    h->dir = tmpl;
    h->path = h->dir + "/register";

    auto& s = h->settings;
    s.core.node = "spa";
    s.core.nodes = {"spa", "alpha", "beta", "spb"};  // the names in the captured conversations
    s.core.links = {"eth0", "eth1"};
    s.core.uuid = std::string("\x01\x23\x45\x67\x89\xab\xcd\xef\x10\x32\x54\x76\x98\xba\xdc\xfe", 16);
    s.core.keepalive = 1000 * hb::core::kMillis;
    s.core.deadtime = 3000 * hb::core::kMillis;
    s.core.wall_seconds_at_start = hb::io::wall_seconds();
    s.api_socket = h->path;
    s.state_dir = h->dir;
    s.parameters = {{"keepalive", "1000ms"}, {"deadtime", "3000ms"}, {"warntime", "3000ms"},
                    {"initdead", "3000ms"}, {"udpport", "694"},      {"hopfudge", "1"},
                    {"auto_failback", "on"}, {"hbgenmethod", "file"}};
    const uid_t uid = geteuid();
    const gid_t gid = getegid();
    s.apiauth = {{"anon", {}, {gid}, 0}, {"ping", {}, {gid}, 0}, {"good", {uid}, {}, 0}, {"default", {uid}, {}, 0}};

    h->reactor = std::make_unique<hb::io::Reactor>();
    h->reactor->on_deadline([] { h->reactor->stop(); });
    h->core = std::make_unique<hb::core::Core>(s.core);
    (void)h->core->start(hb::io::monotonic_now());
    // As the runtime does: a client's message goes through the core, whose local copy comes back
    // to the API server within the same call.
    auto api = hb::daemon::ApiServer::open(h->path, *h->reactor, h->log, *h->core, h->settings, [](Message msg) {
        auto sent = h->core->send(hb::io::monotonic_now(), std::move(msg));
        if (!sent) return std::optional<std::string>(sent.error());
        for (auto& e : *sent) {
            if (auto* d = std::get_if<hb::core::Deliver>(&e)) deliver(*h->api, *d);
        }
        return std::optional<std::string>();
    });
    if (!api) fail("cannot open the API socket", api.error());
    h->api = std::move(api).value();
    wire_filters(*h->api, *h->core);

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) fail("socketpair");
    const std::string path = h->path;
    pid_t pid = fork();
    if (pid < 0) fail("fork");
    if (pid == 0) {
        close(sv[0]);
        helper_main(sv[1], path.c_str());
    }
    close(sv[1]);
    h->helper = pid;
    h->ctl = sv[0];

    // The well-behaved client: named, and it may fall behind (it is read between rounds only).
    h->good = h->connect_client();
    Message q = h->request("set_sendqlen", "good");
    q.add("sendqlen", "100000");
    if (!write_all(h->good, h->signon_frame("good") + h->frame(q))) fail("good client: write");
    bool closed = false;
    auto got = await_reply(h->good, h->good_reader, "signon", closed);
    const Message* r = find_reply(got, "signon");
    if (!r || r->get("result") != std::optional<std::string_view>("OK")) fail("good client: sign-on refused");
    std::atexit([] {
        if (!h) return;
        close(h->good);
        close(h->ctl);  // the helper exits on EOF
        int st = 0;
        waitpid(h->helper, &st, 0);
        h->api.reset();
        rmdir(h->dir.c_str());
    });
}

// The good client asks something and must get its answer.
void check_good_client() {
    static const char* const kNodes[] = {"spa", "alpha", "spb", "nosuch"};
    const char* node = kNodes[h->good_requests++ % 4];
    Message q = h->request("nodestatus", "good");
    q.add("node", node);
    if (!write_all(h->good, h->frame(q))) fail("good client: dropped (write failed)");
    bool closed = false;
    auto got = await_reply(h->good, h->good_reader, "nodestatus", closed);
    const Message* r = find_reply(got, "nodestatus");
    if (!r) fail(closed ? "good client was dropped" : "good client got no answer", node);
    const bool known = std::string_view(node) != "nosuch";
    if (r->get("result") != std::optional<std::string_view>(known ? "OK" : "badreq")) {
        fail("good client: wrong nodestatus result", std::string(r->get("result").value_or("(none)")));
    }
}

// ipc::FrameReader alone: the same messages whether the bytes come at once or in two parts.
void check_reader(std::string_view payload, std::size_t split) {
    auto cut = [](std::vector<std::string_view> parts, std::vector<Message>& out, std::string& err) {
        FrameReader r;
        Message m;
        for (auto part : parts) {
            r.feed(part);
            for (int i = 0; i < 100000; ++i) {
                auto st = r.next(m, err);
                if (st == FrameReader::Status::message) {
                    out.push_back(m);
                    continue;
                }
                if (st == FrameReader::Status::error) {
                    // Broken for good, reported again on the next call.
                    std::string again;
                    if (r.next(m, again) != FrameReader::Status::error) fail("reader recovered from an error");
                    return false;
                }
                break;
            }
        }
        return true;
    };
    std::vector<Message> whole, parts;
    std::string e1, e2;
    const bool ok1 = cut({payload}, whole, e1);
    const bool ok2 = cut({payload.substr(0, split), payload.substr(split)}, parts, e2);
    if (ok1 != ok2 || whole.size() != parts.size()) fail("FrameReader depends on how bytes are split");
    for (std::size_t i = 0; i < whole.size(); ++i) {
        if (!(whole[i] == parts[i])) fail("FrameReader depends on how bytes are split (message differs)");
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    signal(SIGPIPE, SIG_IGN);
    setup();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const unsigned mode = data[0];
    const std::string_view payload(reinterpret_cast<const char*>(data) + 2, size - 2);
    const std::size_t split = payload.size() * data[1] / 256;

    check_reader(payload, split);

    const std::size_t baseline = h->api->clients();
    int fd = h->connect_client();
    FrameReader reader;
    std::string bytes;
    bool open = true;

    if ((mode & 3) != 0) {
        const bool named = (mode & 3) >= 2;
        const std::string id = named ? "ping" : std::to_string(h->helper);
        if (!write_all(fd, h->signon_frame(id))) fail("sign-on write failed");
        bool closed = false;
        auto got = await_reply(fd, reader, "signon", closed);
        const Message* r = find_reply(got, "signon");
        if (!r || r->get("result") != std::optional<std::string_view>("OK")) {
            fail("harness sign-on refused", r ? std::string(r->get("info").value_or("")) : "no reply");
        }
    }

    open = write_all(fd, payload.substr(0, split));
    h->round();
    if (mode & 8) open = drain(fd, bytes) && open;
    if (open) open = write_all(fd, payload.substr(split));
    if (open && (mode & 4)) shutdown(fd, SHUT_WR);
    // Each round reads at most 16 KiB of a client: enough rounds for all of it, and then some.
    const int rounds = static_cast<int>(payload.size() / 16384) + 4;
    for (int i = 0; i < rounds; ++i) {
        h->round();
        if (!drain(fd, bytes)) break;
    }
    check_replies(reader, bytes);

    // The client goes; the server must forget it.
    close(fd);
    for (int i = 0; i < 8 && h->api->clients() != baseline; ++i) h->round();
    if (h->api->clients() != baseline) {
        fail("server kept a closed client", std::to_string(h->api->clients()) + " clients");
    }

    check_good_client();
    return 0;
}

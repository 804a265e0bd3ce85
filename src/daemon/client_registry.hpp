// Who is connected to the API socket, and who may be: admission, sign-on and its authorisation
// (apiauth), and the bounds that keep one local process from locking every other client out.
// No sockets here: a client is known by a key (its descriptor) and the server does the I/O, so
// the rules are tested with plain calls.
//
// The bounds (docs/protocol.md §6.7): a connection has two seconds to sign on; connections not
// signed on have a budget of their own, per uid and in all, and when it is full the oldest of
// them gives way to the new one (a client signs on as it connects: the server reads its request
// at once); signed-on clients are bounded in all and, for uids other than root's and the
// daemon's, per uid. Every refusal and eviction is counted.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "core/types.hpp"
#include "daemon/api_counters.hpp"
#include "daemon/settings.hpp"
#include "ipc/filter.hpp"
#include "ipc/frame.hpp"

namespace hb::daemon {

struct Credentials {
    pid_t pid = 0;
    uid_t uid = 0;
    gid_t gid = 0;
};

struct ApiClient {
    int fd = -1;
    Credentials peer;
    core::Micros connected_at = 0;
    bool signed_on = false;
    bool casual = true;
    std::string id;
    int signal = 0;
    unsigned filter = ipc::kKeepIt;  // heartbeat's filter mask (setfilter, ipc/filter.hpp)
    std::size_t queue_limit = 64;    // heartbeat's default sendq length
    ipc::FrameReader reader;
    std::string out;           // encoded frames not yet written
    std::size_t queued = 0;    // messages in `out`
    std::uint64_t delivered = 0;  // messages queued to it since it connected
    bool held = false;         // not read while the core's send window is full, or moderated
    bool dirty = false;        // has output queued in this round (flushed at its end)
    bool behind = false;       // a full sendq unwritten: acks are held back for it
    core::Micros behind_since = 0;  // or since it last took bytes
    std::string closing;       // why it is being dropped; empty while it is alive

    // How it is named in logs: its id once signed on, else its pid.
    std::string name() const { return id.empty() ? "pid " + std::to_string(peer.pid) : id; }
};

class ClientRegistry {
public:
    struct Limits {
        std::size_t clients = 256;         // signed on, in all
        std::size_t clients_per_uid = 128; // signed on, per uid other than root's and the daemon's
        std::size_t pending = 64;          // connected, not signed on, in all
        std::size_t pending_per_uid = 16;
        core::Micros signon_timeout = 2 * core::kSeconds;
    };

    ClientRegistry(const Settings& settings, uid_t daemon_uid, Limits limits);
    ClientRegistry(const Settings& settings, uid_t daemon_uid) : ClientRegistry(settings, daemon_uid, Limits{}) {}

    struct Admission {
        ApiClient* client = nullptr;
        std::vector<int> evicted;     // waiting connections to close to make room
    };
    // A new connection, always admitted. Evicted connections (and expired ones, below) are
    // marked closing: the server closes what is marked.
    Admission admit(core::Micros now, int key, Credentials peer);
    // A sign-on request: checked against the socket's credentials, apiauth and the bounds.
    // Returns why it is refused; the client is then to be closed.
    std::optional<std::string> sign_on(ApiClient& c, const Message& req);
    // Connections that did not sign on in time: marked closing, their keys returned.
    std::vector<int> expire(core::Micros now);

    ApiClient* find(int key);
    const std::map<int, std::unique_ptr<ApiClient>>& all() const { return clients_; }
    std::unique_ptr<ApiClient> remove(int key);
    bool signed_on(std::string_view id) const;
    std::size_t size() const { return clients_.size(); }
    std::size_t pending() const;

    ApiCounters& counters() { return counters_; }
    const ApiCounters& counters() const { return counters_; }

private:
    bool privileged(uid_t uid) const { return uid == 0 || uid == daemon_uid_; }
    // The oldest waiting connection of `uid` (no uid: of the one holding the most).
    ApiClient* eviction_candidate(std::optional<uid_t> uid);

    const Settings& settings_;
    uid_t daemon_uid_;
    Limits limits_;
    std::map<int, std::unique_ptr<ApiClient>> clients_;
    ApiCounters counters_;
};

}  // namespace hb::daemon

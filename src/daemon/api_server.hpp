// The client API socket (spec §5): heartbeat 3.0.6's framing and requests, so that its clients
// (cl_status, api_test, anything built on libhbclient) work against this daemon unchanged.
// Each client has a bounded queue; one that stops reading or sends a bad frame is dropped alone.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/core.hpp"
#include "daemon/logger.hpp"
#include "daemon/settings.hpp"
#include "io/reactor.hpp"
#include "ipc/filter.hpp"
#include "ipc/frame.hpp"

namespace hb::daemon {

class ApiServer {
public:
    // `send` puts a named client's message (or a clstat/cstatus message) on the cluster; it
    // returns why it could not, if it could not.
    using ClusterSend = std::function<std::optional<std::string>(Message)>;

    static Result<std::unique_ptr<ApiServer>> open(const std::string& path, io::Reactor& reactor, Logger& log,
                                                   const core::Core& core, const Settings& settings, ClusterSend send);
    ~ApiServer();

    // A message the core delivers: routed by `to_id`, or to every client whose filter takes its
    // treatment; cluster-level client status queries are answered here.
    void deliver(const Message& msg, core::Treatment treatment = core::Treatment::keep);
    // Told whether some client's filter wants more than the default (the core then makes the
    // extra deliveries), each time that changes.
    void on_filter_change(std::function<void(bool)> fn) { filter_change_ = std::move(fn); }
    std::size_t clients() const { return clients_.size(); }

    // Flow control, both ways (so a fast sender is slowed, and no reader that keeps reading is dropped):
    // - the core's send window is full (paused) or has room again: a client that sends while paused
    //   is not read until it has room (it blocks in its write, or its library queues);
    // - some client is behind (a full sendq of messages unwritten) or all have caught up: told through
    //   on_congestion, and the core holds its acks back meanwhile, pausing the senders.
    void on_flow(bool paused);
    // While on, a client that sends to the cluster is not read again until it is turned off: its
    // next messages wait in its socket, without a wake-up each, and are read together. The runtime
    // turns it on while it holds a streaming sender's bundle (cork.hpp), so no latency is added
    // beyond the cork's. A daemon at realtime priority otherwise preempts the sender at every
    // write and reads one message per wake-up (hbbench S2).
    void moderate(bool on);
    void on_congestion(std::function<void(bool)> fn) { congestion_change_ = std::move(fn); }
    // The resource manager's answers: getrsc (heartbeat's) and rscstatus (ours: its state as
    // JSON). Unset (pacemaker on): getrsc is refused as heartbeat refuses it then.
    void on_getrsc(std::function<std::string()> fn) { getrsc_ = std::move(fn); }
    void on_rscstatus(std::function<std::string()> fn) { rscstatus_ = std::move(fn); }
    // A client that took nothing for kStallLimit while behind is stuck: dropped, alone.
    void drop_stalled(core::Micros now);
    static constexpr core::Micros kStallLimit = core::kSeconds;

    static constexpr std::size_t kDefaultSendQueue = 64;  // heartbeat's default sendq length

private:
    struct Client {
        int fd = -1;
        pid_t peer_pid = 0;
        uid_t peer_uid = 0;
        gid_t peer_gid = 0;
        bool signed_on = false;
        bool casual = true;
        std::string id;
        int signal = 0;
        unsigned filter = ipc::kKeepIt;  // heartbeat's filter mask (setfilter, ipc/filter.hpp)
        std::size_t queue_limit = kDefaultSendQueue;
        ipc::FrameReader reader;
        std::string out;           // encoded frames not yet written
        std::size_t queued = 0;    // messages in `out`
        bool held = false;         // not read while the core's send window is full, or moderated
        bool dirty = false;        // has output queued in this round (flushed at its end)
        bool behind = false;       // a full sendq unwritten: acks are held back for it
        core::Micros behind_since = 0;  // or since it last took bytes
        std::string closing;       // why it is being dropped; empty while it is alive
    };

    ApiServer(io::Reactor& reactor, Logger& log, const core::Core& core, const Settings& settings, ClusterSend send)
        : reactor_(reactor), log_(log), core_(core), settings_(settings), send_(std::move(send)) {}

    void accept_clients();
    void on_readable(int fd);
    void on_readable_client(int fd);
    void on_writable(int fd);
    void handle(Client& c, Message& msg);  // may move from msg
    // A named client's message, tagged and sent; why not, if it was refused.
    std::optional<std::string> send_from(Client& c, Message msg);
    void resume_held();
    void handle_request(Client& c, const Message& req);
    bool signon(Client& c, const Message& req, std::string& why);
    void reply(Client& c, const std::string& reqtype, Message fields, const char* result = "OK");
    void queue(Client& c, const Message& msg);
    void flush(Client& c);
    void flush_dirty();
    // Marks a client for dropping; reap() closes it once no handler holds a reference to it.
    void drop(int fd, const std::string& why);
    void reap();
    void announce(const Client& c, const char* status, const char* info);
    void answer_cstatus_query(const Message& query);
    // Whether a client of this id is signed on here.
    bool signed_on(std::string_view id) const;
    void update_promiscuous();
    void update_behind(Client& c);
    // The hard queue bound once acks are held back: what the senders' windows may still have in flight.
    std::size_t hard_limit(const Client& c) const;

    io::Reactor& reactor_;
    Logger& log_;
    const core::Core& core_;
    const Settings& settings_;
    ClusterSend send_;
    int listen_fd_ = -1;
    std::string path_;
    std::map<int, std::unique_ptr<Client>> clients_;
    std::map<std::string, long> client_generation_;
    std::function<void(bool)> filter_change_;
    std::function<void(bool)> congestion_change_;
    std::function<std::string()> getrsc_;
    std::function<std::string()> rscstatus_;
    std::size_t clients_behind_ = 0;
    std::vector<int> dirty_;  // clients with output queued in this reactor round
    int round_end_id_ = 0;
    bool promiscuous_ = false;
    bool moderating_ = false;
    int busy_ = 0;          // > 0 while a handler runs: clients are reaped after it
    bool reaping_ = false;
};

}  // namespace hb::daemon

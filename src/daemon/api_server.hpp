// The client API socket (spec §5): heartbeat 3.0.6's framing and requests, so that its clients
// (cl_status, api_test, anything built on libhbclient) work against this daemon unchanged.
// This is the socket glue: who may connect and sign on is the client registry's
// (client_registry.hpp), what each request answers is its handler's (api_requests.hpp). Each
// client has a bounded queue; one that stops reading or sends a bad frame is dropped alone.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/core.hpp"
#include "daemon/api_requests.hpp"
#include "daemon/client_registry.hpp"
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
    std::size_t clients() const { return registry_.size(); }
    const ClientRegistry& registry() const { return registry_; }  // for the metrics

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
    void on_getrsc(std::function<std::string()> fn) { context_.getrsc = std::move(fn); }
    void on_rscstatus(std::function<std::string()> fn) { context_.rscstatus = std::move(fn); }
    void on_children(std::function<std::string()> fn) { children_status_ = std::move(fn); }
    // Called from the daemon's timer: a client that took nothing for kStallLimit while behind is
    // stuck, and a connection that has not signed on in time is idle: each is dropped, alone.
    void tick(core::Micros now);
    static constexpr core::Micros kStallLimit = core::kSeconds;

private:
    using Client = ApiClient;
    ApiServer(io::Reactor& reactor, Logger& log, const core::Core& core, const Settings& settings, ClusterSend send);

    void accept_clients();
    void on_readable(int fd);
    void on_readable_client(int fd);
    void on_writable(int fd);
    void handle(Client& c, Message& msg);  // may move from msg
    // A named client's message, tagged and sent; why not, if it was refused.
    std::optional<std::string> send_from(Client& c, Message msg);
    void resume_held();
    void handle_request(Client& c, const Message& req);
    void signon(Client& c, const Message& req);
    void reply(Client& c, const std::string& reqtype, Message fields, std::string_view result = "OK");
    void queue(Client& c, const Message& msg);
    void flush(Client& c);
    void flush_dirty();
    // Marks a client for dropping, counted under `reason` if given; reap() closes it once no
    // handler holds a reference to it.
    void drop(int fd, const std::string& why, std::uint64_t ApiCounters::*reason = nullptr);
    void reap();
    void announce(const Client& c, const char* status, const char* info);
    void answer_cstatus_query(const Message& query);
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
    ClientRegistry registry_;
    RequestContext context_;
    std::function<std::string()> children_status_;  // the respawn children's JSON; unset without children
    std::map<std::string, long> client_generation_;
    std::function<void(bool)> filter_change_;
    std::function<void(bool)> congestion_change_;
    std::size_t clients_behind_ = 0;
    std::vector<int> dirty_;  // clients with output queued in this reactor round
    int round_end_id_ = 0;
    bool promiscuous_ = false;
    bool moderating_ = false;
    int busy_ = 0;          // > 0 while a handler runs: clients are reaped after it
    bool reaping_ = false;
};

}  // namespace hb::daemon

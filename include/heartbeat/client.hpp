// The C++ client API of heartbeat: one signed-on connection to the local daemon.
//
// Every call that can fail returns hb::Result<T> (a value or an error message, std::expected's
// shape); nothing throws. A Cluster is not thread-safe: use it from one thread, or lock around it.
// The C llc_ops API (hb_api.h) is a thin shim over this class.
//
//   auto hb = hb::Cluster::signon("demo");           // a named client: it may send
//   if (!hb) { std::cerr << hb.error(); return 1; }
//   (*hb)->on_node_status([](const std::string& node, const std::string& st) { ... });
//   hb::Message m; m.add("t", "demo-hello");
//   (*hb)->send_to_cluster(m);                       // reaches every "demo" client on every node
//   while (auto got = (*hb)->read(-1)) { if (!*got) continue; ... }  // callbacks run from read()
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "message.hpp"
#include "result.hpp"

namespace hb {

namespace client {
class Session;
class OrderQueue;
class AnswerCache;
}  // namespace client

// heartbeat's LLC_FILTER_* modes: which of the messages the daemon sees reach this client.
enum class FilterMode : unsigned {
    standard = 0,        // messages for us and status changes (LLC_FILTER_DEFAULT)
    promiscuous = 1,     // also duplicates and messages for other nodes (LLC_FILTER_PMODE; root)
    all_heartbeats = 2,  // also every heartbeat, changed or not (LLC_FILTER_ALLHB; root)
    raw = 3,             // everything (LLC_FILTER_RAW; root)
};

class Cluster {
public:
    using MessageHandler = std::function<void(const Message&)>;
    using NodeStatusHandler = std::function<void(const std::string& node, const std::string& status)>;
    using LinkStatusHandler =
        std::function<void(const std::string& node, const std::string& link, const std::string& status)>;
    using ClientStatusHandler =
        std::function<void(const std::string& node, const std::string& client, const std::string& status)>;

    // Signs on to the daemon. An empty client_id makes a casual client (queries only); a named
    // client joins the group of its name. An empty socket_path means $HA_API_SOCKET, else
    // heartbeat's /var/run/heartbeat/register.
    static Result<std::unique_ptr<Cluster>> signon(std::string_view client_id = {},
                                                   std::string_view socket_path = {});
    ~Cluster();  // signs off
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    // Leaves the daemon; the object then only answers connected() == false.
    void signoff();

    // ----- what sign-on told us --------------------------------------------------------------
    const std::string& node() const;       // this node's name
    const std::string& client_id() const;  // ours (a casual client's is its pid)
    bool casual() const;
    long deadtime_ms() const;
    long keepalive_ms() const;
    int logfacility() const;  // -1 when the daemon does not log to syslog
    // False once the daemon went away (or after signoff).
    bool connected() const;
    // Readable whenever a message may be ready: for poll/select/epoll, with message_ready().
    int fd() const;

    // ----- queries ---------------------------------------------------------------------------
    Result<std::vector<std::string>> nodes();
    Result<std::string> node_status(std::string_view node);  // init, up, active, dead, ...
    Result<int> node_weight(std::string_view node);
    Result<std::string> node_site(std::string_view node);
    Result<std::string> node_type(std::string_view node);    // normal, ping, unknown
    Result<int> num_nodes();
    Result<std::vector<std::string>> links(std::string_view node);
    Result<std::string> link_status(std::string_view node, std::string_view link);  // up, dead
    // "online" or "offline" of `client` (empty: our own id) on `node`, waiting at most timeout_ms.
    Result<std::string> client_status(std::string_view node, std::string_view client, int timeout_ms);
    // Asks every node at once; the answers arrive through on_client_status().
    Result<bool> query_client_status(std::string_view client);
    Result<std::string> uuid_of(std::string_view node);  // 16 raw bytes
    Result<std::string> name_of(std::string_view uuid);
    // The value as written in ha.cf (or its default); nullopt for a name the daemon has no value for.
    Result<std::optional<std::string>> parameter(std::string_view name);
    // Resources held (none, local, foreign, all, transition).
    Result<std::string> resources();
    // Ours: the resource manager's whole state as a JSON document (held set, protocol state,
    // each group's key, preferred node and state here, counters). Not in heartbeat 3.0.6.
    Result<std::string> resource_details();
    // Ours: the daemon's live figures as a JSON document: its counters, the API server's, each
    // peer's and link's (last heard, heartbeat interval, retransmissions, drops), each client's
    // queue and the resource manager's state (docs/protocol.md §6.8). Not in heartbeat 3.0.6.
    Result<std::string> counters();

    // ----- sending (named clients only) ------------------------------------------------------
    // The message needs a type (`t`). It reaches the clients signed on under our name.
    Result<bool> send_to_cluster(const Message& msg);
    Result<bool> send_to_node(const Message& msg, std::string_view node);
    Result<bool> send_to_node_uuid(const Message& msg, std::string_view uuid);
    // As above, and the receiving library hands them out in the order they were sent.
    Result<bool> send_ordered_to_cluster(const Message& msg);
    Result<bool> send_ordered_to_node(const Message& msg, std::string_view node);

    // ----- receiving -------------------------------------------------------------------------
    // A handler for one message type (an empty handler removes it). Handlers run from read() and
    // dispatch(), on the caller's thread.
    void on_message(std::string_view type, MessageHandler handler);
    void on_node_status(NodeStatusHandler handler);      // from `status` messages
    void on_link_status(LinkStatusHandler handler);      // from `ifstat` messages
    void on_client_status(ClientStatusHandler handler);  // clients of our name join/leave, answers
    bool has_message_handler(std::string_view type) const;

    bool message_ready();
    // The next message no handler took, running handlers for those on the way. timeout_ms 0:
    // don't wait, -1: wait for ever. nullopt: nothing within the timeout. An error: the daemon
    // went away.
    Result<std::optional<Message>> read(int timeout_ms);
    // heartbeat's rcvmsg: like read(), and a message no handler took is dropped. True when one
    // was; false when nothing (more) was ready within the timeout.
    Result<bool> dispatch(int timeout_ms);

    Result<bool> set_filter_mode(FilterMode mode);
    // The daemon sends this signal after each message it queues for us (0: none).
    Result<bool> set_message_signal(int signo);
    // How many messages the daemon may queue for us before it drops us (heartbeat: 64).
    Result<bool> set_send_queue_length(int length);
    // Blocking (default): a send waits while the daemon does not read. Non-blocking: it is
    // queued here (bounded) and goes out with later calls.
    Result<bool> set_send_blocking(bool blocking);

private:
    Cluster();
    Result<Message> ask(std::string_view reqtype, Message fields);
    Result<std::vector<std::string>> listing(std::string_view reqtype, Message fields, std::string_view field);
    Result<bool> send_with(Message msg, std::string_view dest_field, std::string_view dest, bool binary, bool ordered);
    // The next message from the daemon after ordering, before handlers; nullopt when none in time.
    Result<std::optional<Message>> next(int timeout_ms);
    bool run_handlers(const Message& msg);

    // Remembers what a pushed status message says about a node (an AnswerCache entry).
    void note_status(const Message& msg);

    std::unique_ptr<client::Session> session_;
    std::unique_ptr<client::OrderQueue> order_;
    std::unique_ptr<client::AnswerCache> answers_;
    std::deque<Message> ready_;  // in order, not yet handed out
    std::vector<std::pair<std::string, MessageHandler>> handlers_;
    NodeStatusHandler node_handler_;
    LinkStatusHandler link_handler_;
    ClientStatusHandler client_handler_;
    unsigned long cluster_oseq_ = 0;
    std::vector<std::pair<std::string, unsigned long>> node_oseq_;
};

}  // namespace hb

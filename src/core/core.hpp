// The protocol core: one node's view of the cluster, as a pure state machine.
//
// A driver (the daemon, or the simulator) feeds it events with the current monotonic time and
// carries out the effects it returns. It never touches a socket, a clock or a thread, and its only
// randomness comes from the seed in its config, so a run is reproducible from its inputs.
//
// Packets are heartbeat 3.0.6's messages (docs/protocol.md), already
// authenticated and decoded by the driver.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "core/counters.hpp"
#include "core/effects.hpp"
#include "core/ping_nodes.hpp"
#include "core/types.hpp"
#include "msg/compression.hpp"
#include "msg/limits.hpp"
#include "msg/message.hpp"

namespace hb::core {

struct CoreConfig {
    std::string node;                  // our name, lowercased
    std::string uuid;                  // our 16-byte UUID (binary)
    std::vector<std::string> nodes;    // every declared node, ours included, lowercased
    std::vector<std::string> links;    // one name per medium, e.g. {"eth0", "eth1"}
    Micros keepalive = 1000 * kMillis;
    Micros deadtime = 30 * kSeconds;
    Micros warntime = 15 * kSeconds;
    Micros initdead = 60 * kSeconds;
    // ha.cf `ping` and `ping_group` (ping_nodes.hpp): probed at every heartbeat, dead after
    // `deadping` without a reply.
    std::vector<PingNodeSpec> ping_nodes;
    Micros deadping = 30 * kSeconds;
    Micros max_rexmit_delay = 250 * kMillis;
    int hopfudge = 1;
    std::uint64_t generation = 1;      // this start's generation (persisted by the driver)
    std::int64_t wall_seconds_at_start = 0;  // for the `ts` field, which heartbeat writes in seconds
    std::uint64_t seed = 1;            // ack triggers and retransmission delays
    std::size_t send_window = 250;     // unacknowledged messages before clients are paused
    std::size_t send_backlog = 1024;   // client messages queued while paused
    // Hand clients heartbeat's status/ifstat messages on every change (a driver without clients,
    // such as the simulator, turns this off: at 1000 nodes it is two million copies at start).
    bool client_notifications = true;
    // Keep a histogram of each peer's heartbeat intervals for the metrics (the simulator turns it
    // off: 104 bytes per peer, a tenth of a gigabyte at 1000 nodes).
    bool interval_histograms = true;
    // What this driver can do besides what the core can, announced in every status (`hbcaps`,
    // capabilities.hpp; the core adds "frag").
    std::vector<std::string> capabilities;
    // How a message too large for one datagram travels (ha.cf `compression`,
    // `traditional_compression`, `compression_threshold`): compressed as heartbeat does, and to
    // our nodes in fragments when that is not enough. `datagram_bytes`: the largest packet sent.
    Compression compression = Compression::zlib;
    bool traditional_compression = false;  // compress every message above the threshold, as 3.0.6 then does
    std::size_t compression_threshold = 2 * 1024;
    std::size_t datagram_bytes = kMaxDatagramBytes;
};

// A snapshot of one peer for queries (cl_status, the API's node walk).
struct NodeView {
    std::string name;
    NodeStatus status = NodeStatus::dead;
    std::vector<LinkStatus> links;
    bool ping = false;  // a ping node: one link, named like the node
    std::string uuid;
    std::uint64_t generation = 0;
    Micros deadtime = 0;  // the dead interval this node advertises
    Micros last_heard = -1;               // its last authenticated packet; -1: never
    std::vector<Micros> link_last_heard;  // per link, -1: never
    PeerTally tally;
    std::optional<IntervalHistogram> intervals;  // when CoreConfig::interval_histograms
};

class Core {
public:
    explicit Core(CoreConfig config);
    ~Core();
    Core(Core&&) noexcept;
    Core& operator=(Core&&) noexcept;

    // Starts heartbeating: the first status (st=init) goes out at once.
    Effects start(Micros now);
    // An authenticated packet arrived on `link`. A message for local clients is copied into the
    // effects, or moved there from an rvalue.
    Effects receive(Micros now, int link, const Message& msg);
    Effects receive(Micros now, int link, Message&& msg);
    // Packets that arrived together (one bundle): as receive() one by one, except that an ack
    // due to a peer goes once, after the last of them, for all it acknowledges. Heartbeat's rule
    // acks every tenth message; a bundle carries dozens.
    Effects receive_batch(Micros now, int link, std::vector<Message> packets);
    // Time passed: call at next_deadline() (calling earlier or later is harmless).
    Effects tick(Micros now);
    // A local client's message for the cluster (no `dest`) or one node (`dest`). Refused while the
    // backlog is full, and when it cannot reach its destination whole (above MAXMSG compressed, or
    // too large for one datagram to a node that does not read fragments); delivered locally too
    // when it is for us or for everyone.
    Result<Effects> send(Micros now, Message msg);
    // The driver's echo socket brought back a signed payload of ours naming ping node `src`, from
    // `address` (numeric). Counted as stray when no ping node has that name and address.
    Effects ping_reply(Micros now, std::string_view src, std::string_view address);
    // Graceful stop: peers are told, and mark us dead at once.
    Effects leave(Micros now);

    // The driver tells the core what it could not see: a packet it dropped for a bad signature,
    // or the load average for the `ld` field.
    void count_bad_auth();
    void count_malformed();  // a datagram that did not decode
    void count_replayed_packet();  // an encrypted datagram the driver's ReplayGuard refused
    void count_unverified();       // a datagram the driver's StrangerGate did not let through
    void count_stray_ping();       // an echo reply that is not ours (identifier, signature, garbage)
    void set_load(std::string load);
    // Also hand clients unchanged heartbeats, duplicates and packets for other nodes (each marked
    // with its Treatment): on while some local client's filter mode asks for them.
    void set_promiscuous(bool on);
    // A local client is falling behind (on) or has caught up (off). While on, no acks go out, so
    // the senders' windows fill and they pause; turning it off acks what was received at once.
    Effects set_congested(Micros now, bool on);

    Micros next_deadline() const;
    NodeStatus local_status() const;
    std::optional<NodeView> node(std::string_view name) const;  // a peer or a ping node
    std::vector<NodeView> node_views() const;  // the cluster's other nodes (no ping nodes)
    std::vector<NodeView> ping_views() const;  // the ping nodes, in ha.cf order
    bool paused() const;
    const Counters& counters() const;
    const CoreConfig& config() const;
    // One line per peer: status, receive window (released up to, highest, gaps), acks. For logs.
    std::string debug_state() const;

    struct State;

private:
    std::unique_ptr<State> s_;
};

}  // namespace hb::core

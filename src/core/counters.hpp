// Every packet the core drops or repairs is counted by reason: logged at exit, reported by hbsim,
// and live through the counters request (cl_status counters, docs/protocol.md §6.8).
#pragma once

#include <cstdint>
#include <iterator>

namespace hb::core {

struct Counters {
    // Received
    std::uint64_t packets_received = 0;
    std::uint64_t dropped_malformed = 0;     // required fields missing or unparsable
    std::uint64_t dropped_bad_auth = 0;      // counted by the driver, which checks signatures
    std::uint64_t dropped_unverified = 0;    // a stranger's datagram dropped before any MAC (flood protection)
    std::uint64_t dropped_unknown_node = 0;  // src not in the node list
    std::uint64_t dropped_replay = 0;        // old generation, or a sequence number already seen
    std::uint64_t dropped_replayed_packet = 0;  // an encrypted datagram whose nonce that link already carried
    std::uint64_t dropped_duplicate = 0;     // same seq again (redundant links, retransmissions)
    std::uint64_t dropped_not_for_us = 0;    // dest/destuuid names another node
    std::uint64_t dropped_own = 0;           // our own packets echoed back by a medium
    std::uint64_t dropped_before_sync = 0;   // a peer's packets before its first status reached us
    std::uint64_t gaps_given_up = 0;         // missing seqs abandoned (NAK, resync, sender dead)
    std::uint64_t received_compressed = 0;   // packets that came compressed (heartbeat's wrapper)
    std::uint64_t dropped_bad_compression = 0;  // a compressed packet that did not inflate or decode
    std::uint64_t reassembled = 0;           // messages put together from fragments
    std::uint64_t dropped_bad_fragment = 0;  // a fragment that did not continue its message
    // Sent and repaired
    std::uint64_t heartbeats_sent = 0;
    std::uint64_t messages_sent = 0;         // client messages we originated
    std::uint64_t messages_delivered = 0;    // client messages handed to local clients
    std::uint64_t rexmit_requests_sent = 0;
    std::uint64_t retransmissions_sent = 0;
    std::uint64_t naks_sent = 0;
    std::uint64_t acks_sent = 0;
    std::uint64_t send_refused_backlog = 0;  // client sends refused: backlog full
    std::uint64_t send_refused_too_big = 0;  // client sends refused: cannot reach its destination whole
    std::uint64_t sent_compressed = 0;       // client messages sent compressed (one datagram)
    std::uint64_t sent_fragmented = 0;       // client messages sent in fragments
    std::uint64_t fragments_sent = 0;        // the fragment packets they took
    std::uint64_t dropped_too_big = 0;       // queued while a 3.0.6 node came back: cannot go out whole
    std::uint64_t congestion_episodes = 0;   // times acks were held back for a slow local client
    std::uint64_t dropped_dead_destination = 0;  // queued messages to a node that died
    // Liveness
    std::uint64_t late_heartbeats = 0;       // a status arrived after warntime
    std::uint64_t nodes_died = 0;
    std::uint64_t restarts_seen = 0;         // a peer came back with a new generation
    std::uint64_t late_timers = 0;           // we were woken late (starved): deaths postponed
    // Ping nodes
    std::uint64_t ping_probes_sent = 0;      // ICMP echo requests asked for
    std::uint64_t ping_replies = 0;          // signed replies from a ping node's address
    std::uint64_t dropped_stray_ping = 0;    // echo replies not ours: other identifier, bad signature, unknown source

    Counters& operator+=(const Counters& other);
};

// Every counter with its name, in declaration order: for sums, logs and JSON.
struct CounterField {
    const char* name;
    std::uint64_t Counters::*field;
};
inline constexpr CounterField kCounterFields[] = {
    {"packets_received", &Counters::packets_received},
    {"dropped_malformed", &Counters::dropped_malformed},
    {"dropped_bad_auth", &Counters::dropped_bad_auth},
    {"dropped_unverified", &Counters::dropped_unverified},
    {"dropped_unknown_node", &Counters::dropped_unknown_node},
    {"dropped_replay", &Counters::dropped_replay},
    {"dropped_replayed_packet", &Counters::dropped_replayed_packet},
    {"dropped_duplicate", &Counters::dropped_duplicate},
    {"dropped_not_for_us", &Counters::dropped_not_for_us},
    {"dropped_own", &Counters::dropped_own},
    {"dropped_before_sync", &Counters::dropped_before_sync},
    {"gaps_given_up", &Counters::gaps_given_up},
    {"received_compressed", &Counters::received_compressed},
    {"dropped_bad_compression", &Counters::dropped_bad_compression},
    {"reassembled", &Counters::reassembled},
    {"dropped_bad_fragment", &Counters::dropped_bad_fragment},
    {"heartbeats_sent", &Counters::heartbeats_sent},
    {"messages_sent", &Counters::messages_sent},
    {"messages_delivered", &Counters::messages_delivered},
    {"rexmit_requests_sent", &Counters::rexmit_requests_sent},
    {"retransmissions_sent", &Counters::retransmissions_sent},
    {"naks_sent", &Counters::naks_sent},
    {"acks_sent", &Counters::acks_sent},
    {"send_refused_backlog", &Counters::send_refused_backlog},
    {"send_refused_too_big", &Counters::send_refused_too_big},
    {"sent_compressed", &Counters::sent_compressed},
    {"sent_fragmented", &Counters::sent_fragmented},
    {"fragments_sent", &Counters::fragments_sent},
    {"dropped_too_big", &Counters::dropped_too_big},
    {"congestion_episodes", &Counters::congestion_episodes},
    {"dropped_dead_destination", &Counters::dropped_dead_destination},
    {"late_heartbeats", &Counters::late_heartbeats},
    {"nodes_died", &Counters::nodes_died},
    {"restarts_seen", &Counters::restarts_seen},
    {"late_timers", &Counters::late_timers},
    {"ping_probes_sent", &Counters::ping_probes_sent},
    {"ping_replies", &Counters::ping_replies},
    {"dropped_stray_ping", &Counters::dropped_stray_ping},
};
static_assert(sizeof(Counters) == std::size(kCounterFields) * sizeof(std::uint64_t), "a counter is missing from kCounterFields");

// The time between a peer's heartbeats, in buckets (upper bounds in milliseconds; the last bucket
// is everything above): the metrics' histogram, kept in the core so that it sees every interval
// (CoreConfig::interval_histograms).
inline constexpr std::int64_t kIntervalBucketsMs[] = {25, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000};
struct IntervalHistogram {
    std::uint64_t counts[std::size(kIntervalBucketsMs) + 1] = {};  // per bucket, not cumulative
    std::uint64_t count = 0;
    std::int64_t sum = 0;  // microseconds
    void observe(std::int64_t micros) {
        std::size_t b = 0;
        while (b < std::size(kIntervalBucketsMs) && micros > kIntervalBucketsMs[b] * 1000) ++b;
        ++counts[b];
        ++count;
        sum += micros;
    }
};

// What one peer did, as this node saw it: for operators asking "who suspected whom" (the counters
// request, the metrics). The node-wide counters above hold the sums of most of these.
struct PeerTally {
    std::uint64_t statuses = 0;            // heartbeats (status messages) heard
    std::uint64_t late_heartbeats = 0;     // of which after warntime
    std::int64_t last_interval = -1;       // microseconds between its last two heartbeats; -1 before two
    std::int64_t max_interval = -1;        // the longest since it was last heard of anew
    std::uint64_t duplicates = 0;          // its packets seen again (redundant links, retransmissions)
    std::uint64_t rexmit_requests = 0;     // retransmissions we asked of it
    std::uint64_t gaps_given_up = 0;       // its messages abandoned (NAK, resync, death)
    std::uint64_t deaths = 0;              // times we declared it dead
};

inline Counters& Counters::operator+=(const Counters& other) {
    for (const auto& f : kCounterFields) this->*f.field += other.*f.field;
    return *this;
}

}  // namespace hb::core

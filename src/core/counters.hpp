// Every packet the core drops or repairs is counted by reason: what cl_status --json shows.
#pragma once

#include <cstdint>

namespace hb::core {

struct Counters {
    // Received
    std::uint64_t packets_received = 0;
    std::uint64_t dropped_malformed = 0;     // required fields missing or unparsable
    std::uint64_t dropped_bad_auth = 0;      // counted by the driver, which checks signatures
    std::uint64_t dropped_unknown_node = 0;  // src not in the node list
    std::uint64_t dropped_replay = 0;        // old generation, or a sequence number already seen
    std::uint64_t dropped_duplicate = 0;     // same seq again (redundant links, retransmissions)
    std::uint64_t dropped_not_for_us = 0;    // dest/destuuid names another node
    std::uint64_t dropped_own = 0;           // our own packets echoed back by a medium
    std::uint64_t dropped_before_sync = 0;   // a peer's packets before its first status reached us
    std::uint64_t gaps_given_up = 0;         // missing seqs abandoned (NAK, resync, sender dead)
    // Sent and repaired
    std::uint64_t heartbeats_sent = 0;
    std::uint64_t messages_sent = 0;         // client messages we originated
    std::uint64_t messages_delivered = 0;    // client messages handed to local clients
    std::uint64_t rexmit_requests_sent = 0;
    std::uint64_t retransmissions_sent = 0;
    std::uint64_t naks_sent = 0;
    std::uint64_t acks_sent = 0;
    std::uint64_t send_refused_backlog = 0;  // client sends refused: backlog full
    std::uint64_t dropped_dead_destination = 0;  // queued messages to a node that died
    // Liveness
    std::uint64_t late_heartbeats = 0;       // a status arrived after warntime
    std::uint64_t nodes_died = 0;
    std::uint64_t restarts_seen = 0;         // a peer came back with a new generation
    std::uint64_t late_timers = 0;           // we were woken late (starved): deaths postponed
};

}  // namespace hb::core

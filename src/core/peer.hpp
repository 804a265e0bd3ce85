// What one node knows about one peer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/counters.hpp"
#include "core/fragments.hpp"
#include "core/receive_window.hpp"
#include "core/types.hpp"

namespace hb::core {

struct PeerLink {
    Micros last_heard = -1;
    LinkStatus status = LinkStatus::dead;
    Micros timer_at = kNever;  // the pending link_death timer, if any
};

struct Peer {
    std::uint32_t index = 0;  // position in the core's peer table (timers refer to peers by it)
    std::string name;
    std::string uuid;
    NodeStatus status = NodeStatus::dead;
    bool heard = false;              // a status arrived since we started or it last died
    std::uint64_t generation = 0;    // 0: never heard
    std::uint64_t left_generation = 0;  // the generation that left gracefully (shutdone)
    Micros deadtime = 0;             // the dead interval it advertises (`dt`)
    Micros last_status = 0;          // last status message (late-heartbeat warnings)
    Micros last_heard = 0;           // last authenticated packet of any kind (death deadline)
    std::uint64_t last_status_seq = 0;
    Micros death_timer_at = kNever;  // the pending node_death timer, if any
    Micros rexmit_timer_at = kNever; // the pending rexmit timer, if any
    std::vector<PeerLink> links;
    ReceiveWindow window;
    std::uint64_t ack_trigger = 0;   // we ack its seq S when S % 10 == ack_trigger (heartbeat's)
    std::uint64_t acked_to_it = 0;   // the last ackseq we sent it
    bool ack_due = false;            // an ack waits for the end of a batch (Core::receive_batch)
    std::uint64_t acked_by_it = 0;   // the highest of our seqs it acknowledged
    bool reads_fragments = false;    // its status says "frag" (capabilities.hpp)
    Reassembly reassembly;           // a message of its arriving in fragments
    PeerTally tally;
    std::unique_ptr<IntervalHistogram> intervals;  // when CoreConfig::interval_histograms
};

}  // namespace hb::core

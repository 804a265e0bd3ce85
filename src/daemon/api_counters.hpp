// What the API server refuses, drops and carries, by reason: reported by the counters request
// (cl_status counters) and the metrics, so that a client locked out or dropped is visible while
// the daemon runs, not only in its log.
#pragma once

#include <cstdint>
#include <iterator>

namespace hb::daemon {

struct ApiCounters {
    // Admission (client_registry.hpp)
    std::uint64_t connections_accepted = 0;
    std::uint64_t refused_full = 0;             // a sign-on refused: every client slot taken
    std::uint64_t refused_uid_limit = 0;        // a sign-on refused: that uid holds its share already
    std::uint64_t evicted_pending = 0;          // a connection that had not signed on, closed to make room
    std::uint64_t signon_timeouts = 0;          // connected and never signed on in time
    std::uint64_t signons = 0;
    std::uint64_t signons_refused = 0;          // for any reason: credentials, apiauth, id, the two above
    std::uint64_t signoffs = 0;
    // Drops of signed-on clients
    std::uint64_t dropped_malformed = 0;        // a frame or request that did not decode
    std::uint64_t dropped_stalled = 0;          // took nothing for a second while behind
    std::uint64_t dropped_queue_full = 0;       // its queue reached the hard bound
    std::uint64_t dropped_write_failed = 0;
    std::uint64_t dropped_casual_send = 0;      // a casual client sent a message
    std::uint64_t disconnects = 0;              // EOF from the client without a signoff
    // Traffic
    std::uint64_t requests = 0;
    std::uint64_t requests_refused = 0;         // answered badreq or fail
    std::uint64_t messages_from_clients = 0;
    std::uint64_t messages_to_clients = 0;

};

struct ApiCounterField {
    const char* name;
    std::uint64_t ApiCounters::*field;
};
inline constexpr ApiCounterField kApiCounterFields[] = {
    {"connections_accepted", &ApiCounters::connections_accepted},
    {"refused_full", &ApiCounters::refused_full},
    {"refused_uid_limit", &ApiCounters::refused_uid_limit},
    {"evicted_pending", &ApiCounters::evicted_pending},
    {"signon_timeouts", &ApiCounters::signon_timeouts},
    {"signons", &ApiCounters::signons},
    {"signons_refused", &ApiCounters::signons_refused},
    {"signoffs", &ApiCounters::signoffs},
    {"dropped_malformed", &ApiCounters::dropped_malformed},
    {"dropped_stalled", &ApiCounters::dropped_stalled},
    {"dropped_queue_full", &ApiCounters::dropped_queue_full},
    {"dropped_write_failed", &ApiCounters::dropped_write_failed},
    {"dropped_casual_send", &ApiCounters::dropped_casual_send},
    {"disconnects", &ApiCounters::disconnects},
    {"requests", &ApiCounters::requests},
    {"requests_refused", &ApiCounters::requests_refused},
    {"messages_from_clients", &ApiCounters::messages_from_clients},
    {"messages_to_clients", &ApiCounters::messages_to_clients},
};
static_assert(sizeof(ApiCounters) == std::size(kApiCounterFields) * sizeof(std::uint64_t),
              "an API counter is missing from kApiCounterFields");

}  // namespace hb::daemon

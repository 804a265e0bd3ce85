// The simulated network: loss, delay, jitter, duplication and reordering per packet and receiver,
// and partitions (two-way and one-way) over time windows.
#pragma once

#include <random>
#include <vector>

#include "core/types.hpp"
#include "sim/options.hpp"

namespace hb::sim {

class Network {
public:
    Network(const SimOptions& options, std::mt19937_64& rng) : o_(options), rng_(rng) {}

    // No per-receiver timing: one event can carry a packet to every receiver.
    bool same_time_for_all() const { return o_.jitter_ms == 0 && o_.dup == 0 && o_.reorder == 0; }
    core::Micros base_delay() const { return static_cast<core::Micros>(o_.delay_ms * 1000); }

    bool blocked(int from, int to, core::Micros t) const;
    // Was the direction from -> to blocked at any time in [t - window, t]?
    bool blocked_within(int from, int to, core::Micros t, core::Micros window) const;

    bool lost() { return o_.loss > 0 && uniform() < o_.loss; }
    // Arrival delays of the copies of one packet to one receiver (after loss was decided).
    void delays(std::vector<core::Micros>& out);

private:
    double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }
    core::Micros one_delay();

    const SimOptions& o_;
    std::mt19937_64& rng_;
};

}  // namespace hb::sim

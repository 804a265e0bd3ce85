#include "sim/network.hpp"

namespace hb::sim {

namespace {
core::Micros us(double seconds) { return static_cast<core::Micros>(seconds * 1e6); }

bool cuts(const Partition& p, int from, int to) {
    if (p.one_way) return p.from[static_cast<std::size_t>(from)] && p.to[static_cast<std::size_t>(to)];
    return p.group[static_cast<std::size_t>(from)] != p.group[static_cast<std::size_t>(to)];
}
}  // namespace

bool Network::blocked(int from, int to, core::Micros t) const {
    for (const auto& p : o_.partitions) {
        if (t >= us(p.at_s) && t < us(p.heal_s) && cuts(p, from, to)) return true;
    }
    return false;
}

bool Network::blocked_within(int from, int to, core::Micros t, core::Micros window) const {
    for (const auto& p : o_.partitions) {
        if (us(p.at_s) <= t && us(p.heal_s) >= t - window && cuts(p, from, to)) return true;
    }
    return false;
}

core::Micros Network::one_delay() {
    double ms = o_.delay_ms + o_.jitter_ms * uniform();
    // A reordered packet is held back long enough to arrive after packets sent after it.
    if (o_.reorder > 0 && uniform() < o_.reorder) ms += 2 * o_.delay_ms + o_.jitter_ms + 5 * uniform();
    return static_cast<core::Micros>(ms * 1000);
}

void Network::delays(std::vector<core::Micros>& out) {
    out.clear();
    out.push_back(one_delay());
    if (o_.dup > 0 && uniform() < o_.dup) out.push_back(one_delay());
}

}  // namespace hb::sim

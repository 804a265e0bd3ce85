#include "core/ping_nodes.hpp"

#include <algorithm>

namespace hb::core {

PingNodes::PingNodes(std::vector<PingNodeSpec> specs, Micros deadping, Micros initdead)
    : deadping_(deadping), initdead_(initdead) {
    for (auto& s : specs) nodes_.push_back({std::move(s), NodeStatus::init, -1});
}

void PingNodes::start(Micros now) {
    start_ = now;
    started_ = true;
}

std::optional<std::size_t> PingNodes::find(std::string_view name) const {
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        if (nodes_[i].spec.name == name) return i;
    }
    return std::nullopt;
}

PingNodes::Heard PingNodes::reply(Micros now, std::string_view name, std::string_view address) {
    auto i = find(name);
    if (!started_ || !i) return {};
    Node& n = nodes_[*i];
    const auto& a = n.spec.addresses;
    if (std::find(a.begin(), a.end(), address) == a.end()) return {};
    n.last_heard = now;
    if (n.status == NodeStatus::ping) return {true, std::nullopt};
    PingChange c{*i, n.status, NodeStatus::ping};
    n.status = NodeStatus::ping;
    return {true, c};
}

// As for cluster nodes, initdead stretches the dead interval until comm up; a node never heard
// counts from our start.
Micros PingNodes::deadline(const Node& n) const {
    const Micros interval = comm_up_ ? deadping_ : std::max(deadping_, initdead_);
    return (n.last_heard < 0 ? start_ : n.last_heard) + interval;
}

std::vector<PingChange> PingNodes::tick(Micros now) {
    std::vector<PingChange> out;
    if (!started_) return out;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        Node& n = nodes_[i];
        if (n.status == NodeStatus::dead || deadline(n) > now) continue;
        out.push_back({i, n.status, NodeStatus::dead});
        n.status = NodeStatus::dead;
    }
    return out;
}

Micros PingNodes::next_deadline() const {
    Micros next = kNever;
    if (!started_) return next;
    for (const Node& n : nodes_) {
        if (n.status != NodeStatus::dead) next = std::min(next, deadline(n));
    }
    return next;
}

bool PingNodes::settled() const {
    return std::all_of(nodes_.begin(), nodes_.end(), [](const Node& n) { return n.status != NodeStatus::init; });
}

}  // namespace hb::core

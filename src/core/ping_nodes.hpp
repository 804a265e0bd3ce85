// Ping nodes (ha.cf `ping`, `ping_group`): routers that cannot run heartbeat but answer ICMP echo,
// seen by clients (ipfail) as nodes of type `ping` with one link named like the node. This is the
// decision part, pure like the rest of the core: when a ping node counts as heard, when it is dead
// (`deadping` without a reply; never heard: at initdead, as heartbeat 3.0.6), and which addresses
// to probe. The echo requests and replies themselves are the driver's (io/icmp_echo.hpp).
//
// A `ping_group` is one node with several addresses, up while any of them answers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.hpp"

namespace hb::core {

struct PingNodeSpec {
    std::string name;                    // the address for `ping`, the group's name for `ping_group`
    std::vector<std::string> addresses;  // numeric, as inet_ntop writes them
};

// A ping node whose status changed: to ping (a reply after silence) or to dead.
struct PingChange {
    std::size_t index = 0;
    NodeStatus from = NodeStatus::init;
    NodeStatus to = NodeStatus::init;
};

class PingNodes {
public:
    PingNodes(std::vector<PingNodeSpec> specs, Micros deadping, Micros initdead);

    void start(Micros now);
    // initdead is over: a node heard from is dead after deadping alone from now on.
    void comm_up() { comm_up_ = true; }
    // A signed echo reply naming ping node `name` came from `address`. Not `known` when no ping
    // node has that name and address (a stray reply, counted); a change when the node was not
    // `ping` before.
    struct Heard {
        bool known = false;
        std::optional<PingChange> change;
    };
    Heard reply(Micros now, std::string_view name, std::string_view address);
    // The deaths that are due.
    std::vector<PingChange> tick(Micros now);
    Micros next_deadline() const;
    // Every ping node was heard from or declared dead: comm up need not wait for them.
    bool settled() const;

    std::size_t size() const { return nodes_.size(); }
    const PingNodeSpec& spec(std::size_t i) const { return nodes_[i].spec; }
    NodeStatus status(std::size_t i) const { return nodes_[i].status; }
    Micros last_heard(std::size_t i) const { return nodes_[i].last_heard; }
    std::optional<std::size_t> find(std::string_view name) const;

private:
    struct Node {
        PingNodeSpec spec;
        NodeStatus status = NodeStatus::init;  // init until first heard or given up
        Micros last_heard = -1;
    };
    Micros deadline(const Node& n) const;

    std::vector<Node> nodes_;
    Micros deadping_;
    Micros initdead_;
    Micros start_ = 0;
    bool started_ = false;
    bool comm_up_ = false;
};

}  // namespace hb::core

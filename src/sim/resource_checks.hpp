// The resource invariants of a two-node run, kept up to date event by event. It holds what the
// simulated script runner says runs where (per node, group and resource) and, each time the
// simulator reports a change (a script outcome, a crash, a membership change, a partition starting
// or healing), it accounts the time since the last change:
//   - an overlap is a group with a resource running on both nodes. One that begins while the
//     nodes are connected (both up, each core sees the other alive, no partition between them) is
//     a protocol fault; one that begins while they cannot hear each other is split brain, which a
//     two-node cluster without STONITH has whenever they lose each other. So is one that begins
//     in the aftermath of a split (the simulator says when that is: a node took the other for dead
//     while it ran, and they have not settled since), when what was decided apart is still being
//     carried out. A split brain stays one until the overlap ends, so the time it takes to undo
//     after a heal is split-brain time too (also counted apart: after_heal);
//   - at the end, every group must run, all of its resources, on exactly one live node.
// Pure bookkeeping: it never sees a manager.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "sim/report.hpp"

namespace hb::sim {

class ResourceChecks {
public:
    // resources[g]: how many resources group g has; preferred[g]: the node it belongs to.
    ResourceChecks(int nodes, std::vector<std::size_t> resources, std::vector<int> preferred);

    bool running(int node, std::size_t group, std::size_t resource) const;
    void set_running(int node, std::size_t group, std::size_t resource, bool on);
    void clear_node(int node);  // a crash: the reboot stops everything the node ran

    // Something changed at `now`; `connected`: the nodes can hear each other now; `aftermath`:
    // of a split, not settled yet.
    void update(core::Micros now, bool connected, bool aftermath);
    bool any_overlap() const;
    // The end of the run: the overlap figures and the final placement. `up`: each node running at
    // the end; `want_preferred`: each group must also be on its preferred node.
    void finish(core::Micros end, const std::vector<bool>& up, bool want_preferred, ResourceReport& out);

private:
    enum class Overlap { none, connected, split };
    bool overlapping(std::size_t group) const;
    std::string describe(std::size_t group, const std::vector<bool>& up, bool want_preferred) const;

    std::vector<std::size_t> resources_;
    std::vector<int> preferred_;
    std::vector<std::vector<std::vector<bool>>> running_;  // [node][group][resource]
    std::vector<Overlap> overlap_;                         // [group], since the overlap began
    core::Micros last_ = 0;
    bool last_connected_ = false;
    bool last_aftermath_ = false;
    ResourceReport figures_;
};

}  // namespace hb::sim

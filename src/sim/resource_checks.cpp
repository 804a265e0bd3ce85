#include "sim/resource_checks.hpp"

#include <algorithm>

#include "common/numbered_name.hpp"

namespace hb::sim {

namespace {
std::string node_name(int i) { return numbered_name("n", i + 1); }
}  // namespace

ResourceChecks::ResourceChecks(int nodes, std::vector<std::size_t> resources, std::vector<int> preferred)
    : resources_(std::move(resources)), preferred_(std::move(preferred)), overlap_(resources_.size(), Overlap::none) {
    running_.resize(static_cast<std::size_t>(nodes));
    for (auto& groups : running_) {
        for (std::size_t count : resources_) groups.emplace_back(count, false);
    }
}

bool ResourceChecks::running(int node, std::size_t group, std::size_t resource) const {
    return running_.at(static_cast<std::size_t>(node)).at(group).at(resource);
}

void ResourceChecks::set_running(int node, std::size_t group, std::size_t resource, bool on) {
    running_.at(static_cast<std::size_t>(node)).at(group).at(resource) = on;
}

void ResourceChecks::clear_node(int node) {
    for (auto& group : running_.at(static_cast<std::size_t>(node))) group.assign(group.size(), false);
}

bool ResourceChecks::overlapping(std::size_t g) const {
    for (std::size_t r = 0; r < resources_[g]; ++r) {
        std::size_t on = 0;
        for (const auto& node : running_) on += node[g][r] ? 1 : 0;
        if (on > 1) return true;
    }
    return false;
}

bool ResourceChecks::any_overlap() const {
    for (std::size_t g = 0; g < overlap_.size(); ++g) {
        if (overlapping(g)) return true;
    }
    return false;
}

void ResourceChecks::update(core::Micros now, bool connected, bool aftermath) {
    // The time since the last change, under the state that held then.
    std::size_t conn_before = 0, split_before = 0;
    for (Overlap o : overlap_) {
        conn_before += o == Overlap::connected ? 1 : 0;
        split_before += o == Overlap::split ? 1 : 0;
    }
    const core::Micros dt = now > last_ ? now - last_ : 0;
    if (conn_before > 0) figures_.overlap_while_connected_us += dt;
    if (split_before > 0) {
        figures_.split_brain_us += dt;
        if (last_connected_) figures_.split_brain_after_heal_us += dt;
    }
    last_ = std::max(last_, now);
    last_connected_ = connected;
    last_aftermath_ = aftermath;

    std::size_t conn_after = 0, split_after = 0;
    for (std::size_t g = 0; g < overlap_.size(); ++g) {
        if (!overlapping(g)) {
            overlap_[g] = Overlap::none;
        } else if (overlap_[g] == Overlap::none) {
            overlap_[g] = connected && !aftermath ? Overlap::connected : Overlap::split;
        }
        conn_after += overlap_[g] == Overlap::connected ? 1 : 0;
        split_after += overlap_[g] == Overlap::split ? 1 : 0;
    }
    // An episode: a stretch of time during which at least one group overlaps (of that kind).
    if (conn_before == 0 && conn_after > 0) ++figures_.overlap_while_connected_episodes;
    if (split_before == 0 && split_after > 0) ++figures_.split_brain_episodes;
}

std::string ResourceChecks::describe(std::size_t g, const std::vector<bool>& up, bool want_preferred) const {
    std::vector<int> full, partial;
    for (std::size_t n = 0; n < running_.size(); ++n) {
        std::size_t on = 0;
        for (bool r : running_[n][g]) on += r ? 1 : 0;
        if (on == resources_[g]) {
            full.push_back(static_cast<int>(n));
        } else if (on > 0) {
            partial.push_back(static_cast<int>(n));
        }
    }
    const std::string name = numbered_name("g", g + 1);
    if (!partial.empty()) return name + ": partly running on " + node_name(partial.front());
    if (full.empty()) return name + ": running nowhere";
    if (full.size() > 1) return name + ": running on " + node_name(full[0]) + " and " + node_name(full[1]);
    if (!up[static_cast<std::size_t>(full[0])]) return name + ": running on " + node_name(full[0]) + ", which is down";
    if (want_preferred && full[0] != preferred_[g]) {
        return name + ": on " + node_name(full[0]) + ", not on its preferred " + node_name(preferred_[g]);
    }
    return {};
}

void ResourceChecks::finish(core::Micros end, const std::vector<bool>& up, bool want_preferred, ResourceReport& out) {
    update(end, last_connected_, last_aftermath_);
    out.overlap_while_connected_us = figures_.overlap_while_connected_us;
    out.overlap_while_connected_episodes = figures_.overlap_while_connected_episodes;
    out.split_brain_episodes = figures_.split_brain_episodes;
    out.split_brain_us = figures_.split_brain_us;
    out.split_brain_after_heal_us = figures_.split_brain_after_heal_us;
    out.final_owner.clear();
    out.final_failures.clear();
    out.final_failed_groups.clear();
    for (std::size_t g = 0; g < resources_.size(); ++g) {
        int owner = -1;
        for (std::size_t n = 0; n < running_.size(); ++n) {
            bool all = true;
            for (bool r : running_[n][g]) all = all && r;
            if (all) owner = owner == -1 ? static_cast<int>(n) : -2;
        }
        out.final_owner.push_back(owner < 0 ? -1 : owner);
        if (auto why = describe(g, up, want_preferred); !why.empty()) {
            out.final_failures.push_back(std::move(why));
            out.final_failed_groups.push_back(g);
        }
    }
    out.final_ok = out.final_failures.empty();
}

}  // namespace hb::sim

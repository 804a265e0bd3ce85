// STONITH in the resource manager, as heartbeat 3.0.6's v1 (docs/resource-manager.md): with a
// device, a dead peer is reset before any of its groups is taken; the takeover starts only on a
// successful reset (announced as `stonith node=<X> result=OK`); a failed reset is logged and
// retried every stonith_retry for as long as the peer stays dead, and its groups stay down
// meanwhile. The device's status is checked at comm up and every stonith_check (failures logged).
#include <algorithm>

#include "resources/manager.hpp"

namespace hb::resources {

void Manager::start_reset(const std::string& node) {
    PendingReset& r = resets_[node];
    r.id = next_id_++;
    r.retry_at = core::kNever;
    log(6, "Resetting node " + node + " with the STONITH device before taking its resources");
    out_.push_back(RunStonith{r.id, node});
}

void Manager::cancel_reset(std::string_view node) {
    auto it = resets_.find(node);
    if (it == resets_.end()) return;
    resets_.erase(it);
    // Never taken: nothing of it is to be given back.
    taken_over_.erase(std::string(node));
    log(4, "node " + std::string(node) + " is back before its STONITH reset succeeded: reset cancelled, nothing taken");
}

Effects Manager::stonith_done(core::Micros now, std::uint64_t id, bool ok, std::string_view detail) {
    if (id != 0 && id == check_id_) {
        check_id_ = 0;
        if (ok) {
            log(7, "STONITH device status: OK");
        } else {
            ++counters_.stonith_failures;
            log(3, "STONITH device status check failed: " + std::string(detail));
        }
        return take();
    }
    auto it = std::find_if(resets_.begin(), resets_.end(), [id](const auto& r) { return id != 0 && r.second.id == id; });
    if (it == resets_.end()) return take();  // cancelled meanwhile
    const std::string node = it->first;
    if (!ok) {
        ++counters_.stonith_failures;
        it->second.id = 0;
        it->second.retry_at = now + cfg_.stonith_retry;
        log(3, "STONITH reset of node " + node + " failed (" + std::string(detail) + "): its resources stay down; retrying in " +
                   std::to_string(cfg_.stonith_retry / core::kSeconds) + " s");
        return take();
    }
    resets_.erase(it);
    ++counters_.stonith_resets;
    log(6, "node " + node + " now reset.");
    Message st;
    st.add("t", "stonith");
    st.add("node", node);
    st.add("result", "OK");
    send(std::move(st));
    take_over(node, false);
    pump(now);
    return take();
}

void Manager::stonith_tick(core::Micros now) {
    for (auto& [node, r] : resets_) {
        if (r.id != 0 || r.retry_at > now) continue;
        start_reset(node);
    }
    if (check_at_ <= now) {
        check_at_ = now + cfg_.stonith_check;
        if (check_id_ == 0) {
            check_id_ = next_id_++;
            out_.push_back(RunStonith{check_id_, ""});
        }
    }
}

core::Micros Manager::stonith_deadline() const {
    core::Micros next = check_at_;
    for (const auto& [node, r] : resets_) {
        if (r.id == 0) next = std::min(next, r.retry_at);
    }
    return next;
}

std::vector<std::string> Manager::resets_pending() const {
    std::vector<std::string> out;
    for (const auto& [node, r] : resets_) out.push_back(node);
    return out;
}

}  // namespace hb::resources

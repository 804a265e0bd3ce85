#include "core/receive_window.hpp"

namespace hb::core {

Accept ReceiveWindow::accept(std::uint64_t seq, std::optional<Message> payload, Micros first_request) {
    if (!started_) {
        if (seq <= floor_) return Accept::duplicate;
        started_ = true;
        floor_ = seq - 1;
        highest_ = seq;
        held_.emplace(seq, std::move(payload));
        return Accept::fresh;
    }
    if (seq <= floor_) return Accept::duplicate;
    if (seq == highest_ + 1 && missing_.empty() && held_.empty()) {
        // The common case, in order with nothing outstanding: no bookkeeping beyond two numbers.
        floor_ = highest_ = seq;
        if (payload) ready_.push_back(std::move(*payload));
        return Accept::fresh;
    }
    if (seq <= highest_) {
        if (missing_.erase(seq) == 0) return Accept::duplicate;
        held_.emplace(seq, std::move(payload));
        return Accept::fresh;
    }
    const std::uint64_t gap = seq - highest_ - 1;
    if (gap > kMaxGap || missing_.size() + gap > kMaxMissing) {
        // Too far behind to repair: release what we hold, forget the gaps, continue from here.
        resync();
        started_ = true;
        floor_ = seq - 1;
    } else {
        for (std::uint64_t s = highest_ + 1; s < seq; ++s) missing_.emplace(s, first_request);
    }
    highest_ = seq;
    held_.emplace(seq, std::move(payload));
    return Accept::fresh;
}

bool ReceiveWindow::give_up(std::uint64_t seq) {
    if (missing_.erase(seq) == 0) return false;
    ++given_up_;
    return true;
}

std::size_t ReceiveWindow::resync() {
    std::size_t n = missing_.size();
    given_up_ += n;
    missing_.clear();
    started_ = false;
    // held_ is kept: release() below hands out what already arrived, in order, gaps skipped.
    if (!held_.empty()) floor_ = std::max(floor_, held_.rbegin()->first);
    floor_ = std::max(floor_, highest_);
    return n;
}

std::vector<Message> ReceiveWindow::release() {
    std::vector<Message> out = std::move(ready_);
    ready_.clear();
    // While resynchronising, everything held is deliverable (its gaps were given up).
    while (!held_.empty()) {
        auto it = held_.begin();
        if (started_) {
            // The lowest held number is deliverable when no gap lies below it.
            if (!missing_.empty() && missing_.begin()->first < it->first) break;
            floor_ = std::max(floor_, it->first);
        }
        if (it->second) out.push_back(std::move(*it->second));
        held_.erase(it);
    }
    if (started_ && missing_.empty()) floor_ = std::max(floor_, highest_);
    else if (started_) floor_ = std::max(floor_, missing_.begin()->first - 1);
    return out;
}

void ReceiveWindow::set_request_time(std::uint64_t seq, Micros when) {
    auto it = missing_.find(seq);
    if (it != missing_.end()) it->second = when;
}

}  // namespace hb::core

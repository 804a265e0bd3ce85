#include "core/receive_window.hpp"

namespace hb::core {

ReceiveWindow::Gaps& ReceiveWindow::gaps() {
    if (!gaps_) gaps_ = std::make_unique<Gaps>();
    return *gaps_;
}

void ReceiveWindow::drop_gaps_if_empty() {
    if (gaps_ && gaps_->held.empty() && gaps_->missing.empty()) gaps_.reset();
}

const std::map<std::uint64_t, Micros>& ReceiveWindow::missing() const {
    static const std::map<std::uint64_t, Micros> kNone;
    return gaps_ ? gaps_->missing : kNone;
}

Accept ReceiveWindow::accept(std::uint64_t seq, std::optional<Message> payload, Micros first_request) {
    if (!started_) {
        if (seq <= floor_) return Accept::duplicate;
        started_ = true;
        floor_ = seq - 1;
        highest_ = seq;
        gaps().held.emplace(seq, std::move(payload));
        return Accept::fresh;
    }
    if (seq <= floor_) return Accept::duplicate;
    if (seq == highest_ + 1 && !gaps_) {
        // The common case, in order with nothing outstanding: no bookkeeping beyond two numbers.
        floor_ = highest_ = seq;
        if (payload) ready_.push_back(std::move(*payload));
        return Accept::fresh;
    }
    if (seq <= highest_) {
        if (!gaps_ || gaps_->missing.erase(seq) == 0) return Accept::duplicate;
        gaps_->held.emplace(seq, std::move(payload));
        return Accept::fresh;
    }
    const std::uint64_t gap = seq - highest_ - 1;
    const std::size_t missing_now = gaps_ ? gaps_->missing.size() : 0;
    if (gap > kMaxGap || missing_now + gap > kMaxMissing) {
        // Too far behind to repair: release what we hold, forget the gaps, continue from here.
        resync();
        started_ = true;
        floor_ = seq - 1;
    } else {
        for (std::uint64_t s = highest_ + 1; s < seq; ++s) gaps().missing.emplace(s, first_request);
    }
    highest_ = seq;
    gaps().held.emplace(seq, std::move(payload));
    return Accept::fresh;
}

bool ReceiveWindow::give_up(std::uint64_t seq) {
    if (!gaps_ || gaps_->missing.erase(seq) == 0) return false;
    ++given_up_;
    return true;
}

std::size_t ReceiveWindow::resync() {
    const std::size_t n = gaps_ ? gaps_->missing.size() : 0;
    given_up_ += n;
    if (gaps_) gaps_->missing.clear();
    started_ = false;
    // What is held stays: release() hands out what already arrived, in order, gaps skipped.
    if (gaps_ && !gaps_->held.empty()) floor_ = std::max(floor_, gaps_->held.rbegin()->first);
    floor_ = std::max(floor_, highest_);
    return n;
}

std::vector<Message> ReceiveWindow::release() {
    std::vector<Message> out = std::move(ready_);
    ready_.clear();
    if (!gaps_) return out;
    auto& held = gaps_->held;
    auto& missing = gaps_->missing;
    // While resynchronising, everything held is deliverable (its gaps were given up).
    while (!held.empty()) {
        auto it = held.begin();
        if (started_) {
            // The lowest held number is deliverable when no gap lies below it.
            if (!missing.empty() && missing.begin()->first < it->first) break;
            floor_ = std::max(floor_, it->first);
        }
        if (it->second) out.push_back(std::move(*it->second));
        held.erase(it);
    }
    if (started_ && missing.empty()) {
        floor_ = std::max(floor_, highest_);
    } else if (started_) {
        floor_ = std::max(floor_, missing.begin()->first - 1);
    }
    drop_gaps_if_empty();
    return out;
}

void ReceiveWindow::set_request_time(std::uint64_t seq, Micros when) {
    if (!gaps_) return;
    auto it = gaps_->missing.find(seq);
    if (it != gaps_->missing.end()) it->second = when;
}

}  // namespace hb::core

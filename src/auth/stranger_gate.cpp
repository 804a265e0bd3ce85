#include "auth/stranger_gate.hpp"

#include <algorithm>

namespace hb::auth {

namespace {

// Forgets the entry least recently seen, to make room (the tables are small and this is rare).
template <typename Map, typename Last>
void evict_oldest(Map& map, Last last) {
    auto oldest = std::min_element(map.begin(), map.end(), [&](const auto& a, const auto& b) { return last(a) < last(b); });
    if (oldest != map.end()) map.erase(oldest);
}

}  // namespace

bool StrangerGate::admit(Micros now, std::string_view address) {
    if (known_.find(address) != known_.end()) return true;
    if (auto it = strangers_.find(address); it != strangers_.end() && it->second.penalized_until > now) return false;
    if (now > refilled_at_) {
        tokens_ = std::min(kStrangerChecksPerSecond,
                           tokens_ + static_cast<double>(now - refilled_at_) * kStrangerChecksPerSecond / 1e6);
        refilled_at_ = now;
    }
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
}

void StrangerGate::authenticated(Micros now, std::string_view address) {
    if (auto it = known_.find(address); it != known_.end()) {
        it->second = now;
        return;
    }
    if (known_.size() >= kMaxKnown) evict_oldest(known_, [](const auto& e) { return e.second; });
    known_.emplace(std::string(address), now);
    if (auto it = strangers_.find(address); it != strangers_.end()) strangers_.erase(it);
}

void StrangerGate::failed(Micros now, std::string_view address) {
    if (known_.find(address) != known_.end()) return;  // never shut out an address that has authenticated
    auto it = strangers_.find(address);
    if (it == strangers_.end()) {
        if (strangers_.size() >= kMaxStrangers) evict_oldest(strangers_, [](const auto& e) { return e.second.last; });
        it = strangers_.emplace(std::string(address), Stranger{}).first;
    }
    Stranger& s = it->second;
    s.last = now;
    if (++s.strikes >= kStrikes) {
        s.penalized_until = now + kPenalty;
        s.strikes = 0;
    }
}

}  // namespace hb::auth

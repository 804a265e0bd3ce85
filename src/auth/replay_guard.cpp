#include "auth/replay_guard.hpp"

#include <algorithm>

namespace hb::auth {

bool ReplayGuard::accept(int link, const NonceParts& nonce) {
    const auto key = std::make_pair(link, nonce.prefix);
    auto it = windows_.find(key);
    if (it == windows_.end()) {
        if (windows_.size() >= kMaxRuns) {
            windows_.erase(std::min_element(windows_.begin(), windows_.end(),
                                            [](const auto& a, const auto& b) { return a.second.used < b.second.used; }));
        }
        it = windows_.emplace(key, Window{}).first;
        it->second.top = nonce.counter;
        it->second.seen.set(nonce.counter % kWindow);
        it->second.used = ++uses_;
        return true;
    }
    Window& w = it->second;
    const std::uint32_t c = nonce.counter;
    if (c > w.top) {
        if (c - w.top >= kWindow) {
            w.seen.reset();
        } else {
            for (std::uint32_t k = w.top + 1; k != c; ++k) w.seen.reset(k % kWindow);
        }
        w.top = c;
    } else if (w.top - c >= kWindow || w.seen.test(c % kWindow)) {
        return false;
    }
    w.seen.set(c % kWindow);
    w.used = ++uses_;
    return true;
}

}  // namespace hb::auth

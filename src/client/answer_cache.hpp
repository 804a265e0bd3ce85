// The daemon's answers to read-only questions (a node's status, a parameter), reused for a short
// while: a question costs a round trip through the daemon (~20 µs on a 2-core VM, most of it two
// wake-ups), the answer is the same for the next call. A node's entry is also replaced as soon as
// the daemon's status message about that node is read, so a death is never hidden by the cache.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace hb::client {

class AnswerCache {
public:
    // How long an answer is reused when nothing newer arrived: well under any keepalive.
    static constexpr std::chrono::milliseconds kMaxAge{100};

    std::optional<std::string> get(const std::string& key) const {
        auto it = entries_.find(key);
        if (it == entries_.end() || std::chrono::steady_clock::now() - it->second.at > kMaxAge) return std::nullopt;
        return it->second.value;
    }
    void put(const std::string& key, std::string value) {
        entries_[key] = Entry{std::move(value), std::chrono::steady_clock::now()};
    }

private:
    struct Entry {
        std::string value;
        std::chrono::steady_clock::time_point at;
    };
    std::map<std::string, Entry> entries_;
};

}  // namespace hb::client

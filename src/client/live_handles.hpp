// The handles a C API has handed out and not yet taken back, so that a stray or freed pointer
// is refused instead of followed. Thread-safe: C callers may use handles from several threads.
#pragma once

#include <mutex>
#include <unordered_set>

namespace hb::client {

template <class T>
class LiveHandles {
public:
    void add(const T* h) {
        std::lock_guard lock(mutex_);
        live_.insert(h);
    }
    void remove(const T* h) {
        std::lock_guard lock(mutex_);
        live_.erase(h);
    }
    bool contains(const T* h) {
        std::lock_guard lock(mutex_);
        return live_.count(h) != 0;
    }

private:
    std::mutex mutex_;
    std::unordered_set<const T*> live_;
};

}  // namespace hb::client

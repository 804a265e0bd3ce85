// Name -> peer lookup for every received packet: an open-addressing table of peer positions.
// One flat array probe, then the peer itself (which the caller touches anyway) confirms the name,
// so a lookup costs about one cache miss even with a thousand peers.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace hb::core {

class PeerIndex {
public:
    // `name_of(i)` gives the name of peer i; the table never stores names itself.
    template <class NameOf>
    void build(std::size_t count, NameOf name_of) {
        std::size_t size = 8;
        while (size < 2 * count) size <<= 1;
        slots_.assign(size, 0);
        for (std::size_t i = 0; i < count; ++i) {
            std::size_t s = slot_for(name_of(i));
            while (slots_[s] != 0) s = (s + 1) & (slots_.size() - 1);
            slots_[s] = static_cast<std::uint32_t>(i + 1);
        }
    }

    template <class NameOf>
    std::optional<std::uint32_t> find(std::string_view name, NameOf name_of) const {
        if (slots_.empty()) return std::nullopt;
        // Bounded by the table size: at most every slot is probed once.
        for (std::size_t s = slot_for(name), n = 0; n < slots_.size(); s = (s + 1) & (slots_.size() - 1), ++n) {
            const std::uint32_t v = slots_[s];
            if (v == 0) return std::nullopt;
            if (name_of(v - 1) == name) return v - 1;
        }
        return std::nullopt;
    }

private:
    std::size_t slot_for(std::string_view name) const {
        return std::hash<std::string_view>{}(name) & (slots_.size() - 1);
    }
    std::vector<std::uint32_t> slots_;  // peer position + 1; 0 = empty
};

}  // namespace hb::core

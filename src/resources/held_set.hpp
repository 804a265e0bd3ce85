// What a node holds, in heartbeat's words: its own groups ("local": the lines of haresources that
// name it first), the others' groups ("foreign"), both, or none. Every resource message carries one
// (`rsc_hold`), and a standby request names one from the giver's point of view.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hb::resources {

enum class HeldSet : std::uint8_t { none = 0, local = 1, foreign = 2, all = 3 };

constexpr HeldSet operator|(HeldSet a, HeldSet b) {
    return static_cast<HeldSet>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
constexpr HeldSet without(HeldSet a, HeldSet b) {
    return static_cast<HeldSet>(static_cast<std::uint8_t>(a) & ~static_cast<std::uint8_t>(b) & 3);
}
constexpr bool has(HeldSet a, HeldSet b) {
    return (static_cast<std::uint8_t>(a) & static_cast<std::uint8_t>(b)) == static_cast<std::uint8_t>(b) &&
           b != HeldSet::none;
}
// The same groups seen from the other node of a pair: my local groups are its foreign ones.
constexpr HeldSet mirror(HeldSet s) {
    switch (s) {
        case HeldSet::local: return HeldSet::foreign;
        case HeldSet::foreign: return HeldSet::local;
        default: return s;
    }
}

std::string_view to_string(HeldSet s);
std::optional<HeldSet> parse_held_set(std::string_view text);  // none|local|foreign|all

}  // namespace hb::resources

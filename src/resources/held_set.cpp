#include "resources/held_set.hpp"

namespace hb::resources {

std::string_view to_string(HeldSet s) {
    switch (s) {
        case HeldSet::none: return "none";
        case HeldSet::local: return "local";
        case HeldSet::foreign: return "foreign";
        case HeldSet::all: return "all";
    }
    return "none";
}

std::optional<HeldSet> parse_held_set(std::string_view text) {
    for (HeldSet s : {HeldSet::none, HeldSet::local, HeldSet::foreign, HeldSet::all}) {
        if (text == to_string(s)) return s;
    }
    return std::nullopt;
}

}  // namespace hb::resources

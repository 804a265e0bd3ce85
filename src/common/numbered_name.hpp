// A name made of a prefix and a number ("m0", "n3", "f17"): bundle fields, simulated node names,
// test fields.
//
// Built by appending the number to the prefix. The obvious `"m" + std::to_string(n)` makes GCC 12
// at -O3 report a false -Wrestrict inside the inlined basic_string::insert (GCC bug 105651), which
// -Werror turns into a failed Release build.
#pragma once

#include <string>
#include <string_view>

namespace hb {

template <typename Number>
std::string numbered_name(std::string_view prefix, Number n) {
    std::string name(prefix);
    name += std::to_string(n);
    return name;
}

}  // namespace hb

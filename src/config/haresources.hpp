// haresources (spec §7.1): "<preferred node> <resource>..." per line, "\" continues a line,
// "Type::arg::arg", and a bare IPv4 address stands for IPaddr::<address>.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/diagnostics.hpp"

namespace hb::config {

// `nodes` (may be empty: not checked) are the declared nodes the first word must name.
std::vector<ResourceGroup> parse_haresources(std::string_view text, const std::string& filename,
                                             const std::vector<std::string>& nodes, Diagnostics& diag);

}  // namespace hb::config

// authkeys (spec §2.4): "auth N" picks the signing entry; "N method [key]" lines list the keys.
#pragma once

#include <string>
#include <string_view>

#include "config/config.hpp"
#include "config/diagnostics.hpp"

namespace hb::config {

AuthKeys parse_authkeys(std::string_view text, const std::string& filename, Diagnostics& diag);

// Reads the file, refusing one that group or others may read or write (as heartbeat does).
AuthKeys load_authkeys(const std::string& path, Diagnostics& diag);

}  // namespace hb::config

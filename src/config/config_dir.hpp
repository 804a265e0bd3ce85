// Loading a whole configuration directory (/etc/ha.d): ha.cf, authkeys, haresources.
#pragma once

#include <optional>
#include <string>

#include "config/config.hpp"
#include "config/diagnostics.hpp"

namespace hb::config {

struct Loaded {
    Config config;
    Diagnostics diagnostics;
    bool ok() const { return !diagnostics.has_errors(); }
};

Loaded load_config_dir(const std::string& dir, const std::string& local_node);

}  // namespace hb::config

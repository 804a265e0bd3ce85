// Which STONITH device types cluster-glue has installed here: its stonith2 plugins
// (<dir>/stonith2/<type>.so) and its external ones (<dir>/external/<name>, an executable script,
// named `external/<name>`). ha.cf's stonith lines are checked against them; the daemon resets
// nodes through cluster-glue's `stonith` command, which loads the same plugins.
#pragma once

#include <string>

namespace hb::config {

inline constexpr const char* kStonithPluginDir = "/usr/lib/stonith/plugins";
inline constexpr const char* kStonithCommand = "/usr/sbin/stonith";

bool stonith_type_installed(const std::string& type, const std::string& plugin_dir = kStonithPluginDir);

}  // namespace hb::config

#include "config/stonith_types.hpp"

#include <unistd.h>

#include <string_view>

namespace hb::config {

bool stonith_type_installed(const std::string& type, const std::string& plugin_dir) {
    // A type is a plain name or external/<name>: nothing that could step out of the directory.
    if (type.empty() || type.find("..") != std::string::npos || type.front() == '/') return false;
    constexpr std::string_view external = "external/";
    if (type.rfind(external, 0) == 0) {
        const std::string name = type.substr(external.size());
        if (name.empty() || name.find('/') != std::string::npos) return false;
        return access((plugin_dir + "/external/" + name).c_str(), X_OK) == 0;
    }
    if (type.find('/') != std::string::npos) return false;
    return access((plugin_dir + "/stonith2/" + type + ".so").c_str(), R_OK) == 0;
}

}  // namespace hb::config

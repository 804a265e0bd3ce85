#include "agents/script_check.hpp"

namespace hb::agents {

void check_scripts(const std::vector<config::ResourceGroup>& groups, const std::string& haresources_path,
                   const Lookup& lookup, config::Diagnostics& diag) {
    for (const auto& g : groups) {
        for (const auto& r : g.resources) {
            auto cmd = resolve(r, Action::status, lookup);
            if (!cmd) {
                diag.warning(haresources_path, g.line,
                             cmd.error() + "; the group's start fails until it is installed");
            }
        }
    }
}

}  // namespace hb::agents

// ha.cf, authkeys and haresources parsers: any text gives diagnostics, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/authkeys.hpp"
#include "config/hacf.hpp"
#include "config/haresources.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    hb::config::Diagnostics diag;
    hb::config::Config cfg;
    hb::config::parse_hacf(text, "ha.cf", "n1", cfg, diag);
    hb::config::parse_authkeys(text, "authkeys", diag);
    hb::config::parse_haresources(text, "haresources", cfg.nodes, diag);
    for (const auto& d : diag.items()) {
        if (d.line < 0) __builtin_trap();
    }
    return 0;
}

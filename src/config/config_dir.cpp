#include "config/config_dir.hpp"

#include <fstream>
#include <iterator>

#include "config/authkeys.hpp"
#include "config/hacf.hpp"
#include "config/haresources.hpp"

namespace hb::config {

std::string format(const Diagnostic& d) {
    return d.file + ":" + std::to_string(d.line) + ": " + (d.error ? "error: " : "warning: ") + d.message;
}

std::optional<std::string> Config::parameter(const std::string& name) const {
    auto it = parameters.find(name);
    if (it == parameters.end()) return std::nullopt;
    return it->second;
}

const ApiAuth* Config::apiauth_for(const std::string& client) const {
    for (const auto& a : apiauth) {
        if (a.client == client) return &a;
    }
    return nullptr;
}

namespace {
std::optional<std::string> read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    return std::string((std::istreambuf_iterator<char>(in)), {});
}
}  // namespace

Loaded load_config_dir(const std::string& dir, const std::string& local_node) {
    Loaded out;
    const std::string hacf = dir + "/ha.cf";
    auto text = read_text(hacf);
    if (!text) {
        out.diagnostics.error(hacf, 0, "cannot read the main configuration file; create it (see examples/loopback)");
        return out;
    }
    parse_hacf(*text, hacf, local_node, out.config, out.diagnostics);
    out.config.authkeys = load_authkeys(dir + "/authkeys", out.diagnostics);
    if (!out.config.pacemaker) {
        const std::string hares = dir + "/haresources";
        auto res = read_text(hares);
        if (!res) {
            out.diagnostics.error(hares, 0, "missing; with pacemaker off it must exist (it may be empty): touch " + hares);
        } else {
            out.config.resources = parse_haresources(*res, hares, out.config.nodes, out.diagnostics);
        }
    }
    return out;
}

}  // namespace hb::config

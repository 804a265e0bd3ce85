#include "config/haresources.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <sstream>

namespace hb::config {

namespace {

Resource parse_resource(const std::string& word) {
    Resource r;
    r.text = word;
    in_addr a{};
    std::string first = word.substr(0, word.find("::"));
    if (inet_pton(AF_INET, first.c_str(), &a) == 1) {
        r.type = "IPaddr";
        r.args.push_back(word);  // "10.0.0.1" or "10.0.0.1/24/eth0" as IPaddr's argument
        return r;
    }
    std::size_t pos = 0;
    std::size_t sep = word.find("::");
    r.type = word.substr(0, sep);
    while (sep != std::string::npos) {
        pos = sep + 2;
        sep = word.find("::", pos);
        r.args.push_back(word.substr(pos, sep == std::string::npos ? std::string::npos : sep - pos));
    }
    return r;
}

}  // namespace

std::vector<ResourceGroup> parse_haresources(std::string_view text, const std::string& filename,
                                             const std::vector<std::string>& nodes, Diagnostics& diag) {
    std::vector<ResourceGroup> groups;
    std::istringstream in{std::string(text)};
    std::string raw, logical;
    int number = 0, start = 0;
    while (std::getline(in, raw)) {
        ++number;
        if (auto hash = raw.find('#'); hash != std::string::npos) raw.resize(hash);
        while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) raw.pop_back();
        if (logical.empty()) start = number;
        const bool continued = !raw.empty() && raw.back() == '\\';
        if (continued) raw.pop_back();
        logical += raw + ' ';
        if (continued) continue;
        std::istringstream words(logical);
        logical.clear();
        std::vector<std::string> w{std::istream_iterator<std::string>(words), {}};
        if (w.empty()) continue;
        ResourceGroup g;
        g.line = start;
        g.node = w[0];
        for (char& c : g.node) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!nodes.empty() && std::find(nodes.begin(), nodes.end(), g.node) == nodes.end()) {
            diag.error(filename, start, "'" + w[0] + "' is not a declared node; the first word names the preferred node (one of the ha.cf node lines)");
            continue;
        }
        if (w.size() < 2) diag.warning(filename, start, "node " + g.node + " has no resources on this line");
        bool ok = true;
        for (std::size_t i = 1; i < w.size(); ++i) {
            Resource r = parse_resource(w[i]);
            if (r.type.empty() || std::any_of(r.args.begin(), r.args.end(), [](auto& a) { return a.empty(); })) {
                diag.error(filename, start, "resource '" + w[i] + "' is malformed; write Type::arg1::arg2");
                ok = false;
                continue;
            }
            g.resources.push_back(std::move(r));
        }
        if (ok && groups.empty() && nodes.size() > 2) {
            diag.warning(filename, start,
                         "resource groups are taken over as heartbeat 3.0.6 does it, for a pair of nodes: with " +
                             std::to_string(nodes.size()) + " nodes every survivor takes a dead node's groups");
        }
        if (ok) groups.push_back(std::move(g));
    }
    if (!logical.empty()) diag.error(filename, number, "the last line ends with '\\' but nothing follows");
    return groups;
}

}  // namespace hb::config

// auto_failback legacy (heartbeat's default): no held set; a node asks the holder for each of its
// groups (ip-request), the holder stops it and says go ahead (ip-request-resp).
#include "resources/manager.hpp"

namespace hb::resources {

namespace {

std::optional<std::size_t> find_group(const ManagerConfig& cfg, std::string_view key) {
    for (std::size_t g = 0; g < cfg.groups.size(); ++g) {
        if (cfg.groups[g].key == key) return g;
    }
    return std::nullopt;
}

}  // namespace

// legacy: a peer asks for its group; we stop it if it runs here and say go ahead.
void Manager::on_ip_request(std::string_view src, const Message& msg) {
    if (src == cfg_.node) return;
    const auto key = msg.get("ipaddr");
    const auto g = key ? find_group(cfg_, *key) : std::nullopt;
    if (!g) {
        ++counters_.dropped_malformed;
        return;
    }
    Op op = make_op(OpKind::legacy_give, {});
    op.node = std::string(src);
    op.groups.push_back(*g);
    queue(std::move(op));
}

void Manager::on_ip_request_resp(std::string_view src, const Message& msg) {
    (void)src;
    if (msg.get("dest") != std::optional<std::string_view>(cfg_.node)) return;
    if (msg.get("ok") != std::optional<std::string_view>("OK")) return;
    const auto key = msg.get("ipaddr");
    const auto g = key ? find_group(cfg_, *key) : std::nullopt;
    if (!g) {
        ++counters_.dropped_malformed;
        return;
    }
    if (nice()) return;  // nice modes start their groups directly (the message is informative)
    queue(make_op(OpKind::legacy_take, {*g}));
}

}  // namespace hb::resources

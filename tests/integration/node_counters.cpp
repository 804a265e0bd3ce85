#include "node_counters.hpp"

#include <fstream>
#include <thread>

#include "heartbeat/client.hpp"

namespace hb::test {

void allow_casual_clients(LoopbackCluster& c, std::initializer_list<int> nodes) {
    for (int i : nodes) std::ofstream(c.node_dir(i) + "/ha.cf", std::ios::app) << "apiauth anon uid=root\n";
}

std::optional<nlohmann::json> node_counters(const std::string& socket_path) {
    auto hb = Cluster::signon({}, socket_path);
    if (!hb) return std::nullopt;
    auto text = (*hb)->counters();
    if (!text) return std::nullopt;
    auto doc = nlohmann::json::parse(*text, nullptr, false);
    if (doc.is_discarded()) return std::nullopt;
    return doc;
}

std::optional<nlohmann::json> wait_for_counters(const std::string& socket_path,
                                                const std::function<bool(const nlohmann::json&)>& holds,
                                                std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    std::optional<nlohmann::json> last;
    do {
        if (auto doc = node_counters(socket_path)) {
            last = std::move(doc);
            if (holds(*last)) return last;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (std::chrono::steady_clock::now() < end);
    return last;
}

}  // namespace hb::test

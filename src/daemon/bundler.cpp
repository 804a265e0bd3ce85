#include "daemon/bundler.hpp"

#include "core/capabilities.hpp"
#include "msg/compression.hpp"
#include "msg/netstring_codec.hpp"
#include "common/numbered_name.hpp"

namespace hb::daemon {

bool Bundler::heard(const Message& packet) {
    if (packet.get("t") != std::optional<std::string_view>("status")) return false;
    auto src = packet.get("src");
    if (!src) return false;
    const bool reads = core::has_capability(packet.get(core::kCapsField), core::kCapBundle);
    auto [it, added] = reads_.try_emplace(std::string(*src), reads);
    if (!added && it->second == reads) return false;
    it->second = reads;
    return true;
}

bool Bundler::reads_bundles(const std::string& node) const {
    auto it = reads_.find(node);
    return it != reads_.end() && it->second;
}

void Bundler::queue(Message packet, std::shared_ptr<const std::string> encoded, std::string to) {
    if (is_compressed_message(packet)) {
        // A compressed wrapper names no sender, which unpack() requires: it goes out alone.
        queued_.push_back({std::move(packet), nullptr, std::move(to)});
        return;
    }
    if (!encoded) {
        if (auto fresh = encode_netstring(packet)) encoded = std::make_shared<const std::string>(std::move(fresh).value());
    }
    queued_bytes_ += encoded ? encoded->size() : 0;
    queued_.push_back({std::move(packet), std::move(encoded), std::move(to)});
}

std::vector<Bundler::Outgoing> Bundler::take(const std::string& self) {
    std::vector<Outgoing> out;
    std::vector<Queued*> group;
    std::size_t bytes = 0;
    auto close_group = [&] {
        if (group.size() == 1) {
            out.push_back({std::move(group.front()->packet), std::move(group.front()->to)});
        } else if (!group.empty()) {
            std::string to = group.front()->to;
            for (const Queued* q : group) {
                if (q->to != to) to.clear();
            }
            Message bundle;
            bundle.add("t", kType);
            bundle.add("src", self);
            bundle.add_int("n", static_cast<long>(group.size()));
            for (std::size_t i = 0; i < group.size(); ++i) bundle.add_binary(numbered_name("m", i), *group[i]->encoded);
            out.push_back({std::move(bundle), std::move(to)});
        }
        group.clear();
        bytes = 0;
    };
    for (auto& q : queued_) {
        if (!q.encoded) {  // a compressed wrapper, or where signing reports the problem
            close_group();
            out.push_back({std::move(q.packet), std::move(q.to)});
            continue;
        }
        if (!group.empty() && bytes + q.encoded->size() > kMaxBytes) close_group();
        bytes += q.encoded->size();
        group.push_back(&q);
    }
    close_group();
    queued_.clear();
    queued_bytes_ = 0;
    return out;
}

std::vector<Message> Bundler::pack(const std::string& self, std::vector<Message> packets) {
    Bundler b;
    for (auto& p : packets) b.queue(std::move(p));
    std::vector<Message> out;
    for (auto& o : b.take(self)) out.push_back(std::move(o.packet));
    return out;
}

Result<std::vector<Message>> Bundler::unpack(const Message& bundle) {
    auto src = bundle.get("src");
    auto n = bundle.get_int("n");
    if (!src || !n || *n < 2 || *n > static_cast<long>(kMaxBytes)) return make_error("bundle without src or count");
    std::vector<Message> out;
    for (long i = 0; i < *n; ++i) {
        auto bytes = bundle.get_binary(numbered_name("m", i));
        if (!bytes) return make_error("bundle lacks packet " + std::to_string(i));
        auto decoded = decode_netstring(*bytes);
        if (!decoded) return make_error("packet " + std::to_string(i) + " of a bundle: " + decoded.error());
        if (decoded->message.get("src") != src) return make_error("a bundle carries another node's packet");
        if (decoded->message.get("t") == std::optional<std::string_view>(kType)) return make_error("a bundle in a bundle");
        out.push_back(std::move(decoded->message));
    }
    return out;
}

}  // namespace hb::daemon

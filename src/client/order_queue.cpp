#include "client/order_queue.hpp"

namespace hb::client {

namespace {
bool is(const Message& m, std::string_view field, std::string_view value) {
    return m.get(field) == std::optional<std::string_view>(value);
}
}  // namespace

void OrderQueue::push(Message msg, std::deque<Message>& ready) {
    const auto src = msg.get("src");
    const auto oseq = msg.get_hex("oseq");
    if (src && (is(msg, "t", "hbapi-clstat") || (is(msg, "t", "status") && is(msg, "st", "dead")))) {
        // A client that leaves, or a node that dies, sent everything it will send: what it held
        // back goes out before the news.
        flush_node(std::string(*src), ready);
    }
    if (!src || !oseq || *oseq == 0) {
        ready.push_back(std::move(msg));
        return;
    }
    Stream& s = streams_[std::string(*src) + (msg.has("dest") ? "/node" : "/cluster")];
    const std::uint64_t generation = msg.get_hex("hg").value_or(0);
    const std::uint64_t client_gen = msg.get_hex("client_gen").value_or(0);
    if (s.next == 0 || generation != s.generation || client_gen != s.client_gen) {
        // A new sender, or a restarted daemon or client: its numbering starts over. The first
        // message seen sets the place (one who signs on late does not wait for what came before).
        flush(s, ready);
        s.generation = generation;
        s.client_gen = client_gen;
        s.next = *oseq;
    }
    if (*oseq < s.next) return;  // seen already
    s.held.emplace(*oseq, std::move(msg));
    if (s.held.size() > kWindow) s.next = s.held.begin()->first;  // give up on the oldest gap
    release(s, ready);
}

void OrderQueue::release(Stream& s, std::deque<Message>& ready) {
    for (auto it = s.held.begin(); it != s.held.end() && it->first == s.next; it = s.held.erase(it)) {
        ready.push_back(std::move(it->second));
        ++s.next;
    }
}

void OrderQueue::flush(Stream& s, std::deque<Message>& ready) {
    for (auto& [seq, m] : s.held) ready.push_back(std::move(m));
    s.held.clear();
    s.next = 0;
}

void OrderQueue::flush_node(const std::string& node, std::deque<Message>& ready) {
    for (const char* kind : {"/node", "/cluster"}) {
        auto it = streams_.find(node + kind);
        if (it == streams_.end()) continue;
        flush(it->second, ready);
        streams_.erase(it);
    }
}

std::size_t OrderQueue::held() const {
    std::size_t n = 0;
    for (const auto& [key, s] : streams_) n += s.held.size();
    return n;
}

}  // namespace hb::client

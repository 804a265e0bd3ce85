#include "daemon/client_registry.hpp"

#include <algorithm>

namespace hb::daemon {

namespace {

bool in(const auto& list, auto value) { return std::find(list.begin(), list.end(), value) != list.end(); }

}  // namespace

ClientRegistry::ClientRegistry(const Settings& settings, uid_t daemon_uid, Limits limits)
    : settings_(settings), daemon_uid_(daemon_uid), limits_(limits) {}

std::size_t ClientRegistry::pending() const {
    return static_cast<std::size_t>(std::count_if(clients_.begin(), clients_.end(), [](const auto& e) {
        return !e.second->signed_on && e.second->closing.empty();
    }));
}

ApiClient* ClientRegistry::eviction_candidate(std::optional<uid_t> uid) {
    if (!uid) {
        // The uid that holds the most waiting connections gives one up.
        std::map<uid_t, std::size_t> per_uid;
        for (const auto& [key, c] : clients_) {
            if (!c->signed_on && c->closing.empty()) ++per_uid[c->peer.uid];
        }
        auto most = std::max_element(per_uid.begin(), per_uid.end(),
                                     [](const auto& a, const auto& b) { return a.second < b.second; });
        if (most == per_uid.end()) return nullptr;
        uid = most->first;
    }
    ApiClient* oldest = nullptr;
    for (const auto& [key, c] : clients_) {
        if (c->signed_on || !c->closing.empty() || c->peer.uid != *uid) continue;
        if (!oldest || c->connected_at < oldest->connected_at) oldest = c.get();
    }
    return oldest;
}

ClientRegistry::Admission ClientRegistry::admit(core::Micros now, int key, Credentials peer) {
    Admission a;
    std::size_t waiting = 0, waiting_for_uid = 0;
    for (const auto& [k, c] : clients_) {
        if (c->signed_on || !c->closing.empty()) continue;
        ++waiting;
        if (c->peer.uid == peer.uid) ++waiting_for_uid;
    }
    ApiClient* victim = nullptr;
    if (waiting_for_uid >= limits_.pending_per_uid) {
        victim = eviction_candidate(peer.uid);
    } else if (waiting >= limits_.pending) {
        victim = eviction_candidate(std::nullopt);
    }
    if (victim) {
        victim->closing = "did not sign on (evicted for a newer connection)";
        a.evicted.push_back(victim->fd);
        ++counters_.evicted_pending;
    }
    auto c = std::make_unique<ApiClient>();
    c->fd = key;
    c->peer = peer;
    c->connected_at = now;
    a.client = c.get();
    clients_[key] = std::move(c);
    ++counters_.connections_accepted;
    return a;
}

std::vector<int> ClientRegistry::expire(core::Micros now) {
    std::vector<int> keys;
    for (auto& [key, c] : clients_) {
        if (c->signed_on || !c->closing.empty() || now - c->connected_at < limits_.signon_timeout) continue;
        c->closing = "did not sign on in time";
        ++counters_.signon_timeouts;
        keys.push_back(key);
    }
    return keys;
}

std::optional<std::string> ClientRegistry::sign_on(ApiClient& c, const Message& req) {
    auto refuse = [&](std::string why) -> std::optional<std::string> {
        ++counters_.signons_refused;
        return why;
    };
    if (c.signed_on) return refuse("already signed on");
    const std::string pid(req.get("pid").value_or(""));
    const std::string id(req.get("from_id").value_or(pid));
    auto uid = req.get_int("uid");
    auto gid = req.get_int("gid");
    if (!uid || !gid || static_cast<uid_t>(*uid) != c.peer.uid || static_cast<gid_t>(*gid) != c.peer.gid) {
        return refuse("uid/gid do not match the socket's credentials");
    }
    if (pid.empty() || std::to_string(c.peer.pid) != pid) return refuse("pid does not match the socket's credentials");
    if (id.empty() || id.size() >= 32) return refuse("invalid client id");
    const bool casual = id == pid;
    if (signed_on(id)) return refuse("duplicate add request");
    const config::ApiAuth* rule = nullptr;
    const std::string key = casual ? "anon" : id;
    for (const auto& a : settings_.apiauth) {
        if (a.client == key) rule = &a;
    }
    if (!rule && !casual) {
        for (const auto& a : settings_.apiauth) {
            if (a.client == "default") rule = &a;
        }
    }
    if (!rule || (!in(rule->uids, c.peer.uid) && !in(rule->gids, c.peer.gid))) {
        return refuse("client failed authorization");
    }
    std::size_t total = 0, of_uid = 0;
    for (const auto& [k, other] : clients_) {
        if (!other->signed_on || !other->closing.empty()) continue;
        ++total;
        if (other->peer.uid == c.peer.uid) ++of_uid;
    }
    if (total >= limits_.clients) {
        ++counters_.refused_full;
        return refuse(std::to_string(total) + " clients signed on already");
    }
    if (!privileged(c.peer.uid) && of_uid >= limits_.clients_per_uid) {
        ++counters_.refused_uid_limit;
        return refuse("uid " + std::to_string(c.peer.uid) + " has " + std::to_string(of_uid) + " clients signed on already");
    }
    c.id = id;
    c.casual = casual;
    c.signed_on = true;
    ++counters_.signons;
    return std::nullopt;
}

ApiClient* ClientRegistry::find(int key) {
    auto it = clients_.find(key);
    return it == clients_.end() ? nullptr : it->second.get();
}

std::unique_ptr<ApiClient> ClientRegistry::remove(int key) {
    auto it = clients_.find(key);
    if (it == clients_.end()) return nullptr;
    auto c = std::move(it->second);
    clients_.erase(it);
    return c;
}

bool ClientRegistry::signed_on(std::string_view id) const {
    return std::any_of(clients_.begin(), clients_.end(),
                       [&](const auto& e) { return e.second->signed_on && e.second->id == id; });
}

}  // namespace hb::daemon

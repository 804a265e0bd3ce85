#include "sim/simulator.hpp"

#include <algorithm>
#include <stdexcept>

#include "common/numbered_name.hpp"

namespace hb::sim {

namespace {
constexpr core::Micros kMs = core::kMillis;
core::Micros us(double seconds) { return static_cast<core::Micros>(seconds * 1e6); }

// Group g of a simulated haresources: preferred by node g % 2, of 1 + g % 3 resources.
std::size_t group_size(int g) { return 1 + static_cast<std::size_t>(g % 3); }
int group_home(int g) { return g % 2; }
}  // namespace

Simulator::Simulator(SimOptions options)
    : o_(std::move(options)), rng_(o_.seed), net_(o_, rng_), nodes_(static_cast<std::size_t>(o_.nodes)) {
    for (int i = 0; i < o_.nodes; ++i) {
        names_.push_back(numbered_name("n", i + 1));
        index_[names_.back()] = i;
    }
    last_order_.assign(nodes_.size(), std::vector<std::uint64_t>(nodes_.size(), 0));
    report_.options = o_;
    if (o_.resource_groups > 0) {
        if (o_.nodes != 2) {
            throw std::invalid_argument("resource management needs exactly 2 nodes (heartbeat's protocol is for a pair), not " +
                                        std::to_string(o_.nodes));
        }
        std::vector<std::size_t> sizes;
        std::vector<int> homes;
        for (int g = 0; g < o_.resource_groups; ++g) {
            sizes.push_back(group_size(g));
            homes.push_back(group_home(g));
        }
        checks_.emplace(o_.nodes, std::move(sizes), std::move(homes));
        sees_alive_.assign(nodes_.size(), std::vector<bool>(nodes_.size(), false));
        report_.resources.enabled = true;
    }
}

resources::ManagerConfig Simulator::manager_config(int i) const {
    resources::ManagerConfig c;
    c.node = names_[static_cast<std::size_t>(i)];
    c.nodes = names_;
    c.auto_failback = o_.auto_failback;
    for (int g = 0; g < o_.resource_groups; ++g) {
        c.groups.push_back({numbered_name("g", g + 1), names_[static_cast<std::size_t>(group_home(g))], group_size(g)});
    }
    return c;
}

core::CoreConfig Simulator::config_for(int i) const {
    core::CoreConfig c;
    c.node = names_[static_cast<std::size_t>(i)];
    c.uuid = std::string(12, '\0') + std::string(reinterpret_cast<const char*>(&i), 4);
    c.nodes = names_;
    for (int l = 0; l < o_.links; ++l) c.links.push_back("sim" + std::to_string(l));
    c.keepalive = o_.keepalive_ms * kMs;
    c.deadtime = o_.deadtime_ms * kMs;
    c.warntime = (o_.warntime_ms ? o_.warntime_ms : o_.deadtime_ms / 2) * kMs;
    c.initdead = (o_.initdead_ms ? o_.initdead_ms : 2 * o_.deadtime_ms) * kMs;
    c.generation = nodes_[static_cast<std::size_t>(i)].generation;
    c.wall_seconds_at_start = 1'700'000'000;
    c.client_notifications = false;  // the simulator's clients are its own counters
    c.interval_histograms = false;   // and it has no metrics endpoint
    c.seed = o_.seed * 1'000'003 + static_cast<std::uint64_t>(i) * 7919 + c.generation;
    return c;
}

void Simulator::start_node(int i, core::Micros now) {
    Node& n = nodes_[static_cast<std::size_t>(i)];
    n.core = std::make_unique<core::Core>(config_for(i));
    n.running = true;
    n.up_at.push_back(now);
    if (checks_) {
        // Before the core starts: the peers it hears of at once are the manager's first input.
        n.manager = std::make_unique<resources::Manager>(manager_config(i));
        sees_alive_[static_cast<std::size_t>(i)].assign(nodes_.size(), false);
        check(now);
    }
    apply(i, n.core->start(now), now);
}

void Simulator::rearm(int i) {
    Node& n = nodes_[static_cast<std::size_t>(i)];
    core::Micros d = n.running ? n.core->next_deadline() : core::kNever;
    if (n.running && n.manager) d = std::min(d, n.manager->next_deadline());
    if (d == n.timer_at) return;
    n.timer_at = d;
    ++n.timer_version;
    if (d == core::kNever) return;
    Event e;
    e.when = d;
    e.kind = EventKind::timer;
    e.node = i;
    e.version = n.timer_version;
    queue_.push(std::move(e));
}

void Simulator::send_packet(int from, core::Send& s, core::Micros now) {
    auto msg = std::make_shared<const Message>(std::move(s.msg));
    const int target = s.to.empty() ? -1 : index_.at(s.to);
    for (int link = 0; link < o_.links; ++link) {
        if (s.link != core::kAllLinks && s.link != link) continue;
        Event e;
        e.kind = EventKind::deliver;
        e.from = from;
        e.link = link;
        e.msg = msg;
        if (net_.same_time_for_all()) {
            // One event for every receiver; loss is drawn per receiver on arrival.
            e.when = now + net_.base_delay();
            e.node = target;
            queue_.push(std::move(e));
            continue;
        }
        for (int to = 0; to < o_.nodes; ++to) {
            if (to == from || (target >= 0 && to != target) || net_.lost()) continue;
            net_.delays(arrival_scratch_);
            for (core::Micros d : arrival_scratch_) {
                Event copy = e;
                copy.when = now + d;
                copy.node = to;
                queue_.push(std::move(copy));
            }
        }
    }
}

void Simulator::deliver(int to, const Event& e, core::Micros now) {
    Node& n = nodes_[static_cast<std::size_t>(to)];
    if (!n.running || net_.blocked(e.from, to, now)) return;
    apply(to, n.core->receive(now, e.link, *e.msg), now);
}

void Simulator::apply(int i, core::Effects effects, core::Micros now) {
    Node& n = nodes_[static_cast<std::size_t>(i)];
    for (auto& effect : effects) {
        if (auto* s = std::get_if<core::Send>(&effect)) {
            send_packet(i, *s, now);
        } else if (auto* c = std::get_if<core::NodeChange>(&effect)) {
            on_node_change(i, *c, now);
            if (n.manager) n.inbox.emplace_back(*c);
        } else if (auto* d = std::get_if<core::Deliver>(&effect)) {
            on_client_delivery(i, d->msg);
            if (n.manager) {
                const auto type = d->msg.get("t");
                if (type && resources::Manager::is_resource_message(*type)) n.inbox.emplace_back(d->msg);
            }
        } else if (std::holds_alternative<core::CommUp>(effect)) {
            if (n.manager) n.inbox.emplace_back(core::CommUp{});
        }
    }
    drain(i, now);
    rearm(i);
}

bool Simulator::down_within(int node, core::Micros from, core::Micros to) const {
    for (core::Micros t : nodes_[static_cast<std::size_t>(node)].down_at) {
        if (t >= from && t <= to) return true;
    }
    return false;
}

bool Simulator::up_throughout(int node, core::Micros from, core::Micros to) const {
    const Node& n = nodes_[static_cast<std::size_t>(node)];
    core::Micros last_up = -1, last_down = -1;
    for (core::Micros t : n.up_at) {
        if (t <= from) last_up = std::max(last_up, t);
    }
    for (core::Micros t : n.down_at) {
        if (t <= from) last_down = std::max(last_down, t);
    }
    return last_up >= 0 && last_up > last_down && !down_within(node, from, to);
}

void Simulator::on_node_change(int observer, const core::NodeChange& c, core::Micros now) {
    const int node = index_.at(c.node);
    report_.timeline.push_back({now, observer, node, c.from, c.to});
    if (checks_) {
        sees_alive_[static_cast<std::size_t>(observer)][static_cast<std::size_t>(node)] = c.to != core::NodeStatus::dead;
        check(now);
    }
    if (c.to != core::NodeStatus::dead) return;
    const core::Micros window = (o_.deadtime_ms + (o_.initdead_ms ? o_.initdead_ms : 2 * o_.deadtime_ms)) * kMs + us(1);
    const Node& n = nodes_[static_cast<std::size_t>(node)];
    if (checks_ && n.running &&
        (!down_within(node, now - window, now) || now > n.up_at.back() + (o_.deadtime_ms + o_.keepalive_ms) * kMs)) {
        // It runs, and this is not the death of an earlier incarnation: the two lost each other.
        split_aftermath_ = true;
        check(now);
    }
    if (!n.running || down_within(node, now - window, now)) {
        // Attribute it to the node's latest crash, once per observer.
        for (auto it = crashes_.rbegin(); it != crashes_.rend(); ++it) {
            if (it->node != node || it->at > now) continue;
            auto seen = it->detected[static_cast<std::size_t>(observer)];
            if (!seen && !n.running) report_.detection_us.push_back(now - it->at);
            it->detected[static_cast<std::size_t>(observer)] = true;
            break;
        }
        return;
    }
    if (net_.blocked_within(node, observer, now, o_.deadtime_ms * kMs + us(1))) {
        ++report_.partition_deaths;
        return;
    }
    ++report_.false_deaths;
    if (report_.false_death_details.size() < 20) {
        report_.false_death_details.push_back("at " + std::to_string(now / kMs) + " ms n" +
                                              std::to_string(observer + 1) + " declared n" +
                                              std::to_string(node + 1) + " dead");
    }
}

void Simulator::on_client_delivery(int receiver, const Message& msg) {
    if (msg.get("t") != std::optional<std::string_view>("simmsg")) return;
    auto id = msg.get_int("id");
    auto sender = msg.get_int("sender");
    auto order = msg.get_int("order");
    if (!id || !sender || !order || *id < 0 || static_cast<std::size_t>(*id) >= delivered_.size()) return;
    ++report_.deliveries;
    auto& count = delivered_[static_cast<std::size_t>(*id)][static_cast<std::size_t>(receiver)];
    if (++count > 1) ++report_.duplicated;
    auto& last = last_order_[static_cast<std::size_t>(receiver)][static_cast<std::size_t>(*sender)];
    if (static_cast<std::uint64_t>(*order) < last) ++report_.out_of_order;
    last = std::max(last, static_cast<std::uint64_t>(*order));
}

void Simulator::client_traffic(core::Micros now) {
    std::vector<int> up;
    for (int i = 0; i < o_.nodes; ++i) {
        if (nodes_[static_cast<std::size_t>(i)].running) up.push_back(i);
    }
    if (!up.empty()) {
        const int sender = up[rng_() % up.size()];
        Node& n = nodes_[static_cast<std::size_t>(sender)];
        Message m;
        m.add("t", "simmsg");
        m.add_int("id", static_cast<long>(sent_.size()));
        m.add_int("sender", sender);
        m.add_int("order", static_cast<long>(++n.app_counter));
        int dest = -1;
        if (o_.node_msgs && o_.nodes > 1) {
            dest = static_cast<int>(rng_() % static_cast<std::uint64_t>(o_.nodes - 1));
            if (dest >= sender) ++dest;
            m.add("dest", names_[static_cast<std::size_t>(dest)]);
        }
        auto result = n.core->send(now, std::move(m));
        if (!result) {
            ++report_.msgs_refused;
            --n.app_counter;
        } else {
            sent_.push_back({sender, dest, now});
            delivered_.emplace_back(nodes_.size(), 0);
            ++report_.msgs_sent;
            apply(sender, std::move(result).value(), now);
        }
    }
    const core::Micros next = now + static_cast<core::Micros>(1e6 / o_.msgs_per_sec);
    if (next < traffic_end_) {
        Event e;
        e.when = next;
        e.kind = EventKind::traffic;
        queue_.push(std::move(e));
    }
}

Report Simulator::run() {
    const core::Micros end = us(o_.duration_s);
    const core::Micros deadtime = o_.deadtime_ms * kMs;
    for (int i = 0; i < o_.nodes; ++i) start_node(i, 0);
    if (checks_) {
        // Whether the nodes can hear each other changes at these instants.
        for (const auto& p : o_.partitions) {
            for (double t : {p.at_s, p.heal_s}) {
                Event e;
                e.when = us(t);
                e.kind = EventKind::partition;
                e.node = -1;
                queue_.push(std::move(e));
            }
        }
    }
    for (const auto& ev : o_.events) {
        Event e;
        e.when = us(ev.at_s);
        e.node = ev.node;
        e.kind = ev.kind == NodeEvent::Kind::crash     ? EventKind::crash
                 : ev.kind == NodeEvent::Kind::restart ? EventKind::restart
                                                       : EventKind::leave;
        queue_.push(std::move(e));
    }
    if (o_.msgs_per_sec > 0) {
        // Traffic starts once the cluster formed, and stops early enough for repairs to finish.
        const core::Micros initdead = (o_.initdead_ms ? o_.initdead_ms : 2 * o_.deadtime_ms) * kMs;
        traffic_end_ = end - std::max(2 * deadtime + us(1), us(5));
        Event e;
        e.when = std::min(initdead, 2 * o_.keepalive_ms * kMs) + us(0.5);
        e.kind = EventKind::traffic;
        if (e.when < traffic_end_) queue_.push(std::move(e));
    }
    // Bounded: every event is handled once; the count only guards against a runaway core.
    for (std::uint64_t guard = 0; guard < (1ULL << 40) && !queue_.empty() && queue_.next() <= end; ++guard) {
        Event e = queue_.pop();
        const core::Micros now = e.when;
        Node* n = e.node >= 0 ? &nodes_[static_cast<std::size_t>(e.node)] : nullptr;
        switch (e.kind) {
            case EventKind::timer:
                if (n->running && e.version == n->timer_version) {
                    n->timer_at = core::kNever;
                    apply(e.node, n->core->tick(now), now);
                    if (n->manager) feed(e.node, Tick{}, now);
                }
                break;
            case EventKind::deliver:
                if (e.node >= 0) {
                    deliver(e.node, e, now);
                } else {
                    for (int to = 0; to < o_.nodes; ++to) {
                        if (to != e.from && !net_.lost()) deliver(to, e, now);
                    }
                }
                break;
            case EventKind::crash:
                if (n->running) {
                    n->running = false;
                    n->down_at.push_back(now);
                    crashes_.push_back({e.node, now, std::vector<bool>(nodes_.size(), false)});
                    if (n->manager) {
                        // A reboot: whatever the node ran is stopped, and a split is over.
                        drop_manager(*n);
                        checks_->clear_node(e.node);
                        split_aftermath_ = false;
                        check(now);
                    }
                    rearm(e.node);
                }
                break;
            case EventKind::leave:
                if (n->running) {
                    // A resource manager gives its groups up first, then asks the core to leave.
                    if (n->manager) {
                        feed(e.node, Shutdown{}, now);
                    } else {
                        leave_core(e.node, now);
                    }
                }
                break;
            case EventKind::restart:
                if (!n->running) {
                    ++n->generation;
                    start_node(e.node, now);
                }
                break;
            case EventKind::traffic:
                client_traffic(now);
                break;
            case EventKind::script:
                if (n->running) script_finished(e.node, e.version, now);
                break;
            case EventKind::partition:
                check(now);
                break;
        }
    }
    finish(end);
    return std::move(report_);
}

void Simulator::finish(core::Micros end) {
    const core::Micros deadtime = o_.deadtime_ms * kMs;
    // Crashes that stayed down long enough to be noticed, by every observer that stayed up.
    for (const auto& crash : crashes_) {
        if (crash.at + deadtime + us(1) > end) continue;
        bool restarted_early = false;
        for (const auto& ev : o_.events) {
            if (ev.kind == NodeEvent::Kind::restart && ev.node == crash.node && us(ev.at_s) > crash.at &&
                us(ev.at_s) < crash.at + deadtime + us(1)) {
                restarted_early = true;
            }
        }
        if (restarted_early) continue;
        for (int obs = 0; obs < o_.nodes; ++obs) {
            if (obs == crash.node || crash.detected[static_cast<std::size_t>(obs)]) continue;
            if (!nodes_[static_cast<std::size_t>(obs)].running || down_within(obs, 0, end)) continue;
            ++report_.undetected;
        }
    }
    std::sort(report_.detection_us.begin(), report_.detection_us.end());
    // Messages every live, connected destination should have received exactly once. A node that
    // (re)started less than a deadtime before a message may have begun listening after it: a
    // starting node takes up each sender's sequence where it first hears it.
    for (std::size_t id = 0; id < sent_.size(); ++id) {
        const Sent& s = sent_[id];
        if (!up_throughout(s.sender, s.at, end)) continue;
        for (int r = 0; r < o_.nodes; ++r) {
            if (s.dest >= 0 && r != s.dest) continue;
            if (r != s.sender && !up_throughout(r, std::max<core::Micros>(0, s.at - deadtime), end)) continue;
            if (r != s.sender && (net_.blocked_within(s.sender, r, end, end - s.at) ||
                                  net_.blocked_within(r, s.sender, end, end - s.at))) {
                continue;
            }
            ++report_.expected_deliveries;
            if (delivered_[id][static_cast<std::size_t>(r)] == 0) ++report_.lost;
        }
    }
    for (int i = 0; i < o_.nodes; ++i) {
        const Node& n = nodes_[static_cast<std::size_t>(i)];
        report_.totals += n.core->counters();
        report_.running_at_end.push_back(n.running);
        std::vector<core::NodeStatus> view(nodes_.size(), core::NodeStatus::dead);
        if (n.running) {
            for (const auto& v : n.core->node_views()) view[static_cast<std::size_t>(index_.at(v.name))] = v.status;
            view[static_cast<std::size_t>(i)] = n.core->local_status();
        }
        report_.final_view.push_back(std::move(view));
    }
    report_.node_seconds = static_cast<double>(o_.nodes) * o_.duration_s;
    finish_resources(end);
}

}  // namespace hb::sim

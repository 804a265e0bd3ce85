#include "core/core.hpp"

#include <algorithm>
#include <deque>
#include <random>
#include <unordered_set>

#include "core/capabilities.hpp"
#include "core/carriage.hpp"
#include "core/fragments.hpp"
#include "core/packet_header.hpp"
#include "core/peer.hpp"
#include "core/peer_index.hpp"
#include "core/send_history.hpp"
#include "core/timer_queue.hpp"
#include "core/wire_fields.hpp"
#include "msg/limits.hpp"
#include "msg/netstring_codec.hpp"

namespace hb::core {

namespace {

constexpr std::size_t kMaxResendPerRequest = 50;  // heartbeat's cap per NS_rexmit
constexpr int kLeaveCopies = 3;                   // shutdone goes out this often: it is not repaired

NodeStatus parse_status(std::string_view st) {
    if (st == "init") return NodeStatus::init;
    if (st == "active") return NodeStatus::active;
    return NodeStatus::up;  // "up", and anything a newer peer may say
}

// Types the core consumes itself; everything else goes to the local API clients.
bool is_protocol_type(std::string_view t) {
    return t == "status" || t == "reqnodes" || t == "repnodes" || t == "shutdone";
}

// The bytes of a message's names and values: a cheap first look, so that only messages near the
// limit are encoded to be sure.
std::size_t raw_bytes(const Message& m) {
    std::size_t n = 0;
    for (const Field& f : m.fields()) {
        n += f.name.size() + f.bytes.size();
        for (const auto& item : f.list) n += item.size();
        if (f.child) n += raw_bytes(*f.child);
    }
    return n;
}

// What fragments carried: a message's netstring, usually of its compressed wrapper.
Result<Message> decode_carried(std::string_view bytes) {
    auto decoded = decode_netstring(bytes);
    if (!decoded) return make_error(decoded.error());
    return unwrap_compressed(std::move(decoded->message));
}

CarriageRules carriage_rules(const CoreConfig& cfg, std::size_t allowance) {
    return CarriageRules{cfg.datagram_bytes - allowance, cfg.compression, cfg.traditional_compression,
                         cfg.compression_threshold};
}

}  // namespace

struct Core::State {
    CoreConfig cfg;
    std::vector<Peer> peers;
    PeerIndex index;
    std::mt19937_64 rng;
    TimerQueue timers;
    Counters counters;
    SendHistory history;
    std::deque<Message> backlog;
    std::string load = "n/a";
    NodeStatus local = NodeStatus::init;
    bool started = false;
    bool stopped = false;
    bool comm_up = false;
    bool paused = false;
    bool promiscuous = false;  // see Core::set_promiscuous
    Micros start_time = 0;
    Micros last_now = 0;  // the latest time we were told, for messages made without one
    Micros next_heartbeat = kNever;
    std::uint64_t next_seq = 1;
    std::uint64_t ack_level = 0;
    bool ack_level_dirty = true;
    bool congested = false;  // a local client is behind: acks are held back (set_congested)
    bool in_batch = false;   // inside receive_batch: acks wait for its end
    std::size_t heard_count = 0;
    std::string caps;  // what our status says we can do (capabilities.hpp)
    PingNodes pings;
    Effects out;

    explicit State(CoreConfig c)
        : cfg(std::move(c)), rng(cfg.seed), pings(cfg.ping_nodes, cfg.deadping, cfg.initdead) {
        std::unordered_set<std::string> seen;
        for (const auto& name : cfg.nodes) {
            if (name == cfg.node || !seen.insert(name).second) continue;
            Peer p;
            p.index = static_cast<std::uint32_t>(peers.size());
            p.name = name;
            p.deadtime = cfg.deadtime;
            p.links.resize(cfg.links.size());
            p.ack_trigger = rng() % 10;
            if (cfg.interval_histograms) p.intervals = std::make_unique<IntervalHistogram>();
            peers.push_back(std::move(p));
        }
        index.build(peers.size(), [this](std::size_t i) -> std::string_view { return peers[i].name; });
        std::vector<std::string> all = cfg.capabilities;
        all.emplace_back(kCapFragments);
        caps = join_capabilities(all);
    }

    const Peer* find_peer(std::string_view name) const {
        auto i = index.find(name, [this](std::size_t k) -> std::string_view { return peers[k].name; });
        return i ? &peers[*i] : nullptr;
    }
    Peer* find_peer(std::string_view name) {
        return const_cast<Peer*>(static_cast<const State*>(this)->find_peer(name));
    }

    Effects take() { return std::exchange(out, {}); }

    // In-place construction: besides saving a move, it keeps g++ 12's -Wmaybe-uninitialized from
    // misreading a temporary variant.
    template <class T, class... Args>
    void emit(Args&&... args) {
        // Braces, not parentheses: clang 14 (the fuzz build) lacks parenthesised aggregate init.
        out.emplace_back(std::in_place_type<T>, T{std::forward<Args>(args)...});
    }

    // ----- time and stamps -------------------------------------------------------------------

    Micros dead_interval(const Peer& p) const {
        return comm_up ? p.deadtime : std::max(p.deadtime, cfg.initdead);
    }

    Micros rexmit_delay() {
        const Micros max = cfg.max_rexmit_delay;
        const Micros min = max < 100 * kMillis ? 0 : 50 * kMillis;
        return min + static_cast<Micros>(rng() % static_cast<std::uint64_t>(max - min + 1));
    }

    int ttl() const { return cfg.hopfudge + static_cast<int>(cfg.nodes.size()); }

    std::int64_t wall_seconds_now() const { return cfg.wall_seconds_at_start + (last_now - start_time) / kSeconds; }

    void stamp_with(Message& msg, std::optional<std::uint64_t> seq, Micros now) {
        Stamp s;
        s.node = cfg.node;
        s.uuid = cfg.uuid;
        s.seq = seq;
        s.generation = cfg.generation;
        last_now = now;
        s.wall_seconds = wall_seconds_now();
        s.load = seq ? std::string_view(load) : std::string_view();
        s.ttl = ttl();
        stamp(msg, s);
    }

    void stamp_and_send(Message msg, std::optional<std::uint64_t> seq, Micros now) {
        // Sequenced messages go to every node even when addressed to one: sequence numbers are
        // shared by all destinations, so every node must see every number. Control messages (NS_*)
        // carry no number and need only reach their destination.
        std::string to(seq ? "" : msg.get("dest").value_or(""));
        stamp_with(msg, seq, now);
        std::shared_ptr<const std::string> encoded = seq ? history.record(*seq, msg) : nullptr;
        emit<Send>(kAllLinks, std::move(msg), std::move(to), std::move(encoded));
    }

    // A client's message, stamped and sent in the form its size needs (carriage.hpp); returns it
    // as stamped, for the local copy. A compressed wrapper goes without `encoded`, so that the
    // driver sends it alone: bundles carry packets that name their sender.
    Message send_client_message(Message msg, Micros now) {
        stamp_with(msg, next_seq, now);
        auto packed = pack_for_wire(msg, carriage_rules(cfg, kSignatureAllowance));
        if (packed && packed->how == Carriage::fragments && !fragments_reach(msg)) {
            packed = make_error("a node it must reach does not read fragments");
        }
        if (!packed) {
            // Core::send judged it sendable; a heartbeat 3.0.6 node came back while it was queued.
            ++counters.dropped_too_big;
            emit<Notice>(3, "dropped a queued message of type " + std::string(msg.get("t").value_or("?")) + ": " +
                                packed.error());
            return msg;
        }
        switch (packed->how) {
            case Carriage::plain: {
                auto encoded = history.record_encoded(next_seq++, std::move(packed->encoded));
                emit<Send>(kAllLinks, msg, std::string(), std::move(encoded));
                break;
            }
            case Carriage::compressed:
                ++counters.sent_compressed;
                history.record_encoded(next_seq++, std::move(packed->encoded));
                emit<Send>(kAllLinks, std::move(packed->packet), std::string(), nullptr);
                break;
            case Carriage::fragments:
                ++counters.sent_fragmented;
                for (Message& f : make_fragments(packed->encoded, msg.get("dest"))) {
                    ++counters.fragments_sent;
                    send_sequenced(std::move(f), now);
                }
                break;
        }
        return msg;
    }

    // Whether every node a message must reach whole reads fragments: its destination, or every
    // live peer for a cluster message.
    const Peer* peer_without_fragments(const Message& msg) const {
        if (auto dest = msg.get("dest")) {
            const Peer* p = find_peer(*dest);
            return p && p->status != NodeStatus::dead && !p->reads_fragments ? p : nullptr;
        }
        for (const Peer& p : peers) {
            if (p.status != NodeStatus::dead && !p.reads_fragments) return &p;
        }
        return nullptr;
    }
    bool fragments_reach(const Message& msg) const { return peer_without_fragments(msg) == nullptr; }

    // Why a client's message cannot be sent whole, if it cannot (judged before it is stamped).
    std::optional<std::string> refusal(const Message& msg) const {
        if (!cfg.traditional_compression && raw_bytes(msg) < (cfg.datagram_bytes - kStampAllowance) / 2) {
            return std::nullopt;  // a cheap look: far from any limit
        }
        auto packed = pack_for_wire(msg, carriage_rules(cfg, kStampAllowance));
        if (!packed) return packed.error();
        if (packed->how != Carriage::fragments) return std::nullopt;
        if (const Peer* p = peer_without_fragments(msg)) {
            return "a message of " + std::to_string(packed->encoded.size()) +
                   " bytes compressed does not fit in one datagram (at most " +
                   std::to_string(cfg.datagram_bytes - kStampAllowance) + "), and node " + p->name +
                   " does not read fragments (heartbeat 3.0.6)";
        }
        return std::nullopt;
    }

    void send_sequenced(Message msg, Micros now) { stamp_and_send(std::move(msg), next_seq++, now); }

    void send_control(std::string_view type, const Peer& to, Message body, Micros now) {
        Message msg;
        msg.add("t", type);
        msg.add("dest", to.name);
        for (const Field& f : body.fields()) msg.add_field(f);
        stamp_and_send(std::move(msg), std::nullopt, now);
    }

    // ----- our own heartbeat -----------------------------------------------------------------

    void send_status(Micros now) {
        Message msg;
        msg.add("t", "status");
        msg.add("st", to_string(local));
        msg.add("dt", hex(static_cast<std::uint64_t>(cfg.deadtime / kMillis)));
        msg.add("protocol", "1");
        msg.add(kCapsField, caps);
        send_sequenced(std::move(msg), now);
        ++counters.heartbeats_sent;
        if (local == NodeStatus::init) local = NodeStatus::up;
        probe_ping_nodes();
    }

    // ----- ping nodes (ping_nodes.hpp) ---------------------------------------------------------

    // A ping node's status as heartbeat 3.0.6 words it: `NS_st` (no seq) while it answers, a
    // plain dead status when it stopped.
    Message ping_status(const std::string& name, NodeStatus st) const {
        Message m;
        m.add("t", st == NodeStatus::ping ? "NS_st" : "status");
        m.add("st", to_string(st));
        m.add("info", "ping");
        m.add("src", name);
        m.add("ts", hex(static_cast<std::uint64_t>(wall_seconds_now())));
        return m;
    }

    // With every status of ours, as heartbeat 3.0.6 does: an echo request to each address whose
    // payload is the status the ping node would send if it could.
    void probe_ping_nodes() {
        for (std::size_t i = 0; i < pings.size(); ++i) {
            for (const auto& address : pings.spec(i).addresses) {
                emit<Probe>(address, ping_status(pings.spec(i).name, NodeStatus::ping));
                ++counters.ping_probes_sent;
            }
        }
    }

    // A ping node's status and its one link change together; clients get heartbeat's messages:
    // the NS_st status and ifstat up, or a made-up dead status (info=ping) and ifstat dead.
    void ping_changed(const PingChange& c) {
        const std::string& name = pings.spec(c.index).name;
        const bool up = c.to == NodeStatus::ping;
        emit<NodeChange>(name, c.from, c.to, false);
        if (up) emit<LinkChange>(name, -1, LinkStatus::up, name);
        if (cfg.client_notifications) {
            emit<Deliver>(ping_status(name, c.to));
            if (up) ping_link_notification(name, LinkStatus::up);
        }
        if (!up && c.from == NodeStatus::ping) {  // a node never heard had no link up
            emit<LinkChange>(name, -1, LinkStatus::dead, name);
            if (cfg.client_notifications) ping_link_notification(name, LinkStatus::dead);
        }
    }

    void ping_link_notification(const std::string& name, LinkStatus to) {
        Message m;
        m.add("t", "ifstat");
        m.add("node", name);
        m.add("ifname", name);
        m.add("st", to_string(to));
        emit<Deliver>(std::move(m));
    }

    void ping_tick(Micros now) {
        for (const PingChange& c : pings.tick(now)) ping_changed(c);
        maybe_comm_up(now);
    }

    // Every peer heard from, every ping node heard from or given up.
    void maybe_comm_up(Micros now) {
        if (!comm_up && heard_count >= peers.size() && pings.settled()) comm_now_up(now);
    }

    void comm_now_up(Micros now) {
        if (comm_up) return;
        comm_up = true;
        pings.comm_up();
        // initdead is over: every peer's deadline comes back to its own dead interval.
        for (Peer& p : peers) {
            if (p.status == NodeStatus::dead) continue;
            arm_node_death(p);
            for (std::size_t l = 0; l < p.links.size(); ++l) {
                if (p.links[l].status == LinkStatus::up) arm_link_death(p, l);
            }
        }
        local = NodeStatus::active;
        send_status(now);
        emit<CommUp>();
    }

    // ----- peers -----------------------------------------------------------------------------

    // A change of a peer's status, as an effect and as the message heartbeat hands its clients:
    // the peer's own status message, or for a death one made up here (spec §4.3).
    void set_status(Peer& p, NodeStatus to, const Message* status_msg = nullptr) {
        if (p.status == to) {
            if (promiscuous && status_msg) emit<Deliver>(*status_msg, Treatment::unchanged_status);
            return;
        }
        if (p.status == NodeStatus::dead || to == NodeStatus::dead) ack_level_dirty = true;
        emit<NodeChange>(p.name, p.status, to, to == NodeStatus::dead && p.generation != 0 && p.left_generation == p.generation);
        p.status = to;
        if (!cfg.client_notifications) return;
        if (status_msg) {
            emit<Deliver>(*status_msg);
        } else if (to == NodeStatus::dead) {
            Message m;
            m.add("t", "status");
            m.add("seq", "1");
            m.add("ts", hex(static_cast<std::uint64_t>(wall_seconds_now())));
            m.add("src", p.name);
            m.add("st", "dead");
            emit<Deliver>(std::move(m));
        }
    }

    void link_changed(const Peer& p, std::size_t link, LinkStatus to) {
        emit<LinkChange>(p.name, static_cast<int>(link), to, cfg.links[link]);
        if (!cfg.client_notifications) return;
        Message m;
        m.add("t", "ifstat");
        m.add("node", p.name);
        m.add("ifname", cfg.links[link]);
        m.add("st", to_string(to));
        emit<Deliver>(std::move(m));
    }

    // A peer's released packets, with fragments put back together into the messages they carry.
    void deliver_from(Peer& p, std::vector<Message> msgs) {
        for (auto& m : msgs) {
            if (m.get("t") != std::optional<std::string_view>(kFragmentType)) {
                ++counters.messages_delivered;
                emit<Deliver>(std::move(m));
                continue;
            }
            auto whole = p.reassembly.add(m);
            if (!whole) continue;  // more to come
            Result<Message> msg = whole->ok() ? decode_carried(**whole) : Result<Message>(make_error(whole->error()));
            if (!msg) {
                ++counters.dropped_bad_fragment;
                emit<Notice>(4, "dropped a message in fragments from " + p.name + ": " + msg.error());
                continue;
            }
            ++counters.reassembled;
            ++counters.messages_delivered;
            emit<Deliver>(std::move(msg).value());
        }
    }

    void declare_dead(Peer& p, Micros now) {
        if (p.status == NodeStatus::dead) return;
        set_status(p, NodeStatus::dead);
        ++counters.nodes_died;
        ++p.tally.deaths;
        for (std::size_t l = 0; l < p.links.size(); ++l) {
            if (p.links[l].status == LinkStatus::up) {
                p.links[l].status = LinkStatus::dead;
                link_changed(p, l, LinkStatus::dead);
            }
        }
        p.heard = false;
        // What it sent and we hold goes out in order; what it sent and we missed is gone with it.
        const std::uint64_t abandoned = p.window.resync();
        counters.gaps_given_up += abandoned;
        p.tally.gaps_given_up += abandoned;
        p.tally.max_interval = -1;
        deliver_from(p, p.window.release());
        p.reassembly.clear();
        std::erase_if(backlog, [&](const Message& m) {
            bool to_it = m.get("dest") == std::optional<std::string_view>(p.name);
            if (to_it) ++counters.dropped_dead_destination;
            return to_it;
        });
        update_flow();
        drain_backlog(now);
    }

    void restart_seen(Peer& p, std::uint64_t generation, Micros now) {
        if (p.generation != 0) {
            ++counters.restarts_seen;
            declare_dead(p, now);
        }
        const bool restarted = p.generation != 0;
        p.generation = generation;
        p.window = ReceiveWindow();
        p.reassembly.clear();
        if (restarted) p.window.expect_from(1);
        p.last_status_seq = 0;
        p.acked_to_it = 0;
        p.acked_by_it = 0;
    }

    void link_heard(Peer& p, int link, Micros now) {
        if (link < 0 || static_cast<std::size_t>(link) >= p.links.size()) return;
        PeerLink& l = p.links[static_cast<std::size_t>(link)];
        l.last_heard = now;
        if (l.status == LinkStatus::dead) {
            l.status = LinkStatus::up;
            link_changed(p, static_cast<std::size_t>(link), LinkStatus::up);
        }
        arm_link_death(p, static_cast<std::size_t>(link));
    }

    // Death timers are re-armed lazily when they fire; they are moved earlier only when the dead
    // interval shrinks (comm up ends initdead, a peer advertises a shorter dt).
    void arm_node_death(Peer& p) {
        const Micros due = p.last_heard + dead_interval(p);
        if (p.death_timer_at != kNever && p.death_timer_at <= due) return;
        p.death_timer_at = due;
        timers.push({due, 0, TimerKind::node_death, p.index, 0, 0});
    }

    void arm_link_death(Peer& p, std::size_t link) {
        PeerLink& l = p.links[link];
        const Micros due = l.last_heard + dead_interval(p);
        if (l.timer_at != kNever && l.timer_at <= due) return;
        l.timer_at = due;
        timers.push({due, 0, TimerKind::link_death, p.index, static_cast<std::uint32_t>(link), 0});
    }

    void status_heard(Peer& p, const PacketHeader& h, const Message& msg, std::uint64_t seq, Micros now) {
        ++p.tally.statuses;
        if (p.heard) {
            p.tally.last_interval = now - p.last_status;
            p.tally.max_interval = std::max(p.tally.max_interval, p.tally.last_interval);
            if (p.intervals) p.intervals->observe(p.tally.last_interval);
        }
        if (p.heard && now - p.last_status > cfg.warntime) {
            ++counters.late_heartbeats;
            ++p.tally.late_heartbeats;
            emit<Notice>(4, "Late heartbeat: node " + p.name + ": interval " +
                                        std::to_string((now - p.last_status) / kMillis) + " ms");
        }
        p.last_status = now;
        p.last_heard = now;
        if (h.deadtime_ms && *h.deadtime_ms > 0) p.deadtime = static_cast<Micros>(*h.deadtime_ms) * kMillis;
        if (h.srcuuid && *h.srcuuid != p.uuid) p.uuid = std::string(*h.srcuuid);
        p.reads_fragments = has_capability(msg.get(kCapsField), kCapFragments);
        if (seq >= p.last_status_seq) {
            p.last_status_seq = seq;
            if (h.status == std::optional<std::string_view>("dead")) {
                // Its goodbye (ours send one before shutdone): gone now, not after deadtime.
                p.left_generation = p.generation;
                declare_dead(p, now);
                return;
            }
            set_status(p, parse_status(h.status.value_or("up")), &msg);
        }
        if (!p.heard) {
            p.heard = true;
            ++heard_count;
            maybe_comm_up(now);
        }
        arm_node_death(p);
    }

    // ----- flow control ----------------------------------------------------------------------

    // While a local client cannot keep up, acks are held back: senders' windows fill and they pause,
    // so a fast sender is slowed to the slowest reader instead of that reader being dropped.
    void maybe_ack(Peer& p, Micros now, bool at_once = false) {
        if (congested) return;
        const std::uint64_t c = p.window.contiguous();
        if (c <= p.acked_to_it) return;
        if (!at_once && c % 10 != p.ack_trigger && c < p.acked_to_it + 10) return;
        if (in_batch && !at_once) {
            p.ack_due = true;
            return;
        }
        Message body;
        body.add("ackseq", hex(c));
        send_control("NS_ackmsg", p, std::move(body), now);
        p.acked_to_it = c;
        ++counters.acks_sent;
    }

    // The end of a receive_batch: the acks it made due go out now.
    void send_due_acks(Micros now) {
        in_batch = false;
        for (Peer& p : peers) {
            if (!p.ack_due) continue;
            p.ack_due = false;
            maybe_ack(p, now, true);
        }
    }

    // The cluster's ack level (lowest ack of a live peer) only rises with acks, so the O(peers)
    // minimum is recomputed only when it could matter: near the window, or after a peer changed.
    void update_flow() {
        const std::uint64_t sent = next_seq - 1;
        if (!paused && !ack_level_dirty && sent - ack_level <= cfg.send_window) return;
        ack_level = sent;
        for (const Peer& p : peers) {
            if (p.status != NodeStatus::dead) ack_level = std::min(ack_level, p.acked_by_it);
        }
        ack_level_dirty = false;
        const bool now_paused = sent - ack_level > cfg.send_window;
        if (now_paused != paused) {
            paused = now_paused;
            emit<FlowChange>(paused);
        }
    }

    void drain_backlog(Micros now) {
        while (!paused && !backlog.empty()) {
            Message m = std::move(backlog.front());
            backlog.pop_front();
            transmit(std::move(m), now);
            update_flow();
        }
    }

    // ----- sending client messages -----------------------------------------------------------

    void transmit(Message msg, Micros now) {
        auto dest = msg.get("dest");
        if (dest) {
            Peer& p = *find_peer(*dest);
            if (p.status == NodeStatus::dead) {
                ++counters.dropped_dead_destination;
                return;
            }
            if (!p.uuid.empty()) msg.set_binary("destuuid", p.uuid);
        }
        ++counters.messages_sent;
        const bool local_copy = !dest;
        Message stamped = send_client_message(std::move(msg), now);
        if (local_copy) {
            // Cluster messages reach our own clients too, as heartbeat loops them back.
            ++counters.messages_delivered;
            emit<Deliver>(std::move(stamped));
        }
    }

    // ----- receiving -------------------------------------------------------------------------

    bool addressed_to_us(const PacketHeader& h) const {
        if (h.destuuid) return *h.destuuid == cfg.uuid;
        return !h.dest || *h.dest == cfg.node;
    }

    void on_rexmit_request(Peer& p, const Message& msg, Micros now) {
        auto first = msg.get_int("firstseq");  // decimal here, unlike heartbeat's other numbers
        auto last = msg.get_int("lastseq");
        if (!first || !last || *first <= 0 || *last < *first) {
            ++counters.dropped_malformed;
            return;
        }
        const auto end = std::min(static_cast<std::uint64_t>(*last), static_cast<std::uint64_t>(*first) + kMaxResendPerRequest - 1);
        for (auto seq = static_cast<std::uint64_t>(*first); seq <= end; ++seq) {
            if (seq <= p.acked_by_it) continue;
            Message stored;
            // heartbeat refuses a resend within max_rexmit_delay - 10 ms of the last one; half of
            // it keeps duplicates down without refusing a requester whose previous copy was lost.
            switch (history.find(seq, now, cfg.max_rexmit_delay / 2, &stored)) {
                case SendHistory::Lookup::found:
                    // To everyone, as heartbeat: other nodes may miss it too, and a resend within
                    // max_rexmit_delay is refused below on the grounds that all of them got it.
                    emit<Send>(kAllLinks, std::move(stored), std::string());
                    ++counters.retransmissions_sent;
                    break;
                case SendHistory::Lookup::too_old: {
                    Message body;
                    body.add("firstseq", hex(seq));
                    body.add("info", "seqno too low");
                    send_control("NS_nak_rexmit", p, std::move(body), now);
                    ++counters.naks_sent;
                    break;
                }
                case SendHistory::Lookup::not_sent_yet:
                case SendHistory::Lookup::recently_resent:
                    break;
            }
        }
    }

    void on_nosequence(Peer& p, const PacketHeader& h, const Message& msg, Micros now) {
        const std::string_view type = *h.type;
        if (!addressed_to_us(h)) {
            ++counters.dropped_not_for_us;
            return;
        }
        if (type == "NS_ackmsg") {
            auto ack = msg.get_hex("ackseq");
            if (ack && *ack > p.acked_by_it && *ack < next_seq) {
                p.acked_by_it = *ack;
                update_flow();
                drain_backlog(now);
            }
        } else if (type == "NS_rexmit") {
            on_rexmit_request(p, msg, now);
        } else if (type == "NS_nak_rexmit") {
            auto seq = msg.get_hex("firstseq");
            if (seq && p.window.give_up(*seq)) {
                ++counters.gaps_given_up;
                ++p.tally.gaps_given_up;
                deliver_from(p, p.window.release());
                maybe_ack(p, now);
            }
        }
    }

    void schedule_rexmit(Peer& p, Micros when) {
        if (p.rexmit_timer_at <= when) return;
        p.rexmit_timer_at = when;
        timers.push({when, 0, TimerKind::rexmit, p.index, 0, 0});
    }

    // `movable`: msg itself, when the caller gave it up (it is then moved to clients, not copied).
    void on_sequenced(Peer& p, const PacketHeader& h, const Message& msg, Message* movable, Micros now) {
        const std::string_view type = *h.type;
        const std::uint64_t seq = *h.seq;
        const bool for_us = addressed_to_us(h);
        if (!p.window.started() && p.window.contiguous() == 0 && type != "status") {
            // First contact since we started: take up its sequence at a heartbeat, which is sent
            // now, not at a retransmission, which may be older than this process and was then
            // delivered to our previous run already.
            ++counters.dropped_before_sync;
            return;
        }
        // `h` and `type` look into `msg`, which may be moved into the window below (and dropped
        // there as a duplicate): what is needed of them afterwards is read now.
        const bool is_status = type == "status", is_shutdone = type == "shutdone", is_reqnodes = type == "reqnodes";
        const bool deliverable = for_us && !is_protocol_type(type);
        const std::uint64_t prev_highest = p.window.highest();
        const Micros first_request = now + rexmit_delay();
        std::optional<Message> payload;
        if (deliverable) payload = movable && !promiscuous ? std::move(*movable) : Message(msg);  // a duplicate is shown below
        if (p.window.accept(seq, std::move(payload), first_request) == Accept::duplicate) {
            ++counters.dropped_duplicate;
            ++p.tally.duplicates;
            if (promiscuous) emit<Deliver>(msg, Treatment::duplicate);
            return;
        }
        if (seq > prev_highest + 1 && !p.window.missing().empty()) schedule_rexmit(p, first_request);
        if (!for_us) {
            ++counters.dropped_not_for_us;
            if (promiscuous) emit<Deliver>(msg, Treatment::not_for_us);
        }
        if (is_status) status_heard(p, h, msg, seq, now);
        deliver_from(p, p.window.release());
        maybe_ack(p, now);
        if (!for_us) return;
        if (is_shutdone) {
            p.left_generation = p.generation;
            declare_dead(p, now);
        } else if (is_reqnodes) {
            std::string list;
            for (const auto& n : cfg.nodes) list += n + ' ';
            Message reply;
            reply.add("t", "repnodes");
            reply.add("dest", p.name);
            reply.add("nodelist", list);
            reply.add("delnodelist", " ");
            send_sequenced(std::move(reply), now);
        }
    }

    void receive(Micros now, int link, const Message& msg, Message* movable) {
        if (is_compressed_message(msg)) {
            // heartbeat's compressed wrapper: what it carries is the packet (one level, as heartbeat).
            auto inner = decompress_message(msg);
            if (!inner || is_compressed_message(*inner)) {
                ++counters.packets_received;
                ++counters.dropped_bad_compression;
                emit<Notice>(4, "dropped a compressed packet: " + (inner ? std::string("compressed twice") : inner.error()));
                return;
            }
            ++counters.received_compressed;
            receive(now, link, *inner, &*inner);  // counted there
            return;
        }
        last_now = now;
        ++counters.packets_received;
        const PacketHeader h = PacketHeader::read(msg);
        if (!h.type || !h.src || !h.ts || *h.ts == 0 || h.bad_number) {
            ++counters.dropped_malformed;
            return;
        }
        if (*h.src == cfg.node) {
            ++counters.dropped_own;
            return;
        }
        Peer* found = find_peer(*h.src);
        if (!found) {
            ++counters.dropped_unknown_node;
            return;
        }
        Peer& p = *found;
        const bool nosequence = is_nosequence_type(*h.type);
        if (!nosequence && (!h.seq || *h.seq == 0)) {
            ++counters.dropped_malformed;
            return;
        }
        if (const auto& generation = h.generation) {
            if (*generation < p.generation) {
                ++counters.dropped_replay;
                return;
            }
            // A newer generation is a restart. Heartbeat learns it from status packets only; any
            // authenticated packet proves it as well, and waiting for a status would mix generations.
            if (*generation > p.generation) restart_seen(p, *generation, now);
        }
        if (p.generation == p.left_generation) {
            // It said goodbye: the rest of that run's packets (the other shutdone copies) change
            // nothing. A restart comes with a new generation.
            ++counters.dropped_duplicate;
            ++p.tally.duplicates;
            return;
        }
        link_heard(p, link, now);
        // Any authenticated packet of the current generation shows the node is alive (an ack, a
        // retransmission it answered); heartbeat looks at status messages only, and so declares
        // nodes dead that lost a few heartbeats but not the rest of their traffic.
        if (p.heard) p.last_heard = now;
        if (nosequence) {
            on_nosequence(p, h, msg, now);
        } else {
            on_sequenced(p, h, msg, movable, now);
        }
    }

    // ----- timers ----------------------------------------------------------------------------

    void fire_node_death(Peer& p, const Timer& t, Micros now) {
        if (p.death_timer_at != t.when) return;
        p.death_timer_at = kNever;
        if (p.status == NodeStatus::dead) return;
        const Micros due = p.last_heard + dead_interval(p);
        if (due > now) {
            p.death_timer_at = due;
            timers.push({due, 0, TimerKind::node_death, t.peer, 0, 0});
            return;
        }
        if (starved(t, now)) {
            p.death_timer_at = now + cfg.keepalive;
            timers.push({p.death_timer_at, 0, TimerKind::node_death, t.peer, 0, 0});
            return;
        }
        declare_dead(p, now);
    }

    void fire_link_death(Peer& p, const Timer& t, Micros now) {
        PeerLink& l = p.links[t.link];
        if (l.timer_at != t.when) return;
        l.timer_at = kNever;
        if (l.status == LinkStatus::dead) return;
        const Micros due = l.last_heard + dead_interval(p);
        if (due <= now && p.status != NodeStatus::dead && p.last_heard + dead_interval(p) <= now && !starved(t, now)) {
            // The whole node is due: its death comes first and takes the links with it, in
            // heartbeat's order (status dead, then ifstat dead).
            declare_dead(p, now);
            return;
        }
        if (due > now || starved(t, now)) {
            l.timer_at = due > now ? due : now + cfg.keepalive;
            timers.push({l.timer_at, 0, TimerKind::link_death, t.peer, t.link, 0});
            return;
        }
        l.status = LinkStatus::dead;
        link_changed(p, t.link, LinkStatus::dead);
    }

    void fire_rexmit(Peer& p, const Timer& t, Micros now) {
        if (p.rexmit_timer_at != t.when) return;
        p.rexmit_timer_at = kNever;
        if (p.status == NodeStatus::dead && !p.heard) return;
        // One request per run of consecutive missing numbers that are due (at most 50 each).
        Micros next = kNever;
        std::uint64_t run_first = 0, run_last = 0;
        auto flush = [&] {
            if (run_first == 0) return;
            Message body;
            body.add("firstseq", std::to_string(run_first));
            body.add("lastseq", std::to_string(run_last));
            send_control("NS_rexmit", p, std::move(body), now);
            ++counters.rexmit_requests_sent;
            ++p.tally.rexmit_requests;
            run_first = 0;
        };
        std::vector<std::uint64_t> requested;
        for (const auto& [seq, when] : p.window.missing()) {
            if (when > now) {
                next = std::min(next, when);
                continue;
            }
            if (run_first != 0 && (seq != run_last + 1 || seq - run_first >= kMaxResendPerRequest)) flush();
            if (run_first == 0) run_first = seq;
            run_last = seq;
            requested.push_back(seq);
        }
        flush();
        for (auto seq : requested) p.window.set_request_time(seq, now + cfg.max_rexmit_delay);
        if (!requested.empty()) next = std::min(next, now + cfg.max_rexmit_delay);
        if (next != kNever) schedule_rexmit(p, next);
    }

    // Woken much later than asked: our process was starved (CPU, swap, a stopped VM), and peers'
    // heartbeats may be sitting unread in our sockets. Give them one keepalive before blaming them.
    bool starved(const Timer& t, Micros now) {
        const Micros late = now - t.when;
        if (late <= std::max<Micros>(cfg.keepalive / 2, 20 * kMillis)) return false;
        ++counters.late_timers;
        return true;
    }

    void tick(Micros now) {
        last_now = now;
        // Bounded: every timer popped either is stale or re-arms in the future.
        for (std::size_t budget = 4 * timers_size_hint() + 16; budget > 0 && timers.next() <= now; --budget) {
            const Timer t = timers.pop();
            switch (t.kind) {
                case TimerKind::heartbeat:
                    if (t.when != next_heartbeat) break;
                    send_status(now);
                    next_heartbeat = std::max(t.when + cfg.keepalive, now + cfg.keepalive / 2);
                    timers.push({next_heartbeat, 0, TimerKind::heartbeat, 0, 0, 0});
                    break;
                case TimerKind::comm_up:
                    ping_tick(now);  // those never heard die first, as in heartbeat
                    comm_now_up(now);
                    break;
                case TimerKind::node_death:
                    fire_node_death(peers[t.peer], t, now);
                    break;
                case TimerKind::link_death:
                    fire_link_death(peers[t.peer], t, now);
                    break;
                case TimerKind::rexmit:
                    fire_rexmit(peers[t.peer], t, now);
                    break;
            }
        }
        if (pings.next_deadline() <= now) ping_tick(now);
    }

    std::size_t timers_size_hint() const { return peers.size() * (2 + cfg.links.size()) + 4; }
};

Core::Core(CoreConfig config) : s_(std::make_unique<State>(std::move(config))) {}
Core::~Core() = default;
Core::Core(Core&&) noexcept = default;
Core& Core::operator=(Core&&) noexcept = default;

Effects Core::start(Micros now) {
    if (s_->started) return {};
    s_->started = true;
    s_->start_time = now;
    s_->pings.start(now);
    s_->send_status(now);
    s_->next_heartbeat = now + s_->cfg.keepalive;
    s_->timers.push({s_->next_heartbeat, 0, TimerKind::heartbeat, 0, 0, 0});
    if (s_->peers.empty() && s_->pings.size() == 0) {
        s_->comm_now_up(now);
    } else {
        s_->timers.push({now + s_->cfg.initdead, 0, TimerKind::comm_up, 0, 0, 0});
    }
    return s_->take();
}

Effects Core::receive(Micros now, int link, const Message& msg) {
    if (!s_->started || s_->stopped) return {};
    s_->receive(now, link, msg, nullptr);
    return s_->take();
}

Effects Core::receive(Micros now, int link, Message&& msg) {
    if (!s_->started || s_->stopped) return {};
    s_->receive(now, link, msg, &msg);
    return s_->take();
}

Effects Core::receive_batch(Micros now, int link, std::vector<Message> packets) {
    if (!s_->started || s_->stopped) return {};
    s_->in_batch = true;
    for (Message& m : packets) s_->receive(now, link, m, &m);
    s_->send_due_acks(now);
    return s_->take();
}

Effects Core::tick(Micros now) {
    if (!s_->started || s_->stopped) return {};
    s_->tick(now);
    return s_->take();
}

Result<Effects> Core::send(Micros now, Message msg) {
    State& s = *s_;
    if (!s.started || s.stopped) return make_error("not running");
    if (!msg.get("t")) return make_error("a message needs a type (t)");
    if (auto why = s.refusal(msg)) {
        ++s.counters.send_refused_too_big;
        return make_error(*why);
    }
    if (auto dest = msg.get("dest")) {
        if (*dest == s.cfg.node) {
            // For ourselves only: nothing to put on the wire.
            ++s.counters.messages_sent;
            ++s.counters.messages_delivered;
            s.emit<Deliver>(std::move(msg));
            return s.take();
        }
        if (!s.find_peer(*dest)) return make_error("unknown node '" + std::string(*dest) + "'");
    }
    if (s.paused || !s.backlog.empty()) {
        if (s.backlog.size() >= s.cfg.send_backlog) {
            ++s.counters.send_refused_backlog;
            return make_error("send backlog full");
        }
        s.backlog.push_back(std::move(msg));
        return s.take();
    }
    s.transmit(std::move(msg), now);
    s.update_flow();
    return s.take();
}

Effects Core::leave(Micros now) {
    State& s = *s_;
    if (!s.started || s.stopped) return {};
    // A last status saying "dead" (heartbeat 3.0.6 peers act on it at once: "Received shutdown
    // notice"), then heartbeat's own shutdone.
    s.local = NodeStatus::dead;
    s.send_status(now);
    Message msg;
    msg.add("t", "shutdone");
    msg.add("st", "dead");
    s.send_sequenced(std::move(msg), now);
    const Send shutdone = std::get<Send>(s.out.back());
    for (int i = 1; i < kLeaveCopies; ++i) s.emit<Send>(shutdone);
    s.local = NodeStatus::dead;
    s.stopped = true;
    return s.take();
}

std::string Core::debug_state() const {
    std::string out = s_->cfg.node + ": next_seq " + std::to_string(s_->next_seq) + ", paused " +
                      std::to_string(s_->paused) + ", backlog " + std::to_string(s_->backlog.size()) + "\n";
    for (const auto& p : s_->peers) {
        out += "  " + p.name + " " + std::string(to_string(p.status)) + " released " +
               std::to_string(p.window.contiguous()) + " highest " + std::to_string(p.window.highest()) +
               " gaps " + std::to_string(p.window.missing().size()) +
               (p.window.missing().empty() ? "" : " first " + std::to_string(p.window.missing().begin()->first)) +
               " acked_by_it " + std::to_string(p.acked_by_it) + " acked_to_it " + std::to_string(p.acked_to_it) +
               " rexmit_at " + std::to_string(p.rexmit_timer_at) + "\n";
    }
    return out;
}

void Core::count_bad_auth() {
    ++s_->counters.packets_received;
    ++s_->counters.dropped_bad_auth;
}
void Core::count_malformed() {
    ++s_->counters.packets_received;
    ++s_->counters.dropped_malformed;
}
void Core::count_unverified() {
    ++s_->counters.packets_received;
    ++s_->counters.dropped_unverified;
}
void Core::count_replayed_packet() {
    ++s_->counters.packets_received;
    ++s_->counters.dropped_replayed_packet;
}
void Core::count_stray_ping() { ++s_->counters.dropped_stray_ping; }
void Core::set_promiscuous(bool on) { s_->promiscuous = on; }

Effects Core::ping_reply(Micros now, std::string_view src, std::string_view address) {
    State& s = *s_;
    if (!s.started || s.stopped) return {};
    s.last_now = now;
    auto heard = s.pings.reply(now, src, address);
    if (!heard.known) {
        ++s.counters.dropped_stray_ping;
        return {};
    }
    ++s.counters.ping_replies;
    if (heard.change) s.ping_changed(*heard.change);
    s.maybe_comm_up(now);
    return s.take();
}

Effects Core::set_congested(Micros now, bool on) {
    State& s = *s_;
    if (s.congested == on) return {};
    s.congested = on;
    if (on) {
        ++s.counters.congestion_episodes;
    } else if (s.started && !s.stopped) {
        for (Peer& p : s.peers) {
            if (p.status != NodeStatus::dead) s.maybe_ack(p, now, true);
        }
    }
    return s.take();
}
void Core::set_load(std::string load) { s_->load = load.empty() ? "n/a" : std::move(load); }
Micros Core::next_deadline() const {
    return s_->stopped ? kNever : std::min(s_->timers.next(), s_->pings.next_deadline());
}
NodeStatus Core::local_status() const { return s_->local; }
bool Core::paused() const { return s_->paused; }
const Counters& Core::counters() const { return s_->counters; }
const CoreConfig& Core::config() const { return s_->cfg; }

namespace {
NodeView view_of(const Peer& p) {
    NodeView v;
    v.name = p.name;
    v.status = p.status;
    for (const auto& l : p.links) v.links.push_back(l.status);
    v.uuid = p.uuid;
    v.generation = p.generation;
    v.deadtime = p.deadtime;
    v.last_heard = p.generation == 0 ? -1 : p.last_heard;
    for (const auto& l : p.links) v.link_last_heard.push_back(l.last_heard);
    v.tally = p.tally;
    if (p.intervals) v.intervals = *p.intervals;
    return v;
}

NodeView ping_view_of(const PingNodes& pings, std::size_t i) {
    NodeView v;
    v.name = pings.spec(i).name;
    v.ping = true;
    v.status = pings.status(i);
    v.links.push_back(v.status == NodeStatus::ping ? LinkStatus::up : LinkStatus::dead);
    v.last_heard = pings.last_heard(i);
    v.link_last_heard.push_back(v.last_heard);
    return v;
}
}  // namespace

std::optional<NodeView> Core::node(std::string_view name) const {
    if (const Peer* p = s_->find_peer(name)) return view_of(*p);
    if (auto i = s_->pings.find(name)) return ping_view_of(s_->pings, *i);
    return std::nullopt;
}

std::vector<NodeView> Core::ping_views() const {
    std::vector<NodeView> out;
    for (std::size_t i = 0; i < s_->pings.size(); ++i) out.push_back(ping_view_of(s_->pings, i));
    return out;
}

std::vector<NodeView> Core::node_views() const {
    std::vector<NodeView> out;
    for (const auto& p : s_->peers) out.push_back(view_of(p));
    return out;
}

}  // namespace hb::core

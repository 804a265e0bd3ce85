#include "daemon/runtime.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "auth/packet.hpp"
#include "core/capabilities.hpp"
#include "daemon/metrics.hpp"
#include "daemon/process.hpp"
#include "io/clock.hpp"

namespace hb::daemon {

namespace {

std::string read_loadavg() {
    std::ifstream in("/proc/loadavg");
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

std::string counters_line(const core::Counters& c) {
    std::string out;
    for (const auto& f : core::kCounterFields) {
        if (!out.empty()) out += ' ';
        out.append(f.name).append(" ").append(std::to_string(c.*f.field));
    }
    return out;
}

Result<std::unique_ptr<Runtime>> Runtime::create(Settings settings, Logger& log) {
    std::unique_ptr<Runtime> rt(new Runtime(std::move(settings), log));
    for (std::size_t i = 0; i < rt->settings_.links.size(); ++i) {
        auto link = io::UdpLink::open(rt->settings_.links[i]);
        if (!link) return make_error("medium " + rt->settings_.links[i].name + ": " + link.error());
        for (const auto& w : (*link)->warnings()) log.warn(w);
        const int index = static_cast<int>(i);
        io::UdpLink* raw = link->get();
        rt->reactor_.add(raw->fd(), [rt = rt.get(), raw, index] {
            raw->drain(256, [&](std::string_view bytes, int from, std::string_view address) {
                rt->on_datagram(index, bytes, from, address);
            });
        });
        rt->links_.push_back(std::move(link).value());
        rt->routes_.emplace_back();
        rt->gates_.emplace_back();
    }
    if (!rt->settings_.core.ping_nodes.empty()) {
        bool v4 = false, v6 = false;
        for (const auto& node : rt->settings_.core.ping_nodes) {
            for (const auto& a : node.addresses) (a.find(':') == std::string::npos ? v4 : v6) = true;
        }
        auto icmp = io::IcmpEcho::open(v4, v6, static_cast<std::uint16_t>(getpid()));
        if (!icmp) return make_error("ping nodes: " + icmp.error());
        rt->icmp_ = std::move(icmp).value();
        io::IcmpEcho* raw = rt->icmp_.get();
        for (int fd : {raw->fd4(), raw->fd6()}) {
            if (fd < 0) continue;
            rt->reactor_.add(fd, [rt = rt.get(), raw, fd] {
                raw->drain(
                    fd, 64, [rt](const std::string& address, std::string_view payload) { rt->on_echo_reply(address, payload); },
                    [rt] { rt->core_.count_stray_ping(); });
            });
        }
    }
    auto api = ApiServer::open(rt->settings_.api_socket, rt->reactor_, log, rt->core_, rt->settings_,
                               [rt = rt.get()](Message msg) { return rt->send_cluster(std::move(msg), "client"); });
    if (!api) return make_error(api.error());
    rt->api_ = std::move(api).value();
    if (rt->settings_.metrics_port > 0) {
        auto metrics = MetricsServer::open(rt->settings_.metrics_address, rt->settings_.metrics_port, rt->reactor_,
                                           [rt = rt.get()] {
                                               return metrics_text(io::monotonic_now(), rt->core_, rt->settings_,
                                                                   rt->api_->registry());
                                           });
        if (!metrics) return make_error(metrics.error());
        rt->metrics_ = std::move(metrics).value();
        log.info("metrics: serving /metrics on " + rt->settings_.metrics_address + " port " +
                 std::to_string(rt->settings_.metrics_port));
    }
    auto fifo = FifoReader::open(rt->settings_.state_dir + "/fifo", rt->reactor_, log,
                                 [rt = rt.get()](Message msg) { rt->send_cluster(std::move(msg), "FIFO"); });
    if (fifo) {
        rt->fifo_ = std::move(fifo).value();
    } else {
        log.warn(fifo.error() + " (heartbeat's shell tools cannot reach this daemon)");
    }
    if (rt->settings_.manage_resources) {
        ResourceDriver::Hooks hooks;
        hooks.send = [rt = rt.get()](Message msg) { rt->send_cluster(std::move(msg), "resource"); };
        hooks.leave = [rt = rt.get()] { rt->stop_children_then_leave(); };
        hooks.local_status = [rt = rt.get()] { return rt->core_.local_status(); };
        hooks.rearm = [rt = rt.get()] {
            if (!rt->leaving_) rt->arm();
        };
        rt->resources_ = std::make_unique<ResourceDriver>(rt->settings_, rt->reactor_, log, std::move(hooks));
        rt->api_->on_getrsc([rt = rt.get()] { return rt->resources_->getrsc(); });
        rt->api_->on_rscstatus([rt = rt.get()] { return rt->resources_->status_json(); });
    }
    if (!rt->settings_.children.empty()) {
        ChildDriver::Hooks hooks;
        hooks.failfast = [rt = rt.get()] {
            rt->exit_status_ = kFailfastExit;
            rt->leave_and_stop();
        };
        hooks.all_stopped = [rt = rt.get()] { rt->leave_now(); };
        hooks.rearm = [rt = rt.get()] {
            if (!rt->leaving_) rt->arm();
        };
        rt->children_ = std::make_unique<ChildDriver>(rt->settings_, rt->reactor_, log, std::move(hooks));
        rt->api_->on_children([rt = rt.get()] { return rt->children_->status_json(); });
    }
    rt->reactor_.after_each_round([rt = rt.get()] { rt->flush_bundle(Flush::unless_streaming); });
    rt->api_->on_filter_change([rt = rt.get()](bool on) { rt->core_.set_promiscuous(on); });
    rt->api_->on_congestion([rt = rt.get()](bool on) { rt->apply(rt->core_.set_congested(io::monotonic_now(), on)); });
    rt->reactor_.on_deadline([rt = rt.get()] {
        const core::Micros now = io::monotonic_now();
        if (rt->cork_.deadline() <= now) rt->flush_bundle(Flush::now);
        if (now - rt->load_read_at_ >= core::kSeconds) {
            rt->core_.set_load(read_loadavg());
            rt->load_read_at_ = now;
        }
        rt->apply(rt->core_.tick(now));
        if (rt->resources_ && !rt->leaving_) rt->resources_->tick(now);
        if (rt->children_ && !rt->leaving_) rt->children_->tick(now);
        if (rt->api_) rt->api_->tick(now);
        if (rt->metrics_) rt->metrics_->tick(now);
        // Pinged from the heartbeat's own timer: a stuck loop stops the pings, and systemd acts.
        if (rt->watchdog_interval_ > 0 && now - rt->watchdog_sent_at_ >= rt->watchdog_interval_) {
            notify_systemd("WATCHDOG=1");
            rt->watchdog_sent_at_ = now;
        }
    });
    if (const char* usec = std::getenv("WATCHDOG_USEC")) {
        rt->watchdog_interval_ = std::max<core::Micros>(std::atoll(usec) / 2, core::kMillis);
    }
    rt->reactor_.watch_signals({SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2},
                               [rt = rt.get()](int signo) { rt->on_signal(signo); });
    return rt;
}

namespace {
// Our heartbeats tell peers that we read bundles (bundler.hpp).
Settings announcing_bundles(Settings s) {
    s.core.capabilities.emplace_back(core::kCapBundle);
    return s;
}
}  // namespace

Runtime::Runtime(Settings settings, Logger& log)
    : settings_(announcing_bundles(std::move(settings))), log_(log), core_(settings_.core) {}

int Runtime::run() {
    core_.set_load(read_loadavg());
    load_read_at_ = io::monotonic_now();
    log_.info("node " + settings_.core.node + ": starting, generation " +
              std::to_string(settings_.core.generation) + ", " + std::to_string(links_.size()) + " link(s)");
    apply(core_.start(io::monotonic_now()));
    const bool clean = reactor_.run();
    return clean ? exit_status_ : 1;
}

void Runtime::on_datagram(int link, std::string_view bytes, int from, std::string_view address) {
    // A configured ucast peer's address is a member's; any other is judged by the gate first.
    auth::StrangerGate* gate = from < 0 ? &gates_[static_cast<std::size_t>(link)] : nullptr;
    const core::Micros now = io::monotonic_now();
    if (gate && !gate->admit(now, address)) {
        core_.count_unverified();
        return;
    }
    auto checked = check_signed(bytes, now);
    if (gate) {
        if (checked.status == auth::PacketStatus::ok) {
            gate->authenticated(now, address);
        } else {
            gate->failed(now, address);
        }
    }
    if (checked.status == auth::PacketStatus::bad_auth) {
        core_.count_bad_auth();
        log_.debug("dropped packet on " + links_[static_cast<std::size_t>(link)]->spec().name + ": " + checked.detail);
        return;
    }
    if (checked.status == auth::PacketStatus::malformed) {
        core_.count_malformed();
        log_.debug("dropped malformed packet on " + links_[static_cast<std::size_t>(link)]->spec().name + ": " +
                   checked.detail);
        return;
    }
    if (checked.nonce && !replay_guard_.accept(link, *checked.nonce)) {
        core_.count_replayed_packet();
        log_.debug("dropped a replayed encrypted packet on " + links_[static_cast<std::size_t>(link)]->spec().name);
        return;
    }
    // Where its node is on this link: a packet for that node alone need not reach the others.
    // (A bundle's packets are all of its src, unpack checks.)
    if (from >= 0) {
        if (auto src = checked.message.get("src")) learn_route(link, *src, from);
    }
    std::vector<Message> packets;
    if (checked.message.get("t") != std::optional<std::string_view>(Bundler::kType)) {
        packets.push_back(std::move(checked.message));
    } else {
        auto unpacked = Bundler::unpack(checked.message);
        if (!unpacked) {
            core_.count_malformed();
            log_.debug("dropped a bundle on " + links_[static_cast<std::size_t>(link)]->spec().name + ": " +
                       unpacked.error());
            return;
        }
        packets = std::move(unpacked).value();
    }
    for (const Message& packet : packets) {
        if (bundler_.heard(packet)) update_bundling();
    }
    apply(core_.receive_batch(now, link, std::move(packets)));
}

auth::CheckedPacket Runtime::check_signed(std::string_view bytes, core::Micros now) const {
    auto checked = auth::check_packet(bytes, settings_.keys);
    if (checked.status == auth::PacketStatus::bad_auth && now < previous_keys_until_) {
        checked = auth::check_packet(bytes, previous_keys_);
    }
    return checked;
}

void Runtime::probe(core::Probe& p) {
    auto signed_payload = auth::sign_packet(p.payload, settings_.keys, true, &nonces_);
    if (!signed_payload) {
        log_.error("cannot sign a ping: " + signed_payload.error());
        return;
    }
    // A failure is logged when it starts and when it ends, not at every heartbeat.
    auto failed = icmp_ ? icmp_->send(p.address, *signed_payload) : std::optional<std::string>("no ICMP socket");
    auto it = probe_errors_.find(p.address);
    if (failed && (it == probe_errors_.end() || it->second != *failed)) {
        log_.warn("write failure on ping " + p.address + ": " + *failed);
        probe_errors_[p.address] = *failed;
    } else if (!failed && it != probe_errors_.end()) {
        log_.info("ping " + p.address + ": sending again");
        probe_errors_.erase(it);
    }
}

void Runtime::on_echo_reply(const std::string& address, std::string_view payload) {
    const core::Micros now = io::monotonic_now();
    auto checked = check_signed(payload, now);
    const auto src = checked.message.get("src");
    if (checked.status != auth::PacketStatus::ok || checked.message.get("t") != std::optional<std::string_view>("NS_st") ||
        !src) {
        core_.count_stray_ping();
        log_.debug("dropped an echo reply from " + address + ": not a signed ping of ours");
        return;
    }
    apply(core_.ping_reply(now, *src, address));
}

void Runtime::update_bundling() {
    bool all = false;
    for (const auto& view : core_.node_views()) {
        if (view.name == settings_.core.node || view.status == core::NodeStatus::dead) continue;
        if (!bundler_.reads_bundles(view.name)) return void(bundling_ = false);
        all = true;
    }
    bundling_ = all;
}

void Runtime::learn_route(int link, std::string_view node, int destination) {
    auto& routes = routes_[static_cast<std::size_t>(link)];
    auto it = routes.find(node);
    if (it == routes.end()) {
        routes.emplace(std::string(node), destination);
    } else {
        it->second = destination;
    }
}

int Runtime::route(std::size_t link, const std::string& to) const {
    if (to.empty()) return -1;
    auto it = routes_[link].find(to);
    return it == routes_[link].end() ? -1 : it->second;
}

void Runtime::transmit(Message msg, int link, bool inner_auth, const std::string& to) {
    auto datagram = auth::sign_packet(msg, settings_.keys, inner_auth, &nonces_);
    if (!datagram) {
        log_.error("cannot sign a packet: " + datagram.error());
        return;
    }
    for (std::size_t i = 0; i < links_.size(); ++i) {
        if (link == core::kAllLinks || static_cast<std::size_t>(link) == i) links_[i]->send_to(*datagram, route(i, to));
    }
}

void Runtime::flush_bundle(Flush how) {
    if (!bundler_.has_queued()) return;
    const core::Micros now = io::monotonic_now();
    if (how == Flush::unless_streaming) {
        const core::Micros held_until = cork_.deadline();
        if (cork_.hold(now, bundler_.queued_bytes(), Bundler::kMaxBytes)) {
            if (cork_.deadline() != held_until) arm();
            if (api_) api_->moderate(true);
            return;
        }
    }
    cork_.sent(now, bundler_.queued_packets());
    if (api_) api_->moderate(false);
    for (auto& out : bundler_.take(settings_.core.node)) {
        // A bundle needs no inner auth field: its trailer covers every byte, and it is the only
        // signature a bundle's reader checks (only our nodes read bundles).
        const bool bundle = out.packet.get("t") == std::optional<std::string_view>(Bundler::kType);
        transmit(std::move(out.packet), core::kAllLinks, settings_.inner_auth && !bundle, out.to);
    }
}

void Runtime::apply(core::Effects effects) {
    for (auto& e : effects) {
        if (auto* send = std::get_if<core::Send>(&e)) {
            // Packets for every link wait for the end of the reactor round (a bundle); anything
            // else goes now, after what waits, so that the order stays as the core made it.
            if (bundling_ && send->link == core::kAllLinks) {
                bundler_.queue(std::move(send->msg), std::move(send->encoded), std::move(send->to));
                continue;
            }
            flush_bundle(Flush::now);
            transmit(std::move(send->msg), send->link, settings_.inner_auth, send->to);
        } else if (auto* change = std::get_if<core::NodeChange>(&e)) {
            update_bundling();
            // heartbeat's wording, so that existing log watchers keep working.
            if (change->to == core::NodeStatus::dead) {
                log_.warn("node " + change->node + ": is dead");
            } else {
                log_.info("Status update for node " + change->node + ": status " + std::string(to_string(change->to)));
            }
            if (resources_) resources_->node_changed(io::monotonic_now(), *change);
        } else if (std::holds_alternative<core::CommUp>(e)) {
            log_.info("Comm_now_up(): updating status to active");
            if (resources_) resources_->comm_up(io::monotonic_now());
            if (children_) children_->comm_up(io::monotonic_now());
        } else if (auto* link = std::get_if<core::LinkChange>(&e)) {
            log_.info("Link " + link->node + ":" + link->ifname + " " + std::string(to_string(link->to)) + ".");
        } else if (auto* flow = std::get_if<core::FlowChange>(&e)) {
            log_.debug(flow->paused ? "all clients are now paused" : "all clients are now resumed");
            if (api_) api_->on_flow(flow->paused);
        } else if (auto* notice = std::get_if<core::Notice>(&e)) {
            log_.log(notice->level, notice->text);
        } else if (auto* p = std::get_if<core::Probe>(&e)) {
            probe(*p);
        } else if (auto* deliver = std::get_if<core::Deliver>(&e)) {
            log_.debug("message for local clients: " + std::string(deliver->msg.get("t").value_or("?")), 2);
            if (api_) api_->deliver(deliver->msg, deliver->treatment);
            if (resources_ && deliver->treatment == core::Treatment::keep) {
                resources_->message(io::monotonic_now(), deliver->msg);
            }
        }
    }
    if (leaving_) return;
    arm();
}

void Runtime::arm() {
    core::Micros next = std::min(core_.next_deadline(), cork_.deadline());
    if (resources_) next = std::min(next, resources_->next_deadline());
    if (children_) next = std::min(next, children_->next_deadline());
    reactor_.set_deadline(next);
}

std::optional<std::string> Runtime::send_cluster(Message msg, std::string_view origin) {
    auto sent = core_.send(io::monotonic_now(), std::move(msg));
    if (!sent) {
        log_.warn(std::string(origin) + " message not sent: " + sent.error());
        return sent.error();
    }
    apply(std::move(sent).value());
    return std::nullopt;
}

void Runtime::on_signal(int signo) {
    switch (signo) {
        case SIGTERM:
        case SIGINT:
            leave_and_stop();
            break;
        case SIGHUP:
            reload();
            break;
        case SIGUSR1:
            log_.set_debug_level(log_.debug_level() + 1);
            log_.info("debug level now " + std::to_string(log_.debug_level()));
            break;
        case SIGUSR2:
            log_.set_debug_level(log_.debug_level() - 1);
            log_.info("debug level now " + std::to_string(log_.debug_level()));
            break;
        default:
            break;
    }
}

void Runtime::leave_and_stop() {
    if (leaving_) return;
    if (shutting_down_) return log_.info("shutdown in progress: resource groups and children are being stopped");
    shutting_down_ = true;
    if (resources_) {
        log_.info("node " + settings_.core.node + ": shutting down, releasing resource groups first");
        resources_->shutdown(io::monotonic_now());
        return;
    }
    stop_children_then_leave();
}

void Runtime::stop_children_then_leave() {
    if (leaving_) return;
    if (children_) return children_->shutdown(io::monotonic_now());
    leave_now();
}

void Runtime::leave_now() {
    if (leaving_) return;
    log_.info("node " + settings_.core.node + ": leaving the cluster");
    log_.info("counters: " + counters_line(core_.counters()));
    flush_bundle(Flush::now);
    bundling_ = false;  // the goodbye's copies are redundancy against loss: one datagram each
    apply(core_.leave(io::monotonic_now()));
    leaving_ = true;
    reactor_.stop();
}

void Runtime::reload() {
    auto fresh = reload_loader_ ? reload_loader_() : std::nullopt;
    if (!fresh) {
        log_.warn("SIGHUP: configuration not reloaded (errors above); running on the old one");
        return;
    }
    // Keys rotate without downtime: list the new key beside the old one and reload every node,
    // then sign with it and reload every node. The keys a reload replaced keep verifying for
    // kKeySwitchOverWindow, so nodes need not reload in lockstep.
    previous_keys_ = std::move(settings_.keys);
    previous_keys_until_ = io::monotonic_now() + kKeySwitchOverWindow;
    settings_.keys = std::move(fresh->keys);
    settings_.inner_auth = fresh->inner_auth;
    fresh->log.to_stderr = settings_.log.to_stderr;
    settings_.log = fresh->log;
    log_.configure(settings_.log);
    // Which key now signs: the step of a rotation this node is at (and no two reloads of a
    // rotation log the same line, which the logger would fold into "last message repeated").
    const auth::Key* signing = settings_.keys.signing_key();
    log_.info("SIGHUP: ha.cf and authkeys reloaded; signing with key " +
              (signing ? std::to_string(signing->index) + " (" + std::string(auth::method_name(signing->method)) + ")"
                       : std::string("(none)")) +
              " of " + std::to_string(settings_.keys.size()));
}

}  // namespace hb::daemon

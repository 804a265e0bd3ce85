// The running daemon: drives the core with real sockets, a real clock and signals. Everything the
// protocol decides happens in the core; this file only moves bytes and time in and out of it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "auth/keyring.hpp"
#include "auth/packet.hpp"
#include "auth/nonce_sequence.hpp"
#include "auth/replay_guard.hpp"
#include "auth/stranger_gate.hpp"
#include "core/core.hpp"
#include "daemon/api_server.hpp"
#include "daemon/bundler.hpp"
#include "daemon/child_driver.hpp"
#include "daemon/cork.hpp"
#include "daemon/fifo_reader.hpp"
#include "daemon/logger.hpp"
#include "daemon/metrics_server.hpp"
#include "daemon/resource_driver.hpp"
#include "daemon/settings.hpp"
#include "io/icmp_echo.hpp"
#include "io/reactor.hpp"
#include "io/udp_link.hpp"

namespace hb::daemon {

// Every counter of the core on one log line (logged at exit, and on SIGUSR1/2 with the debug level).
std::string counters_line(const core::Counters& c);

class Runtime {
public:
    // Opens every link; fails (with the reason) if a socket cannot be bound.
    static Result<std::unique_ptr<Runtime>> create(Settings settings, Logger& log);

    // Runs until SIGTERM/SIGINT (graceful leave) or stop(). Returns the exit status.
    int run();

    // SIGHUP: `loader` re-reads the configuration (nullopt when it is broken: nothing changes),
    // and the parts that may change live are taken over.
    void on_reload(std::function<std::optional<Settings>()> loader) { reload_loader_ = std::move(loader); }
    const core::Core& core() const { return core_; }
    io::Reactor& reactor() { return reactor_; }

private:
    Runtime(Settings settings, Logger& log);

    void on_datagram(int link, std::string_view bytes, int from, std::string_view address);
    // A datagram or echo payload checked with the keys, or with those a reload replaced while
    // they still verify (kKeySwitchOverWindow).
    auth::CheckedPacket check_signed(std::string_view bytes, core::Micros now) const;
    // Ping nodes (core/ping_nodes.hpp): an echo request with the core's payload, signed; a reply
    // whose payload is ours and signed goes back to the core.
    void probe(core::Probe& probe);  // signs its payload in place
    void on_echo_reply(const std::string& address, std::string_view payload);
    void apply(core::Effects effects);
    // `to`: the one node that needs it (core::Send::to), sent only to its address where known.
    void transmit(Message msg, int link, bool inner_auth, const std::string& to);
    // Which destination of a ucast link a node's packets came from (UdpLink::drain).
    void learn_route(int link, std::string_view node, int destination);
    int route(std::size_t link, const std::string& to) const;  // -1: every destination
    // The packets waiting for the end of the round go out, bundled where they can (bundler.hpp).
    // Flush::unless_streaming leaves them for more while cork_ says so (cork.hpp).
    enum class Flush { now, unless_streaming };
    void flush_bundle(Flush how);
    Cork cork_;
    // Bundles only while every live peer reads them.
    void update_bundling();
    void arm();
    void on_signal(int signo);
    // SIGTERM: the resource groups are released first (ResourceDriver), then leave_now().
    void leave_and_stop();
    // After the groups: the respawn children, last first (ChildDriver), then leave_now().
    void stop_children_then_leave();
    void leave_now();
    // The exit status after a failfast child's death took the node out (systemd's
    // FailureAction=reboot can act on it, as heartbeat 3.0.6 reboots).
    static constexpr int kFailfastExit = 3;
    int exit_status_ = 0;
    // A message for the cluster from a client, the FIFO or the resource manager (`origin`, for
    // the log line when the core refuses it).
    // Why the core refused it, if it did (also logged).
    std::optional<std::string> send_cluster(Message msg, std::string_view origin);

    Settings settings_;
    Logger& log_;
    core::Core core_;
    io::Reactor reactor_;
    std::vector<std::unique_ptr<io::UdpLink>> links_;
    std::vector<std::map<std::string, int, std::less<>>> routes_;  // per link: node -> destination
    std::vector<auth::StrangerGate> gates_;  // per link: flood protection (stranger_gate.hpp)
    std::unique_ptr<ApiServer> api_;
    std::unique_ptr<MetricsServer> metrics_;  // metrics_listen; null when not configured
    std::unique_ptr<ResourceDriver> resources_;  // null with `pacemaker on`
    std::unique_ptr<ChildDriver> children_;      // null without respawn/failfast lines
    std::unique_ptr<FifoReader> fifo_;           // null if <state-dir>/fifo could not be made
    std::unique_ptr<io::IcmpEcho> icmp_;         // null without ping nodes
    std::map<std::string, std::string, std::less<>> probe_errors_;  // per address: the last failure logged
    Bundler bundler_;
    bool bundling_ = false;
    void reload();
    // Keys replaced by a reload still verify for a while, so that nodes can reload one by one.
    static constexpr core::Micros kKeySwitchOverWindow = 60 * core::kSeconds;
    auth::Keyring previous_keys_;
    // Encrypting keys (aead.hpp): the nonces we seal with, and the ones we have accepted.
    auth::NonceSequence nonces_;
    auth::ReplayGuard replay_guard_;
    core::Micros previous_keys_until_ = 0;
    std::function<std::optional<Settings>()> reload_loader_;
    bool leaving_ = false;
    bool shutting_down_ = false;  // SIGTERM seen; the resource groups are being released
    core::Micros watchdog_interval_ = 0;  // systemd's WATCHDOG_USEC / 2; 0: no watchdog
    core::Micros watchdog_sent_at_ = 0;
    core::Micros load_read_at_ = 0;
};

}  // namespace hb::daemon

// heartbeat: the cluster communication daemon. Flags as heartbeat 3.0.6 (-d -k -r -s -V), plus
// ours for running several nodes on one machine (-f -c -n --bind --socket --state-dir --pidfile).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <thread>

#include "auth/digest.hpp"
#include "config/config_dir.hpp"
#include "daemon/process.hpp"
#include "daemon/runtime.hpp"
#include "daemon/settings_from_config.hpp"
#include "daemon/state_files.hpp"
#include "io/clock.hpp"

namespace {

constexpr const char* kVersion = "3.0.6 (hb " HB_VERSION ")";

int signal_running(const std::string& pidfile, int signo, const char* what) {
    auto pid = hb::daemon::PidFile::running_pid(pidfile);
    if (!pid) {
        std::cerr << "heartbeat: no running daemon (pidfile " << pidfile << ")\n";
        return 1;
    }
    if (kill(static_cast<pid_t>(*pid), signo) != 0) {
        std::perror("heartbeat: kill");
        return 1;
    }
    std::cout << "heartbeat: " << what << " sent to pid " << *pid << '\n';
    if (signo != SIGTERM) return 0;
    // -k waits for the daemon to leave the cluster and exit (bounded).
    for (int i = 0; i < 300 && hb::daemon::PidFile::running_pid(pidfile); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return hb::daemon::PidFile::running_pid(pidfile) ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    hb::auth::start_crypto_without_config();
    CLI::App app{"heartbeat: cluster membership and messaging daemon"};
    hb::daemon::CommandLine cmd;
    bool stop = false, reload = false, status = false, version = false;
    app.add_flag("-d", cmd.debug, "more debug output (repeatable)");
    app.add_flag("-k", stop, "stop the running daemon (it leaves the cluster gracefully)");
    app.add_flag("-r", reload, "make the running daemon reload ha.cf and authkeys");
    app.add_flag("-s", status, "tell whether a daemon is running");
    app.add_flag("-V", version, "print the version");
    app.add_flag("-f,--foreground", cmd.foreground, "stay in the foreground, log to stderr too");
    app.add_option("-c,--config-dir", cmd.config_dir, "directory with ha.cf, authkeys, haresources");
    app.add_option("-n,--node", cmd.node, "this node's name (default: uname -n)");
    app.add_option("--bind", cmd.bind, "local address for the UDP sockets (as ha.cf's bind)");
    app.add_option("--socket", cmd.socket, "client API socket");
    app.add_option("--state-dir", cmd.state_dir, "generation and UUID files");
    app.add_option("--pidfile", cmd.pidfile, "pidfile");
    CLI11_PARSE(app, argc, argv);

    if (version) {
        std::cout << kVersion << '\n';
        return 0;
    }
    if (stop) return signal_running(cmd.pidfile, SIGTERM, "stop request");
    if (reload) return signal_running(cmd.pidfile, SIGHUP, "reload request");
    if (status) {
        if (auto pid = hb::daemon::PidFile::running_pid(cmd.pidfile)) {
            std::cout << "heartbeat OK [pid " << *pid << "] is running\n";
            return 0;
        }
        std::cout << "heartbeat is stopped. No process\n";
        return 3;
    }

    const std::string node = cmd.node.empty() ? hb::daemon::local_node_name() : cmd.node;
    auto loaded = hb::config::load_config_dir(cmd.config_dir, node);
    for (const auto& d : loaded.diagnostics.items()) std::cerr << hb::config::format(d) << '\n';
    if (!loaded.ok()) {
        std::cerr << "heartbeat: not started: configuration error\n";
        return 2;
    }
    hb::daemon::Settings settings = hb::daemon::settings_from_config(loaded.config, cmd, node);
    if (settings.links.empty()) {
        std::cerr << "heartbeat: not started: no usable medium (serial is not supported)\n";
        return 2;
    }
    const std::string socket_dir = cmd.socket.substr(0, cmd.socket.rfind('/'));
    hb::daemon::make_socket_dir(socket_dir);
    if (mkdir(cmd.state_dir.c_str(), 0755) != 0 && errno != EEXIST) {
        std::perror(("heartbeat: " + cmd.state_dir).c_str());
        return 1;
    }

    if (!cmd.foreground) hb::daemon::detach();
    auto pidfile = hb::daemon::PidFile::acquire(cmd.pidfile);
    if (!pidfile) {
        std::cerr << "heartbeat: " << pidfile.error() << '\n';
        return 1;
    }
    // hbgenmethod time: the clock gives the generation (no file to keep); file: heartbeat's counter.
    auto generation = loaded.config.hbgen_from_time
                          ? hb::Result<std::uint64_t>(static_cast<std::uint64_t>(hb::io::wall_seconds()))
                          : hb::daemon::next_generation(cmd.state_dir, hb::io::wall_seconds());
    auto uuid = hb::daemon::load_or_create_uuid(cmd.state_dir);
    if (!generation || !uuid) {
        std::cerr << "heartbeat: " << (generation ? uuid.error() : generation.error()) << '\n';
        return 1;
    }
    settings.core.generation = *generation;
    settings.core.uuid = *uuid;
    settings.core.wall_seconds_at_start = hb::io::wall_seconds();
    settings.core.seed = *generation ^ static_cast<std::uint64_t>(getpid());

    hb::daemon::Logger log;
    log.configure(settings.log);
    log.set_debug_level(settings.debug_level);
    if (settings.realtime) {
        if (auto problem = hb::daemon::enable_realtime(); !problem.empty()) log.warn("realtime not enabled: " + problem);
    }
    auto runtime = hb::daemon::Runtime::create(std::move(settings), log);
    if (!runtime) {
        log.error("not started: " + runtime.error());
        return 1;
    }
    (*runtime)->on_reload([&cmd, &node, &log]() -> std::optional<hb::daemon::Settings> {
        auto fresh = hb::config::load_config_dir(cmd.config_dir, node);
        for (const auto& d : fresh.diagnostics.items()) log.warn("reload: " + hb::config::format(d));
        if (!fresh.ok()) return std::nullopt;
        return hb::daemon::settings_from_config(fresh.config, cmd, node);
    });
    hb::daemon::notify_systemd("READY=1");
    const int rc = (*runtime)->run();
    hb::daemon::notify_systemd("STOPPING=1");
    return rc;
}

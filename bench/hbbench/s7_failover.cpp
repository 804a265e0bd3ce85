// S7 "failover": a floating IP on two nodes of one system (ours, heartbeat 3.0.6, keepalived,
// Pacemaker on Corosync), timed from a client's side. A probe in the client's namespace
// (bench/s7_probe.py) sends an echo request to the VIP every 10 ms and reports each reply with the
// Ethernet source MAC that carried it, so the node that answered is known whatever the client's
// neighbour cache says.
//  - failover: from just before SIGSTOP then SIGKILL of every process of the holder's stack (a plain
//    SIGKILL let keepalived's child send a priority-0 advert first) to the first reply from the other
//    node's MAC; the killed node is then "rebooted" (its address and /run gone) and started again;
//  - switchover: from the system's graceful move (hb_standby, SIGTERM to keepalived, crm_resource
//    --move) to the first reply from the other node's MAC;
//  - soak: soak_s seconds untouched under full CPU load (two busy loops per core at ordinary
//    priority): every change of the answering MAC and every death or role change in the logs is a
//    false failover.
// Everything system-specific is in the driver (bench/systems/vip/<system>.sh, contract in
// bench/systems/README.md).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "measure.hpp"
#include "scenario_steps.hpp"

namespace hbbench {

namespace {

void say(const std::string& system, const std::string& what) { std::fprintf(stderr, "[hbbench %s] S7 %s\n", system.c_str(), what.c_str()); }

class Driver {
public:
    Driver(std::string script, std::string work, std::string log)
        : script_(std::move(script)), work_(std::move(work)), log_(std::move(log)) {}
    std::optional<std::string> run(const std::vector<std::string>& args, int timeout_ms) const {
        std::vector<std::string> argv{"bash", script_, args.front(), work_};
        argv.insert(argv.end(), args.begin() + 1, args.end());
        return hbbench::run(argv, log_, timeout_ms);
    }
    // The settled holder (1 or 2), or 0.
    int holder() const {
        auto out = run({"holder"}, 20000);
        return out && !out->empty() ? std::atoi(out->c_str()) : 0;
    }
    long events() const {
        auto out = run({"events"}, 10000);
        return out ? std::atol(out->c_str()) : -1;
    }
    std::vector<pid_t> pids(int node) const {
        std::vector<pid_t> out;
        if (auto text = run({"pids", std::to_string(node)}, 10000)) {
            std::istringstream in(*text);
            for (long pid; in >> pid;) out.push_back(static_cast<pid_t>(pid));
        }
        return out;
    }

private:
    std::string script_, work_, log_;
};

// The probe's replies, read off its stdout as they come: (CLOCK_REALTIME ns, MAC).
class Probe {
public:
    explicit Probe(Child child) : child_(std::move(child)) {}
    void drain() {
        while (auto l = child_.line(0)) {
            std::istringstream in(*l);
            long long ns = 0;
            std::string mac;
            if (in >> ns >> mac) replies_.emplace_back(ns, mac);
        }
    }
    // Milliseconds from t0_ns to the first reply from `mac` after it, within timeout_ms.
    std::optional<double> first_after(long long t0_ns, const std::string& mac, int timeout_ms) {
        const std::int64_t give_up = mono_us() + std::int64_t{timeout_ms} * 1000;
        std::size_t from = 0;
        for (;;) {
            drain();
            for (; from < replies_.size(); ++from) {
                if (replies_[from].first > t0_ns && replies_[from].second == mac) return (replies_[from].first - t0_ns) / 1e6;
            }
            if (mono_us() > give_up) return std::nullopt;
            sleep_ms(5);
        }
    }
    std::string last_mac() {
        drain();
        return replies_.empty() ? "" : replies_.back().second;
    }
    // How often the answering MAC changed after t0_ns.
    int mac_changes_after(long long t0_ns) {
        drain();
        int n = 0;
        for (std::size_t i = 1; i < replies_.size(); ++i) {
            if (replies_[i].first > t0_ns && replies_[i].second != replies_[i - 1].second) ++n;
        }
        return n;
    }

private:
    Child child_;
    std::vector<std::pair<long long, std::string>> replies_;
};

long long wall_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

Json summary(const std::vector<double>& ms) {
    if (ms.empty()) return Json{{"n", 0}};
    return Json{{"n", ms.size()},
                {"min_ms", percentile(ms, 0)},
                {"median_ms", percentile(ms, 50)},
                {"p99_ms", percentile(ms, 99)},
                {"max_ms", percentile(ms, 100)},
                {"samples_ms", ms}};
}

// Waits (bounded) until one node holds the VIP settled, twice in a row a second apart, and the
// client's replies come from it.
int settled_holder(const Driver& d, Probe& probe, const std::string mac[3], int timeout_s) {
    int last = 0;
    for (int i = 0; i < timeout_s * 2; ++i) {
        const int h = d.holder();
        const bool ok = (h == 1 || h == 2) && probe.last_mac() == mac[h];
        if (ok && h == last) return h;
        last = ok ? h : 0;
        for (int k = 0; k < 5; ++k) {
            probe.drain();
            sleep_ms(100);
        }
    }
    return 0;
}

}  // namespace

std::pair<int, int> s7_default_timing(const std::string& system) {
    if (system == "ours") return {20, 80};
    if (system == "heartbeat3") return {100, 500};  // 3.0.6 refuses deadtime <= 2 x keepalive; its fastest held setting
    if (system == "keepalived") return {10, 0};     // advert_int 0.01 s, VRRP's minimum
    return {0, 1000};                               // Pacemaker: token 1000 ms
}

Json s7_failover(const std::string& system, const std::string& script, const std::string& probe_py, const std::string& work,
                 const Options& o) {
    const std::string log = work + "/s7.log";
    Driver d(script, work + "/s7", log);
    const auto [ka, dt] = o.s7_timing.first >= 0 ? o.s7_timing : s7_default_timing(system);
    (void)d.run({"down"}, 60000);
    say(system, "starting two nodes");
    auto facts_text = d.run({"up", std::to_string(ka), std::to_string(dt)}, 300000);
    if (!facts_text) {
        (void)d.run({"down"}, 60000);
        return error("the driver could not bring the VIP up (see " + log + ")");
    }
    std::map<std::string, std::string> facts;
    {
        std::istringstream in(*facts_text);
        for (std::string line; std::getline(in, line);) {
            const auto sp = line.find(' ');
            if (sp != std::string::npos) facts[line.substr(0, sp)] = line.substr(sp + 1);
        }
    }
    const std::string mac[3] = {"", facts["mac1"], facts["mac2"]};
    auto child = Child::spawn({"ip", "netns", "exec", facts["client"], "python3", probe_py, facts["vip"], facts["iface"]}, log);
    if (!child) {
        (void)d.run({"down"}, 60000);
        return error("cannot start the probe");
    }
    Probe probe(std::move(*child));
    Json out{{"setting", facts["setting"]}, {"keepalive_ms", ka}, {"deadtime_ms", dt}};
    std::mt19937 rng(static_cast<unsigned>(getpid()));
    std::string why;

    std::vector<double> failovers;
    for (int t = 1; t <= o.s7_trials && why.empty(); ++t) {
        const int h = settled_holder(d, probe, mac, 120);
        if (!h) {
            why = "failover trial " + std::to_string(t) + ": no settled holder";
            break;
        }
        probe.drain();
        sleep_ms(500 + static_cast<int>(rng() % 1000));  // a random phase against the heartbeat schedule
        const auto pids = d.pids(h);
        const long long t0 = wall_ns();
        for (pid_t p : pids) ::kill(p, SIGSTOP);
        for (pid_t p : pids) ::kill(p, SIGKILL);
        const auto ms = probe.first_after(t0, mac[3 - h], 30000);
        if (!ms) {
            why = "failover trial " + std::to_string(t) + ": the other node never answered";
            break;
        }
        failovers.push_back(*ms);
        say(system, "failover " + std::to_string(t) + " (n" + std::to_string(h) + " killed): " + std::to_string(*ms) + " ms");
        if (!d.run({"reboot", std::to_string(h)}, 120000)) why = "failover trial " + std::to_string(t) + ": reboot failed";
    }
    out["failover"] = summary(failovers);

    std::vector<double> switchovers;
    for (int t = 1; t <= o.s7_trials && why.empty(); ++t) {
        const int h = settled_holder(d, probe, mac, 120);
        if (!h) {
            why = "switchover " + std::to_string(t) + ": no settled holder";
            break;
        }
        sleep_ms(500 + static_cast<int>(rng() % 500));
        long long t0 = wall_ns();
        const auto said = d.run({"switch", std::to_string(h)}, 60000);
        if (said && said->rfind("t0 ", 0) == 0) t0 = std::atoll(said->c_str() + 3) * 1000;  // the driver's own mark
        const auto ms = probe.first_after(t0, mac[3 - h], 30000);
        if (!ms) {
            why = "switchover " + std::to_string(t) + ": the other node never answered";
            break;
        }
        switchovers.push_back(*ms);
        say(system, "switchover " + std::to_string(t) + " (from n" + std::to_string(h) + "): " + std::to_string(*ms) + " ms");
        if (!d.run({"after-switch", std::to_string(h)}, 60000)) why = "switchover " + std::to_string(t) + ": after-switch failed";
    }
    out["switchover"] = summary(switchovers);

    if (o.s7_soak_s > 0 && why.empty()) {
        if (!settled_holder(d, probe, mac, 120)) {
            why = "soak: no settled holder";
        } else {
            say(system, "soak: " + std::to_string(o.s7_soak_s) + " s under full CPU load");
            const long events0 = d.events();
            const long long t0 = wall_ns();
            {
                CpuHogs hogs(2 * static_cast<int>(std::thread::hardware_concurrency()));
                for (std::int64_t end = mono_us() + std::int64_t{o.s7_soak_s} * 1000000; mono_us() < end;) {
                    probe.drain();
                    sleep_ms(100);
                }
            }
            sleep_ms(1000);  // replies of the last moments under load
            const int changes = probe.mac_changes_after(t0);
            const long events = d.events() - events0;
            // One false failover shows both ways (the MAC changes, the logs say so): count the larger.
            out["soak"] = Json{{"seconds", o.s7_soak_s}, {"mac_changes", changes}, {"log_events", events},
                               {"false_failovers", std::max<long>(changes, events)}};
            say(system, "soak: " + std::to_string(changes) + " MAC changes, " + std::to_string(events) + " deaths or role changes");
        }
    }
    (void)d.run({"down"}, 60000);
    if (!why.empty()) out["error"] = why;
    return out;
}

std::string s7_version(const std::string& script, const std::string& work) {
    auto out = run({"bash", script, "version"}, work + "/s7.log", 10000);
    return out && !out->empty() ? out->substr(0, out->find('\n')) : "version unknown";
}

}  // namespace hbbench

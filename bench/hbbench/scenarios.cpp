#include "scenarios.hpp"

#include <signal.h>

#include <cstdio>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "measure.hpp"
#include "scenario_steps.hpp"

namespace hbbench {

namespace {

// S1 at one timing: kill node 2 `trials` times, each seen dead by node 1's watcher.
Json detection_at(System& sys, const Options& o, int ka, int dt) {
    std::string why;
    if (!start_converged(sys, 2, ka, dt, why)) return error(why);
    auto watch = sys.agent(1, {"watch"});
    if (!watch || !watch->line_starting("ready", 10000)) return error("the watch agent did not sign on");
    std::mt19937 rng(7);
    std::vector<double> samples;
    int false_deaths = 0, missed = 0;
    for (int t = 1; t <= o.trials; ++t) {
        // A random phase against the heartbeat schedule, as a real failure has.
        sleep_ms(2 * ka + static_cast<int>(rng() % static_cast<unsigned>(ka)));
        auto pids = sys.pids(2);
        if (pids.empty()) return error("no pids for node 2");
        const std::int64_t killed = wall_us();
        for (pid_t pid : pids) kill(pid, SIGKILL);
        bool seen = false;
        for (std::int64_t give_up = mono_us() + (dt + 30000) * 1000LL; !seen && mono_us() < give_up;) {
            auto l = watch->line(static_cast<int>((give_up - mono_us()) / 1000));
            if (!l) break;
            std::istringstream in(*l);
            std::string what, node;
            long long at = 0;
            in >> what >> node >> at;
            if (what != "dead") continue;
            if (node == "n2") {
                seen = true;
                samples.push_back(static_cast<double>(at - killed) / 1000.0);
            } else {
                ++false_deaths;
            }
        }
        if (!seen) ++missed;
        progress(sys, "S1 %d/%d ms: trial %d/%d: %s", ka, dt, t, o.trials,
                 seen ? (std::to_string(static_cast<int>(samples.back())) + " ms").c_str() : "not detected");
        if (!sys.restart(2)) return error("node 2 did not restart");
        bool back = false;
        for (std::int64_t give_up = mono_us() + 90000000LL; !back && mono_us() < give_up;) {
            auto l = watch->line(static_cast<int>((give_up - mono_us()) / 1000));
            if (!l) break;
            back = l->rfind("up n2 ", 0) == 0;
            if (l->rfind("dead ", 0) == 0 && l->rfind("dead n2 ", 0) != 0) ++false_deaths;
        }
        if (!back) return error("node 2 did not come back within 90 s after trial " + std::to_string(t));
    }
    return Json{{"keepalive_ms", ka},       {"deadtime_ms", dt},
                {"trials", o.trials},       {"detected", samples.size()},
                {"missed", missed},         {"false_deaths", false_deaths},
                {"p50_ms", percentile(samples, 50)}, {"p99_ms", percentile(samples, 99)},
                {"max_ms", percentile(samples, 100)}, {"min_ms", percentile(samples, 0)},
                {"samples_ms", samples}};
}

// False deaths while other processes keep every core busy, at the shortest timing.
Json soak_under_load(System& sys, const Options& o, int ka, int dt) {
    const int nodes = o.soak_nodes;
    std::string why;
    if (!start_converged(sys, nodes, ka, dt, why)) return error(why);
    std::vector<Child> watchers;
    for (int i = 1; i <= nodes; ++i) {
        auto w = sys.agent(i, {"watch"});
        if (!w || !w->line_starting("ready", 10000)) return error("a watch agent did not sign on");
        watchers.push_back(std::move(*w));
    }
    const int hogs = 2 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    int false_deaths = 0;
    {
        CpuHogs load(hogs);
        progress(sys, "S1 soak: %d nodes at %d/%d ms, %d busy loops, %d s", nodes, ka, dt, hogs, o.soak_s);
        const std::int64_t end = mono_us() + o.soak_s * 1000000LL;
        while (mono_us() < end) {
            for (auto& w : watchers) {
                while (auto l = w.line(0)) {
                    if (l->rfind("dead ", 0) == 0) {
                        ++false_deaths;
                        progress(sys, "S1 soak: false death: %s", l->c_str());
                    }
                }
            }
            sleep_ms(200);
        }
    }
    return Json{{"nodes", nodes}, {"keepalive_ms", ka}, {"deadtime_ms", dt}, {"seconds", o.soak_s},
                {"busy_loops", hogs}, {"false_deaths", false_deaths}};
}

// Each node's CPU share (all its processes) over `seconds` of idling, and its memory at the end.
struct NodeSample {
    double cpu_pct = 0;
    Memory memory;
    std::size_t processes = 0;
};
std::vector<NodeSample> sample_idle(const System& sys, int nodes, int seconds) {
    std::vector<std::vector<pid_t>> pids;
    std::vector<double> before;
    for (int i = 1; i <= nodes; ++i) {
        pids.push_back(sys.pids(i));
        double s = 0;
        for (pid_t p : pids.back()) s += cpu_seconds(p);
        before.push_back(s);
    }
    const std::int64_t t0 = mono_us();
    sleep_ms(seconds * 1000);
    const double secs = static_cast<double>(mono_us() - t0) / 1e6;
    std::vector<NodeSample> out;
    for (std::size_t n = 0; n < pids.size(); ++n) {
        NodeSample sample;
        double s = 0;
        for (pid_t p : pids[n]) {
            s += cpu_seconds(p);
            sample.memory += memory_mib(p);
        }
        sample.cpu_pct = (s - before[n]) / secs * 100.0;
        sample.processes = pids[n].size();
        out.push_back(sample);
    }
    return out;
}

}  // namespace

Json s1_detection(System& sys, const Options& o) {
    Json out = Json::object();
    for (auto [ka, dt] : o.timings) out[timing_key(ka, dt)] = detection_at(sys, o, ka, dt);
    auto [ka, dt] = o.timings.back();
    out["soak"] = soak_under_load(sys, o, ka, dt);
    sys.stop();
    return out;
}

Json s2_throughput(System& sys, const Options& o) {
    Json out = Json::object();
    for (int nodes : {2, 3}) {
        std::string why;
        if (!start_converged(sys, nodes, 1000, 3000, why)) {
            out[std::to_string(nodes)] = error(why);
            continue;
        }
        std::vector<Child> receivers;
        for (int i = 2; i <= nodes; ++i) {
            auto r = sys.agent(i, {"recv", "3000"});
            if (r && r->line_starting("ready", 10000)) receivers.push_back(std::move(*r));
        }
        if (static_cast<int>(receivers.size()) != nodes - 1) {
            out[std::to_string(nodes)] = error("a receiver did not sign on");
            continue;
        }
        progress(sys, "S2: %d nodes, one sender for %d ms", nodes, o.send_ms);
        auto sender = sys.agent(1, {"send", std::to_string(o.send_ms), "64"});
        if (!sender) {
            out[std::to_string(nodes)] = error("the sender did not start");
            continue;
        }
        auto sent_line = sender->line_starting("sent", o.send_ms + 60000);
        auto sent = sent_line ? fields(*sent_line) : std::map<std::string, std::string>{};
        const double send_s = sent_line ? num(sent, "us") / 1e6 : o.send_ms / 1000.0;
        double worst_rate = -1, lost = 0, dup = 0, reordered = 0, received = -1;
        for (auto& r : receivers) {
            auto l = r.line_starting("recv", 90000);
            if (!l) {
                r.signal(SIGTERM);
                l = r.line_starting("recv", 5000);
            }
            if (!l) continue;
            auto f = fields(*l);
            const double got = num(f, "n");
            // Over the sender's whole sending time at least: a layer that stalls is not credited
            // with the rate of its first burst.
            const double span = std::max(send_s, (num(f, "last") - num(f, "first")) / 1e6);
            const double rate = span > 0 ? got / span : 0;
            worst_rate = worst_rate < 0 ? rate : std::min(worst_rate, rate);
            received = received < 0 ? got : std::min(received, got);
            const double expected = sent_line ? num(sent, "n") : num(f, "expected");
            lost = std::max(lost, expected > 0 ? expected - got : num(f, "lost"));
            dup = std::max(dup, num(f, "dup"));
            reordered = std::max(reordered, num(f, "reordered"));
        }
        if (received < 0) {
            out[std::to_string(nodes)] = error("no receiver reported (the layer delivered nothing it could count)");
            continue;
        }
        Json r{{"nodes", nodes},         {"payload_bytes", 64},  {"sent", sent_line ? num(sent, "n") : -1},
               {"received", received},   {"msgs_per_s", worst_rate}, {"lost", lost},
               {"dup", dup},             {"reordered", reordered}, {"sender_retries", num(sent, "retries")}};
        if (!sent_line) r["note"] = "the sender did not finish (the layer stalled); lost counts what it had numbered";
        out[std::to_string(nodes)] = r;
        progress(sys, "S2: %d nodes: %.0f msgs/s, %.0f lost", nodes, worst_rate, lost);
    }
    sys.stop();
    return out;
}

Json s3_round_trip(System& sys, const Options& o) {
    std::string why;
    if (!start_converged(sys, 2, 1000, 3000, why)) return error(why);
    auto pong = sys.agent(2, {"pong"});
    if (!pong || !pong->line_starting("ready", 10000)) return error("the pong agent did not sign on");
    progress(sys, "S3: %d round trips n1 <-> n2", o.round_trips);
    auto ping = sys.agent(1, {"ping", "n2", std::to_string(o.round_trips)});
    auto l = ping ? ping->line_starting("rtt", o.round_trips * 20 + 60000) : std::nullopt;
    sys.stop();
    if (!l) return error("no round trip result (see " + sys.log() + ")");
    auto f = fields(*l);
    return Json{{"round_trips", num(f, "n")}, {"p50_us", num(f, "p50")}, {"p99_us", num(f, "p99")},
                {"max_us", num(f, "max")}, {"min_us", num(f, "min")}};
}

Json s4_footprint(System& sys, const Options& o) {
    Json out = Json::object();
    for (auto [ka, dt] : o.timings) {
        std::string why;
        if (!start_converged(sys, 2, ka, dt, why)) {
            out[timing_key(ka, dt)] = error(why);
            continue;
        }
        sleep_ms(2000);
        progress(sys, "S4: %d s idle at keepalive %d ms", o.idle_s, ka);
        std::vector<double> cpu_pct, rss, pss, priv, procs;
        for (const NodeSample& n : sample_idle(sys, 2, o.idle_s)) {
            cpu_pct.push_back(n.cpu_pct);
            rss.push_back(n.memory.rss);
            pss.push_back(n.memory.pss);
            priv.push_back(n.memory.private_);
            procs.push_back(static_cast<double>(n.processes));
        }
        out[timing_key(ka, dt)] = Json{{"keepalive_ms", ka},     {"seconds", o.idle_s},   {"cpu_pct", mean(cpu_pct)},
                                       {"rss_mib", mean(rss)},   {"pss_mib", mean(pss)},  {"private_mib", mean(priv)},
                                       {"processes", mean(procs)}};
    }
    sys.stop();
    return out;
}

Json s5_api_cost(System& sys, const Options& o) {
    std::string why;
    if (!start_converged(sys, 2, 1000, 3000, why)) return error(why);
    std::vector<double> a, b;
    for (int run = 0; run < 3; ++run) {
        auto agent = sys.agent(1, {"apicost", std::to_string(o.api_calls)});
        auto l = agent ? agent->line_starting("apicost", 120000) : std::nullopt;
        if (!l) continue;
        auto f = fields(*l);
        a.push_back(num(f, "a"));
        b.push_back(num(f, "b"));
    }
    sys.stop();
    if (a.empty()) return error("the apicost agent gave no result");
    const bool cpg = sys.name() == "corosync";
    return Json{{"calls", o.api_calls},
                {"a_call", cpg ? "cpg_local_get" : "node_status"},
                {"a_us", percentile(a, 50)},
                {"b_call", cpg ? "cpg_membership_get" : "get_parameter"},
                {"b_us", percentile(b, 50)},
                {"runs", a.size()}};
}

Json s6_scale(System& sys, const Options& o) {
    Json out = Json::object();
    for (int nodes : o.scale) {
        progress(sys, "S6: %d nodes", nodes);
        const std::int64_t launched = wall_us();
        if (!sys.start(nodes, 1000, 3000)) {
            out[std::to_string(nodes)] = error("the driver could not start them");
            continue;
        }
        const std::int64_t converged = converge(sys, nodes, 180000);
        if (converged < 0) {
            out[std::to_string(nodes)] = error("did not converge within 180 s");
            continue;
        }
        sleep_ms(3000);
        std::vector<double> cpu_pct, rss;
        for (const NodeSample& n : sample_idle(sys, nodes, o.scale_idle_s)) {
            cpu_pct.push_back(n.cpu_pct);
            rss.push_back(n.memory.rss);
        }
        out[std::to_string(nodes)] = Json{{"nodes", nodes},
                                          {"converge_s", static_cast<double>(converged - launched) / 1e6},
                                          {"cpu_pct_mean", mean(cpu_pct)},
                                          {"cpu_pct_max", percentile(cpu_pct, 100)},
                                          {"rss_mib_mean", mean(rss)}};
        progress(sys, "S6: %d nodes converged in %.1f s, %.2f%% CPU each", nodes,
                 static_cast<double>(converged - launched) / 1e6, mean(cpu_pct));
    }
    sys.stop();
    return out;
}

}  // namespace hbbench

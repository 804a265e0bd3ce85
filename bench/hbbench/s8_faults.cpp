// S8 "faults": two nodes at keepalive 100 ms / deadtime 1000 ms on the system's own network, with
// faults on each node's egress: loss and duplication by nftables rules (`numgen random`, `dup to`),
// 50 +- 20 ms delay with reordering by an NFQUEUE rule and nfq_delay (tests/integration). During
// each fault node 1 sends numbered 64-byte messages for fault_send_ms while node 2 counts them;
// both nodes' watchers count deaths (every one is false: no node is stopped). Between faults the
// rules go and both nodes must converge again.
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "measure.hpp"
#include "scenario_steps.hpp"

namespace hbbench {

namespace {

struct Fault {
    const char* name;
    int loss_pct;
    int dup_pct;
    bool delay;
    bool node1_only;  // one way: only node 1's packets suffer
};

constexpr Fault kFaults[] = {
    {"none", 0, 0, false, false},
    {"loss 30%", 30, 0, false, false},
    {"dup 5%", 0, 5, false, false},
    {"loss 30% + dup 5%", 30, 5, false, false},
    {"one-way loss 30%", 30, 0, false, true},
    {"delay 50+-20 ms", 0, 0, true, false},
    {"loss 30% + dup 5% + delay 50+-20 ms", 30, 5, true, false},
};

std::string nft_rules(const Fault& f) {
    std::string r = "table ip hbb_faults {\n chain out {\n  type filter hook output priority 0; policy accept;\n";
    if (f.loss_pct > 0) {
        r += "  oifname \"eth0\" meta l4proto udp numgen random mod 100 < " + std::to_string(f.loss_pct) + " drop\n";
    }
    if (f.dup_pct > 0) {
        r += "  oifname \"eth0\" meta l4proto udp numgen random mod 100 < " + std::to_string(f.dup_pct) +
             " dup to ip daddr device \"eth0\"\n";
    }
    return r + " }\n}\n";
}

const std::vector<std::string> kQueueRule{"OUTPUT", "-o", "eth0", "-p", "udp", "-j", "NFQUEUE", "--queue-num", "0", "--queue-bypass"};

std::vector<std::string> iptables(const char* op) {
    std::vector<std::string> argv{"iptables-legacy", op};
    argv.insert(argv.end(), kQueueRule.begin(), kQueueRule.end());
    return argv;
}

// Puts the fault on node `i`; the delayer it started (if any) is kept in `delayers`.
bool apply(const System& sys, int i, const Fault& f, const std::string& nfq_delay, std::vector<Child>& delayers) {
    if (f.loss_pct > 0 || f.dup_pct > 0) {
        const std::string path = sys.work() + "/faults-n" + std::to_string(i) + ".nft";
        std::ofstream(path) << nft_rules(f);
        if (!sys.run_in(i, {"nft", "-f", path}, 10000)) return false;
    }
    if (f.delay) {
        auto d = sys.spawn_in(i, {nfq_delay, "0", "50", "20", "3600"});
        if (!d || !d->line_starting("ready", 10000)) return false;
        delayers.push_back(std::move(*d));
        if (!sys.run_in(i, iptables("-A"), 10000)) return false;
    }
    return true;
}

void clear(const System& sys, int i, const Fault& f, std::vector<Child>& delayers) {
    if (f.loss_pct > 0 || f.dup_pct > 0) (void)sys.run_in(i, {"nft", "delete", "table", "ip", "hbb_faults"}, 10000);
    if (f.delay) (void)sys.run_in(i, iptables("-D"), 10000);
    for (auto& d : delayers) {
        d.signal(SIGTERM);
        d.wait(5000);
    }
    delayers.clear();
}

int deaths_seen(std::vector<Child>& watchers) {
    int n = 0;
    for (auto& w : watchers) {
        while (auto l = w.line(0)) n += l->rfind("dead ", 0) == 0;
    }
    return n;
}

Json one_fault(System& sys, const Options& o, const Fault& f, const std::string& nfq_delay,
               std::vector<Child>& watchers) {
    std::vector<Child> delayers;
    for (int i = 1; i <= 2; ++i) {
        if ((i == 1 || !f.node1_only) && !apply(sys, i, f, nfq_delay, delayers)) {
            clear(sys, 1, f, delayers);
            clear(sys, 2, f, delayers);
            return error(std::string("could not put the fault on node ") + std::to_string(i) + " (see " + sys.log() + ")");
        }
    }
    progress(sys, "S8: %s: node 1 sends for %d ms", f.name, o.fault_send_ms);
    auto receiver = sys.agent(2, {"recv", "5000"});
    Json out;
    if (!receiver || !receiver->line_starting("ready", 10000)) {
        out = error("the receiver did not sign on");
    } else {
        auto sender = sys.agent(1, {"send", std::to_string(o.fault_send_ms), "64"});
        auto sent_line = sender ? sender->line_starting("sent", o.fault_send_ms + 60000) : std::nullopt;
        auto got_line = receiver->line_starting("recv", o.fault_send_ms + 90000);
        if (!got_line) {
            receiver->signal(SIGTERM);
            got_line = receiver->line_starting("recv", 5000);
        }
        const auto sent = sent_line ? fields(*sent_line) : std::map<std::string, std::string>{};
        const auto got = got_line ? fields(*got_line) : std::map<std::string, std::string>{};
        const double n_sent = sent_line ? num(sent, "n") : num(got, "expected");
        const double n_got = num(got, "n");
        out = Json{{"sent", n_sent},
                   {"received", n_got},
                   {"lost", n_sent > 0 ? n_sent - n_got + num(got, "dup") : num(got, "lost")},
                   {"dup", num(got, "dup")},
                   {"reordered", num(got, "reordered")},
                   {"msgs_per_s", sent_line && num(sent, "us") > 0 ? n_got / (num(sent, "us") / 1e6) : 0}};
        if (!sent_line) out["note"] = "the sender did not finish (the layer stalled)";
        if (!got_line) out["note"] = "the receiver reported nothing";
    }
    for (int i = 1; i <= 2; ++i) clear(sys, i, f, delayers);
    const bool settled = converge(sys, 2, 30000) >= 0;
    out["false_deaths"] = deaths_seen(watchers);
    if (!settled) out["settled"] = false;
    progress(sys, "S8: %s: %s", f.name, out.dump().c_str());
    return out;
}

}  // namespace

Json s8_faults(System& sys, const Options& o) {
    const char* net = std::getenv("HBB_NET");
    if (net && std::string(net) == "loopback") return error("S8 puts faults on each node's network namespace; HBB_NET=loopback has none");
    const char* bin = std::getenv("HBB_BIN");
    const std::string nfq_delay = bin ? std::string(bin) + "/nfq_delay" : std::string();
    std::string why;
    if (!start_converged(sys, 2, 100, 1000, why)) return error(why);
    std::vector<Child> watchers;
    for (int i = 1; i <= 2; ++i) {
        auto w = sys.agent(i, {"watch"});
        if (!w || !w->line_starting("ready", 10000)) return error("a watch agent did not sign on");
        watchers.push_back(std::move(*w));
    }
    Json out = Json::object();
    for (const Fault& f : kFaults) {
        if (f.delay && !std::filesystem::exists(nfq_delay)) {
            out[f.name] = error("no nfq_delay beside hbbench (built only with libnetfilter_queue)");
            continue;
        }
        out[f.name] = one_fault(sys, o, f, nfq_delay, watchers);
    }
    sys.stop();
    return out;
}

}  // namespace hbbench

#include "report.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>

namespace hbbench {

namespace {

using Json = nlohmann::json;

enum class Better { lower, higher, none };

struct Row {
    std::string label;
    std::vector<std::string> path;  // keys under "results"
    std::string unit;
    Better better;
};

std::vector<Row> rows(const std::vector<Json>& runs) {
    std::vector<Row> out;
    auto timings = std::vector<std::string>{};
    auto sizes = std::vector<std::string>{};
    auto faults = std::vector<std::string>{};
    // The timings, sizes and faults any run measured, in its order.
    for (const auto& run : runs) {
        auto add_keys = [](const Json* j, std::vector<std::string>& into, const char* skip) {
            if (!j || !j->is_object()) return;
            for (auto it = j->begin(); it != j->end(); ++it) {
                if (it.key() != skip && std::find(into.begin(), into.end(), it.key()) == into.end()) into.push_back(it.key());
            }
        };
        const Json& r = run.value("results", Json::object());
        add_keys(r.contains("S1") ? &r["S1"] : nullptr, timings, "soak");
        add_keys(r.contains("S4") ? &r["S4"] : nullptr, timings, "");
        add_keys(r.contains("S6") ? &r["S6"] : nullptr, sizes, "");
        add_keys(r.contains("S8") ? &r["S8"] : nullptr, faults, "");
    }
    std::sort(timings.begin(), timings.end(), [](const std::string& a, const std::string& b) { return std::stoi(a) > std::stoi(b); });
    std::sort(sizes.begin(), sizes.end(), [](const std::string& a, const std::string& b) { return std::stoi(a) < std::stoi(b); });
    for (const auto& t : timings) {
        for (const char* p : {"p50_ms", "p99_ms", "max_ms"}) {
            out.push_back({"S1 detection " + t + " ms, " + std::string(p).substr(0, 3), {"S1", t, p}, "ms", Better::lower});
        }
        out.push_back({"S1 false deaths during the trials, " + t + " ms", {"S1", t, "false_deaths"}, "", Better::none});
    }
    out.push_back({"S1 false deaths, soak under full CPU load", {"S1", "soak", "false_deaths"}, "", Better::none});
    for (const char* n : {"2", "3"}) {
        out.push_back({std::string("S2 throughput, ") + n + " nodes", {"S2", n, "msgs_per_s"}, "msg/s", Better::higher});
        out.push_back({std::string("S2 lost, ") + n + " nodes", {"S2", n, "lost"}, "", Better::none});
    }
    out.push_back({"S3 round trip p50", {"S3", "p50_us"}, "µs", Better::lower});
    out.push_back({"S3 round trip p99", {"S3", "p99_us"}, "µs", Better::lower});
    for (const auto& t : timings) {
        const std::string ka = t.substr(0, t.find('/'));
        out.push_back({"S4 RSS per node, keepalive " + ka + " ms", {"S4", t, "rss_mib"}, "MiB", Better::lower});
        out.push_back({"S4 PSS per node, keepalive " + ka + " ms", {"S4", t, "pss_mib"}, "MiB", Better::lower});
        out.push_back({"S4 private memory per node, keepalive " + ka + " ms", {"S4", t, "private_mib"}, "MiB", Better::lower});
        out.push_back({"S4 processes per node, keepalive " + ka + " ms", {"S4", t, "processes"}, "", Better::none});
        out.push_back({"S4 idle CPU per node, keepalive " + ka + " ms", {"S4", t, "cpu_pct"}, "%", Better::lower});
    }
    out.push_back({"S5 node_status (CPG: cpg_local_get)", {"S5", "a_us"}, "µs", Better::lower});
    out.push_back({"S5 get_parameter (CPG: cpg_membership_get)", {"S5", "b_us"}, "µs", Better::lower});
    for (const auto& n : sizes) {
        out.push_back({"S6 " + n + " nodes: converge", {"S6", n, "converge_s"}, "s", Better::lower});
        out.push_back({"S6 " + n + " nodes: CPU per daemon", {"S6", n, "cpu_pct_mean"}, "%", Better::lower});
        out.push_back({"S6 " + n + " nodes: RSS per daemon", {"S6", n, "rss_mib_mean"}, "MiB", Better::lower});
    }
    out.push_back({"S7 setting", {"S7", "setting"}, "", Better::none});
    for (const char* what : {"failover", "switchover"}) {
        const std::string w = what;
        const std::string label = "S7 " + w + (w == "failover" ? " after SIGKILL, " : " (graceful), ");
        for (const char* p : {"min_ms", "median_ms", "p99_ms", "max_ms"}) {
            const std::string stat(p, std::string(p).find('_'));
            out.push_back({label + stat, {"S7", w, p}, "ms", Better::lower});
        }
        out.push_back({label + "trials", {"S7", w, "n"}, "", Better::none});
    }
    out.push_back({"S7 false failovers, soak under full CPU load", {"S7", "soak", "false_failovers"}, "", Better::none});
    out.push_back({"S7 soak seconds", {"S7", "soak", "seconds"}, "s", Better::none});
    for (const auto& f : faults) {
        out.push_back({"S8 " + f + ": delivered", {"S8", f, "msgs_per_s"}, "msg/s", Better::higher});
        out.push_back({"S8 " + f + ": lost", {"S8", f, "lost"}, "", Better::none});
        out.push_back({"S8 " + f + ": dup", {"S8", f, "dup"}, "", Better::none});
        out.push_back({"S8 " + f + ": reordered", {"S8", f, "reordered"}, "", Better::none});
        out.push_back({"S8 " + f + ": false deaths", {"S8", f, "false_deaths"}, "", Better::none});
    }
    return out;
}

// The figure, or the reason it is missing ("failed: ...", "not run").
struct Cell {
    std::optional<double> value;
    std::string why;
};

Cell cell(const Json& run, const std::vector<std::string>& path) {
    const Json* j = &run["results"];
    for (const auto& key : path) {
        if (j->is_object() && j->contains("error")) return {std::nullopt, "failed: " + (*j)["error"].get<std::string>()};
        if (!j->is_object() || !j->contains(key)) return {std::nullopt, "not run"};
        j = &(*j)[key];
    }
    if (j->is_string()) return {std::nullopt, j->get<std::string>()};  // a setting: shown as it is
    if (!j->is_number()) return {std::nullopt, "n/a"};
    return {j->get<double>(), ""};
}

std::string format(double v) {
    char buf[64];
    if (v == 0 || std::abs(v) >= 100) std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (std::abs(v) >= 10) std::snprintf(buf, sizeof buf, "%.1f", v);
    else std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string shown(const Cell& c, const std::string& unit) {
    if (!c.value) return c.why;
    return format(*c.value) + (unit.empty() ? "" : " " + unit);
}

// How many times better ours is (> 1: ours ahead).
std::string ratio(const Cell& ours, const Cell& other, Better better) {
    if (better == Better::none || !ours.value || !other.value || *ours.value <= 0 || *other.value <= 0) return "";
    const double r = better == Better::lower ? *other.value / *ours.value : *ours.value / *other.value;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1fx", r);
    return buf;
}

std::string system_name(const Json& run) { return run.value("system", std::string("?")); }

// The targets, judged on the figures: {target, ours' figure, met}.
std::vector<std::array<std::string, 3>> targets(const std::vector<Json>& runs) {
    std::vector<std::array<std::string, 3>> out;
    const Json& ours = runs.front();
    auto find = [&](const std::string& name) -> const Json* {
        for (const auto& r : runs)
            if (system_name(r) == name) return &r;
        return nullptr;
    };
    auto judge = [&](const std::string& what, const Cell& c, const std::string& unit, const std::function<bool(double)>& ok) {
        if (c.why == "not run") return;
        out.push_back({what, shown(c, unit), c.value ? (ok(*c.value) ? "met" : "**missed**") : "not measured"});
    };
    const Json& s1 = ours["results"].value("S1", Json::object());
    for (auto it = s1.begin(); it != s1.end(); ++it) {
        if (it.key() == "soak" || !it->is_object() || !it->contains("deadtime_ms")) continue;
        const double dt = (*it)["deadtime_ms"].get<double>();
        judge("S1 p99 <= deadtime + 10 ms at " + it.key() + " ms", cell(ours, {"S1", it.key(), "p99_ms"}), "ms",
              [dt](double v) { return v <= dt + 10; });
    }
    judge("S1 zero false deaths under full CPU load", cell(ours, {"S1", "soak", "false_deaths"}), "",
          [](double v) { return v == 0; });
    for (const char* n : {"2", "3"}) {
        const Cell mine = cell(ours, {"S2", n, "msgs_per_s"});
        if (const Json* cs = find("corosync")) {
            const Cell theirs = cell(*cs, {"S2", n, "msgs_per_s"});
            if (theirs.value)
                judge(std::string("S2 >= 2x Corosync CPG, ") + n + " nodes (" + format(*theirs.value) + " msg/s)", mine,
                      "msg/s", [&](double v) { return v >= 2 * *theirs.value; });
        }
        if (const Json* hb = find("heartbeat3")) {
            const Cell theirs = cell(*hb, {"S2", n, "msgs_per_s"});
            if (theirs.value)
                judge(std::string("S2 >= 10x heartbeat 3.0.6, ") + n + " nodes (" + format(*theirs.value) + " msg/s)", mine,
                      "msg/s", [&](double v) { return v >= 10 * *theirs.value; });
        }
        judge(std::string("S2 no loss, ") + n + " nodes", cell(ours, {"S2", n, "lost"}), "", [](double v) { return v == 0; });
    }
    if (const Json* cs = find("corosync")) {
        const Cell theirs = cell(*cs, {"S3", "p50_us"});
        if (theirs.value)
            judge("S3 p50 <= half of Corosync's (" + format(*theirs.value) + " µs)", cell(ours, {"S3", "p50_us"}), "µs",
                  [&](double v) { return v <= *theirs.value / 2; });
    }
    const Json& s4 = ours["results"].value("S4", Json::object());
    for (auto it = s4.begin(); it != s4.end(); ++it) {
        judge("S4 RSS <= 8 MB per daemon, keepalive " + it.key().substr(0, it.key().find('/')) + " ms",
              cell(ours, {"S4", it.key(), "rss_mib"}), "MiB", [](double v) { return v * 1.048576 <= 8; });
        if (it.key().rfind("1000/", 0) == 0)
            judge("S4 idle CPU <= 0.2% at keepalive 1 s", cell(ours, {"S4", it.key(), "cpu_pct"}), "%",
                  [](double v) { return v <= 0.2; });
    }
    judge("S7 failover p99 <= 100 ms", cell(ours, {"S7", "failover", "p99_ms"}), "ms", [](double v) { return v <= 100; });
    judge("S7 switchover p99 <= 30 ms", cell(ours, {"S7", "switchover", "p99_ms"}), "ms", [](double v) { return v <= 30; });
    judge("S7 zero false failovers under full CPU load", cell(ours, {"S7", "soak", "false_failovers"}), "",
          [](double v) { return v == 0; });
    judge("S5 node_status <= 10 µs per call", cell(ours, {"S5", "a_us"}), "µs", [](double v) { return v <= 10; });
    judge("S5 get_parameter <= 10 µs per call", cell(ours, {"S5", "b_us"}), "µs", [](double v) { return v <= 10; });
    const Json& s6 = ours["results"].value("S6", Json::object());
    for (auto it = s6.begin(); it != s6.end(); ++it) {
        judge("S6 " + it.key() + " daemons converge, <= 1% CPU each at keepalive 1 s", cell(ours, {"S6", it.key(), "cpu_pct_mean"}),
              "%", [](double v) { return v <= 1; });
    }
    return out;
}

}  // namespace

std::string table(const Json& run) {
    std::string out = "hbbench: " + run.value("version", system_name(run)) + "\n";
    std::vector<Json> runs{run};
    for (const Row& r : rows(runs)) {
        const Cell c = cell(run, r.path);
        if (c.why == "not run") continue;
        char line[256];
        std::snprintf(line, sizeof line, "  %-52s %s\n", r.label.c_str(), shown(c, r.unit).c_str());
        out += line;
    }
    return out;
}

std::string markdown(const std::vector<Json>& runs) {
    std::string out;
    for (const auto& run : runs) out += "- " + system_name(run) + ": " + run.value("version", std::string("?")) + "\n";
    out += "\n| figure |";
    for (const auto& run : runs) out.append(" ").append(system_name(run)).append(" |");
    for (std::size_t i = 1; i < runs.size(); ++i) out += " ours vs " + system_name(runs[i]) + " |";
    out += "\n|---|";
    for (std::size_t i = 0; i < 2 * runs.size() - 1; ++i) out += "---|";
    out += "\n";
    for (const Row& r : rows(runs)) {
        if (std::all_of(runs.begin(), runs.end(), [&](const Json& run) { return cell(run, r.path).why == "not run"; })) continue;
        out += "| " + r.label + " |";
        std::vector<Cell> cells;
        for (const auto& run : runs) {
            cells.push_back(cell(run, r.path));
            out.append(" ").append(shown(cells.back(), r.unit)).append(" |");
        }
        for (std::size_t i = 1; i < runs.size(); ++i) out.append(" ").append(ratio(cells[0], cells[i], r.better)).append(" |");
        out += "\n";
    }
    out += "\nRatios: how many times better ours is (above 1: ours is ahead).\n\n| target | ours | |\n|---|---|---|\n";
    for (const auto& t : targets(runs)) out += "| " + t[0] + " | " + t[1] + " | " + t[2] + " |\n";
    return out;
}

}  // namespace hbbench

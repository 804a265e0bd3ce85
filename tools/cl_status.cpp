// cl_status: the cluster status tool of heartbeat 3.0.6 (/usr/bin/cl_status), on the C++ client API.
//
//   cl_status <sub-command> [-m] [-v] [-p] [-n] [<arguments>] [--json] [--socket PATH]
//
// The sub-commands, their flags, what they print on stdout and their exit codes are heartbeat
// 3.0.6's, byte for byte: tests/integration/cl_status_test.sh runs Debian's cl_status beside this
// one against the same daemon. Ours on top: --json (one JSON document on stdout, same exit code),
// --socket PATH (else $HA_API_SOCKET, else heartbeat's path), the sub-commands numnodes and
// counters, and `parameter` as a name for hbparameter (the name 3.0.6's man page gives it).
#include <sys/utsname.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "heartbeat/client.hpp"

namespace {

// heartbeat's exit codes (spec §4.4).
constexpr int kOk = 0;
constexpr int kNormalFail = 1;  // down, dead, offline, stopped
constexpr int kJoin = 2;
constexpr int kLeave = 3;
constexpr int kParameterError = 11;
constexpr int kTimeout = 12;
constexpr int kUnknownError = 13;

// heartbeat gives a daemon that does not answer this long for the whole run, then exits kTimeout.
constexpr unsigned kAlarmSeconds = 5;
// clientstatus waits this long for a peer's answer unless told otherwise (heartbeat's default).
constexpr int kClientStatusTimeoutMs = 500;

const char kUsage[] =
    "usage: cl_status <sub-command> [options] [arguments]\n"
    "\n"
    "Asks the local heartbeat daemon about the cluster (a drop-in for heartbeat 3.0.6's cl_status).\n"
    "\n"
    "  hbstatus [-v]                      is heartbeat running here? -v: version, resource manager,\n"
    "                                     then listnodes -v\n"
    "  listnodes [-v] [-p|-n]             the nodes; -p ping nodes only, -n normal nodes only,\n"
    "                                     -v with status, type and listhblinks -v of each\n"
    "  nodestatus <node>                  init, up, active, dead, ... (exit 1 unless up, active, ping)\n"
    "  nodetype <node>                    normal, ping or unknown\n"
    "  nodeweight <node>                  the node's weight\n"
    "  nodesite <node>                    the node's site\n"
    "  numnodes                           how many normal nodes the cluster has\n"
    "  listhblinks [-v] <node>            the node's heartbeat links; -v with their status\n"
    "  hblinkstatus <node> <link>         up or dead (exit 1)\n"
    "  clientstatus <node> <client> [ms]  online or offline (exit 1); waits at most ms (500)\n"
    "  rscstatus                          resources held here: none, local, foreign, all\n"
    "  hbparameter -p <name>              a parameter's value as ha.cf has it (alias: parameter)\n"
    "  counters                           (ours) the daemon's live counters; with --json also each\n"
    "                                     peer's, link's and client's figures\n"
    "  children                           (ours) the respawn/failfast children: state, pid,\n"
    "                                     restarts, last exit\n"
    "\n"
    "options:\n"
    "  -m             whole sentences for people instead of bare values\n"
    "  --json         one JSON document on stdout instead; the exit code stays the same\n"
    "  --socket PATH  the daemon's API socket (default $HA_API_SOCKET, else\n"
    "                 /var/run/heartbeat/register)\n"
    "\n"
    "exit codes: 0 ok, 1 stopped/dead/offline, 2 join, 3 leave, 11 bad arguments, 12 timeout,\n"
    "13 other errors\n";

// With --json, what the alarm handler prints: it may only write(2), so the text is ready before.
const char kTimeoutJson[] = "{\"error\":\"no answer from the heartbeat daemon in time\"}\n";
volatile std::sig_atomic_t g_json_output = 0;

void on_alarm(int) {
    if (g_json_output) {
        [[maybe_unused]] const ssize_t n = ::write(STDOUT_FILENO, kTimeoutJson, sizeof kTimeoutJson - 1);
    }
    _exit(kTimeout);
}

// What printf("%s", NULL) shows, which heartbeat prints where the daemon gave no answer.
std::string or_null(const hb::Result<std::string>& r) { return r ? *r : "(null)"; }
nlohmann::json json_or_null(const hb::Result<std::string>& r) { return r ? nlohmann::json(*r) : nlohmann::json(); }

// Where a run's results go: heartbeat's lines on stdout, or (--json) one document at the end.
// Complaints go to stderr either way; with --json the first one is also the document's "error".
class Report {
public:
    explicit Report(bool json) : json_(json) {}
    nlohmann::json& doc() { return doc_; }

    // One line of heartbeat's text output.
    void line(const std::string& text) {
        if (!json_) std::printf("%s\n", text.c_str());
    }
    // A complaint heartbeat prints with fprintf(stderr).
    void plain_error(const std::string& text) {
        std::fprintf(stderr, "%s\n", text.c_str());
        note_error(text);
    }
    // A complaint heartbeat prints through cl_log: its stderr line format, priority ERROR.
    void log_error(const std::string& text) {
        std::fprintf(stderr, "%s cl_status: [%d]: ERROR: %s\n", log_prefix().c_str(), static_cast<int>(getpid()),
                     text.c_str());
        note_error(text);
    }
    // heartbeat's second line after a failed library call: the library's reason.
    void log_reason(const std::string& reason) {
        log_error("REASON: " + reason);
        if (json_ && !reason.empty()) doc_["reason"] = reason;
    }
    void finish() {
        if (!json_) return;
        if (doc_.is_null()) doc_ = nlohmann::json::object();
        const auto text = doc_.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        std::printf("%s\n", text.c_str());
    }

private:
    void note_error(const std::string& text) {
        if (json_ && !doc_.contains("error")) doc_["error"] = text;
    }
    // cl_log's stderr lines start like syslog's: "Dec 01 07:13:50 host".
    static std::string log_prefix() {
        char stamp[32] = "";
        const std::time_t now = std::time(nullptr);
        std::tm local{};
        localtime_r(&now, &local);
        std::strftime(stamp, sizeof stamp, "%b %d %H:%M:%S", &local);
        utsname u{};
        uname(&u);
        return std::string(stamp) + " " + u.nodename;
    }

    bool json_;
    nlohmann::json doc_;
};

// A sub-command's arguments as heartbeat reads them: getopt(argc-1, argv+1, optstring), so
// getopt's argv[0] is the sub-command's name (its complaints start with it), GNU getopt lets
// options and operands mix, and the operands are what is left from optind on. Using libc's
// getopt keeps every corner (bundled flags, -pVALUE, --, the complaints) as heartbeat has it.
class SubArgs {
public:
    SubArgs(const std::string& name, const std::vector<std::string>& args) : storage_{name} {
        storage_.insert(storage_.end(), args.begin(), args.end());
        for (auto& s : storage_) argv_.push_back(s.data());
        argv_.push_back(nullptr);
    }
    // argv_ points into storage_: not to be copied.
    SubArgs(const SubArgs&) = delete;
    SubArgs& operator=(const SubArgs&) = delete;
    // The next option character, '?' for a bad one (getopt complained), -1 after the last.
    int next(const char* optstring) { return ::getopt(argc(), argv_.data(), optstring); }
    const char* value() const { return ::optarg; }
    // Valid once next() returned -1.
    std::vector<std::string> operands() const {
        std::vector<std::string> out;
        for (int i = ::optind; i < argc(); ++i) out.emplace_back(argv_[static_cast<std::size_t>(i)]);
        return out;
    }

private:
    int argc() const { return static_cast<int>(storage_.size()); }

    std::vector<std::string> storage_;
    std::vector<char*> argv_;
};

// One run of one sub-command.
struct Run {
    hb::Cluster* hb = nullptr;  // null when sign-on failed (only hbstatus runs then)
    std::string signon_error;
    SubArgs args;
    Report& out;
    bool human = false;  // -m (heartbeat's FOR_HUMAN_READ)
};

// The options of sub-commands that only know -m. False (and a complaint) on any other. The
// complaints are heartbeat's words, its missing space included: scripts may look for them.
bool simple_options(Run& r) {
    for (int c; (c = r.args.next("m")) != -1;) {
        if (c != 'm') {
            r.out.log_error(std::string("Error: getopt returnedcharacter ") + static_cast<char>(c) + ".");
            return false;
        }
        r.human = true;
    }
    return true;
}

// The options of sub-commands with more than -m: heartbeat's complaint differs.
void bad_option(Run& r, int c) {
    r.out.log_error(std::string("Error: getopt returnedcharacter code ") + static_cast<char>(c) + ".");
}

// heartbeat's node and link walks hand out the daemon's replies last first (its library
// prepends each to a list), and cl_status prints in walk order; hb::Cluster keeps reply order.
std::vector<std::string> walk_order(std::vector<std::string> names) {
    std::reverse(names.begin(), names.end());
    return names;
}

// heartbeat's cl_str_to_boolean: nullopt for anything that is not one of its boolean words.
std::optional<bool> parse_boolean(std::string_view s) {
    auto is = [&](std::string_view w) {
        return s.size() == w.size() && std::equal(s.begin(), s.end(), w.begin(), [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a)) == b;
               });
    };
    if (is("true") || is("on") || is("yes") || is("y") || is("1")) return true;
    if (is("false") || is("off") || is("no") || is("n") || is("0")) return false;
    return std::nullopt;
}

std::optional<std::string> parameter_or_none(hb::Cluster& hb, std::string_view name) {
    auto v = hb.parameter(name);
    return v ? *v : std::nullopt;
}

struct ResourceManager {
    bool pacemaker = false;
    std::optional<std::string> setting;  // the `pacemaker` parameter as the daemon gave it
};

// heartbeat asks for `pacemaker` (older daemons: `crm`); every value that is not a plain boolean
// (respawn, manual, ...), and no value at all, counts as pacemaker on.
ResourceManager resource_manager(hb::Cluster& hb) {
    ResourceManager m;
    m.setting = parameter_or_none(hb, "pacemaker");
    if (!m.setting) m.setting = parameter_or_none(hb, "crm");
    const auto on = m.setting ? parse_boolean(*m.setting) : std::nullopt;
    m.pacemaker = on.value_or(true);
    return m;
}

// The links of one node, as listhblinks prints them (also inside listnodes -v).
int list_links(Run& r, const std::string& node, bool verbose, nlohmann::json& into) {
    auto links = r.hb->links(node);
    if (!links) {
        r.out.log_error("Cannot start heartbeat link interface walk.");
        r.out.log_reason(links.error());
        return kUnknownError;
    }
    if (r.human) r.out.line("\tthis node has the following heartbeat links:");
    into = nlohmann::json::array();
    for (const auto& link : walk_order(std::move(*links))) {
        if (!verbose) {
            r.out.line("\t" + link);
            into.push_back(link);
            continue;
        }
        const auto st = r.hb->link_status(node, link);
        r.out.line("\t" + link + "\t" + or_null(st));
        into.push_back({{"link", link}, {"status", json_or_null(st)}});
    }
    return kOk;
}

// The nodes, as listnodes prints them (also the end of hbstatus -v).
int list_nodes(Run& r, bool normal_only, bool ping_only, bool verbose, nlohmann::json& into) {
    auto nodes = r.hb->nodes();
    if (!nodes) {
        r.out.log_error("Cannot start node walk.");
        r.out.log_reason(nodes.error());
        return kUnknownError;
    }
    if (normal_only && ping_only) normal_only = ping_only = false;  // both: all, as heartbeat
    if (r.human) r.out.line("The nodes are as follow:");
    into = nlohmann::json::array();
    for (const auto& node : walk_order(std::move(*nodes))) {
        if (normal_only || ping_only) {
            const auto type = r.hb->node_type(node);
            if (!type || *type != (normal_only ? "normal" : "ping")) continue;
        }
        if (!verbose) {
            r.out.line(node);
            into.push_back(node);
            continue;
        }
        const auto st = r.hb->node_status(node);
        const auto type = r.hb->node_type(node);
        r.out.line("\n" + node + "\t" + or_null(st) + "\t(nodetype: " + or_null(type) + ")");
        nlohmann::json links;
        list_links(r, node, true, links);  // heartbeat goes on with the next node after a failure
        into.push_back({{"node", node}, {"status", json_or_null(st)}, {"type", json_or_null(type)}, {"links", links}});
    }
    return kOk;
}

// ----- the sub-commands --------------------------------------------------------------------

int hbstatus(Run& r) {
    bool verbose = false;
    for (int c; (c = r.args.next("mv")) != -1;) {  // heartbeat ignores other options here
        if (c == 'm') r.human = true;
        if (c == 'v') verbose = true;
    }
    auto& doc = r.out.doc();
    if (!r.hb) {
        // heartbeat says "apparently running, but refuses my connection" only when a refusal
        // told it the deadtime; no refusal does (ours carries result and info only).
        r.out.line("Heartbeat is stopped on this machine.");
        doc = {{"running", false}, {"status", "stopped"}};
        if (verbose && !r.signon_error.empty()) {
            r.out.line("(" + r.signon_error + ")");
            doc["reason"] = r.signon_error;
        }
        return kNormalFail;
    }
    doc = {{"running", true}, {"status", "running"}};
    if (!verbose) {
        r.out.line("Heartbeat is running on this machine.");
        return kOk;
    }
    const auto version = parameter_or_none(*r.hb, "hbversion");
    const auto manager = resource_manager(*r.hb);
    if (r.human) {
        r.out.line(version ? "Heartbeat version " + *version : "Heartbeat is running on this machine.");
        r.out.line(manager.pacemaker ? "Resources controlled by Pacemaker."
                                     : "Resources controlled by \"haresources\"");
    } else {
        r.out.line("version:\t" + version.value_or("unknown"));
        r.out.line(manager.pacemaker ? "managed by:\tpacemaker\t(" + manager.setting.value_or("(null)") + ")"
                                     : "managed by:\t\"haresources\"");
    }
    doc["version"] = version ? nlohmann::json(*version) : nlohmann::json();
    doc["managed_by"] = manager.pacemaker ? "pacemaker" : "haresources";
    doc["pacemaker"] = manager.setting ? nlohmann::json(*manager.setting) : nlohmann::json();
    // heartbeat 3.0.6 shows the CCM membership here when a ccm runs; our daemon has none.
    nlohmann::json nodes;
    if (list_nodes(r, false, false, true, nodes) == kOk) doc["nodes"] = nodes;
    return kOk;  // whatever the node walk did, as heartbeat
}

int listnodes(Run& r) {
    bool verbose = false, ping_only = false, normal_only = false;
    for (int c; (c = r.args.next("mpnv")) != -1;) {
        switch (c) {
            case 'm': r.human = true; break;
            case 'v': verbose = true; break;
            case 'p': ping_only = true; break;
            case 'n': normal_only = true; break;
            default: bad_option(r, c); return kParameterError;
        }
    }
    nlohmann::json nodes;
    const int rc = list_nodes(r, normal_only, ping_only, verbose, nodes);
    if (rc == kOk) r.out.doc()["nodes"] = nodes;
    return rc;
}

// The first operand, or a complaint in the sub-command's own words.
std::optional<std::string> node_operand(Run& r, const char* missing) {
    auto ops = r.args.operands();
    if (ops.empty()) {
        r.out.plain_error(missing);
        return std::nullopt;
    }
    return ops[0];
}

int nodestatus(Run& r) {
    if (!simple_options(r)) return kParameterError;
    const auto node = node_operand(r, "Not enough parameters.");
    if (!node) return kParameterError;
    const auto st = r.hb->node_status(*node);
    if (!st) {
        r.out.plain_error("Error. May be due to incorrect node name");
        return kParameterError;
    }
    r.out.line(r.human ? "The cluster node " + *node + " is " + *st : *st);
    r.out.doc() = {{"node", *node}, {"status", *st}};
    return *st == "active" || *st == "up" || *st == "ping" ? kOk : kNormalFail;
}

int nodeweight(Run& r) {
    if (!simple_options(r)) return kParameterError;
    const auto node = node_operand(r, "Not enough parameters.");
    if (!node) return kParameterError;
    const auto weight = r.hb->node_weight(*node);
    if (!weight || *weight == -1) {  // -1 is heartbeat's "no such node"
        r.out.plain_error("Error. Maybe due to incorrect node name.");
        return kParameterError;
    }
    const std::string w = std::to_string(*weight);
    r.out.line(r.human ? "The weight of the cluster node " + *node + " is " + w : w);
    r.out.doc() = {{"node", *node}, {"weight", *weight}};
    return kOk;
}

int nodesite(Run& r) {
    if (!simple_options(r)) return kParameterError;
    const auto node = node_operand(r, "Not enough parameters.");
    if (!node) return kParameterError;
    const auto site = r.hb->node_site(*node);
    if (!site) {
        r.out.plain_error("Error. May be due to incorrect node name");
        return kParameterError;
    }
    r.out.line(r.human ? "The site of the cluster node " + *node + " is " + *site : *site);
    r.out.doc() = {{"node", *node}, {"site", *site}};
    return kOk;
}

int nodetype(Run& r) {
    if (!simple_options(r)) return kParameterError;
    const auto node = node_operand(r, "No enough parameter.");
    if (!node) return kParameterError;
    const auto type = r.hb->node_type(*node);
    if (!type) {
        r.out.plain_error("Error. May be due to incorrect node name");
        return kParameterError;
    }
    r.out.line(r.human ? "The node " + *node + "'s type: " + *type : *type);
    r.out.doc() = {{"node", *node}, {"type", *type}};
    return kOk;
}

// Ours: heartbeat 3.0.6's cl_status has no numnodes (its API has get_num_nodes).
int numnodes(Run& r) {
    if (!simple_options(r)) return kParameterError;
    const auto n = r.hb->num_nodes();
    if (!n) {
        r.out.log_error("Cannot get the number of nodes");
        r.out.log_reason(n.error());
        return kUnknownError;
    }
    r.out.line(r.human ? "The cluster has " + std::to_string(*n) + " normal nodes" : std::to_string(*n));
    r.out.doc() = {{"numnodes", *n}};
    return kOk;
}

int listhblinks(Run& r) {
    bool verbose = false;
    for (int c; (c = r.args.next("mv")) != -1;) {
        switch (c) {
            case 'm': r.human = true; break;
            case 'v': verbose = true; break;
            default: bad_option(r, c); return kParameterError;
        }
    }
    const auto node = node_operand(r, "No enough parameter.");
    if (!node) return kParameterError;
    nlohmann::json links;
    const int rc = list_links(r, *node, verbose, links);
    r.out.doc()["node"] = *node;
    if (rc == kOk) r.out.doc()["links"] = links;
    return rc;
}

int hblinkstatus(Run& r) {
    if (!simple_options(r)) return kParameterError;
    const auto ops = r.args.operands();
    if (ops.size() < 2) {
        r.out.plain_error("No enough parameter.");
        return kParameterError;
    }
    const std::string& node = ops[0];
    const std::string& link = ops[1];
    const auto st = r.hb->link_status(node, link);
    if (!st) {
        r.out.log_error("Cannot get heartbeat link status");
        r.out.log_reason(st.error());
        return kUnknownError;
    }
    r.out.line(r.human ? "The node " + node + "'s heartbeat link " + link + " is " + *st : *st);
    r.out.doc() = {{"node", node}, {"link", link}, {"status", *st}};
    return *st == "up" ? kOk : kNormalFail;
}

int clientstatus(Run& r) {
    if (!simple_options(r)) return kParameterError;  // -m changes nothing here, as in heartbeat
    const auto ops = r.args.operands();
    if (ops.size() < 2) {
        r.out.plain_error("No enough parameter.");
        return kParameterError;
    }
    const std::string& node = ops[0];
    const std::string& client = ops[1];
    // heartbeat reads the timeout with atoi: junk is 0, which means "do not wait".
    const int timeout_ms = ops.size() > 2 ? std::atoi(ops[2].c_str()) : kClientStatusTimeoutMs;
    const auto st = r.hb->client_status(node, client, timeout_ms);
    if (!st) {
        r.out.log_error("Cannot get heartbeat client " + client + "'s status");
        r.out.log_reason(st.error());
        return kUnknownError;
    }
    r.out.line(*st);
    r.out.doc() = {{"node", node}, {"client", client}, {"status", *st}};
    if (*st == "online") return kOk;
    if (*st == "offline") return kNormalFail;
    if (*st == "join") return kJoin;
    if (*st == "leave") return kLeave;
    return kUnknownError;
}

int rscstatus(Run& r) {
    if (!simple_options(r)) return kParameterError;
    if (resource_manager(*r.hb).pacemaker) {
        r.out.log_error("Cannot get cluster resource status of a pacemaker cluster; try crm_mon");
        return kNormalFail;
    }
    const auto held = r.hb->resources();
    if (!held) {
        r.out.log_error("Cannot get cluster resource status");
        r.out.log_reason(held.error());
        return kUnknownError;
    }
    r.out.line(r.human ? "This node is holding " + *held + " resources." : *held);
    r.out.doc() = {{"resources", *held}};
    // Ours beyond heartbeat's one word: every group and its state here (daemons of ours only).
    if (auto details = r.hb->resource_details()) {
        auto parsed = nlohmann::json::parse(*details, nullptr, false);
        if (!parsed.is_discarded()) r.out.doc()["details"] = std::move(parsed);
    }
    return kOk;
}

// Ours: a daemon of ours reports its live figures (status_report.cpp); heartbeat 3.0.6 has none.
// Plain: one "section.name value" line per counter; --json: the daemon's whole document.
int counters(Run& r) {
    if (!simple_options(r)) return kParameterError;
    const auto report = r.hb->counters();
    if (!report) {
        r.out.log_error("Cannot get the daemon's counters (a heartbeat of ours only)");
        r.out.log_reason(report.error());
        return kUnknownError;
    }
    auto doc = nlohmann::json::parse(*report, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        r.out.log_error("The daemon's counters are not a JSON document");
        return kUnknownError;
    }
    for (const char* section : {"counters", "api"}) {
        if (!doc.contains(section) || !doc[section].is_object()) continue;
        for (const auto& [name, value] : doc[section].items()) r.out.line(std::string(section) + "." + name + " " + value.dump());
    }
    r.out.doc() = std::move(doc);
    return kOk;
}

// Ours: the supervised children from the counters document, one line each (--json: the array).
int children(Run& r) {
    if (!simple_options(r)) return kParameterError;
    const auto report = r.hb->counters();
    auto doc = report ? nlohmann::json::parse(*report, nullptr, false) : nlohmann::json();
    if (!report || !doc.is_object() || !doc.contains("children") || !doc["children"].is_array()) {
        r.out.log_error("Cannot get the daemon's children (a heartbeat of ours only)");
        if (!report) r.out.log_reason(report.error());
        return kUnknownError;
    }
    for (const auto& c : doc["children"]) {
        std::string line = c.value("command", "?") + ": " + c.value("state", "?");
        line += ", pid " + std::to_string(c.value("pid", 0));
        line += ", restarts " + std::to_string(c.value("restarts", 0));
        const std::string last = c.value("last_exit", "");
        if (!last.empty()) line += ", last " + last;
        r.out.line(line);
    }
    r.out.doc() = {{"children", doc["children"]}};
    return kOk;
}

int hbparameter(Run& r) {
    std::optional<std::string> name;
    for (int c; (c = r.args.next("mp:")) != -1;) {
        switch (c) {
            case 'm': r.human = true; break;
            case 'p': name = r.args.value(); break;  // the last -p wins, as in heartbeat
            default: bad_option(r, c); return kParameterError;
        }
    }
    if (!name) {
        r.out.log_error("parameter name required");
        return kParameterError;
    }
    const auto value = r.hb->parameter(*name);
    if (!value || !*value) {
        r.out.log_error("Cannot get parameter " + *name + "'s value");
        r.out.log_reason(value ? std::string() : value.error());  // heartbeat's reason is empty here
        return kNormalFail;
    }
    r.out.line(r.human ? "Heartbeat parameter " + *name + "'s value: " + **value : **value);
    r.out.doc() = {{"parameter", *name}, {"value", **value}};
    return kOk;
}

// heartbeat's undocumented self-test: what sign-on told us, and the resources.
int selftest(Run& r) {
    const auto held = r.hb->resources();
    r.out.line("Dead time: " + std::to_string(r.hb->deadtime_ms()));
    r.out.line(" keeplive time: " + std::to_string(r.hb->keepalive_ms()));
    r.out.line(" mynodeid: " + r.hb->node());
    r.out.line(" rsc: " + or_null(held));
    r.out.doc() = {{"deadtime_ms", r.hb->deadtime_ms()},
                   {"keepalive_ms", r.hb->keepalive_ms()},
                   {"node", r.hb->node()},
                   {"resources", json_or_null(held)}};
    return kOk;
}

struct SubCommand {
    std::string_view name;
    int (*run)(Run&);
    bool needs_signon;  // hbstatus runs (and reports) without
};

constexpr SubCommand kSubCommands[] = {
    {"hbstatus", hbstatus, false},        {"listnodes", listnodes, true},     {"nodestatus", nodestatus, true},
    {"nodeweight", nodeweight, true},     {"nodesite", nodesite, true},       {"nodetype", nodetype, true},
    {"numnodes", numnodes, true},         {"listhblinks", listhblinks, true}, {"hblinkstatus", hblinkstatus, true},
    {"clientstatus", clientstatus, true}, {"rscstatus", rscstatus, true},     {"hbparameter", hbparameter, true},
    {"parameter", hbparameter, true},     {"test", selftest, true},        {"counters", counters, true},
    {"children", children, true},
};

const SubCommand* find_subcommand(std::string_view name) {
    for (const auto& s : kSubCommands) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

// Our own options, anywhere before a "--"; everything else, in order, is heartbeat's command line.
struct OwnOptions {
    bool json = false;
    bool help = false;
    std::string socket;
    std::vector<std::string> rest;
};

std::optional<OwnOptions> parse_own_options(int argc, char** argv, std::string& error) {
    OwnOptions o;
    CLI::App app{"cl_status"};
    app.set_help_flag();  // heartbeat's -h is handled below, like heartbeat does
    app.allow_extras();
    app.add_flag("--json", o.json);
    app.add_flag("--help", o.help);
    app.add_option("--socket", o.socket);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        error = e.what();
        return std::nullopt;
    }
    o.rest = app.remaining();
    return o;
}

// heartbeat prints its usage for no arguments or a lone -h.
bool wants_usage(const OwnOptions& o) {
    return o.help || o.rest.empty() || (o.rest.size() == 1 && o.rest[0] == "-h");
}

int run(const OwnOptions& o, Report& out) {
    const SubCommand* sub = find_subcommand(o.rest[0]);
    if (!sub) {
        out.log_error(o.rest[0] + ": invalid sub-command.");
        return kParameterError;
    }
    // A casual client (empty id), as heartbeat's cl_status signs on.
    auto hb = hb::Cluster::signon({}, o.socket);
    if (!hb && sub->needs_signon) {
        out.log_error("Cannot signon with heartbeat");
        out.log_reason(hb.error());
        return kNormalFail;
    }
    Run r{hb ? hb->get() : nullptr, hb ? std::string() : hb.error(),
          SubArgs(o.rest[0], std::vector<std::string>(o.rest.begin() + 1, o.rest.end())), out};
    return sub->run(r);
}

}  // namespace

int main(int argc, char** argv) {
    std::string error;
    const auto own = parse_own_options(argc, argv, error);
    if (!own) {
        std::fprintf(stderr, "cl_status: %s\n", error.c_str());
        if (std::find(argv + 1, argv + argc, std::string_view("--json")) != argv + argc) {
            std::printf("%s\n", nlohmann::json({{"error", error}}).dump().c_str());
        }
        return kParameterError;
    }
    if (wants_usage(*own)) {
        std::fputs(kUsage, stdout);
        return kOk;
    }
    // Whole lines reach stdout as they are made, so a run cut short by the alarm keeps them
    // (heartbeat's exit() flushes them).
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    g_json_output = own->json ? 1 : 0;
    std::signal(SIGALRM, on_alarm);
    alarm(kAlarmSeconds);

    Report out(own->json);
    const int rc = run(*own, out);
    out.finish();
    return rc;
}

#include "config/hacf.hpp"

#include <arpa/inet.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <map>
#include <sstream>

#include "config/stonith_types.hpp"
#include "config/time_value.hpp"

namespace hb::config {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::string> split(std::string_view s, std::string_view separators) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t start = s.find_first_not_of(separators, i);
        if (start == std::string_view::npos) break;
        std::size_t end = s.find_first_of(separators, start);
        if (end == std::string_view::npos) end = s.size();
        out.emplace_back(s.substr(start, end - start));
        i = end;
    }
    return out;
}

std::optional<long> parse_int(std::string_view s) {
    long v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

bool is_ipv4(const std::string& s) {
    in_addr a{};
    return inet_pton(AF_INET, s.c_str(), &a) == 1;
}
bool is_ipv6(const std::string& s) {
    in6_addr a{};
    return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}
bool is_ipv4_multicast(const std::string& s) {
    in_addr a{};
    return inet_pton(AF_INET, s.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 28) == 0xe;
}
bool is_ipv6_multicast(const std::string& s) {
    in6_addr a{};
    return inet_pton(AF_INET6, s.c_str(), &a) == 1 && a.s6_addr[0] == 0xff;
}

// Directives parsed, with what they do; `each` ones apply to every value of a line separately.
enum class Shape { single, each, whole_line };

class Parser {
public:
    Parser(const std::string& file, const std::string& local_node, Config& cfg, Diagnostics& diag)
        : file_(file), local_node_(lower(local_node)), cfg_(cfg), diag_(diag) {}

    void line(int number, std::string_view text);
    void finish(const std::string& local_node, int last_line);

private:
    void error(std::string msg) { diag_.error(file_, line_, std::move(msg)); }
    void warning(std::string msg) { diag_.warning(file_, line_, std::move(msg)); }
    void stonith(const std::string& directive, const std::vector<std::string>& words);
    void not_acted_on(const std::string& directive) {
        warning(directive + ": accepted, not acted on by this version");
    }

    bool time_value(const std::string& directive, const std::string& v, std::int64_t& out) {
        auto ms = parse_time_ms(v);
        if (!ms) {
            error(directive + " '" + v + "' is not a time; write seconds (" + directive + " 2), milliseconds (" +
                  directive + " 500ms) or microseconds (us)");
            return false;
        }
        out = *ms;
        set_[directive] = line_;
        return true;
    }

    bool bool_value(const std::string& directive, const std::string& v, bool& out) {
        auto b = parse_bool(v);
        if (!b) {
            error(directive + " '" + v + "' is not a boolean; use on/off (or yes/no, true/false, 1/0)");
            return false;
        }
        out = *b;
        return true;
    }

    bool int_value(const std::string& directive, const std::string& v, long min, long max, long& out) {
        auto n = parse_int(v);
        if (!n || *n < min || *n > max) {
            error(directive + " '" + v + "' must be a whole number from " + std::to_string(min) + " to " +
                  std::to_string(max));
            return false;
        }
        out = *n;
        return true;
    }

    template <class E>
    bool choice(const std::string& directive, const std::string& v, const std::map<std::string, E>& options, E& out) {
        auto it = options.find(lower(v));
        if (it == options.end()) {
            std::string names;
            for (const auto& [k, e] : options) names += (names.empty() ? "" : ", ") + k;
            error(directive + " '" + v + "' is not one of: " + names);
            return false;
        }
        out = it->second;
        return true;
    }

    void medium(const std::string& directive, const std::vector<std::string>& words);
    void apiauth(const std::vector<std::string>& words);
    void metrics_listen(const std::string& v);
    void value(const std::string& directive, const std::string& v);

    std::string file_;
    std::string local_node_;
    Config& cfg_;
    Diagnostics& diag_;
    int line_ = 0;
    int first_medium_line_ = 0;
    std::map<std::string, int> set_;  // directive -> line where it was set
};

const std::map<std::string, Shape>& directives() {
    static const std::map<std::string, Shape> table = {
        {"node", Shape::each}, {"ping", Shape::each},
        {"keepalive", Shape::single}, {"deadtime", Shape::single}, {"warntime", Shape::single},
        {"initdead", Shape::single}, {"deadping", Shape::single}, {"udpport", Shape::single},
        {"baud", Shape::single}, {"hopfudge", Shape::single}, {"auto_failback", Shape::single},
        {"nice_failback", Shape::single}, {"logfacility", Shape::single}, {"logfile", Shape::single},
        {"debugfile", Shape::single}, {"use_logd", Shape::single}, {"conn_logd_time", Shape::single},
        {"autojoin", Shape::single}, {"uuidfrom", Shape::single}, {"compression", Shape::single},
        {"compression_threshold", Shape::single}, {"traditional_compression", Shape::single},
        {"msgfmt", Shape::single}, {"realtime", Shape::single}, {"rtprio", Shape::single},
        {"memreserve", Shape::single}, {"coredumps", Shape::single}, {"coreroot", Shape::single},
        {"debug", Shape::single}, {"crm", Shape::single}, {"pacemaker", Shape::single},
        {"hbgenmethod", Shape::single}, {"max_rexmit_delay", Shape::single}, {"watchdog", Shape::single},
        {"cluster", Shape::single}, {"log_badpack", Shape::single}, {"syslogmsgfmt", Shape::single},
        {"env", Shape::single}, {"quorum_server", Shape::single}, {"record_config_changes", Shape::single},
        {"record_pengine_inputs", Shape::single}, {"enable_config_writes", Shape::single},
        {"normalpoll", Shape::single}, {"bind", Shape::single}, {"metrics_listen", Shape::single},
        {"resource_start_timeout", Shape::single}, {"resource_stop_timeout", Shape::single},
        {"resource_status_timeout", Shape::single}, {"native_ipaddr", Shape::single},
        {"ucast", Shape::whole_line}, {"ucast6", Shape::whole_line}, {"bcast", Shape::whole_line},
        {"mcast", Shape::whole_line}, {"mcast6", Shape::whole_line}, {"serial", Shape::whole_line},
        {"ping_group", Shape::whole_line}, {"apiauth", Shape::whole_line}, {"respawn", Shape::whole_line},
        {"failfast", Shape::whole_line}, {"stonith", Shape::whole_line}, {"stonith_host", Shape::whole_line},
    };
    return table;
}

void Parser::line(int number, std::string_view text) {
    line_ = number;
    if (auto hash = text.find('#'); hash != std::string_view::npos) text = text.substr(0, hash);
    auto words = split(text, " \t\r");
    if (words.empty()) return;
    const std::string directive = lower(words[0]);
    auto it = directives().find(directive);
    if (it == directives().end()) {
        error("unknown directive '" + words[0] + "'; see man ha.cf for the directives heartbeat knows");
        return;
    }
    std::string rest(text.substr(text.find(words[0]) + words[0].size()));
    rest.erase(0, rest.find_first_not_of(" \t"));
    rest.erase(rest.find_last_not_of(" \t\r") + 1);
    if (it->second == Shape::whole_line) {
        if (directive == "apiauth") return apiauth(words);
        if (directive == "respawn" || directive == "failfast") {
            if (words.size() < 3) return error(directive + " needs a user and a program: " + directive + " hacluster /usr/lib/heartbeat/ipfail");
            std::string command;
            for (std::size_t i = 2; i < words.size(); ++i) command += (i > 2 ? " " : "") + words[i];
            // heartbeat's rules: an absolute program that can be run; ours also wants the user.
            if (words[2].front() != '/') {
                return error(directive + " program '" + words[2] + "' is not an absolute path: write it in full, as " +
                             directive + " hacluster /usr/libexec/heartbeat/ipfail");
            }
            if (access(words[2].c_str(), X_OK) != 0) {
                return error(directive + " program '" + words[2] + "' is not an executable file: install it or fix the path");
            }
            if (!getpwnam(words[1].c_str())) {
                return error(directive + ": no user '" + words[1] + "' to run it as: create the user or name another");
            }
            cfg_.respawn.push_back({words[1], command, directive == "failfast", line_});
            return;
        }
        if (directive == "stonith" || directive == "stonith_host") return stonith(directive, words);
        if (directive == "ping_group") {
            if (words.size() < 3) return error("ping_group needs a name and addresses: ping_group group1 10.0.0.1 10.0.0.2");
            for (std::size_t i = 2; i < words.size(); ++i) {
                if (!is_ipv4(words[i]) && !is_ipv6(words[i])) {
                    return error("ping_group " + words[1] + ": '" + words[i] + "' is not an IPv4 or IPv6 address");
                }
            }
            cfg_.ping_groups.push_back({words[1], {words.begin() + 2, words.end()}});
            return;
        }
        return medium(directive, words);
    }
    if (rest.empty()) return error(directive + " needs a value");
    if (it->second == Shape::each) {
        for (const auto& v : split(rest, " \t,")) value(directive, v);
        return;
    }
    cfg_.parameters[directive] = rest;  // get_parameter returns it as written
    value(directive, rest);
}

void Parser::value(const std::string& d, const std::string& v) {
    long n = 0;
    bool b = false;
    if (d == "node") {
        std::string name = lower(v);
        if (std::find(cfg_.nodes.begin(), cfg_.nodes.end(), name) != cfg_.nodes.end()) {
            warning("node " + name + " is listed twice");
        } else {
            cfg_.nodes.push_back(name);
        }
    } else if (d == "ping") {
        if (!is_ipv4(v) && !is_ipv6(v)) {
            return error("ping '" + v + "' is not an IPv4 or IPv6 address: a ping node is the address of a router "
                         "that answers ICMP echo (ping 10.0.0.254)");
        }
        cfg_.ping_nodes.push_back(v);
    } else if (d == "keepalive") {
        time_value(d, v, cfg_.keepalive_ms);
    } else if (d == "deadtime") {
        time_value(d, v, cfg_.deadtime_ms);
    } else if (d == "warntime") {
        time_value(d, v, cfg_.warntime_ms);
    } else if (d == "initdead") {
        time_value(d, v, cfg_.initdead_ms);
    } else if (d == "deadping") {
        time_value(d, v, cfg_.deadping_ms);
    } else if (d == "native_ipaddr") {
        bool_value(d, v, cfg_.native_ipaddr);
    } else if (d == "resource_start_timeout") {
        time_value(d, v, cfg_.resource_timeouts_ms.start);
    } else if (d == "resource_stop_timeout") {
        time_value(d, v, cfg_.resource_timeouts_ms.stop);
    } else if (d == "resource_status_timeout") {
        time_value(d, v, cfg_.resource_timeouts_ms.status);
    } else if (d == "max_rexmit_delay") {
        // heartbeat takes plain milliseconds here; a unit is accepted too.
        auto plain = parse_int(v);
        if (plain && *plain > 0) {
            cfg_.max_rexmit_delay_ms = *plain;
        } else if (auto ms = parse_time_ms(v); ms && *ms > 0 && !plain) {
            cfg_.max_rexmit_delay_ms = *ms;
        } else {
            error("max_rexmit_delay '" + v + "' must be a positive number of milliseconds, e.g. max_rexmit_delay 250");
        }
    } else if (d == "udpport") {
        if (first_medium_line_ != 0) {
            error("udpport must come before the media lines (first medium at line " +
                  std::to_string(first_medium_line_) + "); move it above them");
        }
        if (auto port = parse_int(v)) {
            if (int_value(d, v, 1, 65535, n)) cfg_.udpport = static_cast<int>(n);
        } else if (servent* s = getservbyname(v.c_str(), "udp")) {
            cfg_.udpport = ntohs(static_cast<std::uint16_t>(s->s_port));
        } else {
            error("udpport '" + v + "' is neither a port number (1-65535) nor a udp service name");
        }
    } else if (d == "hopfudge") {
        if (int_value(d, v, 0, 255, n)) cfg_.hopfudge = static_cast<int>(n);
    } else if (d == "debug") {
        if (int_value(d, v, 0, 255, n)) cfg_.debug = static_cast<int>(n);
    } else if (d == "baud" || d == "rtprio" || d == "memreserve" || d == "conn_logd_time") {
        if (int_value(d, v, 0, 1L << 30, n)) not_acted_on(d);
    } else if (d == "auto_failback") {
        choice<AutoFailback>(d, v,
                             {{"on", AutoFailback::on}, {"true", AutoFailback::on}, {"yes", AutoFailback::on},
                              {"off", AutoFailback::off}, {"false", AutoFailback::off}, {"no", AutoFailback::off},
                              {"legacy", AutoFailback::legacy}},
                             cfg_.auto_failback);
    } else if (d == "nice_failback") {
        if (bool_value(d, v, b)) {
            warning("nice_failback is obsolete; write auto_failback " + std::string(b ? "off" : "legacy"));
            cfg_.auto_failback = b ? AutoFailback::off : AutoFailback::legacy;
        }
    } else if (d == "logfacility") {
        if (lower(v) == "none") {
            cfg_.logfacility = -1;
        } else if (auto f = facility_from_name(lower(v))) {
            cfg_.logfacility = *f;
        } else {
            error("logfacility '" + v + "' is not a syslog facility; use e.g. daemon, local0..local7, or none");
        }
    } else if (d == "logfile") {
        cfg_.logfile = v;
    } else if (d == "debugfile") {
        cfg_.debugfile = v;
    } else if (d == "autojoin") {
        choice<Autojoin>(d, v, {{"none", Autojoin::none}, {"other", Autojoin::other}, {"any", Autojoin::any}},
                         cfg_.autojoin);
        if (cfg_.autojoin != Autojoin::none) not_acted_on(d);
    } else if (d == "uuidfrom") {
        choice<bool>(d, v, {{"file", false}, {"nodename", true}}, cfg_.uuid_from_nodename);
    } else if (d == "msgfmt") {
        choice<bool>(d, v, {{"classic", false}, {"netstring", true}}, cfg_.msgfmt_netstring);
    } else if (d == "hbgenmethod") {
        choice<bool>(d, v, {{"file", false}, {"time", true}}, cfg_.hbgen_from_time);
    } else if (d == "compression") {
        std::string c = lower(v);
        if (c != "zlib" && c != "bz2") return error("compression '" + v + "' is not one of: zlib, bz2");
        cfg_.compression = c;
    } else if (d == "compression_threshold") {
        if (int_value(d, v, 1, 256, n)) cfg_.compression_threshold_kib = static_cast<int>(n);
    } else if (d == "traditional_compression") {
        bool_value(d, v, cfg_.traditional_compression);
    } else if (d == "realtime") {
        bool_value(d, v, cfg_.realtime);
    } else if (d == "crm" || d == "pacemaker") {
        std::string mode = lower(v);
        if (mode == "respawn" || mode == "manual" || mode == "minimal" || mode == "valgrind") {
            cfg_.pacemaker = true;
        } else if (!bool_value(d, v, cfg_.pacemaker)) {
            return;
        }
        if (cfg_.pacemaker) not_acted_on(d + " " + v);
    } else if (d == "coredumps" || d == "use_logd" || d == "log_badpack" || d == "syslogmsgfmt" ||
               d == "record_config_changes" || d == "record_pengine_inputs" || d == "enable_config_writes" ||
               d == "normalpoll") {
        if (bool_value(d, v, b) && d != "coredumps" && d != "log_badpack" && d != "syslogmsgfmt") not_acted_on(d);
    } else if (d == "coreroot" || d == "watchdog" || d == "cluster" || d == "quorum_server") {
        not_acted_on(d);
    } else if (d == "env") {
        auto eq = v.find('=');
        if (eq == std::string::npos || eq == 0) return error("env wants NAME=value, e.g. env LANG=C");
        cfg_.env[v.substr(0, eq)] = v.substr(eq + 1);
    } else if (d == "metrics_listen") {
        metrics_listen(v);
    } else if (d == "bind") {
        if (!is_ipv4(v) && !is_ipv6(v)) return error("bind '" + v + "' is not an IP address; e.g. bind 127.0.0.2");
        cfg_.bind_address = v;
    }
}

void Parser::medium(const std::string& d, const std::vector<std::string>& w) {
    if (first_medium_line_ == 0) first_medium_line_ = line_;
    Medium m;
    m.line = line_;
    m.port = cfg_.udpport;
    if (d == "ucast" || d == "ucast6") {
        const bool v6 = d == "ucast6";
        if (w.size() < 3) return error(d + " needs a device and a peer address: " + d + " eth0 " + (v6 ? "fe80::2" : "10.0.0.2"));
        for (std::size_t i = 2; i < w.size(); ++i) {
            if (v6 ? !is_ipv6(w[i]) : !is_ipv4(w[i])) {
                return error(d + " peer '" + w[i] + "' is not an " + (v6 ? "IPv6" : "IPv4") + " address");
            }
            m.kind = v6 ? MediumKind::ucast6 : MediumKind::ucast;
            m.device = w[1];
            m.address = w[i];
            cfg_.media.push_back(m);
        }
    } else if (d == "bcast") {
        if (w.size() < 2) return error("bcast needs at least one device: bcast eth0");
        for (std::size_t i = 1; i < w.size(); ++i) {
            m.kind = MediumKind::bcast;
            m.device = w[i];
            cfg_.media.push_back(m);
        }
    } else if (d == "mcast" || d == "mcast6") {
        const bool v6 = d == "mcast6";
        if (w.size() != 6) {
            return error(d + " wants: " + d + " <device> <group> <port> <ttl 0-255> <loop 0|1>, e.g. " + d +
                         (v6 ? " eth0 ff02::1:694 694 1 0" : " eth0 239.0.0.1 694 1 0"));
        }
        m.kind = v6 ? MediumKind::mcast6 : MediumKind::mcast;
        m.device = w[1];
        m.address = w[2];
        if (v6 ? !is_ipv6_multicast(w[2]) : !is_ipv4_multicast(w[2])) {
            return error(d + " group '" + w[2] + "' is not a multicast address (" + (v6 ? "ff00::/8" : "224.0.0.0/4") + ")");
        }
        long n = 0;
        if (!int_value(d + " port", w[3], 1, 65535, n)) return;
        m.port = static_cast<int>(n);
        if (!int_value(d + " ttl", w[4], 0, 255, n)) return;
        m.ttl = static_cast<int>(n);
        if (!int_value(d + " loop", w[5], 0, 1, n)) return;
        m.loop = n == 1;
        cfg_.media.push_back(m);
    } else if (d == "serial") {
        not_acted_on("serial");
    }
}

// ADDRESS:PORT, an IPv6 address in brackets. Only an address of this host makes sense, but which
// ones are is the bind's to say (at start, with the reason).
void Parser::metrics_listen(const std::string& v) {
    const std::string example = "; e.g. metrics_listen 127.0.0.1:9694 or metrics_listen [::1]:9694";
    const auto colon = v.rfind(':');
    if (colon == std::string::npos) return error("metrics_listen '" + v + "' has no port" + example);
    std::string address = v.substr(0, colon);
    const bool bracketed = address.size() >= 2 && address.front() == '[' && address.back() == ']';
    if (bracketed) address = address.substr(1, address.size() - 2);
    if (bracketed ? !is_ipv6(address) : !is_ipv4(address)) {
        return error("metrics_listen '" + v + "': '" + address + "' is not an IP address" + example);
    }
    auto port = parse_int(v.substr(colon + 1));
    if (!port || *port < 1 || *port > 65535) return error("metrics_listen '" + v + "': the port must be 1 to 65535" + example);
    cfg_.metrics_address = address;
    cfg_.metrics_port = static_cast<int>(*port);
}

void Parser::apiauth(const std::vector<std::string>& w) {
    if (w.size() < 3) return error("apiauth needs a client and uid= or gid= lists: apiauth ipfail uid=hacluster");
    ApiAuth entry;
    entry.client = w[1];
    entry.line = line_;
    for (const ApiAuth& a : cfg_.apiauth) {
        if (a.client == entry.client && a.line != 0) {
            return error("apiauth for '" + entry.client + "' given twice (first at line " + std::to_string(a.line) +
                         "); merge them into one line");
        }
    }
    for (std::size_t i = 2; i < w.size(); ++i) {
        const bool is_uid = w[i].rfind("uid=", 0) == 0, is_gid = w[i].rfind("gid=", 0) == 0;
        if (!is_uid && !is_gid) return error("apiauth: '" + w[i] + "' is neither uid=... nor gid=...");
        for (const auto& name : split(std::string_view(w[i]).substr(4), ",")) {
            auto number = parse_int(name);
            if (is_uid) {
                passwd* pw = number ? nullptr : getpwnam(name.c_str());
                if (!number && !pw) return error("apiauth: no user '" + name + "' on this system");
                entry.uids.push_back(number ? static_cast<uid_t>(*number) : pw->pw_uid);
            } else {
                group* gr = number ? nullptr : getgrnam(name.c_str());
                if (!number && !gr) return error("apiauth: no group '" + name + "' on this system");
                entry.gids.push_back(number ? static_cast<gid_t>(*number) : gr->gr_gid);
            }
        }
    }
    // A line replaces the built-in entry of the same client.
    std::erase_if(cfg_.apiauth, [&](const ApiAuth& a) { return a.client == entry.client; });
    cfg_.apiauth.push_back(std::move(entry));
}

// heartbeat's `stonith TYPE FILE` and `stonith_host FROM TYPE PARAMS...`; the last line that
// applies to this node is its device. The type must be one of cluster-glue's installed plugins.
void Parser::stonith(const std::string& directive, const std::vector<std::string>& words) {
    const bool host = directive == "stonith_host";
    if (words.size() < 3) {
        return error(host ? "stonith_host needs a node (or *), a device type and its parameters: stonith_host * "
                            "external/ssh n1 n2"
                          : "stonith needs a device type and its parameter file: stonith baytech /etc/ha.d/stonith.cfg");
    }
    const std::string& type = words[host ? 2 : 1];
    if (!stonith_type_installed(type)) {
        return error(directive + ": unknown STONITH device type '" + type +
                     "': `stonith -L` lists the types cluster-glue has here (" + std::string(kStonithPluginDir) + ")");
    }
    StonithDevice d;
    d.type = type;
    d.line = line_;
    if (host) {
        if (words[1] != "*" && lower(words[1]) != local_node_) return;  // another node's device
        for (std::size_t i = 3; i < words.size(); ++i) d.params += (i > 3 ? " " : "") + words[i];
    } else {
        if (words.size() != 3) return error("stonith wants a device type and one parameter file, not more");
        if (access(words[2].c_str(), R_OK) != 0) {
            return error("stonith parameter file '" + words[2] + "' cannot be read: create it or fix the path");
        }
        d.config_file = words[2];
    }
    cfg_.stonith = std::move(d);
}

void add_builtin_apiauth(Config& cfg) {
    auto uid = [](const char* user) -> std::vector<uid_t> {
        if (passwd* pw = getpwnam(user)) return {pw->pw_uid};
        return {};
    };
    auto gid = [](const char* name) -> std::vector<gid_t> {
        if (group* gr = getgrnam(name)) return {gr->gr_gid};
        return {};
    };
    cfg.apiauth = {
        {"ipfail", uid("hacluster"), {}, 0}, {"ccm", uid("hacluster"), {}, 0},
        {"ping", {}, gid("haclient"), 0},    {"lha-snmpagent", {0}, {}, 0},
        {"anon", {}, gid("haclient"), 0},
    };
}

std::string ms_text(std::int64_t ms) { return std::to_string(ms) + "ms"; }

void Parser::finish(const std::string& local_node, int last_line) {
    line_ = 0;
    // Derived values, as heartbeat computes them (spec §4.2).
    if (!set_.count("warntime")) cfg_.warntime_ms = cfg_.deadtime_ms / 2;
    if (!set_.count("initdead")) {
        cfg_.initdead_ms = cfg_.deadtime_ms > 10000 ? cfg_.deadtime_ms
                           : cfg_.deadtime_ms < 6000 ? 12000
                                                     : 2 * cfg_.deadtime_ms;
    }
    if (!set_.count("deadping")) cfg_.deadping_ms = cfg_.deadtime_ms;
    const std::map<std::string, std::string> defaults = {
        {"keepalive", ms_text(cfg_.keepalive_ms)}, {"deadtime", ms_text(cfg_.deadtime_ms)},
        {"warntime", ms_text(cfg_.warntime_ms)}, {"initdead", ms_text(cfg_.initdead_ms)},
        {"deadping", ms_text(cfg_.deadping_ms)}, {"udpport", std::to_string(cfg_.udpport)},
        {"hopfudge", "1"}, {"baud", "19200"}, {"hbgenmethod", "file"}, {"realtime", "true"}, {"debug", "0"},
        {"msgfmt", "classic"}, {"auto_failback", "legacy"}, {"autojoin", "none"}, {"uuidfrom", "file"},
        {"compression", "zlib"}, {"compression_threshold", "2"}, {"traditional_compression", "no"},
        {"max_rexmit_delay", "250"}, {"pacemaker", "false"}, {"coredumps", "true"},
    };
    for (const auto& [k, v] : defaults) cfg_.parameters.emplace(k, v);

    auto at = [&](const char* directive) { return set_.count(directive) ? set_.at(directive) : 0; };
    if (cfg_.nodes.empty()) diag_.error(file_, last_line, "no node lines; declare every cluster member: node n1 n2");
    if (cfg_.media.empty()) {
        diag_.error(file_, last_line, "no communication media; add e.g. ucast eth0 10.0.0.2, bcast eth0 or mcast eth0 239.0.0.1 694 1 0");
    }
    if (cfg_.keepalive_ms <= 0) diag_.error(file_, at("keepalive"), "keepalive must be positive, e.g. keepalive 1");
    if (cfg_.deadtime_ms <= 2 * cfg_.keepalive_ms) {
        diag_.error(file_, at("deadtime"),
                    "deadtime (" + ms_text(cfg_.deadtime_ms) + ") must be more than twice keepalive (" +
                        ms_text(cfg_.keepalive_ms) + "); set deadtime " + ms_text(4 * cfg_.keepalive_ms) +
                        " or more");
    }
    if (set_.count("warntime") && (cfg_.warntime_ms <= cfg_.keepalive_ms || cfg_.warntime_ms >= cfg_.deadtime_ms)) {
        diag_.error(file_, at("warntime"),
                    "warntime (" + ms_text(cfg_.warntime_ms) + ") must lie between keepalive (" +
                        ms_text(cfg_.keepalive_ms) + ") and deadtime (" + ms_text(cfg_.deadtime_ms) +
                        "); e.g. warntime " + ms_text(cfg_.deadtime_ms / 2));
    }
    if (cfg_.initdead_ms < cfg_.deadtime_ms) {
        diag_.error(file_, at("initdead"),
                    "initdead (" + ms_text(cfg_.initdead_ms) + ") must be at least deadtime (" +
                        ms_text(cfg_.deadtime_ms) + "); e.g. initdead " + ms_text(2 * cfg_.deadtime_ms));
    }
    if (!local_node.empty() && cfg_.autojoin != Autojoin::any &&
        std::find(cfg_.nodes.begin(), cfg_.nodes.end(), lower(local_node)) == cfg_.nodes.end()) {
        diag_.error(file_, last_line,
                    "this node '" + lower(local_node) + "' is not declared; add: node " + lower(local_node));
    }
}

}  // namespace

std::optional<int> facility_from_name(std::string_view name) {
    static const std::map<std::string_view, int> facilities = {
        {"auth", LOG_AUTH},     {"authpriv", LOG_AUTHPRIV}, {"cron", LOG_CRON},     {"daemon", LOG_DAEMON},
        {"ftp", LOG_FTP},       {"kern", LOG_KERN},         {"lpr", LOG_LPR},       {"mail", LOG_MAIL},
        {"news", LOG_NEWS},     {"syslog", LOG_SYSLOG},     {"user", LOG_USER},     {"uucp", LOG_UUCP},
        {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},     {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
        {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},     {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
    };
    auto it = facilities.find(name);
    if (it == facilities.end()) return std::nullopt;
    return it->second;
}

void parse_hacf(std::string_view text, const std::string& filename, const std::string& local_node, Config& out,
                Diagnostics& diag) {
    add_builtin_apiauth(out);
    Parser parser(filename, local_node, out, diag);
    int number = 0;
    std::size_t pos = 0;
    while (pos < text.size() && number < 1'000'000) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        parser.line(++number, text.substr(pos, nl - pos));
        pos = nl + 1;
    }
    parser.finish(local_node, number);
}

}  // namespace hb::config

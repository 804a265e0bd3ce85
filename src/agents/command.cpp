// Resolving a haresources resource to its command: the script lookup and, for the types heartbeat
// 3.0.6 reached through its resource.d wrappers, the mapping of positional arguments to OCF
// parameters that those wrappers performed.
//
// Each mapping below reproduces what the corresponding 3.0.6 wrapper exported, quirks included
// (an IPaddr2 "nic:label" goes to the agent as nic=nic:label, which the agent splits itself; an
// AudibleAlarm node list keeps the trailing blank the wrapper left; Delay without arguments names
// its instance Delay_10 without passing a start delay). A wrapper that printed its usage and failed
// for a wrong number of arguments is an error here.
#include "agents/command.hpp"

#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

namespace hb::agents {
namespace {

using Args = std::vector<std::string>;

struct Mapped {
    std::string instance;                                     // OCF_RESOURCE_INSTANCE
    std::vector<std::pair<std::string, std::string>> params;  // OCF_RESKEY_<name>=<value>
    bool c_locale = false;                                    // the wrapper forced LC_ALL=C
};

// Fills `m` from the resource's arguments; false when the wrapper would have refused them.
using MapFn = bool (*)(const Args&, Mapped&);

struct Wrapper {
    std::string_view type;   // resource type = OCF agent name (provider heartbeat)
    std::string_view usage;  // the arguments the wrapper accepted, for error messages
    MapFn map;
};

void put(Mapped& m, std::string_view name, std::string_view value) {
    m.params.emplace_back(std::string(name), std::string(value));
}

std::string with_suffix(std::string_view type, std::string_view suffix) {
    std::string s(type);
    s += '_';
    s += suffix;
    return s;
}

std::string_view up_to_slash(std::string_view s) { return s.substr(0, s.find('/')); }

std::string_view without_leading_slashes(std::string_view s) {
    std::size_t n = s.find_first_not_of('/');
    return n == std::string_view::npos ? std::string_view{} : s.substr(n);
}

bool starts_with_digit(std::string_view s) { return !s.empty() && s.front() >= '0' && s.front() <= '9'; }

// ip[/netmask[/nic[/broadcast]]] as IPaddr and IPaddr2 split it. Runs of '/' count as one; a third
// field starting with a digit is the broadcast address (no nic); a nic without a broadcast still
// passes broadcast as an empty value; "nic:label" stays whole.
void split_ip_spec(std::string_view spec, Mapped& m) {
    std::string_view ip = up_to_slash(spec);
    put(m, "ip", ip);
    std::string_view rest = without_leading_slashes(spec.substr(ip.size()));
    if (rest.empty()) return;
    std::string_view mask = up_to_slash(rest);
    put(m, "cidr_netmask", mask);
    rest = without_leading_slashes(rest.substr(mask.size()));
    std::string_view nic = up_to_slash(rest);
    if (nic.empty()) return;
    if (starts_with_digit(nic)) {
        put(m, "broadcast", nic);
        return;
    }
    put(m, "nic", nic);
    put(m, "broadcast", up_to_slash(without_leading_slashes(rest.substr(nic.size()))));
}

bool map_ipaddr(const Args& a, Mapped& m) {
    if (a.size() != 1) return false;
    split_ip_spec(a[0], m);
    put(m, "lvs_support", "0");
    m.instance = with_suffix("IPaddr", m.params.front().second);
    return true;
}

bool map_ipaddr2(const Args& a, Mapped& m) {
    if (a.size() != 1) return false;
    split_ip_spec(a[0], m);
    put(m, "lvs_support", "1");
    m.instance = with_suffix("IPaddr2", m.params.front().second);
    m.c_locale = true;
    return true;
}

// addr[/prefix[/nic]]: exactly one '/' before the prefix (which may thus be empty), any run of '/'
// after it; the instance is named after the whole argument.
bool map_ipv6addr(const Args& a, Mapped& m) {
    if (a.size() != 1) return false;
    std::string_view spec = a[0];
    std::string_view addr = up_to_slash(spec);
    put(m, "ipv6addr", addr);
    std::string_view rest = spec.substr(addr.size());
    if (!rest.empty()) {
        rest.remove_prefix(1);
        std::string_view prefix = up_to_slash(rest);
        put(m, "cidr_netmask", prefix);
        std::string_view nic = up_to_slash(without_leading_slashes(rest.substr(prefix.size())));
        if (!nic.empty()) put(m, "nic", nic);
    }
    m.instance = with_suffix("IPv6addr", spec);
    return true;
}

// ip/interface; without a '/', the whole argument is passed as the interface too.
bool map_sendarp(const Args& a, Mapped& m) {
    if (a.size() != 1) return false;
    std::string_view spec = a[0];
    std::string_view ip = up_to_slash(spec);
    put(m, "ip", ip);
    put(m, "nic", ip.size() < spec.size() ? spec.substr(ip.size() + 1) : spec);
    m.instance = with_suffix("SendArp", ip);
    m.c_locale = true;
    return true;
}

bool map_filesystem(const Args& a, Mapped& m) {
    if (a.size() < 2 || a.size() > 4) return false;
    static constexpr std::string_view names[] = {"device", "directory", "fstype", "options"};
    for (std::size_t i = 0; i < a.size(); ++i) put(m, names[i], a[i]);
    m.instance = with_suffix("Filesystem", a[0]);
    return true;
}

bool map_mailto(const Args& a, Mapped& m) {
    if (a.empty() || a.size() > 2) return false;
    put(m, "email", a[0]);
    if (a.size() == 2) put(m, "subject", a[1]);
    m.instance = "MailTo";
    return true;
}

bool map_ipsrcaddr(const Args& a, Mapped& m) {
    if (a.size() != 1) return false;
    put(m, "ipaddress", a[0]);
    m.instance = "IPsrcaddr";
    return true;
}

bool map_apache(const Args& a, Mapped& m) {
    if (a.size() > 1) return false;
    if (!a.empty()) put(m, "configfile", a[0]);
    m.instance = with_suffix("apache", a.empty() ? std::string_view{} : std::string_view(a[0]));
    return true;
}

bool map_xinetd(const Args& a, Mapped& m) {
    if (a.size() != 1) return false;
    put(m, "service", a[0]);
    m.instance = "Xinetd";
    return true;
}

bool map_lvm(const Args& a, Mapped& m) {
    if (a.size() != 1) return false;
    put(m, "volgrpname", a[0]);
    m.instance = "LVM";
    return true;
}

// Every argument is a node; the list is blank-separated and, when not empty, ends in a blank.
bool map_audiblealarm(const Args& a, Mapped& m) {
    std::string list;
    for (const auto& node : a) {
        list += node;
        list += ' ';
    }
    put(m, "nodelist", list);
    m.instance = "AudibleAlarm";
    return true;
}

bool map_delay(const Args& a, Mapped& m) {
    if (a.size() > 2) return false;
    if (!a.empty()) put(m, "startdelay", a[0]);
    if (a.size() == 2) put(m, "stopdelay", a[1]);
    m.instance = with_suffix("Delay", a.empty() ? std::string_view("10") : std::string_view(a[0]));
    return true;
}

bool map_icp(const Args& a, Mapped& m) {
    if (a.size() != 2) return false;
    put(m, "driveid", a[0]);
    put(m, "device", a[1]);
    m.instance = with_suffix("ICP", a[0]);
    return true;
}

bool map_linuxscsi(const Args& a, Mapped& m) {
    if (a.size() != 1) return false;
    put(m, "scsi", a[0]);
    m.instance = with_suffix("LinuxSCSI", a[0]);
    return true;
}

bool map_raid1(const Args& a, Mapped& m) {
    if (a.size() != 2) return false;
    put(m, "raidconf", a[0]);
    put(m, "raiddev", a[1]);
    m.instance = with_suffix("Raid1", a[0]);
    return true;
}

bool map_serveraid(const Args& a, Mapped& m) {
    if (a.size() != 2) return false;
    put(m, "serveraid", a[0]);
    put(m, "mergegroup", a[1]);
    m.instance = with_suffix("ServeRAID", a[0]);
    return true;
}

bool map_winpopup(const Args& a, Mapped& m) {
    if (a.size() > 1) return false;
    put(m, "hostfile", a.empty() ? std::string_view("hosts") : std::string_view(a[0]));
    m.instance = "WinPopup";
    return true;
}

bool map_db2(const Args& a, Mapped& m) {
    if (a.size() != 1) return false;
    put(m, "instance", a[0]);
    m.instance = with_suffix("db2", a[0]);
    return true;
}

bool map_ids(const Args& a, Mapped& m) {
    if (!a.empty() && a.size() != 3) return false;
    if (a.size() == 3) {
        put(m, "informixdir", a[0]);
        put(m, "informixserver", a[1]);
        put(m, "onconfig", a[2]);
    }
    m.instance = with_suffix("ids", a.empty() ? std::string_view{} : std::string_view(a[1]));
    return true;
}

bool map_portblock(const Args& a, Mapped& m) {
    if (a.size() != 3) return false;
    put(m, "protocol", a[0]);
    put(m, "portno", a[1]);
    put(m, "action", a[2]);
    std::string instance = with_suffix("portblock", a[0]);
    instance += '_';
    instance += a[1];
    instance += '_';
    instance += a[2];
    m.instance = std::move(instance);
    return true;
}

// The wrappers of heartbeat 3.0.6's resource.d whose agent resource-agents 4.12 still ships.
// Not here: WAS (its wrapper decided between config file and port by testing whether the argument
// is an existing file), OCF (the generic wrapper, see resolve), and drbddisk (a drbd script, not
// an OCF wrapper).
constexpr Wrapper wrappers[] = {
    {"AudibleAlarm", "[node1 node2 ...]", map_audiblealarm},
    {"Delay", "[startdelay[::stopdelay]]", map_delay},
    {"Filesystem", "device::directory[::fstype[::options]]", map_filesystem},
    {"ICP", "driveid::device", map_icp},
    {"IPaddr", "ip[/netmask[/nic[/broadcast]]]", map_ipaddr},
    {"IPaddr2", "ip[/cidr_netmask[/nic[:label][/broadcast]]]", map_ipaddr2},
    {"IPsrcaddr", "ipaddress", map_ipsrcaddr},
    {"IPv6addr", "ipv6addr[/prefix[/nic]]", map_ipv6addr},
    {"LVM", "volume-group", map_lvm},
    {"LinuxSCSI", "host:channel:target[:lun]", map_linuxscsi},
    {"MailTo", "email[::subject]", map_mailto},
    {"Raid1", "raidconf::raiddev", map_raid1},
    {"SendArp", "ip/interface", map_sendarp},
    {"ServeRAID", "serveraid::mergegroup", map_serveraid},
    {"WinPopup", "[hostfile]", map_winpopup},
    {"Xinetd", "service", map_xinetd},
    {"apache", "[configfile]", map_apache},
    {"db2", "instance", map_db2},
    {"ids", "[informixdir::informixserver::onconfig]", map_ids},
    {"portblock", "protocol::portno::block|unblock", map_portblock},
};

const Wrapper* find_wrapper(std::string_view type) {
    for (const auto& w : wrappers)
        if (w.type == type) return &w;
    return nullptr;
}

std::string join_path(std::string_view dir, std::string_view name) {
    std::string p(dir);
    if (!p.empty() && p.back() != '/') p += '/';
    p += name;
    return p;
}

std::string described(const config::Resource& r) {
    if (!r.text.empty()) return r.text;
    std::string s = r.type;
    for (const auto& a : r.args) {
        s += "::";
        s += a;
    }
    return s;
}

std::string assignment(std::string_view name, std::string_view value) {
    std::string s(name);
    s += '=';
    s += value;
    return s;
}

}  // namespace

std::string_view action_word(Action action) {
    switch (action) {
        case Action::start: return "start";
        case Action::stop: return "stop";
        case Action::status: return "status";
    }
    return "status";
}

bool is_regular_executable(const std::string& path) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    return ::faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) == 0;
}

std::vector<std::string_view> ocf_mapped_types() {
    std::vector<std::string_view> types;
    for (const auto& w : wrappers) types.push_back(w.type);
    return types;
}

Result<Command> resolve(const config::Resource& resource, Action action, const Lookup& lookup) {
    const std::string& type = resource.type;
    if (type.empty() || type == "." || type == ".." || type.find('/') != std::string::npos) {
        std::string msg = "resource ";
        msg += described(resource);
        msg += ": bad resource script name \"";
        msg += type;
        msg += '"';
        return make_error(std::move(msg));
    }
    auto probe = lookup.is_executable ? lookup.is_executable
                                      : std::function<bool(const std::string&)>(is_regular_executable);

    // The shell split the "::" arguments into words, so an empty one never reached a script.
    Args args;
    for (const auto& a : resource.args)
        if (!a.empty()) args.push_back(a);

    std::vector<std::string> looked;
    for (const std::string* dir : {&lookup.resource_dir, &lookup.init_dir}) {
        if (dir->empty()) continue;
        std::string path = join_path(*dir, type);
        if (probe(path)) {
            Command cmd;
            cmd.path = path;
            cmd.argv.push_back(path);
            cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
            cmd.argv.emplace_back(action_word(action));
            cmd.judge = Judge::heartbeat_text;
            return cmd;
        }
        looked.push_back(std::move(path));
    }

    if (type == "OCF") {
        std::string msg = "resource ";
        msg += described(resource);
        msg += ": OCF:: resources are not supported yet";
        return make_error(std::move(msg));
    }

    if (const Wrapper* w = find_wrapper(type)) {
        std::string agent = join_path(lookup.ocf_root, "resource.d/heartbeat");
        agent = join_path(agent, type);
        if (probe(agent)) {
            Mapped m;
            if (!w->map(args, m)) {
                std::string msg = "resource ";
                msg += described(resource);
                msg += ": ";
                msg += type;
                msg += " takes ";
                msg += w->usage;
                return make_error(std::move(msg));
            }
            Command cmd;
            cmd.path = agent;
            cmd.argv = {agent, std::string(action == Action::status ? "monitor" : action_word(action))};
            cmd.env.push_back(assignment("OCF_ROOT", lookup.ocf_root));
            cmd.env.push_back(assignment("OCF_RA_VERSION_MAJOR", "1"));
            cmd.env.push_back(assignment("OCF_RA_VERSION_MINOR", "0"));
            cmd.env.push_back(assignment("OCF_TYPE", type));
            cmd.env.push_back(assignment("OCF_RESOURCE_INSTANCE", m.instance));
            for (const auto& [name, value] : m.params) {
                std::string key = "OCF_RESKEY_";
                key += name;
                cmd.env.push_back(assignment(key, value));
            }
            // The wrapper unset LANG and set LC_ALL=C; LC_ALL alone overrides every locale variable.
            if (m.c_locale) cmd.env.push_back(assignment("LC_ALL", "C"));
            cmd.judge = Judge::ocf_exit;
            return cmd;
        }
        looked.push_back(std::move(agent));
    }

    std::string msg = "cannot locate resource script ";
    msg += type;
    msg += " (looked in ";
    for (std::size_t i = 0; i < looked.size(); ++i) {
        if (i) msg += ", ";
        msg += looked[i];
    }
    msg += ')';
    return make_error(std::move(msg));
}

}  // namespace hb::agents

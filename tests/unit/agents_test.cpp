// Tests of src/agents: where a resource's program is found, how OCF-wrapped types turn their
// arguments into OCF_RESKEY_* parameters, how results are judged and the scripts' environment.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "agents/command.hpp"
#include "agents/environment.hpp"
#include "agents/native_address.hpp"
#include "agents/script_check.hpp"
#include "agents/verdict.hpp"

namespace hb::agents {
namespace {

using Strings = std::vector<std::string>;

config::Resource res(std::string type, Strings args = {}, std::string text = {}) {
    config::Resource r;
    r.type = std::move(type);
    r.args = std::move(args);
    r.text = std::move(text);
    return r;
}

// A lookup whose filesystem is exactly the given set of executable paths.
Lookup fake(std::set<std::string> executables) {
    Lookup l;
    l.resource_dir = "/etc/ha.d/resource.d";
    l.is_executable = [files = std::move(executables)](const std::string& p) { return files.count(p) > 0; };
    return l;
}

const std::string agents = "/usr/lib/ocf/resource.d/heartbeat/";

Lookup with_agent(const std::string& name) { return fake({agents + name}); }

std::map<std::string, std::string> as_map(const Strings& env) {
    std::map<std::string, std::string> m;
    for (const auto& e : env) {
        auto eq = e.find('=');
        EXPECT_NE(eq, std::string::npos) << e;
        EXPECT_EQ(m.count(e.substr(0, eq)), 0u) << "duplicate " << e;
        m[e.substr(0, eq)] = e.substr(eq + 1);
    }
    return m;
}

// The OCF_RESKEY_* parameters of a resolved command, without the prefix.
std::map<std::string, std::string> reskeys(const Command& c) {
    std::map<std::string, std::string> m;
    for (const auto& [k, v] : as_map(c.env))
        if (k.rfind("OCF_RESKEY_", 0) == 0) m[k.substr(11)] = v;
    return m;
}

Command ocf(const std::string& type, Strings args, Action action = Action::start) {
    auto r = resolve(res(type, std::move(args)), action, with_agent(type));
    EXPECT_TRUE(r.ok()) << r.error();
    if (!r.ok()) return {};
    EXPECT_EQ(r->judge, Judge::ocf_exit);
    return *r;
}

using Keys = std::map<std::string, std::string>;

// --- resolution order --------------------------------------------------------------------------

TEST(AgentsResolve, ResourceDirFirstArgsThenAction) {
    auto l = fake({"/etc/ha.d/resource.d/rmtest", "/etc/init.d/rmtest"});
    auto r = resolve(res("rmtest", {"a2", "x"}, "rmtest::a2::x"), Action::start, l);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->path, "/etc/ha.d/resource.d/rmtest");
    EXPECT_EQ(r->argv, (Strings{"/etc/ha.d/resource.d/rmtest", "a2", "x", "start"}));
    EXPECT_TRUE(r->env.empty());
    EXPECT_EQ(r->judge, Judge::heartbeat_text);
}

TEST(AgentsResolve, InitDirSecond) {
    auto r = resolve(res("apache2"), Action::stop, fake({"/etc/init.d/apache2"}));
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->argv, (Strings{"/etc/init.d/apache2", "stop"}));
    EXPECT_EQ(r->judge, Judge::heartbeat_text);
}

TEST(AgentsResolve, ScriptBeatsOcfAgentOfTheSameName) {
    // A 3.0.6 wrapper installed in resource.d (or an init script) is run as a script.
    auto l = fake({"/etc/ha.d/resource.d/IPaddr2", agents + "IPaddr2"});
    auto r = resolve(res("IPaddr2", {"10.0.0.5/24/eth0"}), Action::status, l);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->argv, (Strings{"/etc/ha.d/resource.d/IPaddr2", "10.0.0.5/24/eth0", "status"}));
    EXPECT_EQ(r->judge, Judge::heartbeat_text);

    l = fake({"/etc/init.d/IPaddr2", agents + "IPaddr2"});
    r = resolve(res("IPaddr2", {"10.0.0.5"}), Action::start, l);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->path, "/etc/init.d/IPaddr2");
}

TEST(AgentsResolve, OcfAgentLast) {
    auto r = resolve(res("IPaddr2", {"10.0.0.5/24/eth0"}), Action::start, with_agent("IPaddr2"));
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->path, agents + "IPaddr2");
    EXPECT_EQ(r->argv, (Strings{agents + "IPaddr2", "start"}));
    EXPECT_EQ(r->judge, Judge::ocf_exit);
    auto env = as_map(r->env);
    EXPECT_EQ(env["OCF_ROOT"], "/usr/lib/ocf");
    EXPECT_EQ(env["OCF_TYPE"], "IPaddr2");
    EXPECT_EQ(env["OCF_RESOURCE_INSTANCE"], "IPaddr2_10.0.0.5");
    EXPECT_EQ(env["OCF_RA_VERSION_MAJOR"], "1");
    EXPECT_EQ(env["OCF_RA_VERSION_MINOR"], "0");
}

TEST(AgentsResolve, OcfRootIsConfigurable) {
    Lookup l = fake({"/opt/ocf/resource.d/heartbeat/MailTo"});
    l.ocf_root = "/opt/ocf";
    auto r = resolve(res("MailTo", {"root"}), Action::start, l);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->path, "/opt/ocf/resource.d/heartbeat/MailTo");
    EXPECT_EQ(as_map(r->env)["OCF_ROOT"], "/opt/ocf");
}

TEST(AgentsResolve, ActionWords) {
    auto l = fake({"/etc/ha.d/resource.d/s", agents + "Xinetd"});
    for (auto [action, word, ocf_word] : {std::tuple{Action::start, "start", "start"},
                                          std::tuple{Action::stop, "stop", "stop"},
                                          std::tuple{Action::status, "status", "monitor"}}) {
        auto script = resolve(res("s", {"a"}), action, l);
        ASSERT_TRUE(script.ok());
        EXPECT_EQ(script->argv, (Strings{"/etc/ha.d/resource.d/s", "a", word}));
        auto agent = resolve(res("Xinetd", {"tftp"}), action, l);
        ASSERT_TRUE(agent.ok());
        EXPECT_EQ(agent->argv, (Strings{agents + "Xinetd", ocf_word}));
        EXPECT_EQ(action_word(action), word);
    }
}

TEST(AgentsResolve, BareIpIsIPaddrWithTheWholeWord) {
    // The configuration rewrites "10.0.0.5/24/eth0" to type IPaddr with the word as its argument.
    auto bare = res("IPaddr", {"10.0.0.5/24/eth0"}, "10.0.0.5/24/eth0");
    auto script = resolve(bare, Action::status, fake({"/etc/ha.d/resource.d/IPaddr"}));
    ASSERT_TRUE(script.ok());
    EXPECT_EQ(script->argv, (Strings{"/etc/ha.d/resource.d/IPaddr", "10.0.0.5/24/eth0", "status"}));

    auto agent = resolve(bare, Action::status, with_agent("IPaddr"));
    ASSERT_TRUE(agent.ok());
    EXPECT_EQ(agent->argv, (Strings{agents + "IPaddr", "monitor"}));
    EXPECT_EQ(reskeys(*agent), (Keys{{"ip", "10.0.0.5"},
                                     {"cidr_netmask", "24"},
                                     {"nic", "eth0"},
                                     {"broadcast", ""},
                                     {"lvs_support", "0"}}));
}

TEST(AgentsResolve, EmptyArgumentsVanishAsInTheShell) {
    auto r = resolve(res("s", {"a", "", "b"}), Action::start, fake({"/etc/ha.d/resource.d/s"}));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->argv, (Strings{"/etc/ha.d/resource.d/s", "a", "b", "start"}));
}

TEST(AgentsResolve, NotFound) {
    auto r = resolve(res("nosuch", {"x"}), Action::start, fake({}));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(),
              "cannot locate resource script nosuch (looked in /etc/ha.d/resource.d/nosuch, /etc/init.d/nosuch)");
    // A mapped type whose agent is missing names the agent too.
    r = resolve(res("IPaddr2", {"10.0.0.5"}), Action::start, fake({}));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "cannot locate resource script IPaddr2 (looked in /etc/ha.d/resource.d/IPaddr2, "
                         "/etc/init.d/IPaddr2, /usr/lib/ocf/resource.d/heartbeat/IPaddr2)");
    // Another agent is no substitute: only names heartbeat shipped a wrapper for are mapped.
    r = resolve(res("Dummy"), Action::start, with_agent("Dummy"));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().find("cannot locate resource script Dummy"), std::string::npos);
}

TEST(AgentsResolve, NonExecutableIsNotFound) {
    // The probe decides: a path the probe rejects (not a regular executable file) is skipped.
    auto l = fake({"/etc/init.d/s"});
    auto r = resolve(res("s"), Action::start, l);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->path, "/etc/init.d/s");
}

TEST(AgentsResolve, BadNames) {
    for (const char* name : {"", ".", "..", "../../bin/sh", "a/b"}) {
        auto r = resolve(res(name), Action::start, fake({"/etc/ha.d/resource.d/a/b", "/bin/sh"}));
        EXPECT_FALSE(r.ok()) << name;
    }
}

TEST(AgentsResolve, GenericOcfWrapperNotSupported) {
    auto r = resolve(res("OCF", {"IPaddr2", "vip"}, "OCF::IPaddr2::vip"), Action::start,
                     fake({agents + "IPaddr2"}));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().find("OCF:: resources are not supported yet"), std::string::npos) << r.error();
    EXPECT_NE(r.error().find("OCF::IPaddr2::vip"), std::string::npos) << r.error();
    // An OCF script installed in resource.d is run like any script.
    r = resolve(res("OCF", {"IPaddr2", "vip"}), Action::status, fake({"/etc/ha.d/resource.d/OCF"}));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->argv, (Strings{"/etc/ha.d/resource.d/OCF", "IPaddr2", "vip", "status"}));
}

TEST(AgentsResolve, WrongArgumentCountForMappedType) {
    auto r = resolve(res("IPaddr2", {"10.0.0.5", "eth0"}, "IPaddr2::10.0.0.5::eth0"), Action::start,
                     with_agent("IPaddr2"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(),
              "resource IPaddr2::10.0.0.5::eth0: IPaddr2 takes ip[/cidr_netmask[/nic[:label][/broadcast]]]");
    for (auto [type, args] : {std::pair<std::string, Strings>{"IPaddr2", {}},
                              {"Filesystem", {"/dev/sdb1"}},
                              {"Filesystem", {"a", "b", "c", "d", "e"}},
                              {"MailTo", {}},
                              {"MailTo", {"a", "b", "c"}},
                              {"ids", {"a"}},
                              {"portblock", {"tcp", "80"}},
                              {"Delay", {"1", "2", "3"}},
                              {"apache", {"a", "b"}}}) {
        EXPECT_FALSE(resolve(res(type, args), Action::start, with_agent(type)).ok()) << type;
    }
}

TEST(AgentsResolve, EveryMappedTypeRunsItsOwnAgent) {
    auto types = ocf_mapped_types();
    EXPECT_EQ(types.size(), 20u);
    for (std::string_view t : {"IPaddr", "IPaddr2", "Filesystem", "MailTo", "IPsrcaddr", "IPv6addr", "SendArp",
                               "apache", "Xinetd", "LVM"})
        EXPECT_NE(std::find(types.begin(), types.end(), t), types.end()) << t;
    for (std::string_view t : {"WAS", "OCF", "drbddisk", "Dummy"})
        EXPECT_EQ(std::find(types.begin(), types.end(), t), types.end()) << t;
}

// --- OCF parameter mappings --------------------------------------------------------------------

TEST(AgentsMapping, IPaddr2Parts) {
    EXPECT_EQ(reskeys(ocf("IPaddr2", {"10.0.0.5"})), (Keys{{"ip", "10.0.0.5"}, {"lvs_support", "1"}}));
    EXPECT_EQ(reskeys(ocf("IPaddr2", {"10.0.0.5/24"})),
              (Keys{{"ip", "10.0.0.5"}, {"cidr_netmask", "24"}, {"lvs_support", "1"}}));
    // With a nic but no broadcast, broadcast is passed empty (the agent defaults it).
    EXPECT_EQ(reskeys(ocf("IPaddr2", {"10.71.0.100/16/eth0"})),
              (Keys{{"ip", "10.71.0.100"},
                    {"cidr_netmask", "16"},
                    {"nic", "eth0"},
                    {"broadcast", ""},
                    {"lvs_support", "1"}}));
    EXPECT_EQ(reskeys(ocf("IPaddr2", {"10.0.0.5/24/eth0/10.0.0.255"})),
              (Keys{{"ip", "10.0.0.5"},
                    {"cidr_netmask", "24"},
                    {"nic", "eth0"},
                    {"broadcast", "10.0.0.255"},
                    {"lvs_support", "1"}}));
    // "nic:label" goes whole to nic; the agent splits off the label itself.
    EXPECT_EQ(reskeys(ocf("IPaddr2", {"10.0.0.5/24/eth0:web/10.0.0.255"})),
              (Keys{{"ip", "10.0.0.5"},
                    {"cidr_netmask", "24"},
                    {"nic", "eth0:web"},
                    {"broadcast", "10.0.0.255"},
                    {"lvs_support", "1"}}));
    // A third part starting with a digit is the broadcast address.
    EXPECT_EQ(reskeys(ocf("IPaddr2", {"10.0.0.5/24/10.0.0.255"})),
              (Keys{{"ip", "10.0.0.5"}, {"cidr_netmask", "24"}, {"broadcast", "10.0.0.255"}, {"lvs_support", "1"}}));
    // Runs of '/' count as one; parts after the broadcast are ignored.
    EXPECT_EQ(reskeys(ocf("IPaddr2", {"10.0.0.5//24//eth0//1.2.3.4/x"})),
              (Keys{{"ip", "10.0.0.5"},
                    {"cidr_netmask", "24"},
                    {"nic", "eth0"},
                    {"broadcast", "1.2.3.4"},
                    {"lvs_support", "1"}}));
    auto env = as_map(ocf("IPaddr2", {"10.0.0.5/24"}).env);
    EXPECT_EQ(env["LC_ALL"], "C");
    EXPECT_EQ(env["OCF_RESOURCE_INSTANCE"], "IPaddr2_10.0.0.5");
}

TEST(AgentsMapping, IPaddr) {
    auto c = ocf("IPaddr", {"192.168.1.10/255.255.255.0/eth1/192.168.1.255"});
    EXPECT_EQ(reskeys(c), (Keys{{"ip", "192.168.1.10"},
                                {"cidr_netmask", "255.255.255.0"},
                                {"nic", "eth1"},
                                {"broadcast", "192.168.1.255"},
                                {"lvs_support", "0"}}));
    auto env = as_map(c.env);
    EXPECT_EQ(env["OCF_RESOURCE_INSTANCE"], "IPaddr_192.168.1.10");
    EXPECT_EQ(env.count("LC_ALL"), 0u);
    EXPECT_EQ(reskeys(ocf("IPaddr", {"10.0.0.5"})), (Keys{{"ip", "10.0.0.5"}, {"lvs_support", "0"}}));
}

TEST(AgentsMapping, Filesystem) {
    auto c = ocf("Filesystem", {"/dev/sdb1", "/srv/data", "ext4", "noatime,ro"});
    EXPECT_EQ(reskeys(c), (Keys{{"device", "/dev/sdb1"},
                                {"directory", "/srv/data"},
                                {"fstype", "ext4"},
                                {"options", "noatime,ro"}}));
    EXPECT_EQ(as_map(c.env)["OCF_RESOURCE_INSTANCE"], "Filesystem_/dev/sdb1");
    EXPECT_EQ(reskeys(ocf("Filesystem", {"/dev/sdb1", "/srv/data"})),
              (Keys{{"device", "/dev/sdb1"}, {"directory", "/srv/data"}}));
    EXPECT_EQ(reskeys(ocf("Filesystem", {"/dev/sdb1", "/srv/data", "xfs"})),
              (Keys{{"device", "/dev/sdb1"}, {"directory", "/srv/data"}, {"fstype", "xfs"}}));
}

TEST(AgentsMapping, MailTo) {
    auto c = ocf("MailTo", {"root@example.org", "failover"});
    EXPECT_EQ(reskeys(c), (Keys{{"email", "root@example.org"}, {"subject", "failover"}}));
    EXPECT_EQ(as_map(c.env)["OCF_RESOURCE_INSTANCE"], "MailTo");
    EXPECT_EQ(reskeys(ocf("MailTo", {"root"})), (Keys{{"email", "root"}}));
}

TEST(AgentsMapping, OtherWrappers) {
    struct Case {
        std::string type;
        Strings args;
        Keys keys;
        std::string instance;
    };
    const Case cases[] = {
        {"IPsrcaddr", {"10.0.0.5"}, {{"ipaddress", "10.0.0.5"}}, "IPsrcaddr"},
        {"IPv6addr", {"2001:db8::10/64/eth0"},
         {{"ipv6addr", "2001:db8::10"}, {"cidr_netmask", "64"}, {"nic", "eth0"}}, "IPv6addr_2001:db8::10/64/eth0"},
        {"IPv6addr", {"2001:db8::10"}, {{"ipv6addr", "2001:db8::10"}}, "IPv6addr_2001:db8::10"},
        {"IPv6addr", {"2001:db8::10//eth0"},
         {{"ipv6addr", "2001:db8::10"}, {"cidr_netmask", ""}, {"nic", "eth0"}}, "IPv6addr_2001:db8::10//eth0"},
        {"SendArp", {"10.0.0.5/eth0"}, {{"ip", "10.0.0.5"}, {"nic", "eth0"}}, "SendArp_10.0.0.5"},
        {"SendArp", {"10.0.0.5"}, {{"ip", "10.0.0.5"}, {"nic", "10.0.0.5"}}, "SendArp_10.0.0.5"},
        {"apache", {"/etc/apache2/apache2.conf"}, {{"configfile", "/etc/apache2/apache2.conf"}},
         "apache_/etc/apache2/apache2.conf"},
        {"apache", {}, {}, "apache_"},
        {"Xinetd", {"tftp"}, {{"service", "tftp"}}, "Xinetd"},
        {"LVM", {"vg0"}, {{"volgrpname", "vg0"}}, "LVM"},
        {"AudibleAlarm", {"n1", "n2"}, {{"nodelist", "n1 n2 "}}, "AudibleAlarm"},
        {"AudibleAlarm", {}, {{"nodelist", ""}}, "AudibleAlarm"},
        {"Delay", {}, {}, "Delay_10"},
        {"Delay", {"5"}, {{"startdelay", "5"}}, "Delay_5"},
        {"Delay", {"5", "2"}, {{"startdelay", "5"}, {"stopdelay", "2"}}, "Delay_5"},
        {"ICP", {"c0h1", "/dev/sdb"}, {{"driveid", "c0h1"}, {"device", "/dev/sdb"}}, "ICP_c0h1"},
        {"LinuxSCSI", {"0:0:1"}, {{"scsi", "0:0:1"}}, "LinuxSCSI_0:0:1"},
        {"Raid1", {"/etc/raidtab", "/dev/md0"}, {{"raidconf", "/etc/raidtab"}, {"raiddev", "/dev/md0"}},
         "Raid1_/etc/raidtab"},
        {"ServeRAID", {"1", "2"}, {{"serveraid", "1"}, {"mergegroup", "2"}}, "ServeRAID_1"},
        {"WinPopup", {}, {{"hostfile", "hosts"}}, "WinPopup"},
        {"WinPopup", {"/etc/ha.d/ws"}, {{"hostfile", "/etc/ha.d/ws"}}, "WinPopup"},
        {"db2", {"db2inst1"}, {{"instance", "db2inst1"}}, "db2_db2inst1"},
        {"ids", {"/opt/informix", "ol_srv", "onconfig.srv"},
         {{"informixdir", "/opt/informix"}, {"informixserver", "ol_srv"}, {"onconfig", "onconfig.srv"}},
         "ids_ol_srv"},
        {"ids", {}, {}, "ids_"},
        {"portblock", {"tcp", "80,443", "block"}, {{"protocol", "tcp"}, {"portno", "80,443"}, {"action", "block"}},
         "portblock_tcp_80,443_block"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.type);
        auto cmd = ocf(c.type, c.args, Action::status);
        EXPECT_EQ(reskeys(cmd), c.keys);
        auto env = as_map(cmd.env);
        EXPECT_EQ(env["OCF_RESOURCE_INSTANCE"], c.instance);
        EXPECT_EQ(env["OCF_TYPE"], c.type);
        EXPECT_EQ(cmd.argv, (Strings{agents + c.type, "monitor"}));
        EXPECT_EQ(env.count("LC_ALL"), c.type == "SendArp" ? 1u : 0u);
    }
}

// --- verdicts ----------------------------------------------------------------------------------

TEST(AgentsVerdict, HeartbeatTextRule) {
    struct Case {
        const char* text;
        bool running;
    };
    const Case cases[] = {
        {"rmtest a1 running", true},
        {"rmtest a1 stopped", false},
        {"INFO:  Resource is stopped", false},
        {"INFO:  Running OK", true},
        {"running OK", true},
        {"is NOT running", false},
        {"is not running", false},
        {"not Running", false},
        {"nOt  ... some text ... running", false},  // anything between "not " and "running"
        {"", false},
        {"OK", true},
        {"ok", false},                             // only upper-case OK
        {"RUNNING", false},                        // only r/R + "unning"
        {"is NOT RUNNING", false},
        {"not\trunning", true},                    // "not" must be followed by a space, not a tab
        {"not\nrunning", true},                    // ... nor a newline: then "running" alone counts
        {"nothing running", true},                 // "not" + 'h' is no "not "
        {"cannot tell, Running", false},           // "cannot " contains "not "
        {"running\nbut not anymore", true},        // "running" must come after the "not "
        {"not running\n", false},
        {"status: OK\nnot running", false},
        {"stopped\nOK", true},
        {"daemon is running...", true},
        {"apache2 is not running ... failed!", false},
        {"Runningman", true},
        {"unning", false},
    };
    for (const auto& c : cases) EXPECT_EQ(heartbeat_status_says_running(c.text), c.running) << '"' << c.text << '"';
    // NUL bytes are dropped before matching, as the shell's command substitution did.
    EXPECT_FALSE(heartbeat_status_says_running(std::string_view("is no\0t running", 15)));
    EXPECT_TRUE(heartbeat_status_says_running(std::string_view("run\0ning", 8)));
}

TEST(AgentsVerdict, HeartbeatScriptIgnoresExitCode) {
    Command script;
    script.judge = Judge::heartbeat_text;
    EXPECT_EQ(status_verdict(script, 3, "rmtest a1 running"), Verdict::running);
    EXPECT_EQ(status_verdict(script, 0, "rmtest a1 stopped"), Verdict::stopped);
    EXPECT_EQ(status_verdict(script, 1, ""), Verdict::stopped);
    EXPECT_TRUE(says_running(script, 7, "OK"));
    EXPECT_FALSE(says_running(script, 0, ""));
}

TEST(AgentsVerdict, OcfExitCodes) {
    Command agent;
    agent.judge = Judge::ocf_exit;
    EXPECT_EQ(status_verdict(agent, 0, ""), Verdict::running);
    EXPECT_EQ(status_verdict(agent, 8, ""), Verdict::running);
    EXPECT_EQ(status_verdict(agent, 7, "running"), Verdict::stopped);  // the text does not matter
    for (int code : {1, 2, 3, 4, 5, 6, 9, 127, -1}) {
        EXPECT_EQ(status_verdict(agent, code, "Running OK"), Verdict::failed) << code;
        EXPECT_FALSE(says_running(agent, code, "Running OK")) << code;
    }
    EXPECT_TRUE(says_running(agent, 0, ""));
    EXPECT_FALSE(says_running(agent, 7, ""));
}

TEST(AgentsVerdict, StartStopByExitCode) {
    for (Judge j : {Judge::heartbeat_text, Judge::ocf_exit}) {
        Command c;
        c.judge = j;
        EXPECT_TRUE(action_succeeded(c, 0));
        EXPECT_FALSE(action_succeeded(c, 1));
        EXPECT_FALSE(action_succeeded(c, 7));
    }
}

// --- environment -------------------------------------------------------------------------------

EnvironmentInput sample() {
    EnvironmentInput in;
    in.base = {"PATH=/usr/bin:/bin", "HOME=/root", "LANG=C.UTF-8", "LC_ALL=de_DE.UTF-8", "LANGUAGE=de"};
    in.node = "n1";
    in.logfile = "/var/log/ha-log";
    in.debugfile = "/var/log/ha-debug";
    in.logfacility = "none";
    in.debug = 1;
    in.parameters = {{"keepalive", "1000ms"}, {"deadtime", "3000ms"}, {"udpport", "7971"},
                     {"auto_failback", "on"}, {"debug", "1"}};
    in.auto_failback = config::AutoFailback::on;
    return in;
}

TEST(AgentsEnvironment, WhatHeartbeatSets) {
    auto env = as_map(script_environment(sample()));
    EXPECT_EQ(env["HA_CURHOST"], "n1");
    EXPECT_EQ(env["HA_DIR"], "/etc/ha.d");
    EXPECT_EQ(env["HA_FUNCS"], "/etc/ha.d/shellfuncs");
    EXPECT_EQ(env["HA_RESOURCEDIR"], "/etc/ha.d/resource.d");
    EXPECT_EQ(env["HA_RCDIR"], "/etc/ha.d/rc.d");
    EXPECT_EQ(env["HA_BIN"], "/usr/libexec/heartbeat");
    EXPECT_EQ(env["HA_FIFO"], "/var/lib/heartbeat/fifo");
    EXPECT_EQ(env["HA_DATEFMT"], "%Y/%m/%d_%T\t");
    EXPECT_EQ(env["HA_LOGFILE"], "/var/log/ha-log");
    EXPECT_EQ(env["HA_DEBUGLOG"], "/var/log/ha-debug");
    EXPECT_EQ(env["HA_LOGFACILITY"], "none");
    EXPECT_EQ(env["HA_LOGD"], "no");
    EXPECT_EQ(env["HA_NICEFAILBACK"], "yes");
    EXPECT_EQ(env["HA_debug"], "1");
    EXPECT_EQ(env["OCF_ROOT"], "/usr/lib/ocf");
    EXPECT_EQ(env["OCF_AGENTS"], "/usr/lib/ocf/resource.d/heartbeat/");
    EXPECT_EQ(env["HA_keepalive"], "1000ms");
    EXPECT_EQ(env["HA_deadtime"], "3000ms");
    EXPECT_EQ(env["HA_udpport"], "7971");
    EXPECT_EQ(env["HA_auto_failback"], "on");
    EXPECT_EQ(env["HOME"], "/root");
    EXPECT_EQ(env["LANG"], "C.UTF-8");
    EXPECT_EQ(env.count("LC_ALL"), 0u);
    EXPECT_EQ(env.count("LANGUAGE"), 0u);
    EXPECT_EQ(env["PATH"], "/usr/libexec/heartbeat:/usr/sbin:/usr/share/heartbeat:/usr/bin:/bin");
}

TEST(AgentsEnvironment, OneEntryPerNameSorted) {
    auto in = sample();
    in.base.push_back("HOME=/home/x");
    in.base.push_back("malformed");
    in.base.push_back("=nameless");
    auto list = script_environment(in);
    EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
    auto env = as_map(list);  // fails on a duplicate name
    EXPECT_EQ(env["HOME"], "/home/x");
    EXPECT_EQ(env.count("malformed"), 0u);
    EXPECT_EQ(env.count(""), 0u);
}

TEST(AgentsEnvironment, OverrideOrder) {
    auto in = sample();
    // The daemon's settings replace inherited values ...
    in.base.push_back("HA_CURHOST=other");
    in.base.push_back("OCF_ROOT=/elsewhere");
    // ... inherited values replace the helpers' defaults ...
    in.base.push_back("HA_BIN=/opt/hb/bin");
    in.base.push_back("HA_FIFO=/tmp/fifo");
    // ... parameters replace the daemon's settings, ha.cf env replaces parameters ...
    in.parameters["CURHOST"] = "from-parameter";
    in.env = {{"HA_CURHOST", "from-env"}, {"FOO", "bar"}, {"HA_udpport", "1"}, {"HA_NICEFAILBACK", "no"}};
    // ... the per-child values replace ha.cf env, and extra replaces everything.
    in.extra = {"HA_DONTASK=yes", "FOO=baz"};
    auto env = as_map(script_environment(in));
    EXPECT_EQ(env["OCF_ROOT"], "/usr/lib/ocf");
    EXPECT_EQ(env["HA_BIN"], "/opt/hb/bin");
    EXPECT_EQ(env["HA_FIFO"], "/tmp/fifo");
    EXPECT_EQ(env["HA_CURHOST"], "from-env");
    EXPECT_EQ(env["HA_udpport"], "1");
    EXPECT_EQ(env["HA_NICEFAILBACK"], "yes");
    EXPECT_EQ(env["HA_DONTASK"], "yes");
    EXPECT_EQ(env["FOO"], "baz");
    // PATH starts with the HA_BIN in effect.
    EXPECT_EQ(env["PATH"], "/opt/hb/bin:/usr/sbin:/usr/share/heartbeat:/usr/bin:/bin");
}

TEST(AgentsEnvironment, NiceFailbackAbsentInLegacy) {
    auto in = sample();
    in.auto_failback = config::AutoFailback::legacy;
    in.base.push_back("HA_NICEFAILBACK=yes");
    EXPECT_EQ(as_map(script_environment(in)).count("HA_NICEFAILBACK"), 0u);
    in.auto_failback = config::AutoFailback::off;
    EXPECT_EQ(as_map(script_environment(in))["HA_NICEFAILBACK"], "yes");
}

TEST(AgentsEnvironment, Defaults) {
    EnvironmentInput in;
    in.node = "n2";
    auto env = as_map(script_environment(in));
    EXPECT_EQ(env.count("HA_debug"), 0u);
    EXPECT_EQ(env.count("HA_LOGFILE"), 0u);
    EXPECT_EQ(env.count("HA_LOGFACILITY"), 0u);
    EXPECT_EQ(env["HA_DEBUGLOG"], "/dev/null");
    EXPECT_EQ(env["HA_LOGD"], "no");
    EXPECT_EQ(env.count("HA_NICEFAILBACK"), 0u);
    EXPECT_EQ(env["PATH"], "/usr/libexec/heartbeat:/usr/sbin:/usr/share/heartbeat:/usr/local/sbin:/usr/local/bin:"
                           "/usr/bin:/sbin:/bin");
    in.use_logd = true;
    in.config_dir = "/srv/ha.d/";
    in.state_dir = "/run/hb";
    env = as_map(script_environment(in));
    EXPECT_EQ(env["HA_LOGD"], "yes");
    EXPECT_EQ(env["HA_FUNCS"], "/srv/ha.d/shellfuncs");
    EXPECT_EQ(env["HA_RESOURCEDIR"], "/srv/ha.d/resource.d");
    EXPECT_EQ(env["HA_FIFO"], "/run/hb/fifo");
}

TEST(AgentsEnvironment, PathCleanup) {
    EnvironmentInput in;
    in.base = {"PATH=/usr/sbin::.:/usr/bin:/usr/libexec/heartbeat:/bin:/usr/bin"};
    EXPECT_EQ(as_map(script_environment(in))["PATH"],
              "/usr/libexec/heartbeat:/usr/sbin:/usr/share/heartbeat:/usr/bin:/bin");
}

TEST(AgentsEnvironment, LocaleKeptWhenAsked) {
    auto in = sample();
    in.drop_locale_overrides = false;
    auto env = as_map(script_environment(in));
    EXPECT_EQ(env["LC_ALL"], "de_DE.UTF-8");
    EXPECT_EQ(env["LANGUAGE"], "de");
}

TEST(AgentsEnvironment, MergeCommandEnvironment) {
    auto cmd = resolve(res("IPaddr2", {"10.0.0.5/24"}), Action::start, with_agent("IPaddr2"));
    ASSERT_TRUE(cmd.ok());
    auto in = sample();
    in.base.push_back("OCF_RESKEY_ip=stale");
    auto env = as_map(merge_environment(script_environment(in), cmd->env));
    EXPECT_EQ(env["OCF_RESKEY_ip"], "10.0.0.5");
    EXPECT_EQ(env["LC_ALL"], "C");  // the wrapper's own locale comes after the dropping
    EXPECT_EQ(env["HA_CURHOST"], "n1");
    EXPECT_EQ(merge_environment({"A=1", "B=2"}, {"A=3", "C"}), (Strings{"A=3", "B=2"}));
}

// --- the native address path: what it takes over from IPaddr2 / IPaddr, and what it leaves -------

TEST(AgentsNativeAddress, ReadsTheArgumentsAsTheAgentMappingDoes) {
    auto a = native_address(res("IPaddr2", {"10.0.0.5/24/eth0"}, "IPaddr2::10.0.0.5/24/eth0"));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->address, htonl(0x0a000005));
    EXPECT_EQ(a->prefix, 24);
    EXPECT_EQ(a->nic, "eth0");
    EXPECT_EQ(a->label, "");
    EXPECT_EQ(a->broadcast, 0u);  // the interface's own subnet broadcast, found at start
    EXPECT_EQ(a->text, "10.0.0.5/24 dev eth0");
    auto l = native_address(res("IPaddr2", {"10.0.0.5/24/eth0:vip/10.0.0.127"}));
    ASSERT_TRUE(l);
    EXPECT_EQ(l->nic, "eth0");
    EXPECT_EQ(l->label, "eth0:vip");
    EXPECT_EQ(l->broadcast, htonl(0x0a00007f));
    auto dotted = native_address(res("IPaddr", {"192.168.1.9/255.255.255.0/eth1"}));
    ASSERT_TRUE(dotted);
    EXPECT_EQ(dotted->prefix, 24);
}

TEST(AgentsNativeAddress, LeavesToTheAgentWhatItDoesNotCarryOut) {
    EXPECT_FALSE(native_address(res("IPaddr2", {"10.0.0.5"})));           // no interface: findif's job
    EXPECT_FALSE(native_address(res("IPaddr2", {"10.0.0.5/24"})));
    EXPECT_FALSE(native_address(res("IPaddr2", {"10.0.0.5/24/eth0/+"})));  // derived broadcast
    EXPECT_FALSE(native_address(res("IPaddr2", {"10.0.0.5/33/eth0"})));
    EXPECT_FALSE(native_address(res("IPaddr", {"10.0.0.5/255.0.255.0/eth0"})));  // not a netmask
    EXPECT_FALSE(native_address(res("IPv6addr", {"2001:db8::5/64/eth0"})));
    EXPECT_FALSE(native_address(res("Filesystem", {"/dev/sda1", "/data", "ext4"})));
}

// --- missing scripts, as hbconfig check and the daemon report them --------------------------------

TEST(AgentsScriptCheck, OneWarningPerMissingScriptWithItsHaresourcesLine) {
    config::ResourceGroup g1;
    g1.node = "n1";
    g1.line = 3;
    g1.resources = {res("rmtest", {"a"}, "rmtest::a"), res("nosuch", {}, "nosuch")};
    config::ResourceGroup g2;
    g2.node = "n2";
    g2.line = 7;
    g2.resources = {res("IPaddr2", {"10.0.0.5/24"}, "IPaddr2::10.0.0.5/24")};
    config::Diagnostics diag;
    check_scripts({g1, g2}, "/etc/ha.d/haresources", fake({"/etc/ha.d/resource.d/rmtest"}), diag);
    ASSERT_EQ(diag.items().size(), 2u);  // nosuch, and IPaddr2 without resource-agents
    EXPECT_FALSE(diag.has_errors());     // the daemon starts anyway, as 3.0.6 does
    EXPECT_EQ(diag.items()[0].line, 3);
    EXPECT_NE(diag.items()[0].message.find("nosuch"), std::string::npos) << diag.items()[0].message;
    EXPECT_EQ(diag.items()[1].line, 7);
    EXPECT_EQ(config::format(diag.items()[0]).rfind("/etc/ha.d/haresources:3: warning: ", 0), 0u);
}

// --- the real probe ----------------------------------------------------------------------------

TEST(AgentsProbe, RegularExecutable) {
    EXPECT_TRUE(is_regular_executable("/bin/sh"));
    EXPECT_FALSE(is_regular_executable("/"));                   // a directory, executable or not
    EXPECT_FALSE(is_regular_executable("/nonexistent/at/all"));

    char tmpl[] = "/tmp/agents_test_XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    ::close(fd);
    ASSERT_EQ(::chmod(tmpl, 0644), 0);
    EXPECT_FALSE(is_regular_executable(tmpl));  // even for root: no execute bit at all
    ASSERT_EQ(::chmod(tmpl, 0755), 0);
    EXPECT_TRUE(is_regular_executable(tmpl));
    ::unlink(tmpl);

    // With no probe given, resolve uses the real one.
    Lookup l;
    l.resource_dir = "/nonexistent";
    l.init_dir = "/bin";
    auto r = resolve(res("sh"), Action::status, l);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->path, "/bin/sh");
}

}  // namespace
}  // namespace hb::agents

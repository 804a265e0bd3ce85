#include <gtest/gtest.h>

#include <syslog.h>

#include "config/hacf.hpp"
#include "config/time_value.hpp"

namespace hb::config {
namespace {

struct Parsed {
    Config config;
    Diagnostics diag;
};

Parsed parse(const std::string& text, const std::string& local = "") {
    Parsed p;
    parse_hacf(text, "ha.cf", local, p.config, p.diag);
    return p;
}

const std::string kMinimal = "node a b\nucast eth0 10.0.0.2\n";

std::vector<std::string> errors(const Parsed& p) {
    std::vector<std::string> out;
    for (const auto& d : p.diag.items()) {
        if (d.error) out.push_back(format(d));
    }
    return out;
}

TEST(TimeValue, HeartbeatUnits) {
    EXPECT_EQ(parse_time_ms("2"), 2000);
    EXPECT_EQ(parse_time_ms("1.5"), 1500);
    EXPECT_EQ(parse_time_ms("200ms"), 200);
    EXPECT_EQ(parse_time_ms("1500ms"), 1500);
    EXPECT_EQ(parse_time_ms("100 ms"), 100);
    EXPECT_EQ(parse_time_ms("1500us"), 2);
    EXPECT_EQ(parse_time_ms("2000usec"), 2);
    EXPECT_FALSE(parse_time_ms("1s"));
    EXPECT_FALSE(parse_time_ms("ms"));
    EXPECT_FALSE(parse_time_ms(""));
    EXPECT_FALSE(parse_time_ms("-1"));
}

TEST(TimeValue, Booleans) {
    for (auto t : {"true", "on", "yes", "y", "1", "ON"}) EXPECT_EQ(parse_bool(t), true) << t;
    for (auto f : {"false", "off", "no", "n", "0"}) EXPECT_EQ(parse_bool(f), false) << f;
    EXPECT_FALSE(parse_bool("maybe"));
}

TEST(HaCf, MinimalConfigGetsHeartbeatsDefaults) {
    auto p = parse(kMinimal);
    EXPECT_TRUE(errors(p).empty()) << errors(p)[0];
    EXPECT_EQ(p.config.nodes, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(p.config.keepalive_ms, 1000);
    EXPECT_EQ(p.config.deadtime_ms, 30000);
    EXPECT_EQ(p.config.warntime_ms, 15000);
    EXPECT_EQ(p.config.initdead_ms, 30000);  // deadtime > 10 s: initdead = deadtime
    EXPECT_EQ(p.config.deadping_ms, 30000);
    EXPECT_EQ(p.config.udpport, 694);
    EXPECT_EQ(*p.config.parameter("hopfudge"), "1");
    EXPECT_EQ(*p.config.parameter("baud"), "19200");
    EXPECT_EQ(*p.config.parameter("realtime"), "true");
    EXPECT_EQ(*p.config.parameter("deadping"), "30000ms");
    EXPECT_FALSE(p.config.parameter("node"));
    EXPECT_FALSE(p.config.parameter("apiauth"));
    EXPECT_FALSE(p.config.parameter("nonsense"));
}

TEST(HaCf, InitdeadDerivation) {
    EXPECT_EQ(parse(kMinimal + "keepalive 500ms\ndeadtime 4\n").config.initdead_ms, 12000);  // < 6 s
    EXPECT_EQ(parse(kMinimal + "deadtime 8\n").config.initdead_ms, 16000);                   // 6..10 s
    EXPECT_EQ(parse(kMinimal + "deadtime 20\n").config.initdead_ms, 20000);                  // > 10 s
}

TEST(HaCf, ParametersAreVerbatim) {
    auto p = parse(kMinimal + "keepalive 500ms\ndeadtime 4 # comment\nauto_failback on\nlogfacility local0\n");
    EXPECT_TRUE(errors(p).empty());
    EXPECT_EQ(*p.config.parameter("keepalive"), "500ms");
    EXPECT_EQ(*p.config.parameter("deadtime"), "4");
    EXPECT_EQ(*p.config.parameter("auto_failback"), "on");
    EXPECT_EQ(*p.config.parameter("warntime"), "2000ms");
    EXPECT_EQ(p.config.logfacility, LOG_LOCAL0);
    EXPECT_EQ(p.config.keepalive_ms, 500);
}

TEST(HaCf, EveryDirectiveIsAccepted) {
    const std::string all = R"(node A, b c
keepalive 200ms
deadtime 2
warntime 1
initdead 4
deadping 3
udpport 7694
baud 19200
ucast eth0 10.0.0.2 10.0.0.3
ucast6 eth0 fe80::2
bcast eth1 eth2
mcast eth0 239.0.0.1 694 1 0
mcast6 eth0 ff02::1:2 694 1 1
serial /dev/ttyS0
ping 10.0.0.254
ping_group g1 10.0.0.1 10.0.0.2
hopfudge 2
auto_failback legacy
nice_failback off
logfacility daemon
logfile /var/log/ha-log
debugfile /var/log/ha-debug
use_logd no
conn_logd_time 60
respawn root /bin/sleep 1000
failfast root /bin/true
apiauth ipfail uid=root
apiauth mygroup gid=0,root
autojoin none
uuidfrom file
compression bz2
compression_threshold 4
traditional_compression yes
msgfmt netstring
realtime off
rtprio 5
memreserve 6500
coredumps true
coreroot /var/lib/heartbeat/cores
debug 1
crm off
pacemaker off
hbgenmethod time
max_rexmit_delay 300
watchdog /dev/watchdog
stonith null /dev/null
stonith_host * baytech 10.0.0.3 mylogin mysecretpassword
stonith_host b ipmilan 10.0.0.9 623 admin secret
cluster linux-ha
log_badpack true
syslogmsgfmt false
env LANG=C
quorum_server qs.example
record_config_changes on
record_pengine_inputs on
enable_config_writes on
normalpoll true
bind 10.0.0.1
)";
    auto p = parse(all, "a");
    EXPECT_TRUE(errors(p).empty()) << (errors(p).empty() ? "" : errors(p)[0]);
    const Config& c = p.config;
    EXPECT_EQ(c.nodes, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(c.media.size(), 7u);  // 2 ucast peers, 1 ucast6, 2 bcast devices, mcast, mcast6
    EXPECT_EQ(c.media[0].port, 7694);
    EXPECT_EQ(c.media[5].ttl, 1);
    EXPECT_EQ(c.media[6].loop, true);
    EXPECT_EQ(c.ping_groups.size(), 1u);
    EXPECT_EQ(c.respawn.size(), 2u);
    // The last device line for this node (a): b's line is b's.
    ASSERT_TRUE(c.stonith.has_value());
    EXPECT_EQ(c.stonith->type, "baytech");
    EXPECT_EQ(c.stonith->params, "10.0.0.3 mylogin mysecretpassword");
    EXPECT_TRUE(c.stonith->config_file.empty());
    EXPECT_EQ(c.compression, "bz2");
    EXPECT_TRUE(c.traditional_compression);
    EXPECT_TRUE(c.msgfmt_netstring);
    EXPECT_TRUE(c.hbgen_from_time);
    EXPECT_FALSE(c.realtime);
    EXPECT_EQ(c.max_rexmit_delay_ms, 300);
    EXPECT_EQ(c.env.at("LANG"), "C");
    EXPECT_EQ(c.bind_address, "10.0.0.1");
    ASSERT_NE(c.apiauth_for("ipfail"), nullptr);
    EXPECT_EQ(c.apiauth_for("ipfail")->uids, (std::vector<uid_t>{0}));
    EXPECT_EQ(c.apiauth_for("mygroup")->gids, (std::vector<gid_t>{0, 0}));
    ASSERT_NE(c.apiauth_for("anon"), nullptr);  // built in
    // Directives not acted on yet are accepted with a warning.
    int warnings = 0;
    for (const auto& d : p.diag.items()) warnings += !d.error;
    EXPECT_GT(warnings, 5);
}

struct Mistake {
    std::string text;
    std::string expected;  // "ha.cf:LINE: error: ..." prefix and a word of the fix
    std::string fix;
};

// Short names in test listings: the error the case expects.
void PrintTo(const Mistake& m, std::ostream* os) { *os << '"' << m.expected << '"'; }

class HaCfMistakes : public ::testing::TestWithParam<Mistake> {};

TEST_P(HaCfMistakes, NameTheLineAndTheFix) {
    auto p = parse(GetParam().text, "a");
    auto errs = errors(p);
    ASSERT_FALSE(errs.empty()) << GetParam().text;
    EXPECT_EQ(errs[0].rfind(GetParam().expected, 0), 0u) << errs[0];
    EXPECT_NE(errs[0].find(GetParam().fix), std::string::npos) << errs[0];
}

INSTANTIATE_TEST_SUITE_P(
    Each, HaCfMistakes,
    ::testing::Values(
        Mistake{"node a b\nucast eth0 10.0.0.2\nfrobnicate 1\n", "ha.cf:3: error: unknown directive", "man ha.cf"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nkeepalive 1s\n", "ha.cf:3: error: keepalive '1s'", "500ms"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nkeepalive 1\ndeadtime 1500ms\n", "ha.cf:4: error: deadtime", "deadtime 4000ms"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nkeepalive 1\ndeadtime 10\nwarntime 20\n", "ha.cf:5: error: warntime", "warntime 5000ms"},
        Mistake{"node a b\nucast eth0 10.0.0.2\ndeadtime 10\ninitdead 5\n", "ha.cf:4: error: initdead", "initdead 20000ms"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nudpport 7694\n", "ha.cf:3: error: udpport must come before", "move it"},
        Mistake{"node a b\nudpport 70000\nucast eth0 10.0.0.2\n", "ha.cf:2: error: udpport '70000'", "1 to 65535"},
        Mistake{"node a b\nucast eth0 10.0.0.300\n", "ha.cf:2: error: ucast peer", "IPv4"},
        Mistake{"node a b\nmcast eth0 10.0.0.1 694 1 0\n", "ha.cf:2: error: mcast group", "224.0.0.0/4"},
        Mistake{"node a b\nmcast eth0 239.0.0.1 694 300 0\n", "ha.cf:2: error: mcast ttl", "0 to 255"},
        Mistake{"node a b\nmcast eth0 239.0.0.1 694 1\n", "ha.cf:2: error: mcast wants", "<loop 0|1>"},
        Mistake{"node a b\n", "ha.cf:1: error: no communication media", "ucast eth0"},
        Mistake{"ucast eth0 10.0.0.2\n", "ha.cf:1: error: no node lines", "node n1 n2"},
        Mistake{"node b c\nucast eth0 10.0.0.2\n", "ha.cf:2: error: this node 'a' is not declared", "node a"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nauto_failback sometimes\n", "ha.cf:3: error: auto_failback", "legacy"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nlogfacility nowhere\n", "ha.cf:3: error: logfacility", "local0"},
        Mistake{"node a b\nucast eth0 10.0.0.2\napiauth x uid=nosuchuser\n", "ha.cf:3: error: apiauth: no user", "nosuchuser"},
        Mistake{"node a b\nucast eth0 10.0.0.2\napiauth x uid=0\napiauth x gid=0\n", "ha.cf:4: error: apiauth for 'x' given twice", "merge"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nbind nowhere\n", "ha.cf:3: error: bind", "127.0.0.2"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nstonith_host * nosuchdevice x\n", "ha.cf:3: error: stonith_host: unknown STONITH device type 'nosuchdevice'", "stonith -L"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nstonith external/../../x p\n", "ha.cf:3: error: stonith: unknown STONITH device type", "stonith -L"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nstonith null /no/such/file\n", "ha.cf:3: error: stonith parameter file '/no/such/file'", "fix the path"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nping router.example\n", "ha.cf:3: error: ping 'router.example' is not an IPv4 or IPv6 address", "ping 10.0.0.254"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nping_group g 10.0.0.1 10.0.0.300\n", "ha.cf:3: error: ping_group g: '10.0.0.300'", "IPv4 or IPv6"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nrespawn root ipfail\n", "ha.cf:3: error: respawn program 'ipfail' is not an absolute path", "/usr/libexec"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nfailfast root /no/such/program -x\n", "ha.cf:3: error: failfast program '/no/such/program'", "fix the path"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nrespawn nosuchuser /bin/true\n", "ha.cf:3: error: respawn: no user 'nosuchuser'", "create the user"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nmsgfmt xml\n", "ha.cf:3: error: msgfmt", "netstring"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nrealtime perhaps\n", "ha.cf:3: error: realtime", "on/off"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nkeepalive\n", "ha.cf:3: error: keepalive needs a value", "value"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nmetrics_listen 9694\n", "ha.cf:3: error: metrics_listen '9694' has no port", "127.0.0.1:9694"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nmetrics_listen localhost:9694\n", "ha.cf:3: error: metrics_listen 'localhost:9694'", "[::1]:9694"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nmetrics_listen 127.0.0.1:0\n", "ha.cf:3: error: metrics_listen '127.0.0.1:0': the port", "1 to 65535"},
        Mistake{"node a b\nucast eth0 10.0.0.2\nmetrics_listen ::1:9694\n", "ha.cf:3: error: metrics_listen '::1:9694'", "[::1]:9694"}),
    [](const ::testing::TestParamInfo<Mistake>& info) { return "case" + std::to_string(info.index); });

TEST(HaCf, MetricsListenTakesAnAddressAndAPort) {
    auto v4 = parse("node a b\nucast eth0 10.0.0.2\nmetrics_listen 127.0.0.1:9694\n", "a");
    EXPECT_TRUE(errors(v4).empty());
    EXPECT_EQ(v4.config.metrics_address, "127.0.0.1");
    EXPECT_EQ(v4.config.metrics_port, 9694);
    auto v6 = parse("node a b\nucast eth0 10.0.0.2\nmetrics_listen [::1]:9100\n", "a");
    EXPECT_TRUE(errors(v6).empty());
    EXPECT_EQ(v6.config.metrics_address, "::1");
    EXPECT_EQ(v6.config.metrics_port, 9100);
    auto none = parse("node a b\nucast eth0 10.0.0.2\n", "a");  // a 3.0.6 ha.cf: no endpoint
    EXPECT_EQ(none.config.metrics_port, 0);
}

TEST(HaCf, AllErrorsOfAFileAreReported) {
    auto p = parse("node a b\nfoo 1\nbar 2\nucast eth0 10.0.0.2\nkeepalive x\n", "a");
    EXPECT_EQ(errors(p).size(), 3u);
}

TEST(HaCf, UnderscoreDirectivesFromHeartbeatManPage) {
    auto p = parse(kMinimal + "nice_failback on\n");
    EXPECT_EQ(p.config.auto_failback, AutoFailback::off);
}

}  // namespace
}  // namespace hb::config

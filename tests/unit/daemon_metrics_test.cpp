// The metrics' text (daemon/exposition.hpp, daemon/metrics.hpp): the exposition format's lines
// and escapes, and what a node's figures become. A real Prometheus reads them in
// tests/integration/prometheus_scrape.sh.
#include <gtest/gtest.h>

#include "daemon/exposition.hpp"
#include "daemon/metrics.hpp"

namespace hb::daemon {
namespace {

TEST(Exposition, WritesHelpTypeAndSamplesWithEscapedLabels) {
    Exposition e;
    e.family("hb_x_total", "a \\ b\nc", Exposition::Type::counter);
    e.sample({}, 3);
    e.sample({{"peer", "n\"1\\\n"}}, 0.25);
    EXPECT_EQ(e.text(),
              "# HELP hb_x_total a \\\\ b\\nc\n"
              "# TYPE hb_x_total counter\n"
              "hb_x_total 3\n"
              "hb_x_total{peer=\"n\\\"1\\\\\\n\"} 0.25\n");
}

TEST(Exposition, AHistogramHasCumulativeBucketsInfSumAndCount) {
    Exposition e;
    e.family("hb_gap_seconds", "gaps", Exposition::Type::histogram);
    e.histogram({{"peer", "n2"}}, {{0.1, 2}, {1, 5}}, 6, 3.5);
    EXPECT_EQ(e.text(),
              "# HELP hb_gap_seconds gaps\n# TYPE hb_gap_seconds histogram\n"
              "hb_gap_seconds_bucket{peer=\"n2\",le=\"0.1\"} 2\n"
              "hb_gap_seconds_bucket{peer=\"n2\",le=\"1\"} 5\n"
              "hb_gap_seconds_bucket{peer=\"n2\",le=\"+Inf\"} 6\n"
              "hb_gap_seconds_sum{peer=\"n2\"} 3.5\n"
              "hb_gap_seconds_count{peer=\"n2\"} 6\n");
}

TEST(IntervalHistogram, PutsEachIntervalInTheFirstBucketThatHoldsIt) {
    core::IntervalHistogram h;
    h.observe(100 * core::kMillis);   // exactly 100 ms: the 100 ms bucket
    h.observe(101 * core::kMillis);   // the 200 ms bucket
    h.observe(31 * core::kSeconds);   // above every bound
    EXPECT_EQ(h.counts[2], 1u);
    EXPECT_EQ(h.counts[3], 1u);
    EXPECT_EQ(h.counts[std::size(core::kIntervalBucketsMs)], 1u);
    EXPECT_EQ(h.count, 3u);
    EXPECT_EQ(h.sum, 31201 * core::kMillis);
}

TEST(Metrics, ANodesFiguresBecomeFamiliesWithPeerLabels) {
    core::CoreConfig cfg;
    cfg.node = "n1";
    cfg.uuid = std::string(16, '\1');
    cfg.nodes = {"n1", "n2", "n3"};
    cfg.links = {"eth0"};
    core::Core core(cfg);
    (void)core.start(0);
    Settings settings;
    settings.core = cfg;
    ClientRegistry clients(settings, 0);
    const std::string text = metrics_text(core::kSeconds, core, settings, clients);
    for (const char* line : {"# TYPE heartbeat_heartbeats_sent_total counter\nheartbeat_heartbeats_sent_total 1\n",
                             "# TYPE heartbeat_nodes gauge\nheartbeat_nodes 3\n",
                             "heartbeat_nodes_alive 1\n",  // itself: up from the start, the peers unheard
                             "heartbeat_node_up{peer=\"n1\"} 1\n", "heartbeat_node_up{peer=\"n2\"} 0\n",
                             "heartbeat_link_up{peer=\"n3\",link=\"eth0\"} 0\n",
                             "heartbeat_peer_heartbeat_interval_seconds_bucket{peer=\"n2\",le=\"0.025\"} 0\n",
                             "heartbeat_peer_heartbeat_interval_seconds_count{peer=\"n3\"} 0\n",
                             "heartbeat_peer_deaths_total{peer=\"n2\"} 0\n",
                             "heartbeat_api_signon_timeouts_total 0\n",
                             "heartbeat_api_clients 0\n"}) {
        EXPECT_NE(text.find(line), std::string::npos) << line << "\nin\n" << text;
    }
    // Never heard: no last-heard sample rather than a made-up one.
    EXPECT_EQ(text.find("heartbeat_peer_last_heard_seconds{"), std::string::npos);
}

}  // namespace
}  // namespace hb::daemon

// Microbenchmarks of the protocol core, the codecs and the simulator (Google Benchmark).
// Figures and how to read them: docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include "auth/keyring.hpp"
#include "auth/packet.hpp"
#include "auth/stranger_gate.hpp"
#include "core/core.hpp"
#include "msg/netstring_codec.hpp"
#include "sim/simulator.hpp"
#include "common/numbered_name.hpp"

namespace {

using hb::Message;
using hb::core::Core;
using hb::core::CoreConfig;

CoreConfig config(int nodes, const std::string& self) {
    CoreConfig c;
    c.node = self;
    c.uuid = std::string(16, 'u');
    for (int i = 0; i < nodes; ++i) c.nodes.push_back(hb::numbered_name("n", i));
    c.links = {"eth0"};
    c.keepalive = 1000 * hb::core::kMillis;
    c.deadtime = 3000 * hb::core::kMillis;
    c.warntime = 2000 * hb::core::kMillis;
    c.initdead = 6000 * hb::core::kMillis;
    c.send_window = 1u << 30;  // the benchmarks measure cost, not flow control
    return c;
}

Message packet(const std::string& type, const std::string& src, std::uint64_t seq) {
    Message m;
    m.add("t", type);
    if (type == "status") {
        m.add("st", "active");
        m.add("dt", "bb8");
        m.add("protocol", "1");
    } else {
        m.add("payload", std::string(64, 'x'));
    }
    m.add("src", src);
    m.add_binary("srcuuid", std::string(16, 's'));
    char hexseq[32];
    std::snprintf(hexseq, sizeof hexseq, "%llx", static_cast<unsigned long long>(seq));
    m.add("seq", hexseq);
    m.add("hg", "6b05c21d");
    m.add("ts", "6b05c21d");
    m.add("ld", "0.00 0.06 0.31 1/111 32294");
    m.add("ttl", "3");
    return m;
}

// One node receiving in-order packets round-robin from every peer.
void receive_loop(benchmark::State& state, const std::string& type) {
    const int peers = static_cast<int>(state.range(0));
    Core core(config(peers + 1, "n0"));
    core.start(0);
    // Packets are made in batches outside the timed region (pausing the timer per packet would
    // cost more than what is measured).
    // Each peer's first heartbeat: the core takes up a peer's sequence at a status message and drops
    // anything before it (a client message first would only measure that drop).
    for (int p = 0; p < peers; ++p) core.receive(1, 0, packet("status", hb::numbered_name("n", p + 1), 1));
    std::vector<Message> batch;
    std::size_t next = 0;
    std::uint64_t seq = 2;
    hb::core::Micros now = 2;
    for (auto _ : state) {
        if (next == batch.size()) {
            state.PauseTiming();
            batch.clear();
            for (int round = 0; round < 8; ++round, ++seq) {
                for (int p = 0; p < peers; ++p) batch.push_back(packet(type, hb::numbered_name("n", p + 1), seq));
            }
            next = 0;
            state.ResumeTiming();
        }
        benchmark::DoNotOptimize(core.receive(now, 0, std::move(batch[next++])));  // as the daemon hands it over
        now += 10;
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_ReceiveHeartbeat(benchmark::State& state) { receive_loop(state, "status"); }
void BM_ReceiveClientMessage(benchmark::State& state) { receive_loop(state, "app"); }
BENCHMARK(BM_ReceiveHeartbeat)->Arg(2)->Arg(16)->Arg(256);
BENCHMARK(BM_ReceiveClientMessage)->Arg(2)->Arg(16)->Arg(256);

void BM_SendClientMessage(benchmark::State& state) {
    Core core(config(3, "n0"));
    core.start(0);
    hb::core::Micros now = 1;
    for (auto _ : state) {
        Message m;
        m.add("t", "app");
        m.add("payload", std::string(64, 'x'));
        benchmark::DoNotOptimize(core.send(now++, std::move(m)));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SendClientMessage);

void BM_EncodeNetstring(benchmark::State& state) {
    Message m = packet("status", "n1", 42);
    for (auto _ : state) benchmark::DoNotOptimize(hb::encode_netstring(m));
}
BENCHMARK(BM_EncodeNetstring);

void BM_DecodeNetstring(benchmark::State& state) {
    std::string bytes = *hb::encode_netstring(packet("status", "n1", 42));
    for (auto _ : state) benchmark::DoNotOptimize(hb::decode_netstring(bytes));
}
BENCHMARK(BM_DecodeNetstring);

void sign_and_check(benchmark::State& state, hb::auth::Method method) {
    hb::auth::Keyring keys;
    keys.add({1, method, method == hb::auth::Method::crc ? "" : "secret"});
    keys.set_signing_index(1);
    hb::auth::NonceSequence nonces;
    Message m = packet("status", "n1", 42);
    for (auto _ : state) {
        auto datagram = hb::auth::sign_packet(m, keys, true, &nonces);
        benchmark::DoNotOptimize(hb::auth::check_packet(*datagram, keys));
    }
}
void BM_SignAndCheckSha1(benchmark::State& s) { sign_and_check(s, hb::auth::Method::sha1); }
void BM_SignAndCheckHmacSha256(benchmark::State& s) { sign_and_check(s, hb::auth::Method::hmac_sha256); }
void BM_SealAndOpenAesGcm(benchmark::State& s) { sign_and_check(s, hb::auth::Method::aes_256_gcm); }
void BM_SealAndOpenChachaPoly(benchmark::State& s) { sign_and_check(s, hb::auth::Method::chacha20_poly1305); }
BENCHMARK(BM_SignAndCheckSha1);
BENCHMARK(BM_SignAndCheckHmacSha256);
BENCHMARK(BM_SealAndOpenAesGcm);
BENCHMARK(BM_SealAndOpenChachaPoly);

// What a stranger's datagram costs once the gate has shut it out: the lookup alone.
void BM_StrangerGateRefusal(benchmark::State& state) {
    hb::auth::StrangerGate gate;
    const std::string stranger("\x0a\x51\x00\x09", 4);
    hb::auth::StrangerGate::Micros t = 1'000'000'000;
    for (int i = 0; i < hb::auth::StrangerGate::kStrikes; ++i) {
        gate.admit(t, stranger);
        gate.failed(t, stranger);
    }
    for (auto _ : state) benchmark::DoNotOptimize(gate.admit(++t, stranger));
}
BENCHMARK(BM_StrangerGateRefusal);

// Simulated node-seconds per wall second: the simulator's speed at a given cluster size.
void BM_SimulatorSpeed(benchmark::State& state) {
    hb::sim::SimOptions o;
    o.nodes = static_cast<int>(state.range(0));
    o.duration_s = o.nodes >= 1000 ? 5 : 20;
    o.keepalive_ms = 1000;
    o.deadtime_ms = 3000;
    for (auto _ : state) benchmark::DoNotOptimize(hb::sim::Simulator(o).run());
    state.counters["node_s_per_s"] =
        benchmark::Counter(o.nodes * o.duration_s * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimulatorSpeed)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();

#include "loopback_cluster.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include "common/numbered_name.hpp"

namespace hb::test {

namespace fs = std::filesystem;

LoopbackCluster::LoopbackCluster(int nodes, int port, NodeOptions o) : nodes_(nodes), port_(port), pids_(nodes + 1, 0) {
    char tmpl[] = "/tmp/hb-cluster-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    for (int i = 1; i <= nodes; ++i) {
        fs::create_directories(node_dir(i));
        fs::create_directories(state_dir(i));
        std::ofstream cf(node_dir(i) + "/ha.cf");
        cf << "node";
        for (int j = 1; j <= nodes; ++j) cf << " n" << j;
        cf << "\nbind 127.0.0." << i << "\nudpport " << port << "\nkeepalive " << o.keepalive_ms
           << "ms\ndeadtime " << o.deadtime_ms << "ms\nwarntime " << o.warntime_ms << "ms\ninitdead "
           << o.initdead_ms << "ms\n";
        for (int j = 1; j <= nodes; ++j) {
            if (j != i) cf << "ucast lo 127.0.0." << j << "\n";
        }
        cf << "logfacility none\nlogfile " << log_path(i) << "\n";
        std::ofstream(node_dir(i) + "/authkeys") << "auth 1\n1 hmac-sha256 integration-test-key\n";
        chmod((node_dir(i) + "/authkeys").c_str(), 0600);
        std::ofstream(node_dir(i) + "/haresources");
    }
}

LoopbackCluster::~LoopbackCluster() {
    for (int i = 1; i <= nodes_; ++i) {
        if (pids_[static_cast<std::size_t>(i)] > 0) {
            kill(pids_[static_cast<std::size_t>(i)], SIGKILL);
            waitpid(pids_[static_cast<std::size_t>(i)], nullptr, 0);
        }
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

std::string LoopbackCluster::node_dir(int i) const { return dir_ + "/n" + std::to_string(i); }
std::string LoopbackCluster::log_path(int i) const { return dir_ + "/n" + std::to_string(i) + ".log"; }
std::string LoopbackCluster::state_dir(int i) const { return dir_ + "/state" + std::to_string(i); }
std::string LoopbackCluster::socket_path(int i) const { return dir_ + "/n" + std::to_string(i) + ".sock"; }

void LoopbackCluster::start(int i, std::vector<std::string> extra) {
    std::vector<std::string> args = {HB_BIN_DIR "/heartbeat", "-f", "-c", node_dir(i), "-n", numbered_name("n", i),
                                     "--state-dir", state_dir(i), "--pidfile", dir_ + "/n" + std::to_string(i) + ".pid",
                                     "--socket", socket_path(i)};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_t pid = fork();
    if (pid == 0) {
        // stderr repeats the log file: keep the test's output readable.
        std::freopen("/dev/null", "w", stderr);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    pids_[static_cast<std::size_t>(i)] = pid;
}

void LoopbackCluster::start_all() {
    for (int i = 1; i <= nodes_; ++i) start(i);
}

void LoopbackCluster::signal(int i, int signo) {
    if (pids_[static_cast<std::size_t>(i)] > 0) kill(pids_[static_cast<std::size_t>(i)], signo);
}

bool LoopbackCluster::running(int i) const { return pids_[static_cast<std::size_t>(i)] > 0; }

std::optional<int> LoopbackCluster::wait_exit(int i, std::chrono::milliseconds timeout) {
    pid_t pid = pids_[static_cast<std::size_t>(i)];
    if (pid <= 0) return std::nullopt;
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            pids_[static_cast<std::size_t>(i)] = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return std::nullopt;
}

std::vector<std::string> LoopbackCluster::log_lines(int i) const {
    std::ifstream in(log_path(i));
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::optional<std::string> LoopbackCluster::wait_for_line(int i, const std::string& text,
                                                          std::chrono::milliseconds timeout, std::size_t from_line) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    do {
        auto lines = log_lines(i);
        for (std::size_t k = from_line; k < lines.size(); ++k) {
            if (lines[k].find(text) != std::string::npos) return lines[k];
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    } while (std::chrono::steady_clock::now() < end);
    return std::nullopt;
}

std::pair<int, std::string> LoopbackCluster::run_heartbeat(const std::vector<std::string>& args) {
    std::string cmd = std::string(HB_BIN_DIR) + "/heartbeat";
    for (const auto& a : args) cmd += " '" + a + "'";
    cmd += " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    for (std::size_t n; p && (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    int status = p ? pclose(p) : -1;
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

long long wall_ms_now() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

std::optional<long long> log_line_ms(const std::string& line) {
    // "heartbeat[pid]: 2026/11/24_22:42:34.128 WARN: ..."
    auto colon = line.find("]: ");
    if (colon == std::string::npos) return std::nullopt;
    std::tm tm{};
    int ms = 0;
    if (std::sscanf(line.c_str() + colon + 3, "%d/%d/%d_%d:%d:%d.%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
        return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    return static_cast<long long>(mktime(&tm)) * 1000 + ms;
}

std::string printable_noise(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string text(n, ' ');
    for (char& ch : text) ch = static_cast<char>(' ' + rng() % 95);
    return text;
}

}  // namespace hb::test

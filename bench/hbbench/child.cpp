#include "child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

extern char** environ;

namespace hbbench {

namespace {
long long mono_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

std::optional<Child> Child::spawn(const std::vector<std::string>& argv, const std::string& stderr_path) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return std::nullopt;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipefd[1]);
    if (rc != 0) {
        close(pipefd[0]);
        return std::nullopt;
    }
    return Child(pid, pipefd[0]);
}

Child::Child(Child&& other) noexcept
    : pid_(other.pid_), out_(other.out_), buffer_(std::move(other.buffer_)), eof_(other.eof_) {
    other.pid_ = -1;
    other.out_ = -1;
}

Child::~Child() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
}

std::optional<std::string> Child::line(int timeout_ms) {
    const long long give_up = mono_ms() + timeout_ms;
    // The first turn always looks: line(0) reads what is already in the pipe without waiting.
    for (bool first = true;; first = false) {
        if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
            std::string l = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            return l;
        }
        const long long left = give_up - mono_ms();
        if (eof_ || (left <= 0 && !first)) return std::nullopt;
        pollfd p{out_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(std::max(0LL, left))) <= 0) continue;
        char buf[4096];
        ssize_t n = read(out_, buf, sizeof buf);
        if (n <= 0) {
            eof_ = true;
            continue;
        }
        buffer_.append(buf, static_cast<std::size_t>(n));
    }
}

std::optional<std::string> Child::line_starting(const std::string& prefix, int timeout_ms) {
    const long long give_up = mono_ms() + timeout_ms;
    for (long long left = timeout_ms; left > 0; left = give_up - mono_ms()) {
        auto l = line(static_cast<int>(left));
        if (!l) return std::nullopt;
        if (l->rfind(prefix, 0) == 0) return l;
    }
    return std::nullopt;
}

void Child::signal(int signo) {
    if (pid_ > 0) ::kill(pid_, signo);
}

int Child::wait(int timeout_ms) {
    if (pid_ <= 0) return -1;
    int status = 0;
    for (long long give_up = mono_ms() + timeout_ms; mono_ms() < give_up;) {
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return -1;
}

std::optional<std::string> run(const std::vector<std::string>& argv, const std::string& stderr_path, int timeout_ms) {
    auto child = Child::spawn(argv, stderr_path);
    if (!child) return std::nullopt;
    std::string out;
    const long long give_up = mono_ms() + timeout_ms;
    for (long long left = timeout_ms; left > 0; left = give_up - mono_ms()) {
        auto l = child->line(static_cast<int>(left));
        if (!l) break;
        out += *l + "\n";
    }
    if (child->wait(std::max<long long>(0, give_up - mono_ms())) != 0) return std::nullopt;
    return out;
}

}  // namespace hbbench

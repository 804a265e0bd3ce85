// A process hbbench started (a driver command or an agent), with its stdout read line by line.
// It is stopped by its own pid: the destructor kills it if it is still running.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace hbbench {

class Child {
public:
    // Starts argv[0] with the arguments; stderr is appended to `stderr_path`.
    static std::optional<Child> spawn(const std::vector<std::string>& argv, const std::string& stderr_path);
    Child(Child&& other) noexcept;
    Child& operator=(Child&&) = delete;
    ~Child();

    // The next line of its stdout within timeout_ms (nullopt: none in time, or it closed stdout);
    // 0 takes a line already there without waiting.
    std::optional<std::string> line(int timeout_ms);
    // Reads lines until one starts with `prefix` (others are dropped) within timeout_ms.
    std::optional<std::string> line_starting(const std::string& prefix, int timeout_ms);
    void signal(int signo);
    // Waits up to timeout_ms for it to exit (SIGKILL after that); its exit status, or -1.
    int wait(int timeout_ms);
    pid_t pid() const { return pid_; }

private:
    Child(pid_t pid, int out) : pid_(pid), out_(out) {}
    pid_t pid_ = -1;
    int out_ = -1;
    std::string buffer_;
    bool eof_ = false;
};

// Runs a command to its end (bounded by timeout_ms) and returns its stdout, or nullopt if it failed.
std::optional<std::string> run(const std::vector<std::string>& argv, const std::string& stderr_path, int timeout_ms);

}  // namespace hbbench

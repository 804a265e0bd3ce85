#include "daemon/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

namespace hb::daemon {

void detach() {
    pid_t pid = fork();
    if (pid < 0) std::exit(1);
    if (pid > 0) _exit(0);
    setsid();
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO) close(null);
    }
}

namespace {

// mlock()s every mapping of our own executable file (text, rodata, data), as listed in /proc/self/maps.
void lock_own_executable() {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return;
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);) {
        if (line.size() < exe.string().size() || line.compare(line.size() - exe.string().size(), std::string::npos, exe.string()) != 0) continue;
        unsigned long from = 0, to = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx", &from, &to) == 2 && to > from) {
            (void)mlock(reinterpret_cast<void*>(from), to - from);
        }
    }
}

}  // namespace

std::string enable_realtime() {
    sched_param param{};
    param.sched_priority = sched_get_priority_min(SCHED_RR) + 1;
    std::string problems;
    if (sched_setscheduler(0, SCHED_RR, &param) != 0) problems += std::string("SCHED_RR: ") + std::strerror(errno);
    // Locked as touched (MCL_ONFAULT), not all at once: locking every mapped page made libcrypto's
    // and libstdc++'s whole text resident, 11 MiB of RSS for code we never run (hbbench S4). Our own
    // code is locked whole, so a path first taken when a node dies (and not yet touched) is in memory too.
    if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0) {
        problems += (problems.empty() ? "" : "; ") + std::string("mlockall: ") + std::strerror(errno);
    }
    lock_own_executable();
    return problems;
}

void notify_systemd(std::string_view state) {
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (!path || !*path) return;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
    if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + std::strlen(path));
    sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr), len);
    close(fd);
}

void make_socket_dir(const std::string& dir) {
    if (dir.empty()) return;
    const group* g = getgrnam("haclient");
    const passwd* u = getpwnam("hacluster");
    const mode_t mode = g ? 0750 : 0755;
    if (mkdir(dir.c_str(), mode) != 0) return;  // exists (left alone), or cannot be made (the bind says why)
    chmod(dir.c_str(), mode);                   // not narrowed by the umask
    if (g && chown(dir.c_str(), u ? u->pw_uid : 0, g->gr_gid) != 0) {
        std::perror(("heartbeat: chown " + dir).c_str());
    }
}

}  // namespace hb::daemon

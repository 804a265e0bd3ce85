/* api_flood: a local process that locks clients out, if it can. Opens COUNT connections to the
 * daemon's API socket and never signs on, for SECONDS; with `reopen`, each one the daemon closes
 * is opened again at once, with `hold` it is not. With UID it first becomes that user (and group).
 * Writes "ready" once the first COUNT connects were tried, then at the end how many were opened
 * and how many the daemon closed.
 * Usage: api_flood SOCKET COUNT SECONDS hold|reopen [UID] */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum { kMaxConnections = 1024 };

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A non-blocking connect: -1 when the listen queue is full (tried again next round). */
static int open_one(const struct sockaddr_un* addr) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (const struct sockaddr*)addr, sizeof *addr) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char** argv) {
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: api_flood SOCKET COUNT SECONDS hold|reopen [UID]\n");
        return 2;
    }
    const int count = atoi(argv[2]);
    const double seconds = atof(argv[3]);
    const int reopen = strcmp(argv[4], "reopen") == 0;
    if (count <= 0 || count > kMaxConnections || strlen(argv[1]) >= sizeof(((struct sockaddr_un*)0)->sun_path) ||
        (!reopen && strcmp(argv[4], "hold") != 0)) {
        fprintf(stderr, "api_flood: bad arguments\n");
        return 2;
    }
    if (argc == 6) {
        const gid_t id = (gid_t)atoi(argv[5]);
        if (setgroups(0, NULL) != 0 || setgid(id) != 0 || setuid((uid_t)id) != 0) {
            perror("api_flood: setuid");
            return 1;
        }
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strcpy(addr.sun_path, argv[1]);
    static struct pollfd fds[kMaxConnections];
    long opened = 0, closed_by_daemon = 0;
    for (int i = 0; i < count; ++i) {
        fds[i].fd = open_one(&addr);
        fds[i].events = POLLIN;
        if (fds[i].fd >= 0) ++opened;
    }
    printf("ready\n");
    fflush(stdout);
    const double end = now_s() + seconds;
    while (now_s() < end) {
        poll(fds, (nfds_t)count, 100);
        for (int i = 0; i < count; ++i) {
            char byte;
            if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                const ssize_t n = read(fds[i].fd, &byte, 1);
                if (n == 0 || (n < 0 && errno != EAGAIN)) {
                    close(fds[i].fd);
                    fds[i].fd = -2;  /* closed by the daemon; -1: the connect did not go through */
                    ++closed_by_daemon;
                }
            }
            fds[i].revents = 0;
            if ((fds[i].fd == -1 || (fds[i].fd == -2 && reopen)) && (fds[i].fd = open_one(&addr)) >= 0) ++opened;
        }
    }
    printf("opened %ld closed_by_daemon %ld\n", opened, closed_by_daemon);
    return 0;
}

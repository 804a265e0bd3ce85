/* udp_flood: a stranger on the cluster port. Sends datagrams that look like heartbeat's (a
 * netstring message with a trailer that does not verify, and sealed "HBAE" datagrams that do not
 * open), RATE per second for SECONDS, from SOURCE to DEST:PORT, in batches (sendmmsg). Prints how
 * many it sent. The fault test runs it beside a real cluster.
 * Usage: udp_flood SOURCE DEST PORT RATE SECONDS */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { kBatch = 64 };

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: udp_flood SOURCE DEST PORT RATE SECONDS\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in src = {.sin_family = AF_INET}, dst = {.sin_family = AF_INET};
    dst.sin_port = htons((unsigned short)atoi(argv[3]));
    if (fd < 0 || inet_pton(AF_INET, argv[1], &src.sin_addr) != 1 || inet_pton(AF_INET, argv[2], &dst.sin_addr) != 1 ||
        bind(fd, (struct sockaddr*)&src, sizeof src) != 0) {
        perror("udp_flood");
        return 1;
    }
    const double rate = atof(argv[4]), seconds = atof(argv[5]);
    /* A status message from node "a" with a trailer that does not verify, and a sealed datagram
     * naming key 1 whose tag is wrong. */
    static const char forged[] =
        "###\n9:(0)t=status,10:(0)st=active,8:(0)src=a,9:(0)seq=1f,14:(0)hg=6b05c21d,14:(0)ts=6b05c21d,"
        "%%%\n44:1 0000000000000000000000000000000000000000,";
    static char sealed[600];
    memcpy(sealed, "HBAE\x01", 5);
    for (size_t i = 5; i < sizeof sealed; ++i) sealed[i] = (char)(i * 131u);
    struct iovec iov[kBatch];
    struct mmsghdr msgs[kBatch];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < kBatch; ++i) {
        iov[i].iov_base = (void*)(i % 2 ? forged : sealed);
        iov[i].iov_len = i % 2 ? sizeof forged - 1 : sizeof sealed;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &dst;
        msgs[i].msg_hdr.msg_namelen = sizeof dst;
    }
    const double start = now_s();
    long sent = 0;
    while (now_s() - start < seconds) {
        const long due = (long)((now_s() - start) * rate);
        if (sent >= due) {
            struct timespec pause = {0, 200000};
            nanosleep(&pause, NULL);
            continue;
        }
        int n = sendmmsg(fd, msgs, kBatch, 0);
        if (n > 0) sent += n;
    }
    printf("sent %ld datagrams in %.1f s\n", sent, now_s() - start);
    close(fd);
    return 0;
}

/* nfq_delay: delay and reordering on a real link, where the kernel has no netem qdisc. Packets that
 * an iptables NFQUEUE rule hands to queue QUEUE are each held for MEAN_MS +- JITTER_MS (uniform),
 * then accepted; as the delays differ, later packets overtake earlier ones. Through libnetfilter_queue
 * and libmnl. Runs SECONDS, or until SIGTERM, then releases what it holds. Prints what it did.
 * Usage: nfq_delay QUEUE MEAN_MS JITTER_MS SECONDS   (the rule should use --queue-bypass) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { kMaxHeld = 8192 };

struct held {
    long long due_us;
    unsigned id;
};

static struct held held[kMaxHeld];
static int nheld;
static struct mnl_socket* nl;
static unsigned queue_num, portid;
static long mean_us, jitter_us;
static long total, overtaken;
static unsigned last_released_id;
static volatile sig_atomic_t stop;

static long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void on_term(int sig) {
    (void)sig;
    stop = 1;
}

static void verdict(unsigned id) {
    char buf[8192];
    struct nlmsghdr* nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, queue_num);
    nfq_nlmsg_verdict_put(nlh, id, NF_ACCEPT);
    if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) perror("nfq_delay: verdict");
    if (id < last_released_id) ++overtaken;
    else last_released_id = id;
}

static int on_packet(const struct nlmsghdr* nlh, void* data) {
    (void)data;
    struct nlattr* attr[NFQA_MAX + 1] = {0};
    if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR]) return MNL_CB_OK;
    const struct nfqnl_msg_packet_hdr* ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
    const unsigned id = ntohl(ph->packet_id);
    ++total;
    if (nheld == kMaxHeld) {  /* bounded: beyond this, no delay */
        verdict(id);
        return MNL_CB_OK;
    }
    const long delay = mean_us - jitter_us + (jitter_us > 0 ? random() % (2 * jitter_us + 1) : 0);
    held[nheld].due_us = now_us() + delay;
    held[nheld].id = id;
    ++nheld;
    return MNL_CB_OK;
}

/* Releases every packet due by `until`; returns the next due time, or -1 if none is held. */
static long long release(long long until) {
    long long next = -1;
    for (int i = 0; i < nheld;) {
        if (held[i].due_us <= until) {
            verdict(held[i].id);
            held[i] = held[--nheld];
            continue;
        }
        if (next < 0 || held[i].due_us < next) next = held[i].due_us;
        ++i;
    }
    return next;
}

static int configure(void) {
    char buf[8192];
    struct nlmsghdr* nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue_num);
    nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
    if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) return -1;
    nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue_num);
    nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_META, 0);
    mnl_attr_put_u32(nlh, NFQA_CFG_QUEUE_MAXLEN, htonl(kMaxHeld));
    return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

int main(int argc, char** argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: nfq_delay QUEUE MEAN_MS JITTER_MS SECONDS\n");
        return 2;
    }
    queue_num = (unsigned)atoi(argv[1]);
    mean_us = atol(argv[2]) * 1000;
    jitter_us = atol(argv[3]) * 1000;
    const long long end = now_us() + atoll(argv[4]) * 1000000;
    srandom(12345);
    signal(SIGTERM, on_term);
    nl = mnl_socket_open(NETLINK_NETFILTER);
    if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        perror("nfq_delay: netlink");
        return 1;
    }
    portid = mnl_socket_get_portid(nl);
    if (configure() < 0) {
        perror("nfq_delay: bind queue");
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    static char buf[0xffff + 4096];
    while (!stop && now_us() < end) {
        const long long next = release(now_us());
        int wait_ms = next < 0 ? 100 : (int)((next - now_us()) / 1000);
        if (wait_ms < 0) wait_ms = 0;
        if (wait_ms > 100) wait_ms = 100;
        struct pollfd p = {mnl_socket_get_fd(nl), POLLIN, 0};
        if (poll(&p, 1, wait_ms) <= 0) continue;
        const ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
        if (n > 0) mnl_cb_run(buf, (size_t)n, 0, portid, on_packet, NULL);
    }
    release(now_us() + 3600LL * 1000000);
    printf("delayed %ld packets by %ld +- %ld ms; %ld overtook an earlier one\n", total, mean_us / 1000,
           jitter_us / 1000, overtaken);
    mnl_socket_close(nl);
    return 0;
}

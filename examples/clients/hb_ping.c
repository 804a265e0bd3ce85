/* hb_ping: a C client of libhbclient. Signs on to the local daemon as client "demo", sends
 * `count` demo-ping messages to NODE's demo clients, one at a time, and waits for each demo-pong
 * (hb_echo answers them). Prints each round trip and exits 0 when every ping was answered.
 * Build: cc -I include/heartbeat hb_ping.c -lhbclient
 * Usage: hb_ping NODE [COUNT]   (socket: $HA_API_SOCKET, else /var/run/heartbeat/register) */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hb_api.h"

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* Waits up to 5 s for the demo-pong that answers ping number `n`. */
static int await_pong(ll_cluster_t* hb, int n) {
    const double give_up = now_us() + 5e6;
    while (now_us() < give_up) {
        struct pollfd p = {hb->llc_ops->inputfd(hb), POLLIN, 0};
        if (!hb->llc_ops->msgready(hb) && poll(&p, 1, 100) <= 0) continue;
        struct ha_msg* m = hb->llc_ops->readmsg(hb, 0);
        if (!m) {
            if (!hb->llc_ops->chan_is_connected(hb)) return 0;
            continue;
        }
        const char* type = ha_msg_value(m, F_TYPE);
        int seq = -1;
        int ours = type && strcmp(type, "demo-pong") == 0 && ha_msg_value_int(m, "n", &seq) == HA_OK && seq == n;
        ha_msg_del(m);
        if (ours) return 1;
    }
    return 0;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: hb_ping NODE [COUNT]\n");
        return 2;
    }
    const char* node = argv[1];
    const int count = argc > 2 ? atoi(argv[2]) : 3;
    ll_cluster_t* hb = ll_cluster_new("heartbeat");
    if (hb->llc_ops->signon(hb, "demo") != HA_OK) {
        fprintf(stderr, "hb_ping: cannot sign on: %s\n", hb->llc_ops->errmsg(hb));
        return 1;
    }
    printf("hb_ping: signed on to %s as client demo\n", hb->llc_ops->get_mynodeid(hb));
    int answered = 0;
    for (int n = 0; n < count; ++n) {
        struct ha_msg* ping = ha_msg_new(0);
        ha_msg_add(ping, F_TYPE, "demo-ping");
        ha_msg_add_int(ping, "n", n);
        const double sent = now_us();
        int ok = hb->llc_ops->sendnodemsg(hb, ping, node) == HA_OK;
        ha_msg_del(ping);
        if (!ok) {
            fprintf(stderr, "hb_ping: send failed: %s\n", hb->llc_ops->errmsg(hb));
            break;
        }
        if (!await_pong(hb, n)) {
            fprintf(stderr, "hb_ping: no demo-pong %d from %s within 5 s\n", n, node);
            break;
        }
        printf("demo-pong %d from %s: round trip %.0f us\n", n, node, now_us() - sent);
        ++answered;
    }
    hb->llc_ops->signoff(hb, 1);
    hb->llc_ops->delete(hb);
    return answered == count ? 0 : 1;
}

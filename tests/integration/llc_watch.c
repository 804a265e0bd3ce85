/* llc_watch: a C client of libhbclient built with -lhbclient and nothing else. Signs on under a
 * name, prints every node, link and client status callback as one line, and stops after the
 * given number of seconds or at SIGTERM. The tests read its output.
 * Usage: llc_watch CLIENT_ID SECONDS   (the daemon's socket from $HA_API_SOCKET) */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hb_api.h"

static volatile sig_atomic_t stop;

static void on_term(int sig) {
    (void)sig;
    stop = 1;
}

static void on_node(const char* node, const char* status, void* data) {
    (void)data;
    printf("nstatus %s %s\n", node, status);
    fflush(stdout);
}

static void on_link(const char* node, const char* link, const char* status, void* data) {
    (void)data;
    printf("ifstatus %s %s %s\n", node, link, status);
    fflush(stdout);
}

static void on_client(const char* node, const char* client, const char* status, void* data) {
    (void)data;
    printf("cstatus %s %s %s\n", node, client, status);
    fflush(stdout);
}

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: llc_watch CLIENT_ID SECONDS\n");
        return 2;
    }
    ll_cluster_t* hb = ll_cluster_new("heartbeat");
    if (!hb || hb->llc_ops->signon(hb, argv[1]) != HA_OK) {
        fprintf(stderr, "llc_watch: cannot sign on: %s\n", hb ? hb->llc_ops->errmsg(hb) : "no handle");
        return 1;
    }
    if (hb->llc_ops->set_nstatus_callback(hb, on_node, NULL) != HA_OK ||
        hb->llc_ops->set_ifstatus_callback(hb, on_link, NULL) != HA_OK ||
        hb->llc_ops->set_cstatus_callback(hb, on_client, NULL) != HA_OK) {
        fprintf(stderr, "llc_watch: cannot set callbacks: %s\n", hb->llc_ops->errmsg(hb));
        return 1;
    }
    signal(SIGTERM, on_term);
    printf("signed on to %s\n", hb->llc_ops->get_mynodeid(hb));
    fflush(stdout);
    const time_t end = time(NULL) + atoi(argv[2]);
    while (!stop && time(NULL) < end) {
        struct pollfd p = {hb->llc_ops->inputfd(hb), POLLIN, 0};
        if (p.fd < 0) break;
        if (poll(&p, 1, 200) > 0 || hb->llc_ops->msgready(hb)) {
            /* Every message ready now: callbacks run; one nobody handles is dropped. */
            while (hb->llc_ops->msgready(hb)) hb->llc_ops->rcvmsg(hb, 0);
        }
        if (!hb->llc_ops->chan_is_connected(hb)) {
            printf("daemon gone\n");
            break;
        }
    }
    hb->llc_ops->signoff(hb, 1);
    hb->llc_ops->delete(hb);
    return 0;
}

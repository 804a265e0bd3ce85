/*
 * A heartbeat client that sends or awaits one large cluster message, through hb_api.h and
 * ha_msg.h only, so that the same source builds against our libhbclient and against Debian's
 * heartbeat 3.0.6 libhbclient (with cluster-glue's libplumb). large_messages.sh runs it on both
 * sides of a mixed cluster. The payload is a function of (size, kind), so the receiver checks
 * every byte without being told them.
 *
 * Usage: big_message_client send SIZE text|noise TAG     exit 0 sent, 3 refused (reason printed)
 *        big_message_client await SIZE text|noise TAG MS exit 0 arrived intact, 1 not
 *        (await prints "ready" once signed on, for the script to start the sender.)
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hb_api.h"
#include "ha_msg.h"

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* text: one letter repeated (compresses to almost nothing); noise: printable bytes from a
 * fixed-seed generator (does not compress below ~80%). No NUL, newline or 0x13 in either. */
static char* payload(size_t size, const char* kind) {
    char* p = malloc(size + 1);
    if (!p) return NULL;
    unsigned long x = 2463534242UL;
    for (size_t i = 0; i < size; ++i) {
        if (strcmp(kind, "text") == 0) {
            p[i] = 'h';
        } else {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            p[i] = (char)(' ' + 1 + (x >> 8) % 90);
        }
    }
    p[size] = '\0';
    return p;
}

int main(int argc, char** argv) {
    const int awaiting = argc == 6 && strcmp(argv[1], "await") == 0;
    if (!awaiting && !(argc == 5 && strcmp(argv[1], "send") == 0)) {
        fprintf(stderr, "usage: %s send SIZE text|noise TAG | await SIZE text|noise TAG MS\n", argv[0]);
        return 2;
    }
    const size_t size = (size_t)atol(argv[2]);
    const char* kind = argv[3];
    const char* tag = argv[4];
    char* want = payload(size, kind);
    if (!want) return 2;

    ll_cluster_t* hb = ll_cluster_new("heartbeat");
    if (!hb || hb->llc_ops->signon(hb, "ping") != HA_OK) {
        printf("cannot sign on: %s\n", hb ? hb->llc_ops->errmsg(hb) : "no ll_cluster");
        return 1;
    }
    int rc = 1;
    if (!awaiting) {
        struct ha_msg* m = ha_msg_new(0);
        ha_msg_add(m, F_TYPE, "big");
        ha_msg_add(m, "tag", tag);
        ha_msg_add(m, "payload", want);
        if (hb->llc_ops->sendclustermsg(hb, m) == HA_OK) {
            printf("sent %zu bytes of %s\n", size, kind);
            rc = 0;
        } else {
            printf("refused: %s\n", hb->llc_ops->errmsg(hb));
            rc = 3;
        }
        ha_msg_del(m);
    } else {
        printf("ready\n");
        fflush(stdout);
        const long long end = now_ms() + atol(argv[5]);
        while (rc != 0 && now_ms() < end) {
            if (!hb->llc_ops->msgready(hb)) {
                struct pollfd p = {hb->llc_ops->inputfd(hb), POLLIN, 0};
                int left = (int)(end - now_ms());
                if (p.fd < 0 || left <= 0) break;
                if (poll(&p, 1, left) <= 0) continue;
            }
            struct ha_msg* m = hb->llc_ops->readmsg(hb, 0);
            if (!m) {
                if (!hb->llc_ops->chan_is_connected(hb)) break;
                continue;
            }
            const char* t = ha_msg_value(m, F_TYPE);
            const char* got_tag = ha_msg_value(m, "tag");
            if (t && strcmp(t, "big") == 0 && got_tag && strcmp(got_tag, tag) == 0) {
                const char* got = ha_msg_value(m, "payload");
                if (got && strcmp(got, want) == 0) {
                    printf("arrived intact: %zu bytes of %s from %s\n", size, kind, ha_msg_value(m, F_ORIG));
                    rc = 0;
                } else {
                    printf("arrived damaged: %zu bytes, wanted %zu\n", got ? strlen(got) : 0, size);
                    rc = 1;
                    ha_msg_del(m);
                    break;
                }
            }
            ha_msg_del(m);
        }
        if (rc != 0) printf("did not arrive\n");
    }
    hb->llc_ops->signoff(hb, 1);
    hb->llc_ops->delete(hb);
    free(want);
    return rc;
}

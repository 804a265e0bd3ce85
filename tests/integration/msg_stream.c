/* msg_stream: a C client of libhbclient that sends or checks a numbered stream of cluster
 * messages, for the fault tests: every message must arrive once, in order, whatever the links do.
 *
 * Usage: msg_stream send COUNT INTERVAL_MS TAG [PAYLOAD_BYTES]
 *                                     exit 0 when the daemon accepted all COUNT
 *        msg_stream await COUNT TAG MS  exit 0 when 1..COUNT arrived once each, in order, intact
 * With PAYLOAD_BYTES each message carries that many bytes of noise (which hardly compresses, so a
 * large one travels in fragments), a function of its number: await checks every byte.
 * (await prints "ready" once signed on, then one summary line: received, lost, duplicated, out of
 * order, damaged.) The daemon's socket comes from $HA_API_SOCKET. */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ha_msg.h"
#include "hb_api.h"

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Message i's payload of `size` printable bytes (no NUL, newline or 0x13). */
static void fill_payload(char* p, size_t size, long i) {
    unsigned long x = 2463534242UL + (unsigned long)i * 2654435761UL;
    for (size_t k = 0; k < size; ++k) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[k] = (char)(' ' + 1 + (x >> 8) % 90);
    }
    p[size] = '\0';
}

static int send_stream(ll_cluster_t* hb, long count, long interval_ms, const char* tag, size_t payload_bytes) {
    char n[32], len[32];
    char* payload = payload_bytes ? malloc(payload_bytes + 1) : NULL;
    if (payload_bytes && !payload) return 2;
    snprintf(len, sizeof len, "%zu", payload_bytes);
    for (long i = 1; i <= count; ++i) {
        struct ha_msg* m = ha_msg_new(0);
        snprintf(n, sizeof n, "%ld", i);
        ha_msg_add(m, F_TYPE, "stream");
        ha_msg_add(m, "tag", tag);
        ha_msg_add(m, "n", n);
        if (payload) {
            fill_payload(payload, payload_bytes, i);
            ha_msg_add(m, "len", len);
            ha_msg_add(m, "payload", payload);
        }
        const int ok = hb->llc_ops->sendclustermsg(hb, m) == HA_OK;
        ha_msg_del(m);
        if (!ok) {
            printf("message %ld refused: %s\n", i, hb->llc_ops->errmsg(hb));
            free(payload);
            return 1;
        }
        if (interval_ms > 0) sleep_ms(interval_ms);
        /* Our own messages come back to us (same client id): read them, or the daemon drops a
         * client that does not read. */
        for (int k = 0; k < 1000; ++k) {
            struct ha_msg* back = hb->llc_ops->readmsg(hb, 0);
            if (!back) break;
            ha_msg_del(back);
        }
    }
    free(payload);
    printf("sent %ld\n", count);
    return 0;
}

static int await_stream(ll_cluster_t* hb, long count, const char* tag, long ms) {
    char* seen = calloc((size_t)count + 1, 1);
    if (!seen) return 2;
    long distinct = 0, received = 0, duplicated = 0, out_of_order = 0, highest = 0, damaged = 0;
    printf("ready\n");
    fflush(stdout);
    const long long end = now_ms() + ms;
    while (distinct < count && now_ms() < end) {
        if (!hb->llc_ops->msgready(hb)) {
            struct pollfd p = {hb->llc_ops->inputfd(hb), POLLIN, 0};
            const int left = (int)(end - now_ms());
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
        const char* n = ha_msg_value(m, "n");
        const long i = n ? atol(n) : 0;
        if (t && strcmp(t, "stream") == 0 && got_tag && strcmp(got_tag, tag) == 0 && i >= 1 && i <= count) {
            ++received;
            const char* len = ha_msg_value(m, "len");
            if (len) {
                const size_t size = (size_t)atol(len);
                const char* got = ha_msg_value(m, "payload");
                char* want = malloc(size + 1);
                if (want) fill_payload(want, size, i);
                if (!want || !got || strcmp(got, want) != 0) ++damaged;
                free(want);
            }
            if (seen[i]) {
                ++duplicated;
            } else {
                seen[i] = 1;
                ++distinct;
                if (i < highest) ++out_of_order;  /* an earlier one came after a later one */
                if (i > highest) highest = i;
            }
        }
        ha_msg_del(m);
    }
    free(seen);
    printf("received %ld of %ld: lost %ld, duplicated %ld, out of order %ld, damaged %ld\n", received, count,
           count - distinct, duplicated, out_of_order, damaged);
    return distinct == count && duplicated == 0 && out_of_order == 0 && damaged == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
    const int sending = (argc == 5 || argc == 6) && strcmp(argv[1], "send") == 0;
    const int awaiting = argc == 5 && strcmp(argv[1], "await") == 0;
    if (!sending && !awaiting) {
        fprintf(stderr, "usage: msg_stream send COUNT INTERVAL_MS TAG [PAYLOAD_BYTES] | await COUNT TAG MS\n");
        return 2;
    }
    ll_cluster_t* hb = ll_cluster_new("heartbeat");
    /* One client id on both sides: the daemon hands a client's cluster messages to the clients of
     * the same id on every node (heartbeat's rule). */
    if (!hb || hb->llc_ops->signon(hb, "stream") != HA_OK) {
        printf("cannot sign on: %s\n", hb ? hb->llc_ops->errmsg(hb) : "no ll_cluster");
        return 1;
    }
    const int rc = sending ? send_stream(hb, atol(argv[2]), atol(argv[3]), argv[4], argc == 6 ? (size_t)atol(argv[5]) : 0)
                           : await_stream(hb, atol(argv[2]), argv[3], atol(argv[4]));
    fflush(stdout);
    hb->llc_ops->signoff(hb, 1);
    hb->llc_ops->delete(hb);
    return rc;
}

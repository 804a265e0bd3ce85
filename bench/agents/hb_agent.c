/* hb_agent: hbbench's client for the heartbeat client API (llc_ops). The same source is linked to our
 * libhbclient (hbagent) and to Debian's heartbeat 3.0.6 libhbclient (hbagent-hb3), so both daemons
 * are measured through the very calls their users make. Modes and output lines:
 * bench/systems/README.md ("Agent contract"). Socket: $HA_API_SOCKET (ours), else the default. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <heartbeat/hb_api.h>

#define T_PING "hbb-ping"
#define T_PONG "hbb-pong"
#define T_DATA "hbb-data"
#define T_END "hbb-end"
/* Named clients may send; every data mode signs on with this name (ha.cf: apiauth bench uid=root). */
#define CLIENT "bench"

static volatile sig_atomic_t g_stop;
static void on_term(int sig) {
    (void)sig;
    g_stop = 1;
}

static int64_t wall_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int64_t mono_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void die(ll_cluster_t* hb, const char* what) {
    fprintf(stderr, "hb_agent: %s: %s\n", what, hb ? hb->llc_ops->errmsg(hb) : strerror(errno));
    exit(1);
}

static ll_cluster_t* sign_on(const char* name) {
    ll_cluster_t* hb = ll_cluster_new("heartbeat");
    if (!hb) die(NULL, "ll_cluster_new");
    if (hb->llc_ops->signon(hb, name) != HA_OK) die(hb, "signon");
    return hb;
}

/* Signs off (waiting for what is still queued when `flush`) and frees the handle. */
static void leave(ll_cluster_t* hb, int flush) {
    hb->llc_ops->signoff(hb, flush);
    hb->llc_ops->delete(hb);
}

/* Waits up to timeout_ms for a message and returns it (NULL: none in time, or the daemon went away). */
static struct ha_msg* next_message(ll_cluster_t* hb, int timeout_ms) {
    if (!hb->llc_ops->msgready(hb)) {
        struct pollfd p = {hb->llc_ops->inputfd(hb), POLLIN, 0};
        if (poll(&p, 1, timeout_ms) <= 0) return NULL;
    }
    struct ha_msg* m = hb->llc_ops->readmsg(hb, 0);
    if (!m && !hb->llc_ops->chan_is_connected(hb)) {
        fprintf(stderr, "hb_agent: the daemon closed the connection\n");
        exit(1);
    }
    return m;
}

static int is_type(struct ha_msg* m, const char* type) {
    const char* t = ha_msg_value(m, F_TYPE);
    return t && strcmp(t, type) == 0;
}

static long field_long(struct ha_msg* m, const char* name) {
    const char* v = ha_msg_value(m, name);
    return v ? strtol(v, NULL, 10) : -1;
}

static int add_long(struct ha_msg* m, const char* name, long value) {
    char text[32];
    snprintf(text, sizeof text, "%ld", value);
    return ha_msg_add(m, name, text);
}

/* --- watch ---------------------------------------------------------------------------------- */

static const char* g_self;

static void on_node_status(const char* node, const char* status, void* data) {
    (void)data;
    if (!node || !status || (g_self && strcmp(node, g_self) == 0)) return;
    if (strcmp(status, "active") == 0) printf("up %s %lld\n", node, (long long)wall_us());
    else if (strcmp(status, "dead") == 0) printf("dead %s %lld\n", node, (long long)wall_us());
}

static int watch(void) {
    ll_cluster_t* hb = sign_on(NULL);
    g_self = hb->llc_ops->get_mynodeid(hb);
    if (hb->llc_ops->set_nstatus_callback(hb, on_node_status, NULL) != HA_OK) die(hb, "set_nstatus_callback");
    printf("ready %lld\n", (long long)wall_us());
    while (!g_stop) {
        struct pollfd p = {hb->llc_ops->inputfd(hb), POLLIN, 0};
        if (!hb->llc_ops->msgready(hb) && poll(&p, 1, 200) <= 0) continue;
        /* rcvmsg hands status messages to the callback; what is left over is ours to free. */
        if (hb->llc_ops->rcvmsg(hb, 0) < 0 && !hb->llc_ops->chan_is_connected(hb)) die(hb, "rcvmsg");
    }
    leave(hb, 0);
    return 0;
}

/* --- converge ------------------------------------------------------------------------------- */

static int alive_nodes(ll_cluster_t* hb) {
    if (hb->llc_ops->init_nodewalk(hb) != HA_OK) die(hb, "init_nodewalk");
    int alive = 0;
    const char* node;
    while ((node = hb->llc_ops->nextnode(hb)) != NULL) {
        const char* st = hb->llc_ops->node_status(hb, node);
        if (st && strcmp(st, "active") == 0) ++alive;
    }
    hb->llc_ops->end_nodewalk(hb);
    return alive;
}

static int converge(int want, int timeout_ms) {
    const int64_t give_up = mono_us() + (int64_t)timeout_ms * 1000;
    ll_cluster_t* hb = NULL;
    while (!hb && mono_us() < give_up) {
        hb = ll_cluster_new("heartbeat");
        if (hb && hb->llc_ops->signon(hb, NULL) != HA_OK) {
            hb->llc_ops->delete(hb);
            hb = NULL;
            usleep(20000);
        }
    }
    while (hb && mono_us() < give_up) {
        if (alive_nodes(hb) >= want) {
            printf("converged %lld\n", (long long)wall_us());
            leave(hb, 0);
            return 0;
        }
        usleep(20000);
    }
    fprintf(stderr, "hb_agent: fewer than %d nodes alive after %d ms\n", want, timeout_ms);
    return 1;
}

/* --- ping / pong ---------------------------------------------------------------------------- */

static int pong(void) {
    ll_cluster_t* hb = sign_on(CLIENT);
    printf("ready %lld\n", (long long)wall_us());
    while (!g_stop) {
        struct ha_msg* m = next_message(hb, 200);
        if (!m) continue;
        const char* from = ha_msg_value(m, F_ORIG);
        if (is_type(m, T_PING) && from) {
            struct ha_msg* answer = ha_msg_new(0);
            ha_msg_add(answer, F_TYPE, T_PONG);
            add_long(answer, "n", field_long(m, "n"));
            if (hb->llc_ops->sendnodemsg(hb, answer, from) != HA_OK) die(hb, "sendnodemsg");
            ha_msg_del(answer);
        }
        ha_msg_del(m);
    }
    leave(hb, 0);
    return 0;
}

static int by_value(const void* a, const void* b) {
    int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
    return (x > y) - (x < y);
}

static int ping(const char* peer, int count) {
    ll_cluster_t* hb = sign_on(CLIENT);
    int64_t* rtt = calloc((size_t)count, sizeof *rtt);
    if (!rtt) die(NULL, "calloc");
    for (int n = 0; n < count; ++n) {
        struct ha_msg* m = ha_msg_new(0);
        ha_msg_add(m, F_TYPE, T_PING);
        add_long(m, "n", n);
        const int64_t sent = mono_us();
        if (hb->llc_ops->sendnodemsg(hb, m, peer) != HA_OK) die(hb, "sendnodemsg");
        ha_msg_del(m);
        int answered = 0;
        while (!answered && mono_us() - sent < 5000000) {
            struct ha_msg* r = next_message(hb, 100);
            if (!r) continue;
            answered = is_type(r, T_PONG) && field_long(r, "n") == n;
            ha_msg_del(r);
        }
        if (!answered) {
            fprintf(stderr, "hb_agent: no pong %d from %s within 5 s\n", n, peer);
            return 1;
        }
        rtt[n] = mono_us() - sent;
    }
    qsort(rtt, (size_t)count, sizeof *rtt, by_value);
    printf("rtt n=%d p50=%lld p99=%lld max=%lld min=%lld\n", count, (long long)rtt[count / 2],
           (long long)rtt[(count * 99) / 100 < count ? (count * 99) / 100 : count - 1], (long long)rtt[count - 1],
           (long long)rtt[0]);
    free(rtt);
    leave(hb, 0);
    return 0;
}

/* --- send / recv ---------------------------------------------------------------------------- */

/* The sender gets its own cluster messages back; heartbeat 3.0.6 disconnects a client that does not
 * read them, so the sender reads and drops whatever is waiting. */
static void drain(ll_cluster_t* hb) {
    for (int i = 0; i < 1000 && hb->llc_ops->msgready(hb); ++i) {
        struct ha_msg* m = hb->llc_ops->readmsg(hb, 0);
        if (!m) break;
        ha_msg_del(m);
    }
}

/* Sends m, retrying (draining meanwhile) while the API refuses; gives up after 10 s. */
static void send_retrying(ll_cluster_t* hb, struct ha_msg* m, long* retries) {
    const int64_t give_up = mono_us() + 10000000;
    while (hb->llc_ops->sendclustermsg(hb, m) != HA_OK) {
        if (!hb->llc_ops->chan_is_connected(hb) || mono_us() > give_up) die(hb, "sendclustermsg");
        ++*retries;
        drain(hb);
        struct pollfd p = {hb->llc_ops->inputfd(hb), POLLIN, 0};
        poll(&p, 1, 1);
    }
}

static int send_burst(int duration_ms, int size) {
    ll_cluster_t* hb = sign_on(CLIENT);
    char* payload = malloc((size_t)size + 1);
    if (!payload) die(NULL, "malloc");
    memset(payload, 'x', (size_t)size);
    payload[size] = '\0';
    long sent = 0, retries = 0;
    const int64_t start = mono_us(), stop = start + (int64_t)duration_ms * 1000;
    while (mono_us() < stop) {
        struct ha_msg* m = ha_msg_new(0);
        ha_msg_add(m, F_TYPE, T_DATA);
        add_long(m, "n", sent + 1);
        ha_msg_add(m, "payload", payload);
        send_retrying(hb, m, &retries);
        ha_msg_del(m);
        ++sent;
        if (sent % 16 == 0) drain(hb);
    }
    const int64_t elapsed = mono_us() - start;
    struct ha_msg* end = ha_msg_new(0);
    ha_msg_add(end, F_TYPE, T_END);
    add_long(end, "count", sent);
    send_retrying(hb, end, &retries);
    ha_msg_del(end);
    /* Until our own end message comes back, what we sent may still be on its way into the daemon. */
    for (const int64_t give_up = mono_us() + 10000000; mono_us() < give_up;) {
        struct ha_msg* m = next_message(hb, 100);
        int done = m && is_type(m, T_END);
        if (m) ha_msg_del(m);
        if (done) break;
    }
    printf("sent n=%ld us=%lld retries=%ld\n", sent, (long long)elapsed, retries);
    free(payload);
    leave(hb, 1);
    return 0;
}

static int receive(int idle_ms) {
    ll_cluster_t* hb = sign_on(CLIENT);
    size_t cap = 1 << 20;
    unsigned char* seen = calloc(cap, 1);
    if (!seen) die(NULL, "calloc");
    long got = 0, dup = 0, reordered = 0, highest = 0, expected = -1;
    int64_t first = 0, last = 0;
    printf("ready %lld\n", (long long)wall_us());
    while (!g_stop && expected < 0) {
        struct ha_msg* m = next_message(hb, idle_ms);
        if (!m) break; /* idle: the sender stopped or the layer stalled */
        if (is_type(m, T_DATA)) {
            long n = field_long(m, "n");
            if (n > 0) {
                if ((size_t)n >= cap) {
                    size_t bigger = cap;
                    while ((size_t)n >= bigger) bigger *= 2;
                    unsigned char* grown = realloc(seen, bigger);
                    if (!grown) die(NULL, "realloc");
                    memset(grown + cap, 0, bigger - cap);
                    seen = grown;
                    cap = bigger;
                }
                if (seen[n]) {
                    ++dup;
                } else {
                    seen[n] = 1;
                    ++got;
                    if (n < highest) ++reordered;
                    if (n > highest) highest = n;
                }
                last = wall_us();
                if (!first) first = last;
            }
        } else if (is_type(m, T_END)) {
            expected = field_long(m, "count");
        }
        ha_msg_del(m);
    }
    const long lost = expected >= 0 ? expected - got : highest - got;
    printf("recv n=%ld expected=%ld lost=%ld dup=%ld reordered=%ld first=%lld last=%lld\n", got, expected, lost, dup,
           reordered, (long long)first, (long long)last);
    free(seen);
    leave(hb, 0);
    return 0;
}

/* --- apicost -------------------------------------------------------------------------------- */

static int apicost(int count) {
    ll_cluster_t* hb = sign_on(NULL);
    const char* self = hb->llc_ops->get_mynodeid(hb);
    char other[256] = "";
    if (hb->llc_ops->init_nodewalk(hb) != HA_OK) die(hb, "init_nodewalk");
    const char* node;
    while ((node = hb->llc_ops->nextnode(hb)) != NULL)
        if (!other[0] && strcmp(node, self) != 0) snprintf(other, sizeof other, "%s", node);
    hb->llc_ops->end_nodewalk(hb);
    if (!other[0]) snprintf(other, sizeof other, "%s", self);
    int64_t start = mono_us();
    for (int i = 0; i < count; ++i)
        if (!hb->llc_ops->node_status(hb, other)) die(hb, "node_status");
    const double a = (double)(mono_us() - start) / count;
    start = mono_us();
    for (int i = 0; i < count; ++i) {
        char* v = hb->llc_ops->get_parameter(hb, KEY_KEEPALIVE);
        if (!v) die(hb, "get_parameter");
        free(v);
    }
    const double b = (double)(mono_us() - start) / count;
    printf("apicost a=%.2f b=%.2f\n", a, b);
    leave(hb, 0);
    return 0;
}

int main(int argc, char** argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    signal(SIGPIPE, SIG_IGN);
    const char* mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "watch") == 0) return watch();
    if (strcmp(mode, "converge") == 0 && argc == 4) return converge(atoi(argv[2]), atoi(argv[3]));
    if (strcmp(mode, "pong") == 0) return pong();
    if (strcmp(mode, "ping") == 0 && argc == 4 && atoi(argv[3]) > 0) return ping(argv[2], atoi(argv[3]));
    if (strcmp(mode, "send") == 0 && argc == 4) return send_burst(atoi(argv[2]), atoi(argv[3]));
    if (strcmp(mode, "recv") == 0 && argc == 3) return receive(atoi(argv[2]));
    if (strcmp(mode, "apicost") == 0 && argc == 3 && atoi(argv[2]) > 0) return apicost(atoi(argv[2]));
    fprintf(stderr,
            "usage: hb_agent watch | converge N TIMEOUT_MS | pong | ping PEER COUNT | send DURATION_MS SIZE |\n"
            "       recv IDLE_MS | apicost COUNT   (bench/systems/README.md)\n");
    return 2;
}

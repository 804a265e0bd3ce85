/*
 * Our libhbclient against Debian's heartbeat 3.0.6 daemon: the calls a heartbeat client makes,
 * through hb_api.h and ha_msg.h only, each checked against what heartbeat 3.0.6 answers.
 * Run by ours_against_debian.sh inside the Debian node's mount namespace (so that
 * /run/heartbeat/register is heartbeat 3.0.6's socket), with egid haclient (apiauth: ping).
 *
 * Usage: llc_against_debian SELF PEER IFNAME KEEPALIVE_TEXT DEADTIME_TEXT KEEPALIVE_MS DEADTIME_MS
 * Prints one line per check; exits 1 if any failed.
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

static int failures;

static void check(int ok, const char* what, const char* detail) {
    printf("%s: %s%s%s\n", ok ? "ok" : "FAIL", what, detail && *detail ? ": " : "", detail ? detail : "");
    fflush(stdout);
    if (!ok) ++failures;
}

static int same(const char* a, const char* b) { return a && b && strcmp(a, b) == 0; }

static const char* show(const char* s) { return s ? s : "(null)"; }

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads messages (bounded by `ms`) until one of type `type` carrying cookie=`cookie` comes; it is
 * returned (free it with ha_msg_del), or NULL. */
static struct ha_msg* await_msg(ll_cluster_t* hb, const char* type, const char* cookie, int ms, int* seen) {
    const long long end = now_ms() + ms;
    while (now_ms() < end) {
        if (!hb->llc_ops->msgready(hb)) {
            struct pollfd p = {hb->llc_ops->inputfd(hb), POLLIN, 0};
            int left = (int)(end - now_ms());
            if (p.fd < 0 || left <= 0) break;
            if (poll(&p, 1, left) <= 0) continue;
        }
        struct ha_msg* m = hb->llc_ops->readmsg(hb, 0);
        if (!m) {
            if (!hb->llc_ops->chan_is_connected(hb)) return NULL;
            continue;
        }
        ++*seen;
        if (same(ha_msg_value(m, F_TYPE), type) && same(ha_msg_value(m, "cookie"), cookie)) return m;
        ha_msg_del(m);
    }
    return NULL;
}

int main(int argc, char** argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: %s SELF PEER IFNAME KEEPALIVE_TEXT DEADTIME_TEXT KEEPALIVE_MS DEADTIME_MS\n", argv[0]);
        return 2;
    }
    const char* self = argv[1];
    const char* peer = argv[2];
    const char* ifname = argv[3];
    const char* keepalive_text = argv[4];
    const char* deadtime_text = argv[5];
    const long keepalive_ms = atol(argv[6]);
    const long deadtime_ms = atol(argv[7]);
    char buf[256];

    ll_cluster_t* hb = ll_cluster_new("heartbeat");
    check(hb != NULL, "ll_cluster_new(\"heartbeat\")", NULL);
    if (!hb) return 1;
    check(ll_cluster_new("openais") == NULL, "ll_cluster_new of another type is NULL", NULL);

    int rc = hb->llc_ops->signon(hb, "ping");
    check(rc == HA_OK, "signon as named client ping", rc == HA_OK ? NULL : hb->llc_ops->errmsg(hb));
    if (rc != HA_OK) return 1;
    check(hb->llc_ops->chan_is_connected(hb), "chan_is_connected", NULL);
    check(hb->llc_ops->inputfd(hb) >= 0, "inputfd", NULL);

    const char* me = hb->llc_ops->get_mynodeid(hb);
    check(same(me, self), "get_mynodeid", show(me));

    /* The node walk. */
    int nodes = 0, saw_self = 0, saw_peer = 0;
    rc = hb->llc_ops->init_nodewalk(hb);
    check(rc == HA_OK, "init_nodewalk", rc == HA_OK ? NULL : hb->llc_ops->errmsg(hb));
    const char* node;
    while (rc == HA_OK && nodes < 64 && (node = hb->llc_ops->nextnode(hb)) != NULL) {
        char name[128];
        snprintf(name, sizeof name, "%s", node);
        ++nodes;
        saw_self |= same(name, self);
        saw_peer |= same(name, peer);
        const char* st = hb->llc_ops->node_status(hb, name);
        snprintf(buf, sizeof buf, "%s is %s", name, show(st));
        check(same(st, "active"), "node_status", buf);
        const char* type = hb->llc_ops->node_type(hb, name);
        snprintf(buf, sizeof buf, "%s is %s", name, show(type));
        check(same(type, "normal"), "node_type", buf);
        int w = hb->llc_ops->node_weight(hb, name);
        snprintf(buf, sizeof buf, "%s weighs %d", name, w);
        check(w == 100, "node_weight", buf);
        int ifs = 0, saw_if = 0;
        int irc = hb->llc_ops->init_ifwalk(hb, name);
        check(irc == HA_OK, "init_ifwalk", irc == HA_OK ? name : hb->llc_ops->errmsg(hb));
        const char* intf;
        while (irc == HA_OK && ifs < 16 && (intf = hb->llc_ops->nextif(hb)) != NULL) {
            char iname[64];
            snprintf(iname, sizeof iname, "%s", intf);
            ++ifs;
            saw_if |= same(iname, ifname);
            const char* ist = hb->llc_ops->if_status(hb, name, iname);
            snprintf(buf, sizeof buf, "%s %s is %s", name, iname, show(ist));
            /* heartbeat 3.0.6 reports its own node's links as dead, a peer's as up. */
            check(same(ist, same(name, self) ? "dead" : "up"), "if_status", buf);
        }
        if (irc == HA_OK) check(hb->llc_ops->end_ifwalk(hb) == HA_OK, "end_ifwalk", name);
        snprintf(buf, sizeof buf, "%s: %d interface(s)", name, ifs);
        check(ifs == 1 && saw_if, "interface walk", buf);
    }
    if (rc == HA_OK) check(hb->llc_ops->end_nodewalk(hb) == HA_OK, "end_nodewalk", NULL);
    snprintf(buf, sizeof buf, "%d nodes", nodes);
    check(nodes == 2 && saw_self && saw_peer, "node walk lists both nodes", buf);
    int n = hb->llc_ops->num_nodes(hb);
    snprintf(buf, sizeof buf, "%d", n);
    check(n == 2, "num_nodes", buf);
    const char* st = hb->llc_ops->node_status(hb, "nosuchnode");
    check(st == NULL, "node_status of an unknown node is NULL", show(st));

    /* Parameters, as written in ha.cf. */
    char* p = hb->llc_ops->get_parameter(hb, "keepalive");
    check(same(p, keepalive_text), "get_parameter(keepalive)", show(p));
    free(p);
    p = hb->llc_ops->get_parameter(hb, "deadtime");
    check(same(p, deadtime_text), "get_parameter(deadtime)", show(p));
    free(p);
    p = hb->llc_ops->get_parameter(hb, "hbversion");
    check(p && strncmp(p, "3.0.6", 5) == 0, "get_parameter(hbversion)", show(p));
    free(p);
    p = hb->llc_ops->get_parameter(hb, "nosuchparameter");
    check(p == NULL, "get_parameter of an unknown name is NULL", show(p));
    free(p);
    long v = hb->llc_ops->get_deadtime(hb);
    snprintf(buf, sizeof buf, "%ld ms", v);
    check(v == deadtime_ms, "get_deadtime", buf);
    v = hb->llc_ops->get_keepalive(hb);
    snprintf(buf, sizeof buf, "%ld ms", v);
    check(v == keepalive_ms, "get_keepalive", buf);
    int fac = hb->llc_ops->get_logfacility(hb);
    snprintf(buf, sizeof buf, "%d", fac);
    check(fac >= -1, "get_logfacility", buf);

    /* UUIDs: name -> uuid -> name, for both nodes. */
    const char* names[2] = {self, peer};
    cl_uuid_t uuids[2];
    for (int i = 0; i < 2; ++i) {
        memset(&uuids[i], 0, sizeof uuids[i]);
        rc = hb->llc_ops->get_uuid_by_name(hb, names[i], &uuids[i]);
        int nonzero = 0;
        for (int b = 0; b < 16; ++b) nonzero |= uuids[i].uuid[b];
        check(rc == HA_OK && nonzero, "get_uuid_by_name", names[i]);
        char back[128] = "";
        rc = hb->llc_ops->get_name_by_uuid(hb, &uuids[i], back, sizeof back);
        snprintf(buf, sizeof buf, "%s -> %s", names[i], back);
        check(rc == HA_OK && same(back, names[i]), "get_name_by_uuid round trip", buf);
    }
    check(memcmp(&uuids[0], &uuids[1], sizeof uuids[0]) != 0, "the two nodes have different UUIDs", NULL);
    cl_uuid_t zero;
    memset(&zero, 0, sizeof zero);
    rc = hb->llc_ops->get_uuid_by_name(hb, "nosuchnode", &zero);
    check(rc != HA_OK, "get_uuid_by_name of an unknown node fails", NULL);

    /* Client status: ours is online here; nobody by that name on the peer; an unknown client. */
    const char* cs = hb->llc_ops->client_status(hb, self, "ping", 2000);
    check(same(cs, "online"), "client_status(self, ping)", show(cs));
    cs = hb->llc_ops->client_status(hb, self, "nobody", 2000);
    check(same(cs, "offline"), "client_status(self, nobody)", show(cs));
    cs = hb->llc_ops->client_status(hb, peer, "ping", 2000);
    check(same(cs, "offline"), "client_status(peer, ping)", show(cs));

    /* A ping to the cluster comes back to us (clients of the same name, our node included). */
    int seen = 0;
    char cookie[64];
    snprintf(cookie, sizeof cookie, "llc-%ld", (long)getpid());
    struct ha_msg* ping = ha_msg_new(0);
    ha_msg_add(ping, F_TYPE, "ping");
    ha_msg_add(ping, "cookie", cookie);
    rc = hb->llc_ops->sendclustermsg(hb, ping);
    check(rc == HA_OK, "sendclustermsg(ping)", rc == HA_OK ? NULL : hb->llc_ops->errmsg(hb));
    struct ha_msg* back = await_msg(hb, "ping", cookie, 5000, &seen);
    check(back != NULL, "readmsg: our ping came back", NULL);
    if (back) {
        check(same(ha_msg_value(back, F_ORIG), self), "its src is our node", show(ha_msg_value(back, F_ORIG)));
        check(same(ha_msg_value(back, "from_id"), "ping"), "its from_id is ping", show(ha_msg_value(back, "from_id")));
        ha_msg_del(back);
    }
    /* A message for our own node only. */
    struct ha_msg* note = ha_msg_new(0);
    ha_msg_add(note, F_TYPE, "pingreply");
    ha_msg_add(note, "cookie", cookie);
    rc = hb->llc_ops->sendnodemsg(hb, note, self);
    check(rc == HA_OK, "sendnodemsg(pingreply, self)", rc == HA_OK ? NULL : hb->llc_ops->errmsg(hb));
    back = await_msg(hb, "pingreply", cookie, 5000, &seen);
    check(back != NULL, "readmsg: our node message came back", NULL);
    if (back) {
        check(same(ha_msg_value(back, F_ORIG), self), "its src is our node", show(ha_msg_value(back, F_ORIG)));
        ha_msg_del(back);
    }
    ha_msg_del(ping);
    ha_msg_del(note);
    snprintf(buf, sizeof buf, "%d message(s) read", seen);
    check(1, "receiving", buf);

    rc = hb->llc_ops->signoff(hb, 1);
    check(rc == HA_OK, "signoff", rc == HA_OK ? NULL : hb->llc_ops->errmsg(hb));
    rc = hb->llc_ops->delete(hb);
    check(rc == HA_OK, "delete", NULL);

    printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}

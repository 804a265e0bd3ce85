/* cpgagent - the hbbench agent for Corosync (libcpg, corosync 3.1.7).
 *
 * Implements the agent contract of bench/systems/README.md: one line per fact on stdout, flushed at once;
 * errors on stderr and exit 1. Times printed are CLOCK_REALTIME microseconds since the epoch; durations are
 * measured with CLOCK_MONOTONIC.
 *
 *   cpgagent watch                  "ready <us>", then "up n<id> <us>" / "dead n<id> <us>" per node change
 *   cpgagent converge N TIMEOUT_MS  "converged <us>" once the totem ring has >= N members
 *   cpgagent pong                   "ready <us>", answers every ping of another process, until SIGTERM
 *   cpgagent ping PEER COUNT        "rtt n=<COUNT> p50=<us> p99=<us> max=<us> min=<us>" (PEER is ignored)
 *   cpgagent send DURATION_MS SIZE  "sent n=<count> us=<elapsed> retries=<r>"
 *   cpgagent recv IDLE_MS           "ready <us>", then "recv n=.. expected=.. lost=.. dup=.. reordered=.. first=.. last=.."
 *   cpgagent apicost COUNT          "apicost a=<us/call> b=<us/call>" (a = cpg_local_get, b = cpg_membership_get)
 *
 * Every mode connects with cpg_model_initialize(CPG_MODEL_V1, with a totem confchg callback and
 * CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF) and joins a CPG group: "hbbench" for the modes that exchange or
 * count messages (ping, pong, send, recv, apicost), "hbbench-watch" for the two that only follow the nodes
 * (watch, converge). corosync hands every message of a group to every local member of it, so a watcher in
 * "hbbench" would be one more IPC delivery per message on its node (measured: 1 sender -> 1 receiver on 2
 * nodes fell from ~41 k to ~27 k messages/s with a watch and a pong agent in the same group); the totem
 * confchg reaches every connection whatever it joined. A mode is "signed on" once its own join has come back
 * in a group confchg (so it is ordered in the ring and every later message of any member reaches it) and the
 * initial totem configuration has been delivered (corosync sends it right after that join confchg).
 *
 * Interpretations of the contract (also in the report that came with this file):
 *  - Node state (watch, converge) is the totem ring membership of the local corosync (cpg_totem_confchg_fn),
 *    not the membership of the group: a node is "up" when its corosync is in the ring. watch takes the ring at
 *    sign-on as its baseline and prints only later changes, for nodes other than itself; the ring it is
 *    delivered at join time is complete before "ready" is printed. converge counts ring members (itself
 *    included) and succeeds at >= N.
 *  - watch and pong run until SIGTERM/SIGINT (exit 0), with a safety bound of 24 h (exit 1).
 *  - The modes other than converge retry the sign-on for up to 5 s (every 20 ms) before giving up.
 *  - ping multicasts PING (CPG_TYPE_AGREED) to the group; every pong agent answers with a PONG addressed (in the
 *    payload) to the pinger's nodeid/pid; the first matching PONG completes the round trip. Before the COUNT
 *    timed round trips, untimed warm-up pings are sent every 200 ms until one is answered (up to 30 s), so a
 *    pong that has just signed on is not a lost first round trip. Each timed round trip may take at most 5 s.
 *    Percentiles are nearest-rank: p = sorted[ceil(p/100 * n) - 1].
 *  - send: every message is a 24-byte header (magic, type, sequence number, addressee) followed by SIZE payload
 *    bytes (SIZE may be 0, at most 1 MiB - 24); "us" is the time from the first call to the return of the last
 *    numbered one. The end message (carrying the count) is sent after that, and send waits (up to 60 s) for its
 *    own end message to be delivered back to it, so every numbered message is ordered in the ring before it
 *    exits. "retries" counts CS_ERR_TRY_AGAIN answers of cpg_mcast_joined (numbered and end messages).
 *  - recv locks on the first process that sends it a numbered or end message and ignores every other sender.
 *    n = distinct numbered messages received, dup = repeated sequence numbers, reordered = messages that
 *    arrived after a higher sequence number, lost = max(expected, highest seen) - n. IDLE_MS counts from
 *    "ready" and from the last message of the sender. Idle without an end message: expected=-1, exit 0 (the
 *    line is the result); first=/last= are 0 when nothing arrived. SIGTERM: the line, then exit 1.
 *  - apicost prints microseconds per call with two decimals; cpg_membership_get is asked for the "hbbench"
 *    group (which holds at least the agent itself).
 */
#define _GNU_SOURCE
#include <corosync/cpg.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define GROUP_NAME "hbbench"
#define WATCH_GROUP_NAME "hbbench-watch"
#define MSG_MAGIC 0x43424248u /* "HBBC" little endian */
#define MAX_SIZE (1024 * 1024 - (int)sizeof(struct msg_hdr))
#define MAX_NODES 1024
#define SIGNON_RETRY_MS 20
#define SIGNON_TIMEOUT_MS 5000
#define FOREVER_US (24LL * 3600 * 1000000)

enum msg_type { T_PING = 1, T_PONG = 2, T_DATA = 3, T_END = 4 };

struct msg_hdr {
	uint32_t magic;
	uint32_t type;
	uint64_t seq;       /* PING/PONG: round trip number; DATA: 1..; END: number of DATA messages */
	uint32_t to_nodeid; /* PONG: the pinger */
	uint32_t to_pid;
};

enum mode { M_WATCH, M_CONVERGE, M_PONG, M_PING, M_SEND, M_RECV, M_APICOST };

static enum mode mode;
static cpg_handle_t handle;
static int connected;
static int cpg_fd = -1;
static unsigned int my_nodeid;
static uint32_t my_pid;
static volatile sig_atomic_t stop_requested;
static const char *group_name = GROUP_NAME;

/* sign-on state */
static int own_join_seen;
static int have_totem;
static uint32_t ring[MAX_NODES];
static uint32_t ring_n;
static int watch_reporting;

/* ping state */
static uint64_t want_pong;
static int got_pong;

/* send state */
static int own_end_seen;

/* recv state */
static int sender_locked;
static uint32_t sender_nodeid, sender_pid;
static int end_seen;
static int64_t expected = -1;
static uint64_t distinct, dups, reordered, max_seen;
static int64_t first_us, last_us, last_activity_mono;
static uint8_t *seen;
static size_t seen_bytes;

/* ------------------------------------------------------------------------------------------------------- */

static int64_t real_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int64_t mono_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void sleep_ms(int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("cpgagent: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static const char *cs_name(cs_error_t e)
{
	switch (e) {
	case CS_OK: return "CS_OK";
	case CS_ERR_LIBRARY: return "CS_ERR_LIBRARY (corosync not running or not reachable)";
	case CS_ERR_TRY_AGAIN: return "CS_ERR_TRY_AGAIN";
	case CS_ERR_INVALID_PARAM: return "CS_ERR_INVALID_PARAM";
	case CS_ERR_NO_MEMORY: return "CS_ERR_NO_MEMORY";
	case CS_ERR_BAD_HANDLE: return "CS_ERR_BAD_HANDLE";
	case CS_ERR_BUSY: return "CS_ERR_BUSY";
	case CS_ERR_ACCESS: return "CS_ERR_ACCESS";
	case CS_ERR_NOT_EXIST: return "CS_ERR_NOT_EXIST";
	case CS_ERR_EXIST: return "CS_ERR_EXIST";
	case CS_ERR_NOT_SUPPORTED: return "CS_ERR_NOT_SUPPORTED";
	case CS_ERR_SECURITY: return "CS_ERR_SECURITY";
	case CS_ERR_TIMEOUT: return "CS_ERR_TIMEOUT";
	case CS_ERR_MESSAGE_ERROR: return "CS_ERR_MESSAGE_ERROR";
	default: return "corosync error";
	}
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static long long parse_int(const char *s, const char *what, long long lo, long long hi)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die("bad %s '%s' (an integer from %lld to %lld)", what, s, lo, hi);
	return v;
}

/* ------------------------------------------------------------------------------------------------------- */

/* Multicast one message, retrying CS_ERR_TRY_AGAIN (each one counted in *retries when given) for at most
 * 30 s. Between retries the caller's dispatcher may run (dispatch != 0, only outside callbacks). */
static void mcast(const void *buf, size_t len, uint64_t *retries, int dispatch)
{
	struct iovec iov = { (void *)buf, len };
	int64_t deadline = 0;
	for (;;) {
		cs_error_t r = cpg_mcast_joined(handle, CPG_TYPE_AGREED, &iov, 1);
		if (r == CS_OK)
			return;
		if (r != CS_ERR_TRY_AGAIN)
			die("cpg_mcast_joined: %s (%d)", cs_name(r), r);
		if (retries)
			(*retries)++;
		if (!deadline)
			deadline = mono_us() + 30000000;
		else if (mono_us() > deadline)
			die("cpg_mcast_joined: CS_ERR_TRY_AGAIN for 30 s");
		if (dispatch) {
			cs_error_t d = cpg_dispatch(handle, CS_DISPATCH_ALL);
			if (d != CS_OK && d != CS_ERR_TRY_AGAIN)
				die("cpg_dispatch: %s (%d)", cs_name(d), d);
		} else {
			usleep(50);
		}
	}
}

static void recv_data(uint64_t seq)
{
	if (seq == 0 || seq > (uint64_t)INT32_MAX * 4) {
		fprintf(stderr, "cpgagent: ignoring a numbered message with sequence number %" PRIu64 "\n", seq);
		return;
	}
	size_t byte = (size_t)(seq >> 3);
	if (byte >= seen_bytes) {
		size_t n = seen_bytes ? seen_bytes : 65536;
		while (n <= byte)
			n *= 2;
		uint8_t *p = realloc(seen, n);
		if (!p)
			die("out of memory for %zu bytes of sequence bitmap", n);
		memset(p + seen_bytes, 0, n - seen_bytes);
		seen = p;
		seen_bytes = n;
	}
	uint8_t bit = (uint8_t)(1u << (seq & 7));
	int64_t now = real_us();
	if (!first_us)
		first_us = now;
	last_us = now;
	if (seen[byte] & bit) {
		dups++;
		return;
	}
	seen[byte] |= bit;
	distinct++;
	if (seq < max_seen)
		reordered++;
	else
		max_seen = seq;
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *group, uint32_t nodeid, uint32_t pid, void *data,
		       size_t len)
{
	(void)h;
	(void)group;
	struct msg_hdr m;
	if (len < sizeof m)
		return;
	memcpy(&m, data, sizeof m);
	if (m.magic != MSG_MAGIC)
		return;
	int self = nodeid == my_nodeid && pid == my_pid;

	switch (m.type) {
	case T_PING:
		if (mode == M_PONG && !self) {
			struct msg_hdr r = { MSG_MAGIC, T_PONG, m.seq, nodeid, pid };
			mcast(&r, sizeof r, NULL, 0);
		}
		break;
	case T_PONG:
		if (mode == M_PING && !self && m.to_nodeid == my_nodeid && m.to_pid == my_pid && m.seq == want_pong)
			got_pong = 1;
		break;
	case T_DATA:
	case T_END:
		if (mode == M_SEND) {
			if (self && m.type == T_END)
				own_end_seen = 1;
			break;
		}
		if (mode != M_RECV || self || end_seen)
			break;
		if (!sender_locked) {
			sender_locked = 1;
			sender_nodeid = nodeid;
			sender_pid = pid;
		} else if (nodeid != sender_nodeid || pid != sender_pid) {
			break;
		}
		last_activity_mono = mono_us();
		if (m.type == T_DATA) {
			recv_data(m.seq);
		} else {
			end_seen = 1;
			expected = m.seq > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)m.seq;
		}
		break;
	default:
		break;
	}
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *group, const struct cpg_address *members,
		       size_t n_members, const struct cpg_address *left, size_t n_left,
		       const struct cpg_address *joined, size_t n_joined)
{
	(void)h;
	(void)group;
	(void)members;
	(void)n_members;
	(void)left;
	(void)n_left;
	for (size_t i = 0; i < n_joined; i++)
		if (joined[i].nodeid == my_nodeid && joined[i].pid == my_pid)
			own_join_seen = 1;
}

static int in_list(uint32_t id, const uint32_t *list, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (list[i] == id)
			return 1;
	return 0;
}

static void on_totem_confchg(cpg_handle_t h, struct cpg_ring_id ring_id, uint32_t n, const uint32_t *list)
{
	(void)h;
	(void)ring_id;
	if (n > MAX_NODES) {
		fprintf(stderr, "cpgagent: totem ring of %" PRIu32 " members, only %d are followed\n", n, MAX_NODES);
		n = MAX_NODES;
	}
	if (watch_reporting) {
		int64_t now = real_us();
		for (uint32_t i = 0; i < ring_n; i++)
			if (ring[i] != my_nodeid && !in_list(ring[i], list, n))
				say("dead n%" PRIu32 " %" PRId64, ring[i], now);
		for (uint32_t i = 0; i < n; i++)
			if (list[i] != my_nodeid && !in_list(list[i], ring, ring_n))
				say("up n%" PRIu32 " %" PRId64, list[i], now);
	}
	memcpy(ring, list, n * sizeof *list);
	ring_n = n;
	have_totem = 1;
}

/* ------------------------------------------------------------------------------------------------------- */

static void disconnect(void)
{
	if (connected)
		cpg_finalize(handle);
	connected = 0;
	cpg_fd = -1;
	own_join_seen = 0;
	have_totem = 0;
	ring_n = 0;
}

/* One attempt to connect to the local corosync and join the group. 0 = joined (not yet confirmed),
 * 1 = corosync does not take it yet (retry), the error in *err. */
static int connect_once(cs_error_t *err)
{
	cpg_model_v1_data_t md;
	memset(&md, 0, sizeof md);
	md.model = CPG_MODEL_V1;
	md.cpg_deliver_fn = on_deliver;
	md.cpg_confchg_fn = on_confchg;
	md.cpg_totem_confchg_fn = on_totem_confchg;
	md.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF;

	cs_error_t r = cpg_model_initialize(&handle, CPG_MODEL_V1, (cpg_model_data_t *)&md, NULL);
	if (r != CS_OK) {
		*err = r;
		return 1;
	}
	connected = 1;
	if ((r = cpg_local_get(handle, &my_nodeid)) != CS_OK || (r = cpg_fd_get(handle, &cpg_fd)) != CS_OK) {
		*err = r;
		disconnect();
		return 1;
	}
	my_pid = (uint32_t)getpid();
	struct cpg_name g;
	memset(&g, 0, sizeof g);
	g.length = (uint32_t)strlen(group_name);
	memcpy(g.value, group_name, g.length);
	if ((r = cpg_join(handle, &g)) != CS_OK) {
		*err = r;
		disconnect();
		return 1;
	}
	return 0;
}

/* Dispatches what arrives within timeout_ms. 0 = ok, -1 = the connection to corosync is gone. */
static int pump(int timeout_ms)
{
	struct pollfd p = { cpg_fd, POLLIN, 0 };
	int r = poll(&p, 1, timeout_ms);
	if (r < 0) {
		if (errno == EINTR)
			return 0;
		die("poll: %s", strerror(errno));
	}
	if (r == 0)
		return 0;
	if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) {
		if (!(p.revents & POLLIN))
			return -1;
	}
	cs_error_t d = cpg_dispatch(handle, CS_DISPATCH_ALL);
	if (d != CS_OK && d != CS_ERR_TRY_AGAIN)
		return -1;
	return 0;
}

static void pump_or_die(int timeout_ms)
{
	if (pump(timeout_ms) < 0)
		die("lost the connection to corosync (cpg_dispatch failed)");
}

/* Sign on (connect + join, confirmed by our own join confchg and the initial totem configuration), retrying
 * every SIGNON_RETRY_MS until deadline (monotonic us). Dies on failure. */
static void sign_on(int64_t deadline)
{
	cs_error_t err = CS_OK;
	for (;;) {
		if (connect_once(&err) == 0)
			break;
		if (stop_requested)
			die("interrupted while signing on");
		if (mono_us() >= deadline)
			die("cannot sign on to corosync (cpg_model_initialize/cpg_join): %s (%d)", cs_name(err), err);
		sleep_ms(SIGNON_RETRY_MS);
	}
	int64_t confirm_deadline = mono_us() + 10000000;
	if (confirm_deadline < deadline)
		confirm_deadline = deadline;
	while (!own_join_seen || !have_totem) {
		if (stop_requested)
			die("interrupted while signing on");
		if (mono_us() >= confirm_deadline)
			die("joined group %s but the join was not confirmed (own join %s, totem configuration %s)",
			    group_name, own_join_seen ? "seen" : "not seen", have_totem ? "seen" : "not seen");
		pump_or_die(50);
	}
}

static void usage(void) __attribute__((noreturn));
static void usage(void)
{
	fprintf(stderr,
		"usage: cpgagent watch\n"
		"       cpgagent converge N TIMEOUT_MS\n"
		"       cpgagent pong\n"
		"       cpgagent ping PEER COUNT\n"
		"       cpgagent send DURATION_MS SIZE\n"
		"       cpgagent recv IDLE_MS\n"
		"       cpgagent apicost COUNT\n");
	exit(1);
}

/* ------------------------------------------------------------------------------------------------------- */

static int run_forever(void)
{
	int64_t limit = mono_us() + FOREVER_US;
	while (!stop_requested) {
		if (mono_us() > limit)
			die("still running after 24 h, giving up");
		pump_or_die(200);
	}
	return 0;
}

static int do_watch(void)
{
	sign_on(mono_us() + SIGNON_TIMEOUT_MS * 1000LL);
	watch_reporting = 1;
	say("ready %" PRId64, real_us());
	return run_forever();
}

static int do_pong(void)
{
	sign_on(mono_us() + SIGNON_TIMEOUT_MS * 1000LL);
	say("ready %" PRId64, real_us());
	return run_forever();
}

static int do_converge(long long n, long long timeout_ms)
{
	int64_t deadline = mono_us() + timeout_ms * 1000;
	cs_error_t err = CS_OK;
	int last_seen = -1;
	while (!stop_requested && mono_us() < deadline) {
		if (!connected) {
			if (connect_once(&err) != 0) {
				sleep_ms(SIGNON_RETRY_MS);
				continue;
			}
		}
		if (own_join_seen && have_totem && ring_n >= n) {
			say("converged %" PRId64, real_us());
			return 0;
		}
		int64_t left_ms = (deadline - mono_us()) / 1000;
		if (pump(left_ms < 20 ? (left_ms < 1 ? 1 : (int)left_ms) : 20) < 0) {
			/* corosync went away (restarting?): sign on again */
			disconnect();
			continue;
		}
		if (have_totem)
			last_seen = (int)ring_n;
	}
	if (stop_requested)
		die("interrupted");
	if (!connected)
		die("converge: could not sign on within %lld ms: %s (%d)", timeout_ms, cs_name(err), err);
	die("converge: %d of %lld nodes in the totem ring after %lld ms", last_seen < 0 ? 0 : last_seen, n,
	    timeout_ms);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int64_t nearest_rank(const int64_t *sorted, long long n, int pct)
{
	long long k = (n * pct + 99) / 100; /* ceil(pct/100 * n) */
	if (k < 1)
		k = 1;
	return sorted[k - 1];
}

static int do_ping(long long count)
{
	sign_on(mono_us() + SIGNON_TIMEOUT_MS * 1000LL);
	int64_t *rtt = malloc(sizeof *rtt * (size_t)count);
	if (!rtt)
		die("out of memory");
	uint64_t seq = 0;

	/* warm-up: until a pong answers (untimed) */
	int64_t warm_deadline = mono_us() + 30000000;
	for (;;) {
		struct msg_hdr m = { MSG_MAGIC, T_PING, ++seq, 0, 0 };
		want_pong = seq;
		got_pong = 0;
		mcast(&m, sizeof m, NULL, 1);
		int64_t until = mono_us() + 200000;
		while (!got_pong && mono_us() < until && !stop_requested)
			pump_or_die(20);
		if (got_pong)
			break;
		if (stop_requested)
			die("interrupted");
		if (mono_us() > warm_deadline)
			die("ping: no pong answered within 30 s (is a pong agent running in group %s?)", GROUP_NAME);
	}

	for (long long i = 0; i < count; i++) {
		struct msg_hdr m = { MSG_MAGIC, T_PING, ++seq, 0, 0 };
		want_pong = seq;
		got_pong = 0;
		int64_t t0 = mono_us();
		mcast(&m, sizeof m, NULL, 1);
		int64_t limit = t0 + 5000000;
		while (!got_pong) {
			if (stop_requested)
				die("interrupted after %lld round trips", i);
			int64_t now = mono_us();
			if (now > limit)
				die("ping: round trip %lld of %lld got no pong within 5 s", i + 1, count);
			int wait_ms = (int)((limit - now) / 1000) + 1;
			pump_or_die(wait_ms > 100 ? 100 : wait_ms);
		}
		rtt[i] = mono_us() - t0;
	}
	qsort(rtt, (size_t)count, sizeof *rtt, cmp_i64);
	say("rtt n=%lld p50=%" PRId64 " p99=%" PRId64 " max=%" PRId64 " min=%" PRId64, count,
	    nearest_rank(rtt, count, 50), nearest_rank(rtt, count, 99), rtt[count - 1], rtt[0]);
	free(rtt);
	return 0;
}

static int do_send(long long duration_ms, long long size)
{
	sign_on(mono_us() + SIGNON_TIMEOUT_MS * 1000LL);
	size_t len = sizeof(struct msg_hdr) + (size_t)size;
	unsigned char *buf = calloc(1, len);
	if (!buf)
		die("out of memory");
	for (size_t i = sizeof(struct msg_hdr); i < len; i++)
		buf[i] = (unsigned char)('a' + i % 26);
	struct msg_hdr m = { MSG_MAGIC, T_DATA, 0, 0, 0 };
	uint64_t retries = 0, seq = 0;
	int64_t t0 = mono_us(), t_end = t0 + duration_ms * 1000, t_last = t0;
	while (!stop_requested) {
		if (mono_us() >= t_end)
			break;
		m.seq = ++seq;
		memcpy(buf, &m, sizeof m);
		mcast(buf, len, &retries, 1);
		t_last = mono_us();
		if ((seq & 31) == 0) {
			/* our own messages come back to us: keep the event queue drained */
			cs_error_t d = cpg_dispatch(handle, CS_DISPATCH_ALL);
			if (d != CS_OK && d != CS_ERR_TRY_AGAIN)
				die("lost the connection to corosync (cpg_dispatch: %s)", cs_name(d));
		}
	}
	if (stop_requested)
		die("interrupted after %" PRIu64 " messages", seq);
	struct msg_hdr e = { MSG_MAGIC, T_END, seq, 0, 0 };
	mcast(&e, sizeof e, &retries, 1);
	int64_t limit = mono_us() + 60000000;
	while (!own_end_seen) {
		if (stop_requested)
			die("interrupted while waiting for the end message to come back");
		if (mono_us() > limit)
			die("send: the end message was not delivered back within 60 s");
		pump_or_die(100);
	}
	say("sent n=%" PRIu64 " us=%" PRId64 " retries=%" PRIu64, seq, t_last - t0, retries);
	free(buf);
	return 0;
}

static int do_recv(long long idle_ms)
{
	sign_on(mono_us() + SIGNON_TIMEOUT_MS * 1000LL);
	say("ready %" PRId64, real_us());
	last_activity_mono = mono_us();
	int64_t limit = mono_us() + FOREVER_US;
	while (!end_seen && !stop_requested) {
		int64_t now = mono_us();
		if (now - last_activity_mono >= idle_ms * 1000 || now > limit)
			break;
		int64_t left_ms = (last_activity_mono + idle_ms * 1000 - now) / 1000 + 1;
		pump_or_die(left_ms > 100 ? 100 : (int)left_ms);
	}
	uint64_t top = max_seen;
	if (expected > 0 && (uint64_t)expected > top)
		top = (uint64_t)expected;
	say("recv n=%" PRIu64 " expected=%" PRId64 " lost=%" PRIu64 " dup=%" PRIu64 " reordered=%" PRIu64
	    " first=%" PRId64 " last=%" PRId64,
	    distinct, expected, top - distinct, dups, reordered, first_us, last_us);
	if (stop_requested) {
		fprintf(stderr, "cpgagent: recv interrupted\n");
		return 1;
	}
	return 0;
}

static int do_apicost(long long count)
{
	sign_on(mono_us() + SIGNON_TIMEOUT_MS * 1000LL);
	struct cpg_name g;
	memset(&g, 0, sizeof g);
	g.length = (uint32_t)strlen(GROUP_NAME);
	memcpy(g.value, GROUP_NAME, g.length);
	int64_t limit = mono_us() + 600000000LL;
	cs_error_t r;

	unsigned int id;
	int64_t t0 = mono_us();
	for (long long i = 0; i < count; i++) {
		while ((r = cpg_local_get(handle, &id)) == CS_ERR_TRY_AGAIN && mono_us() < limit)
			;
		if (r != CS_OK)
			die("cpg_local_get: %s (%d)", cs_name(r), r);
	}
	int64_t t1 = mono_us();
	struct cpg_address members[CPG_MEMBERS_MAX];
	int n = 0;
	for (long long i = 0; i < count; i++) {
		do {
			n = CPG_MEMBERS_MAX;
			r = cpg_membership_get(handle, &g, members, &n);
		} while (r == CS_ERR_TRY_AGAIN && mono_us() < limit);
		if (r != CS_OK)
			die("cpg_membership_get: %s (%d)", cs_name(r), r);
	}
	int64_t t2 = mono_us();
	if (n < 1)
		die("cpg_membership_get: the group %s has no members", GROUP_NAME);
	say("apicost a=%.2f b=%.2f", (double)(t1 - t0) / (double)count, (double)(t2 - t1) / (double)count);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGINT, &sa, NULL);

	const char *m = argv[1];
	int rc;
	if (!strcmp(m, "watch") || !strcmp(m, "converge"))
		group_name = WATCH_GROUP_NAME;
	if (!strcmp(m, "watch") && argc == 2) {
		mode = M_WATCH;
		rc = do_watch();
	} else if (!strcmp(m, "converge") && argc == 4) {
		mode = M_CONVERGE;
		long long n = parse_int(argv[2], "N", 1, MAX_NODES);
		long long t = parse_int(argv[3], "TIMEOUT_MS", 1, 24LL * 3600 * 1000);
		rc = do_converge(n, t);
	} else if (!strcmp(m, "pong") && argc == 2) {
		mode = M_PONG;
		rc = do_pong();
	} else if (!strcmp(m, "ping") && argc == 4) {
		mode = M_PING;
		long long count = parse_int(argv[3], "COUNT", 1, 100000000);
		rc = do_ping(count);
	} else if (!strcmp(m, "send") && argc == 4) {
		mode = M_SEND;
		long long d = parse_int(argv[2], "DURATION_MS", 0, 24LL * 3600 * 1000);
		long long size = parse_int(argv[3], "SIZE", 0, MAX_SIZE);
		rc = do_send(d, size);
	} else if (!strcmp(m, "recv") && argc == 3) {
		mode = M_RECV;
		rc = do_recv(parse_int(argv[2], "IDLE_MS", 1, 24LL * 3600 * 1000));
	} else if (!strcmp(m, "apicost") && argc == 3) {
		mode = M_APICOST;
		rc = do_apicost(parse_int(argv[2], "COUNT", 1, 1000000000));
	} else {
		usage();
	}
	disconnect();
	free(seen);
	return rc;
}

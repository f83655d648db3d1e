/*
 * hubhad's HTTP health checks (tools/http_health.c): every path and query
 * parameter against synthetic cluster views, Patroni's lag sizes, the listen
 * address and the count of primary changes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http_health.h"
#include "http_listen.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

enum scene {
	PAIR,		/* node1 primary, node2 async standby streaming 4 KiB behind, quorate */
	NO_QUORUM,	/* the same, without quorum */
	TWO_PRIMARIES,	/* both members report primary */
	WAITING,	/* node2's WAL receiver waits: lag not known */
	SYNC,		/* node2 is the synchronous standby */
	QUORUM,		/* node2 is a quorum standby (ANY n) */
	LAGGING,	/* node2 is 32 MiB behind */
	NO_PRIMARY,	/* node1's PostgreSQL stopped: no primary, node2's lag not known */
	STARTING,	/* node2's PostgreSQL is starting */
	STALE,		/* node1's (and node2's) last reports are 10 s old, at 2 s intervals */
	NO_REPORT,	/* node2 has not reported yet */
	WITNESS,	/* node3 votes, runs no PostgreSQL */
	NO_VIEW,	/* not connected to corosync */
};

struct view {
	hubha_hub_t hubs[3];
	struct hubha_http_node node;
};

static void hub(hubha_hub_t *h, uint32_t id, hubha_role_t role)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "node%u", (unsigned)id);
	h->nodeid = id;
	h->member = 1;
	h->has_report = 1;
	h->report.role = role;
	h->report.pg_state = HUBHA_PG_RUNNING;
	h->report.timeline = 2;
	h->report.interval_ms = 2000;
	h->report.replay_lag_ms = UINT32_MAX;
	h->report_age_ms = 500;
	h->lag_bytes = -1;
}

static void scene(enum scene s, uint32_t local, struct view *v)
{
	hubha_hub_t *p = &v->hubs[0], *st = &v->hubs[1];

	memset(v, 0, sizeof(*v));
	hub(p, 1, HUBHA_ROLE_PRIMARY);
	p->report.lsn = 0x3001060;
	hub(st, 2, HUBHA_ROLE_STANDBY);
	st->report.lsn = 0x3000060;
	st->report.wal_receiver = HUBHA_WALRCV_STREAMING;
	st->lag_bytes = 4096;
	st->sync_state = HUBHA_SYNC_ASYNC;
	v->node = (struct hubha_http_node){ .hubs = v->hubs, .n_hubs = 2, .local_nodeid = local, .quorate = 1 };
	switch (s) {
	case PAIR:
		break;
	case NO_QUORUM:
		v->node.quorate = 0;
		break;
	case TWO_PRIMARIES:
		st->report.role = HUBHA_ROLE_PRIMARY;
		st->report.wal_receiver = HUBHA_WALRCV_NONE;
		st->lag_bytes = -1;
		st->sync_state = HUBHA_SYNC_UNKNOWN;
		break;
	case WAITING:
		st->report.wal_receiver = HUBHA_WALRCV_WAITING;
		break;
	case SYNC:
		st->sync_state = HUBHA_SYNC_SYNC;
		break;
	case QUORUM:
		st->sync_state = HUBHA_SYNC_QUORUM;
		break;
	case LAGGING:
		st->lag_bytes = 32 << 20;
		break;
	case NO_PRIMARY:
		p->report.role = HUBHA_ROLE_UNKNOWN;
		p->report.pg_state = HUBHA_PG_STOPPED;
		st->lag_bytes = -1;
		st->sync_state = HUBHA_SYNC_UNKNOWN;
		break;
	case STARTING:
		st->report.pg_state = HUBHA_PG_STARTING;
		break;
	case STALE:
		p->report_age_ms = st->report_age_ms = 10000;
		break;
	case NO_REPORT:
		st->has_report = 0;
		break;
	case WITNESS:
		hub(&v->hubs[2], 3, HUBHA_ROLE_NONE);
		v->node.n_hubs = 3;
		break;
	case NO_VIEW:
		v->node.n_hubs = 0;
		v->node.local_nodeid = 0;
		break;
	}
}

static const struct row {
	enum scene scene;
	uint32_t local;
	const char *path;
	struct hubha_http_query q;
	int status;
	const char *why;	/* a substring of the one line */
} rows[] = {
	/* /primary and its aliases */
	{ PAIR, 1, "/primary", {0}, 200, "primary" },
	{ PAIR, 1, "/", {0}, 200, "primary" },
	{ PAIR, 1, "/read-write", {0}, 200, "primary" },
	{ PAIR, 1, "/primary", { .lag = "1", .tag = "x" }, 200, "primary" },	/* ignored there, as in Patroni */
	{ PAIR, 2, "/primary", {0}, 503, "not the primary (role standby)" },
	{ PAIR, 2, "/", {0}, 503, "not the primary" },
	{ PAIR, 2, "/read-write", {0}, 503, "not the primary" },
	{ NO_QUORUM, 1, "/primary", {0}, 503, "no quorum" },
	{ TWO_PRIMARIES, 1, "/primary", {0}, 503, "node2 also reports primary" },
	{ TWO_PRIMARIES, 2, "/primary", {0}, 503, "node1 also reports primary" },
	{ NO_PRIMARY, 1, "/primary", {0}, 503, "not the primary (role unknown)" },
	{ STALE, 1, "/primary", {0}, 503, "last report is 10 s old" },
	{ NO_VIEW, 0, "/primary", {0}, 503, "no cluster view" },
	{ WITNESS, 3, "/primary", {0}, 503, "not the primary (role none)" },
	/* /replica, /standby */
	{ PAIR, 2, "/replica", {0}, 200, "standby, streaming, lag 4096 bytes" },
	{ PAIR, 2, "/standby", {0}, 200, "standby" },
	{ PAIR, 1, "/replica", {0}, 503, "not a standby (role primary)" },
	{ PAIR, 2, "/replica", { .lag = "4096" }, 200, "standby" },
	{ PAIR, 2, "/replica", { .lag = "4095" }, 503, "replication lag 4096 bytes exceeds 4095" },
	{ PAIR, 2, "/replica", { .lag = "4kB" }, 200, "standby" },
	{ PAIR, 2, "/replica", { .lag = "3kB" }, 503, "exceeds 3072" },
	{ PAIR, 2, "/replica", { .lag = "lots" }, 503, "lag=lots: not a size" },
	{ LAGGING, 2, "/replica", { .lag = "16MB" }, 503, "exceeds 16777216" },
	{ LAGGING, 2, "/replica", { .lag = "64MB" }, 200, "standby" },
	{ LAGGING, 2, "/replica", {0}, 200, "standby" },	/* no lag asked: none checked */
	{ NO_PRIMARY, 2, "/replica", {0}, 200, "standby, streaming" },
	{ NO_PRIMARY, 2, "/replica", { .lag = "1GB" }, 503, "lag not known" },
	{ PAIR, 2, "/replica", { .replication_state = "streaming" }, 200, "standby" },
	{ WAITING, 2, "/replica", {0}, 200, "standby, waiting" },
	{ WAITING, 2, "/replica", { .replication_state = "streaming" }, 503, "replication state is waiting, not streaming" },
	{ PAIR, 2, "/replica", { .replication_state = "in archive recovery" }, 503, "not in archive recovery" },
	{ PAIR, 2, "/replica", { .tag = "zone" }, 503, "tag_zone" },
	{ STARTING, 2, "/replica", {0}, 503, "PostgreSQL is starting" },
	{ NO_REPORT, 2, "/replica", {0}, 503, "no report from this node yet" },
	{ NO_QUORUM, 2, "/replica", {0}, 200, "standby" },	/* reads need no quorum */
	{ NO_VIEW, 0, "/replica", {0}, 503, "no cluster view" },
	/* /read-only: the primary or a standby */
	{ PAIR, 1, "/read-only", {0}, 200, "primary" },
	{ PAIR, 2, "/read-only", {0}, 200, "standby" },
	{ PAIR, 2, "/read-only", { .lag = "1kB" }, 503, "exceeds 1024" },
	{ NO_QUORUM, 1, "/read-only", {0}, 503, "no quorum" },
	{ WITNESS, 3, "/read-only", {0}, 503, "not a standby (role none)" },
	/* /sync, /synchronous */
	{ SYNC, 2, "/sync", {0}, 200, "synchronous standby" },
	{ SYNC, 2, "/synchronous", {0}, 200, "synchronous standby" },
	{ PAIR, 2, "/sync", {0}, 503, "not a synchronous standby (async)" },
	{ PAIR, 1, "/sync", {0}, 503, "not a standby" },
	{ SYNC, 2, "/sync", { .lag = "1kB" }, 503, "exceeds 1024" },
	{ QUORUM, 2, "/sync", {0}, 503, "not a synchronous standby (quorum)" },
	/* /quorum, /read-only-sync, /read-only-quorum */
	{ QUORUM, 2, "/quorum", {0}, 200, "quorum standby" },
	{ SYNC, 2, "/quorum", {0}, 503, "not a quorum standby (sync)" },
	{ PAIR, 2, "/quorum", {0}, 503, "not a quorum standby (async)" },
	{ QUORUM, 1, "/quorum", {0}, 503, "not a standby" },
	{ QUORUM, 2, "/quorum", { .lag = "1kB" }, 503, "exceeds 1024" },
	{ QUORUM, 1, "/read-only-quorum", {0}, 200, "primary" },
	{ QUORUM, 2, "/read-only-quorum", {0}, 200, "quorum standby" },
	{ PAIR, 2, "/read-only-quorum", {0}, 503, "not a quorum standby (async)" },
	{ NO_QUORUM, 1, "/read-only-quorum", {0}, 503, "no quorum" },
	{ SYNC, 1, "/read-only-sync", {0}, 200, "primary" },
	{ SYNC, 2, "/read-only-sync", {0}, 200, "synchronous standby" },
	{ QUORUM, 2, "/read-only-sync", {0}, 503, "not a synchronous standby (quorum)" },
	/* /async, /asynchronous */
	{ PAIR, 2, "/async", {0}, 200, "asynchronous standby" },
	{ PAIR, 2, "/asynchronous", {0}, 200, "asynchronous standby" },
	{ PAIR, 2, "/async", { .lag = "8kB" }, 200, "asynchronous" },
	{ PAIR, 2, "/async", { .lag = "1kB" }, 503, "exceeds 1024" },
	{ SYNC, 2, "/async", {0}, 503, "a synchronous standby (sync)" },
	{ NO_PRIMARY, 2, "/async", {0}, 503, "sync state not known" },
	{ PAIR, 1, "/async", {0}, 503, "not a standby" },
	/* /health: PostgreSQL up, whatever its role */
	{ PAIR, 1, "/health", {0}, 200, "running (primary)" },
	{ PAIR, 2, "/health", {0}, 200, "running (standby)" },
	{ NO_QUORUM, 1, "/health", {0}, 200, "running" },
	{ NO_PRIMARY, 1, "/health", {0}, 503, "PostgreSQL is stopped" },
	{ STARTING, 2, "/health", {0}, 503, "PostgreSQL is starting" },
	{ WITNESS, 3, "/health", {0}, 503, "no PostgreSQL on this node" },
	{ NO_VIEW, 0, "/health", {0}, 503, "no cluster view" },
	/* /liveness: hubhad's loop answers */
	{ PAIR, 1, "/liveness", {0}, 200, "hubhad is running" },
	{ NO_VIEW, 0, "/liveness", {0}, 200, "hubhad is running" },
	{ STALE, 1, "/liveness", {0}, 200, "running" },
	/* /readiness: the primary, or a streaming standby within the lag */
	{ PAIR, 1, "/readiness", {0}, 200, "primary" },
	{ PAIR, 2, "/readiness", {0}, 200, "standby, streaming, lag 4096 bytes" },
	{ PAIR, 2, "/readiness", { .lag = "1kB" }, 503, "exceeds 1024" },
	{ PAIR, 2, "/readiness", { .mode = "apply" }, 200, "standby" },
	{ PAIR, 2, "/readiness", { .mode = "write" }, 503, "mode=write" },
	{ LAGGING, 2, "/readiness", {0}, 503, "exceeds 16777216" },	/* the default limit, 16 MiB */
	{ LAGGING, 2, "/readiness", { .lag = "1GB" }, 200, "standby" },
	{ WAITING, 2, "/readiness", {0}, 503, "replication state is waiting, not streaming" },
	{ NO_PRIMARY, 2, "/readiness", {0}, 503, "lag not known" },
	{ NO_QUORUM, 1, "/readiness", {0}, 503, "no quorum" },
	{ STARTING, 2, "/readiness", {0}, 503, "PostgreSQL is starting" },
	{ NO_VIEW, 0, "/readiness", {0}, 503, "no cluster view" },
};

static void test_decide(void **state)
{
	(void)state;
	for (size_t i = 0; i < LEN(rows); i++) {
		const struct row *r = &rows[i];
		enum hubha_http_check check = hubha_http_check_of(r->path);
		struct view v;
		char why[200];
		int got;

		scene(r->scene, r->local, &v);
		assert_int_not_equal(check, HUBHA_CHECK_NONE);
		got = hubha_http_decide(check, &r->q, &v.node, why, sizeof(why));
		if (got != r->status || !strstr(why, r->why))
			fail_msg("row %zu: %s on node%u: %d '%s', expected %d '%s'", i, r->path, (unsigned)r->local, got,
				 why, r->status, r->why);
		if (strchr(why, '\n'))
			fail_msg("row %zu: '%s' is not one line", i, why);
	}
}

/* The default limit of /readiness is the configured one when given. */
static void test_readiness_limit(void **state)
{
	struct view v;
	char why[200];

	(void)state;
	scene(PAIR, 2, &v);
	v.node.max_lag_bytes = 4095;
	assert_int_equal(hubha_http_decide(HUBHA_CHECK_READINESS, NULL, &v.node, why, sizeof(why)), 503);
	v.node.max_lag_bytes = 4096;
	assert_int_equal(hubha_http_decide(HUBHA_CHECK_READINESS, NULL, &v.node, why, sizeof(why)), 200);
	/* A report older than stale_factor intervals is stale. */
	v.hubs[1].report_age_ms = 6001;
	assert_int_equal(hubha_http_decide(HUBHA_CHECK_REPLICA, NULL, &v.node, why, sizeof(why)), 503);
	v.node.stale_factor = 4;
	assert_int_equal(hubha_http_decide(HUBHA_CHECK_REPLICA, NULL, &v.node, why, sizeof(why)), 200);
}

static void test_paths(void **state)
{
	static const struct {
		const char *path;
		enum hubha_http_check check;
	} p[] = {
		{ "/", HUBHA_CHECK_PRIMARY }, { "/primary", HUBHA_CHECK_PRIMARY },
		{ "/read-write", HUBHA_CHECK_PRIMARY }, { "/replica", HUBHA_CHECK_REPLICA },
		{ "/standby", HUBHA_CHECK_REPLICA }, { "/read-only", HUBHA_CHECK_READ_ONLY },
		{ "/sync", HUBHA_CHECK_SYNC }, { "/synchronous", HUBHA_CHECK_SYNC },
		{ "/async", HUBHA_CHECK_ASYNC }, { "/asynchronous", HUBHA_CHECK_ASYNC },
		{ "/quorum", HUBHA_CHECK_QUORUM }, { "/read-only-sync", HUBHA_CHECK_READ_ONLY_SYNC },
		{ "/read-only-quorum", HUBHA_CHECK_READ_ONLY_QUORUM },
		{ "/health", HUBHA_CHECK_HEALTH }, { "/liveness", HUBHA_CHECK_LIVENESS },
		{ "/readiness", HUBHA_CHECK_READINESS },
		{ "/metrics", HUBHA_CHECK_NONE }, { "/status", HUBHA_CHECK_NONE }, { "/cluster", HUBHA_CHECK_NONE },
		{ "/primary/", HUBHA_CHECK_NONE }, { "/Primary", HUBHA_CHECK_NONE }, { "", HUBHA_CHECK_NONE },
		{ "/leader", HUBHA_CHECK_NONE }, { NULL, HUBHA_CHECK_NONE },
	};

	(void)state;
	for (size_t i = 0; i < LEN(p); i++)
		if (hubha_http_check_of(p[i].path) != p[i].check)
			fail_msg("'%s': %d, expected %d", p[i].path ? p[i].path : "(null)", hubha_http_check_of(p[i].path),
				 p[i].check);
}

static void test_parse_lag(void **state)
{
	static const struct {
		const char *text;
		int r;
		uint64_t bytes;
	} t[] = {
		{ "0", 0, 0 }, { "16777216", 0, 16777216 }, { "100B", 0, 100 }, { "16kB", 0, 16384 },
		{ "64MB", 0, 64u << 20 }, { "1GB", 0, 1u << 30 }, { "2TB", 0, UINT64_C(2) << 40 },
		{ " 16 kB ", 0, 16384 }, { "16 MB", 0, 16u << 20 },
		{ "", -EINVAL, 0 }, { " ", -EINVAL, 0 }, { "kB", -EINVAL, 0 }, { "16KB", -EINVAL, 0 },
		{ "16kb", -EINVAL, 0 }, { "16 k B", -EINVAL, 0 }, { "-1", -EINVAL, 0 }, { "1.5MB", -EINVAL, 0 },
		{ "16MiB", -EINVAL, 0 }, { "0x10", -EINVAL, 0 }, { "16 kB x", -EINVAL, 0 },
		{ "99999999999999999999", -ERANGE, 0 }, { "17179869184GB", -ERANGE, 0 },
		{ NULL, -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < LEN(t); i++) {
		uint64_t v = 12345;
		int r = hubha_http_parse_lag(t[i].text, &v);

		if (r != t[i].r || (r == 0 && v != t[i].bytes) || (r < 0 && v != 12345))
			fail_msg("'%s': %d %llu, expected %d %llu", t[i].text ? t[i].text : "(null)", r,
				 (unsigned long long)v, t[i].r, (unsigned long long)t[i].bytes);
	}
}

static void test_listen(void **state)
{
	static const struct {
		const char *text;
		int family;	/* 0: refused */
		const char *addr;
		unsigned port;
	} t[] = {
		{ "127.0.0.1:8008", AF_INET, "127.0.0.1", 8008 }, { "0.0.0.0:80", AF_INET, "0.0.0.0", 80 },
		{ "[::1]:8008", AF_INET6, "::1", 8008 }, { "[::]:65535", AF_INET6, "::", 65535 },
		{ "[fe80::1]:1", AF_INET6, "fe80::1", 1 },
		{ "::1:8008", 0, NULL, 0 }, { "127.0.0.1", 0, NULL, 0 }, { "127.0.0.1:", 0, NULL, 0 },
		{ "127.0.0.1:0", 0, NULL, 0 }, { "127.0.0.1:65536", 0, NULL, 0 }, { "127.0.0.1:80x", 0, NULL, 0 },
		{ "127.0.0.1:-1", 0, NULL, 0 }, { "localhost:8008", 0, NULL, 0 }, { ":8008", 0, NULL, 0 },
		{ "[::1]8008", 0, NULL, 0 }, { "[::1:8008", 0, NULL, 0 }, { "[127.0.0.1]:80", 0, NULL, 0 },
		{ "[]:80", 0, NULL, 0 }, { "", 0, NULL, 0 }, { NULL, 0, NULL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < LEN(t); i++) {
		struct sockaddr_storage ss;
		socklen_t len = 0;
		char buf[INET6_ADDRSTRLEN];
		int r = hubha_http_listen_parse(t[i].text, &ss, &len);

		if (!t[i].family) {
			if (r != -EINVAL)
				fail_msg("'%s': accepted", t[i].text ? t[i].text : "(null)");
			continue;
		}
		if (r != 0 || ss.ss_family != t[i].family)
			fail_msg("'%s': refused (%d)", t[i].text, r);
		if (t[i].family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;

			assert_int_equal(len, sizeof(*a));
			inet_ntop(AF_INET, &a->sin_addr, buf, sizeof(buf));
			assert_int_equal(ntohs(a->sin_port), t[i].port);
		} else {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

			assert_int_equal(len, sizeof(*a));
			inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof(buf));
			assert_int_equal(ntohs(a->sin6_port), t[i].port);
		}
		assert_string_equal(buf, t[i].addr);
	}
}

/* Primary changes: node1, then none for a while, node2, node2, two, node1. */
static void test_track_primary(void **state)
{
	static const struct {
		enum scene scene;
		int swap;	/* node2 the primary */
		int counted;
		uint32_t last;
	} seq[] = {
		{ PAIR, 0, 0, 1 },		/* the first primary seen is no change */
		{ PAIR, 0, 0, 1 },
		{ NO_PRIMARY, 0, 0, 1 },	/* a gap keeps what was last seen */
		{ PAIR, 1, 1, 2 },		/* node2 takes over */
		{ PAIR, 1, 0, 2 },
		{ TWO_PRIMARIES, 0, 0, 2 },	/* two decide nothing */
		{ PAIR, 0, 1, 1 },		/* back to node1 */
	};
	uint32_t last = 0;

	(void)state;
	for (size_t i = 0; i < LEN(seq); i++) {
		struct view v;

		scene(seq[i].scene, 1, &v);
		if (seq[i].swap) {
			v.hubs[0].nodeid = 2;
			v.hubs[1].nodeid = 1;
		}
		assert_int_equal(hubha_http_track_primary(&last, v.hubs, v.node.n_hubs), seq[i].counted);
		assert_int_equal(last, seq[i].last);
	}
	/* A primary outside the membership is not the primary. */
	{
		struct view v;

		scene(PAIR, 1, &v);
		v.hubs[0].member = 0;
		assert_int_equal(hubha_http_primary_of(v.hubs, 2), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_readiness_limit),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_parse_lag),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_track_primary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

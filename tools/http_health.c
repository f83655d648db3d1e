/*
 * The health checks' decisions.  Only this node's entry in the cluster view
 * speaks for it: the report every other node sees, not hubhad's private
 * idea, so a load balancer and "hubha status" never disagree.  A primary
 * counts only in a quorate partition where no other member claims the role:
 * sending writes to a node that cannot prove it is the one primary is how a
 * split brain loses data.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "http_health.h"
#include "status_fmt.h"

#define DEFAULT_MAX_LAG_BYTES (UINT64_C(16) << 20)
#define DEFAULT_STALE_FACTOR 3u

static const struct {
	const char *path;
	enum hubha_http_check check;
} paths[] = {
	{ "/", HUBHA_CHECK_PRIMARY },
	{ "/primary", HUBHA_CHECK_PRIMARY },
	{ "/read-write", HUBHA_CHECK_PRIMARY },
	{ "/replica", HUBHA_CHECK_REPLICA },
	{ "/standby", HUBHA_CHECK_REPLICA },
	{ "/read-only", HUBHA_CHECK_READ_ONLY },
	{ "/sync", HUBHA_CHECK_SYNC },
	{ "/synchronous", HUBHA_CHECK_SYNC },
	{ "/async", HUBHA_CHECK_ASYNC },
	{ "/asynchronous", HUBHA_CHECK_ASYNC },
	{ "/quorum", HUBHA_CHECK_QUORUM },
	{ "/read-only-sync", HUBHA_CHECK_READ_ONLY_SYNC },
	{ "/read-only-quorum", HUBHA_CHECK_READ_ONLY_QUORUM },
	{ "/health", HUBHA_CHECK_HEALTH },
	{ "/liveness", HUBHA_CHECK_LIVENESS },
	{ "/readiness", HUBHA_CHECK_READINESS },
};

enum hubha_http_check hubha_http_check_of(const char *path)
{
	for (size_t i = 0; path && i < sizeof(paths) / sizeof(paths[0]); i++)
		if (strcmp(path, paths[i].path) == 0)
			return paths[i].check;
	return HUBHA_CHECK_NONE;
}

int hubha_http_parse_lag(const char *text, uint64_t *ret_bytes)
{
	char buf[32];
	size_t n = 0;

	if (!text)
		return -EINVAL;
	while (*text == ' ')
		text++;
	/* The number, then the unit after any spaces: the rest is
	 * hubha_parse_bytes()'s, so the CLI's --max-lag reads the same. */
	while (isdigit((unsigned char)*text) && n < sizeof(buf) - 1)
		buf[n++] = *text++;
	while (*text == ' ')
		text++;
	while (*text && *text != ' ' && n < sizeof(buf) - 1)
		buf[n++] = *text++;
	while (*text == ' ')
		text++;
	if (*text)
		return -EINVAL;
	buf[n] = '\0';
	return hubha_parse_bytes(buf, ret_bytes);
}

static const hubha_hub_t *find(const struct hubha_http_node *node, uint32_t nodeid)
{
	for (size_t i = 0; nodeid && i < node->n_hubs; i++)
		if (node->hubs[i].nodeid == nodeid)
			return &node->hubs[i];
	return NULL;
}

static int live_primary(const hubha_hub_t *h)
{
	return h->member && h->has_report && h->report.role == HUBHA_ROLE_PRIMARY;
}

uint32_t hubha_http_primary_of(const hubha_hub_t *hubs, size_t n)
{
	uint32_t found = 0;

	for (size_t i = 0; i < n; i++) {
		if (!live_primary(&hubs[i]))
			continue;
		if (found)
			return 0;
		found = hubs[i].nodeid;
	}
	return found;
}

int hubha_http_track_primary(uint32_t *last, const hubha_hub_t *hubs, size_t n)
{
	uint32_t now = hubha_http_primary_of(hubs, n);
	int changed;

	if (!now)
		return 0;
	changed = *last && *last != now;
	*last = now;
	return changed;
}

/* 0 when the node has a current report of its own; otherwise why not. */
static int local_report(const struct hubha_http_node *node, const hubha_hub_t **ret, char *why, size_t len)
{
	uint32_t factor = node->stale_factor ? node->stale_factor : DEFAULT_STALE_FACTOR;
	const hubha_hub_t *me = find(node, node->local_nodeid);

	if (!me) {
		snprintf(why, len, "no cluster view: not connected to corosync");
		return -1;
	}
	if (!me->has_report) {
		snprintf(why, len, "no report from this node yet");
		return -1;
	}
	if (me->report.interval_ms && me->report_age_ms > (uint64_t)factor * me->report.interval_ms) {
		snprintf(why, len, "this node's last report is %" PRIu64 " s old", me->report_age_ms / 1000);
		return -1;
	}
	*ret = me;
	return 0;
}

static int pg_running(const hubha_hub_t *me, char *why, size_t len)
{
	if (me->report.role == HUBHA_ROLE_NONE) {
		snprintf(why, len, "no PostgreSQL on this node");
		return 0;
	}
	if (me->report.pg_state != HUBHA_PG_RUNNING) {
		snprintf(why, len, "PostgreSQL is %s", hubha_fmt_pg_state(me->report.pg_state));
		return 0;
	}
	return 1;
}

static int primary_ok(const struct hubha_http_node *node, const hubha_hub_t *me, char *why, size_t len)
{
	if (me->report.role != HUBHA_ROLE_PRIMARY) {
		snprintf(why, len, "not the primary (role %s)", hubha_fmt_role(me->report.role));
		return 0;
	}
	if (!pg_running(me, why, len))
		return 0;
	if (node->quorate != 1) {
		snprintf(why, len, node->quorate < 0 ? "quorum not known" : "no quorum");
		return 0;
	}
	for (size_t i = 0; i < node->n_hubs; i++) {
		if (&node->hubs[i] != me && live_primary(&node->hubs[i])) {
			snprintf(why, len, "%s also reports primary", node->hubs[i].name);
			return 0;
		}
	}
	snprintf(why, len, "primary");
	return 1;
}

/* A lag limit: from ?lag=, else dflt (0: no limit). */
static int lag_ok(const hubha_hub_t *me, const char *lag, uint64_t dflt, char *why, size_t len)
{
	uint64_t max = dflt;

	if (lag && hubha_http_parse_lag(lag, &max) < 0) {
		snprintf(why, len, "lag=%.32s: not a size (bytes, or with kB, MB, GB, TB)", lag);
		return 0;
	}
	if (!lag && !dflt)
		return 1;
	if (me->lag_bytes < 0) {
		snprintf(why, len, "replication lag not known (no primary to compare with)");
		return 0;
	}
	if ((uint64_t)me->lag_bytes > max) {
		snprintf(why, len, "replication lag %" PRId64 " bytes exceeds %" PRIu64, me->lag_bytes, max);
		return 0;
	}
	return 1;
}

static int replica_ok(const struct hubha_http_query *q, const hubha_hub_t *me, char *why, size_t len)
{
	const char *rcv = hubha_fmt_walrcv(me->report.wal_receiver);

	if (me->report.role != HUBHA_ROLE_STANDBY) {
		snprintf(why, len, "not a standby (role %s)", hubha_fmt_role(me->report.role));
		return 0;
	}
	if (!pg_running(me, why, len))
		return 0;
	if (q->replication_state && strcmp(q->replication_state, rcv) != 0) {
		snprintf(why, len, "replication state is %s, not %.32s", rcv, q->replication_state);
		return 0;
	}
	if (!lag_ok(me, q->lag, 0, why, len))
		return 0;
	if (q->tag) {
		snprintf(why, len, "tag_%.32s: hubha nodes have no tags", q->tag);
		return 0;
	}
	if (me->lag_bytes >= 0)
		snprintf(why, len, "standby, %s, lag %" PRId64 " bytes", rcv, me->lag_bytes);
	else
		snprintf(why, len, "standby, %s", rcv);
	return 1;
}

static int readiness(const struct hubha_http_query *q, const struct hubha_http_node *node, const hubha_hub_t *me,
		     char *why, size_t len)
{
	if (primary_ok(node, me, why, len))
		return 1;
	if (!pg_running(me, why, len))
		return 0;
	if (me->report.role != HUBHA_ROLE_STANDBY)
		return 0;	/* primary_ok's reason stands */
	if (q->mode && strcmp(q->mode, "apply") != 0) {
		snprintf(why, len, "mode=%.32s: only mode=apply is known", q->mode);
		return 0;
	}
	if (me->report.wal_receiver != HUBHA_WALRCV_STREAMING) {
		snprintf(why, len, "replication state is %s, not streaming", hubha_fmt_walrcv(me->report.wal_receiver));
		return 0;
	}
	if (!lag_ok(me, q->lag, node->max_lag_bytes ? node->max_lag_bytes : DEFAULT_MAX_LAG_BYTES, why, len))
		return 0;
	snprintf(why, len, "standby, streaming, lag %" PRId64 " bytes", me->lag_bytes);
	return 1;
}

/* A replica that the primary reports in sync state want: FIRST n (sync) or ANY n (quorum). */
static int standby_listed(const struct hubha_http_query *q, const hubha_hub_t *me, hubha_sync_state_t want,
			  const char *kind, char *why, size_t len)
{
	if (!replica_ok(q, me, why, len))
		return 0;
	if (me->sync_state != want) {
		snprintf(why, len, "not a %s standby (%s)", kind, hubha_fmt_sync_state(me->sync_state));
		return 0;
	}
	snprintf(why, len, "%s standby", kind);
	return 1;
}

static int decide(enum hubha_http_check check, const struct hubha_http_query *q, const struct hubha_http_node *node,
		  char *why, size_t len)
{
	const hubha_hub_t *me = NULL;

	if (check == HUBHA_CHECK_LIVENESS) {
		/* Answered from hubhad's one loop: the loop runs. */
		snprintf(why, len, "hubhad is running");
		return 1;
	}
	if (local_report(node, &me, why, len) < 0)
		return 0;
	switch (check) {
	case HUBHA_CHECK_PRIMARY:
		return primary_ok(node, me, why, len);
	case HUBHA_CHECK_REPLICA:
		return replica_ok(q, me, why, len);
	case HUBHA_CHECK_READ_ONLY:
		if (me->report.role == HUBHA_ROLE_PRIMARY)
			return primary_ok(node, me, why, len);
		return replica_ok(q, me, why, len);
	case HUBHA_CHECK_READ_ONLY_SYNC:
		if (me->report.role == HUBHA_ROLE_PRIMARY)
			return primary_ok(node, me, why, len);
		/* fall through */
	case HUBHA_CHECK_SYNC:
		return standby_listed(q, me, HUBHA_SYNC_SYNC, "synchronous", why, len);
	case HUBHA_CHECK_READ_ONLY_QUORUM:
		if (me->report.role == HUBHA_ROLE_PRIMARY)
			return primary_ok(node, me, why, len);
		/* fall through */
	case HUBHA_CHECK_QUORUM:
		return standby_listed(q, me, HUBHA_SYNC_QUORUM, "quorum", why, len);
	case HUBHA_CHECK_ASYNC:
		if (!replica_ok(q, me, why, len))
			return 0;
		if (me->sync_state == HUBHA_SYNC_UNKNOWN) {
			snprintf(why, len, "sync state not known (no primary reports this standby)");
			return 0;
		}
		if (me->sync_state == HUBHA_SYNC_SYNC || me->sync_state == HUBHA_SYNC_QUORUM) {
			snprintf(why, len, "a synchronous standby (%s)", hubha_fmt_sync_state(me->sync_state));
			return 0;
		}
		snprintf(why, len, "asynchronous standby");
		return 1;
	case HUBHA_CHECK_HEALTH:
		if (!pg_running(me, why, len))
			return 0;
		snprintf(why, len, "PostgreSQL is running (%s)", hubha_fmt_role(me->report.role));
		return 1;
	case HUBHA_CHECK_READINESS:
		return readiness(q, node, me, why, len);
	case HUBHA_CHECK_LIVENESS:
	case HUBHA_CHECK_NONE:
		break;
	}
	snprintf(why, len, "not a health check");
	return 0;
}

int hubha_http_decide(enum hubha_http_check check, const struct hubha_http_query *query,
		      const struct hubha_http_node *node, char *why, size_t why_len)
{
	static const struct hubha_http_query none;
	char scratch[160];

	if (!why || !why_len) {
		why = scratch;
		why_len = sizeof(scratch);
	}
	why[0] = '\0';
	return decide(check, query ? query : &none, node, why, why_len) ? 200 : 503;
}

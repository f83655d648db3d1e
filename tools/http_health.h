/*
 * hubhad's HTTP health checks, without I/O: which status a path and its
 * query answer on this node, given the hub list, the local node id and
 * quorum.  The meaning of each path is Patroni's REST API's, so load
 * balancers configured for Patroni (HAProxy's "option httpchk HEAD /primary")
 * work unchanged.
 */
#ifndef HUBHA_HTTP_HEALTH_H
#define HUBHA_HTTP_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#include <hubha/cluster.h>

enum hubha_http_check {
	HUBHA_CHECK_NONE = 0,	/* not a health path */
	HUBHA_CHECK_PRIMARY,	/* /, /primary, /read-write */
	HUBHA_CHECK_REPLICA,	/* /replica, /standby */
	HUBHA_CHECK_READ_ONLY,	/* /read-only */
	HUBHA_CHECK_SYNC,	/* /sync, /synchronous */
	HUBHA_CHECK_ASYNC,	/* /async, /asynchronous */
	HUBHA_CHECK_QUORUM,	/* /quorum */
	HUBHA_CHECK_READ_ONLY_SYNC,	/* /read-only-sync */
	HUBHA_CHECK_READ_ONLY_QUORUM,	/* /read-only-quorum */
	HUBHA_CHECK_HEALTH,	/* /health */
	HUBHA_CHECK_LIVENESS,	/* /liveness */
	HUBHA_CHECK_READINESS,	/* /readiness */
};

enum hubha_http_check hubha_http_check_of(const char *path);

/* The query parameters the checks read; NULL when absent. */
struct hubha_http_query {
	const char *lag;		/* "16777216", "16MB", "64kB", "1GB" */
	const char *replication_state;	/* "streaming", ... (the WAL receiver's status) */
	const char *mode;		/* /readiness: "apply" only */
	const char *tag;		/* the first tag_KEY parameter's key: hubha nodes have no tags */
};

/* What the node knows when it answers. */
struct hubha_http_node {
	const hubha_hub_t *hubs;	/* as hubha_cluster_hubs() gives them */
	size_t n_hubs;
	uint32_t local_nodeid;		/* 0: not connected to the cluster */
	int quorate;			/* -1: not known */
	uint64_t max_lag_bytes;		/* /readiness without ?lag=; 0: 16 MiB */
	uint32_t stale_factor;		/* the local report is stale after this many intervals; 0: 3 */
};

/*
 * 200 or 503 for a health check, and why in one line (no newline) in why.
 * A check that cannot be decided, or a query parameter that cannot be
 * honoured, answers 503.
 */
int hubha_http_decide(enum hubha_http_check check, const struct hubha_http_query *query,
		      const struct hubha_http_node *node, char *why, size_t why_len);

/* Patroni's ?lag=: bytes, or a number and one of B, kB, MB, GB, TB (1024-based),
 * spaces allowed around and between them.  0, -EINVAL or -ERANGE. */
int hubha_http_parse_lag(const char *text, uint64_t *ret_bytes);

/* The node id of the one live (member, reporting) primary; 0: none or several. */
uint32_t hubha_http_primary_of(const hubha_hub_t *hubs, size_t n);

/*
 * Counts changes of primary: *last is the last primary seen (0: none yet).
 * A new primary after another one counts; an interval without one does not
 * reset what was last seen.  Returns 1 when this view counts a change.
 */
int hubha_http_track_primary(uint32_t *last, const hubha_hub_t *hubs, size_t n);

#endif

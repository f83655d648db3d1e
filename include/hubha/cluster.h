/*
 * libhubha-cluster: the state of a hub pair (or N hubs) as every node sees it,
 * read over corosync CPG.
 *
 * Every node runs hubhad, which publishes the node's report (PostgreSQL role,
 * state, timeline, LSNs, replication, hub services) to the CPG group "hubha"
 * on change and every interval.  Any process on a cluster node can open the
 * group and read every hub's last report, the membership, quorum and a health
 * verdict with its reasons.  A reader that joins asks the members for their
 * current reports and has them within one round trip.  A one-shot reader
 * opened with HUBHA_CLUSTER_LOCAL instead takes the local hubhad's view in
 * one IPC round trip, without waiting for corosync's token.
 *
 * Conventions: calls return 0 or a negative errno; ret_ arguments are filled
 * only on success; nothing here logs or prints.  hubha_cluster_strerror()
 * turns a return value into one line.
 */
#ifndef HUBHA_CLUSTER_H
#define HUBHA_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HUBHA_CLUSTER_NAME_MAX 64	/* node names, with the NUL */
#define HUBHA_CLUSTER_ADDR_MAX 48	/* an IPv4 or IPv6 address in text, with the NUL */
#define HUBHA_CLUSTER_STANDBYS_MAX 8	/* replication rows a primary reports */

typedef struct hubha_cluster hubha_cluster_t;

/* What the node's PostgreSQL is. */
typedef enum hubha_role {
	HUBHA_ROLE_UNKNOWN = 0,	/* not known (no connection, no report) */
	HUBHA_ROLE_PRIMARY = 1,
	HUBHA_ROLE_STANDBY = 2,
	HUBHA_ROLE_NONE = 3,	/* no PostgreSQL on this node (a quorum-only node) */
} hubha_role_t;

typedef enum hubha_pg_state {
	HUBHA_PG_UNKNOWN = 0,
	HUBHA_PG_RUNNING = 1,	/* accepts connections */
	HUBHA_PG_STARTING = 2,	/* answers, but does not accept connections yet */
	HUBHA_PG_STOPPED = 3,	/* nothing answers */
	HUBHA_PG_REFUSED = 4,	/* answers and refuses hubhad (authentication, permissions) */
} hubha_pg_state_t;

/* pg_stat_wal_receiver.status on a standby. */
typedef enum hubha_walrcv {
	HUBHA_WALRCV_NONE = 0,	/* no WAL receiver (a primary, or none running) */
	HUBHA_WALRCV_STREAMING = 1,
	HUBHA_WALRCV_STARTING = 2,
	HUBHA_WALRCV_WAITING = 3,
	HUBHA_WALRCV_RESTARTING = 4,
	HUBHA_WALRCV_STOPPING = 5,
	HUBHA_WALRCV_STOPPED = 6,
} hubha_walrcv_t;

/* pg_stat_replication.sync_state, as the primary reports a standby. */
typedef enum hubha_sync_state {
	HUBHA_SYNC_UNKNOWN = 0,
	HUBHA_SYNC_ASYNC = 1,
	HUBHA_SYNC_SYNC = 2,
	HUBHA_SYNC_POTENTIAL = 3,
	HUBHA_SYNC_QUORUM = 4,
} hubha_sync_state_t;

/* Health of the hub services (ocf:hubha:hub) on the node. */
typedef enum hubha_services {
	HUBHA_SERVICES_UNKNOWN = 0,	/* not configured, or not known */
	HUBHA_SERVICES_OK = 1,
	HUBHA_SERVICES_DEGRADED = 2,	/* an optional service failed */
	HUBHA_SERVICES_FAILED = 3,
	HUBHA_SERVICES_STOPPED = 4,	/* not running here (the passive hub) */
} hubha_services_t;

/* hubha_report_t.flags */
#define HUBHA_REPORT_SYNC_REQUESTED 0x1u	/* a primary with synchronous_standby_names set */
#define HUBHA_REPORT_FENCING_KNOWN 0x2u		/* the next flag was read from the CIB */
#define HUBHA_REPORT_FENCING_DISABLED 0x4u	/* stonith-enabled=false */
#define HUBHA_REPORT_RECOVERY_PAUSED 0x8u	/* a standby whose replay is paused */

/* A replication row (pg_stat_replication) of a primary's report. */
typedef struct hubha_standby_row {
	char name[HUBHA_CLUSTER_NAME_MAX];	/* application_name */
	hubha_walrcv_t state;		/* HUBHA_WALRCV_STREAMING for "streaming", _STARTING for "startup"/"catchup" */
	hubha_sync_state_t sync_state;
	uint64_t flush_lsn;
	uint64_t replay_lsn;
} hubha_standby_row_t;

/* What one node's hubhad publishes. */
typedef struct hubha_report {
	hubha_role_t role;
	hubha_pg_state_t pg_state;
	uint32_t timeline;		/* 0: not known */
	uint64_t lsn;			/* primary: current WAL insert location; standby: last replayed */
	uint64_t receive_lsn;		/* standby: last received and flushed; 0 otherwise */
	uint32_t replay_lag_ms;		/* standby: now - last replayed commit; UINT32_MAX: not known */
	hubha_walrcv_t wal_receiver;
	hubha_services_t services;
	uint32_t flags;			/* HUBHA_REPORT_* */
	uint32_t interval_ms;		/* the publisher's report interval */
	uint64_t time_ms;		/* the publisher's wall clock (ms since the epoch) when it was made */
	char address[HUBHA_CLUSTER_ADDR_MAX];	/* where clients reach this node's PostgreSQL ("" if not known) */
	uint32_t n_standbys;
	hubha_standby_row_t standbys[HUBHA_CLUSTER_STANDBYS_MAX];
} hubha_report_t;

/* A hub as a reader sees it. */
typedef struct hubha_hub {
	char name[HUBHA_CLUSTER_NAME_MAX];	/* from cmap nodelist (name, else ring0_addr) */
	uint32_t nodeid;
	int member;			/* 1: in the corosync membership now */
	int has_report;			/* 0: no report received from this node (yet) */
	hubha_report_t report;		/* valid when has_report */
	uint64_t report_age_ms;		/* since this process received the report (monotonic clock) */
	int64_t lag_bytes;		/* standby: the primary's lsn - this one's replayed lsn; -1: not known */
	hubha_sync_state_t sync_state;	/* standby: as the primary reports it; _UNKNOWN otherwise */
} hubha_hub_t;

typedef enum hubha_health {
	HUBHA_HEALTH_UNKNOWN = 0,	/* cannot say (not connected, no report at all) */
	HUBHA_HEALTH_OK = 1,
	HUBHA_HEALTH_DEGRADED = 2,
} hubha_health_t;

/* Reasons for HUBHA_HEALTH_DEGRADED: a bit set. */
typedef enum hubha_reason {
	HUBHA_REASON_PEER_NOT_MEMBER = 1u << 0,	/* a configured node is not in the membership */
	HUBHA_REASON_NO_QUORUM = 1u << 1,	/* this partition has no quorum, or runs alone */
	HUBHA_REASON_NO_PRIMARY = 1u << 2,
	HUBHA_REASON_MULTIPLE_PRIMARIES = 1u << 3,
	HUBHA_REASON_STANDBY_NOT_STREAMING = 1u << 4,
	HUBHA_REASON_LAG = 1u << 5,		/* a standby's lag is over the threshold */
	HUBHA_REASON_SYNC_NO_STANDBY = 1u << 6,	/* sync requested, no synchronous standby */
	HUBHA_REASON_STALE_REPORT = 1u << 7,	/* a member's last report is too old, or never came */
	HUBHA_REASON_SERVICES = 1u << 8,	/* hub services unhealthy on the active hub */
	HUBHA_REASON_FENCING_DISABLED = 1u << 9,	/* stonith-enabled=false */
} hubha_reason_t;
#define HUBHA_REASON_ALL 0x3ffu

/* Thresholds of hubha_cluster_health(); NULL takes every default. */
typedef struct hubha_health_config {
	uint64_t max_lag_bytes;		/* 0: default, 16 MiB */
	uint32_t stale_factor;		/* stale after this many of the publisher's intervals; 0: default, 3 */
} hubha_health_config_t;

/* hubha_cluster_open() flags */
#define HUBHA_CLUSTER_ASK 0x1u	/* on join, ask the members for their current reports */
#define HUBHA_CLUSTER_LOCAL 0x2u	/* read the local hubhad's view over IPC; no CPG join */

int hubha_cluster_open(unsigned flags, hubha_cluster_t **ret_cluster);
void hubha_cluster_close(hubha_cluster_t *cluster);

/* One fd to poll for input (an epoll fd over the CPG, quorum and cmap fds). */
int hubha_cluster_fd(hubha_cluster_t *cluster, int *ret_fd);
/* Handle what has arrived, without blocking.  -ENOTCONN: corosync went away;
 * close and open again. */
int hubha_cluster_dispatch(hubha_cluster_t *cluster);
/* Ask the members for their current reports and wait, up to timeout_ms, until
 * every member has answered.  -ETIMEDOUT: some did not (what did arrive is kept). */
int hubha_cluster_refresh(hubha_cluster_t *cluster, int timeout_ms);

/* Called after dispatch changed something (membership, quorum, a report). */
#define HUBHA_CLUSTER_EV_MEMBERSHIP 0x1u
#define HUBHA_CLUSTER_EV_QUORUM 0x2u
#define HUBHA_CLUSTER_EV_REPORT 0x4u
typedef void (*hubha_cluster_notify_fn)(hubha_cluster_t *cluster, unsigned events, void *data);
int hubha_cluster_set_notify(hubha_cluster_t *cluster, hubha_cluster_notify_fn fn, void *data);

/* The configured nodes, in nodeid order, as a copy; free with hubha_cluster_hubs_free(). */
int hubha_cluster_hubs(hubha_cluster_t *cluster, hubha_hub_t **ret_hubs, size_t *ret_n);
void hubha_cluster_hubs_free(hubha_hub_t *hubs);
/* The one member whose report says primary.  -ENOENT: none; -ENOTUNIQ: more than one. */
int hubha_cluster_active_hub(hubha_cluster_t *cluster, hubha_hub_t *ret_hub);
/* This node's id, name, and whether its partition is quorate. */
int hubha_cluster_local(hubha_cluster_t *cluster, uint32_t *ret_nodeid, char ret_name[HUBHA_CLUSTER_NAME_MAX]);
int hubha_cluster_quorate(hubha_cluster_t *cluster, int *ret_quorate);

int hubha_cluster_health(hubha_cluster_t *cluster, const hubha_health_config_t *config,
			 hubha_health_t *ret_health, uint32_t *ret_reasons);
/* One short phrase per reason bit ("peer not a member", …); NULL for anything else. */
const char *hubha_cluster_reason_str(hubha_reason_t reason);

/* Publish this node's report (hubhad): sent now, and again to every member
 * that asks.  -EAGAIN: corosync's queue is full, try again later. */
int hubha_cluster_publish(hubha_cluster_t *cluster, const hubha_report_t *report);

const char *hubha_cluster_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif

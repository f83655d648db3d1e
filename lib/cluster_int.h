/*
 * Inside libhubha-cluster: the wire format (wire.c) and the health decision
 * (health.c), both pure, so the unit tests and the fuzzer compile them in.
 */
#ifndef HUBHA_CLUSTER_INT_H
#define HUBHA_CLUSTER_INT_H

#include <stddef.h>
#include <stdint.h>

#include <hubha/cluster.h>
#include <hubha/deadline.h>
#include <hubha/pg.h>

/*
 * Every message starts with this header, in network byte order:
 *   u32 magic "HBHA", u16 version, u16 type, u32 body length.
 * Version 1 bodies: REQUEST is empty; REPORT is the fixed part then
 * n_standbys rows; VIEW (hubhad's answer to a local reader's REQUEST over
 * libqb IPC, never sent on CPG) is the fixed part then n_hubs records, each
 * with its REPORT body (see wire.c).  PG_PROBE (a local agent asks hubhad to
 * query its PostgreSQL now) is a nonce; PG_STATUS, hubhad's answer, that
 * query's result: who answered, the status, the walsenders.  A reader drops
 * what it cannot decode.
 */
#define HUBHA_WIRE_MAGIC 0x48424841u	/* "HBHA" */
#define HUBHA_WIRE_VERSION 1u
#define HUBHA_WIRE_HEADER_LEN 12u
#define HUBHA_WIRE_REPORT_LEN 96u	/* the fixed part of a REPORT body */
#define HUBHA_WIRE_ROW_LEN 84u		/* one standby row */
#define HUBHA_WIRE_REPORT_BODY_MAX (HUBHA_WIRE_REPORT_LEN + HUBHA_CLUSTER_STANDBYS_MAX * HUBHA_WIRE_ROW_LEN)
#define HUBHA_WIRE_MAX_LEN (HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_REPORT_BODY_MAX)
#define HUBHA_WIRE_VIEW_LEN 12u		/* the fixed part of a VIEW body */
#define HUBHA_WIRE_HUB_LEN 84u		/* the fixed part of one hub record */
#define HUBHA_WIRE_VIEW_HUBS_MAX 128u	/* corosync's own member limit */
#define HUBHA_WIRE_VIEW_MAX_LEN \
	(HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_VIEW_LEN + \
	 HUBHA_WIRE_VIEW_HUBS_MAX * (HUBHA_WIRE_HUB_LEN + HUBHA_WIRE_REPORT_BODY_MAX))

enum hubha_wire_type {
	HUBHA_WIRE_REPORT = 1,
	HUBHA_WIRE_REQUEST = 2,
	HUBHA_WIRE_VIEW = 3,
	HUBHA_WIRE_PG_PROBE = 4,
	HUBHA_WIRE_PG_STATUS = 5,
};

#define HUBHA_WIRE_PG_PROBE_LEN 16u	/* a PG_PROBE body */
#define HUBHA_WIRE_PG_STATUS_LEN 1344u	/* the fixed part of a PG_STATUS body */
#define HUBHA_WIRE_PG_ROW_LEN 120u	/* one walsender */
#define HUBHA_WIRE_PG_STANDBYS_MAX 128u
#define HUBHA_WIRE_PG_STATUS_MAX_LEN \
	(HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_PG_STATUS_LEN + HUBHA_WIRE_PG_STANDBYS_MAX * HUBHA_WIRE_PG_ROW_LEN)

/* What hubhad's PostgreSQL answered to one PG_PROBE. */
struct hubha_wire_pg_status {
	struct hubha_pg_identity id;	/* id.nonce: the probe's, as the server echoed it */
	uint32_t postmaster_pid;	/* the parent of hubhad's backend; 0: not known */
	struct hubha_pg_status status;	/* every walsender; standbys allocated */
};

/* Everything the local hubhad knows, as it answers a local reader. */
struct hubha_wire_view {
	uint32_t local_nodeid;
	int quorate;
	size_t n_hubs;
	hubha_hub_t *hubs;	/* report_age_ms as hubhad saw it when it sent the view */
};

/* 0 and the message's length in ret_len; -EINVAL: the report is not valid;
 * -ENOBUFS: buf is too small. */
int hubha_wire_encode_report(const hubha_report_t *report, uint8_t *buf, size_t size, size_t *ret_len);
int hubha_wire_encode_request(uint8_t *buf, size_t size, size_t *ret_len);

/*
 * Decode one message.  ret_report (may be NULL for a REQUEST) is filled
 * only for a REPORT.  -EBADMSG: not one of ours, truncated or inconsistent;
 * -EPROTONOSUPPORT: a version this reader does not know; -EMSGSIZE: longer
 * than its contents.
 */
int hubha_wire_decode(const void *buf, size_t len, enum hubha_wire_type *ret_type, hubha_report_t *ret_report);

/*
 * A VIEW: hubs as hubha_cluster_hubs() gives them (in nodeid order, each
 * nodeid once), this node's id and quorum.  -EINVAL: not such a list.
 */
int hubha_wire_encode_view(const hubha_hub_t *hubs, size_t n, uint32_t local_nodeid, int quorate, uint8_t *buf,
			   size_t size, size_t *ret_len);
/*
 * Decode a VIEW; ret_view->hubs is allocated (free() it), with lag_bytes
 * and sync_state not known yet (hubha_hubs_derive() fills them).  Refused
 * as hubha_wire_decode() refuses, and -EBADMSG for any other type;
 * -ENOMEM.  ret_view is filled only on success.
 */
int hubha_wire_decode_view(const void *buf, size_t len, struct hubha_wire_view *ret_view);

/* 0 and the message's length; -EINVAL: not a valid status (an unterminated
 * string, more than HUBHA_WIRE_PG_STANDBYS_MAX walsenders); -ENOBUFS. */
int hubha_wire_encode_pg_probe(uint64_t nonce, uint8_t *buf, size_t size, size_t *ret_len);
int hubha_wire_encode_pg_status(const struct hubha_wire_pg_status *st, uint8_t *buf, size_t size, size_t *ret_len);
/*
 * Decode a PG_PROBE or a PG_STATUS (ret->status.standbys allocated:
 * hubha_pg_status_clear()), refused as hubha_wire_decode() refuses and
 * -EBADMSG for any other type; -ENOMEM.  Filled only on success.
 */
int hubha_wire_decode_pg_probe(const void *buf, size_t len, uint64_t *ret_nonce);
int hubha_wire_decode_pg_status(const void *buf, size_t len, struct hubha_wire_pg_status *ret);

/* The libqb IPC service hubhad serves its view on ("hubha"); tests set
 * another.  A request is a qb_ipc_request_header with id HUBHA_IPC_VIEW and
 * a REQUEST; the answer a qb_ipc_response_header (error: 0 or a negative
 * errno) and, on success, a VIEW. */
extern const char *hubha_local_service;
#define HUBHA_IPC_SERVICE "hubha"
#define HUBHA_IPC_VIEW 1
/* The same service: id HUBHA_IPC_PG_PROBE with a PG_PROBE, answered (maybe
 * later, once the query ran) with error 0 and a PG_STATUS, or an error. */
#define HUBHA_IPC_PG_PROBE 2

/* A handle's local path (cluster_local.c). */
struct hubha_local {
	void *conn;		/* qb_ipcc_connection_t */
	struct hubha_wire_view view;
	int have_view;
	uint64_t view_ms;	/* CLOCK_MONOTONIC when the view arrived */
};

/* Connect to the local service within d (a qb_ipcc_connection_t in
 * *ret_conn), with hubha_local_fetch()'s errors. */
int hubha_local_connect(size_t size, struct hubha_deadline d, void **ret_conn);
/* Fetch the view, connecting first if need be.  -ESRCH: hubhad is not
 * running here; -EPERM: it refused this process; -ETIMEDOUT; -EBADMSG. */
int hubha_local_fetch(struct hubha_local *local, int timeout_ms);
void hubha_local_close(struct hubha_local *local);

/* 0 when every field of the report is in range and its strings end in NUL. */
int hubha_report_check(const hubha_report_t *report);

/* Which hubs are members and running the protocol is known only to
 * cluster.c; the decisions below see the hub list and quorum. */

/* The index of the one member whose report says primary; -1: none; -2: several. */
long hubha_hubs_primary(const hubha_hub_t *hubs, size_t n);

/*
 * Fill each hub's lag_bytes and sync_state from the reports: only against
 * the one member primary, -1 / _UNKNOWN when there is none or several.
 */
void hubha_hubs_derive(hubha_hub_t *hubs, size_t n);

/*
 * The verdict on hubs (as hubha_cluster_hubs() gives them, derived) and
 * quorum.  config may be NULL.
 */
void hubha_health_decide(const hubha_hub_t *hubs, size_t n, int quorate, const hubha_health_config_t *config,
			 hubha_health_t *ret_health, uint32_t *ret_reasons);

#endif

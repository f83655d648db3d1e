/*
 * hubhad's one connection to the local PostgreSQL, driven by the main loop:
 * connecting and querying never block, and each is bounded.
 */
#ifndef HUBHAD_PG_H
#define HUBHAD_PG_H

#include <qb/qbloop.h>

#include "cluster_int.h"
#include "hubhad_report.h"

#define HUBHAD_PG_TIMEOUT_MS 1000
#define HUBHA_PG_TIMEOUT_TEXT "1000 ms"
#define HUBHA_PG_TIMEOUT_TEXT_MS "1000"
/* Probes waiting at once; more are refused (-EBUSY): the agent asks directly. */
#define HUBHAD_PG_PROBES_MAX 8

struct hubhad_pg;

/* Called once per hubhad_pg_poll() with the PostgreSQL part of the report:
 * role, pg_state, timeline, LSNs, lag, WAL receiver, the SYNC_REQUESTED and
 * RECOVERY_PAUSED flags and the replication rows. */
typedef void (*hubhad_pg_done_fn)(const hubha_report_t *pg, void *data);

int hubhad_pg_new(qb_loop_t *loop, const struct hubhad_opts *opts, hubhad_pg_done_fn done, void *data,
		  struct hubhad_pg **ret_pg);
/* Start one collection, unless one is under way. */
void hubhad_pg_poll(struct hubhad_pg *pg);

/* The answer to one probe (st valid for the call only), or err < 0. */
typedef void (*hubhad_probe_reply_fn)(void *token, int err, const struct hubha_wire_pg_status *st);
/*
 * Run hubha_pg_probe_sql with nonce, after the query under way, within
 * HUBHAD_PG_TIMEOUT_MS of its start; reply is called exactly once (also
 * from hubhad_pg_free()).  -EBUSY: too many wait already.
 */
int hubhad_pg_probe(struct hubhad_pg *pg, uint64_t nonce, hubhad_probe_reply_fn reply, void *token);
void hubhad_pg_free(struct hubhad_pg *pg);

#endif

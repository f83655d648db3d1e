/*
 * ocf:hubha:pgsql — the monitor's status query, put by hubhad on the
 * connection it already holds, and whether its answer can be trusted.
 */
#ifndef HUBHA_AGENT_PGSQL_PROBE_H
#define HUBHA_AGENT_PGSQL_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cluster_int.h"

/* What the agent knows of its own instance, without asking it. */
struct pgsql_probe_expect {
	const char *pgdata;		/* the pgdata parameter */
	pid_t postmaster;		/* postmaster.pid's, confirmed in /proc */
	uint64_t system_identifier;	/* pgdata/global/pg_control's; 0: not read */
	uint64_t nonce;			/* the request's */
};

/*
 * NULL when the answer is this instance's, to this request: the server
 * echoed the nonce, and its postmaster, data directory and system
 * identifier are the ones the agent found; otherwise why not.  Whatever
 * cannot be compared is not trusted.
 */
const char *pgsql_probe_distrust(const struct pgsql_probe_expect *want, const struct hubha_wire_pg_status *got);

/*
 * Ask the local hubhad to run the status query now, within timeout_ms:
 * 0 and its answer (standbys allocated: hubha_pg_status_clear()), or a
 * negative errno and err says why (-ESRCH: no hubhad here).
 */
int pgsql_probe_ask(uint64_t nonce, unsigned timeout_ms, struct hubha_wire_pg_status *ret, char *err, size_t err_len);

/* The system identifier in pgdata/global/pg_control (never through a symlink below pgdata). */
int pgsql_probe_system_identifier(const char *pgdata, uint64_t *ret);

struct pgsql;
struct hubha_pg_status;
/*
 * The monitor's status through hubhad, for the instance whose postmaster is
 * postmaster: 0 and the status (the listed standbys only, as
 * hubha_pg_status_get() with pgsql_listed_standby gives it), or a negative
 * errno when the monitor must ask itself: hubhad is off (via_hubhad=false,
 * a monitor_sql of its own), absent, slow or refuses, its answer is not to be
 * trusted, or the primary has to act through a connection anyway.
 */
int pgsql_probe_status(struct pgsql *pg, pid_t postmaster, struct hubha_pg_status *ret_status);

/* pgsql_pq.c: whether libpq has been loaded (by a connection) in this process. */
bool pgsql_pq_loaded(void);

#endif

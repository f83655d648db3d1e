/*
 * ocf:hubha:pgsql — connections to the local instance and the settings the
 * agent changes through them.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hubha/log.h>

#include "pgsql.h"

int pgsql_connect_local(struct pgsql *pg, PGconn **conn, char *err, size_t err_len)
{
	struct hubha_pg_target t = {
		.host = pg->pghost ? pg->pghost : pg->socketdir,
		.port = (unsigned)pg->port,
		.dbname = pg->pgdb,
		.user = pg->monitor_user ? pg->monitor_user : pg->pgdba,
		.password = pg->monitor_password,
		/* Leave time for what the action does after the query. */
		.timeout_ms = pgsql_budget_ms(pg, pg->ctx->timeout_ms / 2),
		.as_uid = getuid() == 0 ? pg->uid : 0,
		.as_gid = pg->gid,
	};

	return hubha_pg_connect(&t, conn, err, err_len);
}

int pgsql_set_sync_names(PGconn *conn, const char *names, char *err, size_t err_len)
{
	char sql[1024];
	char *lit = NULL;
	int r, n;

	r = hubha_pg_quote_literal(conn, names, &lit);
	if (r < 0) {
		snprintf(err, err_len, "cannot quote '%s'", names);
		return r;
	}
	n = snprintf(sql, sizeof(sql), "ALTER SYSTEM SET synchronous_standby_names = %s", lit);
	free(lit);
	if (n < 0 || (size_t)n >= sizeof(sql)) {
		snprintf(err, err_len, "'%s' is too long", names);
		return -ENAMETOOLONG;
	}
	r = hubha_pg_exec(conn, sql, NULL, err, err_len);
	if (r == 0)
		r = hubha_pg_exec(conn, "SELECT pg_reload_conf()", NULL, err, err_len);
	if (r < 0)
		hubha_log(LOG_ERR, "Cannot set synchronous_standby_names: %s", err);
	else
		hubha_log(LOG_INFO, "synchronous_standby_names = '%s'", names);
	return r;
}

/*
 * Set before pg_promote, so the new primary never runs a moment with the
 * wrong value: in sync mode the other nodes, in async mode nothing (what a
 * former sync configuration left would hold every commit).  In sync mode a
 * value that cannot be set refuses the promotion, unless degrade_to_async
 * allows running asynchronously.
 */
int pgsql_promote_sync_names(struct pgsql *pg, PGconn *conn, const struct hubha_pg_status *st)
{
	bool sync = pg->rep_mode == REP_SYNC;
	char want[1024] = "", err[512];
	int r = 0;

	if (sync) {
		r = pgsql_sync_names(pg->node_list, pg->node, pg->sync_num, want, sizeof(want));
		if (r < 0)
			snprintf(err, sizeof(err), "node_list=%s gives no valid list: %s", pg->node_list ? pg->node_list : "",
				 strerror(-r));
	}
	/*
	 * A standby about to be promoted has no standby of its own yet: the primary's rule for that
	 * case, so that with degrade_to_async it starts asynchronous instead of holding every commit
	 * (and the connections waiting on them) until its first monitor.
	 */
	if (r == 0 && sync) {
		const char *next = pgsql_sync_names_next(st->sync_names, want, 0,
							 pgsql_sync_count(pgsql_count_nodes(pg->node_list), pg->sync_num),
							 pg->degrade_to_async, 0);

		if (next && !next[0] && want[0])
			hubha_log(LOG_WARNING, "Promoting with asynchronous replication until a synchronous standby "
				  "connects (degrade_to_async=true)");
		if (!next)
			next = st->sync_names;
		if (next != want)
			snprintf(want, sizeof(want), "%s", next);
	}
	if (r == 0 && strcmp(st->sync_names, want) != 0)
		r = pgsql_set_sync_names(conn, want, err, sizeof(err));
	if (r == 0)
		return HUBHA_OCF_SUCCESS;
	if (sync && !pg->degrade_to_async) {
		hubha_ocf_reason(pg->ctx, "Promotion refused: cannot set synchronous_standby_names (%s), and "
				 "degrade_to_async=false forbids running asynchronously", err);
		return HUBHA_OCF_ERR_GENERIC;
	}
	hubha_log(LOG_WARNING, "Cannot set synchronous_standby_names (%s): %s", err,
		  sync ? "promoting with asynchronous replication (degrade_to_async=true)"
		       : "commits may wait for a synchronous standby");
	return HUBHA_OCF_SUCCESS;
}

unsigned pgsql_budget_ms(const struct pgsql *pg, unsigned want_ms)
{
	unsigned left = hubha_deadline_left_ms(pg->deadline);

	if (want_ms > left)
		want_ms = left;
	return want_ms ? want_ms : 1;
}

/*
 * post-promote, on a standby: a receiver still tied to the old primary
 * (pgsql_receiver_stale) is ended, so that the startup process starts a new
 * one at once.  Best effort: a receiver left alone still reconnects, later.
 */
void pgsql_receiver_renew(struct pgsql *pg, bool demoted_here)
{
	static const char sql[] =
		"SELECT pid || ' ' || status || ' ' || coalesce(floor(1000 * extract(epoch FROM"
		" clock_timestamp() - last_msg_receipt_time))::bigint, -1) FROM pg_stat_wal_receiver";
	char err[512], status[32];
	char *v = NULL;
	PGconn *conn;
	long idle_ms;
	pid_t pid;
	int r;

	r = pgsql_connect_local(pg, &conn, err, sizeof(err));
	if (r == 0) {
		r = hubha_pg_exec(conn, sql, &v, err, sizeof(err));
		hubha_pg_close(conn);
	}
	if (r < 0) {
		hubha_log(LOG_WARNING, "Cannot read the WAL receiver's state: %s", err);
		return;
	}
	/* No row (no receiver), or columns hidden from an unprivileged monitor_user: nothing to tell. */
	if (!v || pgsql_receiver_parse(v, &pid, status, sizeof(status), &idle_ms) < 0 ||
	    !pgsql_receiver_stale(status, idle_ms, demoted_here)) {
		free(v);
		return;
	}
	free(v);
	if (pgsql_child_kill(pg, pid, SIGTERM, err, sizeof(err)) < 0)
		hubha_log(LOG_WARNING, "Cannot end the WAL receiver: %s", err);
	else
		hubha_log(LOG_INFO, "Ended the WAL receiver (pid %d, silent for %ld ms): it reconnects to the new primary",
			  (int)pid, idle_ms);
}

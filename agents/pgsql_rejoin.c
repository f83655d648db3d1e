/*
 * ocf:hubha:pgsql — a node that crashed as primary rejoining as a standby.
 *
 * It may hold WAL the new primary never received; that WAL has to go
 * (pg_rewind against the new primary) before it can stream again.  This runs
 * in start only: a failed start bans this node alone, while the recipes' demote
 * (on-fail=stop) would stop the whole resource, the healthy primary included.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hubha/log.h>

#include "pgsql.h"

/* A node attribute (lifetime forever): set while pg_rewind runs, so that one cut short is never trusted. */
#define REWIND_MARK "rewind-incomplete"
#define SOURCE_CONNECT_MS 3000

/*
 * "in production" without a postmaster: a primary that crashed, unless the
 * directory is a fresh base backup, whose copied control file says the same.
 */
bool pgsql_crashed_primary(const struct pgsql *pg, const struct pgsql_controldata *cd)
{
	char path[4200];

	if (strcmp(cd->state, "in production") != 0)
		return false;
	snprintf(path, sizeof(path), "%s/backup_label", pg->pgdata);
	return access(path, F_OK) != 0;
}

/* Refuse the start, and say on the node why it is out. */
__attribute__((format(printf, 2, 3))) static int refuse(struct pgsql *pg, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	hubha_ocf_reason(pg->ctx, "%s", why);
	pgsql_publish(pg, false, HUBHA_ATTR_TRANSIENT, NULL, "no-promote-reason", pg->ctx->reason, NULL);
	return HUBHA_OCF_ERR_GENERIC;
}

/* -ENOENT when no rewind was left incomplete, 0 (and when) when one was, or why it cannot be told. */
static int rewind_mark(struct pgsql *pg, char **ret_when)
{
	char name[256];

	pgsql_attr_name(pg, REWIND_MARK, name, sizeof(name));
	return pgsql_attr_get(pg, HUBHA_ATTR_NODE, NULL, name, ret_when);
}

/* 1 when the server at master_ip is a primary, 0 when none answers there or it is a standby. */
static int primary_elsewhere(struct pgsql *pg, PGconn **ret_conn)
{
	struct hubha_pg_target t = {
		.host = pg->master_ip, .port = (unsigned)pg->master_port, .dbname = pg->pgdb,
		.user = pg->pgdba, .timeout_ms = SOURCE_CONNECT_MS,
	};
	char err[256], *in_recovery = NULL;
	PGconn *conn;
	bool primary;

	if (hubha_pg_connect(&t, &conn, err, sizeof(err)) < 0)
		return 0;
	primary = hubha_pg_exec(conn, "SELECT pg_is_in_recovery()", &in_recovery, err, sizeof(err)) == 0 &&
		  in_recovery && strcmp(in_recovery, "f") == 0;
	free(in_recovery);
	if (!primary) {
		hubha_pg_close(conn);
		return 0;
	}
	*ret_conn = conn;
	return 1;
}

/*
 * pg_rewind takes the source's timeline from its control file, which a freshly
 * promoted primary updates only when its first checkpoint after the promotion
 * ends (a spread one, seconds under load).  Rewinding before that compares the
 * wrong timelines and leaves a standby PostgreSQL refuses to start, so force
 * the checkpoint and check that the control file now shows the timeline the
 * primary writes on.  ret_tl: that timeline.
 */
static int prepare_source(PGconn *conn, unsigned budget_ms, unsigned *ret_tl, char *err, size_t err_len)
{
	char sql[128], *v = NULL;
	unsigned ctl_tl, wal_tl;
	int r;

	snprintf(sql, sizeof(sql), "SET statement_timeout = %u", budget_ms ? budget_ms : 1);
	if (hubha_pg_exec(conn, sql, NULL, err, err_len) < 0 || hubha_pg_exec(conn, "CHECKPOINT", NULL, err, err_len) < 0)
		return -EIO;
	r = hubha_pg_exec(conn, "SELECT c.timeline_id || ' ' || ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), "
			  "1, 8))::bit(32)::int FROM pg_control_checkpoint() c", &v, err, err_len);
	if (r < 0)
		return -EIO;
	r = v && sscanf(v, "%u %u", &ctl_tl, &wal_tl) == 2 ? 0 : -EPROTO;
	free(v);
	if (r < 0) {
		snprintf(err, err_len, "its timeline could not be read");
		return r;
	}
	if (ctl_tl != wal_tl) {
		snprintf(err, err_len, "its control file shows timeline %u after a checkpoint, but it writes on %u",
			 ctl_tl, wal_tl);
		return -EAGAIN;
	}
	*ret_tl = wal_tl;
	return 0;
}

/* "key=value" appended to a conninfo, the value quoted as libpq needs it. */
static int conninfo_add(char *buf, size_t len, const char *key, const char *value)
{
	char v[1024];
	size_t n = strlen(buf);
	int r = pgsql_conninfo_value(v, sizeof(v), value);

	if (r < 0)
		return r;
	if ((size_t)snprintf(buf + n, len - n, "%s%s=%s", n ? " " : "", key, v) >= len - n)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * After pg_rewind the node must be on its way to the source's timeline: its
 * minimum recovery point is on that timeline.  "No rewind required" is
 * trusted only because the source's control file was made current first.
 */
static int check_rewound(struct pgsql *pg, unsigned src_tl, bool no_rewind_needed, char *err, size_t err_len)
{
	struct pgsql_controldata cd;
	int r = pgsql_controldata(pg, &cd);

	if (r < 0) {
		snprintf(err, err_len, "control data unreadable after pg_rewind: %s", strerror(-r));
		return r;
	}
	if (no_rewind_needed ? cd.timeline > src_tl : cd.min_recovery_timeline != src_tl) {
		snprintf(err, err_len, "after pg_rewind this node is on timeline %u (minimum recovery on %u), the "
			 "primary on %u", cd.timeline, cd.min_recovery_timeline, src_tl);
		return -EPROTO;
	}
	return 0;
}

static int rewind_from(struct pgsql *pg, PGconn *conn)
{
	struct hubha_ocf_ctx *ctx = pg->ctx;
	char err[512], src[2048] = "", mark[256], when[64], port[16], out[4096];
	unsigned src_tl, budget = ctx->timeout_ms / 3;
	time_t now = time(NULL);
	int r;

	r = prepare_source(conn, budget, &src_tl, err, sizeof(err));
	hubha_pg_close(conn);
	if (r < 0)
		return refuse(pg, "Not rewinding from the primary at %s: %s", pg->master_ip, err);
	/*
	 * pg_rewind reads this node's WAL back to the last checkpoint common with
	 * the primary; crash recovery run by pg_rewind itself would first remove
	 * those segments.  So recover here, keeping them.
	 */
	r = pgsql_crash_recovery(pg, budget, out, sizeof(out));
	if (r < 0) {
		size_t n = strcspn(out, "\n");

		return refuse(pg, "Crash recovery before pg_rewind failed (%s): %.*s", r == -ETIMEDOUT ? "timed out" :
			      r == -EIO ? "exit status" : strerror(-r), (int)(n < 300 ? n : 300), out);
	}
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	pgsql_attr_name(pg, REWIND_MARK, mark, sizeof(mark));
	r = pgsql_publish(pg, false, HUBHA_ATTR_NODE, NULL, REWIND_MARK, when, NULL);
	if (r < 0)
		return refuse(pg, "Not rewinding: the node attribute %s cannot be set (%s), and a rewind cut short "
			      "would then go unnoticed", mark, strerror(-r));
	snprintf(port, sizeof(port), "%ld", pg->master_port);
	if (conninfo_add(src, sizeof(src), "host", pg->master_ip) < 0 || conninfo_add(src, sizeof(src), "port", port) < 0 ||
	    conninfo_add(src, sizeof(src), "user", pg->pgdba) < 0 || conninfo_add(src, sizeof(src), "dbname", pg->pgdb) < 0 ||
	    conninfo_add(src, sizeof(src), "connect_timeout", "10") < 0) {
		pgsql_attr_delete(pg, HUBHA_ATTR_NODE, NULL, mark);
		return refuse(pg, "Not rewinding: the connection string to %s does not fit", pg->master_ip);
	}
	hubha_log(LOG_WARNING, "Crashed old primary: rewinding from %s:%ld (timeline %u)", pg->master_ip,
		  pg->master_port, src_tl);
	r = pgsql_rewind(pg, src, budget, out, sizeof(out));
	/* pg_rewind says this line before it changes the first file (LC_ALL=C): failing earlier, it changed none. */
	if (r < 0 && !strstr(out, "rewinding from last common checkpoint")) {
		pgsql_attr_delete(pg, HUBHA_ATTR_NODE, NULL, mark);
		return refuse(pg, "%s", ctx->reason);
	}
	if (r < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", ctx->reason);
		return refuse(pg, "%s; this node stays out until its data directory is rebuilt (pg_basebackup, then "
			      "crm_attribute --lifetime=forever --name %s --delete)", why, mark);
	}
	r = check_rewound(pg, src_tl, strstr(out, "no rewind required") != NULL, err, sizeof(err));
	if (r < 0)
		return refuse(pg, "pg_rewind did not bring this node to the primary's timeline: %s; rebuild its data "
			      "directory, then crm_attribute --lifetime=forever --name %s --delete", err, mark);
	pgsql_attr_delete(pg, HUBHA_ATTR_NODE, NULL, mark);
	hubha_log(LOG_INFO, "pg_rewind done; rejoining as a standby on timeline %u", src_tl);
	return HUBHA_OCF_SUCCESS;
}

/* Before a standby start: is this node's data fit to stream from the cluster's primary? */
int pgsql_rejoin_check(struct pgsql *pg)
{
	struct hubha_ocf_ctx *ctx = pg->ctx;
	struct pgsql_controldata cd;
	char *when = NULL;
	PGconn *conn = NULL;
	int r;

	r = rewind_mark(pg, &when);
	if (r == 0) {
		char started[64];

		snprintf(started, sizeof(started), "%s", when);
		free(when);
		return refuse(pg, "A pg_rewind of this node started at %s did not complete: its data directory cannot "
			      "be trusted; rebuild it (pg_basebackup), then crm_attribute --lifetime=forever --name "
			      "%s-" REWIND_MARK " --delete", started, pg->rsc);
	}
	if (r != -ENOENT)
		return refuse(pg, "Cannot tell whether a pg_rewind of this node was cut short: %s", strerror(-r));
	r = pgsql_controldata(pg, &cd);
	if (r < 0) {
		hubha_ocf_reason(ctx, "Cannot read control data: %s", strerror(-r));
		return HUBHA_OCF_ERR_INSTALLED;
	}
	/* Only a crash as primary can leave WAL behind that a promoted standby never received. */
	if (!pgsql_crashed_primary(pg, &cd))
		return HUBHA_OCF_SUCCESS;
	/* With no other primary this node may well hold the most recent data: let the election decide. */
	if (!primary_elsewhere(pg, &conn))
		return HUBHA_OCF_SUCCESS;
	if (!pg->auto_rewind) {
		hubha_pg_close(conn);
		return refuse(pg, "This node crashed as primary and another primary now runs at %s:%ld; its timeline "
			      "may have diverged: set auto_rewind=true or rebuild it", pg->master_ip, pg->master_port);
	}
	return rewind_from(pg, conn);
}

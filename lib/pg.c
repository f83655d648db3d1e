/*
 * libpq helpers: bounded connections and the status query.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include <hubha/pg.h>

/*
 * The whole monitor in one statement: the status columns, then one row per
 * walsender (a single row with NULLs when there is none), so replication
 * clients come back as rows, whatever their names.  CASE keeps the
 * primary-only functions (which raise errors during recovery) out of a
 * standby's evaluation.  On a primary the timeline is read off the current
 * WAL file name, because the checkpoint's timeline lags right after a
 * promotion.  MATERIALIZED evaluates the status once, not once per row.
 */
#define STATUS_SQL(cte_extra, select_extra) \
	"WITH s AS MATERIALIZED (SELECT pg_is_in_recovery() AS in_recovery," \
	" CASE WHEN pg_is_in_recovery()" \
	"  THEN greatest((SELECT timeline_id FROM pg_control_checkpoint())," \
	"                (SELECT received_tli FROM pg_stat_wal_receiver))" \
	"  ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS timeline," \
	" CASE WHEN pg_is_in_recovery()" \
	"  THEN greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())" \
	"  ELSE pg_current_wal_lsn() END AS lsn," \
	" (SELECT status FROM pg_stat_wal_receiver) AS receiver," \
	" current_setting('synchronous_standby_names') AS sync_names" cte_extra ")" \
	" SELECT s.in_recovery, s.timeline, s.lsn, s.receiver, s.sync_names," \
	"  r.application_name, r.pid, r.state, r.sync_state, r.flush_lsn" select_extra \
	" FROM s LEFT JOIN pg_stat_replication r ON true"

static const char status_sql[] = STATUS_SQL("", "");

/* The same, and who answers: the instance's directory and system identifier, and $1 echoed. */
const char hubha_pg_probe_sql[] =
	STATUS_SQL(", current_setting('data_directory') AS datadir,"
		   " (SELECT system_identifier FROM pg_control_system()) AS sysid, $1::text AS nonce",
		   ", s.datadir, s.sysid, s.nonce");

enum {
	COL_IN_RECOVERY, COL_TIMELINE, COL_LSN, COL_RECEIVER, COL_SYNC_NAMES,
	COL_APP_NAME, COL_PID, COL_STATE, COL_SYNC_STATE, COL_FLUSH_LSN,
	STATUS_COLUMNS,
	COL_DATADIR = STATUS_COLUMNS, COL_SYSID, COL_NONCE,
	PROBE_COLUMNS
};

static void set_err(char *err, size_t len, const char *msg)
{
	if (!err || !len)
		return;
	snprintf(err, len, "%s", msg ? msg : "");
	/* libpq messages end in a newline and may span lines; callers want one line. */
	for (char *p = err; *p; p++)
		if (*p == '\n')
			*p = (p[1] ? ' ' : '\0');
}

/* Connection keywords hubha_pg_connect passes, with the terminating NULL. */
#define CONNECT_KEYS 8

/*
 * Why a connection failed, from what the server answered rather than from
 * its message, which is translated: PQping tells "no answer" and "not now"
 * (SQLSTATE 57P03) from any other refusal.  The ping gets libpq's shortest
 * connect_timeout so a dead server costs little more than the failed attempt.
 */
static int connect_error(PGconn *conn, const char *const *keys, const char *const *vals, int timeout_key)
{
	const char *ping_vals[CONNECT_KEYS];

	if (PQconnectionNeedsPassword(conn))
		return -EACCES;
	memcpy(ping_vals, vals, sizeof(ping_vals));
	ping_vals[timeout_key] = "2";
	switch (PQpingParams(keys, ping_vals, 0)) {
	case PQPING_NO_RESPONSE:
		return -ECONNREFUSED;
	case PQPING_REJECT:
		return -EAGAIN;
	case PQPING_NO_ATTEMPT:
		return -EINVAL;
	case PQPING_OK:
	default:
		return -EACCES;
	}
}

int hubha_pg_connect(const struct hubha_pg_target *t, PGconn **ret_conn, char *err, size_t err_len)
{
	char port[16], timeout[16], options[64];
	const char *keys[CONNECT_KEYS], *vals[CONNECT_KEYS];
	uid_t saved_uid = geteuid();
	gid_t saved_gid = getegid();
	unsigned secs;
	PGconn *conn;
	int n = 0, timeout_key, cause = 0;

	if (!t || !ret_conn)
		return -EINVAL;
	/* libpq's connect_timeout is whole seconds and treats 1 as 2. */
	secs = (t->timeout_ms + 999) / 1000;
	if (secs < 2)
		secs = 2;
	snprintf(port, sizeof(port), "%u", t->port);
	snprintf(timeout, sizeof(timeout), "%u", secs);
	snprintf(options, sizeof(options), "-c statement_timeout=%u", t->timeout_ms ? t->timeout_ms : 1000);
	if (t->host) {
		keys[n] = "host";
		vals[n++] = t->host;
	}
	keys[n] = "port", vals[n++] = port;
	keys[n] = "dbname", vals[n++] = t->dbname ? t->dbname : "template1";
	keys[n] = "user", vals[n++] = t->user ? t->user : "postgres";
	if (t->password) {
		keys[n] = "password";
		vals[n++] = t->password;
	}
	timeout_key = n;
	keys[n] = "connect_timeout", vals[n++] = timeout;
	keys[n] = "options", vals[n++] = options;
	keys[n] = NULL, vals[n] = NULL;

	/* Peer authentication sees the effective uid at connect(); borrow the DBA's for it. */
	if (t->as_uid && saved_uid != t->as_uid) {
		if (setegid(t->as_gid) < 0 || seteuid(t->as_uid) < 0) {
			int r = -errno;

			if (setegid(saved_gid) < 0)
				abort();
			set_err(err, err_len, "cannot switch to the database owner's uid");
			return r;
		}
	}
	conn = PQconnectdbParams(keys, vals, 0);
	if (conn && PQstatus(conn) != CONNECTION_OK)
		cause = connect_error(conn, keys, vals, timeout_key);
	if (t->as_uid && saved_uid != t->as_uid) {
		/* Failing to become root again would leave the agent half-privileged: stop hard. */
		if (seteuid(saved_uid) < 0 || setegid(saved_gid) < 0)
			abort();
	}
	if (!conn) {
		set_err(err, err_len, "out of memory");
		return -ENOMEM;
	}
	if (cause < 0) {
		set_err(err, err_len, PQerrorMessage(conn));
		PQfinish(conn);
		return cause;
	}
	*ret_conn = conn;
	return 0;
}

void hubha_pg_close(PGconn *conn)
{
	if (conn)
		PQfinish(conn);
}

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static const char *value_or_empty(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col);
}

static int standby_parse(const PGresult *res, int row, struct hubha_pg_standby *ret)
{
	struct hubha_pg_standby s;
	const char *pid = PQgetvalue(res, row, COL_PID);
	char *end;
	long v;

	memset(&s, 0, sizeof(s));
	copy(s.name, sizeof(s.name), PQgetvalue(res, row, COL_APP_NAME));
	errno = 0;
	v = strtol(pid, &end, 10);
	if (errno || end == pid || *end || v <= 0 || v > INT_MAX)
		return -EPROTO;
	s.pid = (int)v;
	copy(s.state, sizeof(s.state), value_or_empty(res, row, COL_STATE));
	copy(s.sync_state, sizeof(s.sync_state), value_or_empty(res, row, COL_SYNC_STATE));
	/* NULL until the standby reports a position. */
	if (!PQgetisnull(res, row, COL_FLUSH_LSN) && hubha_lsn_parse(PQgetvalue(res, row, COL_FLUSH_LSN), &s.flush_lsn) < 0)
		return -EPROTO;
	*ret = s;
	return 0;
}

/* The walsenders the caller keeps; a NULL application_name is the LEFT JOIN's filler. */
static int standbys_parse(const PGresult *res, hubha_pg_standby_filter *keep, void *arg,
			  struct hubha_pg_status *st)
{
	int rows = PQntuples(res);

	for (int row = 0; row < rows; row++) {
		const char *name;
		int r;

		if (PQgetisnull(res, row, COL_APP_NAME))
			continue;
		name = PQgetvalue(res, row, COL_APP_NAME);
		if (keep && !keep(name, arg))
			continue;
		if (!st->standbys) {
			st->standbys = calloc((size_t)rows, sizeof(*st->standbys));
			if (!st->standbys)
				return -ENOMEM;
		}
		r = standby_parse(res, row, &st->standbys[st->n_standbys]);
		if (r < 0)
			return r;
		st->n_standbys++;
	}
	return 0;
}

/* A decimal uint64 (a bigint's bits, for the system identifier), nothing else. */
static int u64_parse(const char *text, bool is_signed, uint64_t *ret)
{
	char *end;

	errno = 0;
	if (is_signed) {
		long long v = strtoll(text, &end, 10);

		*ret = (uint64_t)v;
	} else {
		if (text[0] == '-')
			return -EPROTO;
		*ret = strtoull(text, &end, 10);
	}
	return errno || end == text || *end ? -EPROTO : 0;
}

static int identity_parse(const PGresult *res, struct hubha_pg_identity *id)
{
	memset(id, 0, sizeof(*id));
	if (PQgetisnull(res, 0, COL_DATADIR) || PQgetisnull(res, 0, COL_SYSID) || PQgetisnull(res, 0, COL_NONCE))
		return -EPROTO;
	if (strlen(PQgetvalue(res, 0, COL_DATADIR)) >= sizeof(id->data_directory))
		return -ENAMETOOLONG;
	copy(id->data_directory, sizeof(id->data_directory), PQgetvalue(res, 0, COL_DATADIR));
	if (u64_parse(PQgetvalue(res, 0, COL_SYSID), true, &id->system_identifier) < 0 ||
	    u64_parse(PQgetvalue(res, 0, COL_NONCE), false, &id->nonce) < 0)
		return -EPROTO;
	return 0;
}

int hubha_pg_status_result(const PGresult *res, hubha_pg_standby_filter *keep, void *arg,
			   struct hubha_pg_status *ret_status, struct hubha_pg_identity *ret_id, char *err, size_t err_len)
{
	struct hubha_pg_identity id;
	struct hubha_pg_status st;
	int r = 0;

	if (!res || !ret_status)
		return -EINVAL;
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) < 1 ||
	    PQnfields(res) != (ret_id ? PROBE_COLUMNS : STATUS_COLUMNS)) {
		set_err(err, err_len, PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res)
								    : "unexpected answer to the status query");
		return -EIO;
	}
	memset(&st, 0, sizeof(st));
	st.in_recovery = strcmp(PQgetvalue(res, 0, COL_IN_RECOVERY), "t") == 0;
	st.timeline = (uint32_t)strtoul(PQgetvalue(res, 0, COL_TIMELINE), NULL, 10);
	if (!PQgetisnull(res, 0, COL_LSN) && hubha_lsn_parse(PQgetvalue(res, 0, COL_LSN), &st.lsn) < 0)
		r = -EPROTO;
	copy(st.receiver, sizeof(st.receiver), value_or_empty(res, 0, COL_RECEIVER));
	copy(st.sync_names, sizeof(st.sync_names), PQgetvalue(res, 0, COL_SYNC_NAMES));
	if (!r && ret_id)
		r = identity_parse(res, &id);
	if (!r)
		r = standbys_parse(res, keep, arg, &st);
	if (r < 0) {
		hubha_pg_status_clear(&st);
		set_err(err, err_len, r == -ENOMEM ? "out of memory" : "unexpected answer to the status query");
		return r;
	}
	*ret_status = st;
	if (ret_id)
		*ret_id = id;
	return 0;
}

int hubha_pg_status_get(PGconn *conn, hubha_pg_standby_filter *keep, void *arg, struct hubha_pg_status *ret_status,
			char *err, size_t err_len)
{
	PGresult *res;
	int r;

	if (!conn || !ret_status)
		return -EINVAL;
	res = PQexec(conn, status_sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		set_err(err, err_len, PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(conn));
		PQclear(res);
		return PQstatus(conn) == CONNECTION_OK ? -EIO : -ECONNRESET;
	}
	r = hubha_pg_status_result(res, keep, arg, ret_status, NULL, err, err_len);
	PQclear(res);
	return r;
}

void hubha_pg_status_clear(struct hubha_pg_status *status)
{
	if (!status)
		return;
	free(status->standbys);
	status->standbys = NULL;
	status->n_standbys = 0;
}

static const char location_sql[] =
	"SELECT CASE WHEN pg_is_in_recovery()"
	"  THEN greatest((SELECT timeline_id FROM pg_control_checkpoint()),"
	"                (SELECT received_tli FROM pg_stat_wal_receiver),"
	"                (SELECT max(('x' || substr(name, 1, 8))::bit(32)::int) FROM pg_ls_waldir()"
	"                 WHERE name ~ '^[0-9A-F]{24}$'))"
	"  ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END,"
	" CASE WHEN pg_is_in_recovery()"
	"  THEN greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())"
	"  ELSE pg_current_wal_lsn() END";

int hubha_pg_location(PGconn *conn, uint32_t *ret_timeline, hubha_lsn *ret_lsn, char *err, size_t err_len)
{
	PGresult *res;
	hubha_lsn lsn = 0;
	uint32_t tl;

	if (!conn || !ret_timeline || !ret_lsn)
		return -EINVAL;
	res = PQexec(conn, location_sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) != 2) {
		set_err(err, err_len, PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(conn));
		PQclear(res);
		return PQstatus(conn) == CONNECTION_OK ? -EIO : -ECONNRESET;
	}
	tl = (uint32_t)strtoul(PQgetvalue(res, 0, 0), NULL, 10);
	if (!PQgetisnull(res, 0, 1) && hubha_lsn_parse(PQgetvalue(res, 0, 1), &lsn) < 0) {
		PQclear(res);
		set_err(err, err_len, "unexpected answer to the location query");
		return -EPROTO;
	}
	PQclear(res);
	*ret_timeline = tl;
	*ret_lsn = lsn;
	return 0;
}

int hubha_pg_exec(PGconn *conn, const char *sql, char **ret_value, char *err, size_t err_len)
{
	PGresult *res;
	ExecStatusType s;
	char *value = NULL;

	if (!conn || !sql)
		return -EINVAL;
	res = PQexec(conn, sql);
	s = PQresultStatus(res);
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		set_err(err, err_len, PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(conn));
		PQclear(res);
		return PQstatus(conn) == CONNECTION_OK ? -EIO : -ECONNRESET;
	}
	if (ret_value && s == PGRES_TUPLES_OK && PQntuples(res) > 0 && PQnfields(res) > 0 && !PQgetisnull(res, 0, 0)) {
		value = strdup(PQgetvalue(res, 0, 0));
		if (!value) {
			PQclear(res);
			return -ENOMEM;
		}
	}
	PQclear(res);
	if (ret_value)
		*ret_value = value;
	return 0;
}

int hubha_pg_quote_literal(PGconn *conn, const char *text, char **ret_quoted)
{
	char *q, *copy_;

	if (!conn || !text || !ret_quoted)
		return -EINVAL;
	q = PQescapeLiteral(conn, text, strlen(text));
	if (!q)
		return -ENOMEM;
	copy_ = strdup(q);
	PQfreemem(q);
	if (!copy_)
		return -ENOMEM;
	*ret_quoted = copy_;
	return 0;
}

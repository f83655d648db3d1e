/*
 * libpq helpers for the pgsql agent: bounded connections and the one-round-trip
 * status query its monitor is built on.
 *
 * Calls return 0 or a negative errno and fill ret_ arguments only on success.
 * Nothing here logs; server messages are handed back in an error buffer.
 */
#ifndef HUBHA_PG_H
#define HUBHA_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* libpq's connection and result, PGconn and PGresult in <libpq-fe.h>. */
struct pg_conn;
struct pg_result;

struct hubha_pg_target {
	const char *host;	/* socket directory or host name; NULL: libpq default */
	unsigned port;
	const char *dbname;
	const char *user;
	const char *password;	/* NULL: none */
	unsigned timeout_ms;	/* bounds connect and every statement */
	uid_t as_uid;		/* connect with this effective uid (peer authentication); 0: as we are */
	gid_t as_gid;
};

/*
 * Connect with connect_timeout and statement_timeout derived from timeout_ms.
 * On failure, with libpq's message in err, returns
 *   -ECONNREFUSED  no server answered;
 *   -EAGAIN        the server answered that it does not accept connections
 *                  now (starting up, shutting down, in crash recovery);
 *   -EACCES        the server answered and refused this connection: a
 *                  password it wants and was not given or did not accept,
 *                  pg_hba.conf, an unknown role or database, a connection limit;
 *   -EINVAL        the target cannot be turned into connection parameters;
 *   -ENOMEM.
 * A failed connection is tried once more the way PQping does, which tells
 * these apart by the server's SQLSTATE rather than by its (translated) message.
 */
int hubha_pg_connect(const struct hubha_pg_target *target, struct pg_conn **ret_conn, char *err, size_t err_len);
void hubha_pg_close(struct pg_conn *conn);

/* A WAL position, as pg_lsn; compare as integers. */
typedef uint64_t hubha_lsn;
int hubha_lsn_parse(const char *text, hubha_lsn *ret_lsn);
void hubha_lsn_format(hubha_lsn lsn, char *buf, size_t len);

struct hubha_pg_standby {
	char name[64];		/* application_name (PostgreSQL keeps at most 63 bytes) */
	int pid;		/* the walsender's: a new one means the standby reconnected */
	char state[24];		/* streaming, catchup, ... */
	char sync_state[16];	/* sync, async, potential, quorum */
	hubha_lsn flush_lsn;
};

struct hubha_pg_status {
	bool in_recovery;
	uint32_t timeline;
	hubha_lsn lsn;		/* primary: current; standby: max(received, replayed) */
	char receiver[24];	/* standby: wal receiver status ("streaming"), empty when none */
	char sync_names[256];	/* synchronous_standby_names in effect */
	unsigned n_standbys;	/* the walsenders the filter kept */
	struct hubha_pg_standby *standbys;	/* allocated: hubha_pg_status_clear() */
};

/* Whether the status reports the walsender of this application_name. */
typedef bool hubha_pg_standby_filter(const char *application_name, void *arg);

/*
 * Role, timeline, position and the walsenders (pg_stat_replication) in one
 * statement.  Only walsenders keep() accepts are reported (all with keep
 * NULL), however many there are and whatever their names.
 */
int hubha_pg_status_get(struct pg_conn *conn, hubha_pg_standby_filter *keep, void *arg,
			struct hubha_pg_status *ret_status, char *err, size_t err_len);
/*
 * The status query for a process that asks on another's behalf (hubhad for
 * the agent's monitor): the status columns, then who answers (the server's
 * data_directory and system identifier) and its one parameter, $1, a
 * decimal nonce, echoed by the server: an answer that carries the nonce was
 * computed by a query run for that request.
 */
extern const char hubha_pg_probe_sql[];

struct hubha_pg_identity {
	char data_directory[1024];
	uint64_t system_identifier;	/* pg_control's, as pg_controldata prints it */
	uint64_t nonce;			/* $1, as the server returned it */
};

/*
 * A status from the status query's result (ret_id NULL) or the probe
 * query's (ret_id filled); refused as hubha_pg_status_get() refuses.
 */
int hubha_pg_status_result(const struct pg_result *res, hubha_pg_standby_filter *keep, void *arg,
			   struct hubha_pg_status *ret_status, struct hubha_pg_identity *ret_id, char *err,
			   size_t err_len);
/* Free the standbys of a status hubha_pg_status_get() filled. */
void hubha_pg_status_clear(struct hubha_pg_status *status);

/*
 * Where this server's WAL ends, for elections: (timeline, LSN).  On a standby
 * the timeline is the newest one it has WAL of, which the checkpoint's
 * timeline only catches up with at the next restartpoint.  Lists pg_wal, so
 * it is kept out of the monitor.
 */
int hubha_pg_location(struct pg_conn *conn, uint32_t *ret_timeline, hubha_lsn *ret_lsn, char *err, size_t err_len);

/*
 * Run one statement; with ret_value, the first column of the first row
 * (allocated, free() it; NULL when SQL NULL or no row).
 */
int hubha_pg_exec(struct pg_conn *conn, const char *sql, char **ret_value, char *err, size_t err_len);

/* Quote a literal or identifier for SQL (allocated, free() it). */
int hubha_pg_quote_literal(struct pg_conn *conn, const char *text, char **ret_quoted);

#ifdef __cplusplus
}
#endif
#endif

/*
 * The local PostgreSQL, read without blocking the loop: PQconnectStart and
 * PQconnectPoll, then PQsendQuery, each step on the socket's readiness, the
 * whole collection bounded by HUBHAD_PG_TIMEOUT_MS.  A PostgreSQL that hangs
 * costs a report of "unknown", never a stalled loop.
 *
 * The same connection runs the probes local agents ask for (PG_PROBE over
 * IPC): each gets a query of its own, run after whatever is under way, so a
 * monitor answered through hubhad still put one real question to the server.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <qb/qblog.h>

#include <hubha/pg.h>

#include "hubhad_pg.h"

enum pg_step { PG_IDLE, PG_CONNECTING, PG_QUERYING };
/* What the connection is used for now. */
enum pg_job { JOB_COLLECT, JOB_PROBE };

struct probe {
	uint64_t nonce;
	hubhad_probe_reply_fn reply;
	void *token;
};

struct hubhad_pg {
	qb_loop_t *loop;
	const struct hubhad_opts *opts;
	hubhad_pg_done_fn done;
	void *data;
	PGconn *conn;
	enum pg_step step;
	enum pg_job job;
	int collect_due;
	struct probe probes[HUBHAD_PG_PROBES_MAX];	/* waiting, oldest first */
	unsigned n_probes;
	struct hubha_wire_pg_status probe_answer;
	int probe_error;
	int fd;			/* the socket the loop watches, -1: none */
	int32_t events;
	qb_loop_timer_handle deadline;
	int deadline_set;
	unsigned nresult;
	hubha_report_t report;
	char last_error[160];
};

static int32_t on_socket(int32_t fd, int32_t revents, void *data);
static void start_job(struct hubhad_pg *pg);

static void unwatch(struct hubhad_pg *pg)
{
	if (pg->fd >= 0)
		qb_loop_poll_del(pg->loop, pg->fd);
	pg->fd = -1;
}

/* libpq may change its socket while connecting (another address): follow it. */
static int watch(struct hubhad_pg *pg, int32_t events)
{
	int fd = PQsocket(pg->conn);

	if (fd < 0)
		return -EBADF;
	if (fd == pg->fd) {
		if (events != pg->events)
			qb_loop_poll_mod(pg->loop, QB_LOOP_MED, fd, events, pg, on_socket);
		pg->events = events;
		return 0;
	}
	unwatch(pg);
	if (qb_loop_poll_add(pg->loop, QB_LOOP_MED, fd, events, pg, on_socket) != 0)
		return -EIO;
	pg->fd = fd;
	pg->events = events;
	return 0;
}

static void deadline_stop(struct hubhad_pg *pg)
{
	if (pg->deadline_set)
		qb_loop_timer_del(pg->loop, pg->deadline);
	pg->deadline_set = 0;
}

static void drop_conn(struct hubhad_pg *pg)
{
	unwatch(pg);
	if (pg->conn)
		PQfinish(pg->conn);
	pg->conn = NULL;
}

/* The collection ends: hand over what it found, or what the failure says. */
static void finish(struct hubhad_pg *pg, hubha_pg_state_t failed, const char *why)
{
	hubha_report_t r = pg->report;

	deadline_stop(pg);
	pg->step = PG_IDLE;
	if (failed != HUBHA_PG_RUNNING) {
		memset(&r, 0, sizeof(r));
		r.role = HUBHA_ROLE_UNKNOWN;
		r.pg_state = failed;
		r.replay_lag_ms = UINT32_MAX;
		/* Once per cause, not once per poll. */
		if (why && strncmp(why, pg->last_error, sizeof(pg->last_error) - 1) != 0) {
			qb_log(LOG_WARNING, "PostgreSQL: %s", why);
			snprintf(pg->last_error, sizeof(pg->last_error), "%s", why);
		}
	} else if (pg->last_error[0]) {
		qb_log(LOG_NOTICE, "PostgreSQL: answering again");
		pg->last_error[0] = '\0';
	}
	pg->collect_due = 0;
	pg->done(&r, pg->data);
	start_job(pg);
}

/* The oldest probe gets its answer (err 0) or err; the next job starts. */
static void probe_finish(struct hubhad_pg *pg, int err)
{
	struct probe p = pg->probes[0];

	deadline_stop(pg);
	pg->step = PG_IDLE;
	memmove(pg->probes, pg->probes + 1, --pg->n_probes * sizeof(pg->probes[0]));
	p.reply(p.token, err, err ? NULL : &pg->probe_answer);
	hubha_pg_status_clear(&pg->probe_answer.status);
	start_job(pg);
}

/* Without a connection, every waiting probe would fail the same way. */
static void probes_fail(struct hubhad_pg *pg, int err)
{
	while (pg->n_probes) {
		struct probe p = pg->probes[0];

		memmove(pg->probes, pg->probes + 1, --pg->n_probes * sizeof(pg->probes[0]));
		p.reply(p.token, err, NULL);
	}
}

static const char *one_line(PGconn *conn, char *buf, size_t len)
{
	const char *m = conn ? PQerrorMessage(conn) : "out of memory";

	snprintf(buf, len, "%.*s", (int)strcspn(m, "\n"), m);
	return buf;
}

static void fail_conn(struct hubhad_pg *pg)
{
	char why[160];
	hubha_pg_state_t s = hubhad_connect_failure(pg->conn ? PQerrorMessage(pg->conn) : NULL);

	one_line(pg->conn, why, sizeof(why));
	drop_conn(pg);
	if (pg->job == JOB_PROBE) {
		deadline_stop(pg);
		pg->step = PG_IDLE;
		probes_fail(pg, -ECONNREFUSED);
		start_job(pg);
		return;
	}
	finish(pg, s == HUBHA_PG_UNKNOWN ? HUBHA_PG_STOPPED : s, why);
}

static void on_deadline(void *data)
{
	struct hubhad_pg *pg = data;

	pg->deadline_set = 0;
	drop_conn(pg);
	if (pg->job == JOB_PROBE) {
		probe_finish(pg, -ETIMEDOUT);
		return;
	}
	finish(pg, HUBHA_PG_UNKNOWN, "no answer within " HUBHA_PG_TIMEOUT_TEXT);
}

/* The postmaster: the parent of hubhad's backend, from /proc (0: not known). */
static uint32_t postmaster_of(int backend)
{
	char path[64], buf[512], *p;
	unsigned long ppid;
	FILE *f;
	size_t n;

	if (backend <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", backend);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold anything but ends at the last ')'. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %lu", &ppid) != 1 || ppid > UINT32_MAX)
		return 0;
	return (uint32_t)ppid;
}

static void send_probe(struct hubhad_pg *pg)
{
	char nonce[24];
	const char *vals[1] = { nonce };
	int f;

	pg->step = PG_QUERYING;
	pg->nresult = 0;
	pg->probe_error = 0;
	memset(&pg->probe_answer, 0, sizeof(pg->probe_answer));
	snprintf(nonce, sizeof(nonce), "%" PRIu64, pg->probes[0].nonce);
	if (!PQsendQueryParams(pg->conn, hubha_pg_probe_sql, 1, NULL, vals, NULL, NULL, 0)) {
		fail_conn(pg);
		return;
	}
	f = PQflush(pg->conn);
	if (f < 0 || watch(pg, f ? POLLIN | POLLOUT : POLLIN) < 0)
		fail_conn(pg);
}

static void take_probe_result(struct hubhad_pg *pg, PGresult *res)
{
	char why[160];
	int r;

	if (pg->nresult++ || pg->probe_error)
		return;
	r = hubha_pg_status_result(res, NULL, NULL, &pg->probe_answer.status, &pg->probe_answer.id, why, sizeof(why));
	if (r < 0) {
		pg->probe_error = r;
		qb_log(LOG_DEBUG, "probe: %s", why);
		return;
	}
	if (pg->probe_answer.status.n_standbys > HUBHA_WIRE_PG_STANDBYS_MAX) {
		pg->probe_error = -E2BIG;
		hubha_pg_status_clear(&pg->probe_answer.status);
		return;
	}
	pg->probe_answer.postmaster_pid = postmaster_of(PQbackendPID(pg->conn));
}

static void on_probe_input(struct hubhad_pg *pg, int32_t revents)
{
	PGresult *res;

	if ((revents & POLLOUT) && PQflush(pg->conn) == 0)
		watch(pg, POLLIN);
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	if (!PQconsumeInput(pg->conn)) {
		hubha_pg_status_clear(&pg->probe_answer.status);
		fail_conn(pg);
		return;
	}
	while (!PQisBusy(pg->conn)) {
		res = PQgetResult(pg->conn);
		if (!res) {
			if (!pg->probe_error && pg->nresult != 1)
				pg->probe_error = -EPROTO;
			probe_finish(pg, pg->probe_error);
			return;
		}
		take_probe_result(pg, res);
		PQclear(res);
	}
	if (PQstatus(pg->conn) == CONNECTION_BAD) {
		hubha_pg_status_clear(&pg->probe_answer.status);
		fail_conn(pg);
	}
}

static void send_query(struct hubhad_pg *pg)
{
	int f;

	memset(&pg->report, 0, sizeof(pg->report));
	pg->nresult = 0;
	pg->step = PG_QUERYING;
	if (!PQsendQuery(pg->conn, hubhad_collect_sql)) {
		fail_conn(pg);
		return;
	}
	f = PQflush(pg->conn);
	if (f < 0 || watch(pg, f ? POLLIN | POLLOUT : POLLIN) < 0)
		fail_conn(pg);
}

static int take_result(struct hubhad_pg *pg, PGresult *res, char *why, size_t len)
{
	const char *col[COL_N];
	int i, n, c;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(why, len, "%.*s", (int)strcspn(PQresultErrorMessage(res), "\n"), PQresultErrorMessage(res));
		return -EIO;
	}
	if (pg->nresult++ == 0) {
		if (PQntuples(res) != 1 || PQnfields(res) != COL_N) {
			snprintf(why, len, "unexpected answer to the status query");
			return -EPROTO;
		}
		for (c = 0; c < COL_N; c++)
			col[c] = PQgetisnull(res, 0, c) ? NULL : PQgetvalue(res, 0, c);
		if (hubhad_report_from_status(col, &pg->report) < 0) {
			snprintf(why, len, "unexpected values in the status query's answer");
			return -EPROTO;
		}
		return 0;
	}
	n = PQntuples(res);
	if (PQnfields(res) != HUBHAD_REPL_COLS)
		return -EPROTO;
	for (i = 0; i < n && pg->report.n_standbys < HUBHA_CLUSTER_STANDBYS_MAX; i++) {
		for (c = 0; c < HUBHAD_REPL_COLS; c++)
			col[c] = PQgetisnull(res, i, c) ? NULL : PQgetvalue(res, i, c);
		if (hubhad_standby_from_row(col, &pg->report.standbys[pg->report.n_standbys]) == 0)
			pg->report.n_standbys++;
	}
	return 0;
}

static void on_query_input(struct hubhad_pg *pg, int32_t revents)
{
	char why[160] = "";
	PGresult *res;
	int bad = 0;

	if ((revents & POLLOUT) && PQflush(pg->conn) == 0)
		watch(pg, POLLIN);
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	if (!PQconsumeInput(pg->conn)) {
		fail_conn(pg);
		return;
	}
	while (!PQisBusy(pg->conn)) {
		res = PQgetResult(pg->conn);
		if (!res) {
			if (bad) {
				/* It answers, and refuses what hubhad asks (permissions). */
				finish(pg, HUBHA_PG_REFUSED, why);
				return;
			}
			if (pg->nresult < 2) {
				finish(pg, HUBHA_PG_REFUSED, "incomplete answer to the status query");
				return;
			}
			finish(pg, HUBHA_PG_RUNNING, NULL);
			return;
		}
		if (!bad && take_result(pg, res, why, sizeof(why)) < 0)
			bad = 1;
		PQclear(res);
	}
	if (PQstatus(pg->conn) == CONNECTION_BAD)
		fail_conn(pg);
}

static void connect_step(struct hubhad_pg *pg)
{
	switch (PQconnectPoll(pg->conn)) {
	case PGRES_POLLING_READING:
		if (watch(pg, POLLIN) < 0)
			fail_conn(pg);
		break;
	case PGRES_POLLING_WRITING:
		if (watch(pg, POLLOUT) < 0)
			fail_conn(pg);
		break;
	case PGRES_POLLING_OK:
		if (PQsetnonblocking(pg->conn, 1) != 0) {
			fail_conn(pg);
			break;
		}
		if (pg->job == JOB_PROBE)
			send_probe(pg);
		else
			send_query(pg);
		break;
	default:
		fail_conn(pg);
		break;
	}
}

static int32_t on_socket(int32_t fd, int32_t revents, void *data)
{
	struct hubhad_pg *pg = data;

	(void)fd;
	if (pg->step == PG_CONNECTING)
		connect_step(pg);
	else if (pg->step == PG_QUERYING && pg->job == JOB_PROBE)
		on_probe_input(pg, revents);
	else if (pg->step == PG_QUERYING)
		on_query_input(pg, revents);
	else if (pg->conn && (revents & (POLLIN | POLLHUP | POLLERR))) {
		/* Idle: the server went away (shutdown, a terminated backend). */
		if (!PQconsumeInput(pg->conn) || PQstatus(pg->conn) == CONNECTION_BAD)
			drop_conn(pg);
	}
	return 0;
}

/* Probes first: an agent's monitor waits for them; a report can wait one query. */
static void start_job(struct hubhad_pg *pg)
{
	const char *keys[] = { "host", "port", "user", "dbname", "application_name", "connect_timeout", "options", NULL };
	const char *vals[] = { pg->opts->pghost, pg->opts->pgport, pg->opts->pguser, "postgres", "hubhad", "2",
			       "-c statement_timeout=" HUBHA_PG_TIMEOUT_TEXT_MS, NULL };

	if (pg->step != PG_IDLE)
		return;
	if (pg->n_probes)
		pg->job = JOB_PROBE;
	else if (pg->collect_due)
		pg->job = JOB_COLLECT;
	else
		return;
	if (qb_loop_timer_add(pg->loop, QB_LOOP_MED, (uint64_t)HUBHAD_PG_TIMEOUT_MS * QB_TIME_NS_IN_MSEC, pg,
			      on_deadline, &pg->deadline) == 0)
		pg->deadline_set = 1;
	if (pg->conn && PQstatus(pg->conn) == CONNECTION_OK) {
		if (pg->job == JOB_PROBE)
			send_probe(pg);
		else
			send_query(pg);
		return;
	}
	drop_conn(pg);
	pg->conn = PQconnectStartParams(keys, vals, 0);
	if (!pg->conn || PQstatus(pg->conn) == CONNECTION_BAD) {
		fail_conn(pg);
		return;
	}
	pg->step = PG_CONNECTING;
	/* libpq's first step is to write (the startup packet). */
	if (watch(pg, POLLOUT) < 0)
		fail_conn(pg);
}

void hubhad_pg_poll(struct hubhad_pg *pg)
{
	pg->collect_due = 1;
	start_job(pg);
}

int hubhad_pg_probe(struct hubhad_pg *pg, uint64_t nonce, hubhad_probe_reply_fn reply, void *token)
{
	if (pg->n_probes == HUBHAD_PG_PROBES_MAX)
		return -EBUSY;
	pg->probes[pg->n_probes++] = (struct probe){ .nonce = nonce, .reply = reply, .token = token };
	start_job(pg);
	return 0;
}

int hubhad_pg_new(qb_loop_t *loop, const struct hubhad_opts *opts, hubhad_pg_done_fn done, void *data,
		  struct hubhad_pg **ret_pg)
{
	struct hubhad_pg *pg = calloc(1, sizeof(*pg));

	if (!pg)
		return -ENOMEM;
	pg->loop = loop;
	pg->opts = opts;
	pg->done = done;
	pg->data = data;
	pg->fd = -1;
	*ret_pg = pg;
	return 0;
}

void hubhad_pg_free(struct hubhad_pg *pg)
{
	if (!pg)
		return;
	deadline_stop(pg);
	drop_conn(pg);
	hubha_pg_status_clear(&pg->probe_answer.status);
	probes_fail(pg, -ESHUTDOWN);
	free(pg);
}

/*
 * ocf:hubha:pgsql — asking hubhad for the monitor's query.
 *
 * hubhad holds a connection to this node's PostgreSQL: through it the
 * monitor costs neither a backend fork nor loading libpq.  The answer is
 * trusted only as this instance's answer to this request; anything else
 * (no hubhad, a slow one, another instance, another request) sends the
 * monitor to its own connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <qb/qbipcc.h>

#include <hubha/log.h>

#include "pgsql.h"
#include "pgsql_probe.h"

/* At most, of a monitor's time, waiting for hubhad: its own query is bounded by 1 s, and may queue behind one. */
#define PROBE_WAIT_MS 2500

int pgsql_probe_system_identifier(const char *pgdata, uint64_t *ret)
{
	uint64_t id;
	struct stat st;
	int dir, global, fd, r = 0;
	ssize_t n;

	dir = open(pgdata, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -errno;
	global = openat(dir, "global", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(dir);
	if (global < 0)
		return -errno;
	fd = openat(global, "pg_control", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(global);
	if (fd < 0)
		return -errno;
	/* ControlFileData starts with the system identifier, in the server's byte order: this node's. */
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	else if ((n = pread(fd, &id, sizeof(id), 0)) != (ssize_t)sizeof(id))
		r = n < 0 ? -errno : -EPROTO;
	close(fd);
	if (r == 0 && id == 0)
		r = -EPROTO;
	if (r == 0)
		*ret = id;
	return r;
}

int pgsql_probe_ask(uint64_t nonce, unsigned timeout_ms, struct hubha_wire_pg_status *ret, char *err, size_t err_len)
{
	struct hubha_deadline d = hubha_deadline_in(timeout_ms);
	struct qb_ipc_request_header hdr = { .id = HUBHA_IPC_PG_PROBE };
	size_t size = sizeof(struct qb_ipc_response_header) + HUBHA_WIRE_VIEW_MAX_LEN;
	uint8_t req[HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_PG_PROBE_LEN];
	struct qb_ipc_response_header *res;
	struct iovec iov[2];
	void *conn;
	size_t len;
	ssize_t got;
	int e;

	/* The buffer size is the server's: hubhad enforces the one its views need. */
	e = hubha_local_connect(size, d, &conn);
	if (e < 0) {
		snprintf(err, err_len, "%s", e == -ESRCH ? "hubhad is not running" :
			 e == -ETIMEDOUT ? "hubhad did not answer in time" : strerror(-e));
		return e;
	}
	res = malloc(HUBHA_WIRE_PG_STATUS_MAX_LEN + sizeof(*res));
	if (!res) {
		qb_ipcc_disconnect(conn);
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	hubha_wire_encode_pg_probe(nonce, req, sizeof(req), &len);
	hdr.size = (int32_t)(sizeof(hdr) + len);
	iov[0] = (struct iovec){ .iov_base = &hdr, .iov_len = sizeof(hdr) };
	iov[1] = (struct iovec){ .iov_base = req, .iov_len = len };
	got = qb_ipcc_sendv_recv(conn, iov, 2, res, HUBHA_WIRE_PG_STATUS_MAX_LEN + sizeof(*res),
				 (int32_t)hubha_deadline_left_ms(d));
	qb_ipcc_disconnect(conn);
	if (got < 0) {
		e = got == -EAGAIN || got == -ETIMEDOUT ? -ETIMEDOUT : (int)got;
		snprintf(err, err_len, "%s", e == -ETIMEDOUT ? "hubhad did not answer in time" : strerror(-e));
	} else if ((size_t)got < sizeof(*res) || res->id != HUBHA_IPC_PG_PROBE || (size_t)res->size != (size_t)got) {
		e = -EBADMSG;
		snprintf(err, err_len, "hubhad's answer is not one to this request");
	} else if (res->error < 0) {
		e = res->error;
		snprintf(err, err_len, "hubhad could not ask PostgreSQL: %s", strerror(-e));
	} else {
		e = hubha_wire_decode_pg_status(res + 1, (size_t)got - sizeof(*res), ret);
		if (e < 0)
			snprintf(err, err_len, "hubhad's answer cannot be decoded: %s", strerror(-e));
	}
	free(res);
	return e;
}

/*
 * Whether the primary's monitor can act on the status alone: a sync primary
 * may have to change synchronous_standby_names, and a standby away may need
 * its slot checked, both over a connection of the agent's own.
 */
static bool needs_connection(const struct pgsql *pg, const struct hubha_pg_status *st)
{
	const char *cur = pg->node_list;
	char node[256];

	if (pg->rep_mode == REP_NONE || st->in_recovery)
		return false;
	if (pg->rep_mode == REP_SYNC)
		return true;
	if (!pg->slot_name)
		return false;
	while (pgsql_next_node(&cur, node, sizeof(node))) {
		bool streaming = false;

		if (strcmp(node, pg->node) == 0)
			continue;
		for (unsigned i = 0; i < st->n_standbys && !streaming; i++)
			streaming = strcmp(st->standbys[i].name, node) == 0 &&
				    strcmp(st->standbys[i].state, "streaming") == 0;
		if (!streaming)
			return true;
	}
	return false;
}

int pgsql_probe_status(struct pgsql *pg, pid_t postmaster, struct hubha_pg_status *ret_status)
{
	struct pgsql_probe_expect want = { .pgdata = pg->pgdata, .postmaster = postmaster };
	struct hubha_wire_pg_status got;
	struct hubha_pg_status *st = &got.status;
	unsigned wait_ms = pg->ctx->timeout_ms / 4, kept = 0;
	const char *why;
	char err[256];
	int r;

	if (!pg->via_hubhad || (pg->monitor_sql && strcmp(pg->monitor_sql, "select now();") != 0))
		return -ENOTSUP;
	if (getrandom(&want.nonce, sizeof(want.nonce), GRND_NONBLOCK) != (ssize_t)sizeof(want.nonce))
		return -EAGAIN;
	/* Unread, it stays 0, which nothing trusts. */
	pgsql_probe_system_identifier(pg->pgdata, &want.system_identifier);
	r = pgsql_probe_ask(want.nonce, pgsql_budget_ms(pg, wait_ms < PROBE_WAIT_MS ? wait_ms : PROBE_WAIT_MS), &got,
			    err, sizeof(err));
	if (r < 0) {
		hubha_log(r == -ESRCH ? LOG_DEBUG : LOG_INFO, "Asking PostgreSQL directly: %s", err);
		return r;
	}
	why = pgsql_probe_distrust(&want, &got);
	if (why) {
		hubha_log(LOG_WARNING, "Asking PostgreSQL directly: hubhad's answer is not used (%s)", why);
		r = -EBADE;
	} else if (needs_connection(pg, st)) {
		r = -EAGAIN;
	}
	if (r < 0) {
		hubha_pg_status_clear(st);
		return r;
	}
	/* The walsenders the agent's own query would have kept. */
	for (unsigned i = 0; i < st->n_standbys; i++)
		if (pgsql_listed_standby(st->standbys[i].name, pg))
			st->standbys[kept++] = st->standbys[i];
	st->n_standbys = kept;
	hubha_log(LOG_DEBUG, "Status from hubhad (postmaster %d)", (int)postmaster);
	*ret_status = *st;
	return 0;
}

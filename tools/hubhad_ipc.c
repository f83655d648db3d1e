/*
 * The view, served on hubhad's own loop: a reader connects, sends one
 * request and gets the VIEW hubhad encodes at that moment, so what it reads
 * is what hubhad knows, with no corosync round trip.  Readers are root or
 * the configured group (the client's effective gid, as the kernel reports
 * it for the socket): the view tells which node is primary and where.
 *
 * A PG_PROBE (the pgsql agent's monitor) is answered once hubhad's
 * PostgreSQL has answered the query run for it: the connection is held
 * until then, and the loop keeps serving others meanwhile.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <qb/qbipc_common.h>
#include <qb/qbipcs.h>

#include "cluster_int.h"
#include "hubhad_ipc.h"

struct hubhad_ipc {
	qb_ipcs_service_t *service;
	gid_t group;
	hubhad_view_fn fn;
	void *data;
	hubhad_probe_fn probe;
	void *probe_data;
	uint8_t buf[HUBHA_WIRE_VIEW_MAX_LEN];
};

/* libqb's poll handlers carry no context of their own: one loop per process. */
static qb_loop_t *ipc_loop;

static int32_t job_add(enum qb_loop_priority p, void *data, qb_loop_job_dispatch_fn fn)
{
	return qb_loop_job_add(ipc_loop, p, data, fn);
}

static int32_t dispatch_add(enum qb_loop_priority p, int32_t fd, int32_t events, void *data, qb_ipcs_dispatch_fn_t fn)
{
	return qb_loop_poll_add(ipc_loop, p, fd, events, data, fn);
}

static int32_t dispatch_mod(enum qb_loop_priority p, int32_t fd, int32_t events, void *data, qb_ipcs_dispatch_fn_t fn)
{
	return qb_loop_poll_mod(ipc_loop, p, fd, events, data, fn);
}

static int32_t dispatch_del(int32_t fd)
{
	return qb_loop_poll_del(ipc_loop, fd);
}

int hubhad_ipc_allowed(uid_t uid, gid_t gid, gid_t group)
{
	if (uid == 0 || (group != HUBHAD_IPC_NO_GROUP && gid == group))
		return 0;
	return -EPERM;
}

static int32_t on_accept(qb_ipcs_connection_t *c, uid_t uid, gid_t gid)
{
	struct hubhad_ipc *ipc = qb_ipcs_connection_service_context_get(c);
	int e = hubhad_ipc_allowed(uid, gid, ipc->group);

	/* The connection's shared files are then readable by that group only. */
	if (e == 0 && uid != 0)
		qb_ipcs_connection_auth_set(c, -1, ipc->group, S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP);
	return e;
}

static void respond(qb_ipcs_connection_t *c, int32_t id, int e, const uint8_t *buf, size_t len)
{
	struct qb_ipc_response_header res = { .id = id, .error = e < 0 ? e : 0 };
	struct iovec iov[2];

	if (e < 0)
		len = 0;
	res.size = (int32_t)(sizeof(res) + len);
	iov[0] = (struct iovec){ .iov_base = &res, .iov_len = sizeof(res) };
	iov[1] = (struct iovec){ .iov_base = (void *)buf, .iov_len = len };
	qb_ipcs_response_sendv(c, iov, len ? 2 : 1);
}

void hubhad_ipc_probe_reply(void *token, int err, const struct hubha_wire_pg_status *st)
{
	qb_ipcs_connection_t *c = token;
	struct hubhad_ipc *ipc = qb_ipcs_connection_service_context_get(c);
	size_t len = 0;

	if (err == 0 && !ipc)
		err = -ESHUTDOWN;
	if (err == 0)
		err = hubha_wire_encode_pg_status(st, ipc->buf, sizeof(ipc->buf), &len);
	/* A reader that went away meanwhile makes this fail, harmlessly. */
	respond(c, HUBHA_IPC_PG_PROBE, err, ipc ? ipc->buf : NULL, len);
	qb_ipcs_connection_unref(c);
}

static void on_probe(struct hubhad_ipc *ipc, qb_ipcs_connection_t *c, const void *msg, size_t size)
{
	uint64_t nonce;
	int e;

	if (hubha_wire_decode_pg_probe(msg, size, &nonce) < 0)
		e = -EBADMSG;
	else if (!ipc->probe)
		e = -ENOTSUP;
	else {
		qb_ipcs_connection_ref(c);
		e = ipc->probe(nonce, c, ipc->probe_data);
		if (e == 0)
			return;
		qb_ipcs_connection_unref(c);
	}
	respond(c, HUBHA_IPC_PG_PROBE, e, NULL, 0);
}

static int32_t on_message(qb_ipcs_connection_t *c, void *msg, size_t size)
{
	struct hubhad_ipc *ipc = qb_ipcs_connection_service_context_get(c);
	const struct qb_ipc_request_header *hdr = msg;
	struct qb_ipc_response_header res = { .id = HUBHA_IPC_VIEW };
	enum hubha_wire_type type;
	struct iovec iov[2];
	size_t len = 0;
	int e;

	if (size >= sizeof(*hdr) && hdr->id == HUBHA_IPC_PG_PROBE) {
		on_probe(ipc, c, (const uint8_t *)msg + sizeof(*hdr), size - sizeof(*hdr));
		return 0;
	}
	if (size < sizeof(*hdr) || hdr->id != HUBHA_IPC_VIEW ||
	    hubha_wire_decode((const uint8_t *)msg + sizeof(*hdr), size - sizeof(*hdr), &type, NULL) < 0 ||
	    type != HUBHA_WIRE_REQUEST)
		e = -EBADMSG;
	else
		e = ipc->fn(ipc->buf, sizeof(ipc->buf), &len, ipc->data);
	res.error = e < 0 ? e : 0;
	if (e < 0)
		len = 0;
	res.size = (int32_t)(sizeof(res) + len);
	iov[0] = (struct iovec){ .iov_base = &res, .iov_len = sizeof(res) };
	iov[1] = (struct iovec){ .iov_base = ipc->buf, .iov_len = len };
	qb_ipcs_response_sendv(c, iov, len ? 2 : 1);
	return 0;
}

int hubhad_ipc_new(qb_loop_t *loop, const char *service, gid_t group, hubhad_view_fn fn, void *data,
		   struct hubhad_ipc **ret_ipc)
{
	static struct qb_ipcs_service_handlers handlers = {
		.connection_accept = on_accept,
		.msg_process = on_message,
	};
	static struct qb_ipcs_poll_handlers poll = {
		.job_add = job_add,
		.dispatch_add = dispatch_add,
		.dispatch_mod = dispatch_mod,
		.dispatch_del = dispatch_del,
	};
	struct hubhad_ipc *ipc = calloc(1, sizeof(*ipc));
	int e;

	if (!ipc)
		return -ENOMEM;
	ipc_loop = loop;
	ipc->group = group;
	ipc->fn = fn;
	ipc->data = data;
	ipc->service = qb_ipcs_create(service, 0, QB_IPC_SOCKET, &handlers);
	if (!ipc->service) {
		e = errno ? -errno : -ENOMEM;
		free(ipc);
		return e;
	}
	qb_ipcs_service_context_set(ipc->service, ipc);
	qb_ipcs_enforce_buffer_size(ipc->service, sizeof(struct qb_ipc_response_header) + HUBHA_WIRE_VIEW_MAX_LEN);
	qb_ipcs_poll_handlers_set(ipc->service, &poll);
	e = qb_ipcs_run(ipc->service);
	if (e < 0) {
		/* A failed run has already withdrawn and released the service (as
		 * pacemaker's servers rely on): destroying it again would abort. */
		free(ipc);
		return e;
	}
	*ret_ipc = ipc;
	return 0;
}

void hubhad_ipc_set_probe(struct hubhad_ipc *ipc, hubhad_probe_fn probe, void *data)
{
	ipc->probe = probe;
	ipc->probe_data = data;
}

void hubhad_ipc_free(struct hubhad_ipc *ipc)
{
	if (!ipc)
		return;
	qb_ipcs_destroy(ipc->service);
	free(ipc);
}

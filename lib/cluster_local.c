/*
 * The local path: this node's hubhad already holds the whole view (every
 * hub's last report, membership, quorum), so a one-shot reader takes it in
 * one round trip over libqb IPC instead of joining CPG and asking the
 * members, each step of which waits for the totem token.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <qb/qbipcc.h>

#include <hubha/deadline.h>

#include "cluster_int.h"

const char *hubha_local_service = HUBHA_IPC_SERVICE;

/* Tests serve a crafted view on a name of their own; secure_getenv: never
 * for a set-id program. */
static const char *local_service(void)
{
	const char *s = secure_getenv("HUBHA_TEST_IPC_SERVICE");

	return s && *s ? s : hubha_local_service;
}

/* Connection refusals as the reader should read them. */
static int connect_errno(int err)
{
	switch (err) {
	case ECONNREFUSED:
	case ENOENT:
	case ENOTCONN:
		return -ESRCH;
	case EACCES:
	case EPERM:
		return -EPERM;
	case 0:
		return -EIO;
	default:
		return -err;
	}
}

void hubha_local_close(struct hubha_local *l)
{
	if (l->conn)
		qb_ipcc_disconnect(l->conn);
	l->conn = NULL;
	free(l->view.hubs);
	memset(&l->view, 0, sizeof(l->view));
	l->have_view = 0;
}

/* qb_ipcc_connect() waits for the server's handshake without a bound: a
 * stopped hubhad would hold the reader forever. */
int hubha_local_connect(size_t size, struct hubha_deadline d, void **ret_conn)
{
	struct pollfd pfd = { .events = POLLIN };
	qb_ipcc_connection_t *conn;
	int r;

	conn = qb_ipcc_connect_async(local_service(), size, &pfd.fd);
	/* Some libqb 2.0 releases leave errno negated here. */
	if (!conn)
		return connect_errno(errno < 0 ? -errno : errno);
	while ((r = poll(&pfd, 1, (int)hubha_deadline_left_ms(d))) < 0 && errno == EINTR)
		;
	if (r <= 0) {
		r = r < 0 ? -errno : -ETIMEDOUT;
		/* Before continue() the setup socket is ours to close. */
		close(pfd.fd);
		qb_ipcc_disconnect(conn);
		return r;
	}
	r = qb_ipcc_connect_continue(conn);
	if (r < 0) {
		/* continue() frees the connection when it fails. */
		return connect_errno(-r);
	}
	*ret_conn = conn;
	return 0;
}

int hubha_local_fetch(struct hubha_local *l, int timeout_ms)
{
	struct hubha_deadline d = hubha_deadline_in((unsigned)timeout_ms);
	struct qb_ipc_request_header hdr = { .id = HUBHA_IPC_VIEW };
	struct qb_ipc_response_header *res;
	struct hubha_wire_view view;
	uint8_t req[HUBHA_WIRE_HEADER_LEN];
	struct iovec iov[2];
	size_t len, size = sizeof(*res) + HUBHA_WIRE_VIEW_MAX_LEN;
	ssize_t got;
	int e;

	if (!l->conn && (e = hubha_local_connect(size, d, &l->conn)) < 0)
		return e;
	res = malloc(size);
	if (!res)
		return -ENOMEM;
	hubha_wire_encode_request(req, sizeof(req), &len);
	hdr.size = (int32_t)(sizeof(hdr) + len);
	iov[0] = (struct iovec){ .iov_base = &hdr, .iov_len = sizeof(hdr) };
	iov[1] = (struct iovec){ .iov_base = req, .iov_len = len };
	got = qb_ipcc_sendv_recv(l->conn, iov, 2, res, size, (int32_t)hubha_deadline_left_ms(d));
	if (got < 0) {
		/* hubhad went away, or is stuck: the next call connects again. */
		qb_ipcc_disconnect(l->conn);
		l->conn = NULL;
		free(res);
		return got == -ETIMEDOUT || got == -EAGAIN ? -ETIMEDOUT : -ESRCH;
	}
	if ((size_t)got < sizeof(*res) || res->id != HUBHA_IPC_VIEW || (size_t)res->size != (size_t)got) {
		e = -EBADMSG;
	} else if (res->error < 0) {
		e = res->error;
	} else {
		e = hubha_wire_decode_view(res + 1, (size_t)got - sizeof(*res), &view);
	}
	free(res);
	if (e < 0)
		return e;
	free(l->view.hubs);
	l->view = view;
	l->view_ms = hubha_now_ms();
	l->have_view = 1;
	return 0;
}

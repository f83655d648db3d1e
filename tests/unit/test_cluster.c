/*
 * lib/cluster.c against a corosync played by this test: every corosync call
 * is wrapped (__wrap_<fn>), and the callbacks the library registers are
 * replayed from a queue the way cpg_dispatch and quorum_dispatch would call
 * them.  The library's own multicasts come back to it as CPG delivers them,
 * and peers set as publishers answer a REQUEST with their report.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cmocka.h>

#include <corosync/cmap.h>
#include <corosync/cpg.h>
#include <corosync/quorum.h>

#include "cluster_int.h"

#define MAXN 8
#define LOCAL 1u

enum ev_kind { EV_DELIVER, EV_CONFCHG, EV_TOTEM };

struct ev {
	enum ev_kind kind;
	uint32_t nodeid, pid;
	uint8_t msg[HUBHA_WIRE_MAX_LEN + 16];
	size_t len;
	struct cpg_address left[MAXN], joined[MAXN];
	size_t n_left, n_joined;
};

struct publisher {
	uint32_t nodeid, pid;
	hubha_report_t report;
};

static struct mock {
	cpg_model_v1_data_t model;
	void *cpg_ctx;
	quorum_callbacks_t qcb;
	const void *q_ctx;
	int cpg_fd, q_fd, cmap_fd;
	cmap_notify_fn_t cmap_notify;
	void *cmap_data;
	int cmap_pending;
	uint32_t quorate, quorum_pending, quorum_next;
	cs_error_t init_err, dispatch_err, mcast_err;
	int join_try_again, joins, finalized;

	struct ev queue[64];
	size_t head, tail;

	struct cpg_address group[MAXN];
	size_t n_group;
	uint32_t totem[MAXN];
	size_t n_totem;

	struct publisher publishers[MAXN];
	size_t n_publishers;

	size_t sent_reports, sent_requests;
	struct {
		uint32_t nodeid;
		const char *name, *ring0;
	} nodelist[MAXN];
	size_t n_nodelist;
} m;

static uint32_t self_pid(void)
{
	return (uint32_t)getpid();
}

static void push(const struct ev *ev)
{
	uint64_t one = 1;

	assert_true(m.tail < sizeof(m.queue) / sizeof(m.queue[0]));
	m.queue[m.tail++] = *ev;
	assert_int_equal(write(m.cpg_fd, &one, sizeof(one)), sizeof(one));
}

static void push_deliver(uint32_t nodeid, uint32_t pid, const void *msg, size_t len)
{
	struct ev ev = { .kind = EV_DELIVER, .nodeid = nodeid, .pid = pid, .len = len };

	memcpy(ev.msg, msg, len);
	push(&ev);
}

static void push_report(uint32_t nodeid, uint32_t pid, const hubha_report_t *r)
{
	uint8_t buf[HUBHA_WIRE_MAX_LEN];
	size_t len;

	assert_int_equal(hubha_wire_encode_report(r, buf, sizeof(buf), &len), 0);
	push_deliver(nodeid, pid, buf, len);
}

static void push_request(uint32_t nodeid, uint32_t pid)
{
	uint8_t buf[HUBHA_WIRE_HEADER_LEN];
	size_t len;

	hubha_wire_encode_request(buf, sizeof(buf), &len);
	push_deliver(nodeid, pid, buf, len);
}

/* A process joins or leaves the group; the mock keeps the member list. */
static void push_join(uint32_t nodeid, uint32_t pid)
{
	struct ev ev = { .kind = EV_CONFCHG, .n_joined = 1 };

	ev.joined[0] = (struct cpg_address){ .nodeid = nodeid, .pid = pid, .reason = CPG_REASON_JOIN };
	push(&ev);
}

static void push_leave(uint32_t nodeid, uint32_t pid, uint32_t reason)
{
	struct ev ev = { .kind = EV_CONFCHG, .n_left = 1 };

	ev.left[0] = (struct cpg_address){ .nodeid = nodeid, .pid = pid, .reason = reason };
	push(&ev);
}

static void push_totem(size_t n, const uint32_t *members)
{
	struct ev ev = { .kind = EV_TOTEM };

	m.n_totem = n;
	memcpy(m.totem, members, n * sizeof(*members));
	push(&ev);
}

static void group_apply(const struct ev *ev)
{
	for (size_t i = 0; i < ev->n_left; i++)
		for (size_t j = 0; j < m.n_group; j++)
			if (m.group[j].nodeid == ev->left[i].nodeid && m.group[j].pid == ev->left[i].pid) {
				m.group[j] = m.group[--m.n_group];
				break;
			}
	for (size_t i = 0; i < ev->n_joined; i++)
		m.group[m.n_group++] = ev->joined[i];
}

static void publisher(uint32_t nodeid, uint32_t pid, const hubha_report_t *r)
{
	m.publishers[m.n_publishers++] = (struct publisher){ .nodeid = nodeid, .pid = pid, .report = *r };
}

static hubha_report_t report_of(hubha_role_t role, uint64_t lsn)
{
	hubha_report_t r;

	memset(&r, 0, sizeof(r));
	r.role = role;
	r.pg_state = HUBHA_PG_RUNNING;
	r.timeline = 1;
	r.lsn = lsn;
	r.interval_ms = 1000;
	r.services = role == HUBHA_ROLE_PRIMARY ? HUBHA_SERVICES_OK : HUBHA_SERVICES_STOPPED;
	r.wal_receiver = role == HUBHA_ROLE_STANDBY ? HUBHA_WALRCV_STREAMING : HUBHA_WALRCV_NONE;
	return r;
}

/* ---- the wrapped corosync calls ---- */

cs_error_t __wrap_cpg_model_initialize(cpg_handle_t *handle, cpg_model_t model, cpg_model_data_t *data, void *ctx);
cs_error_t __wrap_cpg_model_initialize(cpg_handle_t *handle, cpg_model_t model, cpg_model_data_t *data, void *ctx)
{
	assert_int_equal(model, CPG_MODEL_V1);
	if (m.init_err != CS_OK)
		return m.init_err;
	m.model = *(cpg_model_v1_data_t *)data;
	assert_non_null(m.model.cpg_totem_confchg_fn);
	m.cpg_ctx = ctx;
	*handle = 0x1111;
	return CS_OK;
}

cs_error_t __wrap_cpg_context_get(cpg_handle_t handle, void **ctx);
cs_error_t __wrap_cpg_context_get(cpg_handle_t handle, void **ctx)
{
	assert_int_equal(handle, 0x1111);
	*ctx = m.cpg_ctx;
	return CS_OK;
}

cs_error_t __wrap_cpg_finalize(cpg_handle_t handle);
cs_error_t __wrap_cpg_finalize(cpg_handle_t handle)
{
	(void)handle;
	m.finalized++;
	return CS_OK;
}

cs_error_t __wrap_cpg_fd_get(cpg_handle_t handle, int *fd);
cs_error_t __wrap_cpg_fd_get(cpg_handle_t handle, int *fd)
{
	(void)handle;
	*fd = m.cpg_fd;
	return CS_OK;
}

cs_error_t __wrap_cpg_local_get(cpg_handle_t handle, unsigned int *nodeid);
cs_error_t __wrap_cpg_local_get(cpg_handle_t handle, unsigned int *nodeid)
{
	(void)handle;
	*nodeid = LOCAL;
	return CS_OK;
}

cs_error_t __wrap_cpg_join(cpg_handle_t handle, const struct cpg_name *group);
cs_error_t __wrap_cpg_join(cpg_handle_t handle, const struct cpg_name *group)
{
	(void)handle;
	m.joins++;
	assert_int_equal(group->length, sizeof("hubha"));
	assert_string_equal(group->value, "hubha");
	if (m.join_try_again) {
		m.join_try_again--;
		return CS_ERR_TRY_AGAIN;
	}
	push_join(LOCAL, self_pid());
	push_totem(m.n_totem, m.totem);
	return CS_OK;
}

cs_error_t __wrap_cpg_mcast_joined(cpg_handle_t handle, cpg_guarantee_t guarantee, const struct iovec *iov,
				   unsigned int n);
cs_error_t __wrap_cpg_mcast_joined(cpg_handle_t handle, cpg_guarantee_t guarantee, const struct iovec *iov,
				   unsigned int n)
{
	enum hubha_wire_type type;

	(void)handle;
	assert_int_equal(guarantee, CPG_TYPE_AGREED);
	assert_int_equal(n, 1);
	if (m.mcast_err != CS_OK)
		return m.mcast_err;
	assert_int_equal(hubha_wire_decode(iov[0].iov_base, iov[0].iov_len, &type, NULL), 0);
	/* CPG delivers a message to its sender too. */
	push_deliver(LOCAL, self_pid(), iov[0].iov_base, iov[0].iov_len);
	if (type == HUBHA_WIRE_REPORT) {
		m.sent_reports++;
	} else {
		m.sent_requests++;
		for (size_t i = 0; i < m.n_publishers; i++)
			push_report(m.publishers[i].nodeid, m.publishers[i].pid, &m.publishers[i].report);
	}
	return CS_OK;
}

cs_error_t __wrap_cpg_dispatch(cpg_handle_t handle, cs_dispatch_flags_t flags);
cs_error_t __wrap_cpg_dispatch(cpg_handle_t handle, cs_dispatch_flags_t flags)
{
	struct cpg_name name = { .length = sizeof("hubha"), .value = "hubha" };
	struct cpg_ring_id ring = { .nodeid = LOCAL, .seq = 4 };
	uint64_t count;

	assert_int_equal(flags, CS_DISPATCH_ALL);
	if (m.dispatch_err != CS_OK)
		return m.dispatch_err;
	while (m.head < m.tail) {
		struct ev ev = m.queue[m.head++];

		switch (ev.kind) {
		case EV_DELIVER:
			m.model.cpg_deliver_fn(handle, &name, ev.nodeid, ev.pid, ev.msg, ev.len);
			break;
		case EV_CONFCHG:
			group_apply(&ev);
			m.model.cpg_confchg_fn(handle, &name, m.group, m.n_group, ev.left, ev.n_left, ev.joined,
					       ev.n_joined);
			break;
		case EV_TOTEM:
			m.model.cpg_totem_confchg_fn(handle, ring, (uint32_t)m.n_totem, m.totem);
			break;
		}
	}
	m.head = m.tail = 0;
	(void)!read(m.cpg_fd, &count, sizeof(count));
	return CS_OK;
}

cs_error_t __wrap_quorum_initialize(quorum_handle_t *handle, quorum_callbacks_t *cb, uint32_t *type);
cs_error_t __wrap_quorum_initialize(quorum_handle_t *handle, quorum_callbacks_t *cb, uint32_t *type)
{
	m.qcb = *cb;
	*handle = 0x2222;
	*type = QUORUM_SET;
	return CS_OK;
}

cs_error_t __wrap_quorum_context_set(quorum_handle_t handle, const void *ctx);
cs_error_t __wrap_quorum_context_set(quorum_handle_t handle, const void *ctx)
{
	(void)handle;
	m.q_ctx = ctx;
	return CS_OK;
}

cs_error_t __wrap_quorum_context_get(quorum_handle_t handle, const void **ctx);
cs_error_t __wrap_quorum_context_get(quorum_handle_t handle, const void **ctx)
{
	assert_int_equal(handle, 0x2222);
	*ctx = m.q_ctx;
	return CS_OK;
}

cs_error_t __wrap_quorum_getquorate(quorum_handle_t handle, int *quorate);
cs_error_t __wrap_quorum_getquorate(quorum_handle_t handle, int *quorate)
{
	(void)handle;
	*quorate = (int)m.quorate;
	return CS_OK;
}

cs_error_t __wrap_quorum_trackstart(quorum_handle_t handle, unsigned int flags);
cs_error_t __wrap_quorum_trackstart(quorum_handle_t handle, unsigned int flags)
{
	(void)handle;
	assert_int_equal(flags, CS_TRACK_CHANGES | CS_TRACK_CURRENT);
	return CS_OK;
}

cs_error_t __wrap_quorum_fd_get(quorum_handle_t handle, int *fd);
cs_error_t __wrap_quorum_fd_get(quorum_handle_t handle, int *fd)
{
	(void)handle;
	*fd = m.q_fd;
	return CS_OK;
}

cs_error_t __wrap_quorum_dispatch(quorum_handle_t handle, cs_dispatch_flags_t flags);
cs_error_t __wrap_quorum_dispatch(quorum_handle_t handle, cs_dispatch_flags_t flags)
{
	assert_int_equal(flags, CS_DISPATCH_ALL);
	if (m.dispatch_err != CS_OK)
		return m.dispatch_err;
	if (m.quorum_pending) {
		m.quorum_pending = 0;
		m.quorate = m.quorum_next;
		m.qcb.quorum_notify_fn(handle, m.quorate, 4, (uint32_t)m.n_totem, m.totem);
	}
	return CS_OK;
}

cs_error_t __wrap_quorum_finalize(quorum_handle_t handle);
cs_error_t __wrap_quorum_finalize(quorum_handle_t handle)
{
	(void)handle;
	return CS_OK;
}

cs_error_t __wrap_cmap_initialize(cmap_handle_t *handle);
cs_error_t __wrap_cmap_initialize(cmap_handle_t *handle)
{
	*handle = 0x3333;
	return CS_OK;
}

cs_error_t __wrap_cmap_track_add(cmap_handle_t handle, const char *key, int32_t type, cmap_notify_fn_t fn, void *data,
				 cmap_track_handle_t *track);
cs_error_t __wrap_cmap_track_add(cmap_handle_t handle, const char *key, int32_t type, cmap_notify_fn_t fn, void *data,
				 cmap_track_handle_t *track)
{
	(void)handle;
	assert_string_equal(key, "nodelist.");
	assert_int_equal(type, CMAP_TRACK_ADD | CMAP_TRACK_DELETE | CMAP_TRACK_MODIFY | CMAP_TRACK_PREFIX);
	m.cmap_notify = fn;
	m.cmap_data = data;
	*track = 0x4444;
	return CS_OK;
}

cs_error_t __wrap_cmap_fd_get(cmap_handle_t handle, int *fd);
cs_error_t __wrap_cmap_fd_get(cmap_handle_t handle, int *fd)
{
	(void)handle;
	*fd = m.cmap_fd;
	return CS_OK;
}

/* A reload changes the nodelist key by key. */
cs_error_t __wrap_cmap_dispatch(cmap_handle_t handle, cs_dispatch_flags_t flags);
cs_error_t __wrap_cmap_dispatch(cmap_handle_t handle, cs_dispatch_flags_t flags)
{
	struct cmap_notify_value none = { 0 };

	assert_int_equal(flags, CS_DISPATCH_ALL);
	if (m.dispatch_err != CS_OK)
		return m.dispatch_err;
	for (; m.cmap_pending > 0; m.cmap_pending--)
		m.cmap_notify(handle, 0x4444, CMAP_TRACK_MODIFY, "nodelist.node.1.name", none, none, m.cmap_data);
	return CS_OK;
}

cs_error_t __wrap_cmap_finalize(cmap_handle_t handle);
cs_error_t __wrap_cmap_finalize(cmap_handle_t handle)
{
	(void)handle;
	return CS_OK;
}

static int nodelist_key(const char *key, const char *field)
{
	unsigned pos;
	int end = 0;
	char f[32];

	if (sscanf(key, "nodelist.node.%u.%31[a-z0-9_]%n", &pos, f, &end) != 2 || key[end] || strcmp(f, field))
		return -1;
	return pos < m.n_nodelist ? (int)pos : -1;
}

cs_error_t __wrap_cmap_get_uint32(cmap_handle_t handle, const char *key, uint32_t *value);
cs_error_t __wrap_cmap_get_uint32(cmap_handle_t handle, const char *key, uint32_t *value)
{
	int pos = nodelist_key(key, "nodeid");

	(void)handle;
	if (pos < 0)
		return CS_ERR_NOT_EXIST;
	*value = m.nodelist[pos].nodeid;
	return CS_OK;
}

cs_error_t __wrap_cmap_get_string(cmap_handle_t handle, const char *key, char **value);
cs_error_t __wrap_cmap_get_string(cmap_handle_t handle, const char *key, char **value)
{
	int pos;

	(void)handle;
	if ((pos = nodelist_key(key, "name")) >= 0 && m.nodelist[pos].name)
		*value = strdup(m.nodelist[pos].name);
	else if ((pos = nodelist_key(key, "ring0_addr")) >= 0 && m.nodelist[pos].ring0)
		*value = strdup(m.nodelist[pos].ring0);
	else
		return CS_ERR_NOT_EXIST;
	return CS_OK;
}

/* ---- fixtures ---- */

static unsigned notified;

static void on_notify(hubha_cluster_t *c, unsigned events, void *data)
{
	(void)c;
	assert_ptr_equal(data, &notified);
	notified |= events;
}

/* Three configured nodes, all members; node 2 runs a publisher (pid 200). */
static int setup(void **state)
{
	(void)state;
	memset(&m, 0, sizeof(m));
	m.cpg_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	m.q_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	m.cmap_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(m.cpg_fd >= 0 && m.q_fd >= 0 && m.cmap_fd >= 0);
	m.quorate = 1;
	m.init_err = m.dispatch_err = m.mcast_err = CS_OK;
	m.nodelist[0].nodeid = 1, m.nodelist[0].name = "hub1", m.nodelist[0].ring0 = "10.0.0.1";
	m.nodelist[1].nodeid = 2, m.nodelist[1].ring0 = "10.0.0.2";
	m.nodelist[2].nodeid = 3, m.nodelist[2].name = "q", m.nodelist[2].ring0 = "10.0.0.3";
	m.n_nodelist = 3;
	m.n_totem = 3;
	m.totem[0] = 1, m.totem[1] = 2, m.totem[2] = 3;
	notified = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close(m.cpg_fd);
	close(m.q_fd);
	close(m.cmap_fd);
	return 0;
}

static hubha_cluster_t *open_joined(unsigned flags)
{
	hubha_cluster_t *c = NULL;

	assert_int_equal(hubha_cluster_open(flags, &c), 0);
	assert_non_null(c);
	assert_int_equal(hubha_cluster_set_notify(c, on_notify, &notified), 0);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	return c;
}

static hubha_hub_t hub(hubha_cluster_t *c, uint32_t nodeid)
{
	hubha_hub_t *hubs, found;
	size_t n;

	assert_int_equal(hubha_cluster_hubs(c, &hubs, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (hubs[i].nodeid == nodeid) {
			found = hubs[i];
			hubha_cluster_hubs_free(hubs);
			return found;
		}
	hubha_cluster_hubs_free(hubs);
	fail_msg("no hub %u", nodeid);
	abort();
}

/* ---- tests ---- */

static void test_join(void **state)
{
	hubha_cluster_t *c;
	hubha_hub_t *hubs;
	char name[HUBHA_CLUSTER_NAME_MAX];
	uint32_t nodeid = 0;
	int quorate = -1, fd = -1;
	size_t n;

	(void)state;
	c = open_joined(HUBHA_CLUSTER_ASK);
	assert_int_equal(m.sent_requests, 1);
	assert_true(notified & HUBHA_CLUSTER_EV_MEMBERSHIP);

	assert_int_equal(hubha_cluster_hubs(c, &hubs, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(hubs[0].name, "hub1");
	assert_string_equal(hubs[1].name, "10.0.0.2");	/* no name: ring0_addr */
	assert_string_equal(hubs[2].name, "q");
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(hubs[i].nodeid, i + 1);
		assert_int_equal(hubs[i].member, 1);
		assert_int_equal(hubs[i].has_report, 0);
		assert_int_equal(hubs[i].lag_bytes, -1);
	}
	hubha_cluster_hubs_free(hubs);

	assert_int_equal(hubha_cluster_local(c, &nodeid, name), 0);
	assert_int_equal(nodeid, LOCAL);
	assert_string_equal(name, "hub1");
	assert_int_equal(hubha_cluster_quorate(c, &quorate), 0);
	assert_int_equal(quorate, 1);
	assert_int_equal(hubha_cluster_fd(c, &fd), 0);
	assert_true(fd >= 0 && fd != m.cpg_fd && fd != m.q_fd);

	/* The epoll fd wakes up for what CPG has queued. */
	push_request(2, 200);
	assert_int_equal(poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 0), 1);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	hubha_cluster_close(c);
	assert_int_equal(m.finalized, 1);
}

static void test_join_retried(void **state)
{
	hubha_cluster_t *c;

	(void)state;
	m.join_try_again = 3;
	c = open_joined(0);
	assert_int_equal(m.joins, 4);
	assert_int_equal(m.sent_requests, 0);	/* no HUBHA_CLUSTER_ASK */
	hubha_cluster_close(c);
}

static void test_open_errors(void **state)
{
	hubha_cluster_t *c = (hubha_cluster_t *)&m;

	(void)state;
	m.init_err = CS_ERR_LIBRARY;
	assert_int_equal(hubha_cluster_open(0, &c), -ECONNREFUSED);
	m.init_err = CS_ERR_ACCESS;
	assert_int_equal(hubha_cluster_open(0, &c), -EACCES);
	assert_ptr_equal(c, &m);
	assert_int_equal(hubha_cluster_open(0x80, &c), -EINVAL);
	assert_ptr_equal(c, &m);
}

static void test_request_answered(void **state)
{
	hubha_report_t mine = report_of(HUBHA_ROLE_PRIMARY, 5000);
	hubha_cluster_t *c;
	hubha_hub_t self;

	(void)state;
	c = open_joined(0);
	assert_int_equal(hubha_cluster_publish(c, &mine), 0);
	assert_int_equal(m.sent_reports, 1);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	self = hub(c, LOCAL);
	assert_int_equal(self.has_report, 1);
	assert_memory_equal(&self.report, &mine, sizeof(mine));

	/* A reader elsewhere asks: the report goes out again. */
	push_request(2, 201);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(m.sent_reports, 2);
	/* A newcomer gets it without asking. */
	push_join(3, 300);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(m.sent_reports, 3);

	/* A full queue: publish says so; an answer is retried on the next dispatch. */
	m.mcast_err = CS_ERR_TRY_AGAIN;
	assert_int_equal(hubha_cluster_publish(c, &mine), -EAGAIN);
	push_request(2, 201);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(m.sent_reports, 3);
	m.mcast_err = CS_OK;
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(m.sent_reports, 4);

	/* An invalid report is refused before anything is sent. */
	mine.n_standbys = HUBHA_CLUSTER_STANDBYS_MAX + 1;
	assert_int_equal(hubha_cluster_publish(c, &mine), -EINVAL);
	assert_int_equal(m.sent_reports, 4);
	hubha_cluster_close(c);
}

static void test_reader_does_not_answer(void **state)
{
	hubha_cluster_t *c;

	(void)state;
	c = open_joined(0);
	push_request(2, 200);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(m.sent_reports, 0);
	hubha_cluster_close(c);
}

static void test_refresh(void **state)
{
	hubha_report_t primary = report_of(HUBHA_ROLE_PRIMARY, 5000), standby = report_of(HUBHA_ROLE_STANDBY, 4000);
	hubha_cluster_t *c;
	hubha_hub_t h, active;
	hubha_health_t health;
	uint32_t reasons;

	(void)state;
	strcpy(primary.standbys[0].name, "q");
	primary.standbys[0].state = HUBHA_WALRCV_STREAMING;
	primary.standbys[0].sync_state = HUBHA_SYNC_SYNC;
	primary.n_standbys = 1;
	c = open_joined(0);
	push_join(2, 200);
	push_join(3, 300);
	publisher(2, 200, &primary);
	publisher(3, 300, &standby);
	notified = 0;
	assert_int_equal(hubha_cluster_refresh(c, 5000), 0);
	assert_true(notified & HUBHA_CLUSTER_EV_REPORT);

	h = hub(c, 2);
	assert_int_equal(h.has_report, 1);
	assert_memory_equal(&h.report, &primary, sizeof(primary));
	h = hub(c, 3);
	assert_int_equal(h.has_report, 1);
	assert_int_equal(h.lag_bytes, 1000);
	assert_int_equal(h.sync_state, HUBHA_SYNC_SYNC);
	assert_true(h.report_age_ms < 5000);
	assert_int_equal(hubha_cluster_active_hub(c, &active), 0);
	assert_int_equal(active.nodeid, 2);

	/* This node runs no hubhad, so it is a member that never reported. */
	assert_int_equal(hubha_cluster_health(c, NULL, &health, &reasons), 0);
	assert_int_equal(health, HUBHA_HEALTH_DEGRADED);
	assert_int_equal(reasons, HUBHA_REASON_STALE_REPORT);
	hubha_cluster_close(c);
}

static void test_refresh_timeout(void **state)
{
	hubha_report_t primary = report_of(HUBHA_ROLE_PRIMARY, 5000);
	hubha_cluster_t *c;
	hubha_hub_t h;

	(void)state;
	c = open_joined(0);
	push_join(2, 200);
	push_join(3, 300);	/* in the group, never answers */
	publisher(2, 200, &primary);
	assert_int_equal(hubha_cluster_refresh(c, 30), -ETIMEDOUT);
	assert_int_equal(hub(c, 2).has_report, 1);	/* what did arrive is kept */
	h = hub(c, 3);
	assert_int_equal(h.member, 1);
	assert_int_equal(h.has_report, 0);
	assert_int_equal(hubha_cluster_refresh(c, -1), -EINVAL);

	/* A report from before the request is no answer to it. */
	push_report(3, 300, &primary);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(hubha_cluster_refresh(c, 30), -ETIMEDOUT);
	hubha_cluster_close(c);
}

/* A refresh right after open(HUBHA_CLUSTER_ASK) waits for the answers to
 * open's request instead of asking again; later ones ask. */
static void test_ask_then_refresh(void **state)
{
	hubha_report_t primary = report_of(HUBHA_ROLE_PRIMARY, 5000);
	hubha_cluster_t *c;

	(void)state;
	c = open_joined(HUBHA_CLUSTER_ASK);
	assert_int_equal(m.sent_requests, 1);
	push_join(2, 200);
	push_report(2, 200, &primary);	/* the answer to open's request */
	assert_int_equal(hubha_cluster_refresh(c, 1000), 0);
	assert_int_equal(m.sent_requests, 1);
	assert_int_equal(hub(c, 2).has_report, 1);
	publisher(2, 200, &primary);
	assert_int_equal(hubha_cluster_refresh(c, 1000), 0);
	assert_int_equal(m.sent_requests, 2);
	hubha_cluster_close(c);
}

/* Before the library sees its own join it cannot tell who is to answer. */
static void test_refresh_waits_for_own_join(void **state)
{
	hubha_cluster_t *c = NULL;

	(void)state;
	assert_int_equal(hubha_cluster_open(0, &c), 0);
	/* The join's confchg is still queued: refresh dispatches it, and no one else is there. */
	assert_int_equal(hubha_cluster_refresh(c, 5000), 0);
	hubha_cluster_close(c);
}

static void test_two_processes_one_node(void **state)
{
	hubha_report_t standby = report_of(HUBHA_ROLE_STANDBY, 4000);
	hubha_cluster_t *c;

	(void)state;
	c = open_joined(0);
	push_join(2, 200);	/* hubhad */
	push_join(2, 201);	/* a reader on the same node */
	publisher(2, 200, &standby);
	assert_int_equal(hubha_cluster_refresh(c, 5000), 0);
	assert_int_equal(hub(c, 2).has_report, 1);

	/* The reader leaving takes nothing away. */
	push_leave(2, 201, CPG_REASON_LEAVE);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(hub(c, 2).has_report, 1);
	hubha_cluster_close(c);
}

static void test_node_lost(void **state)
{
	hubha_report_t primary = report_of(HUBHA_ROLE_PRIMARY, 5000);
	const uint32_t survivors[] = { 1, 3 };
	hubha_cluster_t *c;
	hubha_hub_t h, active;
	hubha_health_t health;
	uint32_t reasons;

	(void)state;
	c = open_joined(0);
	push_join(2, 200);
	push_report(2, 200, &primary);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(hubha_cluster_active_hub(c, &active), 0);

	notified = 0;
	push_leave(2, 200, CPG_REASON_NODEDOWN);
	push_totem(2, survivors);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_true(notified & HUBHA_CLUSTER_EV_MEMBERSHIP);
	h = hub(c, 2);
	assert_int_equal(h.member, 0);
	assert_int_equal(h.has_report, 1);	/* last seen */
	assert_int_equal(h.report.role, HUBHA_ROLE_PRIMARY);
	/* It decides nothing any more. */
	assert_int_equal(hubha_cluster_active_hub(c, &active), -ENOENT);
	assert_int_equal(hubha_cluster_health(c, NULL, &health, &reasons), 0);
	assert_true(reasons & HUBHA_REASON_PEER_NOT_MEMBER);
	assert_true(reasons & HUBHA_REASON_NO_PRIMARY);

	/* Back without its hubhad: the old report is not taken for a live one. */
	push_totem(3, (const uint32_t[]){ 1, 2, 3 });
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	h = hub(c, 2);
	assert_int_equal(h.member, 1);
	assert_int_equal(h.has_report, 0);
	hubha_cluster_close(c);
}

static void test_daemon_restart(void **state)
{
	hubha_report_t primary = report_of(HUBHA_ROLE_PRIMARY, 5000), mine = report_of(HUBHA_ROLE_STANDBY, 4000);
	hubha_cluster_t *c;

	(void)state;
	c = open_joined(0);
	assert_int_equal(hubha_cluster_publish(c, &mine), 0);
	push_join(2, 200);
	push_report(2, 200, &primary);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(hub(c, 2).has_report, 1);

	/* hubhad on node 2 dies: the node stays, what its daemon said no longer holds. */
	push_leave(2, 200, CPG_REASON_PROCDOWN);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(hub(c, 2).member, 1);
	assert_int_equal(hub(c, 2).has_report, 0);

	/* It comes back: it gets our report, and publishes its own. */
	m.sent_reports = 0;
	push_join(2, 210);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(m.sent_reports, 1);
	publisher(2, 210, &primary);
	assert_int_equal(hubha_cluster_refresh(c, 5000), 0);
	assert_int_equal(hub(c, 2).has_report, 1);
	hubha_cluster_close(c);
}

static void test_corosync_gone(void **state)
{
	hubha_report_t mine = report_of(HUBHA_ROLE_STANDBY, 4000);
	hubha_cluster_t *c;
	hubha_health_t health = HUBHA_HEALTH_OK;
	uint32_t reasons = 1;
	int quorate;

	(void)state;
	c = open_joined(0);
	m.dispatch_err = CS_ERR_LIBRARY;
	assert_int_equal(hubha_cluster_dispatch(c), -ENOTCONN);
	m.dispatch_err = CS_OK;
	assert_int_equal(hubha_cluster_dispatch(c), -ENOTCONN);
	assert_int_equal(hubha_cluster_refresh(c, 10), -ENOTCONN);
	assert_int_equal(hubha_cluster_publish(c, &mine), -ENOTCONN);
	assert_int_equal(hubha_cluster_quorate(c, &quorate), -ENOTCONN);
	assert_int_equal(hubha_cluster_health(c, NULL, &health, &reasons), 0);
	assert_int_equal(health, HUBHA_HEALTH_UNKNOWN);
	assert_int_equal(reasons, 0);
	hubha_cluster_close(c);
}

static void test_evicted(void **state)
{
	hubha_cluster_t *c;

	(void)state;
	c = open_joined(0);
	push_leave(LOCAL, self_pid(), CPG_REASON_LEAVE);
	assert_int_equal(hubha_cluster_dispatch(c), -ENOTCONN);
	hubha_cluster_close(c);
}

static void test_quorum_change(void **state)
{
	hubha_cluster_t *c;
	int quorate = -1;

	(void)state;
	c = open_joined(0);
	notified = 0;
	m.quorum_pending = 1;
	m.quorum_next = 0;
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(notified, HUBHA_CLUSTER_EV_QUORUM);
	assert_int_equal(hubha_cluster_quorate(c, &quorate), 0);
	assert_int_equal(quorate, 0);
	hubha_cluster_close(c);
}

static void test_garbage_ignored(void **state)
{
	hubha_report_t primary = report_of(HUBHA_ROLE_PRIMARY, 5000);
	uint8_t buf[HUBHA_WIRE_MAX_LEN];
	hubha_cluster_t *c;
	size_t len;

	(void)state;
	c = open_joined(0);
	push_join(2, 200);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	notified = 0;
	assert_int_equal(hubha_wire_encode_report(&primary, buf, sizeof(buf), &len), 0);
	push_deliver(2, 200, buf, len - 1);		/* truncated */
	push_deliver(2, 200, "hello, world", 12);	/* not ours */
	push_deliver(2, 200, "", 0);
	buf[5] = 9;					/* a version from the future */
	push_deliver(2, 200, buf, len);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(notified, 0);
	assert_int_equal(hub(c, 2).has_report, 0);
	assert_int_equal(m.sent_reports, 0);
	hubha_cluster_close(c);
}

static void test_active_hub(void **state)
{
	hubha_report_t primary = report_of(HUBHA_ROLE_PRIMARY, 5000);
	hubha_cluster_t *c;
	hubha_hub_t active;

	(void)state;
	c = open_joined(0);
	assert_int_equal(hubha_cluster_active_hub(c, &active), -ENOENT);
	push_join(2, 200);
	push_join(3, 300);
	push_report(2, 200, &primary);
	push_report(3, 300, &primary);
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(hubha_cluster_active_hub(c, &active), -ENOTUNIQ);
	hubha_cluster_close(c);
}

/* A member outside the nodelist is named by its id. */
static void test_unlisted_member(void **state)
{
	hubha_cluster_t *c;
	hubha_hub_t h;

	(void)state;
	m.n_totem = 4;
	m.totem[3] = 7;
	c = open_joined(0);
	h = hub(c, 7);
	assert_string_equal(h.name, "7");
	assert_int_equal(h.member, 1);
	hubha_cluster_close(c);
}

/* A configuration reload: a node renamed, one added (not a member yet), then removed. */
static void test_nodelist_reload(void **state)
{
	hubha_cluster_t *c;
	hubha_health_t health;
	hubha_hub_t *hubs;
	uint32_t reasons;
	size_t n;

	(void)state;
	c = open_joined(0);
	m.nodelist[1].name = "hub2";
	m.nodelist[3].nodeid = 4, m.nodelist[3].name = "hub4";
	m.n_nodelist = 4;
	notified = 0;
	m.cmap_pending = 3;
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(notified, HUBHA_CLUSTER_EV_MEMBERSHIP);
	assert_int_equal(hubha_cluster_hubs(c, &hubs, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(hubs[1].name, "hub2");
	assert_string_equal(hubs[3].name, "hub4");
	assert_int_equal(hubs[3].member, 0);
	hubha_cluster_hubs_free(hubs);
	assert_int_equal(hubha_cluster_health(c, NULL, &health, &reasons), 0);
	assert_true(reasons & HUBHA_REASON_PEER_NOT_MEMBER);

	m.n_nodelist = 3;
	m.cmap_pending = 1;
	assert_int_equal(hubha_cluster_dispatch(c), 0);
	assert_int_equal(hubha_cluster_hubs(c, &hubs, &n), 0);
	assert_int_equal(n, 3);
	hubha_cluster_hubs_free(hubs);
	hubha_cluster_close(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_join),
		T(test_join_retried),
		T(test_open_errors),
		T(test_request_answered),
		T(test_reader_does_not_answer),
		T(test_refresh),
		T(test_refresh_timeout),
		T(test_ask_then_refresh),
		T(test_refresh_waits_for_own_join),
		T(test_two_processes_one_node),
		T(test_node_lost),
		T(test_daemon_restart),
		T(test_corosync_gone),
		T(test_evicted),
		T(test_quorum_change),
		T(test_garbage_ignored),
		T(test_active_hub),
		T(test_unlisted_member),
		T(test_nodelist_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

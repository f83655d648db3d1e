/*
 * The cluster as this process sees it, over corosync: the CPG group "hubha"
 * carries the reports, the totem configuration change (delivered after the
 * group's, so the stable view) says who is a member, quorum says whether
 * this partition may act, and cmap's nodelist names the configured nodes.
 *
 * A report is kept per node, the newest one wins.  When the process that
 * sent it leaves the group while its node stays, what it said no longer
 * holds and the report is dropped; when the node itself is lost, its last
 * report stays as "last seen" (it decides nothing once the node is out).
 * The nodelist is read again when it changes (a configuration reload).
 *
 * A handle opened with HUBHA_CLUSTER_LOCAL has none of that: it holds the
 * view the local hubhad last sent (cluster_local.c), and answers from it.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <corosync/cmap.h>
#include <corosync/cpg.h>
#include <corosync/quorum.h>

#include <hubha/deadline.h>

#include "cluster_int.h"

static const char group_name[] = "hubha";

/* Retrying a call corosync is not ready for: the bound of open(). */
#define RETRY_MS 5000u
/* hubhad answers from its loop at once; a stuck one is not waited for long. */
#define LOCAL_OPEN_MS 1000
#define RETRY_STEP_MS 50u
/* Nodelist entries read at most: corosync's own member limit, twice. */
#define NODELIST_MAX 256u

struct node {
	uint32_t nodeid;
	char name[HUBHA_CLUSTER_NAME_MAX];
	int configured;
	int member;
	int has_report;
	hubha_report_t report;
	uint32_t report_pid;	/* the process that sent it */
	uint64_t rx_ms;		/* CLOCK_MONOTONIC at receipt */
	uint64_t rx_seq;	/* c->seq at receipt */
};

struct proc {
	uint32_t nodeid;
	uint32_t pid;
};

struct hubha_cluster {
	unsigned flags;
	int local;		/* opened with HUBHA_CLUSTER_LOCAL */
	struct hubha_local view;
	int asked;		/* open() asked the members; the first refresh waits for those answers */
	cpg_handle_t cpg;
	quorum_handle_t quorum;
	cmap_handle_t cmap;
	int have_cpg, have_quorum, have_cmap;
	int nodelist_changed;
	int epfd;
	int connected;
	int joined;		/* our own join seen in the group's membership */
	uint32_t local_nodeid;
	uint32_t local_pid;
	int quorate;
	struct node *nodes;	/* by nodeid */
	size_t n_nodes;
	struct proc *group;
	size_t n_group;
	int published;
	int resend;		/* an answer that met a full queue */
	uint8_t msg[HUBHA_WIRE_MAX_LEN];
	size_t msg_len;
	uint64_t seq;
	unsigned events;
	hubha_cluster_notify_fn notify;
	void *notify_data;
};

static int cs_errno(cs_error_t e)
{
	switch (e) {
	case CS_OK:
		return 0;
	case CS_ERR_TRY_AGAIN:
	case CS_ERR_QUEUE_FULL:
		return -EAGAIN;
	case CS_ERR_LIBRARY:
	case CS_ERR_NOT_EXIST:
		return -ECONNREFUSED;
	case CS_ERR_ACCESS:
	case CS_ERR_SECURITY:
		return -EACCES;
	case CS_ERR_NO_MEMORY:
		return -ENOMEM;
	case CS_ERR_BAD_HANDLE:
		return -ENOTCONN;
	case CS_ERR_TIMEOUT:
		return -ETIMEDOUT;
	case CS_ERR_TOO_BIG:
		return -EMSGSIZE;
	case CS_ERR_INVALID_PARAM:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static struct node *find_node(hubha_cluster_t *c, uint32_t nodeid)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		if (c->nodes[i].nodeid == nodeid)
			return &c->nodes[i];
	return NULL;
}

/* NULL only when out of memory. */
static struct node *get_node(hubha_cluster_t *c, uint32_t nodeid)
{
	struct node *n = find_node(c, nodeid), *nodes;
	size_t at = 0;

	if (n)
		return n;
	nodes = realloc(c->nodes, (c->n_nodes + 1) * sizeof(*nodes));
	if (!nodes)
		return NULL;
	c->nodes = nodes;
	while (at < c->n_nodes && nodes[at].nodeid < nodeid)
		at++;
	memmove(&nodes[at + 1], &nodes[at], (c->n_nodes - at) * sizeof(*nodes));
	c->n_nodes++;
	n = &nodes[at];
	memset(n, 0, sizeof(*n));
	n->nodeid = nodeid;
	return n;
}

static int in_group(const hubha_cluster_t *c, uint32_t nodeid, uint32_t pid)
{
	for (size_t i = 0; i < c->n_group; i++)
		if (c->group[i].nodeid == nodeid && c->group[i].pid == pid)
			return 1;
	return 0;
}

/* A member's report holds only while the process that sent it is in the group. */
static void prune_reports(hubha_cluster_t *c)
{
	for (size_t i = 0; i < c->n_nodes; i++) {
		struct node *n = &c->nodes[i];

		if (n->member && n->has_report && !in_group(c, n->nodeid, n->report_pid)) {
			n->has_report = 0;
			c->events |= HUBHA_CLUSTER_EV_REPORT;
		}
	}
}

static void cmap_name(hubha_cluster_t *c, unsigned pos, char name[HUBHA_CLUSTER_NAME_MAX])
{
	static const char *const keys[] = { "name", "ring0_addr" };
	char key[CMAP_KEYNAME_MAXLEN + 1];

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		char *value = NULL;

		snprintf(key, sizeof(key), "nodelist.node.%u.%s", pos, keys[k]);
		if (cmap_get_string(c->cmap, key, &value) == CS_OK && value) {
			snprintf(name, HUBHA_CLUSTER_NAME_MAX, "%s", value);
			free(value);
			return;
		}
		free(value);
	}
}

/* A node no longer configured, seen or heard of is no node of the cluster. */
static void forget_nodes(hubha_cluster_t *c)
{
	size_t kept = 0;

	for (size_t i = 0; i < c->n_nodes; i++)
		if (c->nodes[i].configured || c->nodes[i].member || c->nodes[i].has_report)
			c->nodes[kept++] = c->nodes[i];
	c->n_nodes = kept;
}

/* The configured nodes: nodelist.node.N.nodeid, named by .name, else .ring0_addr. */
static int load_nodelist(hubha_cluster_t *c)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];
	int e = 0;

	for (size_t i = 0; i < c->n_nodes; i++)
		c->nodes[i].configured = 0;
	for (unsigned pos = 0; pos < NODELIST_MAX; pos++) {
		char name[HUBHA_CLUSTER_NAME_MAX] = "";
		uint32_t nodeid;
		struct node *n;

		snprintf(key, sizeof(key), "nodelist.node.%u.nodeid", pos);
		if (cmap_get_uint32(c->cmap, key, &nodeid) != CS_OK)
			break;
		cmap_name(c, pos, name);
		n = get_node(c, nodeid);
		if (!n) {
			e = -ENOMEM;
			break;
		}
		n->configured = 1;
		if (name[0])
			memcpy(n->name, name, sizeof(n->name));
	}
	forget_nodes(c);
	return e;
}

static void on_nodelist(cmap_handle_t handle, cmap_track_handle_t track, int32_t event, const char *key,
			struct cmap_notify_value new_value, struct cmap_notify_value old_value, void *data)
{
	hubha_cluster_t *c = data;

	(void)handle;
	(void)track;
	(void)event;
	(void)key;
	(void)new_value;
	(void)old_value;
	/* One change of a reload comes key by key: read the list once, after dispatch. */
	c->nodelist_changed = 1;
}

static hubha_cluster_t *cpg_cluster(cpg_handle_t handle)
{
	void *ctx = NULL;

	return cpg_context_get(handle, &ctx) == CS_OK ? ctx : NULL;
}

static int mcast(hubha_cluster_t *c, const void *buf, size_t len)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

	return cs_errno(cpg_mcast_joined(c->cpg, CPG_TYPE_AGREED, &iov, 1));
}

static void send_own_report(hubha_cluster_t *c)
{
	if (!c->published)
		return;
	c->resend = mcast(c, c->msg, c->msg_len) == -EAGAIN;
}

static void on_deliver(cpg_handle_t handle, const struct cpg_name *group, uint32_t nodeid, uint32_t pid,
		       void *msg, size_t msg_len)
{
	hubha_cluster_t *c = cpg_cluster(handle);
	enum hubha_wire_type type;
	hubha_report_t report;
	struct node *n;

	(void)group;
	/* What does not decode (garbage, another version) is dropped. */
	if (!c || hubha_wire_decode(msg, msg_len, &type, &report) < 0)
		return;
	if (type == HUBHA_WIRE_REQUEST) {
		send_own_report(c);
		return;
	}
	n = get_node(c, nodeid);
	if (!n)
		return;
	n->report = report;
	n->has_report = 1;
	n->report_pid = pid;
	n->rx_ms = hubha_now_ms();
	n->rx_seq = ++c->seq;
	c->events |= HUBHA_CLUSTER_EV_REPORT;
}

static void on_confchg(cpg_handle_t handle, const struct cpg_name *group, const struct cpg_address *members,
		       size_t n_members, const struct cpg_address *left, size_t n_left,
		       const struct cpg_address *joined, size_t n_joined)
{
	hubha_cluster_t *c = cpg_cluster(handle);
	struct proc *procs;
	int newcomer = 0;

	(void)group;
	if (!c)
		return;
	procs = malloc((n_members ? n_members : 1) * sizeof(*procs));
	if (!procs) {
		/* Without a view there is no telling who answered: start over. */
		c->connected = 0;
		return;
	}
	for (size_t i = 0; i < n_members; i++) {
		procs[i].nodeid = members[i].nodeid;
		procs[i].pid = members[i].pid;
	}
	free(c->group);
	c->group = procs;
	c->n_group = n_members;
	c->events |= HUBHA_CLUSTER_EV_MEMBERSHIP;

	if (in_group(c, c->local_nodeid, c->local_pid))
		c->joined = 1;
	else if (c->joined)
		c->connected = 0;	/* evicted from the group */

	for (size_t i = 0; i < n_left; i++) {
		struct node *n = find_node(c, left[i].nodeid);

		/* The node is gone, not just the process: the totem change confirms. */
		if (n && left[i].reason == CPG_REASON_NODEDOWN)
			n->member = 0;
	}
	for (size_t i = 0; i < n_joined; i++)
		if (joined[i].nodeid != c->local_nodeid || joined[i].pid != c->local_pid)
			newcomer = 1;
	prune_reports(c);
	if (newcomer)
		send_own_report(c);
}

static void on_totem_confchg(cpg_handle_t handle, struct cpg_ring_id ring_id, uint32_t n_members,
			     const uint32_t *members)
{
	hubha_cluster_t *c = cpg_cluster(handle);

	(void)ring_id;
	if (!c)
		return;
	for (size_t i = 0; i < c->n_nodes; i++)
		c->nodes[i].member = 0;
	for (uint32_t i = 0; i < n_members; i++) {
		struct node *n = get_node(c, members[i]);

		if (n)
			n->member = 1;
	}
	forget_nodes(c);
	prune_reports(c);
	c->events |= HUBHA_CLUSTER_EV_MEMBERSHIP;
}

static void on_quorum(quorum_handle_t handle, uint32_t quorate, uint64_t ring_seq, uint32_t n_view,
		      uint32_t *view)
{
	void *ctx = NULL;
	hubha_cluster_t *c;

	(void)ring_seq;
	(void)n_view;
	(void)view;
	if (quorum_context_get(handle, (const void **)&ctx) != CS_OK || !ctx)
		return;
	c = ctx;
	if (c->quorate != !!quorate)
		c->events |= HUBHA_CLUSTER_EV_QUORUM;
	c->quorate = !!quorate;
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	ev.data.fd = fd;
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static int connect_cpg(hubha_cluster_t *c, struct hubha_deadline d)
{
	cpg_model_v1_data_t model = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = on_deliver,
		.cpg_confchg_fn = on_confchg,
		.cpg_totem_confchg_fn = on_totem_confchg,
		.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF,
	};
	struct cpg_name name = { .length = sizeof(group_name) };
	unsigned int nodeid = 0;
	int fd = -1, e;

	memcpy(name.value, group_name, sizeof(group_name));
	while ((e = cs_errno(cpg_model_initialize(&c->cpg, CPG_MODEL_V1, (cpg_model_data_t *)&model, c))) == -EAGAIN &&
	       !hubha_deadline_passed(d))
		sleep_ms(RETRY_STEP_MS);
	if (e < 0)
		return e;
	c->have_cpg = 1;
	if ((e = cs_errno(cpg_fd_get(c->cpg, &fd))) < 0 || (e = cs_errno(cpg_local_get(c->cpg, &nodeid))) < 0)
		return e;
	c->local_nodeid = nodeid;
	if ((e = epoll_add(c->epfd, fd)) < 0)
		return e;
	while ((e = cs_errno(cpg_join(c->cpg, &name))) == -EAGAIN && !hubha_deadline_passed(d))
		sleep_ms(RETRY_STEP_MS);
	return e;
}

static int connect_quorum(hubha_cluster_t *c)
{
	quorum_callbacks_t callbacks = { .quorum_notify_fn = on_quorum };
	uint32_t type = 0;
	int quorate = 0, fd = -1, e;

	if ((e = cs_errno(quorum_initialize(&c->quorum, &callbacks, &type))) < 0)
		return e;
	c->have_quorum = 1;
	if ((e = cs_errno(quorum_context_set(c->quorum, c))) < 0 ||
	    (e = cs_errno(quorum_getquorate(c->quorum, &quorate))) < 0 ||
	    (e = cs_errno(quorum_trackstart(c->quorum, CS_TRACK_CHANGES | CS_TRACK_CURRENT))) < 0 ||
	    (e = cs_errno(quorum_fd_get(c->quorum, &fd))) < 0)
		return e;
	c->quorate = !!quorate;
	return epoll_add(c->epfd, fd);
}

static int connect_cmap(hubha_cluster_t *c)
{
	cmap_track_handle_t track;
	int fd = -1, e;

	if ((e = cs_errno(cmap_initialize(&c->cmap))) < 0)
		return e;
	c->have_cmap = 1;
	if ((e = cs_errno(cmap_track_add(c->cmap, "nodelist.", CMAP_TRACK_ADD | CMAP_TRACK_DELETE | CMAP_TRACK_MODIFY |
					 CMAP_TRACK_PREFIX, on_nodelist, c, &track))) < 0 ||
	    (e = cs_errno(cmap_fd_get(c->cmap, &fd))) < 0)
		return e;
	return epoll_add(c->epfd, fd);
}

int hubha_cluster_open(unsigned flags, hubha_cluster_t **ret_cluster)
{
	struct hubha_deadline d = hubha_deadline_in(RETRY_MS);
	hubha_cluster_t *c;
	int e;

	if (!ret_cluster || (flags & ~(HUBHA_CLUSTER_ASK | HUBHA_CLUSTER_LOCAL)))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->flags = flags;
	if (flags & HUBHA_CLUSTER_LOCAL) {
		c->local = 1;
		c->epfd = -1;
		if ((e = hubha_local_fetch(&c->view, LOCAL_OPEN_MS)) < 0)
			goto fail;
		c->connected = 1;
		*ret_cluster = c;
		return 0;
	}
	c->local_pid = (uint32_t)getpid();
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epfd < 0) {
		e = -errno;
		free(c);
		return e;
	}
	if ((e = connect_cmap(c)) < 0 || (e = load_nodelist(c)) < 0 || (e = connect_quorum(c)) < 0 ||
	    (e = connect_cpg(c, d)) < 0)
		goto fail;
	c->connected = 1;
	if (flags & HUBHA_CLUSTER_ASK) {
		uint8_t req[HUBHA_WIRE_HEADER_LEN];
		size_t len;

		hubha_wire_encode_request(req, sizeof(req), &len);
		while ((e = mcast(c, req, len)) == -EAGAIN && !hubha_deadline_passed(d))
			sleep_ms(RETRY_STEP_MS);
		if (e < 0)
			goto fail;
		c->asked = 1;
	}
	*ret_cluster = c;
	return 0;
fail:
	hubha_cluster_close(c);
	return e;
}

void hubha_cluster_close(hubha_cluster_t *c)
{
	if (!c)
		return;
	hubha_local_close(&c->view);
	if (c->have_cpg)
		cpg_finalize(c->cpg);
	if (c->have_quorum)
		quorum_finalize(c->quorum);
	if (c->have_cmap)
		cmap_finalize(c->cmap);
	if (c->epfd >= 0)
		close(c->epfd);
	free(c->nodes);
	free(c->group);
	free(c);
}

int hubha_cluster_fd(hubha_cluster_t *c, int *ret_fd)
{
	if (!c || !ret_fd)
		return -EINVAL;
	if (c->local)
		return -EOPNOTSUPP;
	*ret_fd = c->epfd;
	return 0;
}

static int dispatch_one(cs_error_t e)
{
	return e == CS_OK || e == CS_ERR_TRY_AGAIN ? 0 : -ENOTCONN;
}

int hubha_cluster_dispatch(hubha_cluster_t *c)
{
	unsigned events;

	if (!c)
		return -EINVAL;
	if (c->local)
		return -EOPNOTSUPP;
	if (!c->connected)
		return -ENOTCONN;
	if (dispatch_one(cpg_dispatch(c->cpg, CS_DISPATCH_ALL)) < 0 ||
	    dispatch_one(quorum_dispatch(c->quorum, CS_DISPATCH_ALL)) < 0 ||
	    dispatch_one(cmap_dispatch(c->cmap, CS_DISPATCH_ALL)) < 0)
		c->connected = 0;
	if (c->connected && c->nodelist_changed) {
		c->nodelist_changed = 0;
		load_nodelist(c);
		c->events |= HUBHA_CLUSTER_EV_MEMBERSHIP;
	}
	if (c->connected && c->resend)
		send_own_report(c);
	events = c->events;
	c->events = 0;
	if (events && c->notify)
		c->notify(c, events, c->notify_data);
	return c->connected ? 0 : -ENOTCONN;
}

/* Every other process in the group has a node whose report came after mark. */
static int all_answered(const hubha_cluster_t *c, uint64_t mark)
{
	if (!c->joined)
		return 0;
	for (size_t i = 0; i < c->n_group; i++) {
		const struct proc *p = &c->group[i];
		const struct node *n;

		if (p->nodeid == c->local_nodeid && p->pid == c->local_pid)
			continue;
		n = find_node((hubha_cluster_t *)c, p->nodeid);
		if (!n || !n->has_report || n->rx_seq <= mark)
			return 0;
	}
	return 1;
}

int hubha_cluster_refresh(hubha_cluster_t *c, int timeout_ms)
{
	struct hubha_deadline d;
	uint8_t req[HUBHA_WIRE_HEADER_LEN];
	uint64_t mark;
	size_t len;
	int e;

	if (!c || timeout_ms < 0)
		return -EINVAL;
	if (c->local) {
		e = hubha_local_fetch(&c->view, timeout_ms);
		c->connected = e == 0;
		return e;
	}
	if (!c->connected)
		return -ENOTCONN;
	d = hubha_deadline_in((unsigned)timeout_ms);
	/* The request open() sent is still being answered: wait for that one. */
	if (c->asked) {
		c->asked = 0;
		mark = 0;
		goto wait;
	}
	mark = c->seq;
	hubha_wire_encode_request(req, sizeof(req), &len);
	while ((e = mcast(c, req, len)) == -EAGAIN) {
		if (hubha_deadline_passed(d))
			return -ETIMEDOUT;
		sleep_ms(hubha_deadline_left_ms(d) < RETRY_STEP_MS ? hubha_deadline_left_ms(d) : RETRY_STEP_MS);
	}
	if (e < 0) {
		c->connected = 0;
		return -ENOTCONN;
	}
wait:
	for (;;) {
		struct pollfd pfd = { .fd = c->epfd, .events = POLLIN };
		unsigned left;

		if ((e = hubha_cluster_dispatch(c)) < 0)
			return e;
		if (all_answered(c, mark))
			return 0;
		left = hubha_deadline_left_ms(d);
		if (!left)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
	}
}

int hubha_cluster_set_notify(hubha_cluster_t *c, hubha_cluster_notify_fn fn, void *data)
{
	if (!c)
		return -EINVAL;
	if (c->local)
		return -EOPNOTSUPP;
	c->notify = fn;
	c->notify_data = data;
	return 0;
}

static void node_name(const struct node *n, char name[HUBHA_CLUSTER_NAME_MAX])
{
	if (n->name[0])
		memcpy(name, n->name, HUBHA_CLUSTER_NAME_MAX);
	else
		snprintf(name, HUBHA_CLUSTER_NAME_MAX, "%" PRIu32, n->nodeid);
}

/* hubhad's view, aged by the time since it arrived. */
static int local_hubs(const hubha_cluster_t *c, uint64_t now, hubha_hub_t **ret_hubs, size_t *ret_n)
{
	const struct hubha_wire_view *v = &c->view.view;
	uint64_t since = now > c->view.view_ms ? now - c->view.view_ms : 0;
	hubha_hub_t *hubs = calloc(v->n_hubs ? v->n_hubs : 1, sizeof(*hubs));

	if (!hubs)
		return -ENOMEM;
	if (v->n_hubs)
		memcpy(hubs, v->hubs, v->n_hubs * sizeof(*hubs));
	for (size_t i = 0; i < v->n_hubs; i++)
		if (hubs[i].has_report)
			hubs[i].report_age_ms += since;
	hubha_hubs_derive(hubs, v->n_hubs);
	*ret_hubs = hubs;
	*ret_n = v->n_hubs;
	return 0;
}

int hubha_cluster_hubs(hubha_cluster_t *c, hubha_hub_t **ret_hubs, size_t *ret_n)
{
	uint64_t now = hubha_now_ms();
	hubha_hub_t *hubs;

	if (!c || !ret_hubs || !ret_n)
		return -EINVAL;
	if (c->local)
		return local_hubs(c, now, ret_hubs, ret_n);
	hubs = calloc(c->n_nodes ? c->n_nodes : 1, sizeof(*hubs));
	if (!hubs)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_nodes; i++) {
		const struct node *n = &c->nodes[i];
		hubha_hub_t *h = &hubs[i];

		node_name(n, h->name);
		h->nodeid = n->nodeid;
		h->member = n->member;
		h->has_report = n->has_report;
		if (n->has_report) {
			h->report = n->report;
			h->report_age_ms = now > n->rx_ms ? now - n->rx_ms : 0;
		}
	}
	hubha_hubs_derive(hubs, c->n_nodes);
	*ret_hubs = hubs;
	*ret_n = c->n_nodes;
	return 0;
}

void hubha_cluster_hubs_free(hubha_hub_t *hubs)
{
	free(hubs);
}

int hubha_cluster_active_hub(hubha_cluster_t *c, hubha_hub_t *ret_hub)
{
	hubha_hub_t *hubs;
	size_t n;
	long p;
	int e;

	if (!ret_hub)
		return -EINVAL;
	if ((e = hubha_cluster_hubs(c, &hubs, &n)) < 0)
		return e;
	p = hubha_hubs_primary(hubs, n);
	if (p >= 0)
		*ret_hub = hubs[p];
	hubha_cluster_hubs_free(hubs);
	return p >= 0 ? 0 : p == -1 ? -ENOENT : -ENOTUNIQ;
}

int hubha_cluster_local(hubha_cluster_t *c, uint32_t *ret_nodeid, char ret_name[HUBHA_CLUSTER_NAME_MAX])
{
	struct node self = { 0 };
	const struct node *n;

	if (!c)
		return -EINVAL;
	if (c->local) {
		const struct hubha_wire_view *v = &c->view.view;

		self.nodeid = v->local_nodeid;
		for (size_t i = 0; i < v->n_hubs; i++)
			if (v->hubs[i].nodeid == v->local_nodeid)
				memcpy(self.name, v->hubs[i].name, sizeof(self.name));
		if (ret_name)
			node_name(&self, ret_name);
		if (ret_nodeid)
			*ret_nodeid = self.nodeid;
		return 0;
	}
	n = find_node(c, c->local_nodeid);
	if (!n) {
		self.nodeid = c->local_nodeid;
		n = &self;
	}
	if (ret_nodeid)
		*ret_nodeid = c->local_nodeid;
	if (ret_name)
		node_name(n, ret_name);
	return 0;
}

int hubha_cluster_quorate(hubha_cluster_t *c, int *ret_quorate)
{
	if (!c || !ret_quorate)
		return -EINVAL;
	if (!c->connected)
		return -ENOTCONN;
	*ret_quorate = c->local ? c->view.view.quorate : c->quorate;
	return 0;
}

int hubha_cluster_health(hubha_cluster_t *c, const hubha_health_config_t *config, hubha_health_t *ret_health,
			 uint32_t *ret_reasons)
{
	hubha_hub_t *hubs;
	size_t n;
	int e;

	if (!c || !ret_health || !ret_reasons)
		return -EINVAL;
	if (!c->connected) {
		*ret_health = HUBHA_HEALTH_UNKNOWN;
		*ret_reasons = 0;
		return 0;
	}
	if ((e = hubha_cluster_hubs(c, &hubs, &n)) < 0)
		return e;
	hubha_health_decide(hubs, n, c->local ? c->view.view.quorate : c->quorate, config, ret_health, ret_reasons);
	hubha_cluster_hubs_free(hubs);
	return 0;
}

int hubha_cluster_publish(hubha_cluster_t *c, const hubha_report_t *report)
{
	uint8_t msg[HUBHA_WIRE_MAX_LEN];
	size_t len;
	int e;

	if (!c || !report)
		return -EINVAL;
	if (c->local)
		return -EOPNOTSUPP;
	if ((e = hubha_wire_encode_report(report, msg, sizeof(msg), &len)) < 0)
		return e;
	if (!c->connected)
		return -ENOTCONN;
	memcpy(c->msg, msg, len);
	c->msg_len = len;
	c->published = 1;
	c->resend = 0;
	e = mcast(c, c->msg, c->msg_len);
	if (e < 0 && e != -EAGAIN) {
		c->connected = 0;
		return -ENOTCONN;
	}
	return e;
}

/*
 * libmicrohttpd without threads of its own: its epoll fd is one more fd on
 * hubhad's loop and its connection timeouts one more timer, so a request
 * reads the cluster view from the same thread that updates it, with no lock.
 * Every response is built at once from that view; nothing waits.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <qb/qbdefs.h>
#include <qb/qblog.h>

#include "http_health.h"
#include "http_listen.h"
#include "http_metrics.h"
#include "http_page.h"
#include "hubhad_http.h"
#include "status_fmt.h"

#define ALLOW "GET, HEAD, OPTIONS"
#define CONNECTIONS_MAX 64
#define CONNECTION_TIMEOUT_S 10
#define SAMPLE_MS 1000
#define PAGE_REFRESH_S 5

struct hubhad_http {
	qb_loop_t *loop;
	struct MHD_Daemon *mhd;
	int epoll_fd;
	hubha_cluster_t *const *cluster;
	qb_loop_timer_handle timer, sample_timer;
	int timer_armed;
	uint32_t last_primary;
	uint64_t failovers;
};

/* The view a request answers from; an empty one without corosync. */
struct view {
	struct hubha_view v;
	hubha_hub_t *hubs;
	uint32_t local;
};

static void view_take(const struct hubhad_http *h, struct view *w)
{
	hubha_cluster_t *c = *h->cluster;
	char name[HUBHA_CLUSTER_NAME_MAX];
	size_t n = 0;
	int q;

	memset(w, 0, sizeof(*w));
	w->v.quorate = -1;
	w->v.health = HUBHA_HEALTH_UNKNOWN;
	if (!c || hubha_cluster_hubs(c, &w->hubs, &n) < 0)
		return;
	w->v.hubs = w->hubs;
	w->v.n_hubs = n;
	if (hubha_cluster_health(c, NULL, &w->v.health, &w->v.reasons) < 0)
		w->v.health = HUBHA_HEALTH_UNKNOWN;
	if (hubha_cluster_quorate(c, &q) == 0)
		w->v.quorate = q;
	if (hubha_cluster_local(c, &w->local, name) < 0)
		w->local = 0;
}

static void view_free(struct view *w)
{
	if (w->hubs)
		hubha_cluster_hubs_free(w->hubs);
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type, char *body,
			     size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	if (body)
		resp = MHD_create_response_from_buffer_with_free_callback(len, body, free);
	else
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	if (type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, ALLOW);
	r = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result reply_line(struct MHD_Connection *conn, unsigned status, int body, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum MHD_Result reply_line(struct MHD_Connection *conn, unsigned status, int body, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	int n;

	if (!body)
		return reply(conn, status, NULL, NULL, 0);
	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return MHD_NO;
	return reply(conn, status, "text/plain; charset=utf-8", text, (size_t)n);
}

/* The first tag_KEY parameter: Patroni answers 503 to a tag a node lacks. */
static enum MHD_Result find_tag(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	const char **tag = cls;

	(void)kind;
	(void)value;
	if (strncmp(key, "tag_", 4) == 0) {
		*tag = key + 4;
		return MHD_NO;
	}
	return MHD_YES;
}

static enum MHD_Result health(struct MHD_Connection *conn, enum hubha_http_check check, const struct view *w,
			      int body)
{
	struct hubha_http_query q = {
		.lag = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "lag"),
		.replication_state = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "replication_state"),
		.mode = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "mode"),
	};
	struct hubha_http_node node = {
		.hubs = w->v.hubs, .n_hubs = w->v.n_hubs, .local_nodeid = w->local, .quorate = w->v.quorate,
	};
	char why[200];
	int status;

	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, find_tag, (void *)&q.tag);
	status = hubha_http_decide(check, &q, &node, why, sizeof(why));
	return reply_line(conn, (unsigned)status, body, "%s\n", why);
}

/* A document from one of the renderers, into memory. */
static enum MHD_Result document(struct MHD_Connection *conn, const char *type, int (*render)(FILE *, void *),
				void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f)
		return MHD_NO;
	r = render(f, arg);
	if (fclose(f) != 0 || r < 0) {
		free(buf);
		return reply_line(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, 1, "cannot render the document\n");
	}
	return reply(conn, MHD_HTTP_OK, type, buf, len);
}

struct render_arg {
	const struct hubhad_http *h;
	const struct view *w;
	struct hubha_view one;
};

static int render_json(FILE *f, void *arg)
{
	return hubha_fmt_json(f, arg);
}

static int render_metrics(FILE *f, void *arg)
{
	struct render_arg *a = arg;

	return hubha_metrics_write(f, &a->w->v, a->h->failovers);
}

static int render_page(FILE *f, void *arg)
{
	struct render_arg *a = arg;

	return hubha_page_write(f, &a->w->v, a->w->local, PAGE_REFRESH_S);
}

static enum MHD_Result route(struct hubhad_http *h, struct MHD_Connection *conn, const char *url, int body)
{
	enum hubha_http_check check = hubha_http_check_of(url);
	struct render_arg a = { .h = h };
	struct view w;
	enum MHD_Result r;

	if (check == HUBHA_CHECK_NONE && strcmp(url, "/cluster") && strcmp(url, "/node") && strcmp(url, "/metrics") &&
	    strcmp(url, "/status"))
		return reply_line(conn, MHD_HTTP_NOT_FOUND, body, "not found: %.64s\n", url);
	/* HEAD and OPTIONS of a document: the status line, nothing built
	 * (/node's status depends on the view). */
	if (check == HUBHA_CHECK_NONE && !body && strcmp(url, "/node") != 0)
		return reply(conn, MHD_HTTP_OK, NULL, NULL, 0);
	view_take(h, &w);
	a.w = &w;
	if (check != HUBHA_CHECK_NONE) {
		r = health(conn, check, &w, body);
	} else if (strcmp(url, "/cluster") == 0) {
		r = document(conn, "application/json", render_json, &w.v);
	} else if (strcmp(url, "/node") == 0) {
		/* The same schema as /cluster, with this node's member alone. */
		a.one = w.v;
		a.one.n_hubs = 0;
		for (size_t i = 0; i < w.v.n_hubs; i++) {
			if (w.v.hubs[i].nodeid == w.local) {
				a.one.hubs = &w.v.hubs[i];
				a.one.n_hubs = 1;
			}
		}
		if (!a.one.n_hubs)
			r = reply_line(conn, MHD_HTTP_SERVICE_UNAVAILABLE, body, "no cluster view: not connected to corosync\n");
		else if (!body)
			r = reply(conn, MHD_HTTP_OK, NULL, NULL, 0);
		else
			r = document(conn, "application/json", render_json, &a.one);
	} else if (strcmp(url, "/metrics") == 0) {
		r = document(conn, HUBHA_METRICS_CONTENT_TYPE, render_metrics, &a);
	} else {
		r = document(conn, "text/html; charset=utf-8", render_page, &a);
	}
	view_free(&w);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **req_cls)
{
	struct hubhad_http *h = cls;
	int get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req_cls;
	/* Read-only: a body is never read, and the answer goes out at once. */
	if (!get && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0 && strcmp(method, MHD_HTTP_METHOD_OPTIONS) != 0)
		return reply_line(conn, MHD_HTTP_METHOD_NOT_ALLOWED, 1, "method not allowed: only " ALLOW "\n");
	return route(h, conn, url, get);
}

static void rearm(struct hubhad_http *h);

static void on_timer(void *data)
{
	struct hubhad_http *h = data;

	h->timer_armed = 0;
	MHD_run(h->mhd);
	rearm(h);
}

/* MHD's next deadline (an idle connection to close, work left over). */
static void rearm(struct hubhad_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (h->timer_armed) {
		qb_loop_timer_del(h->loop, h->timer);
		h->timer_armed = 0;
	}
	if (MHD_get_timeout(h->mhd, &ms) != MHD_YES)
		return;
	if (qb_loop_timer_add(h->loop, QB_LOOP_MED, (uint64_t)ms * QB_TIME_NS_IN_MSEC, h, on_timer, &h->timer) == 0)
		h->timer_armed = 1;
	else
		qb_log(LOG_ERR, "http: cannot arm a timer: %s", strerror(errno));
}

static int32_t on_epoll(int32_t fd, int32_t revents, void *data)
{
	struct hubhad_http *h = data;

	(void)fd;
	(void)revents;
	MHD_run(h->mhd);
	rearm(h);
	return 0;
}

/* Primary changes are counted from samples of the view, so /metrics counts
 * them whether or not anyone was scraping when they happened. */
static void on_sample(void *data)
{
	struct hubhad_http *h = data;
	hubha_hub_t *hubs;
	size_t n;

	if (*h->cluster && hubha_cluster_hubs(*h->cluster, &hubs, &n) == 0) {
		if (hubha_http_track_primary(&h->last_primary, hubs, n))
			h->failovers++;
		hubha_cluster_hubs_free(hubs);
	}
	qb_loop_timer_add(h->loop, QB_LOOP_LOW, (uint64_t)SAMPLE_MS * QB_TIME_NS_IN_MSEC, h, on_sample,
			  &h->sample_timer);
}

static void __attribute__((format(printf, 2, 0))) mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[256];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	qb_log(LOG_WARNING, "http: %s", line);
}

int hubhad_http_start(qb_loop_t *loop, const char *listen, hubha_cluster_t *const *cluster,
		      struct hubhad_http **ret_http)
{
	struct sockaddr_storage addr;
	const union MHD_DaemonInfo *info;
	struct hubhad_http *h;
	socklen_t len;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	int r;

	if (hubha_http_listen_parse(listen, &addr, &len) < 0) {
		qb_log(LOG_ERR, "http: listen address '%s': not ADDRESS:PORT ([ADDRESS]:PORT for IPv6)", listen);
		return -EINVAL;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->loop = loop;
	h->cluster = cluster;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTIONS_MAX,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
				  MHD_OPTION_END);
	if (!h->mhd) {
		qb_log(LOG_ERR, "http: cannot listen on %s", listen);
		free(h);
		return -EADDRNOTAVAIL;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	h->epoll_fd = info ? info->epoll_fd : -1;
	r = h->epoll_fd < 0 ? -EINVAL : qb_loop_poll_add(loop, QB_LOOP_MED, h->epoll_fd, POLLIN, h, on_epoll);
	if (r < 0) {
		qb_log(LOG_ERR, "http: cannot watch the server's fd: %s", strerror(-r));
		MHD_stop_daemon(h->mhd);
		free(h);
		return r;
	}
	rearm(h);
	on_sample(h);
	qb_log(LOG_NOTICE, "http: listening on %s", listen);
	*ret_http = h;
	return 0;
}

void hubhad_http_stop(struct hubhad_http *h)
{
	if (!h)
		return;
	qb_loop_poll_del(h->loop, h->epoll_fd);
	if (h->timer_armed)
		qb_loop_timer_del(h->loop, h->timer);
	qb_loop_timer_del(h->loop, h->sample_timer);
	MHD_stop_daemon(h->mhd);
	free(h);
}

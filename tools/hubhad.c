/*
 * hubhad — publishes this node's report to the cluster (libhubha-cluster):
 * its PostgreSQL's role, state, timeline, LSNs and replication, read over one
 * connection to the local server, on change and every interval.
 *
 * One libqb loop: the cluster's fd, PostgreSQL's socket, a child reading
 * stonith-enabled, a tick, and the local IPC service that hands this
 * node's whole view to one-shot readers (hubha status).  Nothing in it blocks: PostgreSQL and the CIB
 * are read asynchronously and bounded; corosync going away is followed by
 * reopening with backoff (1 s doubling to 10 s).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hubha/cluster.h>
#include <hubha/deadline.h>
#include <qb/qbdefs.h>
#include <qb/qblog.h>
#include <qb/qbloop.h>

#include "cfengine_glue.h"
#include "hubhad_addr.h"
#include "cluster_int.h"
#include "hubhad_fencing.h"
#include "hubhad_http.h"
#include "hubhad_ipc.h"
#include "hubhad_pg.h"
#include "hubhad_report.h"

#ifndef CRM_ATTRIBUTE
#define CRM_ATTRIBUTE "/usr/sbin/crm_attribute"
#endif
#define BACKOFF_MAX_S 10
#define PUBLISH_RETRY_MS 100
#define CONF_MAX 65536

struct hubhad {
	qb_loop_t *loop;
	struct hubhad_opts opts;
	unsigned tick_ms;
	hubha_cluster_t *cluster;
	int cluster_fd;
	unsigned backoff_s;
	char address[HUBHA_CLUSTER_ADDR_MAX];
	struct hubhad_pg *pg;
	struct hubhad_fencing *fencing;
	struct hubhad_ipc *ipc;
	uint32_t fencing_flags;
	hubha_report_t report;		/* the latest, whether published or not */
	int have_report;
	hubha_report_t published;
	int have_published;
	uint64_t published_ms;		/* monotonic */
	int retry_armed;
	qb_loop_timer_handle tick_timer, reopen_timer, retry_timer;
	struct hubhad_http *http;
	struct cfglue cfengine;
};

static void cluster_open(void *data);
static void try_publish(struct hubhad *d, int force);
static void on_view(hubha_cluster_t *cluster, unsigned events, void *data);

static void arm(struct hubhad *d, unsigned ms, void (*fn)(void *), qb_loop_timer_handle *h)
{
	if (qb_loop_timer_add(d->loop, QB_LOOP_MED, (uint64_t)ms * QB_TIME_NS_IN_MSEC, d, fn, h) != 0)
		qb_log(LOG_ERR, "cannot arm a timer: %s", strerror(errno));
}

static void cluster_lost(struct hubhad *d, int err)
{
	qb_log(LOG_WARNING, "cluster: %s; reopening in %u s", hubha_cluster_strerror(err), d->backoff_s);
	if (d->cluster) {
		qb_loop_poll_del(d->loop, d->cluster_fd);
		hubha_cluster_close(d->cluster);
		d->cluster = NULL;
	}
	arm(d, d->backoff_s * 1000u, cluster_open, &d->reopen_timer);
	d->backoff_s = d->backoff_s * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : d->backoff_s * 2;
}

static int32_t on_cluster(int32_t fd, int32_t revents, void *data)
{
	struct hubhad *d = data;
	int r;

	(void)fd;
	(void)revents;
	r = hubha_cluster_dispatch(d->cluster);
	if (r < 0 && r != -EAGAIN && r != -EINTR)
		cluster_lost(d, r);
	return 0;
}

static void cluster_open(void *data)
{
	struct hubhad *d = data;
	char name[HUBHA_CLUSTER_NAME_MAX] = "";
	uint32_t nodeid = 0;
	int r;

	r = hubha_cluster_open(0, &d->cluster);
	if (r < 0) {
		d->cluster = NULL;
		cluster_lost(d, r);
		return;
	}
	r = hubha_cluster_fd(d->cluster, &d->cluster_fd);
	if (r == 0)
		r = qb_loop_poll_add(d->loop, QB_LOOP_HIGH, d->cluster_fd, POLLIN, d, on_cluster);
	if (r < 0) {
		hubha_cluster_close(d->cluster);
		d->cluster = NULL;
		cluster_lost(d, r);
		return;
	}
	hubha_cluster_set_notify(d->cluster, on_view, d);
	hubha_cluster_local(d->cluster, &nodeid, name);
	if (!d->opts.address[0] && hubhad_nodelist_addr(nodeid, d->address, sizeof(d->address)) < 0)
		qb_log(LOG_WARNING, "no address for node %u in the corosync nodelist: set address=", nodeid);
	qb_log(LOG_NOTICE, "cluster: joined as %s (node %u), address %s", name[0] ? name : "?", nodeid,
	       d->address[0] ? d->address : "not known");
	d->backoff_s = 1;
	d->have_published = 0;
	if (d->have_report)
		try_publish(d, 1);
}

/* Every change of the view: CFEngine follows the active hub. */
static void on_view(hubha_cluster_t *cluster, unsigned events, void *data)
{
	struct hubhad *d = data;
	hubha_hub_t *hubs;
	char msg[512] = "";
	size_t n;
	int say;
	enum cfglue_outcome o;

	(void)events;
	if (!d->cfengine.statedir[0] || hubha_cluster_hubs(cluster, &hubs, &n) < 0)
		return;
	o = cfglue_update(&d->cfengine, hubs, n, msg, sizeof(msg), &say);
	hubha_cluster_hubs_free(hubs);
	if (say)
		qb_log(o == CFGLUE_WRITTEN || o == CFGLUE_UNCHANGED ? LOG_NOTICE : LOG_WARNING, "cfengine: %s", msg);
}

static void on_retry(void *data)
{
	struct hubhad *d = data;

	d->retry_armed = 0;
	try_publish(d, 1);
}

/* Publishes the latest report when it changed, when the interval is up, or
 * when forced (a new connection, a retry). */
static void try_publish(struct hubhad *d, int force)
{
	uint64_t now = hubha_now_ms();
	struct timespec ts;
	int r;

	if (!d->cluster || !d->have_report)
		return;
	if (!force && d->have_published && !hubhad_report_changed(&d->published, &d->report) &&
	    now - d->published_ms + d->tick_ms / 2 < d->opts.interval_ms)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	d->report.time_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	r = hubha_cluster_publish(d->cluster, &d->report);
	if (r == -EAGAIN) {
		if (!d->retry_armed) {
			d->retry_armed = 1;
			arm(d, PUBLISH_RETRY_MS, on_retry, &d->retry_timer);
		}
		return;
	}
	if (r < 0) {
		cluster_lost(d, r);
		return;
	}
	if (d->have_published && d->published.role != d->report.role)
		qb_log(LOG_NOTICE, "role: %s", d->report.role == HUBHA_ROLE_PRIMARY ? "primary" :
		       d->report.role == HUBHA_ROLE_STANDBY ? "standby" : "unknown");
	d->published = d->report;
	d->have_published = 1;
	d->published_ms = now;
}

static void take_report(struct hubhad *d, const hubha_report_t *pg)
{
	hubha_report_t r = *pg;

	r.services = hubhad_services();
	r.flags = (r.flags & ~(HUBHA_REPORT_FENCING_KNOWN | HUBHA_REPORT_FENCING_DISABLED)) | d->fencing_flags;
	r.interval_ms = d->opts.interval_ms;
	snprintf(r.address, sizeof(r.address), "%s", d->address);
	qb_log(LOG_DEBUG, "report: role %d, state %d, timeline %u, lsn %" PRIX64 ", receive %" PRIX64
	       ", lag %u ms, receiver %d, flags %#x, %u standbys", r.role, r.pg_state, r.timeline, r.lsn,
	       r.receive_lsn, r.replay_lag_ms, r.wal_receiver, r.flags, r.n_standbys);
	d->report = r;
	d->have_report = 1;
	try_publish(d, 0);
}

static void on_pg(const hubha_report_t *pg, void *data)
{
	take_report(data, pg);
}

static void on_fencing(uint32_t flags, void *data)
{
	struct hubhad *d = data;

	if (flags != d->fencing_flags && (flags & HUBHA_REPORT_FENCING_DISABLED))
		qb_log(LOG_WARNING, "stonith-enabled=false in the CIB");
	d->fencing_flags = flags;
}

static void on_tick(void *data)
{
	struct hubhad *d = data;

	if (d->opts.postgresql) {
		hubhad_pg_poll(d->pg);
	} else {
		hubha_report_t none = { .role = HUBHA_ROLE_NONE, .replay_lag_ms = UINT32_MAX };

		take_report(d, &none);
	}
	hubhad_fencing_tick(d->fencing);
	arm(d, d->tick_ms, on_tick, &d->tick_timer);
}

/* What this hubhad knows now; without corosync it knows nothing current. */
static int encode_view(uint8_t *buf, size_t size, size_t *ret_len, void *data)
{
	struct hubhad *d = data;
	hubha_hub_t *hubs;
	uint32_t nodeid = 0;
	size_t n;
	int quorate = 0, r;

	if (!d->cluster)
		return -ENOTCONN;
	if ((r = hubha_cluster_quorate(d->cluster, &quorate)) < 0 ||
	    (r = hubha_cluster_local(d->cluster, &nodeid, NULL)) < 0 ||
	    (r = hubha_cluster_hubs(d->cluster, &hubs, &n)) < 0)
		return r;
	r = hubha_wire_encode_view(hubs, n, nodeid, quorate, buf, size, ret_len);
	hubha_cluster_hubs_free(hubs);
	return r;
}

/* A local agent's monitor: its own query, on hubhad's connection. */
static int probe_start(uint64_t nonce, void *token, void *data)
{
	struct hubhad *d = data;

	return hubhad_pg_probe(d->pg, nonce, hubhad_ipc_probe_reply, token);
}

static void ipc_start(struct hubhad *d)
{
	gid_t group = HUBHAD_IPC_NO_GROUP;
	int r;

	if (d->opts.ipc_group[0]) {
		struct group *g = getgrnam(d->opts.ipc_group);

		if (g)
			group = g->gr_gid;
		else
			qb_log(LOG_WARNING, "ipc_group %s: no such group; only root reads the local view",
			       d->opts.ipc_group);
	}
	r = hubhad_ipc_new(d->loop, HUBHA_IPC_SERVICE, group, encode_view, d, &d->ipc);
	/* Publishing is the job; local readers then fall back to corosync. */
	if (r < 0)
		qb_log(LOG_WARNING, "cannot serve the local view: %s", strerror(-r));
	else if (d->opts.postgresql && d->pg)
		hubhad_ipc_set_probe(d->ipc, probe_start, d);
}

static void cfengine_start(struct hubhad *d)
{
	const struct hubhad_opts *o = &d->opts;
	int r;

	if (!o->cfengine_statedir[0] || !o->cfengine_ha_info[0]) {
		if (o->cfengine_statedir[0] || o->cfengine_ha_info[0])
			qb_log(LOG_WARNING, "cfengine: set both cfengine_statedir and cfengine_ha_info; master_hub.dat not kept");
		return;
	}
	snprintf(d->cfengine.statedir, sizeof(d->cfengine.statedir), "%s", o->cfengine_statedir);
	snprintf(d->cfengine.ha_info, sizeof(d->cfengine.ha_info), "%s", o->cfengine_ha_info);
	snprintf(d->cfengine.htdocs, sizeof(d->cfengine.htdocs), "%s", o->cfengine_htdocs);
	qb_log(LOG_NOTICE, "cfengine: keeping %s/master_hub.dat from %s", o->cfengine_statedir, o->cfengine_ha_info);
	r = cfglue_ha_enabled(&d->cfengine);
	if (r < 0)
		qb_log(LOG_WARNING, "cfengine: %s/ha_enabled: %s", o->cfengine_htdocs,
		       r == -EPERM ? "refused: a symlink, or a directory someone other than root may write" : strerror(-r));
}

static int32_t on_signal(int32_t sig, void *data)
{
	struct hubhad *d = data;

	qb_log(LOG_NOTICE, "signal %d: exiting", sig);
	qb_loop_stop(d->loop);
	return 0;
}

/* Root reads its configuration only from a file, and a directory, that no
 * one else can write. */
static int read_conf(const char *path, int given, struct hubhad_opts *opts)
{
	char *dir_copy = strdup(path), err[256], *text;
	struct stat st;
	ssize_t n;
	int fd, r = 0;

	if (!dir_copy)
		return -ENOMEM;
	if (stat(dirname(dir_copy), &st) == 0 && ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022))) {
		fprintf(stderr, "hubhad: %s: its directory may be written by others: not read\n", path);
		free(dir_copy);
		return -EPERM;
	}
	free(dir_copy);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !given)
			return 0;
		fprintf(stderr, "hubhad: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & 022) || st.st_size >= CONF_MAX) {
		fprintf(stderr, "hubhad: %s: not a regular file of ours, writable only by its owner, under 64 KiB: not read\n",
			path);
		close(fd);
		return -EPERM;
	}
	text = calloc(1, (size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, text, (size_t)st.st_size);
	close(fd);
	if (n < 0 || memchr(text, '\0', (size_t)n))
		r = -EINVAL;
	else if (hubhad_conf_parse(text, opts, err, sizeof(err)) < 0) {
		fprintf(stderr, "hubhad: %s: %s\n", path, err);
		r = -EINVAL;
	}
	free(text);
	return r;
}

static void usage(FILE *out)
{
	fputs("usage: hubhad [--config FILE] [--interval MS] [--pghost DIR] [--pgport PORT] [--pguser USER]\n"
	      "              [--address ADDRESS] [--no-postgresql] [--http-listen ADDRESS:PORT] [--foreground] [--debug]\n", out);
}

static int parse_args(int argc, char **argv, struct hubhad_opts *opts, int *foreground, int *debug)
{
	static const struct option lopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "interval", required_argument, NULL, 'i' },
		{ "pghost", required_argument, NULL, 'H' },
		{ "pgport", required_argument, NULL, 'p' },
		{ "pguser", required_argument, NULL, 'U' },
		{ "address", required_argument, NULL, 'a' },
		{ "no-postgresql", no_argument, NULL, 'n' },
		{ "http-listen", required_argument, NULL, 'L' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const keys[256] = {
		['i'] = "interval", ['H'] = "pghost", ['p'] = "pgport", ['U'] = "pguser", ['a'] = "address",
		['L'] = "http_listen",
	};
	const char *conf = HUBHAD_CONF;
	char err[256];
	int c, given = 0, r;

	/* The file first, then the command line over it. */
	for (c = 1; c < argc; c++) {
		if (strcmp(argv[c], "--config") == 0 && c + 1 < argc) {
			conf = argv[c + 1];
			given = 1;
		} else if (strncmp(argv[c], "--config=", 9) == 0) {
			conf = argv[c] + 9;
			given = 1;
		}
	}
	r = read_conf(conf, given, opts);
	if (r < 0)
		return r;
	while ((c = getopt_long(argc, argv, "fh", lopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			break;
		case 'n':
			opts->postgresql = 0;
			break;
		case 'f':
			*foreground = 1;
			break;
		case 'd':
			*debug = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'i': case 'H': case 'p': case 'U': case 'a': case 'L':
			if (hubhad_opt_set(opts, keys[c], optarg, err, sizeof(err)) < 0) {
				fprintf(stderr, "hubhad: --%s\n", err);
				return -EINVAL;
			}
			break;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hubhad: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static void log_setup(int foreground, int debug)
{
	int level = debug ? LOG_DEBUG : LOG_INFO;

	qb_log_init("hubhad", LOG_DAEMON, level);
	/* In the foreground (systemd, a Pacemaker resource) stderr is the log;
	 * as a daemon, syslog. */
	if (foreground) {
		qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
		qb_log_filter_ctl(QB_LOG_STDERR, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", level);
		qb_log_format_set(QB_LOG_STDERR, "%t %N[%P] %p: %b");
		qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_TRUE);
	} else {
		qb_log_filter_ctl(QB_LOG_SYSLOG, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", level);
		qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_TRUE);
	}
}

int main(int argc, char **argv)
{
	struct hubhad d = { .backoff_s = 1, .cluster_fd = -1 };
	qb_loop_signal_handle sh;
	int foreground = 0, debug = 0, r;

	hubhad_opts_default(&d.opts);
	if (parse_args(argc, argv, &d.opts, &foreground, &debug) < 0)
		return 2;
	snprintf(d.address, sizeof(d.address), "%s", d.opts.address);
	/* PostgreSQL is read twice per interval, capped at once a second: a
	 * change goes out within a second, not an interval. */
	d.tick_ms = d.opts.interval_ms / 2 > 1000 ? 1000 : d.opts.interval_ms / 2;
	if (!foreground && daemon(0, 0) < 0) {
		fprintf(stderr, "hubhad: cannot become a daemon: %s\n", strerror(errno));
		return 1;
	}
	log_setup(foreground, debug);
	signal(SIGPIPE, SIG_IGN);
	d.loop = qb_loop_create();
	if (!d.loop) {
		qb_log(LOG_ERR, "cannot create the main loop");
		return 1;
	}
	r = hubhad_fencing_new(d.loop, CRM_ATTRIBUTE, on_fencing, &d, &d.fencing);
	if (r == 0 && d.opts.postgresql)
		r = hubhad_pg_new(d.loop, &d.opts, on_pg, &d, &d.pg);
	if (r < 0) {
		qb_log(LOG_ERR, "cannot start: %s", strerror(-r));
		return 1;
	}
	qb_loop_signal_add(d.loop, QB_LOOP_HIGH, SIGTERM, &d, on_signal, &sh);
	qb_loop_signal_add(d.loop, QB_LOOP_HIGH, SIGINT, &d, on_signal, &sh);
	if (d.opts.postgresql)
		qb_log(LOG_NOTICE, "starting: PostgreSQL at %s:%s as %s, every %u ms", d.opts.pghost, d.opts.pgport,
		       d.opts.pguser, d.opts.interval_ms);
	else
		qb_log(LOG_NOTICE, "starting: no PostgreSQL on this node, every %u ms", d.opts.interval_ms);
	if (d.opts.http_listen[0] && (r = hubhad_http_start(d.loop, d.opts.http_listen, &d.cluster, &d.http)) < 0)
		return r == -EINVAL ? 2 : 1;
	ipc_start(&d);
	cfengine_start(&d);
	cluster_open(&d);
	on_tick(&d);
	qb_loop_run(d.loop);

	hubhad_http_stop(d.http);

	/* The probes still waiting are answered while their connections exist. */
	hubhad_pg_free(d.pg);
	hubhad_ipc_free(d.ipc);
	hubhad_fencing_free(d.fencing);
	if (d.cluster)
		hubha_cluster_close(d.cluster);
	qb_loop_destroy(d.loop);
	qb_log_fini();
	return 0;
}

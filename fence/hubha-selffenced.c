/*
 * hubha-selffenced — on a hub without a fence device, make the node safe to
 * be declared fenced: when it loses quorum (or loses corosync), within
 * --bound-ms it kills the local PostgreSQL (the postmaster proven by /proc
 * identity, and its children), removes the shared addresses and runs a hook
 * that stops hub services.  A watchdog, when given, is petted only while the
 * node is quorate and this loop ticks on time.  fence_hubha_selffence, on the
 * survivor, relies on the bound.  See hubha-selffenced(8).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/watchdog.h>

#include <corosync/corotypes.h>
#include <corosync/quorum.h>
#include <qb/qbloop.h>
#include <qb/qblog.h>

#include <hubha/deadline.h>
#include <hubha/netlink.h>

#include "selffence_decide.h"
#include "selffence_pg.h"

#define NAME "hubha-selffenced"
#define MAX_VIPS 8
/* How long a kill waits for the postmaster to be gone before the next tick tries again. */
#define KILL_WAIT_MS 200

static struct {
	unsigned bound_ms, interval_ms;
	const char *pgdata, *hook, *watchdog;
	const char *vip_text[MAX_VIPS];
	struct hubha_addr vip[MAX_VIPS];
	unsigned n_vips;
} opt = { .bound_ms = 5000, .interval_ms = 500 };

static struct {
	qb_loop_t *loop;
	qb_loop_timer_handle timer;
	quorum_handle_t qh;
	int qfd;
	bool connected, quorate;
	uint64_t lost_at_ms, last_tick_ms;
	bool clean, hook_done, overdue_logged, fence_logged;
	int wd_fd;
	bool wd_device;
} st = { .qfd = -1, .wd_fd = -1 };

static void tick(void);

static void lose(const char *why)
{
	if (st.connected && st.quorate) {
		st.lost_at_ms = hubha_now_ms();
		st.clean = st.hook_done = st.overdue_logged = st.fence_logged = false;
		qb_log(LOG_CRIT, "%s: self-fencing within %u ms", why, opt.bound_ms);
	}
}

static void quorum_notify(quorum_handle_t h, uint32_t quorate, uint64_t ring_seq, uint32_t n, uint32_t *view)
{
	(void)h;
	(void)view;
	qb_log(LOG_INFO, "quorum: %s (ring %llu, %u members)", quorate ? "quorate" : "NOT quorate",
	       (unsigned long long)ring_seq, n);
	if (!quorate)
		lose("Quorum lost");
	else if (!st.quorate)
		qb_log(LOG_NOTICE, "Quorum regained");
	st.quorate = quorate;
}

static void disconnect(const char *why)
{
	if (!st.connected)
		return;
	lose(why);
	qb_loop_poll_del(st.loop, st.qfd);
	quorum_finalize(st.qh);
	st.connected = false;
	st.quorate = false;
	st.qfd = -1;
}

static int32_t quorum_ready(int32_t fd, int32_t revents, void *data)
{
	(void)fd;
	(void)data;
	if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
		disconnect("Lost the connection to corosync");
	} else {
		cs_error_t e = quorum_dispatch(st.qh, CS_DISPATCH_ALL);

		if (e != CS_OK)
			disconnect("Lost the connection to corosync");
	}
	/* A loss is acted on at once, not at the next tick. */
	if (!(st.connected && st.quorate))
		tick();
	return 0;
}

static void try_connect(void)
{
	quorum_callbacks_t cb = { .quorum_notify_fn = quorum_notify };
	uint32_t type;
	int q = 0;

	if (quorum_initialize(&st.qh, &cb, &type) != CS_OK)
		return;
	if (quorum_getquorate(st.qh, &q) != CS_OK || quorum_trackstart(st.qh, CS_TRACK_CHANGES) != CS_OK ||
	    quorum_fd_get(st.qh, &st.qfd) != CS_OK ||
	    qb_loop_poll_add(st.loop, QB_LOOP_HIGH, st.qfd, POLLIN, NULL, quorum_ready) != 0) {
		quorum_finalize(st.qh);
		st.qfd = -1;
		return;
	}
	st.connected = true;
	st.quorate = q;
	qb_log(LOG_NOTICE, "Connected to corosync: %s", q ? "quorate" : "NOT quorate");
}

static void run_hook(unsigned budget_ms)
{
	struct hubha_deadline end = hubha_deadline_in(budget_ms);
	struct timespec poll_ts = { .tv_nsec = 10 * 1000000 };
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		qb_log(LOG_ERR, "Cannot run the hook: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", opt.hook, (char *)NULL);
		_exit(127);
	}
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (hubha_deadline_passed(end)) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			qb_log(LOG_ERR, "The hook did not finish in %u ms: killed", budget_ms);
			return;
		}
		nanosleep(&poll_ts, NULL);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		qb_log(LOG_NOTICE, "The hook ran (+%llu ms)", (unsigned long long)(hubha_now_ms() - st.lost_at_ms));
	else
		qb_log(LOG_ERR, "The hook failed (wait status %#x)", (unsigned)status);
}

/* One pass: PostgreSQL dead, addresses gone.  True when both hold. */
static bool fence_pass(void)
{
	char err[512];
	bool clean = true;
	int r;

	if (opt.pgdata) {
		r = sf_pg_kill(opt.pgdata, KILL_WAIT_MS, err, sizeof(err));
		if (r != 0) {
			qb_log(LOG_ERR, "PostgreSQL of %s: %s", opt.pgdata, err);
			clean = false;
		}
	}
	if (opt.n_vips) {
		struct hubha_nl *nl;

		r = hubha_nl_open(&nl);
		if (r < 0) {
			qb_log(LOG_ERR, "Cannot open rtnetlink: %s", strerror(-r));
			return false;
		}
		for (unsigned i = 0; i < opt.n_vips; i++) {
			struct hubha_addr_info info;

			r = hubha_nl_addr_find(nl, &opt.vip[i], &info);
			if (r == 0) {
				r = hubha_nl_addr_del(nl, info.ifindex, &opt.vip[i], info.prefixlen);
				if (r == 0 || r == -EADDRNOTAVAIL)
					qb_log(LOG_NOTICE, "Removed %s (+%llu ms)", opt.vip_text[i],
					       (unsigned long long)(hubha_now_ms() - st.lost_at_ms));
			}
			if (r < 0 && r != -ENOENT && r != -EADDRNOTAVAIL) {
				qb_log(LOG_ERR, "Cannot remove %s: %s", opt.vip_text[i], strerror(-r));
				clean = false;
			}
		}
		hubha_nl_close(nl);
	}
	return clean;
}

static void pet(void)
{
	if (st.wd_fd >= 0 && write(st.wd_fd, "1", 1) < 0 && errno != EAGAIN)
		qb_log(LOG_ERR, "Cannot pet the watchdog %s: %s", opt.watchdog, strerror(errno));
}

static void tick(void)
{
	struct sf_daemon_in in = {
		.connected = st.connected, .quorate = st.quorate, .lost_at_ms = st.lost_at_ms,
		.now_ms = hubha_now_ms(), .bound_ms = opt.bound_ms, .clean = st.clean, .hook_done = st.hook_done,
		.last_tick_ms = st.last_tick_ms, .interval_ms = opt.interval_ms,
	};
	struct sf_daemon_out out;

	sf_daemon_decide(&in, &out);
	if (out.pet)
		pet();
	if (!out.fence)
		return;
	if (fence_pass()) {
		if (!st.clean)
			qb_log(LOG_CRIT, "Self-fenced: PostgreSQL stopped, addresses removed (+%llu ms of %u)",
			       (unsigned long long)(hubha_now_ms() - st.lost_at_ms), opt.bound_ms);
		st.clean = true;
	}
	if (out.run_hook) {
		if (opt.hook)
			run_hook(out.hook_budget_ms);
		st.hook_done = true;
	}
	if (out.overdue && !st.overdue_logged) {
		qb_log(LOG_EMERG, "Not self-fenced within %u ms of the loss: a survivor's confirmation is now false",
		       opt.bound_ms);
		st.overdue_logged = true;
	}
}

static void timer_fired(void *data)
{
	(void)data;
	if (!st.connected)
		try_connect();
	tick();
	st.last_tick_ms = hubha_now_ms();
	qb_loop_timer_add(st.loop, QB_LOOP_HIGH, (uint64_t)opt.interval_ms * 1000000u, NULL, timer_fired, &st.timer);
}

static int32_t stop_signal(int32_t sig, void *data)
{
	(void)data;
	qb_log(LOG_NOTICE, "Signal %d: stopping", sig);
	qb_loop_stop(st.loop);
	return 0;
}

static int open_watchdog(void)
{
	struct stat s;
	int timeout;

	/* O_NONBLOCK: a FIFO without a reader fails at once rather than hanging the start. */
	st.wd_fd = open(opt.watchdog, O_WRONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
	if (st.wd_fd < 0 || fstat(st.wd_fd, &s) < 0) {
		fprintf(stderr, NAME ": cannot open the watchdog %s: %s\n", opt.watchdog, strerror(errno));
		return -1;
	}
	st.wd_device = S_ISCHR(s.st_mode);
	if (st.wd_device && ioctl(st.wd_fd, WDIOC_GETTIMEOUT, &timeout) == 0 &&
	    (unsigned)timeout * 1000u > opt.bound_ms) {
		/* The watchdog is the backstop of the bound: it must fire within it. */
		fprintf(stderr, NAME ": the watchdog's timeout (%d s) exceeds --bound-ms=%u\n", timeout, opt.bound_ms);
		/* Disarm what opening armed; if even that fails the node resets, which is safe. */
		if (write(st.wd_fd, "V", 1) < 0)
			fprintf(stderr, NAME ": cannot disarm the watchdog: %s\n", strerror(errno));
		close(st.wd_fd);
		return -1;
	}
	return 0;
}

static int parse_ms(const char *name, const char *text, unsigned min, unsigned max, unsigned *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || !*text || *end || v < (long)min || v > (long)max) {
		fprintf(stderr, NAME ": --%s=%s must be %u..%u\n", name, text, min, max);
		return -1;
	}
	*ret = (unsigned)v;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: " NAME " [--bound-ms MS] [--interval-ms MS] [--pgdata DIR] [--vip ADDR]...\n"
		   "                        [--hook COMMAND] [--watchdog PATH]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "bound-ms", required_argument, NULL, 'b' }, { "interval-ms", required_argument, NULL, 'i' },
		{ "pgdata", required_argument, NULL, 'D' }, { "vip", required_argument, NULL, 'a' },
		{ "hook", required_argument, NULL, 'x' }, { "watchdog", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (parse_ms("bound-ms", optarg, 500, 600000, &opt.bound_ms) < 0)
				return 2;
			break;
		case 'i':
			if (parse_ms("interval-ms", optarg, 50, 10000, &opt.interval_ms) < 0)
				return 2;
			break;
		case 'D':
			if (optarg[0] != '/') {
				fprintf(stderr, NAME ": --pgdata must be an absolute path\n");
				return 2;
			}
			opt.pgdata = optarg;
			break;
		case 'a':
			if (opt.n_vips == MAX_VIPS || hubha_addr_parse(optarg, &opt.vip[opt.n_vips]) < 0) {
				fprintf(stderr, NAME ": --vip=%s: an IPv4 or IPv6 address (at most %d)\n", optarg,
					MAX_VIPS);
				return 2;
			}
			opt.vip_text[opt.n_vips++] = optarg;
			break;
		case 'x':
			opt.hook = optarg;
			break;
		case 'w':
			opt.watchdog = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	/* Petting must stop well before the bound, or the watchdog cannot back it. */
	if (opt.interval_ms * 2 > opt.bound_ms) {
		fprintf(stderr, NAME ": --interval-ms=%u must be at most half of --bound-ms=%u\n", opt.interval_ms,
			opt.bound_ms);
		return 2;
	}
	if (opt.watchdog && open_watchdog() < 0)
		return 1;

	qb_log_init(NAME, LOG_DAEMON, LOG_INFO);
	qb_log_format_set(QB_LOG_STDERR, "%T %N: %p: %b");
	qb_log_filter_ctl(QB_LOG_STDERR, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", LOG_INFO);
	qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_TRUE);

	st.loop = qb_loop_create();
	if (!st.loop) {
		qb_log(LOG_ERR, "Cannot create the main loop");
		return 1;
	}
	qb_loop_signal_add(st.loop, QB_LOOP_HIGH, SIGTERM, NULL, stop_signal, NULL);
	qb_loop_signal_add(st.loop, QB_LOOP_HIGH, SIGINT, NULL, stop_signal, NULL);
	/* Until corosync says otherwise the node has no quorum: a start without it is a loss. */
	st.lost_at_ms = hubha_now_ms();
	try_connect();
	if (!(st.connected && st.quorate))
		qb_log(LOG_CRIT, "Started without quorum: self-fencing within %u ms", opt.bound_ms);
	st.last_tick_ms = hubha_now_ms();
	tick();
	qb_loop_timer_add(st.loop, QB_LOOP_HIGH, (uint64_t)opt.interval_ms * 1000000u, NULL, timer_fired, &st.timer);
	qb_log(LOG_NOTICE, "Running: bound %u ms, tick %u ms%s%s%s%s", opt.bound_ms, opt.interval_ms,
	       opt.pgdata ? ", pgdata " : "", opt.pgdata ? opt.pgdata : "", opt.watchdog ? ", watchdog " : "",
	       opt.watchdog ? opt.watchdog : "");
	qb_loop_run(st.loop);

	/* A deliberate stop disarms the watchdog; a crash leaves it to fire. */
	if (st.wd_fd >= 0) {
		if (write(st.wd_fd, "V", 1) < 0)
			qb_log(LOG_ERR, "Cannot disarm the watchdog: %s", strerror(errno));
		close(st.wd_fd);
	}
	if (st.connected)
		quorum_finalize(st.qh);
	qb_loop_destroy(st.loop);
	qb_log_fini();
	return 0;
}

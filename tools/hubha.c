/*
 * hubha — the state of the hubs, as every cluster node sees it.
 *
 *   hubha status [--json] [--watch [SECONDS]] [--max-lag BYTES]
 *   hubha wait --until ok|degraded|unknown [--reason TEXT] [--timeout SECONDS] [--max-lag BYTES]
 *   hubha cfengine-module [--ha-info FILE]
 *   hubha ha-info --read FILE | --write FILE|- --hub IP=SHA[,INTERNAL_IP]...
 *
 * Reads libhubha-cluster only (no PostgreSQL client, no XML).  A one-shot
 * status takes the local hubhad's view over IPC; when hubhad cannot give it,
 * it says so on stderr and joins the CPG group to ask the members, as
 * --watch and wait always do.  Exit codes of status: 0 OK, 1 degraded,
 * 2 unknown or cannot read.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hubha/cluster.h>
#include <hubha/deadline.h>

#include "hubha_cfengine_cmd.h"
#include "status_fmt.h"

#define EXIT_DEGRADED 1
#define EXIT_UNKNOWN 2
#define REFRESH_MS 1000

struct cli {
	hubha_health_config_t health;
	int json;
	int watch_s;		/* 0: no --watch */
	hubha_health_t until;
	const char *reason;	/* --reason: wait for this phrase among the reasons */
	int timeout_s;
	int changed;
};

static void usage(FILE *out)
{
	fputs("usage: hubha status [--json] [--watch [SECONDS]] [--max-lag BYTES]\n"
	      "       hubha wait --until ok|degraded|unknown [--reason TEXT] [--timeout SECONDS] [--max-lag BYTES]\n"
	      "       hubha cfengine-module [--ha-info FILE]\n"
	      "       hubha ha-info --read FILE | --write FILE|- --hub IP=SHA[,INTERNAL_IP]...\n",
	      out);
}

static void on_change(hubha_cluster_t *cluster, unsigned events, void *data)
{
	struct cli *cli = data;

	(void)cluster;
	(void)events;
	cli->changed = 1;
}

static int die(int err, const char *what)
{
	fprintf(stderr, "hubha: %s: %s\n", what, hubha_cluster_strerror(err));
	return EXIT_UNKNOWN;
}

/* A view of the cluster now; free view->hubs with hubha_cluster_hubs_free(). */
static int take_view(hubha_cluster_t *cluster, const struct cli *cli, struct hubha_view *view)
{
	hubha_hub_t *hubs = NULL;
	size_t n = 0;
	int r, q;

	memset(view, 0, sizeof(*view));
	r = hubha_cluster_hubs(cluster, &hubs, &n);
	if (r < 0)
		return r;
	r = hubha_cluster_health(cluster, &cli->health, &view->health, &view->reasons);
	if (r < 0) {
		hubha_cluster_hubs_free(hubs);
		return r;
	}
	view->hubs = hubs;
	view->n_hubs = n;
	view->quorate = hubha_cluster_quorate(cluster, &q) == 0 ? q : -1;
	return 0;
}

static int exit_code(hubha_health_t health)
{
	return health == HUBHA_HEALTH_OK ? 0 : health == HUBHA_HEALTH_DEGRADED ? EXIT_DEGRADED : EXIT_UNKNOWN;
}

static int print_view(hubha_cluster_t *cluster, const struct cli *cli)
{
	struct hubha_view view;
	int r = take_view(cluster, cli, &view);

	if (r < 0)
		return die(r, "cannot read the cluster state");
	if (cli->json)
		hubha_fmt_json(stdout, &view);
	else
		hubha_fmt_table(stdout, &view);
	hubha_cluster_hubs_free((hubha_hub_t *)view.hubs);
	fflush(stdout);
	return exit_code(view.health);
}

static int open_cluster(struct cli *cli, hubha_cluster_t **ret_cluster, int *ret_fd)
{
	hubha_cluster_t *cluster;
	int r;

	r = hubha_cluster_open(HUBHA_CLUSTER_ASK, &cluster);
	if (r < 0)
		return r;
	r = hubha_cluster_set_notify(cluster, on_change, cli);
	if (r == 0)
		r = hubha_cluster_fd(cluster, ret_fd);
	/* A member that does not answer in time is shown with what arrived: its
	 * report's age says how old that is. */
	if (r == 0) {
		r = hubha_cluster_refresh(cluster, REFRESH_MS);
		if (r == -ETIMEDOUT)
			r = 0;
	}
	if (r < 0) {
		hubha_cluster_close(cluster);
		return r;
	}
	*ret_cluster = cluster;
	return 0;
}

/* One-shot: hubhad's view in one round trip; corosync's when hubhad cannot
 * give it (not running, stuck, refusing this user, not connected itself). */
static int open_once(struct cli *cli, hubha_cluster_t **ret_cluster)
{
	int fd, r = hubha_cluster_open(HUBHA_CLUSTER_LOCAL, ret_cluster);

	if (r == 0 || r == -EINVAL || r == -ENOMEM)
		return r;
	fprintf(stderr, "hubha: %s; reading corosync instead\n", hubha_cluster_strerror(r));
	return open_cluster(cli, ret_cluster, &fd);
}

static int open_once_default(hubha_cluster_t **ret_cluster)
{
	static struct cli cli;	/* the notify callback keeps it */

	return open_once(&cli, ret_cluster);
}

static void stamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Waits up to ms for cluster input and handles it.  -ENOTCONN: reopen. */
static int pump(hubha_cluster_t *cluster, int fd, unsigned ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r = poll(&p, 1, (int)ms);

	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (r == 0)
		return 0;
	return hubha_cluster_dispatch(cluster);
}

static int cmd_status(struct cli *cli)
{
	hubha_cluster_t *cluster = NULL;
	int fd = -1, r, tty = isatty(STDOUT_FILENO);

	if (!cli->watch_s) {
		r = open_once(cli, &cluster);
		if (r < 0)
			return die(r, "cannot read the cluster state");
		r = print_view(cluster, cli);
		hubha_cluster_close(cluster);
		return r;
	}
	r = open_cluster(cli, &cluster, &fd);
	for (;;) {
		struct hubha_deadline next = hubha_deadline_in((unsigned)cli->watch_s * 1000u);
		char when[32];

		stamp(when, sizeof(when));
		if (tty && !cli->json)
			fputs("\033[H\033[2J", stdout);
		if (!cli->json)
			printf("%s\n", when);
		if (cluster)
			print_view(cluster, cli);
		else
			printf("hubha: cannot read the cluster state: %s\n", hubha_cluster_strerror(r));
		fflush(stdout);
		cli->changed = 0;
		while (!cli->changed && !hubha_deadline_passed(next)) {
			if (!cluster) {
				usleep(hubha_deadline_left_ms(next) * 1000u);
				break;
			}
			r = pump(cluster, fd, hubha_deadline_left_ms(next));
			if (r < 0) {
				hubha_cluster_close(cluster);
				cluster = NULL;
				break;
			}
		}
		if (!cluster)
			r = open_cluster(cli, &cluster, &fd);
	}
}

static int reached(const struct cli *cli, const struct hubha_view *view)
{
	unsigned bit;

	if (view->health != cli->until)
		return 0;
	if (!cli->reason)
		return 1;
	for (bit = 0; bit < 32; bit++) {
		const char *s = hubha_cluster_reason_str((hubha_reason_t)(1u << bit));

		if ((view->reasons & (1u << bit)) && s && strcmp(s, cli->reason) == 0)
			return 1;
	}
	return 0;
}

/* Event-driven: the verdict is taken again after every change, and every
 * 100 ms for what only time changes (a report going stale). */
static int cmd_wait(struct cli *cli)
{
	struct hubha_deadline end = hubha_deadline_in((unsigned)cli->timeout_s * 1000u);
	hubha_cluster_t *cluster;
	struct hubha_view view;
	int fd, r;

	r = open_cluster(cli, &cluster, &fd);
	if (r < 0)
		return die(r, "cannot read the cluster state");
	for (;;) {
		struct timespec ts;

		r = take_view(cluster, cli, &view);
		if (r < 0)
			break;
		if (reached(cli, &view)) {
			clock_gettime(CLOCK_REALTIME, &ts);
			printf("%lld.%03ld ", (long long)ts.tv_sec, ts.tv_nsec / 1000000);
			hubha_fmt_verdict(stdout, &view);
			hubha_cluster_hubs_free((hubha_hub_t *)view.hubs);
			hubha_cluster_close(cluster);
			return 0;
		}
		hubha_cluster_hubs_free((hubha_hub_t *)view.hubs);
		if (hubha_deadline_passed(end)) {
			fprintf(stderr, "hubha: timed out after %d s waiting for %s\n", cli->timeout_s,
				cli->reason ? cli->reason : hubha_fmt_health(cli->until));
			hubha_cluster_close(cluster);
			return 1;
		}
		r = pump(cluster, fd, hubha_deadline_left_ms(end) < 100 ? hubha_deadline_left_ms(end) : 100);
		if (r < 0)
			break;
	}
	hubha_cluster_close(cluster);
	return die(r, "cannot read the cluster state");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "watch", optional_argument, NULL, 'w' },
		{ "max-lag", required_argument, NULL, 'l' },
		{ "until", required_argument, NULL, 'u' },
		{ "reason", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { .until = HUBHA_HEALTH_UNKNOWN, .timeout_s = 60 };
	const char *cmd;
	int c, until_set = 0;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_UNKNOWN : 0;
	}
	cmd = argv[1];
	if (strcmp(cmd, "cfengine-module") == 0)
		return hubha_cmd_cfengine_module(argc - 1, argv + 1, open_once_default);
	if (strcmp(cmd, "ha-info") == 0)
		return hubha_cmd_ha_info(argc - 1, argv + 1);
	if (strcmp(cmd, "status") != 0 && strcmp(cmd, "wait") != 0) {
		fprintf(stderr, "hubha: unknown command '%s'\n", cmd);
		usage(stderr);
		return EXIT_UNKNOWN;
	}
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			cli.json = 1;
			break;
		case 'w':
			/* An optional argument may also be the next word: --watch 5. */
			if (!optarg && optind < argc && argv[optind][0] >= '0' && argv[optind][0] <= '9')
				optarg = argv[optind++];
			cli.watch_s = optarg ? atoi(optarg) : 2;
			if (cli.watch_s <= 0) {
				fprintf(stderr, "hubha: --watch takes a number of seconds > 0\n");
				return EXIT_UNKNOWN;
			}
			break;
		case 'l':
			if (hubha_parse_bytes(optarg, &cli.health.max_lag_bytes) < 0 || !cli.health.max_lag_bytes) {
				fprintf(stderr, "hubha: --max-lag takes bytes > 0 (e.g. 16777216 or 16MB), not '%s'\n", optarg);
				return EXIT_UNKNOWN;
			}
			break;
		case 'u':
			until_set = 1;
			if (strcmp(optarg, "ok") == 0)
				cli.until = HUBHA_HEALTH_OK;
			else if (strcmp(optarg, "degraded") == 0)
				cli.until = HUBHA_HEALTH_DEGRADED;
			else if (strcmp(optarg, "unknown") == 0)
				cli.until = HUBHA_HEALTH_UNKNOWN;
			else {
				fprintf(stderr, "hubha: --until takes ok, degraded or unknown, not '%s'\n", optarg);
				return EXIT_UNKNOWN;
			}
			break;
		case 'r':
			cli.reason = optarg;
			break;
		case 't':
			cli.timeout_s = atoi(optarg);
			if (cli.timeout_s <= 0) {
				fprintf(stderr, "hubha: --timeout takes a number of seconds > 0\n");
				return EXIT_UNKNOWN;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_UNKNOWN;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hubha: unexpected argument '%s'\n", argv[optind]);
		return EXIT_UNKNOWN;
	}
	if (strcmp(cmd, "wait") == 0) {
		if (!until_set) {
			fprintf(stderr, "hubha: wait needs --until ok|degraded|unknown\n");
			return EXIT_UNKNOWN;
		}
		return cmd_wait(&cli);
	}
	signal(SIGPIPE, SIG_IGN);
	return cmd_status(&cli);
}

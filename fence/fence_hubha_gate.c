/*
 * fence_hubha_gate — a PostgreSQL-aware gate for two-node fence races.
 *
 * Configured first in the same fencing level as the real device, on every
 * level: a fence runs the gate, then the device.  When the cluster link of a
 * two-node cluster breaks, both halves stay quorate and both fence; the gate
 * lets the node that deserves to survive (its PostgreSQL is the primary, or
 * its data is ahead of the target's last published location) fence at once,
 * and makes the other wait standby_wait seconds first, so that it is switched
 * off before its own fence goes out.  It never refuses: when the target
 * really is dead, the wait is all the gate costs.
 */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include <hubha/attr.h>
#include <hubha/deadline.h>
#include <hubha/fence.h>
#include <hubha/log.h>
#include <hubha/pg.h>
#include <hubha/run.h>

#include "gate_decide.h"
#include "gate_topology.h"

static const struct hubha_fence_param_def gate_params[] = {
	{ .name = "pgsql_id", .type = "string", .default_value = "cfpgsql", .getopt = "--pgsql-id=[id]",
	  .shortdesc = "Id of the ocf:hubha:pgsql resource: the gate reads its <id>-lsn-location and <id>-status "
		       "node attributes" },
	{ .name = "socketdir", .type = "string", .default_value = "/var/run/postgresql",
	  .getopt = "--socketdir=[path]", .shortdesc = "Unix socket directory of the local PostgreSQL" },
	{ .name = "pgport", .type = "integer", .default_value = "5432", .getopt = "--pgport=[port]",
	  .shortdesc = "Port of the local PostgreSQL" },
	{ .name = "pgdba", .type = "string", .default_value = "postgres", .getopt = "--pgdba=[user]",
	  .shortdesc = "Operating system user and database role the gate connects as (peer authentication)" },
	{ .name = "pgdb", .type = "string", .default_value = "postgres", .getopt = "--pgdb=[name]",
	  .shortdesc = "Database the gate connects to" },
	{ .name = "standby_wait", .type = "integer", .default_value = "15", .getopt = "--standby-wait=[seconds]",
	  .shortdesc = "Seconds a node that does not deserve to survive waits before it lets the fence through; "
		       "with 4 x query_timeout it must stay below the fencing timeout (stonith-timeout, or "
		       "pcmk_off_timeout of this device)" },
	{ .name = "query_timeout", .type = "integer", .default_value = "2", .getopt = "--query-timeout=[seconds]",
	  .shortdesc = "Seconds each question may take: the local PostgreSQL, and each node attribute" },
};

/* No "list": an empty list would make Pacemaker's dynamic-list check refuse every target. */
static const char *const gate_actions[] = { "on", "off", "reboot", "status", "monitor", "validate-all", NULL };

struct gate_conf {
	const char *pgsql_id, *socketdir, *pgdba, *pgdb;
	unsigned pgport, standby_wait_s, query_timeout_s;
};

static const char *param(struct hubha_fence_ctx *ctx, const char *name)
{
	const char *v = hubha_fence_args_get(ctx->args, name);
	char dashed[64];

	/* Command-line spelling: --standby-wait for standby_wait. */
	if (!v && strlen(name) < sizeof(dashed)) {
		strcpy(dashed, name);
		for (char *p = dashed; *p; p++)
			if (*p == '_')
				*p = '-';
		v = hubha_fence_args_get(ctx->args, dashed);
	}
	if (!v)
		for (size_t i = 0; i < sizeof(gate_params) / sizeof(gate_params[0]); i++)
			if (strcmp(gate_params[i].name, name) == 0)
				v = gate_params[i].default_value;
	return v;
}

static int number(struct hubha_fence_ctx *ctx, const char *name, long min, long max, unsigned *ret)
{
	const char *t = param(ctx, name);
	char *end;
	long n;

	errno = 0;
	n = strtol(t, &end, 10);
	if (!*t || *end || errno || n < min || n > max) {
		hubha_fence_reason(ctx, "%s=%s must be %ld..%ld", name, t, min, max);
		return -EINVAL;
	}
	*ret = (unsigned)n;
	return 0;
}

static int conf_read(struct hubha_fence_ctx *ctx, struct gate_conf *c)
{
	c->pgsql_id = param(ctx, "pgsql_id");
	c->socketdir = param(ctx, "socketdir");
	c->pgdba = param(ctx, "pgdba");
	c->pgdb = param(ctx, "pgdb");
	if (!*c->pgsql_id || strpbrk(c->pgsql_id, "/ \t")) {
		hubha_fence_reason(ctx, "pgsql_id=%s is not a resource id", c->pgsql_id);
		return -EINVAL;
	}
	if (c->socketdir[0] != '/') {
		hubha_fence_reason(ctx, "socketdir=%s must be an absolute path", c->socketdir);
		return -EINVAL;
	}
	if (!*c->pgdba || !*c->pgdb) {
		hubha_fence_reason(ctx, "pgdba and pgdb must not be empty");
		return -EINVAL;
	}
	if (number(ctx, "pgport", 1, 65535, &c->pgport) < 0 || number(ctx, "standby_wait", 0, 600, &c->standby_wait_s) < 0 ||
	    number(ctx, "query_timeout", 1, 60, &c->query_timeout_s) < 0)
		return -EINVAL;
	return 0;
}

static int gate_validate(struct hubha_fence_ctx *ctx)
{
	struct gate_conf c;

	return conf_read(ctx, &c) < 0 ? HUBHA_FENCE_ERROR : HUBHA_FENCE_OK;
}

/* The local PostgreSQL's role and location; role unknown when it cannot be asked in time. */
static void ask_postgres(const struct gate_conf *c, struct gate_input *in, char *err, size_t err_len)
{
	struct hubha_pg_target t = {
		.host = c->socketdir, .port = c->pgport, .dbname = c->pgdb, .user = c->pgdba,
		.timeout_ms = c->query_timeout_s * 1000,
	};
	struct hubha_pg_status st;
	struct pg_conn *conn;
	struct passwd *pw;

	if (getuid() == 0 && (pw = getpwnam(c->pgdba))) {
		t.as_uid = pw->pw_uid;
		t.as_gid = pw->pw_gid;
	}
	if (hubha_pg_connect(&t, &conn, err, err_len) < 0)
		return;
	if (hubha_pg_status_get(conn, NULL, NULL, &st, err, err_len) == 0) {
		if (!st.in_recovery) {
			in->role = GATE_ROLE_PRIMARY;
			in->mine = (struct pgsql_location){ st.timeline, st.lsn };
			in->have_mine = true;
		} else {
			uint32_t tl;
			hubha_lsn lsn;

			in->role = GATE_ROLE_STANDBY;
			/* As the pgsql agent publishes it for elections: the newest timeline it has WAL of. */
			if (hubha_pg_location(conn, &tl, &lsn, err, err_len) == 0) {
				in->mine = (struct pgsql_location){ tl, lsn };
				in->have_mine = true;
			}
		}
		hubha_pg_status_clear(&st);
	}
	hubha_pg_close(conn);
}

/* The target's last published location and status, as this node's attrd and CIB hold them. */
static void ask_cluster(const struct gate_conf *c, const char *target, struct gate_input *in, char *peer_loc,
			size_t peer_loc_len, char *err, size_t err_len)
{
	struct hubha_attr_cache *cache;
	char name[256];
	char *v = NULL;

	snprintf(peer_loc, peer_loc_len, "none");
	if (hubha_attr_cache_open(NULL, 0, c->query_timeout_s * 1000, &cache) < 0)
		return;
	snprintf(name, sizeof(name), "%s-lsn-location", c->pgsql_id);
	if (hubha_attr_get(cache, HUBHA_ATTR_PRIVATE, target, name, &v, err, err_len) == 0) {
		snprintf(peer_loc, peer_loc_len, "%s", v);
		in->have_peer = pgsql_location_parse(v, &in->peer) == 0;
		if (!in->have_peer)
			snprintf(peer_loc, peer_loc_len, "unreadable '%.64s'", v);
		free(v);
		v = NULL;
	}
	snprintf(name, sizeof(name), "%s-status", c->pgsql_id);
	if (hubha_attr_get(cache, HUBHA_ATTR_TRANSIENT, target, name, &v, NULL, 0) == 0) {
		in->peer_was_primary = strcmp(v, "PRI") == 0;
		free(v);
	}
	hubha_attr_cache_close(cache);
}

/* The decision goes to syslog; and to stderr, which the fencer logs, when syslog is where hubha_log writes. */
static void say(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int priority, const char *fmt, ...)
{
	const char *fac = getenv("HA_LOGFACILITY"), *file = getenv("HA_LOGFILE");
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	hubha_log(priority, "%s", line);
	if ((fac && *fac && strcmp(fac, "none") != 0) || (file && *file))
		fprintf(stderr, "fence_hubha_gate: %s\n", line);
}

static void sleep_until(struct hubha_deadline d)
{
	unsigned left;

	while ((left = hubha_deadline_left_ms(d)) > 0) {
		struct timespec ts = { .tv_sec = left / 1000, .tv_nsec = (long)(left % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
}

#define CIB_ANSWER_MAX (1u << 20)

/*
 * 0 when the CIB puts the gate in a level with a real device for target; otherwise why not, or why it
 * cannot tell, and the fence is refused: a gate fencing alone would report a node off that nobody
 * switched off.
 */
static int check_topology(const struct gate_conf *c, const char *target, char *why, size_t why_len)
{
	static char *const argv[] = { (char *)"cibadmin", (char *)"--query", (char *)"--xpath",
				      (char *)"//fencing-topology|//primitive[@class='stonith']|//nodes", NULL };
	char err[512] = "", *out = malloc(CIB_ANSWER_MAX);
	size_t len;
	int r;

	if (!out) {
		snprintf(why, why_len, "cannot read the fencing topology: out of memory");
		return -ENOMEM;
	}
	/*
	 * Every valid CIB has <nodes>, so something always matches: cibadmin's "no such object" (105)
	 * is then a failure, as it is for a CIB it cannot reach.
	 */
	r = hubha_run_tool(argv, c->query_timeout_s * 1000, out, CIB_ANSWER_MAX, err, sizeof(err));
	len = strlen(out);
	if (r < 0)
		snprintf(why, why_len, "cannot read the fencing topology: %s", err);
	else if (len >= CIB_ANSWER_MAX - 1)
		snprintf(why, why_len, "cannot read the fencing topology: the CIB's answer exceeds %u bytes",
			 CIB_ANSWER_MAX - 1), r = -EFBIG;
	else
		r = gate_topology_check(out, len, target, "fence_hubha_gate", why, why_len);
	free(out);
	return r;
}

static int gate_fence(struct hubha_fence_ctx *ctx)
{
	struct gate_input in = { .target = ctx->plug, .role = GATE_ROLE_UNKNOWN };
	char pg_err[256] = "", attr_err[256] = "", mine[64] = "none", peer[96], self[65], topo_why[640];
	struct gate_decision d;
	struct gate_conf c;
	struct utsname u;
	uint64_t t0 = hubha_now_ms();

	if (conf_read(ctx, &c) < 0)
		return HUBHA_FENCE_ERROR;
	if (check_topology(&c, ctx->plug, topo_why, sizeof(topo_why)) < 0) {
		say(LOG_ERR, "%s %s: refused: %s", ctx->action, ctx->plug, topo_why);
		hubha_fence_reason(ctx, "Refusing to %s %s: %s", ctx->action, ctx->plug, topo_why);
		return HUBHA_FENCE_ERROR;
	}
	/* Pacemaker names nodes by uname unless corosync's nodelist says otherwise. */
	snprintf(self, sizeof(self), "%s", uname(&u) == 0 ? u.nodename : "");
	in.self = self;
	ask_postgres(&c, &in, pg_err, sizeof(pg_err));
	snprintf(peer, sizeof(peer), "not asked");
	if (in.role != GATE_ROLE_PRIMARY && strcmp(self, ctx->plug) != 0)
		ask_cluster(&c, ctx->plug, &in, peer, sizeof(peer), attr_err, sizeof(attr_err));
	if (in.have_mine)
		pgsql_location_format(in.mine, mine, sizeof(mine));
	/* libpq's messages span lines; the decision is one line. */
	for (char *p = pg_err; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	d = gate_decide(&in);
	say(d.verdict == GATE_PASS ? LOG_NOTICE : LOG_WARNING,
	    "%s %s from %s: %s (%s; local %s at %s%s%s; %s published %s%s) after %llu ms",
	    ctx->action, ctx->plug, self,
	    d.verdict == GATE_PASS ? "letting the fence through now" : "waiting before letting the fence through",
	    d.why, in.role == GATE_ROLE_PRIMARY ? "primary" : in.role == GATE_ROLE_STANDBY ? "standby" : "unknown",
	    mine, pg_err[0] ? ": " : "", pg_err, ctx->plug, peer, in.peer_was_primary ? ", status PRI" : "",
	    (unsigned long long)(hubha_now_ms() - t0));
	if (d.verdict == GATE_WAIT) {
		sleep_until(hubha_deadline_in(c.standby_wait_s * 1000));
		say(LOG_WARNING, "%s %s from %s: waited %u s; letting the fence through", ctx->action, ctx->plug, self,
		    c.standby_wait_s);
	}
	return HUBHA_FENCE_OK;
}

static int gate_run(struct hubha_fence_ctx *ctx)
{
	/* Pacemaker sends off then on to every device of a level: on must succeed. */
	if (strcmp(ctx->action, "off") == 0)
		return gate_fence(ctx);
	/*
	 * A level of two or more devices never gets a reboot (Pacemaker turns it into off, then on):
	 * a gate asked to reboot is fencing alone, and its success would be a lie.
	 */
	if (strcmp(ctx->action, "reboot") == 0) {
		hubha_fence_reason(ctx, "Asked to reboot %s: the gate fences nothing by itself; put it first in a "
			"fencing level with the real device", ctx->plug);
		return HUBHA_FENCE_ERROR;
	}
	/* The gate switches nothing: the target is as the real device left it. */
	return HUBHA_FENCE_OK;
}

static const struct hubha_fence_agent gate_agent = {
	.name = "fence_hubha_gate",
	.shortdesc = "PostgreSQL-aware gate for two-node fence races",
	.longdesc =
		"Decides which node wins a fence race in a two-node cluster that runs an ocf:hubha:pgsql resource. "
		"With two_node: 1 both halves of a broken cluster link stay quorate and each fences the other; "
		"without a gate either may win, and both may die.\n\n"
		"Configure it first in the same fencing level as the real device, on every level (a level "
		"without it bypasses it), e.g. pcs stonith level add 1 node1 gate,power and the same for "
		"node2, or crmsh fencing_topology node1: gate,power node2: gate,power.  Pacemaker then sends it "
		"off (never reboot) and on; on, status and monitor always succeed: the gate switches nothing.  "
		"Outside a level the gate would be a fence device of its own that switches nothing off, so "
		"before every off it reads the fencing topology from the CIB (cibadmin, within query_timeout) "
		"and refuses unless a fencing level applies to the target (by target, target-pattern or "
		"target-attribute) and every such level that lists a fence_hubha_gate device also lists a "
		"fence device of another type; when the CIB cannot be read it refuses too.  It refuses "
		"reboot, which only a device fencing alone receives.\n\n"
		"Asked to fence node X, the gate succeeds at once when this node deserves to survive: its "
		"PostgreSQL, asked over the local socket within query_timeout, is the primary; or it is a "
		"standby whose (timeline, LSN), compared as numbers with the timeline first, is ahead of X's "
		"last published <pgsql_id>-lsn-location (level: the first node name in strcmp order wins, node "
		"names being uname -n).  Otherwise, and whenever it cannot tell (PostgreSQL not answering, X "
		"published nothing, X last published itself as the primary), it waits standby_wait seconds "
		"and then succeeds.  It never refuses: a refusing gate would leave a node that really died "
		"unfenced and its resources unrecovered.  Each decision is logged (syslog, and standard error "
		"for the fencer's log) with the role and the locations it used.\n\n"
		"Safety argument: in a split, the deserving node's gate answers within query_timeout, its "
		"device switches the other node off, and the other node's gate is still waiting, so its fence "
		"never goes out.  This holds only while (1) standby_wait is longer than the deserving node's "
		"decision (up to 4 x query_timeout) plus its device's off time plus the difference between "
		"the two sides' loss detection and fence scheduling (a few seconds; the default 15 s leaves "
		"room for a device that takes several seconds); (2) standby_wait + 4 x query_timeout is below "
		"the gate's fencing timeout (stonith-timeout, or pcmk_off_timeout of the gate device): a "
		"timeout is a failed fence, not a successful one; (3) both nodes reach the same verdict.\n\n"
		"Limits: the peer's location is only as fresh as its last publication.  The pgsql agent "
		"publishes it during elections (pre-promote, cold start) and removes it after a promotion, "
		"and attrd may drop a lost node's values, so in a running cluster a standby usually has no data "
		"on the primary and waits, which is the intended outcome.  When neither node is the primary "
		"and neither has data, both wait and then both fence: the gate then only delays, as no gate "
		"would.  Two primaries (a split brain that already happened) both pass.  A primary whose "
		"PostgreSQL hangs beyond query_timeout counts as unknown and waits.  The cost of the gate is "
		"the wait when the primary's node really crashed: failover is standby_wait later.\n\n"
		"Cluster options: two_node: 1 keeps both halves quorate, so no-quorum-policy never acts in a "
		"two-node split; keep its default (stop), which still stops resources when a third vote "
		"(qdevice) exists and is lost.  priority-fencing-delay (Pacemaker 2.0.4 and later) also favours "
		"the node running the promoted instance, by delaying fences that target it, but it knows "
		"nothing of LSNs and its delay adds to the gate's; use one or the other, not both.",
	.params = gate_params,
	.n_params = sizeof(gate_params) / sizeof(gate_params[0]),
	.actions = gate_actions,
	.run = gate_run,
	.validate = gate_validate,
};

int main(int argc, char **argv)
{
	return hubha_fence_main(&gate_agent, argc, argv);
}

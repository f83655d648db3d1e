/*
 * ocf:hubha:pgsql — promotable PostgreSQL, a drop-in for ocf:heartbeat:pgsql
 * that elects and switches over the way PAF does.
 *
 * With replication every start is a standby start; promotion goes to the
 * standby with the most recent data; the steady-state monitor is one libpq
 * round trip and no process, node attributes being written only on change.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <hubha/log.h>

#include "pgsql.h"
#include "pgsql_probe.h"
#include "pgsql_proc_text.h"


/* How often a wait for the instance looks again. */
#define WAIT_POLL_MS 200
#define STOP_POLL_MS 100
#define PROMOTE_POLL_MS 10
/* At most, of a stop's time: the immediate shutdown, and the wait after a SIGKILL. */
#define IMMEDIATE_MS 10000
#define KILL_WAIT_MS 5000
/* Left to an action after its stop: the STOP attribute, the restart of a demote. */
#define STOP_RESERVE_MS 2000

/* An OCF code in a reason, by name. */
static const char *rc_text(int rc)
{
	const char *name = hubha_ocf_rc_name(rc);

	return name ? name : "an unknown result";
}

static const char *const rep_modes[] = { "none", "async", "sync", NULL };

static int check_slot_name(const char *v, char *reason, size_t len)
{
	if (v[strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_")] != '\0') {
		snprintf(reason, len, "only lower case letters, digits and underscores are allowed");
		return -EINVAL;
	}
	return 0;
}

static int check_abs_path(const char *v, char *reason, size_t len)
{
	if (v[0] != '/') {
		snprintf(reason, len, "an absolute path is expected");
		return -EINVAL;
	}
	return 0;
}

#define STR(n, d, sd, ld) { .name = n, .type = HUBHA_PARAM_STRING, .default_value = d, .shortdesc = sd, .longdesc = ld }
#define PATH(n, d, sd, ld) { .name = n, .type = HUBHA_PARAM_STRING, .default_value = d, .check = check_abs_path, \
			     .shortdesc = sd, .longdesc = ld }
#define INT(n, d, lo, hi, sd, ld) { .name = n, .type = HUBHA_PARAM_INTEGER, .default_value = d, .min = lo, .max = hi, \
				    .shortdesc = sd, .longdesc = ld }
#define BOOL(n, d, sd, ld) { .name = n, .type = HUBHA_PARAM_BOOLEAN, .default_value = d, .shortdesc = sd, .longdesc = ld }
#define COMPAT " Accepted for compatibility with ocf:heartbeat:pgsql; "

static const struct hubha_param_def pgsql_params[] = {
	STR("pgctl", "/usr/bin/pg_ctl", "pg_ctl", "Path to pg_ctl. pg_controldata and pg_rewind are taken from "
	     "the same directory. On Debian: /usr/lib/postgresql/15/bin/pg_ctl."),
	STR("start_opt", NULL, "start_opt", "Options passed to the postmaster (pg_ctl -o) at start."),
	STR("ctl_opt", NULL, "ctl_opt", "Additional pg_ctl options, separated by spaces."),
	STR("psql", "/usr/bin/psql", "psql", COMPAT "the agent talks to PostgreSQL through libpq and never runs psql."),
	PATH("pgdata", "/var/lib/pgsql/data", "pgdata", "Path to the PostgreSQL data directory."),
	STR("pgdba", "postgres", "pgdba", "The operating system user that owns the data directory and runs "
	    "PostgreSQL; also the database user the agent connects as (peer authentication over the socket)."),
	STR("pghost", NULL, "pghost", "Host (or socket directory) the monitor connects to; empty: the socket "
	    "directory (socketdir) or libpq's default."),
	INT("pgport", "5432", 1, 65535, "pgport", "Port PostgreSQL listens on."),
	STR("pglibs", "/usr/lib", "pglibs", COMPAT "ignored."),
	STR("monitor_user", NULL, "monitor_user", "Database user for the monitor; empty: pgdba."),
	STR("monitor_password", NULL, "monitor_password", "Password of monitor_user, if it needs one."),
	STR("monitor_sql", "select now();", "monitor_sql", "An extra statement the monitor runs when it differs "
	    "from the default (select now();); the default costs no second round trip."),
	STR("config", NULL, "Configuration file", "Path to postgresql.conf; empty: pgdata/postgresql.conf."),
	STR("pgdb", "template1", "pgdb", "Database the monitor connects to."),
	STR("logfile", "/dev/null", "logfile", "Server log file (pg_ctl -l)."),
	STR("socketdir", NULL, "socketdir", "Unix socket directory of the server (postmaster -k) and of the "
	    "monitor's connection."),
	INT("stop_escalate", "90", 1, 86400, "stop escalation", "Seconds to wait for a fast shutdown of a "
	    "primary before an immediate one; an instance still alive after that is killed."),
	{ .name = "rep_mode", .type = HUBHA_PARAM_SELECT, .default_value = "none", .options = rep_modes,
	  .shortdesc = "rep_mode", .longdesc = "Replication mode. none: one plain instance, not promotable. "
	  "async or sync: streaming replication; every start is a standby start and promote makes the primary. "
	  "sync: the agent manages synchronous_standby_names on the primary: FIRST 1 of the other node, or ANY "
	  "sync_num of the other nodes when there are several." },
	STR("node_list", NULL, "node list", "All node names, separated by spaces. Used for standby "
	    "attributes, replication slots and synchronous_standby_names."),
	STR("restore_command", NULL, "restore_command", "restore_command for standbys."),
	STR("archive_cleanup_command", NULL, "archive_cleanup_command", "archive_cleanup_command for standbys."),
	STR("recovery_end_command", NULL, "recovery_end_command", "recovery_end_command for standbys."),
	STR("master_ip", NULL, "master ip", "Address standbys stream from: the shared address of the primary. "
	    "Required for replication."),
	INT("master_port", "0", 0, 65535, "master port", "Port standbys connect to at master_ip; 0: pgport."),
	STR("repuser", "postgres", "repuser", "User of the standbys' replication connection."),
	STR("primary_conninfo_opt", NULL, "primary_conninfo_opt", "More primary_conninfo options (not host, "
	    "port, user or application_name), e.g. keepalives_idle=60 keepalives_interval=5 keepalives_count=5.  "
	    "The agent sets connect_timeout=3, so a standby whose connection attempt went to an address that "
	    "no longer answers (master_ip moving during a switchover) tries again within seconds; a "
	    "connect_timeout here replaces it."),
	BOOL("restart_on_promote", "false", "restart_on_promote", "Restart PostgreSQL after promotion."),
	{ .name = "replication_slot_name", .type = HUBHA_PARAM_STRING, .check = check_slot_name,
	  .shortdesc = "replication_slot_name", .longdesc = "Prefix of the replication slots (empty: hubha). "
	  "Each standby streams through its own physical slot on the primary, prefix_nodename (lower case, "
	  "any character but a-z, 0-9 and '_' as '_'; the names ocf:heartbeat:pgsql gives), so a standby "
	  "that was stopped or disconnected catches up from where it was. The node being promoted creates "
	  "the slots of the other nodes of node_list before it leaves recovery, reserving WAL from its last "
	  "restartpoint, which every standby streaming at a failover has passed; the primary creates a slot "
	  "that is missing (a node added to node_list) in its monitor and drops the slots under the prefix "
	  "of nodes no longer listed. Slots that are not the agent's are left alone. A standby holds no slot "
	  "of its own making; those an earlier primary left on it are bounded by max_slot_wal_keep_size like "
	  "every slot, and replaced on promotion once invalidated. To seed a standby by hand so that no WAL "
	  "it needs is removed before it first connects: pg_basebackup -C -S prefix_nodename." },
	BOOL("replication_slots", "true", "replication slots", "Give each standby a replication slot "
	     "(replication_slot_name). false: no slots; a standby then catches up only from what the primary "
	     "still keeps (wal_keep_size) or from an archive (restore_command)."),
	INT("max_slot_wal_keep_size", "4096", -1, 2147483647, "max_slot_wal_keep_size (MB)",
	    "The most WAL, in megabytes, a replication slot may keep on a node (PostgreSQL's "
	    "max_slot_wal_keep_size, written to postgresql.auto.conf at every start), so a standby that is "
	    "gone for good cannot fill the disk; pg_wal then stays within about this plus max_wal_size and "
	    "wal_keep_size. A standby that falls further behind loses its slot (pg_replication_slots."
	    "wal_status = lost): the primary's monitor then reports it as needing a new base backup "
	    "(<resource>-data-status DISCONNECT, the reason in <resource>-no-promote-reason, and "
	    "<resource>-wal-lost naming the slot), and it is never promoted. -1: the agent sets nothing and "
	    "the PostgreSQL configuration decides (its default, -1, keeps WAL without bound)."),
	BOOL("monitor_via_hubhad", "true", "monitor through hubhad", "Let the recurring monitor put its status "
	     "query through hubhad's connection to this PostgreSQL (hubhad(8), over its local IPC service) "
	     "instead of a connection of its own: it then loads no libpq and costs no new backend. hubhad runs "
	     "the query afresh for each monitor, and its answer is used only when it carries the monitor's "
	     "nonce as the server echoed it, and names the postmaster of postmaster.pid, pgdata, and the system "
	     "identifier in pgdata/global/pg_control; otherwise, or when hubhad is not running or does not "
	     "answer within a quarter of the monitor's timeout (at most 2.5 s), the monitor connects itself, as "
	     "it also does with a monitor_sql of its own, with rep_mode=sync on the primary, and on a primary "
	     "with replication slots while a listed standby is not streaming. Through hubhad the monitor does "
	     "not test that PostgreSQL accepts a new connection. false: always connect."),
	BOOL("reseed", "false", "re-seed a standby", "Rebuild, in start, a standby whose WAL the primary "
	     "removed (its node attribute <resource>-wal-lost is set) and that has no archive to catch up "
	     "from (restore_command empty): a fresh pg_basebackup from the primary at master_ip, run as pgdba "
	     "into a new directory beside pgdata (pgdata.reseed), through its slot created anew, and switched in "
	     "only once complete, in one atomic exchange; the directory it replaces is kept as "
	     "pgdata.old-<UTC time> (delete it once it is no longer needed: while one exists no further "
	     "re-seed runs, so copies never pile up). It needs the directory holding pgdata to be writable by "
	     "pgdba (it is on Debian and Red Hat), since nothing there is done as root. It is refused, and the "
	     "standby starts on its old data, when this node may hold data the primary lacks: its control data "
	     "is not a standby's (a primary that crashed or was shut down), or its checkpoint or minimum "
	     "recovery point is ahead of the primary's (timeline, LSN) or past where the primary's timeline "
	     "history left this node's timeline. It runs only in start (at boot, power-on, or "
	     "crm_resource --restart), never under a running standby, and within the start's timeout, which "
	     "must then cover copying the whole database."),
	STR("tmpdir", "/var/lib/pgsql/tmp", "tmpdir", COMPAT "the PGSQL.lock file heartbeat:pgsql keeps there "
	    "is not needed and not created: a crashed primary is recognised from its control data instead, and "
	    "an old primary never rejoins silently (see auto_rewind)."),
	INT("xlog_check_count", "3", 0, 1000, "xlog check count", COMPAT "ignored: promotion follows (timeline, "
	    "LSN) compared across nodes in the pre-promote notification."),
	INT("crm_attr_timeout", "5", 0, 3600, "crm_attribute timeout", "Seconds each crm_attribute or "
	    "attrd_updater run may take before it is killed and the call fails (0: the default, 5)."),
	INT("stop_escalate_in_slave", "90", 1, 86400, "stop escalation on a standby", "As stop_escalate, for a "
	    "standby."),
	BOOL("check_wal_receiver", "false", "check_wal_receiver", "Publish the standby's WAL receiver state as "
	    "the node attribute <resource>-receiver-status (normal, normal (master), ERROR)."),
	BOOL("auto_rewind", "false", "auto_rewind", "When an old primary that crashed starts while another "
	    "primary runs, rewind it with pg_rewind against that primary and let it rejoin as a standby. "
	    "Without it such a start is refused, with a reason, since its timeline may have diverged. "
	    "The rewind runs in start, never in demote: a failed start bans only this node. Before it, "
	    "the primary is made to CHECKPOINT, as pg_rewind needs of a freshly promoted source, and its "
	    "control file must then show the timeline it writes on; after it, this node must be on that "
	    "timeline. While pg_rewind runs the node attribute <resource>-rewind-incomplete (lifetime "
	    "forever) is set: a rewind cut short keeps the node out, with a reason, until its data "
	    "directory is rebuilt and the attribute deleted."),
	BOOL("degrade_to_async", "false", "degrade_to_async", "In sync mode, let the primary fall back to "
	    "asynchronous replication when fewer synchronous standbys are connected than sync_num (with "
	    "the default sync_num=1: when no standby is left). The default keeps the zero-loss guarantee: "
	    "commits wait until a synchronous standby is back."),
	INT("sync_num", "1", 1, 31, "synchronous standbys", "In sync mode with several standbys: how many of "
	    "them confirm each commit. synchronous_standby_names is then ANY sync_num of the other nodes of "
	    "node_list, a quorum commit: losing a standby holds no commit back while sync_num others stream, "
	    "and each of them publishes <resource>-status HS:sync (pg_stat_replication.sync_state quorum); "
	    "with a single standby it is FIRST 1 of it, as with two nodes. A value above the number of "
	    "standbys means all of them. A failover then promotes the most advanced node, and only when the "
	    "locations of at least (nodes in node_list - sync_num) nodes are known: every acknowledged "
	    "commit is on the old primary and on sync_num standbys, so that many nodes include one that "
	    "has it. A node that did not take part counts as unknown even once fenced: fencing "
	    "stops it, it does not bring its WAL back. So with 3 nodes and sync_num=1, losing the primary "
	    "and a standby together promotes nobody (the reason in <resource>-no-promote-reason) until one "
	    "of them is back, or is taken out of node_list to give up what only it had; to stay promotable "
	    "after losing the primary and f standbys, use sync_num=f+1."),
};

static const char *str(struct hubha_ocf_ctx *ctx, const char *n)
{
	return hubha_ocf_params_str(ctx->params, n);
}

/* Resource name without the clone instance suffix, as attributes use it. */
static void resource_name(const char *instance, char *buf, size_t len)
{
	snprintf(buf, len, "%s", instance);
	buf[strcspn(buf, ":")] = '\0';
}

static void node_name(char *buf, size_t len)
{
	const char *n = getenv("OCF_RESKEY_CRM_meta_on_node");
	struct utsname u;

	if (n && *n) {
		snprintf(buf, len, "%s", n);
		return;
	}
	if (uname(&u) == 0) {
		snprintf(buf, len, "%s", u.nodename);
		buf[strcspn(buf, ".")] = '\0';
	} else {
		snprintf(buf, len, "localhost");
	}
}

static int pgsql_load(struct hubha_ocf_ctx *ctx, struct pgsql *pg, char *configbuf, size_t configlen)
{
	const struct hubha_ocf_params *p = ctx->params;
	const char *mode = str(ctx, "rep_mode");
	char tmp[4096];
	struct passwd *pw;

	memset(pg, 0, sizeof(*pg));
	pg->ctx = ctx;
	pg->deadline = hubha_deadline_in(ctx->timeout_ms);
	pg->pgctl = str(ctx, "pgctl");
	pg->pgdata = str(ctx, "pgdata");
	pg->pgdba = str(ctx, "pgdba");
	pg->config = str(ctx, "config");
	if (!pg->config) {
		snprintf(configbuf, configlen, "%s/postgresql.conf", pg->pgdata);
		pg->config = configbuf;
	}
	pg->logfile = str(ctx, "logfile");
	pg->socketdir = str(ctx, "socketdir");
	pg->pghost = str(ctx, "pghost");
	pg->pgdb = str(ctx, "pgdb");
	pg->start_opt = str(ctx, "start_opt");
	pg->ctl_opt = str(ctx, "ctl_opt");
	pg->monitor_user = str(ctx, "monitor_user");
	pg->monitor_password = str(ctx, "monitor_password");
	pg->monitor_sql = str(ctx, "monitor_sql");
	pg->node_list = str(ctx, "node_list");
	pg->master_ip = str(ctx, "master_ip");
	pg->repuser = str(ctx, "repuser");
	pg->primary_conninfo_opt = str(ctx, "primary_conninfo_opt");
	pg->restore_command = str(ctx, "restore_command");
	pg->archive_cleanup_command = str(ctx, "archive_cleanup_command");
	pg->recovery_end_command = str(ctx, "recovery_end_command");
	pg->slot_name = hubha_ocf_params_bool(p, "replication_slots") ? str(ctx, "replication_slot_name") : NULL;
	if (!pg->slot_name && hubha_ocf_params_bool(p, "replication_slots"))
		pg->slot_name = "hubha";
	pg->slot_keep_mb = hubha_ocf_params_int(p, "max_slot_wal_keep_size");
	pg->reseed = hubha_ocf_params_bool(p, "reseed");
	pg->via_hubhad = hubha_ocf_params_bool(p, "monitor_via_hubhad");
	pg->port = hubha_ocf_params_int(p, "pgport");
	pg->master_port = hubha_ocf_params_int(p, "master_port");
	if (!pg->master_port)
		pg->master_port = pg->port;
	pg->attr_timeout_ms = (unsigned)hubha_ocf_params_int(p, "crm_attr_timeout") * 1000u;
	pg->sync_num = (unsigned)hubha_ocf_params_int(p, "sync_num");
	pg->stop_escalate = hubha_ocf_params_int(p, "stop_escalate");
	pg->stop_escalate_in_slave = hubha_ocf_params_int(p, "stop_escalate_in_slave");
	pg->rep_mode = strcmp(mode, "async") == 0 ? REP_ASYNC : strcmp(mode, "sync") == 0 ? REP_SYNC : REP_NONE;
	pg->restart_on_promote = hubha_ocf_params_bool(p, "restart_on_promote");
	pg->check_wal_receiver = hubha_ocf_params_bool(p, "check_wal_receiver");
	pg->auto_rewind = hubha_ocf_params_bool(p, "auto_rewind");
	pg->degrade_to_async = hubha_ocf_params_bool(p, "degrade_to_async");
	snprintf(tmp, sizeof(tmp), "%s", pg->pgctl);
	snprintf(pg->bindir, sizeof(pg->bindir), "%s", dirname(tmp));
	resource_name(ctx->resource, pg->rsc, sizeof(pg->rsc));
	node_name(pg->node, sizeof(pg->node));
	pw = getpwnam(pg->pgdba);
	/* A user missing on this node is this node's installation problem: other nodes may be fine. */
	if (!pw) {
		hubha_ocf_reason(ctx, "pgdba=%s: no such user on this node", pg->pgdba);
		return HUBHA_OCF_ERR_INSTALLED;
	}
	pg->uid = pw->pw_uid;
	pg->gid = pw->pw_gid;
	return HUBHA_OCF_SUCCESS;
}

/* Checks that need only the parameters: run before every action. */
static int pgsql_validate(struct hubha_ocf_ctx *ctx)
{
	const char *mode = str(ctx, "rep_mode");

	if (strcmp(mode, "none") != 0 && !str(ctx, "master_ip")) {
		hubha_ocf_reason(ctx, "rep_mode=%s needs master_ip, the address standbys stream from", mode);
		return HUBHA_OCF_ERR_CONFIGURED;
	}
	return HUBHA_OCF_SUCCESS;
}

/* Checks against this node's files: binaries, data directory, owner. */
static int pgsql_check_install(struct pgsql *pg, bool need_datadir)
{
	struct hubha_ocf_ctx *ctx = pg->ctx;
	struct stat st;

	if (access(pg->pgctl, X_OK) != 0) {
		hubha_ocf_reason(ctx, "pgctl=%s is not an executable: %s", pg->pgctl, strerror(errno));
		return HUBHA_OCF_ERR_INSTALLED;
	}
	if (!need_datadir)
		return HUBHA_OCF_SUCCESS;
	if (stat(pg->pgdata, &st) != 0 || !S_ISDIR(st.st_mode)) {
		hubha_ocf_reason(ctx, "pgdata=%s is not a directory", pg->pgdata);
		return HUBHA_OCF_ERR_INSTALLED;
	}
	if (!pgsql_has_datadir(pg)) {
		hubha_ocf_reason(ctx, "pgdata=%s is not a PostgreSQL data directory (no PG_VERSION)", pg->pgdata);
		return HUBHA_OCF_ERR_CONFIGURED;
	}
	if (st.st_uid != pg->uid) {
		hubha_ocf_reason(ctx, "pgdata=%s is not owned by pgdba=%s", pg->pgdata, pg->pgdba);
		return HUBHA_OCF_ERR_PERM;
	}
	if (access(pg->config, R_OK) != 0) {
		hubha_ocf_reason(ctx, "config=%s cannot be read: %s", pg->config, strerror(errno));
		return HUBHA_OCF_ERR_CONFIGURED;
	}
	return HUBHA_OCF_SUCCESS;
}

/* What a stopped instance's control data says it was. */
static int monitor_stopped(struct pgsql *pg)
{
	struct hubha_ocf_ctx *ctx = pg->ctx;
	struct pgsql_controldata cd;
	int r;

	if (!pgsql_has_datadir(pg))
		return HUBHA_OCF_NOT_RUNNING;
	r = pgsql_controldata(pg, &cd);
	if (r < 0) {
		/* A probe must work with the binaries missing: nothing can run without them. */
		if (ctx->probe)
			return HUBHA_OCF_NOT_RUNNING;
		hubha_ocf_reason(ctx, "Cannot read control data with %s/pg_controldata: %s", pg->bindir, strerror(-r));
		return HUBHA_OCF_ERR_INSTALLED;
	}
	if (pgsql_crashed_primary(pg, &cd) && pg->rep_mode != REP_NONE) {
		hubha_ocf_reason(ctx, "PostgreSQL crashed as primary (control data: in production, no postmaster)");
		return HUBHA_OCF_FAILED_PROMOTED;
	}
	if (pgsql_crashed_primary(pg, &cd) || strcmp(cd.state, "in archive recovery") == 0) {
		hubha_ocf_reason(ctx, "PostgreSQL is not running but did not shut down cleanly (%s)", cd.state);
		return HUBHA_OCF_ERR_GENERIC;
	}
	return HUBHA_OCF_NOT_RUNNING;
}

/*
 * A standby the primary last saw disconnected keeps a negative score and is
 * never promoted on its own; when it is not streaming either, say so where
 * the admin looks.  Runs when the standby stops streaming.
 */
static void explain_unpromotable(struct pgsql *pg)
{
	char *score = NULL;

	if (pgsql_attr_get(pg, HUBHA_ATTR_PROMOTION, NULL, pg->rsc, &score) == 0 && strtol(score, NULL, 10) < 0) {
		char reason[512];

		pgsql_no_promote_reason(pg, NULL, score, reason, sizeof(reason));
		pgsql_publish(pg, false, HUBHA_ATTR_TRANSIENT, NULL, "no-promote-reason", reason, NULL);
	}
	free(score);
}

/*
 * The monitor: pid file, one status query, attributes only on change.
 * ret_status (optional) receives the status, less the standbys, when the
 * instance runs.
 */
static int pgsql_monitor_status(struct pgsql *pg, bool publish_attrs, struct hubha_pg_status *ret_status)
{
	struct hubha_ocf_ctx *ctx = pg->ctx;
	struct hubha_pg_status st;
	char err[512];
	PGconn *conn = NULL;
	pid_t pid;
	int r, rc;

	r = pgsql_postmaster(pg, &pid, err, sizeof(err));
	if (r < 0) {
		hubha_ocf_reason(ctx, "Cannot tell whether PostgreSQL runs: %s", err);
		return HUBHA_OCF_ERR_GENERIC;
	}
	if (!pid)
		return monitor_stopped(pg);
	/* The recurring monitor's query through hubhad when it can be trusted: no connection of its own. */
	if (strcmp(ctx->action, "monitor") == 0 && pgsql_probe_status(pg, pid, &st) == 0)
		goto have_status;
	r = pgsql_connect_local(pg, &conn, err, sizeof(err));
	if (r < 0) {
		hubha_ocf_reason(ctx, "PostgreSQL runs but does not accept connections: %s", err);
		return HUBHA_OCF_ERR_GENERIC;
	}
	r = hubha_pg_status_get(conn, pgsql_listed_standby, pg, &st, err, sizeof(err));
	if (r < 0) {
		hubha_ocf_reason(ctx, "Status query failed: %s", err);
		hubha_pg_close(conn);
		return HUBHA_OCF_ERR_GENERIC;
	}
	if (pg->monitor_sql && strcmp(pg->monitor_sql, "select now();") != 0) {
		r = hubha_pg_exec(conn, pg->monitor_sql, NULL, err, sizeof(err));
		if (r < 0) {
			hubha_ocf_reason(ctx, "monitor_sql failed: %s", err);
			hubha_pg_status_clear(&st);
			hubha_pg_close(conn);
			return HUBHA_OCF_ERR_GENERIC;
		}
	}
have_status:
	if (pg->rep_mode == REP_NONE) {
		rc = HUBHA_OCF_SUCCESS;
	} else if (st.in_recovery) {
		rc = HUBHA_OCF_SUCCESS;
		if (publish_attrs) {
			bool streaming = strcmp(st.receiver, "streaming") == 0;

			/*
			 * While streaming, the primary says whether this standby is sync or async, so
			 * HS:alone is written again when streaming stops.  The score is read only then:
			 * a primary that ranks it lower later explains that itself.
			 */
			if (streaming)
				pgsql_forget_published(pg, HUBHA_ATTR_TRANSIENT, NULL, "status");
			else if (pgsql_publish(pg, true, HUBHA_ATTR_TRANSIENT, NULL, "status", "HS:alone", NULL) == 0)
				explain_unpromotable(pg);
			if (pg->check_wal_receiver)
				pgsql_publish(pg, true, HUBHA_ATTR_TRANSIENT, NULL, "receiver-status",
					streaming ? "normal" : "ERROR", NULL);
		}
	} else {
		rc = HUBHA_OCF_RUNNING_PROMOTED;
		if (publish_attrs)
			pgsql_primary_publish(pg, conn, &st);
	}
	hubha_pg_close(conn);
	hubha_pg_status_clear(&st);
	if (ret_status)
		*ret_status = st;
	return rc;
}

static int pgsql_monitor(struct hubha_ocf_ctx *ctx, struct pgsql *pg)
{
	int rc = pgsql_check_install(pg, false);

	if (rc != HUBHA_OCF_SUCCESS)
		return ctx->probe ? HUBHA_OCF_NOT_RUNNING : rc;
	return pgsql_monitor_status(pg, !ctx->probe, NULL);
}

static int wait_running(struct pgsql *pg, int want, unsigned budget_ms)
{
	struct hubha_deadline d = hubha_deadline_in(pgsql_budget_ms(pg, budget_ms));
	int rc;

	for (;;) {
		unsigned left;

		pg->ctx->reason[0] = '\0';
		rc = pgsql_monitor_status(pg, false, NULL);
		left = hubha_deadline_left_ms(d);
		if (rc == want || left == 0)
			return rc;
		usleep((left < WAIT_POLL_MS ? left : WAIT_POLL_MS) * 1000u);
	}
}

static int start_instance(struct pgsql *pg)
{
	struct hubha_ocf_ctx *ctx = pg->ctx;
	char reason[512], err[1024];
	int r, rc;

	if (pg->rep_mode != REP_NONE) {
		rc = pgsql_rejoin_check(pg);
		if (rc != HUBHA_OCF_SUCCESS)
			return rc;
		if (pgsql_conf_standby(pg, reason, sizeof(reason)) < 0) {
			hubha_ocf_reason(ctx, "%s", reason);
			return HUBHA_OCF_ERR_GENERIC;
		}
	}
	r = pgsql_ctl_start(pg, ctx->timeout_ms, err, sizeof(err));
	if (r != 0) {
		hubha_ocf_reason(ctx, "pg_ctl start failed: %s", err);
		return HUBHA_OCF_ERR_GENERIC;
	}
	rc = wait_running(pg, HUBHA_OCF_SUCCESS, ctx->timeout_ms / 4);
	if (rc != HUBHA_OCF_SUCCESS) {
		if (!ctx->reason[0])
			hubha_ocf_reason(ctx, "PostgreSQL started but is not a running %s (monitor: %s)",
					 pg->rep_mode == REP_NONE ? "instance" : "standby", rc_text(rc));
		return HUBHA_OCF_ERR_GENERIC;
	}
	return HUBHA_OCF_SUCCESS;
}

static int pgsql_start(struct hubha_ocf_ctx *ctx, struct pgsql *pg)
{
	char *score = NULL;
	pid_t pid = 0;
	int rc;

	rc = pgsql_check_install(pg, true);
	if (rc == HUBHA_OCF_SUCCESS)
		rc = pgsql_check_clone(pg);
	if (rc != HUBHA_OCF_SUCCESS)
		return rc;
	rc = pgsql_monitor_status(pg, false, NULL);
	if (rc == HUBHA_OCF_SUCCESS)
		return HUBHA_OCF_SUCCESS;
	if (rc == HUBHA_OCF_RUNNING_PROMOTED) {
		hubha_ocf_reason(ctx, "PostgreSQL already runs as a primary; a start must give a standby");
		return HUBHA_OCF_ERR_GENERIC;
	}
	if (pgsql_postmaster(pg, &pid, NULL, 0) < 0 || pid) {
		hubha_ocf_reason(ctx, "PostgreSQL runs but cannot be monitored: %s", ctx->reason);
		return HUBHA_OCF_ERR_GENERIC;
	}
	ctx->reason[0] = '\0';
	rc = pgsql_reseed(pg);
	if (rc != HUBHA_OCF_SUCCESS)
		return rc;
	rc = start_instance(pg);
	if (rc != HUBHA_OCF_SUCCESS)
		return rc;
	if (pg->rep_mode != REP_NONE) {
		pgsql_publish(pg, false, HUBHA_ATTR_TRANSIENT, NULL, "status", "HS:alone", NULL);
		if (!pgsql_cold_start_scores(pg)) {
			/* A primary runs and will rank us; until then, be eligible. */
			if (pgsql_attr_get(pg, HUBHA_ATTR_PROMOTION, NULL, pg->rsc, &score) == -ENOENT)
				pgsql_publish(pg, false, HUBHA_ATTR_PROMOTION, NULL, NULL, SCORE_UNKNOWN, NULL);
			free(score);
		}
	}
	hubha_log(LOG_INFO, "PostgreSQL started%s", pg->rep_mode != REP_NONE ? " as a standby" : "");
	return HUBHA_OCF_SUCCESS;
}

/* pid of the postmaster still running, 0 once gone, a negative errno when /proc cannot tell. */
static int postmaster_left(struct pgsql *pg, char *err, size_t len)
{
	pid_t pid = 0;
	int r = pgsql_postmaster(pg, &pid, err, len);

	return r < 0 ? r : (int)pid;
}

static int wait_gone(struct pgsql *pg, struct hubha_deadline d, char *err, size_t len)
{
	for (;;) {
		int r = postmaster_left(pg, err, len);
		unsigned left = hubha_deadline_left_ms(d);

		if (r <= 0 || left == 0)
			return r;
		usleep((left < STOP_POLL_MS ? left : STOP_POLL_MS) * 1000u);
	}
}

/* The stop's share of the action's time: the rest is for the action's own work after it. */
static unsigned stop_budget_ms(struct pgsql *pg)
{
	unsigned left = hubha_deadline_left_ms(pg->deadline);

	return left > 2 * STOP_RESERVE_MS ? left - STOP_RESERVE_MS : left / 2;
}

static unsigned min_ms(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

/*
 * Fast shutdown, then immediate, then SIGKILL, all within the action's
 * timeout; only a postmaster proven to serve pgdata is ever signalled.
 */
static int stop_instance(struct pgsql *pg, unsigned escalate_s)
{
	struct hubha_ocf_ctx *ctx = pg->ctx;
	struct hubha_deadline end = hubha_deadline_in(stop_budget_ms(pg));
	unsigned total = hubha_deadline_left_ms(end), left, ms;
	char err[1024], why[1024] = "";
	int r;

	r = postmaster_left(pg, err, sizeof(err));
	if (r <= 0)
		goto done;
	/* The immediate shutdown and the kill keep their share. */
	ms = min_ms(escalate_s * 1000u, total - min_ms(IMMEDIATE_MS + KILL_WAIT_MS, total / 3));
	if (pgsql_ctl_stop(pg, "fast", ms, why, sizeof(why)) == 0)
		why[0] = '\0';
	r = postmaster_left(pg, err, sizeof(err));
	if (r <= 0)
		goto done;
	hubha_log(LOG_WARNING, "Fast shutdown did not finish in %us%s%s: immediate shutdown", ms / 1000,
		  why[0] ? ": " : "", why);
	left = hubha_deadline_left_ms(end);
	ms = min_ms(IMMEDIATE_MS, left - min_ms(KILL_WAIT_MS, left / 2));
	if (pgsql_ctl_stop(pg, "immediate", ms, why, sizeof(why)) == 0)
		why[0] = '\0';
	r = postmaster_left(pg, err, sizeof(err));
	if (r <= 0)
		goto done;
	hubha_log(LOG_ERR, "Immediate shutdown failed%s%s: killing postmaster %d", why[0] ? ": " : "", why, r);
	r = pgsql_postmaster_kill(pg, SIGKILL, err, sizeof(err));
	if (r == 0)
		r = wait_gone(pg, end, err, sizeof(err));
	if (r > 0)
		snprintf(err, sizeof(err), "postmaster %d still runs after SIGKILL", r);
done:
	if (r == 0)
		return HUBHA_OCF_SUCCESS;
	hubha_ocf_reason(ctx, "PostgreSQL would not stop: %s", err);
	return HUBHA_OCF_ERR_GENERIC;
}

static int pgsql_stop(struct hubha_ocf_ctx *ctx, struct pgsql *pg)
{
	struct hubha_pg_status st;
	unsigned escalate;
	int rc;

	rc = pgsql_monitor_status(pg, false, &st);
	escalate = (unsigned)(rc == HUBHA_OCF_SUCCESS && pg->rep_mode != REP_NONE ? pg->stop_escalate_in_slave
										    : pg->stop_escalate);
	ctx->reason[0] = '\0';
	rc = stop_instance(pg, escalate);
	if (rc == HUBHA_OCF_SUCCESS && pg->rep_mode != REP_NONE)
		pgsql_publish(pg, false, HUBHA_ATTR_TRANSIENT, NULL, "status", "STOP", NULL);
	return rc;
}

/*
 * pg_promote(true) looks whether recovery ended every 100 ms, and a promotion
 * takes a few: signal it, then look every PROMOTE_POLL_MS until the deadline.
 */
static int promote_and_wait(PGconn *conn, unsigned budget_ms, char *err, size_t len)
{
	struct hubha_deadline d = hubha_deadline_in(budget_ms);
	char *v = NULL;
	int r;

	r = hubha_pg_exec(conn, "SELECT pg_promote(false)", &v, err, len);
	if (r == 0 && (!v || strcmp(v, "t") != 0)) {
		snprintf(err, len, "the server did not take the promotion request");
		r = -EIO;
	}
	while (r == 0) {
		free(v);
		v = NULL;
		r = hubha_pg_exec(conn, "SELECT pg_is_in_recovery()", &v, err, len);
		if (r < 0 || (v && strcmp(v, "f") == 0))
			break;
		if (hubha_deadline_passed(d)) {
			snprintf(err, len, "not promoted in time");
			r = -ETIMEDOUT;
			break;
		}
		usleep(PROMOTE_POLL_MS * 1000u);
	}
	free(v);
	return r;
}

static int pgsql_promote(struct hubha_ocf_ctx *ctx, struct pgsql *pg)
{
	struct hubha_pg_status st;
	char err[512];
	PGconn *conn;
	int rc, r;

	if (pg->rep_mode == REP_NONE) {
		hubha_ocf_reason(ctx, "rep_mode=none: this resource cannot be promoted");
		return HUBHA_OCF_ERR_CONFIGURED;
	}
	rc = pgsql_check_clone(pg);
	if (rc != HUBHA_OCF_SUCCESS)
		return rc;
	rc = pgsql_monitor_status(pg, false, &st);
	if (rc == HUBHA_OCF_RUNNING_PROMOTED)
		return HUBHA_OCF_SUCCESS;
	if (rc != HUBHA_OCF_SUCCESS) {
		if (!ctx->reason[0])
			hubha_ocf_reason(ctx, "Only a running standby can be promoted (monitor: %s)", rc_text(rc));
		return HUBHA_OCF_ERR_GENERIC;
	}
	rc = pgsql_election(pg);
	if (rc != HUBHA_OCF_SUCCESS)
		return rc;
	if (pg->rep_mode == REP_SYNC) {
		char sname[256], *status = NULL;

		/* Only a standby that was synchronous holds every acknowledged commit. */
		pgsql_attr_name(pg, "status", sname, sizeof(sname));
		if (pgsql_attr_get(pg, HUBHA_ATTR_TRANSIENT, NULL, sname, &status) < 0 || strcmp(status, "HS:sync") != 0)
			hubha_log(LOG_WARNING, "Promoting a standby that was not synchronous (%s): commits acknowledged "
				  "by the old primary may be lost", status ? status : "status unknown");
		free(status);
	}

	r = pgsql_connect_local(pg, &conn, err, sizeof(err));
	if (r < 0) {
		hubha_ocf_reason(ctx, "Cannot connect to promote: %s", err);
		return HUBHA_OCF_ERR_GENERIC;
	}
	rc = pgsql_promote_sync_names(pg, conn, &st);
	if (rc != HUBHA_OCF_SUCCESS) {
		hubha_pg_close(conn);
		return rc;
	}
	pgsql_slots_prepare(pg, conn);
	r = promote_and_wait(conn, ctx->timeout_ms / 2 ? ctx->timeout_ms / 2 : 1000, err, sizeof(err));
	hubha_pg_close(conn);
	if (r < 0) {
		hubha_ocf_reason(ctx, "pg_promote failed: %s", err);
		return HUBHA_OCF_ERR_GENERIC;
	}

	/* Without a restart, the connection that asked for the promotion has seen it end. */
	if (pg->restart_on_promote) {
		rc = stop_instance(pg, (unsigned)pg->stop_escalate);
		if (rc == HUBHA_OCF_SUCCESS && pgsql_ctl_start(pg, ctx->timeout_ms / 2, err, sizeof(err)) != 0) {
			hubha_ocf_reason(ctx, "Restart after promotion failed: %s", err);
			return HUBHA_OCF_ERR_GENERIC;
		}
		rc = wait_running(pg, HUBHA_OCF_RUNNING_PROMOTED, ctx->timeout_ms / 4);
		if (rc != HUBHA_OCF_RUNNING_PROMOTED) {
			if (!ctx->reason[0])
				hubha_ocf_reason(ctx, "Promoted, but the monitor says %s", rc_text(rc));
			return HUBHA_OCF_ERR_GENERIC;
		}
	}
	/*
	 * Nothing the scheduler reads is written here: such a change aborts the
	 * transition, and the post-promote notification and whatever is ordered
	 * after the promotion (the shared address) would wait for a new one.  The
	 * first monitor as primary, started alongside them, publishes PRI, LATEST
	 * and the primary's score, and clears the election's data
	 * (pgsql_primary_publish): each attribute call is a process, and none of
	 * them needs to hold up the shared address.
	 */
	hubha_log(LOG_INFO, "Promoted to primary");
	return HUBHA_OCF_SUCCESS;
}

/*
 * Demote ends the node's writes; a failure here is the costliest of all (the
 * recipes' on-fail=stop stops the resource everywhere, the healthy primary
 * included), so nothing that can fail for another reason runs here:
 * - an instance that is not running (a crashed primary) is demoted already:
 *   Pacemaker stops and starts it next, and the rejoin (pg_rewind) runs in
 *   that start, whose failure bans only this node;
 * - a running primary is shut down cleanly, which is the demotion; starting it
 *   again as a standby is best effort: if that fails the instance stays
 *   stopped, the next monitor reports it, and its recovery is this node's.
 */
static int pgsql_demote(struct hubha_ocf_ctx *ctx, struct pgsql *pg)
{
	struct pgsql_controldata cd;
	char lsn[32];
	pid_t pid;
	int rc;

	rc = pgsql_monitor_status(pg, false, NULL);
	if (rc == HUBHA_OCF_SUCCESS)
		return HUBHA_OCF_SUCCESS;
	if (pgsql_postmaster(pg, &pid, NULL, 0) == 0 && !pid) {
		hubha_log(LOG_INFO, "Demote: PostgreSQL is not running (%s); it rejoins at its next start",
			  ctx->reason[0] ? ctx->reason : "stopped");
		ctx->reason[0] = '\0';
		/* No clean shutdown, no checkpoint to check a switchover against: none from an earlier one either. */
		pgsql_unpublish(pg, HUBHA_ATTR_PRIVATE, NULL, "demote-checkpoint");
		pgsql_publish(pg, false, HUBHA_ATTR_PROMOTION, NULL, NULL, SCORE_UNKNOWN, NULL);
		pgsql_publish(pg, false, HUBHA_ATTR_TRANSIENT, NULL, "status", "STOP", NULL);
		return HUBHA_OCF_SUCCESS;
	}
	ctx->reason[0] = '\0';
	rc = stop_instance(pg, (unsigned)pg->stop_escalate);
	if (rc != HUBHA_OCF_SUCCESS)
		return rc;
	/* The new primary must have received our shutdown checkpoint; tell it where it is. */
	if (pgsql_controldata(pg, &cd) == 0 && strcmp(cd.state, "shut down") == 0) {
		hubha_lsn_format(cd.checkpoint, lsn, sizeof(lsn));
		pgsql_publish(pg, false, HUBHA_ATTR_PRIVATE, NULL, "demote-checkpoint", lsn, NULL);
	} else {
		pgsql_unpublish(pg, HUBHA_ATTR_PRIVATE, NULL, "demote-checkpoint");
	}
	pgsql_publish(pg, false, HUBHA_ATTR_PROMOTION, NULL, NULL, SCORE_UNKNOWN, NULL);
	rc = start_instance(pg);
	if (rc != HUBHA_OCF_SUCCESS) {
		hubha_log(LOG_ERR, "Demoted (shut down), but it did not start as a standby: %s", ctx->reason);
		pgsql_publish(pg, false, HUBHA_ATTR_TRANSIENT, NULL, "status", "STOP", NULL);
		ctx->reason[0] = '\0';
		return HUBHA_OCF_SUCCESS;
	}
	pgsql_publish(pg, false, HUBHA_ATTR_TRANSIENT, NULL, "status", "HS:alone", NULL);
	hubha_log(LOG_INFO, "Demoted: running as a standby");
	return HUBHA_OCF_SUCCESS;
}

/* A running standby publishes where its data ends (private lsn-location): true when it did. */
static bool publish_location(struct pgsql *pg, struct pgsql_location *ret)
{
	char loc[64];

	if (pgsql_monitor_status(pg, false, NULL) != HUBHA_OCF_SUCCESS || pgsql_local_location(pg, ret) < 0)
		return false;
	pgsql_location_format(*ret, loc, sizeof(loc));
	pgsql_publish(pg, false, HUBHA_ATTR_PRIVATE, NULL, "lsn-location", loc, NULL);
	return true;
}

static int pgsql_notify(struct hubha_ocf_ctx *ctx, struct pgsql *pg)
{
	const char *type = getenv("OCF_RESKEY_CRM_meta_notify_type");
	const char *op = getenv("OCF_RESKEY_CRM_meta_notify_operation");
	struct pgsql_location mine = { 0 };
	bool st_ok;

	if (!type || !op)
		return HUBHA_OCF_SUCCESS;
	if (strcmp(type, "post") == 0 && strcmp(op, "promote") == 0) {
		const char *promote = getenv("OCF_RESKEY_CRM_meta_notify_promote_uname");
		const char *demote = getenv("OCF_RESKEY_CRM_meta_notify_demote_uname");
		pid_t pid = 0;

		/* Another node was promoted: a standby here must follow it, and soon (a quorum commit waits). */
		if (promote && *promote && !pgsql_listed(promote, pg->node) && pg->rep_mode != REP_NONE &&
		    pgsql_postmaster(pg, &pid, NULL, 0) == 0 && pid)
			pgsql_receiver_renew(pg, demote && pgsql_listed(demote, pg->node));
		return HUBHA_OCF_SUCCESS;
	}
	if (strcmp(type, "pre") != 0)
		return HUBHA_OCF_SUCCESS;
	if (strcmp(op, "promote") != 0) {
		const char *promote = getenv("OCF_RESKEY_CRM_meta_notify_promote_uname");
		const char *stop = getenv("OCF_RESKEY_CRM_meta_notify_stop_uname");

		/*
		 * The earlier pre-notifications of a transition that promotes
		 * (pre-demote, pre-stop): a standby that stays publishes where its
		 * data is already.  A loaded node's controller runs one action at a
		 * time, so the node chosen may run its pre-promote notification
		 * before the others run theirs, and its redirect would find nothing.
		 * Such a value can only lag: it never moves the promotion to a
		 * node that is behind.
		 */
		if (promote && *promote && !pgsql_listed(promote, pg->node) && !(stop && pgsql_listed(stop, pg->node)))
			publish_location(pg, &mine);
		ctx->reason[0] = '\0';
		return HUBHA_OCF_SUCCESS;
	}
	/* pre-promote: every standby publishes where its data is. */
	st_ok = publish_location(pg, &mine);
	ctx->reason[0] = '\0';
	/*
	 * The node about to be promoted remembers who took part, and who is
	 * handing over in a switchover: a demoted node that is stopped in the same
	 * transition failed (a crash, fencing, a failed monitor), and left no
	 * shutdown checkpoint to check.
	 */
	{
		const char *promote = getenv("OCF_RESKEY_CRM_meta_notify_promote_uname");
		const char *demote = getenv("OCF_RESKEY_CRM_meta_notify_demote_uname");
		const char *stop = getenv("OCF_RESKEY_CRM_meta_notify_stop_uname");
		const char *standbys = getenv("OCF_RESKEY_CRM_meta_notify_unpromoted_uname");
		char peers[2048];

		if (!standbys || !*standbys)
			standbys = getenv("OCF_RESKEY_CRM_meta_notify_slave_uname");
		if (promote && pgsql_listed(promote, pg->node)) {
			char demoted[256] = "";
			const char *c = demote;

			pgsql_next_node(&c, demoted, sizeof(demoted));
			if (demoted[0] && stop && pgsql_listed(stop, demoted))
				demoted[0] = '\0';
			snprintf(peers, sizeof(peers), "%s|%s", standbys ? standbys : "", demoted);
			pgsql_publish(pg, false, HUBHA_ATTR_PRIVATE, NULL, "election", peers, NULL);
			if (st_ok)
				pgsql_redirect_promotion(pg, standbys, demoted, mine);
		}
	}
	return HUBHA_OCF_SUCCESS;
}

static int pgsql_validate_all(struct hubha_ocf_ctx *ctx, struct pgsql *pg)
{
	int rc;

	(void)ctx;
	rc = pgsql_check_install(pg, true);
	/* Tools validating a configuration outside a transition pass no meta attributes. */
	if (rc == HUBHA_OCF_SUCCESS && getenv("OCF_RESKEY_CRM_meta_notify"))
		rc = pgsql_check_clone(pg);
	return rc;
}

/*
 * stop and probes with an invalid configuration (a parameter, or pgdba
 * missing here): nothing of ours runs when pgdata records no live postmaster.
 * One that runs is left for a stop with the configuration fixed.
 */
static bool pgsql_nothing_running(struct hubha_ocf_ctx *ctx)
{
	const char *pgdata = hubha_ocf_param_unchecked(ctx, "pgdata");
	char path[4200], text[4200], dir[4200];
	pid_t pid;
	ssize_t n;
	int fd;

	if (!pgdata)
		return false;
	/* Without the rest of the configuration its identity cannot be checked: any live pid counts. */
	snprintf(path, sizeof(path), "%s/postmaster.pid", pgdata);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0)
		return false;
	text[n] = '\0';
	if (pgsql_pidfile_parse(text, &pid, dir, sizeof(dir)) < 0)
		return false;
	return kill(pid, 0) < 0 && errno == ESRCH;
}

/* Every action runs with the parameters resolved and the attribute cache open. */
static int with_pgsql(struct hubha_ocf_ctx *ctx, int (*fn)(struct hubha_ocf_ctx *, struct pgsql *))
{
	char config[4200];
	struct pgsql pg;
	int rc;

	rc = pgsql_load(ctx, &pg, config, sizeof(config));
	if (rc != HUBHA_OCF_SUCCESS)
		return hubha_ocf_config_failed(ctx, rc);
	rc = fn(ctx, &pg);
	pgsql_attrs_close(&pg);
	return rc;
}

#define ACTION(name)                                         \
	static int action_##name(struct hubha_ocf_ctx *ctx)  \
	{                                                    \
		return with_pgsql(ctx, pgsql_##name);        \
	}
ACTION(start)
ACTION(stop)
ACTION(monitor)
ACTION(promote)
ACTION(demote)
ACTION(notify)
ACTION(validate_all)

static const struct hubha_action_def pgsql_actions[] = {
	{ .name = "start", .timeout_s = 120, .fn = action_start },
	{ .name = "stop", .timeout_s = 120, .fn = action_stop },
	{ .name = "monitor", .timeout_s = 30, .interval_s = 30, .fn = action_monitor },
	{ .name = "monitor", .timeout_s = 30, .interval_s = 29, .role = "Promoted", .fn = action_monitor },
	{ .name = "promote", .timeout_s = 120, .fn = action_promote },
	{ .name = "demote", .timeout_s = 120, .fn = action_demote },
	{ .name = "notify", .timeout_s = 90, .fn = action_notify },
	{ .name = "validate-all", .timeout_s = 5, .fn = action_validate_all },
	{ .name = "meta-data", .timeout_s = 5 },
};

static const struct hubha_ocf_agent pgsql_agent = {
	.name = "pgsql",
	.version = PACKAGE_VERSION,
	.shortdesc = "Promotable PostgreSQL with streaming replication",
	.longdesc = "Manages a PostgreSQL instance as a promotable clone: one primary, the other nodes streaming "
		    "standbys. It takes ocf:heartbeat:pgsql's parameters and publishes its node attributes "
		    "(<resource>-status: PRI, HS:sync, HS:async, HS:alone, STOP; <resource>-data-status: LATEST, "
		    "STREAMING|SYNC, STREAMING|ASYNC, DISCONNECT), and it is safe the way PAF is: every start is a "
		    "standby start; promotion goes to the standby with the highest (timeline, LSN), compared "
		    "across nodes in the pre-promote notification (configure notify=true); a switchover checks "
		    "that the new primary received the old one's shutdown checkpoint; a primary that crashed is "
		    "reported as failed (9) and never rejoins silently. Demote does nothing that may fail for "
		    "another reason than stopping the primary: the recipes run it with on-fail=stop, which stops "
		    "the resource on every node, the healthy primary included. So demote of an instance that is "
		    "not running (a crashed primary) succeeds at once, and after a running primary's clean "
		    "shutdown its start as a standby is best effort (if it fails the next monitor reports the "
		    "stopped instance); rejoining, pg_rewind included, is start's work, and a start that fails "
		    "bans only its node. heartbeat:pgsql's PGSQL.lock file is not "
		    "reproduced: it is not needed. When no node can be promoted, <resource>-no-promote-reason "
		    "says why. The monitor is one round trip, to hubhad (which runs its query on the connection "
		    "it holds) or else over its own libpq connection, and starts no process; "
		    "attributes are written only when they change. After another node's promotion, a standby whose "
		    "WAL receiver has heard nothing for a second ends it (post-promote notification): a crashed "
		    "primary sends no reset, and the receiver would otherwise wait for wal_receiver_timeout while "
		    "a quorum commit waits for it.",
	.params = pgsql_params,
	.n_params = sizeof(pgsql_params) / sizeof(pgsql_params[0]),
	.actions = pgsql_actions,
	.n_actions = sizeof(pgsql_actions) / sizeof(pgsql_actions[0]),
	.validate = pgsql_validate,
	.nothing_running = pgsql_nothing_running,
};

int main(int argc, char **argv)
{
	return hubha_ocf_main(&pgsql_agent, argc, argv);
}

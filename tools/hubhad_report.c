/*
 * hubhad's pure parts: PostgreSQL's answers into a report, the configuration
 * file, crm_attribute's answer, and what counts as a change.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <hubha/pg.h>

#include "hubhad_report.h"

#define HUBHA_XSTR(x) #x
#define HUBHA_STR(x) HUBHA_XSTR(x)

/* One row, on a primary or a standby; every function that raises on the
 * other kind is behind a CASE on pg_is_in_recovery().  Replay lag means
 * something only while there is WAL left to replay: 0 once caught up. */
#define STATUS_SQL \
	"SELECT s.r, CASE WHEN s.r THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END," \
	" pg_last_wal_receive_lsn(), w.status, w.received_tli, (pg_control_checkpoint()).timeline_id," \
	" CASE WHEN NOT s.r THEN pg_walfile_name(pg_current_wal_lsn()) END," \
	" CASE WHEN s.r THEN CASE WHEN pg_last_wal_receive_lsn() IS NOT NULL" \
	"  AND pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0" \
	"  ELSE (extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::bigint END END," \
	" current_setting('synchronous_standby_names') <> ''," \
	" CASE WHEN s.r THEN pg_is_wal_replay_paused() END" \
	" FROM (SELECT pg_is_in_recovery() AS r) s LEFT JOIN pg_stat_wal_receiver w ON true"
#define REPLICATION_SQL \
	"SELECT application_name, state, sync_state, flush_lsn, replay_lsn FROM pg_stat_replication" \
	" ORDER BY application_name LIMIT " HUBHA_STR(HUBHA_CLUSTER_STANDBYS_MAX)

const char hubhad_status_sql[] = STATUS_SQL;
const char hubhad_replication_sql[] = REPLICATION_SQL;
/* Both in one round trip: two results. */
const char hubhad_collect_sql[] = STATUS_SQL ";" REPLICATION_SQL;

void hubhad_opts_default(struct hubhad_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->interval_ms = 2000;
	snprintf(opts->pghost, sizeof(opts->pghost), "/var/run/postgresql");
	snprintf(opts->pgport, sizeof(opts->pgport), "5432");
	snprintf(opts->pguser, sizeof(opts->pguser), "postgres");
	opts->postgresql = 1;
	snprintf(opts->ipc_group, sizeof(opts->ipc_group), "haclient");
}

static int copy(char *dst, size_t len, const char *value, const char *key, char *err, size_t err_len)
{
	if (strlen(value) >= len) {
		snprintf(err, err_len, "%s: longer than %zu characters", key, len - 1);
		return -EINVAL;
	}
	memcpy(dst, value, strlen(value) + 1);
	return 0;
}

int hubhad_opt_set(struct hubhad_opts *opts, const char *key, const char *value, char *err, size_t err_len)
{
	char *end;
	unsigned long v;

	if (strcmp(key, "interval") == 0) {
		errno = 0;
		v = strtoul(value, &end, 10);
		if (errno || end == value || *end || v < 100 || v > 60000) {
			snprintf(err, err_len, "interval: milliseconds from 100 to 60000, not '%s'", value);
			return -EINVAL;
		}
		opts->interval_ms = (unsigned)v;
		return 0;
	}
	if (strcmp(key, "pgport") == 0) {
		errno = 0;
		v = strtoul(value, &end, 10);
		if (errno || end == value || *end || v < 1 || v > 65535) {
			snprintf(err, err_len, "pgport: a port from 1 to 65535, not '%s'", value);
			return -EINVAL;
		}
		snprintf(opts->pgport, sizeof(opts->pgport), "%lu", v);
		return 0;
	}
	if (strcmp(key, "pghost") == 0)
		return copy(opts->pghost, sizeof(opts->pghost), value, key, err, err_len);
	if (strcmp(key, "pguser") == 0)
		return copy(opts->pguser, sizeof(opts->pguser), value, key, err, err_len);
	if (strcmp(key, "address") == 0)
		return copy(opts->address, sizeof(opts->address), value, key, err, err_len);
	if (strcmp(key, "http_listen") == 0)
		return copy(opts->http_listen, sizeof(opts->http_listen), value, key, err, err_len);
	if (strcmp(key, "ipc_group") == 0)
		return copy(opts->ipc_group, sizeof(opts->ipc_group), value, key, err, err_len);
	if (strcmp(key, "cfengine_statedir") == 0)
		return copy(opts->cfengine_statedir, sizeof(opts->cfengine_statedir), value, key, err, err_len);
	if (strcmp(key, "cfengine_ha_info") == 0)
		return copy(opts->cfengine_ha_info, sizeof(opts->cfengine_ha_info), value, key, err, err_len);
	if (strcmp(key, "cfengine_htdocs") == 0)
		return copy(opts->cfengine_htdocs, sizeof(opts->cfengine_htdocs), value, key, err, err_len);
	if (strcmp(key, "postgresql") == 0) {
		if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0)
			opts->postgresql = 1;
		else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0)
			opts->postgresql = 0;
		else {
			snprintf(err, err_len, "postgresql: yes or no, not '%s'", value);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(err, err_len, "unknown key '%s'", key);
	return -EINVAL;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int hubhad_conf_parse(const char *text, struct hubhad_opts *opts, char *err, size_t err_len)
{
	char line[512], why[200];
	unsigned lineno = 0;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		char *l, *eq;

		lineno++;
		if (len >= sizeof(line)) {
			snprintf(err, err_len, "line %u: too long", lineno);
			return -EINVAL;
		}
		memcpy(line, text, len);
		line[len] = '\0';
		text += len + (nl ? 1 : 0);
		l = trim(line);
		if (!*l || *l == '#')
			continue;
		eq = strchr(l, '=');
		if (!eq) {
			snprintf(err, err_len, "line %u: not key = value", lineno);
			return -EINVAL;
		}
		*eq = '\0';
		if (hubhad_opt_set(opts, trim(l), trim(eq + 1), why, sizeof(why)) < 0) {
			snprintf(err, err_len, "line %u: %s", lineno, why);
			return -EINVAL;
		}
	}
	return 0;
}

hubha_walrcv_t hubhad_walrcv_parse(const char *status)
{
	static const struct { const char *s; hubha_walrcv_t v; } map[] = {
		{ "streaming", HUBHA_WALRCV_STREAMING }, { "starting", HUBHA_WALRCV_STARTING },
		{ "waiting", HUBHA_WALRCV_WAITING }, { "restarting", HUBHA_WALRCV_RESTARTING },
		{ "stopping", HUBHA_WALRCV_STOPPING }, { "stopped", HUBHA_WALRCV_STOPPED },
	};
	size_t i;

	for (i = 0; status && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(status, map[i].s) == 0)
			return map[i].v;
	return HUBHA_WALRCV_NONE;
}

hubha_walrcv_t hubhad_walsender_parse(const char *state)
{
	if (!state)
		return HUBHA_WALRCV_NONE;
	if (strcmp(state, "streaming") == 0)
		return HUBHA_WALRCV_STREAMING;
	if (strcmp(state, "startup") == 0 || strcmp(state, "catchup") == 0 || strcmp(state, "backup") == 0)
		return HUBHA_WALRCV_STARTING;
	if (strcmp(state, "stopping") == 0)
		return HUBHA_WALRCV_STOPPING;
	return HUBHA_WALRCV_NONE;
}

hubha_sync_state_t hubhad_sync_state_parse(const char *sync_state)
{
	if (!sync_state)
		return HUBHA_SYNC_UNKNOWN;
	if (strcmp(sync_state, "async") == 0)
		return HUBHA_SYNC_ASYNC;
	if (strcmp(sync_state, "sync") == 0)
		return HUBHA_SYNC_SYNC;
	if (strcmp(sync_state, "potential") == 0)
		return HUBHA_SYNC_POTENTIAL;
	if (strcmp(sync_state, "quorum") == 0)
		return HUBHA_SYNC_QUORUM;
	return HUBHA_SYNC_UNKNOWN;
}

static int lsn_parse(const char *text, uint64_t *ret_lsn)
{
	hubha_lsn lsn;
	int r = hubha_lsn_parse(text, &lsn);

	if (r == 0)
		*ret_lsn = lsn;
	return r;
}

static int parse_u32(const char *text, uint32_t *ret)
{
	unsigned long long v;
	char *end;

	if (!text || !isdigit((unsigned char)*text))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

int hubhad_report_from_status(const char *const col[COL_N], hubha_report_t *report)
{
	const char *rec = col[COL_IN_RECOVERY];
	uint32_t tli = 0, lag;
	uint64_t lsn = 0, rlsn = 0;
	int standby;

	if (!rec || (strcmp(rec, "t") != 0 && strcmp(rec, "f") != 0))
		return -EINVAL;
	standby = rec[0] == 't';
	if (col[COL_LSN] && lsn_parse(col[COL_LSN], &lsn) < 0)
		return -EINVAL;
	if (standby && col[COL_RECEIVE_LSN] && lsn_parse(col[COL_RECEIVE_LSN], &rlsn) < 0)
		return -EINVAL;
	if (!standby) {
		/* The WAL file name starts with the timeline, 8 hex digits. */
		const char *w = col[COL_WALFILE];
		char hex[9];

		if (!w || strlen(w) != 24 || strspn(w, "0123456789ABCDEF") != 24)
			return -EINVAL;
		memcpy(hex, w, 8);
		hex[8] = '\0';
		tli = (uint32_t)strtoul(hex, NULL, 16);
	} else if (parse_u32(col[COL_RECEIVED_TLI], &tli) < 0 && parse_u32(col[COL_CHECKPOINT_TLI], &tli) < 0) {
		tli = 0;
	}
	report->role = standby ? HUBHA_ROLE_STANDBY : HUBHA_ROLE_PRIMARY;
	report->pg_state = HUBHA_PG_RUNNING;
	report->timeline = tli;
	report->lsn = lsn;
	report->receive_lsn = standby ? rlsn : 0;
	report->replay_lag_ms = UINT32_MAX;
	if (standby && col[COL_REPLAY_LAG_MS]) {
		if (col[COL_REPLAY_LAG_MS][0] == '-')
			report->replay_lag_ms = 0;	/* the clocks of primary and standby differ */
		else if (parse_u32(col[COL_REPLAY_LAG_MS], &lag) == 0)
			report->replay_lag_ms = lag;
	}
	report->wal_receiver = standby ? hubhad_walrcv_parse(col[COL_WALRCV_STATUS]) : HUBHA_WALRCV_NONE;
	report->flags &= ~(HUBHA_REPORT_SYNC_REQUESTED | HUBHA_REPORT_RECOVERY_PAUSED);
	if (!standby && col[COL_SYNC_NAMES] && strcmp(col[COL_SYNC_NAMES], "t") == 0)
		report->flags |= HUBHA_REPORT_SYNC_REQUESTED;
	if (standby && col[COL_PAUSED] && strcmp(col[COL_PAUSED], "t") == 0)
		report->flags |= HUBHA_REPORT_RECOVERY_PAUSED;
	return 0;
}

int hubhad_standby_from_row(const char *const col[HUBHAD_REPL_COLS], hubha_standby_row_t *row)
{
	hubha_standby_row_t r = { .state = hubhad_walsender_parse(col[1]),
				  .sync_state = hubhad_sync_state_parse(col[2]) };

	/* application_name is the standby's node name when the agent set it up;
	 * a longer one cannot be a node name. */
	if (!col[0] || strlen(col[0]) >= sizeof(r.name))
		return -EINVAL;
	memcpy(r.name, col[0], strlen(col[0]) + 1);
	if (col[3] && lsn_parse(col[3], &r.flush_lsn) < 0)
		return -EINVAL;
	if (col[4] && lsn_parse(col[4], &r.replay_lsn) < 0)
		return -EINVAL;
	*row = r;
	return 0;
}

hubha_pg_state_t hubhad_connect_failure(const char *message)
{
	static const char *const starting[] = {
		"the database system is starting up", "the database system is not yet accepting connections",
		"the database system is in recovery mode", "the database system is not accepting connections",
	};
	static const char *const refused[] = {
		"authentication failed", "no pg_hba.conf entry", "does not exist", "permission denied",
		"too many clients", "remaining connection slots are reserved", "password",
	};
	size_t i;

	if (!message)
		return HUBHA_PG_UNKNOWN;
	for (i = 0; i < sizeof(starting) / sizeof(starting[0]); i++)
		if (strstr(message, starting[i]))
			return HUBHA_PG_STARTING;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strstr(message, refused[i]))
			return HUBHA_PG_REFUSED;
	return HUBHA_PG_STOPPED;
}

uint32_t hubhad_fencing_flags(int wait_status, const char *output)
{
	/* crm_attribute's CRM_EX_NOSUCH: the property is not set, and Pacemaker's
	 * default is stonith-enabled=true. */
	static const char *const yes[] = { "true", "on", "yes", "y", "1" };
	static const char *const no[] = { "false", "off", "no", "n", "0" };
	char value[16];
	size_t i, len;

	if (!WIFEXITED(wait_status))
		return 0;
	if (WEXITSTATUS(wait_status) == 105)
		return HUBHA_REPORT_FENCING_KNOWN;
	if (WEXITSTATUS(wait_status) != 0 || !output)
		return 0;
	len = strcspn(output, "\r\n");
	if (len >= sizeof(value) || output[len + strspn(output + len, "\r\n")] != '\0')
		return 0;
	for (i = 0; i < len; i++)
		value[i] = (char)tolower((unsigned char)output[i]);
	value[len] = '\0';
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcmp(value, yes[i]) == 0)
			return HUBHA_REPORT_FENCING_KNOWN;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcmp(value, no[i]) == 0)
			return HUBHA_REPORT_FENCING_KNOWN | HUBHA_REPORT_FENCING_DISABLED;
	return 0;
}

int hubhad_report_changed(const hubha_report_t *a, const hubha_report_t *b)
{
	uint32_t i;

	if (a->role != b->role || a->pg_state != b->pg_state || a->timeline != b->timeline ||
	    a->wal_receiver != b->wal_receiver || a->services != b->services || a->flags != b->flags ||
	    a->interval_ms != b->interval_ms || strcmp(a->address, b->address) != 0 ||
	    a->n_standbys != b->n_standbys)
		return 1;
	for (i = 0; i < a->n_standbys && i < HUBHA_CLUSTER_STANDBYS_MAX; i++) {
		const hubha_standby_row_t *x = &a->standbys[i], *y = &b->standbys[i];

		if (strcmp(x->name, y->name) != 0 || x->state != y->state || x->sync_state != y->sync_state)
			return 1;
	}
	return 0;
}

hubha_services_t hubhad_services(void)
{
	return HUBHA_SERVICES_UNKNOWN;
}

/*
 * ocf:hubha:pgsql — re-seeding: a standby whose WAL the primary removed (its
 * slot was invalidated at max_slot_wal_keep_size) can never catch up by
 * streaming.  With reseed=true its start takes a fresh base backup from the
 * primary into a new directory beside pgdata and exchanges the two once the
 * copy is complete.  Everything in and beside pgdata is done as pgdba: that
 * directory is the DBA's, and root never follows a path the DBA controls.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hubha/deadline.h>
#include <hubha/log.h>

#include "pgsql.h"
#include "pgsql_proc_text.h"

#define PRIMARY_CONNECT_S 5
/* Left of start's time after the copy, to start the instance and see it run. */
#define START_RESERVE_MS 15000
#define RM_MS 60000
#define SWAP_MS 10000
#define POLL_MS 50

/* libpq's message on one line, as reasons are. */
static const char *pq_error(PGconn *conn, char *buf, size_t len)
{
	snprintf(buf, len, "%s", PQerrorMessage(conn));
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* The primary's (timeline, position) and, when asked for, the history of its timeline. */
static int primary_location(PGconn *conn, uint32_t want_history_below,
			    struct pgsql_location *ret, char **ret_history, char *err, size_t err_len)
{
	struct pgsql_location loc;
	unsigned long tl;
	PGresult *res;
	char sql[64];

	res = PQexec(conn, "IDENTIFY_SYSTEM");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) < 3) {
		char m[256];

		snprintf(err, err_len, "Re-seeding refused: IDENTIFY_SYSTEM failed on the primary: %s",
			 pq_error(conn, m, sizeof(m)));
		PQclear(res);
		return -EIO;
	}
	tl = strtoul(PQgetvalue(res, 0, 1), NULL, 10);
	if (tl == 0 || tl > UINT32_MAX || hubha_lsn_parse(PQgetvalue(res, 0, 2), &loc.lsn) < 0) {
		snprintf(err, err_len, "Re-seeding refused: the primary's IDENTIFY_SYSTEM answered an unreadable position");
		PQclear(res);
		return -EPROTO;
	}
	PQclear(res);
	loc.tl = (uint32_t)tl;
	*ret_history = NULL;
	if (want_history_below < loc.tl && loc.tl > 1) {
		snprintf(sql, sizeof(sql), "TIMELINE_HISTORY %u", loc.tl);
		res = PQexec(conn, sql);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && PQnfields(res) >= 2)
			*ret_history = strdup(PQgetvalue(res, 0, 1));
		PQclear(res);
	}
	*ret = loc;
	return 0;
}

/* Where this stopped node's WAL ends as far as its control data tells: checkpoint or minimum recovery point. */
static struct pgsql_location local_location(const struct pgsql_controldata *cd)
{
	struct pgsql_location a = { .tl = cd->timeline, .lsn = cd->checkpoint };
	struct pgsql_location b = { .tl = cd->min_recovery_timeline, .lsn = cd->min_recovery };

	return cd->min_recovery && pgsql_location_cmp(b, a) > 0 ? b : a;
}

/* The name of a copy an earlier re-seed kept, if one is there: it is not replaced silently. */
static bool kept_copy(const char *pgdata, char *buf, size_t len)
{
	char tmp[4200], dir[4200], base[4200];
	struct dirent *de;
	bool found = false;
	size_t n;
	DIR *d;

	snprintf(tmp, sizeof(tmp), "%s", pgdata);
	snprintf(dir, sizeof(dir), "%s", dirname(tmp));
	snprintf(tmp, sizeof(tmp), "%s", pgdata);
	snprintf(base, sizeof(base), "%s.old-", basename(tmp));
	n = strlen(base);
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (de = readdir(d)))
		if (strncmp(de->d_name, base, n) == 0) {
			int w = snprintf(buf, len, "%s/", dir);

			if (w >= 0 && (size_t)w < len)
				snprintf(buf + w, len - (size_t)w, "%s", de->d_name);
			found = true;
		}
	closedir(d);
	return found;
}

static int remove_tree(struct pgsql *pg, const char *path)
{
	char *argv[] = { (char *)"/bin/rm", (char *)"-rf", (char *)"--", (char *)path, NULL };
	int status = 0, r;

	r = pgsql_run(pg, argv, pgsql_budget_ms(pg, RM_MS), NULL, 0, &status);
	return r < 0 ? r : WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/*
 * As pgdba: the complete copy and pgdata exchange places in one step, so
 * pgdata is never missing; the old one then takes its kept name.
 */
static int swap_in(struct pgsql *pg, const char *fresh, const char *kept)
{
	struct hubha_deadline d = hubha_deadline_in(pgsql_budget_ms(pg, SWAP_MS));
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char tmp[4200];
		int dfd;

		if (getuid() == 0 && (setgid(pg->gid) < 0 || initgroups(pg->pgdba, pg->gid) < 0 || setuid(pg->uid) < 0))
			_exit(EPERM);
		if (renameat2(AT_FDCWD, fresh, AT_FDCWD, pg->pgdata, RENAME_EXCHANGE) < 0)
			_exit(errno);
		if (rename(fresh, kept) < 0)
			_exit(errno);
		snprintf(tmp, sizeof(tmp), "%s", pg->pgdata);
		dfd = open(dirname(tmp), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0 || fsync(dfd) < 0)
			_exit(errno);
		_exit(0);
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (hubha_deadline_passed(d)) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		usleep(POLL_MS * 1000);
	}
	if (!WIFEXITED(status))
		return -EINTR;
	return -WEXITSTATUS(status);
}

static int basebackup(struct pgsql *pg, const char *conninfo, const char *slot, const char *fresh)
{
	char tool[4200], out[2048], how[128], line[512] = "";
	unsigned left = hubha_deadline_left_ms(pg->deadline);
	char *argv[] = { tool, (char *)"-D", (char *)fresh, (char *)"-X", (char *)"stream", (char *)"-c",
			 (char *)"fast", (char *)"-S", (char *)slot, (char *)"-w", (char *)"-d",
			 (char *)conninfo, NULL };
	int r, status = 0;

	if (left <= START_RESERVE_MS) {
		hubha_ocf_reason(pg->ctx, "Re-seeding needs more of start's time than the %u ms left", left);
		return -ETIMEDOUT;
	}
	snprintf(tool, sizeof(tool), "%s/pg_basebackup", pg->bindir);
	r = pgsql_run(pg, argv, left - START_RESERVE_MS, out, sizeof(out), &status);
	if (r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (r < 0)
		snprintf(how, sizeof(how), "%s", r == -ETIMEDOUT ? "did not finish within start's timeout" : strerror(-r));
	else
		pgsql_status_text(status, how, sizeof(how));
	pgsql_last_message(out, false, line, sizeof(line));
	hubha_ocf_reason(pg->ctx, "Re-seeding failed: pg_basebackup %s%s%s", how, line[0] ? ": " : "", line);
	return r < 0 ? r : -EIO;
}

/* Not re-seeded: the standby starts on what it has, and says why. */
static int refuse(struct pgsql *pg, const char *why)
{
	hubha_log(LOG_WARNING, "%s", why);
	pgsql_publish(pg, false, HUBHA_ATTR_TRANSIENT, NULL, "no-promote-reason", why, NULL);
	return HUBHA_OCF_SUCCESS;
}

/*
 * In start, before the instance runs.  Returns HUBHA_OCF_SUCCESS when there
 * was nothing to do, when re-seeding was refused (the start goes on with the
 * old data; the reason is published), or when pgdata is now a fresh copy;
 * an error code, with a reason, when the copy failed (pgdata is untouched).
 */
int pgsql_reseed(struct pgsql *pg)
{
	struct pgsql_reseed_in in = { 0 };
	struct pgsql_controldata cd;
	uint64_t began;
	char name[256], slot[320], conninfo[2300], base[2048], why[4600], fresh[4200], kept[4200], sql[400];
	char *lost = NULL, *history = NULL, m[256];
	PGconn *conn;
	PGresult *res;
	time_t now;
	struct tm tm;
	int r;

	if (!pg->reseed || !pg->slot_name || pg->rep_mode == REP_NONE)
		return HUBHA_OCF_SUCCESS;
	pgsql_attr_name(pg, "wal-lost", name, sizeof(name));
	if (pgsql_attr_get(pg, HUBHA_ATTR_TRANSIENT, NULL, name, &lost) < 0 || !lost || !*lost) {
		free(lost);
		return HUBHA_OCF_SUCCESS;
	}
	free(lost);
	if (pg->restore_command) {
		hubha_log(LOG_INFO, "The primary removed WAL this standby needs: it catches up from the archive "
			  "(restore_command), no re-seed");
		return HUBHA_OCF_SUCCESS;
	}
	if (kept_copy(pg->pgdata, kept, sizeof(kept))) {
		snprintf(why, sizeof(why), "Re-seeding refused: %s, kept by an earlier re-seed, is still there; "
			 "delete it to allow another", kept);
		return refuse(pg, why);
	}
	{
		char tmp[4200];
		struct stat st;

		snprintf(tmp, sizeof(tmp), "%s", pg->pgdata);
		if (stat(dirname(tmp), &st) < 0 || st.st_uid != pg->uid) {
			snprintf(tmp, sizeof(tmp), "%s", pg->pgdata);
			snprintf(why, sizeof(why), "Re-seeding refused: %s, which holds pgdata, is not pgdba=%s's, and "
				 "nothing beside pgdata is done as root", dirname(tmp), pg->pgdba);
			return refuse(pg, why);
		}
	}
	if (pgsql_slot_name(pg->slot_name, pg->node, slot, sizeof(slot)) < 0 ||
	    pgsql_conf_primary_conninfo(pg, base, sizeof(base)) < 0)
		return refuse(pg, "Re-seeding refused: no slot name or primary_conninfo for this node");
	r = pgsql_controldata(pg, &cd);
	if (r < 0) {
		snprintf(why, sizeof(why), "Re-seeding refused: cannot read this node's control data: %s", strerror(-r));
		return refuse(pg, why);
	}
	/* The copy's walsender must not pass for this node's standby in the primary's ranking. */
	snprintf(conninfo, sizeof(conninfo), "%s application_name=hubha_reseed connect_timeout=%d", base,
		 PRIMARY_CONNECT_S);
	{
		char rconn[2400];

		snprintf(rconn, sizeof(rconn), "%s replication=true", conninfo);
		conn = PQconnectdb(rconn);
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		snprintf(why, sizeof(why), "Re-seeding refused: cannot reach the primary at %s: %s", pg->master_ip,
			 pq_error(conn, m, sizeof(m)));
		PQfinish(conn);
		return refuse(pg, why);
	}
	in.state = cd.state;
	in.mine = local_location(&cd);
	r = primary_location(conn, in.mine.tl, &in.primary, &history, why, sizeof(why));
	if (r == 0) {
		in.history = history;
		r = pgsql_decide_reseed(&in, why, sizeof(why));
	}
	free(history);
	if (r < 0) {
		PQfinish(conn);
		return refuse(pg, why);
	}
	/* A new slot, reserving WAL from the copy's start; the lost one can serve nobody. */
	snprintf(sql, sizeof(sql), "DROP_REPLICATION_SLOT \"%s\"", slot);
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		hubha_log(LOG_INFO, "Slot %s not dropped on the primary: %s", slot, pq_error(conn, m, sizeof(m)));
	PQclear(res);
	/* The primary's monitor may have created it again meanwhile: that one reserves from before the copy too. */
	snprintf(sql, sizeof(sql), "CREATE_REPLICATION_SLOT \"%s\" PHYSICAL RESERVE_WAL", slot);
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		if (!state || strcmp(state, "42710") != 0) {
			hubha_ocf_reason(pg->ctx, "Re-seeding failed: cannot create slot %s on the primary: %s", slot,
					 pq_error(conn, m, sizeof(m)));
			PQclear(res);
			PQfinish(conn);
			return HUBHA_OCF_ERR_GENERIC;
		}
	}
	PQclear(res);
	PQfinish(conn);

	snprintf(fresh, sizeof(fresh), "%s.reseed", pg->pgdata);
	now = time(NULL);
	gmtime_r(&now, &tm);
	snprintf(kept, sizeof(kept), "%s.old-%04d%02d%02dT%02d%02d%02dZ", pg->pgdata, tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	/* What a re-seed cut short left. */
	if (remove_tree(pg, fresh) < 0) {
		hubha_ocf_reason(pg->ctx, "Re-seeding failed: cannot remove %s as pgdba=%s", fresh, pg->pgdba);
		return HUBHA_OCF_ERR_GENERIC;
	}
	hubha_log(LOG_WARNING, "The primary removed WAL this standby needs: re-seeding it from %s into %s", pg->master_ip,
		  fresh);
	began = hubha_now_ms();
	if (basebackup(pg, conninfo, slot, fresh) < 0) {
		remove_tree(pg, fresh);
		return HUBHA_OCF_ERR_GENERIC;
	}
	r = swap_in(pg, fresh, kept);
	if (r < 0) {
		hubha_ocf_reason(pg->ctx, "Re-seeding failed: cannot switch %s in for pgdata as pgdba=%s (the directory "
				 "holding pgdata must be the DBA's): %s", fresh, pg->pgdba, strerror(-r));
		return HUBHA_OCF_ERR_GENERIC;
	}
	pgsql_attr_delete(pg, HUBHA_ATTR_TRANSIENT, NULL, name);
	pgsql_unpublish(pg, HUBHA_ATTR_TRANSIENT, NULL, "no-promote-reason");
	hubha_log(LOG_WARNING, "Re-seeded from the primary in %u ms; the old data directory is kept as %s",
		  (unsigned)(hubha_now_ms() - began), kept);
	return HUBHA_OCF_SUCCESS;
}

/*
 * ocf:hubha:pgsql — node attributes: what each node publishes, and what the
 * primary publishes for the standbys it sees.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hubha/log.h>

#include "pgsql.h"

static const struct hubha_pg_standby *find_standby(const struct hubha_pg_status *st, const char *node)
{
	for (unsigned i = 0; i < st->n_standbys; i++)
		if (strcmp(st->standbys[i].name, node) == 0)
			return &st->standbys[i];
	return NULL;
}

static void attrs_open(struct pgsql *pg)
{
	char path[512];

	if (mkdir("/run/hubha", 0700) < 0 && errno != EEXIST)
		return;
	snprintf(path, sizeof(path), "/run/hubha/%s.attrs", pg->rsc);
	if (hubha_attr_cache_open(path, ATTR_CACHE_AGE_S, &pg->attrs) < 0)
		pg->attrs = NULL;
}

void attrs_close(struct pgsql *pg)
{
	hubha_attr_cache_close(pg->attrs);
	pg->attrs = NULL;
}

void attr_name(const struct pgsql *pg, const char *suffix, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s", pg->rsc, suffix);
}

/* Write a node attribute; cached writes cost nothing when unchanged. */
int publish(struct pgsql *pg, bool cached, enum hubha_attr_kind kind, const char *node, const char *suffix,
	    const char *value, const char *version)
{
	char name[256];
	int r;

	if (cached && !pg->attrs)
		attrs_open(pg);
	if (kind == HUBHA_ATTR_PROMOTION)
		snprintf(name, sizeof(name), "%s", pg->rsc);
	else
		attr_name(pg, suffix, name, sizeof(name));
	r = hubha_attr_set_versioned(cached ? pg->attrs : NULL, kind, node, name, value, version);
	if (r < 0)
		hubha_log(LOG_WARNING, "Cannot set %s%s%s=%s: %s", name, node ? " of " : "", node ? node : "", value,
			  strerror(-r));
	return r;
}

void unpublish(struct pgsql *pg, enum hubha_attr_kind kind, const char *node, const char *suffix)
{
	char name[256];

	attr_name(pg, suffix, name, sizeof(name));
	hubha_attr_delete(pg->attrs, kind, node, name);
}

/* Iterate over node_list: copies the next name into buf, returns false at the end. */
bool next_node(const char **cursor, char *buf, size_t len)
{
	const char *p = *cursor;
	size_t w;

	if (!p)
		return false;
	p += strspn(p, " \t,");
	if (!*p)
		return false;
	w = strcspn(p, " \t,");
	snprintf(buf, len, "%.*s", (int)w, p);
	*cursor = p + w;
	return true;
}

static bool is_sync(const struct hubha_pg_standby *s)
{
	return strcmp(s->sync_state, "sync") == 0 || strcmp(s->sync_state, "quorum") == 0;
}

/* synchronous_standby_names naming every other node of node_list. */
void sync_names(const struct pgsql *pg, char *buf, size_t len)
{
	const char *cur = pg->node_list;
	char node[256];
	size_t o = (size_t)snprintf(buf, len, "FIRST 1 (");
	bool first = true;

	while (next_node(&cur, node, sizeof(node)) && o < len) {
		if (strcmp(node, pg->node) == 0)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s\"%s\"", first ? "" : ", ", node);
		first = false;
	}
	if (o < len)
		snprintf(buf + o, len - o, ")");
	if (first)
		buf[0] = '\0';
}

int set_sync_names(PGconn *conn, const char *names)
{
	char sql[1024], err[256];
	char *lit = NULL;
	int r;

	r = hubha_pg_quote_literal(conn, names, &lit);
	if (r < 0)
		return r;
	snprintf(sql, sizeof(sql), "ALTER SYSTEM SET synchronous_standby_names = %s", lit);
	free(lit);
	r = hubha_pg_exec(conn, sql, NULL, err, sizeof(err));
	if (r == 0)
		r = hubha_pg_exec(conn, "SELECT pg_reload_conf()", NULL, err, sizeof(err));
	if (r < 0)
		hubha_log(LOG_ERR, "Cannot set synchronous_standby_names: %s", err);
	else
		hubha_log(LOG_INFO, "synchronous_standby_names = '%s'", names);
	return r;
}

/*
 * Replication clients that are not nodes (pg_receivewal, a backup, another
 * cluster) stream under names of their own: they are neither ranked nor
 * counted as standbys.
 */
bool listed_standby(const char *application_name, void *arg)
{
	const struct pgsql *pg = arg;

	return strcmp(application_name, pg->node) != 0 && listed(pg->node_list, application_name);
}

/*
 * The primary publishes what it alone can see: which standbys stream, in sync
 * or not, and their promotion scores ranked by how much WAL they have.  Each
 * value is versioned by the walsender's pid, so a standby that reconnects is
 * written again even if its cached value looks the same.  st->standbys are
 * the walsenders of other listed nodes only (listed_standby).
 */
void primary_publish(struct pgsql *pg, PGconn *conn, const struct hubha_pg_status *st)
{
	char version[32], node[256], score[16];
	const char *cur = pg->node_list;
	bool any_sync = false;

	snprintf(version, sizeof(version), "tl%u", st->timeline);
	publish(pg, true, HUBHA_ATTR_TRANSIENT, NULL, "status", "PRI", version);
	publish(pg, true, HUBHA_ATTR_TRANSIENT, NULL, "data-status", "LATEST", version);
	publish(pg, true, HUBHA_ATTR_PROMOTION, NULL, NULL, SCORE_PRIMARY, version);
	if (pg->check_wal_receiver)
		publish(pg, true, HUBHA_ATTR_TRANSIENT, NULL, "receiver-status", "normal (master)", version);

	while (next_node(&cur, node, sizeof(node))) {
		const struct hubha_pg_standby *s;
		int rank = 0;

		if (strcmp(node, pg->node) == 0)
			continue;
		s = find_standby(st, node);
		if (!s || strcmp(s->state, "streaming") != 0) {
			publish(pg, true, HUBHA_ATTR_TRANSIENT, node, "data-status", "DISCONNECT", "none");
			publish(pg, true, HUBHA_ATTR_PROMOTION, node, NULL, SCORE_DISCONNECTED, "none");
			continue;
		}
		any_sync |= is_sync(s);
		/* Rank: synchronous standbys first, then by how far they have flushed. */
		for (unsigned i = 0; i < st->n_standbys; i++) {
			const struct hubha_pg_standby *o = &st->standbys[i];

			if (o == s || strcmp(o->state, "streaming") != 0)
				continue;
			if ((is_sync(o) && !is_sync(s)) || (is_sync(o) == is_sync(s) && o->flush_lsn > s->flush_lsn))
				rank++;
		}
		snprintf(version, sizeof(version), "pid%d", s->pid);
		snprintf(score, sizeof(score), "%d", SCORE_BEST_STANDBY - rank);
		publish(pg, true, HUBHA_ATTR_TRANSIENT, node, "status", is_sync(s) ? "HS:sync" : "HS:async", version);
		publish(pg, true, HUBHA_ATTR_TRANSIENT, node, "data-status",
			is_sync(s) ? "STREAMING|SYNC" : "STREAMING|ASYNC", version);
		/* Ranked anew (it reconnected): whatever kept it from promotion is over. */
		if (publish(pg, true, HUBHA_ATTR_PROMOTION, node, NULL, score, version) == 0)
			unpublish(pg, HUBHA_ATTR_TRANSIENT, node, "no-promote-reason");
	}

	if (pg->rep_mode == REP_SYNC) {
		char want[1024];

		sync_names(pg, want, sizeof(want));
		if (!any_sync && pg->degrade_to_async && st->sync_names[0]) {
			hubha_log(LOG_WARNING, "No synchronous standby is connected: degrading to asynchronous replication");
			set_sync_names(conn, "");
		} else if (strcmp(st->sync_names, want) != 0 && (any_sync || !pg->degrade_to_async ||
								 st->n_standbys > 0)) {
			set_sync_names(conn, want);
		}
	}
}

/* Names in a notify list (space separated) that appear in node_list, except ours. */
bool listed(const char *list, const char *node)
{
	const char *cur = list;
	char n[256];

	while (next_node(&cur, n, sizeof(n)))
		if (strcmp(n, node) == 0)
			return true;
	return false;
}

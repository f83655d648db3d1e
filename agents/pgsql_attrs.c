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

/*
 * Every call to the attribute tools goes through the cache, which carries
 * crm_attr_timeout.  Without /run/hubha it still carries the timeout and
 * only remembers nothing.
 */
static struct hubha_attr_cache *attrs(struct pgsql *pg)
{
	unsigned timeout_ms = (unsigned)hubha_ocf_params_int(pg->ctx->params, "crm_attr_timeout") * 1000u;
	char path[512];
	bool dir_ok;

	if (pg->attrs)
		return pg->attrs;
	dir_ok = mkdir("/run/hubha", 0700) == 0 || errno == EEXIST;
	snprintf(path, sizeof(path), "/run/hubha/%s.attrs", pg->rsc);
	if (hubha_attr_cache_open(dir_ok ? path : NULL, ATTR_CACHE_AGE_S, timeout_ms, &pg->attrs) < 0)
		pg->attrs = NULL;
	return pg->attrs;
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
	struct hubha_attr_cache *c = attrs(pg);
	char name[256], err[512];
	int r;

	if (kind == HUBHA_ATTR_PROMOTION)
		snprintf(name, sizeof(name), "%s", pg->rsc);
	else
		attr_name(pg, suffix, name, sizeof(name));
	/* Uncached: written whatever the cache says, and not remembered, so a later cached write still runs. */
	if (!cached)
		hubha_attr_forget(c, kind, node, name);
	r = hubha_attr_set_versioned(c, kind, node, name, value, version, err, sizeof(err));
	if (!cached)
		hubha_attr_forget(c, kind, node, name);
	if (r < 0)
		hubha_log(LOG_WARNING, "Cannot set %s%s%s=%s: %s", name, node ? " of " : "", node ? node : "", value,
			  err);
	return r;
}

void unpublish(struct pgsql *pg, enum hubha_attr_kind kind, const char *node, const char *suffix)
{
	char name[256];

	attr_name(pg, suffix, name, sizeof(name));
	attr_delete(pg, kind, node, name);
}

/* For a value someone else may overwrite: the next cached publish writes it again. */
void forget_published(struct pgsql *pg, enum hubha_attr_kind kind, const char *node, const char *suffix)
{
	char name[256];

	attr_name(pg, suffix, name, sizeof(name));
	hubha_attr_forget(attrs(pg), kind, node, name);
}

int attr_get(struct pgsql *pg, enum hubha_attr_kind kind, const char *node, const char *name, char **ret_value)
{
	char err[512];
	int r;

	r = hubha_attr_get(attrs(pg), kind, node, name, ret_value, err, sizeof(err));
	if (r < 0 && r != -ENOENT)
		hubha_log(LOG_WARNING, "Cannot read %s%s%s: %s", name, node ? " of " : "", node ? node : "", err);
	return r;
}

int attr_delete(struct pgsql *pg, enum hubha_attr_kind kind, const char *node, const char *name)
{
	char err[512];
	int r;

	r = hubha_attr_delete(attrs(pg), kind, node, name, err, sizeof(err));
	if (r < 0)
		hubha_log(LOG_WARNING, "Cannot delete %s%s%s: %s", name, node ? " of " : "", node ? node : "", err);
	return r;
}

void no_promote_reason(const struct pgsql *pg, const char *score, char *buf, size_t len)
{
	snprintf(buf, len, "Not promoted: this standby was not streaming when the primary last ranked it "
		 "(promotion score %s), so its data may be stale; check it, then allow it with "
		 "crm_attribute --promotion=%s --update=1", score, pg->rsc);
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
 * The primary publishes what it alone can see: which standbys stream, in sync
 * or not, and their promotion scores ranked by how much WAL they have.  Each
 * value is versioned by the walsender's pid, so a standby that reconnects is
 * written again even if its cached value looks the same.
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
			char reason[512];

			publish(pg, true, HUBHA_ATTR_TRANSIENT, node, "data-status", "DISCONNECT", "none");
			/* Said here, with the score: the standby's own monitor explains only when its state changes. */
			if (publish(pg, true, HUBHA_ATTR_PROMOTION, node, NULL, SCORE_DISCONNECTED, "none") == 0) {
				no_promote_reason(pg, SCORE_DISCONNECTED, reason, sizeof(reason));
				publish(pg, false, HUBHA_ATTR_TRANSIENT, node, "no-promote-reason", reason, NULL);
			}
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

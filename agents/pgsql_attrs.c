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

static int find_standby(const struct hubha_pg_status *st, const char *node)
{
	for (unsigned i = 0; i < st->n_standbys; i++)
		if (strcmp(st->standbys[i].name, node) == 0)
			return (int)i;
	return -1;
}

/*
 * Every call to the attribute tools goes through the cache, which carries
 * crm_attr_timeout.  Without /run/hubha it still carries the timeout and
 * only remembers nothing.
 */
static struct hubha_attr_cache *attrs(struct pgsql *pg)
{
	char path[512];
	bool dir_ok;

	if (pg->attrs)
		return pg->attrs;
	dir_ok = mkdir("/run/hubha", 0700) == 0 || errno == EEXIST;
	snprintf(path, sizeof(path), "/run/hubha/%s.attrs", pg->rsc);
	if (hubha_attr_cache_open(dir_ok ? path : NULL, ATTR_CACHE_AGE_S, pg->attr_timeout_ms, &pg->attrs) < 0)
		pg->attrs = NULL;
	return pg->attrs;
}

void pgsql_attrs_close(struct pgsql *pg)
{
	hubha_attr_cache_close(pg->attrs);
	pg->attrs = NULL;
}

void pgsql_attr_name(const struct pgsql *pg, const char *suffix, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s", pg->rsc, suffix);
}

/* Write a node attribute; cached writes cost nothing when unchanged. */
int pgsql_publish(struct pgsql *pg, bool cached, enum hubha_attr_kind kind, const char *node, const char *suffix,
		  const char *value, const char *version)
{
	struct hubha_attr_cache *c = attrs(pg);
	char name[256], err[512];
	int r;

	if (kind == HUBHA_ATTR_PROMOTION)
		snprintf(name, sizeof(name), "%s", pg->rsc);
	else
		pgsql_attr_name(pg, suffix, name, sizeof(name));
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

void pgsql_unpublish(struct pgsql *pg, enum hubha_attr_kind kind, const char *node, const char *suffix)
{
	char name[256];

	pgsql_attr_name(pg, suffix, name, sizeof(name));
	pgsql_attr_delete(pg, kind, node, name);
}

/* For a value someone else may overwrite: the next cached publish writes it again. */
void pgsql_forget_published(struct pgsql *pg, enum hubha_attr_kind kind, const char *node, const char *suffix)
{
	char name[256];

	pgsql_attr_name(pg, suffix, name, sizeof(name));
	hubha_attr_forget(attrs(pg), kind, node, name);
}

int pgsql_attr_get(struct pgsql *pg, enum hubha_attr_kind kind, const char *node, const char *name, char **ret_value)
{
	char err[512];
	int r;

	r = hubha_attr_get(attrs(pg), kind, node, name, ret_value, err, sizeof(err));
	if (r < 0 && r != -ENOENT)
		hubha_log(LOG_WARNING, "Cannot read %s%s%s: %s", name, node ? " of " : "", node ? node : "", err);
	return r;
}

int pgsql_attr_delete(struct pgsql *pg, enum hubha_attr_kind kind, const char *node, const char *name)
{
	char err[512];
	int r;

	r = hubha_attr_delete(attrs(pg), kind, node, name, err, sizeof(err));
	if (r < 0)
		hubha_log(LOG_WARNING, "Cannot delete %s%s%s: %s", name, node ? " of " : "", node ? node : "", err);
	return r;
}

void pgsql_no_promote_reason(struct pgsql *pg, const char *node, const char *score, char *buf, size_t len)
{
	char name[256], *slot = NULL;

	/* Said by the primary when the slot was lost: the most useful reason, and the one to keep. */
	pgsql_attr_name(pg, "wal-lost", name, sizeof(name));
	if (pg->slot_name && pgsql_attr_get(pg, HUBHA_ATTR_TRANSIENT, node, name, &slot) == 0 && slot && *slot) {
		pgsql_wal_lost_reason(slot, pg->restore_command != NULL, buf, len);
		free(slot);
		return;
	}
	free(slot);
	snprintf(buf, len, "Not promoted: this standby was not streaming when the primary last ranked it "
		 "(promotion score %s), so its data may be stale; check it, then allow it with "
		 "crm_attribute --promotion=%s --update=1", score, pg->rsc);
}

/* The primary keeps synchronous_standby_names naming the other nodes, or empty when degraded. */
static void primary_sync_names(struct pgsql *pg, PGconn *conn, const struct hubha_pg_status *st, unsigned n_sync)
{
	char want[1024], err[512];
	const char *next;
	unsigned need;
	int r;

	r = pgsql_sync_names(pg->node_list, pg->node, pg->sync_num, want, sizeof(want));
	if (r < 0) {
		hubha_log(LOG_ERR, "node_list=%s gives no valid synchronous_standby_names: %s",
			  pg->node_list ? pg->node_list : "", strerror(-r));
		return;
	}
	need = pgsql_sync_count(pgsql_count_nodes(pg->node_list), pg->sync_num);
	next = pgsql_sync_names_next(st->sync_names, want, n_sync, need, pg->degrade_to_async, st->n_standbys);
	if (!next)
		return;
	if (!next[0] && want[0])
		hubha_log(LOG_WARNING, "%u synchronous standbys of the %u needed are connected: degrading to "
			  "asynchronous replication", n_sync, need);
	pgsql_set_sync_names(conn, next, err, sizeof(err));
}

/*
 * Replication clients that are not nodes (pg_receivewal, a backup, another
 * cluster) stream under names of their own: they are neither ranked nor
 * counted as standbys.
 */
bool pgsql_listed_standby(const char *application_name, void *arg)
{
	const struct pgsql *pg = arg;

	return strcmp(application_name, pg->node) != 0 && pgsql_listed(pg->node_list, application_name);
}

/* The election's private attributes, every node's. */
static void election_clear(struct pgsql *pg)
{
	const char *cur = pg->node_list;
	char node[256], loc[256], ck[256];

	pgsql_attr_name(pg, "lsn-location", loc, sizeof(loc));
	pgsql_attr_name(pg, "demote-checkpoint", ck, sizeof(ck));
	while (pgsql_next_node(&cur, node, sizeof(node))) {
		pgsql_attr_delete(pg, HUBHA_ATTR_PRIVATE, node, loc);
		pgsql_attr_delete(pg, HUBHA_ATTR_PRIVATE, node, ck);
	}
	pgsql_unpublish(pg, HUBHA_ATTR_PRIVATE, NULL, "election");
}

/*
 * The primary publishes what it alone can see: which standbys stream, in sync
 * or not, and their promotion scores ranked by how much WAL they have.  Each
 * value is versioned by the walsender's pid, so a standby that reconnects is
 * written again even if its cached value looks the same.  st->standbys are
 * the walsenders of other listed nodes only (pgsql_listed_standby).
 */
void pgsql_primary_publish(struct pgsql *pg, PGconn *conn, const struct hubha_pg_status *st)
{
	char version[32], node[256], score[16];
	const char *cur = pg->node_list;
	bool slots_read = false;
	unsigned n_sync = 0;
	char *slots = NULL;

	snprintf(version, sizeof(version), "tl%u", st->timeline);
	/*
	 * New on this timeline: promoted since the last monitor, so whatever kept
	 * it from promotion is over, and the election's data served its purpose:
	 * stale values must not sway the next one.
	 */
	if (pgsql_publish(pg, true, HUBHA_ATTR_TRANSIENT, NULL, "status", "PRI", version) == 0) {
		pgsql_unpublish(pg, HUBHA_ATTR_TRANSIENT, NULL, "no-promote-reason");
		election_clear(pg);
	}
	pgsql_publish(pg, true, HUBHA_ATTR_TRANSIENT, NULL, "data-status", "LATEST", version);
	pgsql_publish(pg, true, HUBHA_ATTR_PROMOTION, NULL, NULL, SCORE_PRIMARY, version);
	if (pg->check_wal_receiver)
		pgsql_publish(pg, true, HUBHA_ATTR_TRANSIENT, NULL, "receiver-status", "normal (master)", version);

	while (pgsql_next_node(&cur, node, sizeof(node))) {
		const struct hubha_pg_standby *s;
		bool sync;
		int i;

		if (strcmp(node, pg->node) == 0)
			continue;
		i = find_standby(st, node);
		if (i < 0 || strcmp(st->standbys[i].state, "streaming") != 0) {
			char reason[512];

			pgsql_publish(pg, true, HUBHA_ATTR_TRANSIENT, node, "data-status", "DISCONNECT", "none");
			/* Said here, with the score: the standby's own monitor explains only when its state changes. */
			if (pgsql_publish(pg, true, HUBHA_ATTR_PROMOTION, node, NULL, SCORE_DISCONNECTED, "none") == 0) {
				pgsql_no_promote_reason(pg, node, SCORE_DISCONNECTED, reason, sizeof(reason));
				pgsql_publish(pg, false, HUBHA_ATTR_TRANSIENT, node, "no-promote-reason", reason, NULL);
			}
			/* Read only when a standby is away: the steady state stays one round trip. */
			if (pg->slot_name && !slots_read) {
				char err[256];

				slots_read = true;
				if (pgsql_slot_list(conn, &slots, err, sizeof(err)) < 0)
					hubha_log(LOG_WARNING, "Cannot read the replication slots: %s", err);
				else if (!slots)
					slots = strdup("");
			}
			pgsql_slot_check(pg, conn, slots, node);
			continue;
		}
		s = &st->standbys[i];
		sync = pgsql_standby_is_sync(s);
		n_sync += sync;
		snprintf(version, sizeof(version), "pid%d", s->pid);
		snprintf(score, sizeof(score), "%d", pgsql_standby_score(st->standbys, st->n_standbys, (size_t)i));
		pgsql_publish(pg, true, HUBHA_ATTR_TRANSIENT, node, "status", sync ? "HS:sync" : "HS:async", version);
		pgsql_publish(pg, true, HUBHA_ATTR_TRANSIENT, node, "data-status",
			      sync ? "STREAMING|SYNC" : "STREAMING|ASYNC", version);
		/* Ranked anew (it reconnected): whatever kept it from promotion is over. */
		if (pgsql_publish(pg, true, HUBHA_ATTR_PROMOTION, node, NULL, score, version) == 0) {
			pgsql_unpublish(pg, HUBHA_ATTR_TRANSIENT, node, "no-promote-reason");
			if (pg->slot_name)
				pgsql_unpublish(pg, HUBHA_ATTR_TRANSIENT, node, "wal-lost");
		}
	}
	free(slots);
	if (pg->rep_mode == REP_SYNC)
		primary_sync_names(pg, conn, st, n_sync);
}

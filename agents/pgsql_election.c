/*
 * ocf:hubha:pgsql — choosing the primary: the standbys' (timeline, LSN)
 * exchanged through private attributes, at a cold start, in the pre-promote
 * notification and in promote itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hubha/log.h>

#include "pgsql.h"

void format_location(uint32_t tl, hubha_lsn lsn, char *buf, size_t len)
{
	char l[32];

	hubha_lsn_format(lsn, l, sizeof(l));
	snprintf(buf, len, "%u/%s", tl, l);
}

/* This standby's (timeline, LSN), as precise as the election needs it. */
int local_location(struct pgsql *pg, uint32_t *tl, hubha_lsn *lsn)
{
	char err[512];
	PGconn *conn;
	int r;

	r = connect_local(pg, &conn, err, sizeof(err));
	if (r == 0) {
		r = hubha_pg_location(conn, tl, lsn, err, sizeof(err));
		hubha_pg_close(conn);
	}
	if (r < 0)
		hubha_ocf_reason(pg->ctx, "Cannot read this node's WAL position: %s", err);
	return r;
}

static int parse_location(const char *v, unsigned *tl, hubha_lsn *lsn)
{
	char buf[64];
	const char *slash = strchr(v, '/');

	if (!slash)
		return -EINVAL;
	*tl = (unsigned)strtoul(v, NULL, 10);
	snprintf(buf, sizeof(buf), "%s", slash + 1);
	return hubha_lsn_parse(buf, lsn);
}

/* Wait, at most budget_ms, until every node of list but us and except has published its location. */
static void wait_for_locations(struct pgsql *pg, const char *list, const char *except, unsigned budget_ms)
{
	char name[256], node[256];

	attr_name(pg, "lsn-location", name, sizeof(name));
	for (unsigned waited = 0;; waited += 250) {
		const char *cur = list;
		bool all = true;

		while (all && next_node(&cur, node, sizeof(node))) {
			char *v = NULL;

			if (strcmp(node, pg->node) == 0 || (except && strcmp(node, except) == 0))
				continue;
			all = attr_get(pg, HUBHA_ATTR_PRIVATE, node, name, &v) == 0;
			free(v);
		}
		if (all || waited >= budget_ms)
			return;
		usleep(250000);
	}
}

/*
 * With no primary, nobody ranks the standbys, and a promotion offered to one
 * that is behind is refused by the election, which costs that node a failure.
 * So at start each standby publishes where its data ends, waits a little for
 * the other listed nodes to do the same (they start in parallel), and ranks
 * every standby that has published.  Returns false when a primary runs (it
 * does the ranking).
 */
bool cold_start_scores(struct pgsql *pg)
{
	char name[256], node[256], best[256], loc[64];
	const char *cur = pg->node_list;
	uint32_t best_tl, tl;
	hubha_lsn best_lsn, lsn;
	unsigned budget = pg->ctx->timeout_ms / 4 < 5000 ? pg->ctx->timeout_ms / 4 : 5000;
	char ranked[2048] = "";

	attr_name(pg, "status", name, sizeof(name));
	while (next_node(&cur, node, sizeof(node))) {
		char *status = NULL;
		bool primary;

		if (strcmp(node, pg->node) == 0 || attr_get(pg, HUBHA_ATTR_TRANSIENT, node, name, &status) < 0)
			continue;
		primary = strcmp(status, "PRI") == 0;
		free(status);
		if (primary)
			return false;
	}
	if (local_location(pg, &best_tl, &best_lsn) < 0) {
		pg->ctx->reason[0] = '\0';
		return false;
	}
	format_location(best_tl, best_lsn, loc, sizeof(loc));
	publish(pg, false, HUBHA_ATTR_PRIVATE, NULL, "lsn-location", loc, NULL);
	snprintf(best, sizeof(best), "%s", pg->node);
	/* The others start alongside us: give them a little time to publish too. */
	wait_for_locations(pg, pg->node_list, NULL, budget);
	attr_name(pg, "lsn-location", name, sizeof(name));
	cur = pg->node_list;
	while (next_node(&cur, node, sizeof(node))) {
		char *v = NULL;
		int ok;

		if (strcmp(node, pg->node) == 0 || attr_get(pg, HUBHA_ATTR_PRIVATE, node, name, &v) < 0)
			continue;
		ok = parse_location(v, &tl, &lsn) == 0;
		free(v);
		if (!ok)
			continue;
		snprintf(ranked + strlen(ranked), sizeof(ranked) - strlen(ranked), " %s", node);
		if (tl > best_tl || (tl == best_tl && lsn > best_lsn) ||
		    /* Equal data: the same tie-break on every node. */
		    (tl == best_tl && lsn == best_lsn && strcmp(node, best) < 0)) {
			best_tl = tl, best_lsn = lsn;
			snprintf(best, sizeof(best), "%s", node);
		}
	}
	cur = ranked;
	while (next_node(&cur, node, sizeof(node)))
		publish(pg, false, HUBHA_ATTR_PROMOTION, node, NULL, strcmp(node, best) == 0 ? "10" : "1", NULL);
	publish(pg, false, HUBHA_ATTR_PROMOTION, NULL, NULL, strcmp(pg->node, best) == 0 ? "10" : "1", NULL);
	return true;
}

/*
 * The first node of peers (except us and except) whose published (timeline,
 * LSN) is ahead of ours: its name and location into node/loc.
 */
static bool more_advanced_peer(struct pgsql *pg, const char *peers, const char *except, uint32_t my_tl,
			       hubha_lsn my_lsn, char *node, size_t node_len, char *loc, size_t loc_len)
{
	const char *cur = peers;
	char name[256];

	attr_name(pg, "lsn-location", name, sizeof(name));
	while (next_node(&cur, node, node_len)) {
		unsigned tl;
		hubha_lsn lsn;
		char *v = NULL;
		bool ahead;

		if (strcmp(node, pg->node) == 0 || (except && strcmp(node, except) == 0) ||
		    attr_get(pg, HUBHA_ATTR_PRIVATE, node, name, &v) < 0)
			continue;
		ahead = parse_location(v, &tl, &lsn) == 0 && (tl > my_tl || (tl == my_tl && lsn > my_lsn));
		if (ahead)
			snprintf(loc, loc_len, "%s", v);
		free(v);
		if (ahead)
			return true;
	}
	return false;
}

/* Give the promotion to node: its score above ours. */
static void hand_over(struct pgsql *pg, const char *node)
{
	publish(pg, false, HUBHA_ATTR_PROMOTION, node, NULL, "1000", NULL);
	publish(pg, false, HUBHA_ATTR_PROMOTION, NULL, NULL, "1", NULL);
}

/*
 * The election, just before promoting: every standby wrote its (timeline, LSN)
 * in the pre-promote notification.  If one is ahead of us it gets the
 * promotion instead, and we refuse.
 */
int election(struct pgsql *pg)
{
	struct hubha_ocf_ctx *ctx = pg->ctx;
	char name[256], *peers = NULL, *v, loc[64];
	char node[256];
	uint32_t my_tl;
	hubha_lsn my_lsn;
	int r;

	if (local_location(pg, &my_tl, &my_lsn) < 0)
		return HUBHA_OCF_ERR_GENERIC;
	attr_name(pg, "election", name, sizeof(name));
	r = attr_get(pg, HUBHA_ATTR_PRIVATE, NULL, name, &peers);
	if (r < 0) {
		hubha_log(LOG_WARNING, "No election data (is notify=true set?): promoting on the score alone");
		return HUBHA_OCF_SUCCESS;
	}
	/* peers = "<standbys that took part>|<node being demoted>" */
	v = strchr(peers, '|');
	if (v)
		*v++ = '\0';
	if (v && *v) {
		char *cp = NULL;

		attr_name(pg, "demote-checkpoint", name, sizeof(name));
		if (attr_get(pg, HUBHA_ATTR_PRIVATE, v, name, &cp) == 0) {
			hubha_lsn ck = 0;
			char got[32];

			hubha_lsn_parse(cp, &ck);
			hubha_lsn_format(my_lsn, got, sizeof(got));
			if (my_lsn <= ck) {
				hubha_ocf_reason(ctx, "Switchover refused: the old primary %s shut down at %s and this "
						 "standby has only %s", v, cp, got);
				publish(pg, false, HUBHA_ATTR_TRANSIENT, NULL, "no-promote-reason", ctx->reason, NULL);
				free(cp);
				free(peers);
				return HUBHA_OCF_ERR_GENERIC;
			}
			free(cp);
		}
	}
	if (more_advanced_peer(pg, peers, v, my_tl, my_lsn, node, sizeof(node), loc, sizeof(loc))) {
		char mine[64];

		format_location(my_tl, my_lsn, mine, sizeof(mine));
		hubha_ocf_reason(ctx, "Promotion handed to %s: it has more recent data (%s) than this node (%s)", node,
				 loc, mine);
		hand_over(pg, node);
		publish(pg, false, HUBHA_ATTR_TRANSIENT, NULL, "no-promote-reason", ctx->reason, NULL);
		free(peers);
		return HUBHA_OCF_ERR_GENERIC;
	}
	free(peers);
	return HUBHA_OCF_SUCCESS;
}

/*
 * On the node chosen for promotion, in the pre-promote notification: if
 * another standby is ahead, move the promotion there now.  The score change
 * aborts the transition before the promote runs, so the wrong node is not
 * charged with a failed promote.  The election in promote stays the gate.
 */
void redirect_promotion(struct pgsql *pg, const char *standbys, const char *demoted, uint32_t tl,
			       hubha_lsn lsn)
{
	char node[256], loc[64], *score = NULL;

	/* The others publish in their own pre-promote notification, which runs alongside this one. */
	wait_for_locations(pg, standbys, demoted, 2750);
	if (!more_advanced_peer(pg, standbys, demoted, tl, lsn, node, sizeof(node), loc, sizeof(loc)))
		return;
	hubha_log(LOG_WARNING, "%s has more recent data (%s): moving the promotion there", node, loc);
	hand_over(pg, node);
	/* Return only once the scheduler can see it, so it recomputes before promoting us. */
	for (int i = 0; i < 20; i++) {
		bool seen = attr_get(pg, HUBHA_ATTR_PROMOTION, node, pg->rsc, &score) == 0 && strcmp(score, "1000") == 0;

		free(score);
		score = NULL;
		if (seen)
			break;
		usleep(100000);
	}
}

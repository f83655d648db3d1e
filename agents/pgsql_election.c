/*
 * ocf:hubha:pgsql — choosing the primary: the standbys' (timeline, LSN)
 * exchanged through private attributes, at a cold start, in the pre-promote
 * notification and in promote itself.  This file gathers and publishes; the
 * decisions are pgsql_decide.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hubha/deadline.h>
#include <hubha/log.h>

#include "pgsql.h"

/* How often a wait for other nodes' attributes looks again. */
#define POLL_MS 250
/*
 * How long the node chosen waits for the others' locations in its pre-promote
 * notification.  They usually run alongside; a loaded controller runs them one
 * at a time, and then the others published theirs in the transition's earlier
 * notifications (pgsql_notify).
 */
#define REDIRECT_WAIT_MS 2750
/* How long promote waits for attributes still travelling from the other nodes' attrd. */
#define ELECTION_WAIT_MS 2000
/* How long a redirect waits for the scheduler to see the new score. */
#define SCORE_SEEN_WAIT_MS 2000
#define SCORE_POLL_MS 100
#define COLD_START_WAIT_MAX_MS 5000
#define MAX_PEERS 32

/* This standby's (timeline, LSN), as precise as the election needs it. */
int pgsql_local_location(struct pgsql *pg, struct pgsql_location *ret)
{
	struct pgsql_location loc;
	char err[512];
	PGconn *conn;
	int r;

	r = pgsql_connect_local(pg, &conn, err, sizeof(err));
	if (r == 0) {
		r = hubha_pg_location(conn, &loc.tl, &loc.lsn, err, sizeof(err));
		hubha_pg_close(conn);
	}
	if (r < 0) {
		hubha_ocf_reason(pg->ctx, "Cannot read this node's WAL position: %s", err);
		return r;
	}
	*ret = loc;
	return 0;
}

/* Whether every node of list but us and except has published the private attribute suffix. */
static bool published(struct pgsql *pg, const char *list, const char *except, const char *suffix)
{
	const char *cur = list;
	char name[256], node[256];

	pgsql_attr_name(pg, suffix, name, sizeof(name));
	while (pgsql_next_node(&cur, node, sizeof(node))) {
		char *v = NULL;
		bool have;

		if (strcmp(node, pg->node) == 0 || (except && strcmp(node, except) == 0))
			continue;
		have = pgsql_attr_get(pg, HUBHA_ATTR_PRIVATE, node, name, &v) == 0;
		free(v);
		if (!have)
			return false;
	}
	return true;
}

/* Wait, at most budget_ms, until every node of list but us and except has published suffix. */
static void wait_published(struct pgsql *pg, const char *list, const char *except, const char *suffix,
			   unsigned budget_ms)
{
	struct hubha_deadline d = hubha_deadline_in(budget_ms);

	while (!published(pg, list, except, suffix) && !hubha_deadline_passed(d))
		usleep(POLL_MS * 1000);
}

/*
 * The published locations of the nodes of list but us and except, into
 * peers (values allocated: free_peers).  Returns how many.
 */
static size_t read_peers(struct pgsql *pg, const char *list, const char *except, struct pgsql_peer *peers,
			 char names[][256], size_t max)
{
	const char *cur = list;
	char name[256];
	size_t n = 0;

	pgsql_attr_name(pg, "lsn-location", name, sizeof(name));
	while (n < max && pgsql_next_node(&cur, names[n], sizeof(names[n]))) {
		char *v = NULL;

		if (strcmp(names[n], pg->node) == 0 || (except && strcmp(names[n], except) == 0))
			continue;
		if (pgsql_attr_get(pg, HUBHA_ATTR_PRIVATE, names[n], name, &v) < 0)
			v = NULL;
		peers[n].node = names[n];
		peers[n].location = v;
		n++;
	}
	return n;
}

static void free_peers(struct pgsql_peer *peers, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)peers[i].location);
}

static void publish_score(struct pgsql *pg, const char *node, int score)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", score);
	pgsql_publish(pg, false, HUBHA_ATTR_PROMOTION, node, NULL, v, NULL);
}

/* Whether a node of node_list but us runs as primary: then it ranks the standbys. */
static bool primary_elsewhere(struct pgsql *pg)
{
	char name[256], node[256];
	const char *cur = pg->node_list;

	pgsql_attr_name(pg, "status", name, sizeof(name));
	while (pgsql_next_node(&cur, node, sizeof(node))) {
		char *status = NULL;
		bool primary;

		if (strcmp(node, pg->node) == 0 || pgsql_attr_get(pg, HUBHA_ATTR_TRANSIENT, node, name, &status) < 0)
			continue;
		primary = strcmp(status, "PRI") == 0;
		free(status);
		if (primary)
			return true;
	}
	return false;
}

/*
 * With no primary, nobody ranks the standbys, and a promotion offered to one
 * that is behind is refused by the election, which costs that node a failure.
 * So at start each standby publishes where its data ends, waits a little for
 * the other listed nodes to do the same (they start in parallel), and ranks
 * every standby that has published.  Returns false when a primary runs (it
 * does the ranking).
 */
bool pgsql_cold_start_scores(struct pgsql *pg)
{
	struct pgsql_peer peers[MAX_PEERS];
	char names[MAX_PEERS][256], loc[64];
	struct pgsql_location mine, l;
	unsigned budget = pg->ctx->timeout_ms / 4;
	size_t n;
	int best;

	if (primary_elsewhere(pg))
		return false;
	if (pgsql_local_location(pg, &mine) < 0) {
		pg->ctx->reason[0] = '\0';
		return false;
	}
	pgsql_location_format(mine, loc, sizeof(loc));
	pgsql_publish(pg, false, HUBHA_ATTR_PRIVATE, NULL, "lsn-location", loc, NULL);
	/* The others start alongside us: give them a little time to publish too. */
	wait_published(pg, pg->node_list, NULL, "lsn-location",
		       budget < COLD_START_WAIT_MAX_MS ? budget : COLD_START_WAIT_MAX_MS);
	n = read_peers(pg, pg->node_list, NULL, peers, names, MAX_PEERS);
	best = pgsql_cold_start_best(pg->node, mine, peers, n);
	/* Rank only those that published: the others are unknown, not behind. */
	for (size_t i = 0; i < n; i++)
		if (pgsql_location_parse(peers[i].location, &l) == 0)
			publish_score(pg, peers[i].node, (int)i == best ? SCORE_COLD_BEST : SCORE_UNRANKED);
	publish_score(pg, NULL, best < 0 ? SCORE_COLD_BEST : SCORE_UNRANKED);
	free_peers(peers, n);
	return true;
}

/*
 * Give the promotion to node: ours down first, then its up.  Each write is
 * its own CIB change, and the scheduler may run between them: in the other
 * order it would see both at the top, and a tie may still promote us.
 */
static void hand_over(struct pgsql *pg, const char *node)
{
	publish_score(pg, NULL, SCORE_UNRANKED);
	publish_score(pg, node, SCORE_BEST_STANDBY);
}

/* The demoted node's shutdown checkpoint, once it reached this node's attrd (NULL: not published). */
static char *demote_checkpoint(struct pgsql *pg, const char *demoted)
{
	char name[256], *cp = NULL;

	wait_published(pg, demoted, NULL, "demote-checkpoint", ELECTION_WAIT_MS);
	pgsql_attr_name(pg, "demote-checkpoint", name, sizeof(name));
	if (pgsql_attr_get(pg, HUBHA_ATTR_PRIVATE, demoted, name, &cp) < 0)
		return NULL;
	return cp;
}

/*
 * What this node's pre-promote notification left (NULL: nothing).  attrd
 * applies even a local update only when its cluster message comes back, so
 * give it a moment.
 */
static char *own_election(struct pgsql *pg)
{
	struct hubha_deadline d = hubha_deadline_in(ELECTION_WAIT_MS);
	char name[256], *v = NULL;

	pgsql_attr_name(pg, "election", name, sizeof(name));
	while (pgsql_attr_get(pg, HUBHA_ATTR_PRIVATE, NULL, name, &v) < 0) {
		if (hubha_deadline_passed(d))
			return NULL;
		usleep(POLL_MS * 1000);
	}
	return v;
}

/*
 * The election, just before promoting: every standby wrote its (timeline, LSN)
 * in the pre-promote notification.  If one is ahead of us it gets the
 * promotion instead, and we refuse; so do we when that cannot be known.
 */
int pgsql_election(struct pgsql *pg)
{
	struct hubha_ocf_ctx *ctx = pg->ctx;
	struct pgsql_peer peers[MAX_PEERS];
	struct pgsql_election_in in = { .self = pg->node };
	char names[MAX_PEERS][256], standbys[2048], demoted[256], winner[256], reason[512];
	char *election, *checkpoint = NULL;
	enum pgsql_decision d;
	size_t n = 0;

	if (pgsql_local_location(pg, &in.mine) < 0)
		return HUBHA_OCF_ERR_GENERIC;
	/* Written by this node's own notification, but attrd makes it visible only once it went round the cluster. */
	wait_published(pg, pg->node, NULL, "election", ELECTION_WAIT_MS);
	election = own_election(pg);
	if (election && pgsql_election_parse(election, standbys, sizeof(standbys), demoted, sizeof(demoted)) == 0) {
		/* Other nodes' attributes reach this attrd a little after they wrote them. */
		wait_published(pg, standbys, demoted, "lsn-location", ELECTION_WAIT_MS);
		n = read_peers(pg, standbys, demoted, peers, names, MAX_PEERS);
		if (demoted[0])
			checkpoint = demote_checkpoint(pg, demoted);
	}
	in.election = election;
	in.checkpoint = checkpoint;
	in.peers = peers;
	in.n_peers = n;
	in.node_list = pg->node_list;
	in.sync_num = pg->rep_mode == REP_SYNC ? pg->sync_num : 0;
	d = pgsql_decide_promotion(&in, winner, sizeof(winner), reason, sizeof(reason));
	free_peers(peers, n);
	free(checkpoint);
	free(election);
	if (d == PGSQL_PROMOTE)
		return HUBHA_OCF_SUCCESS;
	hubha_ocf_reason(ctx, "%s", reason);
	if (d == PGSQL_HAND_OVER)
		hand_over(pg, winner);
	pgsql_publish(pg, false, HUBHA_ATTR_TRANSIENT, NULL, "no-promote-reason", reason, NULL);
	return HUBHA_OCF_ERR_GENERIC;
}

static bool score_is(struct pgsql *pg, const char *node, int want)
{
	char *score = NULL;
	bool is = pgsql_attr_get(pg, HUBHA_ATTR_PROMOTION, node, pg->rsc, &score) == 0 &&
		  strtol(score, NULL, 10) == want;

	free(score);
	return is;
}

/*
 * On the node chosen for promotion, in the pre-promote notification: if
 * another standby is ahead, move the promotion there now.  The score change
 * aborts the transition before the promote runs, so the wrong node is not
 * charged with a failed promote.  The election in promote stays the gate.
 */
void pgsql_redirect_promotion(struct pgsql *pg, const char *standbys, const char *demoted,
			      struct pgsql_location mine)
{
	struct pgsql_peer peers[MAX_PEERS];
	char names[MAX_PEERS][256];
	struct hubha_deadline d;
	size_t n;
	int best;

	/* The others publish in their own pre-promote notification, or earlier in the transition. */
	wait_published(pg, standbys, demoted, "lsn-location", REDIRECT_WAIT_MS);
	n = read_peers(pg, standbys, demoted, peers, names, MAX_PEERS);
	best = pgsql_most_advanced(pg->node, mine, peers, n);
	if (best >= 0) {
		hubha_log(LOG_WARNING, "%s has more recent data (%s): moving the promotion there", peers[best].node,
			  peers[best].location);
		hand_over(pg, peers[best].node);
		/* Return only once the scheduler can see it, so it recomputes before promoting us. */
		d = hubha_deadline_in(SCORE_SEEN_WAIT_MS);
		while (!(score_is(pg, peers[best].node, SCORE_BEST_STANDBY) && score_is(pg, NULL, SCORE_UNRANKED)) &&
		       !hubha_deadline_passed(d))
			usleep(SCORE_POLL_MS * 1000);
	}
	free_peers(peers, n);
}

/*
 * The election runs in the pre-promote notification and assumes one primary,
 * so a replicated clone needs notify=true and promoted-max=1.  PAF checks this
 * before every action and returns OCF_ERR_INSTALLED, which a probe reports as
 * "not running".  Here it gates only start and promote (stop and monitor must
 * keep working on a running cluster), and the code is OCF_ERR_CONFIGURED: the
 * meta attributes are the same on every node, so trying another node, as
 * OCF_ERR_INSTALLED would have Pacemaker do, cannot help.
 */
int pgsql_check_clone(struct pgsql *pg)
{
	char reason[512];

	if (pg->rep_mode == REP_NONE)
		return HUBHA_OCF_SUCCESS;
	if (pgsql_check_clone_meta(getenv("OCF_RESKEY_CRM_meta_notify"),
				   getenv("OCF_RESKEY_CRM_meta_promoted_max"),
				   getenv("OCF_RESKEY_CRM_meta_master_max"), reason, sizeof(reason)) < 0) {
		hubha_ocf_reason(pg->ctx, "%s", reason);
		return HUBHA_OCF_ERR_CONFIGURED;
	}
	return HUBHA_OCF_SUCCESS;
}

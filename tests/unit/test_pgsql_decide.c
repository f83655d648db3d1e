/*
 * The pgsql agent's decisions (agents/pgsql_decide.c), from tables: who is
 * promoted, when a switchover or a promotion is refused, how standbys rank,
 * synchronous_standby_names, slot names and the clone's meta attributes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pgsql_decide.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define LOC(t, hi, lo) ((struct pgsql_location){ .tl = (t), .lsn = ((hubha_lsn)(hi) << 32) | (lo) })

static void test_location_parse(void **state)
{
	static const struct {
		const char *text;
		int rc;
		uint32_t tl;
		hubha_lsn lsn;
	} cases[] = {
		{ "1/0/3000060", 0, 1, 0x3000060 },
		{ "12/16/B374D848", 0, 12, 0x16B374D848ull },
		{ "4294967295/0/0", 0, UINT32_MAX, 0 },
		{ "4294967296/0/0", -EINVAL, 0, 0 },	/* timeline does not fit */
		{ "", -EINVAL, 0, 0 },
		{ "1", -EINVAL, 0, 0 },
		{ "1/", -EINVAL, 0, 0 },
		{ "1/0", -EINVAL, 0, 0 },		/* an LSN without its timeline part */
		{ "1/0/", -EINVAL, 0, 0 },
		{ "x/0/1", -EINVAL, 0, 0 },		/* no timeline: not timeline 0 */
		{ "/0/1", -EINVAL, 0, 0 },
		{ "-1/0/1", -EINVAL, 0, 0 },
		{ " 1/0/1", -EINVAL, 0, 0 },
		{ "1/0/1 ", -EINVAL, 0, 0 },
		{ "1/0/1junk", -EINVAL, 0, 0 },
		{ "1/0/123456789", -EINVAL, 0, 0 },	/* nine hex digits */
		{ "1/zz/1", -EINVAL, 0, 0 },
		{ "garbage", -EINVAL, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		struct pgsql_location loc = LOC(77, 0x77, 0x77);
		int rc = pgsql_location_parse(cases[i].text, &loc);

		if (rc != cases[i].rc)
			fail_msg("'%s': rc %d, expected %d", cases[i].text, rc, cases[i].rc);
		if (rc == 0 && (loc.tl != cases[i].tl || loc.lsn != cases[i].lsn))
			fail_msg("'%s': parsed %u/%llx", cases[i].text, loc.tl, (unsigned long long)loc.lsn);
		if (rc < 0 && (loc.tl != 77 || loc.lsn != LOC(77, 0x77, 0x77).lsn))
			fail_msg("'%s': rejected but the result was written", cases[i].text);
	}
	assert_int_equal(pgsql_location_parse(NULL, &(struct pgsql_location){ 0 }), -EINVAL);
}

static void test_location_format_roundtrip(void **state)
{
	char buf[64];
	struct pgsql_location back;

	(void)state;
	pgsql_location_format(LOC(3, 0x16, 0xB374D848), buf, sizeof(buf));
	assert_string_equal(buf, "3/16/B374D848");
	assert_int_equal(pgsql_location_parse(buf, &back), 0);
	assert_int_equal(pgsql_location_cmp(back, LOC(3, 0x16, 0xB374D848)), 0);
}

static void test_location_cmp_timeline_first(void **state)
{
	(void)state;
	/* A newer timeline wins over a larger LSN on an older one. */
	assert_true(pgsql_location_cmp(LOC(2, 0, 0x10), LOC(1, 0xFF, 0)) > 0);
	assert_true(pgsql_location_cmp(LOC(1, 0xFF, 0), LOC(2, 0, 0x10)) < 0);
	assert_true(pgsql_location_cmp(LOC(1, 0, 0x11), LOC(1, 0, 0x10)) > 0);
	/* The high half counts: 1/0 is ahead of 0/FFFFFFFF. */
	assert_true(pgsql_location_cmp(LOC(1, 1, 0), LOC(1, 0, 0xFFFFFFFF)) > 0);
	assert_int_equal(pgsql_location_cmp(LOC(1, 0, 5), LOC(1, 0, 5)), 0);
}

/* ---- the election ---------------------------------------------------- */

struct election_case {
	const char *what;
	const char *self;
	const char *mine;		/* this node's location */
	const char *election;		/* NULL: no pre-promote data */
	const char *checkpoint;		/* NULL: none published */
	struct pgsql_peer peers[4];	/* node NULL ends */
	const char *node_list;		/* with sync_num: the quorum rule */
	unsigned sync_num;		/* 0: not sync mode */
	enum pgsql_decision want;
	const char *winner;		/* PGSQL_HAND_OVER */
	const char *reason;		/* the reason starts with this ("" for none) */
};

static const struct election_case election_cases[] = {
	{ "alone, nothing to compare", "n1", "1/0/3000060", "n1|", NULL, { { NULL, NULL } }, NULL, 0, PGSQL_PROMOTE, NULL, "" },
	{ "ahead of the other standby", "n1", "1/0/3000060", "n1 n2|", NULL,
	  { { "n2", "1/0/3000000" } }, NULL, 0, PGSQL_PROMOTE, NULL, "" },
	{ "a peer is more advanced: promotion handed to it", "n1", "1/0/3000000", "n1 n2|", NULL,
	  { { "n2", "1/0/3000060" } }, NULL, 0, PGSQL_HAND_OVER, "n2",
	  "Promotion handed to n2: it has more recent data (1/0/3000060) than this node (1/0/3000000)" },
	{ "handed to the most advanced, not the first ahead", "n1", "1/0/100", "n1 n2 n3|", NULL,
	  { { "n2", "1/0/200" }, { "n3", "1/0/300" } }, NULL, 0, PGSQL_HAND_OVER, "n3", "Promotion handed to n3" },
	{ "timeline before LSN: a newer timeline with a smaller LSN is ahead", "n1", "1/5/0", "n1 n2|", NULL,
	  { { "n2", "2/0/10" } }, NULL, 0, PGSQL_HAND_OVER, "n2", "Promotion handed to n2" },
	{ "timeline before LSN: a larger LSN on an older timeline is behind", "n1", "2/0/10", "n1 n2|", NULL,
	  { { "n2", "1/5/0" } }, NULL, 0, PGSQL_PROMOTE, NULL, "" },
	{ "tie with a peer: the node chosen keeps it", "n2", "1/0/3000060", "n1 n2|", NULL,
	  { { "n1", "1/0/3000060" } }, NULL, 0, PGSQL_PROMOTE, NULL, "" },
	{ "tie between two peers ahead: the first name wins", "n1", "1/0/10", "n1 n3 n2|", NULL,
	  { { "n3", "1/0/20" }, { "n2", "1/0/20" } }, NULL, 0, PGSQL_HAND_OVER, "n2", "Promotion handed to n2" },
	{ "no pre-promote data refuses", "n1", "1/0/3000060", NULL, NULL, { { NULL, NULL } }, NULL, 0, PGSQL_NO_ELECTION, NULL,
	  "Promotion refused: no election data" },
	{ "malformed pre-promote data refuses", "n1", "1/0/3000060", "n1 n2", NULL, { { "n2", "1/0/1" } }, NULL, 0,
	  PGSQL_NO_ELECTION, NULL, "Promotion refused: no election data" },
	{ "a standby that took part published nothing", "n1", "1/0/3000060", "n1 n2|", NULL,
	  { { "n2", NULL } }, NULL, 0, PGSQL_NO_LOCATION, NULL,
	  "Promotion refused: n2 took part in the election but published no location" },
	{ "a standby that took part is not even in the data", "n1", "1/0/3000060", "n1 n2 n3|", NULL,
	  { { "n2", "1/0/1" } }, NULL, 0, PGSQL_NO_LOCATION, NULL, "Promotion refused: n3 took part" },
	{ "a garbage location refuses, rather than being skipped", "n1", "1/0/3000060", "n1 n2|", NULL,
	  { { "n2", "x/0/99999999" } }, NULL, 0, PGSQL_NO_LOCATION, NULL,
	  "Promotion refused: n2 published an unreadable location 'x/0/99999999'" },
	{ "a location left by a node that did not take part is ignored", "n1", "1/0/10", "n1 n2|", NULL,
	  { { "n2", "1/0/5" }, { "n3", "9/0/0" } }, NULL, 0, PGSQL_PROMOTE, NULL, "" },
	{ "switchover: checkpoint received", "n2", "1/0/3000100", "n1 n2|n1", "0/3000060",
	  { { "n1", "1/0/3000100" } }, NULL, 0, PGSQL_PROMOTE, NULL, "" },
	{ "switchover refused: checkpoint not received", "n2", "1/0/3000060", "n1 n2|n1", "0/3000060",
	  { { "n1", "1/0/3000100" } }, NULL, 0, PGSQL_CHECKPOINT_MISSED, NULL,
	  "Switchover refused: the old primary n1 shut down at 0/3000060 and this standby has only 0/3000060" },
	{ "switchover refused: checkpoint unreadable", "n2", "1/0/3000100", "n1 n2|n1", "garbage",
	  { { "n1", "1/0/3000100" } }, NULL, 0, PGSQL_NO_CHECKPOINT, NULL,
	  "Switchover refused: the old primary n1 published an unreadable shutdown checkpoint 'garbage'" },
	{ "switchover refused: checkpoint empty", "n2", "1/0/3000100", "n1 n2|n1", "", { { NULL, NULL } }, NULL, 0,
	  PGSQL_NO_CHECKPOINT, NULL, "Switchover refused: the old primary n1 published an unreadable" },
	{ "switchover refused: no checkpoint published", "n2", "1/0/3000100", "n1 n2|n1", NULL, { { NULL, NULL } }, NULL, 0,
	  PGSQL_NO_CHECKPOINT, NULL, "Switchover refused: the old primary n1 published no shutdown checkpoint" },
	{ "demoted and promoted in place: no checkpoint needed, still compared", "n1", "1/0/100", "n1 n2|n1",
	  NULL, { { "n2", "1/0/50" } }, NULL, 0, PGSQL_PROMOTE, NULL, "" },
	{ "demoted and promoted in place, a peer ahead: handed over", "n1", "1/0/100", "n1 n2|n1", NULL,
	  { { "n2", "1/0/150" } }, NULL, 0, PGSQL_HAND_OVER, "n2", "Promotion handed to n2" },
	{ "switchover: the demoted node's own location does not count", "n2", "1/0/3000100", "n1 n2|n1",
	  "0/3000060", { { "n1", "1/0/9000000" } }, NULL, 0, PGSQL_PROMOTE, NULL, "" },
	{ "switchover to a standby behind another one: handed to that one", "n2", "1/0/3000100",
	  "n1 n2 n3|n1", "0/3000060", { { "n1", "1/0/3000100" }, { "n3", "1/0/3000200" } }, NULL, 0, PGSQL_HAND_OVER,
	  "n3", "Promotion handed to n3" },
	/* Sync mode, three nodes, ANY 1 of the two standbys: two nodes must be known. */
	{ "3 nodes, ANY 1: both survivors took part, the more advanced is promoted", "n2", "1/0/300", "n2 n3|",
	  NULL, { { "n3", "1/0/200" } }, "n1 n2 n3", 1, PGSQL_PROMOTE, NULL, "" },
	{ "3 nodes, ANY 1: both took part, the other is ahead: handed over", "n3", "1/0/200", "n2 n3|", NULL,
	  { { "n2", "1/0/300" } }, "n1 n2 n3", 1, PGSQL_HAND_OVER, "n2", "Promotion handed to n2" },
	{ "3 nodes, ANY 1: the other standby is unknown: refused, even if fenced", "n2", "1/0/300", "n2|", NULL,
	  { { NULL, NULL } }, "n1 n2 n3", 1, PGSQL_TOO_FEW_KNOWN, NULL,
	  "Promotion refused: the data of 1 of the 3 nodes is known (n2), 2 needed: with "
	  "synchronous_standby_names ANY 1, a commit may be only on n1, n3; bring it back, or remove it from "
	  "node_list" },
	{ "3 nodes, ANY 1: the old primary took part (cold start): enough", "n2", "1/0/300", "n1 n2|", NULL,
	  { { "n1", "1/0/400" } }, "n1 n2 n3", 1, PGSQL_HAND_OVER, "n1", "Promotion handed to n1" },
	{ "3 nodes, ANY 2: every standby has every commit, one is enough", "n2", "1/0/300", "n2|", NULL,
	  { { NULL, NULL } }, "n1 n2 n3", 2, PGSQL_PROMOTE, NULL, "" },
	{ "3 nodes, sync_num above the standbys: all of them, one is enough", "n2", "1/0/300", "n2|", NULL,
	  { { NULL, NULL } }, "n1 n2 n3", 5, PGSQL_PROMOTE, NULL, "" },
	{ "2 nodes, FIRST 1: the standby alone is enough, as always", "n2", "1/0/300", "n2|", NULL,
	  { { NULL, NULL } }, "n1 n2", 1, PGSQL_PROMOTE, NULL, "" },
	{ "async (sync_num 0): no quorum rule", "n2", "1/0/300", "n2|", NULL,
	  { { NULL, NULL } }, "n1 n2 n3", 0, PGSQL_PROMOTE, NULL, "" },
	{ "5 nodes, ANY 1: three known are too few", "n2", "1/0/300", "n2 n3 n4|", NULL,
	  { { "n3", "1/0/200" }, { "n4", "1/0/100" } }, "n1 n2 n3 n4 n5", 1, PGSQL_TOO_FEW_KNOWN, NULL,
	  "Promotion refused: the data of 3 of the 5 nodes is known (n2, n3, n4), 4 needed" },
	{ "5 nodes, ANY 2: three known are enough", "n2", "1/0/300", "n2 n3 n4|", NULL,
	  { { "n3", "1/0/200" }, { "n4", "1/0/100" } }, "n1 n2 n3 n4 n5", 2, PGSQL_PROMOTE, NULL, "" },
	{ "a node outside node_list does not count", "n2", "1/0/300", "n2 x9|", NULL,
	  { { "x9", "1/0/200" } }, "n1 n2 n3", 1, PGSQL_TOO_FEW_KNOWN, NULL, "Promotion refused: the data of 1 of" },
	{ "switchover in sync mode: the checkpoint decides, not the count", "n2", "1/0/3000100", "n1 n2|n1",
	  "0/3000060", { { "n1", "1/0/3000100" } }, "n1 n2 n3", 1, PGSQL_PROMOTE, NULL, "" },
	{ "demoted and promoted in place in sync mode: counted as a failover", "n2", "1/0/300", "n2|n2", NULL,
	  { { NULL, NULL } }, "n1 n2 n3", 1, PGSQL_TOO_FEW_KNOWN, NULL, "Promotion refused: the data of 1 of" },
};

static void test_election(void **state)
{
	(void)state;
	for (size_t i = 0; i < LEN(election_cases); i++) {
		const struct election_case *c = &election_cases[i];
		struct pgsql_election_in in = { .self = c->self, .election = c->election, .checkpoint = c->checkpoint,
						.peers = c->peers, .node_list = c->node_list, .sync_num = c->sync_num };
		char winner[64] = "", reason[512] = "x";
		enum pgsql_decision d;

		while (in.n_peers < LEN(c->peers) && c->peers[in.n_peers].node)
			in.n_peers++;
		if (pgsql_location_parse(c->mine, &in.mine) < 0)
			fail_msg("%s: bad test location %s", c->what, c->mine);
		d = pgsql_decide_promotion(&in, winner, sizeof(winner), reason, sizeof(reason));
		if (d != c->want)
			fail_msg("%s: decision %d, expected %d (reason: %s)", c->what, d, c->want, reason);
		if (c->winner && strcmp(winner, c->winner) != 0)
			fail_msg("%s: handed to '%s', expected %s", c->what, winner, c->winner);
		if (strncmp(reason, c->reason, strlen(c->reason)) != 0 || (!c->reason[0] && reason[0]))
			fail_msg("%s: reason '%s', expected '%s...'", c->what, reason, c->reason);
		if (strchr(reason, '\n'))
			fail_msg("%s: the reason is more than one line", c->what);
	}
}

/* Every node that runs the cold start ranks alike: the same best, whoever computes it. */
static void test_cold_start(void **state)
{
	static const struct {
		const char *what;
		const char *locs[3];	/* n1 n2 n3; NULL: published nothing */
		const char *best;
	} cases[] = {
		{ "the most advanced", { "1/0/10", "1/0/30", "1/0/20" }, "n2" },
		{ "timeline first", { "2/0/1", "1/9/0", "1/0/20" }, "n1" },
		{ "three-way tie: first name", { "1/0/10", "1/0/10", "1/0/10" }, "n1" },
		{ "tie of the two ahead: first name", { "1/0/5", "1/0/10", "1/0/10" }, "n2" },
		{ "nothing published by one: the others decide", { "1/0/10", NULL, "1/0/20" }, "n3" },
		{ "garbage published by one: it is not ranked", { "1/0/10", "1/0/zz", "1/0/5" }, "n1" },
	};
	static const char *const names[] = { "n1", "n2", "n3" };

	(void)state;
	for (size_t c = 0; c < LEN(cases); c++) {
		for (size_t self = 0; self < 3; self++) {
			struct pgsql_peer peers[3];
			struct pgsql_location mine;
			const char *got;
			int best;

			if (!cases[c].locs[self] || pgsql_location_parse(cases[c].locs[self], &mine) < 0)
				continue;
			for (size_t i = 0; i < 3; i++)
				peers[i] = (struct pgsql_peer){ names[i], cases[c].locs[i] };
			best = pgsql_cold_start_best(names[self], mine, peers, 3);
			got = best < 0 ? names[self] : peers[best].node;
			if (strcmp(got, cases[c].best) != 0)
				fail_msg("%s, computed on %s: best %s, expected %s", cases[c].what, names[self], got,
					 cases[c].best);
		}
	}
}

static void test_election_parse(void **state)
{
	char s[16], d[8];

	(void)state;
	assert_int_equal(pgsql_election_parse("n1 n2|n3", s, sizeof(s), d, sizeof(d)), 0);
	assert_string_equal(s, "n1 n2");
	assert_string_equal(d, "n3");
	assert_int_equal(pgsql_election_parse("|", s, sizeof(s), d, sizeof(d)), 0);
	assert_string_equal(s, "");
	assert_string_equal(d, "");
	assert_int_equal(pgsql_election_parse("n1 n2", s, sizeof(s), d, sizeof(d)), -EINVAL);
	assert_int_equal(pgsql_election_parse("a|b|c", s, sizeof(s), d, sizeof(d)), -EINVAL);
	assert_int_equal(pgsql_election_parse(NULL, s, sizeof(s), d, sizeof(d)), -EINVAL);
	assert_int_equal(pgsql_election_parse("n1|a-very-long-name", s, sizeof(s), d, sizeof(d)), -ENAMETOOLONG);
}

/* ---- the primary's ranking ------------------------------------------- */

static struct hubha_pg_standby sb(const char *name, const char *state, const char *sync, hubha_lsn flush)
{
	struct hubha_pg_standby s = { .pid = 1, .flush_lsn = flush };

	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.state, sizeof(s.state), "%s", state);
	snprintf(s.sync_state, sizeof(s.sync_state), "%s", sync);
	return s;
}

static void test_standby_score(void **state)
{
	struct hubha_pg_standby all[4];

	(void)state;
	/* Synchronous before asynchronous, whatever they flushed. */
	all[0] = sb("n2", "streaming", "async", 900);
	all[1] = sb("n3", "streaming", "sync", 100);
	assert_int_equal(pgsql_standby_score(all, 2, 1), SCORE_BEST_STANDBY);
	assert_int_equal(pgsql_standby_score(all, 2, 0), SCORE_BEST_STANDBY - 1);
	/* quorum counts as synchronous, potential does not. */
	all[1] = sb("n3", "streaming", "quorum", 100);
	assert_int_equal(pgsql_standby_score(all, 2, 1), SCORE_BEST_STANDBY);
	all[1] = sb("n3", "streaming", "potential", 100);
	assert_int_equal(pgsql_standby_score(all, 2, 0), SCORE_BEST_STANDBY);
	/* Then by flush position. */
	all[0] = sb("n2", "streaming", "async", 100);
	all[1] = sb("n3", "streaming", "async", 200);
	all[2] = sb("n4", "streaming", "async", 300);
	assert_int_equal(pgsql_standby_score(all, 3, 2), SCORE_BEST_STANDBY);
	assert_int_equal(pgsql_standby_score(all, 3, 1), SCORE_BEST_STANDBY - 1);
	assert_int_equal(pgsql_standby_score(all, 3, 0), SCORE_BEST_STANDBY - 2);
	/* One that does not stream does not push the others down. */
	all[2] = sb("n4", "catchup", "async", 300);
	assert_int_equal(pgsql_standby_score(all, 3, 1), SCORE_BEST_STANDBY);
	/* Level: the first name ranks first, so scores never tie. */
	all[0] = sb("n3", "streaming", "async", 100);
	all[1] = sb("n2", "streaming", "async", 100);
	assert_int_equal(pgsql_standby_score(all, 2, 1), SCORE_BEST_STANDBY);
	assert_int_equal(pgsql_standby_score(all, 2, 0), SCORE_BEST_STANDBY - 1);
}

/* ---- synchronous_standby_names --------------------------------------- */

static void test_sync_names(void **state)
{
	static const struct {
		const char *list, *self;
		unsigned sync_num;
		size_t len;
		int rc;
		const char *want;
	} cases[] = {
		/* One standby: FIRST 1, whatever sync_num says. */
		{ "n1 n2", "n1", 1, 64, 0, "FIRST 1 (\"n2\")" },
		{ "n1 n2", "n2", 1, 64, 0, "FIRST 1 (\"n1\")" },
		{ "n1 n2", "n1", 3, 64, 0, "FIRST 1 (\"n2\")" },
		{ "node-a.example node-b.example", "node-a.example", 1, 64, 0, "FIRST 1 (\"node-b.example\")" },
		/* Several: a quorum of sync_num, at most all of them. */
		{ "n1 n2 n3", "n2", 1, 64, 0, "ANY 1 (\"n1\", \"n3\")" },
		{ "n1,n2,  n3", "n1", 1, 64, 0, "ANY 1 (\"n2\", \"n3\")" },
		{ "n1 n2 n3 n4 n5", "n3", 2, 64, 0, "ANY 2 (\"n1\", \"n2\", \"n4\", \"n5\")" },
		{ "n1 n2 n3", "n1", 7, 64, 0, "ANY 2 (\"n2\", \"n3\")" },
		{ "n1 n2 n3", "n1", 0, 64, 0, "ANY 1 (\"n2\", \"n3\")" },
		/* A name listed twice is one standby. */
		{ "n1 n2 n2", "n1", 1, 64, 0, "FIRST 1 (\"n2\")" },
		{ "n1 n2 n3 n2", "n1", 1, 64, 0, "ANY 1 (\"n2\", \"n3\")" },
		{ "n1", "n1", 1, 64, 0, "" },
		{ "", "n1", 1, 64, 0, "" },
		/* Exactly fits: 14 characters and the terminator. */
		{ "n1 n2", "n1", 1, 15, 0, "FIRST 1 (\"n2\")" },
		{ "n1 n2 n3", "n1", 1, 19, 0, "ANY 1 (\"n2\", \"n3\")" },
		/* One short: an error, never a list without its ")". */
		{ "n1 n2", "n1", 1, 14, -ENAMETOOLONG, "" },
		{ "n1 n2", "n1", 1, 13, -ENAMETOOLONG, "" },
		{ "n1 n2 n3", "n1", 1, 18, -ENAMETOOLONG, "" },
		{ "n1 n2", "n1", 1, 5, -ENAMETOOLONG, "" },
		{ "n1 n2 n3", "n1", 1, 4, -ENAMETOOLONG, "" },
		{ "n1 n\"2", "n1", 1, 64, -EINVAL, "" },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		char buf[64];
		int rc;

		memset(buf, 'x', sizeof(buf));
		rc = pgsql_sync_names(cases[i].list, cases[i].self, cases[i].sync_num, buf, cases[i].len);
		if (rc != cases[i].rc)
			fail_msg("'%s' on %s in %zu: rc %d, expected %d", cases[i].list, cases[i].self, cases[i].len, rc,
				 cases[i].rc);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("'%s' on %s in %zu: '%s', expected '%s'", cases[i].list, cases[i].self, cases[i].len,
				 buf, cases[i].want);
	}
}

static void test_sync_names_next(void **state)
{
	static const struct {
		const char *what, *current, *want;
		unsigned n_sync, need, n_standbys;
		bool degrade;
		const char *next;	/* NULL: leave it */
	} cases[] = {
		{ "in effect already: leave it", "FIRST 1 (\"n2\")", "FIRST 1 (\"n2\")", 1, 1, 1, false, NULL },
		{ "not in effect: set it, without a standby", "", "FIRST 1 (\"n2\")", 0, 1, 0, false,
		  "FIRST 1 (\"n2\")" },
		{ "no synchronous standby, degrading allowed: clear it", "FIRST 1 (\"n2\")", "FIRST 1 (\"n2\")", 0, 1,
		  0, true, "" },
		{ "degraded and still nobody: stay so", "", "FIRST 1 (\"n2\")", 0, 1, 0, true, NULL },
		{ "degraded and a standby connects: back to synchronous", "", "FIRST 1 (\"n2\")", 0, 1, 1, true,
		  "FIRST 1 (\"n2\")" },
		{ "degrading not allowed: never cleared", "FIRST 1 (\"n2\")", "FIRST 1 (\"n2\")", 0, 1, 0, false, NULL },
		/* ANY 1 of two standbys: one left is enough, none left degrades. */
		{ "ANY 1, one standby of two left: not degraded", "ANY 1 (\"n2\", \"n3\")",
		  "ANY 1 (\"n2\", \"n3\")", 1, 1, 1, true, NULL },
		{ "ANY 1, none left: degraded", "ANY 1 (\"n2\", \"n3\")", "ANY 1 (\"n2\", \"n3\")", 0, 1, 0, true,
		  "" },
		{ "ANY 1, degraded, one connects: back", "", "ANY 1 (\"n2\", \"n3\")", 0, 1, 1, true,
		  "ANY 1 (\"n2\", \"n3\")" },
		/* ANY 2: one left would hold every commit. */
		{ "ANY 2, one left, degrading allowed: degraded", "ANY 2 (\"n2\", \"n3\")",
		  "ANY 2 (\"n2\", \"n3\")", 1, 2, 1, true, "" },
		{ "ANY 2, degraded, one connected: stay so (no flapping)", "", "ANY 2 (\"n2\", \"n3\")", 0, 2, 1,
		  true, NULL },
		{ "ANY 2, degraded, both connected: back", "", "ANY 2 (\"n2\", \"n3\")", 0, 2, 2, true,
		  "ANY 2 (\"n2\", \"n3\")" },
		{ "ANY 2, one left, degrading not allowed: commits wait", "ANY 2 (\"n2\", \"n3\")",
		  "ANY 2 (\"n2\", \"n3\")", 1, 2, 1, false, NULL },
		{ "node_list changed: the new list", "FIRST 1 (\"n2\")", "ANY 1 (\"n2\", \"n3\")", 1, 1, 1, true,
		  "ANY 1 (\"n2\", \"n3\")" },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		const char *next = pgsql_sync_names_next(cases[i].current, cases[i].want, cases[i].n_sync,
							 cases[i].need, cases[i].degrade, cases[i].n_standbys);

		if (!next != !cases[i].next || (next && strcmp(next, cases[i].next) != 0))
			fail_msg("%s: '%s', expected '%s'", cases[i].what, next ? next : "(leave)",
				 cases[i].next ? cases[i].next : "(leave)");
	}
}

static void test_failover_quorum(void **state)
{
	static const struct {
		const char *list;
		unsigned sync_num;
		const char *known;
		int rc;
		const char *reason;	/* starts with */
	} cases[] = {
		/* Two nodes: the standby alone holds every commit. */
		{ "n1 n2", 1, "n2", 0, "" },
		/* Three, ANY 1: the two survivors, or the old primary with one. */
		{ "n1 n2 n3", 1, "n2 n3", 0, "" },
		{ "n1 n2 n3", 1, "n1 n2", 0, "" },
		{ "n1 n2 n3", 1, "n2", -EAGAIN, "Promotion refused: the data of 1 of the 3 nodes is known (n2), 2 "
		  "needed: with synchronous_standby_names ANY 1, a commit may be only on n1, n3; bring it back, or "
		  "remove it from node_list" },
		{ "n1 n2 n3", 1, "", -EAGAIN, "Promotion refused: the data of 0 of the 3 nodes is known (none), 2" },
		/* Three, ANY 2: every standby has every commit. */
		{ "n1 n2 n3", 2, "n3", 0, "" },
		/* Five: ANY 1 needs four, ANY 2 three, ANY 3 two. */
		{ "n1 n2 n3 n4 n5", 1, "n2 n3 n4", -EAGAIN, "Promotion refused: the data of 3 of the 5 nodes is known "
		  "(n2, n3, n4), 4 needed: with synchronous_standby_names ANY 1, a commit may be only on n1, n5" },
		{ "n1 n2 n3 n4 n5", 1, "n2 n3 n4 n5", 0, "" },
		{ "n1 n2 n3 n4 n5", 2, "n2 n3 n4", 0, "" },
		{ "n1 n2 n3 n4 n5", 3, "n4 n5", 0, "" },
		{ "n1 n2 n3 n4 n5", 3, "n5", -EAGAIN, "Promotion refused: the data of 1 of the 5 nodes is known (n5), "
		  "2 needed" },
		/* Names outside the list, and names twice, count once or not at all. */
		{ "n1 n2 n3", 1, "n2 n2 x1", -EAGAIN, "Promotion refused: the data of 1 of the 3 nodes is known (n2)" },
		{ "n1 n2 n2 n3", 1, "n2", -EAGAIN, "Promotion refused: the data of 1 of the 3 nodes is known (n2)" },
		/* No node_list: nothing to count, nothing to refuse. */
		{ NULL, 1, "n2", 0, "" },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		char reason[512] = "";
		int rc = pgsql_check_failover_quorum(cases[i].list, cases[i].sync_num, cases[i].known, reason,
						     sizeof(reason));

		if (rc != cases[i].rc)
			fail_msg("'%s' ANY %u, known '%s': rc %d, expected %d (%s)", cases[i].list, cases[i].sync_num,
				 cases[i].known, rc, cases[i].rc, reason);
		if (strncmp(reason, cases[i].reason, strlen(cases[i].reason)) != 0 || (rc == 0 && reason[0]))
			fail_msg("'%s' ANY %u, known '%s': reason '%s'", cases[i].list, cases[i].sync_num,
				 cases[i].known, reason);
	}
	/* The counts behind it. */
	assert_int_equal(pgsql_count_nodes("n1, n2  n3,n2"), 3);
	assert_int_equal(pgsql_count_nodes(""), 0);
	assert_int_equal(pgsql_count_nodes(NULL), 0);
	assert_int_equal(pgsql_sync_count(2, 1), 1);
	assert_int_equal(pgsql_sync_count(3, 0), 1);
	assert_int_equal(pgsql_sync_count(3, 9), 2);
	assert_int_equal(pgsql_sync_count(1, 1), 0);
	assert_int_equal(pgsql_failover_quorum(3, 1), 2);
	assert_int_equal(pgsql_failover_quorum(2, 1), 1);
	assert_int_equal(pgsql_failover_quorum(5, 2), 3);
	assert_int_equal(pgsql_failover_quorum(0, 1), 0);
}

/* ---- slot names ------------------------------------------------------ */

static void test_slot_name(void **state)
{
	static const struct {
		const char *prefix, *node;
		size_t len;
		int rc;
		const char *want;
	} cases[] = {
		{ "hubha", "n8", 64, 0, "hubha_n8" },
		{ "hubha", "node-1", 64, 0, "hubha_node_1" },
		{ "hubha", "hub1.example.com", 64, 0, "hubha_hub1_example_com" },
		{ "hubha", "Hub-A.Example", 64, 0, "hubha_hub_a_example" },
		{ "s", "ab", 5, 0, "s_ab" },
		{ "s", "abc", 5, -ENAMETOOLONG, "" },
		{ "prefix", "a", 4, -ENAMETOOLONG, "" },
		/* Characters heartbeat:pgsql would have passed on to a failing CREATE: '_' too. */
		{ "hubha", "hub@1+b c", 64, 0, "hubha_hub_1_b_c" },
		{ "hubha", "n_1", 64, 0, "hubha_n_1" },
		/* PostgreSQL keeps 63 bytes of a name: a longer one could be another node's too. */
		{ "hubha", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefg", 128, 0,
		  "hubha_abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefg" },
		{ "hubha", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefgh", 128, -ENAMETOOLONG, "" },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		char buf[64];
		int rc;

		memset(buf, 'x', sizeof(buf));
		rc = pgsql_slot_name(cases[i].prefix, cases[i].node, buf, cases[i].len);
		if (rc != cases[i].rc || strcmp(buf, cases[i].want) != 0)
			fail_msg("%s/%s in %zu: rc %d '%s', expected %d '%s'", cases[i].prefix, cases[i].node,
				 cases[i].len, rc, buf, cases[i].rc, cases[i].want);
	}
}

/* ---- node lists ------------------------------------------------------ */

static void test_slot_state(void **state)
{
	static const struct {
		const char *list, *slot;
		enum pgsql_slot_state want;
	} cases[] = {
		{ "hubha_n2:reserved hubha_n3:lost", "hubha_n2", PGSQL_SLOT_OK },
		{ "hubha_n2:reserved hubha_n3:lost", "hubha_n3", PGSQL_SLOT_LOST },
		{ "hubha_n2:extended", "hubha_n2", PGSQL_SLOT_OK },
		/* Past the bound but not yet removed: the standby may still make it. */
		{ "hubha_n2:unreserved", "hubha_n2", PGSQL_SLOT_OK },
		{ "hubha_n2:none", "hubha_n2", PGSQL_SLOT_UNRESERVED },
		{ "hubha_n2:reserved", "hubha_n", PGSQL_SLOT_MISSING },
		{ "hubha_n22:lost", "hubha_n2", PGSQL_SLOT_MISSING },
		{ "", "hubha_n2", PGSQL_SLOT_MISSING },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++)
		if (pgsql_slot_state(cases[i].list, cases[i].slot) != cases[i].want)
			fail_msg("%s in '%s': %d, expected %d", cases[i].slot, cases[i].list,
				 pgsql_slot_state(cases[i].list, cases[i].slot), cases[i].want);
}

static void test_wal_lost_reason(void **state)
{
	char buf[512];

	(void)state;
	pgsql_wal_lost_reason("hubha_n2", false, buf, sizeof(buf));
	assert_non_null(strstr(buf, "needs a new base backup: its WAL was removed"));
	assert_non_null(strstr(buf, "hubha_n2"));
	assert_non_null(strstr(buf, "reseed=true"));
	pgsql_wal_lost_reason("hubha_n2", true, buf, sizeof(buf));
	assert_non_null(strstr(buf, "archive"));
	assert_null(strstr(buf, "reseed=true"));
}

static void test_history_switchpoint(void **state)
{
	static const struct {
		const char *history;
		uint32_t tl;
		int rc;
		hubha_lsn want;
	} cases[] = {
		{ "1\t0/3000060\tno recovery target specified\n", 1, 0, 0x3000060 },
		{ "1\t0/3000060\tno recovery target specified\n", 2, -ENOENT, 0 },
		{ "1\t0/3000060\tno recovery target specified\n\n2\t0/5A000000\tno recovery target specified\n",
		  2, 0, 0x5A000000 },
		{ "# comment\n1\t1/0\tx", 1, 0, 0x100000000ull },
		{ "1\tnot-an-lsn\tx\n", 1, -EINVAL, 0 },
		{ "", 1, -ENOENT, 0 },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		hubha_lsn got = 0;
		int rc = pgsql_history_switchpoint(cases[i].history, cases[i].tl, &got);

		if (rc != cases[i].rc || (rc == 0 && got != cases[i].want))
			fail_msg("case %zu: rc %d lsn %llx, expected %d %llx", i, rc, (unsigned long long)got,
				 cases[i].rc, (unsigned long long)cases[i].want);
	}
}

static void test_decide_reseed(void **state)
{
	static const char *const hist = "1\t0/5000000\tno recovery target specified\n";
	static const struct {
		const char *what, *state;
		struct pgsql_location mine, primary;
		const char *history;
		int rc;
		const char *reason;
	} cases[] = {
		{ "a standby behind on the same timeline", "shut down in recovery", LOC(1, 0, 0x3000000),
		  LOC(1, 0, 0x9000000), NULL, 0, NULL },
		{ "a standby that crashed, behind", "in archive recovery", LOC(1, 0, 0x3000000), LOC(1, 0, 0x9000000),
		  NULL, 0, NULL },
		{ "level with the primary", "shut down in recovery", LOC(1, 0, 0x9000000), LOC(1, 0, 0x9000000), NULL,
		  0, NULL },
		{ "a primary shut down", "shut down", LOC(1, 0, 0x3000000), LOC(1, 0, 0x9000000), NULL, -EPERM,
		  "not a standby" },
		{ "a primary that crashed", "in production", LOC(1, 0, 0x3000000), LOC(1, 0, 0x9000000), NULL, -EPERM,
		  "not a standby" },
		{ "ahead on the same timeline", "shut down in recovery", LOC(1, 0, 0x9000001), LOC(1, 0, 0x9000000),
		  NULL, -EPERM, "ahead" },
		{ "on a newer timeline", "shut down in recovery", LOC(3, 0, 0x1000000), LOC(2, 0, 0x9000000), NULL,
		  -EPERM, "ahead" },
		{ "older timeline, before the switch", "shut down in recovery", LOC(1, 0, 0x4000000),
		  LOC(2, 0, 0x9000000), hist, 0, NULL },
		{ "older timeline, at the switch", "shut down in recovery", LOC(1, 0, 0x5000000), LOC(2, 0, 0x9000000),
		  hist, 0, NULL },
		{ "older timeline, past the switch", "shut down in recovery", LOC(1, 0, 0x5000001),
		  LOC(2, 0, 0x9000000), hist, -EPERM, "goes past" },
		{ "older timeline, no history", "shut down in recovery", LOC(1, 0, 0x4000000), LOC(2, 0, 0x9000000),
		  NULL, -EPERM, "cannot be compared" },
		{ "older timeline not in the history", "shut down in recovery", LOC(1, 0, 0x4000000),
		  LOC(3, 0, 0x9000000), "2\t0/8000000\tx\n", -EPERM, "cannot be compared" },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		struct pgsql_reseed_in in = { .state = cases[i].state, .mine = cases[i].mine,
					      .primary = cases[i].primary, .history = cases[i].history };
		char reason[512] = "";
		int rc = pgsql_decide_reseed(&in, reason, sizeof(reason));

		if (rc != cases[i].rc || (cases[i].reason && !strstr(reason, cases[i].reason)))
			fail_msg("%s: rc %d '%s', expected %d '%s'", cases[i].what, rc, reason, cases[i].rc,
				 cases[i].reason ? cases[i].reason : "");
	}
}

static void test_node_lists(void **state)
{
	const char *cur = " n1,n2\tn3 ,";
	char buf[8];

	(void)state;
	assert_true(pgsql_next_node(&cur, buf, sizeof(buf)));
	assert_string_equal(buf, "n1");
	assert_true(pgsql_next_node(&cur, buf, sizeof(buf)));
	assert_string_equal(buf, "n2");
	assert_true(pgsql_next_node(&cur, buf, sizeof(buf)));
	assert_string_equal(buf, "n3");
	assert_false(pgsql_next_node(&cur, buf, sizeof(buf)));
	cur = NULL;
	assert_false(pgsql_next_node(&cur, buf, sizeof(buf)));
	assert_true(pgsql_listed("n1 n2", "n2"));
	assert_false(pgsql_listed("n1 n22", "n2"));
	assert_false(pgsql_listed(NULL, "n2"));
}

/* ---- the clone's meta attributes ------------------------------------- */

/* A standby's receiver after another node's promotion: ended only when it can lead nowhere else. */
static void test_receiver_stale(void **state)
{
	static const struct {
		const char *text;
		int rc;
		pid_t pid;
		bool demoted, stale;
	} cases[] = {
		{ "4242 streaming 2300", 0, 4242, false, true },	/* a crashed primary: silent since */
		{ "4242 streaming 1000", 0, 4242, false, true },
		{ "4242 streaming 999", 0, 4242, false, false },	/* heard from just now */
		{ "4242 streaming 2300", 0, 4242, true, false },	/* the demoted node's receiver is new */
		{ "4242 streaming -1", 0, 4242, false, false },		/* never heard: cannot tell, leave it */
		{ "4242 starting 5000", 0, 4242, false, false },	/* not connected: it retries by itself */
		{ "4242 waiting 5000", 0, 4242, false, false },
		{ "4242 stopping 5000", 0, 4242, false, false },
		{ "", -EINVAL, 0, false, false },
		{ "4242 streaming", -EINVAL, 0, false, false },
		{ "4242 streaming 10 x", -EINVAL, 0, false, false },
		{ "0 streaming 2000", -EINVAL, 0, false, false },
		{ "-7 streaming 2000", -EINVAL, 0, false, false },
		{ "99999999999 streaming 2000", -EINVAL, 0, false, false },
		{ "4242 streaming -2", -EINVAL, 0, false, false },
		{ "4242 Streaming 2000", -EINVAL, 0, false, false },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		char status[32] = "";
		long idle = 0;
		pid_t pid = 0;
		int rc = pgsql_receiver_parse(cases[i].text, &pid, status, sizeof(status), &idle);
		bool stale = rc == 0 && pgsql_receiver_stale(status, idle, cases[i].demoted);

		if (rc != cases[i].rc || (rc == 0 && pid != cases[i].pid) || stale != cases[i].stale)
			fail_msg("case %zu '%s': rc %d pid %d stale %d", i, cases[i].text, rc, (int)pid, stale);
	}
	assert_false(pgsql_receiver_stale(NULL, 5000, false));
}

static void test_clone_meta(void **state)
{
	static const struct {
		const char *notify, *promoted_max, *master_max;
		int rc;
		const char *reason;
	} cases[] = {
		{ "true", "1", "1", 0, "" },
		{ "true", "1", NULL, 0, "" },
		{ "true", NULL, "1", 0, "" },		/* older Pacemaker: the old name only */
		{ "yes", "1", "1", 0, "" },
		{ "false", "1", "1", -EINVAL, "The promotable clone needs meta notify=true (it has notify=false)" },
		{ NULL, "1", "1", -EINVAL, "The promotable clone needs meta notify=true (it has notify=unset)" },
		{ "true", "2", "2", -EINVAL, "The promotable clone needs meta promoted-max=1 (it has 2)" },
		{ "true", NULL, "2", -EINVAL, "The promotable clone needs meta promoted-max=1 (it has 2)" },
		{ "true", "1", "2", -EINVAL, "The promotable clone needs meta promoted-max=1" },
		{ "true", "2", "1", -EINVAL, "The promotable clone needs meta promoted-max=1 (it has 2)" },
		{ "true", NULL, NULL, -EINVAL, "Not run as a promotable clone" },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		char reason[512] = "";
		int rc = pgsql_check_clone_meta(cases[i].notify, cases[i].promoted_max, cases[i].master_max, reason,
						sizeof(reason));

		if (rc != cases[i].rc || strncmp(reason, cases[i].reason, strlen(cases[i].reason)) != 0)
			fail_msg("case %zu: rc %d '%s', expected %d '%s'", i, rc, reason, cases[i].rc, cases[i].reason);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_location_parse),
		cmocka_unit_test(test_location_format_roundtrip),
		cmocka_unit_test(test_location_cmp_timeline_first),
		cmocka_unit_test(test_election),
		cmocka_unit_test(test_cold_start),
		cmocka_unit_test(test_election_parse),
		cmocka_unit_test(test_standby_score),
		cmocka_unit_test(test_sync_names),
		cmocka_unit_test(test_sync_names_next),
		cmocka_unit_test(test_failover_quorum),
		cmocka_unit_test(test_slot_name),
		cmocka_unit_test(test_slot_state),
		cmocka_unit_test(test_wal_lost_reason),
		cmocka_unit_test(test_history_switchpoint),
		cmocka_unit_test(test_decide_reseed),
		cmocka_unit_test(test_node_lists),
		cmocka_unit_test(test_clone_meta),
		cmocka_unit_test(test_receiver_stale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

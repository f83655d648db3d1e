/*
 * The health verdict (lib/health.c), one table row per rule and some
 * combinations.  The base is a healthy pair and a quorum node: hub1 the
 * primary, hub2 its streaming async standby, q a vote without PostgreSQL.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cluster_int.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MIB (UINT64_C(1) << 20)

enum { HUB1, HUB2, Q, N_HUBS };

struct world {
	hubha_hub_t hubs[N_HUBS];
	size_t n;
	int quorate;
	hubha_health_config_t config;
};

static void base(struct world *w)
{
	hubha_report_t *p = &w->hubs[HUB1].report, *s = &w->hubs[HUB2].report, *q = &w->hubs[Q].report;

	memset(w, 0, sizeof(*w));
	w->n = N_HUBS;
	w->quorate = 1;
	for (unsigned i = 0; i < N_HUBS; i++) {
		w->hubs[i].nodeid = i + 1;
		w->hubs[i].member = 1;
		w->hubs[i].has_report = 1;
		w->hubs[i].report.interval_ms = 1000;
		w->hubs[i].report_age_ms = 500;
	}
	strcpy(w->hubs[HUB1].name, "hub1");
	strcpy(w->hubs[HUB2].name, "hub2");
	strcpy(w->hubs[Q].name, "q");

	p->role = HUBHA_ROLE_PRIMARY;
	p->pg_state = HUBHA_PG_RUNNING;
	p->timeline = 3;
	p->lsn = 100 * MIB;
	p->services = HUBHA_SERVICES_OK;
	p->n_standbys = 1;
	strcpy(p->standbys[0].name, "hub2");
	p->standbys[0].state = HUBHA_WALRCV_STREAMING;
	p->standbys[0].sync_state = HUBHA_SYNC_ASYNC;

	s->role = HUBHA_ROLE_STANDBY;
	s->pg_state = HUBHA_PG_RUNNING;
	s->timeline = 3;
	s->lsn = 99 * MIB;
	s->wal_receiver = HUBHA_WALRCV_STREAMING;
	s->services = HUBHA_SERVICES_STOPPED;

	q->role = HUBHA_ROLE_NONE;
}

#define R(name) HUBHA_REASON_##name

static const struct row {
	const char *what;
	const char *change;	/* a word of the mutate() language below */
	hubha_health_t health;
	uint32_t reasons;
} rows[] = {
	{ "healthy", "", HUBHA_HEALTH_OK, 0 },
	{ "the standby's node is not a member", "hub2-out", HUBHA_HEALTH_DEGRADED, R(PEER_NOT_MEMBER) },
	{ "the quorum node is not a member", "q-out", HUBHA_HEALTH_DEGRADED, R(PEER_NOT_MEMBER) },
	{ "no quorum", "no-quorum", HUBHA_HEALTH_DEGRADED, R(NO_QUORUM) },
	{ "running alone in a pair, quorate by two_node", "pair hub2-out", HUBHA_HEALTH_DEGRADED,
	  R(PEER_NOT_MEMBER) | R(NO_QUORUM) },
	{ "alone of three", "hub2-out q-out", HUBHA_HEALTH_DEGRADED, R(PEER_NOT_MEMBER) | R(NO_QUORUM) },
	{ "a single-node cluster is not alone", "single", HUBHA_HEALTH_OK, 0 },
	{ "no primary: PostgreSQL down on hub1", "hub1-down", HUBHA_HEALTH_DEGRADED,
	  R(NO_PRIMARY) | R(STANDBY_NOT_STREAMING) },
	{ "no primary: two standbys", "hub1-standby", HUBHA_HEALTH_DEGRADED, R(NO_PRIMARY) },
	{ "the primary's node is lost: its last report decides nothing", "hub1-out", HUBHA_HEALTH_DEGRADED,
	  R(PEER_NOT_MEMBER) | R(NO_PRIMARY) },
	{ "two primaries", "hub2-primary", HUBHA_HEALTH_DEGRADED, R(MULTIPLE_PRIMARIES) },
	{ "a lost node's old primary report is no second primary", "hub2-primary hub2-out", HUBHA_HEALTH_DEGRADED,
	  R(PEER_NOT_MEMBER) },
	{ "the standby's WAL receiver is starting", "walrcv-starting", HUBHA_HEALTH_DEGRADED,
	  R(STANDBY_NOT_STREAMING) },
	{ "the standby's WAL receiver is stopped", "walrcv-stopped", HUBHA_HEALTH_DEGRADED,
	  R(STANDBY_NOT_STREAMING) },
	{ "the primary lists no standby", "no-rows", HUBHA_HEALTH_DEGRADED, R(STANDBY_NOT_STREAMING) },
	{ "the primary lists the standby catching up", "row-catchup", HUBHA_HEALTH_DEGRADED,
	  R(STANDBY_NOT_STREAMING) },
	{ "the primary lists another application_name", "row-other", HUBHA_HEALTH_DEGRADED,
	  R(STANDBY_NOT_STREAMING) },
	{ "lag over the default 16 MiB", "lag-17", HUBHA_HEALTH_DEGRADED, R(LAG) },
	{ "lag at exactly 16 MiB", "lag-16", HUBHA_HEALTH_OK, 0 },
	{ "lag of 17 MiB under a 32 MiB threshold", "lag-17 max-32", HUBHA_HEALTH_OK, 0 },
	{ "lag unknown: the standby on a newer timeline", "lag-17 standby-tl-newer", HUBHA_HEALTH_OK, 0 },
	{ "lag counted from an older timeline", "lag-17 standby-tl-older", HUBHA_HEALTH_DEGRADED, R(LAG) },
	{ "sync requested, the standby async", "sync", HUBHA_HEALTH_DEGRADED, R(SYNC_NO_STANDBY) },
	{ "sync requested, the standby potential", "sync row-potential", HUBHA_HEALTH_DEGRADED, R(SYNC_NO_STANDBY) },
	{ "sync requested and granted", "sync row-sync", HUBHA_HEALTH_OK, 0 },
	{ "sync requested, a quorum standby", "sync row-quorum", HUBHA_HEALTH_OK, 0 },
	{ "sync requested, no standby at all", "sync no-rows", HUBHA_HEALTH_DEGRADED,
	  R(SYNC_NO_STANDBY) | R(STANDBY_NOT_STREAMING) },
	{ "a report older than 3 intervals", "hub2-age-3001", HUBHA_HEALTH_DEGRADED, R(STALE_REPORT) },
	{ "a report of exactly 3 intervals", "hub2-age-3000", HUBHA_HEALTH_OK, 0 },
	{ "4 intervals old, stale after 5", "hub2-age-4000 factor-5", HUBHA_HEALTH_OK, 0 },
	{ "a publisher without an interval", "hub2-age-4000 hub2-no-interval", HUBHA_HEALTH_OK, 0 },
	{ "a stale quorum node", "q-age-3001", HUBHA_HEALTH_DEGRADED, R(STALE_REPORT) },
	{ "a member that never reported", "hub2-silent", HUBHA_HEALTH_DEGRADED, R(STALE_REPORT) },
	{ "a quorum node that never reported", "q-silent", HUBHA_HEALTH_DEGRADED, R(STALE_REPORT) },
	{ "a lost node's old report is not stale", "hub2-out hub2-age-3001", HUBHA_HEALTH_DEGRADED,
	  R(PEER_NOT_MEMBER) },
	{ "hub services failed on the active hub", "services-failed", HUBHA_HEALTH_DEGRADED, R(SERVICES) },
	{ "hub services degraded on the active hub", "services-degraded", HUBHA_HEALTH_DEGRADED, R(SERVICES) },
	{ "hub services stopped on the active hub", "services-stopped", HUBHA_HEALTH_DEGRADED, R(SERVICES) },
	{ "hub services not configured", "services-unknown", HUBHA_HEALTH_OK, 0 },
	{ "hub services failed on the passive hub", "hub2-services-failed", HUBHA_HEALTH_OK, 0 },
	{ "fencing disabled, as a standby reports", "hub2-nofence", HUBHA_HEALTH_DEGRADED, R(FENCING_DISABLED) },
	{ "fencing disabled, as a lost node last said", "hub2-nofence hub2-out", HUBHA_HEALTH_DEGRADED,
	  R(FENCING_DISABLED) | R(PEER_NOT_MEMBER) },
	{ "fencing known enabled", "fence-known", HUBHA_HEALTH_OK, 0 },
	{ "a quorum node with no WAL receiver and paused flags is no standby", "q-odd", HUBHA_HEALTH_OK, 0 },
	{ "no report at all", "all-silent", HUBHA_HEALTH_UNKNOWN, 0 },
	{ "no report at all, no quorum", "all-silent no-quorum", HUBHA_HEALTH_UNKNOWN, R(NO_QUORUM) },
	{ "no report at all from a lost peer", "all-silent hub2-out", HUBHA_HEALTH_UNKNOWN, R(PEER_NOT_MEMBER) },
	{ "no hubs", "none", HUBHA_HEALTH_UNKNOWN, 0 },
	{ "split: alone without quorum, fencing off, sync without a standby",
	  "hub2-out q-out no-quorum hub1-nofence sync", HUBHA_HEALTH_DEGRADED,
	  R(PEER_NOT_MEMBER) | R(NO_QUORUM) | R(FENCING_DISABLED) | R(SYNC_NO_STANDBY) },
	{ "a standby behind, not listed, its services down",
	  "lag-17 no-rows hub2-services-failed services-degraded", HUBHA_HEALTH_DEGRADED,
	  R(LAG) | R(STANDBY_NOT_STREAMING) | R(SERVICES) },
	{ "everything at once", "hub2-primary q-silent hub1-nofence no-quorum", HUBHA_HEALTH_DEGRADED,
	  R(MULTIPLE_PRIMARIES) | R(STALE_REPORT) | R(FENCING_DISABLED) | R(NO_QUORUM) },
};

static void apply(struct world *w, const char *word)
{
	hubha_hub_t *h1 = &w->hubs[HUB1], *h2 = &w->hubs[HUB2], *q = &w->hubs[Q];

	if (!strcmp(word, "hub1-out"))
		h1->member = 0;
	else if (!strcmp(word, "hub2-out"))
		h2->member = 0;
	else if (!strcmp(word, "q-out"))
		q->member = 0;
	else if (!strcmp(word, "no-quorum"))
		w->quorate = 0;
	else if (!strcmp(word, "pair"))
		w->n = 2;
	else if (!strcmp(word, "single"))
		w->n = 1, h1->report.n_standbys = 0;
	else if (!strcmp(word, "none"))
		w->n = 0;
	else if (!strcmp(word, "hub1-down"))
		h1->report.role = HUBHA_ROLE_UNKNOWN, h1->report.pg_state = HUBHA_PG_STOPPED;
	else if (!strcmp(word, "hub1-standby"))
		h1->report.role = HUBHA_ROLE_STANDBY, h1->report.wal_receiver = HUBHA_WALRCV_STREAMING;
	else if (!strcmp(word, "hub2-primary"))
		h2->report.role = HUBHA_ROLE_PRIMARY, h2->report.wal_receiver = HUBHA_WALRCV_NONE;
	else if (!strcmp(word, "walrcv-starting"))
		h2->report.wal_receiver = HUBHA_WALRCV_STARTING;
	else if (!strcmp(word, "walrcv-stopped"))
		h2->report.wal_receiver = HUBHA_WALRCV_STOPPED;
	else if (!strcmp(word, "no-rows"))
		h1->report.n_standbys = 0;
	else if (!strcmp(word, "row-catchup"))
		h1->report.standbys[0].state = HUBHA_WALRCV_STARTING;
	else if (!strcmp(word, "row-other"))
		strcpy(h1->report.standbys[0].name, "walreceiver");
	else if (!strcmp(word, "row-potential"))
		h1->report.standbys[0].sync_state = HUBHA_SYNC_POTENTIAL;
	else if (!strcmp(word, "row-sync"))
		h1->report.standbys[0].sync_state = HUBHA_SYNC_SYNC;
	else if (!strcmp(word, "row-quorum"))
		h1->report.standbys[0].sync_state = HUBHA_SYNC_QUORUM;
	else if (!strcmp(word, "lag-17"))
		h2->report.lsn = h1->report.lsn - 17 * MIB;
	else if (!strcmp(word, "lag-16"))
		h2->report.lsn = h1->report.lsn - 16 * MIB;
	else if (!strcmp(word, "max-32"))
		w->config.max_lag_bytes = 32 * MIB;
	else if (!strcmp(word, "standby-tl-newer"))
		h2->report.timeline = 4;
	else if (!strcmp(word, "standby-tl-older"))
		h2->report.timeline = 2;
	else if (!strcmp(word, "sync"))
		h1->report.flags |= HUBHA_REPORT_SYNC_REQUESTED;
	else if (!strcmp(word, "hub2-age-3001"))
		h2->report_age_ms = 3001;
	else if (!strcmp(word, "hub2-age-3000"))
		h2->report_age_ms = 3000;
	else if (!strcmp(word, "hub2-age-4000"))
		h2->report_age_ms = 4000;
	else if (!strcmp(word, "q-age-3001"))
		q->report_age_ms = 3001;
	else if (!strcmp(word, "factor-5"))
		w->config.stale_factor = 5;
	else if (!strcmp(word, "hub2-no-interval"))
		h2->report.interval_ms = 0;
	else if (!strcmp(word, "hub2-silent"))
		h2->has_report = 0;
	else if (!strcmp(word, "q-silent"))
		q->has_report = 0;
	else if (!strcmp(word, "all-silent"))
		h1->has_report = h2->has_report = q->has_report = 0;
	else if (!strcmp(word, "services-failed"))
		h1->report.services = HUBHA_SERVICES_FAILED;
	else if (!strcmp(word, "services-degraded"))
		h1->report.services = HUBHA_SERVICES_DEGRADED;
	else if (!strcmp(word, "services-stopped"))
		h1->report.services = HUBHA_SERVICES_STOPPED;
	else if (!strcmp(word, "services-unknown"))
		h1->report.services = HUBHA_SERVICES_UNKNOWN;
	else if (!strcmp(word, "hub2-services-failed"))
		h2->report.services = HUBHA_SERVICES_FAILED;
	else if (!strcmp(word, "hub2-nofence"))
		h2->report.flags |= HUBHA_REPORT_FENCING_KNOWN | HUBHA_REPORT_FENCING_DISABLED;
	else if (!strcmp(word, "hub1-nofence"))
		h1->report.flags |= HUBHA_REPORT_FENCING_KNOWN | HUBHA_REPORT_FENCING_DISABLED;
	else if (!strcmp(word, "fence-known"))
		h1->report.flags |= HUBHA_REPORT_FENCING_KNOWN, h2->report.flags |= HUBHA_REPORT_FENCING_KNOWN;
	else if (!strcmp(word, "q-odd"))
		q->report.wal_receiver = HUBHA_WALRCV_STOPPED, q->report.flags |= HUBHA_REPORT_RECOVERY_PAUSED;
	else
		fail_msg("unknown change '%s'", word);
}

static void mutate(struct world *w, const char *change)
{
	char words[256], *save = NULL;

	snprintf(words, sizeof(words), "%s", change);
	for (char *word = strtok_r(words, " ", &save); word; word = strtok_r(NULL, " ", &save))
		apply(w, word);
}

static void test_table(void **state)
{
	uint32_t covered = 0;

	(void)state;
	for (size_t i = 0; i < LEN(rows); i++) {
		hubha_health_t health;
		uint32_t reasons;
		struct world w;

		base(&w);
		mutate(&w, rows[i].change);
		hubha_hubs_derive(w.hubs, w.n);
		hubha_health_decide(w.hubs, w.n, w.quorate, &w.config, &health, &reasons);
		if (health != rows[i].health || reasons != rows[i].reasons)
			fail_msg("%s: health %d reasons %#x, expected %d %#x", rows[i].what, health, reasons,
				 rows[i].health, rows[i].reasons);
		covered |= rows[i].reasons;
	}
	/* Every reason has a row that gives it. */
	assert_int_equal(covered, HUBHA_REASON_ALL);
}

static void test_null_config(void **state)
{
	hubha_health_t health;
	uint32_t reasons;
	struct world w;

	(void)state;
	base(&w);
	mutate(&w, "lag-17 hub2-age-3001");
	hubha_hubs_derive(w.hubs, w.n);
	hubha_health_decide(w.hubs, w.n, 1, NULL, &health, &reasons);
	assert_int_equal(health, HUBHA_HEALTH_DEGRADED);
	assert_int_equal(reasons, HUBHA_REASON_LAG | HUBHA_REASON_STALE_REPORT);
}

static void test_derive(void **state)
{
	static const struct {
		const char *change;
		int64_t lag;
		hubha_sync_state_t sync;
	} cases[] = {
		{ "", 1 * MIB, HUBHA_SYNC_ASYNC },
		{ "row-sync", 1 * MIB, HUBHA_SYNC_SYNC },
		{ "row-other", 1 * MIB, HUBHA_SYNC_UNKNOWN },
		{ "no-rows", 1 * MIB, HUBHA_SYNC_UNKNOWN },
		{ "standby-tl-older", 1 * MIB, HUBHA_SYNC_ASYNC },
		{ "standby-tl-newer", -1, HUBHA_SYNC_ASYNC },
		{ "hub2-primary", -1, HUBHA_SYNC_UNKNOWN },
		{ "hub1-out", -1, HUBHA_SYNC_UNKNOWN },
		{ "hub1-down", -1, HUBHA_SYNC_UNKNOWN },
	};
	struct world w;

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		base(&w);
		mutate(&w, cases[i].change);
		hubha_hubs_derive(w.hubs, w.n);
		if (w.hubs[HUB2].lag_bytes != cases[i].lag || w.hubs[HUB2].sync_state != cases[i].sync)
			fail_msg("'%s': lag %lld sync %d", cases[i].change, (long long)w.hubs[HUB2].lag_bytes,
				 w.hubs[HUB2].sync_state);
		/* Only standbys have a lag. */
		assert_int_equal(w.hubs[HUB1].lag_bytes, -1);
		assert_int_equal(w.hubs[Q].lag_bytes, -1);
	}

	/* A standby seemingly ahead (reports made at different moments) has none. */
	base(&w);
	w.hubs[HUB2].report.lsn = w.hubs[HUB1].report.lsn + 5;
	hubha_hubs_derive(w.hubs, w.n);
	assert_int_equal(w.hubs[HUB2].lag_bytes, 0);
	/* Unknown positions and timelines. */
	base(&w);
	w.hubs[HUB2].report.lsn = 0;
	hubha_hubs_derive(w.hubs, w.n);
	assert_int_equal(w.hubs[HUB2].lag_bytes, -1);
	base(&w);
	w.hubs[HUB1].report.timeline = 0;
	hubha_hubs_derive(w.hubs, w.n);
	assert_int_equal(w.hubs[HUB2].lag_bytes, -1);
	/* The whole range. */
	base(&w);
	w.hubs[HUB1].report.lsn = UINT64_MAX;
	w.hubs[HUB2].report.lsn = 1;
	hubha_hubs_derive(w.hubs, w.n);
	assert_int_equal(w.hubs[HUB2].lag_bytes, INT64_MAX);
}

static void test_reason_str(void **state)
{
	(void)state;
	for (unsigned bit = 0; bit < 32; bit++) {
		const char *s = hubha_cluster_reason_str((hubha_reason_t)(1u << bit));

		if ((1u << bit) & HUBHA_REASON_ALL) {
			assert_non_null(s);
			assert_true(s[0] != '\0');
			assert_null(strchr(s, '\n'));
		} else {
			assert_null(s);
		}
	}
	assert_null(hubha_cluster_reason_str((hubha_reason_t)0));
	assert_null(hubha_cluster_reason_str((hubha_reason_t)(HUBHA_REASON_LAG | HUBHA_REASON_SERVICES)));
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(hubha_cluster_strerror(-ECONNREFUSED), "corosync is not running");
	assert_string_equal(hubha_cluster_strerror(-EACCES),
			    "not allowed to connect to corosync (root or a uidgid entry needed)");
	assert_string_equal(hubha_cluster_strerror(-ETIMEDOUT), "no report arrived in time");
	assert_string_equal(hubha_cluster_strerror(ETIMEDOUT), "no report arrived in time");
	for (int e = 0; e < 200; e++) {
		const char *s = hubha_cluster_strerror(-e);

		assert_non_null(s);
		assert_null(strchr(s, '\n'));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_null_config),
		cmocka_unit_test(test_derive),
		cmocka_unit_test(test_reason_str),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The pgsql agent's I/O shells around its decisions (pgsql_election.c,
 * pgsql_db.c, pgsql_attrs.c), with the library's attribute and libpq calls
 * replaced through -Wl,--wrap: attributes live in a table, the local
 * instance's location and statements are mocked.
 */
#include <errno.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pgsql.h"

#define SELF "n1"
#define MAX_ATTRS 32

struct attr {
	enum hubha_attr_kind kind;
	char node[32], name[64], value[256];
};
static struct attr attrs[MAX_ATTRS];
static size_t n_attrs;

static struct attr *find(enum hubha_attr_kind kind, const char *node, const char *name)
{
	node = node ? node : SELF;
	for (size_t i = 0; i < n_attrs; i++)
		if (attrs[i].kind == kind && strcmp(attrs[i].node, node) == 0 && strcmp(attrs[i].name, name) == 0)
			return &attrs[i];
	return NULL;
}

static void put(enum hubha_attr_kind kind, const char *node, const char *name, const char *value)
{
	struct attr *a = find(kind, node, name);

	if (!a) {
		assert_true(n_attrs < MAX_ATTRS);
		a = &attrs[n_attrs++];
		a->kind = kind;
		snprintf(a->node, sizeof(a->node), "%s", node ? node : SELF);
		snprintf(a->name, sizeof(a->name), "%s", name);
	}
	snprintf(a->value, sizeof(a->value), "%s", value);
}

static const char *get(enum hubha_attr_kind kind, const char *node, const char *name)
{
	struct attr *a = find(kind, node, name);

	return a ? a->value : NULL;
}

/* No cache file: every set and delete reaches the fakes above. */
int __wrap_hubha_attr_cache_open(const char *path, unsigned max_age_s, unsigned timeout_ms,
				 struct hubha_attr_cache **ret_cache);
int __wrap_hubha_attr_cache_open(const char *path, unsigned max_age_s, unsigned timeout_ms,
				 struct hubha_attr_cache **ret_cache)
{
	(void)path;
	(void)max_age_s;
	(void)timeout_ms;
	(void)ret_cache;
	return -ENOENT;
}

int __wrap_hubha_attr_get(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node,
			  const char *name, char **ret_value, char *err, size_t err_len);
int __wrap_hubha_attr_get(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node,
			  const char *name, char **ret_value, char *err, size_t err_len)
{
	const char *v = get(kind, node, name);

	(void)cache;
	(void)err;
	(void)err_len;
	if (!v)
		return -ENOENT;
	*ret_value = strdup(v);
	return *ret_value ? 0 : -ENOMEM;
}

/* Whose promotion score was written first: a hand-over lowers ours before it raises the winner's. */
static char first_score_of[64];

int __wrap_hubha_attr_set_versioned(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node,
				    const char *name, const char *value, const char *version, char *err,
				    size_t err_len);
int __wrap_hubha_attr_set_versioned(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node,
				    const char *name, const char *value, const char *version, char *err,
				    size_t err_len)
{
	(void)cache;
	(void)err;
	(void)err_len;
	(void)version;
	if (kind == HUBHA_ATTR_PROMOTION && !first_score_of[0])
		snprintf(first_score_of, sizeof(first_score_of), "%s", node ? node : SELF);
	put(kind, node, name, value);
	return 0;
}

int __wrap_hubha_attr_delete(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node,
			     const char *name, char *err, size_t err_len);
int __wrap_hubha_attr_delete(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node,
			     const char *name, char *err, size_t err_len)
{
	struct attr *a = find(kind, node, name);

	(void)cache;
	(void)err;
	(void)err_len;
	if (a)
		*a = attrs[--n_attrs];
	return 0;
}

int __wrap_hubha_pg_connect(const struct hubha_pg_target *target, PGconn **ret_conn, char *err, size_t err_len);
int __wrap_hubha_pg_connect(const struct hubha_pg_target *target, PGconn **ret_conn, char *err, size_t err_len)
{
	(void)target;
	(void)err;
	(void)err_len;
	*ret_conn = (PGconn *)&attrs;	/* never dereferenced */
	return 0;
}

void __wrap_hubha_pg_close(PGconn *conn);
void __wrap_hubha_pg_close(PGconn *conn)
{
	(void)conn;
}

int __wrap_hubha_pg_location(PGconn *conn, uint32_t *ret_timeline, hubha_lsn *ret_lsn, char *err, size_t err_len);
int __wrap_hubha_pg_location(PGconn *conn, uint32_t *ret_timeline, hubha_lsn *ret_lsn, char *err, size_t err_len)
{
	(void)conn;
	(void)err;
	(void)err_len;
	*ret_timeline = mock_type(uint32_t);
	*ret_lsn = mock_type(hubha_lsn);
	return 0;
}

int __wrap_hubha_pg_quote_literal(PGconn *conn, const char *text, char **ret_quoted);
int __wrap_hubha_pg_quote_literal(PGconn *conn, const char *text, char **ret_quoted)
{
	char *q = malloc(strlen(text) + 3);

	(void)conn;
	if (!q)
		return -ENOMEM;
	sprintf(q, "'%s'", text);
	*ret_quoted = q;
	return 0;
}

/* What a query that returns a value returns (NULL: no row). */
static const char *exec_value;

int __wrap_hubha_pg_exec(PGconn *conn, const char *sql, char **ret_value, char *err, size_t err_len);
int __wrap_hubha_pg_exec(PGconn *conn, const char *sql, char **ret_value, char *err, size_t err_len)
{
	int r;

	(void)conn;
	check_expected(sql);
	r = mock_type(int);
	if (r < 0)
		snprintf(err, err_len, "could not open file \"postgresql.auto.conf.tmp\": Is a directory");
	else if (ret_value)
		*ret_value = exec_value ? strdup(exec_value) : NULL;
	return r;
}

/* The process the agent signals (pgsql_proc.c is not compiled in). */
static pid_t killed_pid;
static int killed_sig;

int pgsql_child_kill(const struct pgsql *p, pid_t pid, int sig, char *err, size_t err_len)
{
	(void)p;
	(void)err;
	(void)err_len;
	killed_pid = pid;
	killed_sig = sig;
	return 0;
}

static struct hubha_ocf_ctx ctx;
static struct pgsql pg;

static int setup(void **state)
{
	(void)state;
	n_attrs = 0;
	exec_value = NULL;
	first_score_of[0] = '\0';
	killed_pid = 0;
	killed_sig = 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.timeout_ms = 60000;
	memset(&pg, 0, sizeof(pg));
	pg.ctx = &ctx;
	pg.node_list = "n1 n2 n3";
	pg.rep_mode = REP_ASYNC;
	snprintf(pg.rsc, sizeof(pg.rsc), "pgsql");
	snprintf(pg.node, sizeof(pg.node), SELF);
	return 0;
}

static void my_location(uint32_t tl, hubha_lsn lsn)
{
	will_return(__wrap_hubha_pg_location, tl);
	will_return(__wrap_hubha_pg_location, lsn);
}

static void test_election_hands_over(void **state)
{
	(void)state;
	my_location(1, 0x3000000);
	put(HUBHA_ATTR_PRIVATE, SELF, "pgsql-election", "n1 n2 n3|");
	put(HUBHA_ATTR_PRIVATE, "n2", "pgsql-lsn-location", "1/0/3000060");
	put(HUBHA_ATTR_PRIVATE, "n3", "pgsql-lsn-location", "1/0/2000000");
	assert_int_equal(pgsql_election(&pg), HUBHA_OCF_ERR_GENERIC);
	assert_string_equal(ctx.reason, "Promotion handed to n2: it has more recent data (1/0/3000060) than this "
					"node (1/0/3000000)");
	/* n2's score above ours, and the reason where the admin looks. */
	assert_string_equal(get(HUBHA_ATTR_PROMOTION, "n2", "pgsql"), "1000");
	assert_string_equal(get(HUBHA_ATTR_PROMOTION, SELF, "pgsql"), "1");
	assert_null(get(HUBHA_ATTR_PROMOTION, "n3", "pgsql"));
	assert_string_equal(first_score_of, SELF);
	assert_string_equal(get(HUBHA_ATTR_TRANSIENT, SELF, "pgsql-no-promote-reason"), ctx.reason);
}

static void test_election_promotes(void **state)
{
	(void)state;
	my_location(2, 0x100);
	put(HUBHA_ATTR_PRIVATE, SELF, "pgsql-election", "n1 n2|");
	put(HUBHA_ATTR_PRIVATE, "n2", "pgsql-lsn-location", "1/5/0");
	assert_int_equal(pgsql_election(&pg), HUBHA_OCF_SUCCESS);
	assert_string_equal(ctx.reason, "");
	assert_null(get(HUBHA_ATTR_PROMOTION, "n2", "pgsql"));
}

/* Sync mode, three nodes, ANY 1: the other standby's data is needed too. */
static void test_election_sync_quorum_refuses(void **state)
{
	(void)state;
	pg.rep_mode = REP_SYNC;
	pg.sync_num = 1;
	my_location(1, 0x3000000);
	put(HUBHA_ATTR_PRIVATE, SELF, "pgsql-election", "n1|");
	assert_int_equal(pgsql_election(&pg), HUBHA_OCF_ERR_GENERIC);
	assert_string_equal(ctx.reason, "Promotion refused: the data of 1 of the 3 nodes is known (n1), 2 needed: "
					"with synchronous_standby_names ANY 1, a commit may be only on n2, n3; bring it "
					"back, or remove it from node_list");
	assert_null(get(HUBHA_ATTR_PROMOTION, SELF, "pgsql"));
	assert_string_equal(get(HUBHA_ATTR_TRANSIENT, SELF, "pgsql-no-promote-reason"), ctx.reason);
}

static void test_election_sync_quorum_promotes(void **state)
{
	(void)state;
	pg.rep_mode = REP_SYNC;
	pg.sync_num = 1;
	my_location(1, 0x3000060);
	put(HUBHA_ATTR_PRIVATE, SELF, "pgsql-election", "n1 n3|");
	put(HUBHA_ATTR_PRIVATE, "n3", "pgsql-lsn-location", "1/0/3000000");
	assert_int_equal(pgsql_election(&pg), HUBHA_OCF_SUCCESS);
	assert_string_equal(ctx.reason, "");
}

static void test_election_without_data_refuses(void **state)
{
	(void)state;
	my_location(1, 0x3000000);
	assert_int_equal(pgsql_election(&pg), HUBHA_OCF_ERR_GENERIC);
	assert_string_equal(ctx.reason, "Promotion refused: no election data from the pre-promote notification "
					"(the clone needs meta notify=true)");
	assert_null(get(HUBHA_ATTR_PROMOTION, SELF, "pgsql"));
	assert_string_equal(get(HUBHA_ATTR_TRANSIENT, SELF, "pgsql-no-promote-reason"), ctx.reason);
}

static void test_switchover_bad_checkpoint_refuses(void **state)
{
	(void)state;
	my_location(1, 0x3000100);
	put(HUBHA_ATTR_PRIVATE, SELF, "pgsql-election", "n1 n2|n2");
	put(HUBHA_ATTR_PRIVATE, "n2", "pgsql-lsn-location", "1/0/3000100");
	put(HUBHA_ATTR_PRIVATE, "n2", "pgsql-demote-checkpoint", "0/");
	assert_int_equal(pgsql_election(&pg), HUBHA_OCF_ERR_GENERIC);
	assert_string_equal(ctx.reason, "Switchover refused: the old primary n2 published an unreadable shutdown "
					"checkpoint '0/'");
}

static void test_switchover_checkpoint_missed(void **state)
{
	(void)state;
	my_location(1, 0x3000060);
	put(HUBHA_ATTR_PRIVATE, SELF, "pgsql-election", "n1 n2|n2");
	put(HUBHA_ATTR_PRIVATE, "n2", "pgsql-demote-checkpoint", "0/3000060");
	assert_int_equal(pgsql_election(&pg), HUBHA_OCF_ERR_GENERIC);
	assert_string_equal(ctx.reason, "Switchover refused: the old primary n2 shut down at 0/3000060 and this "
					"standby has only 0/3000060");
	assert_null(get(HUBHA_ATTR_PROMOTION, "n2", "pgsql"));
}

#define WANT_SQL "ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (\"n2\", \"n3\")'"

static void test_promote_sync_fails_closed(void **state)
{
	struct hubha_pg_status st = { .in_recovery = true };

	(void)state;
	pg.rep_mode = REP_SYNC;
	/* Set once, to the wanted value: no empty value first. */
	expect_string(__wrap_hubha_pg_exec, sql, WANT_SQL);
	will_return(__wrap_hubha_pg_exec, -EIO);
	assert_int_equal(pgsql_promote_sync_names(&pg, (PGconn *)&attrs, &st), HUBHA_OCF_ERR_GENERIC);
	assert_string_equal(ctx.reason, "Promotion refused: cannot set synchronous_standby_names (could not open "
					"file \"postgresql.auto.conf.tmp\": Is a directory), and degrade_to_async=false "
					"forbids running asynchronously");
}

/*
 * With degrade_to_async a new primary, which has no standby yet, starts
 * asynchronous: a list left from before is cleared, and a failure to clear it
 * does not refuse the promotion.
 */
static void test_promote_sync_degrade_allowed(void **state)
{
	struct hubha_pg_status st = { .in_recovery = true, .sync_names = "ANY 1 (\"n2\", \"n3\")" };

	(void)state;
	pg.rep_mode = REP_SYNC;
	pg.degrade_to_async = true;
	expect_string(__wrap_hubha_pg_exec, sql, "ALTER SYSTEM SET synchronous_standby_names = ''");
	will_return(__wrap_hubha_pg_exec, -EIO);
	assert_int_equal(pgsql_promote_sync_names(&pg, (PGconn *)&attrs, &st), HUBHA_OCF_SUCCESS);
	assert_string_equal(ctx.reason, "");
}

static void test_promote_sync_degrade_starts_async(void **state)
{
	struct hubha_pg_status st = { .in_recovery = true };

	(void)state;
	pg.rep_mode = REP_SYNC;
	pg.degrade_to_async = true;
	/* Empty already: nothing to set, and no standby to wait for. */
	assert_int_equal(pgsql_promote_sync_names(&pg, (PGconn *)&attrs, &st), HUBHA_OCF_SUCCESS);
	assert_string_equal(ctx.reason, "");
}

static void test_promote_sync_sets_and_reloads(void **state)
{
	struct hubha_pg_status st = { .in_recovery = true };

	(void)state;
	pg.rep_mode = REP_SYNC;
	expect_string(__wrap_hubha_pg_exec, sql, WANT_SQL);
	will_return(__wrap_hubha_pg_exec, 0);
	expect_string(__wrap_hubha_pg_exec, sql, "SELECT pg_reload_conf()");
	will_return(__wrap_hubha_pg_exec, 0);
	assert_int_equal(pgsql_promote_sync_names(&pg, (PGconn *)&attrs, &st), HUBHA_OCF_SUCCESS);
}

static void test_promote_sync_reload_fails(void **state)
{
	struct hubha_pg_status st = { .in_recovery = true };

	(void)state;
	pg.rep_mode = REP_SYNC;
	expect_string(__wrap_hubha_pg_exec, sql, WANT_SQL);
	will_return(__wrap_hubha_pg_exec, 0);
	expect_string(__wrap_hubha_pg_exec, sql, "SELECT pg_reload_conf()");
	will_return(__wrap_hubha_pg_exec, -EIO);
	assert_int_equal(pgsql_promote_sync_names(&pg, (PGconn *)&attrs, &st), HUBHA_OCF_ERR_GENERIC);
}

static void test_promote_sync_in_effect(void **state)
{
	struct hubha_pg_status st = { .in_recovery = true, .sync_names = "ANY 1 (\"n2\", \"n3\")" };

	(void)state;
	pg.rep_mode = REP_SYNC;
	/* No statement at all: __wrap_hubha_pg_exec has no expectation queued. */
	assert_int_equal(pgsql_promote_sync_names(&pg, (PGconn *)&attrs, &st), HUBHA_OCF_SUCCESS);
}

static void test_promote_async_clears(void **state)
{
	struct hubha_pg_status st = { .in_recovery = true, .sync_names = "FIRST 1 (\"n2\")" };

	(void)state;
	expect_string(__wrap_hubha_pg_exec, sql, "ALTER SYSTEM SET synchronous_standby_names = ''");
	will_return(__wrap_hubha_pg_exec, -EIO);
	/* Async mode loses no guarantee when it cannot clear the value: it goes on. */
	assert_int_equal(pgsql_promote_sync_names(&pg, (PGconn *)&attrs, &st), HUBHA_OCF_SUCCESS);
}

static void test_check_clone(void **state)
{
	(void)state;
	setenv("OCF_RESKEY_CRM_meta_notify", "false", 1);
	setenv("OCF_RESKEY_CRM_meta_promoted_max", "1", 1);
	setenv("OCF_RESKEY_CRM_meta_master_max", "1", 1);
	assert_int_equal(pgsql_check_clone(&pg), HUBHA_OCF_ERR_CONFIGURED);
	assert_string_equal(ctx.reason, "The promotable clone needs meta notify=true (it has notify=false): the "
					"election runs in the pre-promote notification");
	ctx.reason[0] = '\0';
	setenv("OCF_RESKEY_CRM_meta_notify", "true", 1);
	setenv("OCF_RESKEY_CRM_meta_master_max", "2", 1);
	assert_int_equal(pgsql_check_clone(&pg), HUBHA_OCF_ERR_CONFIGURED);
	setenv("OCF_RESKEY_CRM_meta_master_max", "1", 1);
	assert_int_equal(pgsql_check_clone(&pg), HUBHA_OCF_SUCCESS);
	/* Without replication there is no clone to check. */
	pg.rep_mode = REP_NONE;
	setenv("OCF_RESKEY_CRM_meta_notify", "false", 1);
	assert_int_equal(pgsql_check_clone(&pg), HUBHA_OCF_SUCCESS);
}

static void test_primary_ranks(void **state)
{
	struct hubha_pg_standby standbys[2] = { 0 };
	struct hubha_pg_status st = { .timeline = 1, .n_standbys = 2, .standbys = standbys };

	(void)state;
	snprintf(st.standbys[0].name, sizeof(st.standbys[0].name), "n2");
	snprintf(st.standbys[0].state, sizeof(st.standbys[0].state), "streaming");
	snprintf(st.standbys[0].sync_state, sizeof(st.standbys[0].sync_state), "async");
	st.standbys[0].flush_lsn = 100;
	snprintf(st.standbys[1].name, sizeof(st.standbys[1].name), "n3");
	snprintf(st.standbys[1].state, sizeof(st.standbys[1].state), "streaming");
	snprintf(st.standbys[1].sync_state, sizeof(st.standbys[1].sync_state), "async");
	st.standbys[1].flush_lsn = 200;
	/* Uncached: no attribute cache file. */
	pg.attrs = NULL;
	pgsql_primary_publish(&pg, (PGconn *)&attrs, &st);
	assert_string_equal(get(HUBHA_ATTR_PROMOTION, SELF, "pgsql"), SCORE_PRIMARY);
	assert_string_equal(get(HUBHA_ATTR_PROMOTION, "n3", "pgsql"), "1000");
	assert_string_equal(get(HUBHA_ATTR_PROMOTION, "n2", "pgsql"), "999");
	assert_string_equal(get(HUBHA_ATTR_TRANSIENT, "n2", "pgsql-status"), "HS:async");
}

/* post-promote on a standby: only a receiver silent since before the promotion is ended. */
static void test_receiver_renew(void **state)
{
	static const struct {
		const char *row;
		int rc;
		bool demoted;
		pid_t killed;
	} cases[] = {
		{ "4242 streaming 2300", 0, false, 4242 },
		{ "4242 streaming 200", 0, false, 0 },
		{ "4242 streaming 2300", 0, true, 0 },
		{ "4242 starting 9000", 0, false, 0 },
		{ NULL, 0, false, 0 },			/* no receiver, or its columns hidden */
		{ "4242 streaming 2300", -EIO, false, 0 },	/* the query failed: nothing is signalled */
		{ "garbage", 0, false, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		killed_pid = 0;
		exec_value = cases[i].row;
		expect_any(__wrap_hubha_pg_exec, sql);
		will_return(__wrap_hubha_pg_exec, cases[i].rc);
		pgsql_receiver_renew(&pg, cases[i].demoted);
		if (killed_pid != cases[i].killed)
			fail_msg("case %zu: signalled %d, expected %d", i, (int)killed_pid, (int)cases[i].killed);
		if (killed_pid)
			assert_int_equal(killed_sig, SIGTERM);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_election_hands_over, setup),
		cmocka_unit_test_setup(test_election_promotes, setup),
		cmocka_unit_test_setup(test_election_sync_quorum_refuses, setup),
		cmocka_unit_test_setup(test_election_sync_quorum_promotes, setup),
		cmocka_unit_test_setup(test_election_without_data_refuses, setup),
		cmocka_unit_test_setup(test_switchover_bad_checkpoint_refuses, setup),
		cmocka_unit_test_setup(test_switchover_checkpoint_missed, setup),
		cmocka_unit_test_setup(test_promote_sync_fails_closed, setup),
		cmocka_unit_test_setup(test_promote_sync_degrade_allowed, setup),
		cmocka_unit_test_setup(test_promote_sync_degrade_starts_async, setup),
		cmocka_unit_test_setup(test_promote_sync_sets_and_reloads, setup),
		cmocka_unit_test_setup(test_promote_sync_reload_fails, setup),
		cmocka_unit_test_setup(test_promote_sync_in_effect, setup),
		cmocka_unit_test_setup(test_promote_async_clears, setup),
		cmocka_unit_test_setup(test_check_clone, setup),
		cmocka_unit_test_setup(test_primary_ranks, setup),
		cmocka_unit_test_setup(test_receiver_renew, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

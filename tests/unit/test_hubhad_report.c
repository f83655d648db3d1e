/*
 * hubhad's decisions (tools/hubhad_report.c): PostgreSQL's answers into a
 * report, the configuration file, crm_attribute's answer, and what counts
 * as a change worth publishing at once.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "hubhad_report.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define EXITED(code) ((code) << 8)	/* a wait status of a normal exit */

static void test_primary_row(void **state)
{
	const char *col[COL_N] = {
		[COL_IN_RECOVERY] = "f", [COL_LSN] = "0/3000060", [COL_CHECKPOINT_TLI] = "1",
		[COL_WALFILE] = "000000030000000000000002", [COL_SYNC_NAMES] = "t",
	};
	hubha_report_t r = { .flags = HUBHA_REPORT_FENCING_KNOWN };

	(void)state;
	assert_int_equal(hubhad_report_from_status(col, &r), 0);
	assert_int_equal(r.role, HUBHA_ROLE_PRIMARY);
	assert_int_equal(r.pg_state, HUBHA_PG_RUNNING);
	/* The primary's timeline is the current WAL file's, not the last checkpoint's. */
	assert_int_equal(r.timeline, 3);
	assert_int_equal(r.lsn, 0x3000060);
	assert_int_equal(r.receive_lsn, 0);
	assert_int_equal(r.replay_lag_ms, UINT32_MAX);
	assert_int_equal(r.wal_receiver, HUBHA_WALRCV_NONE);
	assert_int_equal(r.flags, HUBHA_REPORT_FENCING_KNOWN | HUBHA_REPORT_SYNC_REQUESTED);
}

static void test_standby_rows(void **state)
{
	static const struct {
		const char *walrcv, *received_tli, *checkpoint_tli, *lag, *paused;
		hubha_walrcv_t want_walrcv;
		uint32_t want_tli, want_lag, want_flags;
	} t[] = {
		{ "streaming", "2", "1", "0", "f", HUBHA_WALRCV_STREAMING, 2, 0, 0 },
		/* No WAL receiver: the timeline from the last checkpoint. */
		{ NULL, NULL, "1", "1500", "f", HUBHA_WALRCV_NONE, 1, 1500, 0 },
		{ "waiting", NULL, "4", NULL, "t", HUBHA_WALRCV_WAITING, 4, UINT32_MAX, HUBHA_REPORT_RECOVERY_PAUSED },
		{ "stopping", "5", NULL, "-20", "f", HUBHA_WALRCV_STOPPING, 5, 0, 0 },
		{ "what", NULL, NULL, "99999999999", NULL, HUBHA_WALRCV_NONE, 0, UINT32_MAX, 0 },
	};

	(void)state;
	for (size_t i = 0; i < LEN(t); i++) {
		const char *col[COL_N] = {
			[COL_IN_RECOVERY] = "t", [COL_LSN] = "0/5000000", [COL_RECEIVE_LSN] = "0/5000100",
			[COL_WALRCV_STATUS] = t[i].walrcv, [COL_RECEIVED_TLI] = t[i].received_tli,
			[COL_CHECKPOINT_TLI] = t[i].checkpoint_tli, [COL_REPLAY_LAG_MS] = t[i].lag,
			[COL_SYNC_NAMES] = "t", [COL_PAUSED] = t[i].paused,
		};
		hubha_report_t r = { .flags = HUBHA_REPORT_SYNC_REQUESTED };

		assert_int_equal(hubhad_report_from_status(col, &r), 0);
		assert_int_equal(r.role, HUBHA_ROLE_STANDBY);
		assert_int_equal(r.lsn, 0x5000000);
		assert_int_equal(r.receive_lsn, 0x5000100);
		assert_int_equal(r.wal_receiver, t[i].want_walrcv);
		assert_int_equal(r.timeline, t[i].want_tli);
		assert_int_equal(r.replay_lag_ms, t[i].want_lag);
		/* synchronous_standby_names on a standby requests nothing. */
		assert_int_equal(r.flags, t[i].want_flags);
	}
}

static void test_bad_rows(void **state)
{
	static const struct { const char *rec, *lsn, *walfile; } t[] = {
		{ NULL, "0/1", "000000010000000000000001" },
		{ "x", "0/1", "000000010000000000000001" },
		{ "f", "nonsense", "000000010000000000000001" },
		{ "f", "0/1", NULL },
		{ "f", "0/1", "00000001000000000000000" },
		{ "f", "0/1", "0000000G0000000000000001" },
	};

	(void)state;
	for (size_t i = 0; i < LEN(t); i++) {
		const char *col[COL_N] = { [COL_IN_RECOVERY] = t[i].rec, [COL_LSN] = t[i].lsn, [COL_WALFILE] = t[i].walfile };
		hubha_report_t r = { .role = HUBHA_ROLE_STANDBY };

		assert_int_equal(hubhad_report_from_status(col, &r), -EINVAL);
		/* Nothing filled on failure. */
		assert_int_equal(r.role, HUBHA_ROLE_STANDBY);
	}
}

static void test_replication_row(void **state)
{
	const char *good[HUBHAD_REPL_COLS] = { "node2", "streaming", "sync", "0/3000060", "0/3000000" };
	const char *catchup[HUBHAD_REPL_COLS] = { "node3", "catchup", "potential", NULL, NULL };
	const char *bad_lsn[HUBHAD_REPL_COLS] = { "node2", "streaming", "async", "x/y", NULL };
	char long_name[HUBHA_CLUSTER_NAME_MAX + 1];
	const char *too_long[HUBHAD_REPL_COLS] = { long_name, "streaming", "async", NULL, NULL };
	hubha_standby_row_t row;

	(void)state;
	assert_int_equal(hubhad_standby_from_row(good, &row), 0);
	assert_string_equal(row.name, "node2");
	assert_int_equal(row.state, HUBHA_WALRCV_STREAMING);
	assert_int_equal(row.sync_state, HUBHA_SYNC_SYNC);
	assert_int_equal(row.flush_lsn, 0x3000060);
	assert_int_equal(row.replay_lsn, 0x3000000);
	assert_int_equal(hubhad_standby_from_row(catchup, &row), 0);
	assert_int_equal(row.state, HUBHA_WALRCV_STARTING);
	assert_int_equal(row.sync_state, HUBHA_SYNC_POTENTIAL);
	assert_int_equal(row.flush_lsn, 0);
	assert_int_equal(hubhad_standby_from_row(bad_lsn, &row), -EINVAL);
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(hubhad_standby_from_row(too_long, &row), -EINVAL);
}

static void test_enums(void **state)
{
	(void)state;
	assert_int_equal(hubhad_walrcv_parse("streaming"), HUBHA_WALRCV_STREAMING);
	assert_int_equal(hubhad_walrcv_parse("restarting"), HUBHA_WALRCV_RESTARTING);
	assert_int_equal(hubhad_walrcv_parse("stopped"), HUBHA_WALRCV_STOPPED);
	assert_int_equal(hubhad_walrcv_parse(NULL), HUBHA_WALRCV_NONE);
	assert_int_equal(hubhad_walrcv_parse("Streaming"), HUBHA_WALRCV_NONE);
	assert_int_equal(hubhad_walsender_parse("startup"), HUBHA_WALRCV_STARTING);
	assert_int_equal(hubhad_walsender_parse("stopping"), HUBHA_WALRCV_STOPPING);
	assert_int_equal(hubhad_sync_state_parse("quorum"), HUBHA_SYNC_QUORUM);
	assert_int_equal(hubhad_sync_state_parse("async"), HUBHA_SYNC_ASYNC);
	assert_int_equal(hubhad_sync_state_parse(""), HUBHA_SYNC_UNKNOWN);
}

static void test_connect_failure(void **state)
{
	static const struct { const char *message; hubha_pg_state_t want; } t[] = {
		{ "connection to server on socket \"/run/postgresql/.s.PGSQL.5432\" failed: No such file or directory",
		  HUBHA_PG_STOPPED },
		{ "connection to server at \"10.0.0.1\", port 5432 failed: Connection refused", HUBHA_PG_STOPPED },
		{ "connection to server on socket \"/x/.s.PGSQL.5432\" failed: FATAL:  the database system is starting up",
		  HUBHA_PG_STARTING },
		{ "FATAL:  the database system is not yet accepting connections", HUBHA_PG_STARTING },
		{ "FATAL:  the database system is in recovery mode", HUBHA_PG_STARTING },
		{ "FATAL:  no pg_hba.conf entry for host \"[local]\", user \"hubhad\"", HUBHA_PG_REFUSED },
		{ "FATAL:  password authentication failed for user \"postgres\"", HUBHA_PG_REFUSED },
		{ "FATAL:  role \"hubhad\" does not exist", HUBHA_PG_REFUSED },
		{ "FATAL:  sorry, too many clients already", HUBHA_PG_REFUSED },
		{ "FATAL:  the database system is shutting down", HUBHA_PG_STOPPED },
		{ NULL, HUBHA_PG_UNKNOWN },
	};

	(void)state;
	for (size_t i = 0; i < LEN(t); i++)
		if (hubhad_connect_failure(t[i].message) != t[i].want)
			fail_msg("'%s': %d, expected %d", t[i].message, hubhad_connect_failure(t[i].message), t[i].want);
}

static void test_fencing_flags(void **state)
{
	static const uint32_t KNOWN = HUBHA_REPORT_FENCING_KNOWN, OFF = HUBHA_REPORT_FENCING_DISABLED;
	static const struct { int status; const char *out; uint32_t want; } t[] = {
		{ EXITED(0), "true\n", KNOWN },
		{ EXITED(0), "false\n", KNOWN | OFF },
		{ EXITED(0), "FALSE", KNOWN | OFF },
		{ EXITED(0), "off\n", KNOWN | OFF },
		{ EXITED(0), "0\n", KNOWN | OFF },
		{ EXITED(0), "yes\n", KNOWN },
		/* Not set: Pacemaker's default, enabled. */
		{ EXITED(105), "", KNOWN },
		/* Cannot tell. */
		{ EXITED(0), "maybe\n", 0 },
		{ EXITED(0), "", 0 },
		{ EXITED(0), "true\nfalse\n", 0 },
		{ EXITED(102), "", 0 },
		{ EXITED(1), "false\n", 0 },
		{ SIGKILL, "", 0 },
	};

	(void)state;
	for (size_t i = 0; i < LEN(t); i++)
		if (hubhad_fencing_flags(t[i].status, t[i].out) != t[i].want)
			fail_msg("case %zu: %#x, expected %#x", i, hubhad_fencing_flags(t[i].status, t[i].out), t[i].want);
}

static void test_changed(void **state)
{
	hubha_report_t a = { .role = HUBHA_ROLE_STANDBY, .pg_state = HUBHA_PG_RUNNING, .timeline = 1,
			     .lsn = 100, .wal_receiver = HUBHA_WALRCV_STREAMING, .interval_ms = 2000,
			     .n_standbys = 1, .standbys = { { .name = "node1", .state = HUBHA_WALRCV_STREAMING } } };
	hubha_report_t b;

	(void)state;
	b = a;
	assert_false(hubhad_report_changed(&a, &b));
	/* Positions and times go out with the interval. */
	b.lsn = 200;
	b.receive_lsn = 300;
	b.replay_lag_ms = 5;
	b.time_ms = 12345;
	b.standbys[0].flush_lsn = 99;
	assert_false(hubhad_report_changed(&a, &b));
	b = a;
	b.wal_receiver = HUBHA_WALRCV_WAITING;
	assert_true(hubhad_report_changed(&a, &b));
	b = a;
	b.role = HUBHA_ROLE_PRIMARY;
	assert_true(hubhad_report_changed(&a, &b));
	b = a;
	b.timeline = 2;
	assert_true(hubhad_report_changed(&a, &b));
	b = a;
	b.flags = HUBHA_REPORT_FENCING_KNOWN;
	assert_true(hubhad_report_changed(&a, &b));
	b = a;
	b.standbys[0].sync_state = HUBHA_SYNC_SYNC;
	assert_true(hubhad_report_changed(&a, &b));
	b = a;
	b.n_standbys = 0;
	assert_true(hubhad_report_changed(&a, &b));
	b = a;
	snprintf(b.address, sizeof(b.address), "10.0.0.1");
	assert_true(hubhad_report_changed(&a, &b));
}

static void test_conf(void **state)
{
	struct hubhad_opts o;
	char err[256];

	(void)state;
	hubhad_opts_default(&o);
	assert_int_equal(o.interval_ms, 2000);
	assert_string_equal(o.pgport, "5432");
	assert_true(o.postgresql);
	assert_int_equal(hubhad_conf_parse("# hubhad\n\n interval = 500 \npghost=/var/lib/pg/run\n"
					   "pgport = 5433\npguser = monitor\naddress = 10.0.0.1\npostgresql = no",
					   &o, err, sizeof(err)), 0);
	assert_int_equal(o.interval_ms, 500);
	assert_string_equal(o.pghost, "/var/lib/pg/run");
	assert_string_equal(o.pgport, "5433");
	assert_string_equal(o.pguser, "monitor");
	assert_string_equal(o.address, "10.0.0.1");
	assert_false(o.postgresql);
	/* The CFEngine glue: off (empty) unless set. */
	assert_string_equal(o.cfengine_statedir, "");
	assert_string_equal(o.cfengine_ha_info, "");
	assert_int_equal(hubhad_conf_parse("cfengine_statedir = /var/lib/cfengine3/state\n"
					   "cfengine_ha_info = /var/lib/cfengine3/inputs/cfe_internal/enterprise/ha/ha_info.json\n"
					   "cfengine_htdocs = /var/cfengine/httpd/htdocs\n", &o, err, sizeof(err)), 0);
	assert_string_equal(o.cfengine_statedir, "/var/lib/cfengine3/state");
	assert_string_equal(o.cfengine_ha_info, "/var/lib/cfengine3/inputs/cfe_internal/enterprise/ha/ha_info.json");
	assert_string_equal(o.cfengine_htdocs, "/var/cfengine/httpd/htdocs");
}

static void test_conf_errors(void **state)
{
	static const struct { const char *text, *err; } t[] = {
		{ "interval = 50\n", "line 1: interval: milliseconds from 100 to 60000, not '50'" },
		{ "\ninterval = 2s\n", "line 2: interval: milliseconds from 100 to 60000, not '2s'" },
		{ "pgport = 0\n", "line 1: pgport: a port from 1 to 65535, not '0'" },
		{ "pgport = 65536\n", "line 1: pgport: a port from 1 to 65535, not '65536'" },
		{ "postgresql = maybe\n", "line 1: postgresql: yes or no, not 'maybe'" },
		{ "pghost\n", "line 1: not key = value" },
		{ "pgpass = secret\n", "line 1: unknown key 'pgpass'" },
		{ "address = 0123456789012345678901234567890123456789012345678\n",
		  "line 1: address: longer than 47 characters" },
	};

	(void)state;
	for (size_t i = 0; i < LEN(t); i++) {
		struct hubhad_opts o;
		char err[256] = "";

		hubhad_opts_default(&o);
		assert_int_equal(hubhad_conf_parse(t[i].text, &o, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, t[i].err);
	}
}

static void test_conf_long_line(void **state)
{
	char text[1024], err[256];
	struct hubhad_opts o;

	(void)state;
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	hubhad_opts_default(&o);
	assert_int_equal(hubhad_conf_parse(text, &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 1: too long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_primary_row),
		cmocka_unit_test(test_standby_rows),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_replication_row),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_connect_failure),
		cmocka_unit_test(test_fencing_flags),
		cmocka_unit_test(test_changed),
		cmocka_unit_test(test_conf),
		cmocka_unit_test(test_conf_errors),
		cmocka_unit_test(test_conf_long_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * What the pgsql agent reads about processes (agents/pgsql_proc_text.c):
 * postmaster.pid, /proc/PID/stat, /proc/PID/exe, wait statuses and the
 * output of pg_ctl and the server.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "../../agents/pgsql_proc_text.c"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static void test_pidfile(void **state)
{
	char dir[64] = "untouched";
	pid_t pid = -7;

	(void)state;
	assert_int_equal(pgsql_pidfile_parse("4242\n/var/lib/pgsql/data\n1700000000\n5432\n/tmp\n*\n  5432001 0\nready   \n",
					     &pid, dir, sizeof(dir)), 0);
	assert_int_equal(pid, 4242);
	assert_string_equal(dir, "/var/lib/pgsql/data");
	/* The first two lines are enough: the file is written in steps while the server starts. */
	assert_int_equal(pgsql_pidfile_parse("17\n/d\n", &pid, dir, sizeof(dir)), 0);
	assert_int_equal(pid, 17);
	assert_string_equal(dir, "/d");
}

static void test_pidfile_bad(void **state)
{
	static const char *const bad[] = {
		"", "\n", "4242", "4242\n", "4242\n\n", "4242\n/d", "0\n/d\n", "-5\n/d\n", " 42\n/d\n", "42 \n/d\n",
		"42x\n/d\n", "x\n/d\n", "99999999999999999999\n/d\n", "2147483648\n/d\n",
		"42\n/a/data/directory/name/longer/than/the/buffer/given/to/the/parser/here\n",
	};

	(void)state;
	for (size_t i = 0; i < LEN(bad); i++) {
		char dir[64] = "untouched";
		pid_t pid = -7;

		if (pgsql_pidfile_parse(bad[i], &pid, dir, sizeof(dir)) != -EPROTO)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(pid, -7);
		assert_string_equal(dir, "untouched");
	}
}

static void test_stat(void **state)
{
	static const struct {
		const char *text;
		char state;
		pid_t ppid;
	} good[] = {
		{ "1234 (postgres) S 1 1234 1234 0 -1 4194560 1000 0 0 0\n", 'S', 1 },
		/* comm is the process's to choose: spaces and parentheses included. */
		{ "77 (post gres) R 76 77 77 0\n", 'R', 76 },
		{ "77 (a) Z (b)) Z 3 77 77 0\n", 'Z', 3 },
		{ "9 ()) S 0 0 0 0\n", 'S', 0 },
	};
	static const char *const bad[] = { "", "1234", "1234 (postgres", "1234 (postgres) S", "1234 (x) S -1 1\n",
					   "1234 (x) S abc\n" };

	(void)state;
	for (size_t i = 0; i < LEN(good); i++) {
		char st = '?';
		pid_t ppid = -7;

		if (pgsql_proc_stat_parse(good[i].text, &st, &ppid) != 0)
			fail_msg("'%s' rejected", good[i].text);
		assert_int_equal(st, good[i].state);
		assert_int_equal(ppid, good[i].ppid);
	}
	for (size_t i = 0; i < LEN(bad); i++) {
		char st = '?';
		pid_t ppid = -7;

		if (pgsql_proc_stat_parse(bad[i], &st, &ppid) != -EPROTO)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(st, '?');
		assert_int_equal(ppid, -7);
	}
}

static void test_status_euid(void **state)
{
	static const char *const bad[] = { "", "Name:\tpostgres\n", "Name:\tpostgres\nUid:\t1\n",
					   "Name:\tx\nXUid:\t1\t2\t3\t4\n", "Uid:\tx\ty\n" };
	uid_t uid = 7;

	(void)state;
	assert_int_equal(pgsql_proc_status_euid("Name:\tpostgres\nUmask:\t0077\nState:\tS (sleeping)\n"
						"Tgid:\t42\nPid:\t42\nPPid:\t1\nTracerPid:\t0\n"
						"Uid:\t105\t106\t107\t108\nGid:\t0\t0\t0\t0\n", &uid), 0);
	assert_int_equal(uid, 106);
	assert_int_equal(pgsql_proc_status_euid("Uid:\t0\t0\t0\t0\n", &uid), 0);
	assert_int_equal(uid, 0);
	for (size_t i = 0; i < LEN(bad); i++) {
		uid = 7;
		if (pgsql_proc_status_euid(bad[i], &uid) != -EPROTO)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(uid, 7);
	}
}

static void test_exe(void **state)
{
	const char *pg = "/usr/lib/postgresql/15/bin/postgres";

	(void)state;
	assert_true(pgsql_exe_is("/usr/lib/postgresql/15/bin/postgres", pg));
	assert_true(pgsql_exe_is("/usr/lib/postgresql/15/bin/postgres (deleted)", pg));
	assert_false(pgsql_exe_is("/usr/lib/postgresql/15/bin/postgres2", pg));
	assert_false(pgsql_exe_is("/usr/lib/postgresql/15/bin/postgres (deleted)x", pg));
	assert_false(pgsql_exe_is("/usr/lib/postgresql/15/bin/postgre", pg));
	assert_false(pgsql_exe_is("/usr/lib/postgresql/14/bin/postgres", pg));
	assert_false(pgsql_exe_is("/usr/bin/sleep", pg));
	assert_false(pgsql_exe_is("", pg));

	assert_true(pgsql_exe_named_postgres("/opt/pg/bin/postgres"));
	assert_true(pgsql_exe_named_postgres("/opt/pg/bin/postmaster"));
	assert_true(pgsql_exe_named_postgres("/opt/pg/bin/postgres (deleted)"));
	assert_true(pgsql_exe_named_postgres("postgres"));
	assert_false(pgsql_exe_named_postgres("/usr/bin/sleep"));
	assert_false(pgsql_exe_named_postgres("/opt/postgres/bin/psql"));
	assert_false(pgsql_exe_named_postgres("/opt/pg/bin/postgres-wrapper"));
	assert_false(pgsql_exe_named_postgres("/opt/pg/bin/xpostgres"));
	assert_false(pgsql_exe_named_postgres(" (deleted)"));
}

static void test_status(void **state)
{
	char buf[64];

	(void)state;
	pgsql_status_text(0, buf, sizeof(buf));
	assert_string_equal(buf, "exit status 0");
	pgsql_status_text(1 << 8, buf, sizeof(buf));
	assert_string_equal(buf, "exit status 1");
	pgsql_status_text(127 << 8, buf, sizeof(buf));
	assert_string_equal(buf, "exit status 127");
	/* A signal is not an exit status, nor an interrupted call. */
	pgsql_status_text(SIGKILL, buf, sizeof(buf));
	assert_string_equal(buf, "killed by signal 9 (Killed)");
	pgsql_status_text(SIGSEGV | 0x80, buf, sizeof(buf));
	assert_string_equal(buf, "killed by signal 11 (Segmentation fault)");
}

static void test_last_message(void **state)
{
	static const struct {
		const char *text;
		bool fatal_only;
		const char *want;	/* NULL: none */
	} cases[] = {
		{ "waiting for server to start.... stopped waiting\npg_ctl: could not start server\n"
		  "Examine the log output.\n", false, "pg_ctl: could not start server" },
		{ "waiting for server to start.... stopped waiting\npg_ctl: could not start server\n"
		  "Examine the log output.\n", true, NULL },
		{ "2026-11-29 22:50:03.285 GMT [20526] FATAL:  unrecognized configuration parameter \"x\"\n", true,
		  "FATAL:  unrecognized configuration parameter \"x\"" },
		/* The FATAL line wins over what the server says after it. */
		{ "LOG:  could not bind IPv4 address \"127.0.0.1\": Address already in use\n"
		  "HINT:  Is another postmaster already running on port 5432?\n"
		  "FATAL:  could not create any TCP/IP sockets\nLOG:  database system is shut down\n", false,
		  "FATAL:  could not create any TCP/IP sockets" },
		{ "FATAL:  first\nPANIC:  second\n", true, "PANIC:  second" },
		{ "postgres: invalid argument: \"x\"\nTry \"postgres --help\" for more information.\n", false,
		  "postgres: invalid argument: \"x\"" },
		{ "no newline at the end", false, "no newline at the end" },
		{ "windows line\r\n", false, "windows line" },
		{ "", false, NULL },
		{ "\n\n  \n....\n", false, NULL },
		{ "waiting for server to shut down.... done\nserver stopped\n", false, NULL },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		char buf[128] = "untouched";
		bool found = pgsql_last_message(cases[i].text, cases[i].fatal_only, buf, sizeof(buf));

		if (!cases[i].want) {
			if (found)
				fail_msg("case %zu: found '%s'", i, buf);
			continue;
		}
		if (!found)
			fail_msg("case %zu: nothing found, expected '%s'", i, cases[i].want);
		assert_string_equal(buf, cases[i].want);
	}
}

static void test_last_message_truncates(void **state)
{
	char buf[8];

	(void)state;
	assert_true(pgsql_last_message("FATAL:  a long message\n", true, buf, sizeof(buf)));
	assert_string_equal(buf, "FATAL: ");
	assert_false(pgsql_last_message("FATAL: x\n", true, buf, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pidfile),
		cmocka_unit_test(test_pidfile_bad),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_status_euid),
		cmocka_unit_test(test_exe),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_last_message),
		cmocka_unit_test(test_last_message_truncates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

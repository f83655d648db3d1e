/*
 * The pgsql agent's conninfo values (agents/pgsql_conf.c): each quoted value
 * must read back through libpq's own parser as exactly what went in, without
 * swallowing the keyword after it, and a buffer too small is an error that
 * leaves the buffer as it was.
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
#include <libpq-fe.h>

#include "pgsql.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SENTINEL 'Z'

static const struct {
	const char *value;
	const char *quoted;
} cases[] = {
	{ "db1", "db1" },
	{ "10.0.0.1", "10.0.0.1" },
	{ "node-1.example.com", "node-1.example.com" },
	{ "a=b", "a=b" },
	{ "\"double\"", "\"double\"" },
	{ "", "''" },
	{ "two words", "'two words'" },
	{ " lead", "' lead'" },
	{ "tab\there", "'tab\there'" },
	{ "new\nline", "'new\nline'" },
	{ "cr\rvt\vff\f", "'cr\rvt\vff\f'" },
	{ "it's", "'it\\'s'" },
	{ "'", "'\\''" },
	{ "''", "'\\'\\''" },
	{ "back\\slash", "'back\\\\slash'" },
	{ "\\", "'\\\\'" },
	{ "\\'", "'\\\\\\''" },
	{ "x dbname=evil", "'x dbname=evil'" },
};

/* The value of keyword in a conninfo string as libpq parses it; NULL when it does not parse. */
static char *parsed(const char *conninfo, const char *keyword)
{
	PQconninfoOption *opts, *o;
	char *err = NULL, *v = NULL;

	opts = PQconninfoParse(conninfo, &err);
	if (!opts) {
		print_message("libpq rejects [%s]: %s\n", conninfo, err ? err : "?");
		PQfreemem(err);
		return NULL;
	}
	for (o = opts; o->keyword; o++)
		if (strcmp(o->keyword, keyword) == 0 && o->val)
			v = strdup(o->val);
	PQconninfoFree(opts);
	return v ? v : strdup("(unset)");
}

static void test_quoting(void **state)
{
	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		char buf[64];

		if (pgsql_conninfo_value(buf, sizeof(buf), cases[i].value) != 0)
			fail_msg("[%s] rejected", cases[i].value);
		if (strcmp(buf, cases[i].quoted) != 0)
			fail_msg("[%s] gave [%s], expected [%s]", cases[i].value, buf, cases[i].quoted);
	}
}

static void test_libpq_reads_back(void **state)
{
	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		char buf[64], conninfo[256];
		char *user, *db;

		assert_int_equal(pgsql_conninfo_value(buf, sizeof(buf), cases[i].value), 0);
		snprintf(conninfo, sizeof(conninfo), "user=%s dbname=next", buf);
		user = parsed(conninfo, "user");
		db = parsed(conninfo, "dbname");
		if (!user || strcmp(user, cases[i].value) != 0)
			fail_msg("[%s] read back as [%s] from [%s]", cases[i].value, user ? user : "(error)", conninfo);
		if (!db || strcmp(db, "next") != 0)
			fail_msg("[%s] took the next keyword: dbname [%s]", cases[i].value, db ? db : "(error)");
		free(user);
		free(db);
	}
}

/* Every value fits in exactly its quoted length plus the NUL, and not one byte less. */
static void test_exact_fit(void **state)
{
	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		size_t need = strlen(cases[i].quoted) + 1;
		char buf[64];

		memset(buf, SENTINEL, sizeof(buf));
		assert_int_equal(pgsql_conninfo_value(buf, need, cases[i].value), 0);
		assert_string_equal(buf, cases[i].quoted);
		for (size_t len = 0; len < need; len++) {
			memset(buf, SENTINEL, sizeof(buf));
			if (pgsql_conninfo_value(buf, len, cases[i].value) != -ENAMETOOLONG)
				fail_msg("[%s] in %zu bytes: not -ENAMETOOLONG", cases[i].value, len);
			for (size_t b = 0; b < sizeof(buf); b++)
				if (buf[b] != SENTINEL)
					fail_msg("[%s] in %zu bytes: byte %zu written", cases[i].value, len, b);
		}
	}
}

static void test_no_value(void **state)
{
	char buf[16];

	(void)state;
	memset(buf, SENTINEL, sizeof(buf));
	assert_int_equal(pgsql_conninfo_value(buf, sizeof(buf), NULL), -EINVAL);
	assert_int_equal(buf[0], SENTINEL);
}

static void primary(struct pgsql *pg, const char *master_ip, const char *repuser, const char *node)
{
	memset(pg, 0, sizeof(*pg));
	pg->master_ip = master_ip;
	pg->master_port = 5433;
	pg->repuser = repuser;
	snprintf(pg->node, sizeof(pg->node), "%s", node);
}

static void expect_parsed(const char *conninfo, const char *keyword, const char *want)
{
	char *v = parsed(conninfo, keyword);

	if (!v || strcmp(v, want) != 0)
		fail_msg("%s: [%s], expected [%s] in [%s]", keyword, v ? v : "(error)", want, conninfo);
	free(v);
}

static void test_primary_conninfo(void **state)
{
	struct pgsql pg;
	char buf[1024];

	(void)state;
	primary(&pg, "db.example", "rep user", "it's node\\1");
	pg.primary_conninfo_opt = "sslmode=require keepalives_idle=5";
	assert_int_equal(pgsql_conf_primary_conninfo(&pg, buf, sizeof(buf)), 0);
	expect_parsed(buf, "host", "db.example");
	expect_parsed(buf, "port", "5433");
	expect_parsed(buf, "user", "rep user");
	expect_parsed(buf, "application_name", "it's node\\1");
	expect_parsed(buf, "sslmode", "require");
	expect_parsed(buf, "keepalives_idle", "5");
	expect_parsed(buf, "connect_timeout", "3");
	pg.primary_conninfo_opt = "connect_timeout=10";
	assert_int_equal(pgsql_conf_primary_conninfo(&pg, buf, sizeof(buf)), 0);
	expect_parsed(buf, "connect_timeout", "10");
}

static void test_primary_conninfo_errors(void **state)
{
	struct pgsql pg;
	char buf[1024], big[600];
	size_t n;

	(void)state;
	primary(&pg, NULL, "postgres", "n1");
	assert_int_equal(pgsql_conf_primary_conninfo(&pg, buf, sizeof(buf)), -EINVAL);
	primary(&pg, "10.0.0.1", NULL, "n1");
	assert_int_equal(pgsql_conf_primary_conninfo(&pg, buf, sizeof(buf)), -EINVAL);
	/* One value longer than its part of the string. */
	memset(big, 'h', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	primary(&pg, big, "postgres", "n1");
	assert_int_equal(pgsql_conf_primary_conninfo(&pg, buf, sizeof(buf)), -ENAMETOOLONG);
	/* The whole string one byte too long for the buffer. */
	primary(&pg, "10.0.0.1", "postgres", "n1");
	assert_int_equal(pgsql_conf_primary_conninfo(&pg, buf, sizeof(buf)), 0);
	n = strlen(buf);
	assert_int_equal(pgsql_conf_primary_conninfo(&pg, buf, n), -ENAMETOOLONG);
	assert_int_equal(pgsql_conf_primary_conninfo(&pg, buf, n + 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_libpq_reads_back),
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_no_value),
		cmocka_unit_test(test_primary_conninfo),
		cmocka_unit_test(test_primary_conninfo_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

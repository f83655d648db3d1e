/*
 * Which address CFEngine follows (tools/cfengine_active.c), as a table, and
 * hubhad's step on a view (tools/cfengine_glue.c) against a real state
 * directory: master_hub.dat is written when the address changes, left alone
 * when it does not or when no hub can be named, and each reason is said once.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cfengine_active.h"
#include "cfengine_glue.h"

enum { P = HUBHA_ROLE_PRIMARY, S = HUBHA_ROLE_STANDBY, N = HUBHA_ROLE_NONE };

struct row {
	const char *what;
	int role[3];		/* 0: no hub */
	int member[3];
	const char *addr[3];
	int with_info;
	int expect;
	const char *expect_addr;
	uint32_t expect_nodeid;
};

/* ha_info.json: clients reach the hubs on 192.0.2.x; the hubs know themselves as 10.0.0.x. */
static const struct hubha_cfengine_hub info[] = {
	{ .ip = "192.0.2.1", .sha = "aa", .internal_ip = "10.0.0.1", .in_cluster = -1 },
	{ .ip = "192.0.2.2", .sha = "bb", .internal_ip = "10.0.0.2", .in_cluster = -1 },
	{ .ip = "192.0.2.3", .sha = "cc", .internal_ip = "", .in_cluster = 0 },
	{ .ip = "2001:db8::4", .sha = "dd", .internal_ip = "", .in_cluster = -1 },
};
#define N_INFO (sizeof(info) / sizeof(info[0]))

static const struct row rows[] = {
	{ "primary by internal_ip", { P, S, N }, { 1, 1, 1 }, { "10.0.0.1", "10.0.0.2", "" }, 1, 0, "192.0.2.1", 1 },
	{ "second hub primary", { S, P, N }, { 1, 1, 1 }, { "10.0.0.1", "10.0.0.2", "" }, 1, 0, "192.0.2.2", 2 },
	{ "primary by key", { S, S, P }, { 1, 1, 1 }, { "10.0.0.1", "10.0.0.2", "192.0.2.3" }, 1, 0, "192.0.2.3", 3 },
	{ "key as another spelling", { P, S, 0 }, { 1, 1, 0 }, { "2001:DB8:0::4", "", "" }, 1, 0, "2001:db8::4", 1 },
	{ "no ha_info: the report's address", { P, S, 0 }, { 1, 1, 0 }, { "10.0.0.1", "", "" }, 0, 0, "10.0.0.1", 1 },
	{ "no primary", { S, S, N }, { 1, 1, 1 }, { "10.0.0.1", "10.0.0.2", "" }, 1, -ENOENT, NULL, 0 },
	{ "primary not a member", { P, S, 0 }, { 0, 1, 0 }, { "10.0.0.1", "10.0.0.2", "" }, 1, -ENOENT, NULL, 0 },
	{ "two primaries", { P, P, 0 }, { 1, 1, 0 }, { "10.0.0.1", "10.0.0.2", "" }, 1, -ENOTUNIQ, NULL, 0 },
	{ "primary not in ha_info", { P, S, 0 }, { 1, 1, 0 }, { "10.9.9.9", "10.0.0.2", "" }, 1, -ESRCH, NULL, 0 },
	{ "primary without address", { P, S, 0 }, { 1, 1, 0 }, { "", "10.0.0.2", "" }, 1, -ESRCH, NULL, 0 },
	{ "no hubs", { 0, 0, 0 }, { 0, 0, 0 }, { "", "", "" }, 1, -ENOENT, NULL, 0 },
};

static size_t make_hubs(const struct row *t, hubha_hub_t hubs[3])
{
	size_t n = 0;

	memset(hubs, 0, 3 * sizeof(*hubs));
	for (int i = 0; i < 3 && t->role[i]; i++, n++) {
		hubs[i].nodeid = (uint32_t)i + 1;
		snprintf(hubs[i].name, sizeof(hubs[i].name), "hub%d", i + 1);
		hubs[i].member = t->member[i];
		hubs[i].has_report = 1;
		hubs[i].report.role = (hubha_role_t)t->role[i];
		snprintf(hubs[i].report.address, sizeof(hubs[i].report.address), "%s", t->addr[i]);
	}
	return n;
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *t = &rows[i];
		hubha_hub_t hubs[3];
		char addr[HUBHA_CFENGINE_ADDR_MAX] = "untouched";
		uint32_t nodeid = 99;
		size_t n = make_hubs(t, hubs);
		int r = cfengine_active_addr(hubs, n, t->with_info ? info : NULL, t->with_info ? N_INFO : 0, addr, &nodeid);

		print_message("%s\n", t->what);
		assert_int_equal(r, t->expect);
		if (t->expect == 0) {
			assert_string_equal(addr, t->expect_addr);
			assert_int_equal(nodeid, t->expect_nodeid);
		} else {
			assert_string_equal(addr, "untouched");
			assert_int_equal(nodeid, 99);
		}
	}
}

static void test_hub_addr(void **state)
{
	char addr[HUBHA_CFENGINE_ADDR_MAX];

	(void)state;
	assert_int_equal(cfengine_hub_addr("10.0.0.2", info, N_INFO, addr), 0);
	assert_string_equal(addr, "192.0.2.2");
	assert_int_equal(cfengine_hub_addr("192.0.2.3", info, N_INFO, addr), 0);
	assert_string_equal(addr, "192.0.2.3");
	assert_int_equal(cfengine_hub_addr("10.0.0.3", info, N_INFO, addr), -ESRCH);
	assert_int_equal(cfengine_hub_addr("", NULL, 0, addr), -ESRCH);
}

struct dir {
	char path[64];
	char ha_info[128];
	char dat[128];
};

static void dir_make(struct dir *d)
{
	static const char json[] = "{ \"192.0.2.1\": { \"sha\": \"aa\", \"internal_ip\": \"10.0.0.1\", },\n"
				   "  \"192.0.2.2\": { \"sha\": \"bb\", \"internal_ip\": \"10.0.0.2\" } }\n";
	FILE *f;

	strcpy(d->path, "/tmp/test_cfengine_active.XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(d->ha_info, sizeof(d->ha_info), "%s/ha_info.json", d->path);
	snprintf(d->dat, sizeof(d->dat), "%s/master_hub.dat", d->path);
	f = fopen(d->ha_info, "w");
	assert_non_null(f);
	fputs(json, f);
	fclose(f);
}

static void dir_remove(struct dir *d)
{
	char p[160];

	unlink(d->ha_info);
	unlink(d->dat);
	snprintf(p, sizeof(p), "%s/ha_enabled", d->path);
	unlink(p);
	rmdir(d->path);
}

static void assert_file(const char *path, const char *content)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_string_equal(buf, content);
}

static void test_update(void **state)
{
	const struct row *a = &rows[0], *b = &rows[1], *none = &rows[5], *two = &rows[7];
	struct cfglue g = { 0 };
	hubha_hub_t hubs[3];
	struct stat st1, st2;
	struct dir d;
	char msg[512];
	size_t n;
	int say;

	(void)state;
	dir_make(&d);
	/* Off until both keys are set: nothing is written. */
	n = make_hubs(a, hubs);
	assert_int_equal(cfglue_update(&g, hubs, n, msg, sizeof(msg), &say), CFGLUE_OFF);
	assert_int_equal(say, 0);
	assert_int_equal(access(d.dat, F_OK), -1);

	strcpy(g.statedir, d.path);
	strcpy(g.ha_info, d.ha_info);
	assert_int_equal(cfglue_update(&g, hubs, n, msg, sizeof(msg), &say), CFGLUE_WRITTEN);
	assert_int_equal(say, 1);
	assert_file(d.dat, "192.0.2.1\n");
	assert_int_equal(stat(d.dat, &st1), 0);
	assert_int_equal(st1.st_mode & 07777, 0644);
	assert_int_equal(st1.st_uid, geteuid());

	/* The same view again: the file is not replaced, nothing new to say. */
	assert_int_equal(cfglue_update(&g, hubs, n, msg, sizeof(msg), &say), CFGLUE_UNCHANGED);
	assert_int_equal(say, 0);
	assert_int_equal(stat(d.dat, &st2), 0);
	assert_int_equal(st2.st_ino, st1.st_ino);

	/* No primary, then two: the file keeps the last active hub; each reason once. */
	n = make_hubs(none, hubs);
	assert_int_equal(cfglue_update(&g, hubs, n, msg, sizeof(msg), &say), CFGLUE_NO_PRIMARY);
	assert_int_equal(say, 1);
	assert_non_null(strstr(msg, "no hub reports primary"));
	assert_int_equal(cfglue_update(&g, hubs, n, msg, sizeof(msg), &say), CFGLUE_NO_PRIMARY);
	assert_int_equal(say, 0);
	n = make_hubs(two, hubs);
	assert_int_equal(cfglue_update(&g, hubs, n, msg, sizeof(msg), &say), CFGLUE_MANY_PRIMARIES);
	assert_int_equal(say, 1);
	assert_file(d.dat, "192.0.2.1\n");

	/* Failover: the other hub. */
	n = make_hubs(b, hubs);
	assert_int_equal(cfglue_update(&g, hubs, n, msg, sizeof(msg), &say), CFGLUE_WRITTEN);
	assert_int_equal(say, 1);
	assert_file(d.dat, "192.0.2.2\n");

	/* A primary ha_info.json does not name: left as it is. */
	n = make_hubs(&rows[8], hubs);
	assert_int_equal(cfglue_update(&g, hubs, n, msg, sizeof(msg), &say), CFGLUE_NO_MATCH);
	assert_int_equal(say, 1);
	assert_file(d.dat, "192.0.2.2\n");

	/* ha_info.json gone: left as it is. */
	unlink(d.ha_info);
	n = make_hubs(a, hubs);
	assert_int_equal(cfglue_update(&g, hubs, n, msg, sizeof(msg), &say), CFGLUE_BAD_HA_INFO);
	assert_file(d.dat, "192.0.2.2\n");
	dir_remove(&d);
}

static void test_ha_enabled(void **state)
{
	struct cfglue g = { 0 };
	char p[160];
	struct stat st;
	struct dir d;

	(void)state;
	dir_make(&d);
	assert_int_equal(cfglue_ha_enabled(&g), 0);
	strcpy(g.htdocs, d.path);
	assert_int_equal(cfglue_ha_enabled(&g), 0);
	snprintf(p, sizeof(p), "%s/ha_enabled", d.path);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_mode & 0444, 0444);
	dir_remove(&d);
}

static void test_hub_arg(void **state)
{
	struct hubha_cfengine_hub h;

	(void)state;
	assert_int_equal(cfglue_hub_arg("192.0.2.1=abcd,10.0.0.1", '=', &h), 0);
	assert_string_equal(h.ip, "192.0.2.1");
	assert_string_equal(h.sha, "abcd");
	assert_string_equal(h.internal_ip, "10.0.0.1");
	assert_int_equal(h.in_cluster, -1);
	assert_int_equal(cfglue_hub_arg("192.0.2.3=ef,-,not-in-cluster", '=', &h), 0);
	assert_string_equal(h.internal_ip, "");
	assert_int_equal(h.in_cluster, 0);
	assert_int_equal(cfglue_hub_arg("192.0.2.1,abcd", '=', &h), -EINVAL);
	assert_int_equal(cfglue_hub_arg("192.0.2.1=", '=', &h), -EINVAL);
	assert_int_equal(cfglue_hub_arg("192.0.2.1=a,b,maybe", '=', &h), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_hub_addr),
		cmocka_unit_test(test_update),
		cmocka_unit_test(test_ha_enabled),
		cmocka_unit_test(test_hub_arg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

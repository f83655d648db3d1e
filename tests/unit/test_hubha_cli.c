/*
 * hubha status's output (tools/status_fmt.c) on synthetic hub lists: the
 * table, the verdict line and the JSON document whose keys are stable.
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

#include "status_fmt.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A healthy pair: node1 primary, node2 a streaming standby 4 KiB behind. */
static void pair(hubha_hub_t h[2])
{
	memset(h, 0, 2 * sizeof(*h));
	snprintf(h[0].name, sizeof(h[0].name), "node1");
	h[0].nodeid = 1;
	h[0].member = 1;
	h[0].has_report = 1;
	h[0].report = (hubha_report_t){ .role = HUBHA_ROLE_PRIMARY, .pg_state = HUBHA_PG_RUNNING, .timeline = 2,
					.lsn = 0x3001060, .replay_lag_ms = UINT32_MAX, .interval_ms = 2000,
					.address = "10.213.0.1", .services = HUBHA_SERVICES_OK };
	h[0].report_age_ms = 400;
	h[0].lag_bytes = -1;
	snprintf(h[1].name, sizeof(h[1].name), "node2");
	h[1].nodeid = 2;
	h[1].member = 1;
	h[1].has_report = 1;
	h[1].report = (hubha_report_t){ .role = HUBHA_ROLE_STANDBY, .pg_state = HUBHA_PG_RUNNING, .timeline = 2,
					.lsn = 0x3000060, .receive_lsn = 0x3001060, .replay_lag_ms = 0,
					.wal_receiver = HUBHA_WALRCV_STREAMING, .interval_ms = 2000,
					.address = "10.213.0.2" };
	h[1].report_age_ms = 1250;
	h[1].lag_bytes = 4096;
	h[1].sync_state = HUBHA_SYNC_ASYNC;
}

static char *render(int (*fmt)(FILE *, const struct hubha_view *), const struct hubha_view *view)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fmt(f, view), 0);
	fclose(f);
	return buf;
}

static void check(int (*fmt)(FILE *, const struct hubha_view *), const struct hubha_view *view, const char *want)
{
	char *got = render(fmt, view);

	if (strcmp(got, want) != 0)
		fail_msg("got:\n%s\nexpected:\n%s", got, want);
	free(got);
}

static void test_table_ok(void **state)
{
	hubha_hub_t h[2];
	struct hubha_view v = { .hubs = h, .n_hubs = 2, .health = HUBHA_HEALTH_OK, .quorate = 1 };

	(void)state;
	pair(h);
	check(hubha_fmt_table, &v,
	      "Member  Host        Role     State      TL  LSN            Lag  Last report\n"
	      "node1   10.213.0.1  primary  running     2  0/3001060        -        0.4 s\n"
	      "node2   10.213.0.2  standby  streaming   2  0/3000060  4.0 KiB        1.2 s\n"
	      "HA: OK\n");
}

static void test_table_degraded(void **state)
{
	hubha_hub_t h[3];
	struct hubha_view v = { .hubs = h, .n_hubs = 3, .health = HUBHA_HEALTH_DEGRADED, .quorate = 1,
				.reasons = HUBHA_REASON_PEER_NOT_MEMBER | HUBHA_REASON_STANDBY_NOT_STREAMING };

	(void)state;
	pair(h);
	/* node1 lost; node2 stopped streaming, sync; a quorum node without PostgreSQL. */
	h[0].member = 0;
	h[0].report_age_ms = 12000;
	h[1].report.wal_receiver = HUBHA_WALRCV_WAITING;
	h[1].sync_state = HUBHA_SYNC_SYNC;
	h[1].lag_bytes = 20 * 1024 * 1024;
	memset(&h[2], 0, sizeof(h[2]));
	snprintf(h[2].name, sizeof(h[2].name), "node3");
	h[2].nodeid = 3;
	h[2].member = 1;
	h[2].has_report = 1;
	h[2].report = (hubha_report_t){ .role = HUBHA_ROLE_NONE, .address = "10.213.0.3" };
	h[2].lag_bytes = -1;
	check(hubha_fmt_table, &v,
	      "Member  Host        Role          State         TL  LSN             Lag  Last report\n"
	      "node1   10.213.0.1  primary       not a member   2  0/3001060         -       12.0 s\n"
	      "node2   10.213.0.2  sync standby  waiting        2  0/3000060  20.0 MiB        1.2 s\n"
	      "node3   10.213.0.3  none          -              -  -                 -        0.0 s\n"
	      "HA: DEGRADED — peer not a member, standby not streaming\n");
}

static void test_table_no_report(void **state)
{
	hubha_hub_t h[1] = { { .name = "node2", .nodeid = 2, .member = 1, .lag_bytes = -1 } };
	struct hubha_view v = { .hubs = h, .n_hubs = 1, .health = HUBHA_HEALTH_UNKNOWN, .quorate = -1 };

	(void)state;
	check(hubha_fmt_table, &v,
	      "Member  Host  Role  State      TL  LSN  Lag  Last report\n"
	      "node2   -     -     no report   -  -      -            -\n"
	      "HA: UNKNOWN\n");
}

static void test_json(void **state)
{
	hubha_hub_t h[2];
	struct hubha_view v = { .hubs = h, .n_hubs = 2, .health = HUBHA_HEALTH_DEGRADED, .quorate = 1,
				.reasons = HUBHA_REASON_LAG | HUBHA_REASON_FENCING_DISABLED };

	(void)state;
	pair(h);
	check(hubha_fmt_json, &v,
	      "{\"members\":["
	      "{\"name\":\"node1\",\"nodeid\":1,\"address\":\"10.213.0.1\",\"member\":true,\"role\":\"primary\","
	      "\"state\":\"running\",\"timeline\":2,\"lsn\":\"0/3001060\",\"receive_lsn\":null,\"lag_bytes\":null,"
	      "\"sync_state\":null,\"wal_receiver\":\"none\",\"services\":\"ok\",\"report_age_ms\":400},"
	      "{\"name\":\"node2\",\"nodeid\":2,\"address\":\"10.213.0.2\",\"member\":true,\"role\":\"standby\","
	      "\"state\":\"running\",\"timeline\":2,\"lsn\":\"0/3000060\",\"receive_lsn\":\"0/3001060\",\"lag_bytes\":4096,"
	      "\"sync_state\":\"async\",\"wal_receiver\":\"streaming\",\"services\":\"unknown\",\"report_age_ms\":1250}"
	      "],\"health\":\"degraded\",\"reasons\":[\"standby lag over threshold\",\"fencing disabled\"],\"quorate\":true}\n");
}

static void test_json_escapes_and_nulls(void **state)
{
	hubha_hub_t h[1] = { { .nodeid = 7, .member = 0, .lag_bytes = -1 } };
	struct hubha_view v = { .hubs = h, .n_hubs = 1, .health = HUBHA_HEALTH_UNKNOWN, .quorate = -1 };

	(void)state;
	snprintf(h[0].name, sizeof(h[0].name), "a\"b\\c\n");
	check(hubha_fmt_json, &v,
	      "{\"members\":[{\"name\":\"a\\\"b\\\\c\\u000a\",\"nodeid\":7,\"address\":null,\"member\":false,"
	      "\"role\":\"unknown\",\"state\":\"unknown\",\"timeline\":null,\"lsn\":null,\"receive_lsn\":null,"
	      "\"lag_bytes\":null,\"sync_state\":null,\"wal_receiver\":null,\"services\":\"unknown\","
	      "\"report_age_ms\":null}],\"health\":\"unknown\",\"reasons\":[],\"quorate\":null}\n");
}

static void test_bytes(void **state)
{
	static const struct { int64_t bytes; const char *want; } fmt[] = {
		{ -1, "-" }, { 0, "0 B" }, { 1023, "1023 B" }, { 1024, "1.0 KiB" }, { 16 << 20, "16.0 MiB" },
		{ INT64_C(3) << 40, "3.0 TiB" }, { INT64_C(5) << 50, "5120.0 TiB" },
	};
	static const struct { const char *text; int r; uint64_t want; } parse[] = {
		{ "16777216", 0, 16777216 }, { "16MB", 0, 16 << 20 }, { "64kB", 0, 64 << 10 }, { "1GB", 0, 1 << 30 },
		{ "0", 0, 0 }, { "12B", 0, 12 }, { "16 MB", -EINVAL, 0 }, { "16mb", -EINVAL, 0 }, { "-1", -EINVAL, 0 },
		{ "", -EINVAL, 0 }, { "99999999999999999999", -ERANGE, 0 }, { "20000000TB", -ERANGE, 0 },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < LEN(fmt); i++) {
		hubha_fmt_bytes(fmt[i].bytes, buf, sizeof(buf));
		assert_string_equal(buf, fmt[i].want);
	}
	for (size_t i = 0; i < LEN(parse); i++) {
		uint64_t v = 42;

		if (hubha_parse_bytes(parse[i].text, &v) != parse[i].r)
			fail_msg("'%s': %d, expected %d", parse[i].text, hubha_parse_bytes(parse[i].text, &v), parse[i].r);
		assert_int_equal(v, parse[i].r == 0 ? parse[i].want : 42);
	}
	hubha_fmt_lsn(UINT64_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "FFFFFFFF/FFFFFFFF");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_ok),
		cmocka_unit_test(test_table_degraded),
		cmocka_unit_test(test_table_no_report),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_escapes_and_nulls),
		cmocka_unit_test(test_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

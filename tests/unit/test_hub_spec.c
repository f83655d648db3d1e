/*
 * The hub agent's pure parts (agents/hub_spec.c): the services parameter,
 * probes, the texts read from pid files and /proc, and the health verdict.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../agents/hub_spec.c"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The disk as the tests see it: only these programs are installed. */
static bool installed(const char *path, void *userdata)
{
	const char *const *list = userdata;

	for (; *list; list++)
		if (strcmp(*list, path) == 0)
			return true;
	return false;
}

static const char *const debian[] = { "/usr/bin/cf-serverd", "/usr/bin/cf-execd", "/usr/bin/sleep", NULL };
static const char *const enterprise[] = { "/var/cfengine/bin/cf-hub", "/usr/bin/cf-serverd", NULL };

static void test_parse(void **state)
{
	struct hub_spec spec;
	char reason[256] = "";

	(void)state;
	assert_int_equal(hub_spec_parse("cf-hub probe=tcp:127.0.0.1:5308; web optional pidfile=/run/w.pid "
					"exe=/usr/sbin/w probe=http://[::1]:8080/ok start=/usr/bin/sleep  10  x=1;\n"
					"cf-serverd if-installed\n",
					installed, (void *)enterprise, &spec, reason, sizeof(reason)),
			 0);
	assert_int_equal(spec.n, 3);
	assert_string_equal(spec.svc[0].name, "cf-hub");
	assert_string_equal(spec.svc[0].argv[0], "/var/cfengine/bin/cf-hub");
	assert_null(spec.svc[0].argv[1]);
	assert_string_equal(spec.svc[0].pidfile, "/var/cfengine/cf-hub.pid");
	assert_string_equal(spec.svc[0].exe, "/var/cfengine/bin/cf-hub");
	assert_true(spec.svc[0].installed);
	assert_int_equal(spec.svc[0].probe.kind, HUB_PROBE_TCP);
	assert_int_equal(spec.svc[0].probe.port, 5308);
	assert_false(spec.svc[0].optional);

	assert_string_equal(spec.svc[1].name, "web");
	assert_true(spec.svc[1].optional);
	assert_string_equal(spec.svc[1].pidfile, "/run/w.pid");
	assert_string_equal(spec.svc[1].exe, "/usr/sbin/w");
	assert_string_equal(spec.svc[1].argv[0], "/usr/bin/sleep");
	assert_string_equal(spec.svc[1].argv[1], "10");
	assert_string_equal(spec.svc[1].argv[2], "x=1");
	assert_null(spec.svc[1].argv[3]);
	assert_int_equal(spec.svc[1].probe.kind, HUB_PROBE_HTTP);
	assert_string_equal(spec.svc[1].probe.host, "::1");
	assert_string_equal(spec.svc[1].probe.path, "/ok");

	/* Debian's place when cfengine.com's is not installed. */
	assert_string_equal(spec.svc[2].argv[0], "/usr/bin/cf-serverd");
	assert_string_equal(spec.svc[2].pidfile, "/var/run/cfengine3/cf-serverd.pid");
	assert_true(spec.svc[2].if_installed);
	hub_spec_free(&spec);

	/* The default on Debian: cf-hub is nowhere, and is left out rather than refused. */
	assert_int_equal(hub_spec_parse("cf-hub if-installed", installed, (void *)debian, &spec, reason, sizeof(reason)), 0);
	assert_false(spec.svc[0].installed);
	assert_string_equal(spec.svc[0].argv[0], "/var/cfengine/bin/cf-hub");
	hub_spec_free(&spec);

	/* A foreground service: no pid file; the agent records it. */
	assert_int_equal(hub_spec_parse("idle start=/usr/bin/sleep 1", installed, (void *)debian, &spec, reason,
					sizeof(reason)),
			 0);
	assert_null(spec.svc[0].pidfile);
	assert_true(spec.svc[0].installed);
	hub_spec_free(&spec);
}

static void test_parse_bad(void **state)
{
	static const struct {
		const char *text, *reason;
	} bad[] = {
		{ "", "no service given" },
		{ " ; \n ;", "no service given" },
		{ "mine", "mine: no start= command" },
		{ "a start=relative", "the program must be an absolute path" },
		{ "a start=", "a: start= is empty" },
		{ "a bogus start=/bin/x", "unknown option \"bogus\"" },
		{ "a pidfile=rel start=/bin/x", "is not an absolute path" },
		{ "a exe=rel start=/bin/x", "is not an absolute path" },
		{ "a probe=tcp:localhost:80 start=/bin/x", "probe=tcp:localhost:80 is neither" },
		{ "a probe=tcp:127.0.0.1 start=/bin/x", "is neither" },
		{ "a probe=tcp:127.0.0.1:0 start=/bin/x", "is neither" },
		{ "a probe=tcp:127.0.0.1:65536 start=/bin/x", "is neither" },
		{ "a probe=http://127.0.0.1:80x/ start=/bin/x", "is neither" },
		{ "a probe=udp:127.0.0.1:53 start=/bin/x", "is neither" },
		{ "a probe=http://[::1/ start=/bin/x", "is neither" },
		{ "a start=/bin/x; a start=/bin/y", "a is named twice" },
		{ "-a start=/bin/x", "is not a service name" },
		{ "a/b start=/bin/x", "is not a service name" },
		{ "averyveryveryveryverylongservicename start=/bin/x", "is not a service name" },
		{ "a start=/bin/x 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32",
		  "more than 32 words" },
		{ "a start=/bin/x;b start=/bin/x;c start=/bin/x;d start=/bin/x;e start=/bin/x;f start=/bin/x;"
		  "g start=/bin/x;h start=/bin/x;i start=/bin/x;j start=/bin/x;k start=/bin/x;l start=/bin/x;"
		  "m start=/bin/x;n start=/bin/x;o start=/bin/x;p start=/bin/x;q start=/bin/x",
		  "more than 16 services" },
	};

	(void)state;
	for (size_t i = 0; i < LEN(bad); i++) {
		struct hub_spec spec;
		char reason[256] = "";

		if (hub_spec_parse(bad[i].text, installed, (void *)debian, &spec, reason, sizeof(reason)) != -EINVAL)
			fail_msg("'%s' accepted", bad[i].text);
		if (!strstr(reason, bad[i].reason))
			fail_msg("'%s': reason '%s' lacks '%s'", bad[i].text, reason, bad[i].reason);
		assert_null(strchr(reason, '\n'));
		hub_spec_free(&spec);
	}
}

static void test_probe(void **state)
{
	struct hub_probe p;

	(void)state;
	assert_int_equal(hub_probe_parse("http://10.0.0.1/", &p), 0);
	assert_int_equal(p.port, 80);
	assert_string_equal(p.path, "/");
	assert_int_equal(hub_probe_parse("http://10.0.0.1", &p), 0);
	assert_string_equal(p.path, "/");
	assert_int_equal(hub_probe_parse("http://[fd00::1]:8443/a/b?c=d", &p), 0);
	assert_string_equal(p.host, "fd00::1");
	assert_int_equal(p.port, 8443);
	assert_string_equal(p.path, "/a/b?c=d");
	assert_int_equal(hub_probe_parse("tcp:[::1]:5308", &p), 0);
	assert_int_equal(p.kind, HUB_PROBE_TCP);
	/* Nothing that would break the request line. */
	assert_int_equal(hub_probe_parse("http://10.0.0.1/a\rb", &p), -EINVAL);
	assert_int_equal(hub_probe_parse("http://10.0.0.1/a\x7f", &p), -EINVAL);
	assert_int_equal(hub_probe_parse("http://host.example/", &p), -EINVAL);
	assert_int_equal(hub_probe_parse("tcp:::1:80", &p), -EINVAL);
}

static void test_http_status(void **state)
{
	static const struct {
		const char *line;
		int code;
	} cases[] = {
		{ "HTTP/1.1 200 OK\r\n", 200 }, { "HTTP/1.0 503 Service Unavailable\r\n", 503 },
		{ "HTTP/1.1 204\r\n", 204 },    { "HTTP/1.1 301 Moved", 301 },
		{ "HTTP/2 200 OK\r\n", -EPROTO }, { "HTTP/1.1 20 OK", -EPROTO },
		{ "HTTP/1.1 2000 OK", -EPROTO }, { "SSH-2.0-OpenSSH", -EPROTO },
		{ "", -EPROTO },                 { "HTTP/1.1 099 x", -EPROTO },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++)
		if (hub_http_status(cases[i].line) != cases[i].code)
			fail_msg("'%s': %d, not %d", cases[i].line, hub_http_status(cases[i].line), cases[i].code);
}

static void test_proc_texts(void **state)
{
	unsigned long long start = 7;
	int pid = 7;

	(void)state;
	assert_int_equal(hub_stat_starttime("4242 (a) b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
					    "123456789 1000 100 18446744073709551615\n",
					    &start),
			 0);
	assert_true(start == 123456789ULL);
	assert_int_equal(hub_stat_starttime("4242 (x) S 1 2 3", &start), -EPROTO);
	assert_int_equal(hub_stat_starttime("no paren", &start), -EPROTO);

	assert_int_equal(hub_record_parse("4242 123456789\n", &pid, &start), 0);
	assert_int_equal(pid, 4242);
	assert_true(start == 123456789ULL);
	pid = 7;
	for (const char *const *b = (const char *const[]){ "", "4242\n", "4242 x\n", "4242 1", "1 5\n", "0 5\n",
							   "-3 5\n", "4242 5\nmore", NULL };
	     *b; b++)
		if (hub_record_parse(*b, &pid, &start) != -EPROTO || pid != 7)
			fail_msg("record '%s' accepted", *b);

	assert_int_equal(hub_pidfile_parse("4242\n", &pid), 0);
	assert_int_equal(pid, 4242);
	assert_int_equal(hub_pidfile_parse(" 4243 \r\nextra", &pid), 0);
	assert_int_equal(pid, 4243);
	pid = 7;
	for (const char *const *b = (const char *const[]){ "", "\n", "x", "42x", "1\n", "99999999999\n", NULL }; *b; b++)
		if (hub_pidfile_parse(*b, &pid) != -EPROTO || pid != 7)
			fail_msg("pid file '%s' accepted", *b);
}

static void test_health(void **state)
{
	static const struct {
		enum hub_state s[3];
		bool optional[3];
		enum hub_health want;
	} cases[] = {
		{ { HUB_SVC_OK, HUB_SVC_OK, HUB_SVC_OK }, { 0, 0, 1 }, HUB_HEALTH_OK },
		{ { HUB_SVC_OK, HUB_SVC_OK, HUB_SVC_NOT_RUNNING }, { 0, 0, 1 }, HUB_HEALTH_DEGRADED },
		{ { HUB_SVC_OK, HUB_SVC_OK, HUB_SVC_PROBE_FAILED }, { 0, 0, 1 }, HUB_HEALTH_DEGRADED },
		{ { HUB_SVC_OK, HUB_SVC_NOT_RUNNING, HUB_SVC_OK }, { 0, 0, 1 }, HUB_HEALTH_FAILED },
		{ { HUB_SVC_PROBE_FAILED, HUB_SVC_OK, HUB_SVC_OK }, { 0, 0, 1 }, HUB_HEALTH_FAILED },
		/* A required service that runs but does not answer is still something running. */
		{ { HUB_SVC_PROBE_FAILED, HUB_SVC_NOT_RUNNING, HUB_SVC_NOT_RUNNING }, { 0, 0, 1 }, HUB_HEALTH_FAILED },
		{ { HUB_SVC_NOT_RUNNING, HUB_SVC_NOT_RUNNING, HUB_SVC_NOT_RUNNING }, { 0, 0, 1 }, HUB_HEALTH_STOPPED },
		/* Only the optional one left running: the required ones failed. */
		{ { HUB_SVC_NOT_RUNNING, HUB_SVC_NOT_RUNNING, HUB_SVC_OK }, { 0, 0, 1 }, HUB_HEALTH_FAILED },
		/* Absent services are not part of the set. */
		{ { HUB_SVC_ABSENT, HUB_SVC_OK, HUB_SVC_OK }, { 0, 0, 1 }, HUB_HEALTH_OK },
		{ { HUB_SVC_ABSENT, HUB_SVC_NOT_RUNNING, HUB_SVC_ABSENT }, { 0, 0, 1 }, HUB_HEALTH_STOPPED },
		{ { HUB_SVC_OK, HUB_SVC_NOT_RUNNING, HUB_SVC_OK }, { 1, 1, 1 }, HUB_HEALTH_DEGRADED },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		struct hub_spec spec = { .n = 3 };

		for (int k = 0; k < 3; k++)
			spec.svc[k].optional = cases[i].optional[k];
		if (hub_health(&spec, cases[i].s) != cases[i].want)
			fail_msg("case %zu: %s, not %s", i, hub_health_name(hub_health(&spec, cases[i].s)),
				 hub_health_name(cases[i].want));
	}
	assert_string_equal(hub_health_name(HUB_HEALTH_DEGRADED), "degraded");
	assert_string_equal(hub_health_name(HUB_HEALTH_STOPPED), "stopped");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),     cmocka_unit_test(test_parse_bad), cmocka_unit_test(test_probe),
		cmocka_unit_test(test_http_status), cmocka_unit_test(test_proc_texts), cmocka_unit_test(test_health),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * hubha_ocf_main, the agent's edge.  Each case runs in a forked child with
 * its own environment, because hubha_ocf_main reads getenv() and sets up
 * process-wide logging; the parent checks the exit code, stdout and stderr.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <hubha/ocf.h>

#include "testutil.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define REASON "ocf-exit-reason:"

/* Handlers report what they were handed on stdout, for the parent to check. */
static int report(struct hubha_ocf_ctx *ctx)
{
	printf("action=%s resource=%s probe=%d interval=%u timeout=%u ip=%s port=%ld given=%d\n",
	       ctx->action, ctx->resource, ctx->probe, ctx->interval_ms, ctx->timeout_ms,
	       hubha_ocf_params_str(ctx->params, "ip"), hubha_ocf_params_int(ctx->params, "port"),
	       hubha_ocf_params_given(ctx->params, "port"));
	return HUBHA_OCF_SUCCESS;
}

static int monitor(struct hubha_ocf_ctx *ctx)
{
	report(ctx);
	return HUBHA_OCF_NOT_RUNNING;
}

static int stop_fails(struct hubha_ocf_ctx *ctx)
{
	hubha_ocf_reason(ctx, "stop failed: %s\nsecond line", "boom");
	return HUBHA_OCF_ERR_GENERIC;
}

static int demote_warns(struct hubha_ocf_ctx *ctx)
{
	hubha_ocf_reason(ctx, "already demoted");
	return HUBHA_OCF_SUCCESS;
}

static int promote_promoted(struct hubha_ocf_ctx *ctx)
{
	(void)ctx;
	return HUBHA_OCF_RUNNING_PROMOTED;
}

static int validate(struct hubha_ocf_ctx *ctx)
{
	const char *ip = hubha_ocf_params_str(ctx->params, "ip");

	if (strcmp(ip, "192.0.2.255") == 0) {
		hubha_ocf_reason(ctx, "ip %s is a broadcast address", ip);
		return HUBHA_OCF_ERR_CONFIGURED;
	}
	return HUBHA_OCF_SUCCESS;
}

static const struct hubha_param_def params[] = {
	{ .name = "ip", .type = HUBHA_PARAM_STRING, .required = true, .shortdesc = "IP", .longdesc = "IP" },
	{ .name = "port", .type = HUBHA_PARAM_INTEGER, .default_value = "5405", .min = 1, .max = 65535,
	  .shortdesc = "Port", .longdesc = "Port" },
};

static const struct hubha_action_def actions[] = {
	{ .name = "start", .timeout_s = 20, .fn = report },
	{ .name = "stop", .timeout_s = 20, .fn = stop_fails },
	{ .name = "monitor", .timeout_s = 15, .interval_s = 10, .fn = monitor },
	{ .name = "promote", .timeout_s = 20, .fn = promote_promoted },
	{ .name = "demote", .timeout_s = 20, .fn = demote_warns },
	{ .name = "notify", .timeout_s = 5 },
	{ .name = "meta-data", .timeout_s = 5 },
	{ .name = "validate-all", .timeout_s = 20 },
};

static const struct hubha_ocf_agent agent = {
	.name = "testra",
	.version = "1.0",
	.shortdesc = "test",
	.longdesc = "test agent",
	.params = params,
	.n_params = LEN(params),
	.actions = actions,
	.n_actions = LEN(actions),
	.validate = validate,
};

/*
 * The same agent with a nothing_running hook.  It reports what it was handed,
 * and says something may run when port is 65536, which does not load.
 */
static bool nothing_running(struct hubha_ocf_ctx *ctx)
{
	const char *ip = hubha_ocf_param_unchecked(ctx, "ip");
	const char *port = hubha_ocf_param_unchecked(ctx, "port");

	printf("nothing_running action=%s loaded=%d ip=%s port=%s nosuch=%s\n", ctx->action, ctx->params != NULL,
	       ip ? ip : "(none)", port ? port : "(none)", hubha_ocf_param_unchecked(ctx, "nosuch") ? "set" : "(none)");
	return !(port && strcmp(port, "65536") == 0);
}

/* An agent's own configuration check inside a handler, as pgsql's user lookup. */
static int own_check(struct hubha_ocf_ctx *ctx)
{
	if (hubha_ocf_params_int(ctx->params, "port") == 6000) {
		hubha_ocf_reason(ctx, "port 6000 is not installed here");
		return hubha_ocf_config_failed(ctx, HUBHA_OCF_ERR_INSTALLED);
	}
	return report(ctx);
}

static const struct hubha_action_def hooked_actions[] = {
	{ .name = "start", .timeout_s = 20, .fn = own_check },
	{ .name = "stop", .timeout_s = 20, .fn = own_check },
	{ .name = "monitor", .timeout_s = 15, .interval_s = 10, .fn = own_check },
	{ .name = "validate-all", .timeout_s = 20 },
};

static const struct hubha_ocf_agent hooked = {
	.name = "testra",
	.version = "1.0",
	.shortdesc = "test",
	.longdesc = "test agent",
	.params = params,
	.n_params = LEN(params),
	.actions = hooked_actions,
	.n_actions = LEN(hooked_actions),
	.validate = validate,
	.nothing_running = nothing_running,
};

struct invocation {
	const struct hubha_ocf_agent *agent;	/* NULL: agent */
	const char *const *argv;	/* NULL-terminated */
	const struct kv *env;		/* the child's entire environment */
};

static int child_main(void *arg)
{
	const struct invocation *inv = arg;
	char *argv[8] = { NULL };
	int argc = 0;

	while (inv->argv[argc] && argc < (int)LEN(argv) - 1) {
		argv[argc] = (char *)inv->argv[argc];
		argc++;
	}
	kv_setenv_only(inv->env);
	return hubha_ocf_main(inv->agent ? inv->agent : &agent, argc, argv);
}

#define ARGV(...) ((const char *const[]){ "testra", __VA_ARGS__, NULL })
#define ENV(...) ((const struct kv[]){ __VA_ARGS__, { NULL, NULL } })
#define NOENV ENV({ "PATH", "/usr/bin:/bin" })

static const struct child_result *run(const char *const *argv, const struct kv *env)
{
	struct invocation inv = { NULL, argv, env };

	return run_child(child_main, &inv);
}

static const struct child_result *run_hooked(const char *const *argv, const struct kv *env)
{
	struct invocation inv = { &hooked, argv, env };

	return run_child(child_main, &inv);
}

static void assert_status(const struct child_result *res, int want)
{
	if (res->status != want)
		fail_msg("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", res->status, want, res->out,
			 res->err);
}

/*
 * The single exit-reason line's text, after the prefix; fails unless there is
 * exactly one.  Valid until the next call.
 */
static const char *reason_of(const struct child_result *res)
{
	static char buf[1024];
	const char *line;

	if (count_lines_with(res->err, REASON) != 1 || count_lines_with(res->out, REASON) != 0)
		fail_msg("want exactly one exit reason line on stderr\nstdout:\n%s\nstderr:\n%s", res->out,
			 res->err);
	line = strncmp(res->err, REASON, strlen(REASON)) == 0 ? res->err : strstr(res->err, "\n" REASON) + 1;
	line += strlen(REASON);
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(line, "\n"), line);
	return buf;
}

static void assert_no_reason(const struct child_result *res)
{
	if (count_lines_with(res->err, REASON) != 0 || count_lines_with(res->out, REASON) != 0)
		fail_msg("want no exit reason\nstdout:\n%s\nstderr:\n%s", res->out, res->err);
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("'%s' not found in '%s'", needle, haystack);
}

static void test_no_action(void **state)
{
	const struct child_result *res;

	(void)state;
	res = run((const char *const[]){ "testra", NULL }, NOENV);
	assert_status(res, HUBHA_OCF_ERR_ARGS);
	assert_string_equal(res->out, "");
	assert_string_equal(res->err, "usage: testra {start|stop|monitor|promote|demote|notify|meta-data|validate-all}\n");

	res = run(ARGV(""), NOENV);
	assert_status(res, HUBHA_OCF_ERR_ARGS);
	assert_contains(res->err, "usage: testra {");
}

static void test_unknown_action(void **state)
{
	const struct child_result *res;
	const char *reason;

	(void)state;
	res = run(ARGV("frobnicate"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }));
	assert_status(res, HUBHA_OCF_ERR_UNIMPLEMENTED);
	assert_string_equal(res->out, "");
	reason = reason_of(res);
	assert_contains(reason, "'frobnicate'");
}

/* Listed in the table without a handler, and not validate-all: not implemented. */
static void test_action_without_handler(void **state)
{
	const struct child_result *res;

	(void)state;
	res = run(ARGV("notify"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }));
	assert_status(res, HUBHA_OCF_ERR_UNIMPLEMENTED);
	assert_string_equal(res->out, "");
}

static void test_meta_data(void **state)
{
	const struct child_result *res;
	char *xml;
	size_t len;
	xmlDocPtr doc;
	bool same, is_ra;

	(void)state;
	/* Needs no parameters and ignores broken ones: Pacemaker calls it with none. */
	res = run(ARGV("meta-data"), ENV({ "OCF_RESKEY_port", "junk" }));
	assert_status(res, HUBHA_OCF_SUCCESS);
	assert_string_equal(res->err, "");
	assert_int_equal(hubha_ocf_metadata(&agent, &xml, &len), 0);
	same = strcmp(res->out, xml) == 0;
	free(xml);
	assert_true(same);
	doc = xmlReadMemory(res->out, (int)strlen(res->out), "stdout", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	is_ra = strcmp((const char *)xmlDocGetRootElement(doc)->name, "resource-agent") == 0;
	xmlFreeDoc(doc);
	assert_true(is_ra);
}

static void test_usage(void **state)
{
	static const char *const words[] = { "usage", "help" };
	const struct child_result *res;

	(void)state;
	for (size_t i = 0; i < LEN(words); i++) {
		res = run(ARGV(words[i]), NOENV);
		assert_status(res, HUBHA_OCF_SUCCESS);
		assert_string_equal(res->out,
				    "usage: testra {start|stop|monitor|promote|demote|notify|meta-data|validate-all}\n");
		assert_no_reason(res);
	}
}

static void test_extra_arguments_ignored(void **state)
{
	const struct child_result *res;

	(void)state;
	res = run(ARGV("start", "extra", "--more"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }));
	assert_status(res, HUBHA_OCF_SUCCESS);
	assert_contains(res->out, "action=start ");
	assert_no_reason(res);
}

static void test_validate_all_ok(void **state)
{
	const struct child_result *res;

	(void)state;
	res = run(ARGV("validate-all"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "OCF_RESKEY_port", "80" }));
	assert_status(res, HUBHA_OCF_SUCCESS);
	assert_string_equal(res->out, "");
	assert_no_reason(res);
}

static void test_validate_all_bad_parameter(void **state)
{
	const struct child_result *res;
	const char *reason;

	(void)state;
	res = run(ARGV("validate-all"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "OCF_RESKEY_port", "http" }));
	assert_status(res, HUBHA_OCF_ERR_CONFIGURED);
	reason = reason_of(res);
	assert_contains(reason, "port");
	assert_contains(reason, "http");
}

static void test_required_missing(void **state)
{
	const struct child_result *res;
	const char *reason;

	(void)state;
	res = run(ARGV("validate-all"), NOENV);
	assert_status(res, HUBHA_OCF_ERR_CONFIGURED);
	reason = reason_of(res);
	assert_contains(reason, "ip");
}

/* A bad parameter stops every action before its handler runs. */
static void test_bad_parameter_blocks_handler(void **state)
{
	const struct child_result *res;
	const char *reason;

	(void)state;
	res = run(ARGV("start"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "OCF_RESKEY_port", "0" }));
	assert_status(res, HUBHA_OCF_ERR_CONFIGURED);
	assert_string_equal(res->out, "");
	reason = reason_of(res);
	assert_contains(reason, "port");
}

static void test_agent_validate(void **state)
{
	static const char *const acts[] = { "validate-all", "start" };
	const struct child_result *res;
	const char *reason;

	(void)state;
	for (size_t i = 0; i < LEN(acts); i++) {
		res = run(ARGV(acts[i]), ENV({ "OCF_RESKEY_ip", "192.0.2.255" }));
		assert_status(res, HUBHA_OCF_ERR_CONFIGURED);
		assert_string_equal(res->out, "");
		reason = reason_of(res);
		assert_string_equal(reason, "ip 192.0.2.255 is a broadcast address");
	}
}

static void test_handler_reason(void **state)
{
	const struct child_result *res;
	const char *reason;

	(void)state;
	res = run(ARGV("stop"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }));
	assert_status(res, HUBHA_OCF_ERR_GENERIC);
	reason = reason_of(res);
	assert_string_equal(reason, "stop failed: boom");
	assert_null(strstr(res->err, "second line"));
}

/* A reason is printed whatever the exit code; Pacemaker shows it on success too. */
static void test_reason_on_success(void **state)
{
	const struct child_result *res;
	const char *reason;

	(void)state;
	res = run(ARGV("demote"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }));
	assert_status(res, HUBHA_OCF_SUCCESS);
	reason = reason_of(res);
	assert_string_equal(reason, "already demoted");
}

static void test_handler_rc_passthrough(void **state)
{
	const struct child_result *res;

	(void)state;
	res = run(ARGV("promote"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }));
	assert_status(res, HUBHA_OCF_RUNNING_PROMOTED);
	assert_no_reason(res);
}

struct ctx_case {
	const char *action;
	const char *interval;	/* OCF_RESKEY_CRM_meta_interval; NULL: unset */
	const char *timeout;	/* OCF_RESKEY_CRM_meta_timeout; NULL: unset */
	int rc;
	const char *want;
};

static const struct ctx_case ctx_cases[] = {
	{ "monitor", NULL, NULL, HUBHA_OCF_NOT_RUNNING, "probe=1 interval=0 timeout=15000 " },
	{ "monitor", "0", NULL, HUBHA_OCF_NOT_RUNNING, "probe=1 interval=0 timeout=15000 " },
	{ "monitor", "", NULL, HUBHA_OCF_NOT_RUNNING, "probe=1 interval=0 timeout=15000 " },
	{ "monitor", "10000", NULL, HUBHA_OCF_NOT_RUNNING, "probe=0 interval=10000 timeout=15000 " },
	{ "monitor", "10000", "60000", HUBHA_OCF_NOT_RUNNING, "probe=0 interval=10000 timeout=60000 " },
	{ "monitor", "0", "30000", HUBHA_OCF_NOT_RUNNING, "probe=1 interval=0 timeout=30000 " },
	{ "start", NULL, NULL, HUBHA_OCF_SUCCESS, "probe=0 interval=0 timeout=20000 " },
	{ "start", "0", "45000", HUBHA_OCF_SUCCESS, "probe=0 interval=0 timeout=45000 " },
	/* Garbage from the environment falls back to the action's default. */
	{ "start", NULL, "soon", HUBHA_OCF_SUCCESS, "probe=0 interval=0 timeout=20000 " },
	{ "start", NULL, "-1", HUBHA_OCF_SUCCESS, "probe=0 interval=0 timeout=20000 " },
};

static void test_probe_interval_timeout(void **state)
{
	const struct child_result *res;

	(void)state;
	for (size_t i = 0; i < LEN(ctx_cases); i++) {
		const struct ctx_case *c = &ctx_cases[i];
		struct kv env[] = {
			{ "OCF_RESKEY_ip", "192.0.2.1" },
			{ "OCF_RESKEY_CRM_meta_interval", c->interval },
			{ "OCF_RESKEY_CRM_meta_timeout", c->timeout },
			{ NULL, NULL },
		};

		res = run(ARGV(c->action), env);
		if (res->status != c->rc || !strstr(res->out, c->want))
			fail_msg("%s interval=%s timeout=%s: status %d (want %d), stdout '%s' (want '%s')",
				 c->action, c->interval ? c->interval : "(unset)",
				 c->timeout ? c->timeout : "(unset)", res->status, c->rc, res->out, c->want);
	}
}

static void test_params_reach_handler(void **state)
{
	const struct child_result *res;

	(void)state;
	res = run(ARGV("start"), ENV({ "OCF_RESKEY_ip", "192.0.2.7" }, { "OCF_RESKEY_port", "6000" }));
	assert_status(res, HUBHA_OCF_SUCCESS);
	assert_contains(res->out, "ip=192.0.2.7 port=6000 given=1\n");

	res = run(ARGV("start"), ENV({ "OCF_RESKEY_ip", "192.0.2.7" }));
	assert_status(res, HUBHA_OCF_SUCCESS);
	assert_contains(res->out, "ip=192.0.2.7 port=5405 given=0\n");
}

static void test_resource_and_log_tag(void **state)
{
	const struct child_result *res;

	(void)state;
	res = run(ARGV("start"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "OCF_RESOURCE_INSTANCE", "vip1" }));
	assert_contains(res->out, "resource=vip1 ");

	res = run(ARGV("start"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }));
	assert_contains(res->out, "resource=testra ");

	/* With no log destination set, the logged reason goes to stderr under the tag. */
	res = run(ARGV("stop"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "OCF_RESOURCE_INSTANCE", "vip1" }));
	assert_int_equal(count_lines_with(res->err, "vip1: "), 1);
	assert_int_equal(count_lines_with(res->err, "stop failed: boom"), 2);

	res = run(ARGV("stop"),
		  ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "OCF_RESOURCE_INSTANCE", "vip1" }, { "HA_LOGTAG", "mytag" }));
	assert_int_equal(count_lines_with(res->err, "mytag: "), 1);
	assert_int_equal(count_lines_with(res->err, "vip1: "), 0);
}

/* With a log file, stderr carries only the exit reason; the file gets the log line. */
static void test_log_file(void **state)
{
	char *dir = make_tmpdir();
	char path[512];
	const struct child_result *res;
	char *log;
	size_t logged, reasons;

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/agent.log", dir);
	res = run(ARGV("stop"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "HA_LOGFILE", path }));
	log = slurp(path);
	logged = count_lines_with(log, "stop failed: boom");
	reasons = count_lines_with(log, REASON);
	free(log);
	rm_tmpdir(dir);
	assert_status(res, HUBHA_OCF_ERR_GENERIC);
	assert_string_equal(res->err, REASON "stop failed: boom\n");
	assert_int_equal(logged, 1);
	assert_int_equal(reasons, 0);
}

/* Parameters that do not load: stop is done and a probe finds nothing, with the reason kept. */
static void test_unconfigured_load(void **state)
{
	const struct child_result *res;

	(void)state;
	res = run_hooked(ARGV("stop"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "OCF_RESKEY_port", "0" }));
	assert_status(res, HUBHA_OCF_SUCCESS);
	assert_string_equal(res->out, "nothing_running action=stop loaded=0 ip=192.0.2.1 port=0 nosuch=(none)\n");
	assert_contains(reason_of(res), "port");

	res = run_hooked(ARGV("monitor"), ENV({ "OCF_RESKEY_port", "http" }));
	assert_status(res, HUBHA_OCF_NOT_RUNNING);
	assert_string_equal(res->out, "nothing_running action=monitor loaded=0 ip=(none) port=http nosuch=(none)\n");
	assert_contains(reason_of(res), "ip");
}

/* The agent's validate refusing: the hook sees the loaded parameters. */
static void test_unconfigured_validate(void **state)
{
	const struct child_result *res;

	(void)state;
	res = run_hooked(ARGV("stop"), ENV({ "OCF_RESKEY_ip", "192.0.2.255" }));
	assert_status(res, HUBHA_OCF_SUCCESS);
	/* Unchecked values include the defaults. */
	assert_string_equal(res->out, "nothing_running action=stop loaded=1 ip=192.0.2.255 port=5405 nosuch=(none)\n");
	assert_string_equal(reason_of(res), "ip 192.0.2.255 is a broadcast address");

	res = run_hooked(ARGV("monitor"), ENV({ "OCF_RESKEY_ip", "192.0.2.255" }, { "OCF_RESKEY_CRM_meta_interval", "0" }));
	assert_status(res, HUBHA_OCF_NOT_RUNNING);
}

/* When the hook cannot rule out that something runs, the validation error stands. */
static void test_unconfigured_may_run(void **state)
{
	static const char *const acts[] = { "stop", "monitor" };
	const struct child_result *res;

	(void)state;
	for (size_t i = 0; i < LEN(acts); i++) {
		res = run_hooked(ARGV(acts[i]), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "OCF_RESKEY_port", "65536" }));
		assert_status(res, HUBHA_OCF_ERR_CONFIGURED);
		assert_contains(res->out, "nothing_running action=");
		assert_contains(reason_of(res), "port");
	}
}

/* Only stop and probes: start, recurring monitors and validate-all fail as before, without asking. */
static void test_unconfigured_other_actions(void **state)
{
	const struct child_result *res;

	(void)state;
	res = run_hooked(ARGV("start"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "OCF_RESKEY_port", "0" }));
	assert_status(res, HUBHA_OCF_ERR_CONFIGURED);
	assert_string_equal(res->out, "");
	res = run_hooked(ARGV("monitor"),
			 ENV({ "OCF_RESKEY_ip", "192.0.2.255" }, { "OCF_RESKEY_CRM_meta_interval", "10000" }));
	assert_status(res, HUBHA_OCF_ERR_CONFIGURED);
	assert_string_equal(res->out, "");
	res = run_hooked(ARGV("validate-all"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "OCF_RESKEY_port", "0" }));
	assert_status(res, HUBHA_OCF_ERR_CONFIGURED);
	assert_string_equal(res->out, "");
	/* An agent without the hook: stop fails on an invalid configuration. */
	res = run(ARGV("stop"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "OCF_RESKEY_port", "0" }));
	assert_status(res, HUBHA_OCF_ERR_CONFIGURED);
}

/* A handler's own configuration check goes through the same hook. */
static void test_unconfigured_from_handler(void **state)
{
	const struct child_result *res;

	(void)state;
	res = run_hooked(ARGV("stop"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "OCF_RESKEY_port", "6000" }));
	assert_status(res, HUBHA_OCF_SUCCESS);
	assert_contains(res->out, "nothing_running action=stop loaded=1 ");
	assert_string_equal(reason_of(res), "port 6000 is not installed here");

	res = run_hooked(ARGV("monitor"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "OCF_RESKEY_port", "6000" }));
	assert_status(res, HUBHA_OCF_NOT_RUNNING);

	res = run_hooked(ARGV("start"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "OCF_RESKEY_port", "6000" }));
	assert_status(res, HUBHA_OCF_ERR_INSTALLED);
	assert_string_equal(res->out, "");
	assert_string_equal(reason_of(res), "port 6000 is not installed here");

	res = run_hooked(ARGV("stop"), ENV({ "OCF_RESKEY_ip", "192.0.2.1" }, { "OCF_RESKEY_port", "6001" }));
	assert_status(res, HUBHA_OCF_SUCCESS);
	assert_contains(res->out, "action=stop ");
	assert_no_reason(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_action),
		cmocka_unit_test(test_unknown_action),
		cmocka_unit_test(test_action_without_handler),
		cmocka_unit_test(test_meta_data),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_extra_arguments_ignored),
		cmocka_unit_test(test_validate_all_ok),
		cmocka_unit_test(test_validate_all_bad_parameter),
		cmocka_unit_test(test_required_missing),
		cmocka_unit_test(test_bad_parameter_blocks_handler),
		cmocka_unit_test(test_agent_validate),
		cmocka_unit_test(test_handler_reason),
		cmocka_unit_test(test_reason_on_success),
		cmocka_unit_test(test_handler_rc_passthrough),
		cmocka_unit_test(test_probe_interval_timeout),
		cmocka_unit_test(test_params_reach_handler),
		cmocka_unit_test(test_resource_and_log_tag),
		cmocka_unit_test(test_log_file),
		cmocka_unit_test(test_unconfigured_load),
		cmocka_unit_test(test_unconfigured_validate),
		cmocka_unit_test(test_unconfigured_may_run),
		cmocka_unit_test(test_unconfigured_other_actions),
		cmocka_unit_test(test_unconfigured_from_handler),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

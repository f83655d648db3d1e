/*
 * Regressions:
 * 1. A newline in a parameter value, or in a check function's reason, must not
 *    reach the exit reason, which is one line; a second line could forge
 *    another "ocf-exit-reason:" line.
 * 2. With HA_LOGFACILITY set and HA_debug unset, debug messages must not reach
 *    syslog (qb_log_init leaves a debug filter on the syslog target).
 * 3. A reason that wraps the previous one ("...: %s", ctx->reason) comes out
 *    whole, for OCF and fence agents alike.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <cmocka.h>
#include <qb/qblog.h>

#include <hubha/fence.h>
#include <hubha/ocf.h>

#include "testutil.h"

static int check_two_lines(const char *value, char *reason, size_t reason_len)
{
	(void)value;
	snprintf(reason, reason_len, "first\nsecond");
	return -EINVAL;
}

static const struct hubha_param_def params[] = {
	{ .name = "port", .type = HUBHA_PARAM_INTEGER, .shortdesc = "Port", .longdesc = "Port" },
	{ .name = "name", .type = HUBHA_PARAM_STRING, .check = check_two_lines,
	  .shortdesc = "Name", .longdesc = "Name" },
};

static const struct hubha_action_def actions[] = {
	{ .name = "validate-all", .timeout_s = 20 },
};

static const struct hubha_ocf_agent agent = {
	.name = "bugra", .version = "1", .shortdesc = "bugs", .longdesc = "bugs",
	.params = params, .n_params = 2, .actions = actions, .n_actions = 1,
};

static void test_value_newline_in_reason(void **state)
{
	struct kv env[] = { { "OCF_RESKEY_port", "1\n2" }, { NULL, NULL } };
	struct hubha_ocf_params *p = NULL;
	char reason[256] = "";

	(void)state;
	assert_int_equal(hubha_ocf_params_load(&agent, kv_env, env, &p, reason, sizeof(reason)), -EINVAL);
	assert_non_null(strstr(reason, "port"));
	assert_null(strchr(reason, '\n'));
}

static void test_check_newline_in_reason(void **state)
{
	struct kv env[] = { { "OCF_RESKEY_name", "x" }, { NULL, NULL } };
	struct hubha_ocf_params *p = NULL;
	char reason[256] = "";

	(void)state;
	assert_int_equal(hubha_ocf_params_load(&agent, kv_env, env, &p, reason, sizeof(reason)), -EINVAL);
	assert_non_null(strstr(reason, "name"));
	assert_null(strchr(reason, '\n'));
}

static int run_validate(void *arg)
{
	char *argv[] = { (char *)"bugra", (char *)"validate-all", NULL };

	kv_setenv_only(arg);
	return hubha_ocf_main(&agent, 2, argv);
}

static void test_forged_exit_reason(void **state)
{
	struct kv env[] = {
		{ "OCF_RESKEY_port", "1\nocf-exit-reason:forged" }, { "HA_LOGFACILITY", "none" }, { NULL, NULL },
	};
	const struct child_result *res;

	(void)state;
	res = run_child(run_validate, env);
	assert_int_equal(res->status, HUBHA_OCF_ERR_CONFIGURED);
	assert_int_equal(count_lines_with(res->err, "ocf-exit-reason:"), 1);
}

static int syslog_debug_child(void *arg)
{
	struct qb_log_callsite *debug;
	int on;

	kv_setenv_only(arg);
	if (hubha_ocf_log_setup("bugtest", hubha_env_getenv, NULL) < 0)
		return 100;
	debug = qb_log_callsite_get(__func__, __FILE__, "debug", LOG_DEBUG, __LINE__, 0);
	on = (debug->targets & (1u << QB_LOG_SYSLOG)) != 0;
	hubha_ocf_log_teardown();
	return on;
}

static void test_syslog_debug_without_ha_debug(void **state)
{
	struct kv env[] = { { "HA_LOGFACILITY", "daemon" }, { NULL, NULL } };
	const struct child_result *res;

	(void)state;
	res = run_child(syslog_debug_child, env);
	assert_int_equal(res->status, 0);
}

static void test_reason_wraps_reason(void **state)
{
	struct hubha_ocf_ctx ctx = { 0 };
	struct hubha_fence_ctx fctx = { 0 };

	(void)state;
	snprintf(ctx.reason, sizeof(ctx.reason), "the first cause");
	hubha_ocf_reason(&ctx, "PostgreSQL runs but cannot be monitored: %s", ctx.reason);
	assert_string_equal(ctx.reason, "PostgreSQL runs but cannot be monitored: the first cause");
	snprintf(fctx.reason, sizeof(fctx.reason), "no answer");
	hubha_fence_reason(&fctx, "Power switch: %s (%d)", fctx.reason, 3);
	assert_string_equal(fctx.reason, "Power switch: no answer (3)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value_newline_in_reason),
		cmocka_unit_test(test_check_newline_in_reason),
		cmocka_unit_test(test_forged_exit_reason),
		cmocka_unit_test(test_syslog_debug_without_ha_debug),
		cmocka_unit_test(test_reason_wraps_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

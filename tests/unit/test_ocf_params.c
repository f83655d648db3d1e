/*
 * Typed OCF_RESKEY_* parameters, the boolean parser and exit-code names.
 * Parameters are read through a fake environment table, not setenv, so each
 * case sees exactly the variables it lists.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <hubha/ocf.h>

#include "testutil.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static char untouched;
#define UNTOUCHED ((struct hubha_ocf_params *)&untouched)

static void assert_reason_names(const char *reason, const char *param)
{
	assert_true(reason[0] != '\0');
	assert_null(strchr(reason, '\n'));
	assert_non_null(strstr(reason, param));
}

static int check_even(const char *value, char *reason, size_t reason_len)
{
	if (strtol(value, NULL, 10) % 2 != 0) {
		snprintf(reason, reason_len, "%s is odd", value);
		return -EINVAL;
	}
	return 0;
}

static int check_silent_reject(const char *value, char *reason, size_t reason_len)
{
	(void)value;
	(void)reason;
	(void)reason_len;
	return -EINVAL;
}

static const char *const protocols[] = { "tcp", "udp", "sctp", NULL };

enum expect { OK, BAD };

struct param_case {
	const char *what;
	struct hubha_param_def def;
	const char *value;		/* OCF_RESKEY_<name>; NULL: unset */
	enum expect expect;
	/* OK: the parsed value; BAD: a fragment the reason must contain */
	const char *want_str;
	long want_int;
	bool want_bool;
	bool want_given;
};

#define STR(n, ...) { .name = n, .type = HUBHA_PARAM_STRING, __VA_ARGS__ }
#define INT(n, ...) { .name = n, .type = HUBHA_PARAM_INTEGER, __VA_ARGS__ }
#define BOOL(n, ...) { .name = n, .type = HUBHA_PARAM_BOOLEAN, __VA_ARGS__ }
#define SEL(n, ...) { .name = n, .type = HUBHA_PARAM_SELECT, .options = protocols, __VA_ARGS__ }

static const struct param_case param_cases[] = {
	{ "string given", STR("ip", .default_value = "x"), "192.0.2.1", OK, "192.0.2.1", 0, 0, true },
	{ "string default", STR("ip", .default_value = "192.0.2.9"), NULL, OK, "192.0.2.9", 0, 0, false },
	{ "string empty is not given", STR("ip", .default_value = "dflt"), "", OK, "dflt", 0, 0, false },
	{ "string unset no default", STR("ip"), NULL, OK, NULL, 0, 0, false },
	{ "string with spaces", STR("ip"), "a b\tc", OK, "a b\tc", 0, 0, true },
	{ "required missing", STR("ip", .required = true), NULL, BAD, "not set", 0, 0, false },
	{ "required empty", STR("ip", .required = true), "", BAD, "not set", 0, 0, false },
	{ "required given", STR("ip", .required = true), "v", OK, "v", 0, 0, true },

	{ "integer", INT("port"), "5405", OK, "5405", 5405, 0, true },
	{ "integer negative", INT("port"), "-17", OK, "-17", -17, 0, true },
	{ "integer default", INT("port", .default_value = "42"), NULL, OK, "42", 42, 0, false },
	{ "integer empty takes default", INT("port", .default_value = "42"), "", OK, "42", 42, 0, false },
	{ "integer LONG_MAX no range", INT("port"), "9223372036854775807", OK, NULL, LONG_MAX, 0, true },
	{ "integer LONG_MIN no range", INT("port"), "-9223372036854775808", OK, NULL, LONG_MIN, 0, true },
	{ "integer word", INT("port"), "abc", BAD, "not an integer", 0, 0, false },
	{ "integer trailing junk", INT("port"), "12ab", BAD, "not an integer", 0, 0, false },
	{ "integer trailing space", INT("port"), "12 ", BAD, "not an integer", 0, 0, false },
	{ "integer float", INT("port"), "1.5", BAD, "not an integer", 0, 0, false },
	{ "integer hex", INT("port"), "0x10", BAD, "not an integer", 0, 0, false },
	{ "integer sign only", INT("port"), "-", BAD, "not an integer", 0, 0, false },
	{ "integer ERANGE", INT("port"), "99999999999999999999999", BAD, "99999999999999999999999", 0, 0, false },
	{ "integer -ERANGE", INT("port"), "-99999999999999999999999", BAD, "-99999999999999999999999", 0, 0, false },
	{ "range min", INT("port", .min = 1, .max = 65535), "1", OK, NULL, 1, 0, true },
	{ "range max", INT("port", .min = 1, .max = 65535), "65535", OK, NULL, 65535, 0, true },
	{ "range below", INT("port", .min = 1, .max = 65535), "0", BAD, "out of range", 0, 0, false },
	{ "range above", INT("port", .min = 1, .max = 65535), "65536", BAD, "1..65535", 0, 0, false },
	{ "range negative", INT("port", .min = 1, .max = 65535), "-1", BAD, "out of range", 0, 0, false },
	{ "range bad default", INT("port", .min = 1, .max = 9, .default_value = "10"), NULL, BAD, "out of range", 0, 0, false },

	{ "boolean given", BOOL("enabled"), "yes", OK, "yes", 0, true, true },
	{ "boolean default", BOOL("enabled", .default_value = "true"), NULL, OK, "true", 0, true, false },
	{ "boolean empty takes default", BOOL("enabled", .default_value = "off"), "", OK, "off", 0, false, false },
	{ "boolean unset no default", BOOL("enabled"), NULL, OK, NULL, 0, false, false },
	{ "boolean maybe", BOOL("enabled"), "maybe", BAD, "not a boolean", 0, 0, false },
	{ "boolean 2", BOOL("enabled"), "2", BAD, "'2'", 0, 0, false },

	{ "select first", SEL("proto"), "tcp", OK, "tcp", 0, 0, true },
	{ "select last", SEL("proto"), "sctp", OK, "sctp", 0, 0, true },
	{ "select default", SEL("proto", .default_value = "udp"), NULL, OK, "udp", 0, 0, false },
	{ "select rejected", SEL("proto"), "icmp", BAD, "tcp, udp, sctp", 0, 0, false },
	{ "select is case-sensitive", SEL("proto"), "TCP", BAD, "'TCP'", 0, 0, false },
	{ "select prefix", SEL("proto"), "tc", BAD, "not one of", 0, 0, false },

	{ "check passes", INT("count", .check = check_even), "4", OK, "4", 4, 0, true },
	{ "check fails", INT("count", .check = check_even), "3", BAD, "3 is odd", 0, 0, false },
	{ "check without reason", STR("name", .check = check_silent_reject), "x", BAD, "rejected", 0, 0, false },
	{ "check after type", INT("count", .check = check_even), "x", BAD, "not an integer", 0, 0, false },
	/* An optional parameter that is absent has no value to check. */
	{ "check skipped when unset", STR("name", .check = check_silent_reject), NULL, OK, NULL, 0, 0, false },
};

/* Table cases name themselves on failure; a bare assert would not say which row. */
#define CHECK(c, cond)                                                                   \
	do {                                                                             \
		if (!(cond))                                                             \
			fail_msg("case '%s': %s (reason '%s')", (c)->what, #cond, reason); \
	} while (0)

static void test_param_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < LEN(param_cases); i++) {
		const struct param_case *c = &param_cases[i];
		const struct hubha_ocf_agent agent = { .name = "t", .params = &c->def, .n_params = 1 };
		char key[64];
		struct kv env[] = { { key, c->value }, { NULL, NULL } };
		struct hubha_ocf_params *p = UNTOUCHED;
		const char *name = c->def.name;
		char reason[256] = "";
		int r;

		snprintf(key, sizeof(key), "OCF_RESKEY_%s", name);
		r = hubha_ocf_params_load(&agent, kv_env, env, &p, reason, sizeof(reason));
		if (c->expect == BAD) {
			CHECK(c, r == -EINVAL);
			/* Untouched on failure, as the API promises. */
			CHECK(c, p == UNTOUCHED);
			CHECK(c, reason[0] != '\0');
			CHECK(c, strchr(reason, '\n') == NULL);
			CHECK(c, strstr(reason, name) != NULL);
			CHECK(c, strstr(reason, c->want_str) != NULL);
			CHECK(c, !c->value || !*c->value || strstr(reason, c->value) != NULL);
			continue;
		}
		CHECK(c, r == 0);
		CHECK(c, reason[0] == '\0');
		CHECK(c, hubha_ocf_params_given(p, name) == c->want_given);
		switch (c->def.type) {
		case HUBHA_PARAM_INTEGER:
			CHECK(c, hubha_ocf_params_int(p, name) == c->want_int);
			break;
		case HUBHA_PARAM_BOOLEAN:
			CHECK(c, hubha_ocf_params_bool(p, name) == c->want_bool);
			break;
		case HUBHA_PARAM_STRING:
		case HUBHA_PARAM_SELECT:
			if (c->want_str)
				CHECK(c, hubha_ocf_params_str(p, name) &&
					 strcmp(hubha_ocf_params_str(p, name), c->want_str) == 0);
			else
				CHECK(c, hubha_ocf_params_str(p, name) == NULL);
			break;
		}
		hubha_ocf_params_free(p);
	}
}

static const char *const yes_spellings[] = {
	"yes", "YES", "Yes", "true", "TRUE", "True", "1", "on", "ON", "On", "y", "Y",
};
static const char *const no_spellings[] = {
	"no", "NO", "No", "false", "FALSE", "fAlSe", "0", "off", "OFF", "Off", "n", "N",
};
static const char *const not_booleans[] = {
	"maybe", "", "2", "-1", "yess", "tru", "ye", "of", " yes", "yes ", "01", "enabled",
};

static void test_parse_bool(void **state)
{
	bool b;

	(void)state;
	for (size_t i = 0; i < LEN(yes_spellings); i++) {
		b = false;
		if (hubha_ocf_parse_bool(yes_spellings[i], &b) != 0 || !b)
			fail_msg("'%s' is not true", yes_spellings[i]);
	}
	for (size_t i = 0; i < LEN(no_spellings); i++) {
		b = true;
		if (hubha_ocf_parse_bool(no_spellings[i], &b) != 0 || b)
			fail_msg("'%s' is not false", no_spellings[i]);
	}
	for (size_t i = 0; i < LEN(not_booleans); i++) {
		bool t = true, f = false;

		/* Rejected, and the result left alone whatever it held. */
		if (hubha_ocf_parse_bool(not_booleans[i], &t) != -EINVAL || !t ||
		    hubha_ocf_parse_bool(not_booleans[i], &f) != -EINVAL || f)
			fail_msg("'%s' was accepted or clobbered the result", not_booleans[i]);
	}
	assert_int_equal(hubha_ocf_parse_bool(NULL, &b), -EINVAL);
}

/* Every spelling must also work through a parameter, not only the parser. */
static void test_bool_param_spellings(void **state)
{
	static const struct hubha_param_def def = BOOL("enabled", .default_value = "false");
	const struct hubha_ocf_agent agent = { .name = "t", .params = &def, .n_params = 1 };
	struct hubha_ocf_params *p;
	char reason[256];

	(void)state;
	for (size_t i = 0; i < LEN(yes_spellings) + LEN(no_spellings); i++) {
		bool want = i < LEN(yes_spellings);
		const char *v = want ? yes_spellings[i] : no_spellings[i - LEN(yes_spellings)];
		struct kv env[] = { { "OCF_RESKEY_enabled", v }, { NULL, NULL } };

		if (hubha_ocf_params_load(&agent, kv_env, env, &p, reason, sizeof(reason)) != 0)
			fail_msg("OCF_RESKEY_enabled=%s rejected: %s", v, reason);
		if (hubha_ocf_params_bool(p, "enabled") != want || !hubha_ocf_params_given(p, "enabled"))
			fail_msg("OCF_RESKEY_enabled=%s read wrong", v);
		hubha_ocf_params_free(p);
	}
}

static const struct hubha_param_def multi_defs[] = {
	STR("ip", .required = true, .unique = true),
	INT("port", .default_value = "5405", .min = 1, .max = 65535),
	BOOL("enabled", .default_value = "true"),
	SEL("proto", .default_value = "udp"),
	STR("label"),
};
static const struct hubha_ocf_agent multi_agent = {
	.name = "multi", .params = multi_defs, .n_params = LEN(multi_defs),
};

static void test_mixed_given_and_defaults(void **state)
{
	struct kv env[] = {
		{ "OCF_RESKEY_ip", "192.0.2.1" },
		{ "OCF_RESKEY_enabled", "no" },
		{ "OCF_RESKEY_proto", "" },
		/* Neither a Pacemaker meta attribute nor a lookalike is a parameter. */
		{ "OCF_RESKEY_CRM_meta_port", "1" },
		{ "port", "2" },
		{ NULL, NULL },
	};
	struct hubha_ocf_params *p = NULL;
	char reason[256] = "";

	(void)state;
	assert_int_equal(hubha_ocf_params_load(&multi_agent, kv_env, env, &p, reason, sizeof(reason)), 0);
	assert_string_equal(hubha_ocf_params_str(p, "ip"), "192.0.2.1");
	assert_true(hubha_ocf_params_given(p, "ip"));
	assert_int_equal(hubha_ocf_params_int(p, "port"), 5405);
	assert_false(hubha_ocf_params_given(p, "port"));
	assert_false(hubha_ocf_params_bool(p, "enabled"));
	assert_true(hubha_ocf_params_given(p, "enabled"));
	assert_string_equal(hubha_ocf_params_str(p, "proto"), "udp");
	assert_false(hubha_ocf_params_given(p, "proto"));
	assert_null(hubha_ocf_params_str(p, "label"));
	assert_false(hubha_ocf_params_given(p, "label"));
	hubha_ocf_params_free(p);
}

/* The reason must be about the bad parameter, not the first or the last one. */
static void test_reason_names_the_bad_parameter(void **state)
{
	struct kv env[] = {
		{ "OCF_RESKEY_ip", "192.0.2.1" },
		{ "OCF_RESKEY_port", "1" },
		{ "OCF_RESKEY_enabled", "maybe" },
		{ "OCF_RESKEY_proto", "tcp" },
		{ NULL, NULL },
	};
	struct hubha_ocf_params *p = NULL;
	char reason[256] = "";

	(void)state;
	assert_int_equal(hubha_ocf_params_load(&multi_agent, kv_env, env, &p, reason, sizeof(reason)),
			 -EINVAL);
	assert_null(p);
	assert_reason_names(reason, "enabled");
	assert_non_null(strstr(reason, "maybe"));
	assert_null(strstr(reason, "port"));
	assert_null(strstr(reason, "proto"));
}

static void test_required_reason(void **state)
{
	struct hubha_ocf_params *p = NULL;
	char reason[256] = "";

	(void)state;
	assert_int_equal(hubha_ocf_params_load(&multi_agent, kv_env, NULL, &p, reason, sizeof(reason)), -EINVAL);
	assert_null(p);
	assert_reason_names(reason, "ip");
	assert_non_null(strstr(reason, "Required"));
}

/* A short buffer gets a truncated, terminated reason and nothing past its end. */
static void test_reason_truncated(void **state)
{
	struct kv env[] = { { "OCF_RESKEY_ip", "x" }, { "OCF_RESKEY_port", "70000" }, { NULL, NULL } };
	struct hubha_ocf_params *p = NULL;
	char buf[16];

	(void)state;
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(hubha_ocf_params_load(&multi_agent, kv_env, env, &p, buf, 8), -EINVAL);
	assert_int_equal(strlen(buf), 7);
	assert_memory_equal(buf, "Paramet", 7);
	assert_int_equal(buf[8], 'Z');
	assert_null(p);
}

static void test_load_bad_arguments(void **state)
{
	struct hubha_ocf_params *p = NULL;
	char reason[64];

	(void)state;
	assert_int_equal(hubha_ocf_params_load(NULL, kv_env, NULL, &p, reason, sizeof(reason)), -EINVAL);
	assert_int_equal(hubha_ocf_params_load(&multi_agent, NULL, NULL, &p, reason, sizeof(reason)), -EINVAL);
	assert_int_equal(hubha_ocf_params_load(&multi_agent, kv_env, NULL, NULL, reason, sizeof(reason)), -EINVAL);
	assert_null(p);
}

static void test_no_params(void **state)
{
	const struct hubha_ocf_agent agent = { .name = "empty" };
	struct hubha_ocf_params *p = NULL;
	char reason[64] = "";

	(void)state;
	assert_int_equal(hubha_ocf_params_load(&agent, kv_env, NULL, &p, reason, sizeof(reason)), 0);
	assert_non_null(p);
	hubha_ocf_params_free(p);
	hubha_ocf_params_free(NULL);
}

static int lookup_unknown(void *arg)
{
	hubha_ocf_params_str(arg, "no_such_param");
	return 0;
}

static int given_unknown(void *arg)
{
	hubha_ocf_params_given(arg, "no_such_param");
	return 0;
}

/* Asking for an undeclared parameter is an agent bug: it must abort, not return junk. */
static void test_unknown_name_aborts(void **state)
{
	struct kv env[] = { { "OCF_RESKEY_ip", "x" }, { NULL, NULL } };
	struct hubha_ocf_params *p = NULL;
	const struct child_result *res;
	char reason[64];

	(void)state;
	assert_int_equal(hubha_ocf_params_load(&multi_agent, kv_env, env, &p, reason, sizeof(reason)), 0);
	res = run_child(lookup_unknown, p);
	assert_int_equal(res->status, 128 + SIGABRT);
	res = run_child(given_unknown, p);
	assert_int_equal(res->status, 128 + SIGABRT);
	hubha_ocf_params_free(p);
}

static void test_reason_setter_one_line(void **state)
{
	struct hubha_ocf_ctx ctx;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	hubha_ocf_reason(&ctx, "Parameter %s='%d' is bad\nsecond line", "port", 7);
	assert_string_equal(ctx.reason, "Parameter port='7' is bad");
	hubha_ocf_reason(&ctx, "%s", "");
	assert_string_equal(ctx.reason, "");
}

static void test_reason_setter_truncates(void **state)
{
	struct hubha_ocf_ctx ctx;
	char big[2 * sizeof(ctx.reason)];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	hubha_ocf_reason(&ctx, "%s", big);
	assert_int_equal(strlen(ctx.reason), sizeof(ctx.reason) - 1);
}

static void test_rc_names(void **state)
{
	static const struct {
		int rc;
		const char *name;
	} known[] = {
		{ 0, "OCF_SUCCESS" },
		{ 1, "OCF_ERR_GENERIC" },
		{ 2, "OCF_ERR_ARGS" },
		{ 3, "OCF_ERR_UNIMPLEMENTED" },
		{ 4, "OCF_ERR_PERM" },
		{ 5, "OCF_ERR_INSTALLED" },
		{ 6, "OCF_ERR_CONFIGURED" },
		{ 7, "OCF_NOT_RUNNING" },
		{ 8, "OCF_RUNNING_PROMOTED" },
		{ 9, "OCF_FAILED_PROMOTED" },
		{ 190, "OCF_DEGRADED" },
		{ 191, "OCF_DEGRADED_PROMOTED" },
	};
	static const int unknown[] = { -1, 10, 11, 99, 189, 192, 255, 256, INT_MIN, INT_MAX };

	(void)state;
	for (size_t i = 0; i < LEN(known); i++) {
		const char *name = hubha_ocf_rc_name(known[i].rc);

		if (!name || strcmp(name, known[i].name) != 0)
			fail_msg("rc %d: got %s, want %s", known[i].rc, name ? name : "NULL", known[i].name);
	}
	for (size_t i = 0; i < LEN(unknown); i++) {
		if (hubha_ocf_rc_name(unknown[i]))
			fail_msg("rc %d has a name", unknown[i]);
	}
	/* The enum and the OCF numbering must agree. */
	assert_int_equal(HUBHA_OCF_RUNNING_PROMOTED, 8);
	assert_int_equal(HUBHA_OCF_FAILED_PROMOTED, 9);
	assert_int_equal(HUBHA_OCF_DEGRADED, 190);
	assert_int_equal(HUBHA_OCF_DEGRADED_PROMOTED, 191);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_param_table),
		cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_bool_param_spellings),
		cmocka_unit_test(test_mixed_given_and_defaults),
		cmocka_unit_test(test_reason_names_the_bad_parameter),
		cmocka_unit_test(test_required_reason),
		cmocka_unit_test(test_reason_truncated),
		cmocka_unit_test(test_load_bad_arguments),
		cmocka_unit_test(test_no_params),
		cmocka_unit_test(test_unknown_name_aborts),
		cmocka_unit_test(test_reason_setter_one_line),
		cmocka_unit_test(test_reason_setter_truncates),
		cmocka_unit_test(test_rc_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

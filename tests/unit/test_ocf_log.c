/*
 * hubha_ocf_log_setup routes messages the way ocf_log does.  libqb logging is
 * process-wide state, so every case runs in a forked child; the parent looks
 * at the child's stderr and at the files it wrote.
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
#include <unistd.h>

#include <cmocka.h>
#include <qb/qblog.h>

#include <hubha/log.h>
#include <hubha/ocf.h>

#include "testutil.h"

#define INFO_MSG "info-marker-4711"
#define DEBUG_MSG "debug-marker-4712"
#define ERR_MSG "err-marker-4713"

static char *dir;
static char logfile[512], debuglog[512];

static int setup(void **state)
{
	(void)state;
	dir = make_tmpdir();
	if (!dir)
		return -1;
	snprintf(logfile, sizeof(logfile), "%s/ha.log", dir);
	snprintf(debuglog, sizeof(debuglog), "%s/ha-debug.log", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm_tmpdir(dir);
	dir = NULL;
	return 0;
}

/* Each test starts without log files from the previous one. */
static int reset_files(void **state)
{
	(void)state;
	remove(logfile);
	remove(debuglog);
	return 0;
}

/* Log one message per priority through a freshly configured logger. */
static int log_child(void *arg)
{
	int r;

	kv_setenv_only(arg);
	r = hubha_ocf_log_setup("logtest", hubha_env_getenv, NULL);
	if (r < 0)
		return 100;
	qb_log(LOG_ERR, ERR_MSG);
	qb_log(LOG_INFO, INFO_MSG " %d", 1);
	qb_log(LOG_DEBUG, DEBUG_MSG " %d", 2);
	hubha_ocf_log_teardown();
	return 0;
}

static const struct child_result *run_logger(struct kv *env)
{
	const struct child_result *res = run_child(log_child, env);

	assert_int_equal(res->status, 0);
	return res;
}

static size_t count_in_file(const char *path, const char *needle)
{
	char *s = slurp(path);
	size_t n;

	if (!s)
		return 0;
	n = count_lines_with(s, needle);
	free(s);
	return n;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static void test_logfile_info_not_debug(void **state)
{
	struct kv env[] = { { "HA_LOGFILE", logfile }, { NULL, NULL } };
	const struct child_result *res;

	(void)state;
	res = run_logger(env);
	assert_true(exists(logfile));
	assert_int_equal(count_in_file(logfile, INFO_MSG " 1"), 1);
	assert_int_equal(count_in_file(logfile, ERR_MSG), 1);
	assert_int_equal(count_in_file(logfile, DEBUG_MSG), 0);
	/* The tag identifies the agent in a shared log. */
	assert_int_equal(count_in_file(logfile, "logtest: "), 2);
	/* A file is a destination: stderr stays quiet. */
	assert_string_equal(res->err, "");
}

/* HA_debug alone does not put debug into HA_LOGFILE; that is what HA_DEBUGLOG is for. */
static void test_debug_goes_to_debuglog(void **state)
{
	struct kv env[] = {
		{ "HA_LOGFILE", logfile }, { "HA_DEBUGLOG", debuglog }, { "HA_debug", "1" }, { NULL, NULL },
	};
	const struct child_result *res;

	(void)state;
	res = run_logger(env);
	assert_int_equal(count_in_file(debuglog, DEBUG_MSG " 2"), 1);
	assert_int_equal(count_in_file(debuglog, INFO_MSG), 1);
	assert_int_equal(count_in_file(logfile, INFO_MSG), 1);
	assert_int_equal(count_in_file(logfile, DEBUG_MSG), 0);
	assert_string_equal(res->err, "");
}

static void test_debuglog_without_debug(void **state)
{
	struct kv env[] = { { "HA_LOGFILE", logfile }, { "HA_DEBUGLOG", debuglog }, { NULL, NULL } };
	const struct child_result *res;

	(void)state;
	res = run_logger(env);
	assert_int_equal(count_in_file(debuglog, DEBUG_MSG), 0);
	assert_int_equal(count_in_file(logfile, INFO_MSG), 1);
	assert_string_equal(res->err, "");
}

static void test_debug_zero_is_off(void **state)
{
	struct kv env[] = {
		{ "HA_LOGFILE", logfile }, { "HA_DEBUGLOG", debuglog }, { "HA_debug", "0" }, { NULL, NULL },
	};
	const struct child_result *res;

	(void)state;
	res = run_logger(env);
	assert_int_equal(count_in_file(debuglog, DEBUG_MSG), 0);
	assert_int_equal(count_in_file(logfile, INFO_MSG), 1);
	assert_string_equal(res->err, "");
}

/* One file named twice gets everything once, not info twice. */
static void test_same_file_for_both(void **state)
{
	struct kv env[] = {
		{ "HA_LOGFILE", logfile }, { "HA_DEBUGLOG", logfile }, { "HA_debug", "1" }, { NULL, NULL },
	};
	const struct child_result *res;

	(void)state;
	res = run_logger(env);
	assert_int_equal(count_in_file(logfile, INFO_MSG), 1);
	assert_int_equal(count_in_file(logfile, DEBUG_MSG), 1);
	assert_false(exists(debuglog));
	assert_string_equal(res->err, "");
}

static void test_stderr_by_default(void **state)
{
	struct kv env[] = { { NULL, NULL } };
	const struct child_result *res;

	(void)state;
	res = run_logger(env);
	assert_int_equal(count_lines_with(res->err, INFO_MSG " 1"), 1);
	assert_int_equal(count_lines_with(res->err, ERR_MSG), 1);
	assert_int_equal(count_lines_with(res->err, DEBUG_MSG), 0);
	assert_int_equal(count_lines_with(res->err, "logtest: "), 2);
	assert_string_equal(res->out, "");
	assert_false(exists(logfile));
}

static void test_stderr_debug(void **state)
{
	struct kv env[] = { { "HA_debug", "1" }, { NULL, NULL } };
	const struct child_result *res;

	(void)state;
	res = run_logger(env);
	assert_int_equal(count_lines_with(res->err, INFO_MSG), 1);
	assert_int_equal(count_lines_with(res->err, DEBUG_MSG " 2"), 1);
}

static void test_facility_none_is_silent(void **state)
{
	struct kv env[] = { { "HA_LOGFACILITY", "none" }, { NULL, NULL } };
	const struct child_result *res;

	(void)state;
	res = run_logger(env);
	assert_string_equal(res->err, "");
	assert_string_equal(res->out, "");
}

static void test_facility_none_with_file(void **state)
{
	struct kv env[] = { { "HA_LOGFACILITY", "none" }, { "HA_LOGFILE", logfile }, { NULL, NULL } };
	const struct child_result *res;

	(void)state;
	res = run_logger(env);
	assert_string_equal(res->err, "");
	assert_int_equal(count_in_file(logfile, INFO_MSG), 1);
}

static void test_facility_daemon_not_stderr(void **state)
{
	struct kv env[] = { { "HA_LOGFACILITY", "daemon" }, { NULL, NULL } };
	const struct child_result *res;

	(void)state;
	res = run_logger(env);
	assert_string_equal(res->err, "");
	assert_string_equal(res->out, "");
}

/*
 * Where a message would go, read off its libqb callsite: bit N of targets is
 * target N.  This is how syslog routing is checked without a syslog daemon.
 */
static int targets_child(void *arg)
{
	struct qb_log_callsite *info, *debug;
	int bits = 0;

	kv_setenv_only(arg);
	if (hubha_ocf_log_setup("logtest", hubha_env_getenv, NULL) < 0)
		return 100;
	info = qb_log_callsite_get(__func__, __FILE__, "info", LOG_INFO, __LINE__, 0);
	debug = qb_log_callsite_get(__func__, __FILE__, "debug", LOG_DEBUG, __LINE__, 0);
	if (info->targets & (1u << QB_LOG_SYSLOG))
		bits |= 1;
	if (debug->targets & (1u << QB_LOG_SYSLOG))
		bits |= 2;
	if (info->targets & (1u << QB_LOG_STDERR))
		bits |= 4;
	hubha_ocf_log_teardown();
	return bits;
}

static void test_syslog_targets(void **state)
{
	struct kv daemon_debug[] = { { "HA_LOGFACILITY", "daemon" }, { "HA_debug", "1" }, { NULL, NULL } };
	struct kv none[] = { { "HA_LOGFACILITY", "none" }, { NULL, NULL } };
	struct kv unset[] = { { NULL, NULL } };
	const struct child_result *res;

	(void)state;
	res = run_child(targets_child, daemon_debug);
	assert_int_equal(res->status, 1 | 2);
	res = run_child(targets_child, none);
	assert_int_equal(res->status, 0);
	res = run_child(targets_child, unset);
	assert_int_equal(res->status, 4);
}

static int setup_null_tag(void *arg)
{
	(void)arg;
	return -hubha_ocf_log_setup(NULL, kv_env, NULL);
}

static void test_bad_arguments(void **state)
{
	const struct child_result *res;

	(void)state;
	res = run_child(setup_null_tag, NULL);
	assert_int_equal(res->status, EINVAL);
}

static int setup_unwritable(void *arg)
{
	int r;

	(void)arg;
	r = hubha_ocf_log_setup("logtest", kv_env,
				(struct kv[]){ { "HA_LOGFILE", "/nonexistent-hubha/dir/ha.log" }, { NULL, NULL } });
	hubha_ocf_log_teardown();
	return r < 0 ? 0 : 1;
}

static void test_unwritable_logfile(void **state)
{
	const struct child_result *res;

	(void)state;
	res = run_child(setup_unwritable, NULL);
	assert_int_equal(res->status, 0);
}

/*
 * A log file that cannot be opened must not swallow messages: with syslog
 * off as well, they go to stderr, and the first one says why.
 */
static int log_to_unwritable(void *arg)
{
	kv_setenv_only(arg);
	hubha_log_defer("logtest");
	hubha_log(LOG_INFO, INFO_MSG);
	hubha_log(LOG_DEBUG, DEBUG_MSG);
	hubha_log_done();
	return 0;
}

static void test_unwritable_logfile_falls_back(void **state)
{
	struct kv no_syslog[] = {
		{ "HA_LOGFACILITY", "none" }, { "HA_LOGFILE", "/nonexistent-hubha/dir/ha.log" }, { NULL, NULL },
	};
	struct kv unset[] = { { "HA_LOGFILE", "/nonexistent-hubha/dir/ha.log" }, { NULL, NULL } };
	const struct child_result *res;

	(void)state;
	res = run_child(log_to_unwritable, no_syslog);
	assert_int_equal(res->status, 0);
	assert_int_equal(count_lines_with(res->err, INFO_MSG), 1);
	assert_int_equal(count_lines_with(res->err, DEBUG_MSG), 0);
	assert_int_equal(count_lines_with(res->err, "/nonexistent-hubha/dir/ha.log"), 1);
	res = run_child(log_to_unwritable, unset);
	assert_int_equal(res->status, 0);
	assert_int_equal(count_lines_with(res->err, INFO_MSG), 1);
}

/* Syslog still takes them: stderr stays quiet, as with a log file that works. */
static int targets_unwritable(void *arg)
{
	struct qb_log_callsite *info;
	int bits = 0;

	kv_setenv_only(arg);
	if (hubha_ocf_log_setup("logtest", hubha_env_getenv, NULL) == 0)
		bits |= 8;
	info = qb_log_callsite_get(__func__, __FILE__, "info", LOG_INFO, __LINE__, 0);
	if (info->targets & (1u << QB_LOG_SYSLOG))
		bits |= 1;
	if (info->targets & (1u << QB_LOG_STDERR))
		bits |= 4;
	hubha_ocf_log_teardown();
	return bits;
}

static void test_unwritable_logfile_with_syslog(void **state)
{
	struct kv daemon[] = {
		{ "HA_LOGFACILITY", "daemon" }, { "HA_LOGFILE", "/nonexistent-hubha/dir/ha.log" }, { NULL, NULL },
	};
	struct kv none[] = {
		{ "HA_LOGFACILITY", "none" }, { "HA_LOGFILE", "/nonexistent-hubha/dir/ha.log" }, { NULL, NULL },
	};
	const struct child_result *res;

	(void)state;
	res = run_child(targets_unwritable, daemon);
	assert_int_equal(res->status, 1);
	res = run_child(targets_unwritable, none);
	assert_int_equal(res->status, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_logfile_info_not_debug, reset_files),
		cmocka_unit_test_setup(test_debug_goes_to_debuglog, reset_files),
		cmocka_unit_test_setup(test_debuglog_without_debug, reset_files),
		cmocka_unit_test_setup(test_debug_zero_is_off, reset_files),
		cmocka_unit_test_setup(test_same_file_for_both, reset_files),
		cmocka_unit_test_setup(test_stderr_by_default, reset_files),
		cmocka_unit_test_setup(test_stderr_debug, reset_files),
		cmocka_unit_test_setup(test_facility_none_is_silent, reset_files),
		cmocka_unit_test_setup(test_facility_none_with_file, reset_files),
		cmocka_unit_test_setup(test_facility_daemon_not_stderr, reset_files),
		cmocka_unit_test(test_syslog_targets),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_unwritable_logfile),
		cmocka_unit_test(test_unwritable_logfile_falls_back),
		cmocka_unit_test(test_unwritable_logfile_with_syslog),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

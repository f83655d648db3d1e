/*
 * Logging set up the way ocf_log (ocf-shellfuncs) routes messages, so an agent
 * logs where Pacemaker's execd and the admin expect it:
 *   HA_LOGFACILITY  syslog facility ("none" or empty: no syslog)
 *   HA_LOGFILE      file for info and above
 *   HA_DEBUGLOG     file for debug (and, when it differs from HA_LOGFILE, the rest)
 *   HA_debug        non-zero: emit debug messages
 * With neither a facility nor a log file, messages go to stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <qb/qblog.h>

#include <hubha/log.h>
#include <hubha/ocf.h>

#define LOG_FORMAT "%N: %t %p: %b"

static bool is_set(const char *v)
{
	return v && *v;
}

static void enable(int32_t target, int max_priority)
{
	qb_log_filter_ctl(target, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", max_priority);
	qb_log_ctl(target, QB_LOG_CONF_ENABLED, QB_TRUE);
}

/* A log file; 0, or the error when it cannot be opened. */
static int open_file(const char *path, int max_priority)
{
	int32_t target = qb_log_file_open(path);

	if (target < 0)
		return target;
	qb_log_format_set(target, LOG_FORMAT);
	enable(target, max_priority);
	return 0;
}

/*
 * A log file that cannot be opened must not swallow what was meant for it:
 * unless syslog takes it, stderr does, which execd keeps.  The first error is
 * still returned.
 */
int hubha_ocf_log_setup(const char *tag, hubha_env_fn env, void *userdata)
{
	const char *facility = env("HA_LOGFACILITY", userdata);
	const char *logfile = env("HA_LOGFILE", userdata);
	const char *debuglog = env("HA_DEBUGLOG", userdata);
	const char *debug_env = env("HA_debug", userdata);
	bool debug = is_set(debug_env) && strcmp(debug_env, "0") != 0;
	bool syslog_on = is_set(facility) && strcmp(facility, "none") != 0;
	int r = 0, fallback = -1;

	if (!tag)
		return -EINVAL;
	qb_log_init(tag, LOG_DAEMON, LOG_DEBUG);
	/* qb_log_init also installs a syslog filter up to its priority argument: drop it. */
	qb_log_filter_ctl(QB_LOG_SYSLOG, QB_LOG_FILTER_CLEAR_ALL, QB_LOG_FILTER_FILE, "*", LOG_DEBUG);
	/* qb_log_init enables syslog; start from nothing and add what the environment asks for. */
	qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
	qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_FALSE);
	qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_ENABLED, QB_FALSE);

	if (syslog_on) {
		int fac = qb_log_facility2int(facility);

		if (fac < 0)
			fac = LOG_DAEMON;
		qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_FACILITY, fac);
		enable(QB_LOG_SYSLOG, debug ? LOG_DEBUG : LOG_INFO);
	}
	if (is_set(logfile)) {
		/* One file for both: it gets debug too, like ocf_log appending to the same path. */
		int max = debug && is_set(debuglog) && strcmp(debuglog, logfile) == 0 ? LOG_DEBUG : LOG_INFO;

		r = open_file(logfile, max);
		if (r < 0)
			fallback = max;
	}
	if (is_set(debuglog) && !(is_set(logfile) && strcmp(debuglog, logfile) == 0)) {
		int max = debug ? LOG_DEBUG : LOG_INFO;
		int rd = open_file(debuglog, max);

		if (rd < 0) {
			fallback = max > fallback ? max : fallback;
			r = r < 0 ? r : rd;
		}
	}
	if (!is_set(facility) && !is_set(logfile))
		fallback = debug && !is_set(debuglog) ? LOG_DEBUG : LOG_INFO;
	if (fallback >= 0 && !syslog_on) {
		qb_log_format_set(QB_LOG_STDERR, LOG_FORMAT);
		enable(QB_LOG_STDERR, fallback);
	}
	return r;
}

void hubha_ocf_log_teardown(void)
{
	qb_log_fini();
}

/* Process-wide, as libqb's own logging state is. */
static char deferred_tag[128];
static bool deferred, ready;

void hubha_log_defer(const char *tag)
{
	snprintf(deferred_tag, sizeof(deferred_tag), "%s", tag ? tag : "hubha");
	deferred = true;
}

static const char *env_or_empty(const char *name)
{
	const char *v = hubha_env_getenv(name, NULL);

	return v ? v : "";
}

void hubha_log_ensure(void)
{
	int r;

	if (ready || !deferred)
		return;
	ready = true;
	r = hubha_ocf_log_setup(deferred_tag, hubha_env_getenv, NULL);
	if (r < 0) {
		const char *fac = env_or_empty("HA_LOGFACILITY");

		qb_log(LOG_WARNING, "Cannot open the log file (HA_LOGFILE=%s HA_DEBUGLOG=%s): %s; logging to %s",
		       env_or_empty("HA_LOGFILE"), env_or_empty("HA_DEBUGLOG"), strerror(-r),
		       *fac && strcmp(fac, "none") != 0 ? "syslog" : "stderr");
	}
}

void hubha_log_done(void)
{
	if (ready)
		hubha_ocf_log_teardown();
	ready = false;
	deferred = false;
}

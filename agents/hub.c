/*
 * ocf:hubha:hub — the services that belong on the active hub only (for
 * CFEngine: cf-hub), started, checked by identity and probe, and stopped
 * within the operation's timeout.  Their health is published as the node
 * attribute <resource>-services for the node's report.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hubha/attr.h>
#include <hubha/deadline.h>
#include <hubha/log.h>
#include <hubha/ocf.h>

#include "hub_proc.h"
#include "hub_spec.h"

/* Left of every operation's timeout for what follows the wait: the attribute, the exit. */
#define MARGIN_MS 2000
#define POLL_MS 20

static bool syntax_only(const char *path, void *userdata)
{
	(void)path;
	(void)userdata;
	return true;
}

static bool executable(const char *path, void *userdata)
{
	struct stat st;

	(void)userdata;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static int check_services(const char *value, char *reason, size_t len)
{
	struct hub_spec spec;
	int r = hub_spec_parse(value, syntax_only, NULL, &spec, reason, len);

	hub_spec_free(&spec);
	return r;
}

static const struct hubha_param_def hub_params[] = {
	{ .name = "services", .type = HUBHA_PARAM_STRING, .default_value = "cf-hub if-installed",
	  .check = check_services,
	  .shortdesc = "Services of the active hub",
	  .longdesc = "The services that run on the active hub only, started in this order and stopped in the "
		      "reverse order. Services are separated by \";\" or newlines; each is its name followed by "
		      "words: \"optional\" (its failure degrades the resource, OCF_DEGRADED, instead of failing "
		      "it), \"if-installed\" (left out while its program is not installed), \"pidfile=PATH\" (the "
		      "command daemonizes and writes its pid there; without it the command stays in the foreground "
		      "and the agent records its pid and start time in /run/hubha), \"exe=PATH\" (the program the "
		      "running process executes, checked through /proc/PID/exe; the command's program by default), "
		      "\"probe=tcp:ADDRESS:PORT\" or \"probe=http://ADDRESS[:PORT]/PATH\" (must accept the "
		      "connection, or answer a status below 400; IPv6 addresses in brackets), and last "
		      "\"start=COMMAND ARGS...\" (an absolute program and its arguments, split at blanks, run "
		      "without a shell, with PATH and HOME=/ as its environment). cf-hub, cf-serverd, cf-execd, "
		      "cf-monitord and cf-reactor have built-in commands: /var/cfengine/bin/NAME with the pid file "
		      "/var/cfengine/NAME.pid where that is installed (CFEngine's packages), else /usr/bin/NAME "
		      "with /var/run/cfengine3/NAME.pid (Debian's). Example: services=\"cf-hub "
		      "probe=tcp:127.0.0.1:5308; reports optional pidfile=/run/reports.pid "
		      "start=/usr/local/sbin/reportd --daemon\". The default manages cf-hub where it is installed "
		      "(Debian's cfengine3 has none); database maintenance runs from policy, guarded by the "
		      "hub_active class of hubha-cfengine(8)." },
	{ .name = "probe_timeout", .type = HUBHA_PARAM_INTEGER, .default_value = "2000", .min = 100, .max = 60000,
	  .shortdesc = "Probe timeout in ms",
	  .longdesc = "How long one TCP or HTTP probe may take, in milliseconds. A monitor probes each running "
		      "service once; a start probes until the service answers or the start timeout is near." },
	{ .name = "stop_escalate", .type = HUBHA_PARAM_INTEGER, .default_value = "15", .min = 0, .max = 3600,
	  .shortdesc = "Seconds from SIGTERM to SIGKILL",
	  .longdesc = "stop sends SIGTERM to every service, waits this many seconds for them to end, then sends "
		      "SIGKILL to those left. The wait is cut short so that SIGKILL still fits in the stop "
		      "timeout: a stop never outlasts its timeout." },
};

struct hub {
	struct hubha_ocf_ctx *ctx;
	char rsc[128];
	struct hub_spec spec;
	enum hub_state state[HUB_MAX_SERVICES];
	char why[HUB_MAX_SERVICES][384];
};

static int hub_load(struct hubha_ocf_ctx *ctx, struct hub *h, const char *services)
{
	char reason[512];
	int r;

	memset(h, 0, sizeof(*h));
	h->ctx = ctx;
	snprintf(h->rsc, sizeof(h->rsc), "%s", ctx->resource ? ctx->resource : "hub");
	h->rsc[strcspn(h->rsc, ":")] = '\0';
	r = hub_spec_parse(services, executable, NULL, &h->spec, reason, sizeof(reason));
	if (r < 0) {
		hub_spec_free(&h->spec);
		hubha_ocf_reason(ctx, "services: %s", reason);
		return HUBHA_OCF_ERR_CONFIGURED;
	}
	return HUBHA_OCF_SUCCESS;
}

static bool absent(const struct hub_service *s)
{
	return s->if_installed && !s->installed;
}

/* Each service's state; probe_ms 0 leaves probes out.  -errno when /proc cannot tell. */
static int survey(struct hub *h, unsigned probe_ms)
{
	for (size_t i = 0; i < h->spec.n; i++) {
		const struct hub_service *s = &h->spec.svc[i];
		struct hub_proc p;
		int r;

		h->why[i][0] = '\0';
		if (absent(s)) {
			h->state[i] = HUB_SVC_ABSENT;
			continue;
		}
		r = hub_proc_find(h->rsc, s, &p, h->why[i], sizeof(h->why[i]));
		if (r < 0) {
			hubha_ocf_reason(h->ctx, "%s: %s", s->name, h->why[i]);
			return r;
		}
		if (r == 0) {
			h->state[i] = HUB_SVC_NOT_RUNNING;
			continue;
		}
		hub_proc_close(&p);
		h->state[i] = HUB_SVC_OK;
		if (probe_ms && hub_probe_run(&s->probe, probe_ms, h->why[i], sizeof(h->why[i])) < 0)
			h->state[i] = HUB_SVC_PROBE_FAILED;
	}
	return 0;
}

static bool all_absent(const struct hub *h)
{
	for (size_t i = 0; i < h->spec.n; i++)
		if (!absent(&h->spec.svc[i]))
			return false;
	return true;
}

/* Published for the node's report; a failure to write it is logged, never the operation's result. */
static void publish(struct hub *h, enum hub_health health)
{
	struct hubha_attr_cache *cache = NULL;
	char name[160], path[256], err[512];
	int r;

	snprintf(name, sizeof(name), "%s-services", h->rsc);
	snprintf(path, sizeof(path), HUB_RUN_DIR "/%s.attrs", h->rsc);
	if (mkdir(HUB_RUN_DIR, 0700) < 0 && errno != EEXIST)
		hubha_attr_cache_open(NULL, 3600, 0, &cache);
	else if (hubha_attr_cache_open(path, 3600, 0, &cache) < 0)
		cache = NULL;
	r = hubha_attr_set(cache, HUBHA_ATTR_TRANSIENT, NULL, name, hub_health_name(health), err, sizeof(err));
	if (r < 0)
		hubha_log(LOG_WARNING, "Cannot set %s=%s: %s", name, hub_health_name(health), err);
	hubha_attr_cache_close(cache);
}

static const char *state_word(enum hub_state s)
{
	return s == HUB_SVC_NOT_RUNNING ? "is not running" : "does not answer its probe";
}

/* The first service in a bad state among the required (or optional) ones, for the reason. */
static int first_bad(const struct hub *h, bool optional)
{
	for (size_t i = 0; i < h->spec.n; i++)
		if (h->spec.svc[i].optional == optional && h->state[i] != HUB_SVC_OK && h->state[i] != HUB_SVC_ABSENT)
			return (int)i;
	return -1;
}

static int verdict(struct hub *h, enum hub_health health)
{
	int i;

	switch (health) {
	case HUB_HEALTH_OK:
		return HUBHA_OCF_SUCCESS;
	case HUB_HEALTH_STOPPED:
		return HUBHA_OCF_NOT_RUNNING;
	case HUB_HEALTH_DEGRADED:
		i = first_bad(h, true);
		hubha_ocf_reason(h->ctx, "Optional service %s %s%s%s", h->spec.svc[i].name, state_word(h->state[i]),
				 h->why[i][0] ? ": " : "", h->why[i]);
		return HUBHA_OCF_DEGRADED;
	case HUB_HEALTH_FAILED:
		break;
	}
	i = first_bad(h, false);
	hubha_ocf_reason(h->ctx, "Service %s %s%s%s", h->spec.svc[i].name, state_word(h->state[i]),
			 h->why[i][0] ? ": " : "", h->why[i]);
	return HUBHA_OCF_ERR_GENERIC;
}

static int hub_monitor(struct hubha_ocf_ctx *ctx)
{
	enum hub_health health;
	struct hub h;
	int rc;

	rc = hub_load(ctx, &h, hubha_ocf_params_str(ctx->params, "services"));
	if (rc)
		return hubha_ocf_config_failed(ctx, rc);
	if (survey(&h, (unsigned)hubha_ocf_params_int(ctx->params, "probe_timeout")) < 0) {
		hub_spec_free(&h.spec);
		return HUBHA_OCF_ERR_GENERIC;
	}
	health = hub_health(&h.spec, h.state);
	/* Nothing to run here at all: whether start ran is all there is to say. */
	if (all_absent(&h))
		health = hub_marker_get(h.rsc) ? HUB_HEALTH_OK : HUB_HEALTH_STOPPED;
	rc = verdict(&h, health);
	publish(&h, health);
	hub_spec_free(&h.spec);
	return rc;
}

static int rc_for_errno(int r)
{
	switch (r) {
	case -ENOENT:
	case -EACCES:
	case -ENOEXEC:
		return HUBHA_OCF_ERR_INSTALLED;
	case -EPERM:
		return HUBHA_OCF_ERR_PERM;
	default:
		return HUBHA_OCF_ERR_GENERIC;
	}
}

/*
 * Programs of required services must be installed; one that is not is this
 * node's problem.  An optional one missing only degrades the resource.
 */
static int check_installed(struct hub *h)
{
	for (size_t i = 0; i < h->spec.n; i++) {
		const struct hub_service *s = &h->spec.svc[i];

		if (!s->installed && !s->if_installed && !s->optional) {
			hubha_ocf_reason(h->ctx, "%s: %s is not installed (not an executable file)", s->name, s->argv[0]);
			return HUBHA_OCF_ERR_INSTALLED;
		}
	}
	return HUBHA_OCF_SUCCESS;
}

static int hub_start(struct hubha_ocf_ctx *ctx)
{
	struct hubha_deadline d = hubha_deadline_in(ctx->timeout_ms > MARGIN_MS ? ctx->timeout_ms - MARGIN_MS : 0);
	unsigned probe_ms = (unsigned)hubha_ocf_params_int(ctx->params, "probe_timeout");
	enum hub_health health;
	struct hub h;
	int rc, r;

	rc = hub_load(ctx, &h, hubha_ocf_params_str(ctx->params, "services"));
	if (rc)
		return rc;
	rc = check_installed(&h);
	if (rc)
		goto out;
	for (size_t i = 0; i < h.spec.n; i++) {
		const struct hub_service *s = &h.spec.svc[i];
		char err[512];
		struct hub_proc p;

		if (absent(s))
			continue;
		r = hub_proc_find(h.rsc, s, &p, err, sizeof(err));
		if (r == 1) {
			hub_proc_close(&p);
			continue;
		}
		if (r == 0)
			r = hub_proc_start(h.rsc, s, d, probe_ms, err, sizeof(err));
		if (r == 0) {
			hubha_log(LOG_INFO, "Started %s", s->name);
			continue;
		}
		if (s->optional) {
			hubha_log(LOG_WARNING, "Optional service %s", err);
			continue;
		}
		hubha_ocf_reason(ctx, "%s", err);
		rc = rc_for_errno(r);
		publish(&h, HUB_HEALTH_FAILED);
		goto out;
	}
	if (survey(&h, 0) < 0) {
		rc = HUBHA_OCF_ERR_GENERIC;
		goto out;
	}
	health = all_absent(&h) ? HUB_HEALTH_OK : hub_health(&h.spec, h.state);
	publish(&h, health);
	/* An optional service that did not come up degrades the resource; monitor says so. */
	rc = health == HUB_HEALTH_DEGRADED ? HUBHA_OCF_SUCCESS : verdict(&h, health);
	if (rc == HUBHA_OCF_NOT_RUNNING) {
		hubha_ocf_reason(ctx, "No service runs after start");
		rc = HUBHA_OCF_ERR_GENERIC;
	}
	r = rc ? 0 : hub_marker_set(h.rsc, true);
	if (r < 0) {
		hubha_ocf_reason(ctx, "Cannot write the start marker in %s: %s", HUB_RUN_DIR, strerror(-r));
		rc = rc_for_errno(r);
	}
out:
	hub_spec_free(&h.spec);
	return rc;
}

/*
 * SIGTERM to every service at once (last started first), SIGKILL to those
 * still there after stop_escalate, both within the timeout.  True when none
 * is left.
 */
static bool stop_all(struct hub *h, long escalate_s)
{
	unsigned total = h->ctx->timeout_ms > MARGIN_MS ? h->ctx->timeout_ms - MARGIN_MS : 0;
	unsigned term_ms = (unsigned)escalate_s * 1000u;
	struct hub_proc procs[HUB_MAX_SERVICES];
	struct hubha_deadline d_term, d_kill;
	bool left = false, undecided = false;

	/* SIGKILL keeps a third of the time, to be reaped. */
	if (term_ms > total - total / 3)
		term_ms = total - total / 3;
	d_term = hubha_deadline_in(term_ms);
	d_kill = hubha_deadline_in(total);
	for (size_t k = h->spec.n; k-- > 0;) {
		const struct hub_service *s = &h->spec.svc[k];
		char why[384];
		int r;

		procs[k].procfd = -1;
		r = hub_proc_find(h->rsc, s, &procs[k], why, sizeof(why));
		if (r == 1) {
			hubha_log(LOG_INFO, "Stopping %s (pid %d)", s->name, (int)procs[k].pid);
			hub_proc_signal(&procs[k], SIGTERM);
		} else if (r == 0) {
			/* A record that names nothing of ours any more. */
			hub_proc_forget(h->rsc, s);
		} else {
			hubha_ocf_reason(h->ctx, "%s: %s", s->name, why);
			undecided = true;
		}
	}
	for (int phase = 0; phase < 2; phase++) {
		struct hubha_deadline d = phase ? d_kill : d_term;

		for (;;) {
			left = false;
			for (size_t k = 0; k < h->spec.n; k++) {
				if (procs[k].procfd < 0)
					continue;
				if (hub_proc_gone(&procs[k])) {
					hub_proc_close(&procs[k]);
					hub_proc_forget(h->rsc, &h->spec.svc[k]);
				} else {
					left = true;
				}
			}
			if (!left || hubha_deadline_passed(d))
				break;
			usleep(POLL_MS * 1000);
		}
		if (!left)
			break;
		for (size_t k = 0; phase == 0 && k < h->spec.n; k++) {
			if (procs[k].procfd < 0)
				continue;
			hubha_log(LOG_WARNING, "%s (pid %d) did not end on SIGTERM: sending SIGKILL", h->spec.svc[k].name,
				  (int)procs[k].pid);
			hub_proc_signal(&procs[k], SIGKILL);
		}
	}
	for (size_t k = 0; k < h->spec.n; k++) {
		if (procs[k].procfd < 0)
			continue;
		hubha_ocf_reason(h->ctx, "%s (pid %d) did not end, even on SIGKILL", h->spec.svc[k].name,
				 (int)procs[k].pid);
		hub_proc_close(&procs[k]);
	}
	return !left && !undecided;
}

static int hub_stop(struct hubha_ocf_ctx *ctx)
{
	struct hub h;
	int rc;

	rc = hub_load(ctx, &h, hubha_ocf_params_str(ctx->params, "services"));
	if (rc)
		return hubha_ocf_config_failed(ctx, rc);
	if (!stop_all(&h, hubha_ocf_params_int(ctx->params, "stop_escalate"))) {
		hub_spec_free(&h.spec);
		return HUBHA_OCF_ERR_GENERIC;
	}
	hub_marker_set(h.rsc, false);
	publish(&h, HUB_HEALTH_STOPPED);
	hub_spec_free(&h.spec);
	return HUBHA_OCF_SUCCESS;
}

/*
 * Stop or probe with parameters that do not load: the services, if they
 * still parse, are what can be running; stop them with the default timing.
 */
static bool hub_nothing_running(struct hubha_ocf_ctx *ctx)
{
	const char *services = hubha_ocf_param_unchecked(ctx, "services");
	char reason[sizeof(ctx->reason)];
	bool none = true;
	struct hub h;

	/* The reason the configuration failed is the one to report. */
	memcpy(reason, ctx->reason, sizeof(reason));
	if (!services || hub_load(ctx, &h, services) != HUBHA_OCF_SUCCESS) {
		memcpy(ctx->reason, reason, sizeof(reason));
		return false;
	}
	if (strcmp(ctx->action, "stop") == 0) {
		none = stop_all(&h, 15);
		if (none)
			hub_marker_set(h.rsc, false);
	} else if (survey(&h, 0) < 0) {
		none = false;
	} else {
		for (size_t i = 0; i < h.spec.n; i++)
			none = none && h.state[i] != HUB_SVC_OK;
		none = none && !(all_absent(&h) && hub_marker_get(h.rsc));
	}
	hub_spec_free(&h.spec);
	memcpy(ctx->reason, reason, sizeof(reason));
	return none;
}

static int hub_validate_all(struct hubha_ocf_ctx *ctx)
{
	struct hub h;
	int rc;

	rc = hub_load(ctx, &h, hubha_ocf_params_str(ctx->params, "services"));
	if (rc)
		return rc;
	rc = check_installed(&h);
	hub_spec_free(&h.spec);
	return rc;
}

static const struct hubha_action_def hub_actions[] = {
	{ .name = "start", .timeout_s = 60, .fn = hub_start },
	{ .name = "stop", .timeout_s = 30, .fn = hub_stop },
	{ .name = "monitor", .timeout_s = 20, .interval_s = 10, .fn = hub_monitor },
	{ .name = "validate-all", .timeout_s = 20, .fn = hub_validate_all },
	{ .name = "meta-data", .timeout_s = 5 },
};

static const struct hubha_ocf_agent hub_agent = {
	.name = "hub",
	.version = PACKAGE_VERSION,
	.shortdesc = "Services of the active hub",
	.longdesc = "Starts, stops and checks the services that run on the active hub only, such as CFEngine's "
		    "cf-hub, colocated with the promoted PostgreSQL and the shared address. A service is running "
		    "when its pid names a process that runs its program (and, for a service the agent started in "
		    "the foreground, the start time it recorded), never by process name; an optional TCP or HTTP "
		    "probe must answer too. monitor returns OCF_SUCCESS when every service is healthy, "
		    "OCF_DEGRADED when only optional ones are not, OCF_ERR_GENERIC when a required one is not "
		    "while others run, and OCF_NOT_RUNNING when none runs. The verdict (ok, degraded, failed, "
		    "stopped) is published as the transient node attribute <resource>-services.",
	.params = hub_params,
	.n_params = sizeof(hub_params) / sizeof(hub_params[0]),
	.actions = hub_actions,
	.n_actions = sizeof(hub_actions) / sizeof(hub_actions[0]),
	.nothing_running = hub_nothing_running,
};

int main(int argc, char **argv)
{
	return hubha_ocf_main(&hub_agent, argc, argv);
}

/*
 * ocf:hubha:hub — the services parameter and the health verdict.  Pure
 * functions, no I/O: what exists on disk is asked through a callback.
 */
#ifndef HUBHA_AGENT_HUB_SPEC_H
#define HUBHA_AGENT_HUB_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#define HUB_MAX_SERVICES 16
#define HUB_MAX_ARGS 32
#define HUB_NAME_MAX 32

enum hub_probe_kind {
	HUB_PROBE_NONE,
	HUB_PROBE_TCP,
	HUB_PROBE_HTTP,
};

struct hub_probe {
	enum hub_probe_kind kind;
	char host[64];		/* an IPv4 or IPv6 address, no name lookup */
	unsigned port;
	char path[256];		/* HTTP: the request path, "/" by default */
};

struct hub_service {
	char name[HUB_NAME_MAX];
	char *argv[HUB_MAX_ARGS + 1];	/* into the spec's own copy of the text */
	const char *pidfile;	/* NULL: the command stays in the foreground, the agent records it */
	const char *exe;	/* the program the running service executes */
	struct hub_probe probe;
	bool optional;
	bool if_installed;
	bool installed;		/* its program exists */
};

struct hub_spec {
	char *text;		/* the strings above point here */
	size_t n;
	struct hub_service svc[HUB_MAX_SERVICES];
};

/* Whether path names an executable regular file; the callers' view of the disk. */
typedef bool (*hub_exists_fn)(const char *path, void *userdata);

/*
 * Parse the services parameter.  On failure -EINVAL with one line in reason
 * naming the service and the problem.  spec is released with hub_spec_free
 * also after a failure.
 */
int hub_spec_parse(const char *text, hub_exists_fn exists, void *userdata, struct hub_spec *spec, char *reason,
		   size_t reason_len);
void hub_spec_free(struct hub_spec *spec);

/* One "tcp:HOST:PORT" or "http://HOST:PORT/PATH" probe (IPv6 in brackets). */
int hub_probe_parse(const char *text, struct hub_probe *ret);

/* An HTTP status line "HTTP/1.x NNN ...": the status code, -EPROTO when it is not one. */
int hub_http_status(const char *line);

/* The start time (field 22, clock ticks since boot) in /proc/PID/stat; -EPROTO when malformed. */
int hub_stat_starttime(const char *text, unsigned long long *ret);

/* "<pid> <start time>\n" as the agent records a foreground service. */
int hub_record_parse(const char *text, int *ret_pid, unsigned long long *ret_start);

/* A pid file as daemons write it: a decimal pid, optionally followed by a newline and more. */
int hub_pidfile_parse(const char *text, int *ret_pid);

enum hub_state {
	HUB_SVC_OK,
	HUB_SVC_NOT_RUNNING,
	HUB_SVC_PROBE_FAILED,	/* runs, but its probe does not answer */
	HUB_SVC_ABSENT,		/* if-installed, and not installed: not part of the set */
};

enum hub_health {
	HUB_HEALTH_OK,
	HUB_HEALTH_DEGRADED,
	HUB_HEALTH_FAILED,
	HUB_HEALTH_STOPPED,
};

/*
 * The verdict over every service: stopped when nothing runs, failed when a
 * required service is down or not answering while others run, degraded when
 * only optional ones are, ok otherwise.
 */
enum hub_health hub_health(const struct hub_spec *spec, const enum hub_state *states);
/* The attribute value: "ok", "degraded", "failed", "stopped". */
const char *hub_health_name(enum hub_health h);

#endif

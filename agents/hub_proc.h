/*
 * ocf:hubha:hub — the services' processes: found by identity, started
 * detached, signalled through their /proc directory, probed over TCP/HTTP.
 */
#ifndef HUBHA_AGENT_HUB_PROC_H
#define HUBHA_AGENT_HUB_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <hubha/deadline.h>

#include "hub_spec.h"

/* Where the agent records what it started itself: root's own directory. */
#define HUB_RUN_DIR "/run/hubha"

struct hub_proc {
	int procfd;		/* /proc/PID, usable as a pidfd; -1 when none */
	pid_t pid;
};

/*
 * The running process of service s of resource rsc: 1 with *ret, 0 when
 * none runs (no pid file, or it names a process that is not the service:
 * another program, another start time, a zombie), -errno when /proc cannot
 * tell; why says what was found.
 */
int hub_proc_find(const char *rsc, const struct hub_service *s, struct hub_proc *ret, char *why, size_t why_len);
void hub_proc_close(struct hub_proc *p);
/* Whether the process is gone (or a zombie). */
bool hub_proc_gone(const struct hub_proc *p);
/* Signal exactly the process found, even if its pid was reused since. */
int hub_proc_signal(const struct hub_proc *p, int sig);

/*
 * Start service s detached (own session, /dev/null for stdio, a clean
 * environment) and wait, until d, for it to run: its pid file to name it,
 * and its probe to answer.  0, or a negative errno with err.
 */
int hub_proc_start(const char *rsc, const struct hub_service *s, struct hubha_deadline d, unsigned probe_ms, char *err,
		   size_t err_len);

/* Forget the record of a foreground service that is gone. */
void hub_proc_forget(const char *rsc, const struct hub_service *s);

/* One probe, bounded by timeout_ms: 0 when it answers, else -errno with err. */
int hub_probe_run(const struct hub_probe *p, unsigned timeout_ms, char *err, size_t err_len);

/* The marker that says start succeeded (a set whose services are all absent still runs). */
int hub_marker_set(const char *rsc, bool on);
bool hub_marker_get(const char *rsc);

#endif

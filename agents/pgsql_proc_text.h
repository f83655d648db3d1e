/*
 * ocf:hubha:pgsql — the texts the process code reads: postmaster.pid,
 * /proc/PID/stat, /proc/PID/exe, a child's wait status and the output of
 * pg_ctl and the server.  Pure functions, no I/O.
 */
#ifndef HUBHA_AGENT_PGSQL_PROC_TEXT_H
#define HUBHA_AGENT_PGSQL_PROC_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* postmaster.pid: the pid (line 1) and the data directory (line 2); -EPROTO unless both are there. */
int pgsql_pidfile_parse(const char *text, pid_t *ret_pid, char *dir, size_t dir_len);

/* /proc/PID/stat: the state letter and the parent's pid; -EPROTO when malformed. */
int pgsql_proc_stat_parse(const char *text, char *ret_state, pid_t *ret_ppid);

/* /proc/PID/status: the effective uid; -EPROTO when there is no Uid line. */
int pgsql_proc_status_euid(const char *text, uid_t *ret_uid);

/* Whether LINK, the target of /proc/PID/exe, is PATH, also once PATH was replaced by an upgrade. */
bool pgsql_exe_is(const char *link, const char *path);

/* Whether LINK, the target of /proc/PID/exe, names a program called postgres or postmaster. */
bool pgsql_exe_named_postgres(const char *link);

/* A wait status in words: "exit status 1", "killed by signal 9 (Killed)". */
void pgsql_status_text(int status, char *buf, size_t len);

/*
 * The line of pg_ctl's or the server's output that says what went wrong:
 * the last FATAL or PANIC message from its severity on, or (unless
 * fatal_only) the last line that is not pg_ctl's progress or advice.
 * False when there is none.
 */
bool pgsql_last_message(const char *text, bool fatal_only, char *buf, size_t len);

#endif

/*
 * ocf:hubha:pgsql internals shared by its files.
 */
#ifndef HUBHA_AGENT_PGSQL_H
#define HUBHA_AGENT_PGSQL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <hubha/attr.h>
#include <hubha/ocf.h>
#include <hubha/pg.h>

enum rep_mode { REP_NONE, REP_ASYNC, REP_SYNC };

/* The parameters, resolved once per invocation. */
struct pgsql {
	struct hubha_ocf_ctx *ctx;
	const char *pgctl, *pgdata, *pgdba, *config, *logfile, *socketdir, *pghost, *pgdb;
	const char *start_opt, *ctl_opt;
	const char *monitor_user, *monitor_password, *monitor_sql;
	const char *node_list, *master_ip, *repuser, *primary_conninfo_opt;
	const char *restore_command, *archive_cleanup_command, *recovery_end_command;
	const char *slot_name, *tmpdir;
	long port, master_port, stop_escalate, stop_escalate_in_slave;
	enum rep_mode rep_mode;
	bool restart_on_promote, check_wal_receiver, auto_rewind, degrade_to_async;

	char bindir[4096];	/* where pg_ctl lives: pg_controldata and pg_rewind are beside it */
	char rsc[128];		/* resource name without a clone instance suffix */
	char node[256];		/* this node's name */
	uid_t uid;
	gid_t gid;
	struct hubha_attr_cache *attrs;
};

/* pgsql_proc.c: processes and files of the instance */
pid_t pgsql_postmaster_pid(const struct pgsql *pg);
bool pgsql_has_datadir(const struct pgsql *pg);
/* Run argv as the DBA; returns its exit status, or a negative errno. */
int pgsql_run_as_dba(const struct pgsql *pg, char *const argv[], unsigned timeout_ms);
int pgsql_ctl_start(const struct pgsql *pg, unsigned timeout_ms);
int pgsql_ctl_stop(const struct pgsql *pg, const char *mode, unsigned timeout_s);

struct controldata {
	char state[64];		/* "in production", "shut down", "shut down in recovery", ... */
	hubha_lsn checkpoint;	/* latest checkpoint location */
	unsigned timeline;	/* latest checkpoint's TimeLineID */
};
int pgsql_controldata(const struct pgsql *pg, struct controldata *ret);
int pgsql_rewind(const struct pgsql *pg, const char *source_conninfo, unsigned timeout_ms);

/* pgsql_conf.c: the standby settings the agent owns */
int pgsql_conf_standby(const struct pgsql *pg, char *reason, size_t reason_len);
void pgsql_slot_name(const char *prefix, const char *node, char *buf, size_t len);
int pgsql_conf_primary_conninfo(const struct pgsql *pg, char *buf, size_t len);

#endif

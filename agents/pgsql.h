/*
 * ocf:hubha:pgsql internals shared by its files.
 */
#ifndef HUBHA_AGENT_PGSQL_H
#define HUBHA_AGENT_PGSQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <hubha/attr.h>
#include <hubha/deadline.h>
#include <hubha/ocf.h>
#include <hubha/pg.h>

enum rep_mode { REP_NONE, REP_ASYNC, REP_SYNC };

/* Promotion scores: the primary, the standbys it ranks, the unranked. */
#define SCORE_PRIMARY "1001"
#define SCORE_BEST_STANDBY 1000
#define SCORE_DISCONNECTED "-1000"
#define SCORE_UNKNOWN "1"
#define ATTR_CACHE_AGE_S 600

/* The parameters, resolved once per invocation. */
struct pgsql {
	struct hubha_ocf_ctx *ctx;
	const char *pgctl, *pgdata, *pgdba, *config, *logfile, *socketdir, *pghost, *pgdb;
	const char *start_opt, *ctl_opt;
	const char *monitor_user, *monitor_password, *monitor_sql;
	const char *node_list, *master_ip, *repuser, *primary_conninfo_opt;
	const char *restore_command, *archive_cleanup_command, *recovery_end_command;
	const char *slot_name;
	long port, master_port, stop_escalate, stop_escalate_in_slave;
	enum rep_mode rep_mode;
	bool restart_on_promote, check_wal_receiver, auto_rewind, degrade_to_async;

	char bindir[4096];	/* where pg_ctl lives: pg_controldata and pg_rewind are beside it */
	char rsc[128];		/* resource name without a clone instance suffix */
	char node[256];		/* this node's name */
	uid_t uid;
	gid_t gid;
	struct hubha_attr_cache *attrs;
	struct hubha_deadline deadline;	/* the action's timeout, from its start: every wait ends before */
};

/* pgsql_proc.c: processes and files of the instance */
/*
 * The postmaster serving pgdata, as postmaster.pid names it and /proc
 * confirms (its program, directory, owner, and no postgres parent): 0 with
 * *ret_pid its pid, or 0 when none runs; a negative errno when that cannot be
 * decided, err saying why: then nothing may be signalled.  ret_pid and err
 * may be NULL.
 */
int pgsql_postmaster(const struct pgsql *pg, pid_t *ret_pid, char *err, size_t err_len);
/* Send sig to that postmaster, confirmed again at that moment: 0 when sent or none runs. */
int pgsql_postmaster_kill(const struct pgsql *pg, int sig, char *err, size_t err_len);
bool pgsql_has_datadir(const struct pgsql *pg);
/* want_ms, or less when the action's timeout comes sooner (at least 1). */
unsigned pgsql_budget_ms(const struct pgsql *pg, unsigned want_ms);
/* pg_ctl start/stop within timeout_ms (and the action's time): 0, or a negative errno and err says why. */
int pgsql_ctl_start(const struct pgsql *pg, unsigned timeout_ms, char *err, size_t err_len);
int pgsql_ctl_stop(const struct pgsql *pg, const char *mode, unsigned timeout_ms, char *err, size_t err_len);

struct controldata {
	char state[64];		/* "in production", "shut down", "shut down in recovery", ... */
	hubha_lsn checkpoint;	/* latest checkpoint location */
	unsigned timeline;	/* latest checkpoint's TimeLineID */
	hubha_lsn min_recovery;	/* minimum recovery ending location (0/0: none) */
	unsigned min_recovery_timeline;
};
/* Parse pg_controldata's output (LC_ALL=C); -EPROTO unless every field parses. */
int pgsql_controldata_parse(const char *out, struct controldata *ret);
int pgsql_controldata(const struct pgsql *pg, struct controldata *ret);
int pgsql_rewind(const struct pgsql *pg, const char *source_conninfo, unsigned timeout_ms);

/* pgsql.c */
int connect_local(struct pgsql *pg, PGconn **conn, char *err, size_t err_len);

/* pgsql_attrs.c: node attributes */
void attr_name(const struct pgsql *pg, const char *suffix, char *buf, size_t len);
/*
 * Write one; cached writes cost nothing when the value (and version) did not
 * change.  Returns 0 when written, 1 when the cache said it was there already.
 */
int publish(struct pgsql *pg, bool cached, enum hubha_attr_kind kind, const char *node, const char *suffix,
	     const char *value, const char *version);
void unpublish(struct pgsql *pg, enum hubha_attr_kind kind, const char *node, const char *suffix);
void attrs_close(struct pgsql *pg);
/* Iterate over a list of node names (spaces or commas): false at the end. */
bool next_node(const char **cursor, char *buf, size_t len);
bool listed(const char *list, const char *node);
void sync_names(const struct pgsql *pg, char *buf, size_t len);
int set_sync_names(PGconn *conn, const char *names);
void primary_publish(struct pgsql *pg, PGconn *conn, const struct hubha_pg_status *st);

/* pgsql_election.c: choosing the primary */
void format_location(uint32_t tl, hubha_lsn lsn, char *buf, size_t len);
int local_location(struct pgsql *pg, uint32_t *tl, hubha_lsn *lsn);
bool cold_start_scores(struct pgsql *pg);
int election(struct pgsql *pg);
void redirect_promotion(struct pgsql *pg, const char *standbys, const char *demoted, uint32_t tl, hubha_lsn lsn);

/* pgsql_conf.c: the standby settings the agent owns */
int pgsql_conf_standby(const struct pgsql *pg, char *reason, size_t reason_len);
void pgsql_slot_name(const char *prefix, const char *node, char *buf, size_t len);
int pgsql_conf_primary_conninfo(const struct pgsql *pg, char *buf, size_t len);

#endif

/*
 * ocf:hubha:pgsql internals shared by its files.
 */
#ifndef HUBHA_AGENT_PGSQL_H
#define HUBHA_AGENT_PGSQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libpq-fe.h>

#include <hubha/attr.h>
#include <hubha/deadline.h>
#include <hubha/ocf.h>
#include <hubha/pg.h>

#include "pgsql_decide.h"

enum rep_mode { REP_NONE, REP_ASYNC, REP_SYNC };

#define ATTR_CACHE_AGE_S 600

/* The parameters, resolved once per invocation. */
struct pgsql {
	struct hubha_ocf_ctx *ctx;
	const char *pgctl, *pgdata, *pgdba, *config, *logfile, *socketdir, *pghost, *pgdb;
	const char *start_opt, *ctl_opt;
	const char *monitor_user, *monitor_password, *monitor_sql;
	const char *node_list, *master_ip, *repuser, *primary_conninfo_opt;
	const char *restore_command, *archive_cleanup_command, *recovery_end_command;
	const char *slot_name;		/* the slots' prefix; NULL: no slots */
	long slot_keep_mb;		/* max_slot_wal_keep_size in MB; -1: left to the configuration */
	long port, master_port, stop_escalate, stop_escalate_in_slave;
	unsigned attr_timeout_ms;	/* crm_attr_timeout: bounds every crm_attribute and attrd_updater */
	unsigned sync_num;		/* rep_mode=sync: standbys that confirm each commit (ANY sync_num) */
	enum rep_mode rep_mode;
	bool restart_on_promote, check_wal_receiver, auto_rewind, degrade_to_async, reseed;
	bool via_hubhad;		/* the monitor's query may go through hubhad */

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
/* Signal pid if it is a live server process of this instance (a child of its postmaster, as pgdba). */
int pgsql_child_kill(const struct pgsql *pg, pid_t pid, int sig, char *err, size_t err_len);
bool pgsql_has_datadir(const struct pgsql *pg);
/* want_ms, or less when the action's timeout comes sooner (at least 1). */
unsigned pgsql_budget_ms(const struct pgsql *pg, unsigned want_ms);
/* pg_ctl start/stop within timeout_ms (and the action's time): 0, or a negative errno and err says why. */
int pgsql_ctl_start(const struct pgsql *pg, unsigned timeout_ms, char *err, size_t err_len);
int pgsql_ctl_stop(const struct pgsql *pg, const char *mode, unsigned timeout_ms, char *err, size_t err_len);

struct pgsql_controldata {
	char state[64];		/* "in production", "shut down", "shut down in recovery", ... */
	hubha_lsn checkpoint;	/* latest checkpoint location */
	unsigned timeline;	/* latest checkpoint's TimeLineID */
	hubha_lsn min_recovery;	/* minimum recovery ending location (0/0: none) */
	unsigned min_recovery_timeline;
};
/* Parse pg_controldata's output (LC_ALL=C); -EPROTO unless every field parses. */
int pgsql_controldata_parse(const char *out, struct pgsql_controldata *ret);
int pgsql_controldata(const struct pgsql *pg, struct pgsql_controldata *ret);
/* pg_rewind from source_conninfo; its output (stdout and stderr) into out. */
int pgsql_rewind(const struct pgsql *pg, const char *source_conninfo, unsigned timeout_ms, char *out, size_t out_len);

/*
 * Run argv as pgdba (in pgdata, with a clean environment), killed once
 * timeout_ms passed; the end of its output into out.  0 with *ret_status its
 * wait status, or a negative errno (-ETIMEDOUT when it had to be killed).
 */
int pgsql_run(const struct pgsql *pg, char *const argv[], unsigned timeout_ms, char *out, size_t out_len,
	      int *ret_status);

/* Crash recovery in single-user mode that removes no WAL segment; its output into out. */
int pgsql_crash_recovery(const struct pgsql *pg, unsigned timeout_ms, char *out, size_t out_len);

/* pgsql_rejoin.c: a node that crashed as primary, before it starts as a standby */
bool pgsql_crashed_primary(const struct pgsql *pg, const struct pgsql_controldata *cd);
int pgsql_rejoin_check(struct pgsql *pg);

/* pgsql_db.c: connections to the local instance */
int pgsql_connect_local(struct pgsql *pg, PGconn **conn, char *err, size_t err_len);
/* post-promote on a standby: end a WAL receiver still tied to the old primary. */
void pgsql_receiver_renew(struct pgsql *pg, bool demoted_here);
int pgsql_set_sync_names(PGconn *conn, const char *names, char *err, size_t err_len);

/* pgsql_attrs.c: node attributes */
void pgsql_attr_name(const struct pgsql *pg, const char *suffix, char *buf, size_t len);
/*
 * Write one; cached writes cost nothing when the value (and version) did not
 * change.  Returns 0 when written, 1 when the cache said it was there already.
 */
int pgsql_publish(struct pgsql *pg, bool cached, enum hubha_attr_kind kind, const char *node, const char *suffix,
		  const char *value, const char *version);
void pgsql_unpublish(struct pgsql *pg, enum hubha_attr_kind kind, const char *node, const char *suffix);
void pgsql_forget_published(struct pgsql *pg, enum hubha_attr_kind kind, const char *node, const char *suffix);
/* hubha_attr_get and _delete bounded by crm_attr_timeout; failures other than "unset" are logged. */
int pgsql_attr_get(struct pgsql *pg, enum hubha_attr_kind kind, const char *node, const char *name, char **ret_value);
int pgsql_attr_delete(struct pgsql *pg, enum hubha_attr_kind kind, const char *node, const char *name);
/* Why a standby ranked with score is not promoted, and how to allow it. */
void pgsql_no_promote_reason(struct pgsql *pg, const char *node, const char *score, char *buf, size_t len);
void pgsql_attrs_close(struct pgsql *pg);
/* A hubha_pg_standby_filter (arg: the struct pgsql): the other nodes of node_list. */
bool pgsql_listed_standby(const char *application_name, void *pg);
void pgsql_primary_publish(struct pgsql *pg, PGconn *conn, const struct hubha_pg_status *st);

/* pgsql_election.c: choosing the primary */
int pgsql_local_location(struct pgsql *pg, struct pgsql_location *ret);
bool pgsql_cold_start_scores(struct pgsql *pg);
int pgsql_election(struct pgsql *pg);
void pgsql_redirect_promotion(struct pgsql *pg, const char *standbys, const char *demoted,
			      struct pgsql_location mine);
/* Promote's precondition on the clone's meta attributes, from the environment. */
int pgsql_check_clone(struct pgsql *pg);
/* Before pg_promote: the synchronous_standby_names the new primary starts with. */
int pgsql_promote_sync_names(struct pgsql *pg, PGconn *conn, const struct hubha_pg_status *st);

/* pgsql_slots.c: replication slots */
/* The physical slots, "name:wal_status ..." (wal_status "none" when NULL; NULL: no slot). */
int pgsql_slot_list(PGconn *conn, char **ret_list, char *err, size_t err_len);
void pgsql_slots_prepare(struct pgsql *pg, PGconn *conn);
void pgsql_slot_check(struct pgsql *pg, PGconn *conn, const char *list, const char *node);

/* pgsql_reseed.c: a standby whose WAL the primary removed, rebuilt in start */
int pgsql_reseed(struct pgsql *pg);

/* pgsql_conf.c: the standby settings the agent owns */
int pgsql_conf_standby(const struct pgsql *pg, char *reason, size_t reason_len);
/* primary_conninfo for this node's standby (exported for its unit test). */
int pgsql_conf_primary_conninfo(const struct pgsql *pg, char *buf, size_t len);
/* One conninfo value, quoted as libpq needs it: 0, -ENAMETOOLONG, or -EINVAL for no value. */
int pgsql_conninfo_value(char *buf, size_t len, const char *v);

#endif

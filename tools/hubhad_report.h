/*
 * hubhad's decisions, without I/O: what PostgreSQL's answers, the CIB's
 * stonith-enabled and the configuration file mean for the node's report.
 */
#ifndef HUBHAD_REPORT_H
#define HUBHAD_REPORT_H

#include <stddef.h>

#include <hubha/cluster.h>

#define HUBHAD_CONF "/etc/hubha/hubhad.conf"
#define HUBHAD_PATH_MAX 256

struct hubhad_opts {
	unsigned interval_ms;
	char pghost[HUBHAD_PATH_MAX];	/* PostgreSQL's socket directory (or a host) */
	char pgport[8];
	char pguser[64];
	char address[HUBHA_CLUSTER_ADDR_MAX];	/* "" : from the corosync nodelist */
	int postgresql;			/* 0: a node without PostgreSQL (role none) */
	char http_listen[64];		/* "": no HTTP server; else ADDRESS:PORT */
	char ipc_group[64];		/* besides root, who may read the view over IPC; "": root only */
	/* CFEngine glue, off unless both of the first two are set. */
	char cfengine_statedir[HUBHAD_PATH_MAX];	/* where master_hub.dat is kept */
	char cfengine_ha_info[HUBHAD_PATH_MAX];	/* ha_info.json naming the hubs */
	char cfengine_htdocs[HUBHAD_PATH_MAX];	/* Mission Portal's htdocs: ha_enabled is kept there */
};

void hubhad_opts_default(struct hubhad_opts *opts);
/* Sets one option from its name (the config file's key); -EINVAL with a reason. */
int hubhad_opt_set(struct hubhad_opts *opts, const char *key, const char *value, char *err, size_t err_len);
/* key = value lines, # comments, blank lines; the first bad line is an error. */
int hubhad_conf_parse(const char *text, struct hubhad_opts *opts, char *err, size_t err_len);

/* The columns of the status query, in order (NULL: SQL NULL). */
enum hubhad_col {
	COL_IN_RECOVERY, COL_LSN, COL_RECEIVE_LSN, COL_WALRCV_STATUS, COL_RECEIVED_TLI,
	COL_CHECKPOINT_TLI, COL_WALFILE, COL_REPLAY_LAG_MS, COL_SYNC_NAMES, COL_PAUSED,
	COL_N
};
extern const char hubhad_status_sql[];
extern const char hubhad_replication_sql[];
extern const char hubhad_collect_sql[];
#define HUBHAD_REPL_COLS 5	/* application_name, state, sync_state, flush_lsn, replay_lsn */

/* Fills role, timeline, LSNs, lag, WAL receiver and flags from one status row. */
int hubhad_report_from_status(const char *const col[COL_N], hubha_report_t *report);
int hubhad_standby_from_row(const char *const col[HUBHAD_REPL_COLS], hubha_standby_row_t *row);

hubha_walrcv_t hubhad_walrcv_parse(const char *status);
hubha_walrcv_t hubhad_walsender_parse(const char *state);
hubha_sync_state_t hubhad_sync_state_parse(const char *sync_state);

/* What a failed connection's message says about the server. */
hubha_pg_state_t hubhad_connect_failure(const char *message);

/* HUBHA_REPORT_FENCING_* flags from crm_attribute's wait status and output. */
uint32_t hubhad_fencing_flags(int wait_status, const char *output);

/* Whether b differs from a in something readers act on now; LSNs, lag and
 * the timestamp go out with the next interval. */
int hubhad_report_changed(const hubha_report_t *a, const hubha_report_t *b);

/* Services health of this node (ocf:hubha:hub publishes it later). */
hubha_services_t hubhad_services(void);

#endif

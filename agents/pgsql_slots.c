/*
 * ocf:hubha:pgsql — replication slots: one per standby on the primary, so a
 * standby that was away catches up from where it was, each bounded by
 * max_slot_wal_keep_size so one gone for good cannot fill the disk.  The
 * decisions on what a slot's state means are pgsql_decide.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hubha/log.h>

#include "pgsql.h"

int pgsql_slot_list(PGconn *conn, char **ret_list, char *err, size_t err_len)
{
	char *list = NULL;
	int r;

	r = hubha_pg_exec(conn, "SELECT string_agg(slot_name || ':' || coalesce(wal_status, 'none'), ' ') "
			  "FROM pg_replication_slots WHERE slot_type = 'physical'", &list, err, err_len);
	if (r < 0)
		return r;
	*ret_list = list;
	return 0;
}

/*
 * A slot that reserves WAL from now on (from the last restartpoint while in
 * recovery), replacing an inactive one of that name that reserves nothing.
 */
static int create_slot(PGconn *conn, const char *slot, bool replace)
{
	char sql[512], err[256], *lit = NULL;
	int r;

	if (hubha_pg_quote_literal(conn, slot, &lit) < 0)
		return -ENOMEM;
	if (replace) {
		snprintf(sql, sizeof(sql), "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
			 "WHERE slot_name = %s AND NOT active", lit);
		r = hubha_pg_exec(conn, sql, NULL, err, sizeof(err));
		if (r < 0) {
			hubha_log(LOG_WARNING, "Cannot drop replication slot %s: %s", slot, err);
			free(lit);
			return r;
		}
	}
	snprintf(sql, sizeof(sql), "SELECT pg_create_physical_replication_slot(%s, true) WHERE NOT EXISTS "
		 "(SELECT 1 FROM pg_replication_slots WHERE slot_name = %s)", lit, lit);
	free(lit);
	r = hubha_pg_exec(conn, sql, NULL, err, sizeof(err));
	if (r < 0)
		hubha_log(LOG_WARNING, "Cannot create replication slot %s: %s", slot, err);
	else
		hubha_log(LOG_INFO, "Replication slot %s %s", slot, replace ? "created anew" : "created");
	return r;
}

/* Slots under our prefix that name no listed node: dropped so they do not pin WAL. */
static void drop_unlisted(struct pgsql *pg, PGconn *conn, const char *list)
{
	const char *c = list;
	char item[320], prefix[256];
	size_t plen;

	snprintf(prefix, sizeof(prefix), "%s_", pg->slot_name);
	plen = strlen(prefix);
	while (pgsql_next_node(&c, item, sizeof(item))) {
		const char *n2 = pg->node_list;
		char nn[256], expect[320], sql[512], err[256], *lit = NULL;
		bool keep = false;

		item[strcspn(item, ":")] = '\0';
		if (strncmp(item, prefix, plen) != 0)
			continue;
		while (pgsql_next_node(&n2, nn, sizeof(nn)))
			keep |= pgsql_slot_name(pg->slot_name, nn, expect, sizeof(expect)) == 0 &&
				strcmp(expect, item) == 0;
		if (keep || hubha_pg_quote_literal(conn, item, &lit) < 0)
			continue;
		snprintf(sql, sizeof(sql), "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
			 "WHERE slot_name = %s AND NOT active", lit);
		free(lit);
		if (hubha_pg_exec(conn, sql, NULL, err, sizeof(err)) == 0)
			hubha_log(LOG_INFO, "Dropped replication slot %s of a node no longer listed", item);
	}
}

/*
 * Before pg_promote, while still in recovery: every other listed node gets a
 * slot that reserves WAL (a lost or unreserving one is replaced), so the
 * standbys find theirs whenever they reconnect, and nothing this node still
 * holds from its last restartpoint on is removed before they do.
 */
void pgsql_slots_prepare(struct pgsql *pg, PGconn *conn)
{
	const char *cur = pg->node_list;
	char node[256], slot[320], err[256], *list = NULL;

	if (!pg->slot_name)
		return;
	if (pgsql_slot_list(conn, &list, err, sizeof(err)) < 0) {
		hubha_log(LOG_WARNING, "Cannot read the replication slots: %s", err);
		return;
	}
	while (pgsql_next_node(&cur, node, sizeof(node))) {
		enum pgsql_slot_state s;

		if (strcmp(node, pg->node) == 0 || pgsql_slot_name(pg->slot_name, node, slot, sizeof(slot)) < 0)
			continue;
		s = pgsql_slot_state(list, slot);
		if (s != PGSQL_SLOT_OK)
			create_slot(conn, slot, s != PGSQL_SLOT_MISSING);
	}
	drop_unlisted(pg, conn, list ? list : "");
	free(list);
}

/*
 * The primary's monitor, for a listed node that is not streaming (list: the
 * slots as read once for this monitor, or NULL when they could not be).  A
 * missing or unreserving slot is created; a lost one is reported: the node
 * needs a new base backup (or its archive), and is not promoted.
 */
void pgsql_slot_check(struct pgsql *pg, PGconn *conn, const char *list, const char *node)
{
	char slot[320], reason[512];
	enum pgsql_slot_state s;

	if (!pg->slot_name || !list || pgsql_slot_name(pg->slot_name, node, slot, sizeof(slot)) < 0)
		return;
	s = pgsql_slot_state(list, slot);
	if (s == PGSQL_SLOT_MISSING || s == PGSQL_SLOT_UNRESERVED) {
		create_slot(conn, slot, s == PGSQL_SLOT_UNRESERVED);
		return;
	}
	if (s != PGSQL_SLOT_LOST)
		return;
	/* Kept until the node streams again, which only a new base backup (or the archive) allows. */
	if (pgsql_publish(pg, true, HUBHA_ATTR_TRANSIENT, node, "wal-lost", slot, "none") == 0) {
		hubha_log(LOG_WARNING, "%s needs a new base backup: replication slot %s was invalidated, the WAL it "
			  "needs is gone", node, slot);
		pgsql_wal_lost_reason(slot, pg->restore_command != NULL, reason, sizeof(reason));
		pgsql_publish(pg, false, HUBHA_ATTR_TRANSIENT, node, "no-promote-reason", reason, NULL);
	}
}

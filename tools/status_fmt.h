/*
 * hubha status: the hub table and the JSON document, from a view of the
 * cluster.  Pure: they only write to the stream they are given.
 */
#ifndef HUBHA_STATUS_FMT_H
#define HUBHA_STATUS_FMT_H

#include <stdio.h>

#include <hubha/cluster.h>

struct hubha_view {
	const hubha_hub_t *hubs;
	size_t n_hubs;
	hubha_health_t health;
	uint32_t reasons;		/* HUBHA_REASON_* bits, when degraded */
	int quorate;			/* -1: not known */
};

/* "0/3000060", as PostgreSQL writes a pg_lsn. */
void hubha_fmt_lsn(uint64_t lsn, char *buf, size_t len);
/* Bytes for people: "0 B", "512 B", "16.0 MiB". */
void hubha_fmt_bytes(int64_t bytes, char *buf, size_t len);

const char *hubha_fmt_role(hubha_role_t role);
const char *hubha_fmt_pg_state(hubha_pg_state_t state);
const char *hubha_fmt_walrcv(hubha_walrcv_t walrcv);
const char *hubha_fmt_sync_state(hubha_sync_state_t sync);
const char *hubha_fmt_services(hubha_services_t services);
const char *hubha_fmt_health(hubha_health_t health);

/* "16777216", "16MB", "64kB", "1GB" (PostgreSQL's units, 1024-based) into
 * bytes: 0 or -EINVAL / -ERANGE. */
int hubha_parse_bytes(const char *text, uint64_t *ret_bytes);

/* The header, one line per hub, then "HA: OK" or "HA: DEGRADED — reason, reason". */
int hubha_fmt_table(FILE *out, const struct hubha_view *view);
/* The verdict line alone. */
int hubha_fmt_verdict(FILE *out, const struct hubha_view *view);
/* One JSON object (the schema is in hubha(8)), and a newline. */
int hubha_fmt_json(FILE *out, const struct hubha_view *view);

#endif

/*
 * hubha status output: the table people read and the JSON scripts read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status_fmt.h"

void hubha_fmt_lsn(uint64_t lsn, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIX32 "/%" PRIX32, (uint32_t)(lsn >> 32), (uint32_t)lsn);
}

void hubha_fmt_bytes(int64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 0) {
		snprintf(buf, len, "-");
		return;
	}
	if (bytes < 1024) {
		snprintf(buf, len, "%" PRId64 " B", bytes);
		return;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
}

const char *hubha_fmt_role(hubha_role_t role)
{
	switch (role) {
	case HUBHA_ROLE_PRIMARY: return "primary";
	case HUBHA_ROLE_STANDBY: return "standby";
	case HUBHA_ROLE_NONE: return "none";
	case HUBHA_ROLE_UNKNOWN: break;
	}
	return "unknown";
}

const char *hubha_fmt_pg_state(hubha_pg_state_t state)
{
	switch (state) {
	case HUBHA_PG_RUNNING: return "running";
	case HUBHA_PG_STARTING: return "starting";
	case HUBHA_PG_STOPPED: return "stopped";
	case HUBHA_PG_REFUSED: return "refused";
	case HUBHA_PG_UNKNOWN: break;
	}
	return "unknown";
}

const char *hubha_fmt_walrcv(hubha_walrcv_t walrcv)
{
	switch (walrcv) {
	case HUBHA_WALRCV_STREAMING: return "streaming";
	case HUBHA_WALRCV_STARTING: return "starting";
	case HUBHA_WALRCV_WAITING: return "waiting";
	case HUBHA_WALRCV_RESTARTING: return "restarting";
	case HUBHA_WALRCV_STOPPING: return "stopping";
	case HUBHA_WALRCV_STOPPED: return "stopped";
	case HUBHA_WALRCV_NONE: break;
	}
	return "none";
}

const char *hubha_fmt_sync_state(hubha_sync_state_t sync)
{
	switch (sync) {
	case HUBHA_SYNC_ASYNC: return "async";
	case HUBHA_SYNC_SYNC: return "sync";
	case HUBHA_SYNC_POTENTIAL: return "potential";
	case HUBHA_SYNC_QUORUM: return "quorum";
	case HUBHA_SYNC_UNKNOWN: break;
	}
	return "unknown";
}

const char *hubha_fmt_services(hubha_services_t services)
{
	switch (services) {
	case HUBHA_SERVICES_OK: return "ok";
	case HUBHA_SERVICES_DEGRADED: return "degraded";
	case HUBHA_SERVICES_FAILED: return "failed";
	case HUBHA_SERVICES_STOPPED: return "stopped";
	case HUBHA_SERVICES_UNKNOWN: break;
	}
	return "unknown";
}

const char *hubha_fmt_health(hubha_health_t health)
{
	switch (health) {
	case HUBHA_HEALTH_OK: return "ok";
	case HUBHA_HEALTH_DEGRADED: return "degraded";
	case HUBHA_HEALTH_UNKNOWN: break;
	}
	return "unknown";
}

/* What the hub is doing, in one word or two: membership and reports first,
 * then a standby's WAL receiver, then PostgreSQL's state. */
static const char *hub_state(const hubha_hub_t *h)
{
	const hubha_report_t *r = &h->report;

	if (!h->member)
		return "not a member";
	if (!h->has_report)
		return "no report";
	if (r->role == HUBHA_ROLE_NONE)
		return "-";
	if (r->role == HUBHA_ROLE_STANDBY && r->pg_state == HUBHA_PG_RUNNING)
		return r->wal_receiver == HUBHA_WALRCV_NONE ? "no receiver" : hubha_fmt_walrcv(r->wal_receiver);
	return hubha_fmt_pg_state(r->pg_state);
}

static const char *hub_role(const hubha_hub_t *h)
{
	if (!h->has_report)
		return "-";
	if (h->report.role == HUBHA_ROLE_STANDBY) {
		if (h->sync_state == HUBHA_SYNC_SYNC)
			return "sync standby";
		if (h->sync_state == HUBHA_SYNC_QUORUM)
			return "quorum standby";
	}
	return hubha_fmt_role(h->report.role);
}

struct row {
	const char *cell[8];
	char tl[12], lsn[24], lag[24], age[24];
};

static void hub_row(const hubha_hub_t *h, struct row *row)
{
	const hubha_report_t *r = &h->report;
	int pg = h->has_report && r->role != HUBHA_ROLE_NONE && r->role != HUBHA_ROLE_UNKNOWN;

	snprintf(row->tl, sizeof(row->tl), "-");
	snprintf(row->lsn, sizeof(row->lsn), "-");
	snprintf(row->age, sizeof(row->age), "-");
	if (pg && r->timeline)
		snprintf(row->tl, sizeof(row->tl), "%" PRIu32, r->timeline);
	if (pg && r->lsn)
		hubha_fmt_lsn(r->lsn, row->lsn, sizeof(row->lsn));
	hubha_fmt_bytes(pg && r->role == HUBHA_ROLE_STANDBY ? h->lag_bytes : -1, row->lag, sizeof(row->lag));
	if (h->has_report)
		snprintf(row->age, sizeof(row->age), "%.1f s", (double)h->report_age_ms / 1000.0);
	row->cell[0] = h->name[0] ? h->name : "?";
	row->cell[1] = h->has_report && r->address[0] ? r->address : "-";
	row->cell[2] = hub_role(h);
	row->cell[3] = hub_state(h);
	row->cell[4] = row->tl;
	row->cell[5] = row->lsn;
	row->cell[6] = row->lag;
	row->cell[7] = row->age;
}

int hubha_fmt_verdict(FILE *out, const struct hubha_view *view)
{
	const char *sep = " — ";
	unsigned bit;

	if (view->health == HUBHA_HEALTH_OK)
		return fprintf(out, "HA: OK\n") < 0 ? -1 : 0;
	if (view->health != HUBHA_HEALTH_DEGRADED)
		return fprintf(out, "HA: UNKNOWN\n") < 0 ? -1 : 0;
	fputs("HA: DEGRADED", out);
	for (bit = 0; bit < 32; bit++) {
		const char *s;

		if (!(view->reasons & (1u << bit)))
			continue;
		s = hubha_cluster_reason_str((hubha_reason_t)(1u << bit));
		fprintf(out, "%s%s", sep, s ? s : "unknown reason");
		sep = ", ";
	}
	return fputc('\n', out) == EOF ? -1 : 0;
}

int hubha_fmt_table(FILE *out, const struct hubha_view *view)
{
	static const char *const head[8] = { "Member", "Host", "Role", "State", "TL", "LSN", "Lag", "Last report" };
	/* Numbers are right-aligned, like patronictl's. */
	static const int right[8] = { 0, 0, 0, 0, 1, 0, 1, 1 };
	size_t w[8], i, c;
	struct row row;

	for (c = 0; c < 8; c++)
		w[c] = strlen(head[c]);
	for (i = 0; i < view->n_hubs; i++) {
		hub_row(&view->hubs[i], &row);
		for (c = 0; c < 8; c++)
			if (strlen(row.cell[c]) > w[c])
				w[c] = strlen(row.cell[c]);
	}
	for (i = 0; i <= view->n_hubs; i++) {
		const char *const *cells = head;

		if (i > 0) {
			hub_row(&view->hubs[i - 1], &row);
			cells = row.cell;
		}
		for (c = 0; c < 8; c++) {
			int width = (int)w[c];

			if (right[c])
				fprintf(out, "%*s", width, cells[c]);
			else if (c == 7)
				fputs(cells[c], out);
			else
				fprintf(out, "%-*s", width, cells[c]);
			fputs(c == 7 ? "\n" : "  ", out);
		}
	}
	return hubha_fmt_verdict(out, view);
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void json_lsn(FILE *out, int known, uint64_t lsn)
{
	char buf[24];

	if (!known) {
		fputs("null", out);
		return;
	}
	hubha_fmt_lsn(lsn, buf, sizeof(buf));
	json_string(out, buf);
}

static void json_member(FILE *out, const hubha_hub_t *h)
{
	const hubha_report_t *r = &h->report;
	int rep = h->has_report;
	int pg = rep && r->role != HUBHA_ROLE_NONE && r->role != HUBHA_ROLE_UNKNOWN;
	int standby = pg && r->role == HUBHA_ROLE_STANDBY;

	fputs("{\"name\":", out);
	json_string(out, h->name);
	fprintf(out, ",\"nodeid\":%" PRIu32 ",\"address\":", h->nodeid);
	if (rep && r->address[0])
		json_string(out, r->address);
	else
		fputs("null", out);
	fprintf(out, ",\"member\":%s,\"role\":\"%s\",\"state\":\"%s\"", h->member ? "true" : "false",
		rep ? hubha_fmt_role(r->role) : "unknown", rep ? hubha_fmt_pg_state(r->pg_state) : "unknown");
	if (pg && r->timeline)
		fprintf(out, ",\"timeline\":%" PRIu32, r->timeline);
	else
		fputs(",\"timeline\":null", out);
	fputs(",\"lsn\":", out);
	json_lsn(out, pg && r->lsn, r->lsn);
	fputs(",\"receive_lsn\":", out);
	json_lsn(out, standby && r->receive_lsn, r->receive_lsn);
	if (standby && h->lag_bytes >= 0)
		fprintf(out, ",\"lag_bytes\":%" PRId64, h->lag_bytes);
	else
		fputs(",\"lag_bytes\":null", out);
	if (standby && h->sync_state != HUBHA_SYNC_UNKNOWN)
		fprintf(out, ",\"sync_state\":\"%s\"", hubha_fmt_sync_state(h->sync_state));
	else
		fputs(",\"sync_state\":null", out);
	if (pg)
		fprintf(out, ",\"wal_receiver\":\"%s\"", hubha_fmt_walrcv(r->wal_receiver));
	else
		fputs(",\"wal_receiver\":null", out);
	fprintf(out, ",\"services\":\"%s\"", rep ? hubha_fmt_services(r->services) : "unknown");
	if (rep)
		fprintf(out, ",\"report_age_ms\":%" PRIu64 "}", h->report_age_ms);
	else
		fputs(",\"report_age_ms\":null}", out);
}

int hubha_fmt_json(FILE *out, const struct hubha_view *view)
{
	const char *sep = "";
	unsigned bit;
	size_t i;

	fputs("{\"members\":[", out);
	for (i = 0; i < view->n_hubs; i++) {
		fputs(i ? "," : "", out);
		json_member(out, &view->hubs[i]);
	}
	fprintf(out, "],\"health\":\"%s\",\"reasons\":[", hubha_fmt_health(view->health));
	for (bit = 0; view->health == HUBHA_HEALTH_DEGRADED && bit < 32; bit++) {
		const char *s;

		if (!(view->reasons & (1u << bit)))
			continue;
		s = hubha_cluster_reason_str((hubha_reason_t)(1u << bit));
		fputs(sep, out);
		json_string(out, s ? s : "unknown reason");
		sep = ",";
	}
	fputs("],\"quorate\":", out);
	fputs(view->quorate < 0 ? "null" : view->quorate ? "true" : "false", out);
	return fputs("}\n", out) == EOF ? -1 : 0;
}

int hubha_parse_bytes(const char *text, uint64_t *ret_bytes)
{
	static const struct { const char *unit; unsigned shift; } units[] = {
		{ "", 0 }, { "B", 0 }, { "kB", 10 }, { "MB", 20 }, { "GB", 30 }, { "TB", 40 },
	};
	unsigned long long v;
	char *end;
	size_t i;

	if (!text || *text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno)
		return -ERANGE;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (units[i].shift && v > (UINT64_MAX >> units[i].shift))
			return -ERANGE;
		*ret_bytes = (uint64_t)v << units[i].shift;
		return 0;
	}
	return -EINVAL;
}

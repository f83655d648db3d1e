/*
 * The status page.  A meta refresh rather than a script: it works with
 * scripts off, and the page needs nothing but this one response.  Every
 * string from the cluster (names, addresses) is escaped.
 */
#include <inttypes.h>
#include <stdio.h>

#include "http_page.h"

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}"
	"h1{font-size:1.4em;margin:0 0 .3em}"
	".badge{display:inline-block;padding:.15em .6em;border-radius:.3em;color:#fff;font-weight:bold}"
	".ok{background:#2e7d32}.degraded{background:#c62828}.unknown{background:#757575}"
	".sub{color:#666;margin:0 0 1em}"
	"ul.reasons{margin:0 0 1em;padding-left:1.2em;color:#c62828}"
	"table{border-collapse:collapse;background:#fff}"
	"th,td{border:1px solid #ddd;padding:.3em .7em;text-align:left;white-space:nowrap}"
	"th{background:#eee}td.num{text-align:right}tr.local td:first-child{font-weight:bold}";

static void esc(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
	}
}

static void cell(FILE *out, const char *cls, const char *text)
{
	fprintf(out, "<td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
	esc(out, text);
	fputs("</td>", out);
}

static void hub_row(FILE *out, const hubha_hub_t *h, uint32_t local_nodeid)
{
	const hubha_report_t *r = &h->report;
	int pg = h->has_report && (r->role == HUBHA_ROLE_PRIMARY || r->role == HUBHA_ROLE_STANDBY);
	int standby = pg && r->role == HUBHA_ROLE_STANDBY;
	char role[48], buf[48], id[16];

	fprintf(out, "<tr%s>", h->nodeid == local_nodeid ? " class=\"local\"" : "");
	snprintf(id, sizeof(id), "%" PRIu32, h->nodeid);
	cell(out, NULL, h->name[0] ? h->name : id);
	cell(out, NULL, h->has_report && r->address[0] ? r->address : "-");
	cell(out, NULL, h->member ? "yes" : "no");
	if (standby && h->sync_state != HUBHA_SYNC_UNKNOWN)
		snprintf(role, sizeof(role), "standby (%s)", hubha_fmt_sync_state(h->sync_state));
	else
		snprintf(role, sizeof(role), "%s", h->has_report ? hubha_fmt_role(r->role) : "-");
	cell(out, NULL, role);
	cell(out, NULL, pg ? hubha_fmt_pg_state(r->pg_state) : "-");
	cell(out, NULL, standby ? hubha_fmt_walrcv(r->wal_receiver) : "-");
	snprintf(buf, sizeof(buf), "-");
	if (pg && r->timeline)
		snprintf(buf, sizeof(buf), "%" PRIu32, r->timeline);
	cell(out, "num", buf);
	snprintf(buf, sizeof(buf), "-");
	if (pg && r->lsn)
		hubha_fmt_lsn(r->lsn, buf, sizeof(buf));
	cell(out, NULL, buf);
	hubha_fmt_bytes(standby ? h->lag_bytes : -1, buf, sizeof(buf));
	cell(out, "num", buf);
	snprintf(buf, sizeof(buf), "-");
	if (standby && r->replay_lag_ms != UINT32_MAX)
		snprintf(buf, sizeof(buf), "%.1f s", (double)r->replay_lag_ms / 1000.0);
	cell(out, "num", buf);
	if (h->has_report)
		snprintf(buf, sizeof(buf), "%" PRIu64 " s ago", h->report_age_ms / 1000);
	else
		snprintf(buf, sizeof(buf), "never");
	cell(out, "num", buf);
	fputs("</tr>\n", out);
}

int hubha_page_write(FILE *out, const struct hubha_view *view, uint32_t local_nodeid, unsigned refresh_s)
{
	static const char *const head[] = { "Member", "Address", "In membership", "Role", "PostgreSQL",
					    "WAL receiver", "TL", "LSN", "Lag", "Replay lag", "Last report" };
	const char *badge = view->health == HUBHA_HEALTH_OK ? "OK" :
			    view->health == HUBHA_HEALTH_DEGRADED ? "DEGRADED" : "UNKNOWN";
	const char *local = NULL;

	for (size_t i = 0; i < view->n_hubs; i++)
		if (local_nodeid && view->hubs[i].nodeid == local_nodeid)
			local = view->hubs[i].name;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">", out);
	if (refresh_s)
		fprintf(out, "<meta http-equiv=\"refresh\" content=\"%u\">", refresh_s);
	fprintf(out, "<title>hubha: %s</title><style>%s</style></head>\n<body>\n", badge, style);
	fprintf(out, "<h1>hubha <span id=\"ha\" class=\"badge %s\">%s</span></h1>\n",
		hubha_fmt_health(view->health), badge);
	fputs("<p class=\"sub\">As seen from ", out);
	esc(out, local && local[0] ? local : "this node");
	fprintf(out, ": quorum %s", view->quorate < 0 ? "not known" : view->quorate ? "yes" : "no");
	if (refresh_s)
		fprintf(out, "; this page reloads every %u s", refresh_s);
	fputs(".</p>\n", out);
	if (view->health == HUBHA_HEALTH_DEGRADED) {
		fputs("<ul class=\"reasons\" id=\"reasons\">", out);
		for (unsigned bit = 0; bit < 32; bit++) {
			const char *s = hubha_cluster_reason_str((hubha_reason_t)(1u << bit));

			if (!(view->reasons & (1u << bit)))
				continue;
			fputs("<li>", out);
			esc(out, s ? s : "unknown reason");
			fputs("</li>", out);
		}
		fputs("</ul>\n", out);
	}
	fputs("<table id=\"hubs\"><thead><tr>", out);
	for (size_t c = 0; c < sizeof(head) / sizeof(head[0]); c++)
		fprintf(out, "<th>%s</th>", head[c]);
	fputs("</tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < view->n_hubs; i++)
		hub_row(out, &view->hubs[i], local_nodeid);
	fputs("</tbody></table>\n</body></html>\n", out);
	return fflush(out) == EOF || ferror(out) ? -1 : 0;
}

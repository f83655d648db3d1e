/*
 * Prometheus metrics.  Every hub gets its samples from this node's view,
 * labelled node="<name>", so one scrape of either hub shows the pair; a
 * value that is not known is left out rather than sent as 0, which would
 * read as a real LSN, timeline or lag.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "http_metrics.h"

/* Label values escape backslash, double quote and newline. */
static void label(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void __attribute__((format(printf, 4, 5)))
node_sample(FILE *out, const char *name, const hubha_hub_t *h, const char *fmt, ...)
{
	va_list ap;

	fprintf(out, "%s{node=\"", name);
	if (h->name[0])
		label(out, h->name);
	else
		fprintf(out, "%" PRIu32, h->nodeid);
	fputs("\"} ", out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

static int pg(const hubha_hub_t *h)
{
	return h->has_report && (h->report.role == HUBHA_ROLE_PRIMARY || h->report.role == HUBHA_ROLE_STANDBY);
}

static int standby(const hubha_hub_t *h)
{
	return h->has_report && h->report.role == HUBHA_ROLE_STANDBY;
}

enum metric {
	M_MEMBER, M_UP, M_PRIMARY, M_STREAMING, M_TIMELINE, M_LSN, M_RECEIVE_LSN, M_LAG_BYTES, M_LAG_SECONDS,
	M_AGE, M_N
};

static const struct {
	const char *name, *help;
} node_metrics[M_N] = {
	[M_MEMBER] = { "hubha_node_member", "1 if the node is in the corosync membership." },
	[M_UP] = { "hubha_node_up", "1 if the node reports its PostgreSQL running." },
	[M_PRIMARY] = { "hubha_node_primary", "1 if the node reports its PostgreSQL as the primary." },
	[M_STREAMING] = { "hubha_node_streaming", "1 if the node is a standby whose WAL receiver is streaming." },
	[M_TIMELINE] = { "hubha_node_timeline", "The node's PostgreSQL timeline." },
	[M_LSN] = { "hubha_node_lsn_bytes",
		    "WAL position: the primary's insert location, a standby's last replayed location." },
	[M_RECEIVE_LSN] = { "hubha_node_receive_lsn_bytes", "A standby's last received and flushed WAL location." },
	[M_LAG_BYTES] = { "hubha_node_replication_lag_bytes", "A standby's replay position behind the primary's." },
	[M_LAG_SECONDS] = { "hubha_node_replication_lag_seconds",
			    "Time since a standby replayed its last transaction, 0 once caught up." },
	[M_AGE] = { "hubha_node_last_report_age_seconds", "Seconds since this node received the node's last report." },
};

static void node_metric(FILE *out, enum metric m, const struct hubha_view *v)
{
	const char *name = node_metrics[m].name;

	head(out, name, "gauge", node_metrics[m].help);
	for (size_t i = 0; i < v->n_hubs; i++) {
		const hubha_hub_t *h = &v->hubs[i];
		const hubha_report_t *r = &h->report;

		switch (m) {
		case M_MEMBER:
			node_sample(out, name, h, "%d", !!h->member);
			break;
		case M_UP:
			node_sample(out, name, h, "%d", pg(h) && r->pg_state == HUBHA_PG_RUNNING);
			break;
		case M_PRIMARY:
			node_sample(out, name, h, "%d", h->has_report && r->role == HUBHA_ROLE_PRIMARY);
			break;
		case M_STREAMING:
			node_sample(out, name, h, "%d", standby(h) && r->wal_receiver == HUBHA_WALRCV_STREAMING);
			break;
		case M_TIMELINE:
			if (pg(h) && r->timeline)
				node_sample(out, name, h, "%" PRIu32, r->timeline);
			break;
		case M_LSN:
			if (pg(h) && r->lsn)
				node_sample(out, name, h, "%" PRIu64, r->lsn);
			break;
		case M_RECEIVE_LSN:
			if (standby(h) && r->receive_lsn)
				node_sample(out, name, h, "%" PRIu64, r->receive_lsn);
			break;
		case M_LAG_BYTES:
			if (standby(h) && h->lag_bytes >= 0)
				node_sample(out, name, h, "%" PRId64, h->lag_bytes);
			break;
		case M_LAG_SECONDS:
			if (standby(h) && r->replay_lag_ms != UINT32_MAX)
				node_sample(out, name, h, "%.3f", (double)r->replay_lag_ms / 1000.0);
			break;
		case M_AGE:
			if (h->has_report)
				node_sample(out, name, h, "%.3f", (double)h->report_age_ms / 1000.0);
			break;
		case M_N:
			break;
		}
	}
}

int hubha_metrics_write(FILE *out, const struct hubha_view *view, uint64_t failovers)
{
	static const hubha_health_t states[] = { HUBHA_HEALTH_OK, HUBHA_HEALTH_DEGRADED, HUBHA_HEALTH_UNKNOWN };

	for (int m = 0; m < M_N; m++)
		node_metric(out, (enum metric)m, view);

	head(out, "hubha_cluster_health", "gauge", "The HA verdict: 1 for the state it is in, 0 for the others.");
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		fprintf(out, "hubha_cluster_health{state=\"%s\"} %d\n", hubha_fmt_health(states[i]),
			view->health == states[i]);
	head(out, "hubha_cluster_degraded", "gauge", "1 for each reason the cluster is degraded, 0 for the others.");
	for (unsigned bit = 0; bit < 32; bit++) {
		const char *s = hubha_cluster_reason_str((hubha_reason_t)(1u << bit));

		if (!(HUBHA_REASON_ALL & (1u << bit)) || !s)
			continue;
		fputs("hubha_cluster_degraded{reason=\"", out);
		label(out, s);
		fprintf(out, "\"} %d\n", view->health == HUBHA_HEALTH_DEGRADED && (view->reasons & (1u << bit)));
	}
	if (view->quorate >= 0) {
		head(out, "hubha_cluster_quorate", "gauge", "1 if this node's partition is quorate.");
		fprintf(out, "hubha_cluster_quorate %d\n", !!view->quorate);
	}
	head(out, "hubha_failovers_total", "counter", "Changes of primary this hubhad has seen since it started.");
	fprintf(out, "hubha_failovers_total %" PRIu64 "\n", failovers);
	return fflush(out) == EOF || ferror(out) ? -1 : 0;
}

/*
 * hubhad's /metrics and /status renderers (tools/http_metrics.c,
 * tools/http_page.c) on a synthetic view; Prometheus' own checker reads the
 * metrics and libxml2's HTML parser the page, when they are installed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "http_metrics.h"
#include "http_page.h"

/* node1 primary; node2 streaming, 4 KiB and 1.5 s behind; "n\"3\\" a
 * witness that is not a member; degraded for the missing peer. */
static void view(hubha_hub_t h[3], struct hubha_view *v)
{
	memset(h, 0, 3 * sizeof(*h));
	snprintf(h[0].name, sizeof(h[0].name), "node1");
	h[0].nodeid = 1;
	h[0].member = h[0].has_report = 1;
	h[0].report = (hubha_report_t){ .role = HUBHA_ROLE_PRIMARY, .pg_state = HUBHA_PG_RUNNING, .timeline = 3,
					.lsn = 0x3001060, .replay_lag_ms = UINT32_MAX, .interval_ms = 2000,
					.address = "10.213.0.1" };
	h[0].report_age_ms = 400;
	h[0].lag_bytes = -1;
	snprintf(h[1].name, sizeof(h[1].name), "node2");
	h[1].nodeid = 2;
	h[1].member = h[1].has_report = 1;
	h[1].report = (hubha_report_t){ .role = HUBHA_ROLE_STANDBY, .pg_state = HUBHA_PG_RUNNING, .timeline = 3,
					.lsn = 0x3000060, .receive_lsn = 0x3001060, .replay_lag_ms = 1500,
					.wal_receiver = HUBHA_WALRCV_STREAMING, .interval_ms = 2000,
					.address = "10.213.0.2" };
	h[1].report_age_ms = 12345;
	h[1].lag_bytes = 4096;
	h[1].sync_state = HUBHA_SYNC_ASYNC;
	snprintf(h[2].name, sizeof(h[2].name), "<n\"3\\>");
	h[2].nodeid = 3;
	h[2].lag_bytes = -1;
	*v = (struct hubha_view){ .hubs = h, .n_hubs = 3, .health = HUBHA_HEALTH_DEGRADED,
				  .reasons = HUBHA_REASON_PEER_NOT_MEMBER | HUBHA_REASON_STALE_REPORT, .quorate = 1 };
}

static char *metrics(const struct hubha_view *v, uint64_t failovers)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(hubha_metrics_write(f, v, failovers), 0);
	fclose(f);
	return buf;
}

static char *page(const struct hubha_view *v, uint32_t local)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(hubha_page_write(f, v, local, 5), 0);
	fclose(f);
	return buf;
}

static void has(const char *text, const char *line)
{
	if (!strstr(text, line))
		fail_msg("missing: %s\nin:\n%s", line, text);
}

static void lacks(const char *text, const char *what)
{
	if (strstr(text, what))
		fail_msg("unexpected: %s\nin:\n%s", what, text);
}

static void test_metrics_samples(void **state)
{
	hubha_hub_t h[3];
	struct hubha_view v;
	char *m;

	(void)state;
	view(h, &v);
	m = metrics(&v, 3);
	has(m, "# TYPE hubha_node_up gauge\n");
	has(m, "\nhubha_node_member{node=\"node1\"} 1\n");
	has(m, "\nhubha_node_member{node=\"<n\\\"3\\\\>\"} 0\n");
	has(m, "\nhubha_node_up{node=\"node1\"} 1\n");
	has(m, "\nhubha_node_up{node=\"<n\\\"3\\\\>\"} 0\n");
	has(m, "\nhubha_node_primary{node=\"node1\"} 1\n");
	has(m, "\nhubha_node_primary{node=\"node2\"} 0\n");
	has(m, "\nhubha_node_streaming{node=\"node1\"} 0\n");
	has(m, "\nhubha_node_streaming{node=\"node2\"} 1\n");
	has(m, "\nhubha_node_timeline{node=\"node2\"} 3\n");
	has(m, "\nhubha_node_lsn_bytes{node=\"node1\"} 50335840\n");
	has(m, "\nhubha_node_lsn_bytes{node=\"node2\"} 50331744\n");
	has(m, "\nhubha_node_receive_lsn_bytes{node=\"node2\"} 50335840\n");
	has(m, "\nhubha_node_replication_lag_bytes{node=\"node2\"} 4096\n");
	has(m, "\nhubha_node_replication_lag_seconds{node=\"node2\"} 1.500\n");
	has(m, "\nhubha_node_last_report_age_seconds{node=\"node2\"} 12.345\n");
	has(m, "\nhubha_cluster_health{state=\"degraded\"} 1\n");
	has(m, "\nhubha_cluster_health{state=\"ok\"} 0\n");
	has(m, "\nhubha_cluster_degraded{reason=\"peer not a member\"} 1\n");
	has(m, "\nhubha_cluster_degraded{reason=\"no primary\"} 0\n");
	has(m, "\nhubha_cluster_quorate 1\n");
	has(m, "# TYPE hubha_failovers_total counter\nhubha_failovers_total 3\n");
	/* What is not known is left out, not sent as 0. */
	lacks(m, "hubha_node_replication_lag_bytes{node=\"node1\"}");
	lacks(m, "hubha_node_replication_lag_seconds{node=\"node1\"}");
	lacks(m, "hubha_node_receive_lsn_bytes{node=\"node1\"}");
	lacks(m, "hubha_node_timeline{node=\"<n");
	lacks(m, "hubha_node_last_report_age_seconds{node=\"<n");
	free(m);
}

static void test_metrics_reasons(void **state)
{
	unsigned n = 0;
	hubha_hub_t h[3];
	struct hubha_view v;
	char *m, *p;

	(void)state;
	view(h, &v);
	/* One gauge per reason, every one 0 when healthy, even with stale bits. */
	v.health = HUBHA_HEALTH_OK;
	v.quorate = -1;
	m = metrics(&v, 0);
	for (p = m; (p = strstr(p, "\nhubha_cluster_degraded{reason=")); p++) {
		n++;
		assert_non_null(strstr(p, "} 0\n"));
		assert_true(strstr(p, "} 0\n") < strchr(p + 1, '\n') + 1);
	}
	for (unsigned bit = 0; bit < 32; bit++)
		if (HUBHA_REASON_ALL & (1u << bit)) {
			char want[96];

			snprintf(want, sizeof(want), "{reason=\"%s\"}", hubha_cluster_reason_str((hubha_reason_t)(1u << bit)));
			has(m, want);
			n--;
		}
	assert_int_equal(n, 0);
	lacks(m, "hubha_cluster_quorate");
	has(m, "\nhubha_cluster_health{state=\"ok\"} 1\n");
	free(m);
}

/* Runs cmd over text on its stdin; its exit status, and what it printed. */
static int run_over(const char *cmd, const char *text, char *out, size_t out_len)
{
	char path[] = "/tmp/hubha-http-test.XXXXXX", full[512];
	size_t n = 0;
	FILE *f, *p;
	int fd, status;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	snprintf(full, sizeof(full), "%s < %s 2>&1", cmd, path);
	p = popen(full, "r");
	assert_non_null(p);
	n = fread(out, 1, out_len - 1, p);
	out[n] = '\0';
	status = pclose(p);
	unlink(path);
	return status;
}

static int have(const char *prog)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

static void test_metrics_promtool(void **state)
{
	hubha_hub_t h[3];
	struct hubha_view v;
	char out[4096], *m;

	(void)state;
	if (!have("promtool"))
		skip();
	view(h, &v);
	m = metrics(&v, 1);
	if (run_over("promtool check metrics", m, out, sizeof(out)) != 0 || out[0])
		fail_msg("promtool check metrics:\n%s", out);
	free(m);
	/* The checker is not blind: a counter without _total fails. */
	assert_int_not_equal(run_over("promtool check metrics",
				      "# HELP hubha_x x.\n# TYPE hubha_x counter\nhubha_x 1\n", out, sizeof(out)), 0);
}

static void test_page(void **state)
{
	hubha_hub_t h[3];
	struct hubha_view v;
	char *p;

	(void)state;
	view(h, &v);
	p = page(&v, 2);
	has(p, "<!DOCTYPE html>");
	has(p, "<meta http-equiv=\"refresh\" content=\"5\">");
	has(p, "<title>hubha: DEGRADED</title>");
	has(p, "<span id=\"ha\" class=\"badge degraded\">DEGRADED</span>");
	has(p, "<li>peer not a member</li><li>stale report</li>");
	has(p, "As seen from node2: quorum yes");
	has(p, "<tr class=\"local\"><td>node2</td>");
	has(p, "<td>standby (async)</td><td>running</td><td>streaming</td>");
	has(p, "<td class=\"num\">4.0 KiB</td><td class=\"num\">1.5 s</td><td class=\"num\">12 s ago</td>");
	has(p, "<td>primary</td>");
	has(p, "<td class=\"num\">0 s ago</td>");
	has(p, "<td>&lt;n&quot;3\\&gt;</td>");
	has(p, "<td class=\"num\">never</td>");
	lacks(p, "<n\"3");
	/* Self-contained: nothing fetched from anywhere. */
	lacks(p, "src=");
	lacks(p, "href=");
	lacks(p, "<script");
	free(p);

	v.health = HUBHA_HEALTH_OK;
	p = page(&v, 0);
	has(p, "class=\"badge ok\">OK</span>");
	has(p, "As seen from this node");
	lacks(p, "class=\"reasons\"");
	lacks(p, "class=\"local\"");
	free(p);
}

static void test_page_xmllint(void **state)
{
	hubha_hub_t h[3];
	struct hubha_view v;
	char out[4096], *p;

	(void)state;
	if (!have("xmllint"))
		skip();
	view(h, &v);
	p = page(&v, 1);
	if (run_over("xmllint --html --noout -", p, out, sizeof(out)) != 0 || out[0])
		fail_msg("xmllint --html:\n%s", out);
	free(p);
	/* The parser is not blind: a stray end tag is reported. */
	run_over("xmllint --html --noout -", "<html><body><p>x</bogus></body></html>", out, sizeof(out));
	has(out, "Unexpected end tag");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_samples),
		cmocka_unit_test(test_metrics_reasons),
		cmocka_unit_test(test_metrics_promtool),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_page_xmllint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

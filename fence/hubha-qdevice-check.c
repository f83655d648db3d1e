/*
 * hubha-qdevice-check — a corosync-qdevice heuristic (exec_NAME): exit 0 on
 * the node whose half of a split should keep the third vote.
 *
 * It passes when the local PostgreSQL is the primary, or a standby whose WAL
 * receiver is not streaming (its primary is gone or unreachable, so this
 * standby is the best candidate this half has).  It fails when the local
 * PostgreSQL is a streaming standby, is not running, or does not answer
 * within --timeout-ms.  The vote is one whatever the heuristics say: they
 * only choose which half gets it.  See hubha-qdevice-check(8).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hubha/pg.h>

#include "qdevice_check.h"

#define NAME "hubha-qdevice-check"

static void usage(FILE *f)
{
	fprintf(f, "usage: " NAME " [--host SOCKETDIR] [--port N] [--user NAME] [--dbname NAME] [--timeout-ms MS]\n"
		   "                           [--quiet]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' }, { "port", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'U' }, { "dbname", required_argument, NULL, 'd' },
		{ "timeout-ms", required_argument, NULL, 't' }, { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct hubha_pg_target t = { .host = "/var/run/postgresql", .port = 5432, .dbname = "postgres",
				     .user = "postgres", .timeout_ms = 2000 };
	struct hubha_pg_status status;
	struct pg_conn *conn;
	char err[512], *end;
	enum qdc_verdict v;
	bool quiet = false;
	long n;
	int c, r;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			t.host = optarg;
			break;
		case 'p':
			n = strtol(optarg, &end, 10);
			if (!*optarg || *end || n < 1 || n > 65535) {
				fprintf(stderr, NAME ": --port=%s must be 1..65535\n", optarg);
				return 2;
			}
			t.port = (unsigned)n;
			break;
		case 'U':
			t.user = optarg;
			break;
		case 'd':
			t.dbname = optarg;
			break;
		case 't':
			n = strtol(optarg, &end, 10);
			if (!*optarg || *end || n < 100 || n > 60000) {
				fprintf(stderr, NAME ": --timeout-ms=%s must be 100..60000\n", optarg);
				return 2;
			}
			t.timeout_ms = (unsigned)n;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	r = hubha_pg_connect(&t, &conn, err, sizeof(err));
	if (r < 0) {
		v = qdc_decide(false, NULL);
	} else {
		r = hubha_pg_status_get(conn, NULL, NULL, &status, err, sizeof(err));
		hubha_pg_close(conn);
		v = qdc_decide(r == 0, r == 0 ? &status : NULL);
		if (r == 0)
			hubha_pg_status_clear(&status);
	}
	if (!quiet)
		printf("%s%s%s\n", qdc_text(v), r < 0 ? ": " : "", r < 0 ? err : "");
	return qdc_passes(v) ? 0 : 1;
}

/*
 * serve-view SERVICE LOCAL_NODEID PRIMARY_NODEID... — hubhad's local IPC
 * service (tools/hubhad_ipc.c) on a name of the test's own, serving a
 * crafted view: hub1 (10.0.0.1) and hub2 (10.0.0.2), members with reports,
 * the given ones primary (none: 0).  Prints "ready" once it serves; runs
 * until SIGTERM.  Readers find it through HUBHA_TEST_IPC_SERVICE.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cluster_int.h"
#include "hubhad_ipc.h"

static hubha_hub_t hubs[2];
static uint32_t local_nodeid;

static int serve_view(uint8_t *buf, size_t size, size_t *ret_len, void *data)
{
	(void)data;
	return hubha_wire_encode_view(hubs, 2, local_nodeid, 1, buf, size, ret_len);
}

static int32_t on_term(int32_t sig, void *data)
{
	(void)sig;
	qb_loop_stop(data);
	return 0;
}

int main(int argc, char **argv)
{
	qb_loop_signal_handle sh;
	struct hubhad_ipc *ipc;
	qb_loop_t *loop;

	if (argc < 4) {
		fprintf(stderr, "usage: serve-view SERVICE LOCAL_NODEID PRIMARY_NODEID...\n");
		return 2;
	}
	local_nodeid = (uint32_t)atoi(argv[2]);
	for (int i = 0; i < 2; i++) {
		hubha_report_t *r = &hubs[i].report;

		snprintf(hubs[i].name, sizeof(hubs[i].name), "hub%d", i + 1);
		hubs[i].nodeid = (uint32_t)i + 1;
		hubs[i].member = 1;
		hubs[i].has_report = 1;
		r->role = HUBHA_ROLE_STANDBY;
		r->pg_state = HUBHA_PG_RUNNING;
		r->timeline = 1;
		r->interval_ms = 2000;
		r->replay_lag_ms = UINT32_MAX;
		snprintf(r->address, sizeof(r->address), "10.0.0.%d", i + 1);
	}
	for (int i = 3; i < argc; i++) {
		int id = atoi(argv[i]);

		if (id >= 1 && id <= 2) {
			hubs[id - 1].report.role = HUBHA_ROLE_PRIMARY;
			hubs[id - 1].report.services = HUBHA_SERVICES_OK;
		}
	}
	/* The test's shell may die without stopping it. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	loop = qb_loop_create();
	if (!loop || hubhad_ipc_new(loop, argv[1], HUBHAD_IPC_NO_GROUP, serve_view, NULL, &ipc) < 0) {
		fprintf(stderr, "serve-view: cannot serve %s\n", argv[1]);
		return 1;
	}
	qb_loop_signal_add(loop, QB_LOOP_HIGH, SIGTERM, loop, on_term, &sh);
	printf("ready\n");
	fflush(stdout);
	qb_loop_run(loop);
	hubhad_ipc_free(ipc);
	return 0;
}

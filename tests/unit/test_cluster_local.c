/*
 * HUBHA_CLUSTER_LOCAL: a handle that reads the local hubhad's view over
 * libqb IPC, against the real service (tools/hubhad_ipc.c) run by a child
 * process on a service name of this test's own.  The reader answers hubs,
 * quorum, its node and the verdict from that view, with health decided by
 * the same function as over CPG; a hubhad that is not there is one clear
 * error.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cluster_int.h"
#include "hubhad_ipc.h"

#define GROUP 4242

static struct {
	pid_t child;
	char service[64];
	int error;		/* what the served view_fn returns instead */
	int calls;
} srv;

static hubha_hub_t fixture[3];

static void make_fixture(void)
{
	hubha_report_t *r;

	memset(fixture, 0, sizeof(fixture));
	strcpy(fixture[0].name, "hub1");
	fixture[0].nodeid = 1;
	strcpy(fixture[1].name, "hub2");
	fixture[1].nodeid = 2;
	strcpy(fixture[2].name, "q");
	fixture[2].nodeid = 3;
	for (int i = 0; i < 3; i++) {
		fixture[i].member = 1;
		fixture[i].has_report = 1;
		fixture[i].report_age_ms = 100u * (unsigned)(i + 1);
		r = &fixture[i].report;
		r->pg_state = HUBHA_PG_RUNNING;
		r->timeline = 2;
		r->interval_ms = 2000;
		r->replay_lag_ms = UINT32_MAX;
		r->services = HUBHA_SERVICES_STOPPED;
	}
	r = &fixture[0].report;
	r->role = HUBHA_ROLE_PRIMARY;
	r->lsn = 0x5000;
	r->services = HUBHA_SERVICES_OK;
	r->flags = HUBHA_REPORT_FENCING_KNOWN;
	strcpy(r->address, "10.0.0.1");
	r->n_standbys = 1;
	strcpy(r->standbys[0].name, "hub2");
	r->standbys[0].state = HUBHA_WALRCV_STREAMING;
	r->standbys[0].sync_state = HUBHA_SYNC_ASYNC;
	r->standbys[0].flush_lsn = r->standbys[0].replay_lsn = 0x4000;
	r = &fixture[1].report;
	r->role = HUBHA_ROLE_STANDBY;
	r->lsn = r->receive_lsn = 0x4000;
	r->replay_lag_ms = 0;
	r->wal_receiver = HUBHA_WALRCV_STREAMING;
	fixture[2].report.role = HUBHA_ROLE_NONE;
	fixture[2].report.pg_state = HUBHA_PG_UNKNOWN;
}

/* In the child: the first view is quorate, every later one is not. */
static int serve_view(uint8_t *buf, size_t size, size_t *ret_len, void *data)
{
	(void)data;
	if (srv.error)
		return srv.error;
	srv.calls++;
	return hubha_wire_encode_view(fixture, 3, 2, srv.calls == 1, buf, size, ret_len);
}

static int32_t on_term(int32_t sig, void *data)
{
	(void)sig;
	qb_loop_stop(data);
	return 0;
}

static void serve(int ready)
{
	qb_loop_t *loop = qb_loop_create();
	qb_loop_signal_handle sh;
	struct hubhad_ipc *ipc;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!loop || hubhad_ipc_new(loop, srv.service, GROUP, serve_view, NULL, &ipc) < 0)
		_exit(1);
	qb_loop_signal_add(loop, QB_LOOP_HIGH, SIGTERM, loop, on_term, &sh);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	close(ready);
	qb_loop_run(loop);
	hubhad_ipc_free(ipc);
	_exit(0);
}

static void start_server(int error)
{
	static unsigned n;
	struct pollfd pfd;
	int p[2];
	char c;

	snprintf(srv.service, sizeof(srv.service), "hubha-test-%d-%u", (int)getpid(), n++);
	hubha_local_service = srv.service;
	srv.error = error;
	srv.calls = 0;
	assert_int_equal(pipe(p), 0);
	srv.child = fork();
	assert_true(srv.child >= 0);
	if (srv.child == 0) {
		close(p[0]);
		serve(p[1]);
	}
	close(p[1]);
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
}

static void stop_server(void)
{
	int status;

	if (srv.child <= 0)
		return;
	kill(srv.child, SIGCONT);
	kill(srv.child, SIGTERM);
	assert_int_equal(waitpid(srv.child, &status, 0), srv.child);
	srv.child = 0;
}

static int setup(void **state)
{
	(void)state;
	make_fixture();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	stop_server();
	return 0;
}

static void test_view(void **state)
{
	hubha_cluster_t *c = NULL;
	hubha_hub_t *hubs, active;
	hubha_health_t health, expect;
	uint32_t reasons, expect_reasons, nodeid = 0;
	char name[HUBHA_CLUSTER_NAME_MAX];
	size_t n;
	int quorate = -1;

	(void)state;
	start_server(0);
	assert_int_equal(hubha_cluster_open(HUBHA_CLUSTER_LOCAL, &c), 0);
	assert_int_equal(hubha_cluster_hubs(c, &hubs, &n), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(hubs[i].name, fixture[i].name);
		assert_int_equal(hubs[i].nodeid, fixture[i].nodeid);
		assert_int_equal(hubs[i].member, 1);
		assert_int_equal(hubs[i].has_report, 1);
		assert_memory_equal(&hubs[i].report, &fixture[i].report, sizeof(hubs[i].report));
		/* As hubhad saw it, plus the time since the view came. */
		assert_true(hubs[i].report_age_ms >= fixture[i].report_age_ms);
		assert_true(hubs[i].report_age_ms < fixture[i].report_age_ms + 60000);
	}
	assert_int_equal(hubs[1].lag_bytes, 0x1000);	/* derived on this side */
	assert_int_equal(hubs[1].sync_state, HUBHA_SYNC_ASYNC);
	/* The verdict is the same function's over the same hubs. */
	hubha_health_decide(hubs, n, 1, NULL, &expect, &expect_reasons);
	hubha_cluster_hubs_free(hubs);
	assert_int_equal(hubha_cluster_health(c, NULL, &health, &reasons), 0);
	assert_int_equal(health, expect);
	assert_int_equal(reasons, expect_reasons);
	assert_int_equal(health, HUBHA_HEALTH_OK);

	assert_int_equal(hubha_cluster_quorate(c, &quorate), 0);
	assert_int_equal(quorate, 1);
	assert_int_equal(hubha_cluster_local(c, &nodeid, name), 0);
	assert_int_equal(nodeid, 2);
	assert_string_equal(name, "hub2");
	assert_int_equal(hubha_cluster_active_hub(c, &active), 0);
	assert_int_equal(active.nodeid, 1);
	assert_string_equal(active.report.address, "10.0.0.1");

	/* refresh takes hubhad's view again: now without quorum. */
	assert_int_equal(hubha_cluster_refresh(c, 5000), 0);
	assert_int_equal(hubha_cluster_quorate(c, &quorate), 0);
	assert_int_equal(quorate, 0);
	assert_int_equal(hubha_cluster_health(c, NULL, &health, &reasons), 0);
	assert_int_equal(health, HUBHA_HEALTH_DEGRADED);
	assert_true(reasons & HUBHA_REASON_NO_QUORUM);
	hubha_cluster_close(c);
}

static void test_no_cpg_calls(void **state)
{
	hubha_cluster_t *c = NULL;
	hubha_report_t r;
	int fd;

	(void)state;
	start_server(0);
	assert_int_equal(hubha_cluster_open(HUBHA_CLUSTER_LOCAL | HUBHA_CLUSTER_ASK, &c), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(hubha_cluster_fd(c, &fd), -EOPNOTSUPP);
	assert_int_equal(hubha_cluster_dispatch(c), -EOPNOTSUPP);
	assert_int_equal(hubha_cluster_publish(c, &r), -EOPNOTSUPP);
	assert_int_equal(hubha_cluster_set_notify(c, NULL, NULL), -EOPNOTSUPP);
	hubha_cluster_close(c);
}

static void test_not_running(void **state)
{
	hubha_cluster_t *c = (hubha_cluster_t *)&srv;

	(void)state;
	hubha_local_service = "hubha-test-nobody";
	assert_int_equal(hubha_cluster_open(HUBHA_CLUSTER_LOCAL, &c), -ESRCH);
	assert_ptr_equal(c, &srv);
	assert_string_equal(hubha_cluster_strerror(-ESRCH), "hubhad is not running on this node");
}

static void test_hubhad_goes_away(void **state)
{
	hubha_cluster_t *c = NULL;
	hubha_health_t health;
	uint32_t reasons;
	int quorate;

	(void)state;
	start_server(0);
	assert_int_equal(hubha_cluster_open(HUBHA_CLUSTER_LOCAL, &c), 0);
	stop_server();
	assert_int_equal(hubha_cluster_refresh(c, 5000), -ESRCH);
	assert_int_equal(hubha_cluster_quorate(c, &quorate), -ENOTCONN);
	assert_int_equal(hubha_cluster_health(c, NULL, &health, &reasons), 0);
	assert_int_equal(health, HUBHA_HEALTH_UNKNOWN);
	/* Back: the next refresh connects again. */
	start_server(0);
	assert_int_equal(hubha_cluster_refresh(c, 5000), 0);
	assert_int_equal(hubha_cluster_health(c, NULL, &health, &reasons), 0);
	assert_int_equal(health, HUBHA_HEALTH_OK);
	hubha_cluster_close(c);
}

/* A hubhad that does not answer (stopped) is not waited for without bound. */
static void test_hubhad_stopped(void **state)
{
	hubha_cluster_t *c = NULL;

	(void)state;
	start_server(0);
	assert_int_equal(hubha_cluster_open(HUBHA_CLUSTER_LOCAL, &c), 0);
	kill(srv.child, SIGSTOP);
	assert_int_equal(hubha_cluster_refresh(c, 200), -ETIMEDOUT);
	hubha_cluster_close(c);
	c = NULL;
	assert_int_equal(hubha_cluster_open(HUBHA_CLUSTER_LOCAL, &c), -ETIMEDOUT);
	assert_null(c);
}

/* hubhad without corosync knows nothing current: the reader gets its error. */
static void test_served_error(void **state)
{
	hubha_cluster_t *c = NULL;

	(void)state;
	start_server(-ENOTCONN);
	assert_int_equal(hubha_cluster_open(HUBHA_CLUSTER_LOCAL, &c), -ENOTCONN);
}

/* The result of open in a child running as uid 65534 and group gid. */
static int open_as(gid_t gid)
{
	hubha_cluster_t *c = NULL;
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int r;

		if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(65534) < 0)
			_exit(100);
		r = hubha_cluster_open(HUBHA_CLUSTER_LOCAL, &c);
		hubha_cluster_close(c);
		_exit(-r);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return -WEXITSTATUS(status);
}

/* Neither root nor of the group: refused; of the group: served. */
static void test_group(void **state)
{
	(void)state;
	start_server(0);
	assert_int_equal(open_as(65534), -EPERM);
	assert_int_equal(open_as(GROUP), 0);
}

static void test_allowed(void **state)
{
	static const struct {
		uid_t uid;
		gid_t gid, group;
		int want;
	} cases[] = {
		{ 0, 0, HUBHAD_IPC_NO_GROUP, 0 },
		{ 0, 100, GROUP, 0 },
		{ 1000, 1000, HUBHAD_IPC_NO_GROUP, -EPERM },
		{ 1000, GROUP, GROUP, 0 },
		{ 1000, 1000, GROUP, -EPERM },
		{ 1000, HUBHAD_IPC_NO_GROUP, HUBHAD_IPC_NO_GROUP, -EPERM },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(hubhad_ipc_allowed(cases[i].uid, cases[i].gid, cases[i].group), cases[i].want);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_view),
		T(test_no_cpg_calls),
		T(test_not_running),
		T(test_hubhad_goes_away),
		T(test_hubhad_stopped),
		T(test_served_error),
		T(test_group),
		T(test_allowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

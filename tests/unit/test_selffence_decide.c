/*
 * Self-fencing decisions (fence/selffence_decide.c, fence/qdevice_check.c):
 * what the daemon does at a given moment after quorum loss, when the
 * survivor's agent may confirm, and which PostgreSQL states the qdevice
 * heuristic passes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "qdevice_check.h"
#include "selffence_decide.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Quorum lost at t=10000 with a 5000 ms bound, a 500 ms tick that last ran at now-500 unless said otherwise. */
#define LOST 10000u
#define BOUND 5000u

static void daemon_table(void **state)
{
	static const struct {
		const char *what;
		bool connected, quorate, clean, hook_done;
		uint64_t now, last_tick;
		bool fence, run_hook, pet, overdue;
		unsigned hook_budget;
	} t[] = {
		{ "quorate and on time: pet, nothing to do", true, true, false, true, 20000, 19500, false, false, true, false, 0 },
		{ "quorate, tick exactly 2 intervals late: still pets", true, true, false, true, 20000, 19000, false, false, true, false, 0 },
		{ "quorate, loop stalled: no pet", true, true, false, true, 20000, 18999, false, false, false, false, 0 },
		{ "quorate, clock before the last tick: no pet", true, true, false, true, 20000, 20001, false, false, false, false, 0 },
		{ "connected, quorum lost at once: fence, hook, no pet", true, false, false, false, LOST, LOST - 500, true, true, false, false, BOUND },
		{ "corosync gone counts as quorum loss, whatever quorate said", false, true, false, false, LOST + 100, LOST - 400, true, true, false, false, BOUND - 100 },
		{ "hook done: fence again, no second hook", true, false, true, true, LOST + 1000, LOST + 500, true, false, false, false, BOUND - 1000 },
		{ "just before the bound, not clean: not yet overdue", true, false, false, true, LOST + BOUND - 1, LOST + BOUND - 501, true, false, false, false, SF_HOOK_MIN_MS },
		{ "at the bound, not clean: overdue", true, false, false, true, LOST + BOUND, LOST + BOUND - 500, true, false, false, true, SF_HOOK_MIN_MS },
		{ "past the bound but clean: not overdue, still fencing", true, false, true, true, LOST + 60000, LOST + 59500, true, false, false, false, SF_HOOK_MIN_MS },
		{ "hook late in the bound gets at least its minimum", true, false, true, false, LOST + BOUND - 200, LOST + BOUND - 700, true, true, false, false, SF_HOOK_MIN_MS },
		{ "hook with exactly the minimum left", true, false, true, false, LOST + BOUND - SF_HOOK_MIN_MS, LOST, true, true, false, false, SF_HOOK_MIN_MS },
		{ "disconnected and never quorate: fence, never pet", false, false, false, false, LOST, LOST, true, true, false, false, BOUND },
	};

	(void)state;
	for (size_t i = 0; i < LEN(t); i++) {
		struct sf_daemon_in in = {
			.connected = t[i].connected, .quorate = t[i].quorate, .lost_at_ms = LOST, .now_ms = t[i].now,
			.bound_ms = BOUND, .clean = t[i].clean, .hook_done = t[i].hook_done,
			.last_tick_ms = t[i].last_tick, .interval_ms = 500,
		};
		struct sf_daemon_out out;

		memset(&out, 0xa5, sizeof(out));
		sf_daemon_decide(&in, &out);
		print_message("%s\n", t[i].what);
		assert_int_equal(out.fence, t[i].fence);
		assert_int_equal(out.run_hook, t[i].run_hook);
		assert_int_equal(out.pet, t[i].pet);
		assert_int_equal(out.overdue, t[i].overdue);
		if (t[i].fence)
			assert_int_equal(out.hook_budget_ms, t[i].hook_budget);
	}
}

static void confirm_table(void **state)
{
	static const struct {
		const char *what;
		bool view_ok, member, quorate;
		uint64_t now;
		enum sf_confirm want;
	} t[] = {
		{ "no view: refuse", false, false, true, 1000 + 20000, SF_CONFIRM_UNKNOWN },
		{ "member at the start: refuse at once", true, true, true, 1000, SF_CONFIRM_MEMBER },
		{ "member again late in the wait: refuse", true, true, true, 1000 + 9999, SF_CONFIRM_MEMBER },
		{ "member after the wait: still refuse", true, true, true, 1000 + 50000, SF_CONFIRM_MEMBER },
		{ "out, quorate, wait not over: wait", true, false, true, 1000 + 9999, SF_CONFIRM_WAIT },
		{ "out, quorate, wait over: fenced", true, false, true, 1000 + 10000, SF_CONFIRM_FENCED },
		{ "out, this node without quorum: refuse", true, false, false, 1000 + 10000, SF_CONFIRM_NO_QUORUM },
		{ "out, without quorum, early: refuse at once", true, false, false, 1000, SF_CONFIRM_NO_QUORUM },
		{ "clock before the start: wait", true, false, true, 999, SF_CONFIRM_WAIT },
		{ "view lost counts before membership", false, true, true, 1000, SF_CONFIRM_UNKNOWN },
	};

	(void)state;
	for (size_t i = 0; i < LEN(t); i++) {
		struct sf_confirm_in in = {
			.view_ok = t[i].view_ok, .target_member = t[i].member, .local_quorate = t[i].quorate,
			.started_ms = 1000, .now_ms = t[i].now, .wait_ms = 10000,
		};

		print_message("%s\n", t[i].what);
		assert_int_equal(sf_confirm_decide(&in), t[i].want);
	}
}

static void qdevice_table(void **state)
{
	static const struct {
		const char *what;
		bool answered, in_recovery;
		const char *receiver;
		enum qdc_verdict want;
		bool pass;
	} t[] = {
		{ "no answer", false, false, "", QDC_NO_SERVER, false },
		{ "primary", true, false, "", QDC_PRIMARY, true },
		{ "standby streaming", true, true, "streaming", QDC_STREAMING_STANDBY, false },
		{ "standby without a receiver", true, true, "", QDC_ORPHAN_STANDBY, true },
		{ "standby whose receiver is starting", true, true, "starting", QDC_ORPHAN_STANDBY, true },
		{ "standby whose receiver is waiting", true, true, "waiting", QDC_ORPHAN_STANDBY, true },
		{ "a primary with a stale receiver field is still the primary", true, false, "streaming", QDC_PRIMARY, true },
	};

	(void)state;
	for (size_t i = 0; i < LEN(t); i++) {
		struct hubha_pg_status st = { .in_recovery = t[i].in_recovery };
		enum qdc_verdict v;

		snprintf(st.receiver, sizeof(st.receiver), "%s", t[i].receiver);
		print_message("%s\n", t[i].what);
		v = qdc_decide(t[i].answered, t[i].answered ? &st : NULL);
		assert_int_equal(v, t[i].want);
		assert_int_equal(qdc_passes(v), t[i].pass);
		assert_non_null(strstr(qdc_text(v), t[i].pass ? "pass" : "fail"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(daemon_table),
		cmocka_unit_test(confirm_table),
		cmocka_unit_test(qdevice_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

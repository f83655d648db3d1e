/*
 * Self-fencing decisions, pure: the daemon's (what is due after quorum
 * loss; may the watchdog be petted) and the fence agent's (may a lost node
 * be confirmed fenced yet).  No I/O, no clock: times are passed in.
 */
#ifndef HUBHA_SELFFENCE_DECIDE_H
#define HUBHA_SELFFENCE_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

#define SF_HOOK_MIN_MS 1000

struct sf_daemon_in {
	bool connected;		/* the quorum service answers */
	bool quorate;		/* its last word (meaningless when not connected) */
	uint64_t lost_at_ms;	/* when quorum (or corosync) was lost; valid when not quorate */
	uint64_t now_ms;
	unsigned bound_ms;	/* the promise: fenced within this of lost_at_ms */
	bool clean;		/* since lost_at_ms a pass found PostgreSQL dead and the addresses gone */
	bool hook_done;		/* the hook ran (or there is none) since lost_at_ms */
	uint64_t last_tick_ms;	/* the loop's previous tick */
	unsigned interval_ms;	/* the loop's tick */
};

struct sf_daemon_out {
	bool fence;		/* kill PostgreSQL, remove the addresses: on every tick without quorum */
	bool run_hook;		/* once per loss */
	bool pet;		/* the watchdog may be petted now */
	bool overdue;		/* the bound passed and the node is not known clean: the promise is broken */
	unsigned hook_budget_ms;	/* what is left of the bound for the hook, at least SF_HOOK_MIN_MS */
};

void sf_daemon_decide(const struct sf_daemon_in *in, struct sf_daemon_out *out);

enum sf_confirm {
	SF_CONFIRM_WAIT,	/* keep watching */
	SF_CONFIRM_FENCED,	/* the node has certainly fenced itself */
	SF_CONFIRM_MEMBER,	/* refuse: the node is (again) a member */
	SF_CONFIRM_NO_QUORUM,	/* refuse: this node has no quorum, so the other's absence proves nothing */
	SF_CONFIRM_UNKNOWN,	/* refuse: membership could not be read */
};

struct sf_confirm_in {
	bool view_ok;		/* membership and quorum were read */
	bool target_member;
	bool local_quorate;
	uint64_t started_ms;	/* when the agent was called */
	uint64_t now_ms;
	unsigned wait_ms;	/* quorum_loss + bound + margin */
};

enum sf_confirm sf_confirm_decide(const struct sf_confirm_in *in);

#endif

/*
 * Self-fencing decisions: see selffence_decide.h.
 */
#include "selffence_decide.h"

void sf_daemon_decide(const struct sf_daemon_in *in, struct sf_daemon_out *out)
{
	bool quorate = in->connected && in->quorate;
	uint64_t due = in->lost_at_ms + in->bound_ms;
	/* A tick that came late means the loop stalled: such a loop must not keep the node alive. */
	bool healthy = in->now_ms >= in->last_tick_ms && in->now_ms - in->last_tick_ms <= 2ull * in->interval_ms;

	*out = (struct sf_daemon_out){ 0 };
	if (quorate) {
		out->pet = healthy;
		return;
	}
	/* Without quorum every tick checks again: nothing may bring a writable PostgreSQL back. */
	out->fence = true;
	out->run_hook = !in->hook_done;
	out->overdue = !in->clean && in->now_ms >= due;
	/* The hook is not part of the promise: past the bound it still gets a short while. */
	out->hook_budget_ms = in->now_ms + SF_HOOK_MIN_MS >= due ? SF_HOOK_MIN_MS : (unsigned)(due - in->now_ms);
}

enum sf_confirm sf_confirm_decide(const struct sf_confirm_in *in)
{
	if (!in->view_ok)
		return SF_CONFIRM_UNKNOWN;
	if (in->target_member)
		return SF_CONFIRM_MEMBER;
	/* Out of a partition that has no quorum says nothing about the node's own quorum. */
	if (!in->local_quorate)
		return SF_CONFIRM_NO_QUORUM;
	if (in->now_ms < in->started_ms || in->now_ms - in->started_ms < in->wait_ms)
		return SF_CONFIRM_WAIT;
	return SF_CONFIRM_FENCED;
}

/*
 * fence_hubha_gate — the decision as a pure function (see gate_decide.h).
 */
#include <string.h>

#include "gate_decide.h"

struct gate_decision gate_decide(const struct gate_input *in)
{
	int c;

	/* The cluster fences this node itself only when nobody else can: nothing to race. */
	if (in->self && in->target && strcmp(in->self, in->target) == 0)
		return (struct gate_decision){ GATE_PASS, "the target is this node" };
	if (in->role == GATE_ROLE_PRIMARY)
		return (struct gate_decision){ GATE_PASS, "the local PostgreSQL is the primary" };
	/* A primary's location is not published; an old one left behind must not outrank it. */
	if (in->peer_was_primary)
		return (struct gate_decision){ GATE_WAIT, "the target was the primary as last published" };
	if (in->role != GATE_ROLE_STANDBY || !in->have_mine)
		return (struct gate_decision){ GATE_WAIT, "no location of the local PostgreSQL" };
	if (!in->have_peer)
		return (struct gate_decision){ GATE_WAIT, "no published location of the target" };
	c = pgsql_location_cmp(in->mine, in->peer);
	if (c > 0)
		return (struct gate_decision){ GATE_PASS, "the local data is ahead of the target's" };
	if (c < 0)
		return (struct gate_decision){ GATE_WAIT, "the target's data is ahead" };
	/* Level: the first name in strcmp order wins, the same on both sides. */
	if (in->self && in->target && strcmp(in->self, in->target) < 0)
		return (struct gate_decision){ GATE_PASS, "level with the target, and first by name" };
	return (struct gate_decision){ GATE_WAIT, "level with the target, which is first by name" };
}

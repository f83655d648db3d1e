/*
 * fence_hubha_gate — the decision, apart from the I/O that gathers its
 * inputs: does this node let a fence of its peer through now, or wait first
 * so that the node that deserves to survive can fence this one?  Nothing here
 * connects, forks, reads the environment or logs.  Locations are the pgsql
 * agent's own (pgsql_decide.h): parsed and compared by the code that writes them.
 */
#ifndef HUBHA_FENCE_GATE_DECIDE_H
#define HUBHA_FENCE_GATE_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pgsql_decide.h"

/* What the local PostgreSQL answered. */
enum gate_role {
	GATE_ROLE_UNKNOWN,	/* not reachable, or no answer in time */
	GATE_ROLE_PRIMARY,
	GATE_ROLE_STANDBY,
};

struct gate_input {
	const char *self;		/* this node's name */
	const char *target;		/* the node to fence */
	enum gate_role role;
	bool have_mine;			/* mine is this node's location */
	struct pgsql_location mine;
	bool have_peer;			/* peer is the target's last published location */
	struct pgsql_location peer;
	bool peer_was_primary;		/* the target last published itself as the primary */
};

enum gate_verdict {
	GATE_PASS,	/* let the fence through now */
	GATE_WAIT,	/* wait, then let it through */
};

/* Why, as a fixed phrase for the log. */
struct gate_decision {
	enum gate_verdict verdict;
	const char *why;
};

struct gate_decision gate_decide(const struct gate_input *in);

#endif

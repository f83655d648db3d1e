/*
 * fence_hubha_gate — is the gate where it must be?  A gate fencing on its own
 * would tell Pacemaker a node is off when nothing switched it off, so before
 * it lets an off through, the gate reads the CIB's fencing topology and
 * stonith devices (cibadmin's answer, as XML) and checks its place there.
 * Nothing here runs a tool, reads the environment or logs.
 */
#ifndef HUBHA_FENCE_GATE_TOPOLOGY_H
#define HUBHA_FENCE_GATE_TOPOLOGY_H

#include <stddef.h>

/*
 * xml (len bytes) holds <fencing-topology>, the stonith <primitive>s and
 * <nodes> in any order and wrapping.  The gate may fence target when at least
 * one fencing level applies to target (by target, target-pattern, or
 * target-attribute/target-value on the node's attributes: without a level,
 * Pacemaker may pick any device, the gate alone among them) and every level
 * that applies to target and lists a device of type gate_type also lists a
 * stonith device of another type.
 *
 * Returns 0 when it may; -EPERM when it may not, with why saying which level
 * or that none applies; -EBADMSG when xml does not parse (why says so).
 */
int gate_topology_check(const char *xml, size_t len, const char *target, const char *gate_type, char *why,
			size_t why_len);

#endif

/*
 * fence_hubha_gate's decision (fence/gate_decide.c), from a table: who lets a
 * fence through at once and who waits, with the numbers compared timeline
 * first, and both sides of every split reaching opposite verdicts.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gate_decide.h"
#include "gate_topology.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define LOC(t, hi, lo) ((struct pgsql_location){ .tl = (t), .lsn = ((hubha_lsn)(hi) << 32) | (lo) })

#define P GATE_ROLE_PRIMARY
#define S GATE_ROLE_STANDBY
#define U GATE_ROLE_UNKNOWN

static const struct {
	const char *what;
	struct gate_input in;
	enum gate_verdict want;
} cases[] = {
	{ "primary passes at once, no peer data",
	  { "node2", "node1", P, true, LOC(2, 0, 0x3000060), false, { 0 }, false }, GATE_PASS },
	{ "primary passes even if the peer published a later location",
	  { "node2", "node1", P, true, LOC(2, 0, 0x3000060), true, LOC(3, 0, 0x9000000), false }, GATE_PASS },
	{ "primary passes even if the peer claims PRI (both primaries: a split brain already)",
	  { "node2", "node1", P, true, LOC(2, 0, 1), false, { 0 }, true }, GATE_PASS },
	{ "standby, peer published nothing: waits",
	  { "node1", "node2", S, true, LOC(2, 0, 0x3000060), false, { 0 }, false }, GATE_WAIT },
	{ "standby, peer was the primary: waits whatever a stale location says",
	  { "node1", "node2", S, true, LOC(3, 0, 0x9000000), true, LOC(2, 0, 0x1000000), true }, GATE_WAIT },
	{ "PostgreSQL unreachable: waits",
	  { "node1", "node2", U, false, { 0 }, true, LOC(1, 0, 0), false }, GATE_WAIT },
	{ "standby without its own location: waits",
	  { "node1", "node2", S, false, { 0 }, true, LOC(1, 0, 0), false }, GATE_WAIT },
	{ "standby ahead by LSN: passes",
	  { "node2", "node1", S, true, LOC(2, 0, 0x3000100), true, LOC(2, 0, 0x3000060), false }, GATE_PASS },
	{ "standby behind by LSN: waits",
	  { "node1", "node2", S, true, LOC(2, 0, 0x3000060), true, LOC(2, 0, 0x3000100), false }, GATE_WAIT },
	{ "newer timeline wins over a larger LSN",
	  { "node1", "node2", S, true, LOC(3, 0, 0x100), true, LOC(2, 5, 0), false }, GATE_PASS },
	{ "older timeline waits though its LSN is larger",
	  { "node2", "node1", S, true, LOC(2, 5, 0), true, LOC(3, 0, 0x100), false }, GATE_WAIT },
	/* As text 0/FFFFFFFF > 1/0 and 9/0 > 10/0: numbers must decide. */
	{ "high half counts: 1/0 is ahead of 0/FFFFFFFF",
	  { "node1", "node2", S, true, LOC(1, 1, 0), true, LOC(1, 0, 0xFFFFFFFF), false }, GATE_PASS },
	{ "hex width: 10/0 is ahead of 9/0",
	  { "node1", "node2", S, true, LOC(1, 0x10, 0), true, LOC(1, 0x9, 0), false }, GATE_PASS },
	{ "timeline 10 is ahead of timeline 9",
	  { "node1", "node2", S, true, LOC(10, 0, 1), true, LOC(9, 0, 2), false }, GATE_PASS },
	{ "level: the first name passes",
	  { "node1", "node2", S, true, LOC(2, 0, 0x3000060), true, LOC(2, 0, 0x3000060), false }, GATE_PASS },
	{ "level: the second name waits",
	  { "node2", "node1", S, true, LOC(2, 0, 0x3000060), true, LOC(2, 0, 0x3000060), false }, GATE_WAIT },
	{ "asked to fence itself: passes (nobody else could)",
	  { "node1", "node1", S, false, { 0 }, false, { 0 }, false }, GATE_PASS },
	{ "no name for this node, no data: waits",
	  { "", "node2", U, false, { 0 }, false, { 0 }, false }, GATE_WAIT },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		struct gate_decision d = gate_decide(&cases[i].in);

		if (d.verdict != cases[i].want)
			fail_msg("%s: %s (%s)", cases[i].what, d.verdict == GATE_PASS ? "passes" : "waits", d.why);
		assert_non_null(d.why);
		assert_true(d.why[0] != '\0');
	}
}

/*
 * The two sides of a split, each with its own view: exactly one passes at
 * once whenever both have data or one is the primary.
 */
static void test_both_sides(void **state)
{
	static const struct {
		enum gate_role r1, r2;
		struct pgsql_location l1, l2;
		bool pub1, pub2;	/* node1's location published (seen by node2), and node2's */
	} splits[] = {
		{ P, S, LOC(2, 0, 0x500), LOC(2, 0, 0x400), false, false },
		{ S, P, LOC(2, 0, 0x500), LOC(3, 0, 0x100), true, false },
		{ S, S, LOC(2, 0, 0x500), LOC(2, 0, 0x400), true, true },
		{ S, S, LOC(2, 0, 0x400), LOC(2, 0, 0x500), true, true },
		{ S, S, LOC(2, 0, 0x500), LOC(2, 0, 0x500), true, true },
		{ S, S, LOC(4, 0, 0x1), LOC(3, 7, 0x0), true, true },
	};

	(void)state;
	for (size_t i = 0; i < LEN(splits); i++) {
		struct gate_input on1 = { "node1", "node2", splits[i].r1, true, splits[i].l1, splits[i].pub2, splits[i].l2,
					  splits[i].r2 == P };
		struct gate_input on2 = { "node2", "node1", splits[i].r2, true, splits[i].l2, splits[i].pub1, splits[i].l1,
					  splits[i].r1 == P };
		int passes = (gate_decide(&on1).verdict == GATE_PASS) + (gate_decide(&on2).verdict == GATE_PASS);

		if (passes != 1)
			fail_msg("split %zu: %d sides pass at once", i, passes);
	}
}

/* A CIB answer as cibadmin --query --xpath gives it: the devices, the nodes, then LEVELS. */
#define CIB(LEVELS)                                                                                         \
	"<xpath-query><nodes><node id=\"1\" uname=\"node1\"><instance_attributes id=\"a\">"                  \
	"<nvpair id=\"r\" name=\"rack\" value=\"r1\"/></instance_attributes></node>"                         \
	"<node id=\"2\" uname=\"node2\"/></nodes>"                                                           \
	"<primitive id=\"gate\" class=\"stonith\" type=\"fence_hubha_gate\"/>"                               \
	"<primitive id=\"gate2\" class=\"stonith\" type=\"fence_hubha_gate\"/>"                              \
	"<primitive id=\"power\" class=\"stonith\" type=\"fence_ipmilan\"/>"                                 \
	"<fencing-topology>" LEVELS "</fencing-topology></xpath-query>"

static void test_topology(void **state)
{
	static const struct {
		const char *what, *xml, *target;
		int want;
	} topo[] = {
		{ "gate first in a level with the power device", CIB("<fencing-level id=\"l1\" target=\"node1\" "
			"index=\"1\" devices=\"gate,power\"/>"), "node1", 0 },
		{ "node names compare as Pacemaker's do, without case", CIB("<fencing-level id=\"l1\" target=\"NODE1\" "
			"index=\"1\" devices=\"gate,power\"/>"), "node1", 0 },
		{ "a level for another node only: the gate could fence this one alone", CIB("<fencing-level id=\"l1\" "
			"target=\"node2\" index=\"1\" devices=\"gate,power\"/>"), "node1", -EPERM },
		{ "no topology at all", "<xpath-query><primitive id=\"gate\" class=\"stonith\" "
			"type=\"fence_hubha_gate\"/></xpath-query>", "node1", -EPERM },
		{ "nothing matched (cibadmin found nothing)", "<none/>", "node1", -EPERM },
		{ "the gate alone in a level", CIB("<fencing-level id=\"l1\" target=\"node1\" index=\"1\" "
			"devices=\"gate\"/>"), "node1", -EPERM },
		{ "two gates and nothing else", CIB("<fencing-level id=\"l1\" target=\"node1\" index=\"1\" "
			"devices=\"gate,gate2\"/>"), "node1", -EPERM },
		{ "the other device does not exist", CIB("<fencing-level id=\"l1\" target=\"node1\" index=\"1\" "
			"devices=\"gate,ghost\"/>"), "node1", -EPERM },
		{ "a good level 1, the gate alone in level 2", CIB("<fencing-level id=\"l1\" target=\"node1\" "
			"index=\"1\" devices=\"gate,power\"/><fencing-level id=\"l2\" target=\"node1\" index=\"2\" "
			"devices=\"gate\"/>"), "node1", -EPERM },
		{ "a second level without the gate is no concern of the gate's", CIB("<fencing-level id=\"l1\" "
			"target=\"node1\" index=\"1\" devices=\"gate,power\"/><fencing-level id=\"l2\" "
			"target=\"node1\" index=\"2\" devices=\"power\"/>"), "node1", 0 },
		{ "by target-pattern", CIB("<fencing-level id=\"l1\" target-pattern=\"^node[0-9]+$\" index=\"1\" "
			"devices=\"gate,power\"/>"), "node2", 0 },
		{ "a pattern that does not match", CIB("<fencing-level id=\"l1\" target-pattern=\"^db[0-9]$\" "
			"index=\"1\" devices=\"gate,power\"/>"), "node2", -EPERM },
		{ "a pattern that does not compile", CIB("<fencing-level id=\"l1\" target-pattern=\"(\" index=\"1\" "
			"devices=\"gate,power\"/>"), "node2", -EBADMSG },
		{ "by target-attribute on the node", CIB("<fencing-level id=\"l1\" target-attribute=\"rack\" "
			"target-value=\"r1\" index=\"1\" devices=\"gate,power\"/>"), "node1", 0 },
		{ "target-attribute the node does not have", CIB("<fencing-level id=\"l1\" target-attribute=\"rack\" "
			"target-value=\"r1\" index=\"1\" devices=\"gate,power\"/>"), "node2", -EPERM },
		{ "gate alone at a pattern level, while a target level is fine", CIB("<fencing-level id=\"l1\" "
			"target=\"node1\" index=\"1\" devices=\"gate,power\"/><fencing-level id=\"l2\" "
			"target-pattern=\"node\" index=\"2\" devices=\"gate\"/>"), "node1", -EPERM },
		{ "not XML", "<xpath-query><nodes>", "node1", -EBADMSG },
		{ "empty", "", "node1", -EBADMSG },
	};

	(void)state;
	for (size_t i = 0; i < LEN(topo); i++) {
		char why[640] = "";
		int r = gate_topology_check(topo[i].xml, strlen(topo[i].xml), topo[i].target, "fence_hubha_gate",
					    why, sizeof(why));

		if (r != topo[i].want)
			fail_msg("%s: got %d (%s), want %d", topo[i].what, r, why, topo[i].want);
		if (r < 0 && !why[0])
			fail_msg("%s: refused without a reason", topo[i].what);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_both_sides),
		cmocka_unit_test(test_topology),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The pgsql monitor's trust in hubhad's answer (agents/pgsql_probe_decide.c):
 * only this instance's answer to this request is used; anything that
 * differs, or that cannot be compared, sends the monitor to its own
 * connection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pgsql_probe.h"

#define NONCE UINT64_C(0x8badf00ddeadbeef)
#define SYSID UINT64_C(7318745618456390656)

static struct hubha_wire_pg_status answer(uint64_t nonce, uint32_t pid, const char *datadir, uint64_t sysid)
{
	struct hubha_wire_pg_status w;

	memset(&w, 0, sizeof(w));
	w.id.nonce = nonce;
	w.postmaster_pid = pid;
	snprintf(w.id.data_directory, sizeof(w.id.data_directory), "%s", datadir);
	w.id.system_identifier = sysid;
	return w;
}

static void test_distrust(void **state)
{
	static const struct {
		const char *what;
		struct pgsql_probe_expect want;
		uint64_t nonce;
		uint32_t pid;
		const char *datadir;
		uint64_t sysid;
		const char *why;	/* NULL: trusted */
	} cases[] = {
		{ "this instance, this request", { "/var/lib/pg/data", 4242, SYSID, NONCE }, NONCE, 4242,
		  "/var/lib/pg/data", SYSID, NULL },
		{ "a trailing slash is the same directory", { "/var/lib/pg/data/", 4242, SYSID, NONCE }, NONCE, 4242,
		  "/var/lib/pg/data", SYSID, NULL },
		{ "an answer to another request (a late one, or a cached one)", { "/d", 4242, SYSID, NONCE },
		  NONCE + 1, 4242, "/d", SYSID, "the answer is not to this request" },
		{ "no nonce at all", { "/d", 4242, SYSID, NONCE }, 0, 4242, "/d", SYSID,
		  "the answer is not to this request" },
		{ "hubhad does not know its postmaster", { "/d", 4242, SYSID, NONCE }, NONCE, 0, "/d", SYSID,
		  "the postmaster is not known" },
		{ "the agent does not know its postmaster", { "/d", 0, SYSID, NONCE }, NONCE, 4242, "/d", SYSID,
		  "the postmaster is not known" },
		{ "another postmaster (another instance, or a restarted one)", { "/d", 4242, SYSID, NONCE }, NONCE,
		  4243, "/d", SYSID, "another postmaster answered" },
		{ "a pid beyond pid_t", { "/d", 4242, SYSID, NONCE }, NONCE, UINT32_MAX, "/d", SYSID,
		  "another postmaster answered" },
		{ "another data directory", { "/var/lib/pg/data", 4242, SYSID, NONCE }, NONCE, 4242,
		  "/var/lib/pg/data2", SYSID, "another data directory answered" },
		{ "a prefix is another directory", { "/var/lib/pg/data2", 4242, SYSID, NONCE }, NONCE, 4242,
		  "/var/lib/pg/data", SYSID, "another data directory answered" },
		{ "a relative pgdata cannot be compared", { "data", 4242, SYSID, NONCE }, NONCE, 4242, "data", SYSID,
		  "another data directory answered" },
		{ "no pgdata", { NULL, 4242, SYSID, NONCE }, NONCE, 4242, "/d", SYSID,
		  "another data directory answered" },
		{ "an empty data directory", { "/d", 4242, SYSID, NONCE }, NONCE, 4242, "", SYSID,
		  "another data directory answered" },
		{ "pg_control could not be read", { "/d", 4242, 0, NONCE }, NONCE, 4242, "/d", SYSID,
		  "the system identifier is not known" },
		{ "another system identifier (a re-initialised cluster)", { "/d", 4242, SYSID, NONCE }, NONCE, 4242,
		  "/d", SYSID + 1, "another system identifier answered" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hubha_wire_pg_status got = answer(cases[i].nonce, cases[i].pid, cases[i].datadir, cases[i].sysid);
		const char *why = pgsql_probe_distrust(&cases[i].want, &got);

		print_message("%s\n", cases[i].what);
		if (!cases[i].why)
			assert_null(why);
		else
			assert_string_equal(why, cases[i].why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distrust),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

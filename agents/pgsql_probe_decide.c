/*
 * ocf:hubha:pgsql — whether an answer hubhad relays is this instance's
 * answer to this request.  Pure: the unit tests compile it in.
 */
#include <string.h>

#include "pgsql_probe.h"

/* Equal as directories: a trailing '/' is not a difference, anything else is. */
static bool same_dir(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && memcmp(a, b, la) == 0;
}

const char *pgsql_probe_distrust(const struct pgsql_probe_expect *want, const struct hubha_wire_pg_status *got)
{
	if (got->id.nonce != want->nonce)
		return "the answer is not to this request";
	if (want->postmaster <= 0 || got->postmaster_pid == 0)
		return "the postmaster is not known";
	if ((pid_t)got->postmaster_pid != want->postmaster)
		return "another postmaster answered";
	if (!want->pgdata || want->pgdata[0] != '/' || !same_dir(want->pgdata, got->id.data_directory))
		return "another data directory answered";
	if (!want->system_identifier)
		return "the system identifier is not known";
	if (got->id.system_identifier != want->system_identifier)
		return "another system identifier answered";
	return NULL;
}

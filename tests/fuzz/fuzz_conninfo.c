/*
 * pgsql_conninfo_value: how the pgsql agent quotes a value it writes into
 * primary_conninfo (postgresql.auto.conf) and the rewind connection.  A
 * value it accepts reads back through libpq's own parser as exactly itself,
 * as one keyword's value; one that does not fit leaves the buffer alone.
 */
#include <errno.h>
#include <string.h>

#include <libpq-fe.h>

#include "fuzz.h"
#include "pgsql.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = fuzz_string(data, size), quoted[256], conninfo[300], *err = NULL;
	PQconninfoOption *opts, *o;
	int r;

	memset(quoted, 'x', sizeof(quoted));
	r = pgsql_conninfo_value(quoted, sizeof(quoted), value);
	if (r < 0) {
		fuzz_assert(r == -ENAMETOOLONG);
		fuzz_assert(quoted[0] == 'x' && quoted[sizeof(quoted) - 1] == 'x');
		free(value);
		return 0;
	}
	fuzz_assert(r == 0);
	snprintf(conninfo, sizeof(conninfo), "application_name=%s port=5432", quoted);
	opts = PQconninfoParse(conninfo, &err);
	fuzz_assert(opts != NULL);
	for (o = opts; o->keyword; o++) {
		if (strcmp(o->keyword, "application_name") == 0)
			fuzz_assert(o->val && strcmp(o->val, value) == 0);
		if (strcmp(o->keyword, "port") == 0)
			fuzz_assert(o->val && strcmp(o->val, "5432") == 0);
	}
	PQconninfoFree(opts);
	free(value);
	return 0;
}

/*
 * pgsql_controldata_parse: pg_controldata's output, which the switchover and
 * rewind decisions rest on.  Either every field parses or the result is left
 * alone; the state is a string that fits its buffer.
 */
#include <errno.h>
#include <string.h>

#include "pgsql.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = fuzz_string(data, size);
	struct pgsql_controldata cd, before;
	int r;

	memset(&cd, 0x5a, sizeof(cd));
	before = cd;
	r = pgsql_controldata_parse(out, &cd);
	if (r < 0) {
		fuzz_assert(r == -EPROTO);
		fuzz_assert(memcmp(&cd, &before, sizeof(cd)) == 0);
	} else {
		fuzz_assert(r == 0);
		fuzz_assert(cd.state[0] != '\0');
		fuzz_assert(memchr(cd.state, '\0', sizeof(cd.state)) != NULL);
		fuzz_assert(strchr(cd.state, '\n') == NULL);
	}
	free(out);
	return 0;
}

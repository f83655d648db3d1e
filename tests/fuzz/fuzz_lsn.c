/*
 * hubha_lsn_parse: a WAL position as PostgreSQL prints it, X/X in hex.  What
 * parses formats back to text that parses to the same position; what does
 * not parse leaves the result alone.
 */
#include <errno.h>
#include <string.h>

#include <hubha/pg.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), again[32];
	hubha_lsn lsn = 0x5555, back = 0;
	int r = hubha_lsn_parse(text, &lsn);

	if (r < 0) {
		fuzz_assert(r == -EINVAL);
		fuzz_assert(lsn == 0x5555);
	} else {
		fuzz_assert(r == 0);
		fuzz_assert(strchr(text, '/') != NULL);
		hubha_lsn_format(lsn, again, sizeof(again));
		fuzz_assert(hubha_lsn_parse(again, &back) == 0);
		fuzz_assert(back == lsn);
	}
	free(text);
	return 0;
}

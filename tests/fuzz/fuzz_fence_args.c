/*
 * hubha_fence_args_parse on stdin as Pacemaker's fencer writes it: key=value
 * lines, bounded in bytes, lines and count.  A failure leaves the result alone
 * and gives a reason; a success answers lookups.
 */
#include <errno.h>
#include <string.h>

#include <hubha/fence.h>

#include "fuzz.h"

/* Small enough that the fuzzer reaches the byte bound too. */
#define MAX_BYTES 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char untouched;
	struct hubha_fence_args *args = (struct hubha_fence_args *)&untouched;
	char *argv[] = { (char *)"fence_fuzz", NULL };
	char reason[512] = "";
	FILE *in;
	int r;

	/* fmemopen cannot open an empty buffer everywhere; /dev/null is the same stream. */
	in = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (!in)
		return 0;
	r = hubha_fence_args_parse(in, MAX_BYTES, 1, argv, &args, reason, sizeof(reason));
	fclose(in);
	if (r < 0) {
		fuzz_assert(r == -EINVAL || r == -E2BIG || r == -ENOMEM);
		fuzz_assert(args == (struct hubha_fence_args *)&untouched);
		fuzz_assert(reason[0] != '\0' || r == -ENOMEM);
		fuzz_assert(memchr(reason, '\0', sizeof(reason)) != NULL);
		return 0;
	}
	fuzz_assert(r == 0 && args != (struct hubha_fence_args *)&untouched);
	for (const char *const *k = (const char *const[]){ "action", "plug", "port", "", "=", NULL }; *k; k++) {
		const char *v = hubha_fence_args_get(args, *k);

		fuzz_assert(!v || !strpbrk(v, "\r\n"));
	}
	hubha_fence_args_free(args);
	return 0;
}

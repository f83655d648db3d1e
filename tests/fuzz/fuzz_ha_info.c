/*
 * hubha_cfengine_ha_info_parse: ha_info.json as CFEngine reads it.  What
 * parses has as many hubs as it says, each a host address with a sha free of
 * "/"; what does not parse leaves the results alone and says why.  Hubs whose
 * sha is a hash format back to text that parses to the same hubs.
 */
#include <errno.h>
#include <string.h>

#include <hubha/cfengine.h>

#include "fuzz.h"

#define MAX 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hubha_cfengine_hub hubs[MAX], back[MAX];
	char err[256] = "", text[HUBHA_CFENGINE_HA_INFO_MAX + 2];
	size_t n = 77, m = 0, len = 0;
	int r = hubha_cfengine_ha_info_parse((const char *)data, size, hubs, MAX, &n, err, sizeof(err));

	if (r < 0) {
		fuzz_assert(r == -EPROTO || r == -EFBIG || r == -E2BIG || r == -ENOMEM);
		fuzz_assert(n == 77);
		fuzz_assert(r == -ENOMEM || (err[0] && !memchr(err, '\n', strlen(err))));
		return 0;
	}
	fuzz_assert(size <= HUBHA_CFENGINE_HA_INFO_MAX);
	fuzz_assert(n <= MAX);
	for (size_t i = 0; i < n; i++) {
		fuzz_assert(hubha_cfengine_host_ok(hubs[i].ip));
		fuzz_assert(!strchr(hubs[i].sha, '/'));
		fuzz_assert(hubs[i].in_cluster >= -1 && hubs[i].in_cluster <= 1);
		if (strlen(hubs[i].sha) < 32 || strspn(hubs[i].sha, "0123456789abcdefABCDEF") != strlen(hubs[i].sha) ||
		    (hubs[i].internal_ip[0] && !hubha_cfengine_host_ok(hubs[i].internal_ip)))
			return 0;
	}
	r = hubha_cfengine_ha_info_format(hubs, n, text, sizeof(text), &len, err, sizeof(err));
	if (r == -EFBIG || r == -EINVAL)
		return 0;
	fuzz_assert(r == 0);
	fuzz_assert(len <= HUBHA_CFENGINE_HA_INFO_MAX);
	fuzz_assert(hubha_cfengine_ha_info_parse(text, len, back, MAX, &m, err, sizeof(err)) == 0);
	fuzz_assert(m == n);
	for (size_t i = 0; i < n; i++) {
		fuzz_assert(strcmp(back[i].ip, hubs[i].ip) == 0);
		fuzz_assert(strcmp(back[i].sha, hubs[i].sha) == 0);
		fuzz_assert(back[i].in_cluster == hubs[i].in_cluster);
	}
	return 0;
}

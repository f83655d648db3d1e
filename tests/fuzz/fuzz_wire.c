/*
 * hubha_wire_decode: a CPG message from any process of the cluster.  What
 * decodes is a valid report (or a request) that encodes and decodes to the
 * same; what does not is refused with one of the documented errors and
 * leaves the outputs alone.
 */
#include <errno.h>
#include <string.h>

#include "cluster_int.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hubha_report_t report, before, again;
	enum hubha_wire_type type = (enum hubha_wire_type)0, type2;
	uint8_t buf[HUBHA_WIRE_MAX_LEN];
	size_t len;
	int r;

	memset(&report, 0x5a, sizeof(report));
	before = report;
	r = hubha_wire_decode(data, size, &type, &report);
	if (r < 0) {
		fuzz_assert(r == -EBADMSG || r == -EPROTONOSUPPORT || r == -EMSGSIZE);
		fuzz_assert(type == 0);
		fuzz_assert(memcmp(&report, &before, sizeof(report)) == 0);
		return 0;
	}
	fuzz_assert(r == 0);
	fuzz_assert(size <= HUBHA_WIRE_MAX_LEN);
	if (type == HUBHA_WIRE_REQUEST) {
		fuzz_assert(size == HUBHA_WIRE_HEADER_LEN);
		return 0;
	}
	fuzz_assert(type == HUBHA_WIRE_REPORT);
	fuzz_assert(hubha_report_check(&report) == 0);
	fuzz_assert(hubha_wire_encode_report(&report, buf, sizeof(buf), &len) == 0);
	fuzz_assert(len == size);
	fuzz_assert(hubha_wire_decode(buf, len, &type2, &again) == 0);
	fuzz_assert(type2 == HUBHA_WIRE_REPORT);
	fuzz_assert(memcmp(&report, &again, sizeof(report)) == 0);
	return 0;
}

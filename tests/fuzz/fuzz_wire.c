/*
 * hubha_wire_decode: a CPG message from any process of the cluster, and
 * hubha_wire_decode_view: hubhad's answer over local IPC, and the pgsql
 * monitor's PG_PROBE and hubhad's PG_STATUS answer to it, all fed the same
 * input.  What decodes is a valid report (or request, or view) that encodes
 * to the same bytes; what does not is refused with one of the documented
 * errors and leaves the outputs alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_int.h"
#include "fuzz.h"

static void view(const uint8_t *data, size_t size)
{
	static uint8_t buf[HUBHA_WIRE_VIEW_MAX_LEN];
	struct hubha_wire_view v, before, again;
	size_t len;
	int r;

	memset(&v, 0x5a, sizeof(v));
	before = v;
	r = hubha_wire_decode_view(data, size, &v);
	if (r < 0) {
		fuzz_assert(r == -EBADMSG || r == -EPROTONOSUPPORT || r == -EMSGSIZE || r == -ENOMEM);
		fuzz_assert(memcmp(&v, &before, sizeof(v)) == 0);
		return;
	}
	fuzz_assert(r == 0);
	fuzz_assert(v.n_hubs <= HUBHA_WIRE_VIEW_HUBS_MAX && v.quorate <= 1);
	for (size_t i = 0; i < v.n_hubs; i++) {
		fuzz_assert(memchr(v.hubs[i].name, '\0', sizeof(v.hubs[i].name)) != NULL);
		fuzz_assert(!v.hubs[i].has_report || hubha_report_check(&v.hubs[i].report) == 0);
	}
	fuzz_assert(hubha_wire_encode_view(v.hubs, v.n_hubs, v.local_nodeid, v.quorate, buf, sizeof(buf), &len) == 0);
	fuzz_assert(len == size && memcmp(buf, data, size) == 0);
	fuzz_assert(hubha_wire_decode_view(buf, len, &again) == 0);
	fuzz_assert(again.n_hubs == v.n_hubs);
	fuzz_assert(v.n_hubs == 0 || memcmp(again.hubs, v.hubs, v.n_hubs * sizeof(*v.hubs)) == 0);
	free(again.hubs);
	free(v.hubs);
}

static void pg_status(const uint8_t *data, size_t size)
{
	static uint8_t buf[HUBHA_WIRE_PG_STATUS_MAX_LEN];
	struct hubha_wire_pg_status w, before, again;
	uint64_t nonce = 7;
	size_t len;
	int r;

	r = hubha_wire_decode_pg_probe(data, size, &nonce);
	if (r < 0) {
		fuzz_assert(r == -EBADMSG || r == -EPROTONOSUPPORT || r == -EMSGSIZE);
		fuzz_assert(nonce == 7);
	} else {
		fuzz_assert(hubha_wire_encode_pg_probe(nonce, buf, sizeof(buf), &len) == 0);
		fuzz_assert(len == size && memcmp(buf, data, size) == 0);
	}
	memset(&w, 0x5a, sizeof(w));
	before = w;
	r = hubha_wire_decode_pg_status(data, size, &w);
	if (r < 0) {
		fuzz_assert(r == -EBADMSG || r == -EPROTONOSUPPORT || r == -EMSGSIZE || r == -ENOMEM);
		fuzz_assert(memcmp(&w, &before, sizeof(w)) == 0);
		return;
	}
	fuzz_assert(w.status.n_standbys <= HUBHA_WIRE_PG_STANDBYS_MAX);
	fuzz_assert(hubha_wire_encode_pg_status(&w, buf, sizeof(buf), &len) == 0);
	fuzz_assert(len == size && memcmp(buf, data, size) == 0);
	fuzz_assert(hubha_wire_decode_pg_status(buf, len, &again) == 0);
	fuzz_assert(memcmp(&again.id, &w.id, sizeof(w.id)) == 0 && again.postmaster_pid == w.postmaster_pid);
	fuzz_assert(again.status.n_standbys == w.status.n_standbys);
	fuzz_assert(w.status.n_standbys == 0 ||
		    memcmp(again.status.standbys, w.status.standbys, w.status.n_standbys * sizeof(*w.status.standbys)) == 0);
	free(again.status.standbys);
	free(w.status.standbys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hubha_report_t report, before, again;
	enum hubha_wire_type type = (enum hubha_wire_type)0, type2;
	uint8_t buf[HUBHA_WIRE_MAX_LEN];
	size_t len;
	int r;

	view(data, size);
	pg_status(data, size);
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

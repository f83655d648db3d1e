/*
 * The wire format of libhubha-cluster (lib/wire.c): what is encoded decodes
 * to the same report, the layout is pinned (network byte order), and every
 * malformed message is refused with a negative errno, the output untouched.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cluster_int.h"

static hubha_report_t full_report(void)
{
	hubha_report_t r;

	memset(&r, 0, sizeof(r));
	r.role = HUBHA_ROLE_PRIMARY;
	r.pg_state = HUBHA_PG_RUNNING;
	r.timeline = 0x01020304;
	r.lsn = UINT64_C(0x1122334455667788);
	r.receive_lsn = 7;
	r.replay_lag_ms = UINT32_MAX;
	r.wal_receiver = HUBHA_WALRCV_NONE;
	r.services = HUBHA_SERVICES_OK;
	r.flags = HUBHA_REPORT_SYNC_REQUESTED | HUBHA_REPORT_FENCING_KNOWN;
	r.interval_ms = 2000;
	r.time_ms = UINT64_C(1780000000123);
	strcpy(r.address, "2001:db8::10");
	r.n_standbys = HUBHA_CLUSTER_STANDBYS_MAX;
	for (unsigned i = 0; i < r.n_standbys; i++) {
		snprintf(r.standbys[i].name, sizeof(r.standbys[i].name), "hub%u", i);
		r.standbys[i].state = (hubha_walrcv_t)(i % 7);
		r.standbys[i].sync_state = (hubha_sync_state_t)(i % 5);
		r.standbys[i].flush_lsn = UINT64_C(0xfedcba9876543210) + i;
		r.standbys[i].replay_lsn = i;
	}
	memset(r.standbys[0].name, 'x', HUBHA_CLUSTER_NAME_MAX - 1);	/* the longest name */
	return r;
}

static size_t encode(const hubha_report_t *r, uint8_t *buf)
{
	size_t len = 0;

	assert_int_equal(hubha_wire_encode_report(r, buf, HUBHA_WIRE_MAX_LEN, &len), 0);
	return len;
}

static void test_round_trip(void **state)
{
	hubha_report_t r = full_report(), back;
	enum hubha_wire_type type;
	uint8_t buf[HUBHA_WIRE_MAX_LEN];
	size_t len;

	(void)state;
	for (unsigned n = 0; n <= HUBHA_CLUSTER_STANDBYS_MAX; n++) {
		hubha_report_t cut = r;

		cut.n_standbys = n;
		memset(&cut.standbys[n], 0, (HUBHA_CLUSTER_STANDBYS_MAX - n) * sizeof(cut.standbys[0]));
		len = encode(&cut, buf);
		assert_int_equal(len, HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_REPORT_LEN + n * HUBHA_WIRE_ROW_LEN);
		memset(&back, 0x5a, sizeof(back));
		assert_int_equal(hubha_wire_decode(buf, len, &type, &back), 0);
		assert_int_equal(type, HUBHA_WIRE_REPORT);
		assert_memory_equal(&back, &cut, sizeof(back));
	}

	assert_int_equal(hubha_wire_encode_request(buf, sizeof(buf), &len), 0);
	assert_int_equal(len, HUBHA_WIRE_HEADER_LEN);
	assert_int_equal(hubha_wire_decode(buf, len, &type, NULL), 0);
	assert_int_equal(type, HUBHA_WIRE_REQUEST);
}

/* Bytes after a string's NUL do not travel: the decoded field is clean. */
static void test_string_tail_not_sent(void **state)
{
	hubha_report_t r = full_report(), back;
	enum hubha_wire_type type;
	uint8_t buf[HUBHA_WIRE_MAX_LEN];
	size_t len;

	(void)state;
	memset(r.address, 'A', sizeof(r.address));
	strcpy(r.address, "10.0.0.1");
	len = encode(&r, buf);
	assert_int_equal(hubha_wire_decode(buf, len, &type, &back), 0);
	assert_string_equal(back.address, "10.0.0.1");
	for (size_t i = strlen("10.0.0.1"); i < sizeof(back.address); i++)
		assert_int_equal(back.address[i], 0);
}

/* The layout, so a change of it cannot pass unnoticed. */
static void test_layout(void **state)
{
	static const uint8_t header[] = { 'H', 'B', 'H', 'A', 0, 1, 0, 1, 0, 0, 0, 96 + 84 };
	static const uint8_t fixed[] = { 1, 1, 0, 1, 1, 2, 3, 4, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	static const uint8_t row_tail[] = { 0, 0, 0, 0, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };
	hubha_report_t r = full_report();
	uint8_t buf[HUBHA_WIRE_MAX_LEN];
	size_t len;

	(void)state;
	r.n_standbys = 1;
	len = encode(&r, buf);
	assert_int_equal(len, sizeof(header) + 96 + 84);
	assert_memory_equal(buf, header, sizeof(header));
	assert_memory_equal(buf + 12, fixed, sizeof(fixed));
	assert_int_equal(buf[12 + 36 + 3], 1);				/* n_standbys */
	assert_string_equal((const char *)buf + 12 + 48, "2001:db8::10");	/* address */
	assert_memory_equal(buf + 12 + 96 + 64, row_tail, sizeof(row_tail));
}

static void test_encode_refuses(void **state)
{
	hubha_report_t r;
	uint8_t buf[HUBHA_WIRE_MAX_LEN];
	size_t len = 12345;

	(void)state;
	r = full_report();
	r.role = (hubha_role_t)4;
	assert_int_equal(hubha_wire_encode_report(&r, buf, sizeof(buf), &len), -EINVAL);
	r = full_report();
	r.pg_state = (hubha_pg_state_t)5;
	assert_int_equal(hubha_wire_encode_report(&r, buf, sizeof(buf), &len), -EINVAL);
	r = full_report();
	r.wal_receiver = (hubha_walrcv_t)7;
	assert_int_equal(hubha_wire_encode_report(&r, buf, sizeof(buf), &len), -EINVAL);
	r = full_report();
	r.services = (hubha_services_t)-1;
	assert_int_equal(hubha_wire_encode_report(&r, buf, sizeof(buf), &len), -EINVAL);
	r = full_report();
	r.n_standbys = HUBHA_CLUSTER_STANDBYS_MAX + 1;
	assert_int_equal(hubha_wire_encode_report(&r, buf, sizeof(buf), &len), -EINVAL);
	r = full_report();
	memset(r.address, 'a', sizeof(r.address));
	assert_int_equal(hubha_wire_encode_report(&r, buf, sizeof(buf), &len), -EINVAL);
	r = full_report();
	memset(r.standbys[7].name, 'a', sizeof(r.standbys[7].name));
	assert_int_equal(hubha_wire_encode_report(&r, buf, sizeof(buf), &len), -EINVAL);
	r = full_report();
	r.standbys[3].state = (hubha_walrcv_t)7;
	assert_int_equal(hubha_wire_encode_report(&r, buf, sizeof(buf), &len), -EINVAL);
	r = full_report();
	r.standbys[3].sync_state = (hubha_sync_state_t)5;
	assert_int_equal(hubha_wire_encode_report(&r, buf, sizeof(buf), &len), -EINVAL);
	r = full_report();
	assert_int_equal(hubha_wire_encode_report(&r, buf, HUBHA_WIRE_MAX_LEN - 1, &len), -ENOBUFS);
	assert_int_equal(hubha_wire_encode_request(buf, HUBHA_WIRE_HEADER_LEN - 1, &len), -ENOBUFS);
	assert_int_equal(len, 12345);
}

/* Decode buf[0..len) expecting err; the outputs stay as they were. */
static void refused(const uint8_t *buf, size_t len, int err)
{
	enum hubha_wire_type type = (enum hubha_wire_type)77;
	hubha_report_t out, before;

	memset(&out, 0x5a, sizeof(out));
	before = out;
	assert_int_equal(hubha_wire_decode(buf, len, &type, &out), err);
	assert_int_equal(type, 77);
	assert_memory_equal(&out, &before, sizeof(out));
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_decode_refuses(void **state)
{
	hubha_report_t r = full_report();
	uint8_t good[HUBHA_WIRE_MAX_LEN + 16], buf[HUBHA_WIRE_MAX_LEN + 16];
	size_t len, rows_at = HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_REPORT_LEN;
	uint8_t *body = buf + HUBHA_WIRE_HEADER_LEN;

	(void)state;
	len = encode(&r, good);

	/* Truncated anywhere, the header included. */
	for (size_t cut = 0; cut < len; cut++)
		refused(good, cut, -EBADMSG);
	refused(NULL, 0, -EBADMSG);

	/* Not ours. */
	memcpy(buf, good, len);
	buf[0] = 'X';
	refused(buf, len, -EBADMSG);

	/* Versions this reader does not know. */
	memcpy(buf, good, len);
	buf[5] = 2;
	refused(buf, len, -EPROTONOSUPPORT);
	buf[5] = 0;
	refused(buf, len, -EPROTONOSUPPORT);
	buf[4] = 1;
	buf[5] = 1;
	refused(buf, len, -EPROTONOSUPPORT);

	/* An unknown type. */
	memcpy(buf, good, len);
	buf[7] = 3;
	refused(buf, len, -EBADMSG);

	/* Oversized: a byte more than the header says, a body longer than a report can be. */
	memcpy(buf, good, len);
	buf[len] = 0;
	refused(buf, len + 1, -EMSGSIZE);
	put32(buf + 8, (uint32_t)(len + 1 - HUBHA_WIRE_HEADER_LEN));
	refused(buf, len + 1, -EMSGSIZE);
	put32(buf + 8, UINT32_MAX);
	refused(buf, len, -EBADMSG);

	/* A request with a body. */
	hubha_wire_encode_request(buf, sizeof(buf), &len);
	put32(buf + 8, 1);
	buf[12] = 0;
	refused(buf, 13, -EMSGSIZE);

	len = encode(&r, good);
	/* More standbys than a report holds; fewer or more than the body has. */
	memcpy(buf, good, len);
	put32(body + 36, HUBHA_CLUSTER_STANDBYS_MAX + 1);
	refused(buf, len, -EBADMSG);
	put32(body + 36, UINT32_MAX);
	refused(buf, len, -EBADMSG);
	put32(body + 36, HUBHA_CLUSTER_STANDBYS_MAX - 1);
	refused(buf, len, -EMSGSIZE);

	/* Strings without their NUL. */
	memcpy(buf, good, len);
	memset(body + 48, 'a', HUBHA_CLUSTER_ADDR_MAX);
	refused(buf, len, -EBADMSG);
	memcpy(buf, good, len);
	memset(buf + rows_at + 5 * HUBHA_WIRE_ROW_LEN, 'a', HUBHA_CLUSTER_NAME_MAX);
	refused(buf, len, -EBADMSG);
	/* Bytes after a string's NUL: not the one encoding of it. */
	memcpy(buf, good, len);
	body[48 + HUBHA_CLUSTER_ADDR_MAX - 1] = 'x';
	refused(buf, len, -EBADMSG);
	/* A standby row's reserved bytes. */
	memcpy(buf, good, len);
	buf[rows_at + 2 * HUBHA_WIRE_ROW_LEN + 67] = 3;
	refused(buf, len, -EBADMSG);

	/* Enums out of range. */
	static const struct {
		size_t at;
		uint8_t value;
	} enums[] = {
		{ 0, 4 }, { 0, 255 }, { 1, 5 }, { 2, 7 }, { 3, 5 },
		{ HUBHA_WIRE_REPORT_LEN + 64, 7 }, { HUBHA_WIRE_REPORT_LEN + 65, 5 },
		{ HUBHA_WIRE_REPORT_LEN + 7 * HUBHA_WIRE_ROW_LEN + 65, 200 },
	};
	for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
		memcpy(buf, good, len);
		body[enums[i].at] = enums[i].value;
		refused(buf, len, -EBADMSG);
	}
}

/* ---- VIEW: hubhad's answer to a local reader ---- */

static void view_hubs(hubha_hub_t hubs[3])
{
	memset(hubs, 0, 3 * sizeof(*hubs));
	strcpy(hubs[0].name, "hub1");
	hubs[0].nodeid = 1;
	hubs[0].member = 1;
	hubs[0].has_report = 1;
	hubs[0].report = full_report();
	hubs[0].report_age_ms = UINT64_C(0x0102030405060708);
	memset(hubs[1].name, 'n', HUBHA_CLUSTER_NAME_MAX - 1);	/* the longest name */
	hubs[1].nodeid = 7;
	hubs[1].member = 0;	/* lost, its last report kept */
	hubs[1].has_report = 1;
	hubs[1].report = full_report();
	hubs[1].report.n_standbys = 0;
	memset(hubs[1].report.standbys, 0, sizeof(hubs[1].report.standbys));
	hubs[1].report_age_ms = 5;
	strcpy(hubs[2].name, "q");
	hubs[2].nodeid = UINT32_MAX;
	hubs[2].member = 1;	/* never reported */
}

static size_t encode_view(const hubha_hub_t *hubs, size_t n, uint8_t *buf)
{
	size_t len = 0;

	assert_int_equal(hubha_wire_encode_view(hubs, n, 7, 1, buf, HUBHA_WIRE_VIEW_MAX_LEN, &len), 0);
	return len;
}

static void test_view_round_trip(void **state)
{
	static uint8_t buf[HUBHA_WIRE_VIEW_MAX_LEN];
	hubha_hub_t hubs[3];
	struct hubha_wire_view v;
	enum hubha_wire_type type;
	size_t len;

	(void)state;
	view_hubs(hubs);
	for (size_t n = 0; n <= 3; n++) {
		len = encode_view(hubs, n, buf);
		memset(&v, 0x5a, sizeof(v));
		assert_int_equal(hubha_wire_decode_view(buf, len, &v), 0);
		assert_int_equal(v.local_nodeid, 7);
		assert_int_equal(v.quorate, 1);
		assert_int_equal(v.n_hubs, n);
		for (size_t i = 0; i < n; i++) {
			hubha_hub_t want = hubs[i];

			want.lag_bytes = -1;	/* not sent: the reader derives them */
			want.sync_state = HUBHA_SYNC_UNKNOWN;
			assert_memory_equal(&v.hubs[i], &want, sizeof(want));
		}
		free(v.hubs);
	}
	/* quorate is 0 or 1 on the wire, whatever true was. */
	assert_int_equal(hubha_wire_encode_view(hubs, 3, 1, 42, buf, sizeof(buf), &len), 0);
	assert_int_equal(hubha_wire_decode_view(buf, len, &v), 0);
	assert_int_equal(v.quorate, 1);
	free(v.hubs);
	/* The CPG decoder takes no VIEW. */
	assert_int_equal(hubha_wire_decode(buf, len, &type, NULL), -EMSGSIZE);
	len = encode_view(hubs, 0, buf);
	assert_int_equal(hubha_wire_decode(buf, len, &type, NULL), -EBADMSG);
}

static void test_view_layout(void **state)
{
	static const uint8_t head[] = { 'H', 'B', 'H', 'A', 0, 1, 0, 3, 0, 0, 0x01, 0x14,	/* 12 + 84 + 96 + 84 */
					0, 0, 0, 7, 1, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t rec[] = { 0, 0, 0, 1, 1, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 96 + 84 };
	static uint8_t buf[HUBHA_WIRE_VIEW_MAX_LEN];
	hubha_hub_t hubs[3];
	size_t len;

	(void)state;
	view_hubs(hubs);
	hubs[0].report.n_standbys = 1;
	len = encode_view(hubs, 1, buf);
	assert_int_equal(len, 12 + 12 + 84 + 96 + 84);
	assert_memory_equal(buf, head, sizeof(head));
	assert_string_equal((const char *)buf + 24, "hub1");
	assert_memory_equal(buf + 24 + 64, rec, sizeof(rec));
	assert_int_equal(buf[24 + 84 + 36 + 3], 1);	/* the report body's n_standbys */
}

static void test_view_encode_refuses(void **state)
{
	static uint8_t buf[HUBHA_WIRE_VIEW_MAX_LEN];
	hubha_hub_t hubs[3];
	size_t len = 12345;

	(void)state;
	view_hubs(hubs);
	hubs[2].nodeid = 7;	/* not in increasing nodeid order */
	assert_int_equal(hubha_wire_encode_view(hubs, 3, 1, 1, buf, sizeof(buf), &len), -EINVAL);
	view_hubs(hubs);
	memset(hubs[2].name, 'a', sizeof(hubs[2].name));
	assert_int_equal(hubha_wire_encode_view(hubs, 3, 1, 1, buf, sizeof(buf), &len), -EINVAL);
	view_hubs(hubs);
	hubs[0].report.role = (hubha_role_t)9;
	assert_int_equal(hubha_wire_encode_view(hubs, 3, 1, 1, buf, sizeof(buf), &len), -EINVAL);
	hubs[0].has_report = 0;	/* a report not sent is not checked */
	assert_int_equal(hubha_wire_encode_view(hubs, 3, 1, 1, buf, sizeof(buf), &len), 0);
	len = 12345;
	view_hubs(hubs);
	assert_int_equal(hubha_wire_encode_view(hubs, HUBHA_WIRE_VIEW_HUBS_MAX + 1, 1, 1, buf, sizeof(buf), &len),
			 -EINVAL);
	assert_int_equal(hubha_wire_encode_view(NULL, 1, 1, 1, buf, sizeof(buf), &len), -EINVAL);
	assert_int_equal(hubha_wire_encode_view(hubs, 3, 1, 1, buf, 12 + 12 + 3 * 84 + 96 + 8 * 84 + 96 - 1, &len),
			 -ENOBUFS);
	assert_int_equal(len, 12345);
}

static void view_refused(const uint8_t *buf, size_t len, int err)
{
	struct hubha_wire_view v, before;

	memset(&v, 0x5a, sizeof(v));
	before = v;
	assert_int_equal(hubha_wire_decode_view(buf, len, &v), err);
	assert_memory_equal(&v, &before, sizeof(v));
}

static void test_view_decode_refuses(void **state)
{
	static uint8_t good[HUBHA_WIRE_VIEW_MAX_LEN + 16], buf[HUBHA_WIRE_VIEW_MAX_LEN + 16];
	uint8_t *body = buf + HUBHA_WIRE_HEADER_LEN, *rec = body + HUBHA_WIRE_VIEW_LEN;
	hubha_hub_t hubs[3];
	uint8_t req[HUBHA_WIRE_HEADER_LEN];
	size_t len, rlen;

	(void)state;
	view_hubs(hubs);
	len = encode_view(hubs, 3, good);
	rlen = HUBHA_WIRE_REPORT_LEN + HUBHA_CLUSTER_STANDBYS_MAX * HUBHA_WIRE_ROW_LEN;	/* hub1's report */

	for (size_t cut = 0; cut < len; cut++)
		view_refused(good, cut, -EBADMSG);
	memcpy(buf, good, len);
	buf[5] = 2;
	view_refused(buf, len, -EPROTONOSUPPORT);
	/* Another type: a report, a request. */
	view_refused(buf, encode(&hubs[0].report, buf), -EBADMSG);
	hubha_wire_encode_request(req, sizeof(req), &len);
	view_refused(req, sizeof(req), -EBADMSG);
	len = encode_view(hubs, 3, good);
	/* Longer than its contents; a body longer than any view. */
	memcpy(buf, good, len);
	buf[len] = 0;
	view_refused(buf, len + 1, -EMSGSIZE);
	put32(buf + 8, (uint32_t)(len + 1 - HUBHA_WIRE_HEADER_LEN));
	view_refused(buf, len + 1, -EMSGSIZE);
	put32(buf + 8, HUBHA_WIRE_VIEW_MAX_LEN);
	view_refused(buf, HUBHA_WIRE_VIEW_MAX_LEN + HUBHA_WIRE_HEADER_LEN, -EMSGSIZE);

	static const struct {
		size_t at;	/* in the body */
		uint8_t value;
		int err;
	} bytes[] = {
		{ 4, 2, -EBADMSG },	/* quorate not 0/1 */
		{ 5, 1, -EBADMSG },	/* reserved */
		{ 11, 2, -EMSGSIZE },	/* n_hubs: fewer than the body has */
		{ 11, 4, -EBADMSG },	/* more than it has */
		{ 11, 200, -EBADMSG },	/* more than the body can hold */
		{ 10, 1, -EBADMSG },
		{ 12 + 68, 2, -EBADMSG },	/* member */
		{ 12 + 69, 2, -EBADMSG },	/* has_report */
		{ 12 + 70, 1, -EBADMSG },	/* reserved */
		{ 12 + 64 + 3, 9, -EBADMSG },	/* hub1's nodeid after hub 7's */
		{ 12 + 80 + 3, 95, -EBADMSG },	/* report_len not what the report is */
		{ 12 + 80 + 2, 1, -EBADMSG },
		{ 12 + 84, 9, -EBADMSG },	/* the report's role */
		{ 12 + 84 + 36 + 3, 7, -EBADMSG },	/* the report's n_standbys */
	};
	for (size_t i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++) {
		memcpy(buf, good, len);
		body[bytes[i].at] = bytes[i].value;
		view_refused(buf, len, bytes[i].err);
	}
	/* Without a report, but a report length; a name without its NUL. */
	memcpy(buf, good, len);
	rec += 2 * HUBHA_WIRE_HUB_LEN + rlen + HUBHA_WIRE_REPORT_LEN;
	put32(rec + 80, 1);
	view_refused(buf, len, -EBADMSG);
	memcpy(buf, good, len);
	memset(rec, 'a', HUBHA_CLUSTER_NAME_MAX);
	view_refused(buf, len, -EBADMSG);
	/* A name with bytes after its NUL: not the one encoding of it. */
	memcpy(buf, good, len);
	rec[HUBHA_CLUSTER_NAME_MAX - 35] = ',';
	view_refused(buf, len, -EBADMSG);
}

/* A PG_STATUS with every field set, two walsenders, the longest strings. */
static struct hubha_pg_standby pg_rows[2];

static struct hubha_wire_pg_status full_pg_status(void)
{
	struct hubha_wire_pg_status w;

	memset(&w, 0, sizeof(w));
	memset(pg_rows, 0, sizeof(pg_rows));
	w.id.nonce = UINT64_C(0x0102030405060708);
	w.id.system_identifier = UINT64_C(7318745618456390656);
	memset(w.id.data_directory, 'd', sizeof(w.id.data_directory) - 1);
	w.id.data_directory[0] = '/';
	w.postmaster_pid = 4242;
	w.status.in_recovery = false;
	w.status.timeline = 3;
	w.status.lsn = UINT64_C(0x1122334455667788);
	strcpy(w.status.receiver, "");
	memset(w.status.sync_names, 's', sizeof(w.status.sync_names) - 1);
	memset(pg_rows[0].name, 'n', sizeof(pg_rows[0].name) - 1);
	pg_rows[0].pid = 77;
	strcpy(pg_rows[0].state, "streaming");
	strcpy(pg_rows[0].sync_state, "async");
	pg_rows[0].flush_lsn = UINT64_C(0xfedcba9876543210);
	strcpy(pg_rows[1].name, "node2");
	pg_rows[1].pid = INT32_MAX;
	strcpy(pg_rows[1].state, "catchup");
	strcpy(pg_rows[1].sync_state, "potential");
	w.status.n_standbys = 2;
	w.status.standbys = pg_rows;
	return w;
}

static size_t encode_pg(const struct hubha_wire_pg_status *w, uint8_t *buf)
{
	size_t len = 0;

	assert_int_equal(hubha_wire_encode_pg_status(w, buf, HUBHA_WIRE_PG_STATUS_MAX_LEN, &len), 0);
	return len;
}

static void test_pg_round_trip(void **state)
{
	static uint8_t buf[HUBHA_WIRE_PG_STATUS_MAX_LEN];
	struct hubha_wire_pg_status w = full_pg_status(), back;
	uint8_t probe[HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_PG_PROBE_LEN];
	uint64_t nonce = 0;
	size_t len;

	(void)state;
	len = encode_pg(&w, buf);
	assert_int_equal(len, HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_PG_STATUS_LEN + 2 * HUBHA_WIRE_PG_ROW_LEN);
	assert_int_equal(hubha_wire_decode_pg_status(buf, len, &back), 0);
	assert_memory_equal(&back.id, &w.id, sizeof(w.id));
	assert_int_equal(back.postmaster_pid, 4242);
	assert_false(back.status.in_recovery);
	assert_int_equal(back.status.timeline, 3);
	assert_true(back.status.lsn == w.status.lsn);
	assert_string_equal(back.status.receiver, "");
	assert_string_equal(back.status.sync_names, w.status.sync_names);
	assert_int_equal(back.status.n_standbys, 2);
	assert_memory_equal(back.status.standbys, pg_rows, sizeof(pg_rows));
	free(back.status.standbys);
	/* No walsender: nothing allocated. */
	w.status.n_standbys = 0;
	w.status.in_recovery = true;
	len = encode_pg(&w, buf);
	assert_int_equal(hubha_wire_decode_pg_status(buf, len, &back), 0);
	assert_true(back.status.in_recovery);
	assert_null(back.status.standbys);

	assert_int_equal(hubha_wire_encode_pg_probe(UINT64_C(0xa1b2c3d4e5f60718), probe, sizeof(probe), &len), 0);
	assert_int_equal(len, sizeof(probe));
	assert_int_equal(hubha_wire_decode_pg_probe(probe, len, &nonce), 0);
	assert_true(nonce == UINT64_C(0xa1b2c3d4e5f60718));
	assert_int_equal(hubha_wire_encode_pg_probe(1, probe, sizeof(probe) - 1, &len), -ENOBUFS);
}

/* Pinned: a reader of another build reads the same bytes. */
static void test_pg_layout(void **state)
{
	static uint8_t buf[HUBHA_WIRE_PG_STATUS_MAX_LEN];
	struct hubha_wire_pg_status w = full_pg_status();
	const uint8_t *b = buf + HUBHA_WIRE_HEADER_LEN, *row = b + HUBHA_WIRE_PG_STATUS_LEN + HUBHA_WIRE_PG_ROW_LEN;
	uint8_t probe[HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_PG_PROBE_LEN];
	static const uint8_t probe_want[] = { 'H', 'B', 'H', 'A', 0, 1, 0, 4, 0, 0, 0, 16,
					      1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0 };
	size_t len;

	(void)state;
	encode_pg(&w, buf);
	assert_memory_equal(buf, "HBHA\0\1\0\5", 8);
	assert_int_equal(get32(buf + 8), HUBHA_WIRE_PG_STATUS_LEN + 2 * HUBHA_WIRE_PG_ROW_LEN);
	assert_memory_equal(b, "\1\2\3\4\5\6\7\10", 8);
	assert_int_equal(get32(b + 16), 4242);
	assert_int_equal(b[20], 0);
	assert_int_equal(get32(b + 24), 3);
	assert_int_equal(get32(b + 28), 2);
	assert_int_equal(b[40], 0);
	assert_int_equal(b[64], 's');
	assert_int_equal(b[64 + 255], 0);
	assert_int_equal(b[320], '/');
	assert_int_equal(b[320 + 1023], 0);
	assert_string_equal((const char *)row, "node2");
	assert_int_equal(get32(row + 64), INT32_MAX);
	assert_string_equal((const char *)row + 68, "catchup");
	assert_string_equal((const char *)row + 92, "potential");
	assert_int_equal(get32(row + 116), 0);
	hubha_wire_encode_pg_probe(UINT64_C(0x0102030405060708), probe, sizeof(probe), &len);
	assert_memory_equal(probe, probe_want, sizeof(probe_want));
}

static void test_pg_encode_refuses(void **state)
{
	static uint8_t buf[HUBHA_WIRE_PG_STATUS_MAX_LEN];
	static struct hubha_pg_standby many[HUBHA_WIRE_PG_STANDBYS_MAX + 1];
	struct hubha_wire_pg_status w;
	size_t len = 99;

	(void)state;
	w = full_pg_status();
	assert_int_equal(hubha_wire_encode_pg_status(&w, buf, HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_PG_STATUS_LEN, &len),
			 -ENOBUFS);
	w.id.data_directory[sizeof(w.id.data_directory) - 1] = 'x';
	assert_int_equal(hubha_wire_encode_pg_status(&w, buf, sizeof(buf), &len), -EINVAL);
	w = full_pg_status();
	pg_rows[1].pid = 0;
	assert_int_equal(hubha_wire_encode_pg_status(&w, buf, sizeof(buf), &len), -EINVAL);
	w = full_pg_status();
	memset(pg_rows[1].sync_state, 'a', sizeof(pg_rows[1].sync_state));
	assert_int_equal(hubha_wire_encode_pg_status(&w, buf, sizeof(buf), &len), -EINVAL);
	w = full_pg_status();
	for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		many[i].pid = 1;
	w.status.standbys = many;
	w.status.n_standbys = HUBHA_WIRE_PG_STANDBYS_MAX + 1;
	assert_int_equal(hubha_wire_encode_pg_status(&w, buf, sizeof(buf), &len), -EINVAL);
	w.status.n_standbys = HUBHA_WIRE_PG_STANDBYS_MAX;
	assert_int_equal(hubha_wire_encode_pg_status(&w, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, HUBHA_WIRE_PG_STATUS_MAX_LEN);
}

static void pg_refused(const uint8_t *buf, size_t len, int err)
{
	struct hubha_wire_pg_status w, before;
	uint64_t nonce = 5;

	memset(&w, 0x5a, sizeof(w));
	before = w;
	assert_int_equal(hubha_wire_decode_pg_status(buf, len, &w), err);
	assert_memory_equal(&w, &before, sizeof(w));
	/* Never a probe either. */
	assert_true(hubha_wire_decode_pg_probe(buf, len, &nonce) < 0);
	assert_int_equal(nonce, 5);
}

static void test_pg_decode_refuses(void **state)
{
	static uint8_t good[HUBHA_WIRE_PG_STATUS_MAX_LEN + 16], buf[HUBHA_WIRE_PG_STATUS_MAX_LEN + 16];
	struct hubha_wire_pg_status w = full_pg_status();
	uint8_t *body = buf + HUBHA_WIRE_HEADER_LEN;
	uint8_t probe[HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_PG_PROBE_LEN + 1];
	uint64_t nonce = 5;
	size_t len, plen;

	(void)state;
	len = encode_pg(&w, good);
	for (size_t cut = 0; cut < len; cut++)
		pg_refused(good, cut, -EBADMSG);
	memcpy(buf, good, len);
	buf[5] = 2;
	pg_refused(buf, len, -EPROTONOSUPPORT);
	memcpy(buf, good, len);
	buf[7] = HUBHA_WIRE_VIEW;
	pg_refused(buf, len, -EBADMSG);
	/* Longer than its contents. */
	memcpy(buf, good, len);
	buf[len] = 0;
	pg_refused(buf, len + 1, -EMSGSIZE);
	put32(buf + 8, (uint32_t)(len + 1 - HUBHA_WIRE_HEADER_LEN));
	pg_refused(buf, len + 1, -EBADMSG);

	static const struct {
		size_t at;	/* in the body */
		uint8_t value;
	} bytes[] = {
		{ 20, 2 },		/* in_recovery not 0/1 */
		{ 21, 1 }, { 23, 1 },	/* reserved */
		{ 31, 1 }, { 31, 3 },	/* n_standbys: not what the body holds */
		{ 28, 1 },		/* more than any status */
		{ 40 + 23, 'r' },	/* receiver without its NUL */
		{ 40 + 10, 'r' },	/* bytes after its NUL */
		{ 64 + 255, 's' },	/* sync_names without its NUL */
		{ 320 + 1023, 'd' },	/* data_directory without its NUL */
		{ 1344 + 63, 'n' },	/* a name without its NUL */
		{ 1344 + 120 + 10, 'n' },	/* bytes after a name's NUL */
		{ 1344 + 120 + 64, 0x80 },	/* pid beyond INT32_MAX */
		{ 1344 + 120 + 68 + 23, 'c' },	/* state without its NUL */
		{ 1344 + 120 + 92 + 15, 'p' },	/* sync_state without its NUL */
		{ 1344 + 120 + 116, 1 }, { 1344 + 120 + 119, 1 },	/* reserved */
	};
	for (size_t i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++) {
		memcpy(buf, good, len);
		body[bytes[i].at] = bytes[i].value;
		pg_refused(buf, len, -EBADMSG);
	}
	memcpy(buf, good, len);
	memset(body + 1344 + 64, 0, 4);	/* pid 0 */
	pg_refused(buf, len, -EBADMSG);

	/* A probe: exact length, reserved bytes zero, its own type. */
	hubha_wire_encode_pg_probe(9, probe, sizeof(probe), &plen);
	for (size_t cut = 0; cut < plen; cut++)
		assert_int_equal(hubha_wire_decode_pg_probe(probe, cut, &nonce), -EBADMSG);
	probe[plen] = 0;
	assert_int_equal(hubha_wire_decode_pg_probe(probe, plen + 1, &nonce), -EMSGSIZE);
	for (size_t at = HUBHA_WIRE_HEADER_LEN + 8; at < plen; at++) {
		hubha_wire_encode_pg_probe(9, probe, sizeof(probe), &plen);
		probe[at] = 1;
		assert_int_equal(hubha_wire_decode_pg_probe(probe, plen, &nonce), -EBADMSG);
	}
	hubha_wire_encode_pg_probe(9, probe, sizeof(probe), &plen);
	probe[7] = HUBHA_WIRE_REQUEST;
	assert_int_equal(hubha_wire_decode_pg_probe(probe, plen, &nonce), -EBADMSG);
	probe[7] = HUBHA_WIRE_PG_PROBE;
	probe[5] = 2;
	assert_int_equal(hubha_wire_decode_pg_probe(probe, plen, &nonce), -EPROTONOSUPPORT);
	assert_int_equal(nonce, 5);
	/* Neither is a CPG message. */
	{
		enum hubha_wire_type type;

		hubha_wire_encode_pg_probe(9, probe, sizeof(probe), &plen);
		assert_int_equal(hubha_wire_decode(probe, plen, &type, NULL), -EBADMSG);
		assert_true(hubha_wire_decode(good, len, &type, NULL) < 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_string_tail_not_sent),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_decode_refuses),
		cmocka_unit_test(test_view_round_trip),
		cmocka_unit_test(test_view_layout),
		cmocka_unit_test(test_view_encode_refuses),
		cmocka_unit_test(test_view_decode_refuses),
		cmocka_unit_test(test_pg_round_trip),
		cmocka_unit_test(test_pg_layout),
		cmocka_unit_test(test_pg_encode_refuses),
		cmocka_unit_test(test_pg_decode_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

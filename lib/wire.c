/*
 * The messages hubha nodes exchange over CPG, in a fixed layout and network
 * byte order, so nodes of different architectures and compilers read each
 * other, and a version field, so a reader drops a format it does not know
 * instead of misreading it.  A message from the wire is untrusted: every
 * length, count, enum and string is checked before anything is copied out.
 *
 * Version 1 REPORT body (offsets in bytes):
 *   0 u8 role   1 u8 pg_state   2 u8 wal_receiver   3 u8 services
 *   4 u32 timeline   8 u64 lsn   16 u64 receive_lsn   24 u32 replay_lag_ms
 *   28 u32 flags   32 u32 interval_ms   36 u32 n_standbys   40 u64 time_ms
 *   48 char address[48], NUL-terminated
 *   96 n_standbys rows of 84: 0 char name[64] NUL-terminated, 64 u8 state,
 *      65 u8 sync_state, 66 u16 reserved (0), 68 u64 flush_lsn, 76 u64 replay_lsn
 *
 * Version 1 VIEW body (local IPC only):
 *   0 u32 local_nodeid   4 u8 quorate (0/1)   5 u8[3] reserved (0)   8 u32 n_hubs
 *   12 n_hubs records, in strictly increasing nodeid order:
 *      0 char name[64] NUL-terminated, 64 u32 nodeid, 68 u8 member (0/1),
 *      69 u8 has_report (0/1), 70 u16 reserved (0), 72 u64 report_age_ms,
 *      80 u32 report_len (0 without a report), 84 a REPORT body of report_len
 *
 * Version 1 PG_PROBE body (local IPC only): 0 u64 nonce   8 u8[8] reserved (0)
 *
 * Version 1 PG_STATUS body (local IPC only):
 *   0 u64 nonce   8 u64 system_identifier   16 u32 postmaster_pid
 *   20 u8 in_recovery (0/1)   21 u8[3] reserved (0)   24 u32 timeline
 *   28 u32 n_standbys   32 u64 lsn   40 char receiver[24]
 *   64 char sync_names[256]   320 char data_directory[1024]
 *   1344 n_standbys rows of 120: 0 char name[64], 64 u32 pid (> 0),
 *      68 char state[24], 92 char sync_state[16], 108 u64 flush_lsn,
 *      116 u32 reserved (0)
 *   Every string NUL-terminated, zeros after.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_int.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | p[i];
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* A string field: up to its NUL, the rest zero, so no stale bytes travel. */
static void put_string(uint8_t *p, const char *s, size_t size)
{
	size_t len = strnlen(s, size);

	memset(p, 0, size);
	memcpy(p, s, len);
}

/* Only the one encoding put_string makes: bytes after the NUL are an inconsistency. */
static int get_string(char *s, const uint8_t *p, size_t size)
{
	const uint8_t *nul = memchr(p, '\0', size);

	if (!nul)
		return -EBADMSG;
	for (const uint8_t *q = nul; q < p + size; q++)
		if (*q)
			return -EBADMSG;
	memset(s, 0, size);
	memcpy(s, p, (size_t)(nul - p));
	return 0;
}

int hubha_report_check(const hubha_report_t *r)
{
	if ((unsigned)r->role > HUBHA_ROLE_NONE || (unsigned)r->pg_state > HUBHA_PG_REFUSED ||
	    (unsigned)r->wal_receiver > HUBHA_WALRCV_STOPPED || (unsigned)r->services > HUBHA_SERVICES_STOPPED ||
	    r->n_standbys > HUBHA_CLUSTER_STANDBYS_MAX || !terminated(r->address, sizeof(r->address)))
		return -EINVAL;
	for (uint32_t i = 0; i < r->n_standbys; i++) {
		const hubha_standby_row_t *row = &r->standbys[i];

		if ((unsigned)row->state > HUBHA_WALRCV_STOPPED || (unsigned)row->sync_state > HUBHA_SYNC_QUORUM ||
		    !terminated(row->name, sizeof(row->name)))
			return -EINVAL;
	}
	return 0;
}

static void put_header(uint8_t *p, enum hubha_wire_type type, uint32_t body_len)
{
	put32(p, HUBHA_WIRE_MAGIC);
	put16(p + 4, HUBHA_WIRE_VERSION);
	put16(p + 6, (uint16_t)type);
	put32(p + 8, body_len);
}

int hubha_wire_encode_request(uint8_t *buf, size_t size, size_t *ret_len)
{
	if (size < HUBHA_WIRE_HEADER_LEN)
		return -ENOBUFS;
	put_header(buf, HUBHA_WIRE_REQUEST, 0);
	*ret_len = HUBHA_WIRE_HEADER_LEN;
	return 0;
}

static size_t report_body_len(const hubha_report_t *r)
{
	return HUBHA_WIRE_REPORT_LEN + (size_t)r->n_standbys * HUBHA_WIRE_ROW_LEN;
}

/* A checked report's body at p, report_body_len() long. */
static void put_report(uint8_t *p, const hubha_report_t *r)
{
	p[0] = (uint8_t)r->role;
	p[1] = (uint8_t)r->pg_state;
	p[2] = (uint8_t)r->wal_receiver;
	p[3] = (uint8_t)r->services;
	put32(p + 4, r->timeline);
	put64(p + 8, r->lsn);
	put64(p + 16, r->receive_lsn);
	put32(p + 24, r->replay_lag_ms);
	put32(p + 28, r->flags);
	put32(p + 32, r->interval_ms);
	put32(p + 36, r->n_standbys);
	put64(p + 40, r->time_ms);
	put_string(p + 48, r->address, sizeof(r->address));
	p += HUBHA_WIRE_REPORT_LEN;
	for (uint32_t i = 0; i < r->n_standbys; i++, p += HUBHA_WIRE_ROW_LEN) {
		const hubha_standby_row_t *row = &r->standbys[i];

		put_string(p, row->name, sizeof(row->name));
		p[64] = (uint8_t)row->state;
		p[65] = (uint8_t)row->sync_state;
		put16(p + 66, 0);
		put64(p + 68, row->flush_lsn);
		put64(p + 76, row->replay_lsn);
	}
}

int hubha_wire_encode_report(const hubha_report_t *r, uint8_t *buf, size_t size, size_t *ret_len)
{
	size_t body, len;
	int e = hubha_report_check(r);

	if (e < 0)
		return e;
	body = report_body_len(r);
	len = HUBHA_WIRE_HEADER_LEN + body;
	if (size < len)
		return -ENOBUFS;
	put_header(buf, HUBHA_WIRE_REPORT, (uint32_t)body);
	put_report(buf + HUBHA_WIRE_HEADER_LEN, r);
	*ret_len = len;
	return 0;
}

int hubha_wire_encode_view(const hubha_hub_t *hubs, size_t n, uint32_t local_nodeid, int quorate, uint8_t *buf,
			   size_t size, size_t *ret_len)
{
	size_t len = HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_VIEW_LEN;
	uint8_t *p;

	if (n > HUBHA_WIRE_VIEW_HUBS_MAX || (n && !hubs))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		const hubha_hub_t *h = &hubs[i];

		if ((i && h->nodeid <= hubs[i - 1].nodeid) || !terminated(h->name, sizeof(h->name)) ||
		    (h->has_report && hubha_report_check(&h->report) < 0))
			return -EINVAL;
		len += HUBHA_WIRE_HUB_LEN + (h->has_report ? report_body_len(&h->report) : 0);
	}
	if (size < len)
		return -ENOBUFS;
	put_header(buf, HUBHA_WIRE_VIEW, (uint32_t)(len - HUBHA_WIRE_HEADER_LEN));
	p = buf + HUBHA_WIRE_HEADER_LEN;
	put32(p, local_nodeid);
	p[4] = !!quorate;
	p[5] = p[6] = p[7] = 0;
	put32(p + 8, (uint32_t)n);
	p += HUBHA_WIRE_VIEW_LEN;
	for (size_t i = 0; i < n; i++) {
		const hubha_hub_t *h = &hubs[i];
		size_t rlen = h->has_report ? report_body_len(&h->report) : 0;

		put_string(p, h->name, sizeof(h->name));
		put32(p + 64, h->nodeid);
		p[68] = !!h->member;
		p[69] = !!h->has_report;
		put16(p + 70, 0);
		put64(p + 72, h->report_age_ms);
		put32(p + 80, (uint32_t)rlen);
		p += HUBHA_WIRE_HUB_LEN;
		if (h->has_report)
			put_report(p, &h->report);
		p += rlen;
	}
	*ret_len = len;
	return 0;
}

static int decode_report(const uint8_t *p, size_t body, hubha_report_t *ret)
{
	hubha_report_t r;

	if (body < HUBHA_WIRE_REPORT_LEN)
		return -EBADMSG;
	memset(&r, 0, sizeof(r));
	r.role = (hubha_role_t)p[0];
	r.pg_state = (hubha_pg_state_t)p[1];
	r.wal_receiver = (hubha_walrcv_t)p[2];
	r.services = (hubha_services_t)p[3];
	r.timeline = get32(p + 4);
	r.lsn = get64(p + 8);
	r.receive_lsn = get64(p + 16);
	r.replay_lag_ms = get32(p + 24);
	r.flags = get32(p + 28);
	r.interval_ms = get32(p + 32);
	r.n_standbys = get32(p + 36);
	r.time_ms = get64(p + 40);
	if (r.n_standbys > HUBHA_CLUSTER_STANDBYS_MAX)
		return -EBADMSG;
	if (body < HUBHA_WIRE_REPORT_LEN + (size_t)r.n_standbys * HUBHA_WIRE_ROW_LEN)
		return -EBADMSG;
	if (body > HUBHA_WIRE_REPORT_LEN + (size_t)r.n_standbys * HUBHA_WIRE_ROW_LEN)
		return -EMSGSIZE;
	if (get_string(r.address, p + 48, sizeof(r.address)) < 0)
		return -EBADMSG;
	p += HUBHA_WIRE_REPORT_LEN;
	for (uint32_t i = 0; i < r.n_standbys; i++, p += HUBHA_WIRE_ROW_LEN) {
		hubha_standby_row_t *row = &r.standbys[i];

		if (get_string(row->name, p, sizeof(row->name)) < 0)
			return -EBADMSG;
		row->state = (hubha_walrcv_t)p[64];
		row->sync_state = (hubha_sync_state_t)p[65];
		if (get16(p + 66) != 0)		/* reserved */
			return -EBADMSG;
		row->flush_lsn = get64(p + 68);
		row->replay_lsn = get64(p + 76);
	}
	if (hubha_report_check(&r) < 0)
		return -EBADMSG;
	if (ret)
		*ret = r;
	return 0;
}

/* The header of a message of at most max bytes: its type and body length. */
static int get_header(const uint8_t *p, size_t len, size_t max, uint16_t *ret_type, uint32_t *ret_body)
{
	uint32_t body;

	if (len < HUBHA_WIRE_HEADER_LEN || get32(p) != HUBHA_WIRE_MAGIC)
		return -EBADMSG;
	if (get16(p + 4) != HUBHA_WIRE_VERSION)
		return -EPROTONOSUPPORT;
	body = get32(p + 8);
	if (len - HUBHA_WIRE_HEADER_LEN < body)
		return -EBADMSG;
	if (len - HUBHA_WIRE_HEADER_LEN > body || body > max - HUBHA_WIRE_HEADER_LEN)
		return -EMSGSIZE;
	*ret_type = get16(p + 6);
	*ret_body = body;
	return 0;
}

int hubha_wire_decode(const void *buf, size_t len, enum hubha_wire_type *ret_type, hubha_report_t *ret_report)
{
	const uint8_t *p = buf;
	uint32_t body;
	uint16_t type;
	int e;

	if ((e = get_header(p, len, HUBHA_WIRE_MAX_LEN, &type, &body)) < 0)
		return e;
	switch (type) {
	case HUBHA_WIRE_REQUEST:
		if (body != 0)
			return -EMSGSIZE;
		break;
	case HUBHA_WIRE_REPORT:
		e = decode_report(p + HUBHA_WIRE_HEADER_LEN, body, ret_report);
		if (e < 0)
			return e;
		break;
	default:
		return -EBADMSG;
	}
	*ret_type = (enum hubha_wire_type)type;
	return 0;
}

static int decode_hubs(const uint8_t *p, size_t left, hubha_hub_t *hubs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		hubha_hub_t *h = &hubs[i];
		uint32_t rlen;

		if (left < HUBHA_WIRE_HUB_LEN || get_string(h->name, p, sizeof(h->name)) < 0)
			return -EBADMSG;
		h->nodeid = get32(p + 64);
		h->member = p[68];
		h->has_report = p[69];
		h->report_age_ms = get64(p + 72);
		rlen = get32(p + 80);
		h->lag_bytes = -1;
		h->sync_state = HUBHA_SYNC_UNKNOWN;
		if (p[68] > 1 || p[69] > 1 || get16(p + 70) != 0 || (i && h->nodeid <= hubs[i - 1].nodeid) ||
		    (!h->has_report && rlen != 0))
			return -EBADMSG;
		p += HUBHA_WIRE_HUB_LEN;
		left -= HUBHA_WIRE_HUB_LEN;
		if (rlen > left)
			return -EBADMSG;
		/* A report that does not fill its length exactly is inconsistent. */
		if (h->has_report && decode_report(p, rlen, &h->report) < 0)
			return -EBADMSG;
		p += rlen;
		left -= rlen;
	}
	return left ? -EMSGSIZE : 0;
}

int hubha_wire_decode_view(const void *buf, size_t len, struct hubha_wire_view *ret_view)
{
	const uint8_t *p = buf;
	hubha_hub_t *hubs;
	uint32_t body, n;
	uint16_t type;
	int e;

	if ((e = get_header(p, len, HUBHA_WIRE_VIEW_MAX_LEN, &type, &body)) < 0)
		return e;
	p += HUBHA_WIRE_HEADER_LEN;
	if (type != HUBHA_WIRE_VIEW || body < HUBHA_WIRE_VIEW_LEN || p[4] > 1 || p[5] || p[6] || p[7])
		return -EBADMSG;
	n = get32(p + 8);
	/* Every record takes at least its fixed part: no count beyond the body. */
	if (n > HUBHA_WIRE_VIEW_HUBS_MAX || n > (body - HUBHA_WIRE_VIEW_LEN) / HUBHA_WIRE_HUB_LEN)
		return -EBADMSG;
	hubs = calloc(n ? n : 1, sizeof(*hubs));
	if (!hubs)
		return -ENOMEM;
	e = decode_hubs(p + HUBHA_WIRE_VIEW_LEN, body - HUBHA_WIRE_VIEW_LEN, hubs, n);
	if (e < 0) {
		free(hubs);
		return e;
	}
	ret_view->local_nodeid = get32(p);
	ret_view->quorate = p[4];
	ret_view->n_hubs = n;
	ret_view->hubs = hubs;
	return 0;
}

int hubha_wire_encode_pg_probe(uint64_t nonce, uint8_t *buf, size_t size, size_t *ret_len)
{
	if (size < HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_PG_PROBE_LEN)
		return -ENOBUFS;
	put_header(buf, HUBHA_WIRE_PG_PROBE, HUBHA_WIRE_PG_PROBE_LEN);
	put64(buf + HUBHA_WIRE_HEADER_LEN, nonce);
	memset(buf + HUBHA_WIRE_HEADER_LEN + 8, 0, 8);
	*ret_len = HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_PG_PROBE_LEN;
	return 0;
}

int hubha_wire_decode_pg_probe(const void *buf, size_t len, uint64_t *ret_nonce)
{
	const uint8_t *p = buf;
	uint32_t body;
	uint16_t type;
	int e;

	if ((e = get_header(p, len, HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_PG_PROBE_LEN, &type, &body)) < 0)
		return e;
	if (type != HUBHA_WIRE_PG_PROBE || body != HUBHA_WIRE_PG_PROBE_LEN)
		return -EBADMSG;
	p += HUBHA_WIRE_HEADER_LEN;
	for (int i = 8; i < 16; i++)
		if (p[i])
			return -EBADMSG;
	*ret_nonce = get64(p);
	return 0;
}

static int pg_status_check(const struct hubha_wire_pg_status *w)
{
	const struct hubha_pg_status *st = &w->status;

	if (st->n_standbys > HUBHA_WIRE_PG_STANDBYS_MAX || (st->n_standbys && !st->standbys) ||
	    !terminated(st->receiver, sizeof(st->receiver)) || !terminated(st->sync_names, sizeof(st->sync_names)) ||
	    !terminated(w->id.data_directory, sizeof(w->id.data_directory)))
		return -EINVAL;
	for (unsigned i = 0; i < st->n_standbys; i++) {
		const struct hubha_pg_standby *s = &st->standbys[i];

		if (s->pid <= 0 || !terminated(s->name, sizeof(s->name)) || !terminated(s->state, sizeof(s->state)) ||
		    !terminated(s->sync_state, sizeof(s->sync_state)))
			return -EINVAL;
	}
	return 0;
}

int hubha_wire_encode_pg_status(const struct hubha_wire_pg_status *w, uint8_t *buf, size_t size, size_t *ret_len)
{
	const struct hubha_pg_status *st = &w->status;
	size_t body, len;
	uint8_t *p;
	int e = pg_status_check(w);

	if (e < 0)
		return e;
	body = HUBHA_WIRE_PG_STATUS_LEN + (size_t)st->n_standbys * HUBHA_WIRE_PG_ROW_LEN;
	len = HUBHA_WIRE_HEADER_LEN + body;
	if (size < len)
		return -ENOBUFS;
	put_header(buf, HUBHA_WIRE_PG_STATUS, (uint32_t)body);
	p = buf + HUBHA_WIRE_HEADER_LEN;
	put64(p, w->id.nonce);
	put64(p + 8, w->id.system_identifier);
	put32(p + 16, w->postmaster_pid);
	p[20] = st->in_recovery ? 1 : 0;
	p[21] = p[22] = p[23] = 0;
	put32(p + 24, st->timeline);
	put32(p + 28, st->n_standbys);
	put64(p + 32, st->lsn);
	put_string(p + 40, st->receiver, sizeof(st->receiver));
	put_string(p + 64, st->sync_names, sizeof(st->sync_names));
	put_string(p + 320, w->id.data_directory, sizeof(w->id.data_directory));
	p += HUBHA_WIRE_PG_STATUS_LEN;
	for (unsigned i = 0; i < st->n_standbys; i++, p += HUBHA_WIRE_PG_ROW_LEN) {
		const struct hubha_pg_standby *s = &st->standbys[i];

		put_string(p, s->name, sizeof(s->name));
		put32(p + 64, (uint32_t)s->pid);
		put_string(p + 68, s->state, sizeof(s->state));
		put_string(p + 92, s->sync_state, sizeof(s->sync_state));
		put64(p + 108, s->flush_lsn);
		put32(p + 116, 0);
	}
	*ret_len = len;
	return 0;
}

static int decode_pg_rows(const uint8_t *p, struct hubha_pg_standby *rows, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++, p += HUBHA_WIRE_PG_ROW_LEN) {
		struct hubha_pg_standby *s = &rows[i];
		uint32_t pid = get32(p + 64);

		if (get_string(s->name, p, sizeof(s->name)) < 0 || get_string(s->state, p + 68, sizeof(s->state)) < 0 ||
		    get_string(s->sync_state, p + 92, sizeof(s->sync_state)) < 0 || pid == 0 || pid > INT32_MAX ||
		    get32(p + 116) != 0)
			return -EBADMSG;
		s->pid = (int)pid;
		s->flush_lsn = get64(p + 108);
	}
	return 0;
}

int hubha_wire_decode_pg_status(const void *buf, size_t len, struct hubha_wire_pg_status *ret)
{
	const uint8_t *p = buf;
	struct hubha_wire_pg_status w;
	uint32_t body, n;
	uint16_t type;
	int e;

	if ((e = get_header(p, len, HUBHA_WIRE_PG_STATUS_MAX_LEN, &type, &body)) < 0)
		return e;
	p += HUBHA_WIRE_HEADER_LEN;
	if (type != HUBHA_WIRE_PG_STATUS || body < HUBHA_WIRE_PG_STATUS_LEN || p[20] > 1 || p[21] || p[22] || p[23])
		return -EBADMSG;
	n = get32(p + 28);
	if (n > HUBHA_WIRE_PG_STANDBYS_MAX || body != HUBHA_WIRE_PG_STATUS_LEN + (size_t)n * HUBHA_WIRE_PG_ROW_LEN)
		return -EBADMSG;
	memset(&w, 0, sizeof(w));
	w.id.nonce = get64(p);
	w.id.system_identifier = get64(p + 8);
	w.postmaster_pid = get32(p + 16);
	w.status.in_recovery = p[20];
	w.status.timeline = get32(p + 24);
	w.status.lsn = get64(p + 32);
	if (get_string(w.status.receiver, p + 40, sizeof(w.status.receiver)) < 0 ||
	    get_string(w.status.sync_names, p + 64, sizeof(w.status.sync_names)) < 0 ||
	    get_string(w.id.data_directory, p + 320, sizeof(w.id.data_directory)) < 0)
		return -EBADMSG;
	if (n) {
		w.status.standbys = calloc(n, sizeof(*w.status.standbys));
		if (!w.status.standbys)
			return -ENOMEM;
		e = decode_pg_rows(p + HUBHA_WIRE_PG_STATUS_LEN, w.status.standbys, n);
		if (e < 0) {
			free(w.status.standbys);
			return e;
		}
		w.status.n_standbys = n;
	}
	*ret = w;
	return 0;
}

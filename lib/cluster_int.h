/*
 * Inside libhubha-cluster: the wire format (wire.c) and the health decision
 * (health.c), both pure, so the unit tests and the fuzzer compile them in.
 */
#ifndef HUBHA_CLUSTER_INT_H
#define HUBHA_CLUSTER_INT_H

#include <stddef.h>
#include <stdint.h>

#include <hubha/cluster.h>

/*
 * Every message starts with this header, in network byte order:
 *   u32 magic "HBHA", u16 version, u16 type, u32 body length.
 * Version 1 bodies: REQUEST is empty; REPORT is the fixed part then
 * n_standbys rows (see wire.c).  A reader drops what it cannot decode.
 */
#define HUBHA_WIRE_MAGIC 0x48424841u	/* "HBHA" */
#define HUBHA_WIRE_VERSION 1u
#define HUBHA_WIRE_HEADER_LEN 12u
#define HUBHA_WIRE_REPORT_LEN 96u	/* the fixed part of a REPORT body */
#define HUBHA_WIRE_ROW_LEN 84u		/* one standby row */
#define HUBHA_WIRE_MAX_LEN \
	(HUBHA_WIRE_HEADER_LEN + HUBHA_WIRE_REPORT_LEN + HUBHA_CLUSTER_STANDBYS_MAX * HUBHA_WIRE_ROW_LEN)

enum hubha_wire_type {
	HUBHA_WIRE_REPORT = 1,
	HUBHA_WIRE_REQUEST = 2,
};

/* 0 and the message's length in ret_len; -EINVAL: the report is not valid;
 * -ENOBUFS: buf is too small. */
int hubha_wire_encode_report(const hubha_report_t *report, uint8_t *buf, size_t size, size_t *ret_len);
int hubha_wire_encode_request(uint8_t *buf, size_t size, size_t *ret_len);

/*
 * Decode one message.  ret_report (may be NULL for a REQUEST) is filled
 * only for a REPORT.  -EBADMSG: not one of ours, truncated or inconsistent;
 * -EPROTONOSUPPORT: a version this reader does not know; -EMSGSIZE: longer
 * than its contents.
 */
int hubha_wire_decode(const void *buf, size_t len, enum hubha_wire_type *ret_type, hubha_report_t *ret_report);

/* 0 when every field of the report is in range and its strings end in NUL. */
int hubha_report_check(const hubha_report_t *report);

/* Which hubs are members and running the protocol is known only to
 * cluster.c; the decisions below see the hub list and quorum. */

/* The index of the one member whose report says primary; -1: none; -2: several. */
long hubha_hubs_primary(const hubha_hub_t *hubs, size_t n);

/*
 * Fill each hub's lag_bytes and sync_state from the reports: only against
 * the one member primary, -1 / _UNKNOWN when there is none or several.
 */
void hubha_hubs_derive(hubha_hub_t *hubs, size_t n);

/*
 * The verdict on hubs (as hubha_cluster_hubs() gives them, derived) and
 * quorum.  config may be NULL.
 */
void hubha_health_decide(const hubha_hub_t *hubs, size_t n, int quorate, const hubha_health_config_t *config,
			 hubha_health_t *ret_health, uint32_t *ret_reasons);

#endif

/*
 * hubhad's local service: its view of the cluster, over libqb IPC, for
 * one-shot readers on this node (libhubha-cluster's HUBHA_CLUSTER_LOCAL).
 */
#ifndef HUBHAD_IPC_H
#define HUBHAD_IPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <qb/qbloop.h>

#define HUBHAD_IPC_NO_GROUP ((gid_t)-1)

struct hubhad_ipc;

/* Encode the view (a VIEW message) into buf; 0 or a negative errno, which
 * the reader gets instead. */
typedef int (*hubhad_view_fn)(uint8_t *buf, size_t size, size_t *ret_len, void *data);

/* Serve on the loop; group: who may read besides root (HUBHAD_IPC_NO_GROUP: no one). */
int hubhad_ipc_new(qb_loop_t *loop, const char *service, gid_t group, hubhad_view_fn fn, void *data,
		   struct hubhad_ipc **ret_ipc);
void hubhad_ipc_free(struct hubhad_ipc *ipc);

/*
 * PG_PROBE requests go to probe with a token, which must reach
 * hubhad_ipc_probe_reply() exactly once (0 returned) or not at all (an
 * error returned, which the reader gets at once).  Without it readers get
 * -ENOTSUP.
 */
struct hubha_wire_pg_status;
typedef int (*hubhad_probe_fn)(uint64_t nonce, void *token, void *data);
void hubhad_ipc_set_probe(struct hubhad_ipc *ipc, hubhad_probe_fn probe, void *data);
void hubhad_ipc_probe_reply(void *token, int err, const struct hubha_wire_pg_status *st);

/* 0: a client of this uid and gid may read; -EPERM otherwise. */
int hubhad_ipc_allowed(uid_t uid, gid_t gid, gid_t group);

#endif

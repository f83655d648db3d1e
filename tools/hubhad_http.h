/*
 * hubhad's HTTP server (libmicrohttpd on hubhad's libqb loop): the health
 * checks, /cluster and /node JSON, /metrics and the /status page.
 */
#ifndef HUBHAD_HTTP_H
#define HUBHAD_HTTP_H

#include <hubha/cluster.h>
#include <qb/qbloop.h>

struct hubhad_http;

/*
 * Listens on listen ("127.0.0.1:8008", "[::1]:8008") and answers from
 * *cluster, read at each request: hubhad replaces it when corosync comes
 * back, and it is NULL meanwhile.  0, or a negative errno after logging why.
 */
int hubhad_http_start(qb_loop_t *loop, const char *listen, hubha_cluster_t *const *cluster,
		      struct hubhad_http **ret_http);
void hubhad_http_stop(struct hubhad_http *http);

#endif

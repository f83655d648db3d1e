/*
 * /metrics: the cluster as this node sees it, in Prometheus' text exposition
 * format (version 0.0.4).  Pure: it only writes to the stream it is given.
 */
#ifndef HUBHA_HTTP_METRICS_H
#define HUBHA_HTTP_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "status_fmt.h"

#define HUBHA_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* failovers: changes of primary this hubhad has seen since it started. */
int hubha_metrics_write(FILE *out, const struct hubha_view *view, uint64_t failovers);

#endif

/*
 * /status: one self-contained HTML page (inline CSS, no scripts, no outside
 * assets) with the HA badge, the reasons and each hub's last report.  Pure:
 * it only writes to the stream it is given.
 */
#ifndef HUBHA_HTTP_PAGE_H
#define HUBHA_HTTP_PAGE_H

#include <stdint.h>
#include <stdio.h>

#include "status_fmt.h"

/* local_nodeid marks this node's row (0: none); the page reloads itself
 * every refresh_s seconds (0: never). */
int hubha_page_write(FILE *out, const struct hubha_view *view, uint32_t local_nodeid, unsigned refresh_s);

#endif

#ifndef HUBHAD_ADDR_H
#define HUBHAD_ADDR_H

#include <stddef.h>
#include <stdint.h>

/* The ring0 address of node nodeid in corosync's nodelist, numeric. */
int hubhad_nodelist_addr(uint32_t nodeid, char *buf, size_t len);

#endif

/*
 * The node's own address from the corosync nodelist (ring0_addr of the entry
 * with our nodeid), as corosync-quorumtool and Pacemaker find node names.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/cmap.h>

#include "hubhad_addr.h"

/* ring0_addr may be a name: resolve it once, numeric text out. */
static int numeric(const char *addr, char *buf, size_t len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res;
	unsigned char raw[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, addr, raw) == 1 || inet_pton(AF_INET6, addr, raw) == 1) {
		if (strlen(addr) >= len)
			return -ENAMETOOLONG;
		memcpy(buf, addr, strlen(addr) + 1);
		return 0;
	}
	if (getaddrinfo(addr, NULL, &hints, &res) != 0)
		return -ENOENT;
	if (getnameinfo(res->ai_addr, res->ai_addrlen, buf, (socklen_t)len, NULL, 0, NI_NUMERICHOST) != 0) {
		freeaddrinfo(res);
		return -ENOENT;
	}
	freeaddrinfo(res);
	return 0;
}

int hubhad_nodelist_addr(uint32_t nodeid, char *buf, size_t len)
{
	cmap_handle_t h;
	char key[CMAP_KEYNAME_MAXLEN + 1];
	int r = -ENOENT;
	unsigned i;

	if (cmap_initialize(&h) != CS_OK)
		return -ENOTCONN;
	for (i = 0; i < 1024; i++) {
		uint32_t id;
		char *addr = NULL;

		snprintf(key, sizeof(key), "nodelist.node.%u.nodeid", i);
		if (cmap_get_uint32(h, key, &id) != CS_OK)
			break;
		if (id != nodeid)
			continue;
		snprintf(key, sizeof(key), "nodelist.node.%u.ring0_addr", i);
		if (cmap_get_string(h, key, &addr) == CS_OK) {
			r = numeric(addr, buf, len);
			free(addr);
		}
		break;
	}
	cmap_finalize(h);
	return r;
}

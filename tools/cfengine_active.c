/* The active hub's address as CFEngine knows it; see cfengine_active.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "cfengine_active.h"

/* "10.0.0.1" and "10.0.0.01" are not the same text; compare addresses as addresses when both are. */
static bool same_addr(const char *a, const char *b)
{
	unsigned char x[16], y[16];

	if (inet_pton(AF_INET, a, x) == 1 && inet_pton(AF_INET, b, y) == 1)
		return memcmp(x, y, 4) == 0;
	if (inet_pton(AF_INET6, a, x) == 1 && inet_pton(AF_INET6, b, y) == 1)
		return memcmp(x, y, 16) == 0;
	return strcmp(a, b) == 0;
}

int cfengine_hub_addr(const char *addr, const struct hubha_cfengine_hub *info, size_t n_info,
		      char ret_addr[HUBHA_CFENGINE_ADDR_MAX])
{
	const char *found = NULL;

	if (!addr || !*addr || strlen(addr) >= HUBHA_CFENGINE_ADDR_MAX)
		return -ESRCH;
	if (!info || !n_info)
		found = addr;
	/* internal_ip first: it is the address the hub itself knows (the report's), the key the one clients use. */
	for (size_t i = 0; !found && i < n_info; i++)
		if (info[i].internal_ip[0] && same_addr(info[i].internal_ip, addr))
			found = info[i].ip;
	for (size_t i = 0; !found && i < n_info; i++)
		if (same_addr(info[i].ip, addr))
			found = info[i].ip;
	if (!found)
		return -ESRCH;
	strcpy(ret_addr, found);
	return 0;
}

int cfengine_active_addr(const hubha_hub_t *hubs, size_t n, const struct hubha_cfengine_hub *info, size_t n_info,
			 char ret_addr[HUBHA_CFENGINE_ADDR_MAX], uint32_t *ret_nodeid)
{
	const hubha_hub_t *primary = NULL;
	int r;

	for (size_t i = 0; i < n; i++) {
		if (!hubs[i].member || !hubs[i].has_report || hubs[i].report.role != HUBHA_ROLE_PRIMARY)
			continue;
		if (primary)
			return -ENOTUNIQ;
		primary = &hubs[i];
	}
	if (!primary)
		return -ENOENT;
	r = cfengine_hub_addr(primary->report.address, info, n_info, ret_addr);
	if (r == 0 && ret_nodeid)
		*ret_nodeid = primary->nodeid;
	return r;
}

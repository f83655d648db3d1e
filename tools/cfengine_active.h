/*
 * Which address CFEngine should follow, decided from a view of the hubs and
 * ha_info.json, without I/O.
 *
 * The rule: the one member whose report says primary is the active hub; its
 * report's address (where clients reach its PostgreSQL) names it.  With
 * ha_info.json, the hub entry whose internal_ip is that address, else the
 * one whose key is, gives the address CFEngine knows the hub by: the key.
 * Without ha_info.json the report's address is taken as it is.
 */
#ifndef CFENGINE_ACTIVE_H
#define CFENGINE_ACTIVE_H

#include <stddef.h>
#include <stdint.h>

#include <hubha/cfengine.h>
#include <hubha/cluster.h>

/*
 * The address CFEngine knows the hub at addr by: 0 with ret_addr filled,
 * -ESRCH when info names no such hub (or addr is empty).  info may be NULL
 * (n_info 0): addr itself.
 */
int cfengine_hub_addr(const char *addr, const struct hubha_cfengine_hub *info, size_t n_info,
		      char ret_addr[HUBHA_CFENGINE_ADDR_MAX]);

/*
 * The active hub's address for master_hub.dat and the module.  -ENOENT: no
 * member reports primary; -ENOTUNIQ: more than one does; -ESRCH: the primary
 * reports no address, or ha_info.json names no hub with it.  *ret_nodeid
 * (may be NULL): the active hub's node id.
 */
int cfengine_active_addr(const hubha_hub_t *hubs, size_t n, const struct hubha_cfengine_hub *info, size_t n_info,
			 char ret_addr[HUBHA_CFENGINE_ADDR_MAX], uint32_t *ret_nodeid);

#endif

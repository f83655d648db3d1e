/*
 * hubha network helpers: rtnetlink address add/del/query, link state, and the
 * announcements that move an address (gratuitous ARP, IPv6 unsolicited NA).
 *
 * Every call returns 0 or a negative errno and fills ret_ arguments only on
 * success.  Nothing here logs.
 */
#ifndef HUBHA_NETLINK_H
#define HUBHA_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <net/if.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hubha_addr {
	int family;			/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

/* Parse a numeric IPv4 or IPv6 address (no prefix).  -EINVAL if not one. */
int hubha_addr_parse(const char *text, struct hubha_addr *ret_addr);
/* Format into buf (INET6_ADDRSTRLEN is enough). */
int hubha_addr_format(const struct hubha_addr *addr, char *buf, size_t len);
/* true when addr lies inside net/prefixlen (same family). */
bool hubha_addr_in_prefix(const struct hubha_addr *addr, const struct hubha_addr *net, unsigned prefixlen);
/* Broadcast address of an IPv4 address with prefixlen. */
int hubha_addr_broadcast(const struct hubha_addr *addr, unsigned prefixlen, struct hubha_addr *ret_brd);

struct hubha_nl;

int hubha_nl_open(struct hubha_nl **ret_nl);
void hubha_nl_close(struct hubha_nl *nl);

struct hubha_link {
	int ifindex;
	char name[IF_NAMESIZE];
	unsigned flags;			/* IFF_* from ifi_flags (IFF_UP, IFF_LOWER_UP, IFF_NOARP, IFF_LOOPBACK ...) */
	uint8_t hwaddr[32];
	size_t hwaddr_len;
	unsigned short type;		/* ARPHRD_* */
};

/* -ENODEV when no such interface. */
int hubha_nl_link_by_name(struct hubha_nl *nl, const char *name, struct hubha_link *ret_link);
int hubha_nl_link_by_index(struct hubha_nl *nl, int ifindex, struct hubha_link *ret_link);
/* Administratively up and carrier present (IFF_UP and IFF_LOWER_UP, or IFF_RUNNING). */
bool hubha_link_is_up(const struct hubha_link *link);

struct hubha_route {
	int ifindex;
	unsigned prefixlen;
	struct hubha_addr dst;
};

/*
 * The most specific directly connected route (main table, unicast, no
 * gateway, prefix length > 0) whose destination covers addr, restricted to
 * ifindex when it is not 0.  -ENOENT when none.
 */
int hubha_nl_route_find(struct hubha_nl *nl, const struct hubha_addr *addr, int ifindex,
			struct hubha_route *ret_route);

#define HUBHA_ADDR_F_NODAD		0x1u
#define HUBHA_ADDR_F_NOPREFIXROUTE	0x2u
#define HUBHA_LFT_FOREVER		UINT32_MAX

struct hubha_addr_spec {
	int ifindex;
	struct hubha_addr addr;
	unsigned prefixlen;
	bool has_broadcast;
	struct hubha_addr broadcast;	/* IPv4 only */
	char label[IF_NAMESIZE];	/* IPv4 only; empty: none */
	unsigned flags;			/* HUBHA_ADDR_F_* */
	uint32_t preferred_lft;		/* seconds or HUBHA_LFT_FOREVER */
};

struct hubha_addr_info {
	int ifindex;
	unsigned prefixlen;
	uint32_t flags;			/* IFA_F_* (tentative, dadfailed, ...) */
	char label[IF_NAMESIZE];
};

/* Where addr is configured.  -ENOENT when on no interface. */
int hubha_nl_addr_find(struct hubha_nl *nl, const struct hubha_addr *addr, struct hubha_addr_info *ret_info);
/* -EEXIST when already there. */
int hubha_nl_addr_add(struct hubha_nl *nl, const struct hubha_addr_spec *spec);
/* -EADDRNOTAVAIL when not there. */
int hubha_nl_addr_del(struct hubha_nl *nl, int ifindex, const struct hubha_addr *addr, unsigned prefixlen);

/* One gratuitous ARP request (sender = target = ip) broadcast on the link. */
int hubha_arp_announce(const struct hubha_link *link, const struct in_addr *ip);
/* One unsolicited neighbour advertisement (override flag) to ff02::1 from ip. */
int hubha_na_announce(const struct hubha_link *link, const struct in6_addr *ip);

#ifdef __cplusplus
}
#endif
#endif

/*
 * Announcing an address that has just moved here, so that neighbours update
 * their caches now rather than when their entries expire: a gratuitous ARP
 * request for IPv4, an unsolicited neighbour advertisement for IPv6.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netpacket/packet.h>
#include <sys/socket.h>

#include <hubha/netlink.h>

/* Neighbours drop neighbour discovery packets that have crossed a router. */
#define ND_HOP_LIMIT	255

static int check_link(const struct hubha_link *link)
{
	if (link->ifindex <= 0 || link->hwaddr_len > sizeof(link->hwaddr))
		return -EINVAL;
	/* Such links have no neighbour caches to update. */
	if ((link->flags & (IFF_NOARP | IFF_LOOPBACK)) || link->hwaddr_len == 0)
		return -EOPNOTSUPP;
	return 0;
}

static int send_all(int fd, const void *buf, size_t len, const struct sockaddr *to, socklen_t tolen)
{
	ssize_t n;

	do
		n = sendto(fd, buf, len, 0, to, tolen);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

int hubha_arp_announce(const struct hubha_link *link, const struct in_addr *ip)
{
	uint8_t pkt[sizeof(struct arphdr) + 2 * (sizeof(link->hwaddr) + sizeof(struct in_addr))];
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
	};
	struct arphdr ah;
	uint8_t *p;
	int fd, r;

	if (!link || !ip)
		return -EINVAL;
	r = check_link(link);
	if (r < 0)
		return r;
	/* sll_addr holds the destination, which must be a full hardware address. */
	if (link->hwaddr_len > sizeof(to.sll_addr))
		return -EOPNOTSUPP;

	to.sll_ifindex = link->ifindex;
	to.sll_halen = (unsigned char)link->hwaddr_len;
	memset(to.sll_addr, 0xff, link->hwaddr_len);

	/*
	 * A request rather than a reply, with sender and target protocol
	 * address both ours: that is what every implementation accepts as
	 * an update (RFC 5227, section 3).
	 */
	memset(&ah, 0, sizeof(ah));
	ah.ar_hrd = htons(link->type);
	ah.ar_pro = htons(ETH_P_IP);
	ah.ar_hln = (unsigned char)link->hwaddr_len;
	ah.ar_pln = sizeof(struct in_addr);
	ah.ar_op = htons(ARPOP_REQUEST);

	p = pkt;
	memcpy(p, &ah, sizeof(ah));
	p += sizeof(ah);
	memcpy(p, link->hwaddr, link->hwaddr_len);
	p += link->hwaddr_len;
	memcpy(p, ip, sizeof(*ip));
	p += sizeof(*ip);
	memset(p, 0, link->hwaddr_len);
	p += link->hwaddr_len;
	memcpy(p, ip, sizeof(*ip));
	p += sizeof(*ip);

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (fd < 0)
		return -errno;
	r = send_all(fd, pkt, (size_t)(p - pkt), (const struct sockaddr *)&to, sizeof(to));
	close(fd);
	return r;
}

int hubha_na_announce(const struct hubha_link *link, const struct in6_addr *ip)
{
	/* Advertisement plus a target link-layer address option, in 8-octet units. */
	uint8_t pkt[sizeof(struct nd_neighbor_advert) + sizeof(struct nd_opt_hdr) + sizeof(link->hwaddr) + 8];
	struct sockaddr_in6 from = { .sin6_family = AF_INET6 };
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
	struct nd_neighbor_advert na;
	struct nd_opt_hdr opt;
	int hops = ND_HOP_LIMIT, ifindex;
	size_t optlen;
	int fd, r;

	if (!link || !ip)
		return -EINVAL;
	r = check_link(link);
	if (r < 0)
		return r;
	ifindex = link->ifindex;

	memset(&na, 0, sizeof(na));
	na.nd_na_type = ND_NEIGHBOR_ADVERT;
	na.nd_na_code = 0;
	/*
	 * Not solicited, as nobody asked; override, so that caches holding the
	 * previous owner's address switch to ours.  The kernel fills in the
	 * checksum of ICMPv6 raw sockets.
	 */
	na.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE;
	na.nd_na_target = *ip;

	optlen = (sizeof(opt) + link->hwaddr_len + 7) & ~(size_t)7;
	memset(&opt, 0, sizeof(opt));
	opt.nd_opt_type = ND_OPT_TARGET_LINKADDR;
	opt.nd_opt_len = (uint8_t)(optlen / 8);

	memset(pkt, 0, sizeof(pkt));
	memcpy(pkt, &na, sizeof(na));
	memcpy(pkt + sizeof(na), &opt, sizeof(opt));
	memcpy(pkt + sizeof(na) + sizeof(opt), link->hwaddr, link->hwaddr_len);

	/* The source must be the address itself, so that it is not some other one of ours. */
	from.sin6_addr = *ip;
	if (IN6_IS_ADDR_LINKLOCAL(ip))
		from.sin6_scope_id = (uint32_t)ifindex;

	/* ff02::1, all nodes on the link. */
	to.sin6_addr.s6_addr[0] = 0xff;
	to.sin6_addr.s6_addr[1] = 0x02;
	to.sin6_addr.s6_addr[15] = 0x01;
	to.sin6_scope_id = (uint32_t)ifindex;

	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0 ||
	    bind(fd, (const struct sockaddr *)&from, sizeof(from)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	r = send_all(fd, pkt, sizeof(na) + optlen, (const struct sockaddr *)&to, sizeof(to));
	close(fd);
	return r;
}

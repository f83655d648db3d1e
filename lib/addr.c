/*
 * Address parsing, formatting and prefix arithmetic.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <hubha/netlink.h>

static unsigned family_bits(int family)
{
	switch (family) {
	case AF_INET:
		return 32;
	case AF_INET6:
		return 128;
	default:
		return 0;
	}
}

int hubha_addr_parse(const char *text, struct hubha_addr *ret_addr)
{
	struct hubha_addr a;

	if (!text || !ret_addr)
		return -EINVAL;

	/*
	 * inet_pton() is strict enough on its own: it takes neither
	 * whitespace, nor a "/prefix", nor a "%zone", nor the legacy
	 * inet_aton() shorthands such as "10.1" or octal octets.
	 */
	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, text, &a.u.v4) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, text, &a.u.v6) == 1)
		a.family = AF_INET6;
	else
		return -EINVAL;

	*ret_addr = a;
	return 0;
}

int hubha_addr_format(const struct hubha_addr *addr, char *buf, size_t len)
{
	if (!addr || !buf)
		return -EINVAL;
	if (!family_bits(addr->family))
		return -EAFNOSUPPORT;
	/* Nothing longer is ever written, and it keeps the socklen_t cast exact. */
	if (len > INET6_ADDRSTRLEN)
		len = INET6_ADDRSTRLEN;
	if (!inet_ntop(addr->family, &addr->u, buf, (socklen_t)len))
		return -errno;
	return 0;
}

bool hubha_addr_in_prefix(const struct hubha_addr *addr, const struct hubha_addr *net,
			  unsigned prefixlen)
{
	const uint8_t *a, *n;
	unsigned full, rest;

	if (!addr || !net || addr->family != net->family)
		return false;
	if (!family_bits(addr->family) || prefixlen > family_bits(addr->family))
		return false;

	/* Both union members start at the same place, in network byte order. */
	a = (const uint8_t *)&addr->u;
	n = (const uint8_t *)&net->u;
	full = prefixlen / 8;
	rest = prefixlen % 8;

	if (memcmp(a, n, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xffu << (8 - rest));

		if ((a[full] & mask) != (n[full] & mask))
			return false;
	}
	return true;
}

int hubha_addr_broadcast(const struct hubha_addr *addr, unsigned prefixlen, struct hubha_addr *ret_brd)
{
	struct hubha_addr brd;
	uint32_t host;

	if (!addr || !ret_brd)
		return -EINVAL;
	if (addr->family != AF_INET)
		return -EAFNOSUPPORT;
	if (prefixlen > 32)
		return -EINVAL;

	/* Shifting a 32-bit value by 32 is undefined, hence the special case. */
	host = prefixlen == 0 ? UINT32_MAX : (UINT32_C(1) << (32 - prefixlen)) - 1;

	memset(&brd, 0, sizeof(brd));
	brd.family = AF_INET;
	brd.u.v4.s_addr = htonl(ntohl(addr->u.v4.s_addr) | host);

	*ret_brd = brd;
	return 0;
}

/*
 * Raw rtnetlink: link lookup, connected-route lookup, and IP address query,
 * add and delete.  A handle carries one request at a time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <net/if.h>
/* After <net/if.h>, this only adds what glibc lacks (IFF_LOWER_UP, ...). */
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <hubha/netlink.h>

/*
 * The kernel builds each dump datagram to fit the largest buffer it has seen
 * us offer, up to 32 KiB; twice that leaves room for an oversized single
 * message, and MSG_TRUNC catches anything beyond.
 */
#define NL_RECV_LEN		(64 * 1024)
/* Dumps are flow-controlled by the kernel, so this need not hold a whole table. */
#define NL_SOCK_RCVBUF		(256 * 1024)
/* Enough for the largest request built here (RTM_NEWADDR with every attribute). */
#define NL_REQ_LEN		512
/* A dump that keeps being interrupted by concurrent changes is given up on. */
#define NL_DUMP_TRIES		5
/* The kernel's "forever" for IFA_CACHEINFO lifetimes; not in the uapi headers. */
#define INFINITY_LIFE_TIME	0xFFFFFFFFu

struct hubha_nl {
	int fd;
	uint32_t portid;
	uint32_t seq;
	union {
		struct nlmsghdr hdr;
		uint8_t bytes[NL_RECV_LEN];
	} buf;
};

union nl_req {
	struct nlmsghdr hdr;
	uint8_t bytes[NL_REQ_LEN];
};

typedef int (*nl_msg_cb)(struct nlmsghdr *h, void *userdata);

static size_t addr_len(int family)
{
	switch (family) {
	case AF_INET:
		return sizeof(struct in_addr);
	case AF_INET6:
		return sizeof(struct in6_addr);
	default:
		return 0;
	}
}

int hubha_nl_open(struct hubha_nl **ret_nl)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	socklen_t local_len = sizeof(local);
	int rcvbuf = NL_SOCK_RCVBUF, one = 1;
	struct hubha_nl *nl;
	int r;

	if (!ret_nl)
		return -EINVAL;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;

	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0) {
		r = -errno;
		free(nl);
		return r;
	}

	/* Both are optimisations; a kernel refusing them still works. */
	(void)setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* Error replies otherwise echo the whole request back at us. */
	(void)setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	/* Replies are matched on the port id the kernel assigns here. */
	if (bind(nl->fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    getsockname(nl->fd, (struct sockaddr *)&local, &local_len) < 0) {
		r = -errno;
		goto fail;
	}
	if (local_len != sizeof(local) || local.nl_family != AF_NETLINK) {
		r = -EPROTO;
		goto fail;
	}
	nl->portid = local.nl_pid;

	*ret_nl = nl;
	return 0;

fail:
	close(nl->fd);
	free(nl);
	return r;
}

void hubha_nl_close(struct hubha_nl *nl)
{
	if (!nl)
		return;
	close(nl->fd);
	free(nl);
}

static void *req_init(union nl_req *req, uint16_t type, uint16_t flags, size_t hdrlen)
{
	memset(req, 0, sizeof(*req));
	req->hdr.nlmsg_len = NLMSG_LENGTH(hdrlen);
	req->hdr.nlmsg_type = type;
	req->hdr.nlmsg_flags = NLM_F_REQUEST | flags;
	return NLMSG_DATA(&req->hdr);
}

static int req_put(union nl_req *req, unsigned short type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(req->hdr.nlmsg_len);
	struct rtattr *rta;

	if (len > sizeof(req->bytes) || off + RTA_SPACE(len) > sizeof(req->bytes))
		return -ENOBUFS;

	rta = (struct rtattr *)(req->bytes + off);
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->hdr.nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
	return 0;
}

static int nl_send(struct hubha_nl *nl, union nl_req *req)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t n;

	/* 0 is what unsolicited kernel messages carry; never wait for it. */
	if (++nl->seq == 0)
		nl->seq = 1;
	req->hdr.nlmsg_seq = nl->seq;
	req->hdr.nlmsg_pid = nl->portid;

	do
		n = sendto(nl->fd, req->bytes, req->hdr.nlmsg_len, 0,
			   (struct sockaddr *)&kernel, sizeof(kernel));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != req->hdr.nlmsg_len)
		return -EIO;
	return 0;
}

/*
 * Sends req and reads its replies up to NLMSG_DONE or NLMSG_ERROR, passing
 * every other reply to cb.  After cb fails it is not called again, but the
 * reply is still read to the end so that the socket is clean for the next
 * request.  -EAGAIN means the dump was inconsistent (NLM_F_DUMP_INTR).
 */
static int nl_transact(struct hubha_nl *nl, union nl_req *req, nl_msg_cb cb, void *userdata)
{
	bool interrupted = false;
	int cb_r = 0;
	int r;

	r = nl_send(nl, req);
	if (r < 0)
		return r;

	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = {
			.iov_base = nl->buf.bytes,
			.iov_len = sizeof(nl->buf.bytes),
		};
		struct msghdr msg = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
		};
		struct nlmsghdr *h;
		ssize_t n;
		/*
		 * Wider than nlmsg_len, so that NLMSG_OK() compares without a
		 * sign mismatch and NLMSG_NEXT() can still step below zero.
		 */
		long long len;

		n = recvmsg(nl->fd, &msg, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (msg.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		/* Only the kernel gets to answer. */
		if (msg.msg_namelen != sizeof(from) || from.nl_family != AF_NETLINK || from.nl_pid != 0)
			continue;

		len = n;
		for (h = &nl->buf.hdr; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			/* Leftovers of an earlier request abandoned half way. */
			if (h->nlmsg_seq != nl->seq || h->nlmsg_pid != nl->portid)
				continue;

			switch (h->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_OVERRUN:
				return -ENOBUFS;
			case NLMSG_ERROR: {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EBADMSG;
				if (e->error > 0)
					return -EPROTO;
				/* error 0 is the ACK of a non-dump request. */
				return e->error < 0 ? e->error : cb_r;
			}
			case NLMSG_DONE: {
				int err = 0;

				/* A dump that failed half way reports it here. */
				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(err)))
					memcpy(&err, NLMSG_DATA(h), sizeof(err));
				if (err > 0)
					return -EPROTO;
				if (err < 0)
					return err;
				if (cb_r < 0)
					return cb_r;
				return interrupted ? -EAGAIN : 0;
			}
			default:
				break;
			}

			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				interrupted = true;
			if (cb && cb_r == 0)
				cb_r = cb(h, userdata);
		}
		if (len != 0)
			return -EBADMSG;
	}
}

/*
 * The family header of h, with its attributes indexed into tb[0..max], or
 * NULL if h is too short to hold the header.
 */
static void *msg_parse(struct nlmsghdr *h, size_t hdrlen, struct rtattr **tb, unsigned max)
{
	struct rtattr *rta;
	int len;

	if (h->nlmsg_len < NLMSG_LENGTH(hdrlen))
		return NULL;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	rta = (struct rtattr *)((uint8_t *)NLMSG_DATA(h) + NLMSG_ALIGN(hdrlen));
	len = (int)h->nlmsg_len - (int)NLMSG_SPACE(hdrlen);
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		unsigned type = rta->rta_type & NLA_TYPE_MASK;

		if (type <= max)
			tb[type] = rta;
	}
	return NLMSG_DATA(h);
}

static bool attr_u32(const struct rtattr *rta, uint32_t *ret)
{
	if (!rta || RTA_PAYLOAD(rta) != sizeof(*ret))
		return false;
	memcpy(ret, RTA_DATA(rta), sizeof(*ret));
	return true;
}

/* Copies a NUL-terminated string attribute that fits in buf; false otherwise. */
static bool attr_str(const struct rtattr *rta, char *buf, size_t size)
{
	size_t len;

	if (!rta)
		return false;
	len = strnlen(RTA_DATA(rta), RTA_PAYLOAD(rta));
	if (len == RTA_PAYLOAD(rta) || len >= size)
		return false;
	memcpy(buf, RTA_DATA(rta), len);
	buf[len] = '\0';
	return true;
}

static bool attr_addr(const struct rtattr *rta, int family, struct hubha_addr *ret)
{
	size_t len = addr_len(family);

	if (!rta || !len || RTA_PAYLOAD(rta) != len)
		return false;
	memset(ret, 0, sizeof(*ret));
	ret->family = family;
	memcpy(&ret->u, RTA_DATA(rta), len);
	return true;
}

struct link_query {
	bool found;
	struct hubha_link link;
};

static int link_cb(struct nlmsghdr *h, void *userdata)
{
	struct link_query *q = userdata;
	struct rtattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi;
	struct hubha_link link;

	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	ifi = msg_parse(h, sizeof(*ifi), tb, IFLA_MAX);
	if (!ifi)
		return -EBADMSG;

	memset(&link, 0, sizeof(link));
	link.ifindex = ifi->ifi_index;
	link.flags = ifi->ifi_flags;
	link.type = ifi->ifi_type;
	if (!attr_str(tb[IFLA_IFNAME], link.name, sizeof(link.name)))
		return -EBADMSG;
	if (tb[IFLA_ADDRESS]) {
		size_t hwlen = RTA_PAYLOAD(tb[IFLA_ADDRESS]);

		if (hwlen > sizeof(link.hwaddr))
			return -EBADMSG;
		memcpy(link.hwaddr, RTA_DATA(tb[IFLA_ADDRESS]), hwlen);
		link.hwaddr_len = hwlen;
	}

	q->link = link;
	q->found = true;
	return 0;
}

static int link_get(struct hubha_nl *nl, union nl_req *req, struct hubha_link *ret_link)
{
	struct link_query q = { .found = false };
	int r;

	r = nl_transact(nl, req, link_cb, &q);
	if (r < 0)
		return r;
	if (!q.found)
		return -EPROTO;

	*ret_link = q.link;
	return 0;
}

int hubha_nl_link_by_name(struct hubha_nl *nl, const char *name, struct hubha_link *ret_link)
{
	union nl_req req;
	size_t len;
	int r;

	if (!nl || !name || !ret_link)
		return -EINVAL;
	len = strnlen(name, IF_NAMESIZE);
	if (len == 0 || len >= IF_NAMESIZE)
		return -EINVAL;

	req_init(&req, RTM_GETLINK, NLM_F_ACK, sizeof(struct ifinfomsg));
	r = req_put(&req, IFLA_IFNAME, name, len + 1);
	if (r < 0)
		return r;
	return link_get(nl, &req, ret_link);
}

int hubha_nl_link_by_index(struct hubha_nl *nl, int ifindex, struct hubha_link *ret_link)
{
	struct ifinfomsg *ifi;
	union nl_req req;

	if (!nl || ifindex <= 0 || !ret_link)
		return -EINVAL;

	ifi = req_init(&req, RTM_GETLINK, NLM_F_ACK, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	return link_get(nl, &req, ret_link);
}

bool hubha_link_is_up(const struct hubha_link *link)
{
	if (!link || !(link->flags & IFF_UP))
		return false;
	return (link->flags & (IFF_LOWER_UP | IFF_RUNNING)) != 0;
}

struct route_query {
	const struct hubha_addr *addr;
	int ifindex;
	bool found;
	uint32_t metric;
	struct hubha_route best;
};

static int route_cb(struct nlmsghdr *h, void *userdata)
{
	struct route_query *q = userdata;
	struct rtattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	struct hubha_addr dst;
	uint32_t table, oif, metric = 0;

	if (h->nlmsg_type != RTM_NEWROUTE)
		return 0;
	rtm = msg_parse(h, sizeof(*rtm), tb, RTA_MAX);
	if (!rtm)
		return -EBADMSG;

	if (rtm->rtm_family != q->addr->family || rtm->rtm_type != RTN_UNICAST)
		return 0;
	/* rtm_table is 8 bits; tables past 255 show only in RTA_TABLE. */
	if (!attr_u32(tb[RTA_TABLE], &table))
		table = rtm->rtm_table;
	if (table != RT_TABLE_MAIN)
		return 0;
	/* Not directly connected. */
	if (tb[RTA_GATEWAY] || tb[RTA_VIA])
		return 0;
	/* Multipath and nexthop-object routes carry no RTA_OIF and are skipped too. */
	if (!attr_u32(tb[RTA_OIF], &oif) || oif == 0 || oif > INT32_MAX)
		return 0;
	if (q->ifindex != 0 && oif != (uint32_t)q->ifindex)
		return 0;
	if (rtm->rtm_dst_len == 0 || !attr_addr(tb[RTA_DST], rtm->rtm_family, &dst))
		return 0;
	if (!hubha_addr_in_prefix(q->addr, &dst, rtm->rtm_dst_len))
		return 0;
	(void)attr_u32(tb[RTA_PRIORITY], &metric);

	/* Longest prefix wins; among equals, the one the kernel prefers. */
	if (q->found && (rtm->rtm_dst_len < q->best.prefixlen ||
			 (rtm->rtm_dst_len == q->best.prefixlen && metric >= q->metric)))
		return 0;

	q->found = true;
	q->metric = metric;
	q->best.ifindex = (int)oif;
	q->best.prefixlen = rtm->rtm_dst_len;
	q->best.dst = dst;
	return 0;
}

int hubha_nl_route_find(struct hubha_nl *nl, const struct hubha_addr *addr, int ifindex,
			struct hubha_route *ret_route)
{
	struct route_query q;
	union nl_req req;
	struct rtmsg *rtm;
	int r, tries = 0;

	if (!nl || !addr || !addr_len(addr->family) || ifindex < 0 || !ret_route)
		return -EINVAL;

	do {
		memset(&q, 0, sizeof(q));
		q.addr = addr;
		q.ifindex = ifindex;

		rtm = req_init(&req, RTM_GETROUTE, NLM_F_DUMP, sizeof(*rtm));
		rtm->rtm_family = (unsigned char)addr->family;
		r = nl_transact(nl, &req, route_cb, &q);
	} while (r == -EAGAIN && ++tries < NL_DUMP_TRIES);
	if (r < 0)
		return r;
	if (!q.found)
		return -ENOENT;

	*ret_route = q.best;
	return 0;
}

struct addr_query {
	const struct hubha_addr *addr;
	bool found;
	struct hubha_addr_info info;
};

static int addr_cb(struct nlmsghdr *h, void *userdata)
{
	struct addr_query *q = userdata;
	struct rtattr *tb[IFA_MAX + 1];
	const struct ifaddrmsg *ifa;
	struct hubha_addr_info info;
	struct hubha_addr local;
	uint32_t flags;

	if (q->found || h->nlmsg_type != RTM_NEWADDR)
		return 0;
	ifa = msg_parse(h, sizeof(*ifa), tb, IFA_MAX);
	if (!ifa)
		return -EBADMSG;
	if (ifa->ifa_family != q->addr->family)
		return 0;

	/*
	 * IFA_ADDRESS is the peer on point-to-point addresses, and then the
	 * local one is in IFA_LOCAL; IPv4 always sends IFA_LOCAL, IPv6 only
	 * for those.
	 */
	if (!attr_addr(tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS], ifa->ifa_family, &local))
		return 0;
	if (memcmp(&local.u, &q->addr->u, addr_len(local.family)) != 0)
		return 0;

	memset(&info, 0, sizeof(info));
	info.ifindex = (int)ifa->ifa_index;
	info.prefixlen = ifa->ifa_prefixlen;
	/* ifa_flags holds only the low 8 bits of the flags. */
	if (!attr_u32(tb[IFA_FLAGS], &flags))
		flags = ifa->ifa_flags;
	info.flags = flags;
	if (tb[IFA_LABEL] && !attr_str(tb[IFA_LABEL], info.label, sizeof(info.label)))
		return -EBADMSG;

	q->info = info;
	q->found = true;
	return 0;
}

int hubha_nl_addr_find(struct hubha_nl *nl, const struct hubha_addr *addr, struct hubha_addr_info *ret_info)
{
	struct addr_query q;
	struct ifaddrmsg *ifa;
	union nl_req req;
	int r, tries = 0;

	if (!nl || !addr || !addr_len(addr->family) || !ret_info)
		return -EINVAL;

	do {
		memset(&q, 0, sizeof(q));
		q.addr = addr;

		ifa = req_init(&req, RTM_GETADDR, NLM_F_DUMP, sizeof(*ifa));
		ifa->ifa_family = (unsigned char)addr->family;
		r = nl_transact(nl, &req, addr_cb, &q);
	} while (r == -EAGAIN && ++tries < NL_DUMP_TRIES);
	if (r < 0)
		return r;
	if (!q.found)
		return -ENOENT;

	*ret_info = q.info;
	return 0;
}

/* Header and IFA_LOCAL/IFA_ADDRESS shared by add and delete. */
static struct ifaddrmsg *addr_req_init(union nl_req *req, uint16_t type, uint16_t flags, int ifindex,
				       const struct hubha_addr *addr, unsigned prefixlen)
{
	struct ifaddrmsg *ifa;
	size_t len = addr_len(addr->family);

	ifa = req_init(req, type, flags, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)addr->family;
	ifa->ifa_prefixlen = (unsigned char)prefixlen;
	ifa->ifa_index = (unsigned)ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;

	/*
	 * Equal local and address mean "no peer".  IPv4 deletion also only
	 * compares the prefix length when IFA_ADDRESS is given.
	 */
	if (req_put(req, IFA_LOCAL, &addr->u, len) < 0 ||
	    req_put(req, IFA_ADDRESS, &addr->u, len) < 0)
		return NULL;
	return ifa;
}

int hubha_nl_addr_add(struct hubha_nl *nl, const struct hubha_addr_spec *spec)
{
	struct ifaddrmsg *ifa;
	union nl_req req;
	uint32_t flags = 0;
	size_t label_len;
	bool v4;

	if (!nl || !spec || spec->ifindex <= 0 || !addr_len(spec->addr.family))
		return -EINVAL;
	v4 = spec->addr.family == AF_INET;
	if (spec->prefixlen > addr_len(spec->addr.family) * 8)
		return -EINVAL;
	if (spec->flags & ~(HUBHA_ADDR_F_NODAD | HUBHA_ADDR_F_NOPREFIXROUTE))
		return -EINVAL;
	if (spec->has_broadcast && (!v4 || spec->broadcast.family != AF_INET))
		return -EINVAL;
	label_len = strnlen(spec->label, sizeof(spec->label));
	if (label_len == sizeof(spec->label) || (label_len > 0 && !v4))
		return -EINVAL;

	if (spec->flags & HUBHA_ADDR_F_NODAD)
		flags |= IFA_F_NODAD;
	if (spec->flags & HUBHA_ADDR_F_NOPREFIXROUTE)
		flags |= IFA_F_NOPREFIXROUTE;

	ifa = addr_req_init(&req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK,
			    spec->ifindex, &spec->addr, spec->prefixlen);
	if (!ifa)
		return -ENOBUFS;
	/* Loopback addresses get host scope, as ip(8) gives them. */
	if (v4 && (ntohl(spec->addr.u.v4.s_addr) >> 24) == 127)
		ifa->ifa_scope = RT_SCOPE_HOST;
	/* Kernels older than IFA_FLAGS still see the low bits here. */
	ifa->ifa_flags = (unsigned char)(flags & 0xff);

	if (spec->has_broadcast &&
	    req_put(&req, IFA_BROADCAST, &spec->broadcast.u.v4, sizeof(spec->broadcast.u.v4)) < 0)
		return -ENOBUFS;
	if (label_len > 0 && req_put(&req, IFA_LABEL, spec->label, label_len + 1) < 0)
		return -ENOBUFS;
	if (flags && req_put(&req, IFA_FLAGS, &flags, sizeof(flags)) < 0)
		return -ENOBUFS;
	if (spec->preferred_lft != HUBHA_LFT_FOREVER) {
		struct ifa_cacheinfo ci = {
			.ifa_prefered = spec->preferred_lft,
			.ifa_valid = INFINITY_LIFE_TIME,
		};

		if (req_put(&req, IFA_CACHEINFO, &ci, sizeof(ci)) < 0)
			return -ENOBUFS;
	}

	return nl_transact(nl, &req, NULL, NULL);
}

int hubha_nl_addr_del(struct hubha_nl *nl, int ifindex, const struct hubha_addr *addr, unsigned prefixlen)
{
	union nl_req req;

	if (!nl || ifindex <= 0 || !addr || !addr_len(addr->family))
		return -EINVAL;
	if (prefixlen > addr_len(addr->family) * 8)
		return -EINVAL;

	if (!addr_req_init(&req, RTM_DELADDR, NLM_F_ACK, ifindex, addr, prefixlen))
		return -ENOBUFS;
	return nl_transact(nl, &req, NULL, NULL);
}

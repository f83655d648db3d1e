/*
 * ocf:hubha:vip — a shared IPv4/IPv6 address, with IPaddr2's parameters.
 *
 * Addresses change over rtnetlink; the move is announced with gratuitous ARP
 * (IPv4) or an unsolicited neighbour advertisement (IPv6), so no helper
 * program is ever run.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/if_addr.h>
#include <net/if.h>
#include <arpa/inet.h>

#include <hubha/deadline.h>
#include <hubha/log.h>
#include <hubha/netlink.h>
#include <hubha/ocf.h>

static int check_ip(const char *value, char *reason, size_t len)
{
	struct hubha_addr a;

	if (hubha_addr_parse(value, &a) < 0) {
		snprintf(reason, len, "not an IPv4 or IPv6 address");
		return -EINVAL;
	}
	return 0;
}

static int check_netmask(const char *value, char *reason, size_t len)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(value, &end, 10);
	if (errno || end == value || *end || n < 1 || n > 128) {
		snprintf(reason, len, "a CIDR prefix length is expected (e.g. 24, not 255.255.255.0)");
		return -EINVAL;
	}
	return 0;
}

static int check_ifname(const char *value, char *reason, size_t len)
{
	if (strlen(value) >= IF_NAMESIZE || strpbrk(value, "/: \t\n")) {
		snprintf(reason, len, "not a valid interface name");
		return -EINVAL;
	}
	return 0;
}

static int check_lft(const char *value, char *reason, size_t len)
{
	char *end;
	unsigned long n;

	if (strcmp(value, "forever") == 0)
		return 0;
	errno = 0;
	n = strtoul(value, &end, 10);
	if (errno || end == value || *end || value[0] == '-' || n >= HUBHA_LFT_FOREVER) {
		snprintf(reason, len, "expected \"forever\" or a number of seconds");
		return -EINVAL;
	}
	return 0;
}

static const struct hubha_param_def vip_params[] = {
	{ .name = "ip", .type = HUBHA_PARAM_STRING, .required = true, .unique = true, .check = check_ip,
	  .shortdesc = "IPv4 or IPv6 address",
	  .longdesc = "The IPv4 (dotted quad notation) or IPv6 address (colon hexadecimal notation) "
		      "example IPv4 \"192.168.1.1\". example IPv6 \"2001:db8:DC28:0:0:FC57:D4C8:1FFF\"." },
	{ .name = "nic", .type = HUBHA_PARAM_STRING, .check = check_ifname,
	  .shortdesc = "Network interface",
	  .longdesc = "The base network interface on which the IP address will be brought online. "
		      "If left empty, the interface is inferred from the routing table: the most specific "
		      "directly connected route that covers the address. If given, the interface must exist." },
	{ .name = "cidr_netmask", .type = HUBHA_PARAM_STRING, .check = check_netmask,
	  .shortdesc = "CIDR netmask",
	  .longdesc = "The netmask for the interface in CIDR format (e.g., 24 and not 255.255.255.0). "
		      "If unspecified, it is taken from the directly connected route that covers the address; "
		      "a given netmask may not be wider than that route." },
	{ .name = "broadcast", .type = HUBHA_PARAM_STRING, .check = check_ip,
	  .shortdesc = "Broadcast address",
	  .longdesc = "Broadcast address associated with the IPv4 address. If left empty, it is computed "
		      "from the address and netmask. Not valid for IPv6." },
	{ .name = "iflabel", .type = HUBHA_PARAM_STRING,
	  .shortdesc = "Interface label",
	  .longdesc = "A label appended to the interface name for the address (nic:iflabel), as ifconfig "
		      "and ip -4 addr show it. The whole label may be at most 15 characters. IPv4 only." },
	{ .name = "arp_interval", .type = HUBHA_PARAM_INTEGER, .default_value = "200", .min = 0, .max = 60000,
	  .shortdesc = "ARP packet interval in ms",
	  .longdesc = "Milliseconds between gratuitous ARPs (or unsolicited neighbour advertisements). "
		      "Announcements sent in the foreground (arp_count with arp_bg=false, and arp_count_refresh) "
		      "must fit in half the timeout of the operation that sends them: a start or recurring "
		      "monitor whose count times arp_interval is longer is refused as misconfigured, rather "
		      "than left to time out (validate-all checks against its own timeout)." },
	{ .name = "arp_count", .type = HUBHA_PARAM_INTEGER, .default_value = "5", .min = 0, .max = 1000,
	  .shortdesc = "ARP packet count",
	  .longdesc = "Number of gratuitous ARPs (IPv6: unsolicited neighbour advertisements) sent when "
		      "the address is brought up. 0 sends none. With arp_bg=false, arp_count times arp_interval "
		      "must fit in half the start timeout (see arp_interval)." },
	{ .name = "arp_count_refresh", .type = HUBHA_PARAM_INTEGER, .default_value = "0", .min = 0, .max = 1000,
	  .shortdesc = "ARP packet count for refresh",
	  .longdesc = "Number of gratuitous ARPs sent by every recurring monitor, to refresh neighbours' "
		      "caches. 0 sends none. arp_count_refresh times arp_interval must fit in half the "
		      "monitor timeout (see arp_interval)." },
	{ .name = "arp_bg", .type = HUBHA_PARAM_BOOLEAN, .default_value = "true",
	  .shortdesc = "ARP in background",
	  .longdesc = "Whether to send all but the first announcement in the background, so that start "
		      "returns after the first one. stop ends the background sender, whose pid is kept in "
		      "/run/hubha/vip-<resource>.pid, so a moved address is not claimed from here afterwards." },
	{ .name = "arp_sender", .type = HUBHA_PARAM_STRING,
	  .shortdesc = "ARP sender (accepted for compatibility)",
	  .longdesc = "Accepted for compatibility with IPaddr2 and ignored: announcements are always sent "
		      "by the agent itself over a packet socket, never by an external program." },
	{ .name = "send_arp_opts", .type = HUBHA_PARAM_STRING,
	  .shortdesc = "Options for the ARP sender (accepted for compatibility)",
	  .longdesc = "Accepted for compatibility with IPaddr2 and ignored, like arp_sender." },
	{ .name = "nodad", .type = HUBHA_PARAM_BOOLEAN, .default_value = "false",
	  .shortdesc = "Skip duplicate address detection (IPv6)",
	  .longdesc = "For IPv6, do not perform duplicate address detection, so the address is usable at "
		      "once. Without it, start waits for detection to finish and fails if the address is in use." },
	{ .name = "noprefixroute", .type = HUBHA_PARAM_BOOLEAN, .default_value = "false",
	  .shortdesc = "Do not add a prefix route",
	  .longdesc = "Do not create the route for the network prefix of the added address." },
	{ .name = "preferred_lft", .type = HUBHA_PARAM_STRING, .default_value = "forever", .check = check_lft,
	  .shortdesc = "Preferred lifetime",
	  .longdesc = "The preferred lifetime of the address, \"forever\" or seconds. 0 marks the address "
		      "deprecated, so the kernel does not pick it as a source address for outgoing traffic." },
};

struct vip_config {
	struct hubha_addr ip;
	long prefix;		/* -1: from the route */
	bool has_broadcast;
	struct hubha_addr broadcast;
	const char *nic;
	const char *iflabel;
	uint32_t preferred_lft;
};

static int vip_config_get(struct hubha_ocf_ctx *ctx, struct vip_config *cfg)
{
	const struct hubha_ocf_params *p = ctx->params;
	const char *s;

	memset(cfg, 0, sizeof(*cfg));
	hubha_addr_parse(hubha_ocf_params_str(p, "ip"), &cfg->ip);
	s = hubha_ocf_params_str(p, "cidr_netmask");
	cfg->prefix = s ? strtol(s, NULL, 10) : -1;
	s = hubha_ocf_params_str(p, "broadcast");
	if (s) {
		cfg->has_broadcast = true;
		hubha_addr_parse(s, &cfg->broadcast);
	}
	cfg->nic = hubha_ocf_params_str(p, "nic");
	cfg->iflabel = hubha_ocf_params_str(p, "iflabel");
	s = hubha_ocf_params_str(p, "preferred_lft");
	cfg->preferred_lft = strcmp(s, "forever") == 0 ? HUBHA_LFT_FOREVER : (uint32_t)strtoul(s, NULL, 10);
	return 0;
}

/*
 * Announcements sent in the foreground block the operation: refuse a count
 * that cannot finish in half its timeout instead of letting it time out, and
 * leave the other half to the address change and duplicate address detection.
 */
static int check_announce_time(struct hubha_ocf_ctx *ctx, const char *count_name)
{
	long count = hubha_ocf_params_int(ctx->params, count_name);
	long interval = hubha_ocf_params_int(ctx->params, "arp_interval");

	if (count * interval <= (long)(ctx->timeout_ms / 2))
		return HUBHA_OCF_SUCCESS;
	hubha_ocf_reason(ctx, "%s=%ld x arp_interval=%ld ms is longer than half the %s timeout (%u ms): lower them, "
			 "or raise the timeout%s", count_name, count, interval, ctx->action, ctx->timeout_ms,
			 strcmp(count_name, "arp_count") == 0 ? ", or set arp_bg=true" : "");
	return HUBHA_OCF_ERR_CONFIGURED;
}

static int vip_validate_timing(struct hubha_ocf_ctx *ctx)
{
	bool all = strcmp(ctx->action, "validate-all") == 0;
	int rc = HUBHA_OCF_SUCCESS;

	if ((all || strcmp(ctx->action, "start") == 0) && !hubha_ocf_params_bool(ctx->params, "arp_bg"))
		rc = check_announce_time(ctx, "arp_count");
	if (rc == HUBHA_OCF_SUCCESS && (all || (strcmp(ctx->action, "monitor") == 0 && !ctx->probe)))
		rc = check_announce_time(ctx, "arp_count_refresh");
	return rc;
}

/* Checks that need nothing but the parameters; run before every action. */
static int vip_validate(struct hubha_ocf_ctx *ctx)
{
	struct vip_config cfg;
	bool v6;

	vip_config_get(ctx, &cfg);
	v6 = cfg.ip.family == AF_INET6;
	if (cfg.prefix > (v6 ? 128 : 32)) {
		hubha_ocf_reason(ctx, "cidr_netmask=%ld is out of range for an %s address (1..%d)", cfg.prefix,
				 v6 ? "IPv6" : "IPv4", v6 ? 128 : 32);
		return HUBHA_OCF_ERR_CONFIGURED;
	}
	if (cfg.has_broadcast && (v6 || cfg.broadcast.family != AF_INET)) {
		hubha_ocf_reason(ctx, "broadcast=%s cannot be used with %s address %s",
				 hubha_ocf_params_str(ctx->params, "broadcast"), v6 ? "IPv6" : "IPv4",
				 hubha_ocf_params_str(ctx->params, "ip"));
		return HUBHA_OCF_ERR_CONFIGURED;
	}
	if (cfg.iflabel) {
		if (v6) {
			hubha_ocf_reason(ctx, "iflabel cannot be used with an IPv6 address");
			return HUBHA_OCF_ERR_CONFIGURED;
		}
		if (cfg.nic && strlen(cfg.nic) + 1 + strlen(cfg.iflabel) >= IF_NAMESIZE) {
			hubha_ocf_reason(ctx, "Label %s:%s is longer than %d characters", cfg.nic, cfg.iflabel,
					 IF_NAMESIZE - 1);
			return HUBHA_OCF_ERR_CONFIGURED;
		}
	}
	return vip_validate_timing(ctx);
}

static int rc_for_errno(int r)
{
	return r == -EPERM || r == -EACCES ? HUBHA_OCF_ERR_PERM : HUBHA_OCF_ERR_GENERIC;
}

static int nl_open(struct hubha_ocf_ctx *ctx, struct hubha_nl **nl)
{
	int r = hubha_nl_open(nl);

	if (r < 0) {
		hubha_ocf_reason(ctx, "Cannot open an rtnetlink socket: %s", strerror(-r));
		return rc_for_errno(r);
	}
	return HUBHA_OCF_SUCCESS;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * The background announcer is recorded in /run/hubha/vip-<resource>.pid as
 * "<pid> <start time>", so that stop can end it: left alone it would go on
 * claiming an address this node no longer holds.  Root acts on the file, so
 * the directory must be root's alone, and no link is followed.
 */
#define RUN_DIR "/run/hubha"

static int run_dir_open(bool create)
{
	struct stat st;
	int fd;

	if (create && mkdir(RUN_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = open(RUN_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static void pidfile_name(const struct hubha_ocf_ctx *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "vip-%s.pid", ctx->resource);
	for (char *c = buf; *c; c++)
		if (*c == '/')
			*c = '_';
}

struct proc_stat {
	char state;
	long session;
	unsigned long long start;	/* clock ticks after boot: a pid reused later starts later */
};

static int proc_stat_read(pid_t pid, struct proc_stat *ret)
{
	char path[64], buf[1024], *p;
	struct proc_stat ps;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: the fields resume after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %*d %*d %ld %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &ps.state, &ps.session, &ps.start) != 3)
		return -EIO;
	*ret = ps;
	return 0;
}

static bool same_comm(pid_t pid)
{
	char path[64], mine[32] = "", theirs[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(theirs, sizeof(theirs), f))
		theirs[0] = '\0';
	fclose(f);
	f = fopen("/proc/self/comm", "re");
	if (!f)
		return false;
	if (!fgets(mine, sizeof(mine), f))
		mine[0] = '\0';
	fclose(f);
	return mine[0] && strcmp(mine, theirs) == 0;
}

/* Alive and still the announcer recorded: same start time, its own session, our program. */
static bool announcer_alive(pid_t pid, unsigned long long start)
{
	struct proc_stat ps;

	return proc_stat_read(pid, &ps) == 0 && ps.state != 'Z' && ps.start == start && ps.session == pid &&
	       same_comm(pid);
}

static void announcer_kill(struct hubha_ocf_ctx *ctx, pid_t pid, unsigned long long start)
{
	struct hubha_deadline end = hubha_deadline_in(ctx->timeout_ms / 4 < 1000 ? ctx->timeout_ms / 4 : 1000);

	kill(pid, SIGTERM);
	while (announcer_alive(pid, start)) {
		if (hubha_deadline_passed(end)) {
			hubha_log(LOG_WARNING, "Background announcer %d ignored SIGTERM: killing it", (int)pid);
			kill(pid, SIGKILL);
			return;
		}
		sleep_ms(10);
	}
	hubha_log(LOG_INFO, "Stopped background announcer %d", (int)pid);
}

/* End the announcer the pid file names, if it is still ours; the pid file goes either way. */
static void announcer_stop(struct hubha_ocf_ctx *ctx)
{
	unsigned long long start;
	char name[300], buf[64];
	struct stat st;
	ssize_t n = 0;
	long pid;
	int dir, fd;

	dir = run_dir_open(false);
	if (dir < 0)
		return;
	pidfile_name(ctx, name, sizeof(name));
	fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		close(dir);
		return;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid())
		n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		if (sscanf(buf, "%ld %llu", &pid, &start) == 2 && pid > 1 && pid <= INT32_MAX &&
		    announcer_alive((pid_t)pid, start))
			announcer_kill(ctx, (pid_t)pid, start);
	}
	unlinkat(dir, name, 0);
	close(dir);
}

static int pidfile_write(int dir, const char *name, pid_t pid, unsigned long long start)
{
	int fd, r = 0;

	if (unlinkat(dir, name, 0) < 0 && errno != ENOENT)
		return -errno;
	fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (dprintf(fd, "%d %llu\n", (int)pid, start) < 0)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		unlinkat(dir, name, 0);
	return r;
}

/* An announcer that cannot be recorded could not be stopped: it is ended at once. */
static void announcer_record(struct hubha_ocf_ctx *ctx, pid_t pid)
{
	struct proc_stat ps;
	char name[300];
	int dir, r;

	r = proc_stat_read(pid, &ps);
	if (r == 0) {
		dir = run_dir_open(true);
		if (dir < 0) {
			r = dir;
		} else {
			pidfile_name(ctx, name, sizeof(name));
			r = pidfile_write(dir, name, pid, ps.start);
			close(dir);
		}
	}
	if (r < 0) {
		hubha_log(LOG_WARNING, "Cannot record the background announcer in %s: %s; no more announcements",
			  RUN_DIR, strerror(-r));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static void announcer_detach(void)
{
	sigset_t term;
	int null = open("/dev/null", O_RDWR);

	/* The executor reads our stdout/stderr to EOF; the child must not hold them open. */
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	setsid();
	/* stop ends it with SIGTERM, whatever the agent inherited. */
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &term, NULL);
}

static int announce_once(const struct hubha_link *link, const struct hubha_addr *ip)
{
	return ip->family == AF_INET ? hubha_arp_announce(link, &ip->u.v4) : hubha_na_announce(link, &ip->u.v6);
}

static void announce(struct hubha_ocf_ctx *ctx, const struct hubha_link *link, const struct hubha_addr *ip,
		     long count, long interval_ms, bool background)
{
	int r;

	if (count <= 0 || (link->flags & (IFF_NOARP | IFF_LOOPBACK)))
		return;
	r = announce_once(link, ip);
	if (r < 0) {
		hubha_log(LOG_WARNING, "Cannot announce the address on %s: %s", link->name, strerror(-r));
		return;
	}
	if (count == 1)
		return;
	if (background) {
		pid_t pid;

		announcer_stop(ctx);
		pid = fork();
		if (pid < 0)
			hubha_log(LOG_WARNING, "Cannot fork for background announcements: %s", strerror(errno));
		if (pid > 0)
			announcer_record(ctx, pid);
		if (pid != 0)
			return;
		announcer_detach();
	}
	for (long i = 1; i < count; i++) {
		sleep_ms(interval_ms);
		announce_once(link, ip);
	}
	if (background)
		_exit(0);
}

/* IPv6 duplicate address detection must end before the address can send. */
static int wait_dad(struct hubha_ocf_ctx *ctx, struct hubha_nl *nl, const struct hubha_addr *ip)
{
	struct hubha_deadline end = hubha_deadline_in(ctx->timeout_ms / 2);
	struct hubha_addr_info info;

	for (;;) {
		if (hubha_nl_addr_find(nl, ip, &info) < 0) {
			hubha_ocf_reason(ctx, "The address vanished during duplicate address detection");
			return HUBHA_OCF_ERR_GENERIC;
		}
		if (info.flags & IFA_F_DADFAILED) {
			hubha_nl_addr_del(nl, info.ifindex, ip, info.prefixlen);
			hubha_ocf_reason(ctx, "Duplicate address detected: %s is in use by another host",
					 hubha_ocf_params_str(ctx->params, "ip"));
			return HUBHA_OCF_ERR_GENERIC;
		}
		if (!(info.flags & IFA_F_TENTATIVE))
			return HUBHA_OCF_SUCCESS;
		if (hubha_deadline_passed(end)) {
			hubha_ocf_reason(ctx, "Duplicate address detection did not finish in %u ms", ctx->timeout_ms / 2);
			return HUBHA_OCF_ERR_GENERIC;
		}
		sleep_ms(50);
	}
}

/*
 * Where the address goes: the given nic and netmask, or what the routing
 * table says.  A nic missing here is this node's installation problem, not
 * the configuration's: ERR_CONFIGURED would stop the address on every node.
 * No connected network covering the address is a generic, recoverable error,
 * as IPaddr2 reports it (its ocft cases expect that): the network may still
 * come up on this node.
 */
static int vip_resolve(struct hubha_ocf_ctx *ctx, struct hubha_nl *nl, const struct vip_config *cfg,
		       struct hubha_link *link, unsigned *prefix)
{
	const char *ip = hubha_ocf_params_str(ctx->params, "ip");
	struct hubha_route route;
	int r, ifindex = 0;

	if (cfg->nic) {
		r = hubha_nl_link_by_name(nl, cfg->nic, link);
		if (r == -ENODEV) {
			hubha_ocf_reason(ctx, "Network interface nic=%s does not exist", cfg->nic);
			return HUBHA_OCF_ERR_INSTALLED;
		}
		if (r < 0) {
			hubha_ocf_reason(ctx, "Cannot read interface %s: %s", cfg->nic, strerror(-r));
			return rc_for_errno(r);
		}
		ifindex = link->ifindex;
		if (cfg->prefix > 0) {
			*prefix = (unsigned)cfg->prefix;
			return HUBHA_OCF_SUCCESS;
		}
	}
	r = hubha_nl_route_find(nl, &cfg->ip, ifindex, &route);
	if (r == -ENOENT) {
		hubha_ocf_reason(ctx, "No directly connected network%s%s covers %s; set nic and cidr_netmask",
				 cfg->nic ? " on " : "", cfg->nic ? cfg->nic : "", ip);
		return HUBHA_OCF_ERR_GENERIC;
	}
	if (r < 0) {
		hubha_ocf_reason(ctx, "Cannot read the routing table: %s", strerror(-r));
		return rc_for_errno(r);
	}
	if (cfg->prefix > 0 && (unsigned)cfg->prefix < route.prefixlen) {
		hubha_ocf_reason(ctx, "cidr_netmask=%ld is wider than the connected network (/%u) that covers %s",
				 cfg->prefix, route.prefixlen, ip);
		return HUBHA_OCF_ERR_GENERIC;
	}
	*prefix = cfg->prefix > 0 ? (unsigned)cfg->prefix : route.prefixlen;
	if (!cfg->nic) {
		r = hubha_nl_link_by_index(nl, route.ifindex, link);
		if (r < 0) {
			hubha_ocf_reason(ctx, "Cannot read interface %d: %s", route.ifindex, strerror(-r));
			return rc_for_errno(r);
		}
	}
	return HUBHA_OCF_SUCCESS;
}

static int vip_start(struct hubha_ocf_ctx *ctx)
{
	const struct hubha_ocf_params *p = ctx->params;
	struct hubha_addr_spec spec = { 0 };
	struct hubha_addr_info info;
	struct hubha_link link;
	struct vip_config cfg;
	struct hubha_nl *nl;
	unsigned prefix;
	int rc, r;

	vip_config_get(ctx, &cfg);
	rc = nl_open(ctx, &nl);
	if (rc)
		return rc;
	if (hubha_nl_addr_find(nl, &cfg.ip, &info) == 0) {
		hubha_log(LOG_INFO, "%s is already configured", hubha_ocf_params_str(p, "ip"));
		hubha_nl_close(nl);
		return HUBHA_OCF_SUCCESS;
	}
	rc = vip_resolve(ctx, nl, &cfg, &link, &prefix);
	if (rc)
		goto out;
	if (cfg.iflabel && strlen(link.name) + 1 + strlen(cfg.iflabel) >= IF_NAMESIZE) {
		hubha_ocf_reason(ctx, "Label %s:%s is longer than %d characters", link.name, cfg.iflabel,
				 IF_NAMESIZE - 1);
		rc = HUBHA_OCF_ERR_CONFIGURED;
		goto out;
	}
	spec.ifindex = link.ifindex;
	spec.addr = cfg.ip;
	spec.prefixlen = prefix;
	if (cfg.has_broadcast) {
		spec.has_broadcast = true;
		spec.broadcast = cfg.broadcast;
	} else if (cfg.ip.family == AF_INET && prefix <= 30) {
		spec.has_broadcast = hubha_addr_broadcast(&cfg.ip, prefix, &spec.broadcast) == 0;
	}
	if (cfg.iflabel)
		snprintf(spec.label, sizeof(spec.label), "%s:%s", link.name, cfg.iflabel);
	if (hubha_ocf_params_bool(p, "nodad"))
		spec.flags |= HUBHA_ADDR_F_NODAD;
	if (hubha_ocf_params_bool(p, "noprefixroute"))
		spec.flags |= HUBHA_ADDR_F_NOPREFIXROUTE;
	spec.preferred_lft = cfg.preferred_lft;

	r = hubha_nl_addr_add(nl, &spec);
	if (r < 0 && r != -EEXIST) {
		hubha_ocf_reason(ctx, "Cannot add %s/%u to %s: %s", hubha_ocf_params_str(p, "ip"), prefix, link.name,
				 strerror(-r));
		rc = rc_for_errno(r);
		goto out;
	}
	hubha_log(LOG_INFO, "Added %s/%u on %s", hubha_ocf_params_str(p, "ip"), prefix, link.name);
	if (cfg.ip.family == AF_INET6 && !(spec.flags & HUBHA_ADDR_F_NODAD)) {
		rc = wait_dad(ctx, nl, &cfg.ip);
		if (rc)
			goto out;
	}
	announce(ctx, &link, &cfg.ip, hubha_ocf_params_int(p, "arp_count"), hubha_ocf_params_int(p, "arp_interval"),
		 hubha_ocf_params_bool(p, "arp_bg"));
out:
	hubha_nl_close(nl);
	return rc;
}

/* Remove ip from whichever interface holds it: stop needs nothing else. */
static int addr_remove(struct hubha_ocf_ctx *ctx, const struct hubha_addr *ip, const char *text)
{
	struct hubha_addr_info info;
	struct hubha_nl *nl;
	int rc, r;

	rc = nl_open(ctx, &nl);
	if (rc)
		return rc;
	r = hubha_nl_addr_find(nl, ip, &info);
	if (r == -ENOENT) {
		rc = HUBHA_OCF_SUCCESS;
	} else if (r < 0) {
		hubha_ocf_reason(ctx, "Cannot read addresses: %s", strerror(-r));
		rc = rc_for_errno(r);
	} else {
		r = hubha_nl_addr_del(nl, info.ifindex, ip, info.prefixlen);
		if (r < 0 && r != -EADDRNOTAVAIL) {
			hubha_ocf_reason(ctx, "Cannot remove %s: %s", text, strerror(-r));
			rc = rc_for_errno(r);
		} else {
			hubha_log(LOG_INFO, "Removed %s", text);
		}
	}
	hubha_nl_close(nl);
	return rc;
}

static int vip_stop(struct hubha_ocf_ctx *ctx)
{
	struct vip_config cfg;

	announcer_stop(ctx);
	vip_config_get(ctx, &cfg);
	return addr_remove(ctx, &cfg.ip, hubha_ocf_params_str(ctx->params, "ip"));
}

/*
 * stop and probes whose parameters became invalid: the announcer is found by
 * the resource's name and the address by ip alone, so both are still
 * handled; without a valid ip no address of ours can be configured.
 */
static bool vip_nothing_running(struct hubha_ocf_ctx *ctx)
{
	const char *text = hubha_ocf_param_unchecked(ctx, "ip");
	bool stop = strcmp(ctx->action, "stop") == 0;
	struct hubha_addr_info info;
	struct hubha_addr ip;
	struct hubha_nl *nl;
	int r;

	if (stop)
		announcer_stop(ctx);
	if (!text || hubha_addr_parse(text, &ip) < 0)
		return true;
	if (stop)
		return addr_remove(ctx, &ip, text) == HUBHA_OCF_SUCCESS;
	if (hubha_nl_open(&nl) < 0)
		return false;
	r = hubha_nl_addr_find(nl, &ip, &info);
	hubha_nl_close(nl);
	return r == -ENOENT;
}

static int vip_monitor(struct hubha_ocf_ctx *ctx)
{
	struct hubha_addr_info info;
	struct hubha_link link;
	struct vip_config cfg;
	struct hubha_nl *nl;
	long refresh;
	int rc, r;

	vip_config_get(ctx, &cfg);
	rc = nl_open(ctx, &nl);
	if (rc)
		return rc;
	r = hubha_nl_addr_find(nl, &cfg.ip, &info);
	if (r == -ENOENT) {
		rc = HUBHA_OCF_NOT_RUNNING;
		goto out;
	}
	if (r < 0) {
		hubha_ocf_reason(ctx, "Cannot read addresses: %s", strerror(-r));
		rc = rc_for_errno(r);
		goto out;
	}
	r = hubha_nl_link_by_index(nl, info.ifindex, &link);
	if (r < 0) {
		hubha_ocf_reason(ctx, "Cannot read interface %d: %s", info.ifindex, strerror(-r));
		rc = rc_for_errno(r);
		goto out;
	}
	if (cfg.nic && strcmp(cfg.nic, link.name) != 0) {
		hubha_ocf_reason(ctx, "%s is configured on %s, not on nic=%s",
				 hubha_ocf_params_str(ctx->params, "ip"), link.name, cfg.nic);
		rc = HUBHA_OCF_ERR_GENERIC;
		goto out;
	}
	if (info.flags & IFA_F_DADFAILED) {
		hubha_ocf_reason(ctx, "%s failed duplicate address detection",
				 hubha_ocf_params_str(ctx->params, "ip"));
		rc = HUBHA_OCF_ERR_GENERIC;
		goto out;
	}
	if (!hubha_link_is_up(&link)) {
		hubha_ocf_reason(ctx, "Interface %s carrying %s is down", link.name,
				 hubha_ocf_params_str(ctx->params, "ip"));
		rc = HUBHA_OCF_ERR_GENERIC;
		goto out;
	}
	refresh = hubha_ocf_params_int(ctx->params, "arp_count_refresh");
	if (!ctx->probe && refresh > 0)
		announce(ctx, &link, &cfg.ip, refresh, hubha_ocf_params_int(ctx->params, "arp_interval"), false);
	rc = HUBHA_OCF_SUCCESS;
out:
	hubha_nl_close(nl);
	return rc;
}

/* Beyond the parameters themselves: the named interface must exist here (else this node cannot hold it). */
static int vip_validate_all(struct hubha_ocf_ctx *ctx)
{
	struct hubha_link link;
	struct hubha_nl *nl;
	const char *nic = hubha_ocf_params_str(ctx->params, "nic");
	int rc, r;

	if (!nic)
		return HUBHA_OCF_SUCCESS;
	rc = nl_open(ctx, &nl);
	if (rc)
		return rc;
	r = hubha_nl_link_by_name(nl, nic, &link);
	hubha_nl_close(nl);
	if (r == -ENODEV) {
		hubha_ocf_reason(ctx, "Network interface nic=%s does not exist", nic);
		return HUBHA_OCF_ERR_INSTALLED;
	}
	if (r < 0) {
		hubha_ocf_reason(ctx, "Cannot read interface %s: %s", nic, strerror(-r));
		return rc_for_errno(r);
	}
	return HUBHA_OCF_SUCCESS;
}

static const struct hubha_action_def vip_actions[] = {
	{ .name = "start", .timeout_s = 20, .fn = vip_start },
	{ .name = "stop", .timeout_s = 20, .fn = vip_stop },
	{ .name = "monitor", .timeout_s = 20, .interval_s = 10, .fn = vip_monitor },
	{ .name = "validate-all", .timeout_s = 20, .fn = vip_validate_all },
	{ .name = "meta-data", .timeout_s = 5 },
};

static const struct hubha_ocf_agent vip_agent = {
	.name = "vip",
	.version = PACKAGE_VERSION,
	.shortdesc = "Shared IPv4/IPv6 address",
	.longdesc = "Manages a shared IPv4 or IPv6 address that moves with the active hub. It takes "
		    "IPaddr2's parameters, changes the address over rtnetlink, and announces the move with "
		    "gratuitous ARP (IPv4) or unsolicited neighbour advertisements (IPv6) sent by the agent "
		    "itself. monitor reports the address as running when it is configured and its link is up.",
	.params = vip_params,
	.n_params = sizeof(vip_params) / sizeof(vip_params[0]),
	.actions = vip_actions,
	.n_actions = sizeof(vip_actions) / sizeof(vip_actions[0]),
	.validate = vip_validate,
	.nothing_running = vip_nothing_running,
};

int main(int argc, char **argv)
{
	return hubha_ocf_main(&vip_agent, argc, argv);
}

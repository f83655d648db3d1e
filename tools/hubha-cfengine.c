/*
 * hubha-cfengine — CFEngine's view of the active hub: the module protocol
 * lines, master_hub.dat and ha_info.json.  It reads the active hub from its
 * arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <hubha/cfengine.h>

#define MAX_HUBS 32

static const char *prog = "hubha-cfengine";

static int usage(FILE *f, int rc)
{
	fprintf(f,
		"Usage: %s module --active-ip ADDRESS --local-ip ADDRESS\n"
		"       %s master-hub-dat --statedir DIR ADDRESS\n"
		"       %s ha-info --read FILE\n"
		"       %s ha-info --write FILE|- --hub ADDRESS,SHA[,INTERNAL_IP[,in-cluster|not-in-cluster]]...\n",
		prog, prog, prog, prog);
	return rc;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on stderr, exit status 1. */
static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int cmd_module(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "active-ip", required_argument, NULL, 'a' },
		{ "local-ip", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *active = NULL, *local = NULL;
	char out[1024];
	int c, r;

	while ((c = getopt_long(argc, argv, "a:l:h", opts, NULL)) != -1) {
		if (c == 'a')
			active = optarg;
		else if (c == 'l')
			local = optarg;
		else
			return usage(c == 'h' ? stdout : stderr, c == 'h' ? 0 : 2);
	}
	if (!local || optind != argc)
		return usage(stderr, 2);
	r = hubha_cfengine_module(active, local, out, sizeof(out));
	if (r < 0)
		return fail("module: --active-ip or --local-ip is not a host address");
	fputs(out, stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int cmd_master_hub_dat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "statedir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *statedir = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		if (c == 's')
			statedir = optarg;
		else
			return usage(c == 'h' ? stdout : stderr, c == 'h' ? 0 : 2);
	}
	if (!statedir || optind + 1 != argc)
		return usage(stderr, 2);
	r = hubha_cfengine_master_hub_write(statedir, argv[optind], NULL);
	if (r == -EINVAL)
		return fail("master-hub-dat: %s is not a host address", argv[optind]);
	if (r == -EPERM)
		return fail("master-hub-dat: refusing %s: a symlink, or a directory someone other than root may write", statedir);
	if (r < 0)
		return fail("master-hub-dat: %s/master_hub.dat: %s", statedir, strerror(-r));
	return 0;
}

/* Read as root what an administrator wrote: no symlink, no FIFO, nothing past the limit. */
static int read_small(const char *path, char *buf, size_t len, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), r = 0;
	struct stat st;
	size_t got = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		r = -EINVAL;
	while (r == 0 && got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n == 0)
			break;
		else if (n > 0)
			got += (size_t)n;
	}
	close(fd);
	if (r == 0)
		*ret_len = got;
	return r;
}

static int ha_info_read(const char *path)
{
	struct hubha_cfengine_hub hubs[MAX_HUBS];
	char text[HUBHA_CFENGINE_HA_INFO_MAX + 1], err[256];
	size_t len = 0, n;
	int r = read_small(path, text, sizeof(text), &len);

	if (r < 0)
		return fail("ha-info: %s: %s", path, r == -EINVAL ? "not a regular file" : strerror(-r));
	r = hubha_cfengine_ha_info_parse(text, len, hubs, MAX_HUBS, &n, err, sizeof(err));
	if (r < 0)
		return fail("ha-info: %s: %s", path, err);
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\n", hubs[i].ip, hubs[i].sha, hubs[i].internal_ip[0] ? hubs[i].internal_ip : "-",
		       hubs[i].in_cluster == 0 ? "not-in-cluster" : "in-cluster");
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ADDRESS,SHA[,INTERNAL_IP[,in-cluster|not-in-cluster]] */
static int hub_arg(const char *arg, struct hubha_cfengine_hub *h)
{
	char copy[1024], *field[5] = { NULL };
	int n = 0;

	if (strlen(arg) >= sizeof(copy))
		return -EINVAL;
	strcpy(copy, arg);
	for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (n == 4)
			return -EINVAL;
		field[n++] = t;
	}
	if (n < 2 || strlen(field[0]) >= sizeof(h->ip) || strlen(field[1]) >= sizeof(h->sha) ||
	    (field[2] && strlen(field[2]) >= sizeof(h->internal_ip)))
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	strcpy(h->ip, field[0]);
	strcpy(h->sha, field[1]);
	if (field[2] && strcmp(field[2], "-") != 0)
		strcpy(h->internal_ip, field[2]);
	h->in_cluster = -1;
	if (field[3] && strcmp(field[3], "in-cluster") == 0)
		h->in_cluster = 1;
	else if (field[3] && strcmp(field[3], "not-in-cluster") == 0)
		h->in_cluster = 0;
	else if (field[3])
		return -EINVAL;
	return 0;
}

static int ha_info_write(const char *path, struct hubha_cfengine_hub *hubs, size_t n)
{
	char text[HUBHA_CFENGINE_HA_INFO_MAX + 2], err[256], dir[PATH_MAX], base[PATH_MAX];
	size_t len;
	int r;

	r = hubha_cfengine_ha_info_format(hubs, n, text, sizeof(text), &len, err, sizeof(err));
	if (r < 0)
		return fail("ha-info: %s", err);
	if (strcmp(path, "-") == 0) {
		fputs(text, stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (strlen(path) >= sizeof(dir))
		return fail("ha-info: %s: %s", path, strerror(ENAMETOOLONG));
	strcpy(dir, path);
	strcpy(base, path);
	/* The policy reads it from inputs/, where CFEngine copies masterfiles: readable by all. */
	r = hubha_cfengine_write_file(dirname(dir), basename(base), text, len, 0644, NULL);
	if (r == -EPERM)
		return fail("ha-info: refusing %s: its directory is a symlink or someone other than root may write it", path);
	if (r < 0)
		return fail("ha-info: %s: %s", path, strerror(-r));
	return 0;
}

static int cmd_ha_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "write", required_argument, NULL, 'w' },
		{ "hub", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hubha_cfengine_hub hubs[MAX_HUBS];
	const char *read_path = NULL, *write_path = NULL;
	size_t n = 0;
	int c;

	while ((c = getopt_long(argc, argv, "r:w:H:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			read_path = optarg;
			break;
		case 'w':
			write_path = optarg;
			break;
		case 'H':
			if (n == MAX_HUBS)
				return fail("ha-info: more than %d hubs", MAX_HUBS);
			if (hub_arg(optarg, &hubs[n]) < 0)
				return fail("ha-info: --hub %s: expected ADDRESS,SHA[,INTERNAL_IP[,in-cluster|not-in-cluster]]", optarg);
			n++;
			break;
		default:
			return usage(c == 'h' ? stdout : stderr, c == 'h' ? 0 : 2);
		}
	}
	if (optind != argc || !read_path == !write_path || (read_path && n) || (write_path && !n))
		return usage(stderr, 2);
	return read_path ? ha_info_read(read_path) : ha_info_write(write_path, hubs, n);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, 2);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout, 0);
	if (strcmp(argv[1], "module") == 0)
		return cmd_module(argc - 1, argv + 1);
	if (strcmp(argv[1], "master-hub-dat") == 0)
		return cmd_master_hub_dat(argc - 1, argv + 1);
	if (strcmp(argv[1], "ha-info") == 0)
		return cmd_ha_info(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command %s\n", prog, argv[1]);
	return usage(stderr, 2);
}

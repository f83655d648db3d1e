/*
 * hubha cfengine-module [--ha-info FILE]
 *	CFEngine's module protocol for this node, from the local view:
 *	exit 0 with the lines; 1 when no hub can be named active (only the
 *	context line, the reason on stderr); 2 when the view or FILE cannot
 *	be read (nothing on stdout).
 * hubha ha-info --read FILE | --write FILE|- --hub IP=SHA[,INTERNAL_IP[,in-cluster|not-in-cluster]]...
 *	ha_info.json read leniently as CFEngine does, written strictly (4 KiB at most).
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cfengine_active.h"
#include "cfengine_glue.h"
#include "hubha_cfengine_cmd.h"

#define EXIT_NONE 1
#define EXIT_CANNOT 2

static int cannot(const char *what, const char *why)
{
	fprintf(stderr, "hubha: %s: %s\n", what, why);
	return EXIT_CANNOT;
}

/* This node's name for the module when it is not the active hub: its address as CFEngine knows it, else its name. */
static void local_host(const hubha_hub_t *hubs, size_t n, uint32_t nodeid, const struct hubha_cfengine_hub *info,
		       size_t n_info, char out[HUBHA_CFENGINE_ADDR_MAX])
{
	snprintf(out, HUBHA_CFENGINE_ADDR_MAX, "%s", "unknown");
	for (size_t i = 0; i < n; i++) {
		if (hubs[i].nodeid != nodeid)
			continue;
		if (cfengine_hub_addr(hubs[i].has_report ? hubs[i].report.address : "", info, n_info, out) < 0 &&
		    hubha_cfengine_host_ok(hubs[i].name))
			snprintf(out, HUBHA_CFENGINE_ADDR_MAX, "%s", hubs[i].name);
	}
}

static int module_lines(hubha_cluster_t *cluster, const struct hubha_cfengine_hub *info, size_t n_info)
{
	char active[HUBHA_CFENGINE_ADDR_MAX] = "", local[HUBHA_CFENGINE_ADDR_MAX], out[1024];
	uint32_t me = 0, primary = 0;
	hubha_hub_t *hubs;
	size_t n;
	int r, decided;

	r = hubha_cluster_hubs(cluster, &hubs, &n);
	if (r == 0)
		r = hubha_cluster_local(cluster, &me, NULL);
	if (r < 0)
		return cannot("cannot read the cluster state", hubha_cluster_strerror(r));
	r = cfengine_active_addr(hubs, n, info, n_info, active, &primary);
	decided = r == 0;
	if (!decided)
		fprintf(stderr, "hubha: no active hub: %s\n",
			r == -ENOENT ? "no hub reports primary" : r == -ENOTUNIQ ? "more than one hub reports primary"
			: "the primary's address is not a hub in ha_info.json");
	local_host(hubs, n, me, info, n_info, local);
	hubha_cluster_hubs_free(hubs);
	r = hubha_cfengine_module(decided ? active : NULL, decided && primary == me ? active : local, out, sizeof(out));
	if (r < 0)
		return cannot("cfengine-module", "an address is not one CFEngine can take");
	fputs(out, stdout);
	if (fflush(stdout) != 0)
		return EXIT_CANNOT;
	return decided ? 0 : EXIT_NONE;
}

int hubha_cmd_cfengine_module(int argc, char **argv, hubha_open_fn open_fn)
{
	static const struct option opts[] = {
		{ "ha-info", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hubha_cfengine_hub info[CFGLUE_HUBS_MAX];
	const char *ha_info = NULL;
	hubha_cluster_t *cluster;
	char err[256];
	size_t n_info = 0;
	int c, r;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'i') {
			ha_info = optarg;
		} else {
			fputs("usage: hubha cfengine-module [--ha-info FILE]\n", c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : EXIT_CANNOT;
		}
	}
	if (optind != argc)
		return cannot("cfengine-module", "takes no arguments");
	if (ha_info && cfglue_ha_info_load(ha_info, info, CFGLUE_HUBS_MAX, &n_info, err, sizeof(err)) < 0)
		return cannot(ha_info, err);
	r = open_fn(&cluster);
	if (r < 0)
		return cannot("cannot read the cluster state", hubha_cluster_strerror(r));
	r = module_lines(cluster, info, n_info);
	hubha_cluster_close(cluster);
	return r;
}

static int ha_info_read(const char *path)
{
	struct hubha_cfengine_hub hubs[CFGLUE_HUBS_MAX];
	char err[256];
	size_t n;

	if (cfglue_ha_info_load(path, hubs, CFGLUE_HUBS_MAX, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "hubha: ha-info: %s: %s\n", path, err);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\n", hubs[i].ip, hubs[i].sha, hubs[i].internal_ip[0] ? hubs[i].internal_ip : "-",
		       hubs[i].in_cluster == 0 ? "not-in-cluster" : "in-cluster");
	return fflush(stdout) == 0 ? 0 : 1;
}

static int ha_info_write(const char *path, const struct hubha_cfengine_hub *hubs, size_t n)
{
	char text[HUBHA_CFENGINE_HA_INFO_MAX + 2], err[256], dir[PATH_MAX], base[PATH_MAX];
	size_t len;
	int r;

	r = hubha_cfengine_ha_info_format(hubs, n, text, sizeof(text), &len, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "hubha: ha-info: %s\n", err);
		return 1;
	}
	if (strcmp(path, "-") == 0) {
		fputs(text, stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (strlen(path) >= sizeof(dir)) {
		fprintf(stderr, "hubha: ha-info: %s: %s\n", path, strerror(ENAMETOOLONG));
		return 1;
	}
	strcpy(dir, path);
	strcpy(base, path);
	/* The policy reads it from inputs/, where CFEngine copies masterfiles: readable by all. */
	r = hubha_cfengine_write_file(dirname(dir), basename(base), text, len, 0644, NULL);
	if (r < 0) {
		fprintf(stderr, "hubha: ha-info: %s: %s\n", path,
			r == -EPERM ? "refused: its directory is a symlink or someone other than root may write it"
				    : strerror(-r));
		return 1;
	}
	return 0;
}

int hubha_cmd_ha_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "write", required_argument, NULL, 'w' },
		{ "hub", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hubha_cfengine_hub hubs[CFGLUE_HUBS_MAX];
	const char *read_path = NULL, *write_path = NULL;
	size_t n = 0;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			read_path = optarg;
			break;
		case 'w':
			write_path = optarg;
			break;
		case 'H':
			if (n == CFGLUE_HUBS_MAX) {
				fprintf(stderr, "hubha: ha-info: more than %d hubs\n", CFGLUE_HUBS_MAX);
				return 1;
			}
			if (cfglue_hub_arg(optarg, '=', &hubs[n]) < 0) {
				fprintf(stderr, "hubha: ha-info: --hub %s: expected IP=SHA[,INTERNAL_IP[,in-cluster|not-in-cluster]]\n",
					optarg);
				return 1;
			}
			n++;
			break;
		default:
			fputs("usage: hubha ha-info --read FILE\n"
			      "       hubha ha-info --write FILE|- --hub IP=SHA[,INTERNAL_IP[,in-cluster|not-in-cluster]]...\n",
			      c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind != argc || !read_path == !write_path || (read_path && n) || (write_path && !n)) {
		fputs("usage: hubha ha-info --read FILE | --write FILE|- --hub IP=SHA[,INTERNAL_IP]...\n", stderr);
		return 2;
	}
	return read_path ? ha_info_read(read_path) : ha_info_write(write_path, hubs, n);
}

/* See cfengine_glue.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cfengine_active.h"
#include "cfengine_glue.h"

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

int cfglue_ha_info_load(const char *path, struct hubha_cfengine_hub *hubs, size_t max, size_t *ret_n, char *err,
			size_t err_len)
{
	char text[HUBHA_CFENGINE_HA_INFO_MAX + 1];
	size_t len = 0;
	int r = read_small(path, text, sizeof(text), &len);

	if (r < 0) {
		snprintf(err, err_len, "%s", r == -EINVAL ? "not a regular file" : strerror(-r));
		return r;
	}
	return hubha_cfengine_ha_info_parse(text, len, hubs, max, ret_n, err, err_len);
}

int cfglue_hub_arg(const char *arg, char sep, struct hubha_cfengine_hub *h)
{
	char copy[1024], *field[5] = { NULL }, *s;
	int n = 0;

	if (strlen(arg) >= sizeof(copy))
		return -EINVAL;
	strcpy(copy, arg);
	s = strchr(copy, sep);
	if (!s)
		return -EINVAL;
	*s = ',';
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

static enum cfglue_outcome decide(struct cfglue *g, const hubha_hub_t *hubs, size_t n, char *msg, size_t len,
				  char addr[HUBHA_CFENGINE_ADDR_MAX])
{
	struct hubha_cfengine_hub info[CFGLUE_HUBS_MAX];
	char err[256];
	size_t n_info = 0;
	bool changed = false;
	int r;

	r = cfglue_ha_info_load(g->ha_info, info, CFGLUE_HUBS_MAX, &n_info, err, sizeof(err));
	if (r < 0) {
		snprintf(msg, len, "master_hub.dat left as it is: %s: %s", g->ha_info, err);
		return CFGLUE_BAD_HA_INFO;
	}
	r = cfengine_active_addr(hubs, n, info, n_info, addr, NULL);
	if (r == -ENOENT) {
		snprintf(msg, len, "master_hub.dat left as it is: no hub reports primary");
		return CFGLUE_NO_PRIMARY;
	}
	if (r == -ENOTUNIQ) {
		snprintf(msg, len, "master_hub.dat left as it is: more than one hub reports primary");
		return CFGLUE_MANY_PRIMARIES;
	}
	if (r < 0) {
		snprintf(msg, len, "master_hub.dat left as it is: the primary's address is not a hub in %s", g->ha_info);
		return CFGLUE_NO_MATCH;
	}
	r = hubha_cfengine_master_hub_write(g->statedir, addr, &changed);
	if (r < 0) {
		snprintf(msg, len, "%s/master_hub.dat: %s", g->statedir,
			 r == -EPERM ? "refused: a symlink, or a directory someone other than root may write"
				     : strerror(-r));
		return CFGLUE_WRITE_FAILED;
	}
	snprintf(msg, len, "master_hub.dat: %s%s", addr, changed ? "" : " (unchanged)");
	return changed ? CFGLUE_WRITTEN : CFGLUE_UNCHANGED;
}

enum cfglue_outcome cfglue_update(struct cfglue *g, const hubha_hub_t *hubs, size_t n, char *msg, size_t len,
				  int *ret_say)
{
	char addr[HUBHA_CFENGINE_ADDR_MAX] = "";
	enum cfglue_outcome o;

	*ret_say = 0;
	if (!g->statedir[0] || !g->ha_info[0])
		return CFGLUE_OFF;
	o = decide(g, hubs, n, msg, len, addr);
	/* Written then unchanged is one state: the file names addr. */
	*ret_say = !((o == g->last || (o == CFGLUE_UNCHANGED && g->last == CFGLUE_WRITTEN)) &&
		     strcmp(addr, g->last_addr) == 0);
	g->last = o;
	strcpy(g->last_addr, addr);
	return o;
}

int cfglue_ha_enabled(const struct cfglue *g)
{
	if (!g->htdocs[0])
		return 0;
	/* Mission Portal's first test of whether HA is on; what it holds does not matter. */
	return hubha_cfengine_write_file(g->htdocs, "ha_enabled", "", 0, 0444, NULL);
}

/*
 * Node attributes through Pacemaker's command-line tools, with a write cache.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hubha/attr.h>
#include <hubha/deadline.h>
#include <hubha/run.h>

extern char **environ;

#define MAX_ENTRIES 64

struct entry {
	char *key;	/* kind/node/name */
	char *value;
};

struct hubha_attr_cache {
	char *path;		/* NULL: nothing is loaded or saved */
	unsigned timeout_ms;
	char attrd_id[64];	/* pid and start time of the attrd the entries were written to */
	struct entry entries[MAX_ENTRIES];
	size_t n;
	bool dirty;
};

/* "pid:starttime" of pid when it is a pacemaker-attrd: what a written value lives as long as. */
static int attrd_of(const char *pid, char *buf, size_t len)
{
	char path[300], comm[32], stat[512];
	unsigned long long start = 0;
	const char *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	comm[0] = '\0';
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	/* comm holds at most 15 characters: "pacemaker-attrd" just fits. */
	if (strcmp(comm, "pacemaker-attrd\n") != 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	if (fgets(stat, sizeof(stat), f) && (p = strrchr(stat, ')'))) {
		/* Field 22 (starttime) counted from the state field, which is 3. */
		int field = 2;

		for (; *p && field < 22; p++)
			if (*p == ' ')
				field++;
		start = strtoull(p, NULL, 10);
	}
	fclose(f);
	snprintf(buf, len, "%ld:%llu", strtol(pid, NULL, 10), start);
	return 0;
}

/*
 * The attrd a saved cache names, if it still runs; otherwise the first one
 * in /proc.  Checking the named one first keeps the steady state from
 * reading every process's comm.
 */
static int attrd_identity(const char *saved, char *buf, size_t len)
{
	char pid[32], id[64];
	struct dirent *de;
	DIR *d;
	int r = -ESRCH;

	if (saved && sscanf(saved, "%31[0-9]:", pid) == 1 && attrd_of(pid, id, sizeof(id)) == 0 &&
	    strcmp(id, saved) == 0) {
		snprintf(buf, len, "%s", id);
		return 0;
	}
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		r = attrd_of(de->d_name, buf, len);
		if (r == 0)
			break;
	}
	closedir(d);
	return r;
}

static void entries_free(struct hubha_attr_cache *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->entries[i].key);
		free(c->entries[i].value);
	}
	c->n = 0;
}

int hubha_attr_cache_open(const char *path, unsigned max_age_s, unsigned timeout_ms,
			  struct hubha_attr_cache **ret_cache)
{
	struct hubha_attr_cache *c;
	char line[2048], id[64];
	struct stat st;
	FILE *f;

	if (!ret_cache)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c || (path && !(c->path = strdup(path)))) {
		free(c);
		return -ENOMEM;
	}
	c->timeout_ms = timeout_ms;
	/* Without a file, attrd_id stays empty and nothing is remembered. */
	if (!path) {
		*ret_cache = c;
		return 0;
	}
	f = fopen(path, "re");
	id[0] = '\0';
	if (f && (!fgets(line, sizeof(line), f) || sscanf(line, "attrd %63s", id) != 1))
		id[0] = '\0';
	/* No attrd (cluster down, or a test without one): nothing written can be trusted. */
	if (attrd_identity(id[0] ? id : NULL, c->attrd_id, sizeof(c->attrd_id)) < 0)
		c->attrd_id[0] = '\0';
	if (!f) {
		*ret_cache = c;
		return 0;
	}
	/* max_age 0 trusts nothing saved, even a file stamped in the second time() has not reached yet. */
	if (max_age_s > 0 && fstat(fileno(f), &st) == 0 && time(NULL) - st.st_mtime < (time_t)max_age_s &&
	    c->attrd_id[0] && id[0] && strcmp(id, c->attrd_id) == 0) {
		while (c->n < MAX_ENTRIES && fgets(line, sizeof(line), f)) {
			char *tab = strchr(line, '\t');

			/* A line without its newline was cut: skip it rather than remember half a value. */
			if (!strchr(line, '\n'))
				break;
			line[strcspn(line, "\n")] = '\0';
			if (!tab)
				continue;
			*tab = '\0';
			c->entries[c->n].key = strdup(line);
			c->entries[c->n].value = strdup(tab + 1);
			if (!c->entries[c->n].key || !c->entries[c->n].value) {
				free(c->entries[c->n].key);
				free(c->entries[c->n].value);
				break;
			}
			c->n++;
		}
	} else {
		/* Dropped: rewrite so the stale file does not linger. */
		c->dirty = true;
	}
	fclose(f);
	*ret_cache = c;
	return 0;
}

int hubha_attr_cache_close(struct hubha_attr_cache *c)
{
	char tmp[4096];
	int r = 0;
	FILE *f;

	if (!c)
		return 0;
	if (c->dirty && c->path) {
		int fd;

		/* A file of our own: two agents may save the same cache at once. */
		snprintf(tmp, sizeof(tmp), "%s.XXXXXX", c->path);
		fd = mkostemp(tmp, O_CLOEXEC);
		f = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!f) {
			r = -errno;
			if (fd >= 0) {
				close(fd);
				unlink(tmp);
			}
		} else {
			fprintf(f, "attrd %s\n", c->attrd_id[0] ? c->attrd_id : "none");
			for (size_t i = 0; i < c->n; i++)
				fprintf(f, "%s\t%s\n", c->entries[i].key, c->entries[i].value);
			if (fclose(f) != 0 || rename(tmp, c->path) < 0) {
				r = -errno;
				unlink(tmp);
			}
		}
	}
	entries_free(c);
	free(c->path);
	free(c);
	return r;
}

static struct entry *cache_find(struct hubha_attr_cache *c, const char *key)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (strcmp(c->entries[i].key, key) == 0)
			return &c->entries[i];
	return NULL;
}

static void cache_put(struct hubha_attr_cache *c, const char *key, const char *value)
{
	struct entry *e;
	char *v;

	/* Without a known attrd, remembering a write would outlive it. */
	if (!c || !c->attrd_id[0])
		return;
	e = cache_find(c, key);
	if (!value) {
		if (e) {
			free(e->key);
			free(e->value);
			*e = c->entries[--c->n];
			c->dirty = true;
		}
		return;
	}
	v = strdup(value);
	if (!v)
		return;
	if (e) {
		free(e->value);
		e->value = v;
	} else if (c->n < MAX_ENTRIES && (c->entries[c->n].key = strdup(key))) {
		c->entries[c->n++].value = v;
	} else {
		free(v);
		return;
	}
	c->dirty = true;
}


struct cmd {
	char name[320];
	char node[320];
	char op[1100];
	char *argv[8];
};

/*
 * Every option as --opt=value: a value starting with '-' (-INFINITY) is then
 * not taken for an option, and --promotion, whose value is optional, gets it.
 */
static int build_cmd(struct cmd *c, enum hubha_attr_kind kind, const char *node, const char *name,
		     const char *op, const char *value)
{
	int n = 0;

	if ((size_t)snprintf(c->name, sizeof(c->name), "%s=%s",
			     kind == HUBHA_ATTR_PROMOTION ? "--promotion" : "--name", name) >= sizeof(c->name) ||
	    (size_t)snprintf(c->node, sizeof(c->node), "--node=%s", node ? node : "") >= sizeof(c->node) ||
	    (size_t)snprintf(c->op, sizeof(c->op), "%s%s%s", op, value ? "=" : "", value ? value : "") >= sizeof(c->op))
		return -ENAMETOOLONG;
	if (kind == HUBHA_ATTR_PRIVATE) {
		c->argv[n++] = (char *)"attrd_updater";
		c->argv[n++] = (char *)"--private";
	} else {
		c->argv[n++] = (char *)"crm_attribute";
		c->argv[n++] = (char *)(kind == HUBHA_ATTR_NODE ? "--lifetime=forever" : "--lifetime=reboot");
		c->argv[n++] = (char *)"--quiet";
	}
	c->argv[n++] = c->name;
	if (node)
		c->argv[n++] = c->node;
	c->argv[n++] = c->op;
	c->argv[n] = NULL;
	return 0;
}

static void make_key(char *key, size_t len, enum hubha_attr_kind kind, const char *node, const char *name)
{
	snprintf(key, len, "%d/%s/%s", (int)kind, node ? node : "", name);
}

static unsigned timeout_of(const struct hubha_attr_cache *c)
{
	return c && c->timeout_ms ? c->timeout_ms : HUBHA_ATTR_TIMEOUT_MS;
}

static int invalid(char *err, size_t err_len, int r)
{
	if (err && err_len)
		snprintf(err, err_len, "%s", r == -EINVAL ? "Invalid attribute name, node or value" : strerror(-r));
	return r;
}

int hubha_attr_set(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node, const char *name,
		   const char *value, char *err, size_t err_len)
{
	return hubha_attr_set_versioned(cache, kind, node, name, value, NULL, err, err_len);
}

int hubha_attr_set_versioned(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node,
			     const char *name, const char *value, const char *version, char *err, size_t err_len)
{
	char key[512], remembered[1200];
	struct cmd cmd;
	struct entry *e;
	int r;

	/* Tabs and newlines separate the cache file's fields and lines. */
	if (!name || !value || name[strcspn(name, "\t\n")] || value[strcspn(value, "\t\n")] ||
	    (node && node[strcspn(node, "\t\n")]) || (version && version[strcspn(version, "\t\n")]))
		return invalid(err, err_len, -EINVAL);
	make_key(key, sizeof(key), kind, node, name);
	if ((size_t)snprintf(remembered, sizeof(remembered), "%s%s%s", value, version ? "\t" : "",
			     version ? version : "") >= sizeof(remembered))
		return invalid(err, err_len, -ENAMETOOLONG);
	e = cache_find(cache, key);
	if (e && strcmp(e->value, remembered) == 0)
		return 1;
	r = build_cmd(&cmd, kind, node, name, "--update", value);
	if (r < 0)
		return invalid(err, err_len, r);
	r = hubha_run_tool(cmd.argv, timeout_of(cache), NULL, 0, err, err_len);
	if (r < 0) {
		cache_put(cache, key, NULL);
		return r;
	}
	cache_put(cache, key, remembered);
	return 0;
}

int hubha_attr_delete(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node, const char *name,
		      char *err, size_t err_len)
{
	struct cmd cmd;
	char key[512];
	int r;

	if (!name)
		return invalid(err, err_len, -EINVAL);
	make_key(key, sizeof(key), kind, node, name);
	cache_put(cache, key, NULL);
	r = build_cmd(&cmd, kind, node, name, "--delete", NULL);
	if (r < 0)
		return invalid(err, err_len, r);
	r = hubha_run_tool(cmd.argv, timeout_of(cache), NULL, 0, err, err_len);
	return r == -ENOENT ? 0 : r;
}

void hubha_attr_forget(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node,
		       const char *name)
{
	char key[512];

	if (!name)
		return;
	make_key(key, sizeof(key), kind, node, name);
	cache_put(cache, key, NULL);
}

/* attrd_updater -Q prints: name="n" host="h" value="v" */
static int parse_attrd(const char *out, char **ret_value)
{
	const char *v = strstr(out, "value=\"");
	const char *end;
	char *s;

	if (!v)
		return -ENOENT;
	v += 7;
	end = strchr(v, '"');
	if (!end || end == v)
		return -ENOENT;
	s = strndup(v, (size_t)(end - v));
	if (!s)
		return -ENOMEM;
	*ret_value = s;
	return 0;
}

int hubha_attr_get(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node, const char *name,
		   char **ret_value, char *err, size_t err_len)
{
	struct cmd cmd;
	char out[1024], *s;
	int r;

	if (!name || !ret_value)
		return invalid(err, err_len, -EINVAL);
	r = build_cmd(&cmd, kind, node, name, "--query", NULL);
	if (r < 0)
		return invalid(err, err_len, r);
	r = hubha_run_tool(cmd.argv, timeout_of(cache), out, sizeof(out), err, err_len);
	if (r < 0)
		return r;
	if (kind == HUBHA_ATTR_PRIVATE)
		return parse_attrd(out, ret_value);
	out[strcspn(out, "\n")] = '\0';
	if (!out[0] || strcmp(out, "(null)") == 0)
		return -ENOENT;
	s = strdup(out);
	if (!s)
		return -ENOMEM;
	*ret_value = s;
	return 0;
}

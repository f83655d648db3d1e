/*
 * CFEngine glue: master_hub.dat, ha_info.json and the module protocol.
 * Formatting and parsing are pure; the one writer is root-safe.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include <hubha/cfengine.h>

static bool is_hex(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	return n >= min && n <= max && strspn(s, "0123456789abcdefABCDEF") == n;
}

bool hubha_cfengine_host_ok(const char *text)
{
	size_t n = text ? strlen(text) : 0;

	/* Addresses (IPv6 bare or in brackets), names, an optional :port; never a line break or a protocol sigil. */
	if (n == 0 || n >= HUBHA_CFENGINE_ADDR_MAX)
		return false;
	if (strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]_%") != n)
		return false;
	return isalnum((unsigned char)text[0]) || text[0] == '[' || text[0] == ':';
}

/* The same host: as addresses when both parse as one family, else as text. */
static bool same_host(const char *a, const char *b)
{
	unsigned char x[16], y[16];

	if (inet_pton(AF_INET, a, x) == 1 && inet_pton(AF_INET, b, y) == 1)
		return memcmp(x, y, 4) == 0;
	if (inet_pton(AF_INET6, a, x) == 1 && inet_pton(AF_INET6, b, y) == 1)
		return memcmp(x, y, 16) == 0;
	return strcasecmp(a, b) == 0;
}

int hubha_cfengine_module(const char *active_ip, const char *local_ip, char *buf, size_t len)
{
	bool known = active_ip && *active_ip;
	int n;

	if ((known && !hubha_cfengine_host_ok(active_ip)) || !hubha_cfengine_host_ok(local_ip))
		return -EINVAL;
	/* A context of our own, so the variable has one name however the module is run. */
	if (!known)
		n = snprintf(buf, len, "^context=hubha\n");
	else
		n = snprintf(buf, len, "^context=hubha\n+%s\n=hub_active_ip=%s\n",
			     same_host(active_ip, local_ip) ? "hub_active" : "hub_passive", active_ip);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return 0;
}

static void set_err(char *err, size_t err_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !err_len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

/* The reason is one line: a bad address is shown, cut and with ? for what is not printable. */
static const char *shown(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i < len - 1; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* A string member, copied; absent is fine when !required. */
static int member_string(json_object *hub, const char *key, const char *name, bool required, char *out,
			 size_t out_len, char *err, size_t err_len)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(hub, name, &v) || json_object_is_type(v, json_type_null)) {
		if (!required)
			return 0;
		set_err(err, err_len, "hub %s: no \"%s\"", key, name);
		return -EPROTO;
	}
	if (!json_object_is_type(v, json_type_string)) {
		set_err(err, err_len, "hub %s: \"%s\" is not a string", key, name);
		return -EPROTO;
	}
	s = json_object_get_string(v);
	if (strlen(s) >= out_len) {
		set_err(err, err_len, "hub %s: \"%s\" is too long", key, name);
		return -EPROTO;
	}
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '/') {
			set_err(err, err_len, "hub %s: \"%s\" holds a control character or \"/\"", key, name);
			return -EPROTO;
		}
	snprintf(out, out_len, "%s", s);
	return 0;
}

static int parse_hub(const char *key, json_object *val, struct hubha_cfengine_hub *h, char *err, size_t err_len)
{
	json_object *v;
	int r;

	memset(h, 0, sizeof(*h));
	h->in_cluster = -1;
	if (strlen(key) >= sizeof(h->ip) || !hubha_cfengine_host_ok(key)) {
		char buf[65];

		set_err(err, err_len, "\"%s\" is not a hub address", shown(key, buf, sizeof(buf)));
		return -EPROTO;
	}
	snprintf(h->ip, sizeof(h->ip), "%s", key);
	if (!json_object_is_type(val, json_type_object)) {
		set_err(err, err_len, "hub %s: not an object", key);
		return -EPROTO;
	}
	r = member_string(val, key, "sha", true, h->sha, sizeof(h->sha), err, err_len);
	if (r == 0)
		r = member_string(val, key, "internal_ip", false, h->internal_ip, sizeof(h->internal_ip), err,
				  err_len);
	if (r < 0)
		return r;
	if (json_object_object_get_ex(val, "is_in_cluster", &v) && !json_object_is_type(v, json_type_null)) {
		/* ha_def.cf compares the value's text with "false": a string "false" counts too. */
		if (json_object_is_type(v, json_type_boolean)) {
			h->in_cluster = json_object_get_boolean(v) ? 1 : 0;
		} else if (json_object_is_type(v, json_type_string) &&
			   (strcmp(json_object_get_string(v), "false") == 0 ||
			    strcmp(json_object_get_string(v), "true") == 0)) {
			h->in_cluster = strcmp(json_object_get_string(v), "true") == 0;
		} else {
			set_err(err, err_len, "hub %s: \"is_in_cluster\" is neither true nor false", key);
			return -EPROTO;
		}
	}
	return 0;
}

int hubha_cfengine_ha_info_parse(const char *text, size_t len, struct hubha_cfengine_hub *hubs, size_t max,
				 size_t *ret_n, char *err, size_t err_len)
{
	struct json_tokener *tok;
	struct hubha_cfengine_hub *tmp;
	json_object *root;
	size_t n = 0, end;
	int r = 0;

	if (len > HUBHA_CFENGINE_HA_INFO_MAX) {
		set_err(err, err_len, "longer than the 4096 bytes CFEngine's policy reads");
		return -EFBIG;
	}
	if (memchr(text, '\0', len)) {
		set_err(err, err_len, "a NUL byte in the text");
		return -EPROTO;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	/* json-c's default, non-strict mode takes trailing commas, as CFEngine's parser does. */
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		char where[64];

		snprintf(where, sizeof(where), " at byte %zu", json_tokener_get_parse_end(tok));
		set_err(err, err_len, "not JSON: %s%s", e == json_tokener_continue ? "it ends too soon" : json_tokener_error_desc(e),
			where);
		json_tokener_free(tok);
		return -EPROTO;
	}
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	for (; end < len; end++)
		if (!isspace((unsigned char)text[end])) {
			set_err(err, err_len, "text after the object");
			r = -EPROTO;
			goto out;
		}
	if (!json_object_is_type(root, json_type_object)) {
		set_err(err, err_len, "not an object keyed by hub address");
		r = -EPROTO;
		goto out;
	}
	if ((size_t)json_object_object_length(root) > max) {
		set_err(err, err_len, "more than %zu hubs", max);
		r = -E2BIG;
		goto out;
	}
	tmp = calloc(max ? max : 1, sizeof(*tmp));
	if (!tmp) {
		r = -ENOMEM;
		goto out;
	}
	json_object_object_foreach(root, key, val) {
		r = parse_hub(key, val, &tmp[n], err, err_len);
		if (r < 0)
			break;
		n++;
	}
	if (r == 0) {
		memcpy(hubs, tmp, n * sizeof(*tmp));
		*ret_n = n;
	}
	free(tmp);
out:
	json_object_put(root);
	return r;
}

int hubha_cfengine_ha_info_format(const struct hubha_cfengine_hub *hubs, size_t n, char *buf, size_t len,
				  size_t *ret_len, char *err, size_t err_len)
{
	json_object *root = json_object_new_object();
	const char *text;
	size_t tlen;
	int r = 0;

	if (!root)
		return -ENOMEM;
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct hubha_cfengine_hub *h = &hubs[i];
		json_object *o;

		if (!hubha_cfengine_host_ok(h->ip) || (h->internal_ip[0] && !hubha_cfengine_host_ok(h->internal_ip))) {
			char what[65];

			set_err(err, err_len, "hub %s: not an address", shown(h->ip, what, sizeof(what)));
			r = -EINVAL;
			break;
		}
		/* The policy builds the key file name root-SHA=<sha>.pub from it. */
		if (!is_hex(h->sha, 32, HUBHA_CFENGINE_SHA_MAX - 1)) {
			set_err(err, err_len, "hub %s: the key hash is not hexadecimal (cf-key -p, without \"SHA=\")", h->ip);
			r = -EINVAL;
			break;
		}
		if (json_object_object_get_ex(root, h->ip, NULL)) {
			set_err(err, err_len, "hub %s is given twice", h->ip);
			r = -EINVAL;
			break;
		}
		o = json_object_new_object();
		if (!o || json_object_object_add(root, h->ip, o) < 0) {
			json_object_put(o);
			r = -ENOMEM;
			break;
		}
		json_object_object_add(o, "sha", json_object_new_string(h->sha));
		json_object_object_add(o, "internal_ip", json_object_new_string(h->internal_ip[0] ? h->internal_ip : h->ip));
		if (h->in_cluster >= 0)
			json_object_object_add(o, "is_in_cluster", json_object_new_boolean(h->in_cluster));
	}
	if (r == 0) {
		text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								    JSON_C_TO_STRING_NOSLASHESCAPE);
		tlen = text ? strlen(text) + 1 : 0;	/* and a final newline */
		if (!text) {
			r = -ENOMEM;
		} else if (tlen > HUBHA_CFENGINE_HA_INFO_MAX) {
			set_err(err, err_len, "%zu bytes is more than the 4096 CFEngine's policy reads", tlen);
			r = -EFBIG;
		} else if (tlen + 1 > len) {
			r = -ENOSPC;
		} else {
			memcpy(buf, text, tlen - 1);
			buf[tlen - 1] = '\n';
			buf[tlen] = '\0';
			*ret_len = tlen;
		}
	}
	json_object_put(root);
	return r;
}

/* Root writes here: the directory must be root's (or ours) alone, and no link is followed. */
static int dir_open_safe(const char *dir)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ELOOP || errno == ENOTDIR ? -EPERM : -errno;
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* Whether dir/name is a regular file holding exactly content. */
static bool holds(int dirfd, const char *name, const char *content, size_t len, mode_t mode)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	bool same = false;
	char *buf;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len && (st.st_mode & 07777) == mode &&
	    st.st_uid == geteuid()) {
		buf = malloc(len + 1);
		if (buf && read(fd, buf, len + 1) == (ssize_t)len)
			same = memcmp(buf, content, len) == 0;
		free(buf);
	}
	close(fd);
	return same;
}

int hubha_cfengine_write_file(const char *dir, const char *name, const char *content, size_t len, mode_t mode,
			      bool *ret_changed)
{
	char tmp[300];
	struct stat st;
	int dirfd, fd, r = 0;
	size_t off = 0;

	if (!*name || strchr(name, '/') || strlen(name) > 200)
		return -EINVAL;
	dirfd = dir_open_safe(dir);
	if (dirfd < 0)
		return dirfd;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
		r = -ELOOP;
		goto out;
	}
	if (holds(dirfd, name, content, len, mode)) {
		if (ret_changed)
			*ret_changed = false;
		goto out;
	}
	for (int attempt = 0;; attempt++) {
		snprintf(tmp, sizeof(tmp), ".%s.%ld.%d", name, (long)getpid(), attempt);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST || attempt == 10)
			break;
	}
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	while (off < len && r == 0) {
		ssize_t w = write(fd, content + off, len - off);

		if (w < 0 && errno != EINTR)
			r = -errno;
		else if (w > 0)
			off += (size_t)w;
	}
	/* The mode asked for, whatever the umask took away. */
	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		goto out;
	}
	if (fsync(dirfd) < 0) {
		r = -errno;
		goto out;
	}
	if (ret_changed)
		*ret_changed = true;
out:
	close(dirfd);
	return r;
}

int hubha_cfengine_master_hub_write(const char *statedir, const char *addr, bool *ret_changed)
{
	char line[HUBHA_CFENGINE_ADDR_MAX + 2];

	if (!hubha_cfengine_host_ok(addr))
		return -EINVAL;
	/* CFEngine reads the first line, host or host:port, as policy_server.dat. */
	snprintf(line, sizeof(line), "%s\n", addr);
	return hubha_cfengine_write_file(statedir, "master_hub.dat", line, strlen(line), 0644, ret_changed);
}

/*
 * ocf:hubha:pgsql — the standby settings the agent owns.  They live in
 * postgresql.auto.conf (where pg_basebackup -R puts them too) next to
 * standby.signal; every other line of that file is kept as it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pgsql.h"

static const char *const owned[] = {
	"primary_conninfo", "primary_slot_name", "recovery_target_timeline",
	"restore_command", "archive_cleanup_command", "recovery_end_command", "max_slot_wal_keep_size", NULL,
};

static bool is_owned(const char *line)
{
	size_t n;

	line += strspn(line, " \t");
	for (const char *const *k = owned; *k; k++) {
		n = strlen(*k);
		if (strncmp(line, *k, n) == 0 && (line[n] == ' ' || line[n] == '=' || line[n] == '\t'))
			return true;
	}
	return false;
}

/* What libpq's conninfo parser ends a bare value at, or unescapes in a quoted one. */
#define CONNINFO_SPECIAL " \t\n\v\f\r'\\"

/*
 * A value as libpq reads it back: bare when plain, else in single quotes
 * with a backslash before each quote and backslash.  An empty value is
 * quoted too: bare, the next keyword would become the value.
 */
int pgsql_conninfo_value(char *buf, size_t len, const char *v)
{
	size_t need, o = 0;

	if (!v)
		return -EINVAL;
	need = strlen(v) + 1;
	if (*v && v[strcspn(v, CONNINFO_SPECIAL)] == '\0') {
		if (need > len)
			return -ENAMETOOLONG;
		memcpy(buf, v, need);
		return 0;
	}
	need += 2;
	for (const char *c = v; *c; c++)
		need += *c == '\'' || *c == '\\';
	if (need > len)
		return -ENAMETOOLONG;
	buf[o++] = '\'';
	for (; *v; v++) {
		if (*v == '\'' || *v == '\\')
			buf[o++] = '\\';
		buf[o++] = *v;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return 0;
}

int pgsql_conf_primary_conninfo(const struct pgsql *pg, char *buf, size_t len)
{
	char host[512], user[512], app[512];
	int n, r;

	r = pgsql_conninfo_value(host, sizeof(host), pg->master_ip);
	if (r == 0)
		r = pgsql_conninfo_value(user, sizeof(user), pg->repuser);
	if (r == 0)
		r = pgsql_conninfo_value(app, sizeof(app), pg->node);
	if (r < 0)
		return r;
	/*
	 * libpq waits for a TCP connect as long as the kernel does (minutes) unless told otherwise, and a
	 * WAL receiver that connected as master_ip moved stays stuck there; a later keyword wins, so
	 * primary_conninfo_opt may set its own.
	 */
	n = snprintf(buf, len, "host=%s port=%ld user=%s application_name=%s connect_timeout=3%s%s", host,
		     pg->master_port, user, app,
		     pg->primary_conninfo_opt ? " " : "", pg->primary_conninfo_opt ? pg->primary_conninfo_opt : "");
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* key = 'value' with quotes doubled, as ALTER SYSTEM writes it. */
static void put(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s = '", key);
	for (; *value; value++) {
		if (*value == '\'')
			fputc('\'', f);
		fputc(*value, f);
	}
	fputs("'\n", f);
}

/*
 * pgdata is the DBA's: whoever runs as the DBA (or a database superuser with
 * COPY ... TO PROGRAM) can put links, FIFOs and hard links to other people's
 * files in it.  Root therefore reaches its files only through a descriptor of
 * the directory itself, never follows a link there, reads only the DBA's own
 * regular files and writes only files it has just created.
 */
#define AUTO_CONF "postgresql.auto.conf"
#define AUTO_CONF_TMP "postgresql.auto.conf.hubha"
#define STANDBY_SIGNAL "standby.signal"

static int open_pgdata(const struct pgsql *pg, int *ret_fd, char *reason, size_t reason_len)
{
	struct stat st;
	int fd, r;

	fd = open(pg->pgdata, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (lstat(pg->pgdata, &st) == 0 && S_ISLNK(st.st_mode))
			snprintf(reason, reason_len, "pgdata=%s is a symbolic link: set pgdata to the directory itself",
				 pg->pgdata);
		else
			snprintf(reason, reason_len, "Cannot open pgdata=%s: %s", pg->pgdata, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		snprintf(reason, reason_len, "Cannot stat pgdata=%s: %s", pg->pgdata, strerror(-r));
		return r;
	}
	if (st.st_uid != pg->uid) {
		close(fd);
		snprintf(reason, reason_len, "pgdata=%s is not owned by pgdba=%s", pg->pgdata, pg->pgdba);
		return -EPERM;
	}
	*ret_fd = fd;
	return 0;
}

/* The current settings, NULL when there are none; an error when the file is not the DBA's own. */
static int open_current(const struct pgsql *pg, int dfd, FILE **ret, char *reason, size_t reason_len)
{
	struct stat st;
	int fd, r;

	/* O_NONBLOCK: a FIFO in its place must not hang the start. */
	fd = openat(dfd, AUTO_CONF, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		*ret = NULL;
		return 0;
	}
	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP)
			snprintf(reason, reason_len, "%s/" AUTO_CONF " is a symbolic link: refusing to read it as root",
				 pg->pgdata);
		else
			snprintf(reason, reason_len, "Cannot read %s/" AUTO_CONF ": %s", pg->pgdata, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		snprintf(reason, reason_len, "Cannot stat %s/" AUTO_CONF ": %s", pg->pgdata, strerror(-r));
		return r;
	}
	/* Another owner means a hard link to someone else's file (or a file root put there by hand). */
	if (!S_ISREG(st.st_mode) || st.st_uid != pg->uid) {
		close(fd);
		snprintf(reason, reason_len, "%s/" AUTO_CONF " is not a regular file owned by pgdba=%s: refusing to "
			 "read it as root", pg->pgdata, pg->pgdba);
		return -EPERM;
	}
	*ret = fdopen(fd, "r");
	if (!*ret) {
		r = -errno;
		close(fd);
		snprintf(reason, reason_len, "Cannot read %s/" AUTO_CONF ": %s", pg->pgdata, strerror(-r));
		return r;
	}
	return 0;
}

/*
 * A new file of the DBA's: whatever had the name (a leftover, or a link
 * planted there) is removed first, and O_EXCL fails rather than follow
 * one planted again in between.
 */
static int create_owned(const struct pgsql *pg, int dfd, const char *name, int *ret_fd)
{
	int fd, r;

	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (fchown(fd, pg->uid, pg->gid) < 0 && getuid() == 0) {
		r = -errno;
		close(fd);
		unlinkat(dfd, name, 0);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

static void copy_unowned(FILE *in, FILE *out)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, in) > 0)
		if (!is_owned(line))
			fputs(line, out);
	free(line);
}

static void put_settings(const struct pgsql *pg, FILE *out, const char *conninfo)
{
	char slot[256];

	put(out, "primary_conninfo", conninfo);
	put(out, "recovery_target_timeline", "latest");
	/* Validation allows only names that fit. */
	if (pg->slot_name && pgsql_slot_name(pg->slot_name, pg->node, slot, sizeof(slot)) == 0)
		put(out, "primary_slot_name", slot);
	if (pg->restore_command)
		put(out, "restore_command", pg->restore_command);
	if (pg->archive_cleanup_command)
		put(out, "archive_cleanup_command", pg->archive_cleanup_command);
	if (pg->recovery_end_command)
		put(out, "recovery_end_command", pg->recovery_end_command);
	/* Every node, since any may be promoted: slots kept on a standby are bounded too. */
	if (pg->slot_keep_mb >= 0) {
		char mb[32];

		snprintf(mb, sizeof(mb), "%ldMB", pg->slot_keep_mb);
		put(out, "max_slot_wal_keep_size", mb);
	}
}

/* The new postgresql.auto.conf, complete and on disk under its temporary name. */
static int write_tmp(const struct pgsql *pg, int dfd, FILE *in, const char *conninfo)
{
	FILE *out;
	int fd, r;

	r = create_owned(pg, dfd, AUTO_CONF_TMP, &fd);
	if (r < 0)
		return r;
	out = fdopen(fd, "w");
	if (!out) {
		r = -errno;
		close(fd);
		unlinkat(dfd, AUTO_CONF_TMP, 0);
		return r;
	}
	if (in)
		copy_unowned(in, out);
	put_settings(pg, out, conninfo);
	r = 0;
	errno = 0;
	if (fflush(out) != 0 || ferror(out) || fsync(fd) != 0)
		r = errno ? -errno : -EIO;
	if (fclose(out) != 0 && r == 0)
		r = -errno;
	if (r < 0)
		unlinkat(dfd, AUTO_CONF_TMP, 0);
	return r;
}

static int write_settings(const struct pgsql *pg, int dfd, const char *conninfo, char *reason, size_t reason_len)
{
	FILE *in;
	int r;

	r = open_current(pg, dfd, &in, reason, reason_len);
	if (r < 0)
		return r;
	r = write_tmp(pg, dfd, in, conninfo);
	if (in)
		fclose(in);
	if (r < 0) {
		snprintf(reason, reason_len, "Cannot write %s/" AUTO_CONF_TMP ": %s", pg->pgdata, strerror(-r));
		return r;
	}
	if (renameat(dfd, AUTO_CONF_TMP, dfd, AUTO_CONF) < 0) {
		r = -errno;
		unlinkat(dfd, AUTO_CONF_TMP, 0);
		snprintf(reason, reason_len, "Cannot replace %s/" AUTO_CONF ": %s", pg->pgdata, strerror(-r));
		return r;
	}
	return 0;
}

static int write_signal(const struct pgsql *pg, int dfd, char *reason, size_t reason_len)
{
	int fd, r;

	r = create_owned(pg, dfd, STANDBY_SIGNAL, &fd);
	if (r < 0) {
		snprintf(reason, reason_len, "Cannot create %s/" STANDBY_SIGNAL ": %s", pg->pgdata, strerror(-r));
		return r;
	}
	close(fd);
	return 0;
}

int pgsql_conf_standby(const struct pgsql *pg, char *reason, size_t reason_len)
{
	char conninfo[2048];
	int r, dfd = -1;

	r = pgsql_conf_primary_conninfo(pg, conninfo, sizeof(conninfo));
	if (r < 0) {
		snprintf(reason, reason_len, "%s", r == -EINVAL ? "primary_conninfo needs master_ip and repuser"
			 : "primary_conninfo is too long");
		return r;
	}
	r = open_pgdata(pg, &dfd, reason, reason_len);
	if (r < 0)
		return r;
	r = write_settings(pg, dfd, conninfo, reason, reason_len);
	if (r == 0)
		r = write_signal(pg, dfd, reason, reason_len);
	/* Both names must survive a power cut with the contents they point to. */
	if (r == 0 && fsync(dfd) < 0) {
		r = -errno;
		snprintf(reason, reason_len, "Cannot sync pgdata=%s: %s", pg->pgdata, strerror(-r));
	}
	close(dfd);
	return r;
}

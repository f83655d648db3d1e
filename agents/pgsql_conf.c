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
	"restore_command", "archive_cleanup_command", "recovery_end_command", NULL,
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

/* A conninfo value: quoted when it holds anything but plain characters. */
static void conninfo_value(char *buf, size_t len, const char *v)
{
	size_t o = 0;

	if (v[strcspn(v, " \t'\\")] == '\0') {
		snprintf(buf, len, "%s", v);
		return;
	}
	if (len < 3)
		return;
	buf[o++] = '\'';
	for (; *v && o + 3 < len; v++) {
		if (*v == '\'' || *v == '\\')
			buf[o++] = '\\';
		buf[o++] = *v;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
}

static int pgsql_conf_primary_conninfo(const struct pgsql *pg, char *buf, size_t len)
{
	char host[512], user[512], app[512];
	int n;

	conninfo_value(host, sizeof(host), pg->master_ip);
	conninfo_value(user, sizeof(user), pg->repuser);
	conninfo_value(app, sizeof(app), pg->node);
	n = snprintf(buf, len, "host=%s port=%ld user=%s application_name=%s%s%s", host, pg->master_port, user, app,
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

static int write_owned_file(const struct pgsql *pg, const char *tmp, FILE **ret)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	if (fchown(fd, pg->uid, pg->gid) < 0 && getuid() == 0) {
		int r = -errno;

		close(fd);
		unlink(tmp);
		return r;
	}
	*ret = fdopen(fd, "w");
	if (!*ret) {
		int r = -errno;

		close(fd);
		unlink(tmp);
		return r;
	}
	return 0;
}

int pgsql_conf_standby(const struct pgsql *pg, char *reason, size_t reason_len)
{
	char path[4200], tmp[4300], conninfo[2048], line[8192], slot[256];
	FILE *in, *out;
	int r, fd;

	r = pgsql_conf_primary_conninfo(pg, conninfo, sizeof(conninfo));
	if (r < 0) {
		snprintf(reason, reason_len, "primary_conninfo is too long");
		return r;
	}
	snprintf(path, sizeof(path), "%s/postgresql.auto.conf", pg->pgdata);
	snprintf(tmp, sizeof(tmp), "%s/postgresql.auto.conf.hubha", pg->pgdata);
	r = write_owned_file(pg, tmp, &out);
	if (r < 0) {
		snprintf(reason, reason_len, "Cannot write %s: %s", tmp, strerror(-r));
		return r;
	}
	in = fopen(path, "re");
	if (in) {
		while (fgets(line, sizeof(line), in))
			if (!is_owned(line))
				fputs(line, out);
		fclose(in);
	}
	put(out, "primary_conninfo", conninfo);
	put(out, "recovery_target_timeline", "latest");
	if (pg->slot_name) {
		pgsql_slot_name(pg->slot_name, pg->node, slot, sizeof(slot));
		put(out, "primary_slot_name", slot);
	}
	if (pg->restore_command)
		put(out, "restore_command", pg->restore_command);
	if (pg->archive_cleanup_command)
		put(out, "archive_cleanup_command", pg->archive_cleanup_command);
	if (pg->recovery_end_command)
		put(out, "recovery_end_command", pg->recovery_end_command);
	if (fflush(out) != 0 || fsync(fileno(out)) != 0 || fclose(out) != 0) {
		r = -errno;
		unlink(tmp);
		snprintf(reason, reason_len, "Cannot write %s: %s", tmp, strerror(-r));
		return r;
	}
	if (rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		snprintf(reason, reason_len, "Cannot replace %s: %s", path, strerror(-r));
		return r;
	}
	snprintf(path, sizeof(path), "%s/standby.signal", pg->pgdata);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || (fchown(fd, pg->uid, pg->gid) < 0 && getuid() == 0)) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		snprintf(reason, reason_len, "Cannot create %s: %s", path, strerror(-r));
		return r;
	}
	close(fd);
	return 0;
}

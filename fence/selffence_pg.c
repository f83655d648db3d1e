/*
 * Stop a PostgreSQL instance hard, as the pgsql agent identifies its
 * postmaster: the pid in postmaster.pid counts only if /proc shows a
 * postgres program run by the data directory's owner, working in that
 * directory, whose parent is not postgres.  Signals go through the /proc
 * directory opened for the check, so a recycled pid is never hit.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hubha/deadline.h>
#include <hubha/file.h>

#include "pgsql_proc_text.h"
#include "selffence_pg.h"

/* 1 when the process at procfd is alive (not a zombie), 0 when gone, -errno when unreadable. */
static int alive(int procfd, pid_t *ret_ppid)
{
	char text[2048], state;
	pid_t ppid;
	int r = hubha_read_file_at(procfd, "stat", text, sizeof(text));

	if (r == -ESRCH || r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (pgsql_proc_stat_parse(text, &state, &ppid) < 0)
		return -EPROTO;
	if (ret_ppid)
		*ret_ppid = ppid;
	return state != 'Z' && state != 'X';
}

/* Whether the process at procfd runs postgres as uid: 1 yes, 0 no or gone. */
static int is_postgres_of(int procfd, uid_t uid)
{
	char text[2048], link[PATH_MAX];
	ssize_t n;
	uid_t euid;

	if (hubha_read_file_at(procfd, "status", text, sizeof(text)) < 0 || pgsql_proc_status_euid(text, &euid) < 0 ||
	    euid != uid)
		return 0;
	n = readlinkat(procfd, "exe", link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = '\0';
	return pgsql_exe_named_postgres(link);
}

static bool parent_is_postgres(pid_t ppid, uid_t uid)
{
	char path[64];
	int fd, r;

	if (ppid <= 1)
		return false;
	snprintf(path, sizeof(path), "/proc/%d", (int)ppid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	r = is_postgres_of(fd, uid);
	close(fd);
	return r == 1;
}

/* SIGKILL every postgres process of uid whose parent is pid: the backends and helpers. */
static void kill_children(pid_t pid, uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		pid_t child, ppid = 0;
		char *end;
		long v;
		int fd;

		v = strtol(e->d_name, &end, 10);
		if (*end || v <= 0 || v > INT_MAX)
			continue;
		child = (pid_t)v;
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (alive(fd, &ppid) == 1 && ppid == pid && is_postgres_of(fd, uid) == 1)
			hubha_proc_signal(fd, child, SIGKILL);
		close(fd);
	}
	closedir(d);
}

/*
 * The postmaster of pgdata, opened: 1 with *ret_procfd, *ret_pid and
 * *ret_uid, 0 when none runs, -errno when that cannot be decided.
 */
static int postmaster_open(const char *pgdata, int *ret_procfd, pid_t *ret_pid, uid_t *ret_uid, char *err,
			   size_t err_len)
{
	char path[PATH_MAX + 32], text[PATH_MAX + 64], dir[PATH_MAX];
	struct stat data, cwd;
	pid_t pid, ppid = 0;
	int fd, r;

	snprintf(path, sizeof(path), "%s/postmaster.pid", pgdata);
	r = hubha_read_file_at(AT_FDCWD, path, text, sizeof(text));
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	if (r < 0) {
		snprintf(err, err_len, "cannot read %s: %s", path, strerror(-r));
		return r;
	}
	/* Half written or emptied by a crash: no server can be found through it. */
	if (pgsql_pidfile_parse(text, &pid, dir, sizeof(dir)) < 0)
		return 0;
	if (stat(pgdata, &data) < 0) {
		r = -errno;
		snprintf(err, err_len, "cannot stat %s: %s", pgdata, strerror(-r));
		return r;
	}
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return 0;
		snprintf(err, err_len, "postmaster.pid names pid %d, which runs, but %s cannot be read: %s", (int)pid,
			 path, strerror(-r));
		return r;
	}
	r = alive(fd, &ppid);
	if (r < 0)
		snprintf(err, err_len, "cannot read /proc/%d/stat: %s", (int)pid, strerror(-r));
	/* A postmaster works in its data directory, as its owner, and is not a child of postgres. */
	else if (r == 1 && (fstatat(fd, "cwd", &cwd, 0) < 0 || !hubha_same_file(&cwd, &data) ||
			    is_postgres_of(fd, data.st_uid) != 1 || parent_is_postgres(ppid, data.st_uid)))
		r = 0;
	if (r != 1) {
		close(fd);
		return r;
	}
	*ret_procfd = fd;
	*ret_pid = pid;
	*ret_uid = data.st_uid;
	return 1;
}

int sf_pg_kill(const char *pgdata, unsigned wait_ms, char *err, size_t err_len)
{
	struct hubha_deadline end = hubha_deadline_in(wait_ms);
	struct timespec poll = { .tv_nsec = 5 * 1000000 };
	pid_t pid;
	uid_t uid;
	int fd, r;

	r = postmaster_open(pgdata, &fd, &pid, &uid, err, err_len);
	if (r <= 0)
		return r;
	/* Stopped, it forks no more: then its children, then itself, so no backend outlives it. */
	r = hubha_proc_signal(fd, pid, SIGSTOP);
	if (r == 0) {
		kill_children(pid, uid);
		r = hubha_proc_signal(fd, pid, SIGKILL);
	}
	if (r < 0) {
		snprintf(err, err_len, "cannot signal postmaster %d: %s", (int)pid, strerror(-r));
		close(fd);
		return r;
	}
	while ((r = alive(fd, NULL)) == 1 && !hubha_deadline_passed(end))
		nanosleep(&poll, NULL);
	close(fd);
	if (r < 0) {
		snprintf(err, err_len, "cannot read /proc/%d/stat: %s", (int)pid, strerror(-r));
		return r;
	}
	if (r == 1)
		snprintf(err, err_len, "postmaster %d still runs after SIGKILL", (int)pid);
	return r == 1 ? pid : 0;
}

/*
 * ocf:hubha:pgsql — the instance's processes: postmaster liveness, pg_ctl,
 * pg_controldata and pg_rewind, run as the database owner.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pgsql.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

pid_t pgsql_postmaster_pid(const struct pgsql *pg)
{
	char path[4200], comm[32];
	long pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/postmaster.pid", pg->pgdata);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 0)
		return 0;
	/* A stale pid file may name a pid that now belongs to something else. */
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return strncmp(comm, "postgres", 8) == 0 || strncmp(comm, "postmaster", 10) == 0 ? (pid_t)pid : 0;
}

bool pgsql_has_datadir(const struct pgsql *pg)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/PG_VERSION", pg->pgdata);
	return access(path, F_OK) == 0;
}

static void child_exec(const struct pgsql *pg, char *const argv[], int out_fd)
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0)
		_exit(127);
	dup2(null, 0);
	dup2(out_fd >= 0 ? out_fd : null, 1);
	dup2(out_fd >= 0 ? out_fd : null, 2);
	if (getuid() == 0) {
		if (setgid(pg->gid) < 0 || initgroups(pg->pgdba, pg->gid) < 0 || setuid(pg->uid) < 0)
			_exit(126);
	}
	if (chdir(pg->pgdata) < 0 && chdir("/") < 0)
		_exit(126);
	/* pg_controldata's labels are what we parse: keep them in English. */
	setenv("LC_ALL", "C", 1);
	execv(argv[0], argv);
	_exit(127);
}

/* Run as the DBA, bounded by timeout_ms; with out, collect stdout+stderr. */
static int run(const struct pgsql *pg, char *const argv[], unsigned timeout_ms, char *out, size_t out_len)
{
	long long deadline = now_ms() + (timeout_ms ? timeout_ms : 60000);
	int pipefd[2] = { -1, -1 }, status;
	size_t got = 0;
	pid_t pid;

	if (out && pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		if (out) {
			close(pipefd[0]);
			close(pipefd[1]);
		}
		return r;
	}
	if (pid == 0)
		child_exec(pg, argv, out ? pipefd[1] : -1);
	if (out) {
		close(pipefd[1]);
		for (;;) {
			long long left = deadline - now_ms();
			struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
			char buf[1024];
			ssize_t n;

			if (left <= 0 || poll(&p, 1, (int)left) == 0)
				break;
			n = read(pipefd[0], buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			if (got + 1 < out_len) {
				size_t take = (size_t)n < out_len - 1 - got ? (size_t)n : out_len - 1 - got;

				memcpy(out + got, buf, take);
				got += take;
			}
		}
		close(pipefd[0]);
		out[got] = '\0';
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		usleep(20000);
	}
	if (!WIFEXITED(status))
		return -EINTR;
	return WEXITSTATUS(status);
}

int pgsql_run_as_dba(const struct pgsql *pg, char *const argv[], unsigned timeout_ms)
{
	return run(pg, argv, timeout_ms, NULL, 0);
}

/* Split space-separated options into argv (no quoting, as the anchors' shell did it). */
static int split_opts(const char *opts, char *buf, size_t len, char **argv, int max)
{
	int n = 0;

	if (!opts || !*opts)
		return 0;
	snprintf(buf, len, "%s", opts);
	for (char *save = NULL, *t = strtok_r(buf, " \t", &save); t && n < max; t = strtok_r(NULL, " \t", &save))
		argv[n++] = t;
	return n;
}

int pgsql_ctl_start(const struct pgsql *pg, unsigned timeout_ms)
{
	char o[8192], ctlbuf[1024], wait_s[16];
	char *argv[40];
	int n = 0, used;

	/* As heartbeat:pgsql: config, port and socket directory go to the postmaster through -o. */
	used = snprintf(o, sizeof(o), "%s%s-c config_file=%s -p %ld", pg->start_opt ? pg->start_opt : "",
			pg->start_opt ? " " : "", pg->config, pg->port);
	if (pg->socketdir && used > 0 && (size_t)used < sizeof(o))
		snprintf(o + used, sizeof(o) - (size_t)used, " -k %s", pg->socketdir);
	snprintf(wait_s, sizeof(wait_s), "%u", timeout_ms / 1000 > 1 ? timeout_ms / 1000 - 1 : 1);
	argv[n++] = (char *)pg->pgctl;
	n += split_opts(pg->ctl_opt, ctlbuf, sizeof(ctlbuf), argv + n, 16);
	argv[n++] = (char *)"-D";
	argv[n++] = (char *)pg->pgdata;
	argv[n++] = (char *)"-l";
	argv[n++] = (char *)pg->logfile;
	argv[n++] = (char *)"-o";
	argv[n++] = o;
	argv[n++] = (char *)"-w";
	argv[n++] = (char *)"-t";
	argv[n++] = wait_s;
	argv[n++] = (char *)"start";
	argv[n] = NULL;
	return run(pg, argv, timeout_ms, NULL, 0);
}

int pgsql_ctl_stop(const struct pgsql *pg, const char *mode, unsigned timeout_s)
{
	char ctlbuf[1024], wait_s[16];
	char *argv[32];
	int n = 0;

	snprintf(wait_s, sizeof(wait_s), "%u", timeout_s ? timeout_s : 1);
	argv[n++] = (char *)pg->pgctl;
	n += split_opts(pg->ctl_opt, ctlbuf, sizeof(ctlbuf), argv + n, 16);
	argv[n++] = (char *)"-D";
	argv[n++] = (char *)pg->pgdata;
	argv[n++] = (char *)"-m";
	argv[n++] = (char *)mode;
	argv[n++] = (char *)"-w";
	argv[n++] = (char *)"-t";
	argv[n++] = wait_s;
	argv[n++] = (char *)"stop";
	argv[n] = NULL;
	return run(pg, argv, (timeout_s + 5) * 1000u, NULL, 0);
}

static const char *field(const char *out, const char *label)
{
	const char *p = strstr(out, label);

	if (!p)
		return NULL;
	p += strlen(label);
	while (*p == ' ')
		p++;
	return p;
}

/* One "label: value" line of pg_controldata's output, without the newline. */
static int field_text(const char *out, const char *label, char *buf, size_t len)
{
	const char *v = field(out, label);
	size_t n;

	if (!v)
		return -EPROTO;
	n = strcspn(v, "\n");
	if (n >= len)
		return -EPROTO;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return 0;
}

static int field_timeline(const char *out, const char *label, unsigned *ret)
{
	char buf[32], *end;
	unsigned long tl;

	if (field_text(out, label, buf, sizeof(buf)) < 0)
		return -EPROTO;
	errno = 0;
	tl = strtoul(buf, &end, 10);
	if (errno || end == buf || *end || tl > UINT32_MAX)
		return -EPROTO;
	*ret = (unsigned)tl;
	return 0;
}

/*
 * Every field a decision rests on must parse: a checkpoint of 0/0 taken for
 * "unknown" would pass the switchover check.
 */
int pgsql_controldata_parse(const char *out, struct pgsql_controldata *ret)
{
	struct pgsql_controldata cd = { 0 };
	char lsn[32];

	if (field_text(out, "Database cluster state:", cd.state, sizeof(cd.state)) < 0 || !cd.state[0])
		return -EPROTO;
	if (field_text(out, "Latest checkpoint location:", lsn, sizeof(lsn)) < 0 ||
	    hubha_lsn_parse(lsn, &cd.checkpoint) < 0)
		return -EPROTO;
	if (field_timeline(out, "Latest checkpoint's TimeLineID:", &cd.timeline) < 0)
		return -EPROTO;
	if (field_text(out, "Minimum recovery ending location:", lsn, sizeof(lsn)) < 0 ||
	    hubha_lsn_parse(lsn, &cd.min_recovery) < 0)
		return -EPROTO;
	if (field_timeline(out, "Min recovery ending loc's timeline:", &cd.min_recovery_timeline) < 0)
		return -EPROTO;
	*ret = cd;
	return 0;
}

int pgsql_controldata(const struct pgsql *pg, struct pgsql_controldata *ret)
{
	char tool[4200], out[8192];
	char *argv[4];
	int r;

	snprintf(tool, sizeof(tool), "%s/pg_controldata", pg->bindir);
	argv[0] = tool;
	argv[1] = (char *)pg->pgdata;
	argv[2] = NULL;
	r = run(pg, argv, 10000, out, sizeof(out));
	if (r < 0)
		return r;
	if (r == 127)
		return -ENOENT;
	if (r != 0)
		return -EIO;
	return pgsql_controldata_parse(out, ret);
}

int pgsql_rewind(const struct pgsql *pg, const char *source_conninfo, unsigned timeout_ms, char *out, size_t out_len)
{
	char tool[4200], src[4200];
	char *argv[6];
	int r;

	snprintf(tool, sizeof(tool), "%s/pg_rewind", pg->bindir);
	snprintf(src, sizeof(src), "--source-server=%s", source_conninfo);
	argv[0] = tool;
	argv[1] = (char *)"-D";
	argv[2] = (char *)pg->pgdata;
	argv[3] = src;
	argv[4] = NULL;
	r = run(pg, argv, timeout_ms, out, out_len);
	if (r != 0) {
		/* pg_rewind's last line says what went wrong. */
		size_t n = strlen(out);
		const char *last;

		while (n && out[n - 1] == '\n')
			out[--n] = '\0';
		last = strrchr(out, '\n');
		hubha_ocf_reason(pg->ctx, "pg_rewind failed (%s): %.300s",
				 r == -ETIMEDOUT ? "timed out" : r < 0 ? strerror(-r) : "exit status", last ? last + 1 : out);
	}
	return r == 0 ? 0 : r < 0 ? r : -EIO;
}

/*
 * Crash recovery of a stopped instance, in single-user mode, keeping every WAL
 * segment: pg_rewind would run the same recovery itself, but the end-of-recovery
 * checkpoint would then remove the segments that hold the last checkpoint
 * common with the new primary, which pg_rewind reads next.
 */
int pgsql_crash_recovery(const struct pgsql *pg, unsigned timeout_ms, char *out, size_t out_len)
{
	char tool[4200], config[4200];
	char *argv[12];
	int n = 0, r;

	snprintf(tool, sizeof(tool), "%s/postgres", pg->bindir);
	/* The configuration the postmaster runs with (config=), as pgsql_ctl_start gives it. */
	snprintf(config, sizeof(config), "config_file=%s", pg->config);
	argv[n++] = tool;
	argv[n++] = (char *)"--single";
	argv[n++] = (char *)"-F";
	argv[n++] = (char *)"-D";
	argv[n++] = (char *)pg->pgdata;
	argv[n++] = (char *)"-c";
	argv[n++] = config;
	argv[n++] = (char *)"-c";
	argv[n++] = (char *)"wal_keep_size=2147483647";
	argv[n++] = (char *)"template1";
	argv[n] = NULL;
	r = run(pg, argv, timeout_ms, out, out_len);
	return r == 0 ? 0 : r < 0 ? r : -EIO;
}

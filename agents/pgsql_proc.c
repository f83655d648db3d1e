/*
 * ocf:hubha:pgsql — the instance's processes: postmaster liveness, pg_ctl,
 * pg_controldata and pg_rewind, run as the database owner.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hubha/deadline.h>
#include <hubha/file.h>
#include <hubha/log.h>

#include "pgsql.h"
#include "pgsql_proc_text.h"

/* A run without a timeout of its own still ends. */
#define RUN_DEFAULT_MS 60000
/* How often a wait for a child or a postmaster looks again. */
#define POLL_MS 20
/* pg_controldata reads one small file. */
#define CONTROLDATA_MS 10000
/* What the children get for PATH when the agent has none. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int exe_at(int dirfd, const char *name, char *buf, size_t len)
{
	ssize_t n = readlinkat(dirfd, name, buf, len - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* The postgres pg_ctl starts: the one beside pg_ctl's real path. */
static void server_exe(const struct pgsql *pg, char *buf, size_t len)
{
	char real[PATH_MAX];

	if (realpath(pg->pgctl, real))
		snprintf(buf, len, "%s/postgres", dirname(real));
	else
		snprintf(buf, len, "%s/postgres", pg->bindir);
	if (realpath(buf, real))
		snprintf(buf, len, "%s", real);
}

/* Whether the pid file was written for pgdata, not copied along with it from elsewhere. */
static bool pidfile_for_pgdata(const char *dir, const struct stat *pgdata)
{
	struct stat st;

	/* A directory that no longer exists under that name proves nothing: the process's cwd decides. */
	return stat(dir, &st) != 0 || hubha_same_file(&st, pgdata);
}

/* Whether PID's parent runs the same program: then PID is a backend, not a postmaster. */
static bool parent_is_server(pid_t ppid, const char *exe)
{
	char path[64], link[PATH_MAX];

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)ppid);
	return ppid > 1 && exe_at(AT_FDCWD, path, link, sizeof(link)) == 0 && pgsql_exe_is(link, exe);
}

/*
 * Whether the process open at procfd is the postmaster of pgdata: 1 yes,
 * 0 no (gone, or provably something else), -errno when /proc cannot tell.
 * why says what was found when it is not a plain yes.
 */
static int identify(const struct pgsql *pg, int procfd, const struct stat *pgdata, char *why, size_t len)
{
	char text[2048], link[PATH_MAX], exe[PATH_MAX + 16], state;
	struct stat st;
	pid_t ppid;
	uid_t uid;
	int r;

	r = hubha_read_file_at(procfd, "stat", text, sizeof(text));
	if (r == -ESRCH || r == -ENOENT)
		return 0;
	if (r < 0 || pgsql_proc_stat_parse(text, &state, &ppid) < 0) {
		snprintf(why, len, "cannot read its /proc stat: %s", strerror(r < 0 ? -r : EPROTO));
		return r < 0 ? r : -EPROTO;
	}
	if (state == 'Z' || state == 'X')
		return 0;
	r = hubha_read_file_at(procfd, "status", text, sizeof(text));
	if (r == -ESRCH || r == -ENOENT)
		return 0;
	if (r < 0 || pgsql_proc_status_euid(text, &uid) < 0) {
		snprintf(why, len, "cannot read its /proc status: %s", strerror(r < 0 ? -r : EPROTO));
		return r < 0 ? r : -EPROTO;
	}
	/* postgres runs only as the owner of its data directory. */
	if (uid != pg->uid) {
		snprintf(why, len, "it runs as uid %u, not as pgdba", (unsigned)uid);
		return 0;
	}
	if (fstatat(procfd, "cwd", &st, 0) < 0) {
		r = -errno;
		if (r == -ESRCH || r == -ENOENT)
			return 0;
		snprintf(why, len, "cannot read its working directory: %s", strerror(-r));
		return r;
	}
	/* A postmaster and its children work in their data directory. */
	if (!hubha_same_file(&st, pgdata)) {
		snprintf(why, len, "it works in another directory");
		return 0;
	}
	r = exe_at(procfd, "exe", link, sizeof(link));
	/* Only a process that is exiting has no executable left (kernel threads were not pgdba's). */
	if (r == -ESRCH || r == -ENOENT)
		return 0;
	if (r < 0) {
		snprintf(why, len, "cannot read its executable: %s", strerror(-r));
		return r;
	}
	server_exe(pg, exe, sizeof(exe));
	if (!pgsql_exe_is(link, exe)) {
		snprintf(why, len, "it runs %s, not %s", link, exe);
		/* A server of this directory from another installation is still a server. */
		return pgsql_exe_named_postgres(link) ? -EPERM : 0;
	}
	if (parent_is_server(ppid, exe)) {
		snprintf(why, len, "it is a child of postgres process %d", (int)ppid);
		return -EPERM;
	}
	return 1;
}

/*
 * Open the process postmaster.pid names, if it is pgdata's postmaster:
 * 1 with *ret_procfd (a /proc/PID directory, usable as a pidfd) and
 * *ret_pid, 0 when none runs, -errno when that cannot be decided.
 */
static int postmaster_open(const struct pgsql *pg, int *ret_procfd, pid_t *ret_pid, char *err, size_t err_len)
{
	static bool warned;
	char path[PATH_MAX + 32], text[PATH_MAX + 64], dir[PATH_MAX], why[PATH_MAX * 2 + 64] = "";
	struct stat pgdata;
	pid_t pid;
	int procfd, r;

	snprintf(path, sizeof(path), "%s/postmaster.pid", pg->pgdata);
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
	if (stat(pg->pgdata, &pgdata) < 0) {
		r = -errno;
		snprintf(err, err_len, "cannot stat pgdata=%s: %s", pg->pgdata, strerror(-r));
		return r;
	}
	if (!pidfile_for_pgdata(dir, &pgdata)) {
		snprintf(why, sizeof(why), "the file was written for %s", dir);
		goto not_ours;
	}
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0) {
		r = -errno;
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return 0;
		snprintf(err, err_len, "postmaster.pid names pid %d, which runs, but %s cannot be read: %s", (int)pid,
			 path, strerror(-r));
		return r;
	}
	r = identify(pg, procfd, &pgdata, why, sizeof(why));
	if (r == 1) {
		*ret_procfd = procfd;
		*ret_pid = pid;
		return 1;
	}
	close(procfd);
	if (r < 0) {
		snprintf(err, err_len, "postmaster.pid names pid %d, and %s", (int)pid, why);
		return r;
	}
	if (!why[0])
		return 0;
not_ours:
	if (!warned)
		hubha_log(LOG_WARNING, "Ignoring %s/postmaster.pid: pid %d is not this instance's postmaster (%s)",
			  pg->pgdata, (int)pid, why);
	warned = true;
	return 0;
}

int pgsql_postmaster(const struct pgsql *pg, pid_t *ret_pid, char *err, size_t err_len)
{
	char scratch[8];
	pid_t pid = 0;
	int procfd, r;

	if (!err) {
		err = scratch;
		err_len = sizeof(scratch);
	}
	r = postmaster_open(pg, &procfd, &pid, err, err_len);
	if (r < 0)
		return r;
	if (r == 1)
		close(procfd);
	if (ret_pid)
		*ret_pid = r == 1 ? pid : 0;
	return 0;
}

int pgsql_postmaster_kill(const struct pgsql *pg, int sig, char *err, size_t err_len)
{
	pid_t pid;
	int procfd, r;

	r = postmaster_open(pg, &procfd, &pid, err, err_len);
	if (r <= 0)
		return r;
	r = hubha_proc_signal(procfd, pid, sig);
	close(procfd);
	if (r < 0)
		snprintf(err, err_len, "cannot signal postmaster %d: %s", (int)pid, strerror(-r));
	return r;
}

int pgsql_child_kill(const struct pgsql *pg, pid_t pid, int sig, char *err, size_t err_len)
{
	char path[64], text[2048], state;
	pid_t postmaster, ppid;
	int pmfd, procfd, r;
	uid_t uid;

	r = postmaster_open(pg, &pmfd, &postmaster, err, err_len);
	if (r <= 0) {
		if (r == 0)
			snprintf(err, err_len, "no postmaster runs");
		return r < 0 ? r : -ESRCH;
	}
	close(pmfd);
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0) {
		r = -errno;
		snprintf(err, err_len, "cannot open %s: %s", path, strerror(-r));
		return r;
	}
	/* Only a live child of this instance's postmaster, running as pgdba. */
	if (hubha_read_file_at(procfd, "stat", text, sizeof(text)) < 0 || pgsql_proc_stat_parse(text, &state, &ppid) < 0 ||
	    hubha_read_file_at(procfd, "status", text, sizeof(text)) < 0 || pgsql_proc_status_euid(text, &uid) < 0) {
		snprintf(err, err_len, "process %d is gone or cannot be read", (int)pid);
		r = -ESRCH;
	} else if (ppid != postmaster || uid != pg->uid || state == 'Z' || state == 'X') {
		snprintf(err, err_len, "process %d is not a server process of postmaster %d", (int)pid, (int)postmaster);
		r = -EPERM;
	} else {
		r = hubha_proc_signal(procfd, pid, sig);
		if (r < 0)
			snprintf(err, err_len, "cannot signal process %d: %s", (int)pid, strerror(-r));
	}
	close(procfd);
	return r;
}

bool pgsql_has_datadir(const struct pgsql *pg)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/PG_VERSION", pg->pgdata);
	return access(path, F_OK) == 0;
}

/* What the children get: the path, the DBA's home, C messages; no secret of the agent's. */
struct child_env {
	char path[4096], home[PATH_MAX + 8];
	char *envp[4];
};

static void child_env(const struct pgsql *pg, struct child_env *e)
{
	const char *path = getenv("PATH");
	struct passwd *pw = getpwuid(pg->uid);

	snprintf(e->path, sizeof(e->path), "PATH=%s", path && *path ? path : DEFAULT_PATH);
	snprintf(e->home, sizeof(e->home), "HOME=%s", pw && pw->pw_dir ? pw->pw_dir : "/");
	e->envp[0] = e->path;
	e->envp[1] = e->home;
	/* pg_controldata's labels are what we parse, and reasons quote pg_ctl: keep them in English. */
	e->envp[2] = (char *)"LC_ALL=C";
	e->envp[3] = NULL;
}

static void close_from_3(void)
{
	DIR *d;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0) == 0)
		return;
#endif
	d = opendir("/proc/self/fd");
	if (!d)
		_exit(126);
	for (struct dirent *de; (de = readdir(d));) {
		int fd = atoi(de->d_name);

		if (fd > 2 && fd != dirfd(d))
			close(fd);
	}
	closedir(d);
}

static void default_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * The child starts clean: the postmaster pg_ctl leaves behind lives long
 * and must not keep the agent's log file open, its signal settings, or its
 * environment (monitor_password).
 */
static void child_exec(const struct pgsql *pg, char *const argv[], char *const envp[], int out_fd)
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0)
		_exit(127);
	if (dup2(null, 0) < 0 || dup2(out_fd >= 0 ? out_fd : null, 1) < 0 || dup2(out_fd >= 0 ? out_fd : null, 2) < 0)
		_exit(126);
	close_from_3();
	default_signals();
	if (getuid() == 0) {
		if (setgid(pg->gid) < 0 || initgroups(pg->pgdba, pg->gid) < 0 || setuid(pg->uid) < 0)
			_exit(126);
	}
	if (chdir(pg->pgdata) < 0 && chdir("/") < 0)
		_exit(126);
	execve(argv[0], argv, envp);
	_exit(127);
}

/* Keep the end of the output: that is where tools say what went wrong. */
static void keep_tail(char *out, size_t out_len, size_t *got, const char *buf, size_t n)
{
	size_t cap = out_len - 1;

	if (n > cap) {
		buf += n - cap;
		n = cap;
	}
	if (*got + n > cap) {
		size_t drop = *got + n - cap;

		memmove(out, out + drop, *got - drop);
		*got -= drop;
	}
	memcpy(out + *got, buf, n);
	*got += n;
}

static void collect(int fd, struct hubha_deadline d, char *out, size_t out_len)
{
	size_t got = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		unsigned left = hubha_deadline_left_ms(d);
		char buf[1024];
		ssize_t n;
		int r;

		if (left == 0)
			break;
		r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		keep_tail(out, out_len, &got, buf, (size_t)n);
	}
	out[got] = '\0';
}

/*
 * Run argv as the DBA, killed once timeout_ms passed; with out, collect the
 * end of its stdout and stderr.  0 with *ret_status its wait status, or a
 * negative errno (-ETIMEDOUT when it had to be killed).
 */
static int run(const struct pgsql *pg, char *const argv[], unsigned timeout_ms, char *out, size_t out_len,
	       int *ret_status)
{
	struct hubha_deadline d = hubha_deadline_in(timeout_ms ? timeout_ms : RUN_DEFAULT_MS);
	int pipefd[2] = { -1, -1 }, status;
	struct child_env env;
	pid_t pid;

	child_env(pg, &env);
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
		child_exec(pg, argv, env.envp, out ? pipefd[1] : -1);
	if (out) {
		close(pipefd[1]);
		collect(pipefd[0], d, out, out_len);
		close(pipefd[0]);
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (hubha_deadline_passed(d)) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		usleep(POLL_MS * 1000);
	}
	*ret_status = status;
	return 0;
}

int pgsql_run(const struct pgsql *pg, char *const argv[], unsigned timeout_ms, char *out, size_t out_len,
	      int *ret_status)
{
	return run(pg, argv, timeout_ms, out, out_len, ret_status);
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

/* The server log, when it is a file of the DBA's that can be read back: its size, else -1. */
static off_t log_size(const struct pgsql *pg, int *ret_fd)
{
	int fd = open(pg->logfile, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -1;
	/* Root reads it: only what the DBA could read anyway may end up in a reason. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != pg->uid) {
		close(fd);
		return -1;
	}
	if (ret_fd)
		*ret_fd = fd;
	else
		close(fd);
	return st.st_size;
}

/* What the server logged since offset from (bounded to the last len bytes). */
static void log_since(const struct pgsql *pg, off_t from, char *buf, size_t len)
{
	off_t size, start;
	ssize_t n;
	int fd;

	buf[0] = '\0';
	size = log_size(pg, &fd);
	if (size < 0)
		return;
	start = from >= 0 && from <= size ? from : 0;
	if (size - start > (off_t)len - 1)
		start = size - ((off_t)len - 1);
	n = pread(fd, buf, len - 1, start);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/*
 * Why a pg_ctl run failed, in one line: the server's FATAL message, else
 * pg_ctl's own, then how it ended and where the log is, if it is a file.
 */
static void ctl_failure(const struct pgsql *pg, int r, int status, const char *out, off_t log_from, char *err,
			size_t err_len)
{
	char how[128], line[512] = "", logged[4096], where[PATH_MAX + 32] = "";
	struct stat st;

	if (r == -ETIMEDOUT)
		snprintf(how, sizeof(how), "pg_ctl did not finish in time");
	else if (r < 0)
		snprintf(how, sizeof(how), "pg_ctl could not run: %s", strerror(-r));
	else
		pgsql_status_text(status, how, sizeof(how));
	log_since(pg, log_from, logged, sizeof(logged));
	if (!pgsql_last_message(logged, true, line, sizeof(line)) && !pgsql_last_message(out, false, line, sizeof(line)))
		pgsql_last_message(logged, false, line, sizeof(line));
	if (stat(pg->logfile, &st) == 0 && S_ISREG(st.st_mode))
		snprintf(where, sizeof(where), "; see logfile=%s", pg->logfile);
	if (line[0])
		snprintf(err, err_len, "%s (%s%s)", line, how, where);
	else
		snprintf(err, err_len, "%s%s", how, where);
}

int pgsql_ctl_start(const struct pgsql *pg, unsigned timeout_ms, char *err, size_t err_len)
{
	char o[8192], ctlbuf[1024], wait_s[16], out[2048];
	unsigned ms = pgsql_budget_ms(pg, timeout_ms);
	off_t log_from = log_size(pg, NULL);
	char *argv[40];
	int n = 0, used, r, status = 0;

	/* As heartbeat:pgsql: config, port and socket directory go to the postmaster through -o. */
	used = snprintf(o, sizeof(o), "%s%s-c config_file=%s -p %ld", pg->start_opt ? pg->start_opt : "",
			pg->start_opt ? " " : "", pg->config, pg->port);
	if (pg->socketdir && used > 0 && (size_t)used < sizeof(o))
		snprintf(o + used, sizeof(o) - (size_t)used, " -k %s", pg->socketdir);
	snprintf(wait_s, sizeof(wait_s), "%u", ms / 1000 > 1 ? ms / 1000 - 1 : 1);
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
	r = run(pg, argv, ms, out, sizeof(out), &status);
	if (r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	ctl_failure(pg, r, status, out, log_from, err, err_len);
	return r < 0 ? r : -EIO;
}

int pgsql_ctl_stop(const struct pgsql *pg, const char *mode, unsigned timeout_ms, char *err, size_t err_len)
{
	char ctlbuf[1024], wait_s[16], out[2048];
	off_t log_from = log_size(pg, NULL);
	char *argv[32];
	int n = 0, r, status = 0;

	/* pg_ctl waits in whole seconds; the run's own deadline cuts it short when less is left. */
	snprintf(wait_s, sizeof(wait_s), "%u", timeout_ms / 1000 ? timeout_ms / 1000 : 1);
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
	r = run(pg, argv, pgsql_budget_ms(pg, timeout_ms), out, sizeof(out), &status);
	if (r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	ctl_failure(pg, r, status, out, log_from, err, err_len);
	return r < 0 ? r : -EIO;
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
	int r, status;

	snprintf(tool, sizeof(tool), "%s/pg_controldata", pg->bindir);
	argv[0] = tool;
	argv[1] = (char *)pg->pgdata;
	argv[2] = NULL;
	r = run(pg, argv, CONTROLDATA_MS, out, sizeof(out), &status);
	if (r < 0)
		return r;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return -ENOENT;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -EIO;
	return pgsql_controldata_parse(out, ret);
}

int pgsql_rewind(const struct pgsql *pg, const char *source_conninfo, unsigned timeout_ms, char *out, size_t out_len)
{
	char tool[4200], src[4200], how[128], line[512] = "";
	char *argv[6];
	int r, status = 0;

	snprintf(tool, sizeof(tool), "%s/pg_rewind", pg->bindir);
	snprintf(src, sizeof(src), "--source-server=%s", source_conninfo);
	argv[0] = tool;
	argv[1] = (char *)"-D";
	argv[2] = (char *)pg->pgdata;
	argv[3] = src;
	argv[4] = NULL;
	r = run(pg, argv, pgsql_budget_ms(pg, timeout_ms), out, out_len, &status);
	if (r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (r < 0)
		snprintf(how, sizeof(how), "%s", r == -ETIMEDOUT ? "did not finish in time" : strerror(-r));
	else
		pgsql_status_text(status, how, sizeof(how));
	pgsql_last_message(out, false, line, sizeof(line));
	hubha_ocf_reason(pg->ctx, "pg_rewind failed (%s)%s%s", how, line[0] ? ": " : "", line);
	return r < 0 ? r : -EIO;
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
	int n = 0, r, status = 0;

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
	r = run(pg, argv, pgsql_budget_ms(pg, timeout_ms), out, out_len, &status);
	if (r < 0)
		return r;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

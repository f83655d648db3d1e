/*
 * ocf:hubha:hub — the services' processes.  A service is running only when
 * its pid names a process that is provably it: the program the service runs,
 * and for a service the agent started in the foreground, the start time it
 * recorded, so a pid reused by anything else is never taken for it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <hubha/file.h>

#include "hub_proc.h"
#include "pgsql_proc_text.h"

#define POLL_MS 20
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Root's own directory for the records; a directory anyone else may write is refused. */
static int run_dir_open(bool create)
{
	struct stat st;
	int fd;

	if (create && mkdir(HUB_RUN_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = open(HUB_RUN_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static void record_name(const char *rsc, const char *svc, char *buf, size_t len)
{
	snprintf(buf, len, "hub-%s%s%s.%s", rsc, svc ? "-" : "", svc ? svc : "", svc ? "pid" : "active");
	for (char *c = buf; *c; c++)
		if (*c == '/')
			*c = '_';
}

static int write_at(int dirfd, const char *name, const char *text)
{
	char tmp[300];
	size_t n = strlen(text);
	int fd, r = 0;

	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, n) != (ssize_t)n)
		r = -EIO;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r)
		unlinkat(dirfd, tmp, 0);
	return r;
}

static int proc_starttime(int procfd, unsigned long long *ret)
{
	char text[2048];
	int r = hubha_read_file_at(procfd, "stat", text, sizeof(text));

	if (r < 0)
		return r;
	return hub_stat_starttime(text, ret);
}

static bool exe_matches(int procfd, const char *exe, char *why, size_t why_len)
{
	char link[PATH_MAX], real[PATH_MAX];
	ssize_t n = readlinkat(procfd, "exe", link, sizeof(link) - 1);

	if (n < 0) {
		snprintf(why, why_len, "its program cannot be read: %s", strerror(errno));
		return false;
	}
	link[n] = '\0';
	if (!realpath(exe, real))
		snprintf(real, sizeof(real), "%s", exe);
	if (pgsql_exe_is(link, real))
		return true;
	snprintf(why, why_len, "it runs %s, not %s", link, real);
	return false;
}

bool hub_proc_gone(const struct hub_proc *p)
{
	char text[2048], state;
	pid_t ppid;

	if (p->procfd < 0 || hubha_read_file_at(p->procfd, "stat", text, sizeof(text)) < 0 ||
	    pgsql_proc_stat_parse(text, &state, &ppid) < 0)
		return true;
	return state == 'Z' || state == 'X';
}

/* The pid of s and, for a service the agent recorded, its start time (else 0). */
static int lookup_pid(const char *rsc, const struct hub_service *s, pid_t *ret_pid, unsigned long long *ret_start,
		      char *why, size_t why_len)
{
	char text[256], name[256];
	unsigned long long start = 0;
	int pid, r, dirfd;

	if (s->pidfile) {
		r = hubha_read_file_at(AT_FDCWD, s->pidfile, text, sizeof(text));
		if (r == -ENOENT || r == -ENOTDIR)
			return 0;
		if (r < 0) {
			snprintf(why, why_len, "cannot read %s: %s", s->pidfile, strerror(-r));
			return r;
		}
		/* Half written, or emptied: no process can be found through it. */
		if (hub_pidfile_parse(text, &pid) < 0)
			return 0;
	} else {
		dirfd = run_dir_open(false);
		if (dirfd == -ENOENT)
			return 0;
		if (dirfd < 0) {
			snprintf(why, why_len, "cannot open %s: %s", HUB_RUN_DIR, strerror(-dirfd));
			return dirfd;
		}
		record_name(rsc, s->name, name, sizeof(name));
		r = hubha_read_file_at(dirfd, name, text, sizeof(text));
		close(dirfd);
		if (r == -ENOENT)
			return 0;
		if (r < 0) {
			snprintf(why, why_len, "cannot read %s/%s: %s", HUB_RUN_DIR, name, strerror(-r));
			return r;
		}
		if (hub_record_parse(text, &pid, &start) < 0)
			return 0;
	}
	*ret_pid = pid;
	*ret_start = start;
	return 1;
}

int hub_proc_find(const char *rsc, const struct hub_service *s, struct hub_proc *ret, char *why, size_t why_len)
{
	struct hub_proc p = { .procfd = -1 };
	unsigned long long want = 0, start;
	char path[64];
	int r;

	why[0] = '\0';
	r = lookup_pid(rsc, s, &p.pid, &want, why, why_len);
	if (r <= 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%d", (int)p.pid);
	p.procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p.procfd < 0) {
		r = -errno;
		if (r == -ENOENT || (kill(p.pid, 0) < 0 && errno == ESRCH))
			return 0;
		snprintf(why, why_len, "pid %d runs, but %s cannot be read: %s", (int)p.pid, path, strerror(-r));
		return r;
	}
	if (hub_proc_gone(&p))
		goto not_it;
	if (want) {
		if (proc_starttime(p.procfd, &start) < 0)
			goto not_it;
		if (start != want) {
			snprintf(why, why_len, "pid %d started at %llu, not %llu: the pid was reused", (int)p.pid, start,
				 want);
			goto not_it;
		}
	}
	if (!exe_matches(p.procfd, s->exe, why, why_len))
		goto not_it;
	*ret = p;
	return 1;
not_it:
	close(p.procfd);
	return 0;
}

void hub_proc_close(struct hub_proc *p)
{
	if (p->procfd >= 0)
		close(p->procfd);
	p->procfd = -1;
}

int hub_proc_signal(const struct hub_proc *p, int sig)
{
	int r;

	/* Through the /proc directory the signal reaches the process checked, even if its pid was reused since. */
#ifdef SYS_pidfd_send_signal
	r = (int)syscall(SYS_pidfd_send_signal, p->procfd, sig, NULL, 0);
#else
	r = -1;
	errno = ENOSYS;
#endif
	if (r < 0 && errno == ENOSYS)
		r = kill(p->pid, sig);
	return r < 0 && errno != ESRCH ? -errno : 0;
}

void hub_proc_forget(const char *rsc, const struct hub_service *s)
{
	char name[256];
	int dirfd;

	if (s->pidfile)
		return;
	dirfd = run_dir_open(false);
	if (dirfd < 0)
		return;
	record_name(rsc, s->name, name, sizeof(name));
	unlinkat(dirfd, name, 0);
	close(dirfd);
}

static void close_from(int lowest)
{
	DIR *d;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowest, ~0U, 0) == 0)
		return;
#endif
	d = opendir("/proc/self/fd");
	if (!d)
		_exit(126);
	for (struct dirent *de; (de = readdir(d));) {
		int fd = atoi(de->d_name);

		if (fd >= lowest && fd != dirfd(d))
			close(fd);
	}
	closedir(d);
}

/*
 * The service outlives the agent: its own session, nothing of the agent's
 * open but fd 3, which tells the agent why exec failed (and closes on exec),
 * default signals, and an environment of its own.
 */
static void child_exec(const struct hub_service *s, int errfd)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	char *envp[] = { (char *)"PATH=" DEFAULT_PATH, (char *)"HOME=/", NULL };
	int null = open("/dev/null", O_RDWR), e;
	sigset_t none;

	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 || dup2(errfd, 3) < 0 ||
	    fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
		_exit(126);
	close_from(4);
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	umask(022);
	if (chdir("/") < 0)
		_exit(126);
	execve(s->argv[0], s->argv, envp);
	e = errno;
	if (write(3, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

static int record(const char *rsc, const struct hub_service *s, pid_t pid)
{
	char name[256], text[64], path[64];
	unsigned long long start;
	int dirfd, procfd, r;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	r = proc_starttime(procfd, &start);
	close(procfd);
	if (r < 0)
		return r;
	dirfd = run_dir_open(true);
	if (dirfd < 0)
		return dirfd;
	record_name(rsc, s->name, name, sizeof(name));
	snprintf(text, sizeof(text), "%d %llu\n", (int)pid, start);
	r = write_at(dirfd, name, text);
	close(dirfd);
	return r;
}

static void status_text(int status, char *buf, size_t len)
{
	pgsql_status_text(status, buf, len);
}

/* Wait until d for s to run (and answer its probe); child is the process started, 0 once reaped. */
static int wait_running(const char *rsc, const struct hub_service *s, pid_t child, struct hubha_deadline d,
			unsigned probe_ms, char *err, size_t err_len)
{
	char why[PATH_MAX + 128] = "", perr[256] = "";
	bool ran = false;
	int status, r;

	for (;;) {
		struct hub_proc p;

		if (child > 0 && waitpid(child, &status, WNOHANG) == child) {
			child = 0;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !s->pidfile) {
				status_text(status, why, sizeof(why));
				snprintf(err, err_len, "%s: %s ended: %s", s->name, s->argv[0], why);
				return -ECHILD;
			}
		}
		r = hub_proc_find(rsc, s, &p, why, sizeof(why));
		if (r < 0) {
			snprintf(err, err_len, "%s: %s", s->name, why);
			return r;
		}
		if (r == 1) {
			ran = true;
			hub_proc_close(&p);
			if (s->probe.kind == HUB_PROBE_NONE)
				return 0;
			{
				unsigned left = hubha_deadline_left_ms(d);

				if (hub_probe_run(&s->probe, left < probe_ms ? left : probe_ms, perr, sizeof(perr)) == 0)
					return 0;
			}
		}
		if (hubha_deadline_passed(d))
			break;
		usleep(POLL_MS * 1000);
	}
	if (ran)
		snprintf(err, err_len, "%s runs but its probe does not answer: %s", s->name, perr);
	else if (s->pidfile)
		snprintf(err, err_len, "%s: %s does not name a running %s in time%s%s", s->name, s->pidfile, s->exe,
			 why[0] ? ": " : "", why);
	else
		snprintf(err, err_len, "%s: %s is not running%s%s", s->name, s->exe, why[0] ? ": " : "", why);
	return -ETIMEDOUT;
}

int hub_proc_start(const char *rsc, const struct hub_service *s, struct hubha_deadline d, unsigned probe_ms, char *err,
		   size_t err_len)
{
	int pipefd[2], e = 0, r;
	pid_t pid;
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		r = -errno;
		snprintf(err, err_len, "%s: pipe: %s", s->name, strerror(-r));
		return r;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		snprintf(err, err_len, "%s: fork: %s", s->name, strerror(-r));
		return r;
	}
	if (pid == 0)
		child_exec(s, pipefd[1]);
	close(pipefd[1]);
	/* Recorded before exec can even fail: a stop that comes next must find it. */
	r = s->pidfile ? 0 : record(rsc, s, pid);
	do
		n = read(pipefd[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == (ssize_t)sizeof(e) || r < 0) {
		if (r < 0) {
			kill(pid, SIGKILL);
			snprintf(err, err_len, "%s: cannot record its pid in %s: %s", s->name, HUB_RUN_DIR, strerror(-r));
		} else {
			r = -e;
			snprintf(err, err_len, "%s: cannot run %s: %s", s->name, s->argv[0], strerror(e));
		}
		waitpid(pid, NULL, 0);
		hub_proc_forget(rsc, s);
		return r;
	}
	return wait_running(rsc, s, pid, d, probe_ms, err, err_len);
}

static int connect_to(const struct hub_probe *p, struct hubha_deadline d, char *err, size_t err_len)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t slen;
	int fd, r, soerr = 0;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, p->host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)p->port);
		slen = sizeof(*in4);
	} else if (inet_pton(AF_INET6, p->host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p->port);
		slen = sizeof(*in6);
	} else {
		snprintf(err, err_len, "%s is not an address", p->host);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, slen) < 0 && errno != EINPROGRESS) {
		r = -errno;
		goto fail;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		unsigned left = hubha_deadline_left_ms(d);

		if (left == 0) {
			r = -ETIMEDOUT;
			goto fail;
		}
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0)
			break;
		r = r < 0 ? -errno : -ETIMEDOUT;
		goto fail;
	}
	slen = sizeof(soerr);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) < 0 || soerr) {
		r = soerr ? -soerr : -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	snprintf(err, err_len, "connect to %s port %u: %s", p->host, p->port, strerror(-r));
	return r;
}

/* Send all of buf, or read one line, before d. */
static int io_wait(int fd, short events, struct hubha_deadline d)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		unsigned left = hubha_deadline_left_ms(d);
		int r;

		if (left == 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static int http_get(int fd, const struct hub_probe *p, struct hubha_deadline d, char *err, size_t err_len)
{
	char req[512], line[256];
	size_t len, off = 0, got = 0;
	int r, code;

	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s%s%s:%u\r\nConnection: close\r\n\r\n", p->path,
		 strchr(p->host, ':') ? "[" : "", p->host, strchr(p->host, ':') ? "]" : "", p->port);
	len = strlen(req);
	while (off < len) {
		ssize_t n;

		r = io_wait(fd, POLLOUT, d);
		if (r < 0)
			goto fail;
		n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno != EINTR && errno != EAGAIN) {
			r = -errno;
			goto fail;
		}
		if (n > 0)
			off += (size_t)n;
	}
	while (got < sizeof(line) - 1 && !memchr(line, '\n', got)) {
		ssize_t n;

		r = io_wait(fd, POLLIN, d);
		if (r < 0)
			goto fail;
		n = recv(fd, line + got, sizeof(line) - 1 - got, 0);
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR && errno != EAGAIN) {
			r = -errno;
			goto fail;
		}
		if (n > 0)
			got += (size_t)n;
	}
	line[got] = '\0';
	code = hub_http_status(line);
	if (code < 0) {
		snprintf(err, err_len, "http://%s:%u%s did not answer HTTP", p->host, p->port, p->path);
		return -EPROTO;
	}
	if (code >= 400) {
		snprintf(err, err_len, "http://%s:%u%s answered %d", p->host, p->port, p->path, code);
		return -EREMOTEIO;
	}
	return 0;
fail:
	snprintf(err, err_len, "http://%s:%u%s: %s", p->host, p->port, p->path, strerror(-r));
	return r;
}

int hub_probe_run(const struct hub_probe *p, unsigned timeout_ms, char *err, size_t err_len)
{
	struct hubha_deadline d = hubha_deadline_in(timeout_ms);
	int fd, r = 0;

	if (p->kind == HUB_PROBE_NONE)
		return 0;
	fd = connect_to(p, d, err, err_len);
	if (fd < 0)
		return fd;
	if (p->kind == HUB_PROBE_HTTP)
		r = http_get(fd, p, d, err, err_len);
	close(fd);
	return r;
}

int hub_marker_set(const char *rsc, bool on)
{
	char name[256];
	int dirfd = run_dir_open(on), r = 0;

	if (dirfd == -ENOENT && !on)
		return 0;
	if (dirfd < 0)
		return dirfd;
	record_name(rsc, NULL, name, sizeof(name));
	if (on)
		r = write_at(dirfd, name, "started\n");
	else if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		r = -errno;
	close(dirfd);
	return r;
}

bool hub_marker_get(const char *rsc)
{
	char name[256];
	int dirfd = run_dir_open(false);
	bool on;

	if (dirfd < 0)
		return false;
	record_name(rsc, NULL, name, sizeof(name));
	on = faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	close(dirfd);
	return on;
}

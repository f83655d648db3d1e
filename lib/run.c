/*
 * Running Pacemaker's command-line tools from an agent: bounded in time,
 * with a clean set of descriptors, signals and environment, their output
 * captured and their failure explained on one line.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hubha/deadline.h>
#include <hubha/run.h>

extern char **environ;

/*
 * What the tools get of our environment: Pacemaker's own settings and the
 * resource's identity (crm_attribute finds the node to write for in
 * OCF_RESKEY_CRM_meta_*), and the project's HUBHA_*.  Not the rest of
 * OCF_RESKEY_*, where the agent's parameters, passwords among them, live.
 */
static bool env_kept(const char *var)
{
	static const char *const prefixes[] = { "HA_", "PCMK_", "CIB_", "OCF_RESKEY_CRM_meta_",
						"OCF_RESOURCE_INSTANCE=", "OCF_ROOT=", "HUBHA_" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(var, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* PATH, LC_ALL=C (we parse their output) and what env_kept keeps; the strings stay environ's. */
static char **child_env(void)
{
	size_t n = 0, k = 0;
	const char *path = NULL;
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(environ[i], "PATH=", 5) == 0)
			path = environ[i];
		else if (env_kept(environ[i]))
			env[k++] = environ[i];
	}
	env[k++] = (char *)(path ? path : "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	env[k++] = (char *)"LC_ALL=C";
	env[k] = NULL;
	return env;
}

/*
 * stdin from /dev/null, stdout and stderr to our pipes, nothing else open,
 * default signal handling and nothing blocked, whatever the agent inherited.
 * The child stays in our process group, so that execd's kill of a timed-out
 * agent reaches it too.
 */
static int spawn(pid_t *pid, char *const argv[], int out_fd, int err_fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	char **env;
	int r;

	env = child_env();
	if (!env)
		return -ENOMEM;
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
	/* Descriptors a library opened without O_CLOEXEC must not leak either. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	r = posix_spawnp(pid, argv[0], &fa, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	return -r;
}

struct sink {
	int fd;
	char *buf;
	size_t len, got;
};

/* Read what is there; false at end of file. */
static bool drain(struct sink *s)
{
	for (;;) {
		char chunk[512];
		ssize_t n = read(s->fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0)
			return false;
		if (s->got + 1 < s->len) {
			size_t take = (size_t)n < s->len - 1 - s->got ? (size_t)n : s->len - 1 - s->got;

			memcpy(s->buf + s->got, chunk, take);
			s->got += take;
		}
		s->buf[s->got] = '\0';
	}
}

/* Collect stdout and stderr until both close or the deadline passes; false on the deadline. */
static bool collect(struct sink *out, struct sink *err, struct hubha_deadline d)
{
	struct pollfd p[2] = { { .fd = out->fd, .events = POLLIN }, { .fd = err->fd, .events = POLLIN } };

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		int n = poll(p, 2, (int)hubha_deadline_left_ms(d));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		if (p[0].revents && !drain(out))
			p[0].fd = -1;
		if (p[1].revents && !drain(err))
			p[1].fd = -1;
	}
	return true;
}

/* Reap pid by the deadline; after it, kill and reap.  -ETIMEDOUT then. */
static int reap(pid_t pid, int *status, struct hubha_deadline d, bool in_time)
{
	while (in_time) {
		pid_t w = waitpid(pid, status, WNOHANG);

		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (hubha_deadline_passed(d))
			break;
		/* Its pipes closed, so it is exiting: a short nap, not a busy wait. */
		poll(NULL, 0, 5);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return -ETIMEDOUT;
}

/* The tool's stderr on one line, after what happened to it. */
static void explain(char *err, size_t err_len, const char *tool, const char *what, const char *stderr_text)
{
	size_t o;

	if (!err || !err_len)
		return;
	o = (size_t)snprintf(err, err_len, "%s %s", tool, what);
	if (stderr_text[0] && o < err_len)
		snprintf(err + o, err_len - o, ": %s", stderr_text);
	for (char *p = err; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	for (o = strlen(err); o > 0 && err[o - 1] == ' '; o--)
		err[o - 1] = '\0';
}

/* What ended the tool, as 0 or a negative errno, with err saying why. */
static int verdict(int status, const char *tool, const char *stderr_text, char *err, size_t err_len)
{
	char what[96];

	if (WIFSIGNALED(status)) {
		snprintf(what, sizeof(what), "was killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
		explain(err, err_len, tool, what, stderr_text);
		return -ECANCELED;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 0)
		return 0;
	snprintf(what, sizeof(what), "exited with status %d", WEXITSTATUS(status));
	explain(err, err_len, tool, what, stderr_text);
	/* crm_attribute exits 105 (CRM_EX_NOSUCH) for a missing attribute. */
	return WEXITSTATUS(status) == 105 ? -ENOENT : -EIO;
}

int hubha_run_tool(char *const argv[], unsigned timeout_ms, char *out, size_t out_len, char *err, size_t err_len)
{
	char errtext[512] = "", what[64];
	char discard[1];
	struct sink o = { -1, out ? out : discard, out ? out_len : sizeof(discard), 0 };
	struct sink e = { -1, errtext, sizeof(errtext), 0 };
	struct hubha_deadline d = hubha_deadline_in(timeout_ms);
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, status = 0, r;
	bool in_time;
	pid_t pid;

	o.buf[0] = '\0';
	if (err && err_len)
		err[0] = '\0';
	/* Only our ends are non-blocking: the tool's writes must wait for us, not fail. */
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 || fcntl(po[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(pe[0], F_SETFL, O_NONBLOCK) < 0) {
		r = -errno;
		goto out;
	}
	r = spawn(&pid, argv, po[1], pe[1]);
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (r < 0)
		goto out;
	o.fd = po[0];
	e.fd = pe[0];
	in_time = collect(&o, &e, d);
	r = reap(pid, &status, d, in_time);
	if (r == -ETIMEDOUT) {
		snprintf(what, sizeof(what), "did not finish within %u ms and was killed",
			 timeout_ms);
		explain(err, err_len, argv[0], what, errtext);
	} else if (r == 0) {
		r = verdict(status, argv[0], errtext, err, err_len);
	}
out:
	if (r < 0 && err && err_len && !err[0])
		snprintf(err, err_len, "Cannot run %s: %s", argv[0], strerror(-r));
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	return r;
}

/*
 * crm_attribute --type crm_config --name stonith-enabled --query --quiet,
 * at most every HUBHAD_FENCING_EVERY_MS, killed after HUBHAD_FENCING_TIMEOUT_MS.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hubha/deadline.h>
#include <qb/qblog.h>

#include "hubhad_fencing.h"
#include "hubhad_report.h"

extern char **environ;

struct hubhad_fencing {
	qb_loop_t *loop;
	const char *crm_attribute;
	hubhad_fencing_fn fn;
	void *data;
	pid_t pid;		/* the child, until reaped */
	int fd;			/* its stdout, until EOF */
	int killed;
	struct hubha_deadline kill_at;
	uint64_t last_ms;	/* monotonic start of the last read; 0: never */
	char out[64];
	size_t len;
};

static void close_pipe(struct hubhad_fencing *f)
{
	if (f->fd < 0)
		return;
	qb_loop_poll_del(f->loop, f->fd);
	close(f->fd);
	f->fd = -1;
}

static void reap(struct hubhad_fencing *f)
{
	int status;
	pid_t r;

	if (f->pid <= 0)
		return;
	if (!f->killed && hubha_deadline_passed(f->kill_at)) {
		qb_log(LOG_WARNING, "%s: no answer within %d ms, killed", f->crm_attribute, HUBHAD_FENCING_TIMEOUT_MS);
		kill(f->pid, SIGKILL);
		f->killed = 1;
	}
	if (f->fd >= 0 && !f->killed)
		return;
	close_pipe(f);
	r = waitpid(f->pid, &status, WNOHANG);
	if (r == 0)
		return;
	f->pid = 0;
	if (r < 0 || f->killed) {
		f->fn(0, f->data);
		return;
	}
	f->out[f->len] = '\0';
	f->fn(hubhad_fencing_flags(status, f->out), f->data);
}

static int32_t on_output(int32_t fd, int32_t revents, void *data)
{
	struct hubhad_fencing *f = data;
	ssize_t n;

	(void)revents;
	n = read(fd, f->out + f->len, sizeof(f->out) - 1 - f->len);
	if (n > 0) {
		f->len += (size_t)n;
		if (f->len < sizeof(f->out) - 1)
			return 0;
		/* Longer than any value of the property: not an answer to rely on. */
		f->len = 0;
		f->killed = 1;
		kill(f->pid, SIGKILL);
	} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return 0;
	}
	close_pipe(f);
	reap(f);
	return 0;
}

static int start(struct hubhad_fencing *f)
{
	char *const argv[] = { (char *)f->crm_attribute, "--type", "crm_config", "--name", "stonith-enabled",
			       "--query", "--quiet", NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int p[2], r;

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	r = posix_spawn(&f->pid, f->crm_attribute, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(p[1]);
	if (r != 0) {
		close(p[0]);
		f->pid = 0;
		return -r;
	}
	f->fd = p[0];
	f->len = 0;
	f->killed = 0;
	f->kill_at = hubha_deadline_in(HUBHAD_FENCING_TIMEOUT_MS);
	if (qb_loop_poll_add(f->loop, QB_LOOP_LOW, f->fd, POLLIN, f, on_output) != 0) {
		close(f->fd);
		f->fd = -1;
		kill(f->pid, SIGKILL);
		f->killed = 1;
	}
	return 0;
}

void hubhad_fencing_tick(struct hubhad_fencing *f)
{
	uint64_t now = hubha_now_ms();
	int r;

	if (f->pid > 0) {
		reap(f);
		return;
	}
	if (f->last_ms && now - f->last_ms < HUBHAD_FENCING_EVERY_MS)
		return;
	f->last_ms = now;
	r = start(f);
	if (r < 0) {
		qb_log(LOG_WARNING, "%s: cannot run: %s", f->crm_attribute, strerror(-r));
		f->fn(0, f->data);
	}
}

int hubhad_fencing_new(qb_loop_t *loop, const char *crm_attribute, hubhad_fencing_fn fn, void *data,
		       struct hubhad_fencing **ret)
{
	struct hubhad_fencing *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->loop = loop;
	f->crm_attribute = crm_attribute;
	f->fn = fn;
	f->data = data;
	f->fd = -1;
	*ret = f;
	return 0;
}

void hubhad_fencing_free(struct hubhad_fencing *f)
{
	if (!f)
		return;
	close_pipe(f);
	if (f->pid > 0) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, NULL, 0);
	}
	free(f);
}

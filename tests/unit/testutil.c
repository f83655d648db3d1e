#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

const char *kv_env(const char *name, void *userdata)
{
	for (const struct kv *kv = userdata; kv && kv->name; kv++)
		if (strcmp(kv->name, name) == 0)
			return kv->value;
	return NULL;
}

void kv_setenv_only(const struct kv *vars)
{
	clearenv();
	for (const struct kv *kv = vars; kv && kv->name; kv++)
		if (kv->value)
			setenv(kv->name, kv->value, 1);
}

static char *read_fd(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	if (!buf || lseek(fd, 0, SEEK_SET) < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (cap - len < 1024) {
			char *nbuf = realloc(buf, cap * 2);

			if (!nbuf) {
				free(buf);
				return NULL;
			}
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *s;

	if (fd < 0)
		return NULL;
	s = read_fd(fd);
	close(fd);
	return s;
}

static int tmpfile_fd(void)
{
	char path[] = "/tmp/hubha-unit-XXXXXX";
	int fd = mkstemp(path);

	if (fd >= 0)
		unlink(path);
	return fd;
}

const struct child_result *run_child(child_fn fn, void *arg)
{
	static struct child_result last;
	struct child_result *res = &last;
	int out = tmpfile_fd(), err = tmpfile_fd();
	int status;
	pid_t pid;

	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
	res->status = -1;
	if (out < 0 || err < 0)
		goto done;
	/* Unflushed parent output would otherwise be written twice. */
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		goto done;
	if (pid == 0) {
		if (dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
			_exit(125);
		/* exit(), not _exit(): flush stdio, and let LeakSanitizer check the child. */
		exit(fn(arg) & 0xff);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			goto done;
	if (WIFEXITED(status))
		res->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		res->status = 128 + WTERMSIG(status);
	res->out = read_fd(out);
	res->err = read_fd(err);
done:
	if (!res->out)
		res->out = strdup("");
	if (!res->err)
		res->err = strdup("");
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	return res;
}

size_t count_lines_with(const char *text, const char *needle)
{
	size_t n = 0;

	while (text && *text) {
		const char *eol = strchr(text, '\n');
		size_t len = eol ? (size_t)(eol - text) : strlen(text);
		const char *hit = strstr(text, needle);

		if (hit && hit + strlen(needle) <= text + len)
			n++;
		text += len + (eol ? 1 : 0);
	}
	return n;
}

char *make_tmpdir(void)
{
	char tmpl[] = "/tmp/hubha-unit-XXXXXX";
	char *dir = mkdtemp(tmpl);

	return dir ? strdup(dir) : NULL;
}

void rm_tmpdir(char *dir)
{
	DIR *d;
	struct dirent *e;
	char path[4096];

	if (!dir)
		return;
	d = opendir(dir);
	if (d) {
		while ((e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}

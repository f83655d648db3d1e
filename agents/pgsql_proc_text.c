/*
 * ocf:hubha:pgsql — parsing what the process code reads, kept free of I/O
 * so that the unit tests can feed it every odd case.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "pgsql_proc_text.h"

#define DELETED " (deleted)"

int pgsql_pidfile_parse(const char *text, pid_t *ret_pid, char *dir, size_t dir_len)
{
	const char *nl = strchr(text, '\n'), *d;
	size_t n;
	char *end;
	long pid;

	if (!nl || !(text[0] >= '0' && text[0] <= '9'))
		return -EPROTO;
	errno = 0;
	pid = strtol(text, &end, 10);
	if (errno || end != nl || pid <= 0 || pid > INT_MAX)
		return -EPROTO;
	d = nl + 1;
	n = strcspn(d, "\n");
	if (n == 0 || d[n] != '\n' || n >= dir_len)
		return -EPROTO;
	memcpy(dir, d, n);
	dir[n] = '\0';
	*ret_pid = (pid_t)pid;
	return 0;
}

int pgsql_proc_stat_parse(const char *text, char *ret_state, pid_t *ret_ppid)
{
	/* comm is any 15 bytes, ")" and spaces included: the fields start after the last ")". */
	const char *p = strrchr(text, ')');
	char state;
	long ppid;

	if (!p || sscanf(p + 1, " %c %ld", &state, &ppid) != 2 || ppid < 0 || ppid > INT_MAX)
		return -EPROTO;
	*ret_state = state;
	*ret_ppid = (pid_t)ppid;
	return 0;
}

int pgsql_proc_status_euid(const char *text, uid_t *ret_uid)
{
	const char *p = strstr(text, "\nUid:");
	unsigned long real, eff;

	if (strncmp(text, "Uid:", 4) == 0)
		p = text;
	else if (p)
		p++;
	if (!p || sscanf(p + 4, "%lu %lu", &real, &eff) != 2 || eff > UINT_MAX)
		return -EPROTO;
	*ret_uid = (uid_t)eff;
	return 0;
}

bool pgsql_exe_is(const char *link, const char *path)
{
	size_t n = strlen(path);

	/* A package upgrade replaces the file under a running server; the kernel then adds " (deleted)". */
	return strncmp(link, path, n) == 0 && (link[n] == '\0' || strcmp(link + n, DELETED) == 0);
}

bool pgsql_exe_named_postgres(const char *link)
{
	const char *base = strrchr(link, '/');
	size_t n;

	base = base ? base + 1 : link;
	n = strlen(base);
	if (n >= strlen(DELETED) && strcmp(base + n - strlen(DELETED), DELETED) == 0)
		n -= strlen(DELETED);
	return (n == 8 && strncmp(base, "postgres", 8) == 0) || (n == 10 && strncmp(base, "postmaster", 10) == 0);
}

void pgsql_status_text(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "wait status %#x", (unsigned)status);
}

/* pg_ctl's progress and advice, and postgres's pointer to --help: they say nothing about the cause. */
static bool filler(const char *line, size_t n)
{
	static const char *const fillers[] = {
		"waiting for server to", "Examine the log output", "Try \"", "HINT:", "server stopped",
		"server started", "done", NULL,
	};

	if (strspn(line, " \t.\r") >= n)
		return true;
	for (int i = 0; fillers[i]; i++)
		if (strncmp(line, fillers[i], strlen(fillers[i])) == 0)
			return true;
	return false;
}

static const char *severity(const char *line, size_t n)
{
	static const char *const fatal[] = { "FATAL:", "PANIC:", NULL };

	for (int i = 0; fatal[i]; i++) {
		const char *p = strstr(line, fatal[i]);

		if (p && p < line + n)
			return p;
	}
	return NULL;
}

bool pgsql_last_message(const char *text, bool fatal_only, char *buf, size_t len)
{
	const char *best = NULL;
	size_t best_n = 0;

	if (len == 0)
		return false;
	for (const char *line = text; *line;) {
		size_t n = strcspn(line, "\n");
		const char *sev = severity(line, n);

		if (sev) {
			best = sev;
			best_n = n - (size_t)(sev - line);
		} else if (!fatal_only && !filler(line, n) && !(best && severity(best, best_n))) {
			best = line;
			best_n = n;
		}
		line += n;
		if (*line)
			line++;
	}
	if (!best)
		return false;
	while (best_n && (best[best_n - 1] == '\r' || best[best_n - 1] == ' '))
		best_n--;
	if (best_n >= len)
		best_n = len - 1;
	memcpy(buf, best, best_n);
	buf[best_n] = '\0';
	return true;
}

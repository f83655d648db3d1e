/*
 * ocf:hubha:hub — parsing the services parameter, the texts the process
 * checks read, and the health verdict, kept free of I/O so that the unit
 * tests can feed them every odd case.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "hub_spec.h"

/*
 * CFEngine's daemons, found where the packages put them: cfengine.com's
 * packages under /var/cfengine (which is also their pid directory), Debian's
 * in /usr/bin with the pid directory /var/run/cfengine3.
 */
static const char *const presets[] = { "cf-hub", "cf-serverd", "cf-execd", "cf-monitord", "cf-reactor", NULL };

static const struct {
	const char *bindir, *piddir;
} preset_places[] = {
	{ "/var/cfengine/bin", "/var/cfengine" },
	{ "/usr/bin", "/var/run/cfengine3" },
};

#define WS " \t\r"

static bool is_preset(const char *name)
{
	for (int i = 0; presets[i]; i++)
		if (strcmp(presets[i], name) == 0)
			return true;
	return false;
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= HUB_NAME_MAX || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
						 "0123456789_.-") != n)
		return false;
	return name[0] != '.' && name[0] != '-';
}

static int parse_port(const char *s, unsigned *ret)
{
	char *end;
	long p;

	if (!(*s >= '0' && *s <= '9'))
		return -EINVAL;
	errno = 0;
	p = strtol(s, &end, 10);
	if (errno || *end || p < 1 || p > 65535)
		return -EINVAL;
	*ret = (unsigned)p;
	return 0;
}

static bool numeric_host(const char *host)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* HOST:PORT with HOST an address, IPv6 in brackets; path gets what follows PORT. */
static int parse_hostport(const char *s, bool need_port, unsigned dflt, struct hub_probe *p, const char **rest)
{
	const char *host = s, *colon, *end;
	char port[8];
	size_t hn;

	if (*s == '[') {
		end = strchr(s, ']');
		if (!end)
			return -EINVAL;
		host = s + 1;
		hn = (size_t)(end - host);
		colon = end[1] == ':' ? end + 1 : NULL;
		end = colon ? colon : end + 1;
	} else {
		colon = strchr(s, ':');
		end = colon ? colon : s + strcspn(s, "/");
		hn = (size_t)(end - host);
	}
	if (hn == 0 || hn >= sizeof(p->host))
		return -EINVAL;
	memcpy(p->host, host, hn);
	p->host[hn] = '\0';
	if (!numeric_host(p->host))
		return -EINVAL;
	if (colon) {
		size_t pn = strcspn(colon + 1, "/");

		if (pn == 0 || pn >= sizeof(port))
			return -EINVAL;
		memcpy(port, colon + 1, pn);
		port[pn] = '\0';
		if (parse_port(port, &p->port) < 0)
			return -EINVAL;
		end = colon + 1 + pn;
	} else if (need_port) {
		return -EINVAL;
	} else {
		p->port = dflt;
	}
	*rest = end;
	return 0;
}

int hub_probe_parse(const char *text, struct hub_probe *ret)
{
	struct hub_probe p;
	const char *rest;

	memset(&p, 0, sizeof(p));
	if (strncmp(text, "tcp:", 4) == 0) {
		p.kind = HUB_PROBE_TCP;
		if (parse_hostport(text + 4, true, 0, &p, &rest) < 0 || *rest)
			return -EINVAL;
	} else if (strncmp(text, "http://", 7) == 0) {
		p.kind = HUB_PROBE_HTTP;
		if (parse_hostport(text + 7, false, 80, &p, &rest) < 0)
			return -EINVAL;
		if (*rest && *rest != '/')
			return -EINVAL;
		/* Sent on the request line: no space or control character may end up in it. */
		for (const char *c = rest; *c; c++)
			if ((unsigned char)*c <= ' ' || *c == 0x7f)
				return -EINVAL;
		if (strlen(rest) >= sizeof(p.path))
			return -EINVAL;
		snprintf(p.path, sizeof(p.path), "%s", *rest ? rest : "/");
	} else {
		return -EINVAL;
	}
	*ret = p;
	return 0;
}

int hub_http_status(const char *line)
{
	int code = 0;

	if (strncmp(line, "HTTP/1.", 7) != 0 || !(line[7] == '0' || line[7] == '1') || line[8] != ' ')
		return -EPROTO;
	for (int i = 9; i < 12; i++) {
		if (!(line[i] >= '0' && line[i] <= '9'))
			return -EPROTO;
		code = code * 10 + (line[i] - '0');
	}
	if (code < 100 || !(line[12] == ' ' || line[12] == '\r' || line[12] == '\n' || line[12] == '\0'))
		return -EPROTO;
	return code;
}

int hub_stat_starttime(const char *text, unsigned long long *ret)
{
	/* comm may hold spaces and ")": the fields start after the last ")". */
	const char *p = strrchr(text, ')');
	unsigned long long v;
	char *end;

	if (!p)
		return -EPROTO;
	p++;
	/* state is field 3; starttime is field 22: skip 19 fields after the state. */
	for (int field = 3; field < 22; field++) {
		p += strspn(p, " ");
		if (!*p)
			return -EPROTO;
		p += strcspn(p, " ");
	}
	p += strspn(p, " ");
	if (!(*p >= '0' && *p <= '9'))
		return -EPROTO;
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno || !(*end == ' ' || *end == '\n' || *end == '\0'))
		return -EPROTO;
	*ret = v;
	return 0;
}

static int parse_pid(const char *s, char **end)
{
	long pid;

	if (!(*s >= '0' && *s <= '9'))
		return -EPROTO;
	errno = 0;
	pid = strtol(s, end, 10);
	if (errno || pid <= 1 || pid > INT_MAX)
		return -EPROTO;
	return (int)pid;
}

int hub_record_parse(const char *text, int *ret_pid, unsigned long long *ret_start)
{
	unsigned long long start;
	char *end;
	int pid = parse_pid(text, &end);

	if (pid < 0 || *end != ' ' || !(end[1] >= '0' && end[1] <= '9'))
		return -EPROTO;
	errno = 0;
	start = strtoull(end + 1, &end, 10);
	if (errno || strcmp(end, "\n") != 0)
		return -EPROTO;
	*ret_pid = pid;
	*ret_start = start;
	return 0;
}

int hub_pidfile_parse(const char *text, int *ret_pid)
{
	char *end;
	int pid;

	text += strspn(text, " \t");
	pid = parse_pid(text, &end);
	if (pid < 0)
		return -EPROTO;
	end += strspn(end, " \t\r");
	if (*end && *end != '\n')
		return -EPROTO;
	*ret_pid = pid;
	return 0;
}

static void preset_resolve(struct hub_service *s, char *buf, size_t len, hub_exists_fn exists, void *ud)
{
	size_t n = sizeof(preset_places) / sizeof(preset_places[0]), pick = 0;
	char prog[256];

	for (size_t i = 0; i < n; i++) {
		snprintf(prog, sizeof(prog), "%s/%s", preset_places[i].bindir, s->name);
		if (exists(prog, ud)) {
			pick = i;
			break;
		}
	}
	/* buf holds "PROGRAM\0PIDFILE\0" for the service to point into. */
	snprintf(buf, len, "%s/%s", preset_places[pick].bindir, s->name);
	s->argv[0] = buf;
	s->argv[1] = NULL;
	if (!s->pidfile) {
		size_t used = strlen(buf) + 1;

		snprintf(buf + used, len - used, "%s/%s.pid", preset_places[pick].piddir, s->name);
		s->pidfile = buf + used;
	}
}

/* Split "start=" into argv in place: the rest of the service, at blanks, no quoting. */
static int split_command(char *cmd, struct hub_service *s)
{
	int n = 0;

	char *save = NULL;

	for (char *tok = strtok_r(cmd, WS, &save); tok; tok = strtok_r(NULL, WS, &save)) {
		if (n == HUB_MAX_ARGS)
			return -E2BIG;
		s->argv[n++] = tok;
	}
	s->argv[n] = NULL;
	return n ? 0 : -EINVAL;
}

#define FAIL(...)                                           \
	do {                                                \
		snprintf(reason, reason_len, __VA_ARGS__); \
		return -EINVAL;                             \
	} while (0)

/* One service: "NAME word... [start=COMMAND...]", cut from the text in place. */
static int parse_service(char *item, struct hub_service *s, char *preset_buf, size_t preset_len,
			 hub_exists_fn exists, void *ud, char *reason, size_t reason_len)
{
	char *start = NULL, *name, *save = NULL, *cmd;

	memset(s, 0, sizeof(*s));
	/* start= takes the rest of the service, so it is cut off before the words are split. */
	cmd = strstr(item, "start=");
	while (cmd && cmd != item && !strchr(WS, cmd[-1]))
		cmd = strstr(cmd + 1, "start=");
	if (cmd) {
		*cmd = '\0';
		start = cmd + 6;
	}
	name = strtok_r(item, WS, &save);
	if (!name)
		FAIL("a service without a name");
	if (!name_ok(name))
		FAIL("\"%.40s\" is not a service name (letters, digits, \"_.-\", at most %d)", name,
		     HUB_NAME_MAX - 1);
	snprintf(s->name, sizeof(s->name), "%s", name);
	for (char *w = strtok_r(NULL, WS, &save); w; w = strtok_r(NULL, WS, &save)) {
		if (strcmp(w, "optional") == 0) {
			s->optional = true;
		} else if (strcmp(w, "if-installed") == 0) {
			s->if_installed = true;
		} else if (strncmp(w, "pidfile=", 8) == 0) {
			if (w[8] != '/')
				FAIL("%s: pidfile=%.200s is not an absolute path", s->name, w + 8);
			s->pidfile = w + 8;
		} else if (strncmp(w, "exe=", 4) == 0) {
			if (w[4] != '/')
				FAIL("%s: exe=%.200s is not an absolute path", s->name, w + 4);
			s->exe = w + 4;
		} else if (strncmp(w, "probe=", 6) == 0) {
			if (hub_probe_parse(w + 6, &s->probe) < 0)
				FAIL("%s: probe=%.200s is neither tcp:ADDRESS:PORT nor http://ADDRESS[:PORT]/PATH",
				     s->name, w + 6);
		} else {
			FAIL("%s: unknown option \"%.60s\" (optional, if-installed, pidfile=, exe=, probe=, "
			     "start=)", s->name, w);
		}
	}
	if (start) {
		int r = split_command(start, s);

		if (r == -E2BIG)
			FAIL("%s: start= has more than %d words", s->name, HUB_MAX_ARGS);
		if (r < 0)
			FAIL("%s: start= is empty", s->name);
		if (s->argv[0][0] != '/')
			FAIL("%s: start=%.200s: the program must be an absolute path", s->name, s->argv[0]);
	} else if (is_preset(s->name)) {
		preset_resolve(s, preset_buf, preset_len, exists, ud);
	} else {
		FAIL("%s: no start= command (only %s, %s, %s, %s and %s have built-in ones)", s->name,
		     presets[0], presets[1], presets[2], presets[3], presets[4]);
	}
	if (!s->exe)
		s->exe = s->argv[0];
	s->installed = exists(s->argv[0], ud);
	return 0;
}

int hub_spec_parse(const char *text, hub_exists_fn exists, void *userdata, struct hub_spec *spec, char *reason,
		   size_t reason_len)
{
	size_t len = strlen(text), preset_len = 2 * 256;
	char *item, *save = NULL;

	memset(spec, 0, sizeof(*spec));
	/* The text, then room for each preset's program and pid file. */
	spec->text = malloc(len + 1 + HUB_MAX_SERVICES * preset_len);
	if (!spec->text) {
		snprintf(reason, reason_len, "out of memory");
		return -ENOMEM;
	}
	memcpy(spec->text, text, len + 1);
	for (item = strtok_r(spec->text, ";\n", &save); item; item = strtok_r(NULL, ";\n", &save)) {
		struct hub_service *s;
		int r;

		if (item[strspn(item, WS)] == '\0')
			continue;
		if (spec->n == HUB_MAX_SERVICES)
			FAIL("more than %d services", HUB_MAX_SERVICES);
		s = &spec->svc[spec->n];
		r = parse_service(item, s, spec->text + len + 1 + spec->n * preset_len, preset_len, exists, userdata,
				  reason, reason_len);
		if (r < 0)
			return r;
		for (size_t i = 0; i < spec->n; i++)
			if (strcmp(spec->svc[i].name, s->name) == 0)
				FAIL("%s is named twice", s->name);
		spec->n++;
	}
	if (spec->n == 0)
		FAIL("no service given");
	return 0;
}

void hub_spec_free(struct hub_spec *spec)
{
	free(spec->text);
	spec->text = NULL;
	spec->n = 0;
}

enum hub_health hub_health(const struct hub_spec *spec, const enum hub_state *states)
{
	bool any_running = false, required_bad = false, optional_bad = false;

	for (size_t i = 0; i < spec->n; i++) {
		if (states[i] == HUB_SVC_ABSENT)
			continue;
		if (states[i] != HUB_SVC_NOT_RUNNING)
			any_running = true;
		if (states[i] != HUB_SVC_OK) {
			if (spec->svc[i].optional)
				optional_bad = true;
			else
				required_bad = true;
		}
	}
	if (!any_running)
		return HUB_HEALTH_STOPPED;
	if (required_bad)
		return HUB_HEALTH_FAILED;
	return optional_bad ? HUB_HEALTH_DEGRADED : HUB_HEALTH_OK;
}

const char *hub_health_name(enum hub_health h)
{
	switch (h) {
	case HUB_HEALTH_OK:
		return "ok";
	case HUB_HEALTH_DEGRADED:
		return "degraded";
	case HUB_HEALTH_FAILED:
		return "failed";
	case HUB_HEALTH_STOPPED:
		return "stopped";
	}
	return "failed";
}

/*
 * fence_hubha_lab — the lab's power switch.  Lab nodes live in namespaces on
 * one machine; their "power" is controlled by the lab's power daemon on the
 * host, reached over a unix socket that every node can see.  One request per
 * connection: "<action> <node>\n"; one answer line: "on", "off", "ok",
 * a node list, or "error <why>".
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <hubha/fence.h>
#include <hubha/log.h>

#define DEFAULT_SOCKET "/var/lib/hubha-lab/lab-power/power.sock"

static const struct hubha_fence_param_def lab_params[] = {
	{ .name = "socket", .type = "string", .default_value = DEFAULT_SOCKET, .getopt = "--socket=[path]",
	  .shortdesc = "Unix socket of the lab's power daemon" },
	{ .name = "power_timeout", .type = "integer", .default_value = "20", .getopt = "--power-timeout=[seconds]",
	  .shortdesc = "Seconds to wait for the power daemon to answer" },
};

static const char *const lab_actions[] = { "on", "off", "reboot", "status", "list", "monitor", "validate-all", NULL };

static const char *param(struct hubha_fence_ctx *ctx, const char *name, const char *def)
{
	const char *v = hubha_fence_args_get(ctx->args, name);

	if (!v && strcmp(name, "power_timeout") == 0)
		v = hubha_fence_args_get(ctx->args, "power-timeout");
	return v ? v : def;
}

static int request(struct hubha_fence_ctx *ctx, const char *line, char *answer, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = param(ctx, "socket", DEFAULT_SOCKET);
	int timeout_ms = atoi(param(ctx, "power_timeout", "20")) * 1000;
	size_t got = 0;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		hubha_fence_reason(ctx, "socket path %s is too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		hubha_fence_reason(ctx, "Cannot reach the lab power daemon at %s: %s", path, strerror(-r));
		if (fd >= 0)
			close(fd);
		return r;
	}
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		int r = -errno;

		hubha_fence_reason(ctx, "Cannot send to the lab power daemon: %s", strerror(-r));
		close(fd);
		return r;
	}
	shutdown(fd, SHUT_WR);
	while (got + 1 < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, timeout_ms) <= 0) {
			hubha_fence_reason(ctx, "The lab power daemon did not answer in time");
			close(fd);
			return -ETIMEDOUT;
		}
		n = read(fd, answer + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	answer[got] = '\0';
	answer[strcspn(answer, "\n")] = '\0';
	if (strncmp(answer, "error", 5) == 0) {
		hubha_fence_reason(ctx, "Lab power daemon: %s", answer);
		return -EIO;
	}
	return 0;
}

static int power(struct hubha_fence_ctx *ctx, const char *action)
{
	char line[512], answer[1024];

	snprintf(line, sizeof(line), "%s %s\n", action, ctx->plug ? ctx->plug : "-");
	if (request(ctx, line, answer, sizeof(answer)) < 0)
		return HUBHA_FENCE_ERROR;
	if (strcmp(action, "status") == 0) {
		if (strcmp(answer, "on") == 0)
			return HUBHA_FENCE_OK;
		if (strcmp(answer, "off") == 0)
			return HUBHA_FENCE_OFF;
		hubha_fence_reason(ctx, "Unexpected status answer '%s'", answer);
		return HUBHA_FENCE_ERROR;
	}
	if (strcmp(action, "list") == 0) {
		/* FenceAgentAPI list: one "plug,alias" per line. */
		for (char *save = NULL, *t = strtok_r(answer, " ", &save); t; t = strtok_r(NULL, " ", &save))
			printf("%s,%s\n", t, t);
		return HUBHA_FENCE_OK;
	}
	if (strcmp(answer, "ok") != 0) {
		hubha_fence_reason(ctx, "Unexpected answer '%s' to %s", answer, action);
		return HUBHA_FENCE_ERROR;
	}
	hubha_log(LOG_NOTICE, "Lab node %s: %s done", ctx->plug ? ctx->plug : "-", action);
	return HUBHA_FENCE_OK;
}

static int lab_run(struct hubha_fence_ctx *ctx)
{
	int rc;

	if (strcmp(ctx->action, "reboot") == 0) {
		rc = power(ctx, "off");
		return rc == HUBHA_FENCE_OK ? power(ctx, "on") : rc;
	}
	return power(ctx, ctx->action);
}

static int lab_validate(struct hubha_fence_ctx *ctx)
{
	const char *path = param(ctx, "socket", DEFAULT_SOCKET);
	const char *t = param(ctx, "power_timeout", "20");
	char *end;
	long n = strtol(t, &end, 10);

	if (path[0] != '/' || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		hubha_fence_reason(ctx, "socket=%s must be an absolute path shorter than 108 bytes", path);
		return HUBHA_FENCE_ERROR;
	}
	if (!*t || *end || n < 1 || n > 3600) {
		hubha_fence_reason(ctx, "power_timeout=%s must be 1..3600 seconds", t);
		return HUBHA_FENCE_ERROR;
	}
	return HUBHA_FENCE_OK;
}

static const struct hubha_fence_agent lab_agent = {
	.name = "fence_hubha_lab",
	.shortdesc = "Power switch for hubha lab nodes",
	.longdesc = "Powers nodes of a hubha lab (clusters in namespaces on one machine) off and on through the "
		    "lab's power daemon, so lab clusters run with stonith-enabled=true as production clusters must.",
	.params = lab_params,
	.n_params = sizeof(lab_params) / sizeof(lab_params[0]),
	.actions = lab_actions,
	.run = lab_run,
	.validate = lab_validate,
};

int main(int argc, char **argv)
{
	return hubha_fence_main(&lab_agent, argc, argv);
}

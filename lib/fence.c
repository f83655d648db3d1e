/*
 * FenceAgentAPI runtime: bounded argument parsing and action dispatch.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hubha/fence.h>
#include <hubha/log.h>

#include "meta_load.h"

#define MAX_ARGS 128
#define MAX_LINE 4096

struct hubha_fence_args {
	size_t n;
	char *keys[MAX_ARGS];
	char *values[MAX_ARGS];
};

const char *hubha_fence_args_get(const struct hubha_fence_args *args, const char *key)
{
	/* Later arguments win: the command line overrides stdin. */
	for (size_t i = args->n; i-- > 0;)
		if (strcmp(args->keys[i], key) == 0)
			return args->values[i];
	return NULL;
}

static int args_add(struct hubha_fence_args *a, const char *key, size_t key_len, const char *value)
{
	if (a->n >= MAX_ARGS)
		return -E2BIG;
	a->keys[a->n] = strndup(key, key_len);
	a->values[a->n] = strdup(value);
	if (!a->keys[a->n] || !a->values[a->n]) {
		free(a->keys[a->n]);
		free(a->values[a->n]);
		return -ENOMEM;
	}
	a->n++;
	return 0;
}

void hubha_fence_args_free(struct hubha_fence_args *args)
{
	if (!args)
		return;
	for (size_t i = 0; i < args->n; i++) {
		free(args->keys[i]);
		free(args->values[i]);
	}
	free(args);
}

static int parse_stdin(FILE *in, size_t max_bytes, struct hubha_fence_args *a, char *reason, size_t reason_len)
{
	char *line = NULL;
	size_t cap = 0, total = 0;
	unsigned lineno = 0;
	ssize_t len;
	int r = 0;

	/* getline counts every byte read, NULs included, so the bounds hold whatever arrives. */
	while ((len = getline(&line, &cap, in)) >= 0) {
		char *eq, *s = line;

		lineno++;
		total += (size_t)len;
		if (total > max_bytes) {
			snprintf(reason, reason_len, "More than %zu bytes of arguments on stdin", max_bytes);
			r = -E2BIG;
			break;
		}
		if (memchr(line, '\0', (size_t)len)) {
			snprintf(reason, reason_len, "Argument line %u holds a NUL byte", lineno);
			r = -EINVAL;
			break;
		}
		s[strcspn(s, "\r\n")] = '\0';
		if (strlen(s) > MAX_LINE) {
			snprintf(reason, reason_len, "Argument line %u is longer than %d bytes", lineno, MAX_LINE);
			r = -E2BIG;
			break;
		}
		s += strspn(s, " \t");
		if (!*s || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq || eq == s) {
			snprintf(reason, reason_len, "Argument line %u is not key=value", lineno);
			r = -EINVAL;
			break;
		}
		r = args_add(a, s, (size_t)(eq - s), eq + 1);
		if (r < 0) {
			snprintf(reason, reason_len, r == -E2BIG ? "Too many arguments (at most %d)" : "Out of memory",
				 MAX_ARGS);
			break;
		}
	}
	free(line);
	return r;
}

static int parse_argv(int argc, char **argv, struct hubha_fence_args *a, char *reason, size_t reason_len)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *key = NULL, *value = NULL;
		size_t key_len = 0;
		int r;

		if (strcmp(arg, "-o") == 0 || strcmp(arg, "-n") == 0) {
			if (i + 1 >= argc) {
				snprintf(reason, reason_len, "Option %s needs a value", arg);
				return -EINVAL;
			}
			key = arg[1] == 'o' ? "action" : "plug";
			key_len = strlen(key);
			value = argv[++i];
		} else if (strncmp(arg, "--", 2) == 0 && arg[2]) {
			const char *eq = strchr(arg, '=');

			key = arg + 2;
			key_len = eq ? (size_t)(eq - key) : strlen(key);
			value = eq ? eq + 1 : "1";
			if (key_len == 0) {
				snprintf(reason, reason_len, "Unexpected argument '%s'", arg);
				return -EINVAL;
			}
		} else {
			snprintf(reason, reason_len, "Unexpected argument '%s'", arg);
			return -EINVAL;
		}
		r = args_add(a, key, key_len, value);
		if (r < 0) {
			snprintf(reason, reason_len, r == -E2BIG ? "Too many arguments (at most %d)" : "Out of memory",
				 MAX_ARGS);
			return r;
		}
	}
	return 0;
}

int hubha_fence_args_parse(FILE *in, size_t max_bytes, int argc, char **argv, struct hubha_fence_args **ret_args,
			   char *reason, size_t reason_len)
{
	struct hubha_fence_args *a = calloc(1, sizeof(*a));
	int r;

	if (!a)
		return -ENOMEM;
	r = in ? parse_stdin(in, max_bytes, a, reason, reason_len) : 0;
	if (r == 0)
		r = parse_argv(argc, argv, a, reason, reason_len);
	if (r < 0) {
		hubha_fence_args_free(a);
		return r;
	}
	*ret_args = a;
	return 0;
}

void hubha_fence_reason(struct hubha_fence_ctx *ctx, const char *fmt, ...)
{
	char buf[sizeof(ctx->reason)];
	va_list ap;

	/* Through a copy: a reason may wrap the previous one (%s of ctx->reason). */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(ctx->reason, buf, sizeof(buf));
	ctx->reason[strcspn(ctx->reason, "\r\n")] = '\0';
}

static const char *normalise(const char *action)
{
	static const struct {
		const char *from, *to;
	} aliases[] = {
		{ "meta-data", "metadata" }, { "poweroff", "off" }, { "poweron", "on" },
		{ "list-status", "list" }, { "enable", "on" }, { "disable", "off" },
	};

	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(action, aliases[i].from) == 0)
			return aliases[i].to;
	return action;
}

static bool advertised(const struct hubha_fence_agent *agent, const char *action)
{
	for (const char *const *a = agent->actions; a && *a; a++)
		if (strcmp(*a, action) == 0)
			return true;
	return false;
}

static int print_metadata(const struct hubha_fence_agent *agent)
{
	char *xml;
	size_t len;

	if (meta_generate("hubha_fence_metadata", agent, &xml, &len) < 0) {
		fprintf(stderr, "%s: cannot generate meta-data\n", agent->name);
		return HUBHA_FENCE_ERROR;
	}
	fwrite(xml, 1, len, stdout);
	free(xml);
	return HUBHA_FENCE_OK;
}

static int check_required(struct hubha_fence_ctx *ctx)
{
	const struct hubha_fence_agent *agent = ctx->agent;

	for (size_t i = 0; i < agent->n_params; i++) {
		const struct hubha_fence_param_def *p = &agent->params[i];

		if (p->required && !hubha_fence_args_get(ctx->args, p->name)) {
			hubha_fence_reason(ctx, "Required parameter %s is not set", p->name);
			return HUBHA_FENCE_ERROR;
		}
	}
	return HUBHA_FENCE_OK;
}

static bool needs_plug(const char *action)
{
	return strcmp(action, "on") == 0 || strcmp(action, "off") == 0 || strcmp(action, "reboot") == 0 ||
	       strcmp(action, "status") == 0;
}

int hubha_fence_main(const struct hubha_fence_agent *agent, int argc, char **argv)
{
	struct hubha_fence_ctx ctx = { .agent = agent };
	const char *action, *v;
	bool from_stdin;
	int rc;

	/* The fencer passes everything on stdin and no arguments; a person passes options. */
	from_stdin = argc < 2;
	if (hubha_fence_args_parse(from_stdin ? stdin : NULL, 64 * 1024, argc, argv, &ctx.args, ctx.reason,
				   sizeof(ctx.reason)) < 0) {
		fprintf(stderr, "%s: %s\n", agent->name, ctx.reason);
		return HUBHA_FENCE_ERROR;
	}
	action = hubha_fence_args_get(ctx.args, "action");
	if (!action)
		action = hubha_fence_args_get(ctx.args, "option");
	ctx.action = normalise(action ? action : "reboot");
	if (strcmp(ctx.action, "metadata") == 0) {
		hubha_fence_args_free(ctx.args);
		return print_metadata(agent);
	}
	hubha_log_defer(agent->name);
	v = hubha_fence_args_get(ctx.args, "plug");
	if (!v)
		v = hubha_fence_args_get(ctx.args, "port");
	if (!v)
		v = hubha_fence_args_get(ctx.args, "nodename");
	ctx.plug = v;

	if (!advertised(agent, ctx.action)) {
		hubha_fence_reason(&ctx, "Action '%s' is not supported", ctx.action);
		rc = HUBHA_FENCE_ERROR;
	} else if ((rc = check_required(&ctx)) != HUBHA_FENCE_OK) {
		;
	} else if (agent->validate && (rc = agent->validate(&ctx)) != HUBHA_FENCE_OK) {
		;
	} else if (strcmp(ctx.action, "validate-all") == 0) {
		rc = HUBHA_FENCE_OK;
	} else if (needs_plug(ctx.action) && (!ctx.plug || !*ctx.plug)) {
		hubha_fence_reason(&ctx, "Action '%s' needs a plug (the node to fence)", ctx.action);
		rc = HUBHA_FENCE_ERROR;
	} else {
		rc = agent->run(&ctx);
	}
	/* The fencer logs what an agent prints on stderr. */
	if (ctx.reason[0])
		fprintf(stderr, "%s: %s\n", agent->name, ctx.reason);
	hubha_fence_args_free(ctx.args);
	hubha_log_done();
	return rc;
}

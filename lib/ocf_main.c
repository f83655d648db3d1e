/*
 * The agent's edge: action dispatch, exit codes and exit reasons.  This is the
 * one place in the library that speaks OCF exit codes and logs, because it is
 * the agent's main() in all but name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <hubha/log.h>
#include <hubha/ocf.h>

#include "meta_load.h"

static void usage(const struct hubha_ocf_agent *agent, FILE *out)
{
	fprintf(out, "usage: %s {", agent->name);
	for (size_t i = 0; i < agent->n_actions; i++)
		fprintf(out, "%s%s", i ? "|" : "", agent->actions[i].name);
	fprintf(out, "}\n");
}

static const struct hubha_action_def *find_action(const struct hubha_ocf_agent *agent, const char *name)
{
	for (size_t i = 0; i < agent->n_actions; i++)
		if (strcmp(agent->actions[i].name, name) == 0)
			return &agent->actions[i];
	return NULL;
}

static unsigned env_ms(const char *name, unsigned fallback)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n;

	if (!v || !*v)
		return fallback;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n > 0xFFFFFFFFul)
		return fallback;
	return (unsigned)n;
}

static int print_metadata(const struct hubha_ocf_agent *agent)
{
	char *xml;
	size_t len;
	int r = meta_generate("hubha_ocf_metadata", agent, &xml, &len);

	if (r < 0) {
		fprintf(stderr, "ocf-exit-reason:Cannot generate meta-data: %s\n", strerror(-r));
		return r == -ENOENT ? HUBHA_OCF_ERR_INSTALLED : HUBHA_OCF_ERR_GENERIC;
	}
	fwrite(xml, 1, len, stdout);
	free(xml);
	return HUBHA_OCF_SUCCESS;
}

static bool debug_enabled(void)
{
	const char *d = getenv("HA_debug");

	return d && *d && strcmp(d, "0") != 0;
}

static int finish(struct hubha_ocf_ctx *ctx, int rc)
{
	const char *name = hubha_ocf_rc_name(rc);

	if (ctx->reason[0]) {
		ctx->reason[strcspn(ctx->reason, "\r\n")] = '\0';
		/* Pacemaker reads this prefix off stderr and shows it as the failure reason. */
		fprintf(stderr, "ocf-exit-reason:%s\n", ctx->reason);
		hubha_log(rc == HUBHA_OCF_SUCCESS ? LOG_WARNING : LOG_ERR, "%s", ctx->reason);
	}
	if (debug_enabled())
		hubha_log(LOG_DEBUG, "%s %s: %s (%d)", ctx->resource, ctx->action, name ? name : "unknown", rc);
	hubha_ocf_params_free(ctx->params);
	hubha_log_done();
	return rc;
}

const char *hubha_ocf_param_unchecked(const struct hubha_ocf_ctx *ctx, const char *name)
{
	const struct hubha_ocf_agent *agent = ctx->agent;
	char key[128];

	for (size_t i = 0; i < agent->n_params; i++) {
		const char *v;

		if (strcmp(agent->params[i].name, name) != 0)
			continue;
		if ((size_t)snprintf(key, sizeof(key), "OCF_RESKEY_%s", name) >= sizeof(key))
			return NULL;
		v = getenv(key);
		return v && *v ? v : agent->params[i].default_value;
	}
	return NULL;
}

int hubha_ocf_config_failed(struct hubha_ocf_ctx *ctx, int rc)
{
	bool stop = strcmp(ctx->action, "stop") == 0;

	if (rc == HUBHA_OCF_SUCCESS || !(stop || ctx->probe) || !ctx->agent->nothing_running)
		return rc;
	if (!ctx->agent->nothing_running(ctx))
		return rc;
	hubha_log(LOG_WARNING, "%s: the configuration is invalid, but nothing of %s can be running here",
		  ctx->action, ctx->resource);
	return stop ? HUBHA_OCF_SUCCESS : HUBHA_OCF_NOT_RUNNING;
}

int hubha_ocf_main(const struct hubha_ocf_agent *agent, int argc, char **argv)
{
	struct hubha_ocf_ctx ctx = { .agent = agent };
	const struct hubha_action_def *def;
	const char *tag;
	int rc;

	if (argc < 2 || !argv[1] || !*argv[1]) {
		usage(agent, stderr);
		return HUBHA_OCF_ERR_ARGS;
	}
	ctx.action = argv[1];
	/* meta-data must work anywhere, with nothing set up, and never fail. */
	if (strcmp(ctx.action, "meta-data") == 0)
		return print_metadata(agent);
	if (strcmp(ctx.action, "usage") == 0 || strcmp(ctx.action, "help") == 0) {
		usage(agent, stdout);
		return HUBHA_OCF_SUCCESS;
	}

	ctx.resource = getenv("OCF_RESOURCE_INSTANCE");
	if (!ctx.resource || !*ctx.resource)
		ctx.resource = agent->name;
	tag = getenv("HA_LOGTAG");
	hubha_log_defer(tag && *tag ? tag : ctx.resource);

	def = find_action(agent, ctx.action);
	if (!def) {
		hubha_ocf_reason(&ctx, "Action '%s' is not implemented by %s", ctx.action, agent->name);
		return finish(&ctx, HUBHA_OCF_ERR_UNIMPLEMENTED);
	}
	ctx.interval_ms = env_ms("OCF_RESKEY_CRM_meta_interval", 0);
	ctx.timeout_ms = env_ms("OCF_RESKEY_CRM_meta_timeout", def->timeout_s * 1000u);
	ctx.probe = strcmp(ctx.action, "monitor") == 0 && ctx.interval_ms == 0;

	if (hubha_ocf_params_load(agent, hubha_env_getenv, NULL, &ctx.params, ctx.reason,
				  sizeof(ctx.reason)) < 0)
		return finish(&ctx, hubha_ocf_config_failed(&ctx, HUBHA_OCF_ERR_CONFIGURED));
	if (agent->validate) {
		rc = agent->validate(&ctx);
		if (rc != HUBHA_OCF_SUCCESS)
			return finish(&ctx, hubha_ocf_config_failed(&ctx, rc));
	}
	if (!def->fn)
		return finish(&ctx, strcmp(ctx.action, "validate-all") == 0 ? HUBHA_OCF_SUCCESS
									 : HUBHA_OCF_ERR_UNIMPLEMENTED);
	return finish(&ctx, def->fn(&ctx));
}

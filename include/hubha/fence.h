/*
 * hubha fence runtime: FenceAgentAPI agents from a declarative table.
 *
 * Arguments come as key=value lines on stdin (how Pacemaker's fencer calls
 * agents) or as command-line options (--key=value, -o ACTION, -n PLUG, as
 * fence_* agents accept them).  Library calls return 0 or a negative errno and
 * fill ret_ arguments only on success; FenceAgentAPI exit codes are produced
 * only by hubha_fence_main(), the agent's edge.
 */
#ifndef HUBHA_FENCE_H
#define HUBHA_FENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* FenceAgentAPI exit codes; status answers 0 (on), 2 (off) or 1 (error). */
enum hubha_fence_rc {
	HUBHA_FENCE_OK = 0,
	HUBHA_FENCE_ERROR = 1,
	HUBHA_FENCE_OFF = 2,
};

struct hubha_fence_param_def {
	const char *name;
	const char *type;		/* "string", "integer", "boolean" */
	const char *default_value;
	bool required;
	const char *getopt;		/* e.g. "-n, --plug=[id]" */
	const char *shortdesc;
};

struct hubha_fence_args;

struct hubha_fence_ctx {
	const struct hubha_fence_agent *agent;
	const char *action;		/* normalised: on off reboot status list monitor validate-all */
	const char *plug;		/* plug, port or nodename: the target */
	struct hubha_fence_args *args;
	char reason[512];
};

struct hubha_fence_agent {
	const char *name;
	const char *shortdesc;
	const char *longdesc;
	const struct hubha_fence_param_def *params;	/* besides action and plug */
	size_t n_params;
	const char *const *actions;	/* NULL-terminated, advertised in meta-data */
	/* Handles every action but metadata; returns a hubha_fence_rc. */
	int (*run)(struct hubha_fence_ctx *ctx);
	/* Optional parameter checks for validate-all and before every action. */
	int (*validate)(struct hubha_fence_ctx *ctx);
};

/*
 * Parse arguments: stdin lines (key=value, '#' comments) up to max_bytes,
 * then argv options.  -E2BIG beyond the bounds, -EINVAL on a malformed line
 * (reason says which).
 */
int hubha_fence_args_parse(FILE *in, size_t max_bytes, int argc, char **argv,
			   struct hubha_fence_args **ret_args, char *reason, size_t reason_len);
void hubha_fence_args_free(struct hubha_fence_args *args);
/* The value of key, or NULL. */
const char *hubha_fence_args_get(const struct hubha_fence_args *args, const char *key);

/* FenceAgentAPI meta-data XML, allocated; free() it.  In libhubha-meta. */
int hubha_fence_metadata(const struct hubha_fence_agent *agent, char **ret_xml, size_t *ret_len);

/* Record the reason printed on stderr when the action fails. */
void hubha_fence_reason(struct hubha_fence_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The agent's edge: parse, dispatch, print, return the exit code. */
int hubha_fence_main(const struct hubha_fence_agent *agent, int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif

/*
 * hubha OCF runtime: declarative agent tables, typed OCF_RESKEY_* parameters,
 * meta-data generation, action dispatch and exit reasons.
 *
 * Library calls return 0 or a negative errno and fill ret_ arguments only on
 * success.  OCF exit codes are produced only by hubha_ocf_main(), the agent's
 * edge, and by the action handlers it calls.
 */
#ifndef HUBHA_OCF_H
#define HUBHA_OCF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* OCF 1.1 exit codes, plus Pacemaker's degraded codes. */
enum hubha_ocf_rc {
	HUBHA_OCF_SUCCESS = 0,
	HUBHA_OCF_ERR_GENERIC = 1,
	HUBHA_OCF_ERR_ARGS = 2,
	HUBHA_OCF_ERR_UNIMPLEMENTED = 3,
	HUBHA_OCF_ERR_PERM = 4,
	HUBHA_OCF_ERR_INSTALLED = 5,
	HUBHA_OCF_ERR_CONFIGURED = 6,
	HUBHA_OCF_NOT_RUNNING = 7,
	HUBHA_OCF_RUNNING_PROMOTED = 8,
	HUBHA_OCF_FAILED_PROMOTED = 9,
	HUBHA_OCF_DEGRADED = 190,
	HUBHA_OCF_DEGRADED_PROMOTED = 191,
};

/* Name of an exit code as OCF spells it ("OCF_NOT_RUNNING"), NULL if unknown. */
const char *hubha_ocf_rc_name(int rc);

enum hubha_param_type {
	HUBHA_PARAM_STRING,
	HUBHA_PARAM_INTEGER,
	HUBHA_PARAM_BOOLEAN,
	HUBHA_PARAM_SELECT,
};

/*
 * Extra validator for one parameter value.  Returns 0 if valid, otherwise a
 * negative errno and a one-line reason in reason[reason_len].
 */
typedef int (*hubha_param_check_fn)(const char *value, char *reason, size_t reason_len);

struct hubha_param_def {
	const char *name;
	enum hubha_param_type type;
	const char *default_value;	/* NULL: no default */
	bool required;
	bool unique;
	long min, max;			/* integers: accepted range when min < max */
	const char *const *options;	/* selects: NULL-terminated list */
	hubha_param_check_fn check;	/* optional */
	const char *shortdesc;
	const char *longdesc;
};

struct hubha_ocf_ctx;

/* An action handler returns an OCF exit code. */
typedef int (*hubha_action_fn)(struct hubha_ocf_ctx *ctx);

struct hubha_action_def {
	const char *name;
	unsigned timeout_s;
	unsigned interval_s;		/* 0: not advertised */
	const char *role;		/* "Promoted", "Unpromoted" or NULL */
	unsigned depth;
	hubha_action_fn fn;		/* NULL: meta-data, usage and validate-all are the runtime's */
};

struct hubha_ocf_agent {
	const char *name;
	const char *version;
	const char *shortdesc;
	const char *longdesc;
	const struct hubha_param_def *params;
	size_t n_params;
	const struct hubha_action_def *actions;
	size_t n_actions;
	/* Cross-parameter checks that need no running system; may be NULL. */
	int (*validate)(struct hubha_ocf_ctx *ctx);
	/*
	 * Stop and probes must not fail because the configuration became
	 * invalid when nothing of the resource can be running: a failed stop
	 * means fencing.  Called for those two when the parameters do not load
	 * (ctx->params is then NULL: see hubha_ocf_param_unchecked) or do not
	 * validate, and from hubha_ocf_config_failed.  Returns true only when
	 * certain that nothing of this resource runs on this node, after
	 * stopping, for a stop, whatever it can find without the configuration.
	 * NULL: never certain.
	 */
	bool (*nothing_running)(struct hubha_ocf_ctx *ctx);
};

/* Parsed parameter values of one invocation. */
struct hubha_ocf_params;

/* Look up a variable; getenv() in agents, a table in tests. */
typedef const char *(*hubha_env_fn)(const char *name, void *userdata);

/*
 * Parse and type-check every parameter of the agent from OCF_RESKEY_<name>,
 * applying defaults.  On failure returns -EINVAL (or -ENOMEM) and writes one
 * line naming the parameter and the problem into reason.
 */
int hubha_ocf_params_load(const struct hubha_ocf_agent *agent, hubha_env_fn env, void *userdata,
			  struct hubha_ocf_params **ret_params, char *reason, size_t reason_len);
void hubha_ocf_params_free(struct hubha_ocf_params *params);

/* Accessors by parameter name; an unknown name aborts (a programming error). */
const char *hubha_ocf_params_str(const struct hubha_ocf_params *params, const char *name);
long hubha_ocf_params_int(const struct hubha_ocf_params *params, const char *name);
bool hubha_ocf_params_bool(const struct hubha_ocf_params *params, const char *name);
/* true when the parameter was given (not defaulted). */
bool hubha_ocf_params_given(const struct hubha_ocf_params *params, const char *name);

/* OCF boolean spelling as ocf_is_true accepts it: yes/true/1/on and no/false/0/off. */
int hubha_ocf_parse_bool(const char *value, bool *ret);

/* Meta-data XML (OCF 1.1, ra-api-1.dtd doctype), allocated; free() it. */
int hubha_ocf_metadata(const struct hubha_ocf_agent *agent, char **ret_xml, size_t *ret_len);

/* Invocation context handed to action handlers. */
struct hubha_ocf_ctx {
	const struct hubha_ocf_agent *agent;
	const char *action;
	const char *resource;		/* OCF_RESOURCE_INSTANCE */
	struct hubha_ocf_params *params;
	unsigned interval_ms;		/* OCF_RESKEY_CRM_meta_interval */
	unsigned timeout_ms;		/* OCF_RESKEY_CRM_meta_timeout, or the action's default */
	bool probe;			/* monitor with interval 0 */
	char reason[512];		/* exit reason, empty when none */
};

/* Record the exit reason printed as "ocf-exit-reason:" when the action ends. */
void hubha_ocf_reason(struct hubha_ocf_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The result of an action that an invalid configuration stops (rc, with the
 * reason recorded): for a stop or a probe, success or OCF_NOT_RUNNING when the
 * agent's nothing_running says nothing can be running, keeping the reason;
 * rc otherwise.  hubha_ocf_main applies it to parameters that do not load or
 * validate; handlers apply it to their own configuration checks.
 */
int hubha_ocf_config_failed(struct hubha_ocf_ctx *ctx, int rc);

/*
 * A parameter's value as given, else its default, without any check; NULL
 * when neither, or when the agent has no such parameter.  For nothing_running,
 * when the parameters did not load.
 */
const char *hubha_ocf_param_unchecked(const struct hubha_ocf_ctx *ctx, const char *name);

/*
 * Configure libqb logging as ocf_log does: HA_LOGFACILITY (syslog facility,
 * "none" disables), HA_LOGFILE, HA_DEBUGLOG, HA_debug; stderr when neither a
 * facility nor a file is set.  tag is the log identity.  A file that cannot
 * be opened gives its error, with its messages sent to syslog if that is on,
 * else to stderr, so that none is lost.
 */
int hubha_ocf_log_setup(const char *tag, hubha_env_fn env, void *userdata);
void hubha_ocf_log_teardown(void);

/*
 * The agent's edge: parse argv[1] as the action, load parameters, dispatch,
 * print the exit reason, return the OCF exit code.  Extra arguments are ignored.
 */
int hubha_ocf_main(const struct hubha_ocf_agent *agent, int argc, char **argv);

/* getenv() as a hubha_env_fn. */
const char *hubha_env_getenv(const char *name, void *userdata);

#ifdef __cplusplus
}
#endif
#endif

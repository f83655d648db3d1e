/*
 * OCF runtime: typed parameters from OCF_RESKEY_*, and exit-code names.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hubha/ocf.h>

struct hubha_param_value {
	const char *str;	/* points into the environment, the default, or NULL */
	long num;
	bool flag;
	bool given;
};

struct hubha_ocf_params {
	const struct hubha_ocf_agent *agent;
	struct hubha_param_value values[];
};

static const struct {
	int rc;
	const char *name;
} rc_names[] = {
	{ HUBHA_OCF_SUCCESS, "OCF_SUCCESS" },
	{ HUBHA_OCF_ERR_GENERIC, "OCF_ERR_GENERIC" },
	{ HUBHA_OCF_ERR_ARGS, "OCF_ERR_ARGS" },
	{ HUBHA_OCF_ERR_UNIMPLEMENTED, "OCF_ERR_UNIMPLEMENTED" },
	{ HUBHA_OCF_ERR_PERM, "OCF_ERR_PERM" },
	{ HUBHA_OCF_ERR_INSTALLED, "OCF_ERR_INSTALLED" },
	{ HUBHA_OCF_ERR_CONFIGURED, "OCF_ERR_CONFIGURED" },
	{ HUBHA_OCF_NOT_RUNNING, "OCF_NOT_RUNNING" },
	{ HUBHA_OCF_RUNNING_PROMOTED, "OCF_RUNNING_PROMOTED" },
	{ HUBHA_OCF_FAILED_PROMOTED, "OCF_FAILED_PROMOTED" },
	{ HUBHA_OCF_DEGRADED, "OCF_DEGRADED" },
	{ HUBHA_OCF_DEGRADED_PROMOTED, "OCF_DEGRADED_PROMOTED" },
};

const char *hubha_ocf_rc_name(int rc)
{
	for (size_t i = 0; i < sizeof(rc_names) / sizeof(rc_names[0]); i++)
		if (rc_names[i].rc == rc)
			return rc_names[i].name;
	return NULL;
}

const char *hubha_env_getenv(const char *name, void *userdata)
{
	(void)userdata;
	return getenv(name);
}

int hubha_ocf_parse_bool(const char *value, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "1", "on", "y" };
	static const char *const no[] = { "no", "false", "0", "off", "n" };

	if (!value)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_long(const char *value, long *ret)
{
	char *end;
	long v;

	if (!value || !*value)
		return -EINVAL;
	errno = 0;
	v = strtol(value, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == value || *end != '\0')
		return -EINVAL;
	*ret = v;
	return 0;
}

static int param_parse(const struct hubha_param_def *def, const char *value,
		       struct hubha_param_value *out, char *reason, size_t reason_len)
{
	int r;

	switch (def->type) {
	case HUBHA_PARAM_STRING:
		break;
	case HUBHA_PARAM_INTEGER:
		r = parse_long(value, &out->num);
		if (r < 0) {
			snprintf(reason, reason_len, "Parameter %s='%s' is not an integer", def->name, value);
			return -EINVAL;
		}
		if (def->min < def->max && (out->num < def->min || out->num > def->max)) {
			snprintf(reason, reason_len, "Parameter %s=%ld is out of range (%ld..%ld)", def->name,
				 out->num, def->min, def->max);
			return -EINVAL;
		}
		break;
	case HUBHA_PARAM_BOOLEAN:
		r = hubha_ocf_parse_bool(value, &out->flag);
		if (r < 0) {
			snprintf(reason, reason_len, "Parameter %s='%s' is not a boolean (use true or false)",
				 def->name, value);
			return -EINVAL;
		}
		break;
	case HUBHA_PARAM_SELECT: {
		bool found = false;

		for (const char *const *o = def->options; o && *o; o++)
			if (strcmp(*o, value) == 0)
				found = true;
		if (!found) {
			char allowed[256] = "";

			for (const char *const *o = def->options; o && *o; o++) {
				if (allowed[0])
					strncat(allowed, ", ", sizeof(allowed) - strlen(allowed) - 1);
				strncat(allowed, *o, sizeof(allowed) - strlen(allowed) - 1);
			}
			snprintf(reason, reason_len, "Parameter %s='%s' is not one of: %s", def->name, value,
				 allowed);
			return -EINVAL;
		}
		break;
	}
	default:
		snprintf(reason, reason_len, "Parameter %s has an unknown type", def->name);
		return -EINVAL;
	}
	if (def->check) {
		char why[256] = "";

		r = def->check(value, why, sizeof(why));
		if (r < 0) {
			snprintf(reason, reason_len, "Parameter %s='%s' is invalid: %s", def->name, value,
				 why[0] ? why : "rejected");
			return r;
		}
	}
	out->str = value;
	return 0;
}

int hubha_ocf_params_load(const struct hubha_ocf_agent *agent, hubha_env_fn env, void *userdata,
			  struct hubha_ocf_params **ret_params, char *reason, size_t reason_len)
{
	struct hubha_ocf_params *p;
	char key[128];
	int r;

	if (!agent || !env || !ret_params)
		return -EINVAL;
	p = calloc(1, sizeof(*p) + agent->n_params * sizeof(p->values[0]));
	if (!p) {
		snprintf(reason, reason_len, "Out of memory while reading parameters");
		return -ENOMEM;
	}
	p->agent = agent;
	for (size_t i = 0; i < agent->n_params; i++) {
		const struct hubha_param_def *def = &agent->params[i];
		struct hubha_param_value *v = &p->values[i];
		const char *value;

		if ((size_t)snprintf(key, sizeof(key), "OCF_RESKEY_%s", def->name) >= sizeof(key)) {
			snprintf(reason, reason_len, "Parameter name %s is too long", def->name);
			free(p);
			return -ENAMETOOLONG;
		}
		value = env(key, userdata);
		/* Pacemaker passes an unset parameter as absent; an empty one means "not given" too. */
		if (value && *value) {
			v->given = true;
		} else if (def->required) {
			snprintf(reason, reason_len, "Required parameter %s is not set", def->name);
			free(p);
			return -EINVAL;
		} else {
			value = def->default_value;
		}
		if (!value)
			continue;
		r = param_parse(def, value, v, reason, reason_len);
		if (r < 0) {
			/* The value is the user's: it must not break the reason into several lines. */
			for (char *c = reason; *c; c++)
				if (*c == '\n' || *c == '\r')
					*c = ' ';
			free(p);
			return r;
		}
	}
	*ret_params = p;
	return 0;
}

void hubha_ocf_params_free(struct hubha_ocf_params *params)
{
	free(params);
}

static const struct hubha_param_value *lookup(const struct hubha_ocf_params *params, const char *name,
					      enum hubha_param_type type)
{
	const struct hubha_ocf_agent *agent = params->agent;

	for (size_t i = 0; i < agent->n_params; i++) {
		if (strcmp(agent->params[i].name, name) != 0)
			continue;
		if (agent->params[i].type != type &&
		    !(type == HUBHA_PARAM_STRING && agent->params[i].type == HUBHA_PARAM_SELECT))
			abort();
		return &params->values[i];
	}
	/* Asking for a parameter the table does not declare is a bug in the agent. */
	abort();
}

const char *hubha_ocf_params_str(const struct hubha_ocf_params *params, const char *name)
{
	return lookup(params, name, HUBHA_PARAM_STRING)->str;
}

long hubha_ocf_params_int(const struct hubha_ocf_params *params, const char *name)
{
	return lookup(params, name, HUBHA_PARAM_INTEGER)->num;
}

bool hubha_ocf_params_bool(const struct hubha_ocf_params *params, const char *name)
{
	return lookup(params, name, HUBHA_PARAM_BOOLEAN)->flag;
}

bool hubha_ocf_params_given(const struct hubha_ocf_params *params, const char *name)
{
	const struct hubha_ocf_agent *agent = params->agent;

	for (size_t i = 0; i < agent->n_params; i++)
		if (strcmp(agent->params[i].name, name) == 0)
			return params->values[i].given;
	abort();
}

void hubha_ocf_reason(struct hubha_ocf_ctx *ctx, const char *fmt, ...)
{
	char buf[sizeof(ctx->reason)];
	va_list ap;

	/* Through a copy: a reason may wrap the previous one (%s of ctx->reason). */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(ctx->reason, buf, sizeof(buf));
	/* The reason is one line: Pacemaker shows only the first. */
	ctx->reason[strcspn(ctx->reason, "\n")] = '\0';
}

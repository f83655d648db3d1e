/*
 * hubha_ocf_params_load: OCF_RESKEY_* values, typed against a parameter table
 * that has every kind of parameter.  The input is the values in table order,
 * separated by NUL bytes; a value of a single 0x01 byte is unset.  A failure
 * leaves the result alone and gives a one-line reason; a success answers every
 * accessor within the table's bounds.
 */
#include <errno.h>
#include <string.h>

#include <hubha/ocf.h>

#include "fuzz.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static int check_no_colon(const char *value, char *reason, size_t reason_len)
{
	if (strchr(value, ':')) {
		snprintf(reason, reason_len, "'%s' holds a colon", value);
		return -EINVAL;
	}
	return 0;
}

static const char *const modes[] = { "none", "async", "sync", NULL };

static const struct hubha_param_def params[] = {
	{ .name = "ip", .type = HUBHA_PARAM_STRING, .required = true },
	{ .name = "label", .type = HUBHA_PARAM_STRING, .default_value = "x", .check = check_no_colon },
	{ .name = "count", .type = HUBHA_PARAM_INTEGER, .default_value = "5", .min = 1, .max = 100 },
	{ .name = "port", .type = HUBHA_PARAM_INTEGER },
	{ .name = "nodad", .type = HUBHA_PARAM_BOOLEAN, .default_value = "false" },
	{ .name = "mode", .type = HUBHA_PARAM_SELECT, .default_value = "none", .options = modes },
};

static const struct hubha_ocf_agent agent = {
	.name = "fuzz",
	.version = "1.0",
	.shortdesc = "fuzz",
	.longdesc = "fuzz",
	.params = params,
	.n_params = LEN(params),
};

struct env {
	const char *value[LEN(params)];
};

static const char *env_get(const char *name, void *userdata)
{
	const struct env *e = userdata;

	for (size_t i = 0; i < LEN(params); i++) {
		if (strncmp(name, "OCF_RESKEY_", 11) == 0 && strcmp(name + 11, params[i].name) == 0)
			return e->value[i];
	}
	return NULL;
}

static void check_loaded(const struct hubha_ocf_params *p)
{
	long count = hubha_ocf_params_int(p, "count");
	const char *mode = hubha_ocf_params_str(p, "mode");
	bool known = false;

	fuzz_assert(hubha_ocf_params_str(p, "ip") && hubha_ocf_params_str(p, "ip")[0]);
	fuzz_assert(hubha_ocf_params_given(p, "ip"));
	fuzz_assert(!strchr(hubha_ocf_params_str(p, "label"), ':'));
	fuzz_assert(count >= 1 && count <= 100);
	(void)hubha_ocf_params_int(p, "port");
	(void)hubha_ocf_params_bool(p, "nodad");
	for (const char *const *m = modes; *m; m++)
		known |= strcmp(*m, mode) == 0;
	fuzz_assert(known);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char untouched;
	struct hubha_ocf_params *p = (struct hubha_ocf_params *)&untouched;
	char *text = malloc(size + 1), reason[512] = "";
	struct env e = { { NULL } };
	size_t n = 0, start = 0;
	int r;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	for (size_t i = 0; i <= size && n < LEN(params); i++) {
		if (i < size && text[i] != '\0')
			continue;
		e.value[n++] = strcmp(text + start, "\x01") == 0 ? NULL : text + start;
		start = i + 1;
	}
	r = hubha_ocf_params_load(&agent, env_get, &e, &p, reason, sizeof(reason));
	if (r < 0) {
		fuzz_assert(r == -EINVAL || r == -ENOMEM);
		fuzz_assert(p == (struct hubha_ocf_params *)&untouched);
		fuzz_assert(reason[0] != '\0');
		fuzz_assert(memchr(reason, '\0', sizeof(reason)) != NULL);
		fuzz_assert(!strchr(reason, '\n'));
	} else {
		fuzz_assert(r == 0);
		check_loaded(p);
		hubha_ocf_params_free(p);
	}
	free(text);
	return 0;
}

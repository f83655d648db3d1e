/*
 * Meta-data XML: well-formed, carries the ra-api-1.dtd doctype, and passes
 * both validators Pacemaker-side tooling uses (ocf-tester's xmllint --valid
 * against the DTD, and resource-agents' metadata.rng).  A missing schema is a
 * test failure, not a skip: without it nothing here proves validity.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <libxml/xpath.h>

#include <hubha/ocf.h>

#if !defined(RA_DTD) || !defined(RA_RNG)
#error "RA_DTD and RA_RNG must name the resource-agents schemas (see Makefile.am)"
#endif

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

#define NASTY "a < b && c > \"d\" 'e'"

static const char *const modes[] = { "active", "passive", "standby", NULL };

static const struct hubha_param_def params[] = {
	{ .name = "ip", .type = HUBHA_PARAM_STRING, .required = true, .unique = true,
	  .shortdesc = "Address <v4>", .longdesc = "The address; " NASTY },
	{ .name = "port", .type = HUBHA_PARAM_INTEGER, .default_value = "5405", .min = 1, .max = 65535,
	  .shortdesc = "Port", .longdesc = "UDP port" },
	{ .name = "enabled", .type = HUBHA_PARAM_BOOLEAN, .default_value = "true",
	  .shortdesc = "Enabled", .longdesc = "Whether to announce" },
	{ .name = "mode", .type = HUBHA_PARAM_SELECT, .default_value = "active", .options = modes,
	  .shortdesc = "Mode", .longdesc = "Operating mode." },
	{ .name = "label", .type = HUBHA_PARAM_STRING, .default_value = NASTY,
	  .shortdesc = "Label", .longdesc = "Free text" },
	{ .name = "nodesc", .type = HUBHA_PARAM_STRING },
};

static const struct hubha_action_def actions[] = {
	{ .name = "start", .timeout_s = 20 },
	{ .name = "stop", .timeout_s = 25 },
	{ .name = "monitor", .timeout_s = 20, .interval_s = 10, .depth = 0 },
	{ .name = "monitor", .timeout_s = 20, .interval_s = 9, .depth = 10, .role = "Promoted" },
	{ .name = "monitor", .timeout_s = 20, .interval_s = 11, .role = "Unpromoted" },
	{ .name = "promote", .timeout_s = 30 },
	{ .name = "demote", .timeout_s = 30 },
	{ .name = "notify", .timeout_s = 5 },
	{ .name = "reload", .timeout_s = 5 },
	{ .name = "meta-data", .timeout_s = 5 },
	{ .name = "validate-all", .timeout_s = 20 },
};

static const struct hubha_ocf_agent agent = {
	.name = "testra",
	.version = "0.9 & <beta>",
	.shortdesc = "Test agent " NASTY,
	.longdesc = "Long description " NASTY,
	.params = params,
	.n_params = LEN(params),
	.actions = actions,
	.n_actions = LEN(actions),
};

struct fixture {
	char *xml;
	size_t len;
	xmlDocPtr doc;
};

/* Validator messages are kept and printed only when a validation fails. */
static char diag[8192];

__attribute__((format(printf, 2, 3)))
static void collect(void *ctx, const char *fmt, ...)
{
	size_t used = strlen(diag);
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	vsnprintf(diag + used, sizeof(diag) - used, fmt, ap);
	va_end(ap);
}

static xmlDocPtr parse(const char *xml, size_t len)
{
	return xmlReadMemory(xml, (int)len, "meta-data.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || hubha_ocf_metadata(&agent, &f->xml, &f->len) < 0)
		return -1;
	f->doc = parse(f->xml, f->len);
	*state = f;
	if (!f->doc) {
		print_error("meta-data is not well-formed:\n%s\n", f->xml);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	xmlFreeDoc(f->doc);
	free(f->xml);
	free(f);
	return 0;
}

/* 1 valid, 0 invalid; fails the test if the DTD itself cannot be loaded. */
static int dtd_valid(xmlDocPtr doc)
{
	xmlDtdPtr dtd;
	xmlValidCtxtPtr vctxt;
	int ok;

	if (access(RA_DTD, R_OK) != 0)
		fail_msg("cannot read %s: install resource-agents or set RA_DTD", RA_DTD);
	dtd = xmlParseDTD(NULL, BAD_CAST RA_DTD);
	assert_non_null(dtd);
	vctxt = xmlNewValidCtxt();
	assert_non_null(vctxt);
	vctxt->error = collect;
	vctxt->warning = collect;
	diag[0] = '\0';
	ok = xmlValidateDtd(vctxt, doc, dtd);
	xmlFreeValidCtxt(vctxt);
	xmlFreeDtd(dtd);
	return ok;
}

static int rng_valid(xmlDocPtr doc)
{
	xmlRelaxNGParserCtxtPtr pctxt;
	xmlRelaxNGPtr schema;
	xmlRelaxNGValidCtxtPtr vctxt;
	int r;

	if (access(RA_RNG, R_OK) != 0)
		fail_msg("cannot read %s: install resource-agents or set RA_RNG", RA_RNG);
	pctxt = xmlRelaxNGNewParserCtxt(RA_RNG);
	assert_non_null(pctxt);
	schema = xmlRelaxNGParse(pctxt);
	xmlRelaxNGFreeParserCtxt(pctxt);
	assert_non_null(schema);
	vctxt = xmlRelaxNGNewValidCtxt(schema);
	assert_non_null(vctxt);
	diag[0] = '\0';
	xmlRelaxNGSetValidErrors(vctxt, collect, collect, NULL);
	r = xmlRelaxNGValidateDoc(vctxt, doc);
	xmlRelaxNGFreeValidCtxt(vctxt);
	xmlRelaxNGFree(schema);
	return r == 0;
}

/* XPath string value; "" when nothing matches.  Caller frees. */
static char *xp(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr obj;
	xmlChar *s;
	char *out;

	assert_non_null(ctx);
	obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	assert_non_null(obj);
	s = xmlXPathCastToString(obj);
	out = strdup((const char *)s);
	xmlFree(s);
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	return out;
}

static void assert_xp(xmlDocPtr doc, const char *expr, const char *want)
{
	char *got = xp(doc, expr);

	if (strcmp(got, want) != 0) {
		print_error("%s: got '%s', want '%s'\n", expr, got, want);
		free(got);
		fail();
	}
	free(got);
}

static void test_well_formed(void **state)
{
	struct fixture *f = *state;

	assert_non_null(f->doc);
	assert_int_equal(strlen(f->xml), f->len);
	assert_int_equal(strncmp(f->xml, "<?xml version=\"1.0\"", 19), 0);
	assert_non_null(strstr(f->xml, "\n<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">\n"));
	assert_non_null(f->doc->intSubset);
	assert_string_equal((const char *)f->doc->intSubset->name, "resource-agent");
	assert_string_equal((const char *)f->doc->intSubset->SystemID, "ra-api-1.dtd");
	assert_string_equal((const char *)xmlDocGetRootElement(f->doc)->name, "resource-agent");
}

static void test_dtd_valid(void **state)
{
	struct fixture *f = *state;

	if (!dtd_valid(f->doc))
		fail_msg("not valid against %s:\n%s\n%s", RA_DTD, diag, f->xml);
}

static void test_rng_valid(void **state)
{
	struct fixture *f = *state;

	if (!rng_valid(f->doc))
		fail_msg("not valid against %s:\n%s\n%s", RA_RNG, diag, f->xml);
}

/* The validators must be able to say no, or the two tests above prove nothing. */
static void test_validators_reject(void **state)
{
	struct fixture *f = *state;
	xmlDocPtr doc = xmlCopyDoc(f->doc, 1);
	xmlDocPtr doc2 = xmlCopyDoc(f->doc, 1);
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr obj;

	assert_non_null(doc);
	ctx = xmlXPathNewContext(doc);
	obj = xmlXPathEvalExpression(BAD_CAST "//parameter[@name='port']", ctx);
	assert_int_equal(xmlXPathNodeSetGetLength(obj->nodesetval), 1);
	xmlSetProp(obj->nodesetval->nodeTab[0], BAD_CAST "required", BAD_CAST "yes");
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	assert_false(dtd_valid(doc));
	assert_false(rng_valid(doc));
	xmlFreeDoc(doc);

	/* The DTD allows any role; only the RNG knows Promoted/Unpromoted. */
	ctx = xmlXPathNewContext(doc2);
	obj = xmlXPathEvalExpression(BAD_CAST "//action[@role='Promoted']", ctx);
	assert_int_equal(xmlXPathNodeSetGetLength(obj->nodesetval), 1);
	xmlSetProp(obj->nodesetval->nodeTab[0], BAD_CAST "role", BAD_CAST "Master");
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	assert_false(rng_valid(doc2));
	xmlFreeDoc(doc2);
}

static void test_agent_header(void **state)
{
	struct fixture *f = *state;

	assert_xp(f->doc, "string(/resource-agent/@name)", "testra");
	assert_xp(f->doc, "string(/resource-agent/@version)", "0.9 & <beta>");
	/* The element is the OCF API version, not the agent's. */
	assert_xp(f->doc, "string(/resource-agent/version)", "1.1");
	assert_xp(f->doc, "string(/resource-agent/shortdesc)", "Test agent " NASTY);
	assert_xp(f->doc, "string(/resource-agent/longdesc)", "Long description " NASTY);
	assert_xp(f->doc, "string(/resource-agent/shortdesc/@lang)", "en");
	assert_xp(f->doc, "string(/resource-agent/longdesc/@lang)", "en");
}

static void test_special_characters_escaped(void **state)
{
	struct fixture *f = *state;

	assert_null(strstr(f->xml, NASTY));
	assert_null(strstr(f->xml, "<v4>"));
	assert_null(strstr(f->xml, "a < b"));
	assert_non_null(strstr(f->xml, "a &lt; b &amp;&amp; c"));
	assert_xp(f->doc, "string(//parameter[@name='ip']/shortdesc)", "Address <v4>");
	assert_xp(f->doc, "string(//parameter[@name='ip']/longdesc)", "The address; " NASTY);
	assert_xp(f->doc, "string(//parameter[@name='label']/content/@default)", NASTY);
}

static void test_parameters(void **state)
{
	struct fixture *f = *state;

	assert_xp(f->doc, "count(/resource-agent/parameters/parameter)", "6");
	assert_xp(f->doc, "string(/resource-agent/parameters/parameter[1]/@name)", "ip");
	assert_xp(f->doc, "string(/resource-agent/parameters/parameter[6]/@name)", "nodesc");

	assert_xp(f->doc, "string(//parameter[@name='ip']/@required)", "1");
	assert_xp(f->doc, "string(//parameter[@name='ip']/@unique)", "1");
	assert_xp(f->doc, "string(//parameter[@name='port']/@required)", "0");
	assert_xp(f->doc, "string(//parameter[@name='port']/@unique)", "0");

	assert_xp(f->doc, "string(//parameter[@name='ip']/content/@type)", "string");
	assert_xp(f->doc, "string(//parameter[@name='port']/content/@type)", "integer");
	assert_xp(f->doc, "string(//parameter[@name='enabled']/content/@type)", "boolean");
	/* Neither schema knows "select": it is published as a string. */
	assert_xp(f->doc, "string(//parameter[@name='mode']/content/@type)", "string");

	assert_xp(f->doc, "count(//parameter[@name='ip']/content/@default)", "0");
	assert_xp(f->doc, "string(//parameter[@name='port']/content/@default)", "5405");
	assert_xp(f->doc, "string(//parameter[@name='enabled']/content/@default)", "true");
	assert_xp(f->doc, "string(//parameter[@name='mode']/content/@default)", "active");

	assert_xp(f->doc, "string(//parameter[@name='port']/shortdesc)", "Port");
	assert_xp(f->doc, "string(//parameter[@name='port']/longdesc)", "UDP port");
	assert_xp(f->doc, "string(//parameter[@name='port']/longdesc/@lang)", "en");
	assert_xp(f->doc, "string(//parameter[@name='nodesc']/shortdesc)", "");
	assert_xp(f->doc, "count(//parameter[@name='nodesc']/longdesc)", "1");
}

static void test_select_lists_allowed_values(void **state)
{
	struct fixture *f = *state;
	char *ld = xp(f->doc, "string(//parameter[@name='mode']/longdesc)");

	assert_non_null(strstr(ld, "Operating mode."));
	assert_non_null(strstr(ld, "active, passive, standby"));
	free(ld);
}

static void test_actions(void **state)
{
	struct fixture *f = *state;

	assert_xp(f->doc, "count(/resource-agent/actions/action)", "11");
	assert_xp(f->doc, "string(//action[@name='start']/@timeout)", "20s");
	assert_xp(f->doc, "string(//action[@name='stop']/@timeout)", "25s");
	assert_xp(f->doc, "count(//action[@name='start']/@interval)", "0");
	assert_xp(f->doc, "count(//action[@name='start']/@role)", "0");
	assert_xp(f->doc, "string(//action[@name='monitor'][not(@role)]/@interval)", "10s");
	assert_xp(f->doc, "string(//action[@name='monitor'][not(@role)]/@depth)", "0");
	assert_xp(f->doc, "string(//action[@role='Promoted']/@name)", "monitor");
	assert_xp(f->doc, "string(//action[@role='Promoted']/@interval)", "9s");
	assert_xp(f->doc, "string(//action[@role='Promoted']/@depth)", "10");
	assert_xp(f->doc, "string(//action[@role='Unpromoted']/@interval)", "11s");
	assert_xp(f->doc, "count(//action[@role='Master' or @role='Slave'])", "0");
	assert_xp(f->doc, "string(//action[@name='meta-data']/@timeout)", "5s");
	assert_xp(f->doc, "string(/resource-agent/actions/action[last()]/@name)", "validate-all");
}

static void test_bad_arguments(void **state)
{
	char *xml = NULL;

	(void)state;
	assert_int_equal(hubha_ocf_metadata(NULL, &xml, NULL), -EINVAL);
	assert_int_equal(hubha_ocf_metadata(&agent, NULL, NULL), -EINVAL);
	assert_null(xml);
}

static void test_len_optional(void **state)
{
	struct fixture *f = *state;
	char *xml = NULL;

	assert_int_equal(hubha_ocf_metadata(&agent, &xml, NULL), 0);
	assert_string_equal(xml, f->xml);
	free(xml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_formed),
		cmocka_unit_test(test_dtd_valid),
		cmocka_unit_test(test_rng_valid),
		cmocka_unit_test(test_validators_reject),
		cmocka_unit_test(test_agent_header),
		cmocka_unit_test(test_special_characters_escaped),
		cmocka_unit_test(test_parameters),
		cmocka_unit_test(test_select_lists_allowed_values),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_len_optional),
	};
	int r;

	LIBXML_TEST_VERSION
	r = cmocka_run_group_tests(tests, setup, teardown);
	xmlCleanupParser();
	return r;
}

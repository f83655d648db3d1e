/*
 * Meta-data XML from an agent's table.  The output must satisfy three readers
 * at once: ra-api-1.dtd (ocf-tester runs xmllint --valid), the OCF 1.1 RNG and
 * resource-agents' metadata.rng.  Their common ground has no "select" content
 * type, so a select is published as a string whose allowed values are listed
 * in its long description.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include <hubha/ocf.h>

#include "meta_dump.h"

static xmlNodePtr add_text(xmlNodePtr parent, const char *name, const char *text)
{
	xmlNodePtr n = xmlNewChild(parent, NULL, BAD_CAST name, NULL);

	if (!n)
		return NULL;
	/* xmlNodeAddContent escapes; xmlNewChild's content argument would not. */
	xmlNodeAddContent(n, BAD_CAST (text ? text : ""));
	xmlNewProp(n, BAD_CAST "lang", BAD_CAST "en");
	return n;
}

static char *select_longdesc(const struct hubha_param_def *def)
{
	size_t len = strlen(def->longdesc ? def->longdesc : "") + 32;
	char *s, *p;

	for (const char *const *o = def->options; o && *o; o++)
		len += strlen(*o) + 2;
	s = malloc(len);
	if (!s)
		return NULL;
	p = s + sprintf(s, "%s Allowed values: ", def->longdesc ? def->longdesc : "");
	for (const char *const *o = def->options; o && *o; o++)
		p += sprintf(p, "%s%s", o == def->options ? "" : ", ", *o);
	strcpy(p, ".");
	return s;
}

static const char *content_type(enum hubha_param_type t)
{
	switch (t) {
	case HUBHA_PARAM_INTEGER:
		return "integer";
	case HUBHA_PARAM_BOOLEAN:
		return "boolean";
	default:
		return "string";
	}
}

static int add_parameter(xmlNodePtr params, const struct hubha_param_def *def)
{
	xmlNodePtr p = xmlNewChild(params, NULL, BAD_CAST "parameter", NULL);
	xmlNodePtr c;
	char *ld = NULL;

	if (!p)
		return -ENOMEM;
	xmlNewProp(p, BAD_CAST "name", BAD_CAST def->name);
	xmlNewProp(p, BAD_CAST "unique", BAD_CAST (def->unique ? "1" : "0"));
	xmlNewProp(p, BAD_CAST "required", BAD_CAST (def->required ? "1" : "0"));
	if (def->type == HUBHA_PARAM_SELECT) {
		ld = select_longdesc(def);
		if (!ld)
			return -ENOMEM;
	}
	if (!add_text(p, "longdesc", ld ? ld : def->longdesc) || !add_text(p, "shortdesc", def->shortdesc)) {
		free(ld);
		return -ENOMEM;
	}
	free(ld);
	c = xmlNewChild(p, NULL, BAD_CAST "content", NULL);
	if (!c)
		return -ENOMEM;
	xmlNewProp(c, BAD_CAST "type", BAD_CAST content_type(def->type));
	if (def->default_value)
		xmlNewProp(c, BAD_CAST "default", BAD_CAST def->default_value);
	return 0;
}

static int add_action(xmlNodePtr actions, const struct hubha_action_def *def)
{
	xmlNodePtr a = xmlNewChild(actions, NULL, BAD_CAST "action", NULL);
	char buf[32];

	if (!a)
		return -ENOMEM;
	xmlNewProp(a, BAD_CAST "name", BAD_CAST def->name);
	snprintf(buf, sizeof(buf), "%us", def->timeout_s);
	xmlNewProp(a, BAD_CAST "timeout", BAD_CAST buf);
	if (def->interval_s) {
		snprintf(buf, sizeof(buf), "%us", def->interval_s);
		xmlNewProp(a, BAD_CAST "interval", BAD_CAST buf);
		snprintf(buf, sizeof(buf), "%u", def->depth);
		xmlNewProp(a, BAD_CAST "depth", BAD_CAST buf);
	}
	if (def->role)
		xmlNewProp(a, BAD_CAST "role", BAD_CAST def->role);
	return 0;
}

static int build(const struct hubha_ocf_agent *agent, xmlDocPtr doc)
{
	xmlNodePtr root, params, actions;
	int r;

	root = xmlNewNode(NULL, BAD_CAST "resource-agent");
	if (!root)
		return -ENOMEM;
	xmlDocSetRootElement(doc, root);
	xmlNewProp(root, BAD_CAST "name", BAD_CAST agent->name);
	xmlNewProp(root, BAD_CAST "version", BAD_CAST agent->version);
	/* The OCF standard version this meta-data follows, not the agent's. */
	if (!xmlNewTextChild(root, NULL, BAD_CAST "version", BAD_CAST "1.1"))
		return -ENOMEM;
	if (!add_text(root, "longdesc", agent->longdesc) || !add_text(root, "shortdesc", agent->shortdesc))
		return -ENOMEM;
	params = xmlNewChild(root, NULL, BAD_CAST "parameters", NULL);
	actions = xmlNewChild(root, NULL, BAD_CAST "actions", NULL);
	if (!params || !actions)
		return -ENOMEM;
	for (size_t i = 0; i < agent->n_params; i++) {
		r = add_parameter(params, &agent->params[i]);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < agent->n_actions; i++) {
		r = add_action(actions, &agent->actions[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

int hubha_ocf_metadata(const struct hubha_ocf_agent *agent, char **ret_xml, size_t *ret_len)
{
	xmlDocPtr doc;
	int r;

	if (!agent || !ret_xml)
		return -EINVAL;
	doc = xmlNewDoc(BAD_CAST "1.0");
	if (!doc)
		return -ENOMEM;
	if (!xmlCreateIntSubset(doc, BAD_CAST "resource-agent", NULL, BAD_CAST "ra-api-1.dtd")) {
		xmlFreeDoc(doc);
		return -ENOMEM;
	}
	r = build(agent, doc);
	if (r < 0) {
		xmlFreeDoc(doc);
		return r;
	}
	return meta_doc_dump(doc, ret_xml, ret_len);
}

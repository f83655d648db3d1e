/*
 * FenceAgentAPI meta-data from a fence agent's table, in the shape fence-agents
 * print it and Pacemaker's fencer reads it: action and plug first, each
 * parameter with its getopt spelling.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include <hubha/fence.h>

#include "meta_dump.h"

static int add_param(xmlNodePtr params, const char *name, const char *type, const char *def, bool required,
		     const char *getopt, const char *shortdesc)
{
	xmlNodePtr p = xmlNewChild(params, NULL, BAD_CAST "parameter", NULL), n;

	if (!p)
		return -ENOMEM;
	xmlNewProp(p, BAD_CAST "name", BAD_CAST name);
	xmlNewProp(p, BAD_CAST "unique", BAD_CAST "0");
	xmlNewProp(p, BAD_CAST "required", BAD_CAST (required ? "1" : "0"));
	if (getopt) {
		n = xmlNewChild(p, NULL, BAD_CAST "getopt", NULL);
		if (!n)
			return -ENOMEM;
		xmlNewProp(n, BAD_CAST "mixed", BAD_CAST getopt);
	}
	n = xmlNewChild(p, NULL, BAD_CAST "content", NULL);
	if (!n)
		return -ENOMEM;
	xmlNewProp(n, BAD_CAST "type", BAD_CAST (type ? type : "string"));
	if (def)
		xmlNewProp(n, BAD_CAST "default", BAD_CAST def);
	n = xmlNewChild(p, NULL, BAD_CAST "shortdesc", NULL);
	if (!n)
		return -ENOMEM;
	xmlNodeAddContent(n, BAD_CAST (shortdesc ? shortdesc : ""));
	xmlNewProp(n, BAD_CAST "lang", BAD_CAST "en");
	return 0;
}

static int build(const struct hubha_fence_agent *agent, xmlDocPtr doc)
{
	xmlNodePtr root, n, params, actions;
	int r;

	root = xmlNewNode(NULL, BAD_CAST "resource-agent");
	if (!root)
		return -ENOMEM;
	xmlDocSetRootElement(doc, root);
	xmlNewProp(root, BAD_CAST "name", BAD_CAST agent->name);
	xmlNewProp(root, BAD_CAST "shortdesc", BAD_CAST agent->shortdesc);
	n = xmlNewChild(root, NULL, BAD_CAST "longdesc", NULL);
	if (!n)
		return -ENOMEM;
	xmlNodeAddContent(n, BAD_CAST agent->longdesc);
	/* fence-agents' metadata.rng wants it, empty or not; hubha's agents drive no vendor's device. */
	if (!xmlNewChild(root, NULL, BAD_CAST "vendor-url", NULL))
		return -ENOMEM;
	params = xmlNewChild(root, NULL, BAD_CAST "parameters", NULL);
	if (!params)
		return -ENOMEM;
	r = add_param(params, "action", "string", "reboot", true, "-o, --action=[action]", "Fencing action");
	if (r == 0)
		r = add_param(params, "plug", "string", NULL, false, "-n, --plug=[id]",
			      "The node to fence (port is accepted as an alias)");
	if (r == 0)
		r = add_param(params, "port", "string", NULL, false, "--port=[id]", "Alias of plug");
	for (size_t i = 0; r == 0 && i < agent->n_params; i++) {
		const struct hubha_fence_param_def *p = &agent->params[i];

		r = add_param(params, p->name, p->type, p->default_value, p->required, p->getopt, p->shortdesc);
	}
	if (r < 0)
		return r;
	actions = xmlNewChild(root, NULL, BAD_CAST "actions", NULL);
	if (!actions)
		return -ENOMEM;
	for (const char *const *a = agent->actions; a && *a; a++) {
		n = xmlNewChild(actions, NULL, BAD_CAST "action", NULL);
		if (!n)
			return -ENOMEM;
		xmlNewProp(n, BAD_CAST "name", BAD_CAST *a);
		if (strcmp(*a, "on") == 0)
			xmlNewProp(n, BAD_CAST "automatic", BAD_CAST "0");
	}
	n = xmlNewChild(actions, NULL, BAD_CAST "action", NULL);
	if (!n)
		return -ENOMEM;
	xmlNewProp(n, BAD_CAST "name", BAD_CAST "metadata");
	return 0;
}

int hubha_fence_metadata(const struct hubha_fence_agent *agent, char **ret_xml, size_t *ret_len)
{
	xmlDocPtr doc;
	int r;

	if (!agent || !ret_xml)
		return -EINVAL;
	doc = xmlNewDoc(BAD_CAST "1.0");
	if (!doc)
		return -ENOMEM;
	r = build(agent, doc);
	if (r < 0) {
		xmlFreeDoc(doc);
		return r;
	}
	return meta_doc_dump(doc, ret_xml, ret_len);
}

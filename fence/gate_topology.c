/*
 * fence_hubha_gate — its place in the fencing topology (see gate_topology.h).
 */
#include <errno.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "gate_topology.h"

static const char *attr(xmlNode *n, const char *name)
{
	xmlAttr *a = xmlHasProp(n, (const xmlChar *)name);

	return a && a->children && a->children->content ? (const char *)a->children->content : NULL;
}

static bool named(xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The first element named name at or below n, in document order. */
static xmlNode *find(xmlNode *n, const char *name)
{
	for (; n; n = n->next) {
		xmlNode *f;

		if (named(n, name))
			return n;
		if ((f = find(n->children, name)))
			return f;
	}
	return NULL;
}

/* The type of the stonith primitive id, or NULL when there is none. */
static const char *device_type(xmlNode *root, const char *id)
{
	for (xmlNode *n = root; n; n = n->next) {
		const char *t;

		if (named(n, "primitive")) {
			const char *cls = attr(n, "class"), *nid = attr(n, "id");

			if (cls && nid && strcmp(cls, "stonith") == 0 && strcmp(nid, id) == 0)
				return attr(n, "type");
		}
		if ((t = device_type(n->children, id)))
			return t;
	}
	return NULL;
}

/* Does node target carry the permanent attribute name=value (as Pacemaker matches target-attribute)? */
static bool node_has(xmlNode *root, const char *target, const char *name, const char *value)
{
	xmlNode *nodes = find(root, "nodes");

	if (!nodes)
		return false;
	for (xmlNode *node = nodes->children; node; node = node->next) {
		const char *uname = attr(node, "uname");

		if (!named(node, "node") || !uname || strcasecmp(uname, target) != 0)
			continue;
		for (xmlNode *ia = node->children; ia; ia = ia->next) {
			if (!named(ia, "instance_attributes"))
				continue;
			for (xmlNode *nv = ia->children; nv; nv = nv->next) {
				const char *k = attr(nv, "name"), *v = attr(nv, "value");

				if (named(nv, "nvpair") && k && v && strcmp(k, name) == 0 && strcmp(v, value) == 0)
					return true;
			}
		}
	}
	return false;
}

/* 1 when level applies to target, 0 when not, -EBADMSG for a pattern that does not compile. */
static int applies(xmlNode *root, xmlNode *level, const char *target)
{
	const char *t = attr(level, "target"), *pat = attr(level, "target-pattern");
	const char *an = attr(level, "target-attribute"), *av = attr(level, "target-value");

	if (t)
		return strcasecmp(t, target) == 0;
	if (pat) {
		regex_t re;
		int m;

		if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB) != 0)
			return -EBADMSG;
		m = regexec(&re, target, 0, NULL, 0) == 0;
		regfree(&re);
		return m;
	}
	if (an && av)
		return node_has(root, target, an, av);
	return 0;
}

/* Does the level's device list name a gate, and a stonith device of another type? */
static void scan_devices(xmlNode *root, const char *devices, const char *gate_type, bool *ret_gate, bool *ret_other)
{
	char list[1024], *save = NULL;

	*ret_gate = *ret_other = false;
	snprintf(list, sizeof(list), "%s", devices);
	for (char *id = strtok_r(list, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
		const char *type = device_type(root, id);

		if (type && strcmp(type, gate_type) == 0)
			*ret_gate = true;
		else if (type)
			*ret_other = true;
	}
}

int gate_topology_check(const char *xml, size_t len, const char *target, const char *gate_type, char *why,
			size_t why_len)
{
	xmlDoc *doc;
	xmlNode *root, *topo;
	int levels = 0, r = 0;

	if (len > (size_t)__INT_MAX__ ||
	    !(doc = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING))) {
		snprintf(why, why_len, "the CIB's answer is not XML");
		return -EBADMSG;
	}
	root = xmlDocGetRootElement(doc);
	topo = find(root, "fencing-topology");
	for (xmlNode *l = topo ? topo->children : NULL; l && r == 0; l = l->next) {
		const char *devices = attr(l, "devices"), *id = attr(l, "id");
		bool gate, other;
		int a;

		if (!named(l, "fencing-level"))
			continue;
		a = applies(root, l, target);
		if (a < 0) {
			snprintf(why, why_len, "fencing level %s has a target-pattern that does not compile", id ? id : "?");
			r = -EBADMSG;
			break;
		}
		if (!a)
			continue;
		levels++;
		scan_devices(root, devices ? devices : "", gate_type, &gate, &other);
		if (gate && !other) {
			snprintf(why, why_len, "fencing level %s for %s (devices %s) has no fence device besides the gate",
				 id ? id : "?", target, devices ? devices : "none");
			r = -EPERM;
		}
	}
	if (r == 0 && levels == 0) {
		snprintf(why, why_len, "no fencing level applies to %s, so Pacemaker may use the gate on its own",
			 target);
		r = -EPERM;
	}
	xmlFreeDoc(doc);
	return r;
}

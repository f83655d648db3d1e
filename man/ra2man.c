/*
 * ra2man: turn an agent's meta-data (stdin) into its man page (stdout): an
 * OCF resource agent's into man7, a fence agent's (FenceAgentAPI) into man8.
 * Usage: ra2man PROVIDER
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

static void roff(const char *s)
{
	bool bol = true;

	for (; s && *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", stdout);
		if (*s == '\\')
			fputs("\\e", stdout);
		else if (*s == '-')
			fputs("\\-", stdout);
		else
			putchar(*s);
		bol = *s == '\n';
	}
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

static char *text(xmlNodePtr n)
{
	return n ? (char *)xmlNodeGetContent(n) : NULL;
}

static char *prop(xmlNodePtr n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static void parameters(xmlNodePtr params)
{
	printf(".SH PARAMETERS\n");
	for (xmlNodePtr p = params ? params->children : NULL; p; p = p->next) {
		char *name, *req, *uniq, *sd, *ld, *type = NULL, *def = NULL;
		xmlNodePtr content;

		if (p->type != XML_ELEMENT_NODE)
			continue;
		name = prop(p, "name");
		req = prop(p, "required");
		uniq = prop(p, "unique");
		sd = text(child(p, "shortdesc"));
		ld = text(child(p, "longdesc"));
		content = child(p, "content");
		if (content) {
			type = prop(content, "type");
			def = prop(content, "default");
		}
		printf(".TP\n\\fB");
		roff(name);
		printf("\\fR (%s%s%s)", type ? type : "string", req && strcmp(req, "1") == 0 ? ", required" : "",
		       uniq && strcmp(uniq, "1") == 0 ? ", unique" : "");
		if (child(p, "getopt")) {
			char *g = prop(child(p, "getopt"), "mixed");

			printf(", \\fB");
			roff(g);
			printf("\\fR");
			xmlFree(g);
		}
		putchar('\n');
		roff(sd);
		printf(".\n");
		roff(ld);
		putchar('\n');
		if (def) {
			printf("Default: \\fB");
			roff(def);
			printf("\\fR.\n");
		}
		xmlFree(name), xmlFree(req), xmlFree(uniq), xmlFree(sd), xmlFree(ld), xmlFree(type), xmlFree(def);
	}
}

static void actions(xmlNodePtr acts)
{
	printf(".SH ACTIONS\n.TS\nl l l l.\nAction\tTimeout\tInterval\tRole\n");
	for (xmlNodePtr a = acts ? acts->children : NULL; a; a = a->next) {
		char *name, *timeout, *interval, *role;

		if (a->type != XML_ELEMENT_NODE)
			continue;
		name = prop(a, "name");
		timeout = prop(a, "timeout");
		interval = prop(a, "interval");
		role = prop(a, "role");
		printf("%s\t%s\t%s\t%s\n", name, timeout ? timeout : "-", interval ? interval : "-", role ? role : "-");
		xmlFree(name), xmlFree(timeout), xmlFree(interval), xmlFree(role);
	}
	printf(".TE\n");
}

static void fence_actions(xmlNodePtr acts)
{
	printf(".SH ACTIONS\n");
	for (xmlNodePtr a = acts ? acts->children : NULL; a; a = a->next) {
		char *n;

		if (a->type != XML_ELEMENT_NODE)
			continue;
		n = prop(a, "name");
		printf(".B %s\n.br\n", n);
		xmlFree(n);
	}
}

static void fence_page(xmlNodePtr root, const char *name, const char *sd, const char *ld)
{
	printf(".TH %s 8 \"\" \"hubha\" \"Fence agents\"\n", name);
	printf(".SH NAME\n%s \\- ", name);
	roff(sd);
	printf("\n.SH SYNOPSIS\n\\fB%s\\fR [\\fIOPTION\\fR]...\n.PP\n"
	       "\\fB%s\\fR < \\fIkey=value lines\\fR\n", name, name);
	printf(".PP\n\\fBpcs stonith create\\fR \\fIID\\fR %s [\\fIparameter\\fR=\\fIvalue\\fR ...]\n", name);
	printf(".SH DESCRIPTION\n");
	roff(ld);
	printf("\n.PP\nArguments come as key=value lines on standard input, as Pacemaker's fencer passes "
	       "them, or as the options below.\n");
	parameters(child(root, "parameters"));
	fence_actions(child(root, "actions"));
	printf(".SH EXIT STATUS\n0 success (status: the node is on), 2 the node is off (status), 1 failure, "
	       "with one line on standard error saying why.\n");
	printf(".SH SEE ALSO\n\\fBstonith_admin\\fR(8), \\fBpcs\\fR(8)\n");
}

int main(int argc, char **argv)
{
	const char *provider = argc > 1 ? argv[1] : "hubha";
	xmlDocPtr doc;
	xmlNodePtr root;
	char *name, *sd, *ld;

	doc = xmlReadFd(0, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	if (!doc) {
		fprintf(stderr, "ra2man: cannot parse meta-data on stdin\n");
		return 1;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || strcmp((const char *)root->name, "resource-agent") != 0) {
		fprintf(stderr, "ra2man: not OCF meta-data\n");
		xmlFreeDoc(doc);
		return 1;
	}
	name = prop(root, "name");
	/* FenceAgentAPI meta-data carries its short description as an attribute. */
	if (xmlHasProp(root, (const xmlChar *)"shortdesc")) {
		sd = prop(root, "shortdesc");
		ld = text(child(root, "longdesc"));
		fence_page(root, name, sd, ld);
		xmlFree(name), xmlFree(sd), xmlFree(ld);
		xmlFreeDoc(doc);
		return 0;
	}
	sd = text(child(root, "shortdesc"));
	ld = text(child(root, "longdesc"));

	printf("'\\\" t\n");
	printf(".TH OCF_%s_%s 7 \"\" \"%s\" \"OCF resource agents\"\n", provider, name, provider);
	printf(".SH NAME\nocf_%s_%s \\- ", provider, name);
	roff(sd);
	printf("\n.SH SYNOPSIS\n\\fBpcs resource create\\fR \\fIID\\fR ocf:%s:%s [\\fIparameter\\fR=\\fIvalue\\fR ...]\n",
	       provider, name);
	printf(".PP\n\\fBcrm configure primitive\\fR \\fIID\\fR ocf:%s:%s params [\\fIparameter\\fR=\\fIvalue\\fR ...]\n",
	       provider, name);
	printf(".SH DESCRIPTION\n");
	roff(ld);
	putchar('\n');
	parameters(child(root, "parameters"));
	actions(child(root, "actions"));
	printf(".SH EXIT STATUS\nOCF exit codes: 0 success, 1 generic error, 2 bad arguments, 3 unimplemented "
	       "action, 4 insufficient permission, 5 not installed, 6 not configured, 7 not running, 8 running "
	       "promoted, 9 failed promoted, 190 degraded, 191 degraded promoted. A failure prints one line "
	       "\"ocf\\-exit\\-reason:\\fIreason\\fR\" on standard error, which Pacemaker shows.\n");
	printf(".SH ENVIRONMENT\nParameters arrive as \\fBOCF_RESKEY_\\fIname\\fR. Logging follows "
	       "\\fBHA_LOGFACILITY\\fR, \\fBHA_LOGFILE\\fR, \\fBHA_DEBUGLOG\\fR and \\fBHA_debug\\fR as ocf_log does.\n");
	printf(".SH SEE ALSO\n\\fBpcs\\fR(8), \\fBcrm\\fR(8), \\fBocf-tester\\fR(8)\n");
	xmlFree(name), xmlFree(sd), xmlFree(ld);
	xmlFreeDoc(doc);
	return 0;
}

/*
 * Shared by the meta-data generators: serialise and free a document.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "meta_dump.h"

int meta_doc_dump(xmlDocPtr doc, char **ret_xml, size_t *ret_len)
{
	xmlChar *mem = NULL;
	int size = 0;
	char *out;

	/* No encoding in the declaration: crmsh (lxml) refuses to parse a str that has one. */
	xmlDocDumpFormatMemory(doc, &mem, &size, 1);
	xmlFreeDoc(doc);
	if (!mem || size <= 0) {
		xmlFree(mem);
		return -ENOMEM;
	}
	/* Hand back plain malloc'd memory so callers need not know about libxml2. */
	out = malloc((size_t)size + 1);
	if (!out) {
		xmlFree(mem);
		return -ENOMEM;
	}
	memcpy(out, mem, (size_t)size);
	out[size] = '\0';
	xmlFree(mem);
	*ret_xml = out;
	if (ret_len)
		*ret_len = (size_t)size;
	return 0;
}

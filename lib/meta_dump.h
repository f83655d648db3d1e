#ifndef HUBHA_META_DUMP_H
#define HUBHA_META_DUMP_H

#include <stddef.h>
#include <libxml/tree.h>

/* Serialise doc to malloc'd text and free it (also on failure). */
int meta_doc_dump(xmlDocPtr doc, char **ret_xml, size_t *ret_len);

#endif

#ifndef HUBHA_META_LOAD_H
#define HUBHA_META_LOAD_H

#include <stddef.h>

/* Load libhubha-meta and call its generator symbol(agent, ret_xml, ret_len). */
int meta_generate(const char *symbol, const void *agent, char **ret_xml, size_t *ret_len);

#endif

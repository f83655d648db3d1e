/*
 * The meta-data generators need libxml2, which would cost every other action
 * a millisecond of loading; they live in libhubha-meta, loaded only when an
 * agent is asked for its meta-data.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

#include "meta_load.h"

int meta_generate(const char *symbol, const void *agent, char **ret_xml, size_t *ret_len)
{
	int (*generate)(const void *, char **, size_t *);
	void *lib = dlopen("libhubha-meta.so.0", RTLD_NOW | RTLD_LOCAL);
	int r;

	if (!lib) {
		fprintf(stderr, "Cannot load libhubha-meta.so.0: %s\n", dlerror());
		return -ENOENT;
	}
	*(void **)&generate = dlsym(lib, symbol);
	r = generate ? generate(agent, ret_xml, ret_len) : -ENOSYS;
	dlclose(lib);
	return r;
}

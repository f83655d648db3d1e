/*
 * The meta-data generators need libxml2, which would cost every other action
 * a millisecond of loading; they live in libhubha-meta, loaded only when an
 * agent is asked for its meta-data.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "meta_load.h"

static const char meta_soname[] = "libhubha-meta.so.0";

/*
 * libhubha-meta is installed beside libhubha, so it is loaded from the
 * directory this library was loaded from: meta-data, which must not fail,
 * then works before ldconfig has run and outside the linker's default paths,
 * and a build tree loads its own copy, not an installed one.  The soname
 * search is the fallback.
 */
static void *meta_open(void)
{
	char path[PATH_MAX];
	const char *slash;
	Dl_info self;
	void *lib;
	int n;

	if (dladdr(meta_soname, &self) && self.dli_fname && (slash = strrchr(self.dli_fname, '/'))) {
		n = snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - self.dli_fname), self.dli_fname,
			     meta_soname);
		if (n > 0 && (size_t)n < sizeof(path)) {
			lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
			if (lib)
				return lib;
		}
	}
	return dlopen(meta_soname, RTLD_NOW | RTLD_LOCAL);
}

int meta_generate(const char *symbol, const void *agent, char **ret_xml, size_t *ret_len)
{
	int (*generate)(const void *, char **, size_t *);
	void *lib = meta_open();
	int r;

	if (!lib) {
		fprintf(stderr, "Cannot load %s: %s\n", meta_soname, dlerror());
		return -ENOENT;
	}
	*(void **)&generate = dlsym(lib, symbol);
	r = generate ? generate(agent, ret_xml, ret_len) : -ENOSYS;
	dlclose(lib);
	return r;
}

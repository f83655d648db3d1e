/*
 * Shared helpers for the unit tests: a table-driven fake environment and a
 * forked runner that captures a child's stdout and stderr.
 *
 * Children must not use cmocka assertions: a failure would longjmp back into
 * the child's copy of the test runner and run the remaining tests there.
 * A child function only computes and returns an exit code; the parent asserts.
 */
#ifndef HUBHA_TESTUTIL_H
#define HUBHA_TESTUTIL_H

#include <stddef.h>

struct kv {
	const char *name;
	const char *value;
};

/* hubha_env_fn over a {NULL, NULL}-terminated struct kv array. */
const char *kv_env(const char *name, void *userdata);

/* Replace the whole environment, so the caller's HA_* and OCF_* cannot leak in. */
void kv_setenv_only(const struct kv *vars);

struct child_result {
	int status;	/* exit code, or 128 + signal number */
	char *out;	/* captured stdout, NUL-terminated */
	char *err;	/* captured stderr, NUL-terminated */
};

typedef int (*child_fn)(void *arg);

/*
 * Run fn(arg) in a forked child with stdout and stderr sent to temp files.
 * The result is valid until the next call.  It stays reachable from a static,
 * so a test that fails before cleaning up leaks nothing that LeakSanitizer,
 * running at exit in every later child, would blame on that child.
 */
const struct child_result *run_child(child_fn fn, void *arg);

/* Whole file as a NUL-terminated string, or NULL if it cannot be read. */
char *slurp(const char *path);

/* Number of lines of text that contain needle. */
size_t count_lines_with(const char *text, const char *needle);

/* Fresh private directory for files a test creates; remove with rm_tmpdir. */
char *make_tmpdir(void);
void rm_tmpdir(char *dir);

#endif

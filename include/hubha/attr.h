/*
 * Pacemaker node attributes and promotion scores, through crm_attribute and
 * attrd_updater, behind a cache so that writing an unchanged value costs no
 * process.  The cache remembers which pacemaker-attrd it wrote to and is
 * dropped when that daemon is gone (attrd forgets transient attributes when
 * it restarts), and after max_age seconds in any case.  Each run of a tool is
 * bounded, starts with a clean environment, and its stderr explains a failure.
 *
 * Calls return 0 or a negative errno and fill ret_ arguments only on success.
 */
#ifndef HUBHA_ATTR_H
#define HUBHA_ATTR_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum hubha_attr_kind {
	HUBHA_ATTR_TRANSIENT,	/* crm_attribute --lifetime=reboot: in the CIB until the node leaves */
	HUBHA_ATTR_PROMOTION,	/* crm_attribute --promotion: the resource's promotion score */
	HUBHA_ATTR_PRIVATE,	/* attrd_updater --private: shared by attrd, never in the CIB */
	HUBHA_ATTR_NODE,	/* crm_attribute --lifetime=forever: in the CIB across reboots */
};

struct hubha_attr_cache;

/* How long one tool may run when the cache does not say: Pacemaker's own default. */
#define HUBHA_ATTR_TIMEOUT_MS 5000

/*
 * Load the cache at path (a missing or stale file gives an empty cache).  Every
 * call through it kills a tool still running after timeout_ms (0: the default)
 * and fails with -ETIMEDOUT.  A NULL path gives a cache that remembers nothing:
 * a carrier for the timeout.
 */
int hubha_attr_cache_open(const char *path, unsigned max_age_s, unsigned timeout_ms,
			  struct hubha_attr_cache **ret_cache);
/* Save (when changed) and free. */
int hubha_attr_cache_close(struct hubha_attr_cache *cache);

/*
 * Every call below takes a cache (NULL: nothing remembered, the default
 * timeout) and an err buffer (may be NULL) that a failure fills with why:
 * the tool's own stderr, the exit status, the deadline, or the signal that
 * killed it (-ECANCELED).
 *
 * Set name (for PROMOTION: the resource) on node (NULL: this node) to value.
 * Returns 1 when the cache shows the value is already there and nothing ran,
 * 0 when it was written, or a negative errno.
 */
int hubha_attr_set(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node,
		   const char *name, const char *value, char *err, size_t err_len);
/*
 * As hubha_attr_set, but the cache also compares version: a value written
 * under another version (say, another walsender pid) is written again.
 */
int hubha_attr_set_versioned(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node,
			     const char *name, const char *value, const char *version, char *err, size_t err_len);
/* Delete; the cache forgets it. */
int hubha_attr_delete(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node,
		      const char *name, char *err, size_t err_len);
/*
 * Forget what the cache remembers of name, running nothing: for a value
 * someone else may have overwritten, so that the next set writes it again.
 */
void hubha_attr_forget(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node,
		       const char *name);
/* Read the value; -ENOENT when unset.  Allocated, free() it.  Never cached. */
int hubha_attr_get(struct hubha_attr_cache *cache, enum hubha_attr_kind kind, const char *node,
		   const char *name, char **ret_value, char *err, size_t err_len);

#ifdef __cplusplus
}
#endif
#endif

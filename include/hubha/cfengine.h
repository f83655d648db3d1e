/*
 * CFEngine glue: the files and module output through which CFEngine's policy
 * follows the active hub.
 *
 *  - $(sys.statedir)/master_hub.dat: "<active hub address>\n"; clients copy it
 *    over policy_server.dat (masterfiles' update_policy.cf).
 *  - cfe_internal/enterprise/ha/ha_info.json: an object keyed by hub address,
 *    each value with "sha" (the hub's key hash), "internal_ip" and an optional
 *    "is_in_cluster"; read by masterfiles' ha_def.cf with a 4 KiB limit.
 *  - the module protocol lines "+hub_active" / "+hub_passive" and
 *    "=hub_active_ip=<address>".
 *
 * Calls return 0 or a negative errno and fill ret_ arguments only on success.
 */
#ifndef HUBHA_CFENGINE_H
#define HUBHA_CFENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* readjson("...", "4k") in ha_def.cf: a longer file does not parse there. */
#define HUBHA_CFENGINE_HA_INFO_MAX 4096

#define HUBHA_CFENGINE_ADDR_MAX 256
#define HUBHA_CFENGINE_SHA_MAX 160

struct hubha_cfengine_hub {
	char ip[HUBHA_CFENGINE_ADDR_MAX];		/* the key: the address clients use */
	char sha[HUBHA_CFENGINE_SHA_MAX];		/* key hash, without "SHA=" */
	char internal_ip[HUBHA_CFENGINE_ADDR_MAX];	/* "" when absent */
	int in_cluster;					/* 1 true, 0 false, -1 absent (true) */
};

/*
 * Whether text is a host for master_hub.dat and the module: an address or
 * host name, optionally ":port", nothing that could end the line or be read
 * as another protocol line.
 */
bool hubha_cfengine_host_ok(const char *text);

/*
 * The module protocol lines for this host (context "hubha"): +hub_active
 * when local_ip is active_ip (compared as addresses when both are ones),
 * else +hub_passive, then =hub_active_ip=.  With no active hub (NULL or ""),
 * neither class: nothing is active.  -EINVAL for a bad address, -ENOSPC
 * when buf is too small.
 */
int hubha_cfengine_module(const char *active_ip, const char *local_ip, char *buf, size_t len);

/*
 * Parse ha_info.json as CFEngine does, trailing commas included: up to max
 * hubs into hubs, *ret_n their number.  -EFBIG beyond 4 KiB, -EPROTO for
 * text that is not such an object (err says where), -E2BIG for more than
 * max hubs.
 */
int hubha_cfengine_ha_info_parse(const char *text, size_t len, struct hubha_cfengine_hub *hubs, size_t max,
				 size_t *ret_n, char *err, size_t err_len);

/*
 * Format hubs as ha_info.json into buf (NUL-terminated), *ret_len its length.
 * Each ip and internal_ip must pass hubha_cfengine_host_ok and each sha be a
 * hex hash (-EINVAL, err says which); -EFBIG when the text would pass 4 KiB;
 * -ENOSPC when buf is too small.
 */
int hubha_cfengine_ha_info_format(const struct hubha_cfengine_hub *hubs, size_t n, char *buf, size_t len,
				  size_t *ret_len, char *err, size_t err_len);

/*
 * Replace dir/name with content atomically and root-safely: a temporary file
 * created O_EXCL|O_NOFOLLOW in the directory, fsync, rename, fsync of the
 * directory.  -EPERM when dir is a symlink, not owned by root (or the caller),
 * or writable by group or others; -ELOOP when name is a symlink.  *ret_changed
 * (may be NULL) false when the file already held content and was left alone.
 */
int hubha_cfengine_write_file(const char *dir, const char *name, const char *content, size_t len, mode_t mode,
			      bool *ret_changed);

/* $(statedir)/master_hub.dat = "<addr>\n", as above.  -EINVAL for a bad addr. */
int hubha_cfengine_master_hub_write(const char *statedir, const char *addr, bool *ret_changed);

#ifdef __cplusplus
}
#endif
#endif

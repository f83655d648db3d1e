/*
 * The CFEngine glue's I/O around cfengine_active.h: reading ha_info.json as
 * root, and hubhad's step that keeps master_hub.dat (and ha_enabled) on
 * this hub in line with a view.
 */
#ifndef CFENGINE_GLUE_H
#define CFENGINE_GLUE_H

#include <stddef.h>

#include <hubha/cfengine.h>
#include <hubha/cluster.h>

#define CFGLUE_HUBS_MAX 32
#define CFGLUE_PATH_MAX 256

/* Read and parse ha_info.json (no symlink, nothing but a regular file, at
 * most 4 KiB); -EPROTO with err saying why for text that does not parse. */
int cfglue_ha_info_load(const char *path, struct hubha_cfengine_hub *hubs, size_t max, size_t *ret_n, char *err,
			size_t err_len);

/* ADDRESS<sep>SHA[,INTERNAL_IP[,in-cluster|not-in-cluster]] into h; -EINVAL. */
int cfglue_hub_arg(const char *arg, char sep, struct hubha_cfengine_hub *h);

enum cfglue_outcome {
	CFGLUE_OFF = 0,		/* cfengine_statedir or cfengine_ha_info unset: HA glue off here */
	CFGLUE_WRITTEN,		/* master_hub.dat now names the active hub */
	CFGLUE_UNCHANGED,	/* it already did: left alone */
	CFGLUE_NO_PRIMARY,
	CFGLUE_MANY_PRIMARIES,
	CFGLUE_NO_MATCH,	/* the primary's address is not in ha_info.json */
	CFGLUE_BAD_HA_INFO,	/* ha_info.json cannot be read */
	CFGLUE_WRITE_FAILED,
};

struct cfglue {
	char statedir[CFGLUE_PATH_MAX];	/* $(sys.statedir) */
	char ha_info[CFGLUE_PATH_MAX];	/* ha_info.json */
	char htdocs[CFGLUE_PATH_MAX];	/* Mission Portal's htdocs, for ha_enabled; "": not kept */
	enum cfglue_outcome last;	/* what was last said, so each reason is logged once */
	char last_addr[HUBHA_CFENGINE_ADDR_MAX];
};

/*
 * One step on a view: master_hub.dat = "<active address>\n" when that can be
 * decided, else the file is left as it is.  Returns the outcome; *ret_say is
 * 1 when it differs from the last one (log msg then), 0 otherwise.
 */
enum cfglue_outcome cfglue_update(struct cfglue *g, const hubha_hub_t *hubs, size_t n, char *msg, size_t len,
				  int *ret_say);

/* $(htdocs)/ha_enabled, an empty file readable by all, when htdocs is set: 0 or a negative errno. */
int cfglue_ha_enabled(const struct cfglue *g);

#endif

/* hubha's CFEngine verbs: cfengine-module and ha-info. */
#ifndef HUBHA_CFENGINE_CMD_H
#define HUBHA_CFENGINE_CMD_H

#include <hubha/cluster.h>

/* Opens the cluster for a one-shot read as `hubha status` does. */
typedef int (*hubha_open_fn)(hubha_cluster_t **ret_cluster);

int hubha_cmd_cfengine_module(int argc, char **argv, hubha_open_fn open_fn);
int hubha_cmd_ha_info(int argc, char **argv);

#endif

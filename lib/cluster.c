#include <errno.h>
#include <stdlib.h>

#include "cluster_int.h"

int hubha_cluster_open(unsigned flags, hubha_cluster_t **ret_cluster)
{
	(void)flags;
	(void)ret_cluster;
	return -ENOSYS;
}

void hubha_cluster_close(hubha_cluster_t *cluster)
{
	(void)cluster;
}

int hubha_cluster_fd(hubha_cluster_t *cluster, int *ret_fd)
{
	(void)cluster;
	(void)ret_fd;
	return -ENOSYS;
}

int hubha_cluster_dispatch(hubha_cluster_t *cluster)
{
	(void)cluster;
	return -ENOSYS;
}

int hubha_cluster_refresh(hubha_cluster_t *cluster, int timeout_ms)
{
	(void)cluster;
	(void)timeout_ms;
	return -ENOSYS;
}

int hubha_cluster_set_notify(hubha_cluster_t *cluster, hubha_cluster_notify_fn fn, void *data)
{
	(void)cluster;
	(void)fn;
	(void)data;
	return -ENOSYS;
}

int hubha_cluster_hubs(hubha_cluster_t *cluster, hubha_hub_t **ret_hubs, size_t *ret_n)
{
	(void)cluster;
	(void)ret_hubs;
	(void)ret_n;
	return -ENOSYS;
}

void hubha_cluster_hubs_free(hubha_hub_t *hubs)
{
	free(hubs);
}

int hubha_cluster_active_hub(hubha_cluster_t *cluster, hubha_hub_t *ret_hub)
{
	(void)cluster;
	(void)ret_hub;
	return -ENOSYS;
}

int hubha_cluster_local(hubha_cluster_t *cluster, uint32_t *ret_nodeid, char ret_name[HUBHA_CLUSTER_NAME_MAX])
{
	(void)cluster;
	(void)ret_nodeid;
	(void)ret_name;
	return -ENOSYS;
}

int hubha_cluster_quorate(hubha_cluster_t *cluster, int *ret_quorate)
{
	(void)cluster;
	(void)ret_quorate;
	return -ENOSYS;
}

int hubha_cluster_health(hubha_cluster_t *cluster, const hubha_health_config_t *config,
			 hubha_health_t *ret_health, uint32_t *ret_reasons)
{
	(void)cluster;
	(void)config;
	(void)ret_health;
	(void)ret_reasons;
	return -ENOSYS;
}

int hubha_cluster_publish(hubha_cluster_t *cluster, const hubha_report_t *report)
{
	(void)cluster;
	(void)report;
	return -ENOSYS;
}

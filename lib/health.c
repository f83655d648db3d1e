/*
 * The health verdict, decided from the hub list and quorum alone, so every
 * rule has a row in a table test.  Only a member's report speaks for the
 * present: a node out of the membership is counted as missing, and its last
 * report (kept for "last seen") decides nothing.  Nodes whose report says
 * HUBHA_ROLE_NONE hold a vote and run no PostgreSQL: they are not hubs.
 */
#include <string.h>

#include "cluster_int.h"

#define DEFAULT_MAX_LAG_BYTES (UINT64_C(16) << 20)
#define DEFAULT_STALE_FACTOR 3u

static int live(const hubha_hub_t *h)
{
	return h->member && h->has_report;
}

long hubha_hubs_primary(const hubha_hub_t *hubs, size_t n)
{
	long found = -1;

	for (size_t i = 0; i < n; i++) {
		if (!live(&hubs[i]) || hubs[i].report.role != HUBHA_ROLE_PRIMARY)
			continue;
		if (found != -1)
			return -2;
		found = (long)i;
	}
	return found;
}

static const hubha_standby_row_t *row_of(const hubha_report_t *primary, const char *name)
{
	for (uint32_t i = 0; i < primary->n_standbys && i < HUBHA_CLUSTER_STANDBYS_MAX; i++)
		if (strncmp(primary->standbys[i].name, name, HUBHA_CLUSTER_NAME_MAX) == 0)
			return &primary->standbys[i];
	return NULL;
}

/*
 * A standby on an older timeline than the primary's still compares: the
 * new timeline forked from its history.  One on a newer timeline has
 * diverged, and zero positions or timelines are not known.
 */
static int64_t lag_of(const hubha_report_t *primary, const hubha_report_t *standby)
{
	if (!primary->lsn || !standby->lsn || !primary->timeline || !standby->timeline ||
	    standby->timeline > primary->timeline)
		return -1;
	/* Reports are made at different moments: a standby may seem ahead. */
	if (standby->lsn >= primary->lsn)
		return 0;
	return primary->lsn - standby->lsn > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)(primary->lsn - standby->lsn);
}

void hubha_hubs_derive(hubha_hub_t *hubs, size_t n)
{
	long p = hubha_hubs_primary(hubs, n);

	for (size_t i = 0; i < n; i++) {
		hubha_hub_t *h = &hubs[i];
		const hubha_standby_row_t *row;

		h->lag_bytes = -1;
		h->sync_state = HUBHA_SYNC_UNKNOWN;
		if (p < 0 || !h->has_report || h->report.role != HUBHA_ROLE_STANDBY)
			continue;
		h->lag_bytes = lag_of(&hubs[p].report, &h->report);
		row = row_of(&hubs[p].report, h->name);
		if (row)
			h->sync_state = row->sync_state;
	}
}

static int stale(const hubha_hub_t *h, uint32_t factor)
{
	if (!h->has_report)
		return 1;
	/* A publisher without an interval sends on change only: age says nothing. */
	return h->report.interval_ms && h->report_age_ms > (uint64_t)factor * h->report.interval_ms;
}

static uint32_t standby_reasons(const hubha_hub_t *h, const hubha_hub_t *primary, uint64_t max_lag)
{
	const hubha_standby_row_t *row;
	uint32_t reasons = 0;

	/* A hub whose PostgreSQL is no standby (down, unknown) replicates nothing. */
	if (h->report.role != HUBHA_ROLE_STANDBY || h->report.wal_receiver != HUBHA_WALRCV_STREAMING)
		reasons |= HUBHA_REASON_STANDBY_NOT_STREAMING;
	if (primary) {
		row = row_of(&primary->report, h->name);
		if (!row || row->state != HUBHA_WALRCV_STREAMING)
			reasons |= HUBHA_REASON_STANDBY_NOT_STREAMING;
	}
	if (h->lag_bytes >= 0 && (uint64_t)h->lag_bytes > max_lag)
		reasons |= HUBHA_REASON_LAG;
	return reasons;
}

static int sync_standby_listed(const hubha_report_t *primary)
{
	for (uint32_t i = 0; i < primary->n_standbys && i < HUBHA_CLUSTER_STANDBYS_MAX; i++)
		if (primary->standbys[i].sync_state == HUBHA_SYNC_SYNC ||
		    primary->standbys[i].sync_state == HUBHA_SYNC_QUORUM)
			return 1;
	return 0;
}

void hubha_health_decide(const hubha_hub_t *hubs, size_t n, int quorate, const hubha_health_config_t *config,
			 hubha_health_t *ret_health, uint32_t *ret_reasons)
{
	uint64_t max_lag = config && config->max_lag_bytes ? config->max_lag_bytes : DEFAULT_MAX_LAG_BYTES;
	uint32_t factor = config && config->stale_factor ? config->stale_factor : DEFAULT_STALE_FACTOR;
	const hubha_hub_t *primary = NULL;
	size_t members = 0, reports = 0;
	uint32_t reasons = 0;
	long p;

	for (size_t i = 0; i < n; i++) {
		if (!hubs[i].member)
			reasons |= HUBHA_REASON_PEER_NOT_MEMBER;
		members += !!hubs[i].member;
		reports += !!hubs[i].has_report;
	}
	if (!quorate || (n > 1 && members <= 1))
		reasons |= HUBHA_REASON_NO_QUORUM;
	if (!reports) {
		*ret_health = HUBHA_HEALTH_UNKNOWN;
		*ret_reasons = reasons;
		return;
	}

	p = hubha_hubs_primary(hubs, n);
	if (p == -1)
		reasons |= HUBHA_REASON_NO_PRIMARY;
	else if (p == -2)
		reasons |= HUBHA_REASON_MULTIPLE_PRIMARIES;
	else
		primary = &hubs[p];

	for (size_t i = 0; i < n; i++) {
		const hubha_hub_t *h = &hubs[i];

		if (h->has_report && (h->report.flags & HUBHA_REPORT_FENCING_DISABLED))
			reasons |= HUBHA_REASON_FENCING_DISABLED;
		if (!h->member)
			continue;
		if (stale(h, factor))
			reasons |= HUBHA_REASON_STALE_REPORT;
		if (!h->has_report || h->report.role == HUBHA_ROLE_NONE || h->report.role == HUBHA_ROLE_PRIMARY)
			continue;
		reasons |= standby_reasons(h, primary, max_lag);
	}

	if (primary) {
		if ((primary->report.flags & HUBHA_REPORT_SYNC_REQUESTED) && !sync_standby_listed(&primary->report))
			reasons |= HUBHA_REASON_SYNC_NO_STANDBY;
		if (primary->report.services != HUBHA_SERVICES_OK && primary->report.services != HUBHA_SERVICES_UNKNOWN)
			reasons |= HUBHA_REASON_SERVICES;
	}

	*ret_health = reasons ? HUBHA_HEALTH_DEGRADED : HUBHA_HEALTH_OK;
	*ret_reasons = reasons;
}

/*
 * hubha-qdevice-check's rule, pure: which PostgreSQL states pass.
 */
#ifndef HUBHA_QDEVICE_CHECK_H
#define HUBHA_QDEVICE_CHECK_H

#include <stdbool.h>

#include <hubha/pg.h>

enum qdc_verdict {
	QDC_PRIMARY,		/* pass */
	QDC_ORPHAN_STANDBY,	/* pass: a standby that no longer streams */
	QDC_STREAMING_STANDBY,	/* fail: its primary is alive on the other half */
	QDC_NO_SERVER,		/* fail: not running, or no answer in time */
};

enum qdc_verdict qdc_decide(bool answered, const struct hubha_pg_status *status);
bool qdc_passes(enum qdc_verdict v);
const char *qdc_text(enum qdc_verdict v);

#endif

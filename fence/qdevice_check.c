/*
 * hubha-qdevice-check's rule: see qdevice_check.h.
 */
#include <string.h>

#include "qdevice_check.h"

enum qdc_verdict qdc_decide(bool answered, const struct hubha_pg_status *status)
{
	if (!answered || !status)
		return QDC_NO_SERVER;
	if (!status->in_recovery)
		return QDC_PRIMARY;
	/* "streaming" is the only state in which the receiver gets WAL from a live primary. */
	if (strcmp(status->receiver, "streaming") == 0)
		return QDC_STREAMING_STANDBY;
	return QDC_ORPHAN_STANDBY;
}

bool qdc_passes(enum qdc_verdict v)
{
	return v == QDC_PRIMARY || v == QDC_ORPHAN_STANDBY;
}

const char *qdc_text(enum qdc_verdict v)
{
	switch (v) {
	case QDC_PRIMARY:
		return "pass: the local PostgreSQL is the primary";
	case QDC_ORPHAN_STANDBY:
		return "pass: the local PostgreSQL is a standby that does not stream";
	case QDC_STREAMING_STANDBY:
		return "fail: the local PostgreSQL is a streaming standby";
	case QDC_NO_SERVER:
	default:
		return "fail: no local PostgreSQL answered";
	}
}

/*
 * stonith-enabled, read from the CIB by crm_attribute in a child whose
 * output the loop reads: a slow CIB never stalls hubhad.
 */
#ifndef HUBHAD_FENCING_H
#define HUBHAD_FENCING_H

#include <stdint.h>
#include <qb/qbloop.h>

#define HUBHAD_FENCING_EVERY_MS 30000
#define HUBHAD_FENCING_TIMEOUT_MS 5000

struct hubhad_fencing;

/* flags: HUBHA_REPORT_FENCING_KNOWN | _DISABLED, or 0 when it could not be read. */
typedef void (*hubhad_fencing_fn)(uint32_t flags, void *data);

int hubhad_fencing_new(qb_loop_t *loop, const char *crm_attribute, hubhad_fencing_fn fn, void *data,
		       struct hubhad_fencing **ret);
/* Starts a read when none is under way and the last one is old enough;
 * reaps a child that has finished. */
void hubhad_fencing_tick(struct hubhad_fencing *f);
void hubhad_fencing_free(struct hubhad_fencing *f);

#endif

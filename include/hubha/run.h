/*
 * Running a Pacemaker command-line tool (crm_attribute, cibadmin, ...) from
 * an agent or a fence agent, bounded by the operation's time.
 */
#ifndef HUBHA_RUN_H
#define HUBHA_RUN_H

#include <stddef.h>

/*
 * Run argv[0] (searched in PATH) with stdin from /dev/null, no other
 * descriptor, default signals, and of our environment only PATH, LC_ALL=C and
 * Pacemaker's and hubha's own variables (HA_*, PCMK_*, CIB_*, the resource's
 * OCF_RESKEY_CRM_meta_*, HUBHA_*).  Killed when timeout_ms passes.  With out,
 * up to out_len - 1 bytes of its stdout are kept, NUL-terminated.
 *
 * Returns 0 when it exits 0; -ENOENT when it exits 105 (Pacemaker's "no such
 * object"); -EIO for another exit status; -ECANCELED when a signal ended it;
 * -ETIMEDOUT when it was killed for time; another negative errno when it could
 * not be started.  Every failure fills err with one line naming the tool and
 * its stderr.
 */
int hubha_run_tool(char *const argv[], unsigned timeout_ms, char *out, size_t out_len, char *err, size_t err_len);

#endif

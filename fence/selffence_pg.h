/*
 * Stop a PostgreSQL instance hard: its postmaster, found through
 * postmaster.pid and proven by /proc identity, and every process it forked.
 */
#ifndef HUBHA_SELFFENCE_PG_H
#define HUBHA_SELFFENCE_PG_H

#include <stddef.h>
#include <sys/types.h>

/*
 * 0 when no postmaster of pgdata runs (none did, or it is gone now), a
 * positive pid when one still runs after SIGKILL and wait_ms, -errno when
 * /proc cannot tell (err says why).
 */
int sf_pg_kill(const char *pgdata, unsigned wait_ms, char *err, size_t err_len);

#endif

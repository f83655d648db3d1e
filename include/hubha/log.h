/*
 * Logging for agents.  libqb is set up on the first message rather than at
 * start, because most monitors log nothing and setting it up costs about as
 * much as the monitor itself.
 */
#ifndef HUBHA_LOG_H
#define HUBHA_LOG_H

#include <qb/qblog.h>
#include <syslog.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Remember the tag; logging is set up from the environment on first use. */
void hubha_log_defer(const char *tag);
/* Set up now if deferred and not done yet. */
void hubha_log_ensure(void);
/* Tear down if it was set up. */
void hubha_log_done(void);

#define hubha_log(priority, ...)                   \
	do {                                       \
		hubha_log_ensure();                \
		qb_log((priority), __VA_ARGS__);   \
	} while (0)

#ifdef __cplusplus
}
#endif
#endif

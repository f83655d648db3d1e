/*
 * One way to bound a wait: a deadline on CLOCK_MONOTONIC, so a loop whose
 * iterations block (a connect, a fork) cannot overrun its operation's
 * timeout the way counting sleeps does.
 */
#ifndef HUBHA_DEADLINE_H
#define HUBHA_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct hubha_deadline {
	uint64_t end_ms;
};

static inline uint64_t hubha_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static inline struct hubha_deadline hubha_deadline_in(unsigned ms)
{
	struct hubha_deadline d = { .end_ms = hubha_now_ms() + ms };

	return d;
}

/* Milliseconds left, 0 once passed. */
static inline unsigned hubha_deadline_left_ms(struct hubha_deadline d)
{
	uint64_t now = hubha_now_ms();

	return now >= d.end_ms ? 0 : (unsigned)(d.end_ms - now);
}

static inline bool hubha_deadline_passed(struct hubha_deadline d)
{
	return hubha_deadline_left_ms(d) == 0;
}

#endif

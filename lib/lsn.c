/*
 * WAL positions as text.  Pure, and apart from pg.c: the pgsql agent compiles
 * them in, so reading a position never loads libpq.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hubha/pg.h>

/* As PostgreSQL spells a pg_lsn: 1 to 8 hex digits, '/', 1 to 8 hex digits; nothing else. */
int hubha_lsn_parse(const char *text, hubha_lsn *ret_lsn)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	size_t hi_len, lo_len;

	if (!text)
		return -EINVAL;
	hi_len = strspn(text, hex);
	if (hi_len < 1 || hi_len > 8 || text[hi_len] != '/')
		return -EINVAL;
	lo_len = strspn(text + hi_len + 1, hex);
	if (lo_len < 1 || lo_len > 8 || text[hi_len + 1 + lo_len] != '\0')
		return -EINVAL;
	*ret_lsn = (strtoull(text, NULL, 16) << 32) | strtoull(text + hi_len + 1, NULL, 16);
	return 0;
}

void hubha_lsn_format(hubha_lsn lsn, char *buf, size_t len)
{
	snprintf(buf, len, "%X/%X", (unsigned)(lsn >> 32), (unsigned)(lsn & 0xFFFFFFFFu));
}

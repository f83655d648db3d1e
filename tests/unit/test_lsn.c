/*
 * WAL positions as text (lib/pg.c): hubha_lsn_parse and hubha_lsn_format,
 * in PostgreSQL's pg_lsn notation "HI/LO", each half up to 8 hex digits.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <hubha/pg.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)

static const struct {
	const char *text;
	hubha_lsn lsn;
	const char *canonical;	/* what format gives back */
} good[] = {
	{ "0/0", 0, "0/0" },
	{ "0/1", 1, "0/1" },
	{ "1/0", UINT64_C(0x100000000), "1/0" },
	{ "0/3000060", UINT64_C(0x3000060), "0/3000060" },
	{ "16/B374D848", UINT64_C(0x16B374D848), "16/B374D848" },
	{ "16/b374d848", UINT64_C(0x16B374D848), "16/B374D848" },
	{ "aBc/DeF", UINT64_C(0xABC00000DEF), "ABC/DEF" },
	{ "00000001/00000002", UINT64_C(0x100000002), "1/2" },
	{ "FFFFFFFF/0", UINT64_C(0xFFFFFFFF00000000), "FFFFFFFF/0" },
	{ "0/FFFFFFFF", UINT64_C(0xFFFFFFFF), "0/FFFFFFFF" },
	{ "FFFFFFFF/FFFFFFFF", UINT64_MAX, "FFFFFFFF/FFFFFFFF" },
	{ "ffffffff/ffffffff", UINT64_MAX, "FFFFFFFF/FFFFFFFF" },
	{ "80000000/80000000", UINT64_C(0x8000000080000000), "80000000/80000000" },
};

static void test_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < LEN(good); i++) {
		hubha_lsn lsn = SENTINEL;

		if (hubha_lsn_parse(good[i].text, &lsn) != 0)
			fail_msg("'%s' rejected", good[i].text);
		if (lsn != good[i].lsn)
			fail_msg("'%s' gave %" PRIx64 ", expected %" PRIx64, good[i].text, lsn, good[i].lsn);
	}
}

static void test_format(void **state)
{
	(void)state;
	for (size_t i = 0; i < LEN(good); i++) {
		char buf[32];

		memset(buf, 'x', sizeof(buf));
		hubha_lsn_format(good[i].lsn, buf, sizeof(buf));
		assert_string_equal(buf, good[i].canonical);
	}
}

/* format then parse gives the same position, across the whole range. */
static void test_round_trip(void **state)
{
	static const hubha_lsn edges[] = {
		0, 1, UINT64_C(0xFFFFFFFF), UINT64_C(0x100000000), UINT64_C(0x1FFFFFFFF),
		UINT64_C(0x7FFFFFFFFFFFFFFF), UINT64_C(0x8000000000000000), UINT64_MAX - 1, UINT64_MAX,
	};
	hubha_lsn x = UINT64_C(0x0123456789ABCDEF);

	(void)state;
	for (size_t i = 0; i < LEN(edges) + 1000; i++) {
		hubha_lsn in, out = SENTINEL;
		char buf[32];

		if (i < LEN(edges)) {
			in = edges[i];
		} else {
			/* xorshift64: deterministic spread over all 64 bits */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			in = x;
		}
		hubha_lsn_format(in, buf, sizeof(buf));
		if (hubha_lsn_parse(buf, &out) != 0 || out != in)
			fail_msg("%" PRIx64 " -> '%s' -> %" PRIx64, in, buf, out);
	}
}

/* Positions compare as integers, which is what elections rely on. */
static void test_order(void **state)
{
	hubha_lsn a, b, c;

	(void)state;
	assert_int_equal(hubha_lsn_parse("0/FFFFFFFF", &a), 0);
	assert_int_equal(hubha_lsn_parse("1/0", &b), 0);
	assert_int_equal(hubha_lsn_parse("1/1", &c), 0);
	assert_true(a < b);
	assert_true(b < c);
	assert_int_equal(b - a, 1);
}

/* The longest position, "FFFFFFFF/FFFFFFFF", needs 18 bytes; shorter buffers truncate. */
static void test_format_truncates(void **state)
{
	char buf[32];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	hubha_lsn_format(UINT64_MAX, buf, 18);
	assert_string_equal(buf, "FFFFFFFF/FFFFFFFF");
	memset(buf, 'x', sizeof(buf));
	hubha_lsn_format(UINT64_MAX, buf, 5);
	assert_string_equal(buf, "FFFF");
	assert_int_equal(buf[5], 'x');
	memset(buf, 'x', sizeof(buf));
	hubha_lsn_format(UINT64_MAX, buf, 1);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'x');
	/* Nothing at all is written into a zero-length buffer. */
	memset(buf, 'x', sizeof(buf));
	hubha_lsn_format(UINT64_MAX, buf, 0);
	assert_int_equal(buf[0], 'x');
}

static int rejects(const char *text)
{
	hubha_lsn lsn = SENTINEL;

	return hubha_lsn_parse(text, &lsn) == -EINVAL && lsn == SENTINEL;
}

static void test_rejects(void **state)
{
	static const char *const bad[] = {
		"", "/", "1/", "/1", "1", "12345678", "1/2x", "1/2 ", "1/2\n", "1 /2", "x1/2",
		"1/2/3", "1//2", "1\\2", "1:2", "g/0", "0/g", "1/2;", "ABCDEFGH/0",
	};

	(void)state;
	for (size_t i = 0; i < LEN(bad); i++)
		if (!rejects(bad[i]))
			fail_msg("'%s' accepted (or result touched)", bad[i]);
	assert_int_equal(hubha_lsn_parse(NULL, &(hubha_lsn){ 0 }), -EINVAL);
}

/*
 * Forms PostgreSQL's pg_lsn input rejects but sscanf("%X/%X") takes: leading
 * whitespace, a sign, a 0x prefix, more than 8 hex digits (silently wrapped
 * or clamped).  A regression test for lib/pg.c hubha_lsn_parse.
 */
static void test_rejects_lax_forms(void **state)
{
	static const char *const bad[] = {
		" 1/2", "\t1/2", "1/ 2", "+1/2", "1/+2", "-1/2", "1/-2", "0x1/2", "1/0x2",
		"100000000/0", "0/100000000", "FFFFFFFFF/0", "0/FFFFFFFFF", "000000001/0",
	};
	unsigned failed = 0;

	(void)state;
	for (size_t i = 0; i < LEN(bad); i++) {
		if (rejects(bad[i]))
			continue;
		print_message("hubha_lsn_parse accepts '%s'\n", bad[i]);
		failed++;
	}
	if (!failed)
		return;
	fail_msg("%u lax forms accepted", failed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_format_truncates),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_rejects_lax_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

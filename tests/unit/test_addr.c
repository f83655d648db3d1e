/*
 * Address parsing, formatting and prefix arithmetic (lib/addr.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <hubha/netlink.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Parse text that the test knows to be valid. */
static struct hubha_addr addr(const char *text)
{
	struct hubha_addr a;

	memset(&a, 0, sizeof(a));
	if (hubha_addr_parse(text, &a) != 0)
		fail_msg("test setup: '%s' does not parse", text);
	return a;
}

static void test_parse_ipv4(void **state)
{
	struct hubha_addr a;

	(void)state;
	assert_int_equal(hubha_addr_parse("192.0.2.1", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(ntohl(a.u.v4.s_addr), 0xc0000201u);

	assert_int_equal(hubha_addr_parse("0.0.0.0", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.u.v4.s_addr, 0);

	assert_int_equal(hubha_addr_parse("255.255.255.255", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(ntohl(a.u.v4.s_addr), 0xffffffffu);
}

static void test_parse_ipv6(void **state)
{
	static const uint8_t doc[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
	static const uint8_t ll[16] = { 0xfe, 0x80, [15] = 0x01 };
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 7 };
	static const uint8_t any[16] = { 0 };
	struct hubha_addr a;

	(void)state;
	assert_int_equal(hubha_addr_parse("2001:db8::1", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_memory_equal(&a.u.v6, doc, 16);

	assert_int_equal(hubha_addr_parse("2001:DB8:0:0:0:0:0:1", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_memory_equal(&a.u.v6, doc, 16);

	assert_int_equal(hubha_addr_parse("fe80::1", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_memory_equal(&a.u.v6, ll, 16);

	/* An IPv4-mapped address is IPv6, not IPv4. */
	assert_int_equal(hubha_addr_parse("::ffff:192.0.2.7", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_memory_equal(&a.u.v6, mapped, 16);

	assert_int_equal(hubha_addr_parse("::", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_memory_equal(&a.u.v6, any, 16);
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"", " ", "192.0.2.1 ", " 192.0.2.1", "192.0.2 .1", "2001:db8:: 1", "\t::1",
		"10.0.0.1/24", "2001:db8::/64", "fe80::1%eth0", "fe80::1%1",
		"10.1", "10", "10.0.1", "0x0a.0.0.1", "010.0.0.1", "1.2.3.04",
		"256.1.1.1", "1.1.1.256", "1.2.3.4.5", "1.2.3.", "-1.2.3.4",
		"::g", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "localhost", "0.0.0.0\n",
	};

	(void)state;
	for (size_t i = 0; i < LEN(bad); i++) {
		struct hubha_addr a;

		memset(&a, 0x5a, sizeof(a));
		if (hubha_addr_parse(bad[i], &a) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
		/* ret_addr is filled only on success. */
		for (size_t j = 0; j < sizeof(a); j++)
			if (((const unsigned char *)&a)[j] != 0x5a)
				fail_msg("'%s' touched the result", bad[i]);
	}
	assert_int_equal(hubha_addr_parse(NULL, &(struct hubha_addr){ 0 }), -EINVAL);
	assert_int_equal(hubha_addr_parse("192.0.2.1", NULL), -EINVAL);
}

/* Text that is already canonical comes back unchanged; the rest canonicalised. */
static void test_format_round_trip(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "192.0.2.1", "192.0.2.1" },
		{ "0.0.0.0", "0.0.0.0" },
		{ "255.255.255.255", "255.255.255.255" },
		{ "2001:db8::1", "2001:db8::1" },
		{ "2001:DB8:0:0:0:0:0:1", "2001:db8::1" },
		{ "fe80:0000::0001", "fe80::1" },
		{ "::", "::" },
		{ "::1", "::1" },
		{ "::ffff:192.0.2.7", "::ffff:192.0.2.7" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		struct hubha_addr a = addr(cases[i].in), b;
		char buf[INET6_ADDRSTRLEN];

		memset(buf, 'x', sizeof(buf));
		assert_int_equal(hubha_addr_format(&a, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].out);
		assert_int_equal(hubha_addr_parse(buf, &b), 0);
		assert_int_equal(b.family, a.family);
		assert_memory_equal(&b.u, &a.u, a.family == AF_INET ? 4 : 16);
	}
}

static void test_format_short_buffer(void **state)
{
	struct hubha_addr v4 = addr("255.255.255.255"), v6 = addr("2001:db8::1");
	char big[256];
	char buf[INET6_ADDRSTRLEN];

	(void)state;
	/* "255.255.255.255" needs 16 bytes with its NUL. */
	for (size_t len = 0; len < 16; len++)
		if (hubha_addr_format(&v4, buf, len) != -ENOSPC)
			fail_msg("v4 into %zu bytes did not give -ENOSPC", len);
	assert_int_equal(hubha_addr_format(&v4, buf, 16), 0);
	assert_string_equal(buf, "255.255.255.255");

	/* "2001:db8::1" needs 12. */
	assert_int_equal(hubha_addr_format(&v6, buf, 11), -ENOSPC);
	assert_int_equal(hubha_addr_format(&v6, buf, 12), 0);
	assert_string_equal(buf, "2001:db8::1");

	/* A buffer larger than INET6_ADDRSTRLEN is fine. */
	assert_int_equal(hubha_addr_format(&v6, big, sizeof(big)), 0);
	assert_string_equal(big, "2001:db8::1");
}

static void test_format_bad_arguments(void **state)
{
	struct hubha_addr a = addr("192.0.2.1");
	char buf[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(hubha_addr_format(NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(hubha_addr_format(&a, NULL, sizeof(buf)), -EINVAL);
	a.family = AF_UNIX;
	assert_int_equal(hubha_addr_format(&a, buf, sizeof(buf)), -EAFNOSUPPORT);
	a.family = 0;
	assert_int_equal(hubha_addr_format(&a, buf, sizeof(buf)), -EAFNOSUPPORT);
}

struct prefix_case {
	const char *addr, *net;
	unsigned len;
	bool in;
};

static const struct prefix_case prefix_cases[] = {
	{ "10.0.0.1", "10.0.0.0", 24, true },
	{ "10.0.0.255", "10.0.0.0", 24, true },
	{ "10.0.1.0", "10.0.0.0", 24, false },
	{ "9.255.255.255", "10.0.0.0", 8, false },
	{ "10.255.255.255", "10.0.0.0", 8, true },
	/* /25: the boundary falls inside the last octet. */
	{ "10.0.0.128", "10.0.0.128", 25, true },
	{ "10.0.0.255", "10.0.0.128", 25, true },
	{ "10.0.0.127", "10.0.0.128", 25, false },
	{ "10.0.0.127", "10.0.0.0", 25, true },
	{ "10.0.0.128", "10.0.0.0", 25, false },
	/* Host bits of the network do not matter. */
	{ "10.0.0.200", "10.0.0.129", 25, true },
	/* Odd lengths everywhere. */
	{ "172.16.0.1", "172.31.255.255", 12, true },
	{ "172.32.0.1", "172.16.0.0", 12, false },
	{ "192.0.2.3", "192.0.2.2", 31, true },
	{ "192.0.2.4", "192.0.2.2", 31, false },
	{ "192.0.2.1", "192.0.2.1", 32, true },
	{ "192.0.2.1", "192.0.2.0", 32, false },
	{ "192.0.2.1", "192.0.2.1", 33, false },
	{ "192.0.2.1", "0.0.0.0", 0, true },
	{ "255.255.255.255", "1.2.3.4", 0, true },
	{ "0.0.0.0", "128.0.0.0", 1, false },
	{ "127.255.255.255", "0.0.0.0", 1, true },

	{ "2001:db8::1", "2001:db8::", 32, true },
	{ "2001:db9::1", "2001:db8::", 32, false },
	{ "2001:db8::1", "2001:db8::", 64, true },
	{ "2001:db8:0:1::1", "2001:db8::", 64, false },
	{ "2001:db8::ffff", "2001:db8::ff00", 120, true },
	{ "2001:db8::1:ff", "2001:db8::ff00", 120, false },
	{ "2001:db8::80", "2001:db8::80", 121, true },
	{ "2001:db8::7f", "2001:db8::80", 121, false },
	{ "2001:db8::1", "2001:db8::1", 128, true },
	{ "2001:db8::1", "2001:db8::", 128, false },
	{ "2001:db8::1", "2001:db8::1", 129, false },
	{ "::1", "ffff::", 0, true },
	{ "fe80::1", "fe80::", 10, true },
	{ "febf::1", "fe80::", 10, true },
	{ "fec0::1", "fe80::", 10, false },

	/* Same bytes, other family. */
	{ "10.0.0.1", "::", 0, false },
	{ "::", "0.0.0.0", 0, false },
	{ "::ffff:10.0.0.1", "10.0.0.0", 8, false },
};

static void test_in_prefix(void **state)
{
	(void)state;
	for (size_t i = 0; i < LEN(prefix_cases); i++) {
		const struct prefix_case *c = &prefix_cases[i];
		struct hubha_addr a = addr(c->addr), n = addr(c->net);

		if (hubha_addr_in_prefix(&a, &n, c->len) != c->in)
			fail_msg("%s in %s/%u: expected %s", c->addr, c->net, c->len, c->in ? "true" : "false");
	}
}

static void test_in_prefix_bad_arguments(void **state)
{
	struct hubha_addr a = addr("10.0.0.1"), n = addr("10.0.0.0");

	(void)state;
	assert_true(hubha_addr_in_prefix(&a, &n, 8));
	assert_false(hubha_addr_in_prefix(NULL, &n, 8));
	assert_false(hubha_addr_in_prefix(&a, NULL, 8));
	assert_false(hubha_addr_in_prefix(&a, &n, UINT32_MAX));
	/* An unknown family is in nothing, not even /0 of itself. */
	a.family = n.family = AF_UNIX;
	assert_false(hubha_addr_in_prefix(&a, &n, 0));
}

struct brd_case {
	const char *addr;
	unsigned len;
	const char *brd;
};

/*
 * Pure arithmetic: the host part set to all ones.  /31 and /32 have no real
 * broadcast (RFC 3021); vip.c does not ask for one there, and the library
 * still answers with the arithmetic result.
 */
static const struct brd_case brd_cases[] = {
	{ "192.0.2.1", 24, "192.0.2.255" },
	{ "192.0.2.255", 24, "192.0.2.255" },
	{ "10.1.2.3", 8, "10.255.255.255" },
	{ "10.1.2.3", 16, "10.1.255.255" },
	{ "10.0.0.130", 25, "10.0.0.255" },
	{ "10.0.0.5", 25, "10.0.0.127" },
	{ "10.0.0.1", 30, "10.0.0.3" },
	{ "10.0.0.6", 30, "10.0.0.7" },
	{ "10.0.0.0", 31, "10.0.0.1" },
	{ "10.0.0.1", 31, "10.0.0.1" },
	{ "10.0.0.1", 32, "10.0.0.1" },
	{ "10.0.0.1", 0, "255.255.255.255" },
	{ "0.0.0.0", 1, "127.255.255.255" },
	{ "128.0.0.0", 1, "255.255.255.255" },
	{ "172.16.5.4", 12, "172.31.255.255" },
};

static void test_broadcast(void **state)
{
	(void)state;
	for (size_t i = 0; i < LEN(brd_cases); i++) {
		const struct brd_case *c = &brd_cases[i];
		struct hubha_addr a = addr(c->addr), b;
		char buf[INET6_ADDRSTRLEN];

		memset(&b, 0x5a, sizeof(b));
		if (hubha_addr_broadcast(&a, c->len, &b) != 0)
			fail_msg("%s/%u failed", c->addr, c->len);
		assert_int_equal(b.family, AF_INET);
		assert_int_equal(hubha_addr_format(&b, buf, sizeof(buf)), 0);
		if (strcmp(buf, c->brd) != 0)
			fail_msg("%s/%u: broadcast %s, expected %s", c->addr, c->len, buf, c->brd);
		/* The broadcast address lies in the prefix it was computed for. */
		assert_true(hubha_addr_in_prefix(&b, &a, c->len));
	}
}

static void test_broadcast_rejects(void **state)
{
	struct hubha_addr v4 = addr("10.0.0.1"), v6 = addr("2001:db8::1"), b, before;

	(void)state;
	memset(&b, 0x5a, sizeof(b));
	before = b;
	assert_int_equal(hubha_addr_broadcast(&v4, 33, &b), -EINVAL);
	assert_int_equal(hubha_addr_broadcast(&v4, UINT32_MAX, &b), -EINVAL);
	assert_int_equal(hubha_addr_broadcast(&v6, 64, &b), -EAFNOSUPPORT);
	assert_int_equal(hubha_addr_broadcast(NULL, 24, &b), -EINVAL);
	assert_memory_equal(&b, &before, sizeof(b));
	assert_int_equal(hubha_addr_broadcast(&v4, 24, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ipv4),
		cmocka_unit_test(test_parse_ipv6),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_format_short_buffer),
		cmocka_unit_test(test_format_bad_arguments),
		cmocka_unit_test(test_in_prefix),
		cmocka_unit_test(test_in_prefix_bad_arguments),
		cmocka_unit_test(test_broadcast),
		cmocka_unit_test(test_broadcast_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * FenceAgentAPI argument parsing (lib/fence.c): key=value lines on stdin,
 * then -o/-n/--key[=value] options, with bounds on lines, bytes and count.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <hubha/fence.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS 128
#define MAX_LINE 4096
#define BIG (64 * 1024)

static char untouched;
#define UNTOUCHED ((struct hubha_fence_args *)&untouched)

/* The last parse, freed by the next one and at teardown. */
static struct hubha_fence_args *args;
static char reason[512];

static int free_args(void **state)
{
	(void)state;
	if (args != UNTOUCHED)
		hubha_fence_args_free(args);
	args = NULL;
	return 0;
}

/* Parse len bytes of stdin text (NULL: no stdin) and a NULL-terminated argv after argv[0]. */
static int parse_n(const char *in, size_t in_len, size_t max_bytes, char **argv)
{
	char *full[2 * MAX_ARGS + 8] = { (char *)"fence_test" };
	FILE *f = NULL;
	int argc = 1, r;

	free_args(NULL);
	for (; argv && argv[argc - 1]; argc++) {
		assert_true((size_t)argc < LEN(full) - 1);
		full[argc] = argv[argc - 1];
	}
	full[argc] = NULL;
	if (in) {
		/* fmemopen cannot open an empty buffer everywhere; /dev/null is the same stream. */
		f = in_len ? fmemopen((void *)in, in_len, "r") : fopen("/dev/null", "r");
		assert_non_null(f);
	}
	strcpy(reason, "(untouched)");
	args = UNTOUCHED;
	r = hubha_fence_args_parse(f, max_bytes, argc, full, &args, reason, sizeof(reason));
	if (f)
		fclose(f);
	if (r == 0)
		assert_true(args != UNTOUCHED && args != NULL);
	else
		assert_true(args == UNTOUCHED);	/* ret_args filled only on success */
	return r;
}

static int parse(const char *in, char **argv)
{
	return parse_n(in, in ? strlen(in) : 0, BIG, argv);
}

static const char *get(const char *key)
{
	return hubha_fence_args_get(args, key);
}

#define assert_arg(key, want) assert_string_equal(get(key) ? get(key) : "(null)", want)

static void test_stdin_lines(void **state)
{
	(void)state;
	assert_int_equal(parse("action=reboot\n"
			       "# a comment=with an equals sign\n"
			       "\n"
			       "   \t\n"
			       "  # indented comment\n"
			       "plug=node1\n"
			       "\tip=192.0.2.10\n"
			       "password=a=b=c\n"
			       "empty=\n"
			       "spaced=a value with  spaces \n"
			       "last=no newline",
			       NULL),
			 0);
	assert_arg("action", "reboot");
	assert_arg("plug", "node1");
	assert_arg("ip", "192.0.2.10");
	assert_arg("password", "a=b=c");
	assert_arg("empty", "");
	assert_arg("spaced", "a value with  spaces ");
	assert_arg("last", "no newline");
	assert_null(get("#"));
	assert_null(get("# a comment"));
	assert_null(get("a comment"));
}

static void test_crlf(void **state)
{
	(void)state;
	assert_int_equal(parse("action=off\r\nplug=node2\r\n\r\n#c\r\nport=\r\n", NULL), 0);
	assert_arg("action", "off");
	assert_arg("plug", "node2");
	assert_arg("port", "");
	assert_null(strchr(get("plug"), '\r'));
}

static void test_missing_key(void **state)
{
	(void)state;
	assert_int_equal(parse("action=on\n", NULL), 0);
	assert_null(get("plug"));
	assert_null(get(""));
	/* Keys are case-sensitive and whole. */
	assert_null(get("Action"));
	assert_null(get("act"));
	assert_null(get("action="));

	assert_int_equal(parse("", NULL), 0);
	assert_null(get("action"));
	assert_int_equal(parse(NULL, NULL), 0);
	assert_null(get("action"));
}

static void test_argv_forms(void **state)
{
	char *argv[] = { "-o", "status", "-n", "node3", "--ip=192.0.2.1", "--verbose", "--password=x=y",
			 "--empty=", "--dash=-INFINITY", "-o", "-n", NULL };

	(void)state;
	assert_int_equal(parse(NULL, argv), 0);
	/* "-o -n": the value of -o is taken as is, even when it looks like an option. */
	assert_arg("action", "-n");
	assert_arg("plug", "node3");
	assert_arg("ip", "192.0.2.1");
	assert_arg("verbose", "1");
	assert_arg("password", "x=y");
	assert_arg("empty", "");
	assert_arg("dash", "-INFINITY");
	assert_null(get("o"));
	assert_null(get("n"));
	assert_null(get("-o"));
}

/* argv[0] is the program, never an argument. */
static void test_argv0_ignored(void **state)
{
	char *argv[] = { "--action=off", "--plug=x", NULL };

	(void)state;
	assert_int_equal(hubha_fence_args_parse(NULL, BIG, 2, argv, &args, reason, sizeof(reason)), 0);
	assert_null(get("action"));
	assert_arg("plug", "x");
}

static void test_later_wins(void **state)
{
	char *argv[] = { "-o", "reboot", "--port=p2", NULL };
	char *argv2[] = { "--action=on", "-o", "off", NULL };

	(void)state;
	assert_int_equal(parse("action=status\naction=list\nport=p1\nplug=n\n", NULL), 0);
	assert_arg("action", "list");
	assert_arg("port", "p1");

	/* The command line overrides stdin. */
	assert_int_equal(parse("action=status\nport=p1\nplug=n\n", argv), 0);
	assert_arg("action", "reboot");
	assert_arg("port", "p2");
	assert_arg("plug", "n");

	/* -o and --action are the same key. */
	assert_int_equal(parse(NULL, argv2), 0);
	assert_arg("action", "off");
}

static void test_malformed_line(void **state)
{
	static const struct {
		const char *in;
		const char *line;
	} cases[] = {
		{ "novalue\n", "line 1 " },
		{ "action=on\n\n# c\nplug node1\n", "line 4 " },
		{ "a=1\n=value\n", "line 2 " },
		{ "a=1\r\n  =value\r\n", "line 2 " },
		{ "a=1\nb=2\nc=3\nd=4\ne=5\nf=6\ng=7\nh=8\ni=9\nj=10\nk\n", "line 11 " },
		{ "a=1\nlast", "line 2 " },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		if (parse(cases[i].in, NULL) != -EINVAL)
			fail_msg("case %zu accepted", i);
		if (!strstr(reason, cases[i].line) || !strstr(reason, "key=value"))
			fail_msg("case %zu: reason '%s' does not name %s", i, reason, cases[i].line);
	}
}

static void test_bad_argv(void **state)
{
	static const struct {
		char *argv[4];
		const char *reason;
	} cases[] = {
		{ { "-o", NULL }, "-o" },
		{ { "--plug=x", "-n", NULL }, "-n" },
		{ { "status", NULL }, "'status'" },
		{ { "-x", NULL }, "'-x'" },
		{ { "--", NULL }, "'--'" },
		{ { "-", NULL }, "'-'" },
		{ { "", NULL }, "''" },
		{ { "-oreboot", NULL }, "'-oreboot'" },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		if (parse(NULL, (char **)cases[i].argv) != -EINVAL)
			fail_msg("case %zu (%s) accepted", i, cases[i].argv[0]);
		if (!strstr(reason, cases[i].reason))
			fail_msg("case %zu: reason '%s' does not name %s", i, reason, cases[i].reason);
	}
	/* A bad command line fails even after good stdin. */
	assert_int_equal(parse("action=on\n", (char *[]){ "junk", NULL }), -EINVAL);
}

/* A line of text exactly len bytes long, key "k", then a newline when nl. */
static char *line_of(size_t len, const char *eol)
{
	char *s = malloc(len + 3);

	assert_non_null(s);
	memset(s, 'v', len);
	s[0] = 'k';
	s[1] = '=';
	strcpy(s + len, eol);
	return s;
}

static void test_long_line(void **state)
{
	char *s;

	(void)state;
	/* MAX_LINE bytes before the newline is the longest accepted. */
	s = line_of(MAX_LINE, "\n");
	assert_int_equal(parse(s, NULL), 0);
	assert_int_equal(strlen(get("k")), MAX_LINE - 2);
	free(s);
	s = line_of(MAX_LINE, "");
	assert_int_equal(parse(s, NULL), 0);
	assert_int_equal(strlen(get("k")), MAX_LINE - 2);
	free(s);

	s = line_of(MAX_LINE + 1, "\n");
	assert_int_equal(parse(s, NULL), -E2BIG);
	assert_non_null(strstr(reason, "line 1 "));
	free(s);
	s = line_of(MAX_LINE + 1, "");
	assert_int_equal(parse(s, NULL), -E2BIG);
	free(s);

	/* Far longer, and not on the first line: the reason names the line. */
	{
		char *l = line_of(3 * MAX_LINE, "\n");
		size_t n = strlen(l);
		char *in = malloc(n + 32);

		assert_non_null(in);
		snprintf(in, n + 32, "a=1\n#\n%s", l);
		assert_int_equal(parse(in, NULL), -E2BIG);
		assert_non_null(strstr(reason, "line 3 "));
		free(in);
		free(l);
	}
}

static void test_max_bytes(void **state)
{
	const char *in = "action=off\nplug=node1\n";	/* 22 bytes */

	(void)state;
	assert_int_equal(strlen(in), 22);
	assert_int_equal(parse_n(in, 22, 22, NULL), 0);
	assert_arg("plug", "node1");
	assert_int_equal(parse_n(in, 22, 21, NULL), -E2BIG);
	assert_non_null(strstr(reason, "21 bytes"));
	/* Comments and blank lines count too: the bound is on what is read. */
	assert_int_equal(parse_n("#########\n\n\n\na=b\n", 17, 16, NULL), -E2BIG);
	assert_int_equal(parse_n("#########\n\n\n\na=b\n", 17, 17, NULL), 0);
	assert_arg("a", "b");
	/* The bound is on stdin only. */
	assert_int_equal(parse_n("", 0, 0, (char *[]){ "--password=longer than nothing", NULL }), 0);
	assert_arg("password", "longer than nothing");
	/* Lines shorter than MAX_LINE, many of them, stop at max_bytes. */
	{
		size_t n = 20000;
		char *big = malloc(n + 1);

		assert_non_null(big);
		for (size_t i = 0; i < n; i += 10)
			memcpy(big + i, "#comment.\n", 10);
		big[n] = '\0';
		assert_int_equal(parse_n(big, n, 4096, NULL), -E2BIG);
		assert_int_equal(parse_n(big, n, n, NULL), 0);
		free(big);
	}
}

static char *many_lines(size_t n)
{
	size_t cap = n * 16 + 1, len = 0;
	char *s = malloc(cap);

	assert_non_null(s);
	s[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "k%zu=v%zu\n", i, i);
	return s;
}

static void test_too_many(void **state)
{
	static char opts[MAX_ARGS + 1][24];
	char *argv[MAX_ARGS + 2];
	char *s;

	(void)state;
	/* MAX_ARGS on stdin. */
	s = many_lines(MAX_ARGS);
	assert_int_equal(parse(s, NULL), 0);
	assert_arg("k0", "v0");
	assert_arg("k127", "v127");
	free(s);
	s = many_lines(MAX_ARGS + 1);
	assert_int_equal(parse(s, NULL), -E2BIG);
	assert_non_null(strstr(reason, "128"));
	free(s);

	/* MAX_ARGS on the command line. */
	for (size_t i = 0; i <= MAX_ARGS; i++) {
		snprintf(opts[i], sizeof(opts[i]), "--o%zu=%zu", i, i);
		argv[i] = opts[i];
	}
	argv[MAX_ARGS] = NULL;
	assert_int_equal(parse(NULL, argv), 0);
	assert_arg("o127", "127");
	argv[MAX_ARGS] = opts[MAX_ARGS];
	argv[MAX_ARGS + 1] = NULL;
	assert_int_equal(parse(NULL, argv), -E2BIG);
	assert_non_null(strstr(reason, "128"));

	/* Together: 100 on stdin and 28 options fit, one more does not. */
	s = many_lines(100);
	argv[28] = NULL;
	assert_int_equal(parse(s, argv), 0);
	assert_arg("k99", "v99");
	assert_arg("o27", "27");
	argv[28] = opts[28];
	argv[29] = NULL;
	assert_int_equal(parse(s, argv), -E2BIG);
	free(s);

	/* Comments and blank lines are not arguments. */
	{
		char *lines = many_lines(MAX_ARGS);
		size_t n = strlen(lines);
		char *in = malloc(n + 64);

		assert_non_null(in);
		snprintf(in, n + 64, "# header\n\n\n%s# trailer\n\n", lines);
		assert_int_equal(parse(in, NULL), 0);
		free(in);
		free(lines);
	}
}

/*
 * A NUL byte ends a line for strlen() but not for fgets(): what follows it on
 * the line is neither counted against max_bytes nor parsed, so an endless
 * stream of NUL bytes is read to its end in spite of the bound and accepted,
 * and "a=1\0garbage" silently becomes a=1: a regression test.
 */
static void test_nul_bytes(void **state)
{
	static char zeros[16 * 1024];
	unsigned failed = 0;
	int r;

	(void)state;
	/* Refused as too long or as malformed, but refused. */
	r = parse_n(zeros, sizeof(zeros), 1024, NULL);
	if (r != -E2BIG && r != -EINVAL) {
		print_message("16 KiB of NUL bytes with max_bytes 1024: %d, not refused\n", r);
		failed++;
	}
	r = parse_n("a=1\0junk line\n", 14, BIG, NULL);
	if (r == 0) {
		print_message("'a=1\\0junk line' accepted as a=%s\n", get("a") ? get("a") : "(null)");
		failed++;
	}
	free_args(NULL);
	if (!failed)
		return;
	fail_msg("%u NUL byte cases mishandled", failed);
}

/*
 * "--=value" adds an argument with an empty key, which stdin rejects as
 * "=value": a regression test.
 */
static void test_empty_option_key(void **state)
{
	int r;

	(void)state;
	r = parse(NULL, (char *[]){ "--=value", NULL });
	if (r == -EINVAL)
		return;
	print_message("'--=value' gave %d with key '' = '%s'\n", r, r == 0 && get("") ? get("") : "(null)");
	free_args(NULL);
	fail_msg("'--=value' accepted");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_stdin_lines, free_args),
		cmocka_unit_test_teardown(test_crlf, free_args),
		cmocka_unit_test_teardown(test_missing_key, free_args),
		cmocka_unit_test_teardown(test_argv_forms, free_args),
		cmocka_unit_test_teardown(test_argv0_ignored, free_args),
		cmocka_unit_test_teardown(test_later_wins, free_args),
		cmocka_unit_test_teardown(test_malformed_line, free_args),
		cmocka_unit_test_teardown(test_bad_argv, free_args),
		cmocka_unit_test_teardown(test_long_line, free_args),
		cmocka_unit_test_teardown(test_max_bytes, free_args),
		cmocka_unit_test_teardown(test_too_many, free_args),
		cmocka_unit_test_teardown(test_nul_bytes, free_args),
		cmocka_unit_test_teardown(test_empty_option_key, free_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

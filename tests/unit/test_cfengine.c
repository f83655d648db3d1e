/*
 * libhubha-cfengine: the module protocol lines, ha_info.json read as
 * CFEngine reads it and written within its 4 KiB, and master_hub.dat
 * written atomically and only where root alone writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include <hubha/cfengine.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef"

static void test_module(void **state)
{
	static const struct {
		const char *active, *local, *out;
		int rc;
	} cases[] = {
		{ "10.0.0.1", "10.0.0.1", "^context=hubha\n+hub_active\n=hub_active_ip=10.0.0.1\n", 0 },
		{ "10.0.0.1", "10.0.0.2", "^context=hubha\n+hub_passive\n=hub_active_ip=10.0.0.1\n", 0 },
		/* Compared as addresses, not as text. */
		{ "fd00::1", "fd00:0:0::1", "^context=hubha\n+hub_active\n=hub_active_ip=fd00::1\n", 0 },
		{ "hub1.example", "HUB1.example", "^context=hubha\n+hub_active\n=hub_active_ip=hub1.example\n", 0 },
		/* No active hub known: neither class, so nothing active-only runs. */
		{ NULL, "10.0.0.2", "^context=hubha\n", 0 },
		{ "", "10.0.0.2", "^context=hubha\n", 0 },
		/* Nothing that could end a line and start another protocol line. */
		{ "10.0.0.1\n+hub_active", "10.0.0.2", NULL, -EINVAL },
		{ "10.0.0.1", "10.0.0.2 x", NULL, -EINVAL },
		{ "=x", "10.0.0.2", NULL, -EINVAL },
		{ "10.0.0.1", NULL, NULL, -EINVAL },
	};

	(void)state;
	for (size_t i = 0; i < LEN(cases); i++) {
		char buf[256] = "untouched";
		int r = hubha_cfengine_module(cases[i].active, cases[i].local, buf, sizeof(buf));

		if (r != cases[i].rc)
			fail_msg("case %zu: rc %d, not %d", i, r, cases[i].rc);
		if (cases[i].out)
			assert_string_equal(buf, cases[i].out);
	}
	{
		char small[8];

		assert_int_equal(hubha_cfengine_module("10.0.0.1", "10.0.0.1", small, sizeof(small)), -ENOSPC);
	}
}

static void test_ha_info_parse(void **state)
{
	/* The documentation's own three-node example, trailing commas and spaces before colons included. */
	static const char doc[] = "{\n"
				  "  \"192.168.100.10\" :\n  {\n    \"sha\" : \"" SHA_A "\",\n"
				  "    \"internal_ip\" : \"192.168.100.10\",\n    \"is_in_cluster\" : true,\n  },\n"
				  "  \"192.168.100.12\" :\n  {\n    \"sha\" : \"" SHA_B "\",\n"
				  "    \"internal_ip\" : \"192.168.100.12\",\n    \"is_in_cluster\" : false,\n  },\n"
				  "  \"192.168.100.11\": { \"sha\": \"PLACE KEY HERE\", \"tags\": [\"node2\"] }\n"
				  "}\n";
	struct hubha_cfengine_hub hubs[4];
	char err[256] = "";
	size_t n = 0;

	(void)state;
	assert_int_equal(hubha_cfengine_ha_info_parse(doc, strlen(doc), hubs, LEN(hubs), &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(hubs[0].ip, "192.168.100.10");
	assert_string_equal(hubs[0].sha, SHA_A);
	assert_string_equal(hubs[0].internal_ip, "192.168.100.10");
	assert_int_equal(hubs[0].in_cluster, 1);
	assert_int_equal(hubs[1].in_cluster, 0);
	/* Read as the policy reads it: the template's placeholder, absent fields, 3.6's tags. */
	assert_string_equal(hubs[2].sha, "PLACE KEY HERE");
	assert_string_equal(hubs[2].internal_ip, "");
	assert_int_equal(hubs[2].in_cluster, -1);
}

static void test_ha_info_parse_bad(void **state)
{
	static const struct {
		const char *text, *err;
		int rc;
	} bad[] = {
		{ "", "not JSON", -EPROTO },
		{ "{", "not JSON", -EPROTO },
		{ "[]", "not an object", -EPROTO },
		{ "{\"1.2.3.4\": 5}", "not an object", -EPROTO },
		{ "{\"1.2.3.4\": {}}", "no \"sha\"", -EPROTO },
		{ "{\"1.2.3.4\": {\"sha\": 5}}", "not a string", -EPROTO },
		{ "{\"1.2.3.4\": {\"sha\": \"../../etc\"}}", "control character or \"/\"", -EPROTO },
		{ "{\"1.2.3.4\": {\"sha\": \"a\", \"is_in_cluster\": \"maybe\"}}", "neither true nor false", -EPROTO },
		{ "{\"bad host\": {\"sha\": \"a\"}}", "not a hub address", -EPROTO },
		/* The reason stays one line whatever the key holds. */
		{ "{\"192.0.2.10\\n+hub_active\": {\"sha\": \"a\"}}", "\"192.0.2.10?+hub_active\" is not", -EPROTO },
		{ "{\"1.2.3.4\": {\"sha\": \"a\"}} x", "text after", -EPROTO },
		{ "{\"a\":{\"sha\":\"1\"},\"b\":{\"sha\":\"1\"},\"c\":{\"sha\":\"1\"},\"d\":{\"sha\":\"1\"},\"e\":{\"sha\":\"1\"}}",
		  "more than 4 hubs", -E2BIG },
	};

	(void)state;
	for (size_t i = 0; i < LEN(bad); i++) {
		struct hubha_cfengine_hub hubs[4];
		char err[256] = "";
		size_t n = 99;
		int r = hubha_cfengine_ha_info_parse(bad[i].text, strlen(bad[i].text), hubs, LEN(hubs), &n, err,
						     sizeof(err));

		if (r != bad[i].rc)
			fail_msg("'%s': rc %d, not %d", bad[i].text, r, bad[i].rc);
		if (!strstr(err, bad[i].err))
			fail_msg("'%s': '%s' lacks '%s'", bad[i].text, err, bad[i].err);
		assert_int_equal(n, 99);
		assert_null(strchr(err, '\n'));
	}
	{
		/* CFEngine's policy reads 4 KiB and no further. */
		char *big = malloc(HUBHA_CFENGINE_HA_INFO_MAX + 2);
		struct hubha_cfengine_hub hubs[1];
		size_t n = 99;

		assert_non_null(big);
		memset(big, ' ', HUBHA_CFENGINE_HA_INFO_MAX + 1);
		big[0] = '{';
		big[HUBHA_CFENGINE_HA_INFO_MAX] = '}';
		big[HUBHA_CFENGINE_HA_INFO_MAX + 1] = '\0';
		assert_int_equal(hubha_cfengine_ha_info_parse(big, HUBHA_CFENGINE_HA_INFO_MAX + 1, hubs, 1, &n, NULL, 0),
				 -EFBIG);
		/* Exactly 4 KiB still parses. */
		assert_int_equal(hubha_cfengine_ha_info_parse(big + 1, HUBHA_CFENGINE_HA_INFO_MAX, hubs, 1, &n, NULL, 0),
				 -EPROTO);
		big[1] = '{';
		assert_int_equal(hubha_cfengine_ha_info_parse(big + 1, HUBHA_CFENGINE_HA_INFO_MAX, hubs, 1, &n, NULL, 0),
				 0);
		assert_int_equal(n, 0);
		free(big);
	}
}

static void test_ha_info_format(void **state)
{
	struct hubha_cfengine_hub hubs[2] = {
		{ .ip = "192.0.2.10", .sha = SHA_A, .internal_ip = "10.1.0.10", .in_cluster = -1 },
		{ .ip = "192.0.2.12", .sha = SHA_B, .in_cluster = 0 },
	}, back[2];
	char buf[HUBHA_CFENGINE_HA_INFO_MAX + 2], err[256] = "";
	size_t len = 0, n = 0;

	(void)state;
	assert_int_equal(hubha_cfengine_ha_info_format(hubs, 2, buf, sizeof(buf), &len, err, sizeof(err)), 0);
	assert_int_equal(len, strlen(buf));
	assert_int_equal(buf[len - 1], '\n');
	assert_int_equal(hubha_cfengine_ha_info_parse(buf, len, back, 2, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(back[0].ip, "192.0.2.10");
	assert_string_equal(back[0].internal_ip, "10.1.0.10");
	assert_int_equal(back[0].in_cluster, -1);
	/* internal_ip defaults to the hub's own address, as the documentation's examples have it. */
	assert_string_equal(back[1].internal_ip, "192.0.2.12");
	assert_int_equal(back[1].in_cluster, 0);
	assert_string_equal(back[1].sha, SHA_B);

	/* What the policy turns into a file name must be a hash. */
	strcpy(hubs[1].sha, "PLACE KEY HERE");
	assert_int_equal(hubha_cfengine_ha_info_format(hubs, 2, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "192.0.2.12"));
	strcpy(hubs[1].sha, SHA_B);
	strcpy(hubs[1].ip, "192.0.2.10");
	assert_int_equal(hubha_cfengine_ha_info_format(hubs, 2, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "twice"));
	strcpy(hubs[1].ip, "192.0.2.12\n");
	assert_int_equal(hubha_cfengine_ha_info_format(hubs, 2, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	strcpy(hubs[1].ip, "192.0.2.12");
	assert_int_equal(hubha_cfengine_ha_info_format(hubs, 2, buf, 16, &len, err, sizeof(err)), -ENOSPC);
}

static void test_ha_info_format_limit(void **state)
{
	struct hubha_cfengine_hub hubs[32];
	char buf[HUBHA_CFENGINE_HA_INFO_MAX + 2], err[256] = "";
	size_t len = 0, n;

	(void)state;
	for (n = 0; n < LEN(hubs); n++) {
		memset(&hubs[n], 0, sizeof(hubs[n]));
		snprintf(hubs[n].ip, sizeof(hubs[n].ip), "198.51.100.%zu", n + 1);
		snprintf(hubs[n].sha, sizeof(hubs[n].sha), "%s", SHA_A);
		hubs[n].in_cluster = 1;
	}
	/* Find the most hubs that fit: one more passes 4 KiB and is refused, never cut. */
	for (n = 1; n <= LEN(hubs); n++)
		if (hubha_cfengine_ha_info_format(hubs, n, buf, sizeof(buf), &len, err, sizeof(err)) == -EFBIG)
			break;
	assert_true(n > 2 && n <= LEN(hubs));
	assert_non_null(strstr(err, "4096"));
	assert_int_equal(hubha_cfengine_ha_info_format(hubs, n - 1, buf, sizeof(buf), &len, err, sizeof(err)), 0);
	assert_true(len <= HUBHA_CFENGINE_HA_INFO_MAX);
}

static char *tmpdir(void)
{
	char *d = strdup("/tmp/hubha-cfe.XXXXXX");

	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	assert_int_equal(chmod(d, 0755), 0);
	return d;
}

static char *slurp(const char *dir, const char *name)
{
	static char buf[512];
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static void cleanup(const char *d)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

static void test_master_hub(void **state)
{
	char *d = tmpdir(), path[512], link[512];
	bool changed = false;
	struct stat st;

	(void)state;
	assert_int_equal(hubha_cfengine_master_hub_write(d, "192.0.2.10", &changed), 0);
	assert_true(changed);
	assert_string_equal(slurp(d, "master_hub.dat"), "192.0.2.10\n");
	snprintf(path, sizeof(path), "%s/master_hub.dat", d);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* The same address again leaves the file alone: clients compare it. */
	assert_int_equal(hubha_cfengine_master_hub_write(d, "192.0.2.10", &changed), 0);
	assert_false(changed);
	assert_int_equal(hubha_cfengine_master_hub_write(d, "[fd00::10]:5308", &changed), 0);
	assert_true(changed);
	assert_string_equal(slurp(d, "master_hub.dat"), "[fd00::10]:5308\n");
	assert_int_equal(hubha_cfengine_master_hub_write(d, "192.0.2.10\n+x", NULL), -EINVAL);
	assert_int_equal(hubha_cfengine_master_hub_write(d, "", NULL), -EINVAL);
	assert_string_equal(slurp(d, "master_hub.dat"), "[fd00::10]:5308\n");

	/* The file a symlink: refused, not followed. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	assert_int_equal(hubha_cfengine_master_hub_write(d, "192.0.2.10", NULL), -ELOOP);
	assert_int_equal(unlink(path), 0);

	/* The directory a symlink, or writable by others: refused. */
	snprintf(link, sizeof(link), "%s.link", d);
	assert_int_equal(symlink(d, link), 0);
	assert_int_equal(hubha_cfengine_master_hub_write(link, "192.0.2.10", NULL), -EPERM);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(chmod(d, 0775), 0);
	assert_int_equal(hubha_cfengine_master_hub_write(d, "192.0.2.10", NULL), -EPERM);
	assert_int_equal(chmod(d, 01777), 0);
	assert_int_equal(hubha_cfengine_master_hub_write(d, "192.0.2.10", NULL), -EPERM);
	assert_null(slurp(d, "master_hub.dat"));
	assert_int_equal(hubha_cfengine_master_hub_write("/nonexistent/dir", "192.0.2.10", NULL), -ENOENT);
	/* No temporary file is left behind. */
	assert_int_equal(chmod(d, 0755), 0);
	assert_int_equal(hubha_cfengine_master_hub_write(d, "192.0.2.11", NULL), 0);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s')\" = master_hub.dat", d);
		assert_int_equal(system(cmd), 0);
	}
	cleanup(d);
	free(d);
}

static void test_write_file_owner(void **state)
{
	char *d = tmpdir();

	(void)state;
	/* A directory another user owns: that user could swap the file under root. */
	if (geteuid() == 0) {
		assert_int_equal(chown(d, 65534, 65534), 0);
		assert_int_equal(hubha_cfengine_write_file(d, "f", "x\n", 2, 0644, NULL), -EPERM);
		assert_int_equal(chown(d, 0, 0), 0);
	}
	assert_int_equal(hubha_cfengine_write_file(d, "a/b", "x\n", 2, 0644, NULL), -EINVAL);
	assert_int_equal(hubha_cfengine_write_file(d, "f", "x\n", 2, 0600, NULL), 0);
	assert_string_equal(slurp(d, "f"), "x\n");
	cleanup(d);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module),        cmocka_unit_test(test_ha_info_parse),
		cmocka_unit_test(test_ha_info_parse_bad), cmocka_unit_test(test_ha_info_format),
		cmocka_unit_test(test_ha_info_format_limit), cmocka_unit_test(test_master_hub),
		cmocka_unit_test(test_write_file_owner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

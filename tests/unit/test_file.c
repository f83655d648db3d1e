/*
 * Reading files someone else may control (lib/file.c): a symlink or a FIFO
 * planted where a pid file belongs is refused, and nothing is filled then.
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

#include <hubha/file.h>

static char dir[64];
static int dirfd_;

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/hubha-test-file.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dirfd_ < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	const char *names[] = { "pid", "link", "fifo", "big", "sub" };

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlinkat(dirfd_, names[i], strcmp(names[i], "sub") == 0 ? AT_REMOVEDIR : 0);
	close(dirfd_);
	rmdir(dir);
	return 0;
}

static void put(const char *name, const char *text)
{
	int fd = openat(dirfd_, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_regular(void **state)
{
	char buf[64];

	(void)state;
	put("pid", "1234\n/var/lib/pgsql\n");
	assert_int_equal(hubha_read_file_at(dirfd_, "pid", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1234\n/var/lib/pgsql\n");
}

static void test_truncated(void **state)
{
	char buf[5];

	(void)state;
	put("big", "123456789");
	assert_int_equal(hubha_read_file_at(dirfd_, "big", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1234");
}

static void test_symlink_refused(void **state)
{
	char buf[64] = "untouched";

	(void)state;
	put("pid", "1\n");
	assert_int_equal(symlinkat("pid", dirfd_, "link"), 0);
	assert_int_equal(hubha_read_file_at(dirfd_, "link", buf, sizeof(buf)), -ELOOP);
	assert_string_equal(buf, "untouched");
}

static void test_fifo_refused(void **state)
{
	char buf[64] = "untouched";

	(void)state;
	assert_int_equal(mkfifoat(dirfd_, "fifo", 0600), 0);
	/* Opened without blocking, and refused for not being a regular file. */
	assert_int_equal(hubha_read_file_at(dirfd_, "fifo", buf, sizeof(buf)), -EINVAL);
	assert_string_equal(buf, "untouched");
}

static void test_directory_refused(void **state)
{
	char buf[64] = "untouched";

	(void)state;
	assert_int_equal(mkdirat(dirfd_, "sub", 0700), 0);
	assert_int_equal(hubha_read_file_at(dirfd_, "sub", buf, sizeof(buf)), -EINVAL);
	assert_string_equal(buf, "untouched");
}

static void test_missing(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(hubha_read_file_at(dirfd_, "absent", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(hubha_read_file_at(dirfd_, "pid", buf, 0), -EINVAL);
}

static void test_proc_entry(void **state)
{
	char buf[2048];

	(void)state;
	/* procfs entries are regular files: the callers read /proc/PID/stat through this. */
	assert_int_equal(hubha_read_file_at(AT_FDCWD, "/proc/self/stat", buf, sizeof(buf)), 0);
	assert_non_null(strchr(buf, ')'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test(test_proc_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

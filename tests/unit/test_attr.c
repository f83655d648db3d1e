/*
 * Node attributes and their write cache (lib/attr.c), against fake
 * crm_attribute and attrd_updater scripts found first in PATH that log their
 * argv and keep values in files, and a fake pacemaker-attrd (a copy of sleep
 * under that name) whose pid and start time the cache is tied to.
 *
 * attr.c takes the first process named pacemaker-attrd in /proc.  Lab
 * clusters on this host run real ones, visible to us, so the tests run in a
 * pid namespace of their own with its own /proc, where only the fake one
 * exists.  Where that cannot be set up (no privilege, no user namespaces, or
 * HUBHA_UNIT_NO_NS set) they run here, and the few checks that need our
 * attrd to be the one found are skipped while another one is visible.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <hubha/attr.h>

#include "testutil.h"

#define T HUBHA_ATTR_TRANSIENT
#define P HUBHA_ATTR_PROMOTION
#define A HUBHA_ATTR_PRIVATE
#define HOUR 3600

static char *dir;
static const char *const misbehaviours[] = { "fail", "hang", "hang.pid", "complain", "die", "probe", "environ",
					     "fds" };
static char logpath[512], cachepath[512], failpath[512], attrd_path[512], decoy_path[512];
static pid_t attrd_pid, decoy_pid;
static bool isolated;

/*
 * Both tools log "tool <arg1> <arg2> ..." and keep each value in a file
 * named after kind, node and name ('/' and newline replaced, so that any name
 * can be stored).  Touching $FAKE_DIR/fail makes them fail.
 * Missing attributes exit 105 (CRM_EX_NOSUCH), as the real ones do.
 * crm_attribute also misbehaves on request: $FAKE_DIR/hang makes it hang
 * (its pid in hang.pid), complain makes it fail with a message on stderr,
 * die makes it kill itself, and probe makes it record its environment and
 * open descriptors.  FAKE_DIR is written into each script, since the tools
 * get no such variable from the library.
 */
static const char crm_attribute_sh[] =
	"{ printf '%s' crm_attribute; printf ' <%s>' \"$@\"; printf '\\n'; } >>\"$FAKE_DIR/log\"\n"
	"[ -e \"$FAKE_DIR/fail\" ] && exit 1\n"
	"[ -e \"$FAKE_DIR/hang\" ] && { echo $$ >\"$FAKE_DIR/hang.pid\"; exec sleep 60; }\n"
	"[ -e \"$FAKE_DIR/complain\" ] && { echo 'Error performing operation: Connection refused' >&2\n"
	"  echo 'second line' >&2; exit 1; }\n"
	"[ -e \"$FAKE_DIR/die\" ] && kill -TERM $$\n"
	"[ -e \"$FAKE_DIR/probe\" ] && { env >\"$FAKE_DIR/environ\"; ls -l /proc/$$/fd/ >\"$FAKE_DIR/fds\"; }\n"
	"kind=t node=local name= op= value=\n"
	"for a; do\n"
	"  case $a in\n"
	"  --lifetime=reboot|--quiet) ;;\n"
	"  --name=*) name=${a#--name=} ;;\n"
	"  --promotion=*) name=${a#--promotion=}; kind=p ;;\n"
	"  --node=*) node=${a#--node=} ;;\n"
	"  --update=*) op=update; value=${a#--update=} ;;\n"
	"  --query) op=query ;;\n"
	"  --delete) op=delete ;;\n"
	"  *) exit 64 ;;\n"
	"  esac\n"
	"done\n"
	"[ -n \"$name\" ] || exit 64\n"
	"f=\"$FAKE_DIR/store.$(printf '%s' \"$kind.$node.$name\" | tr '/\\n' '%~')\"\n"
	"case $op in\n"
	"update) printf '%s\\n' \"$value\" >\"$f\" ;;\n"
	"query) [ -e \"$f\" ] || exit 105; cat \"$f\" ;;\n"
	"delete) [ -e \"$f\" ] || exit 105; rm -f \"$f\" ;;\n"
	"*) exit 64 ;;\n"
	"esac\n";

static const char attrd_updater_sh[] =
	"{ printf '%s' attrd_updater; printf ' <%s>' \"$@\"; printf '\\n'; } >>\"$FAKE_DIR/log\"\n"
	"[ -e \"$FAKE_DIR/fail\" ] && exit 1\n"
	"node=local name= op= value=\n"
	"for a; do\n"
	"  case $a in\n"
	"  --private) ;;\n"
	"  --name=*) name=${a#--name=} ;;\n"
	"  --node=*) node=${a#--node=} ;;\n"
	"  --update=*) op=update; value=${a#--update=} ;;\n"
	"  --query) op=query ;;\n"
	"  --delete) op=delete ;;\n"
	"  *) exit 64 ;;\n"
	"  esac\n"
	"done\n"
	"[ -n \"$name\" ] || exit 64\n"
	"f=\"$FAKE_DIR/store.$(printf '%s' \"a.$node.$name\" | tr '/\\n' '%~')\"\n"
	"case $op in\n"
	"update) printf '%s\\n' \"$value\" >\"$f\" ;;\n"
	"query) [ -e \"$f\" ] || exit 105\n"
	"  printf 'name=\"%s\" host=\"%s\" value=\"%s\"\\n' \"$name\" \"$node\" \"$(cat \"$f\")\" ;;\n"
	"delete) [ -e \"$f\" ] || exit 105; rm -f \"$f\" ;;\n"
	"*) exit 64 ;;\n"
	"esac\n";

static int write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	const char *p = data;

	if (fd < 0)
		return -1;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return close(fd);
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	int r = -1;

	if (in < 0)
		return -1;
	if (fstat(in, &st) == 0 && (buf = malloc((size_t)st.st_size))) {
		if (read(in, buf, (size_t)st.st_size) == st.st_size)
			r = write_file(to, buf, (size_t)st.st_size, mode);
		free(buf);
	}
	close(in);
	return r;
}

/* comm of pid, without the newline; "" when gone. */
static void read_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	buf[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* Start time (field 22 of /proc/PID/stat), 0 when unknown. */
static unsigned long long start_time(pid_t pid)
{
	char path[64], stat[512], *p;
	unsigned long long t = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(stat, sizeof(stat), f) && (p = strrchr(stat, ')')))
		if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			   &t) != 1)
			t = 0;
	fclose(f);
	return t;
}

/* pacemaker-attrd processes in /proc other than ours. */
static unsigned foreign_attrds(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	unsigned n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char comm[32];
		long pid = strtol(de->d_name, NULL, 10);

		if (pid <= 0 || pid == attrd_pid)
			continue;
		read_comm((pid_t)pid, comm, sizeof(comm));
		if (strcmp(comm, "pacemaker-attrd") == 0)
			n++;
	}
	closedir(d);
	return n;
}

static void stop_proc(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
		;
	*pid = 0;
}

/* Run a copy of sleep at path and wait until /proc shows it under its name. */
static int start_proc(const char *path, pid_t *ret_pid)
{
	const char *name = strrchr(path, '/') + 1;
	char comm[32];
	pid_t pid;

	stop_proc(ret_pid);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl(path, name, "3600", (char *)NULL);
		_exit(127);
	}
	*ret_pid = pid;
	for (int i = 0; i < 2000; i++) {
		read_comm(pid, comm, sizeof(comm));
		if (strcmp(comm, name) == 0)
			return 0;
		usleep(1000);
	}
	stop_proc(ret_pid);
	return -1;
}

static void stop_attrd(void)
{
	stop_proc(&attrd_pid);
}

static int start_attrd(void)
{
	return start_proc(attrd_path, &attrd_pid);
}

static int write_fake(const char *tool, const char *body)
{
	char path[600], *text;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, tool);
	if (asprintf(&text, "#!/bin/sh\nFAKE_DIR='%s'\n%s", dir, body) < 0)
		return -1;
	r = write_file(path, text, strlen(text), 0755);
	free(text);
	return r;
}

static int group_setup(void **state)
{
	char *newpath;
	const char *oldpath = getenv("PATH");

	(void)state;
	dir = make_tmpdir();
	if (!dir)
		return -1;
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	snprintf(cachepath, sizeof(cachepath), "%s/attr.cache", dir);
	snprintf(failpath, sizeof(failpath), "%s/fail", dir);
	snprintf(attrd_path, sizeof(attrd_path), "%s/pacemaker-attrd", dir);
	snprintf(decoy_path, sizeof(decoy_path), "%s/pacemaker-execd", dir);
	if (write_fake("crm_attribute", crm_attribute_sh) < 0 || write_fake("attrd_updater", attrd_updater_sh) < 0)
		return -1;
	if (copy_file("/bin/sleep", attrd_path, 0755) < 0 || copy_file("/bin/sleep", decoy_path, 0755) < 0)
		return -1;
	if (asprintf(&newpath, "%s:%s", dir, oldpath ? oldpath : "/usr/bin:/bin") < 0)
		return -1;
	setenv("PATH", newpath, 1);
	free(newpath);
	if (!isolated)
		print_message("no pid namespace: checks that need the only pacemaker-attrd are skipped "
			      "while another one runs\n");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	stop_attrd();
	stop_proc(&decoy_pid);
	rm_tmpdir(dir);
	dir = NULL;
	return 0;
}

/* Every test starts with no values, no cache file, an empty log and a running attrd. */
static int reset(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[600];

	(void)state;
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strncmp(de->d_name, "store.", 6) == 0 || strncmp(de->d_name, "attr.cache", 10) == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	closedir(d);
	unlink(logpath);
	for (size_t i = 0; i < sizeof(misbehaviours) / sizeof(misbehaviours[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, misbehaviours[i]);
		unlink(path);
	}
	return attrd_pid > 0 ? 0 : start_attrd();
}

/* The tools run since the last call, one line each; "" when none. */
static char *runs;

static const char *take_runs(void)
{
	free(runs);
	runs = slurp(logpath);
	unlink(logpath);
	if (!runs)
		runs = strdup("");
	assert_non_null(runs);
	return runs;
}

static int free_runs(void **state)
{
	(void)state;
	free(runs);
	runs = NULL;
	return 0;
}

#define assert_ran(want) assert_string_equal(take_runs(), want)
#define assert_ran_nothing() assert_ran("")

/*
 * What an agent does: load the cache, set one value, save it.  Returns what
 * the set returned; the close must succeed.
 */
static int set_v(enum hubha_attr_kind kind, const char *node, const char *name, const char *value,
		 const char *version, unsigned max_age)
{
	struct hubha_attr_cache *c = NULL;
	int r;

	assert_int_equal(hubha_attr_cache_open(cachepath, max_age, 0, &c), 0);
	assert_non_null(c);
	r = version ? hubha_attr_set_versioned(c, kind, node, name, value, version, NULL, 0)
		    : hubha_attr_set(c, kind, node, name, value, NULL, 0);
	assert_int_equal(hubha_attr_cache_close(c), 0);
	return r;
}

static int set(enum hubha_attr_kind kind, const char *node, const char *name, const char *value)
{
	return set_v(kind, node, name, value, NULL, HOUR);
}

static int del(enum hubha_attr_kind kind, const char *node, const char *name)
{
	struct hubha_attr_cache *c = NULL;
	int r;

	assert_int_equal(hubha_attr_cache_open(cachepath, HOUR, 0, &c), 0);
	r = hubha_attr_delete(c, kind, node, name, NULL, 0);
	assert_int_equal(hubha_attr_cache_close(c), 0);
	return r;
}

static char *got;

static const char *get(enum hubha_attr_kind kind, const char *node, const char *name)
{
	int r;

	free(got);
	got = NULL;
	r = hubha_attr_get(NULL, kind, node, name, &got, NULL, 0);
	if (r == -ENOENT) {
		assert_null(got);
		return "(ENOENT)";
	}
	assert_int_equal(r, 0);
	assert_non_null(got);
	return got;
}

static int free_all(void **state)
{
	free(got);
	got = NULL;
	return free_runs(state);
}

/* The attrd the cache file was written for: "attrd PID:START". */
static void assert_cache_names_attrd(pid_t pid)
{
	char *text = slurp(cachepath), want[64];

	assert_non_null(text);
	snprintf(want, sizeof(want), "attrd %ld:%llu\n", (long)pid, start_time(pid));
	assert_true(start_time(pid) > 0);
	if (strncmp(text, want, strlen(want)) != 0)
		fail_msg("cache file starts '%.40s', expected '%s'", text, want);
	free(text);
}

/*
 * Skip the calling test unless our fake attrd is the only one attr.c can
 * find.  Any test that expects a cache hit needs this: outside a pid
 * namespace attr.c may take another attrd, which can restart (and so drop
 * the cache) at any moment.
 */
static void need_only_attrd(void)
{
	unsigned n;

	if (isolated)
		return;
	n = foreign_attrds();
	if (n == 0)
		return;
	print_message("%u other pacemaker-attrd visible and no pid namespace: skipped\n", n);
	skip();
}

static void test_first_set_runs_tool(void **state)
{
	static const struct {
		enum hubha_attr_kind kind;
		const char *node, *name, *value, *argv;
	} cases[] = {
		{ T, "n1", "x", "v", "crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--node=n1> <--update=v>\n" },
		{ T, NULL, "x", "v", "crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n" },
		{ P, NULL, "rsc", "100", "crm_attribute <--lifetime=reboot> <--quiet> <--promotion=rsc> <--update=100>\n" },
		{ P, "n2", "rsc", "5", "crm_attribute <--lifetime=reboot> <--quiet> <--promotion=rsc> <--node=n2> <--update=5>\n" },
		{ A, NULL, "x", "v", "attrd_updater <--private> <--name=x> <--update=v>\n" },
		{ A, "n3", "x", "v", "attrd_updater <--private> <--name=x> <--node=n3> <--update=v>\n" },
		/* A value that looks like an option stays glued to its option. */
		{ P, NULL, "rsc", "-INFINITY", "crm_attribute <--lifetime=reboot> <--quiet> <--promotion=rsc> <--update=-INFINITY>\n" },
		{ T, NULL, "y", "--delete", "crm_attribute <--lifetime=reboot> <--quiet> <--name=y> <--update=--delete>\n" },
		/* One argument each, whatever is in it. */
		{ T, "n 1", "x", "a b  c", "crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--node=n 1> <--update=a b  c>\n" },
		{ A, NULL, "z", "", "attrd_updater <--private> <--name=z> <--update=>\n" },
		{ T, NULL, "q", "$(touch x) 'q' \"*\"", "crm_attribute <--lifetime=reboot> <--quiet> <--name=q> <--update=$(touch x) 'q' \"*\">\n" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(set(cases[i].kind, cases[i].node, cases[i].name, cases[i].value), 0);
		assert_ran(cases[i].argv);
		/* The fake stored exactly the value. */
		assert_string_equal(get(cases[i].kind, cases[i].node, cases[i].name), cases[i].value[0] ? cases[i].value : "(ENOENT)");
		take_runs();
	}
}

static void test_same_value_is_cached(void **state)
{
	(void)state;
	need_only_attrd();
	assert_int_equal(set(T, "n1", "x", "v"), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--node=n1> <--update=v>\n");
	/* Next agent run, same value: nothing runs. */
	assert_int_equal(set(T, "n1", "x", "v"), 1);
	assert_ran_nothing();
	assert_int_equal(set(T, "n1", "x", "v"), 1);
	assert_ran_nothing();

	/* Every kind has its own cache entries. */
	assert_int_equal(set(P, "n1", "x", "v"), 0);
	assert_int_equal(set(A, "n1", "x", "v"), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--promotion=x> <--node=n1> <--update=v>\n"
		   "attrd_updater <--private> <--name=x> <--node=n1> <--update=v>\n");
	assert_int_equal(set(P, "n1", "x", "v"), 1);
	assert_int_equal(set(A, "n1", "x", "v"), 1);
	assert_int_equal(set(T, "n1", "x", "v"), 1);
	assert_ran_nothing();

	/* So do other nodes, and this node (NULL) is not "n1". */
	assert_int_equal(set(T, "n2", "x", "v"), 0);
	assert_int_equal(set(T, NULL, "x", "v"), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--node=n2> <--update=v>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n");
	assert_int_equal(set(T, "n2", "x", "v"), 1);
	assert_int_equal(set(T, NULL, "x", "v"), 1);
	assert_ran_nothing();
}

static void test_one_cache_many_sets(void **state)
{
	struct hubha_attr_cache *c = NULL;

	(void)state;
	need_only_attrd();
	assert_int_equal(hubha_attr_cache_open(cachepath, HOUR, 0, &c), 0);
	assert_int_equal(hubha_attr_set(c, T, NULL, "a", "1", NULL, 0), 0);
	assert_int_equal(hubha_attr_set(c, T, NULL, "a", "1", NULL, 0), 1);
	assert_int_equal(hubha_attr_set(c, T, NULL, "b", "2", NULL, 0), 0);
	assert_int_equal(hubha_attr_set(c, T, NULL, "a", "3", NULL, 0), 0);
	assert_int_equal(hubha_attr_set(c, T, NULL, "b", "2", NULL, 0), 1);
	assert_int_equal(hubha_attr_cache_close(c), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=a> <--update=1>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--name=b> <--update=2>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--name=a> <--update=3>\n");
	/* All of it was saved. */
	assert_int_equal(set(T, NULL, "a", "3"), 1);
	assert_int_equal(set(T, NULL, "b", "2"), 1);
	assert_ran_nothing();
}

static void test_without_cache(void **state)
{
	(void)state;
	assert_int_equal(hubha_attr_set(NULL, T, NULL, "x", "v", NULL, 0), 0);
	assert_int_equal(hubha_attr_set(NULL, T, NULL, "x", "v", NULL, 0), 0);
	assert_int_equal(hubha_attr_set_versioned(NULL, A, NULL, "x", "v", "1", NULL, 0), 0);
	assert_int_equal(hubha_attr_delete(NULL, A, NULL, "x", NULL, 0), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n"
		   "attrd_updater <--private> <--name=x> <--update=v>\n"
		   "attrd_updater <--private> <--name=x> <--delete>\n");
}

static void test_cache_file_names_attrd(void **state)
{
	(void)state;
	need_only_attrd();
	assert_int_equal(set(T, NULL, "x", "v"), 0);
	assert_cache_names_attrd(attrd_pid);
}

static void test_different_value_runs(void **state)
{
	(void)state;
	need_only_attrd();
	assert_int_equal(set(P, NULL, "rsc", "100"), 0);
	assert_int_equal(set(P, NULL, "rsc", "100"), 1);
	assert_int_equal(set(P, NULL, "rsc", "-INFINITY"), 0);
	assert_int_equal(set(P, NULL, "rsc", "-INFINITY"), 1);
	assert_int_equal(set(P, NULL, "rsc", "100"), 0);
	/* A prefix of the cached value is another value. */
	assert_int_equal(set(P, NULL, "rsc", "10"), 0);
	assert_int_equal(set(P, NULL, "rsc", "100"), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--promotion=rsc> <--update=100>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--promotion=rsc> <--update=-INFINITY>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--promotion=rsc> <--update=100>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--promotion=rsc> <--update=10>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--promotion=rsc> <--update=100>\n");
	assert_string_equal(get(P, NULL, "rsc"), "100");
}

static void test_versioned(void **state)
{
	static const char argv[] = "attrd_updater <--private> <--name=lag> <--update=0>\n";

	(void)state;
	need_only_attrd();
	assert_int_equal(set_v(A, NULL, "lag", "0", "4711", HOUR), 0);
	assert_ran(argv);
	assert_int_equal(set_v(A, NULL, "lag", "0", "4711", HOUR), 1);
	assert_ran_nothing();
	/* Same value, new version (a new walsender): written again. */
	assert_int_equal(set_v(A, NULL, "lag", "0", "4712", HOUR), 0);
	assert_ran(argv);
	assert_int_equal(set_v(A, NULL, "lag", "0", "4712", HOUR), 1);
	/* The old version is another one again. */
	assert_int_equal(set_v(A, NULL, "lag", "0", "4711", HOUR), 0);
	assert_ran(argv);
	/* Unversioned and versioned are different. */
	assert_int_equal(set_v(A, NULL, "lag", "0", NULL, HOUR), 0);
	assert_ran(argv);
	assert_int_equal(set_v(A, NULL, "lag", "0", NULL, HOUR), 1);
	assert_int_equal(set_v(A, NULL, "lag", "0", "", HOUR), 0);
	assert_ran(argv);
	assert_int_equal(set_v(A, NULL, "lag", "0", "", HOUR), 1);
	assert_ran_nothing();
	/* The version is never passed on. */
	assert_string_equal(get(A, NULL, "lag"), "0");
}

static void test_new_attrd_forgets(void **state)
{
	pid_t old;

	(void)state;
	need_only_attrd();
	assert_int_equal(set(T, NULL, "x", "v"), 0);
	assert_int_equal(set(P, NULL, "rsc", "5"), 0);
	assert_int_equal(set(T, NULL, "x", "v"), 1);
	assert_int_equal(set(P, NULL, "rsc", "5"), 1);
	take_runs();

	/* attrd restarts: what it held is gone, and so is what the cache knew. */
	old = attrd_pid;
	stop_attrd();
	assert_int_equal(start_attrd(), 0);
	assert_true(attrd_pid != old);
	assert_int_equal(set(T, NULL, "x", "v"), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n");
	assert_cache_names_attrd(attrd_pid);
	assert_int_equal(set(P, NULL, "rsc", "5"), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--promotion=rsc> <--update=5>\n");
	/* And the new one is trusted from then on. */
	assert_int_equal(set(T, NULL, "x", "v"), 1);
	assert_int_equal(set(P, NULL, "rsc", "5"), 1);
	assert_ran_nothing();
}

static void test_no_attrd_no_cache(void **state)
{
	char *text;

	(void)state;
	need_only_attrd();
	assert_int_equal(set(T, NULL, "x", "v"), 0);
	take_runs();
	stop_attrd();
	/* Other Pacemaker daemons are not attrd. */
	assert_int_equal(start_proc(decoy_path, &decoy_pid), 0);

	/* The entry written under the old attrd is not trusted... */
	assert_int_equal(set(T, NULL, "x", "v"), 0);
	/* ...and nothing new is remembered while there is no attrd. */
	assert_int_equal(set(T, NULL, "x", "v"), 0);
	assert_int_equal(set(T, NULL, "x", "v"), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n");
	text = slurp(cachepath);
	assert_non_null(text);
	assert_string_equal(text, "attrd none\n");
	free(text);

	stop_proc(&decoy_pid);

	/* A cache saved with no attrd is not trusted once one runs. */
	assert_int_equal(start_attrd(), 0);
	assert_int_equal(set(T, NULL, "x", "v"), 0);
	assert_int_equal(set(T, NULL, "x", "v"), 1);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n");
}

static void set_mtime_ago(time_t ago)
{
	struct timeval tv[2];

	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= ago;
	tv[1] = tv[0];
	assert_int_equal(utimes(cachepath, tv), 0);
}

static void test_max_age(void **state)
{
	struct stat st;
	time_t mtime;

	(void)state;
	need_only_attrd();
	assert_int_equal(set_v(T, NULL, "x", "v", NULL, 60), 0);
	set_mtime_ago(30);
	assert_int_equal(set_v(T, NULL, "x", "v", NULL, 60), 1);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n");

	/* A hit writes nothing, so the age runs from the write, not from the last look. */
	assert_int_equal(stat(cachepath, &st), 0);
	mtime = st.st_mtime;
	assert_true(time(NULL) - mtime >= 29);
	set_mtime_ago(90);
	assert_int_equal(set_v(T, NULL, "x", "v", NULL, 60), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n");
	/* Written again: fresh. */
	assert_int_equal(set_v(T, NULL, "x", "v", NULL, 60), 1);
	assert_ran_nothing();

	/* The same file, read with a longer max_age, is still good. */
	set_mtime_ago(90);
	assert_int_equal(set_v(T, NULL, "x", "v", NULL, 120), 1);
	assert_ran_nothing();

	/* Expiry drops every entry, not just the one asked for. */
	unlink(cachepath);
	assert_int_equal(set_v(T, NULL, "x", "v", NULL, 60), 0);
	assert_int_equal(set_v(T, NULL, "y", "w", NULL, 60), 0);
	assert_int_equal(set_v(T, NULL, "x", "v", NULL, 60), 1);
	take_runs();
	set_mtime_ago(61);
	assert_int_equal(set_v(T, NULL, "y", "w", NULL, 60), 0);
	assert_int_equal(set_v(T, NULL, "x", "v", NULL, 60), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=y> <--update=w>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n");

	/* max_age 0 trusts nothing that was saved. */
	assert_int_equal(set_v(T, NULL, "x", "v", NULL, 0), 0);
	assert_int_equal(set_v(T, NULL, "x", "v", NULL, 0), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n");
}

static void test_corrupt_cache_file(void **state)
{
	static const char junk[] = "not a cache\n0//x\tv\n";
	static const char other[] = "attrd 1:1\n0//x\tv\n";

	(void)state;
	assert_int_equal(write_file(cachepath, junk, strlen(junk), 0644), 0);
	assert_int_equal(set(T, NULL, "x", "v"), 0);
	assert_int_equal(write_file(cachepath, other, strlen(other), 0644), 0);
	assert_int_equal(set(T, NULL, "x", "v"), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n");
	/* An unwritable cache file: the value is written, the save fails. */
	{
		struct hubha_attr_cache *c = NULL;
		char bad[600];

		snprintf(bad, sizeof(bad), "%s/no/such/dir/cache", dir);
		assert_int_equal(hubha_attr_cache_open(bad, HOUR, 0, &c), 0);
		assert_int_equal(hubha_attr_set(c, T, NULL, "x", "w", NULL, 0), 0);
		assert_int_equal(hubha_attr_cache_close(c), -ENOENT);
		assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=w>\n");
	}
}

static void test_get(void **state)
{
	char *v = (char *)&v;

	(void)state;
	assert_string_equal(get(T, "n1", "x"), "(ENOENT)");
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--node=n1> <--query>\n");
	assert_string_equal(get(A, NULL, "x"), "(ENOENT)");
	assert_ran("attrd_updater <--private> <--name=x> <--query>\n");
	/* ret_value is untouched when unset. */
	assert_int_equal(hubha_attr_get(NULL, P, NULL, "rsc", &v, NULL, 0), -ENOENT);
	assert_true(v == (char *)&v);

	assert_int_equal(set(T, "n1", "x", "hello world"), 0);
	assert_int_equal(set(P, NULL, "rsc", "-INFINITY"), 0);
	assert_int_equal(set(A, "n1", "x", "private"), 0);
	take_runs();
	assert_string_equal(get(T, "n1", "x"), "hello world");
	assert_string_equal(get(P, NULL, "rsc"), "-INFINITY");
	assert_string_equal(get(A, "n1", "x"), "private");
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--node=n1> <--query>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--promotion=rsc> <--query>\n"
		   "attrd_updater <--private> <--name=x> <--node=n1> <--query>\n");
	/* Other nodes and kinds do not see it. */
	assert_string_equal(get(T, "n2", "x"), "(ENOENT)");
	assert_string_equal(get(T, NULL, "x"), "(ENOENT)");
	assert_string_equal(get(P, "n1", "x"), "(ENOENT)");

	/* Never cached: a value changed behind the cache's back is seen. */
	assert_int_equal(hubha_attr_set(NULL, T, "n1", "x", "changed", NULL, 0), 0);
	assert_string_equal(get(T, "n1", "x"), "changed");

	/* Empty and "(null)" (what older crm_attribute prints) are unset. */
	assert_int_equal(set(T, NULL, "e", ""), 0);
	assert_string_equal(get(T, NULL, "e"), "(ENOENT)");
	assert_int_equal(set(T, NULL, "n", "(null)"), 0);
	assert_string_equal(get(T, NULL, "n"), "(ENOENT)");
	assert_int_equal(set(A, NULL, "e", ""), 0);
	assert_string_equal(get(A, NULL, "e"), "(ENOENT)");

	/* A failing tool is an error, not "unset". */
	assert_int_equal(write_file(failpath, "", 0, 0644), 0);
	assert_int_equal(hubha_attr_get(NULL, T, "n1", "x", &v, NULL, 0), -EIO);
	assert_true(v == (char *)&v);
	assert_int_equal(hubha_attr_get(NULL, T, "n1", NULL, &v, NULL, 0), -EINVAL);
	assert_int_equal(hubha_attr_get(NULL, T, "n1", "x", NULL, NULL, 0), -EINVAL);
}

static void test_delete(void **state)
{
	(void)state;
	assert_int_equal(set(T, "n1", "x", "v"), 0);
	assert_int_equal(set(T, "n1", "x", "v"), 1);
	take_runs();
	assert_int_equal(del(T, "n1", "x"), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--node=n1> <--delete>\n");
	assert_string_equal(get(T, "n1", "x"), "(ENOENT)");
	take_runs();
	/* Forgotten, and saved so: the same value is written again. */
	assert_int_equal(set(T, "n1", "x", "v"), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--node=n1> <--update=v>\n");
	assert_string_equal(get(T, "n1", "x"), "v");

	/* Other entries stay. */
	assert_int_equal(set(P, NULL, "rsc", "1"), 0);
	assert_int_equal(set(A, NULL, "y", "2"), 0);
	assert_int_equal(del(A, NULL, "y"), 0);
	take_runs();
	assert_int_equal(set(P, NULL, "rsc", "1"), 1);
	assert_int_equal(set(T, "n1", "x", "v"), 1);
	assert_int_equal(set(A, NULL, "y", "2"), 0);
	assert_ran("attrd_updater <--private> <--name=y> <--update=2>\n");

	/* Deleting what is not there (exit 105) is fine. */
	assert_int_equal(del(P, NULL, "nothing"), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--promotion=nothing> <--delete>\n");
	/* A failing tool is not. */
	assert_int_equal(write_file(failpath, "", 0, 0644), 0);
	assert_int_equal(del(P, NULL, "rsc"), -EIO);
	unlink(failpath);
	/* And the cache forgot it all the same. */
	assert_int_equal(set(P, NULL, "rsc", "1"), 0);
	assert_int_equal(hubha_attr_delete(NULL, T, NULL, NULL, NULL, 0), -EINVAL);
}

static void test_failed_write_not_cached(void **state)
{
	(void)state;
	need_only_attrd();
	assert_int_equal(set(T, NULL, "x", "v1"), 0);
	assert_int_equal(write_file(failpath, "", 0, 0644), 0);
	assert_int_equal(set(T, NULL, "x", "v2"), -EIO);
	assert_int_equal(set(A, NULL, "x", "v2"), -EIO);
	unlink(failpath);
	take_runs();
	/* Whether v1 or v2 is there is unknown now: both are written again. */
	assert_int_equal(set(T, NULL, "x", "v1"), 0);
	assert_int_equal(set(A, NULL, "x", "v2"), 0);
	assert_int_equal(set(T, NULL, "x", "v1"), 1);
	assert_int_equal(set(A, NULL, "x", "v2"), 1);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v1>\n"
		   "attrd_updater <--private> <--name=x> <--update=v2>\n");
}

static void test_invalid(void **state)
{
	(void)state;
	need_only_attrd();
	assert_int_equal(set(T, NULL, "x", "a\nb"), -EINVAL);
	assert_int_equal(set(T, NULL, "x", "ab\n"), -EINVAL);
	assert_int_equal(set(T, NULL, "x", "\n"), -EINVAL);
	assert_int_equal(set_v(A, NULL, "x", "v", "1\n2", HOUR), -EINVAL);
	assert_int_equal(set(T, NULL, "x", NULL), -EINVAL);
	assert_int_equal(set(T, NULL, NULL, "v"), -EINVAL);
	assert_ran_nothing();

	/* Too long for the command line. */
	{
		char name[400];

		memset(name, 'n', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		assert_int_equal(set(T, NULL, name, "v"), -ENAMETOOLONG);
		assert_int_equal(set(T, name, "x", "v"), -ENAMETOOLONG);
		assert_ran_nothing();
	}

	assert_int_equal(hubha_attr_cache_open(cachepath, HOUR, 0, NULL), -EINVAL);
	assert_int_equal(hubha_attr_cache_close(NULL), 0);
}

/* Without a file the cache carries the timeout and remembers nothing. */
static void test_no_path(void **state)
{
	struct hubha_attr_cache *c = NULL;

	(void)state;
	assert_int_equal(hubha_attr_cache_open(NULL, HOUR, 0, &c), 0);
	assert_non_null(c);
	assert_int_equal(hubha_attr_set(c, T, NULL, "x", "v", NULL, 0), 0);
	assert_int_equal(hubha_attr_set(c, T, NULL, "x", "v", NULL, 0), 0);
	assert_int_equal(hubha_attr_cache_close(c), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n");
	assert_int_equal(access(cachepath, F_OK), -1);
}

static void test_forget(void **state)
{
	struct hubha_attr_cache *c = NULL;

	(void)state;
	need_only_attrd();
	assert_int_equal(hubha_attr_cache_open(cachepath, HOUR, 0, &c), 0);
	assert_int_equal(hubha_attr_set(c, T, NULL, "x", "v", NULL, 0), 0);
	assert_int_equal(hubha_attr_set(c, T, NULL, "x", "v", NULL, 0), 1);
	hubha_attr_forget(c, T, NULL, "x");
	hubha_attr_forget(c, T, NULL, "never-set");
	assert_int_equal(hubha_attr_set(c, T, NULL, "x", "v", NULL, 0), 0);
	assert_int_equal(hubha_attr_cache_close(c), 0);
	assert_ran("crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n"
		   "crm_attribute <--lifetime=reboot> <--quiet> <--name=x> <--update=v>\n");
}

static void touch(const char *name)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(write_file(path, "", 0, 0644), 0);
}

static char *fake_file(const char *name)
{
	char path[600], *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = slurp(path);
	assert_non_null(text);
	return text;
}

/* A tool that hangs is killed at the cache's deadline and reaped. */
static void test_hung_tool_is_killed(void **state)
{
	struct hubha_attr_cache *c = NULL;
	char err[256], *pid_text;
	long pid;

	(void)state;
	touch("hang");
	assert_int_equal(hubha_attr_cache_open(cachepath, HOUR, 200, &c), 0);
	assert_int_equal(hubha_attr_set(c, T, NULL, "x", "v", err, sizeof(err)), -ETIMEDOUT);
	assert_string_equal(err, "crm_attribute did not finish within 200 ms and was killed");
	pid_text = fake_file("hang.pid");
	pid = strtol(pid_text, NULL, 10);
	free(pid_text);
	assert_true(pid > 1);
	/* Gone, not even a zombie: it was reaped. */
	assert_int_equal(kill((pid_t)pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(hubha_attr_cache_close(c), 0);
}

/* What the tool says on stderr is the reason given. */
static void test_tool_stderr_is_the_reason(void **state)
{
	char err[256], *v = NULL;

	(void)state;
	touch("complain");
	assert_int_equal(hubha_attr_set(NULL, T, NULL, "x", "v", err, sizeof(err)), -EIO);
	assert_string_equal(err, "crm_attribute exited with status 1: Error performing operation: Connection refused "
			    "second line");
	assert_int_equal(hubha_attr_get(NULL, T, NULL, "x", &v, err, sizeof(err)), -EIO);
	assert_null(v);
	assert_non_null(strstr(err, "Connection refused"));
	/* A reason never overflows its buffer. */
	assert_int_equal(hubha_attr_delete(NULL, T, NULL, "x", err, 20), -EIO);
	assert_string_equal(err, "crm_attribute exite");
}

/*
 * A tool killed by a signal is not an interrupted call.  The signal is
 * blocked here, as an agent may have it: the tool must not inherit that.
 */
static void test_tool_killed_by_signal(void **state)
{
	sigset_t term, old;
	char err[256];
	int r;

	(void)state;
	touch("die");
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	r = hubha_attr_set(NULL, T, NULL, "x", "v", err, sizeof(err));
	sigprocmask(SIG_SETMASK, &old, NULL);
	assert_int_equal(r, -ECANCELED);
	assert_non_null(strstr(err, "crm_attribute was killed by signal 15"));
}

/* The tools see neither the agent's parameters nor its open files. */
static void test_tool_environment(void **state)
{
	char marker[600], *env, *fds;
	int leak;

	(void)state;
	snprintf(marker, sizeof(marker), "%s/leak-marker", dir);
	/* Deliberately without O_CLOEXEC, as a careless library might open it. */
	leak = open(marker, O_RDONLY | O_CREAT, 0600);
	assert_true(leak > 2);
	setenv("OCF_RESKEY_monitor_password", "secret-4711", 1);
	setenv("OCF_RESKEY_CRM_meta_on_node", "node-4712", 1);
	setenv("LC_ALL", "de_DE.UTF-8", 1);
	touch("probe");
	assert_int_equal(hubha_attr_set(NULL, T, NULL, "x", "v", NULL, 0), 0);
	unsetenv("OCF_RESKEY_monitor_password");
	unsetenv("OCF_RESKEY_CRM_meta_on_node");
	unsetenv("LC_ALL");
	close(leak);
	env = fake_file("environ");
	fds = fake_file("fds");
	if (strstr(env, "secret-4711"))
		fail_msg("the tool got the agent's parameters:\n%s", env);
	assert_non_null(strstr(env, "OCF_RESKEY_CRM_meta_on_node=node-4712\n"));
	assert_non_null(strstr(env, "\nLC_ALL=C\n"));
	assert_non_null(strstr(env, "PATH="));
	if (strstr(fds, "leak-marker"))
		fail_msg("the tool inherited a descriptor:\n%s", fds);
	assert_non_null(strstr(fds, " 0 -> /dev/null"));
	free(env);
	free(fds);
}

/*
 * Regressions in lib/attr.c: the failures, listed, fail the test.
 */
static void known_bug(unsigned failed, const char *where)
{
	if (!failed)
		return;
	fail_msg("%u failure(s), regression in %s", failed, where);
}

/*
 * Values longer than the cache's fixed buffers, which build_cmd still takes
 * (up to 1090 bytes): hubha_attr_set_versioned remembers value and version
 * in remembered[1024], so in one cache two values that differ only after
 * byte 1023 compare equal; hubha_attr_cache_open reads lines into
 * line[1024], so a remembered value of 1019..1023 bytes comes back cut to
 * 1018, and a later write of exactly that prefix is skipped.
 */
static void test_long_values(void **state)
{
	char v1[1031], v2[1031], w1[1021], w2[1019];
	struct hubha_attr_cache *c = NULL;
	unsigned failed = 0;
	int r;

	(void)state;
	need_only_attrd();
	memset(v1, 'a', sizeof(v1) - 1);
	v1[sizeof(v1) - 1] = '\0';
	memcpy(v2, v1, sizeof(v2));
	v2[sizeof(v2) - 2] = 'b';
	assert_int_equal(hubha_attr_cache_open(cachepath, HOUR, 0, &c), 0);
	r = hubha_attr_set(c, T, NULL, "x", v1, NULL, 0);
	/* Refusing what the cache cannot hold is a fix too; caching it wrongly is not. */
	if (r == -ENAMETOOLONG)
		assert_int_equal(hubha_attr_set(c, T, NULL, "x", v2, NULL, 0), -ENAMETOOLONG);
	else
		assert_int_equal(r, 0);
	if (r == 0)
		r = hubha_attr_set(c, T, NULL, "x", v2, NULL, 0);
	assert_int_equal(hubha_attr_cache_close(c), 0);
	if (r != 0 && r != -ENAMETOOLONG) {
		print_message("one cache: 1030-byte value differing from the cached one in its last byte: "
			      "%d, not written\n", r);
		failed++;
	}

	memset(w1, 'w', sizeof(w1) - 1);
	w1[sizeof(w1) - 1] = '\0';
	memcpy(w2, w1, sizeof(w2) - 1);
	w2[sizeof(w2) - 1] = '\0';
	assert_int_equal(set(T, NULL, "y", w1), 0);
	r = set(T, NULL, "y", w2);
	if (r != 0) {
		print_message("reopened cache: 1018-byte prefix of the cached 1020-byte value: %d, not written\n", r);
		failed++;
	}
	known_bug(failed, "lib/attr.c: remembered[1024] in hubha_attr_set_versioned, line[1024] in hubha_attr_cache_open");
}

/*
 * Neither node nor name is checked for '\n' or '\t', which the cache file
 * uses as separators: a name with a newline plants an entry for another
 * attribute, later writes of which are then skipped.  A tab makes a value
 * without version collide with a value with one.
 */
static void test_separators_in_keys(void **state)
{
	unsigned failed = 0;
	int r;

	(void)state;
	need_only_attrd();
	r = set(T, NULL, "x\n0//y", "v");
	if (r != -EINVAL) {
		print_message("name 'x\\n0//y' gave %d, not -EINVAL\n", r);
		failed++;
	}
	r = set(T, NULL, "y", "v");
	if (r != 0) {
		print_message("then y=v gave %d and ran nothing\n", r);
		failed++;
	}
	r = set(T, "n\n1", "x", "v");
	if (r != -EINVAL) {
		print_message("node 'n\\n1' gave %d, not -EINVAL\n", r);
		failed++;
	}
	assert_int_equal(set_v(T, NULL, "t", "a", "b", HOUR), 0);
	r = set(T, NULL, "t", "a\tb");
	if (r != 0 && r != -EINVAL) {
		print_message("value 'a\\tb' after value 'a' version 'b' gave %d and ran nothing\n", r);
		failed++;
	}
	known_bug(failed, "lib/attr.c hubha_attr_set_versioned: no check for '\\n' and '\\t' in node and name");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(test_first_set_runs_tool, reset, free_all),
	cmocka_unit_test_setup_teardown(test_same_value_is_cached, reset, free_all),
	cmocka_unit_test_setup_teardown(test_one_cache_many_sets, reset, free_all),
	cmocka_unit_test_setup_teardown(test_without_cache, reset, free_all),
	cmocka_unit_test_setup_teardown(test_cache_file_names_attrd, reset, free_all),
	cmocka_unit_test_setup_teardown(test_different_value_runs, reset, free_all),
	cmocka_unit_test_setup_teardown(test_versioned, reset, free_all),
	cmocka_unit_test_setup_teardown(test_new_attrd_forgets, reset, free_all),
	cmocka_unit_test_setup_teardown(test_no_attrd_no_cache, reset, free_all),
	cmocka_unit_test_setup_teardown(test_max_age, reset, free_all),
	cmocka_unit_test_setup_teardown(test_corrupt_cache_file, reset, free_all),
	cmocka_unit_test_setup_teardown(test_get, reset, free_all),
	cmocka_unit_test_setup_teardown(test_delete, reset, free_all),
	cmocka_unit_test_setup_teardown(test_failed_write_not_cached, reset, free_all),
	cmocka_unit_test_setup_teardown(test_invalid, reset, free_all),
	cmocka_unit_test_setup_teardown(test_long_values, reset, free_all),
	cmocka_unit_test_setup_teardown(test_separators_in_keys, reset, free_all),
	cmocka_unit_test_setup_teardown(test_no_path, reset, free_all),
	cmocka_unit_test_setup_teardown(test_forget, reset, free_all),
	cmocka_unit_test_setup_teardown(test_hung_tool_is_killed, reset, free_all),
	cmocka_unit_test_setup_teardown(test_tool_stderr_is_the_reason, reset, free_all),
	cmocka_unit_test_setup_teardown(test_tool_killed_by_signal, reset, free_all),
	cmocka_unit_test_setup_teardown(test_tool_environment, reset, free_all),
};

#define NOT_ISOLATED 200

static int write_proc(const char *path, const char *text)
{
	return write_file(path, text, strlen(text), 0);
}

/*
 * In a child: new pid and mount namespaces (and a user namespace when not
 * root), then the tests in a grandchild that is pid 1 there, with /proc
 * mounted afresh.  Returns the grandchild's exit status, or NOT_ISOLATED when
 * any step failed before the tests began.
 */
static int isolated_child(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int status;
	pid_t pid;

	if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0) {
		char map[64];

		if (unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS) < 0)
			return NOT_ISOLATED;
		snprintf(map, sizeof(map), "0 %lu 1\n", (unsigned long)uid);
		if (write_proc("/proc/self/uid_map", map) < 0)
			return NOT_ISOLATED;
		snprintf(map, sizeof(map), "0 %lu 1\n", (unsigned long)gid);
		if ((write_proc("/proc/self/setgroups", "deny") < 0 && errno != ENOENT) ||
		    write_proc("/proc/self/gid_map", map) < 0)
			return NOT_ISOLATED;
	}
	pid = fork();
	if (pid < 0)
		return NOT_ISOLATED;
	if (pid == 0) {
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			_exit(NOT_ISOLATED);
		isolated = true;
		/* exit(), not _exit(): flush the report, and let LeakSanitizer look. */
		exit(cmocka_run_group_tests(tests, group_setup, group_teardown) & 0xff);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return NOT_ISOLATED;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
	if (!getenv("HUBHA_UNIT_NO_NS")) {
		int status;
		pid_t pid;

		fflush(stdout);
		fflush(stderr);
		pid = fork();
		/*
		 * _exit(): after unshare(CLONE_NEWPID) this process can create no
		 * task (LeakSanitizer's tracer would be one) once the namespace's
		 * pid 1 has exited, and it has nothing of its own to flush.
		 */
		if (pid == 0)
			_exit(isolated_child());
		if (pid > 0) {
			while (waitpid(pid, &status, 0) < 0)
				if (errno != EINTR)
					return 99;
			status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			if (status != NOT_ISOLATED)
				return status;
		}
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

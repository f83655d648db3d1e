/*
 * hubha_pg_connect (lib/pg.c): why a connection failed, told by what the
 * server answered, not by the words of its message, which the server
 * translates (lc_messages).  A fake server on a Unix socket answers each
 * connection with one scripted reply; its messages are German, as a server
 * with lc_messages=de_DE sends them.
 *
 * Built as C99 with libpq's header and ours in the same unit: the two must
 * not both define PGconn.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <libpq-fe.h>

#include <hubha/pg.h>

#define PORT 5999

/* The fake of the running test; teardown stops it, also after a failed assertion. */
static struct fake {
	char dir[64];
	pid_t pid;
} fake;

/* A server reply: the bytes of one or more protocol messages. */
struct reply {
	const char *bytes;
	size_t len;
};

static size_t put32(char *p, uint32_t v)
{
	p[0] = (char)(v >> 24), p[1] = (char)(v >> 16), p[2] = (char)(v >> 8), p[3] = (char)v;
	return 4;
}

/* An ErrorResponse: severity FATAL, code, message. */
static size_t error_response(char *buf, const char *code, const char *msg)
{
	size_t o = 5;

	buf[0] = 'E';
	o += (size_t)sprintf(buf + o, "SFATAL%cVFATAL%cC%s%cM%s%c", 0, 0, code, 0, msg, 0);
	buf[o++] = '\0';
	put32(buf + 1, (uint32_t)(o - 1));
	return o;
}

static bool read_full(int fd, char *buf, size_t len)
{
	while (len) {
		ssize_t n = read(fd, buf, len);

		if (n <= 0)
			return false;
		buf += n, len -= (size_t)n;
	}
	return true;
}

/* Read the startup packet, send the reply, hang up; for every connection until killed. */
static void serve(int lfd, struct reply reply)
{
	/* Outlive no test run, whatever happens to the parent. */
	alarm(60);
	for (;;) {
		char buf[1024];
		uint32_t len;
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			_exit(1);
		if (read_full(fd, buf, 4)) {
			len = (uint32_t)(unsigned char)buf[0] << 24 | (uint32_t)(unsigned char)buf[1] << 16 |
			      (uint32_t)(unsigned char)buf[2] << 8 | (unsigned char)buf[3];
			if (len >= 8 && len - 4 <= sizeof(buf) && read_full(fd, buf, len - 4) &&
			    write(fd, reply.bytes, reply.len) != (ssize_t)reply.len)
				_exit(1);
		}
		close(fd);
	}
}

static void fake_start(struct reply reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct fake *f = &fake;
	int lfd;

	snprintf(f->dir, sizeof(f->dir), "/tmp/hubha-pgtest.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/.s.PGSQL.%d", f->dir, PORT);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 8), 0);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0)
		serve(lfd, reply);
	close(lfd);
}

static int fake_stop(void **state)
{
	struct fake *f = &fake;
	char path[128];

	(void)state;
	if (f->pid > 0) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, NULL, 0);
	}
	if (f->dir[0]) {
		snprintf(path, sizeof(path), "%s/.s.PGSQL.%d", f->dir, PORT);
		unlink(path);
		rmdir(f->dir);
	}
	memset(f, 0, sizeof(*f));
	return 0;
}

/* Connect to the fake; the connection must fail, leaving ret_conn alone. */
static int connect_fails(const char *dir, const char *password, char *err, size_t err_len)
{
	struct hubha_pg_target t = {
		.host = dir, .port = PORT, .dbname = "postgres", .user = "postgres", .password = password,
		.timeout_ms = 2000,
	};
	PGconn *conn = (PGconn *)&t;	/* a sentinel: must stay as it is */
	int r = hubha_pg_connect(&t, &conn, err, err_len);

	assert_ptr_equal(conn, (PGconn *)&t);
	return r;
}

static void expect_error(const char *code, const char *msg, int want)
{
	char bytes[512], err[512];
	struct reply reply = { bytes, error_response(bytes, code, msg) };

	fake_start(reply);
	assert_int_equal(connect_fails(fake.dir, NULL, err, sizeof(err)), want);
	/* The server's words reach the caller, on one line. */
	assert_non_null(strstr(err, msg));
	assert_null(strchr(err, '\n'));
}

static void authentication_failed_is_eacces(void **state)
{
	(void)state;
	expect_error("28P01", "Passwort-Authentifizierung für Benutzer »postgres« fehlgeschlagen", -EACCES);
}

static void no_pg_hba_entry_is_eacces(void **state)
{
	(void)state;
	expect_error("28000", "keine pg_hba.conf-Eintrag für Host »[local]«, Benutzer »postgres«", -EACCES);
}

static void unknown_database_is_eacces(void **state)
{
	(void)state;
	expect_error("3D000", "Datenbank »postgres« existiert nicht", -EACCES);
}

static void starting_up_is_eagain(void **state)
{
	(void)state;
	expect_error("57P03", "das Datenbanksystem startet", -EAGAIN);
}

static void shutting_down_is_eagain(void **state)
{
	(void)state;
	expect_error("57P03", "das Datenbanksystem fährt herunter", -EAGAIN);
}

/* The server asks for a password and none is configured. */
static void password_wanted_is_eacces(void **state)
{
	char bytes[16], err[512];
	struct reply reply = { bytes, 0 };

	(void)state;
	bytes[0] = 'R';
	reply.len = 1 + put32(bytes + 1, 8);
	reply.len += put32(bytes + reply.len, 3);	/* AuthenticationCleartextPassword */
	fake_start(reply);
	assert_int_equal(connect_fails(fake.dir, NULL, err, sizeof(err)), -EACCES);
}

static void no_server_is_econnrefused(void **state)
{
	char dir[] = "/tmp/hubha-pgtest.XXXXXX", err[512];

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(connect_fails(dir, NULL, err, sizeof(err)), -ECONNREFUSED);
	assert_true(err[0] != '\0');
	rmdir(dir);
}

/* A server that lets us in: AuthenticationOk, ReadyForQuery. */
static void accepted(void **state)
{
	char bytes[32], err[512] = "";
	struct reply reply = { bytes, 0 };
	struct hubha_pg_target t = { .port = PORT, .dbname = "postgres", .user = "postgres", .timeout_ms = 2000 };
	PGconn *conn = NULL;
	size_t o = 0;

	(void)state;
	bytes[o++] = 'R';
	o += put32(bytes + o, 8);
	o += put32(bytes + o, 0);
	bytes[o++] = 'Z';
	o += put32(bytes + o, 5);
	bytes[o++] = 'I';
	reply.len = o;
	fake_start(reply);
	t.host = fake.dir;
	assert_int_equal(hubha_pg_connect(&t, &conn, err, sizeof(err)), 0);
	assert_non_null(conn);
	assert_int_equal(PQstatus(conn), CONNECTION_OK);
	hubha_pg_close(conn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(authentication_failed_is_eacces, fake_stop),
		cmocka_unit_test_teardown(no_pg_hba_entry_is_eacces, fake_stop),
		cmocka_unit_test_teardown(unknown_database_is_eacces, fake_stop),
		cmocka_unit_test_teardown(starting_up_is_eagain, fake_stop),
		cmocka_unit_test_teardown(shutting_down_is_eagain, fake_stop),
		cmocka_unit_test_teardown(password_wanted_is_eacces, fake_stop),
		cmocka_unit_test_teardown(no_server_is_econnrefused, fake_stop),
		cmocka_unit_test_teardown(accepted, fake_stop),
	};

	/* A peer hanging up must not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

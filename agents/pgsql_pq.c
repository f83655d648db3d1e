/*
 * ocf:hubha:pgsql — libpq, loaded when first used.
 *
 * libpq brings some thirty libraries (OpenSSL, Kerberos, LDAP, ...) whose
 * loading and relocation cost more CPU than everything else a monitor does.
 * A monitor that hubhad answers never opens a connection of its own, so the
 * agent does not link libhubha-pg or libpq: these stand-ins, with the same
 * names and types, load libhubha-pg (and with it libpq) on the first call and
 * pass every call on.  Only the connections themselves can fail to load it
 * (the other calls all take a connection or a result one of them made), and
 * they say why.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hubha/log.h>

#include "pgsql.h"
#include "pgsql_probe.h"

static const char pg_soname[] = "libhubha-pg.so.0";
static void *pg_lib;
static char load_error[256];

/*
 * From the directory libhubha was loaded from, as libhubha-meta is: an
 * uninstalled build loads its own copy; the agent's runpath is the fallback.
 */
static void *pg_open(void)
{
	char path[PATH_MAX];
	const char *slash;
	Dl_info self;
	void *lib;
	int n;

	if (dladdr((void *)hubha_ocf_reason, &self) && self.dli_fname && (slash = strrchr(self.dli_fname, '/'))) {
		n = snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - self.dli_fname), self.dli_fname, pg_soname);
		if (n > 0 && (size_t)n < sizeof(path) && (lib = dlopen(path, RTLD_NOW | RTLD_LOCAL)))
			return lib;
	}
	return dlopen(pg_soname, RTLD_NOW | RTLD_LOCAL);
}

static void *pg_sym(const char *name)
{
	void *fn;

	if (!pg_lib && !load_error[0]) {
		pg_lib = pg_open();
		if (!pg_lib)
			snprintf(load_error, sizeof(load_error), "cannot load %s: %s", pg_soname, dlerror());
	}
	if (!pg_lib)
		return NULL;
	fn = dlsym(pg_lib, name);
	if (!fn)
		hubha_log(LOG_ERR, "%s has no %s", pg_soname, name);
	return fn;
}

bool pgsql_pq_loaded(void)
{
	return pg_lib != NULL;
}

/* fn = the loaded function of the stand-in's own name and type. */
#define LOAD(fn, name) (*(void **)&(fn) = pg_sym(#name))

int hubha_pg_connect(const struct hubha_pg_target *t, PGconn **ret_conn, char *err, size_t err_len)
{
	__typeof__(&hubha_pg_connect) fn;

	if (!LOAD(fn, hubha_pg_connect)) {
		snprintf(err, err_len, "%s", load_error[0] ? load_error : "libpq is not usable");
		return -ELIBACC;
	}
	return fn(t, ret_conn, err, err_len);
}

PGconn *PQconnectdb(const char *conninfo)
{
	__typeof__(&PQconnectdb) fn;

	return LOAD(fn, PQconnectdb) ? fn(conninfo) : NULL;
}

/* The libpq calls below take what a connection made: the library is loaded. */
#define PASS(ret, name, params, args, fail) \
	ret name params \
	{ \
		__typeof__(&name) fn; \
		if (!LOAD(fn, name)) \
			return fail; \
		return fn args; \
	}
/* Freeing nothing loads nothing. */
#define PASS_FREE(name, type) \
	void name(type *p) \
	{ \
		__typeof__(&name) fn; \
		if (p && LOAD(fn, name)) \
			fn(p); \
	}

PASS_FREE(hubha_pg_close, PGconn)
PASS(int, hubha_pg_status_get, (PGconn *conn, hubha_pg_standby_filter *keep, void *arg,
				 struct hubha_pg_status *ret_status, char *err, size_t err_len),
     (conn, keep, arg, ret_status, err, err_len), -ELIBACC)
PASS(int, hubha_pg_location, (PGconn *conn, uint32_t *ret_timeline, hubha_lsn *ret_lsn, char *err, size_t err_len),
     (conn, ret_timeline, ret_lsn, err, err_len), -ELIBACC)
PASS(int, hubha_pg_exec, (PGconn *conn, const char *sql, char **ret_value, char *err, size_t err_len),
     (conn, sql, ret_value, err, err_len), -ELIBACC)
PASS(int, hubha_pg_quote_literal, (PGconn *conn, const char *text, char **ret_quoted), (conn, text, ret_quoted),
     -ELIBACC)
PASS(ConnStatusType, PQstatus, (const PGconn *conn), (conn), CONNECTION_BAD)
PASS(char *, PQerrorMessage, (const PGconn *conn), (conn), load_error)
PASS_FREE(PQfinish, PGconn)
PASS(PGresult *, PQexec, (PGconn *conn, const char *query), (conn, query), NULL)
PASS(ExecStatusType, PQresultStatus, (const PGresult *res), (res), PGRES_FATAL_ERROR)
PASS(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode), NULL)
PASS(int, PQntuples, (const PGresult *res), (res), 0)
PASS(int, PQnfields, (const PGresult *res), (res), 0)
PASS(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num), NULL)
PASS_FREE(PQclear, PGresult)

/* A status may come from hubhad, with no library loaded: freeing it needs none. */
void hubha_pg_status_clear(struct hubha_pg_status *status)
{
	if (!status)
		return;
	free(status->standbys);
	status->standbys = NULL;
	status->n_standbys = 0;
}

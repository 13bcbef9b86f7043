/* cmd_sql.c: `cgov sql`, read-only SQL over the history for people.
 *
 * The sample table packs its rarely non-zero counters into one column that
 * only cgov's own connections can read (the cgov_cold() function, see
 * doc/store.md); a bare sqlite3 shell cannot use the sample_v view. This
 * command runs a query on a read-only cgov connection, so the views work,
 * and prints the result in the usual formats, escaped like every output.
 *
 * People run it as root, on a file a tenant's names fill: a read-only
 * connection is not enough. An authorizer lets a query read tables and
 * views, call functions from an allow-list and run a few read-only pragmas,
 * nothing else (fts3_tokenizer() hands out a function pointer and takes one
 * back; ATTACH opens any file). Rows stream out as they come, and bounds on
 * rows, time and SQLite's memory stop a query that would run forever (an
 * endless recursive CTE) with an error rather than filling the machine.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "cmd.h"
#include "escape.h"
#include "units.h"
#include "xmalloc.h"

#define SQL_USAGE "usage: cgov sql [--format table|json|csv] [--max-rows N] " \
	"[--timeout DURATION] QUERY\n"
#define SQL_MAX_ROWS    100000          /* --max-rows default */
#define SQL_TIMEOUT_MS  10000           /* --timeout default */
/* SQLite's heap, for the whole process: a sort spills to a temporary
 * file long before this, so only a runaway (a string grown without end by
 * group_concat over an endless CTE) meets it. */
#define SQL_HEAP_MAX    (64 << 20)
#define SQL_TABLE_BATCH 1000            /* table rows written at a time */

/* Functions a query may call: SQLite's scalar, aggregate, window, date,
 * math and JSON functions that only compute on their arguments, and cgov's
 * own (the views use them). Not: fts3_tokenizer, load_extension, the
 * sqlite_* introspection, random()/randomblob()/zeroblob() (memory or
 * nothing to read), changes() and the like. */
static const char *const sql_functions[] = {
	"->", "->>", "abs", "acos", "acosh", "asin", "asinh", "atan", "atan2",
	"atanh", "avg", "ceil", "ceiling", "char", "coalesce", "concat",
	"concat_ws", "cos", "cosh", "count", "cume_dist", "current_date",
	"current_time", "current_timestamp", "date", "datetime", "degrees",
	"dense_rank", "exp", "first_value", "floor", "format", "glob",
	"group_concat", "hex", "ifnull", "iif", "instr", "json", "json_array",
	"json_array_length", "json_extract", "json_group_array",
	"json_group_object", "json_object", "json_quote", "json_type",
	"json_valid", "julianday", "lag", "last_value", "lead", "length", "like",
	"likelihood", "likely", "ln", "log", "log10", "log2", "lower", "ltrim",
	"max", "min", "mod", "nth_value", "ntile", "nullif", "octet_length",
	"percent_rank", "pi", "pow", "power", "printf", "quote", "radians",
	"rank", "replace", "round", "row_number", "rtrim", "sign", "sin", "sinh",
	"soundex", "sqrt", "strftime", "string_agg", "substr", "substring", "sum",
	"tan", "tanh", "time", "timediff", "total", "trim", "trunc", "typeof",
	"unhex", "unicode", "unixepoch", "unlikely", "upper",
	"cgov_cold", "cgov_field",
};

/* Pragmas that only read, and whether they take an argument (a table or
 * an index name; the others would set a value with one). */
static const struct {
	const char *name;
	int arg;
} sql_pragmas[] = {
	{ "application_id", 0 }, { "compile_options", 0 }, { "encoding", 0 },
	{ "foreign_key_check", 1 }, { "foreign_key_list", 1 },
	{ "freelist_count", 0 }, { "index_info", 1 }, { "index_list", 1 },
	{ "index_xinfo", 1 }, { "integrity_check", 1 }, { "page_count", 0 },
	{ "page_size", 0 }, { "quick_check", 1 }, { "schema_version", 0 },
	{ "table_info", 1 }, { "table_list", 1 }, { "table_xinfo", 1 },
	{ "user_version", 0 },
};

/* What the authorizer knows and what it refused first. */
struct sql_auth {
	char **tables;          /* tables and views of the schema */
	size_t ntables;
	char *refused;          /* the first refusal, for the message */
};

/* Action codes as a person would name them (sqlite3.h, 1..33). */
static const char *const sql_action_names[] = {
	"statement", "CREATE INDEX", "CREATE TABLE", "CREATE TEMP INDEX",
	"CREATE TEMP TABLE", "CREATE TEMP TRIGGER", "CREATE TEMP VIEW",
	"CREATE TRIGGER", "CREATE VIEW", "DELETE from", "DROP INDEX", "DROP TABLE",
	"DROP TEMP INDEX", "DROP TEMP TABLE", "DROP TEMP TRIGGER",
	"DROP TEMP VIEW", "DROP TRIGGER", "DROP VIEW", "INSERT into", "PRAGMA",
	"reading", "SELECT", "a transaction", "UPDATE of", "ATTACH", "DETACH",
	"ALTER TABLE", "REINDEX", "ANALYZE", "CREATE VIRTUAL TABLE",
	"DROP VIRTUAL TABLE", "a function", "a SAVEPOINT", "a recursive CTE",
};

static int
sql_function_allowed(const char *name)
{
	for (size_t i = 0; i < sizeof sql_functions / sizeof sql_functions[0]; i++)
		if (strcasecmp(name, sql_functions[i]) == 0)
			return 1;
	return 0;
}

/* Returns 1 when the pragma may run with (arg != NULL) or without an
 * argument. */
static int
sql_pragma_allowed(const char *name, int has_arg)
{
	for (size_t i = 0; i < sizeof sql_pragmas / sizeof sql_pragmas[0]; i++)
		if (strcasecmp(name, sql_pragmas[i].name) == 0)
			return !has_arg || sql_pragmas[i].arg;
	return 0;
}

/* Tables a query may read: the schema's own, the schema table, and the
 * table-valued functions sql_auth_init() connected: json_each, json_tree
 * and the pragmas above (their arguments meet the pragma check). Not the
 * other eponymous virtual tables (dbstat, sqlite_stmt, fts tokenizers). */
static int
sql_table_allowed(const struct sql_auth *a, const char *table)
{
	if (strcasecmp(table, "sqlite_schema") == 0 || strcasecmp(table, "sqlite_master") == 0 ||
	    strcasecmp(table, "json_each") == 0 || strcasecmp(table, "json_tree") == 0)
		return 1;
	if (strncasecmp(table, "pragma_", 7) == 0)
		return sql_pragma_allowed(table + 7, 0) || sql_pragma_allowed(table + 7, 1);
	for (size_t i = 0; i < a->ntables; i++)
		if (strcmp(table, a->tables[i]) == 0)
			return 1;
	return 0;
}

static void
sql_refuse(struct sql_auth *a, const char *what, const char *name)
{
	struct buf b;

	if (a->refused != NULL)
		return;
	buf_init(&b);
	buf_puts(&b, what);
	if (name != NULL) {
		buf_puts(&b, " ");
		escape_term(&b, name);
	}
	a->refused = b.data;
}

/* sqlite3_set_authorizer callback: runs while a statement compiles. */
static int
sql_authorize(void *arg, int action, const char *a1, const char *a2, const char *db,
    const char *inner)
{
	struct sql_auth *a = arg;

	(void)inner;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_READ:
		/* No column: "SELECT count(*) FROM x", where x may be a
		 * CTE, named as written; nothing is read from it. */
		if (a2 != NULL && a2[0] == '\0')
			return SQLITE_OK;
		if ((db == NULL || strcmp(db, "main") == 0) && a1 != NULL &&
		    sql_table_allowed(a, a1))
			return SQLITE_OK;
		sql_refuse(a, "reading table", a1 != NULL ? a1 : "?");
		return SQLITE_DENY;
	case SQLITE_FUNCTION:
		if (a2 != NULL && sql_function_allowed(a2))
			return SQLITE_OK;
		sql_refuse(a, "function", a2 != NULL ? a2 : "?");
		return SQLITE_DENY;
	case SQLITE_PRAGMA:
		if (a1 != NULL && sql_pragma_allowed(a1, a2 != NULL))
			return SQLITE_OK;
		sql_refuse(a, a2 != NULL ? "setting or calling PRAGMA" : "PRAGMA",
		    a1 != NULL ? a1 : "?");
		return SQLITE_DENY;
	case SQLITE_INSERT:
	case SQLITE_UPDATE:
	case SQLITE_DELETE:
		/* Connecting a table-valued function that sql_auth_init() did
		 * not is seen as an UPDATE of sqlite_master. */
		if (action == SQLITE_UPDATE && a1 != NULL && strcmp(a1, "sqlite_master") == 0)
			sql_refuse(a, "a table-valued function other than json_each, "
			    "json_tree and pragma_* of the pragmas allowed (or an UPDATE of "
			    "sqlite_master)", NULL);
		else
			sql_refuse(a, sql_action_names[action], a1 != NULL ? a1 : "?");
		return SQLITE_DENY;
	default:
		sql_refuse(a, action > 0 && (size_t)action < sizeof sql_action_names /
		    sizeof sql_action_names[0] ? sql_action_names[action] : "statement", NULL);
		return SQLITE_DENY;
	}
}

/* Compiles (never runs) a query over a table-valued function: SQLite
 * connects its table once per connection, compiling a nested UPDATE of
 * sqlite_master that never runs but that an authorizer would see and
 * refuse. Done before the authorizer is set. */
static void
sql_connect_vtab(sqlite3 *db, const char *name)
{
	sqlite3_stmt *stmt = NULL;
	char *q = xasprintf("SELECT * FROM %s", name);

	(void)sqlite3_prepare_v2(db, q, -1, &stmt, NULL);
	sqlite3_finalize(stmt);
	free(q);
}

/* The schema's tables and views, read before the authorizer is set, and
 * the table-valued functions a query may use, connected. */
static int
sql_auth_init(sqlite3 *db, struct sql_auth *a)
{
	sqlite3_stmt *stmt;
	int rc;

	memset(a, 0, sizeof *a);
	sql_connect_vtab(db, "json_each");
	sql_connect_vtab(db, "json_tree");
	for (size_t i = 0; i < sizeof sql_pragmas / sizeof sql_pragmas[0]; i++) {
		char *t = xasprintf("pragma_%s", sql_pragmas[i].name);

		sql_connect_vtab(db, t);
		free(t);
	}
	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type IN "
	    "('table', 'view')", -1, &stmt, NULL) != SQLITE_OK)
		return -EIO;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		a->tables = xreallocarray(a->tables, a->ntables + 1, sizeof *a->tables);
		a->tables[a->ntables++] = xstrdup((const char *)sqlite3_column_text(stmt, 0));
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static void
sql_auth_free(struct sql_auth *a)
{
	for (size_t i = 0; i < a->ntables; i++)
		free(a->tables[i]);
	free(a->tables);
	free(a->refused);
}

static int64_t
sql_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* sqlite3_progress_handler callback: non-zero interrupts the statement
 * once it ran past its deadline. */
static int
sql_progress(void *arg)
{
	const int64_t *deadline = arg;

	return sql_now_ms() >= *deadline;
}

/* Column i of the current row into o. */
static void
sql_cell(struct out *o, enum out_format fmt, sqlite3_stmt *stmt, int i)
{
	switch (sqlite3_column_type(stmt, i)) {
	case SQLITE_NULL:
		if (fmt == OUT_TABLE)
			out_num(o, 0, 0, "NULL");
		else
			out_str(o, NULL);
		break;
	case SQLITE_INTEGER:
		out_int(o, (long long)sqlite3_column_int64(stmt, i));
		break;
	case SQLITE_FLOAT: {
		const char *t = (const char *)sqlite3_column_text(stmt, i);

		out_num(o, sqlite3_column_double(stmt, i), 6, t);
		break;
	}
	default:
		out_str(o, (const char *)sqlite3_column_text(stmt, i));
	}
}

int
cmd_sql(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "max-rows", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct out_col *cols;
	sqlite3_stmt *stmt = NULL;
	const char *tail = NULL;
	struct sql_auth auth;
	struct store *st;
	struct out *o;
	sqlite3 *db;
	uint64_t max_rows = SQL_MAX_ROWS, timeout_ms = SQL_TIMEOUT_MS, nrows = 0;
	int64_t deadline = INT64_MAX;
	char tbuf[32], *end;
	int ch, rc, ncols;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			printf(SQL_USAGE
			    "Runs one read-only SQL query on the history (views sample_v, ...).\n"
			    "Stops after --max-rows rows (default %d; 0: no bound) or --timeout\n"
			    "(default %ds; 0: none), exit 1.\n", SQL_MAX_ROWS, SQL_TIMEOUT_MS / 1000);
			return CMD_OK;
		case 'n':
			errno = 0;
			max_rows = strtoull(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-') {
				fprintf(stderr, "cgov: sql: bad number \"%s\" for --max-rows\n", optarg);
				return CMD_USAGE;
			}
			break;
		case 't':
			if (units_parse_duration(optarg, &timeout_ms) < 0) {
				fprintf(stderr, "cgov: sql: bad duration \"%s\" for --timeout "
				    "(e.g. 10s, 2m; 0: none)\n", optarg);
				return CMD_USAGE;
			}
			break;
		default:
			if (cmd_common_option(ctx, ch, optarg) == 1)
				break;
			fputs(SQL_USAGE, stderr);
			return CMD_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fputs(SQL_USAGE, stderr);
		return CMD_USAGE;
	}
	if ((st = cmd_open_store(ctx)) == NULL)
		return CMD_FAILURE;
	db = store_sqlite(st);
	if (sql_auth_init(db, &auth) < 0) {
		fprintf(stderr, "cgov: sql: cannot read the schema: %s\n", sqlite3_errmsg(db));
		sql_auth_free(&auth);
		store_close(st);
		return CMD_FAILURE;
	}
	sqlite3_set_authorizer(db, sql_authorize, &auth);
	sqlite3_hard_heap_limit64(SQL_HEAP_MAX);
	if (sqlite3_prepare_v2(db, argv[optind], -1, &stmt, &tail) != SQLITE_OK ||
	    stmt == NULL) {
		if (auth.refused != NULL)
			fprintf(stderr, "cgov: sql: %s is not allowed (cgov sql reads tables "
			    "and views with plain functions and read-only PRAGMAs; see cgov(1))\n",
			    auth.refused);
		else
			fprintf(stderr, "cgov: sql: %s\n", stmt == NULL &&
			    sqlite3_errcode(db) == SQLITE_OK ? "empty query" : sqlite3_errmsg(db));
		rc = CMD_USAGE;
		goto done;
	}
	tail += strspn(tail, " \t\r\n;");
	ncols = sqlite3_column_count(stmt);
	/* The connection is read-only and the authorizer refuses writes; this
	 * is the last word on both (VACUUM INTO, temporary tables): only
	 * statements that read and return rows run. */
	if (*tail != '\0' || !sqlite3_stmt_readonly(stmt) || ncols == 0) {
		fprintf(stderr, "cgov: sql: %s\n", *tail != '\0' ? "one statement at a time" :
		    "only queries that read and return rows (SELECT, read-only PRAGMA)");
		rc = CMD_USAGE;
		goto done;
	}
	cols = xcalloc(ncols > 0 ? (size_t)ncols : 1, sizeof *cols);
	for (int i = 0; i < ncols; i++) {
		/* Column names come from the query: as JSON keys and CSV
		 * headers they keep [A-Za-z0-9_.] only ("count(*)" becomes
		 * "count___"); the table header shows them as typed, with
		 * control bytes replaced. */
		char *key = xstrdup(sqlite3_column_name(stmt, i));
		char *header = xstrdup(key);

		for (char *p = key; *p != '\0'; p++)
			if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
				*p = '_';
		for (char *p = header; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		cols[i] = (struct out_col){ key, header, 0, 0 };
	}
	if (timeout_ms > 0) {
		deadline = sql_now_ms() + (int64_t)timeout_ms;
		sqlite3_progress_handler(db, 1000, sql_progress, &deadline);
	}
	o = out_new(ctx->format, cols, (size_t)ncols);
	if (ctx->format == OUT_JSON)
		fputs("{\"rows\": ", stdout);
	/* Rows go out as they come: JSON and CSV one by one, a table in
	 * batches (its columns are as wide as the widest cell of a batch). */
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (max_rows > 0 && nrows == max_rows)
			break;
		for (int i = 0; i < ncols; i++)
			sql_cell(o, ctx->format, stmt, i);
		nrows++;
		if (ctx->format != OUT_TABLE || nrows % SQL_TABLE_BATCH == 0)
			out_flush(o, stdout);
	}
	/* The document stays whole when a bound cut it: the error says so. */
	out_print(o, stdout);
	if (ctx->format == OUT_JSON)
		fputs("}\n", stdout);
	fflush(stdout);
	units_format_duration(timeout_ms, tbuf, sizeof tbuf);
	if (rc == SQLITE_ROW) {
		fprintf(stderr, "cgov: sql: stopped after %llu rows (--max-rows; add a LIMIT "
		    "or raise it)\n", (unsigned long long)max_rows);
		rc = CMD_FAILURE;
	} else if (rc == SQLITE_INTERRUPT && timeout_ms > 0 && sql_now_ms() >= deadline) {
		fprintf(stderr, "cgov: sql: stopped after --timeout %s (narrow the query or "
		    "raise it)\n", tbuf);
		rc = CMD_FAILURE;
	} else if ((rc & 0xff) == SQLITE_NOMEM) {
		fprintf(stderr, "cgov: sql: out of memory: the query needs more than the "
		    "%d MiB cgov sql gives SQLite\n", SQL_HEAP_MAX >> 20);
		rc = CMD_FAILURE;
	} else if (rc != SQLITE_DONE) {
		fprintf(stderr, "cgov: sql: %s\n", sqlite3_errmsg(db));
		rc = CMD_FAILURE;
	} else
		rc = CMD_OK;
	out_free(o);
	for (int i = 0; i < ncols; i++) {
		free((char *)cols[i].key);
		free((char *)cols[i].header);
	}
	free(cols);
done:
	sqlite3_finalize(stmt);
	/* Closing runs statements of cgov's own (a checkpoint): unbound. */
	sqlite3_progress_handler(db, 0, NULL, NULL);
	sqlite3_set_authorizer(db, NULL, NULL);
	sqlite3_hard_heap_limit64(0);
	sql_auth_free(&auth);
	store_close(st);
	return rc;
}

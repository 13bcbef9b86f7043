/* cmd_sql.c: `cgov sql`, read-only SQL over the history for people.
 *
 * The sample table packs its rarely non-zero counters into one column that
 * only cgov's own connections can read (the cgov_cold() function, see
 * doc/store.md); a bare sqlite3 shell cannot use the sample_v view. This
 * command runs a query on a read-only cgov connection, so the views work,
 * and prints the result in the usual formats, escaped like every output.
 */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "xmalloc.h"

int
cmd_sql(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct out_col *cols;
	sqlite3_stmt *stmt = NULL;
	const char *tail = NULL;
	struct store *st;
	struct out *o;
	int ch, rc, ncols;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			printf("usage: cgov sql [--format table|json|csv] QUERY\n"
			    "Runs one read-only SQL query on the history (views sample_v, ...).\n");
			return CMD_OK;
		default:
			if (cmd_common_option(ctx, ch, optarg) == 1)
				break;
			fprintf(stderr, "usage: cgov sql [--format table|json|csv] QUERY\n");
			return CMD_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: cgov sql [--format table|json|csv] QUERY\n");
		return CMD_USAGE;
	}
	if ((st = cmd_open_store(ctx)) == NULL)
		return CMD_FAILURE;
	if (sqlite3_prepare_v2(store_sqlite(st), argv[optind], -1, &stmt, &tail) != SQLITE_OK ||
	    stmt == NULL) {
		fprintf(stderr, "cgov: sql: %s\n", stmt == NULL && sqlite3_errcode(store_sqlite(st)) ==
		    SQLITE_OK ? "empty query" : sqlite3_errmsg(store_sqlite(st)));
		store_close(st);
		return CMD_USAGE;
	}
	tail += strspn(tail, " \t\r\n;");
	ncols = sqlite3_column_count(stmt);
	/* The connection is read-only, but VACUUM INTO and temporary tables
	 * get past that: only statements that read and return rows run. */
	if (*tail != '\0' || !sqlite3_stmt_readonly(stmt) || ncols == 0) {
		fprintf(stderr, "cgov: sql: %s\n", *tail != '\0' ? "one statement at a time" :
		    "only queries that read and return rows (SELECT, read-only PRAGMA)");
		sqlite3_finalize(stmt);
		store_close(st);
		return CMD_USAGE;
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
	o = out_new(ctx->format, cols, (size_t)ncols);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		for (int i = 0; i < ncols; i++) {
			switch (sqlite3_column_type(stmt, i)) {
			case SQLITE_NULL:
				if (ctx->format == OUT_TABLE)
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
	}
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "cgov: sql: %s\n", sqlite3_errmsg(store_sqlite(st)));
		rc = CMD_FAILURE;
	} else {
		if (ctx->format == OUT_JSON) {
			fputs("{\"rows\": ", stdout);
			out_print(o, stdout);
			fputs("}\n", stdout);
		} else
			out_print(o, stdout);
		rc = CMD_OK;
	}
	out_free(o);
	for (int i = 0; i < ncols; i++) {
		free((char *)cols[i].key);
		free((char *)cols[i].header);
	}
	free(cols);
	sqlite3_finalize(stmt);
	store_close(st);
	return rc;
}

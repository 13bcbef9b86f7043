/* output.h: tables, JSON and CSV for the CLI, escaping built in.
 *
 * A command declares its columns once, then adds cells row by row: strings
 * with out_str() (escaped for the chosen format: tenant names are hostile),
 * numbers with out_num() which takes both the raw value (JSON/CSV) and the
 * human text (table). out_print() writes the whole thing.
 */
#ifndef CGOV_OUTPUT_H
#define CGOV_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

enum out_format { OUT_TABLE, OUT_JSON, OUT_CSV };

/* "table", "json", "csv". Returns 0 or -EINVAL. */
int out_parse_format(const char *s, enum out_format *ret);

struct out_col {
	const char *key;        /* JSON key and CSV header: stable, see cgov(1) */
	const char *header;     /* table header; NULL: column not in the table */
	int right;              /* right-align in the table */
	int maxwidth;           /* table: truncate longer text (0: no limit) */
};

struct out;

struct out *out_new(enum out_format fmt, const struct out_col *cols, size_t ncols);
void out_free(struct out *o);

/* Cells, in column order. s may be NULL (JSON null, empty elsewhere). */
void out_str(struct out *o, const char *s);
/* A number: JSON and CSV print v (null/empty when v is NAN or infinite),
 * with `decimals` digits after the point; the table prints text. */
void out_num(struct out *o, double v, int decimals, const char *text);

/* An integer: exact in every format (no trip through a double). */
void out_int(struct out *o, long long v);

/* A time in ms since the epoch: the number in JSON and CSV, local
 * "YYYY-MM-DD HH:MM:SS" in the table; INT64_MIN (the store's NULL) is null
 * and `none` in the table. */
void out_time(struct out *o, int64_t ms, const char *none);

/* Writes the rows: a table with a header line, a JSON array of objects, or
 * CSV with a header line. After out_flush(), the rows added since and the
 * end of the JSON array. */
void out_print(struct out *o, FILE *fp);

/* Streaming: writes the rows added so far (the header, or the JSON array's
 * opening, the first time) and frees them, so a long result is never held
 * whole; out_print() ends it. A table's columns are as wide as the widest
 * cell written so far: a wider cell in a later batch widens the rows after
 * it only, so flush a table in batches. */
void out_flush(struct out *o, FILE *fp);

/* Colour, for tables on a terminal only: out_color_wanted says whether fp
 * is a terminal and NO_COLOR is unset or empty (https://no-color.org);
 * out_set_color turns it on for o (a no-op in JSON and CSV); out_style
 * gives the cell pushed last an SGR colour ("31": red; a static string,
 * never tenant text). Cells keep their width: the escape wraps the text. */
int out_color_wanted(FILE *fp);
void out_set_color(struct out *o, int on);
void out_style(struct out *o, const char *sgr);

#endif

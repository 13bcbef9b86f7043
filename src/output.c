/* output.c: the CLI's three output formats. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "escape.h"
#include "output.h"
#include "units.h"
#include "xmalloc.h"

struct out_cell {
	char *text;             /* table: escaped display text; json/csv: encoded */
	const char *sgr;        /* table on a terminal: its colour (static), or NULL */
};

struct out {
	enum out_format fmt;
	const struct out_col *cols;
	size_t ncols;
	struct out_cell *cells;
	size_t ncells, cap;
	int color;              /* out_set_color */
	/* out_flush: rows written so far, and the table's column widths
	 * (the widest cell seen; NULL until the first table is written). */
	int started;
	size_t nwritten;
	size_t *width;
};

int
out_parse_format(const char *s, enum out_format *ret)
{
	if (strcmp(s, "table") == 0)
		*ret = OUT_TABLE;
	else if (strcmp(s, "json") == 0)
		*ret = OUT_JSON;
	else if (strcmp(s, "csv") == 0)
		*ret = OUT_CSV;
	else
		return -EINVAL;
	return 0;
}

struct out *
out_new(enum out_format fmt, const struct out_col *cols, size_t ncols)
{
	struct out *o = xcalloc(1, sizeof *o);

	o->fmt = fmt;
	o->cols = cols;
	o->ncols = ncols;
	return o;
}

void
out_free(struct out *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->ncells; i++)
		free(o->cells[i].text);
	free(o->cells);
	free(o->width);
	free(o);
}

static void
out_push(struct out *o, char *text)
{
	if (o->ncells == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->cells = xreallocarray(o->cells, o->cap, sizeof *o->cells);
	}
	o->cells[o->ncells].sgr = NULL;
	o->cells[o->ncells++].text = text;
}

void
out_str(struct out *o, const char *s)
{
	struct buf b;

	buf_init(&b);
	if (s == NULL)
		buf_puts(&b, o->fmt == OUT_JSON ? "null" : "");
	else if (o->fmt == OUT_JSON)
		escape_json(&b, s);
	else if (o->fmt == OUT_CSV)
		escape_csv(&b, s);
	else
		escape_term(&b, s);
	out_push(o, b.data != NULL ? b.data : xstrdup(""));
}

void
out_num(struct out *o, double v, int decimals, const char *text)
{
	if (o->fmt == OUT_TABLE)
		out_push(o, xstrdup(text));
	else if (isnan(v) || isinf(v))
		out_push(o, xstrdup(o->fmt == OUT_JSON ? "null" : ""));
	else
		out_push(o, xasprintf("%.*f", decimals, v));
}

void
out_int(struct out *o, long long v)
{
	out_push(o, xasprintf("%lld", v));
}

/* Display width of escaped text: escape_term leaves only printable ASCII
 * and valid UTF-8, so counting non-continuation bytes is enough. */
static size_t
out_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

/* Truncates to at most max columns, marking the cut with '~'. */
static void
out_truncate(char *s, size_t max)
{
	size_t w = 0;

	for (char *p = s; *p != '\0'; p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue;
		if (++w == max && out_width(p) > 1) {
			p[0] = '~';
			p[1] = '\0';
			return;
		}
	}
}

/* The buffered rows as table lines, the header first when nothing was
 * written yet. Widths only grow: a batch after a wider cell is wider. */
static void
out_write_table(struct out *o, FILE *fp, size_t nrows)
{
	if (o->width == NULL)
		o->width = xcalloc(o->ncols > 0 ? o->ncols : 1, sizeof *o->width);
	for (size_t c = 0; c < o->ncols; c++) {
		if (o->cols[c].header == NULL)
			continue;
		if (strlen(o->cols[c].header) > o->width[c])
			o->width[c] = strlen(o->cols[c].header);
		for (size_t r = 0; r < nrows; r++) {
			char *t = o->cells[r * o->ncols + c].text;
			size_t w;

			if (o->cols[c].maxwidth > 0)
				out_truncate(t, (size_t)o->cols[c].maxwidth);
			if ((w = out_width(t)) > o->width[c])
				o->width[c] = w;
		}
	}
	for (size_t r = o->started ? 1 : 0; r <= nrows; r++) {
		int first = 1;

		for (size_t c = 0; c < o->ncols; c++) {
			const char *t, *sgr;
			size_t pad;

			if (o->cols[c].header == NULL)
				continue;
			t = r == 0 ? o->cols[c].header : o->cells[(r - 1) * o->ncols + c].text;
			pad = o->width[c] - out_width(t);
			if (!first)
				fputs("  ", fp);
			/* The colour wraps the text, not the padding: widths
			 * are counted without it. */
			sgr = r > 0 && o->color ? o->cells[(r - 1) * o->ncols + c].sgr : NULL;
			if (o->cols[c].right)
				fprintf(fp, "%*s", (int)pad, "");
			if (sgr != NULL)
				fprintf(fp, "\033[%sm%s\033[0m", sgr, t);
			else
				fputs(t, fp);
			if (!o->cols[c].right && c + 1 < o->ncols)
				fprintf(fp, "%*s", (int)pad, "");
			first = 0;
		}
		fputc('\n', fp);
	}
}

/* Writes the buffered rows (the header, or JSON's '[', first) and drops
 * them. */
static void
out_write_rows(struct out *o, FILE *fp)
{
	size_t nrows = o->ncols > 0 ? o->ncells / o->ncols : 0;

	switch (o->fmt) {
	case OUT_TABLE:
		out_write_table(o, fp, nrows);
		break;
	case OUT_JSON:
		if (!o->started)
			fputc('[', fp);
		for (size_t r = 0; r < nrows; r++) {
			fputs(o->nwritten + r ? ",\n  {" : "\n  {", fp);
			for (size_t c = 0; c < o->ncols; c++)
				fprintf(fp, "%s\"%s\": %s", c ? ", " : "", o->cols[c].key,
				    o->cells[r * o->ncols + c].text);
			fputc('}', fp);
		}
		break;
	case OUT_CSV:
		if (!o->started) {
			for (size_t c = 0; c < o->ncols; c++)
				fprintf(fp, "%s%s", c ? "," : "", o->cols[c].key);
			fputs("\r\n", fp);
		}
		for (size_t r = 0; r < nrows; r++) {
			for (size_t c = 0; c < o->ncols; c++)
				fprintf(fp, "%s%s", c ? "," : "", o->cells[r * o->ncols + c].text);
			fputs("\r\n", fp);
		}
		break;
	}
	o->started = 1;
	o->nwritten += nrows;
	for (size_t i = 0; i < o->ncells; i++)
		free(o->cells[i].text);
	o->ncells = 0;
}

void
out_flush(struct out *o, FILE *fp)
{
	out_write_rows(o, fp);
}

void
out_print(struct out *o, FILE *fp)
{
	out_write_rows(o, fp);
	if (o->fmt == OUT_JSON)
		fputs(o->nwritten ? "\n]" : "]", fp);
}

void
out_time(struct out *o, int64_t ms, const char *none)
{
	char t[32];

	if (ms == INT64_MIN) {
		out_num(o, NAN, 0, none);
		return;
	}
	units_format_time(ms, t, sizeof t);
	out_num(o, (double)ms, 0, t);      /* exact: ms stay below 2^53 */
}

int
out_color_wanted(FILE *fp)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(fileno(fp)) && (nc == NULL || nc[0] == '\0');
}

void
out_set_color(struct out *o, int on)
{
	o->color = on && o->fmt == OUT_TABLE;
}

void
out_style(struct out *o, const char *sgr)
{
	if (o->ncells > 0)
		o->cells[o->ncells - 1].sgr = sgr;
}

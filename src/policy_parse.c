/* policy_parse.c: the policy language's lexer and recursive-descent parser
 * (policy_parse_buffer), and freeing what it builds (policy.h,
 * cgov.policy(5)). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "knob.h"
#include "policy.h"
#include "units.h"
#include "xmalloc.h"

#define POL_MAX_DIAGS   100             /* per text, then "too many errors" */
#define POL_MAX_NEST    16              /* parentheses in one condition */
#define POL_MAX_CMPS    64              /* comparisons in one condition */
#define POL_MAX_NUMBER  1e15            /* larger numbers are typos */
#define POL_UNSET       UINT64_MAX      /* a default not resolved yet */
#define NWORDS(a)       (sizeof (a) / sizeof (a)[0])

/* ---- hints ------------------------------------------------------------------------- */

/* Levenshtein distance of two short words; SIZE_MAX for long ones. */
static size_t
pol_edit_distance(const char *a, size_t na, const char *b)
{
	size_t nb = strlen(b), row[33], diag, up;

	if (na > 32 || nb > 32)
		return SIZE_MAX;
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			up = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[nb];
}

/* "did you mean ...?" for the closest word within an edit distance of 2
 * (and closer than the word is long: "io" is no typo of "ab"); NULL if none. */
static const char *
pol_hint(const char *s, size_t n, const char *const *words, size_t nwords, char *buf,
    size_t len)
{
	size_t best = SIZE_MAX, dist;
	const char *pick = NULL;

	for (size_t i = 0; i < nwords; i++) {
		if (words[i] == NULL)
			continue;
		dist = pol_edit_distance(s, n, words[i]);
		if (dist < best) {
			best = dist;
			pick = words[i];
		}
	}
	if (pick == NULL || best > 2 || best >= n)
		return NULL;
	snprintf(buf, len, "did you mean \"%s\"?", pick);
	return buf;
}

/* ---- lexer ------------------------------------------------------------------------- */

enum tok_type {
	T_EOF, T_WORD, T_STRING, T_NUMBER, T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN, T_OP,
	T_ERROR,                /* already reported by the lexer */
};

struct tok {
	enum tok_type type;
	const char *s;          /* raw text in the buffer */
	size_t len;
	int line, col;
	int bol;                /* first token of its line: statements resync here */
	enum pol_op op;
};

struct parser {
	const char *file;       /* the set's copy */
	const char *p, *end, *linestart;
	int line, lastline;
	struct tok t;           /* the current token: the parser looks at one */
	struct buf str;         /* a T_STRING, unescaped */
	struct pol_diags *d;
	size_t ndiags, nerrors;
	int stopped;            /* too many diagnostics: the lexer says EOF */
	const char *stmt;       /* first token of the statement being parsed */
	int depth, ncmps;       /* of the condition being parsed */
	uint64_t *for_ms;       /* where its `for` goes */
	int for_seen;
	struct policy_set *set;
};

static void __attribute__((format(printf, 5, 0)))
perr_vat(struct parser *p, int line, int col, const char *hint, const char *fmt, va_list ap)
{
	struct pol_loc at = { p->file, line, col };
	char msg[512];

	if (p->stopped)
		return;
	p->nerrors++;
	if (++p->ndiags > POL_MAX_DIAGS) {
		pol_diags_add(p->d, PS_ERROR, &at, NULL, NULL,
		    "too many errors, the rest of this file is not checked");
		p->stopped = 1;
		return;
	}
	vsnprintf(msg, sizeof msg, fmt, ap);
	pol_diags_add(p->d, PS_ERROR, &at, NULL, hint, "%s", msg);
}

static void __attribute__((format(printf, 5, 6)))
perr_at(struct parser *p, int line, int col, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	perr_vat(p, line, col, hint, fmt, ap);
	va_end(ap);
}

/* An error about the current token, unless the lexer already reported it. */
static void __attribute__((format(printf, 3, 4)))
perr(struct parser *p, const char *hint, const char *fmt, ...)
{
	va_list ap;

	if (p->t.type == T_ERROR)
		return;
	va_start(ap, fmt);
	perr_vat(p, p->t.line, p->t.col, hint, fmt, ap);
	va_end(ap);
}

/* The current token for a message: "\"memroy\"", "end of file", escaped. */
static const char *
tok_desc(struct parser *p)
{
	static char desc[300];
	char raw[48];
	size_t n = p->t.len < 40 ? p->t.len : 40;

	if (p->t.type == T_EOF)
		return "end of file";
	memcpy(raw, p->t.s, n);
	raw[n] = '\0';
	snprintf(desc, sizeof desc, p->t.type == T_STRING ? "%s%s" : "\"%s%s\"",
	    escape_log(3, raw), n < p->t.len ? "..." : "");
	return desc;
}

static int
lex_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int
lex_wordch(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-';
}

/* Units are glued to numbers: 512M 1.5G 90% 100M/s 500/s 2h30m 90C. */
static int
lex_numch(int c)
{
	return isalnum(c) || c == '.' || c == '%' || c == '/';
}

static int
lex_start(int c)
{
	return lex_space(c) || isalnum(c) || c == '_' || c == '-' || c == '"' || c == '#' ||
	    (c != '\0' && strchr("{}()<>", c) != NULL);
}

static void
lex_string(struct parser *p)
{
	struct tok *t = &p->t;
	int bad = 0;

	buf_reset(&p->str);
	p->p++;
	for (;;) {
		unsigned char c;

		if (p->p >= p->end || *p->p == '\n') {
			perr_at(p, t->line, t->col, NULL,
			    "unterminated string: a string ends with \" on the same line");
			t->type = T_ERROR;
			return;
		}
		c = (unsigned char)*p->p;
		if (c == '"')
			break;
		if (c == '\\' && p->p + 1 < p->end && (p->p[1] == '"' || p->p[1] == '\\')) {
			buf_putc(&p->str, p->p[1]);
			p->p += 2;
			continue;
		}
		if (!bad && (c == '\\' || (c < 0x20 && c != '\t') || c == 0x7f)) {
			perr_at(p, p->line, (int)(p->p - p->linestart) + 1, NULL, c == '\\' ?
			    "unknown escape in a string: only \\\" and \\\\ are escapes" :
			    "control character in a string");
			bad = 1;
		}
		buf_putc(&p->str, (char)c);
		p->p++;
	}
	p->p++;
	t->type = bad ? T_ERROR : T_STRING;
}

static void
lex_next(struct parser *p)
{
	struct tok *t = &p->t;
	int c;

	for (;;) {
		while (p->p < p->end && lex_space((unsigned char)*p->p)) {
			if (*p->p == '\n') {
				p->line++;
				p->linestart = p->p + 1;
			}
			p->p++;
		}
		if (p->p >= p->end || *p->p != '#')
			break;
		while (p->p < p->end && *p->p != '\n')
			p->p++;
	}
	t->s = p->p;
	t->line = p->line;
	t->col = (int)(p->p - p->linestart) + 1;
	t->bol = t->line != p->lastline;
	p->lastline = t->line;
	if (p->stopped || p->p >= p->end) {
		t->type = T_EOF;
		t->len = 0;
		return;
	}
	c = (unsigned char)*p->p;
	if (c == '"') {
		lex_string(p);
	} else if (isalpha(c) || c == '_') {
		t->type = T_WORD;
		while (p->p < p->end && lex_wordch((unsigned char)*p->p))
			p->p++;
	} else if (isdigit(c) || ((c == '-' || c == '+') && p->p + 1 < p->end &&
	    isdigit((unsigned char)p->p[1]))) {
		t->type = T_NUMBER;
		for (p->p++; p->p < p->end && lex_numch((unsigned char)*p->p); p->p++)
			;
	} else if (c == '{' || c == '}' || c == '(' || c == ')') {
		t->type = c == '{' ? T_LBRACE : c == '}' ? T_RBRACE : c == '(' ? T_LPAREN : T_RPAREN;
		p->p++;
	} else if (c == '<' || c == '>') {
		t->type = T_OP;
		p->p++;
		if (p->p < p->end && *p->p == '=') {
			p->p++;
			t->op = c == '<' ? PO_LE : PO_GE;
		} else {
			t->op = c == '<' ? PO_LT : PO_GT;
		}
	} else {
		char raw[17];
		size_t n;

		/* One error for a run of junk, not one per byte of a UTF-8 character. */
		while (p->p < p->end && !lex_start((unsigned char)*p->p))
			p->p++;
		n = (size_t)(p->p - t->s) < 16 ? (size_t)(p->p - t->s) : 16;
		memcpy(raw, t->s, n);
		raw[n] = '\0';
		if (c == '\0')
			perr_at(p, t->line, t->col, NULL, "unexpected NUL byte");
		else
			perr_at(p, t->line, t->col, c == '=' ? "comparisons are >, >=, < and <=" :
			    NULL, "unexpected character \"%s\"", escape_log(0, raw));
		t->type = T_ERROR;
	}
	t->len = (size_t)(p->p - t->s);
}

/* ---- parser helpers ---------------------------------------------------------------- */

static int
tok_word(const struct parser *p, const char *w)
{
	return p->t.type == T_WORD && strlen(w) == p->t.len && memcmp(p->t.s, w, p->t.len) == 0;
}

/* Index of the current word in words, or -1. */
static int
tok_find(const struct parser *p, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (words[i] != NULL && tok_word(p, words[i]))
			return (int)i;
	return -1;
}

/* "unknown WHAT \"x\"" with a hint, or "expected WHAT, found ...". */
static void
perr_unknown(struct parser *p, const char *what, const char *const *words, size_t n)
{
	char hint[80];
	size_t len = p->t.len < 40 ? p->t.len : 40;

	if (p->t.type == T_WORD)
		perr(p, pol_hint(p->t.s, p->t.len, words, n, hint, sizeof hint),
		    "unknown %s \"%.*s\"", what, (int)len, p->t.s);
	else
		perr(p, NULL, "expected %s, found %s", what, tok_desc(p));
}

static void
tok_loc(const struct parser *p, struct pol_loc *ret)
{
	ret->file = p->file;
	ret->line = p->t.line;
	ret->col = p->t.col;
}

/*
 * After an error: skip to the next statement, i.e. the first token of a
 * later line, or the "}" that closes the block. Braces opened in the
 * skipped text are skipped with it, so a mistyped `rul "x" { ... }` is
 * passed over whole rather than read as statements of the policy.
 */
static void
parse_sync(struct parser *p)
{
	int depth = 0;

	for (;;) {
		if (p->t.type == T_EOF)
			return;
		if (depth == 0 && p->t.bol && p->t.s != p->stmt)
			return;
		if (p->t.type == T_RBRACE) {
			if (depth == 0)
				return;
			depth--;
		} else if (p->t.type == T_LBRACE) {
			depth++;
		}
		lex_next(p);
	}
}

#define GROW(v, n) do { \
	if (((n) & ((n) - 1)) == 0) \
		(v) = xreallocarray((v), (n) ? (n) * 2 : 1, sizeof *(v)); \
} while (0)

/* ---- quantities ------------------------------------------------------------------------ */

/* The forms a quantity may take, as a mask. */
enum {
	Q_MAX = 1 << 0,         /* the word "max" */
	Q_SIZE = 1 << 1,        /* 512M */
	Q_BPS = 1 << 2,         /* 100M/s */
	Q_OPS = 1 << 3,         /* 500/s */
	Q_PCT = 1 << 4,         /* 90% */
	Q_COUNT = 1 << 5,       /* 100 */
	Q_CORES = 1 << 6,       /* 1.5 cores */
	Q_MS = 1 << 7,          /* 30s */
	Q_CELSIUS = 1 << 8,     /* 90C */
};

/* The form of a metric's unit. */
static unsigned
pol_unit_form(enum pol_unit u)
{
	static const unsigned forms[] = {
		[PU_BYTES] = Q_SIZE, [PU_CORES] = Q_CORES, [PU_PERCENT] = Q_PCT,
		[PU_BYTES_S] = Q_BPS, [PU_OPS_S] = Q_OPS, [PU_MS] = Q_MS, [PU_COUNT] = Q_COUNT,
		[PU_CELSIUS] = Q_CELSIUS,
	};

	return forms[u];
}

/* What a metric takes, for messages. */
static void
pol_metric_desc(enum pol_metric m, char *buf, size_t len)
{
	static const char *const units[] = {
		[PU_BYTES] = "a size (\"512M\", \"4G\")",
		[PU_CORES] = "cores (\"1.5 cores\")",
		[PU_PERCENT] = "a percentage (\"80%\")",
		[PU_BYTES_S] = "a rate in bytes per second (\"100M/s\")",
		[PU_OPS_S] = "a rate in operations per second (\"500/s\")",
		[PU_MS] = "a duration (\"30s\", \"5m\")",
		[PU_COUNT] = "a number (\"100\")",
		[PU_CELSIUS] = "a temperature (\"90C\")",
	};

	if (pol_metric_has_of(m, POF_NODE)) {
		snprintf(buf, len, "%s or a percentage (\"90%% of limit\", \"50%% of node\", "
		    "\"150%% of share\")", units[pol_metric_unit(m)]);
		return;
	}
	snprintf(buf, len, "%s%s%s", units[pol_metric_unit(m)], !pol_metric_has_limit(m) ? "" :
	    PM_IS_NODE(m) ? " or a percentage of the total (\"10% of total\")" :
	    " or a percentage of its limit (\"90% of limit\")",
	    pol_metric_has_of(m, POF_DEVICE) ?
	    " or a percentage of the device (\"60% of device\")" : "");
}

/*
 * Reads a quantity at the current token in one of the forms of `want`
 * (units are checked here, ranges by the caller) into *ret: bytes, bytes/s,
 * ops/s, percent, count, cores, ms, degrees C; POL_MAX for "max". Returns
 * the form read, or -1 after reporting "SUBJECT takes DESC".
 */
static int
parse_quantity(struct parser *p, unsigned want, const char *subject, const char *desc,
    double *ret)
{
	char text[64], num[64];
	const char *sfx;
	int form = 0, line = p->t.line, col = p->t.col;
	size_t i = 0, n;
	uint64_t u;
	double v;

	if ((want & Q_MAX) && tok_word(p, "max")) {
		*ret = (double)POL_MAX;
		lex_next(p);
		return Q_MAX;
	}
	if (p->t.type != T_NUMBER || p->t.len >= sizeof text) {
		perr(p, NULL, "%s takes %s, not %s", subject, desc, tok_desc(p));
		return -1;
	}
	memcpy(text, p->t.s, p->t.len);
	text[p->t.len] = '\0';
	if (text[i] == '-')
		i++;
	while (isdigit((unsigned char)text[i]))
		i++;
	if (text[i] == '.' && isdigit((unsigned char)text[i + 1]))
		for (i++; isdigit((unsigned char)text[i]); i++)
			;
	memcpy(num, text, i);
	num[i] = '\0';
	sfx = text + i;
	n = strlen(sfx);
	v = strtod(num, NULL);
	lex_next(p);
	if (v > POL_MAX_NUMBER) {
		perr_at(p, line, col, NULL, "number \"%s\" is too large", text);
		return -1;
	}
	if (num[0] == '-')
		form = 0;
	else if (strcmp(sfx, "%") == 0)
		form = Q_PCT;
	else if (strcmp(sfx, "C") == 0)
		form = Q_CELSIUS;
	else if (strcmp(sfx, "/s") == 0)
		form = v == floor(v) ? Q_OPS : 0;
	else if (strcmp(sfx, "core") == 0 || strcmp(sfx, "cores") == 0)
		form = Q_CORES;
	else if (n == 0 && (want & Q_CORES) && (tok_word(p, "core") || tok_word(p, "cores"))) {
		form = Q_CORES;
		lex_next(p);
	} else if (n == 0 && v == 0 && !(want & Q_COUNT))
		form = want & (Q_SIZE | Q_MS);         /* zero needs no unit */
	else if (n == 0)
		form = v == floor(v) ? Q_COUNT : 0;
	else if (n > 2 && strcmp(sfx + n - 2, "/s") == 0) {
		char size[64];

		snprintf(size, sizeof size, "%.*s", (int)(strlen(text) - 2), text);
		if (units_parse_size(size, &u) == 0) {
			form = Q_BPS;
			v = (double)u;
		}
	} else if ((want & Q_MS) && units_parse_duration(text, &u) == 0) {
		form = Q_MS;
		v = (double)u;
	} else if (units_parse_size(text, &u) == 0) {
		form = Q_SIZE;
		v = (double)u;
	}
	if (form & want) {
		*ret = v;
		return form;
	}
	if (n == 0 && !(want & Q_COUNT) && num[0] != '-')
		perr_at(p, line, col, NULL, "missing unit in \"%s\": %s takes %s", text, subject,
		    desc);
	else
		perr_at(p, line, col, NULL, "%s takes %s, not \"%s\"", subject, desc, text);
	return -1;
}

/*
 * `for DURATION` of a when or until: written once, after any comparison or
 * ")", and it applies to the whole condition. The end is clearest, but
 * "cpu > 1.5 cores for 30s and node.cpu > 80%" reads naturally too.
 */
static int
parse_for(struct parser *p)
{
	double v;

	if (!tok_word(p, "for"))
		return 0;
	if (p->for_seen) {
		perr(p, NULL, "a condition takes one \"for\": it applies to the whole condition");
		return -1;
	}
	p->for_seen = 1;
	lex_next(p);
	if (parse_quantity(p, Q_MS, "\"for\"", "a duration (\"30s\", \"5m\")", &v) < 0)
		return -1;
	*p->for_ms = (uint64_t)v;
	return 0;
}

static int
parse_duration(struct parser *p, const char *subject, uint64_t *ret_ms)
{
	double v;

	if (parse_quantity(p, Q_MS, subject, "a duration (\"30s\", \"5m\")", &v) < 0)
		return -1;
	*ret_ms = (uint64_t)v;
	return 0;
}

/* ---- conditions --------------------------------------------------------------------------- */

static void
pol_cond_free(struct pol_cond *c)
{
	if (c == NULL)
		return;
	pol_cond_free(c->a);
	pol_cond_free(c->b);
	free(c->sensor);
	free(c);
}

static struct pol_cond *parse_cond(struct parser *p);

/* The words a percentage of metric m may be "of", for messages:
 * "\"of limit\", \"of node\" or \"of share\"". */
static void
pol_of_words(enum pol_metric m, char *buf, size_t len)
{
	const char *w[4];
	size_t n = 0, off = 0;

	if (pol_metric_has_limit(m))
		w[n++] = PM_IS_NODE(m) ? "total" : "limit";
	for (int of = POF_NODE; of <= POF_DEVICE; of++)
		if (pol_metric_has_of(m, (enum pol_of)of))
			w[n++] = pol_of_name((enum pol_of)of);
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s\"of %s\"",
		    i == 0 ? "" : i + 1 == n ? " or " : ", ", w[i]);
}

/* A window's length: above 0, at most POL_MAX_WINDOW_MS. */
static int
parse_window(struct parser *p, const char *subject, uint64_t *ret_ms)
{
	int line = p->t.line, col = p->t.col;

	if (parse_duration(p, subject, ret_ms) < 0)
		return -1;
	if (*ret_ms == 0 || *ret_ms > POL_MAX_WINDOW_MS) {
		perr_at(p, line, col, NULL, "a window must be above 0 and at most 10m");
		return -1;
	}
	return 0;
}

/* After the quantity: "of limit|total|node|share|device" for a percentage
 * of a metric that is not itself a percentage (line, col: the quantity). */
static int
parse_of(struct parser *p, struct pol_cond *c, const char *name, int form, int line, int col)
{
	char words[96];
	int of;

	if (form != Q_PCT || pol_metric_unit(c->metric) == PU_PERCENT) {
		if (tok_word(p, "of")) {
			perr(p, NULL, "only a percentage of a limit takes \"of\" "
			    "(\"memory > 90%% of limit\")");
			return -1;
		}
		return 0;
	}
	pol_of_words(c->metric, words, sizeof words);
	if (!tok_word(p, "of")) {
		if (pol_metric_has_limit(c->metric) && !pol_metric_has_of(c->metric, POF_NODE)) {
			const char *w = PM_IS_NODE(c->metric) ? "total" : "limit";

			perr_at(p, line, col, NULL, "a percentage of %s needs \"of %s\" "
			    "(\"90%% of %s\")", name, w, w);
		} else {
			perr_at(p, line, col, NULL, "a percentage of %s needs %s", name, words);
		}
		return -1;
	}
	lex_next(p);
	if (pol_metric_has_limit(c->metric) &&
	    tok_word(p, PM_IS_NODE(c->metric) ? "total" : "limit")) {
		c->of_limit = 1;
		lex_next(p);
		return 0;
	}
	for (of = POF_NODE; of <= POF_DEVICE; of++) {
		if (pol_metric_has_of(c->metric, (enum pol_of)of) &&
		    tok_word(p, pol_of_name((enum pol_of)of))) {
			c->of = (enum pol_of)of;
			lex_next(p);
			return 0;
		}
	}
	if (!pol_metric_has_of(c->metric, POF_NODE) && !pol_metric_has_of(c->metric, POF_DEVICE))
		perr(p, NULL, "%s takes a percentage \"of %s\", not of %s", name,
		    PM_IS_NODE(c->metric) ? "total" : "limit", tok_desc(p));
	else
		perr(p, NULL, "%s takes a percentage %s, not of %s", name, words, tok_desc(p));
	return -1;
}

/* "during N% of DURATION": the share of the window's time the comparison
 * held. */
static int
parse_during(struct parser *p, struct pol_cond *c)
{
	int line, col;

	if (!tok_word(p, "during"))
		return 0;
	if (c->win == PW_AVG) {
		perr(p, NULL, "avg(...) over a window and \"during\" do not combine: "
		    "write one or the other");
		return -1;
	}
	lex_next(p);
	line = p->t.line;
	col = p->t.col;
	if (parse_quantity(p, Q_PCT, "\"during\"", "a share of the window (\"50% of 60s\")",
	    &c->during_pct) < 0)
		return -1;
	if (!(c->during_pct > 0 && c->during_pct <= 100)) {
		perr_at(p, line, col, NULL, "\"during\" takes a share of the window above 0%% "
		    "and at most 100%%");
		return -1;
	}
	if (!tok_word(p, "of")) {
		perr(p, NULL, "expected \"of\" and the window (\"during 50%% of 60s\"), "
		    "found %s", tok_desc(p));
		return -1;
	}
	lex_next(p);
	c->win = PW_DURING;
	return parse_window(p, "a window", &c->win_ms);
}

/* [avg(] METRIC ["SENSOR"] [) over DURATION] OP QUANTITY
 * [of limit|total|node|share|device] [during N% of DURATION]; a sensor
 * name for node.temp only. */
static struct pol_cond *
parse_compare(struct parser *p)
{
	const char *names[PM__MAX], *name;
	struct pol_cond *c;
	struct pol_loc at;
	char desc[200];
	int m, form, line, col, avg = 0;
	unsigned want;

	tok_loc(p, &at);
	if (tok_word(p, "avg")) {
		lex_next(p);
		if (p->t.type != T_LPAREN) {
			perr(p, NULL, "expected \"(\" after avg (\"avg(io.write) over 60s > "
			    "40M/s\"), found %s", tok_desc(p));
			return NULL;
		}
		lex_next(p);
		avg = 1;
	}
	for (m = 0; m < PM__MAX; m++)
		names[m] = pol_metric_name((enum pol_metric)m);
	if ((m = tok_find(p, names, PM__MAX)) < 0) {
		perr_unknown(p, "metric", names, PM__MAX);
		return NULL;
	}
	name = names[m];
	if (++p->ncmps > POL_MAX_CMPS) {
		perr(p, NULL, "condition too long (more than %d comparisons)", POL_MAX_CMPS);
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->kind = PC_CMP;
	c->metric = (enum pol_metric)m;
	c->loc = at;
	lex_next(p);
	if (p->t.type == T_STRING) {
		if (m != PM_NODE_TEMP) {
			perr(p, NULL, "only node.temp takes a sensor name, not %s", name);
			goto fail;
		}
		if (p->str.len == 0 || memchr(p->str.data, '\0', p->str.len) != NULL) {
			perr(p, NULL, "a sensor name is \"CHIP/LABEL\" (`cgov top` lists them)");
			goto fail;
		}
		c->sensor = xstrndup(p->str.data, p->str.len);
		lex_next(p);
	}
	if (avg) {
		if (p->t.type != T_RPAREN) {
			perr(p, NULL, "expected \")\" after avg(%s, found %s", name, tok_desc(p));
			goto fail;
		}
		lex_next(p);
		if (!tok_word(p, "over")) {
			perr(p, NULL, "expected \"over\" and the window after avg(%s) "
			    "(\"avg(%s) over 60s\"), found %s", name, name, tok_desc(p));
			goto fail;
		}
		lex_next(p);
		c->win = PW_AVG;
		if (parse_window(p, "a window", &c->win_ms) < 0)
			goto fail;
	}
	if (p->t.type != T_OP) {
		perr(p, NULL, "expected a comparison (>, >=, <, <=) after %s, found %s", name,
		    tok_desc(p));
		goto fail;
	}
	c->op = p->t.op;
	lex_next(p);
	pol_metric_desc(c->metric, desc, sizeof desc);
	line = p->t.line;
	col = p->t.col;
	want = pol_unit_form(pol_metric_unit(m));
	if (pol_metric_has_limit(c->metric) || pol_metric_has_of(c->metric, POF_NODE) ||
	    pol_metric_has_of(c->metric, POF_DEVICE))
		want |= Q_PCT;
	form = parse_quantity(p, want, name, desc, &c->value);
	if (form < 0)
		goto fail;
	if (parse_of(p, c, name, form, line, col) < 0)
		goto fail;
	if (parse_during(p, c) < 0)
		goto fail;
	if (parse_for(p) < 0)
		goto fail;
	return c;
fail:
	free(c->sensor);
	free(c);
	return NULL;
}

static struct pol_cond *
parse_factor(struct parser *p)
{
	struct pol_cond *c;

	if (p->t.type != T_LPAREN)
		return parse_compare(p);
	if (p->depth >= POL_MAX_NEST) {
		perr(p, NULL, "condition nested too deeply (more than %d parentheses)", POL_MAX_NEST);
		return NULL;
	}
	p->depth++;
	lex_next(p);
	c = parse_cond(p);
	p->depth--;
	if (c == NULL)
		return NULL;
	if (p->t.type != T_RPAREN) {
		perr(p, NULL, "expected \")\", found %s", tok_desc(p));
		pol_cond_free(c);
		return NULL;
	}
	lex_next(p);
	if (parse_for(p) < 0) {
		pol_cond_free(c);
		return NULL;
	}
	return c;
}

/* Left-associative chains of `and` (over factors) or `or` (over terms). */
static struct pol_cond *
parse_chain(struct parser *p, enum pol_cond_kind kind)
{
	const char *word = kind == PC_AND ? "and" : "or";
	struct pol_cond *c, *b, *n;

	c = kind == PC_AND ? parse_factor(p) : parse_chain(p, PC_AND);
	while (c != NULL && tok_word(p, word)) {
		lex_next(p);
		b = kind == PC_AND ? parse_factor(p) : parse_chain(p, PC_AND);
		if (b == NULL) {
			pol_cond_free(c);
			return NULL;
		}
		n = xcalloc(1, sizeof *n);
		n->kind = kind;
		n->loc = c->loc;
		n->a = c;
		n->b = b;
		c = n;
	}
	return c;
}

static struct pol_cond *
parse_cond(struct parser *p)
{
	return parse_chain(p, PC_OR);
}

/* ---- settings (static limits and `do` actions) --------------------------------------- */

static const struct pol_syntax {
	const char *group, *word;       /* "memory" "limit"; "freeze" NULL */
	enum pol_knob knob;
	unsigned forms;
	const char *of;                 /* what a percentage is of, or NULL */
	const char *desc;
} pol_syntax[] = {
	{ "memory", "limit", PK_MEM_LIMIT, Q_SIZE | Q_MAX, NULL, "a size (\"4G\") or \"max\"" },
	{ "memory", "high", PK_MEM_HIGH, Q_SIZE | Q_MAX | Q_PCT, "limit",
	  "a size (\"3G\"), \"max\" or a percentage of the memory limit (\"85% of limit\")" },
	{ "memory", "swap-buffer", PK_SWAP_BUFFER, Q_SIZE, NULL, "a size (\"512M\")" },
	{ "cpu", "shares", PK_CPU_WEIGHT, Q_COUNT | Q_PCT, "current",
	  "a number from 2 to 262144" },
	{ "cpu", "weight", PK_CPU_WEIGHT, Q_COUNT | Q_PCT, "current",
	  "a number from 1 to 10000" },
	{ "cpu", "quota", PK_CPU_QUOTA, Q_CORES | Q_MAX | Q_PCT, "current",
	  "cores (\"1.5 cores\"), \"max\" or a percentage of the current quota (\"50% of current\")" },
	{ "io", "read-limit", PK_IO_RBPS, Q_BPS, NULL, "a rate in bytes per second (\"40M/s\")" },
	{ "io", "write-limit", PK_IO_WBPS, Q_BPS, NULL, "a rate in bytes per second (\"40M/s\")" },
	{ "io", "read-iops", PK_IO_RIOPS, Q_OPS, NULL,
	  "a rate in operations per second (\"500/s\")" },
	{ "io", "write-iops", PK_IO_WIOPS, Q_OPS, NULL,
	  "a rate in operations per second (\"500/s\")" },
	{ "pids", "max", PK_PIDS_MAX, Q_COUNT | Q_MAX, NULL, "a number of tasks (\"1000\") or \"max\"" },
	{ "freeze", NULL, PK_FREEZE, 0, NULL, NULL },
	{ "kill", NULL, PK_KILL, 0, NULL, NULL },
	{ "oom-score-adj", NULL, PK_OOM_ADJ, 0, NULL, NULL },
	{ "memory", "low", PK_MEM_LOW, Q_SIZE | Q_MAX | Q_PCT, "current",
	  "a size (\"2G\"), \"max\" or a percentage of the memory in use (\"100% of current\")" },
	{ "memory", "min", PK_MEM_MIN, Q_SIZE | Q_MAX | Q_PCT, "current",
	  "a size (\"1G\"), \"max\" or a percentage of the memory in use (\"50% of current\")" },
};
#define POL_NSYNTAX NWORDS(pol_syntax)

static const char *const kw_actions[] = { "memory", "cpu", "io", "pids", "freeze", "kill",
	"oom-score-adj" };

static int
pol_is_io(enum pol_knob k)
{
	return k == PK_IO_RBPS || k == PK_IO_WBPS || k == PK_IO_RIOPS || k == PK_IO_WIOPS;
}

/* [DEVICE] of an io setting: a string, or a word on the same line. */
static int
parse_device(struct parser *p, struct pol_dev *dev)
{
	int line = p->t.line, col = p->t.col, r;

	if (p->t.type == T_STRING)
		dev->spec = xstrdup(p->str.data);
	else if (p->t.type == T_WORD && !p->t.bol)
		dev->spec = xstrndup(p->t.s, p->t.len);
	else
		return 0;
	lex_next(p);
	if ((r = knob_dev_resolve(dev->spec, &dev->dev)) < 0) {
		perr_at(p, line, col, NULL, "unknown device \"%s\": %s", escape_log(0, dev->spec),
		    r == -ENOTBLK ? "not a block device" : "no such block device");
		return -1;
	}
	return 0;
}

/* The value of a setting, converted to the knob's unit, and its range. */
static int
parse_knob_value(struct parser *p, const struct pol_syntax *sx, const char *subject,
    struct pol_set_knob *k)
{
	int line = p->t.line, col = p->t.col, form;
	double v;

	form = parse_quantity(p, sx->forms, subject, sx->desc, &v);
	if (form < 0)
		return -1;
	k->value = v;
	if (form == Q_PCT) {
		if (!tok_word(p, "of")) {
			perr(p, NULL, "%s takes \"N%% of %s\", found %s", subject, sx->of, tok_desc(p));
			return -1;
		}
		lex_next(p);
		if (!tok_word(p, sx->of)) {
			perr(p, NULL, "%s takes \"N%% of %s\", not of %s", subject, sx->of,
			    tok_desc(p));
			return -1;
		}
		lex_next(p);
		k->rel = strcmp(sx->of, "limit") == 0 ? PR_OF_LIMIT : PR_OF_CURRENT;
		if (v <= 0 || (k->rel == PR_OF_LIMIT && v >= 100)) {
			perr_at(p, line, col, NULL, "%s must be %s", subject, k->rel == PR_OF_LIMIT ?
			    "between 0% and 100% of limit (both excluded)" : "above 0% of current");
			return -1;
		}
		return 0;
	}
	if (form == Q_MAX)
		return 0;
	if (strcmp(sx->word, "shares") == 0 && (v < 2 || v > 262144)) {
		perr_at(p, line, col, NULL, "cpu shares must be between 2 and 262144");
		return -1;
	}
	if (strcmp(sx->word, "weight") == 0) {
		if (v < 1 || v > 10000) {
			perr_at(p, line, col, NULL, "cpu weight must be between 1 and 10000");
			return -1;
		}
		k->value = (double)units_weight_to_shares((uint64_t)v);
	}
	if (form == Q_CORES) {
		k->value = round(v * 1000);
		if (k->value < 10) {
			perr_at(p, line, col, NULL, "cpu quota must be at least 0.01 cores");
			return -1;
		}
	}
	if (v <= 0 && k->knob != PK_SWAP_BUFFER) {
		perr_at(p, line, col, NULL, "%s must be above 0", subject);
		return -1;
	}
	return 0;
}

/* The value of oom-score-adj: a whole number from -1000 to 1000, with an
 * optional sign ("+500", "-500"), stored biased (POL_OOM_BIAS). */
static int
parse_oom_adj(struct parser *p, struct pol_set_knob *k)
{
	int line = p->t.line, col = p->t.col;
	char text[32], *end;
	long v;

	if (p->t.type != T_NUMBER || p->t.len >= sizeof text) {
		perr(p, NULL, "oom-score-adj takes a number from -1000 to 1000 (\"+500\"), not %s",
		    tok_desc(p));
		return -1;
	}
	memcpy(text, p->t.s, p->t.len);
	text[p->t.len] = '\0';
	lex_next(p);
	errno = 0;
	v = strtol(text, &end, 10);
	if (*end != '\0' || errno != 0 || v < -1000 || v > 1000) {
		perr_at(p, line, col, NULL, "oom-score-adj takes a whole number from -1000 to "
		    "1000, not \"%s\"", escape_log(0, text));
		return -1;
	}
	k->value = (double)(v + POL_OOM_BIAS);
	return 0;
}

/*
 * setting, at its first word (one of kw_actions). in_rule: a `do` line,
 * where the ladder's knobs and relative values are allowed; else a static
 * limit.
 */
static int
parse_setting(struct parser *p, int in_rule, struct pol_set_knob *k)
{
	const struct pol_syntax *sx = NULL;
	/* Every word of one group: sized for the whole table, as groups grow
	 * (memory has limit, high, swap-buffer, low and min). */
	const char *words[POL_NSYNTAX] = { NULL };
	char subject[48];
	size_t i, nw = 0;

	memset(k, 0, sizeof *k);
	tok_loc(p, &k->loc);
	for (i = 0; i < POL_NSYNTAX && sx == NULL; i++)
		if (tok_word(p, pol_syntax[i].group))
			sx = &pol_syntax[i];
	lex_next(p);
	if (sx->word != NULL) {
		const char *group = sx->group;

		for (sx = NULL, i = 0; i < POL_NSYNTAX; i++) {
			if (strcmp(pol_syntax[i].group, group) != 0)
				continue;
			words[nw++] = pol_syntax[i].word;
			if (tok_word(p, pol_syntax[i].word))
				sx = &pol_syntax[i];
		}
		if (sx == NULL) {
			snprintf(subject, sizeof subject, "%s setting", group);
			perr_unknown(p, subject, words, nw);
			return -1;
		}
		lex_next(p);
	}
	k->knob = sx->knob;
	k->value = 1;
	snprintf(subject, sizeof subject, "%s%s%s", sx->group, sx->word ? " " : "",
	    sx->word ? sx->word : "");
	if (pol_is_io(k->knob) && parse_device(p, &k->dev) < 0)
		return -1;
	if (sx->word != NULL && parse_knob_value(p, sx, subject, k) < 0)
		return -1;
	if (k->knob == PK_OOM_ADJ && parse_oom_adj(p, k) < 0)
		return -1;
	if (!in_rule && pol_knob_rung(k->knob) > 3) {
		perr_at(p, k->loc.line, k->loc.col, NULL,
		    "\"%s\" is a rule action (do %s), not a static limit", subject, subject);
		return -1;
	}
	if (in_rule && pol_knob_rung(k->knob) < 0) {
		perr_at(p, k->loc.line, k->loc.col, NULL, "%s is a static limit, not a rule action "
		    "(a rule does cpu shares, cpu weight, cpu quota, io limits, memory high, "
		    "memory low, memory min, oom-score-adj, freeze or kill)", subject);
		return -1;
	}
	if (!in_rule && k->rel == PR_OF_CURRENT) {
		perr_at(p, k->loc.line, k->loc.col, NULL, "relative value in a static limit: "
		    "\"%% of current\" is for a rule's do (a static %s takes %s)", subject,
		    sx->forms & Q_CORES ? "cores or \"max\"" : "a number");
		return -1;
	}
	return 0;
}

static void
pol_set_knob_clear(struct pol_set_knob *k)
{
	free(k->dev.spec);
	k->dev.spec = NULL;
}

/* ---- rules and policies ------------------------------------------------------------------ */

static const char *const kw_rule[] = { "when", "do", "until", "cooldown", "escalate" };

static int
parse_when(struct parser *p, struct pol_rule *r, struct pol_cond **c, uint64_t *for_ms,
    const char *word)
{
	if (*c != NULL) {
		perr(p, NULL, "rule \"%s\" already has a%s \"%s\": combine conditions with and/or",
		    escape_log(0, r->name), word[0] == 'u' ? "n" : "", word);
		return -1;
	}
	lex_next(p);
	p->depth = p->ncmps = p->for_seen = 0;
	p->for_ms = for_ms;
	*for_ms = 0;
	return (*c = parse_cond(p)) == NULL ? -1 : 0;
}

static int
parse_rstmt(struct parser *p, struct pol_rule *r)
{
	struct pol_set_knob k;

	switch (tok_find(p, kw_rule, NWORDS(kw_rule))) {
	case 0:
		return parse_when(p, r, &r->when, &r->when_for_ms, "when");
	case 1:
		lex_next(p);
		if (tok_find(p, kw_actions, NWORDS(kw_actions)) < 0) {
			perr_unknown(p, "action", kw_actions, NWORDS(kw_actions));
			return -1;
		}
		if (parse_setting(p, 1, &k) < 0) {
			pol_set_knob_clear(&k);
			return -1;
		}
		GROW(r->steps, r->nsteps);
		r->steps[r->nsteps++] = k;
		return 0;
	case 2:
		return parse_when(p, r, &r->until, &r->until_for_ms, "until");
	case 3:
		lex_next(p);
		return parse_duration(p, "cooldown", &r->cooldown_ms);
	case 4:
		lex_next(p);
		if (!tok_word(p, "after")) {
			perr(p, NULL, "expected \"after\" (escalate after 30s), found %s", tok_desc(p));
			return -1;
		}
		lex_next(p);
		return parse_duration(p, "escalate after", &r->escalate_ms);
	default:
		perr_unknown(p, "rule statement", kw_rule, NWORDS(kw_rule));
		return -1;
	}
}

static void
pol_rule_clear(struct pol_rule *r)
{
	free(r->name);
	pol_cond_free(r->when);
	pol_cond_free(r->until);
	for (size_t i = 0; i < r->nsteps; i++)
		pol_set_knob_clear(&r->steps[i]);
	free(r->steps);
}

/*
 * `{` ... `}` of a policy or rule: calls stmt for each statement and
 * resyncs after a failed one. A missing "}" shows as end of file, or as a
 * `policy` (or `rule`, in a rule) at the start of a line: the block ends
 * there with an error, and what follows parses normally.
 */
static void
parse_block(struct parser *p, const char *what, const char *name, int line,
    int (*stmt)(struct parser *, void *), void *arg)
{
	for (;;) {
		if (p->t.type == T_RBRACE) {
			lex_next(p);
			return;
		}
		if (p->t.type == T_EOF || (p->t.bol && (tok_word(p, "policy") ||
		    (strcmp(what, "rule") == 0 && tok_word(p, "rule"))))) {
			perr(p, NULL, "missing \"}\": %s \"%s\" (line %d) is not closed", what,
			    escape_log(0, name), line);
			return;
		}
		p->stmt = p->t.s;
		if (stmt(p, arg) < 0)
			parse_sync(p);
	}
}

static int
parse_rstmt_cb(struct parser *p, void *arg)
{
	return parse_rstmt(p, arg);
}

/* "NAME" { at a policy or rule; returns the name or NULL (reported). */
static char *
parse_header(struct parser *p, const char *what, const char *example)
{
	char *name;

	lex_next(p);
	if (p->t.type != T_STRING) {
		perr(p, NULL, "expected the %s's name in quotes (%s), found %s", what, example,
		    tok_desc(p));
		return NULL;
	}
	if (p->str.len == 0) {
		perr(p, NULL, "a %s needs a name (%s)", what, example);
		return NULL;
	}
	name = xstrdup(p->str.data);
	lex_next(p);
	if (p->t.type != T_LBRACE) {
		perr(p, NULL, "expected \"{\" after the %s's name, found %s", what, tok_desc(p));
		free(name);
		return NULL;
	}
	lex_next(p);
	return name;
}

static int
parse_rule(struct parser *p, struct policy *pol)
{
	struct pol_rule r;

	memset(&r, 0, sizeof r);
	tok_loc(p, &r.loc);
	if ((r.name = parse_header(p, "rule", "rule \"cpu-hog\" { ... }")) == NULL)
		return -1;
	r.cooldown_ms = r.escalate_ms = POL_UNSET;
	parse_block(p, "rule", r.name, r.loc.line, parse_rstmt_cb, &r);
	if (r.until == NULL)
		r.until_for_ms = POL_DEFAULT_UNTIL_FOR_MS;
	GROW(pol->rules, pol->nrules);
	pol->rules[pol->nrules++] = r;
	return 0;
}

static const char *const kw_match[] = { "cgroup", "runtime", "process" };
static const char *const kw_runtimes[] = {
	"lxc", "docker", "podman", "libvirt", "nspawn", "kubernetes", "systemd", "cgroup",
};

static void
pol_push(char ***v, size_t *n, char *s)
{
	GROW(*v, *n);
	(*v)[(*n)++] = s;
}

/* match cgroup STRING... | runtime WORD... | process STRING... */
static int
parse_match(struct parser *p, struct policy *pol)
{
	int kind, n = 0;

	lex_next(p);
	if ((kind = tok_find(p, kw_match, NWORDS(kw_match))) < 0) {
		perr_unknown(p, "match kind", kw_match, NWORDS(kw_match));
		return -1;
	}
	lex_next(p);
	/* A list goes on while strings follow (they may continue on the next
	 * lines: no statement starts with a string); runtimes stop at the line. */
	for (;; n++) {
		if (kind == 1 && p->t.type == T_WORD && !p->t.bol) {
			if (tok_find(p, kw_runtimes, NWORDS(kw_runtimes)) < 0)
				perr_unknown(p, "runtime", kw_runtimes, NWORDS(kw_runtimes));
			else
				pol_push(&pol->runtimes, &pol->nruntimes, xstrndup(p->t.s, p->t.len));
		} else if (kind != 1 && p->t.type == T_STRING) {
			if (kind == 0 && p->str.data[0] != '/')
				perr(p, NULL, "a cgroup glob is an absolute path (\"/lxc/*\"), not %s",
				    tok_desc(p));
			else if (kind == 2 && p->str.len == 0)
				perr(p, NULL, "an empty process name matches nothing");
			else if (kind == 0)
				pol_push(&pol->cgroups, &pol->ncgroups, xstrdup(p->str.data));
			else
				pol_push(&pol->processes, &pol->nprocesses, xstrdup(p->str.data));
		} else {
			break;
		}
		lex_next(p);
	}
	if (n == 0) {
		perr(p, NULL, "match %s needs at least one %s, found %s", kw_match[kind],
		    kind == 1 ? "runtime (lxc, docker, ...)" : "glob in quotes", tok_desc(p));
		return -1;
	}
	return 0;
}

static int
parse_int(struct parser *p, const char *subject, long min, long max, long *ret)
{
	char text[32], *end;
	long v;

	if (p->t.type != T_NUMBER || p->t.len >= sizeof text) {
		perr(p, NULL, "%s takes a whole number, not %s", subject, tok_desc(p));
		return -1;
	}
	memcpy(text, p->t.s, p->t.len);
	text[p->t.len] = '\0';
	errno = 0;
	v = strtol(text, &end, 10);
	if (*end != '\0' || errno != 0 || v < min || v > max) {
		perr(p, NULL, "%s takes a whole number from %ld to %ld, not %s", subject, min, max,
		    tok_desc(p));
		return -1;
	}
	*ret = v;
	lex_next(p);
	return 0;
}

static const char *const kw_policy[] = {
	"match", "priority", "cooldown", "allow", "on-drift", "rule",
	"memory", "cpu", "io", "pids", "freeze", "kill", "oom-score-adj",
};

static int
parse_pstmt(struct parser *p, void *arg)
{
	static const char *const drift[] = { "reassert", "log" };
	struct policy *pol = arg;
	struct pol_set_knob k;
	long v;
	int i;

	switch (tok_find(p, kw_policy, NWORDS(kw_policy))) {
	case 0:
		return parse_match(p, pol);
	case 1:
		lex_next(p);
		if (parse_int(p, "priority", -1000000, 1000000, &v) < 0)
			return -1;
		pol->priority = (int)v;
		return 0;
	case 2:
		lex_next(p);
		return parse_duration(p, "cooldown", &pol->cooldown_ms);
	case 3:
		lex_next(p);
		if (!tok_word(p, "kill")) {
			perr(p, NULL, "expected \"kill\" (allow kill), found %s", tok_desc(p));
			return -1;
		}
		lex_next(p);
		pol->allow_kill = 1;
		return 0;
	case 4:
		lex_next(p);
		if ((i = tok_find(p, drift, NWORDS(drift))) < 0) {
			perr_unknown(p, "on-drift mode", drift, NWORDS(drift));
			return -1;
		}
		lex_next(p);
		pol->drift = i == 0 ? PD_REASSERT : PD_LOG;
		return 0;
	case 5:
		return parse_rule(p, pol);
	case -1:
		perr_unknown(p, "policy statement", kw_policy, NWORDS(kw_policy));
		return -1;
	default:
		if (parse_setting(p, 0, &k) < 0) {
			pol_set_knob_clear(&k);
			return -1;
		}
		GROW(pol->limits, pol->nlimits);
		pol->limits[pol->nlimits++] = k;
		return 0;
	}
}

/* Defaults that depend on statements anywhere in the policy. */
static void
pol_resolve_defaults(struct policy *pol)
{
	if (pol->cooldown_ms == POL_UNSET)
		pol->cooldown_ms = POL_DEFAULT_COOLDOWN_MS;
	for (size_t i = 0; i < pol->nrules; i++) {
		struct pol_rule *r = &pol->rules[i];

		if (r->cooldown_ms == POL_UNSET)
			r->cooldown_ms = pol->cooldown_ms;
		if (r->escalate_ms == POL_UNSET)
			r->escalate_ms = r->cooldown_ms;
	}
}

static int
parse_policy(struct parser *p)
{
	struct policy_set *set = p->set;
	struct policy pol;

	memset(&pol, 0, sizeof pol);
	tok_loc(p, &pol.loc);
	if ((pol.name = parse_header(p, "policy", "policy \"web\" { ... }")) == NULL)
		return -1;
	pol.cooldown_ms = POL_UNSET;
	parse_block(p, "policy", pol.name, pol.loc.line, parse_pstmt, &pol);
	pol_resolve_defaults(&pol);
	pol.order = set->n;
	GROW(set->v, set->n);
	set->v[set->n++] = pol;
	return 0;
}

static void
parse_file(struct parser *p)
{
	static const char *const top[] = { "policy" };
	char hint[80];

	while (p->t.type != T_EOF) {
		if (!tok_word(p, "policy")) {
			if (p->t.type == T_WORD)
				perr(p, pol_hint(p->t.s, p->t.len, top, 1, hint, sizeof hint),
				    "unknown word \"%.*s\": a file holds policy \"NAME\" { ... } blocks",
				    (int)(p->t.len < 40 ? p->t.len : 40), p->t.s);
			else
				perr(p, NULL, "expected \"policy\", found %s", tok_desc(p));
		} else if (parse_policy(p) == 0) {
			continue;
		}
		/* Skip to the next `policy` that starts a line. */
		do
			lex_next(p);
		while (p->t.type != T_EOF && !(p->t.bol && tok_word(p, "policy")));
	}
}

size_t
policy_parse_buffer(const char *name, const char *text, size_t len, struct policy_set **set,
    struct pol_diags *d)
{
	struct parser p;

	if (*set == NULL)
		*set = xcalloc(1, sizeof **set);
	GROW((*set)->files, (*set)->nfiles);
	(*set)->files[(*set)->nfiles] = xstrdup(name);
	memset(&p, 0, sizeof p);
	p.file = (*set)->files[(*set)->nfiles++];
	p.p = p.linestart = text;
	p.end = text + len;
	p.line = 1;
	p.d = d;
	p.set = *set;
	buf_init(&p.str);
	lex_next(&p);
	parse_file(&p);
	buf_free(&p.str);
	return p.nerrors;
}
/* ---- freeing ------------------------------------------------------------------------------- */

static void
pol_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
policy_set_free(struct policy_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++) {
		struct policy *p = &set->v[i];

		free(p->name);
		pol_strv_free(p->cgroups, p->ncgroups);
		pol_strv_free(p->runtimes, p->nruntimes);
		pol_strv_free(p->processes, p->nprocesses);
		for (size_t j = 0; j < p->nlimits; j++)
			pol_set_knob_clear(&p->limits[j]);
		free(p->limits);
		for (size_t j = 0; j < p->nrules; j++)
			pol_rule_clear(&p->rules[j]);
		free(p->rules);
	}
	free(set->v);
	pol_strv_free(set->files, set->nfiles);
	free(set);
}

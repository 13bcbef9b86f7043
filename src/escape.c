/* escape.c: the only way a tenant-controlled string leaves cgov. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "escape.h"

#define ESCAPE_LOG_SLOTS 4
#define ESCAPE_LOG_MAX   255
#define ESCAPE_LOG_MARK  26     /* "...[+N]", N up to 20 digits */

static const char escape_hex[] = "0123456789abcdef";

/*
 * Returns the length (2 to 4) of the valid UTF-8 sequence at p and stores its
 * code point, or returns 0 when p does not start one. Overlong forms,
 * surrogates and code points past U+10FFFF are invalid: letting them through
 * would let a tenant smuggle a '/' or a control character past a check that
 * looks at code points. Each continuation byte is tested before the next is
 * read, and NUL is never a continuation byte, so this stops at the end of
 * the string.
 */
static size_t
escape_utf8_decode(const unsigned char *p, uint32_t *ret_cp)
{
	uint32_t cp, min;
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
		min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*ret_cp = cp;
	return n;
}

/* C1 controls (U+0080..U+009F): CSI (U+009B) alone is enough for a terminal
 * that honours 8-bit controls to start an escape sequence. */
static int
escape_is_c1(uint32_t cp)
{
	return cp >= 0x80 && cp <= 0x9f;
}

/* Bidirectional controls: the embeddings and overrides (U+202A..U+202E),
 * the isolates (U+2066..U+2069) and the marks (U+200E, U+200F, the Arabic
 * letter mark U+061C). Valid UTF-8 that reorders what an operator reads
 * ("Trojan Source"): a tenant could make its name display as another
 * tenant's, in a terminal, a spreadsheet or a page built from JSON. */
static int
escape_is_bidi(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

/* Characters that show nothing: the zero-width space, joiners and marks
 * (U+200B..U+200F), the word joiner and invisible operators
 * (U+2060..U+2064), the byte order mark / zero-width no-break space
 * (U+FEFF), the Arabic letter mark (U+061C). "web\u200b" looks exactly
 * like "web" in a table while being another tenant. */
static int
escape_is_invisible(uint32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2060 && cp <= 0x2064) ||
	    cp == 0xfeff || cp == 0x061c;
}

/* What a terminal, a log or a CSV cell must not show raw: the above and the
 * line and paragraph separators, which break a line where none seems to
 * be. */
static int
escape_is_deceptive(uint32_t cp)
{
	return escape_is_bidi(cp) || escape_is_invisible(cp) || cp == 0x2028 || cp == 0x2029;
}

static void
escape_put_hex(struct buf *b, const unsigned char *p, size_t n)
{
	char x[4] = { '\\', 'x', 0, 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		x[2] = escape_hex[p[i] >> 4];
		x[3] = escape_hex[p[i] & 0xf];
		buf_append(b, x, sizeof x);
	}
}

/*
 * escape_term, stopping before the first character whose escaped form would
 * take b->len past max, so a character or an escape is never cut in half.
 * Returns the number of bytes of s written (strlen(s) when all of it).
 */
static size_t
escape_term_max(struct buf *b, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n, out;
	int hex;

	while (*p != '\0') {
		hex = 0;
		if (*p == '\\') {
			n = 1;
			out = 2;
		} else if (*p >= 0x20 && *p < 0x7f) {
			n = 1;
			out = 1;
		} else if (*p >= 0x80 &&
		    (n = escape_utf8_decode(p, &cp)) != 0) {
			hex = escape_is_c1(cp) || escape_is_deceptive(cp);
			out = hex ? 4 * n : n;
		} else {
			n = 1;
			hex = 1;
			out = 4;
		}
		if (out > max || b->len > max - out)
			break;
		if (hex)
			escape_put_hex(b, p, n);
		else if (*p == '\\')
			buf_append(b, "\\\\", 2);
		else
			buf_append(b, (const char *)p, n);
		p += n;
	}
	return (size_t)(p - (const unsigned char *)s);
}

void
escape_term(struct buf *b, const char *s)
{
	escape_term_max(b, s, SIZE_MAX);
}

void
escape_json(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	buf_putc(b, '"');
	while (*p != '\0') {
		switch (*p) {
		case '"':
			buf_puts(b, "\\\"");
			p++;
			continue;
		case '\\':
			buf_puts(b, "\\\\");
			p++;
			continue;
		case '\b':
			buf_puts(b, "\\b");
			p++;
			continue;
		case '\f':
			buf_puts(b, "\\f");
			p++;
			continue;
		case '\n':
			buf_puts(b, "\\n");
			p++;
			continue;
		case '\r':
			buf_puts(b, "\\r");
			p++;
			continue;
		case '\t':
			buf_puts(b, "\\t");
			p++;
			continue;
		}
		/* DEL is legal JSON, but someone will pipe it to a terminal. */
		if (*p < 0x20 || *p == 0x7f) {
			buf_printf(b, "\\u%04x", *p);
			p++;
		} else if (*p < 0x80) {
			buf_putc(b, (char)*p);
			p++;
		} else if ((n = escape_utf8_decode(p, &cp)) == 0) {
			/* JSON strings are Unicode: a lone byte has no \u. */
			buf_puts(b, "\\ufffd");
			p++;
		} else if (escape_is_c1(cp) || escape_is_deceptive(cp)) {
			/* Legal JSON too, but C1 drives terminals, U+2028/9
			 * end a line in JavaScript, and bidi controls and
			 * invisible characters deceive whoever shows the
			 * string: as \uXXXX the decoded string is the same. */
			buf_printf(b, "\\u%04x", (unsigned int)cp);
			p += n;
		} else {
			buf_append(b, (const char *)p, n);
			p += n;
		}
	}
	buf_putc(b, '"');
}

void
escape_csv(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	buf_putc(b, '"');
	/* Spreadsheets evaluate a cell starting with these as a formula
	 * (=HYPERLINK, =cmd|...); CR is on OWASP's list beside tab. */
	if (*p != '\0' && strchr("=+-@\t\r", *p) != NULL)
		buf_putc(b, '\'');
	while (*p != '\0') {
		if (*p == '"') {
			buf_puts(b, "\"\"");
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			escape_put_hex(b, p, 1);
			p++;
		} else if (*p < 0x80) {
			buf_putc(b, (char)*p);
			p++;
		} else if ((n = escape_utf8_decode(p, &cp)) == 0) {
			escape_put_hex(b, p, 1);
			p++;
		} else {
			/* A spreadsheet shows bidi controls and invisible
			 * characters as a terminal does. */
			if (escape_is_c1(cp) || escape_is_deceptive(cp))
				escape_put_hex(b, p, n);
			else
				buf_append(b, (const char *)p, n);
			p += n;
		}
	}
	buf_putc(b, '"');
}

void
escape_html(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	while (*p != '\0') {
		switch (*p) {
		case '&':
			buf_puts(b, "&amp;");
			p++;
			continue;
		case '<':
			buf_puts(b, "&lt;");
			p++;
			continue;
		case '>':
			buf_puts(b, "&gt;");
			p++;
			continue;
		case '"':
			buf_puts(b, "&quot;");
			p++;
			continue;
		case '\'':
			buf_puts(b, "&#39;");
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			buf_puts(b, "&#xfffd;");
			p++;
		} else if (*p < 0x80) {
			buf_putc(b, (char)*p);
			p++;
		} else if ((n = escape_utf8_decode(p, &cp)) == 0) {
			/* The page is UTF-8: a stray byte makes it invalid. */
			buf_puts(b, "&#xfffd;");
			p++;
		} else {
			/* As a numeric reference a bidi control would still
			 * reorder the page: replaced, as a control is. */
			if (escape_is_c1(cp) || escape_is_deceptive(cp))
				buf_puts(b, "&#xfffd;");
			else
				buf_append(b, (const char *)p, n);
			p += n;
		}
	}
}

const char *
escape_log(int slot, const char *s)
{
	static char slots[ESCAPE_LOG_SLOTS][ESCAPE_LOG_MAX + 1];
	struct buf b;
	size_t used;
	char *dst;

	/* A bad slot is a caller's bug; wrapping it beats writing past the
	 * array from a log line nobody tests. */
	dst = slots[(unsigned int)slot % ESCAPE_LOG_SLOTS];
	if (s == NULL)
		s = "(null)";
	buf_init(&b);
	used = escape_term_max(&b, s, ESCAPE_LOG_MAX);
	if (s[used] != '\0') {
		/* Cut: say so and by how much, within the same bound (the
		 * marker takes at most ESCAPE_LOG_MARK bytes). */
		buf_reset(&b);
		used = escape_term_max(&b, s, ESCAPE_LOG_MAX - ESCAPE_LOG_MARK);
		buf_printf(&b, "...[+%zu]", strlen(s + used));
	}
	memcpy(dst, b.data, b.len + 1);
	buf_free(&b);
	return dst;
}

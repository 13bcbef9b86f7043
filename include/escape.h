/* escape.h: every tenant-controlled string leaves cgov through one of these.
 *
 * Cgroup and process names are chosen by tenants and are hostile: they can
 * hold terminal escape sequences, newlines, quotes, commas, invalid UTF-8 and
 * spreadsheet formulas. Each function appends the escaped form of the
 * NUL-terminated string s to b; none of them can fail.
 */
#ifndef CGOV_ESCAPE_H
#define CGOV_ESCAPE_H

#include "buf.h"

/* For terminals and logs: printable ASCII and valid UTF-8 pass through;
 * control bytes, DEL, C1 controls, bidirectional controls (U+202A..U+202E,
 * U+2066..U+2069, U+200E, U+200F, U+061C), invisible characters
 * (U+200B..U+200F, U+2060..U+2064, U+FEFF, U+061C), U+2028/U+2029 and
 * invalid UTF-8 become \xNN (each byte); a backslash becomes "\\". The
 * result holds no byte < 0x20. */
void escape_term(struct buf *b, const char *s);

/* A complete JSON string literal, quotes included: ", \ and control
 * characters escaped (\n, \t, \u00XX), invalid UTF-8 bytes as \u00XX of the
 * byte would be wrong, so they become U+FFFD. C1 controls and what
 * escape_term hides (bidi controls, invisible characters, U+2028/U+2029)
 * become \uXXXX: the decoded string is unchanged, the raw text shows them. */
void escape_json(struct buf *b, const char *s);

/* A CSV field (RFC 4180): always quoted, " doubled; control characters,
 * bidi controls and invisible characters as in escape_term (\xNN); a
 * leading = + - @ tab or CR gets a ' prefix so spreadsheets do not
 * evaluate it. */
void escape_csv(struct buf *b, const char *s);

/* HTML text or attribute value: & < > " ' as entities; control characters,
 * invalid UTF-8 and what escape_term hides (bidi controls, invisible
 * characters, U+2028/U+2029) replaced by U+FFFD (&#xfffd;). */
void escape_html(struct buf *b, const char *s);

/* Convenience for log messages: returns a static, per-thread-unsafe buffer
 * holding escape_term(s), at most 255 bytes: a longer one is cut at a
 * character and ends in "...[+N]", N the bytes of s left out. Valid until
 * the next call with the same slot (0..3), so up to four may appear in one
 * message. */
const char *escape_log(int slot, const char *s);

#endif

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
 * control bytes, DEL, C1 controls, bidirectional overrides and isolates,
 * U+2028/U+2029 and invalid UTF-8 become \xNN; a backslash becomes "\\".
 * The result holds no byte < 0x20. */
void escape_term(struct buf *b, const char *s);

/* A complete JSON string literal, quotes included: ", \ and control
 * characters escaped (\n, \t, \u00XX), invalid UTF-8 bytes as \u00XX of the
 * byte would be wrong, so they become U+FFFD. */
void escape_json(struct buf *b, const char *s);

/* A CSV field (RFC 4180): always quoted, " doubled; control characters as
 * in escape_term; a leading = + - @ or tab gets a ' prefix so spreadsheets
 * do not evaluate it. */
void escape_csv(struct buf *b, const char *s);

/* HTML text or attribute value: & < > " ' as entities, control characters
 * dropped to U+FFFD. */
void escape_html(struct buf *b, const char *s);

/* Convenience for log messages: returns a static, per-thread-unsafe buffer
 * holding escape_term(s), truncated to 255 bytes. Valid until the next call
 * with the same slot (0..3), so up to four may appear in one message. */
const char *escape_log(int slot, const char *s);

#endif

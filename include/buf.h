/* buf.h: a growable byte buffer, the sink of every formatter and escaper. */
#ifndef CGOV_BUF_H
#define CGOV_BUF_H

#include <stddef.h>

struct buf {
	char *data;     /* always NUL-terminated when len > 0 or after buf_init */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
/* Empties the buffer, keeping its storage. */
void buf_reset(struct buf *b);
void buf_append(struct buf *b, const char *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

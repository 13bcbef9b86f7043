/* buf.c: the growable byte buffer every formatter and escaper writes into. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "xmalloc.h"

#define BUF_INITIAL 64

/*
 * Makes room for n more bytes plus the terminating NUL. Capacity doubles so
 * that a long run of buf_putc stays linear; the sums are checked because n
 * may come from a length a tenant chose.
 */
static void
buf_grow(struct buf *b, size_t n)
{
	size_t need, cap;

	if (n > SIZE_MAX - 1 - b->len)
		fatalx("buf_grow: %zu + %zu bytes overflows", b->len, n);
	need = b->len + n + 1;
	if (b->data != NULL && need <= b->cap)
		return;
	cap = b->cap != 0 ? b->cap : BUF_INITIAL;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->data = xreallocarray(b->data, cap, 1);
	b->cap = cap;
}

void
buf_init(struct buf *b)
{
	b->data = xmalloc(BUF_INITIAL);
	b->data[0] = '\0';
	b->len = 0;
	b->cap = BUF_INITIAL;
}

/* Leaves an empty, unallocated buffer: appending to it again is safe. */
void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_append(struct buf *b, const char *p, size_t n)
{
	buf_grow(b, n);
	if (n != 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	buf_grow(b, 0);
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("buf_printf: bad format \"%s\"", fmt);
	if ((size_t)n >= room) {
		/* Did not fit: the output was cut, grow and format again. */
		buf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

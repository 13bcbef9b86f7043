/* pack.h: a row of integers as one compact blob.
 *
 * SQLite pays per column: a record-header byte each, and an API call plus
 * a VDBE opcode each to read back. A rollup row has 30 figures, most of
 * them small and many zero or unknown, and the readers want all of them:
 * one blob decoded here costs a fraction of 30 columns decoded by SQLite
 * (doc/store.md, "Rollups", has the numbers).
 *
 * Format: a varint whose bit i says field i is known, a varint whose bit i
 * says it is nonzero (a subset), then each known nonzero field in order as
 * a zigzag varint (little-endian base 128). Unknown is STORE_NULL
 * (INT64_MIN) in the arrays. At most PACK_MAXFIELDS fields.
 */
#ifndef CGOV_PACK_H
#define CGOV_PACK_H

#include <stddef.h>
#include <stdint.h>

#define PACK_MAXFIELDS	63
/* The longest blob of n fields. */
#define PACK_MAXLEN(n)	(2 * 10 + 10 * (n))

/* Appends v as a zigzag varint at buf (10 bytes at most); returns the bytes
 * written. */
size_t pack_varint_put(uint8_t *buf, int64_t v);
/* Reads a zigzag varint at p[*off] (of len bytes), advancing *off; -EIO
 * when it runs past len or over 64 bits. */
int pack_varint_get(const uint8_t *p, size_t len, size_t *off, int64_t *ret);

/* Encodes v[0..n) into buf (PACK_MAXLEN(n) bytes); returns the length. */
size_t pack_encode(const int64_t *v, int n, uint8_t *buf);
/* Decodes a blob into v[0..n): fields past what the blob knows are
 * unknown. -EIO for a damaged blob (v then undefined). */
int pack_decode(const uint8_t *p, size_t len, int64_t *v, int n);

#endif

/* pack.c: a row of integers as one compact blob (pack.h). */
#include "config.h"

#include <errno.h>
#include <stdint.h>

#include "pack.h"
#include "store.h"

static size_t
pack_uvarint_put(uint8_t *buf, uint64_t z)
{
	size_t	 n = 0;

	while (z >= 0x80) {
		buf[n++] = (uint8_t)(z | 0x80);
		z >>= 7;
	}
	buf[n++] = (uint8_t)z;
	return n;
}

static int
pack_uvarint_get(const uint8_t *p, size_t len, size_t *off, uint64_t *ret)
{
	uint64_t	 z = 0;
	int		 shift;

	for (shift = 0;; shift += 7) {
		if (*off >= len || shift > 63)
			return -EIO;
		z |= (uint64_t)(p[*off] & 0x7f) << shift;
		if (!(p[(*off)++] & 0x80))
			break;
	}
	*ret = z;
	return 0;
}

size_t
pack_varint_put(uint8_t *buf, int64_t v)
{
	return pack_uvarint_put(buf, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

int
pack_varint_get(const uint8_t *p, size_t len, size_t *off, int64_t *ret)
{
	uint64_t	 z;
	int		 err;

	if ((err = pack_uvarint_get(p, len, off, &z)) != 0)
		return err;
	*ret = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
	return 0;
}

size_t
pack_encode(const int64_t *v, int n, uint8_t *buf)
{
	uint64_t	 known = 0, nonzero = 0;
	uint8_t		 vals[10 * PACK_MAXFIELDS];
	size_t		 nv = 0, len;
	int		 i;

	for (i = 0; i < n && i < PACK_MAXFIELDS; i++) {
		if (v[i] == STORE_NULL)
			continue;
		known |= UINT64_C(1) << i;
		if (v[i] == 0)
			continue;
		nonzero |= UINT64_C(1) << i;
		nv += pack_varint_put(vals + nv, v[i]);
	}
	len = pack_uvarint_put(buf, known);
	len += pack_uvarint_put(buf + len, nonzero);
	for (size_t k = 0; k < nv; k++)
		buf[len++] = vals[k];
	return len;
}

int
pack_decode(const uint8_t *p, size_t len, int64_t *v, int n)
{
	uint64_t	 known, nonzero;
	size_t		 off = 0;
	int		 i, err;

	if (p == NULL && len > 0)
		return -EIO;
	if ((err = pack_uvarint_get(p, len, &off, &known)) != 0 ||
	    (err = pack_uvarint_get(p, len, &off, &nonzero)) != 0)
		return err;
	if ((nonzero & ~known) != 0)
		return -EIO;
	for (i = 0; i < n; i++) {
		if (i >= PACK_MAXFIELDS || !(known & (UINT64_C(1) << i)))
			v[i] = STORE_NULL;
		else if (!(nonzero & (UINT64_C(1) << i)))
			v[i] = 0;
		else if ((err = pack_varint_get(p, len, &off, &v[i])) != 0)
			return err;
	}
	/* Fields this reader does not know (a newer writer) are skipped. */
	return 0;
}

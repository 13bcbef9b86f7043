/* fuzz_pack: the packed rows of the history tiers (pack.h), read back from
 * a database that may be damaged or written by another version.
 *
 * The first byte picks how many fields the reader asks for (0 to
 * PACK_MAXFIELDS + 1: a reader that knows more fields than a blob, or
 * fewer); the rest is the blob. A blob that decodes must encode back to a
 * blob that decodes to the same row, and the varint reader must stay inside
 * the blob whatever it holds. Built as a libFuzzer target and as a replay
 * over tests/fuzz/corpus/pack (fuzz_cgparse.c says how).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pack.h"
#include "store.h"
#ifdef FUZZ_REPLAY_MAIN
#include "replay.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t v[PACK_MAXFIELDS + 1], w[PACK_MAXFIELDS + 1], x;
	uint8_t blob[PACK_MAXLEN(PACK_MAXFIELDS)], one[10];
	size_t off = 0, len, o2;
	uint8_t *p;
	int n;

	if (size == 0)
		return 0;
	n = data[0] % (PACK_MAXFIELDS + 2);
	/* The blob is copied to its own allocation so that ASan sees a read
	 * one byte past it. */
	if ((p = malloc(size > 1 ? size - 1 : 1)) == NULL)
		return 0;
	memcpy(p, data + 1, size - 1);
	if (pack_decode(p, size - 1, v, n) == 0) {
		len = pack_encode(v, n, blob);
		if (len > sizeof blob || pack_decode(blob, len, w, n) != 0 ||
		    memcmp(v, w, (size_t)n * sizeof v[0]) != 0)
			abort();        /* the row did not survive a round trip */
	}
	/* The blob as a stream of varints: each one read re-encodes to a
	 * value read back the same. */
	while (pack_varint_get(p, size - 1, &off, &x) == 0) {
		if (off > size - 1)
			abort();
		len = pack_varint_put(one, x);
		o2 = 0;
		if (len > sizeof one || pack_varint_get(one, len, &o2, &w[0]) != 0 ||
		    o2 != len || w[0] != x)
			abort();
	}
	free(p);
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
int
main(int argc, char **argv)
{
	return replay_main("pack", argc, argv);
}
#endif

/* cidmap.h: container id -> dense index, for the per-container
 * accumulators of a scan (top, rollups).
 *
 * Open addressing over the ids themselves: a window holds the containers
 * of one node (hundreds to thousands), spread over the ids of the
 * database's life. The caller keeps its accumulators in an array indexed
 * by what cidmap_index() returns; indices are handed out 0, 1, 2... in
 * order of first appearance.
 */
#ifndef CGOV_CIDMAP_H
#define CGOV_CIDMAP_H

#include <stddef.h>
#include <stdint.h>

struct cidmap {
	int64_t		*key;		/* per slot; meaningful where idx != 0 */
	uint32_t	*idx;		/* per slot: index + 1, 0 = free */
	size_t		 nslot;		/* a power of two */
	size_t		 n;		/* ids mapped */
};

/* The index of cid, mapping it to the next free index (n before the call)
 * when new; *ret_new (may be NULL) says which. Zero the map before the
 * first call; free with cidmap_free. */
size_t cidmap_index(struct cidmap *m, int64_t cid, int *ret_new);
void cidmap_free(struct cidmap *m);

#endif

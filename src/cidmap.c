/* cidmap.c: container id -> dense index (cidmap.h). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "cidmap.h"
#include "xmalloc.h"

static size_t
cidmap_slot(const struct cidmap *m, int64_t cid)
{
	size_t	 j = (size_t)(((uint64_t)cid * UINT64_C(0x9e3779b97f4a7c15)) >> 32) &
	    (m->nslot - 1);

	while (m->idx[j] != 0 && m->key[j] != cid)
		j = (j + 1) & (m->nslot - 1);
	return j;
}

static void
cidmap_grow(struct cidmap *m)
{
	struct cidmap	 g = { .nslot = m->nslot ? m->nslot * 2 : 1024, .n = m->n };
	size_t		 i, j;

	g.key = xcalloc(g.nslot, sizeof *g.key);
	g.idx = xcalloc(g.nslot, sizeof *g.idx);
	for (i = 0; i < m->nslot; i++) {
		if (m->idx[i] == 0)
			continue;
		j = cidmap_slot(&g, m->key[i]);
		g.key[j] = m->key[i];
		g.idx[j] = m->idx[i];
	}
	cidmap_free(m);
	*m = g;
}

size_t
cidmap_index(struct cidmap *m, int64_t cid, int *ret_new)
{
	size_t	 j;

	/* Half full at most: probes stay short. */
	if (m->n >= m->nslot / 2)
		cidmap_grow(m);
	j = cidmap_slot(m, cid);
	if (ret_new != NULL)
		*ret_new = m->idx[j] == 0;
	if (m->idx[j] == 0) {
		m->key[j] = cid;
		m->idx[j] = (uint32_t)++m->n;
	}
	return m->idx[j] - 1;
}

void
cidmap_free(struct cidmap *m)
{
	free(m->key);
	free(m->idx);
	m->key = NULL;
	m->idx = NULL;
	m->nslot = m->n = 0;
}

/* memroom.c: the memory limits above a container and what they leave
 * (contract in include/memroom.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgparse.h"
#include "escape.h"
#include "log.h"
#include "memroom.h"
#include "xmalloc.h"

/* One ancestor, sorted by path. */
struct mr_anc {
	char *path;
	double limit;                   /* INFINITY none, NAN unread or unknown */
	double usage;                   /* NAN unknown */
	uint64_t limit_gen, usage_gen;  /* when read; 0: never (gens start at 1) */
	uint64_t used_gen;              /* the last generation that asked */
};

struct memroom {
	const struct cgfs *fs;
	struct mr_anc *a;
	size_t n, cap;
};

struct memroom *
memroom_new(const struct cgfs *fs)
{
	struct memroom *mr = xcalloc(1, sizeof *mr);

	mr->fs = fs;
	return mr;
}

void
memroom_free(struct memroom *mr)
{
	if (mr == NULL)
		return;
	for (size_t i = 0; i < mr->n; i++)
		free(mr->a[i].path);
	free(mr->a);
	free(mr);
}

size_t
memroom_cached(const struct memroom *mr)
{
	return mr->n;
}

/* The entry of path, made (unread) when missing. */
static struct mr_anc *
memroom_get(struct memroom *mr, const char *path)
{
	size_t lo = 0, hi = mr->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(mr->a[mid].path, path);

		if (c == 0)
			return &mr->a[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (mr->n == mr->cap) {
		mr->cap = mr->cap ? mr->cap * 2 : 16;
		mr->a = xreallocarray(mr->a, mr->cap, sizeof *mr->a);
	}
	memmove(&mr->a[lo + 1], &mr->a[lo], (mr->n - lo) * sizeof *mr->a);
	mr->n++;
	mr->a[lo] = (struct mr_anc){ .path = xstrdup(path), .limit = NAN, .usage = NAN };
	return &mr->a[lo];
}

/* One value file of the ancestor: its number (CG_UNLIMITED for "max" and
 * the v1 sentinel), or CG_UNKNOWN. */
static uint64_t
memroom_read(const struct memroom *mr, const char *path, const char *name)
{
	uint64_t v;
	int r;

	if ((r = cgfs_read_u64(mr->fs, CG_MEMORY, path, name, &v)) < 0) {
		if (r != -EINVAL && !cgfs_gone(r))
			log_debug("memroom: %s of %s: %s", name, escape_log(0, path), strerror(-r));
		return CG_UNKNOWN;
	}
	return v;
}

static void
memroom_read_limit(struct memroom *mr, struct mr_anc *e, uint64_t gen)
{
	int v1 = mr->fs->ctrl[CG_MEMORY].version == 1;
	uint64_t v;

	e->limit_gen = gen;
	v = memroom_read(mr, e->path, v1 ? "memory.limit_in_bytes" : "memory.max");
	e->limit = v == CG_UNKNOWN ? NAN : v == CG_UNLIMITED ? INFINITY : (double)v;
	/* v1 without hierarchy (kernels before 5.x allowed it): the limit
	 * holds the ancestor's own tasks only, not its children's. */
	if (v1 && isfinite(e->limit) && memroom_read(mr, e->path, "memory.use_hierarchy") == 0)
		e->limit = INFINITY;
}

size_t
memroom_find(struct memroom *mr, const char *path, uint64_t gen, struct memroom_set *set)
{
	size_t len = strlen(path);
	char *p = xstrdup(path);

	memroom_set_clear(set);
	if (mr->fs->ctrl[CG_MEMORY].rootfd < 0) {
		free(p);
		return 0;
	}
	/* Nearest first: cut the last component off until the root. */
	for (;;) {
		struct mr_anc *e;
		char *slash = strrchr(p, '/');

		if (slash == NULL || slash == p)
			break;          /* the next one up is the root */
		*slash = '\0';
		len = (size_t)(slash - p);
		e = memroom_get(mr, p);
		e->used_gen = gen;
		if (e->limit_gen != gen)
			memroom_read_limit(mr, e, gen);
		if (!isfinite(e->limit))
			continue;
		set->path = xreallocarray(set->path, set->n + 1, sizeof *set->path);
		set->path[set->n++] = xstrndup(p, len);
	}
	free(p);
	return set->n;
}

void
memroom_set_clear(struct memroom_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->path[i]);
	free(set->path);
	set->path = NULL;
	set->n = 0;
}

double
memroom_left(struct memroom *mr, const struct memroom_set *set, uint64_t gen)
{
	int v1 = mr->fs->ctrl[CG_MEMORY].version == 1;
	double left = NAN;

	if (set->n == 0)
		return INFINITY;
	for (size_t i = 0; i < set->n; i++) {
		struct mr_anc *e = memroom_get(mr, set->path[i]);
		uint64_t v;

		e->used_gen = gen;
		if (e->limit_gen == 0)          /* swept meanwhile: read again */
			memroom_read_limit(mr, e, gen);
		if (e->usage_gen != gen) {
			e->usage_gen = gen;
			v = memroom_read(mr, e->path, v1 ? "memory.usage_in_bytes" : "memory.current");
			e->usage = v == CG_UNKNOWN || v == CG_UNLIMITED ? NAN : (double)v;
		}
		/* A limit lifted since the container's last full read no
		 * longer encloses it. */
		if (isnan(e->usage) || isnan(e->limit))
			continue;
		if (isinf(e->limit)) {
			left = isnan(left) ? INFINITY : left;
			continue;
		}
		if (isnan(left) || e->limit - e->usage < left)
			left = e->limit - e->usage;
	}
	return left;
}

void
memroom_sweep(struct memroom *mr, uint64_t gen)
{
	size_t out = 0;

	for (size_t i = 0; i < mr->n; i++) {
		if (mr->a[i].used_gen < gen) {
			free(mr->a[i].path);
			continue;
		}
		mr->a[out++] = mr->a[i];
	}
	mr->n = out;
}

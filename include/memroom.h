/* memroom.h: the memory limits that enclose a container from above.
 *
 * A tenant without a memory limit of its own still has one: the limit of
 * an ancestor cgroup (an LXC or Docker "node" slice, a Kubernetes pod) and
 * the node's memory. memory.eta (metrics_room_eta) counts down to the
 * nearest of them. This file finds a container's ancestors that have a
 * finite memory limit and reads what those limits leave (limit less
 * usage).
 *
 * Cost: the walk up (one limit read per ancestor, and on v1 its
 * memory.use_hierarchy) is done on the container's full reads, the
 * sampler's limits cadence (sampler.h, "Cadence"). Usage is read once per
 * generation (the governor's tick) per ancestor, shared by every container
 * below it: a cache keyed by path. The hierarchy root is never read (it
 * has no limit), and nothing here writes: an ancestor is not governed.
 * Descriptors are not kept: an ancestor's directory is opened by path on
 * each read.
 *
 * Ancestor paths come from the container's path (tenant-controlled below
 * the runtime's prefix); they are logged escaped, if at all.
 */
#ifndef CGOV_MEMROOM_H
#define CGOV_MEMROOM_H

#include <stddef.h>
#include <stdint.h>

#include "cgfs.h"

struct memroom;

/* A container's ancestors with a finite memory limit, nearest first. */
struct memroom_set {
	char **path;
	size_t n;
};

/* A cache reading through fs (borrowed). */
struct memroom *memroom_new(const struct cgfs *fs);
void memroom_free(struct memroom *mr);

/* Replaces *set with the ancestors of cgroup path (absolute; the root and
 * path itself excluded) whose memory limit is finite now, each limit read
 * at most once per generation gen (shared by every container asking in
 * gen). On v1 an ancestor whose memory.use_hierarchy reads 0 does not
 * enclose its children and is left out. An ancestor that cannot be read
 * (gone, no memory controller) is left out. Returns the number found. */
size_t memroom_find(struct memroom *mr, const char *path, uint64_t gen,
    struct memroom_set *set);

/* Frees set's paths and empties it. */
void memroom_set_clear(struct memroom_set *set);

/* The least headroom (limit less usage, in bytes; negative when over) of
 * set's ancestors in generation gen: each ancestor's usage read at most
 * once per gen. INFINITY when set is empty (no enclosing limit), NAN when
 * none could be read. */
double memroom_left(struct memroom *mr, const struct memroom_set *set, uint64_t gen);

/* Forgets the ancestors that no container asked for in gen or later:
 * call once per generation, after every container's memroom_left. */
void memroom_sweep(struct memroom *mr, uint64_t gen);

/* Ancestors cached now, for tests. */
size_t memroom_cached(const struct memroom *mr);

#endif

/* fleet.h: the containers cgovd watches, and what one tick does with them.
 *
 * The fleet owns one entry per discovered container: its sampler handle,
 * its previous cumulative figures (counters become per-tick deltas here,
 * and a counter that goes backwards is a reset: the new value is the
 * delta), and its registration in the store.
 *
 * Storage is optional and never blocks sampling: when the store fails (disk
 * full, read-only, locked) the tick is dropped from history, the failure is
 * logged once per burst, and sampling goes on; registrations lost with a
 * rolled-back tick are redone on the next one, and "gone" marks wait in
 * memory for the next tick that commits.
 */
#ifndef CGOV_FLEET_H
#define CGOV_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include "cgfs.h"
#include "discover.h"
#include "sampler.h"
#include "store.h"
#include "tenant.h"

struct fleet;

/* A fleet reading through sampler s (borrowed) and writing to st (borrowed,
 * may be NULL: no history). */
struct fleet *fleet_new(struct sampler *s, const struct cgfs *fs, struct store *st);
void fleet_free(struct fleet *f);
void fleet_set_store(struct fleet *f, struct store *st);

/* Where Docker keeps its state (its data-root), for the names of containers
 * found from now on (rtname.h); NULL: /var/lib/docker. Copied. */
void fleet_set_docker_root(struct fleet *f, const char *dir);

/* Reconciles the fleet with a discovery result (sorted by path): opens the
 * new containers, drops the ones no longer found (marking them gone in the
 * store). Returns the number of containers added. */
size_t fleet_sync(struct fleet *f, const struct discover_found *found, size_t n, int64_t now_ms);

/* After a walk that a bound stopped (discover_scan's truncated): adds to
 * found[0..*n) every container of the fleet that the walk did not reach,
 * that the patterns d still match and whose cgroup is still its own
 * (tenant_id_check; kept too when that cannot be told), so that the
 * fleet_sync() after it does not take it for gone. A truncated walk must
 * never release a container: a tenant who floods a root walked first
 * would free a neighbour's throttles. *found stays sorted by path.
 * Returns how many were added. */
size_t fleet_keep_unseen(const struct fleet *f, const struct discover *d,
    struct discover_found **found, size_t *n);

/* A tick is two steps, so that governing never waits on storage:
 *
 * fleet_sample() reads every container and the node (dt_ms after the
 * previous tick; memstat: also memory.stat) and hands each to the observer.
 * Containers that vanished are dropped quietly; their "gone" marks wait for
 * the next fleet_store(). Returns the number of containers sampled.
 *
 * fleet_store() then writes what the last fleet_sample() read to history,
 * in one transaction. Returns 1 when history got the tick, 0 when not (no
 * store, or it failed: logged once per burst).
 *
 * fleet_tick() is both, for --once and tests; *ret_stored (optional) says
 * whether history got it. */
size_t fleet_sample(struct fleet *f, int64_t now_ms, int64_t dt_ms, int memstat);
int fleet_store(struct fleet *f, int64_t now_ms);
size_t fleet_tick(struct fleet *f, int64_t now_ms, int64_t dt_ms, int memstat, int *ret_stored);

size_t fleet_size(const struct fleet *f);

/* What one tick saw of one container, for the governor. */
struct fleet_obs {
	uint64_t key;                    /* the tenant: stable for the container's
	                                    life in the fleet, never reused; a cgroup
	                                    re-created at the same path gets a new
	                                    key. Governing keys on it, never on the
	                                    store's cid (an attribute, may be 0) */
	const struct tenant_id *id;      /* the cgroup identity (tenant.h) */
	int64_t cid;                     /* the store's id, 0 when not registered */
	const char *path, *name, *runtime;
	const struct cg_sample *cur;
	const struct cg_sample *prev;    /* NULL on the container's first tick */
	int full;                        /* cur's settings were read now, not
	                                    carried (sampler.h, "Cadence") */
	int64_t dt_ms;
};
typedef void (*fleet_obs_fn)(void *arg, const struct fleet_obs *o);
/* The node's figures of a tick; prev NULL on the first. */
typedef void (*fleet_node_fn)(void *arg, const struct cg_node *cur, const struct cg_node *prev,
    int64_t dt_ms);

/* Registers the functions fleet_sample calls for every container sampled
 * and for the node (before anything is stored). NULL clears. */
void fleet_set_observer(struct fleet *f, fleet_obs_fn ct_fn, fleet_node_fn node_fn, void *arg);

/* A function fleet_store() calls inside the tick's transaction, after the
 * node's row and before the containers', to add rows of its own (the
 * temperatures, cgovd.c); its failures spoil the tick like any other.
 * NULL clears. */
typedef void (*fleet_extra_fn)(void *arg, struct store *st);
void fleet_set_extra(struct fleet *f, fleet_extra_fn fn, void *arg);

/* Reads container `key` now, outside a tick (a kernel notification): into
 * *ret only; the tick's samples, deltas and history are untouched.
 * Returns 0, -ENOENT when the fleet has no such container, -ENODEV when
 * its cgroup went away (the next tick drops it). */
int fleet_sample_one(struct fleet *f, uint64_t key, struct cg_sample *ret, int *ret_full);

/* Container key's next sample reads its settings afresh (a knob of it is
 * being written: sampler_ct_refresh). */
void fleet_refresh(struct fleet *f, uint64_t key);

/* Records the containers gone since the last committed tick, outside a
 * tick (at exit). Marks that still fail stay pending in memory and are
 * lost with the process: the next cgovd finds those containers absent
 * but still "present" in the history until their path is seen again. */
void fleet_flush(struct fleet *f);

/* Calls fn for every container of the fleet that has a sample (the last
 * fleet_sample's, or fleet_sample_one's never: those stay outside the
 * tick), in path order; o->prev is NULL on a container's first tick and
 * o->dt_ms is the last tick's. Reads memory only: for /metrics (prom.h). */
void fleet_foreach(const struct fleet *f, fleet_obs_fn fn, void *arg);

/* The node's figures of the last tick, NULL before the first (or when
 * /proc could not be read then). */
const struct cg_node *fleet_node(const struct fleet *f);

/* "Gone" marks waiting for history (a tick that commits), for /metrics. */
size_t fleet_pending_gone(const struct fleet *f);

/* The newest cumulative sample of container `path`, for tests. Returns NULL when the container is not in the fleet. */
const struct cg_sample *fleet_last(const struct fleet *f, const char *path);

#endif

/* fleet.c: the watched containers, counter deltas and the store's tick. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "fleet.h"
#include "rtname.h"
#include "tenant.h"
#include "log.h"
#include "xmalloc.h"

struct fleet_ct {
	char *path, *name;
	const char *runtime;
	struct sampler_ct *sct;
	struct tenant_id id;            /* who it is: a path re-created is another */
	int64_t cid;                    /* 0: not (or no longer) registered */
	uint64_t key;                   /* fleet_obs.key */
	int have_prev, have_cur;
	struct cg_sample prev, cur;     /* the last two ticks */
	struct cg_memstat ms;           /* this tick's breakdown, when ms_ok */
	int ms_ok;
	uint64_t prev_pgmajfault;
	struct store_limits limits;     /* last limits row written */
	int limits_stored;
	int touch;                      /* refresh last_seen in the next tick */
};

/* A container that went while history could not say so yet: recorded in
 * the next tick that commits (by path: its registration may have been
 * rolled back with a failed tick), so "gone" is never lost. */
struct fleet_gone {
	char *path, *name;
	const char *runtime;
	int64_t ts_ms;
};

/* Past this many pending marks (history down for long on a churning
 * node), the oldest are dropped with a warning. */
#define FLEET_GONE_MAX 65536

struct fleet {
	struct sampler *s;
	const struct cgfs *fs;
	struct store *st;
	struct fleet_ct **ct;           /* sorted by path */
	size_t n;
	struct cg_node node_prev, node_cur;
	int have_node_prev, have_node_cur;
	int64_t sample_dt_ms;           /* the last fleet_sample's dt */
	int store_failing;              /* for log once per burst */
	struct fleet_gone *gone;        /* pending "gone" marks, oldest first */
	size_t ngone;
	uint64_t next_key;
	char *docker_root;              /* rtname_roots.docker; NULL default */
	fleet_obs_fn obs_ct;
	fleet_node_fn obs_node;
	void *obs_arg;
	fleet_extra_fn extra;
	void *extra_arg;
};

static void fleet_gone_free(struct fleet *f);

struct fleet *
fleet_new(struct sampler *s, const struct cgfs *fs, struct store *st)
{
	struct fleet *f = xcalloc(1, sizeof *f);

	f->s = s;
	f->fs = fs;
	f->st = st;
	return f;
}

static void
fleet_ct_free(struct fleet_ct *c)
{
	sampler_ct_close(c->sct);
	free(c->path);
	free(c->name);
	free(c);
}

void
fleet_free(struct fleet *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++)
		fleet_ct_free(f->ct[i]);
	free(f->ct);
	fleet_gone_free(f);
	free(f->docker_root);
	free(f);
}

void
fleet_set_store(struct fleet *f, struct store *st)
{
	f->st = st;
	for (size_t i = 0; i < f->n; i++) {
		f->ct[i]->cid = 0;
		f->ct[i]->limits_stored = 0;
	}
}

size_t
fleet_size(const struct fleet *f)
{
	return f->n;
}

/* Containers come and go one by one, or by the hundred when a node churns:
 * the first FLEET_LOG_EACH changes of a rescan or tick are logged at info,
 * the others at debug with one summary line, so syslog is not flooded. */
#define FLEET_LOG_EACH 10

static enum log_level
fleet_log_level(size_t *changes)
{
	return ++*changes <= FLEET_LOG_EACH ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG;
}

static void
fleet_log_summary(size_t changes, size_t added, size_t gone, size_t watched)
{
	if (changes > FLEET_LOG_EACH)
		log_info("%zu containers found, %zu gone (%zu not logged one by one), %zu "
		    "watched", added, gone, changes - FLEET_LOG_EACH, watched);
}

static void
fleet_gone_free(struct fleet *f)
{
	for (size_t i = 0; i < f->ngone; i++) {
		free(f->gone[i].path);
		free(f->gone[i].name);
	}
	free(f->gone);
	f->gone = NULL;
	f->ngone = 0;
}

static void
fleet_mark_gone(struct fleet *f, struct fleet_ct *c, int64_t now_ms, size_t *changes)
{
	struct fleet_gone *g;

	if (fleet_log_level(changes) == LOG_LEVEL_INFO)
		log_info("container %s is gone", escape_log(0, c->path));
	else
		log_debug("container %s is gone", escape_log(0, c->path));
	if (f->st == NULL)
		return;
	if (f->ngone == FLEET_GONE_MAX) {
		log_warnx("%d containers gone while history was failing: the oldest is "
		    "not recorded as gone", FLEET_GONE_MAX);
		free(f->gone[0].path);
		free(f->gone[0].name);
		memmove(f->gone, f->gone + 1, (f->ngone - 1) * sizeof *f->gone);
		f->ngone--;
	}
	f->gone = xreallocarray(f->gone, f->ngone + 1, sizeof *f->gone);
	g = &f->gone[f->ngone++];
	g->path = xstrdup(c->path);
	g->name = xstrdup(c->name);
	g->runtime = c->runtime;
	g->ts_ms = now_ms;
}

/* Writes the pending "gone" marks from index `from` on; inside a tick, or
 * each on its own. */
static int
fleet_store_gone(struct fleet *f, size_t from)
{
	for (size_t i = from; i < f->ngone; i++) {
		struct fleet_gone *g = &f->gone[i];
		int64_t cid;
		int r;

		if ((r = store_container_upsert(f->st, g->path, g->name, g->runtime, g->ts_ms,
		    &cid)) < 0 || (r = store_container_gone(f->st, cid, g->ts_ms)) < 0)
			return r;
	}
	return 0;
}

void
fleet_flush(struct fleet *f)
{
	if (f->st != NULL && f->ngone > 0 && fleet_store_gone(f, 0) == 0)
		fleet_gone_free(f);
}

/* A new container's name: a Docker or Podman container's own name from its
 * runtime's state files when they give one (rtname.h: read once, when the
 * container is first seen, never trusted), else discovery's short ID. */
void
fleet_set_docker_root(struct fleet *f, const char *dir)
{
	free(f->docker_root);
	f->docker_root = dir != NULL ? xstrdup(dir) : NULL;
}

static char *
fleet_name(const struct fleet *f, const struct discover_found *fd)
{
	struct rtname_roots roots = { .docker = f->docker_root };
	char name[DISCOVER_MAX_NAME];
	int r;

	if (strcmp(fd->runtime, "docker") != 0 && strcmp(fd->runtime, "podman") != 0)
		return xstrdup(fd->name);
	if ((r = rtname_lookup(&roots, fd->runtime, fd->path, name, sizeof name)) < 0) {
		if (r != -ENOENT)
			log_debug("%s: no name from the %s state files: %s",
			    escape_log(0, fd->path), fd->runtime, strerror(-r));
		return xstrdup(fd->name);
	}
	return xstrdup(name);
}

size_t
fleet_sync(struct fleet *f, const struct discover_found *found, size_t n, int64_t now_ms)
{
	struct fleet_ct **next = xcalloc(n ? n : 1, sizeof *next);
	size_t i = 0, j = 0, out = 0, added = 0, gone = 0, changes = 0;

	/* Both lists are sorted by path: one merge pass. */
	while (i < f->n || j < n) {
		int cmp = i == f->n ? 1 : j == n ? -1 : strcmp(f->ct[i]->path, found[j].path);

		if (cmp < 0) {                  /* no longer found */
			fleet_mark_gone(f, f->ct[i], now_ms, &changes);
			fleet_ct_free(f->ct[i++]);
			gone++;
		} else if (cmp == 0 && tenant_id_check(f->fs, found[j].path, &f->ct[i]->id) == 0) {
			/* Same path, another cgroup: the tenant that was there is
			 * gone, and the one found is new (next turn of the loop). */
			fleet_mark_gone(f, f->ct[i], now_ms, &changes);
			fleet_ct_free(f->ct[i++]);
			gone++;
		} else if (cmp == 0) {
			f->ct[i]->touch = 1;
			next[out++] = f->ct[i++];
			j++;
		} else {                        /* new */
			struct fleet_ct *c = xcalloc(1, sizeof *c);
			int r = sampler_ct_open(f->s, found[j].path, &c->sct);

			if (r < 0) {
				if (r == -ENOENT)
					log_debug("container %s vanished before it was "
					    "opened", escape_log(0, found[j].path));
				else
					log_warnx("cannot open container %s: %s",
					    escape_log(0, found[j].path), strerror(-r));
				free(c);
				j++;
				continue;
			}
			if ((r = tenant_id_read(f->fs, found[j].path, &c->id)) < 0) {
				log_debug("container %s vanished before it was identified",
				    escape_log(0, found[j].path));
				sampler_ct_close(c->sct);
				free(c);
				j++;
				continue;
			}
			c->key = ++f->next_key;
			c->path = xstrdup(found[j].path);
			c->name = fleet_name(f, &found[j]);
			c->runtime = found[j].runtime;
			c->prev_pgmajfault = CG_UNKNOWN;
			if (fleet_log_level(&changes) == LOG_LEVEL_INFO)
				log_info("container %s (%s %s) found", escape_log(0, c->path),
				    c->runtime, escape_log(1, c->name));
			else
				log_debug("container %s (%s %s) found", escape_log(0, c->path),
				    c->runtime, escape_log(1, c->name));
			next[out++] = c;
			added++;
			j++;
		}
	}
	free(f->ct);
	f->ct = next;
	f->n = out;
	fleet_log_summary(changes, added, gone, out);
	return added;
}

static int
fleet_found_cmp(const void *a, const void *b)
{
	return strcmp(((const struct discover_found *)a)->path,
	    ((const struct discover_found *)b)->path);
}

size_t
fleet_keep_unseen(const struct fleet *f, const struct discover *d,
    struct discover_found **found, size_t *n)
{
	size_t seen = *n, added = 0;

	for (size_t i = 0; i < f->n; i++) {
		const struct fleet_ct *c = f->ct[i];
		struct discover_found key = { .path = c->path };
		char name[DISCOVER_MAX_NAME];
		const char *runtime;
		int r;

		if (seen > 0 && bsearch(&key, *found, seen, sizeof **found, fleet_found_cmp))
			continue;
		/* A reload may have changed the patterns: those still decide. */
		if (!discover_match(d, c->path, &runtime, name, sizeof name))
			continue;
		/* Gone (0: another cgroup, or none, at the path) is for
		 * fleet_sync to find; a check that failed otherwise keeps it. */
		r = tenant_id_check(f->fs, c->path, &c->id);
		if (r == 0 || (r < 0 && cgfs_gone(r)))
			continue;
		*found = xreallocarray(*found, *n + 1, sizeof **found);
		(*found)[*n].path = xstrdup(c->path);
		(*found)[*n].name = xstrdup(c->name);
		(*found)[*n].runtime = c->runtime;
		(*n)++;
		added++;
	}
	if (added > 0)
		qsort(*found, *n, sizeof **found, fleet_found_cmp);
	return added;
}

static int64_t
fleet_now(uint64_t v)
{
	return v == CG_UNKNOWN || v == CG_UNLIMITED ? STORE_NULL : (int64_t)v;
}

static int64_t
fleet_limit(uint64_t v)
{
	return v == CG_UNKNOWN ? STORE_NULL : v == CG_UNLIMITED ? STORE_UNLIMITED : (int64_t)v;
}

/* Counter delta; a counter that went backwards was reset (the cgroup was
 * recreated, or the kernel wrapped): count from zero. */
static int64_t
fleet_delta(int have_prev, uint64_t cur, uint64_t prev)
{
	if (!have_prev || cur == CG_UNKNOWN || prev == CG_UNKNOWN ||
	    cur == CG_UNLIMITED || prev == CG_UNLIMITED)
		return STORE_NULL;
	return cur >= prev ? (int64_t)(cur - prev) : (int64_t)cur;
}

static void
fleet_store_failed(struct fleet *f, int r)
{
	if (!f->store_failing)
		log_warnx("history store failed (%s): samples are dropped from history, "
		    "monitoring goes on", strerror(-r));
	f->store_failing = 1;
	for (size_t i = 0; i < f->n; i++) {
		f->ct[i]->cid = 0;
		f->ct[i]->limits_stored = 0;
	}
}

static void
fleet_store_ct(struct fleet *f, struct fleet_ct *c, int memstat_ok, const struct cg_memstat *ms,
    int64_t now_ms)
{
	const struct cg_sample *a = &c->cur, *b = &c->prev;
	int p = c->have_prev;
	struct store_sample row;
	struct store_limits lim;

	/* Registered once; last_seen refreshed once per rescan, inside the
	 * tick's transaction rather than in one of its own. */
	if (c->cid == 0 || c->touch) {
		if (store_container_upsert(f->st, c->path, c->name, c->runtime, now_ms,
		    &c->cid) < 0) {
			c->cid = 0;
			return;
		}
		c->touch = 0;
	}
	row = (struct store_sample){
		.cid = c->cid,
		.mem_bytes = fleet_now(a->mem_current),
		.swap_bytes = fleet_now(a->swap_current),
		.cpu_us = fleet_delta(p, a->cpu_usage_us, b->cpu_usage_us),
		.nr_periods = fleet_delta(p, a->nr_periods, b->nr_periods),
		.nr_throttled = fleet_delta(p, a->nr_throttled, b->nr_throttled),
		.throttled_us = fleet_delta(p, a->throttled_us, b->throttled_us),
		.rbytes = fleet_delta(p, a->io.rbytes, b->io.rbytes),
		.wbytes = fleet_delta(p, a->io.wbytes, b->io.wbytes),
		.rios = fleet_delta(p, a->io.rios, b->io.rios),
		.wios = fleet_delta(p, a->io.wios, b->io.wios),
		.pids = fleet_now(a->pids_current),
		.oom = fleet_delta(p, a->oom, b->oom),
		.oom_kill = fleet_delta(p, a->oom_kill, b->oom_kill),
		.psi_cpu_us = fleet_delta(p, a->psi_cpu_us, b->psi_cpu_us),
		.psi_mem_us = fleet_delta(p, a->psi_mem_us, b->psi_mem_us),
		.psi_io_us = fleet_delta(p, a->psi_io_us, b->psi_io_us),
	};
	store_tick_add_sample(f->st, &row);

	lim = (struct store_limits){
		.cid = c->cid,
		.mem_limit = fleet_limit(a->mem_limit),
		.mem_high = fleet_limit(a->mem_high),
		.swap_limit = fleet_limit(a->swap_limit),
		.cpu_shares = fleet_limit(a->cpu_shares),
		.cpu_quota_us = fleet_limit(a->cpu_quota_us),
		.cpu_period_us = fleet_limit(a->cpu_period_us),
		.pids_max = fleet_limit(a->pids_max),
	};
	if (!c->limits_stored || memcmp(&lim, &c->limits, sizeof lim) != 0) {
		if (store_tick_add_limits(f->st, &lim) == 0) {
			c->limits = lim;
			c->limits_stored = 1;
		}
	}
	if (memstat_ok) {
		struct store_memstat m = {
			.cid = c->cid,
			.anon = fleet_now(ms->anon),
			.file = fleet_now(ms->file),
			.kernel = fleet_now(ms->kernel),
			.shmem = fleet_now(ms->shmem),
			.file_dirty = fleet_now(ms->file_dirty),
			.file_writeback = fleet_now(ms->file_writeback),
			.pgmajfault = fleet_delta(c->prev_pgmajfault != CG_UNKNOWN, ms->pgmajfault,
			    c->prev_pgmajfault),
		};
		store_tick_add_memstat(f->st, &m);
	}
}

static void
fleet_store_node(struct fleet *f, const struct cg_node *n)
{
	const struct cg_node *o = &f->node_prev;
	int p = f->have_node_prev;
	/* /proc/stat counts USER_HZ ticks, 100 per second on Linux. */
	int64_t busy = fleet_delta(p, n->cpu.busy, o->cpu.busy);
	int64_t total = fleet_delta(p, n->cpu.total, o->cpu.total);
	struct store_node row = {
		.mem_total = fleet_now(n->mem.mem_total),
		.mem_available = fleet_now(n->mem.mem_available),
		.swap_total = fleet_now(n->mem.swap_total),
		.swap_free = fleet_now(n->mem.swap_free),
		.ncpu = n->cpu.ncpu == UINT32_MAX ? STORE_NULL : (int64_t)n->cpu.ncpu,
		.load1 = n->load1 == UINT32_MAX ? STORE_NULL : (int64_t)n->load1,
		.psi_cpu_us = fleet_delta(p, n->psi_cpu_us, o->psi_cpu_us),
		.psi_mem_us = fleet_delta(p, n->psi_mem_us, o->psi_mem_us),
		.psi_io_us = fleet_delta(p, n->psi_io_us, o->psi_io_us),
	};

	/* /proc/stat's counters only grow: one that went backwards (a CPU
	 * taken offline) makes no busy figure, not a delta counted from zero
	 * (metrics.h: unknown, as the daemon sees it). */
	if (p && (n->cpu.busy < o->cpu.busy || n->cpu.total < o->cpu.total))
		busy = total = STORE_NULL;
	row.cpu_busy_ms = busy == STORE_NULL ? STORE_NULL : busy * 10;
	row.cpu_total_ms = total == STORE_NULL ? STORE_NULL : total * 10;
	store_tick_add_node(f->st, &row);
}

size_t
fleet_sample(struct fleet *f, int64_t now_ms, int64_t dt_ms, int memstat)
{
	struct cg_node node;
	size_t out = 0, gone = 0, changes = 0;
	int r;

	f->sample_dt_ms = dt_ms;
	if (f->have_node_cur) {
		f->node_prev = f->node_cur;
		f->have_node_prev = 1;
	}
	f->have_node_cur = sampler_read_node(f->s, &node) == 0;
	if (f->have_node_cur) {
		f->node_cur = node;
		if (f->obs_node != NULL)
			f->obs_node(f->obs_arg, &f->node_cur,
			    f->have_node_prev ? &f->node_prev : NULL, dt_ms);
	}
	for (size_t i = 0; i < f->n; i++) {
		struct fleet_ct *c = f->ct[i];

		if (c->have_cur) {
			c->prev = c->cur;
			c->have_prev = 1;
		}
		c->ms_ok = 0;
		r = sampler_ct_read(c->sct, &c->cur);
		if (r == 0 && memstat) {
			r = sampler_ct_read_memstat(c->sct, &c->ms);
			c->ms_ok = r == 0;
		}
		if (r < 0) {                    /* vanished between two scans */
			fleet_mark_gone(f, c, now_ms, &changes);
			gone++;
			fleet_ct_free(c);
			continue;
		}
		c->have_cur = 1;
		if (f->obs_ct != NULL) {
			struct fleet_obs o = {
				.key = c->key, .id = &c->id, .cid = c->cid, .path = c->path,
				.name = c->name, .runtime = c->runtime, .cur = &c->cur,
				.prev = c->have_prev ? &c->prev : NULL, .dt_ms = dt_ms,
				.full = sampler_ct_last_full(c->sct),
			};

			f->obs_ct(f->obs_arg, &o);
		}
		f->ct[out++] = c;
	}
	f->n = out;
	fleet_log_summary(changes, 0, gone, out);
	return out;
}

int
fleet_store(struct fleet *f, int64_t now_ms)
{
	int r;

	if (f->st == NULL)
		return 0;
	if ((r = store_tick_begin(f->st, now_ms, f->sample_dt_ms)) < 0) {
		fleet_store_failed(f, r);
		return 0;
	}
	/* Every pending mark first (the containers gone in this tick's
	 * sampling included): a container re-created at the same path and
	 * registered below stays present. A failure spoils the tick: the
	 * commit reports it. */
	fleet_store_gone(f, 0);
	if (f->have_node_cur)
		fleet_store_node(f, &f->node_cur);
	if (f->extra != NULL)
		f->extra(f->extra_arg, f->st);
	for (size_t i = 0; i < f->n; i++) {
		struct fleet_ct *c = f->ct[i];

		if (!c->have_cur)
			continue;
		fleet_store_ct(f, c, c->ms_ok, &c->ms, now_ms);
		if (c->ms_ok)
			c->prev_pgmajfault = c->ms.pgmajfault;
	}
	if ((r = store_tick_commit(f->st)) < 0) {
		fleet_store_failed(f, r);
		return 0;
	}
	fleet_gone_free(f);             /* all written in this tick */
	if (f->store_failing) {
		log_info("history store works again");
		f->store_failing = 0;
	}
	return 1;
}

size_t
fleet_tick(struct fleet *f, int64_t now_ms, int64_t dt_ms, int memstat, int *ret_stored)
{
	size_t n = fleet_sample(f, now_ms, dt_ms, memstat);
	int stored = fleet_store(f, now_ms);

	if (ret_stored != NULL)
		*ret_stored = stored;
	return n;
}

void
fleet_refresh(struct fleet *f, uint64_t key)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->ct[i]->key == key)
			sampler_ct_refresh(f->ct[i]->sct);
}

int
fleet_sample_one(struct fleet *f, uint64_t key, struct cg_sample *ret, int *ret_full)
{
	for (size_t i = 0; i < f->n; i++) {
		int r;

		if (f->ct[i]->key != key)
			continue;
		r = sampler_ct_read(f->ct[i]->sct, ret);
		*ret_full = r == 0 && sampler_ct_last_full(f->ct[i]->sct);
		return r;
	}
	return -ENOENT;
}

void
fleet_set_extra(struct fleet *f, fleet_extra_fn fn, void *arg)
{
	f->extra = fn;
	f->extra_arg = arg;
}

void
fleet_set_observer(struct fleet *f, fleet_obs_fn ct_fn, fleet_node_fn node_fn, void *arg)
{
	f->obs_ct = ct_fn;
	f->obs_node = node_fn;
	f->obs_arg = arg;
}

const struct cg_sample *
fleet_last(const struct fleet *f, const char *path)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->ct[i]->path, path) == 0)
			return f->ct[i]->have_cur ? &f->ct[i]->cur : NULL;
	return NULL;
}

void
fleet_foreach(const struct fleet *f, fleet_obs_fn fn, void *arg)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct fleet_ct *c = f->ct[i];
		struct fleet_obs o;

		if (!c->have_cur)
			continue;
		o = (struct fleet_obs){
			.key = c->key, .id = &c->id, .cid = c->cid, .path = c->path,
			.name = c->name, .runtime = c->runtime, .cur = &c->cur,
			.prev = c->have_prev ? &c->prev : NULL, .dt_ms = f->sample_dt_ms,
			.full = sampler_ct_last_full(c->sct),
		};
		fn(arg, &o);
	}
}

const struct cg_node *
fleet_node(const struct fleet *f)
{
	return f->have_node_cur ? &f->node_cur : NULL;
}

size_t
fleet_pending_gone(const struct fleet *f)
{
	return f->ngone;
}

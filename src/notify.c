/* notify.c: eventfd, PSI trigger and inotify notifications (notify.h). */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgfs.h"
#include "cgparse.h"
#include "notify.h"
#include "units.h"
#include "xmalloc.h"

enum notify_src_what { SRC_LEVEL, SRC_OOM, SRC_PSI, SRC_INOTIFY };

/* One descriptor in notify's epoll; epoll_event.data.ptr points here. */
struct notify_src {
	struct notify_ct *ct;           /* NULL for the inotify descriptor */
	int fd;                         /* -1: not armed */
	unsigned char what;             /* enum notify_src_what */
	unsigned char idx;              /* PSI: 0 cpu, 1 memory, 2 io */
	unsigned char skip;             /* PSI: the report EPOLL_CTL_ADD makes */
};

/* inotify watch descriptor -> container and file. */
struct notify_wd {
	int wd;
	int file;                       /* 0 memory.events, 1 cgroup.events */
	struct notify_ct *ct;
	struct notify_wd *next;
};

#define NOTIFY_WD_BUCKETS 256
#define NOTIFY_BATCH 64                 /* events handled per wake-up */
#define NOTIFY_OOM_RECHECK_MS 10         /* first re-read; doubles, 4 in all */
#define NOTIFY_OOM_RECHECKS 4

struct notify {
	struct event_base *base;
	const struct cgfs *fs;
	notify_fn fn;
	void *arg;
	int epfd;
	struct event *ev;
	struct notify_src inotify;
	struct notify_wd *wd[NOTIFY_WD_BUCKETS];
	struct notify_ct *cts;          /* every container, for overflow and free */
	size_t nfds;
	size_t npsi;
	uint64_t overflows;             /* inotify queue overflows (events lost) */
};

struct notify_ct {
	struct notify *n;
	struct notify_ct *prev, *next;
	uint64_t key;
	char *path;
	int dirfd;                      /* memory directory, O_PATH; -1 */
	int gone;                       /* the cgroup went away: all closed */

	struct notify_src level[NOTIFY_MAX_LEVELS];
	uint64_t level_bytes[NOTIFY_MAX_LEVELS];
	size_t nlevels;                 /* armed, level[0..nlevels) */
	uint64_t want[NOTIFY_MAX_LEVELS];
	size_t nwant;
	int want_asked, want_err;       /* last request, and its result */

	struct notify_src oom;          /* v1: memory.oom_control's eventfd */
	int oom_state;                  /* 0 not asked, 1 armed, <0 its error */
	struct event *oom_recheck;      /* v1: oom_kill read again after an OOM */
	int oom_rechecks;               /* re-reads done since the OOM */
	int wd[2];                      /* v2: memory.events, cgroup.events; -1 */
	struct notify_counts counts;

	struct notify_src psi[3];
	uint64_t psi_stall[3], psi_window[3];   /* last request */
	uint64_t psi_eff_stall[3], psi_eff_window[3];   /* the trigger written */
	int psi_err[3];
};

static const char *const notify_kind_names[NOTIFY__MAX] = {
	"mem-level", "oom", "oom-kill", "mem-high", "mem-max", "psi-cpu", "psi-memory",
	"psi-io", "populated"
};

const char *
notify_kind_name(enum notify_kind k)
{
	return (unsigned)k < NOTIFY__MAX ? notify_kind_names[k] : "unknown";
}

/* ---- pure helpers ------------------------------------------------------- */

int
notify_event_control_line(char *buf, size_t len, int efd, int cfd, uint64_t level)
{
	int r;

	if (level != 0)
		r = snprintf(buf, len, "%d %d %llu", efd, cfd, (unsigned long long)level);
	else
		r = snprintf(buf, len, "%d %d", efd, cfd);
	return r < 0 || (size_t)r >= len ? -ENAMETOOLONG : r;
}

int
notify_psi_trigger(char *buf, size_t len, uint64_t stall_us, uint64_t window_us,
    int privileged, uint64_t *ret_stall_us, uint64_t *ret_window_us)
{
	uint64_t w = window_us, s;
	int r;

	if (stall_us == 0 || window_us == 0)
		return -EINVAL;
	if (w < NOTIFY_PSI_WINDOW_MIN_US)
		w = NOTIFY_PSI_WINDOW_MIN_US;
	if (w > NOTIFY_PSI_WINDOW_MAX_US)
		w = NOTIFY_PSI_WINDOW_MAX_US;
	if (!privileged && w % NOTIFY_PSI_UNPRIV_STEP_US != 0)
		w += NOTIFY_PSI_UNPRIV_STEP_US - w % NOTIFY_PSI_UNPRIV_STEP_US;
	/* Same share of the window as asked: "20% of 1s" stays 20%. In
	 * long double: stall * w overflows 64 bits for absurd inputs. */
	s = (uint64_t)((long double)stall_us * (long double)w / (long double)window_us);
	if (s < 1)
		s = 1;
	if (s > w)
		s = w;
	r = snprintf(buf, len, "some %llu %llu", (unsigned long long)s, (unsigned long long)w);
	if (r < 0 || (size_t)r >= len)
		return -ENAMETOOLONG;
	if (ret_stall_us != NULL)
		*ret_stall_us = s;
	if (ret_window_us != NULL)
		*ret_window_us = w;
	return r;
}

void
notify_counts_init(struct notify_counts *c)
{
	c->high = c->max = c->oom = c->oom_kill = c->populated = CG_UNKNOWN;
}

int
notify_parse_events(const char *buf, struct notify_counts *c)
{
	static const char *const keys[] = { "high", "max", "oom", "oom_kill", "populated" };
	uint64_t v[5];
	uint64_t *dst[5] = { &c->high, &c->max, &c->oom, &c->oom_kill, &c->populated };
	int found = 0;

	if (cgparse_keyed(buf, keys, 5, v) <= 0)
		return -EINVAL;
	for (size_t i = 0; i < 5; i++)
		if (v[i] != CG_UNKNOWN) {
			*dst[i] = v[i];
			found++;
		}
	return found;
}

size_t
notify_counts_moved(const struct notify_counts *old, const struct notify_counts *now,
    enum notify_kind *kinds, size_t max)
{
	const uint64_t o[4] = { old->high, old->max, old->oom, old->oom_kill };
	const uint64_t c[4] = { now->high, now->max, now->oom, now->oom_kill };
	static const enum notify_kind k[4] = {
		NOTIFY_MEM_HIGH, NOTIFY_MEM_MAX, NOTIFY_OOM, NOTIFY_OOM_KILL
	};
	size_t n = 0;

	for (size_t i = 0; i < 4; i++)
		if (o[i] != CG_UNKNOWN && c[i] != CG_UNKNOWN && c[i] > o[i] && n < max)
			kinds[n++] = k[i];
	if (old->populated != CG_UNKNOWN && now->populated != CG_UNKNOWN &&
	    old->populated != now->populated && n < max)
		kinds[n++] = NOTIFY_POPULATED;
	return n;
}

static void
notify_levels_add(double v, double *levels, size_t *n, size_t max, size_t *dropped)
{
	for (size_t i = 0; i < *n; i++)
		if (levels[i] == v)
			return;
	if (*n < max)
		levels[(*n)++] = v;
	else
		(*dropped)++;
}

static void
notify_cond_walk(const struct pol_cond *c, enum pol_metric m, double limit, double *levels,
    size_t *n, size_t max, size_t *dropped)
{
	double v;

	if (c == NULL)
		return;
	if (c->kind != PC_CMP) {
		notify_cond_walk(c->a, m, limit, levels, n, max, dropped);
		notify_cond_walk(c->b, m, limit, levels, n, max, dropped);
		return;
	}
	if (c->metric != m)
		return;
	if (c->of_limit) {
		/* v1 says "no limit" with a huge number, not "max". */
		if (!isfinite(limit) || limit <= 0 || limit >= (double)CG_V1_UNLIMITED_MIN)
			return;
		v = c->value * limit / 100.0;
	} else
		v = c->value;
	if (isfinite(v) && v > 0)
		notify_levels_add(v, levels, n, max, dropped);
}

size_t
notify_cond_levels(const struct pol_cond *cond, enum pol_metric m, double limit,
    double *levels, size_t *n, size_t max)
{
	size_t dropped = 0;

	notify_cond_walk(cond, m, limit, levels, n, max, &dropped);
	return dropped;
}

/* ---- descriptors ---------------------------------------------------------- */

static void
notify_src_init(struct notify_src *s, struct notify_ct *ct, int what, int idx)
{
	s->ct = ct;
	s->fd = -1;
	s->what = (unsigned char)what;
	s->idx = (unsigned char)idx;
	s->skip = 0;
}

/* Adds s (fd already set) to the epoll; on failure closes the fd. */
static int
notify_src_add(struct notify *n, struct notify_src *s, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = s };
	int r;

	if (epoll_ctl(n->epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
		r = -errno;
		close(s->fd);
		s->fd = -1;
		return r;
	}
	n->nfds++;
	return 0;
}

static void
notify_src_close(struct notify *n, struct notify_src *s)
{
	if (s->fd < 0)
		return;
	/* Explicitly: close() alone leaves the epoll entry while another
	 * reference to the open file exists. */
	epoll_ctl(n->epfd, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	s->fd = -1;
	n->nfds--;
	if (s->what == SRC_PSI)
		n->npsi--;
}

static void
notify_wd_add(struct notify *n, int wd, int file, struct notify_ct *ct)
{
	struct notify_wd *w = xmalloc(sizeof *w);
	unsigned b = (unsigned)wd % NOTIFY_WD_BUCKETS;

	w->wd = wd;
	w->file = file;
	w->ct = ct;
	w->next = n->wd[b];
	n->wd[b] = w;
}

static struct notify_wd **
notify_wd_find(struct notify *n, int wd)
{
	struct notify_wd **p = &n->wd[(unsigned)wd % NOTIFY_WD_BUCKETS];

	while (*p != NULL && (*p)->wd != wd)
		p = &(*p)->next;
	return p;
}

/* Forgets watch wd; with rm, also asks the kernel to drop it. */
static void
notify_wd_forget(struct notify *n, int wd, int rm)
{
	struct notify_wd **p = notify_wd_find(n, wd), *w = *p;

	if (w == NULL)
		return;
	*p = w->next;
	if (rm && n->inotify.fd >= 0)
		inotify_rm_watch(n->inotify.fd, wd);
	free(w);
}

/* Closes every descriptor of c; it stays allocated for its owner. */
static void
notify_ct_close(struct notify_ct *c)
{
	struct notify *n = c->n;

	for (size_t i = 0; i < c->nlevels; i++)
		notify_src_close(n, &c->level[i]);
	c->nlevels = 0;
	notify_src_close(n, &c->oom);
	for (int i = 0; i < 3; i++)
		notify_src_close(n, &c->psi[i]);
	for (int i = 0; i < 2; i++)
		if (c->wd[i] >= 0) {
			notify_wd_forget(n, c->wd[i], 1);
			c->wd[i] = -1;
		}
	if (c->oom_recheck != NULL)
		evtimer_del(c->oom_recheck);
	if (c->dirfd >= 0) {
		close(c->dirfd);
		c->dirfd = -1;
		n->nfds--;
	}
}

static void
notify_ct_gone(struct notify_ct *c)
{
	notify_ct_close(c);
	c->gone = 1;
}

/* The memory directory of c, opened on first use. */
static int
notify_ct_dir(struct notify_ct *c)
{
	int fd;

	if (c->gone)
		return -ENOENT;
	if (c->dirfd >= 0)
		return c->dirfd;
	fd = cgfs_open_dir(c->n->fs, CG_MEMORY, c->path);
	if (fd < 0)
		return fd;
	c->dirfd = fd;
	c->n->nfds++;
	return fd;
}

/* Whether c's cgroup still exists. The kernel signals v1 eventfds (and
 * wakes PSI triggers) when it removes a cgroup: not an event. */
static int
notify_ct_alive(struct notify_ct *c)
{
	struct stat st;

	if (c->gone)
		return 0;
	if (c->dirfd < 0)
		return 1;
	return fstatat(c->dirfd, "cgroup.procs", &st, 0) == 0 || !cgfs_gone(-errno);
}

/* Reads file of c's memory directory into counts. */
static int
notify_ct_read_counts(struct notify_ct *c, const char *file, struct notify_counts *counts)
{
	char buf[512];
	ssize_t r;

	if (c->dirfd < 0)
		return -EBADF;
	r = cgfs_read_at(c->dirfd, file, buf, sizeof buf);
	if (r < 0)
		return (int)r;
	return notify_parse_events(buf, counts);
}

/* ---- the loop ------------------------------------------------------------------ */

static void
notify_call(struct notify *n, uint64_t key, const enum notify_kind *kinds, size_t nk,
    int64_t now)
{
	/* The container may be freed by the first callback: only the copies
	 * made before are used here. */
	for (size_t i = 0; i < nk; i++)
		n->fn(n->arg, key, kinds[i], now);
}

static void notify_on_oom_recheck(evutil_socket_t fd, short what, void *arg);

static void
notify_oom_recheck_arm(struct notify_ct *c)
{
	struct timeval tv = { 0, (NOTIFY_OOM_RECHECK_MS * 1000) << c->oom_rechecks };

	if (c->oom_recheck == NULL)
		c->oom_recheck = evtimer_new(c->n->base, notify_on_oom_recheck, c);
	if (c->oom_recheck != NULL)
		evtimer_add(c->oom_recheck, &tv);
}

static void
notify_on_oom_recheck(evutil_socket_t fd, short what, void *arg)
{
	struct notify_ct *c = arg;
	struct notify_counts now = c->counts;
	enum notify_kind k = NOTIFY_OOM_KILL;

	if (notify_ct_read_counts(c, "memory.oom_control", &now) < 0)
		return;
	if (notify_counts_moved(&c->counts, &now, &k, 1) == 1) {
		c->counts = now;
		notify_call(c->n, c->key, &k, 1, units_mono_ms());
	} else if (++c->oom_rechecks < NOTIFY_OOM_RECHECKS)
		notify_oom_recheck_arm(c);
}

/* v1 memory.oom_control fired: NOTIFY_OOM, and NOTIFY_OOM_KILL once the
 * counter moved: now, or at a re-read 10, 30, 70 or 150 ms later (the
 * kernel notifies before it picks and kills a victim, and may not kill at
 * all: oom_kill_disable, or a task that exits by itself). */
static size_t
notify_v1_oom(struct notify_ct *c, enum notify_kind *kinds)
{
	struct notify_counts now = c->counts;
	size_t nk = 0;

	kinds[nk++] = NOTIFY_OOM;
	if (notify_ct_read_counts(c, "memory.oom_control", &now) >= 0 &&
	    notify_counts_moved(&c->counts, &now, &kinds[nk], 1) == 1) {
		c->counts = now;
		nk++;
		return nk;
	}
	c->oom_rechecks = 0;
	notify_oom_recheck_arm(c);
	return nk;
}

/* What the inotify events of one read say, then the callbacks. */
static void
notify_inotify_read(struct notify *n, int64_t now)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len;

	len = read(n->inotify.fd, buf, sizeof buf);
	if (len <= 0)
		return;
	for (char *p = buf; p < buf + len; ) {
		const struct inotify_event *ie = (const struct inotify_event *)p;
		struct notify_wd *w;
		struct notify_ct *c;
		struct notify_counts cnt;
		enum notify_kind kinds[5];
		size_t nk;

		p += sizeof *ie + ie->len;
		if (ie->mask & IN_Q_OVERFLOW) {
			n->overflows++;
			/* Events were lost: every watched container is read
			 * again. Its callbacks may free containers, so the
			 * moves are collected first. */
			size_t cap = 0, m = 0;
			struct { uint64_t key; enum notify_kind k; } *mv = NULL;

			for (c = n->cts; c != NULL; c = c->next) {
				cnt = c->counts;
				if (c->wd[0] >= 0)
					notify_ct_read_counts(c, "memory.events", &cnt);
				if (c->wd[1] >= 0)
					notify_ct_read_counts(c, "cgroup.events", &cnt);
				nk = notify_counts_moved(&c->counts, &cnt, kinds, 5);
				c->counts = cnt;
				for (size_t i = 0; i < nk; i++) {
					if (m == cap) {
						cap = cap ? 2 * cap : 16;
						mv = xreallocarray(mv, cap, sizeof *mv);
					}
					mv[m].key = c->key;
					mv[m++].k = kinds[i];
				}
			}
			for (size_t i = 0; i < m; i++)
				n->fn(n->arg, mv[i].key, mv[i].k, now);
			free(mv);
			continue;
		}
		if ((w = *notify_wd_find(n, ie->wd)) == NULL)
			continue;       /* a watch removed meanwhile */
		c = w->ct;
		if (ie->mask & IN_IGNORED) {
			/* The kernel dropped the watch: the file is gone, and
			 * with both gone, the cgroup most likely too. */
			c->wd[w->file] = -1;
			notify_wd_forget(n, ie->wd, 0);
			if (c->wd[0] < 0 && c->wd[1] < 0 && !notify_ct_alive(c))
				notify_ct_gone(c);
			continue;
		}
		cnt = c->counts;
		if (notify_ct_read_counts(c, w->file == 0 ? "memory.events" : "cgroup.events",
		    &cnt) < 0)
			continue;       /* gone, or caught half-written */
		nk = notify_counts_moved(&c->counts, &cnt, kinds, 5);
		c->counts = cnt;
		notify_call(n, c->key, kinds, nk, now);
	}
}

static void
notify_dispatch(struct notify *n, struct notify_src *s, uint32_t revents, int64_t now)
{
	struct notify_ct *c = s->ct;
	enum notify_kind kinds[2];
	uint64_t cnt;
	size_t nk = 0;

	switch (s->what) {
	case SRC_INOTIFY:
		notify_inotify_read(n, now);
		return;
	case SRC_LEVEL:
	case SRC_OOM:
		/* Resets the eventfd's counter; EAGAIN when already read. */
		if (read(s->fd, &cnt, sizeof cnt) < 0 && errno != EAGAIN)
			return;
		if (!notify_ct_alive(c)) {
			notify_ct_gone(c);
			return;
		}
		if (s->what == SRC_LEVEL)
			kinds[nk++] = NOTIFY_MEM_LEVEL;
		else
			nk = notify_v1_oom(c, kinds);
		break;
	case SRC_PSI:
		if (revents & (EPOLLERR | EPOLLHUP) || !notify_ct_alive(c)) {
			/* A removed cgroup's pressure file polls EPOLLERR. */
			notify_ct_gone(c);
			return;
		}
		if (s->skip) {
			s->skip = 0;
			return;
		}
		kinds[nk++] = NOTIFY_PSI_CPU + s->idx;
		break;
	}
	notify_call(n, c->key, kinds, nk, now);
}

static void
notify_on_epoll(evutil_socket_t fd, short what, void *arg)
{
	struct notify *n = arg;
	int64_t now = units_mono_ms();

	/* One event per epoll_wait: a callback may free a container, whose
	 * descriptors then leave the epoll before the next call, so no
	 * stale pointer is ever returned. The outer event is level-triggered:
	 * what is left after a batch comes back at the next loop iteration. */
	for (int i = 0; i < NOTIFY_BATCH; i++) {
		struct epoll_event ev;

		if (epoll_wait(n->epfd, &ev, 1, 0) != 1)
			break;
		notify_dispatch(n, ev.data.ptr, ev.events, now);
	}
}

/* ---- the notify ----------------------------------------------------------------- */

int
notify_new(struct event_base *base, const struct cgfs *fs, notify_fn fn, void *arg,
    struct notify **ret)
{
	struct notify *n = xcalloc(1, sizeof *n);

	n->base = base;
	n->fs = fs;
	n->fn = fn;
	n->arg = arg;
	notify_src_init(&n->inotify, NULL, SRC_INOTIFY, 0);
	n->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (n->epfd < 0) {
		int r = -errno;

		free(n);
		return r;
	}
	n->nfds = 1;
	n->ev = event_new(base, n->epfd, EV_READ | EV_PERSIST, notify_on_epoll, n);
	if (n->ev == NULL || event_add(n->ev, NULL) < 0) {
		if (n->ev != NULL)
			event_free(n->ev);
		close(n->epfd);
		free(n);
		return -ENOMEM;
	}
	*ret = n;
	return 0;
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	while (n->cts != NULL)
		notify_ct_free(n->cts);
	for (int b = 0; b < NOTIFY_WD_BUCKETS; b++)
		while (n->wd[b] != NULL)
			notify_wd_forget(n, n->wd[b]->wd, 0);
	notify_src_close(n, &n->inotify);
	event_free(n->ev);
	close(n->epfd);
	free(n);
}

size_t
notify_fds(const struct notify *n)
{
	return n->nfds;
}

struct notify_ct *
notify_ct_new(struct notify *n, uint64_t key, const char *cgroup_path)
{
	struct notify_ct *c = xcalloc(1, sizeof *c);

	c->n = n;
	c->key = key;
	c->path = xstrdup(cgroup_path);
	c->dirfd = -1;
	c->wd[0] = c->wd[1] = -1;
	for (int i = 0; i < NOTIFY_MAX_LEVELS; i++)
		notify_src_init(&c->level[i], c, SRC_LEVEL, i);
	notify_src_init(&c->oom, c, SRC_OOM, 0);
	for (int i = 0; i < 3; i++)
		notify_src_init(&c->psi[i], c, SRC_PSI, i);
	notify_counts_init(&c->counts);
	c->next = n->cts;
	if (n->cts != NULL)
		n->cts->prev = c;
	n->cts = c;
	return c;
}

void
notify_ct_free(struct notify_ct *c)
{
	if (c == NULL)
		return;
	notify_ct_close(c);
	if (c->oom_recheck != NULL)
		event_free(c->oom_recheck);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		c->n->cts = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	free(c->path);
	free(c);
}

/* ---- v1: cgroup.event_control -------------------------------------------------------- */

/* Registers a new eventfd for `file` of c (with a level, or 0 for
 * memory.oom_control) and adds it to the epoll as s. */
static int
notify_v1_register(struct notify_ct *c, struct notify_src *s, const char *file, uint64_t level)
{
	char line[64];
	int dir, efd, cfd = -1, ecfd = -1, r, len;

	if ((dir = notify_ct_dir(c)) < 0)
		return dir;
	if ((efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		return -errno;
	/* The kernel keeps what it needs of cfd: both files close below. */
	if ((cfd = openat(dir, file, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (ecfd = openat(dir, "cgroup.event_control", O_WRONLY | O_CLOEXEC)) < 0) {
		r = -errno;
		goto fail;
	}
	len = notify_event_control_line(line, sizeof line, efd, cfd, level);
	if (len < 0) {
		r = len;
		goto fail;
	}
	errno = 0;
	if (write(ecfd, line, (size_t)len) != len) {
		r = errno != 0 ? -errno : -EIO;
		goto fail;
	}
	close(cfd);
	close(ecfd);
	s->fd = efd;
	return notify_src_add(c->n, s, EPOLLIN);
fail:
	if (cfd >= 0)
		close(cfd);
	if (ecfd >= 0)
		close(ecfd);
	close(efd);
	/* The cgroup is there but not the file: a kernel without v1
	 * memory events (CONFIG_MEMCG_V1 off), not a vanished cgroup. */
	if (r == -ENOENT && notify_ct_alive(c))
		r = -EOPNOTSUPP;
	return r;
}

static int
notify_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
notify_ct_mem_levels(struct notify_ct *c, const uint64_t *bytes, size_t n)
{
	uint64_t want[NOTIFY_MAX_LEVELS];
	size_t nwant = 0, i, j;
	int r = 0;

	if (c->n->fs->ctrl[CG_MEMORY].version != 1)
		return -EOPNOTSUPP;
	if (c->gone)
		return -ENOENT;
	for (i = 0; i < n; i++) {
		if (bytes[i] == 0)
			continue;
		for (j = 0; j < nwant && want[j] != bytes[i]; j++)
			;
		if (j < nwant)
			continue;
		if (nwant == NOTIFY_MAX_LEVELS)
			return -E2BIG;
		want[nwant++] = bytes[i];
	}
	qsort(want, nwant, sizeof want[0], notify_u64_cmp);
	if (c->want_asked && nwant == c->nwant && memcmp(want, c->want, nwant * sizeof want[0]) == 0)
		return c->want_err;
	c->want_asked = 1;
	memcpy(c->want, want, nwant * sizeof want[0]);
	c->nwant = nwant;

	/* Levels no longer wanted go, the others stay armed as they are. */
	for (i = 0; i < c->nlevels; ) {
		if (bsearch(&c->level_bytes[i], want, nwant, sizeof want[0], notify_u64_cmp) != NULL) {
			i++;
			continue;
		}
		notify_src_close(c->n, &c->level[i]);
		c->nlevels--;
		if (i < c->nlevels) {
			/* The last armed one moves into the hole: its epoll entry
			 * points at the slot, so re-register it there. */
			struct notify_src *last = &c->level[c->nlevels];
			struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &c->level[i] };

			c->level[i].fd = last->fd;
			c->level_bytes[i] = c->level_bytes[c->nlevels];
			last->fd = -1;
			epoll_ctl(c->n->epfd, EPOLL_CTL_MOD, c->level[i].fd, &ev);
		}
	}
	for (j = 0; j < nwant; j++) {
		for (i = 0; i < c->nlevels && c->level_bytes[i] != want[j]; i++)
			;
		if (i < c->nlevels)
			continue;
		r = notify_v1_register(c, &c->level[c->nlevels], "memory.usage_in_bytes", want[j]);
		if (r < 0)
			break;
		c->level_bytes[c->nlevels++] = want[j];
	}
	if (r < 0 && cgfs_gone(r))
		notify_ct_gone(c);
	c->want_err = r;
	return r;
}

/* ---- oom ------------------------------------------------------------------------------- */

static int
notify_v2_watch(struct notify_ct *c, int file)
{
	struct notify *n = c->n;
	const char *name = file == 0 ? "memory.events" : "cgroup.events";
	char path[64];
	int dir, wd;

	if ((dir = notify_ct_dir(c)) < 0)
		return dir;
	if (n->inotify.fd < 0) {
		n->inotify.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (n->inotify.fd < 0)
			return -errno;
		if ((wd = notify_src_add(n, &n->inotify, EPOLLIN)) < 0)
			return wd;
	}
	/* Through the directory already open: the tenant's path is not
	 * walked again, so a rename or a re-creation cannot redirect it. */
	snprintf(path, sizeof path, "/proc/self/fd/%d/%s", dir, name);
	wd = inotify_add_watch(n->inotify.fd, path, IN_MODIFY);
	if (wd < 0)
		return -errno;
	notify_wd_add(n, wd, file, c);
	c->wd[file] = wd;
	/* The baseline the first event is compared with. */
	notify_ct_read_counts(c, name, &c->counts);
	return 0;
}

int
notify_ct_oom(struct notify_ct *c)
{
	int v = c->n->fs->ctrl[CG_MEMORY].version, r;

	if (c->gone)
		return -ENOENT;
	if (c->oom_state != 0)
		return c->oom_state > 0 ? 0 : c->oom_state;
	if (v == 1) {
		r = notify_v1_register(c, &c->oom, "memory.oom_control", 0);
		if (r == 0)
			notify_ct_read_counts(c, "memory.oom_control", &c->counts);
	} else if (v == 2) {
		r = notify_v2_watch(c, 1);
		if (r == 0) {
			r = notify_v2_watch(c, 0);
			/* No memory.events: the controller is not enabled for
			 * this cgroup; populated alone is still worth it. */
			if (r == -ENOENT && notify_ct_alive(c))
				r = 0;
		}
	} else
		r = -EOPNOTSUPP;
	if (r < 0 && cgfs_gone(r))
		notify_ct_gone(c);
	c->oom_state = r == 0 ? 1 : r;
	return r;
}

/* ---- v2: PSI triggers ---------------------------------------------------------------- */

int
notify_ct_psi(struct notify_ct *c, enum notify_kind kind, uint64_t stall_us, uint64_t window_us)
{
	static const char *const files[3] = { "cpu.pressure", "memory.pressure", "io.pressure" };
	static const enum cg_ctrl ctrls[3] = { CG_CPU, CG_MEMORY, CG_IO };
	struct notify *n = c->n;
	struct notify_src *s;
	char trig[64];
	int i, dir, fd, len, r;

	if (kind < NOTIFY_PSI_CPU || kind > NOTIFY_PSI_IO)
		return -EINVAL;
	i = kind - NOTIFY_PSI_CPU;
	s = &c->psi[i];
	if (n->fs->ctrl[ctrls[i]].version != 2)
		return -EOPNOTSUPP;
	if (c->gone)
		return -ENOENT;
	if (stall_us == c->psi_stall[i] && window_us == c->psi_window[i] &&
	    (s->fd >= 0 || c->psi_err[i] < 0 || stall_us == 0))
		return c->psi_err[i];
	/* A trigger is bound to its open file and cannot be changed: a new
	 * request replaces the file. */
	notify_src_close(n, s);
	c->psi_stall[i] = stall_us;
	c->psi_window[i] = window_us;
	c->psi_err[i] = 0;
	if (stall_us == 0)
		return 0;
	if (n->npsi >= NOTIFY_MAX_PSI)
		return c->psi_err[i] = -ENOSPC;
	if ((len = notify_psi_trigger(trig, sizeof trig, stall_us, window_us, 1,
	    &c->psi_eff_stall[i], &c->psi_eff_window[i])) < 0)
		return c->psi_err[i] = len;
	if ((dir = cgfs_open_dir(n->fs, ctrls[i], c->path)) < 0) {
		r = dir;
		goto out;
	}
	fd = openat(dir, files[i], O_RDWR | O_NONBLOCK | O_CLOEXEC);
	r = fd < 0 ? -errno : 0;
	close(dir);
	if (r == -ENOENT) {
		r = -EOPNOTSUPP;        /* the cgroup is there, PSI is not */
		goto out;
	}
	if (r < 0)
		goto out;
	/* The NUL goes too: /proc/pressure files cut the last byte. */
	if (write(fd, trig, (size_t)len + 1) < 0) {
		r = -errno;
		/* Without CAP_SYS_RESOURCE the kernel wants a window that
		 * is a multiple of 2s. */
		if (r == -EINVAL && (len = notify_psi_trigger(trig, sizeof trig, stall_us,
		    window_us, 0, &c->psi_eff_stall[i], &c->psi_eff_window[i])) > 0 &&
		    write(fd, trig, (size_t)len + 1) >= 0)
			r = 0;
	}
	if (r < 0) {
		close(fd);
		goto out;
	}
	s->fd = fd;
	s->skip = 1;
	/* Edge-triggered EPOLLIN: see notify.h. EPOLL_CTL_ADD polls the file
	 * once, which reports it readable: that first report is skipped. */
	if ((r = notify_src_add(n, s, EPOLLIN | EPOLLET)) == 0)
		n->npsi++;
out:
	if (r < 0 && cgfs_gone(r))
		notify_ct_gone(c);
	c->psi_err[i] = r;
	return r;
}

int
notify_ct_psi_armed(const struct notify_ct *c, enum notify_kind kind, uint64_t *ret_stall_us,
    uint64_t *ret_window_us)
{
	int i = kind - NOTIFY_PSI_CPU;

	if (kind < NOTIFY_PSI_CPU || kind > NOTIFY_PSI_IO || c->psi[i].fd < 0)
		return 0;
	*ret_stall_us = c->psi_eff_stall[i];
	*ret_window_us = c->psi_eff_window[i];
	return 1;
}

uint64_t
notify_overflows(const struct notify *n)
{
	return n->overflows;
}

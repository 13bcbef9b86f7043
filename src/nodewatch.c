/* nodewatch.c: /proc/pressure/X polled every 100 ms (nodewatch.h). */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgparse.h"
#include "log.h"
#include "nodewatch.h"
#include "units.h"
#include "xmalloc.h"

struct nodewatch_src {
	int fd;                         /* -1: not watched */
	double thr;                     /* percent; NAN: not watched */
	struct nodewatch_ring ring;
	int failed;                     /* said once: the file is not to be had */
};

struct nodewatch {
	struct event *ev;
	const struct cgfs *fs;
	nodewatch_fn fn;
	void *arg;
	int running;
	struct nodewatch_src src[NODEWATCH__MAX];
};

static const char *const nodewatch_names[NODEWATCH__MAX] = { "cpu", "memory", "io" };

const char *
nodewatch_res_name(enum nodewatch_res res)
{
	return (unsigned)res < NODEWATCH__MAX ? nodewatch_names[res] : "?";
}

/* --- the ring ------------------------------------------------------------ */

void
nodewatch_ring_reset(struct nodewatch_ring *r)
{
	memset(r, 0, sizeof *r);
}

/* The i-th newest reading's slot (0: the newest); i < r->n. */
static unsigned
nodewatch_ring_at(const struct nodewatch_ring *r, unsigned i)
{
	return (r->head + NODEWATCH_RING - 1 - i) % NODEWATCH_RING;
}

void
nodewatch_ring_push(struct nodewatch_ring *r, int64_t t_ms, uint64_t total_us)
{
	if (r->n > 0) {
		unsigned last = nodewatch_ring_at(r, 0);

		/* A share across a counter that went back would be negative
		 * or huge, one across a clock that stood still infinite. */
		if (total_us < r->us[last] || t_ms <= r->t_ms[last])
			nodewatch_ring_reset(r);
	}
	r->t_ms[r->head] = t_ms;
	r->us[r->head] = total_us;
	r->head = (r->head + 1) % NODEWATCH_RING;
	if (r->n < NODEWATCH_RING)
		r->n++;
}

double
nodewatch_ring_share(const struct nodewatch_ring *r)
{
	unsigned newest, oldest;
	int64_t span;
	double pct;

	if (r->n < 2)
		return NAN;
	newest = oldest = nodewatch_ring_at(r, 0);
	/* The oldest reading still inside the window; a timer a little late
	 * must not push the reading of 500 ms ago out of it. */
	for (unsigned i = 1; i < r->n; i++) {
		unsigned k = nodewatch_ring_at(r, i);

		if (r->t_ms[newest] - r->t_ms[k] > NODEWATCH_WINDOW_MS + NODEWATCH_PERIOD_MS / 2)
			break;
		oldest = k;
	}
	span = r->t_ms[newest] - r->t_ms[oldest];
	if (span < NODEWATCH_MIN_SPAN_MS)
		return NAN;
	pct = (double)(r->us[newest] - r->us[oldest]) / ((double)span * 1000.0) * 100.0;
	/* Per-CPU stalls are aggregated by the kernel into "some": it can
	 * read a little over the wall time between two reads. */
	return pct > 100.0 ? 100.0 : pct;
}

int
nodewatch_onset(double tick_pct, double thr, double pct)
{
	if (isnan(tick_pct) || isnan(thr))
		return 1;
	return tick_pct <= thr || pct >= tick_pct + NODEWATCH_RISE;
}

/* --- the poller -------------------------------------------------------- */

/* Reads src's counter. Returns 0, or -errno (-EINVAL: no "some" total). */
static int
nodewatch_read(struct nodewatch_src *s, uint64_t *ret)
{
	char buf[256];
	struct cg_psi p;
	ssize_t n;

	if ((n = cgfs_pread(s->fd, buf, sizeof buf)) < 0)
		return (int)n;
	if (cgparse_psi(buf, &p) < 0 || p.some.total_us == CG_UNKNOWN)
		return -EINVAL;
	*ret = p.some.total_us;
	return 0;
}

static void
nodewatch_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct nodewatch *w = arg;

	(void)fd;
	(void)what;
	for (int i = 0; i < NODEWATCH__MAX; i++) {
		struct nodewatch_src *s = &w->src[i];
		int64_t now;
		uint64_t us;
		double pct;
		int r;

		if (s->fd < 0)
			continue;
		if ((r = nodewatch_read(s, &us)) < 0) {
			log_debug("node pressure: /proc/pressure/%s: %s", nodewatch_names[i],
			    strerror(-r));
			continue;
		}
		now = units_mono_ms();
		nodewatch_ring_push(&s->ring, now, us);
		pct = nodewatch_ring_share(&s->ring);
		/* The callback may reload nothing: w stays valid. */
		if (!isnan(pct) && pct > s->thr)
			w->fn(w->arg, (enum nodewatch_res)i, pct, now);
	}
}

int
nodewatch_new(struct event_base *base, const struct cgfs *fs, nodewatch_fn fn, void *arg,
    struct nodewatch **ret)
{
	struct nodewatch *w = xcalloc(1, sizeof *w);

	w->fs = fs;
	w->fn = fn;
	w->arg = arg;
	for (int i = 0; i < NODEWATCH__MAX; i++) {
		w->src[i].fd = -1;
		w->src[i].thr = NAN;
	}
	if ((w->ev = event_new(base, -1, EV_PERSIST, nodewatch_on_timer, w)) == NULL) {
		free(w);
		return -ENOMEM;
	}
	*ret = w;
	return 0;
}

static void
nodewatch_close(struct nodewatch_src *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->thr = NAN;
	nodewatch_ring_reset(&s->ring);
}

void
nodewatch_free(struct nodewatch *w)
{
	if (w == NULL)
		return;
	event_free(w->ev);
	for (int i = 0; i < NODEWATCH__MAX; i++)
		nodewatch_close(&w->src[i]);
	free(w);
}

/* Opens resource i's file and takes a first reading. */
static int
nodewatch_open(struct nodewatch *w, int i)
{
	struct nodewatch_src *s = &w->src[i];
	char name[32];
	uint64_t us = 0;
	int r;

	snprintf(name, sizeof name, "pressure/%s", nodewatch_names[i]);
	if ((s->fd = cgfs_open_proc(w->fs, name)) < 0) {
		r = s->fd;
		s->fd = -1;
		return r;
	}
	if ((r = nodewatch_read(s, &us)) < 0) {
		close(s->fd);
		s->fd = -1;
		return r;
	}
	nodewatch_ring_reset(&s->ring);
	nodewatch_ring_push(&s->ring, units_mono_ms(), us);
	return 0;
}

int
nodewatch_set(struct nodewatch *w, const double thr[NODEWATCH__MAX])
{
	int watched = 0, r;

	for (int i = 0; i < NODEWATCH__MAX; i++) {
		struct nodewatch_src *s = &w->src[i];

		if (isnan(thr[i])) {
			nodewatch_close(s);
			continue;
		}
		if (s->fd < 0 && (r = nodewatch_open(w, i)) < 0) {
			if (!s->failed)
				log_info("node pressure: /proc/pressure/%s cannot be read (%s): "
				    "rules on node.pressure.%s are decided at the tick only",
				    nodewatch_names[i], strerror(-r), nodewatch_names[i]);
			s->failed = 1;
			s->thr = NAN;
			continue;
		}
		s->thr = thr[i];
		watched++;
	}
	if (watched > 0 && !w->running) {
		struct timeval tv = { 0, NODEWATCH_PERIOD_MS * 1000 };

		evtimer_add(w->ev, &tv);
		w->running = 1;
	} else if (watched == 0 && w->running) {
		evtimer_del(w->ev);
		w->running = 0;
	}
	return watched;
}

/* window.c: a comparison's figures over a sliding window, in slots. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "window.h"

#define WIN_NEVER INT64_MIN
#define WIN_NPOS (WIN_SLOTS + 1)

void
win_init(struct win *w, uint64_t len_ms)
{
	memset(w, 0, sizeof *w);
	if (len_ms == 0)
		len_ms = 1;
	if (len_ms > POL_MAX_WINDOW_MS)
		len_ms = POL_MAX_WINDOW_MS;
	w->len_ms = (int64_t)len_ms;
	w->slot_ms = w->len_ms / WIN_SLOTS > 0 ? w->len_ms / WIN_SLOTS : 1;
	w->first_ms = w->last_ms = WIN_NEVER;
	for (size_t i = 0; i < WIN_NPOS; i++)
		w->slot[i].idx = -1;
}

/* The slot of time t, emptied when it last held an older one. Times
 * before the epoch (tests) are folded in with the same arithmetic. */
static struct win_slot *
win_slot_at(struct win *w, int64_t t)
{
	int64_t idx = t >= 0 ? t / w->slot_ms : 0;
	struct win_slot *s = &w->slot[(size_t)(idx % WIN_NPOS)];

	if (s->idx != idx) {
		s->idx = idx;
		s->known_ms = s->sum = 0;
	}
	return s;
}

void
win_push(struct win *w, int64_t now_ms, double v)
{
	struct win_slot *s;
	double dt;

	if (w->first_ms == WIN_NEVER) {
		w->first_ms = w->last_ms = now_ms;
		(void)win_slot_at(w, now_ms);
		return;
	}
	if (now_ms <= w->last_ms)
		return;
	dt = (double)(now_ms - w->last_ms);
	if (dt > (double)w->len_ms)
		dt = (double)w->len_ms;
	w->last_ms = now_ms;
	s = win_slot_at(w, now_ms);
	if (isnan(v))
		return;
	s->known_ms += dt;
	s->sum += v * dt;
}

double
win_mean(const struct win *w, int64_t now_ms)
{
	int64_t cur, lo;
	double known = 0, sum = 0;

	if (w->first_ms == WIN_NEVER || now_ms - w->first_ms < w->len_ms)
		return NAN;
	cur = now_ms >= 0 ? now_ms / w->slot_ms : 0;
	lo = cur - WIN_SLOTS;           /* slots after lo, up to cur */
	for (size_t i = 0; i < WIN_NPOS; i++) {
		const struct win_slot *s = &w->slot[i];

		if (s->idx > lo && s->idx <= cur) {
			known += s->known_ms;
			sum += s->sum;
		}
	}
	if (known <= 0 || known * 2 < (double)w->len_ms)
		return NAN;
	return sum / known;
}

size_t
win_cond_leaves(const struct pol_cond *c, const struct pol_cond **v, size_t n)
{
	size_t k;

	if (c == NULL)
		return 0;
	if (c->kind != PC_CMP) {
		k = win_cond_leaves(c->a, v, n);
		return k + win_cond_leaves(c->b, v != NULL ? v + k : NULL, n > k ? n - k : 0);
	}
	if (c->win == PW_NONE)
		return 0;
	if (v != NULL && n > 0)
		v[0] = c;
	return 1;
}

size_t
win_cond_count(const struct pol_cond *c)
{
	return win_cond_leaves(c, NULL, 0);
}

/* window.h: a comparison's figures over a sliding window (cgov.policy(5),
 * "WINDOWS"; doc/protection-design.md section 3).
 *
 * `avg(io.write) over 60s > 40M/s` compares the window's time-weighted
 * mean; `io.write > 40M/s during 50% of 60s` the share of the window's time
 * in which the comparison held (pushed as 1 or 0: its mean is that share).
 * Each push carries the span since the previous push: a figure the daemon
 * computed over its tick, so an extra evaluation between ticks (a kernel
 * notification) weighs only the milliseconds it covers.
 *
 * Memory is bounded whatever the tick rate: the window is WIN_SLOTS slots
 * of len/WIN_SLOTS each (1 s for a minute, 10 s for the 10-minute maximum),
 * and pushes within one slot are summed into it. The window therefore
 * slides by whole slots: its edge is exact to 1/WIN_SLOTS of its length.
 *
 * A window says nothing (NAN) until it has been observed for its full
 * length since its first push, so a fresh cgovd does not judge on half a
 * window; nor while less than half of it had known figures. Pure: no I/O,
 * no clock, no allocation.
 */
#ifndef CGOV_WINDOW_H
#define CGOV_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define WIN_SLOTS 60

struct win_slot {
	int64_t idx;                     /* now / slot_ms of the pushes in it; -1 empty */
	double known_ms;                 /* time covered by known figures */
	double sum;                      /* figure x ms, over known_ms */
};

struct win {
	int64_t len_ms, slot_ms;
	int64_t first_ms;                /* the first push; INT64_MIN: none yet */
	int64_t last_ms;                 /* the last push */
	struct win_slot slot[WIN_SLOTS + 1];  /* the current one and WIN_SLOTS before */
};

/* Empties w for a window of len_ms (1 .. POL_MAX_WINDOW_MS). */
void win_init(struct win *w, uint64_t len_ms);

/* Adds figure v (NAN: unknown) for the span from the previous push to
 * now_ms (a span longer than the window counts as the window). The first
 * push only starts the window; a push at or before the previous one is
 * ignored. */
void win_push(struct win *w, int64_t now_ms, double v);

/* The time-weighted mean of the known figures in the window ending at
 * now_ms; NAN until the window was observed for its full length, or when
 * known figures cover less than half of it. */
double win_mean(const struct win *w, int64_t now_ms);

/* Counts the comparisons of condition c (NULL: 0) that are over a window. */
size_t win_cond_count(const struct pol_cond *c);

/* Stores in v (room for n) the comparisons of c over a window, in the
 * order a left-to-right walk meets them; returns how many were stored. */
size_t win_cond_leaves(const struct pol_cond *c, const struct pol_cond **v, size_t n);

#endif

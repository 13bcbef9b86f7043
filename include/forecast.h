/* forecast.h: when does a trend reach a level: a weighted least-squares
 * line through (time, value) points, and where it crosses.
 *
 * The report uses it for "when does the node run out of memory" (the
 * node's available memory, one point per history record: the record's
 * mean, weighted by the time it covers, placed at the middle of its span)
 * and "when does a container reach its memory limit" (its mean memory
 * against the limit). Pure functions: no I/O, no clock.
 *
 * The fit is accumulated point by point (West's weighted incremental
 * update of means and co-moments), so a caller keeps one small struct per
 * series instead of the points, and a series of values around 10^10 bytes
 * with small noise loses no precision to the cancellation of a textbook
 * sum-of-squares formula.
 */
#ifndef CGOV_FORECAST_H
#define CGOV_FORECAST_H

#include <stddef.h>
#include <stdint.h>

/* Fewer points than this give no fit (FC_TOO_FEW): two points always make
 * a perfect line, which says nothing about a trend. */
#define FORECAST_MIN_POINTS 3
/* The square of the t statistic a slope needs to count as a trend
 * (forecast_reach): |t| >= 2. */
#define FORECAST_MIN_T2 4.0

struct forecast_acc {
	size_t n;                /* points added with weight > 0 */
	int64_t t0_ms;           /* time origin: the first point's */
	double sw;               /* sum of weights */
	double mt, mv;           /* weighted means: t in ms since t0, value */
	double ctt, cvv, ctv;    /* weighted co-moments about the means */
};

void forecast_init(struct forecast_acc *a);
/* Adds the point (t_ms, v) with weight w. Points with a non-finite value
 * or a weight <= 0 (or not finite) are ignored. Any order. */
void forecast_add(struct forecast_acc *a, int64_t t_ms, double v, double w);

/* The fitted line v(t) = v0 + slope * (t - t0_ms). */
struct forecast {
	size_t n;                /* points used */
	int64_t t0_ms;
	double v0;               /* fitted value at t0_ms */
	double slope;            /* value per ms */
	double slope_per_day;    /* value per day (slope * 86400000) */
	double r2;               /* coefficient of determination, 0..1; NAN when
	                            undefined (all values equal: then 1 is no
	                            more true than 0) */
	int ok;                  /* 1 when fitted (n >= FORECAST_MIN_POINTS and
	                            the points span more than one instant) */
};

/* Fits the line; ret->ok says whether there was enough to fit (the other
 * fields are then NAN, n and t0_ms still set). */
void forecast_fit(const struct forecast_acc *a, struct forecast *ret);

/* The fitted value at t_ms (NAN when !f->ok). */
double forecast_at(const struct forecast *f, int64_t t_ms);

enum forecast_verdict {
	FC_TOO_FEW,     /* no fit */
	FC_NO_TREND,    /* the line does not move towards the level (flat, or
	                   moving away from it), or its slope is lost in the
	                   noise (|t| < 2, t^2 = R^2 (n - 2) / (1 - R^2)): "not
	                   at the current trend" */
	FC_REACHED,     /* the fitted line is already at or past the level at
	                   from_ms: *ret_ms = from_ms */
	FC_REACHES,     /* reaches it at *ret_ms, within the horizon */
	FC_BEYOND,      /* would reach it, but after from_ms + horizon_ms: a
	                   date that far out is noise, not a forecast */
	FC_TOO_SHORT,   /* never from forecast_reach: the caller's rule on
	                   how much of its window the points cover said no
	                   (report.h, REPORT_TREND_*) */
};
/* "at or past" and "towards" depend on `falling`: with falling = 1 the
 * question is when the line drops to `level` (available memory reaching
 * 0), with falling = 0 when it rises to it (usage reaching a limit).
 * *ret_ms (optional) gets the crossing time for FC_REACHED/FC_REACHES and
 * INT64_MIN otherwise. horizon_ms 0: no horizon. */
enum forecast_verdict forecast_reach(const struct forecast *f, double level, int falling,
    int64_t from_ms, int64_t horizon_ms, int64_t *ret_ms);
/* "too-few", "no-trend", "reached", "reaches", "beyond", "too-short":
 * stable (JSON). */
const char *forecast_verdict_name(enum forecast_verdict v);

#endif

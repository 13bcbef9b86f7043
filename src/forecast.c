/* forecast.c: weighted least-squares trend lines and where they cross a
 * level (forecast.h). */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "forecast.h"

#define FORECAST_DAY_MS 86400000.0

void
forecast_init(struct forecast_acc *a)
{
	a->n = 0;
	a->t0_ms = 0;
	a->sw = a->mt = a->mv = 0;
	a->ctt = a->cvv = a->ctv = 0;
}

/*
 * West (1979): the weighted means and co-moments updated one point at a
 * time. Times are taken relative to the first point so that a double
 * holds them exactly (ms since the epoch squared would not fit the
 * mantissa), and the co-moments are sums of products of deviations, never
 * differences of huge sums: flat memory at 8 GiB with a few KiB of noise
 * keeps its noise.
 */
void
forecast_add(struct forecast_acc *a, int64_t t_ms, double v, double w)
{
	double t, sw, dt, dv;

	if (!isfinite(v) || !isfinite(w) || !(w > 0))
		return;
	if (a->n == 0)
		a->t0_ms = t_ms;
	t = (double)(t_ms - a->t0_ms);
	sw = a->sw + w;
	dt = t - a->mt;
	dv = v - a->mv;
	a->mt += dt * w / sw;
	a->mv += dv * w / sw;
	a->ctt += w * dt * (t - a->mt);
	a->cvv += w * dv * (v - a->mv);
	a->ctv += w * dt * (v - a->mv);
	a->sw = sw;
	a->n++;
}

void
forecast_fit(const struct forecast_acc *a, struct forecast *ret)
{
	double r2;

	ret->n = a->n;
	ret->t0_ms = a->t0_ms;
	ret->v0 = ret->slope = ret->slope_per_day = ret->r2 = NAN;
	ret->ok = 0;
	/* ctt > 0: the points are not all at one instant (a vertical line
	 * has no slope). */
	if (a->n < FORECAST_MIN_POINTS || !(a->ctt > 0))
		return;
	ret->slope = a->ctv / a->ctt;
	ret->v0 = a->mv - ret->slope * a->mt;
	ret->slope_per_day = ret->slope * FORECAST_DAY_MS;
	if (a->cvv > 0) {
		r2 = a->ctv * a->ctv / (a->ctt * a->cvv);
		ret->r2 = r2 < 0 ? 0 : r2 > 1 ? 1 : r2;
	}
	ret->ok = 1;
}

double
forecast_at(const struct forecast *f, int64_t t_ms)
{
	if (!f->ok)
		return NAN;
	return f->v0 + f->slope * (double)(t_ms - f->t0_ms);
}

enum forecast_verdict
forecast_reach(const struct forecast *f, double level, int falling, int64_t from_ms,
    int64_t horizon_ms, int64_t *ret_ms)
{
	double at, dt;

	if (ret_ms)
		*ret_ms = INT64_MIN;
	if (!f->ok || !isfinite(level))
		return FC_TOO_FEW;
	at = forecast_at(f, from_ms);
	if (falling ? at <= level : at >= level) {
		if (ret_ms)
			*ret_ms = from_ms;
		return FC_REACHED;
	}
	if (falling ? !(f->slope < 0) : !(f->slope > 0))
		return FC_NO_TREND;
	/* A slope the noise explains as well is no trend: ten seconds of a
	 * node's jittery available memory fit a line that "runs out" in
	 * hours. The t statistic of the slope, t^2 = R^2 (n - 2) / (1 - R^2),
	 * must reach 2 (about 95% for many points). Points of a history are
	 * not independent, so this only weeds out the hopeless fits. */
	if (isfinite(f->r2) && f->r2 < 1 && f->n > 2 &&
	    f->r2 * (double)(f->n - 2) < FORECAST_MIN_T2 * (1 - f->r2))
		return FC_NO_TREND;
	dt = (level - at) / f->slope;      /* > 0: the signs agree */
	/* A slope of a few bytes a day puts the crossing millennia away: past
	 * the horizon (or past what an int64 of ms holds) it is no date. */
	if ((horizon_ms > 0 && dt > (double)horizon_ms) ||
	    dt >= (double)(INT64_MAX / 4) - fabs((double)from_ms))
		return FC_BEYOND;
	if (ret_ms)
		*ret_ms = from_ms + (int64_t)ceil(dt);
	return FC_REACHES;
}

const char *
forecast_verdict_name(enum forecast_verdict v)
{
	switch (v) {
	case FC_TOO_FEW:
		return "too-few";
	case FC_NO_TREND:
		return "no-trend";
	case FC_REACHED:
		return "reached";
	case FC_REACHES:
		return "reaches";
	case FC_BEYOND:
		return "beyond";
	case FC_TOO_SHORT:
		return "too-short";
	}
	return "?";
}

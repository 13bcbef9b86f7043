/* contention.c: fair shares and others' pressure, over one tick. */
#include "config.h"

#include <math.h>

#include "contention.h"

#define CONTENTION_DEFAULT_WEIGHT 1024

static const enum pol_metric contention_pressure[3] = {
	PM_PRESSURE_CPU, PM_PRESSURE_MEMORY, PM_PRESSURE_IO,
};

void
contention_reset(struct contention *c)
{
	c->wsum = 0;
	for (int k = 0; k < 3; k++) {
		c->top[k].v[0] = c->top[k].v[1] = NAN;
		c->top[k].key = 0;
	}
}

int
contention_wants_cpu(const struct gov_metrics *m)
{
	return m->v[PM_CPU] > CONTENTION_WANTS_CPU || m->v[PM_PRESSURE_CPU] > 0;
}

static double
contention_weight(double w)
{
	return w > 0 ? w : CONTENTION_DEFAULT_WEIGHT;
}

void
contention_add(struct contention *c, uint64_t key, const struct gov_metrics *m, double weight,
    unsigned held)
{
	if (contention_wants_cpu(m))
		c->wsum += contention_weight(weight);
	for (int k = 0; k < 3; k++) {
		double v = m->v[contention_pressure[k]];

		/* The HELD bits are in the order of contention_pressure. */
		if (isnan(v) || (held & (1u << k)))
			continue;
		if (isnan(c->top[k].v[0]) || v > c->top[k].v[0]) {
			c->top[k].v[1] = c->top[k].v[0];
			c->top[k].v[0] = v;
			c->top[k].key = key;
		} else if (isnan(c->top[k].v[1]) || v > c->top[k].v[1]) {
			c->top[k].v[1] = v;
		}
	}
}

void
contention_fill(const struct contention *c, uint64_t key, double weight, int counted,
    double ncpu, struct gov_metrics *m)
{
	double w = contention_weight(weight), sum = c->wsum;

	m->ncpu = ncpu > 0 ? ncpu : NAN;
	/* One that is not in the sum is counted as if it joined: its share is
	 * what it would get (nobody's when nobody wants CPU, itself included). */
	if (!counted)
		sum = sum > 0 || contention_wants_cpu(m) ? sum + w : 0;
	m->share = sum > 0 && ncpu > 0 ? ncpu * w / sum : NAN;
	for (int k = 0; k < 3; k++)
		m->v[PM_OTHERS_PRESSURE_CPU + k] = c->top[k].key == key && !isnan(c->top[k].v[0]) ?
		    c->top[k].v[1] : c->top[k].v[0];
}

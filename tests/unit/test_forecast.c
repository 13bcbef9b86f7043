/* test_forecast.c: the trend fit and its crossings on synthetic series:
 * flat, falling linearly, rising, noisy falling, noise alone, too few
 * points, weights, precision at byte scale. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "forecast.h"

#define GiB (1024.0 * 1024 * 1024)
#define MiB (1024.0 * 1024)
#define HOUR_MS INT64_C(3600000)
#define DAY_MS (24 * HOUR_MS)
#define T0 INT64_C(1767225600000)       /* 2026-01-01T00:00:00Z */

/* A small deterministic PRNG (splitmix64): noise that is the same on
 * every host. Returns a value in [-1, 1). */
static double
noise(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / (double)(1ULL << 52) - 1.0;
}

static void
fit_line(struct forecast *f, int npts, int64_t step_ms, double v0, double per_day)
{
	struct forecast_acc a;
	int i;

	forecast_init(&a);
	for (i = 0; i < npts; i++)
		forecast_add(&a, T0 + i * step_ms, v0 + per_day * (double)(i * step_ms) / DAY_MS, 1);
	forecast_fit(&a, f);
}

static void
test_flat(void **state)
{
	struct forecast f;
	int64_t when = 0;

	(void)state;
	fit_line(&f, 72, HOUR_MS, 8 * GiB, 0);
	assert_true(f.ok);
	assert_int_equal(f.n, 72);
	assert_true(f.slope == 0);
	assert_true(fabs(forecast_at(&f, T0 + 30 * DAY_MS) - 8 * GiB) < 1);
	/* all values equal: no variance to explain */
	assert_true(isnan(f.r2));
	assert_int_equal(forecast_reach(&f, 0, 1, T0 + 3 * DAY_MS, 0, &when), FC_NO_TREND);
	assert_true(when == INT64_MIN);
	assert_int_equal(forecast_reach(&f, 16 * GiB, 0, T0 + 3 * DAY_MS, 0, &when),
	    FC_NO_TREND);
	/* a level the flat line is already at or past */
	assert_int_equal(forecast_reach(&f, 8 * GiB, 1, T0 + 3 * DAY_MS, 0, &when), FC_REACHED);
	assert_true(when == T0 + 3 * DAY_MS);
}

static void
test_falling(void **state)
{
	struct forecast f;
	int64_t when = 0, end = T0 + 71 * HOUR_MS;

	(void)state;
	/* 10 GiB available, losing 1 GiB a day: empty at day 10 */
	fit_line(&f, 72, HOUR_MS, 10 * GiB, -1 * GiB);
	assert_true(f.ok);
	assert_true(fabs(f.slope_per_day + GiB) < 1e-6 * GiB);
	assert_true(fabs(f.r2 - 1) < 1e-9);
	assert_true(fabs(f.v0 - 10 * GiB) < 1);
	assert_int_equal(forecast_reach(&f, 0, 1, end, 365 * DAY_MS, &when), FC_REACHES);
	assert_true(llabs(when - (T0 + 10 * DAY_MS)) <= 1000);
	/* the same line, a horizon shorter than the 7 days left */
	assert_int_equal(forecast_reach(&f, 0, 1, end, 5 * DAY_MS, &when), FC_BEYOND);
	assert_true(when == INT64_MIN);
	/* rising to a level: not with a falling line */
	assert_int_equal(forecast_reach(&f, 20 * GiB, 0, end, 0, NULL), FC_NO_TREND);
	/* long past the crossing: reached, at from_ms */
	assert_int_equal(forecast_reach(&f, 0, 1, T0 + 11 * DAY_MS, 0, &when), FC_REACHED);
	assert_true(when == T0 + 11 * DAY_MS);
}

static void
test_rising(void **state)
{
	struct forecast f;
	int64_t when = 0, end = T0 + 23 * HOUR_MS;

	(void)state;
	/* a container at 1 GiB growing 512 MiB a day towards a 4 GiB limit:
	 * the limit at day 6 */
	fit_line(&f, 24 * 6, 10 * 60000, 1 * GiB, 512 * MiB);
	assert_true(f.ok);
	assert_true(f.slope > 0);
	assert_true(fabs(f.slope_per_day - 512 * MiB) < 1e-6 * MiB);
	assert_int_equal(forecast_reach(&f, 4 * GiB, 0, end, 0, &when), FC_REACHES);
	assert_true(llabs(when - (T0 + 6 * DAY_MS)) <= 1000);
	/* and never runs out of anything going down */
	assert_int_equal(forecast_reach(&f, 0, 1, end, 0, &when), FC_NO_TREND);
	assert_true(when == INT64_MIN);
}

static void
test_noisy_falling(void **state)
{
	struct forecast_acc a;
	struct forecast f;
	uint64_t seed = 42;
	int64_t when = 0, t, end = 0;
	int i;

	(void)state;
	/* 12 GiB falling 256 MiB an hour for 24 hours, +-300 MiB of noise:
	 * empty at hour 48 */
	forecast_init(&a);
	for (i = 0; i < 24 * 60; i++) {
		t = T0 + i * 60000;
		end = t;
		forecast_add(&a, t, 12 * GiB - 256 * MiB * (double)(t - T0) / HOUR_MS +
		    300 * MiB * noise(&seed), 60000);
	}
	forecast_fit(&a, &f);
	assert_true(f.ok);
	assert_int_equal(f.n, 24 * 60);
	assert_true(fabs(f.slope_per_day - (-24 * 256 * MiB)) < 0.02 * 24 * 256 * MiB);
	/* the noise is a real part of the variance: a good fit, not a perfect one */
	assert_true(f.r2 > 0.9);
	assert_true(f.r2 < 0.999);
	assert_int_equal(forecast_reach(&f, 0, 1, end, 365 * DAY_MS, &when), FC_REACHES);
	assert_true(llabs(when - (T0 + 48 * HOUR_MS)) < HOUR_MS);
}

static void
test_noise_is_no_trend(void **state)
{
	struct forecast_acc a;
	struct forecast f;
	uint64_t seed = 3;
	int64_t when = 0;
	int i;

	(void)state;
	/* 13 ticks of +-64 MiB of jitter around 20 GiB with a 1 MiB-a-tick
	 * drift in it: the line falls 173 GiB a day on paper and reaches zero
	 * within hours, but the jitter explains the points as well (R^2
	 * 0.003): no date */
	forecast_init(&a);
	for (i = 0; i < 13; i++)
		forecast_add(&a, T0 + i * 500, 20 * GiB + (i % 2 ? -64 : 64) * MiB -
		    (double)i * MiB, 500);
	forecast_fit(&a, &f);
	assert_true(f.ok);
	assert_true(f.slope < 0);
	assert_true(f.r2 < 0.01);
	assert_int_equal(forecast_reach(&f, 0, 1, T0 + 6000, 0, &when), FC_NO_TREND);
	assert_true(when == INT64_MIN);

	/* the same noise on a fall that stands out of it: a date */
	seed = 3;
	forecast_init(&a);
	for (i = 0; i < 13; i++)
		forecast_add(&a, T0 + i * 500, 20 * GiB + 64 * MiB * noise(&seed) -
		    (double)i * 128 * MiB, 500);
	forecast_fit(&a, &f);
	assert_true(f.ok);
	assert_true(f.r2 > 0.9);
	assert_int_equal(forecast_reach(&f, 0, 1, T0 + 6000, 0, &when), FC_REACHES);
	assert_true(when > T0 + 6000);
}

static void
test_too_few(void **state)
{
	struct forecast_acc a;
	struct forecast f;
	int64_t when = 0;
	int i;

	(void)state;
	forecast_init(&a);
	forecast_fit(&a, &f);
	assert_false(f.ok);
	assert_int_equal(f.n, 0);
	assert_true(isnan(f.slope));
	assert_true(isnan(forecast_at(&f, T0)));
	assert_int_equal(forecast_reach(&f, 0, 1, T0, 0, &when), FC_TOO_FEW);
	assert_true(when == INT64_MIN);

	/* two points make a line but not a trend */
	forecast_add(&a, T0, 10 * GiB, 1);
	forecast_add(&a, T0 + HOUR_MS, 9 * GiB, 1);
	forecast_fit(&a, &f);
	assert_false(f.ok);
	assert_int_equal(f.n, 2);
	/* a third makes one */
	forecast_add(&a, T0 + 2 * HOUR_MS, 8 * GiB, 1);
	forecast_fit(&a, &f);
	assert_true(f.ok);

	/* many points at one instant: no slope */
	forecast_init(&a);
	for (i = 0; i < 10; i++)
		forecast_add(&a, T0, i * GiB, 1);
	forecast_fit(&a, &f);
	assert_false(f.ok);
	assert_int_equal(forecast_reach(&f, 0, 1, T0, 0, NULL), FC_TOO_FEW);
}

static void
test_ignored_and_weights(void **state)
{
	struct forecast_acc a, b;
	struct forecast fa, fb;

	(void)state;
	/* unknown values and empty weights count for nothing */
	forecast_init(&a);
	forecast_add(&a, T0, NAN, 1);
	forecast_add(&a, T0, INFINITY, 1);
	forecast_add(&a, T0, 5 * GiB, 0);
	forecast_add(&a, T0, 5 * GiB, -3);
	forecast_add(&a, T0, 5 * GiB, NAN);
	assert_int_equal(a.n, 0);

	/* a point of weight 2 is the same point twice; order does not matter */
	forecast_add(&a, T0 + 3 * HOUR_MS, 7 * GiB, 2);
	forecast_add(&a, T0, 10 * GiB, 1);
	forecast_add(&a, T0 + HOUR_MS, 9.5 * GiB, 1);
	forecast_add(&a, T0 + 2 * HOUR_MS, 8 * GiB, 1);
	forecast_init(&b);
	forecast_add(&b, T0, 10 * GiB, 1);
	forecast_add(&b, T0 + HOUR_MS, 9.5 * GiB, 1);
	forecast_add(&b, T0 + 2 * HOUR_MS, 8 * GiB, 1);
	forecast_add(&b, T0 + 3 * HOUR_MS, 7 * GiB, 1);
	forecast_add(&b, T0 + 3 * HOUR_MS, 7 * GiB, 1);
	forecast_fit(&a, &fa);
	forecast_fit(&b, &fb);
	assert_true(fa.ok && fb.ok);
	assert_true(fabs(fa.slope - fb.slope) < 1e-9 * fabs(fb.slope));
	assert_true(fabs(forecast_at(&fa, T0 + DAY_MS) - forecast_at(&fb, T0 + DAY_MS)) < 16);
	assert_true(fabs(fa.r2 - fb.r2) < 1e-9);
	/* heavier recent points pull the line: not the unweighted fit */
	assert_true(fa.slope < 0);
}

static void
test_precision(void **state)
{
	struct forecast_acc a;
	struct forecast f;
	uint64_t seed = 7;
	int i;

	(void)state;
	/* 8 GiB, growing 1 MiB a day, +-4 KiB of noise, a month of minutes
	 * at epoch-scale times: the textbook sums would drown the slope */
	forecast_init(&a);
	for (i = 0; i < 30 * 24 * 60; i++)
		forecast_add(&a, T0 + i * INT64_C(60000),
		    8 * GiB + MiB * (double)i / (24 * 60) + 4096 * noise(&seed), 1);
	forecast_fit(&a, &f);
	assert_true(f.ok);
	assert_true(fabs(f.slope_per_day - MiB) < 0.01 * MiB);
	assert_true(f.r2 > 0.99);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(forecast_verdict_name(FC_TOO_FEW), "too-few");
	assert_string_equal(forecast_verdict_name(FC_NO_TREND), "no-trend");
	assert_string_equal(forecast_verdict_name(FC_REACHED), "reached");
	assert_string_equal(forecast_verdict_name(FC_REACHES), "reaches");
	assert_string_equal(forecast_verdict_name(FC_BEYOND), "beyond");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat),
		cmocka_unit_test(test_falling),
		cmocka_unit_test(test_rising),
		cmocka_unit_test(test_noisy_falling),
		cmocka_unit_test(test_noise_is_no_trend),
		cmocka_unit_test(test_too_few),
		cmocka_unit_test(test_ignored_and_weights),
		cmocka_unit_test(test_precision),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

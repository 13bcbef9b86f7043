/* test_sparkline.c: scaling, gaps, flat series and resampling of the
 * sparkline `cgov history` draws on a terminal. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "sparkline.h"

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])

/* The eight levels, lowest first. */
#define L1 "\xe2\x96\x81"
#define L2 "\xe2\x96\x82"
#define L3 "\xe2\x96\x83"
#define L4 "\xe2\x96\x84"
#define L5 "\xe2\x96\x85"
#define L6 "\xe2\x96\x86"
#define L7 "\xe2\x96\x87"
#define L8 "\xe2\x96\x88"

static void
check(const double *v, size_t n, size_t width, int utf8, const char *want, size_t want_cols)
{
	struct buf b;
	size_t cols;

	buf_init(&b);
	cols = sparkline_render(v, n, width, utf8, &b);
	if (cols != want_cols || strcmp(b.data, want) != 0)
		fail_msg("n %zu width %zu utf8 %d: got \"%s\" (%zu columns), want \"%s\" (%zu)",
		    n, width, utf8, b.data, cols, want, want_cols);
	assert_int_equal(b.len, strlen(b.data));
	buf_free(&b);
}

/* 0..7 maps onto the eight levels in order, in both alphabets, and the
 * scale is the series' own: an offset and a factor change nothing. */
static void
test_scaling(void **state)
{
	double v[8], w[8];

	(void)state;
	for (size_t i = 0; i < NITEMS(v); i++) {
		v[i] = (double)i;
		w[i] = 1e9 + 3e6 * (double)i;
	}
	check(v, 8, 80, 1, L1 L2 L3 L4 L5 L6 L7 L8, 8);
	check(w, 8, 80, 1, L1 L2 L3 L4 L5 L6 L7 L8, 8);
	check(v, 8, 80, 0, "_.:-=+*#", 8);
	/* Descending, and negative values (0 is 3.5 levels up: rounds to 4). */
	double d[] = { 5, 0, -5 };
	check(d, 3, 80, 1, L8 L5 L1, 3);
	/* Nearest level: 0.49 of the range is level 3 (3.43), 0.5 is 4 (3.5). */
	double h[] = { 0, 0.49, 0.5, 1 };
	check(h, 4, 80, 1, L1 L4 L5 L8, 4);
	/* One huge value squashes the rest to the bottom, without overflow. */
	double big[] = { 1, 2, 1e300 };
	check(big, 3, 80, 0, "__#", 3);
}

/* NAN and infinities are gaps (a space) and take no part in the scale. */
static void
test_gaps(void **state)
{
	double v[] = { NAN, 10, NAN, 20, INFINITY, -INFINITY, 30, NAN };
	double all[] = { NAN, NAN, NAN };
	double lo, hi;

	(void)state;
	check(v, NITEMS(v), 80, 1, " " L1 " " L5 "  " L8 " ", NITEMS(v));
	check(v, NITEMS(v), 80, 0, " _ =  # ", NITEMS(v));
	check(all, 3, 80, 1, "   ", 3);
	assert_int_equal(sparkline_range(all, 3, &lo, &hi), -1);
	assert_true(isnan(lo) && isnan(hi));
	assert_int_equal(sparkline_range(v, NITEMS(v), &lo, &hi), 0);
	assert_true(lo == 10 && hi == 30);
}

/* A flat series is drawn at the middle, not at the bottom; with gaps too. */
static void
test_flat(void **state)
{
	double v[] = { 7, 7, 7, 7 };
	double g[] = { 0, NAN, 0 };
	double one[] = { 42 };

	(void)state;
	check(v, 4, 80, 1, L4 L4 L4 L4, 4);
	check(v, 4, 80, 0, "----", 4);
	check(g, 3, 80, 1, L4 " " L4, 3);
	check(one, 1, 80, 1, L4, 1);
}

/* More points than columns: each column shows the largest value it
 * covers, so a one-point spike survives any width; a column is a gap only
 * when all its points are. */
static void
test_resample(void **state)
{
	double v[1000];
	struct buf b;

	(void)state;
	for (size_t i = 0; i < NITEMS(v); i++)
		v[i] = 1;
	v[0] = 0;                 /* the floor, so the spike is at the top */
	v[637] = 100;             /* one spike */
	for (size_t w = 2; w <= 120; w++) {
		size_t cols, at = 0, nfull = 0;
		const char *p;

		buf_init(&b);
		cols = sparkline_render(v, NITEMS(v), w, 1, &b);
		assert_int_equal(cols, w);
		/* w characters of 3 bytes; the full block once, in the column
		 * covering index 637. */
		assert_int_equal(b.len, 3 * w);
		for (p = b.data; (p = strstr(p, L8)) != NULL; p += 3)
			at = (size_t)(p - b.data) / 3, nfull++;
		assert_int_equal(nfull, 1);
		assert_true(at * NITEMS(v) / w <= 637 && 637 < (at + 1) * NITEMS(v) / w);
		buf_free(&b);
	}
	/* 6 points on 3 columns: pairs, max of each, gaps only where both are. */
	double p[] = { 0, 2, NAN, NAN, NAN, 8 };
	check(p, 6, 3, 1, L3 " " L8, 3);
	check(p, 6, 3, 0, ": #", 3);
	/* 5 points on 2 columns: [0, 2) and [2, 5). */
	double q[] = { 9, 0, 0, 0, 1 };
	check(q, 5, 2, 1, L8 L2, 2);
	/* Exactly as many points as columns: no merging. */
	check(q, 5, 5, 1, L8 L1 L1 L1 L2, 5);
}

/* Width 1 is the maximum of the series; n 0 or width 0 write nothing. */
static void
test_edges(void **state)
{
	double v[] = { 3, 9, 1 };
	double g[] = { NAN, NAN };
	struct buf b;

	(void)state;
	check(v, 3, 1, 1, L8, 1);
	check(v, 3, 1, 0, "#", 1);
	check(g, 2, 1, 1, " ", 1);
	check(NULL, 0, 80, 1, "", 0);
	check(v, 3, 0, 1, "", 0);
	/* It appends: what the buffer held stays. */
	buf_init(&b);
	buf_puts(&b, "x=");
	assert_int_equal(sparkline_render(v, 3, 80, 0, &b), 3);
	assert_string_equal(b.data, "x=:#_");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scaling),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_flat),
		cmocka_unit_test(test_resample),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* sparkline.c: a series drawn as one line of eighth blocks. */
#include "config.h"

#include <math.h>

#include "sparkline.h"

/* U+2581 LOWER ONE EIGHTH BLOCK .. U+2588 FULL BLOCK, 3 bytes each. */
static const char *const spark_utf8[8] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};
/* The lowest level is '_', not ' ': a space is a gap, and the minimum of
 * a series must not read as "no data". */
static const char spark_ascii[8] = { '_', '.', ':', '-', '=', '+', '*', '#' };

#define SPARK_FLAT 3

int
sparkline_range(const double *v, size_t n, double *ret_min, double *ret_max)
{
	double lo = NAN, hi = NAN;

	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		if (isnan(lo) || v[i] < lo)
			lo = v[i];
		if (isnan(hi) || v[i] > hi)
			hi = v[i];
	}
	*ret_min = lo;
	*ret_max = hi;
	return isnan(lo) ? -1 : 0;
}

/* The level 0..7 of x in [lo, hi]. Rounded to nearest, so a value only
 * reaches the top (or the bottom) when it is within half a level of it. */
static int
spark_level(double x, double lo, double hi)
{
	double f;
	int l;

	if (!(hi > lo))
		return SPARK_FLAT;
	f = (x - lo) / (hi - lo);
	l = (int)lround(f * 7.0);
	return l < 0 ? 0 : l > 7 ? 7 : l;
}

size_t
sparkline_render(const double *v, size_t n, size_t width, int utf8, struct buf *out)
{
	double lo, hi;
	size_t cols;

	if (n == 0 || width == 0)
		return 0;
	sparkline_range(v, n, &lo, &hi);
	cols = n < width ? n : width;
	for (size_t c = 0; c < cols; c++) {
		/* Column c covers [c * n / cols, (c + 1) * n / cols): every value
		 * lands in exactly one column, and each column gets at least one
		 * (n >= cols). The products fit: n is a count of points in memory. */
		size_t a = c * n / cols, b = (c + 1) * n / cols;
		double x = NAN;
		int l;

		for (size_t i = a; i < b; i++)
			if (isfinite(v[i]) && (isnan(x) || v[i] > x))
				x = v[i];
		if (isnan(x)) {
			buf_putc(out, ' ');
			continue;
		}
		l = spark_level(x, lo, hi);
		if (utf8)
			buf_puts(out, spark_utf8[l]);
		else
			buf_putc(out, spark_ascii[l]);
	}
	return cols;
}

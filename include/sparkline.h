/* sparkline.h: a series as one line of block characters, for terminals.
 *
 * `cgov history` prints one above its table when standard output is a
 * terminal. Pure: no terminal, locale or clock is looked at here; the
 * caller decides the width and whether the terminal speaks UTF-8.
 */
#ifndef CGOV_SPARKLINE_H
#define CGOV_SPARKLINE_H

#include <stddef.h>

#include "buf.h"

/* Appends to out one character per column for the n values of v, oldest
 * first, and returns the number of columns written: min(n, width).
 *   - Each value is scaled between the smallest and the largest finite
 *     value of the whole series onto 8 levels: U+2581..U+2588 with utf8,
 *     else the ASCII ramp "_.:-=+*#" (lowest first).
 *   - A value that is not finite (NAN: no data) is a gap, a space.
 *   - A series whose finite values are all equal is drawn at the middle
 *     level (U+2584, ASCII '-'), not at the bottom: flat is not zero.
 *   - When n > width, the series is resampled: column i covers the values
 *     [i * n / width, (i + 1) * n / width) and shows their largest finite
 *     value (a gap only when all of them are), so a spike never vanishes.
 * n == 0 or width == 0 writes nothing and returns 0. v may be NULL when
 * n == 0. */
size_t sparkline_render(const double *v, size_t n, size_t width, int utf8,
    struct buf *out);

/* The smallest and largest finite values of v into *ret_min and *ret_max;
 * returns 0, or -1 (both NAN) when v holds no finite value. */
int sparkline_range(const double *v, size_t n, double *ret_min, double *ret_max);

#endif

/* units.h: the explicit units of cgov, parsed and printed in one place.
 *
 * Sizes: a number with an optional suffix K, M, G, T (powers of 1024; "KiB",
 * "KB" and "k" are accepted as the same), or "B"/no suffix for bytes.
 * Durations: a number followed by ms, s, m, h or d; a bare number is refused
 * because a silent default unit is how "--interval 5" turns into 5 ms.
 * Fractions are allowed ("1.5G", "0.5s") and rounded down to the unit.
 */
#ifndef CGOV_UNITS_H
#define CGOV_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Parses a size into bytes. Returns 0, -EINVAL for malformed text or an
 * unknown suffix, -ERANGE when the value does not fit in 63 bits. */
int units_parse_size(const char *s, uint64_t *ret_bytes);

/* Parses a duration into milliseconds. Returns 0, -EINVAL (malformed, bare
 * number, unknown unit), -ERANGE (overflow). */
int units_parse_duration(const char *s, uint64_t *ret_ms);

/* Formats bytes with the largest unit that keeps one decimal: "512M",
 * "1.5G", "900B". Writes at most len bytes, always NUL-terminated. */
void units_format_size(uint64_t bytes, char *buf, size_t len);

/* Formats milliseconds as "250ms", "10s", "5m", "2h30m", "3d". */
void units_format_duration(uint64_t ms, char *buf, size_t len);

/* Now, in ms: since the epoch (wall clock, what timestamps use) and on the
 * monotonic clock (what durations use: it never jumps). */
int64_t units_now_ms(void);
int64_t units_mono_ms(void);

/* Formats ms since the epoch as local "YYYY-MM-DD HH:MM:SS". Returns 0, or
 * -EINVAL (buf then holds "-") for a time that cannot be shown. */
int units_format_time(int64_t ms, char *buf, size_t len);
/* ms since the epoch as UTC through strftime(3)'s fmt (reports and
 * history, which must not depend on the reader's time zone). "-" and
 * -EINVAL when ms is INT64_MIN (unknown) or the text does not fit. */
int units_format_utc(int64_t ms, const char *fmt, char *buf, size_t len)
    __attribute__((format(strftime, 2, 0)));

/* cgroup v1 cpu.shares <-> v2 cpu.weight, the kernel's own equivalence
 * (it schedules weight w as w * 1024 / 100 shares): 1024 <-> 100, 2048 <->
 * 200, rounded to nearest so weight -> shares -> weight is exact. Results are
 * clamped to the target's range (weight 1..10000, shares 2..262144). */
uint64_t units_shares_to_weight(uint64_t shares);
uint64_t units_weight_to_shares(uint64_t weight);

#endif

/* units.c: sizes, durations and CPU weights, parsed and printed. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#include "units.h"

#define UNITS_MAX    ((uint64_t)INT64_MAX)  /* results fit in 63 bits */

#define UNITS_SHARES_MIN 2
#define UNITS_SHARES_DFL 1024
#define UNITS_SHARES_MAX 262144
#define UNITS_WEIGHT_MIN 1
#define UNITS_WEIGHT_DFL 100
#define UNITS_WEIGHT_MAX 10000

struct units_suffix {
	const char *name;
	uint64_t mult;
};

static const struct units_suffix units_sizes[] = {
	{ "", 1 }, { "b", 1 },
	{ "k", 1ULL << 10 }, { "kb", 1ULL << 10 }, { "kib", 1ULL << 10 },
	{ "m", 1ULL << 20 }, { "mb", 1ULL << 20 }, { "mib", 1ULL << 20 },
	{ "g", 1ULL << 30 }, { "gb", 1ULL << 30 }, { "gib", 1ULL << 30 },
	{ "t", 1ULL << 40 }, { "tb", 1ULL << 40 }, { "tib", 1ULL << 40 },
};

/* Case matters here: "m" is minutes, and "M" is refused rather than guessed. */
static const struct units_suffix units_durations[] = {
	{ "ms", 1 },
	{ "s", 1000 },
	{ "m", 60 * 1000 },
	{ "h", 60 * 60 * 1000 },
	{ "d", 24 * 60 * 60 * 1000 },
};
#define UNITS_NDURATIONS (sizeof units_durations / sizeof units_durations[0])

/*
 * Reads "DIGITS[.DIGITS]" at *sp: the integer part into *ret_int (-ERANGE
 * once it passes UNITS_MAX) and the fraction digits as a pointer and count,
 * left as text so they can be scaled exactly. Returns -EINVAL when there is
 * no digit, or a '.' has no digit after it. Leaves *sp after the number.
 */
static int
units_read_number(const char **sp, uint64_t *ret_int, const char **ret_frac,
    size_t *ret_nfrac)
{
	const char *s = *sp;
	uint64_t v = 0;
	int overflow = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UNITS_MAX - (uint64_t)(*s - '0')) / 10)
			overflow = 1;
		else
			v = v * 10 + (uint64_t)(*s - '0');
	}
	*ret_frac = s;
	*ret_nfrac = 0;
	if (*s == '.') {
		s++;
		*ret_frac = s;
		while (*s >= '0' && *s <= '9')
			s++;
		*ret_nfrac = (size_t)(s - *ret_frac);
		if (*ret_nfrac == 0)
			return -EINVAL;
	}
	*sp = s;
	*ret_int = v;
	return overflow ? -ERANGE : 0;
}

/*
 * floor(0.DIGITS * mult), exact for any number of digits: going from the last
 * digit to the first, r = floor((digit * mult + r) / 10) keeps the floor of
 * the true partial value, and r < mult keeps it from overflowing.
 */
static uint64_t
units_scale_fraction(const char *frac, size_t nfrac, uint64_t mult)
{
	uint64_t r = 0;

	while (nfrac-- > 0)
		r = ((uint64_t)(frac[nfrac] - '0') * mult + r) / 10;
	return r;
}

/* *acc += (int + 0.frac) * mult, or -ERANGE past UNITS_MAX. */
static int
units_accumulate(uint64_t *acc, uint64_t v, const char *frac, size_t nfrac,
    uint64_t mult)
{
	uint64_t part;

	if (v > UNITS_MAX / mult)
		return -ERANGE;
	part = v * mult + units_scale_fraction(frac, nfrac, mult);
	if (part > UNITS_MAX || *acc > UNITS_MAX - part)
		return -ERANGE;
	*acc += part;
	return 0;
}

int
units_parse_size(const char *s, uint64_t *ret_bytes)
{
	const char *frac;
	size_t nfrac, i;
	uint64_t v, total = 0;
	int error;

	error = units_read_number(&s, &v, &frac, &nfrac);
	if (error == -EINVAL)
		return error;
	/* Check the suffix before reporting overflow: "99999999999999999999X"
	 * is a typo first. */
	for (i = 0; i < sizeof units_sizes / sizeof units_sizes[0]; i++) {
		if (strcasecmp(s, units_sizes[i].name) == 0)
			break;
	}
	if (i == sizeof units_sizes / sizeof units_sizes[0])
		return -EINVAL;
	if (error != 0)
		return error;
	error = units_accumulate(&total, v, frac, nfrac, units_sizes[i].mult);
	if (error != 0)
		return error;
	*ret_bytes = total;
	return 0;
}

/*
 * A duration is one or more NUMBER UNIT parts ("90s", "2h30m", the form
 * units_format_duration prints), each with its unit: a bare number anywhere
 * is refused.
 */
int
units_parse_duration(const char *s, uint64_t *ret_ms)
{
	const char *frac, *unit;
	size_t nfrac, ulen, i;
	uint64_t v, total = 0;
	int error, overflow = 0;

	do {
		error = units_read_number(&s, &v, &frac, &nfrac);
		if (error == -EINVAL)
			return error;
		unit = s;
		while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
			s++;
		ulen = (size_t)(s - unit);
		for (i = 0; i < UNITS_NDURATIONS; i++) {
			if (strlen(units_durations[i].name) == ulen &&
			    strncmp(unit, units_durations[i].name, ulen) == 0)
				break;
		}
		if (i == UNITS_NDURATIONS)
			return -EINVAL;
		if (error != 0 || overflow)
			overflow = 1;
		else if (units_accumulate(&total, v, frac, nfrac,
		    units_durations[i].mult) != 0)
			overflow = 1;
	} while (*s != '\0');
	if (overflow)
		return -ERANGE;
	*ret_ms = total;
	return 0;
}

void
units_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	uint64_t mult = 1, whole, tenth;
	int u = -1;

	if (buf == NULL || len == 0)
		return;
	while (u < 3 && bytes >= (mult << 10)) {
		mult <<= 10;
		u++;
	}
	if (u < 0) {
		snprintf(buf, len, "%lluB", (unsigned long long)bytes);
		return;
	}
	/* Rounded down, like the parser: a usage never shows as more than it
	 * is, and 1023.99K stays "1023.9K" rather than becoming "1024K". */
	whole = bytes / mult;
	tenth = (bytes % mult) * 10 / mult;
	if (tenth == 0)
		snprintf(buf, len, "%llu%c", (unsigned long long)whole,
		    units[u]);
	else
		snprintf(buf, len, "%llu.%llu%c", (unsigned long long)whole,
		    (unsigned long long)tenth, units[u]);
}

void
units_format_duration(uint64_t ms, char *buf, size_t len)
{
	static const struct {
		uint64_t mult;
		const char *name;
	} parts[] = {
		{ 24 * 60 * 60 * 1000, "d" },
		{ 60 * 60 * 1000, "h" },
		{ 60 * 1000, "m" },
		{ 1000, "s" },
		{ 1, "ms" },
	};
	size_t i, off = 0;
	uint64_t n;
	int w;

	if (buf == NULL || len == 0)
		return;
	buf[0] = '\0';
	if (ms == 0) {
		snprintf(buf, len, "0s");
		return;
	}
	for (i = 0; i < sizeof parts / sizeof parts[0] && off < len; i++) {
		n = ms / parts[i].mult;
		ms %= parts[i].mult;
		if (n == 0)
			continue;
		w = snprintf(buf + off, len - off, "%llu%s",
		    (unsigned long long)n, parts[i].name);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

/*
 * systemd's conversion, the one the kernel uses between the two interfaces:
 * weight = shares * 100 / 1024, linear, clamped at both ends; so 2048 shares
 * is weight 200 and back. Rounded to nearest rather than truncated, so a
 * weight survives weight -> shares -> weight unchanged. The ranges are not
 * the same shape: weight 1 is 10 shares and weight 10000 is 102400, so
 * shares 2 and 262144 reach weight 1 and 10000 only through the clamp.
 */
uint64_t
units_shares_to_weight(uint64_t shares)
{
	uint64_t w;

	if (shares < UNITS_SHARES_MIN)
		shares = UNITS_SHARES_MIN;
	if (shares > UNITS_SHARES_MAX)
		shares = UNITS_SHARES_MAX;
	w = (shares * UNITS_WEIGHT_DFL + UNITS_SHARES_DFL / 2) /
	    UNITS_SHARES_DFL;
	if (w < UNITS_WEIGHT_MIN)
		w = UNITS_WEIGHT_MIN;
	if (w > UNITS_WEIGHT_MAX)
		w = UNITS_WEIGHT_MAX;
	return w;
}

uint64_t
units_weight_to_shares(uint64_t weight)
{
	uint64_t s;

	if (weight < UNITS_WEIGHT_MIN)
		weight = UNITS_WEIGHT_MIN;
	if (weight > UNITS_WEIGHT_MAX)
		weight = UNITS_WEIGHT_MAX;
	s = (weight * UNITS_SHARES_DFL + UNITS_WEIGHT_DFL / 2) /
	    UNITS_WEIGHT_DFL;
	if (s < UNITS_SHARES_MIN)
		s = UNITS_SHARES_MIN;
	if (s > UNITS_SHARES_MAX)
		s = UNITS_SHARES_MAX;
	return s;
}

int
units_format_time(int64_t ms, char *buf, size_t len)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || localtime_r(&secs, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0) {
		snprintf(buf, len, "-");
		return -EINVAL;
	}
	return 0;
}

int
units_format_utc(int64_t ms, const char *fmt, char *buf, size_t len)
{
	/* Floor, so that a time before the epoch keeps its second. */
	time_t	 secs = (time_t)(ms >= 0 ? ms / 1000 : -((-(ms + 1)) / 1000) - 1);
	struct tm tm;

	size_t	 n;

	if (len == 0)
		return -EINVAL;
	if (ms == INT64_MIN || gmtime_r(&secs, &tm) == NULL) {
		snprintf(buf, len, "-");
		return -EINVAL;
	}
	/* The callers' formats are literals, checked where they are passed
	 * (the prototype's format attribute). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = strftime(buf, len, fmt, &tm);
#pragma GCC diagnostic pop
	if (n == 0) {
		snprintf(buf, len, "-");
		return -EINVAL;
	}
	return 0;
}

static int64_t
units_clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
units_now_ms(void)
{
	return units_clock_ms(CLOCK_REALTIME);
}

int64_t
units_mono_ms(void)
{
	return units_clock_ms(CLOCK_MONOTONIC);
}

/* test_units.c: sizes, durations, their printed forms, shares <-> weight. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "units.h"

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])
#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define TiB (1024ULL * GiB)

struct parse_case {
	const char *s;
	int error;
	uint64_t want;
};

static void
test_size_parse(void **state)
{
	static const struct parse_case cases[] = {
		{ "0", 0, 0 },
		{ "900", 0, 900 },
		{ "900B", 0, 900 },
		{ "1K", 0, KiB },
		{ "1k", 0, KiB },
		{ "1KB", 0, KiB },
		{ "1KiB", 0, KiB },
		{ "512M", 0, 512 * MiB },
		{ "512MiB", 0, 512 * MiB },
		{ "576M", 0, 576 * MiB },
		{ "4G", 0, 4 * GiB },
		{ "2T", 0, 2 * TiB },
		{ "1.5G", 0, 3 * GiB / 2 },
		{ "0.5K", 0, 512 },
		{ "1.0009765625K", 0, 1025 },     /* exact fraction */
		{ "0.3K", 0, 307 },               /* 307.2, rounded down */
		{ "0.0001K", 0, 0 },
		{ "1.5", 0, 1 },
		{ "007M", 0, 7 * MiB },
		{ "8388607T", 0, 8388607 * TiB },
		{ "9223372036854775807", 0, 9223372036854775807ULL },
		/* 63 bits is the limit. */
		{ "8388608T", -ERANGE, 0 },
		{ "9223372036854775808", -ERANGE, 0 },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "99999999999999999999999G", -ERANGE, 0 },
		{ "8388607.9999999999999T", 0, 8388608 * TiB - 1 },
		/* Malformed or unknown suffix. */
		{ "", -EINVAL, 0 },
		{ "G", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "-1G", -EINVAL, 0 },
		{ "+1G", -EINVAL, 0 },
		{ " 1G", -EINVAL, 0 },
		{ "1G ", -EINVAL, 0 },
		{ "1 G", -EINVAL, 0 },
		{ "1X", -EINVAL, 0 },
		{ "1P", -EINVAL, 0 },
		{ "1Gb2", -EINVAL, 0 },
		{ "1GG", -EINVAL, 0 },
		{ ".5G", -EINVAL, 0 },
		{ "1.G", -EINVAL, 0 },
		{ "1..5G", -EINVAL, 0 },
		{ "1,5G", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 },
		{ "1e3", -EINVAL, 0 },
		{ "99999999999999999999X", -EINVAL, 0 },  /* suffix first */
	};
	uint64_t v;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < NITEMS(cases); i++) {
		v = 12345;
		r = units_parse_size(cases[i].s, &v);
		if (r != cases[i].error)
			fail_msg("\"%s\": returned %d, want %d", cases[i].s, r,
			    cases[i].error);
		if (r == 0 && v != cases[i].want)
			fail_msg("\"%s\": %llu, want %llu", cases[i].s,
			    (unsigned long long)v, (unsigned long long)cases[i].want);
		if (r != 0 && v != 12345)
			fail_msg("\"%s\": failed but wrote the result", cases[i].s);
	}
}

static void
test_duration_parse(void **state)
{
	static const struct parse_case cases[] = {
		{ "250ms", 0, 250 },
		{ "0ms", 0, 0 },
		{ "0s", 0, 0 },
		{ "10s", 0, 10000 },
		{ "5m", 0, 300000 },
		{ "2h", 0, 7200000 },
		{ "3d", 0, 259200000 },
		{ "0.5s", 0, 500 },
		{ "1.5h", 0, 5400000 },
		{ "0.0015s", 0, 1 },     /* 1.5 ms, rounded down */
		{ "0.9ms", 0, 0 },
		{ "2h30m", 0, 9000000 },
		{ "1d2h3m4s5ms", 0, 93784005 },
		{ "1m30s", 0, 90000 },
		{ "106751991167d", 0, 106751991167ULL * 86400000 },
		/* Bare numbers: "--interval 5" must not mean 5 ms. */
		{ "5", -EINVAL, 0 },
		{ "0", -EINVAL, 0 },
		{ "2h30", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "s", -EINVAL, 0 },
		{ "-5s", -EINVAL, 0 },
		{ "5 s", -EINVAL, 0 },
		{ "5s ", -EINVAL, 0 },
		{ "5S", -EINVAL, 0 },
		{ "5M", -EINVAL, 0 },
		{ "5us", -EINVAL, 0 },
		{ "5sec", -EINVAL, 0 },
		{ "5min", -EINVAL, 0 },
		{ "1.s", -EINVAL, 0 },
		{ "5s-1s", -EINVAL, 0 },
		{ "99999999999999999999999x", -EINVAL, 0 },
		/* Overflow, alone or summed. */
		{ "106751991168d", -ERANGE, 0 },
		{ "99999999999999999999999s", -ERANGE, 0 },
		{ "99999999999999999999ms", -ERANGE, 0 },
		{ "99999999999999999999ms1s", -ERANGE, 0 },
		{ "106751991167d1d", -ERANGE, 0 },
		{ "9223372036854775807ms1ms", -ERANGE, 0 },
	};
	uint64_t v;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < NITEMS(cases); i++) {
		v = 12345;
		r = units_parse_duration(cases[i].s, &v);
		if (r != cases[i].error)
			fail_msg("\"%s\": returned %d, want %d", cases[i].s, r,
			    cases[i].error);
		if (r == 0 && v != cases[i].want)
			fail_msg("\"%s\": %llu, want %llu", cases[i].s,
			    (unsigned long long)v, (unsigned long long)cases[i].want);
		if (r != 0 && v != 12345)
			fail_msg("\"%s\": failed but wrote the result", cases[i].s);
	}
}

static void
test_size_format(void **state)
{
	static const struct {
		uint64_t bytes;
		const char *want;
	} cases[] = {
		{ 0, "0B" },
		{ 900, "900B" },
		{ 1023, "1023B" },
		{ KiB, "1K" },
		{ 1536, "1.5K" },
		{ 1025, "1K" },
		{ 512 * MiB, "512M" },
		{ 576 * MiB, "576M" },
		{ 3 * GiB / 2, "1.5G" },
		{ MiB - 1, "1023.9K" },   /* rounded down, not up to 1024K */
		{ 220549120, "210.3M" },
		{ 5 * TiB, "5T" },
		{ 2048 * TiB, "2048T" },
		{ UINT64_MAX, "16777215.9T" },
	};
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < NITEMS(cases); i++) {
		units_format_size(cases[i].bytes, buf, sizeof buf);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("%llu: \"%s\", want \"%s\"",
			    (unsigned long long)cases[i].bytes, buf, cases[i].want);
	}
	/* Truncated, still terminated, and no write past len. */
	memset(buf, 'x', sizeof buf);
	units_format_size(3 * GiB / 2, buf, 3);
	assert_string_equal(buf, "1.");
	assert_int_equal(buf[3], 'x');
	units_format_size(512 * MiB, buf, 1);
	assert_string_equal(buf, "");
	units_format_size(512 * MiB, NULL, 0);
}

static void
test_duration_format(void **state)
{
	static const struct {
		uint64_t ms;
		const char *want;
	} cases[] = {
		{ 0, "0s" },
		{ 250, "250ms" },
		{ 1000, "1s" },
		{ 1500, "1s500ms" },
		{ 10000, "10s" },
		{ 300000, "5m" },
		{ 90000, "1m30s" },
		{ 9000000, "2h30m" },
		{ 259200000, "3d" },
		{ 86400001, "1d1ms" },
		{ 93784005, "1d2h3m4s5ms" },
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < NITEMS(cases); i++) {
		units_format_duration(cases[i].ms, buf, sizeof buf);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("%llu: \"%s\", want \"%s\"",
			    (unsigned long long)cases[i].ms, buf, cases[i].want);
	}
	memset(buf, 'x', sizeof buf);
	units_format_duration(9000000, buf, 3);
	assert_string_equal(buf, "2h");
	assert_int_equal(buf[3], 'x');
	units_format_duration(93784005, buf, 6);
	assert_string_equal(buf, "1d2h3");
	units_format_duration(UINT64_MAX, buf, sizeof buf);
	assert_true(strlen(buf) > 0 && strlen(buf) < sizeof buf);
}

static void
test_round_trips(void **state)
{
	static const char *const sizes[] = {
		"900B", "1K", "1.5K", "512M", "576M", "1.5G", "4G", "2.5T",
	};
	static const char *const durations[] = {
		"250ms", "1s", "10s", "5m", "2h30m", "3d", "1d2h3m4s5ms", "1m30s",
	};
	static const uint64_t ms[] = { 1, 999, 1001, 61001, 3599999, 86399999,
	    86400000ULL * 365 + 1 };
	char buf[64];
	uint64_t v, back;
	size_t i;

	(void)state;
	/* text -> value -> text */
	for (i = 0; i < NITEMS(sizes); i++) {
		assert_int_equal(units_parse_size(sizes[i], &v), 0);
		units_format_size(v, buf, sizeof buf);
		assert_string_equal(buf, sizes[i]);
	}
	for (i = 0; i < NITEMS(durations); i++) {
		assert_int_equal(units_parse_duration(durations[i], &v), 0);
		units_format_duration(v, buf, sizeof buf);
		assert_string_equal(buf, durations[i]);
	}
	/* value -> text -> value: durations print exactly. */
	for (i = 0; i < NITEMS(ms); i++) {
		units_format_duration(ms[i], buf, sizeof buf);
		assert_int_equal(units_parse_duration(buf, &back), 0);
		assert_int_equal(back, ms[i]);
	}
	/* Sizes keep one decimal: the printed value is never above the real one
	 * and within a tenth of the unit below it. */
	for (v = 1; v < 64 * GiB; v = v * 3 + 7) {
		units_format_size(v, buf, sizeof buf);
		assert_int_equal(units_parse_size(buf, &back), 0);
		assert_true(back <= v);
		assert_true(v - back <= v / 10 + 1);
	}
}

static void
test_shares_weight(void **state)
{
	uint64_t w;

	(void)state;
	/* The defaults and the snapshots' tenant: v1 2048 is v2 200. */
	assert_int_equal(units_shares_to_weight(1024), 100);
	assert_int_equal(units_weight_to_shares(100), 1024);
	assert_int_equal(units_shares_to_weight(2048), 200);
	assert_int_equal(units_weight_to_shares(200), 2048);
	assert_int_equal(units_shares_to_weight(512), 50);
	/* The ends of the v1 range reach the ends of the v2 range. */
	assert_int_equal(units_shares_to_weight(2), 1);
	assert_int_equal(units_shares_to_weight(262144), 10000);
	/* The other way the ranges are not the same shape: weight 1 is
	 * 10.24 shares, weight 10000 is 102400. */
	assert_int_equal(units_weight_to_shares(1), 10);
	assert_int_equal(units_weight_to_shares(10000), 102400);
	/* Rounded to nearest: 1000 * 100 / 1024 = 97.66. */
	assert_int_equal(units_shares_to_weight(1000), 98);
	assert_int_equal(units_weight_to_shares(3), 31);
	/* Clamped, without overflow. */
	assert_int_equal(units_shares_to_weight(0), 1);
	assert_int_equal(units_shares_to_weight(1), 1);
	assert_int_equal(units_shares_to_weight(1000000), 10000);
	assert_int_equal(units_shares_to_weight(UINT64_MAX), 10000);
	assert_int_equal(units_weight_to_shares(0), 10);
	assert_int_equal(units_weight_to_shares(20000), 102400);
	assert_int_equal(units_weight_to_shares(UINT64_MAX), 102400);
	/* Every weight survives weight -> shares -> weight. */
	for (w = 1; w <= 10000; w++) {
		if (units_shares_to_weight(units_weight_to_shares(w)) != w)
			fail_msg("weight %llu does not round-trip",
			    (unsigned long long)w);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_parse),
		cmocka_unit_test(test_duration_parse),
		cmocka_unit_test(test_size_format),
		cmocka_unit_test(test_duration_format),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_shares_weight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

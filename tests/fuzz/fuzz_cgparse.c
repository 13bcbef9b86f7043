/* fuzz_cgparse: every cgroupfs/proc parser and every escaper on one input.
 *
 * Built two ways:
 *   - with --enable-fuzzing (clang): a libFuzzer target, `make fuzz` runs
 *     it for FUZZ_SECONDS over a corpus seeded from tests/fixtures;
 *   - always, for `make check`: a replay driver whose main() feeds every
 *     file under $CGOV_FIXTURES, and every prefix of each (truncated files
 *     are what a cgroup vanishing mid-read looks like), through the same
 *     function, then the files of tests/fuzz/corpus/cgparse (regression
 *     inputs). Under --enable-asan/--enable-ubsan that is a sanitizer run.
 *
 * It covers every parser of cgparse.h (memory.stat and cpu.stat through
 * cgparse_keyed, io.stat, blkio, PSI, cpu.max and the v1 quota,
 * /proc/meminfo, /proc/stat, /proc/loadavg, /proc/PID/cgroup), the event
 * files of notify.h (memory.events, cgroup.events, memory.oom_control) and
 * units.h.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cgparse.h"
#include "escape.h"
#include "notify.h"
#include "units.h"
#ifdef FUZZ_REPLAY_MAIN
#include "replay.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "oom", "oom_kill", "usage_usec", "nr_periods",
		"anon", "file", "total_rss", "max" };
	char *s = malloc(size + 1), out[256];
	uint64_t u, v, vals[8];
	uint32_t a, b, c;
	struct cg_io io;
	struct cg_psi psi;
	struct cg_meminfo mi;
	struct cg_cpustat cs;
	struct notify_counts nc;
	struct buf bf;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';         /* the parsers take C strings, as read */
	cgparse_u64(s, &u);
	cgparse_quota_us(s, &u);
	cgparse_cpu_max(s, &u, &v);
	cgparse_keyed(s, keys, sizeof keys / sizeof keys[0], vals);
	cgparse_io_stat(s, &io);
	cgparse_blkio(s, &u, &v);
	cgparse_psi(s, &psi);
	cgparse_meminfo(s, &mi);
	cgparse_proc_stat(s, &cs);
	cgparse_loadavg(s, &a, &b, &c);
	cgparse_proc_cgroup(s, "memory", out, sizeof out);
	cgparse_proc_cgroup(s, NULL, out, sizeof out);
	cgparse_proc_cgroup(s, "cpu,cpuacct", out, 4);
	notify_counts_init(&nc);
	notify_parse_events(s, &nc);
	units_parse_size(s, &u);
	units_parse_duration(s, &u);
	/* One buffer, emptied between the escapers: it grows to the longest
	 * escaped form, not to the four of them end to end (each doubling is
	 * a reallocation ASan fills and quarantines). */
	buf_init(&bf);
	escape_term(&bf, s);
	buf_reset(&bf);
	escape_json(&bf, s);
	buf_reset(&bf);
	escape_csv(&bf, s);
	buf_reset(&bf);
	escape_html(&bf, s);
	buf_free(&bf);
	escape_log(0, s);
	free(s);
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
/* Every prefix of small files, a sample of prefixes of larger ones. */
static void
replay_snapshot(const uint8_t *data, size_t n)
{
	replay_prefixes(data, n, n > 2048 ? 512 : 0);
}

int
main(int argc, char **argv)
{
	static const char *const hostile[] = {
		"max\n", "max max\n", "-1\n", "18446744073709551616\n", "99999999999999999999999",
		"key\n", "key 1 2\n", " 1\n", "some avg10=\n", "some total=-1\n",
		"254:0 rbytes=\n", "254:0 Read\n", "Total\n", "cpu \n", "MemTotal: kB\n",
		"0::", "1:memory:", "\xff\xfe\x1b[31m", "1.5.5G", "9999999999999999999d",
	};
	const char *dir = argc > 1 ? argv[1] : getenv("CGOV_FIXTURES");
	size_t files;

	replay_strings(hostile, sizeof hostile / sizeof hostile[0]);
	if (dir == NULL) {
		fprintf(stderr, "fuzz_cgparse: give a corpus directory or set CGOV_FIXTURES\n");
		return 2;
	}
	files = replay_dir(dir, replay_snapshot);
	files += replay_corpus("cgparse", replay_snapshot);
	printf("fuzz_cgparse replay: %zu files, %zu inputs, no crash\n", files, replay_inputs());
	/* A corpus that yields nothing means the test tested nothing. */
	return files > 0 ? 0 : 1;
}
#endif

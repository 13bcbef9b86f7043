/* fuzz_policy: the policy parser, its checks and its formatters on one input.
 *
 * Built two ways:
 *   - with --enable-fuzzing (clang): a libFuzzer target, run over a corpus
 *     seeded from policies/ and tests/policies;
 *   - always, for `make check`: a replay driver whose main() feeds every
 *     file under $CGOV_SRCDIR/policies and $CGOV_SRCDIR/tests/policies, and
 *     every prefix of each (a file cut anywhere is the harshest input a
 *     policy author can type), through the same function. Under
 *     --enable-asan/--enable-ubsan that is a sanitizer run.
 */
#include "config.h"

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_format_rule(const struct pol_rule *r)
{
	char buf[512];

	if (r->when != NULL)
		pol_cond_format(r->when, buf, sizeof buf);
	if (r->until != NULL)
		pol_cond_format(r->until, buf, sizeof buf);
	for (size_t i = 0; i < r->nsteps; i++)
		pol_set_knob_format(&r->steps[i], buf, sizeof buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const procs[] = { "java", "bash" };
	struct policy_set *set = NULL;
	struct pol_diags d = { 0 };
	char buf[512];
	FILE *null = fopen("/dev/null", "w");

	/* The text is not NUL-terminated: the parser must keep to `size`. */
	policy_parse_buffer("fuzz.policy", (const char *)data, size, &set, &d);
	policy_check(set, 1, &d);
	policy_check(set, 2, &d);
	for (size_t i = 0; i < set->n; i++) {
		const struct policy *p = &set->v[i];

		policy_match(p, "/lxc/web1", "lxc", procs, 2, 1);
		for (size_t j = 0; j < p->nlimits; j++)
			pol_set_knob_format(&p->limits[j], buf, sizeof buf);
		for (size_t j = 0; j < p->nrules; j++)
			fuzz_format_rule(&p->rules[j]);
	}
	if (null != NULL) {
		pol_diags_print(&d, null);
		fclose(null);
	}
	pol_diags_free(&d);
	policy_set_free(set);
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
static size_t replay_files, replay_inputs;

/* A short fuzz run without libFuzzer, for make check: mutants of each seed
 * from a fixed-seed xorshift (reproducible), each byte-flipped, spliced
 * with a grammar token, or with a span deleted or doubled. */
#define REPLAY_MUTANTS 300

static uint64_t replay_rng = 0x9e3779b97f4a7c15ULL;

static size_t
replay_rand(size_t n)
{
	replay_rng ^= replay_rng << 13;
	replay_rng ^= replay_rng >> 7;
	replay_rng ^= replay_rng << 17;
	return n ? (size_t)(replay_rng % n) : 0;
}

static void
replay_mutants(const uint8_t *seed, size_t n)
{
	static const char *const tokens[] = {
		"{", "}", "(", ")", "\"", "#", "\n", " for ", " and ", " or ", " of limit",
		" of current", "%", "/s", "G", "ms", " cores", "do ", "when ", "until ",
		"rule \"x\" {", "policy \"p\" {", "memory.eta", "node.temp", "io ", "\\",
		"99999999999999999999", "-1", "0", "\xff", "\x1b[2J",
	};
	uint8_t *buf = malloc(2 * n + 64);

	if (buf == NULL || n == 0) {
		free(buf);
		return;
	}
	for (int i = 0; i < REPLAY_MUTANTS; i++) {
		size_t at = replay_rand(n), len = n, span;
		const char *t;

		memcpy(buf, seed, n);
		switch (replay_rand(4)) {
		case 0:
			buf[at] ^= (uint8_t)(1u << replay_rand(8));
			break;
		case 1:
			t = tokens[replay_rand(sizeof tokens / sizeof tokens[0])];
			memmove(buf + at + strlen(t), buf + at, n - at);
			memcpy(buf + at, t, strlen(t));
			len = n + strlen(t);
			break;
		case 2:
			span = replay_rand(n - at) + 1;
			memmove(buf + at, buf + at + span, n - at - span);
			len = n - span;
			break;
		default:
			span = replay_rand(n - at < 64 ? n - at : 64) + 1;
			memmove(buf + at + span, buf + at, n - at);
			len = n + span;
			break;
		}
		LLVMFuzzerTestOneInput(buf, len);
		replay_inputs++;
	}
	free(buf);
}

static void
replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *data;
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0) {
		if (fp)
			fclose(fp);
		return;
	}
	rewind(fp);
	/* Exactly n bytes: ASan sees a read past the text. */
	data = malloc(n > 0 ? (size_t)n : 1);
	if (data == NULL || fread(data, 1, (size_t)n, fp) != (size_t)n) {
		free(data);
		fclose(fp);
		return;
	}
	fclose(fp);
	for (long cut = 0; cut <= n; cut++) {
		LLVMFuzzerTestOneInput(data, (size_t)cut);
		replay_inputs++;
	}
	replay_mutants(data, (size_t)n);
	replay_files++;
	free(data);
}

static void
replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			replay_dir(path);
		else if (S_ISREG(st.st_mode))
			replay_file(path);
	}
	closedir(d);
}

int
main(int argc, char **argv)
{
	static const char *const hostile[] = {
		"policy \"", "policy \"\\", "policy \"a\" {", "policy \"a\" { rule \"r\" { when (",
		"policy \"a\" { rule \"r\" { when memory > 9", "policy \"a\" { cpu quota 1",
		"}}}}}}", "\xff\xfe\x1b[31m", "policy \"a\" { memory limit 99999999999999999999T }",
		"policy \"a\" { rule \"r\" { when memory.eta < 9999999999999999999d do freeze } }",
	};
	const char *src = argc > 1 ? argv[1] : getenv("CGOV_SRCDIR");
	char dir[4096];

	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		LLVMFuzzerTestOneInput((const uint8_t *)hostile[i], strlen(hostile[i]));
		replay_inputs++;
	}
	if (src == NULL) {
		fprintf(stderr, "fuzz_policy: give the source directory or set CGOV_SRCDIR\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s/policies", src);
	replay_dir(dir);
	snprintf(dir, sizeof dir, "%s/tests/policies", src);
	replay_dir(dir);
	printf("fuzz_policy replay: %zu files, %zu inputs, no crash\n", replay_files,
	    replay_inputs);
	/* A corpus that yields nothing means the test tested nothing. */
	return replay_files > 0 ? 0 : 1;
}
#endif

/* fuzz_policy: the policy parser, its checks and its formatters on one input.
 *
 * Built two ways:
 *   - with --enable-fuzzing (clang): a libFuzzer target, run over a corpus
 *     seeded from policies/ and tests/policies;
 *   - always, for `make check`: a replay driver whose main() feeds every
 *     file under $CGOV_SRCDIR/policies and $CGOV_SRCDIR/tests/policies, and
 *     every prefix of each (a file cut anywhere is the harshest input a
 *     policy author can type), through the same function. Under
 *     --enable-asan/--enable-ubsan that is a sanitizer run. The files of
 *     tests/fuzz/corpus/policy (regression inputs) are replayed too.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "policy.h"
#ifdef FUZZ_REPLAY_MAIN
#include "replay.h"
#endif

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

/* Swallows what pol_diags_print writes: /dev/null cost a write(2) every
 * 4 KiB, and an input can carry a hundred diagnostics. */
static ssize_t
fuzz_policy_discard(void *cookie, const char *p, size_t n)
{
	return (ssize_t)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const procs[] = { "java", "bash" };
	struct policy_set *set = NULL;
	struct pol_diags d = { 0 };
	char buf[512];
	static FILE *null;      /* opened once: five system calls an input else */

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
	if (null == NULL) {
		cookie_io_functions_t io = { .write = fuzz_policy_discard };

		null = fopencookie(NULL, "w", io);
	}
	if (null != NULL)
		pol_diags_print(&d, null);
	pol_diags_free(&d);
	policy_set_free(set);
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
/* Grammar pieces the mutants splice in. */
static const char *const replay_tokens[] = {
	"{", "}", "(", ")", "\"", "#", "\n", " for ", " and ", " or ", " of limit",
	" of current", "%", "/s", "G", "ms", " cores", "do ", "when ", "until ",
	"rule \"x\" {", "policy \"p\" {", "memory.eta", "node.temp", "io ", "\\",
	"99999999999999999999", "-1", "0", "\xff", "\x1b[2J",
};

/* Every prefix of each policy file, then 300 seeded mutants of it. */
static void
replay_policy(const uint8_t *data, size_t n)
{
	replay_prefixes(data, n, 0);
	replay_mutants(data, n, 300, replay_tokens,
	    sizeof replay_tokens / sizeof replay_tokens[0]);
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
	size_t files;

	replay_strings(hostile, sizeof hostile / sizeof hostile[0]);
	if (src == NULL) {
		fprintf(stderr, "fuzz_policy: give the source directory or set CGOV_SRCDIR\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s/policies", src);
	files = replay_dir(dir, replay_policy);
	snprintf(dir, sizeof dir, "%s/tests/policies", src);
	files += replay_dir(dir, replay_policy);
	files += replay_corpus("policy", replay_policy);
	printf("fuzz_policy replay: %zu files, %zu inputs, no crash\n", files, replay_inputs());
	/* A corpus that yields nothing means the test tested nothing. */
	return files > 0 ? 0 : 1;
}
#endif

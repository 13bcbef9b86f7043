/* fuzz_discover: container discovery's reading of a cgroup path
 * (discover_match with the built-in patterns, and the opt-in systemd ones): the last components of the
 * path are the tenant's to choose, and the container name is cut and
 * unescaped (systemd's \x2d) out of them.
 *
 * The input is the path, as a C string. A name returned must be
 * NUL-terminated within its buffer, for a large and a tiny one. Built as a
 * libFuzzer target and as a replay over tests/fuzz/corpus/discover
 * (fuzz_cgparse.c says how).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#ifdef FUZZ_REPLAY_MAIN
#include "replay.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const opt_in[] = { "systemd" };
	static struct discover *d, *sd;
	const char *rt;
	char *s, name[256], tiny[3], err[256];

	if (d == NULL && (discover_new(NULL, 0, NULL, &d, err, sizeof err) < 0 ||
	    discover_new(opt_in, 1, NULL, &sd, err, sizeof err) < 0))
		abort();
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (discover_match(d, s, &rt, name, sizeof name) == 1 &&
	    (rt == NULL || strnlen(name, sizeof name) == sizeof name))
		abort();
	if (discover_match(d, s, &rt, tiny, sizeof tiny) == 1 &&
	    strnlen(tiny, sizeof tiny) == sizeof tiny)
		abort();
	if (discover_match(sd, s, &rt, name, sizeof name) == 1 &&
	    strnlen(name, sizeof name) == sizeof name)
		abort();
	free(s);
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
int
main(int argc, char **argv)
{
	return replay_main("discover", argc, argv);
}
#endif

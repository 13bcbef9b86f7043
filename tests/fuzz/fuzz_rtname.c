/* fuzz_rtname: the JSON scanners that read Docker's config.v2.json and
 * Podman's containers.json (rtname.h), files a tenant who can run
 * `docker run --name` partly writes.
 *
 * Both parsers get the bytes as they are (not NUL-terminated, in an
 * allocation of exactly that size), with a full-size and a tiny name
 * buffer. A name they return must be what rtname.h promises: non-empty,
 * [a-zA-Z0-9][a-zA-Z0-9_.-]*, NUL-terminated within the buffer. Built as a
 * libFuzzer target and as a replay over tests/fuzz/corpus/rtname.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtname.h"
#ifdef FUZZ_REPLAY_MAIN
#include "replay.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_rtname_id[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/* Aborts unless name[0..len) holds a valid container name. */
static void
fuzz_rtname_valid(const char *name, size_t len)
{
	size_t n = strnlen(name, len);

	if (n == 0 || n == len || strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n ||
	    strchr("_.-", name[0]) != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size > 0 ? size : 1), name[128], tiny[4];

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	if (rtname_parse_docker(buf, size, name, sizeof name) == 0)
		fuzz_rtname_valid(name, sizeof name);
	if (rtname_parse_docker(buf, size, tiny, sizeof tiny) == 0)
		fuzz_rtname_valid(tiny, sizeof tiny);
	if (rtname_parse_podman(buf, size, fuzz_rtname_id, name, sizeof name) == 0)
		fuzz_rtname_valid(name, sizeof name);
	if (rtname_parse_podman(buf, size, fuzz_rtname_id, tiny, sizeof tiny) == 0)
		fuzz_rtname_valid(tiny, sizeof tiny);
	free(buf);
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
int
main(int argc, char **argv)
{
	return replay_main("rtname", argc, argv);
}
#endif

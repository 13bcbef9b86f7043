/* fuzz_conf: cgov.conf (conf.h) as cgovd reads it at start and on SIGHUP,
 * then the container patterns it names as discovery compiles them
 * (discover_new) and the cross-setting checks (conf_validate); and the
 * whole input as the two settings with a grammar of their own, on-action
 * (hook_split) and metrics-listen (prom_parse_listen).
 *
 * The input goes to conf_load_stream (conf_load's parser; conf_load only
 * opens the path) through fmemopen, with a static stdio buffer: no file, no
 * system call and no buffer allocation per input (a temporary file cost
 * seven system calls an input, most of the target's time). The loader's
 * error messages would flood the output: stdio's stderr is pointed at a
 * stream that discards them without a system call, which leaves the
 * sanitizers' reports alone (they write to descriptor 2
 * directly). Built as a libFuzzer target and as a replay over
 * tests/fuzz/corpus/conf (fuzz_cgparse.c says how).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "conf.h"
#include "discover.h"
#include "hook.h"
#include "prom.h"
#ifdef FUZZ_REPLAY_MAIN
#include "replay.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Swallows what is written to it (stdio's stderr here). */
static ssize_t
fuzz_conf_discard(void *cookie, const char *buf, size_t n)
{
	return (ssize_t)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char iobuf[4096], empty[1];
	static int ready;
	struct discover_limits lim = { 16, 64 };
	struct discover *d;
	struct conf c;
	char err[256], addr[64], **argv, *s;
	uint16_t port;
	FILE *fp;

	if (!ready) {
		cookie_io_functions_t io = { .write = fuzz_conf_discard };
		FILE *sink = fopencookie(NULL, "w", io);

		if (sink != NULL)
			stderr = sink;
		ready = 1;
	}
	/* Read only: fmemopen takes a non-const buffer for its write modes. */
	fp = fmemopen(size > 0 ? (void *)(uintptr_t)data : empty, size, "r");
	if (fp == NULL || setvbuf(fp, iobuf, _IOFBF, sizeof iobuf) != 0)
		abort();
	conf_defaults(&c);
	if (conf_load_stream(&c, "fuzz.conf", fp) == 0) {
		conf_validate(&c);
		if (discover_new((const char *const *)c.containers, c.ncontainers, &lim, &d,
		    err, sizeof err) == 0) {
			const char *rt;
			char name[64];

			discover_match(d, "/lxc/web1", &rt, name, sizeof name);
			discover_match(d, "/docker/0123456789abcdef", &rt, name, sizeof name);
			discover_free(d);
		}
	}
	fclose(fp);
	conf_free(&c);
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (hook_split(s, &argv, err, sizeof err) == 0)
		hook_argv_free(argv);
	prom_parse_listen(s, addr, sizeof addr, &port);
	free(s);
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
int
main(int argc, char **argv)
{
	return replay_main("conf", argc, argv);
}
#endif

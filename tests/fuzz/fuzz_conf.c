/* fuzz_conf: cgov.conf (conf.h) as cgovd reads it at start and on SIGHUP,
 * then the container patterns it names as discovery compiles them
 * (discover_new) and the cross-setting checks (conf_validate); and the
 * whole input as the two settings with a grammar of their own, on-action
 * (hook_split) and metrics-listen (prom_parse_listen).
 *
 * conf_load reads a path, so each input is written to one temporary file
 * (rewritten in place: a few system calls an input). The loader's error
 * messages would flood the output: stdio's stderr is pointed at /dev/null,
 * which leaves the sanitizers' reports alone (they write to descriptor 2
 * directly). Built as a libFuzzer target and as a replay over
 * tests/fuzz/corpus/conf (fuzz_cgparse.c says how).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "discover.h"
#include "hook.h"
#include "prom.h"
#ifdef FUZZ_REPLAY_MAIN
#include "replay.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* On tmpfs where there is one: a truncate and a close on a disk file cost
 * more than the parse. */
static char fuzz_conf_path[64];
static int fuzz_conf_fd = -1;

static void
fuzz_conf_cleanup(void)
{
	unlink(fuzz_conf_path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct discover_limits lim = { 16, 64 };
	struct discover *d;
	struct conf c;
	char err[256], addr[64], **argv, *s;
	uint16_t port;

	if (fuzz_conf_fd < 0) {
		FILE *null = fopen("/dev/null", "w");

		if (null != NULL)
			stderr = null;
		snprintf(fuzz_conf_path, sizeof fuzz_conf_path, "%s/cgov-fuzz-conf.XXXXXX",
		    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if ((fuzz_conf_fd = mkstemp(fuzz_conf_path)) < 0)
			abort();
		atexit(fuzz_conf_cleanup);
	}
	if (ftruncate(fuzz_conf_fd, 0) < 0 ||
	    (size > 0 && pwrite(fuzz_conf_fd, data, size, 0) != (ssize_t)size))
		abort();
	conf_defaults(&c);
	if (conf_load(&c, fuzz_conf_path) == 0) {
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

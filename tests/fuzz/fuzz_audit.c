/* fuzz_audit: the /proc and cgroupfs readers of `cgov audit` (audit.h):
 * uid_map, mountinfo, status (CapEff), v1 devices.list, the I/O statistics
 * of both versions and a block queue's scheduler line. A container's root
 * can shape most of these files (its mounts, its processes).
 *
 * The parsers take C strings, as read. Built as a libFuzzer target and as a
 * replay over tests/fuzz/corpus/audit (fuzz_cgparse.c says how).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "audit.h"
#ifdef FUZZ_REPLAY_MAIN
#include "replay.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), sched[16];
	int full = 0, proc_rw = 0, sys_rw = 0;
	uint64_t caps;
	dev_t devs[4];

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	audit_parse_uid_map(s, &full);
	audit_parse_mountinfo(s, &proc_rw, &sys_rw);
	if (audit_parse_capeff(s, &caps) == 0)
		audit_dangerous_caps(caps);
	audit_parse_devices_list(s);
	/* More devices than room: the count must stay within max. */
	if (audit_parse_io_devs(s, 1, devs, 4) > 4 || audit_parse_io_devs(s, 2, devs, 4) > 4)
		abort();
	audit_parse_scheduler(s, sched, sizeof sched);
	if (strnlen(sched, sizeof sched) == sizeof sched)
		abort();        /* not terminated within the buffer */
	free(s);
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
int
main(int argc, char **argv)
{
	return replay_main("audit", argc, argv);
}
#endif

/* priv.c: cgovd drops the capabilities it does not need (priv.h). */
#include "config.h"

#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "log.h"
#include "priv.h"

/* Keep in step with priv.h, cgovd(8) and contrib/cgovd.service.in's
 * CapabilityBoundingSet=. */
static const unsigned int priv_kept[] = {
	CAP_DAC_OVERRIDE, CAP_KILL, CAP_SYS_PTRACE, CAP_SYS_RESOURCE,
};
#define PRIV_NKEPT (sizeof priv_kept / sizeof priv_kept[0])

uint64_t
priv_kept_mask(void)
{
	uint64_t m = 0;

	for (size_t i = 0; i < PRIV_NKEPT; i++)
		m |= UINT64_C(1) << priv_kept[i];
	return m;
}

/* Appends " CAP_NAME" (lower case from libcap-ng, upper here) to buf. */
static void
priv_name_append(char *buf, size_t len, unsigned int cap)
{
	const char *name = capng_capability_to_name(cap);
	size_t at = strlen(buf);

	if (name == NULL) {
		snprintf(buf + at, len - at, " cap%u", cap);
		return;
	}
	snprintf(buf + at, len - at, " CAP_");
	at = strlen(buf);
	for (size_t i = 0; name[i] != '\0' && at + 1 < len; i++, at++)
		buf[at] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i]);
	buf[at] = '\0';
}

/* Whether the bounding set holds a capability priv_drop() does not keep
 * (systemd's CapabilityBoundingSet= may have cut it already). */
static int
priv_bounding_wider(void)
{
	uint64_t kept = priv_kept_mask();

	for (int cap = 0; cap < 64; cap++) {
		int r = prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);

		if (r < 0)
			break;          /* EINVAL: past the kernel's last one */
		if (r == 1 && !(kept & (UINT64_C(1) << cap)))
			return 1;
	}
	return 0;
}

/* The tasks of this process (/proc/self/task); 0 when it cannot be read. */
static int
priv_nthreads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

int
priv_drop(void)
{
	char kept[256] = "", missing[256] = "";
	int have[PRIV_NKEPT], setpcap;
	capng_select_t sel = CAPNG_SELECT_BOTH;

	/* Capabilities belong to a thread, not to the process: a thread
	 * started before this would keep all of root's. */
	if (priv_nthreads() > 1)
		return -EBUSY;
	/* First: from here on no execve can add a capability, whatever the
	 * file or the bounding set says. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (capng_get_caps_process() < 0)
		return errno != 0 ? -errno : -EPERM;
	setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	for (size_t i = 0; i < PRIV_NKEPT; i++) {
		have[i] = capng_have_capability(CAPNG_PERMITTED, priv_kept[i]);
		priv_name_append(have[i] ? kept : missing, have[i] ? sizeof kept : sizeof missing,
		    priv_kept[i]);
	}
	/* Asking capset for a permitted bit the process lacks fails the
	 * whole call: only what is held is kept. */
	capng_clear(CAPNG_SELECT_BOTH);
	for (size_t i = 0; i < PRIV_NKEPT; i++)
		if (have[i] && capng_update(CAPNG_ADD,
		    CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET, priv_kept[i]) < 0)
			return -EINVAL;
	/* Dropping from the bounding set needs CAP_SETPCAP; libcap-ng drops
	 * the bounding set before it calls capset, while it still holds it. */
	if (!setpcap)
		sel = CAPNG_SELECT_CAPS;
	if (capng_apply(sel) < 0)
		return -EPERM;
	log_info("privileges: kept%s%s%s%s; no_new_privs set", kept[0] != '\0' ? kept : " none",
	    missing[0] != '\0' ? " (not held at start:" : "", missing,
	    missing[0] != '\0' ? ")" : "");
	if (!setpcap && priv_bounding_wider())
		log_warnx("privileges: no CAP_SETPCAP at start: the bounding set is left as it "
		    "was (no_new_privs still keeps programs cgovd starts from gaining any)");
	return 0;
}

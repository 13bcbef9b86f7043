/* test_audit.c: the audit's parsers on real and hostile texts: uid_map of
 * the initial and of other user namespaces, mountinfo with /proc and /sys
 * read-only, read-write and bind-mounted elsewhere, CapEff of root and of a
 * task without capabilities, devices.list, I/O per device on v1 and v2,
 * scheduler lines; severity names. */
#include "config.h"

#include <sys/sysmacros.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit.h"

static void
test_uid_map(void **state)
{
	int full = -1;

	(void)state;
	/* the initial user namespace (right-aligned as the kernel prints it) */
	assert_int_equal(audit_parse_uid_map("         0          0 4294967295\n", &full), 1);
	assert_int_equal(full, 1);
	/* a user namespace that keeps root: root, but not the whole range */
	assert_int_equal(audit_parse_uid_map("0 0 1\n", &full), 1);
	assert_int_equal(full, 0);
	/* LXC's idmap: container root is host uid 100000 */
	assert_int_equal(audit_parse_uid_map("0 100000 65536\n", &full), 0);
	/* `unshare --map-user=1000`: host root is uid 1000 inside, root unmapped */
	assert_int_equal(audit_parse_uid_map("1000 0 1\n", &full), 0);
	/* a second line that maps root */
	assert_int_equal(audit_parse_uid_map("1 100001 10\n0 0 1\n", &full), 1);
	/* `unshare --user` without a map, and garbage */
	assert_int_equal(audit_parse_uid_map("", &full), 0);
	assert_int_equal(audit_parse_uid_map("zero zero\n0\n", &full), 0);
}

static void
test_mountinfo(void **state)
{
	static const char host[] =
	    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	    "23 22 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	    "24 22 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n";
	/* a container: /proc ro per mount (the superblock stays rw), /sys ro,
	 * a writable /proc bind-mounted elsewhere does not count */
	static const char ro[] =
	    "47 45 0:20 / /proc ro,relatime - proc proc rw\n"
	    "48 45 0:21 / /sys ro,relatime - sysfs sysfs rw\n"
	    "49 45 0:20 / /mnt/proc rw,relatime - proc proc rw\n"
	    "50 47 0:20 /sys /proc/sys ro,relatime - proc proc rw\n";
	static const char only_sys[] =
	    "47 45 0:20 / /proc ro - proc proc rw\n"
	    "48 45 0:21 / /sys rw - sysfs sysfs rw\n";
	/* a hostile mount point with a space (escaped \040 by the kernel) and
	 * "rwx" options that are not "rw" */
	static const char odd[] =
	    "60 45 0:20 / /proc\\040x rw - proc proc rw\n"
	    "61 45 0:20 / /proc rwxyz - proc proc rw\n"
	    "62 45 0:21 / /sys rw";
	int prw = 0, srw = 0;

	(void)state;
	audit_parse_mountinfo(host, &prw, &srw);
	assert_int_equal(prw, 1);
	assert_int_equal(srw, 1);
	prw = srw = 0;
	audit_parse_mountinfo(ro, &prw, &srw);
	assert_int_equal(prw, 0);
	assert_int_equal(srw, 0);
	audit_parse_mountinfo(only_sys, &prw, &srw);
	assert_int_equal(prw, 0);
	assert_int_equal(srw, 1);
	prw = srw = 0;
	audit_parse_mountinfo(odd, &prw, &srw);
	assert_int_equal(prw, 0);
	assert_int_equal(srw, 1);
	prw = srw = 0;
	audit_parse_mountinfo("", &prw, &srw);
	assert_int_equal(prw + srw, 0);
}

static void
test_capeff(void **state)
{
	static const char root[] =
	    "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\n"
	    "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
	    "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n";
	static const char dropped[] = "Name:\tsleep\nCapEff:\t0000000000000000\nCapBnd:\t0\n";
	/* net_bind_service (10) and chown (0): harmless */
	static const char mild[] = "CapEff:\t0000000000000401\n";
	uint64_t v = 1;

	(void)state;
	assert_int_equal(audit_parse_capeff(root, &v), 0);
	assert_true(v == UINT64_C(0x000001ffffffffff));
	assert_true(audit_dangerous_caps(v) == ((UINT64_C(1) << 12) | (UINT64_C(1) << 16) |
	    (UINT64_C(1) << 17) | (UINT64_C(1) << 21) | (UINT64_C(1) << 22) |
	    (UINT64_C(1) << 25) | (UINT64_C(1) << 33)));
	assert_int_equal(audit_parse_capeff(dropped, &v), 0);
	assert_true(v == 0 && audit_dangerous_caps(v) == 0);
	assert_int_equal(audit_parse_capeff(mild, &v), 0);
	assert_true(v == 0x401 && audit_dangerous_caps(v) == 0);
	/* only cap_sys_admin */
	assert_true(audit_dangerous_caps(UINT64_C(1) << 21) == UINT64_C(1) << 21);
	assert_int_equal(audit_parse_capeff("Name:\tx\nCapPrm:\t0\n", &v), -ENOENT);
	assert_int_equal(audit_parse_capeff("CapEff:\tzz\n", &v), -EINVAL);
	/* a comm that holds "\nCapEff:" cannot be: comm has no newline, and
	 * Name comes first; a CapEffX line is not CapEff */
	assert_int_equal(audit_parse_capeff("Name:\tx\nCapEffX:\t1\n", &v), -ENOENT);
}

static void
test_devices_list(void **state)
{
	(void)state;
	assert_int_equal(audit_parse_devices_list("a *:* rwm\n"), 1);
	assert_int_equal(audit_parse_devices_list("c 1:3 rwm\nc 1:5 rwm\nb *:* m\n"), 0);
	assert_int_equal(audit_parse_devices_list("c 1:3 rwm\na *:* rwm"), 1);
	assert_int_equal(audit_parse_devices_list("a *:* rw\n"), 0);
	assert_int_equal(audit_parse_devices_list(""), 0);
}

static void
test_io_devs(void **state)
{
	static const char v1[] =
	    "8:16 Read 0\n8:16 Write 0\n8:16 Sync 0\n8:16 Async 0\n8:16 Total 0\n"
	    "8:0 Read 4096\n8:0 Write 1048576\n8:0 Sync 1052672\n8:0 Total 1052672\n"
	    "253:0 Read 0\n253:0 Write 512\nTotal 1053184\n";
	static const char v2[] =
	    "8:0 rbytes=0 wbytes=1048576 rios=0 wios=16 dbytes=0 dios=0\n"
	    "8:16 rbytes=0 wbytes=0 rios=0 wios=0 dbytes=0 dios=0\n"
	    "259:0 rbytes=4096 wbytes=0 rios=1 wios=0\n";
	dev_t d[8];

	(void)state;
	assert_int_equal(audit_parse_io_devs(v1, 1, d, 8), 2);
	assert_true(d[0] == makedev(8, 0) && d[1] == makedev(253, 0));
	assert_int_equal(audit_parse_io_devs(v2, 2, d, 8), 2);
	assert_true(d[0] == makedev(8, 0) && d[1] == makedev(259, 0));
	/* the bound */
	assert_int_equal(audit_parse_io_devs(v2, 2, d, 1), 1);
	/* the other version's format gives nothing */
	assert_int_equal(audit_parse_io_devs(v1, 2, d, 8), 0);
	assert_int_equal(audit_parse_io_devs(v2, 1, d, 8), 0);
	assert_int_equal(audit_parse_io_devs("", 1, d, 8), 0);
}

static void
test_scheduler(void **state)
{
	char b[16];

	(void)state;
	audit_parse_scheduler("[mq-deadline] kyber bfq none\n", b, sizeof b);
	assert_string_equal(b, "mq-deadline");
	audit_parse_scheduler("mq-deadline kyber [none]\n", b, sizeof b);
	assert_string_equal(b, "none");
	audit_parse_scheduler("none\n", b, sizeof b);
	assert_string_equal(b, "none");
	audit_parse_scheduler("[a-very-long-scheduler-name]\n", b, sizeof b);
	assert_string_equal(b, "a-very-long-sch");
}

static void
test_severity(void **state)
{
	enum audit_sev s;

	(void)state;
	assert_string_equal(audit_sev_name(AS_INFO), "info");
	assert_string_equal(audit_sev_name(AS_CRITICAL), "critical");
	assert_int_equal(audit_sev_parse("medium", &s), 0);
	assert_int_equal(s, AS_MEDIUM);
	assert_int_equal(audit_sev_parse("High", &s), -EINVAL);
	assert_int_equal(audit_sev_parse("", &s), -EINVAL);
	assert_true(AS_INFO < AS_LOW && AS_LOW < AS_MEDIUM && AS_MEDIUM < AS_HIGH &&
	    AS_HIGH < AS_CRITICAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uid_map),
		cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_capeff),
		cmocka_unit_test(test_devices_list),
		cmocka_unit_test(test_io_devs),
		cmocka_unit_test(test_scheduler),
		cmocka_unit_test(test_severity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

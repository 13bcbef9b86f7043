/* audit.c: the hardening checklist (audit.h): per-container checks from
 * cgroupfs (through the sampler and knob layers) and from the /proc files
 * of the container's tasks, node checks from /sys/block and meminfo. */
#include "config.h"

#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <linux/bpf.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "audit.h"
#include "output.h"
#include "buf.h"
#include "cgparse.h"
#include "escape.h"
#include "knob.h"
#include "log.h"
#include "sampler.h"
#include "units.h"
#include "xmalloc.h"

static const char *const audit_sev_names[AS__MAX] = {
	"info", "low", "medium", "high", "critical"
};

const char *
audit_sev_name(enum audit_sev s)
{
	return (unsigned)s < AS__MAX ? audit_sev_names[s] : "?";
}

const struct out_col audit_cols[] = {
	{ "severity", "SEVERITY", 0, 0 },
	{ "check", "CHECK", 0, 0 },
	{ "scope", NULL, 0, 0 },
	{ "name", "CONTAINER", 0, 24 },
	{ "runtime", "RUNTIME", 0, 0 },
	{ "path", NULL, 0, 0 },
	{ "detail", "DETAIL", 0, 0 },
};
const size_t audit_ncols = sizeof audit_cols / sizeof audit_cols[0];

void
audit_finding_row(struct out *o, const struct audit_finding *f)
{
	out_str(o, audit_sev_name(f->sev));
	out_str(o, f->check);
	out_str(o, f->path != NULL ? "container" : "node");
	out_str(o, f->name);
	out_str(o, f->runtime);
	out_str(o, f->path);
	out_str(o, f->detail);
}

int
audit_sev_parse(const char *s, enum audit_sev *ret)
{
	for (int i = 0; i < AS__MAX; i++)
		if (strcmp(s, audit_sev_names[i]) == 0) {
			*ret = (enum audit_sev)i;
			return 0;
		}
	return -EINVAL;
}

/* The capabilities that let a task act on the whole host (CapEff bits). */
static const struct {
	int bit;
	const char *name;
} audit_caps[] = {
	{ 12, "cap_net_admin" },
	{ 16, "cap_sys_module" },
	{ 17, "cap_sys_rawio" },
	{ 21, "cap_sys_admin" },
	{ 22, "cap_sys_boot" },
	{ 25, "cap_sys_time" },
	{ 33, "cap_mac_admin" },
};
#define AUDIT_NCAPS (sizeof audit_caps / sizeof audit_caps[0])

uint64_t
audit_dangerous_caps(uint64_t capeff)
{
	uint64_t bad = 0;

	for (size_t i = 0; i < AUDIT_NCAPS; i++)
		if (capeff & (UINT64_C(1) << audit_caps[i].bit))
			bad |= UINT64_C(1) << audit_caps[i].bit;
	return bad;
}

int
audit_parse_capeff(const char *status, uint64_t *ret)
{
	const char *p;
	char *end;
	unsigned long long v;

	if (strncmp(status, "CapEff:", 7) == 0)
		p = status + 7;
	else if ((p = strstr(status, "\nCapEff:")) != NULL)
		p += 8;
	else
		return -ENOENT;
	while (*p == ' ' || *p == '\t')
		p++;
	errno = 0;
	v = strtoull(p, &end, 16);
	if (end == p || errno != 0 || (*end != '\n' && *end != '\0'))
		return -EINVAL;
	*ret = v;
	return 0;
}

int
audit_parse_devices_list(const char *text)
{
	for (const char *l = text; l != NULL && *l != '\0';) {
		const char *nl = strchr(l, '\n');

		if (strncmp(l, "a *:* rwm", 9) == 0 && (l[9] == '\n' || l[9] == '\0'))
			return 1;
		l = nl != NULL ? nl + 1 : NULL;
	}
	return 0;
}

#define AUDIT_MAX_DEVS   32      /* disks with I/O remembered per container */
#define AUDIT_MAX_MNTNS  16      /* mount namespaces looked at per container */
#define AUDIT_MAX_PROCS  64      /* process names kept for policy matching */

/* What the tasks of one container showed. */
struct audit_ct {
	const struct audit_target *t;
	int gone;
	size_t ntasks;
	int truncated;                  /* a bound stopped the task walk */
	int jvm;
	char **procs;                   /* comm and exe basenames, for policies */
	size_t nprocs;
	/* dangerous caps held where uid 0 is the host's */
	size_t caps_tasks;
	uint64_t caps_union;
	pid_t caps_pid;
	char caps_comm[64];
	/* uid 0 mapped to host uid 0 */
	size_t root_tasks;
	int root_full;                  /* "0 0 4294967295": no user namespace */
	pid_t root_pid;
	char root_comm[64];
	/* /proc or /sys read-write in a task's mount namespace */
	char mntns[AUDIT_MAX_MNTNS][64];
	size_t nmntns;
	int proc_rw, sys_rw;
	pid_t rw_pid;
	char rw_comm[64];
	/* first task's v1 devices cgroup ("" unknown) */
	char devcg[4096];
	/* disks it did I/O on */
	dev_t devs[AUDIT_MAX_DEVS];
	size_t ndevs;
};

static void
audit_add(struct audit_result *r, enum audit_sev sev, const char *check,
    const struct audit_target *t, char *detail)
{
	struct audit_finding *f;

	r->v = xreallocarray(r->v, r->n + 1, sizeof *r->v);
	f = &r->v[r->n++];
	f->sev = sev;
	f->check = check;
	if (t != NULL) {
		const char *slash = strrchr(t->path, '/');

		f->path = xstrdup(t->path);
		f->name = xstrdup(t->name != NULL ? t->name : slash != NULL ? slash + 1 : t->path);
		f->runtime = xstrdup(t->runtime != NULL ? t->runtime : "cgroup");
	} else
		f->path = f->name = f->runtime = NULL;
	f->detail = detail;
	r->count[sev]++;
}

/* A whole file into a malloc'd NUL-terminated buffer, at most max bytes
 * (a longer one is cut: every caller reads it line by line and stops at
 * its own bound). Returns the length or -errno. */
static ssize_t
audit_slurp(int dirfd, const char *name, size_t max, char **ret)
{
	size_t len = 0, cap = 4096;
	char *b;
	int fd;

	*ret = NULL;
	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	b = xmalloc(cap + 1);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			if (cap >= max)
				break;
			cap *= 2;
			b = xreallocarray(b, cap + 1, 1);
		}
		n = read(fd, b + len, cap - len);
		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			close(fd);
			free(b);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	b[len] = '\0';
	*ret = b;
	return (ssize_t)len;
}

/* --- the tasks of a container -------------------------------------------- */

int
audit_parse_uid_map(const char *text, int *full)
{
	const char *p = text;

	*full = 0;
	while (*p != '\0') {
		unsigned long long in, out, cnt;

		if (sscanf(p, "%llu %llu %llu", &in, &out, &cnt) == 3 && in == 0 && out == 0 &&
		    cnt > 0) {
			*full = cnt == 4294967295ULL;
			return 1;
		}
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return 0;
}

void
audit_parse_mountinfo(const char *text, int *proc_rw, int *sys_rw)
{
	const char *line = text;

	while (line != NULL && *line != '\0') {
		const char *nl = strchr(line, '\n');
		char mnt[256], opts[256];

		if (sscanf(line, "%*s %*s %*s %*s %255s %255s", mnt, opts) == 2) {
			int rw = strncmp(opts, "rw", 2) == 0 && (opts[2] == ',' || opts[2] == '\0');

			if (strcmp(mnt, "/proc") == 0 && rw)
				*proc_rw = 1;
			if (strcmp(mnt, "/sys") == 0 && rw)
				*sys_rw = 1;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
}

static void
audit_proc_add(struct audit_ct *c, const char *name)
{
	if (*name == '\0' || c->nprocs >= AUDIT_MAX_PROCS)
		return;
	for (size_t i = 0; i < c->nprocs; i++)
		if (strcmp(c->procs[i], name) == 0)
			return;
	c->procs = xreallocarray(c->procs, c->nprocs + 1, sizeof *c->procs);
	c->procs[c->nprocs++] = xstrdup(name);
}

/* One task: its names, capabilities, uid_map, mount namespace. A task that
 * exits meanwhile is skipped. */
static void
audit_task(const struct cgfs *fs, int procfd, pid_t pid, struct audit_ct *c)
{
	char dir[32], comm[64] = "", link[4096], *text = NULL;
	uint64_t capeff = 0;
	int capok = 0, rootmap, full = 0, pidfd;
	ssize_t n;

	snprintf(dir, sizeof dir, "%d", (int)pid);
	if ((pidfd = openat(procfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	if (audit_slurp(pidfd, "comm", 256, &text) > 0) {
		text[strcspn(text, "\n")] = '\0';
		snprintf(comm, sizeof comm, "%s", text);
	}
	free(text);
	text = NULL;
	audit_proc_add(c, comm);
	if (strcmp(comm, "java") == 0)
		c->jvm = 1;
	if ((n = readlinkat(pidfd, "exe", link, sizeof link - 1)) > 0) {
		static const char deleted[] = " (deleted)";
		char *base;

		link[n] = '\0';
		if ((size_t)n > sizeof deleted - 1 &&
		    strcmp(link + n - (sizeof deleted - 1), deleted) == 0)
			link[n - (sizeof deleted - 1)] = '\0';
		base = strrchr(link, '/');
		base = base != NULL ? base + 1 : link;
		audit_proc_add(c, base);
		if (strcmp(base, "java") == 0)
			c->jvm = 1;
	}
	if (audit_slurp(pidfd, "status", 16384, &text) > 0)
		capok = audit_parse_capeff(text, &capeff) == 0;
	free(text);
	text = NULL;
	rootmap = 0;
	if (audit_slurp(pidfd, "uid_map", 65536, &text) >= 0)
		rootmap = audit_parse_uid_map(text, &full);
	free(text);
	text = NULL;
	if (rootmap == 1) {
		if (c->root_tasks++ == 0) {
			c->root_pid = pid;
			snprintf(c->root_comm, sizeof c->root_comm, "%s", comm);
		}
		c->root_full |= full;
	}
	/* Capabilities of a user namespace that does not hold the host's
	 * root act on that namespace's resources only: not a finding. */
	if (capok && rootmap == 1) {
		uint64_t bad = audit_dangerous_caps(capeff);

		if (bad != 0 && c->caps_tasks++ == 0) {
			c->caps_pid = pid;
			snprintf(c->caps_comm, sizeof c->caps_comm, "%s", comm);
		}
		c->caps_union |= bad;
	}
	/* One mountinfo per mount namespace (tasks of a container share a
	 * few at most; a tenant with more is looked at up to a bound). */
	if ((n = readlinkat(pidfd, "ns/mnt", link, sizeof link - 1)) > 0) {
		size_t i;

		link[n] = '\0';
		for (i = 0; i < c->nmntns; i++)
			if (strcmp(c->mntns[i], link) == 0)
				break;
		if (i == c->nmntns && c->nmntns < AUDIT_MAX_MNTNS) {
			int prw = 0, srw = 0;

			snprintf(c->mntns[c->nmntns++], sizeof c->mntns[0], "%.63s", link);
			if (audit_slurp(pidfd, "mountinfo", 1 << 20, &text) > 0) {
				audit_parse_mountinfo(text, &prw, &srw);
				if ((prw || srw) && !c->proc_rw && !c->sys_rw) {
					c->rw_pid = pid;
					snprintf(c->rw_comm, sizeof c->rw_comm, "%s", comm);
				}
				c->proc_rw |= prw;
				c->sys_rw |= srw;
			}
			free(text);
			text = NULL;
		}
	}
	/* The first task's v1 devices cgroup, for a container that has none
	 * of its own in the devices hierarchy. */
	if (c->devcg[0] == '\0' && audit_slurp(pidfd, "cgroup", 65536, &text) > 0) {
		for (char *l = text; l != NULL && *l != '\0';) {
			char *nl = strchr(l, '\n'), *a, *b;

			if (nl != NULL)
				*nl = '\0';
			if ((a = strchr(l, ':')) != NULL && (b = strchr(a + 1, ':')) != NULL) {
				*b = '\0';
				for (char *tok = strtok(a + 1, ","); tok != NULL; tok = strtok(NULL, ","))
					if (strcmp(tok, "devices") == 0)
						snprintf(c->devcg, sizeof c->devcg, "%s", b + 1);
			}
			l = nl != NULL ? nl + 1 : NULL;
		}
	}
	free(text);
	text = NULL;
	(void)fs;
	close(pidfd);
}

/* Walks the container's subtree breadth-first in the hierarchy discovery
 * walks, reading each cgroup's cgroup.procs, up to the bounds. */
static void
audit_tasks(const struct cgfs *fs, const struct audit_target *t, size_t max_tasks,
    struct audit_ct *c)
{
	char **queue;
	size_t head = 0, tail = 0, dirs = 0;
	int procfd;

	if (fs->ctrl[fs->walk].version == 0)
		return;
	if ((procfd = open(fs->proc_dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	queue = xcalloc(1, sizeof *queue);
	queue[tail++] = xstrdup(t->path);
	while (head < tail) {
		char *path = queue[head++], *text, *p;
		int pfd, dfd;
		DIR *d;

		pfd = cgfs_open_dir(fs, fs->walk, path);
		if (pfd < 0) {
			if (head == 1 && cgfs_gone(pfd))
				c->gone = 1;
			free(path);
			continue;
		}
		if (audit_slurp(pfd, "cgroup.procs", 1 << 20, &text) >= 0) {
			for (p = text; *p != '\0' && c->ntasks < max_tasks;) {
				char *end;
				long v = strtol(p, &end, 10);

				if (end == p)
					break;
				if (v > 0) {
					audit_task(fs, procfd, (pid_t)v, c);
					c->ntasks++;
				}
				p = end;
				while (*p == '\n')
					p++;
			}
			if (*p != '\0')
				c->truncated = 1;
		}
		free(text);
		dfd = c->ntasks < max_tasks ? openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		close(pfd);
		if (dfd >= 0 && (d = fdopendir(dfd)) != NULL) {
			struct dirent *de;

			while ((de = readdir(d)) != NULL) {
				if (de->d_type != DT_DIR || de->d_name[0] == '.')
					continue;
				if (++dirs > AUDIT_MAX_DIRS) {
					c->truncated = 1;
					break;
				}
				queue = xreallocarray(queue, tail + 1, sizeof *queue);
				queue[tail++] = xasprintf("%s/%s", strcmp(path, "/") == 0 ? "" : path,
				    de->d_name);
			}
			closedir(d);
		} else if (dfd >= 0)
			close(dfd);
		free(path);
	}
	for (; head < tail; head++)
		free(queue[head]);
	free(queue);
	close(procfd);
}

/* --- devices --------------------------------------------------------------- */

/* The mount point of the v1 devices hierarchy, from the proc directory's
 * self/mountinfo; "" when none. */
static void
audit_devices_mount(const struct cgfs *fs, char *mnt, size_t len)
{
	char *text = NULL, path[4096];

	mnt[0] = '\0';
	snprintf(path, sizeof path, "%s/self/mountinfo", fs->proc_dir);
	if (audit_slurp(AT_FDCWD, path, 1 << 20, &text) <= 0) {
		free(text);
		return;
	}
	for (char *l = text; l != NULL && *l != '\0';) {
		char *nl = strchr(l, '\n'), *dash;
		char m[4096], type[64], super[1024];

		if (nl != NULL)
			*nl = '\0';
		dash = strstr(l, " - ");
		if (dash != NULL && sscanf(l, "%*s %*s %*s %*s %4095s", m) == 1 &&
		    sscanf(dash + 3, "%63s %*s %1023s", type, super) == 2 &&
		    strcmp(type, "cgroup") == 0) {
			for (char *tok = strtok(super, ","); tok != NULL; tok = strtok(NULL, ","))
				if (strcmp(tok, "devices") == 0) {
					snprintf(mnt, len, "%s", m);
					free(text);
					return;
				}
		}
		l = nl != NULL ? nl + 1 : NULL;
	}
	free(text);
}

/* Does devices.list allow everything? 1 yes, 0 no, -errno unreadable. */
static int
audit_devices_v1(const char *mnt, const char *cg)
{
	char path[8192], *text;
	int r = 0;

	snprintf(path, sizeof path, "%s%s/devices.list", mnt, strcmp(cg, "/") == 0 ? "" : cg);
	if (strstr(cg, "/../") != NULL || strstr(cg, "/./") != NULL)
		return -EINVAL;
	if ((r = (int)audit_slurp(AT_FDCWD, path, 1 << 20, &text)) < 0)
		return r;
	r = audit_parse_devices_list(text);
	free(text);
	return r;
}

/* v2: how many BPF_CGROUP_DEVICE programs are in effect for the cgroup
 * (its own and its ancestors'), by BPF_PROG_QUERY: no bpftool needed.
 * Returns the count or -errno (EPERM without CAP_SYS_ADMIN, EINVAL on a
 * kernel without cgroup BPF). */
static int
audit_devices_v2(const struct cgfs *fs, const char *path)
{
	union bpf_attr a;
	int pfd, fd, r;
	enum cg_ctrl cc = CG_CTRL_MAX;

	for (int i = 0; i < CG_CTRL_MAX; i++)
		if (fs->ctrl[i].version == 2) {
			cc = (enum cg_ctrl)i;
			break;
		}
	if (cc == CG_CTRL_MAX)
		return -ENXIO;
	if ((pfd = cgfs_open_dir(fs, cc, path)) < 0)
		return pfd;
	/* BPF wants a real descriptor of the directory, not an O_PATH one. */
	fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(pfd);
	if (fd < 0)
		return -errno;
	memset(&a, 0, sizeof a);
	a.query.target_fd = (uint32_t)fd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.query_flags = BPF_F_QUERY_EFFECTIVE;
	r = (int)syscall(__NR_bpf, BPF_PROG_QUERY, &a, sizeof a);
	r = r < 0 ? -errno : (int)a.query.prog_cnt;
	close(fd);
	return r;
}

static void
audit_devices(const struct cgfs *fs, const char *devmnt, struct audit_ct *c,
    struct audit_result *res)
{
	int r = -ENOENT;
	const char *cg = NULL;

	if (devmnt[0] != '\0') {
		/* The container's own devices cgroup, else its first task's
		 * (a runtime that leaves the devices hierarchy alone puts the
		 * container's tasks wherever their parent was). */
		r = audit_devices_v1(devmnt, c->t->path);
		cg = c->t->path;
		if (r < 0 && c->devcg[0] != '\0') {
			r = audit_devices_v1(devmnt, c->devcg);
			cg = c->devcg;
		}
		if (r == 1)
			audit_add(res, AS_HIGH, "devices-unrestricted", c->t,
			    xasprintf("devices.list of %s allows every device (a *:* rwm)%s",
			    cg, cg == c->t->path ? "" : " (the devices cgroup of its tasks)"));
		if (r >= 0)
			return;
	} else {
		r = audit_devices_v2(fs, c->t->path);
		if (r == 0)
			audit_add(res, AS_HIGH, "devices-unrestricted", c->t,
			    xstrdup("no BPF device program is in effect: every device node "
			    "may be opened"));
		if (r >= 0)
			return;
	}
	audit_add(res, AS_INFO, "devices-unknown", c->t,
	    xasprintf("device access could not be checked (%s)",
	    devmnt[0] != '\0' ? "no readable devices.list" : strerror(-r)));
}

/* --- I/O ---------------------------------------------------------------------- */

static void
audit_dev_add(dev_t *v, size_t *n, size_t max, unsigned maj, unsigned min)
{
	dev_t d = makedev(maj, min);

	for (size_t i = 0; i < *n; i++)
		if (v[i] == d)
			return;
	if (*n < max)
		v[(*n)++] = d;
}

size_t
audit_parse_io_devs(const char *text, int version, dev_t *ret, size_t max)
{
	size_t n = 0;

	for (const char *l = text; l != NULL && *l != '\0';) {
		const char *nl = strchr(l, '\n');
		unsigned maj, min;
		unsigned long long v = 0, r = 0, w = 0;
		char line[1024], op[16];

		snprintf(line, sizeof line, "%.*s", (int)(nl != NULL ? (size_t)(nl - l) : strlen(l)), l);
		if (version == 2 && sscanf(line, "%u:%u", &maj, &min) == 2) {
			char *p = strstr(line, " rbytes="), *q = strstr(line, " wbytes=");

			if (p != NULL)
				r = strtoull(p + 8, NULL, 10);
			if (q != NULL)
				w = strtoull(q + 8, NULL, 10);
			if (r > 0 || w > 0)
				audit_dev_add(ret, &n, max, maj, min);
		} else if (version == 1 && sscanf(line, "%u:%u %15s %llu", &maj, &min, op, &v) == 4 &&
		    (strcmp(op, "Read") == 0 || strcmp(op, "Write") == 0) && v > 0)
			audit_dev_add(ret, &n, max, maj, min);
		l = nl != NULL ? nl + 1 : NULL;
	}
	return n;
}

/* The disks the container did I/O on: v1 blkio.throttle.io_service_bytes,
 * v2 io.stat. */
static void
audit_io_devs(const struct cgfs *fs, struct audit_ct *c)
{
	const struct cgfs_ctrl *ic = &fs->ctrl[CG_IO];
	char *text = NULL;
	int fd;

	if (ic->version == 0 || (fd = cgfs_open_dir(fs, CG_IO, c->t->path)) < 0)
		return;
	if (audit_slurp(fd, ic->version == 2 ? "io.stat" : "blkio.throttle.io_service_bytes",
	    1 << 20, &text) > 0)
		c->ndevs = audit_parse_io_devs(text, ic->version, c->devs, AUDIT_MAX_DEVS);
	free(text);
	close(fd);
}

/* The disk's name ("sda") for a device number, "MAJ:MIN" when unknown. */
static void
audit_dev_name(dev_t d, char *buf, size_t len)
{
	char link[128], target[4096], *base;
	ssize_t n;

	snprintf(link, sizeof link, "/sys/dev/block/%u:%u", major(d), minor(d));
	if ((n = readlink(link, target, sizeof target - 1)) > 0) {
		target[n] = '\0';
		base = strrchr(target, '/');
		snprintf(buf, len, "%.*s", (int)(len - 1), base != NULL ? base + 1 : target);
		return;
	}
	snprintf(buf, len, "%u:%u", major(d), minor(d));
}

static void
audit_io_shared(const struct cgfs *fs, struct audit_ct *cts, size_t n, struct audit_result *res)
{
	static const enum pol_knob io_knobs[] = { PK_IO_RBPS, PK_IO_WBPS, PK_IO_RIOPS, PK_IO_WIOPS };

	for (size_t i = 0; i < n; i++) {
		if (cts[i].gone)
			continue;
		for (size_t k = 0; k < cts[i].ndevs; k++) {
			dev_t d = cts[i].devs[k];
			size_t others = 0, limited = 0;
			char name[256];

			for (size_t j = 0; j < n; j++)
				for (size_t m = 0; j != i && !cts[j].gone && m < cts[j].ndevs; m++)
					if (cts[j].devs[m] == d) {
						others++;
						break;
					}
			if (others == 0)
				continue;
			for (size_t q = 0; q < sizeof io_knobs / sizeof io_knobs[0]; q++) {
				int64_t v;

				if (knob_read(fs, cts[i].t->path, io_knobs[q], d, &v) == 0 &&
				    v != POL_MAX)
					limited++;
			}
			if (limited > 0)
				continue;
			audit_dev_name(d, name, sizeof name);
			audit_add(res, AS_LOW, "no-io-limit", cts[i].t,
			    xasprintf("no I/O throttle on %s, a disk %zu other container%s also "
			    "use%s", name, others, others == 1 ? "" : "s", others == 1 ? "s" : ""));
		}
	}
}

/* --- limits, from the sampler ---------------------------------------------------- */

static void
audit_limits(const struct cgfs *fs, struct sampler *s, const struct audit_opts *o,
    struct audit_ct *c, struct audit_result *res)
{
	struct sampler_ct *sc;
	struct cg_sample smp;
	char a[32], b[32];

	if (sampler_ct_open(s, c->t->path, &sc) < 0 || sampler_ct_read(sc, &smp) < 0) {
		c->gone = 1;
		return;
	}
	sampler_ct_close(sc);
	if (smp.mem_limit == CG_UNLIMITED)
		audit_add(res, AS_MEDIUM, "no-memory-limit", c->t,
		    xstrdup("memory limit is max: one tenant can take the node's memory"));
	if (c->jvm && smp.swap_limit == 0) {
		units_format_size(smp.mem_limit, a, sizeof a);
		audit_add(res, AS_HIGH, "jvm-zero-swap", c->t,
		    xasprintf("a task runs java and no swap is allowed beyond the memory "
		    "limit (%s): a heap spike is an OOM kill", smp.mem_limit == CG_UNLIMITED ? "max" : a));
	}
	if (smp.pids_max == CG_UNLIMITED)
		audit_add(res, AS_MEDIUM, "no-pids-limit", c->t,
		    xstrdup("pids.max is max: a fork bomb reaches the node"));
	if (o->ps == NULL)
		return;
	for (size_t i = 0; i < o->ps->n; i++) {
		const struct policy *p = &o->ps->v[i];
		int v2 = fs->ctrl[CG_CPU].version == 2;
		int dflt = v2 ? smp.cpu_weight == 100 : smp.cpu_shares == 1024;

		if (smp.cpu_shares == CG_UNKNOWN || !dflt)
			break;
		if (!policy_match(p, c->t->path, c->t->runtime != NULL ? c->t->runtime : "cgroup",
		    (const char *const *)c->procs, c->nprocs, 1))
			continue;
		for (size_t j = 0; j < p->nlimits; j++) {
			const struct pol_set_knob *k = &p->limits[j];

			if (k->knob != PK_CPU_WEIGHT || k->rel != PR_ABS || !(k->value > 1024))
				continue;
			snprintf(a, sizeof a, "%.0f", k->value);
			snprintf(b, sizeof b, v2 ? "weight 100" : "shares 1024");
			audit_add(res, AS_MEDIUM, "cpu-shares-default", c->t,
			    xasprintf("policy \"%s\" (%s:%d) sets cpu shares %s for it, but it "
			    "has the default (%s)", p->name, k->loc.file, k->loc.line, a, b));
			return;
		}
	}
}

/* --- the node ------------------------------------------------------------------------ */

static int
audit_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
audit_parse_scheduler(const char *text, char *buf, size_t len)
{
	const char *lb = strchr(text, '['), *rb = lb != NULL ? strchr(lb, ']') : NULL;

	if (lb != NULL && rb != NULL)
		snprintf(buf, len, "%.*s", (int)(rb - lb - 1), lb + 1);
	else
		snprintf(buf, len, "%.*s", (int)strcspn(text, " \n"), text);
}

static void
audit_node(const struct cgfs *fs, int any_jvm, struct audit_result *res)
{
	char buf[4096];
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	if (any_jvm && cgfs_read_proc(fs, "meminfo", buf, sizeof buf) > 0) {
		char *p = strstr(buf, "SwapTotal:");
		unsigned long long kb;

		if (p != NULL && sscanf(p + 10, "%llu", &kb) == 1 && kb == 0)
			audit_add(res, AS_MEDIUM, "host-no-swap", NULL,
			    xstrdup("a container runs a JVM and the host has no swap: its swap "
			    "buffer is empty whatever the limits say"));
	}
	if ((d = opendir("/sys/block")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strncmp(de->d_name, "loop", 4) == 0 ||
		    strncmp(de->d_name, "ram", 3) == 0 || strncmp(de->d_name, "zram", 4) == 0 ||
		    strncmp(de->d_name, "dm-", 3) == 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, audit_cmp_str);
	for (size_t i = 0; i < n; i++) {
		char path[512], sched[64] = "", *text = NULL;
		int rot = -1;

		snprintf(path, sizeof path, "/sys/block/%s/queue/scheduler", names[i]);
		if (audit_slurp(AT_FDCWD, path, 4096, &text) > 0)
			audit_parse_scheduler(text, sched, sizeof sched);
		free(text);
		snprintf(path, sizeof path, "/sys/block/%s/queue/rotational", names[i]);
		if (audit_slurp(AT_FDCWD, path, 64, &text) > 0)
			rot = text[0] == '1';
		free(text);
		if (sched[0] != '\0') {
			int bad = rot == 1 && (strcmp(sched, "none") == 0 || strcmp(sched, "noop") == 0);

			audit_add(res, bad ? AS_LOW : AS_INFO, "io-scheduler", NULL,
			    xasprintf("%s: scheduler %s%s%s", names[i], sched,
			    rot == 1 ? ", rotational" : rot == 0 ? ", non-rotational" : "",
			    bad ? ": no fairness between tenants on a shared spinning disk" : ""));
		}
		free(names[i]);
	}
	free(names);
}

/* --- all of it ---------------------------------------------------------------------- */

static int
audit_cmp(const void *pa, const void *pb)
{
	const struct audit_finding *a = pa, *b = pb;
	int r;

	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	if ((a->path == NULL) != (b->path == NULL))
		return a->path == NULL ? 1 : -1;     /* node findings after containers' */
	if (a->path != NULL && (r = strcmp(a->path, b->path)) != 0)
		return r;
	if ((r = strcmp(a->check, b->check)) != 0)
		return r;
	return strcmp(a->detail, b->detail);
}

static void
audit_cap_names(uint64_t caps, struct buf *b)
{
	int first = 1;

	for (size_t i = 0; i < AUDIT_NCAPS; i++)
		if (caps & (UINT64_C(1) << audit_caps[i].bit)) {
			buf_printf(b, "%s%s", first ? "" : ",", audit_caps[i].name);
			first = 0;
		}
}

int
audit_run(const struct cgfs *fs, const struct audit_target *t, size_t n,
    const struct audit_opts *o, struct audit_result *ret)
{
	struct audit_ct *cts = xcalloc(n ? n : 1, sizeof *cts);
	struct sampler *s = sampler_new(fs, 0);
	size_t max_tasks = o->max_tasks ? o->max_tasks : AUDIT_MAX_TASKS;
	char devmnt[4096];
	int any_jvm = 0;

	memset(ret, 0, sizeof *ret);
	audit_devices_mount(fs, devmnt, sizeof devmnt);
	for (size_t i = 0; i < n; i++) {
		struct audit_ct *c = &cts[i];
		size_t before = ret->n;

		c->t = &t[i];
		audit_tasks(fs, c->t, max_tasks, c);
		if (!c->gone)
			audit_limits(fs, s, o, c, ret);
		if (c->gone) {
			/* vanished meanwhile: normal; drop what it gave */
			while (ret->n > before) {
				struct audit_finding *f = &ret->v[--ret->n];

				ret->count[f->sev]--;
				free(f->path);
				free(f->name);
				free(f->runtime);
				free(f->detail);
			}
			continue;
		}
		ret->ncontainers++;
		any_jvm |= c->jvm;
		audit_devices(fs, devmnt, c, ret);
		if (c->caps_tasks > 0) {
			struct buf b = { 0 };

			audit_cap_names(c->caps_union, &b);
			audit_add(ret, AS_CRITICAL, "dangerous-caps", c->t,
			    xasprintf("%zu task%s %s in the host's user namespace (e.g. pid %d %s)",
			    c->caps_tasks, c->caps_tasks == 1 ? " holds" : "s hold", b.data,
			    (int)c->caps_pid, c->caps_comm));
			buf_free(&b);
		}
		if (c->root_tasks > 0)
			audit_add(ret, AS_HIGH, "root-is-host-root", c->t,
			    xasprintf("%s: uid 0 in the container is uid 0 of the host "
			    "(%zu task%s, e.g. pid %d %s)", c->root_full ?
			    "no user namespace (uid_map 0 0 4294967295)" :
			    "its user namespace maps uid 0 to the host's", c->root_tasks,
			    c->root_tasks == 1 ? "" : "s", (int)c->root_pid, c->root_comm));
		if (c->proc_rw || c->sys_rw)
			audit_add(ret, AS_MEDIUM, "proc-sys-writable", c->t,
			    xasprintf("%s%s%s mounted read-write in the mount namespace of pid "
			    "%d %s", c->proc_rw ? "/proc" : "", c->proc_rw && c->sys_rw ? " and " : "",
			    c->sys_rw ? "/sys" : "", (int)c->rw_pid, c->rw_comm));
		if (c->truncated)
			log_debug("audit: %s: the task walk stopped at its bound (%zu tasks)",
			    escape_log(0, c->t->path), c->ntasks);
		audit_io_devs(fs, c);
	}
	audit_io_shared(fs, cts, n, ret);
	audit_node(fs, any_jvm, ret);
	qsort(ret->v, ret->n, sizeof *ret->v, audit_cmp);
	for (size_t i = 0; i < n; i++)
		knob_procs_free(cts[i].procs, cts[i].nprocs);
	free(cts);
	sampler_free(s);
	return 0;
}

void
audit_result_free(struct audit_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].path);
		free(r->v[i].name);
		free(r->v[i].runtime);
		free(r->v[i].detail);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

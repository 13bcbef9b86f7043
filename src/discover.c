/* discover.c: container patterns, names and the bounded cgroup walk. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "discover.h"
#include "log.h"
#include "xmalloc.h"

/* How a rule turns the last path component into a readable name. */
enum {
	NAME_SHORT_ID = 1 << 0,   /* container IDs: first 12 characters, as docker ps */
	NAME_UNESCAPE = 1 << 1,   /* systemd unit escaping: \x2d -> '-' */
	NAME_QEMU     = 1 << 2,   /* libvirt "qemu-3-vm1" -> "vm1" */
	NAME_AFTER_POD = 1 << 3,  /* kubepods-burstable-pod<uid>.slice -> <uid>, '_' -> '-' */
	RULE_OPT_IN   = 1 << 4,   /* only when asked for ("systemd") */
	RULE_CTID     = 1 << 5,   /* the last component is a Virtuozzo CTID */
};

/* Virtuozzo 7 (libvzctl, since 2016) puts a container's cgroups at
 * /machine.slice/<CTID> in the v1 hierarchies (the slice is VE_CGROUP_SLICE
 * of vz.conf); its beancounter and ve hierarchies and name=systemd use
 * /<CTID>. machine.slice also holds systemd's scopes and services, so the
 * pattern takes only names shaped as a CTID (discover_ctid_ok). */
#define DISCOVER_VZ_GLOB "/machine.slice/*"

struct discover_rule {
	const char *glob;
	const char *runtime;
	const char *prefix;       /* stripped from the last component */
	const char *suffix;       /* stripped from the last component */
	unsigned flags;
};

/* First match wins, so the qemu scope comes before the generic machine
 * scope of systemd-nspawn. */
static const struct discover_rule discover_builtin[] = {
	{ "/lxc/*", "lxc", "", "", 0 },
	{ "/lxc.payload.*", "lxc", "lxc.payload.", "", 0 },
	{ "/lxc.payload/*", "lxc", "", "", 0 },
	{ "/docker/*", "docker", "", "", NAME_SHORT_ID },
	{ "/system.slice/docker-*.scope", "docker", "docker-", ".scope", NAME_SHORT_ID },
	{ "/machine.slice/libpod-*.scope", "podman", "libpod-", ".scope", NAME_SHORT_ID },
	{ "/libpod_parent/libpod-*", "podman", "libpod-", "", NAME_SHORT_ID },
	{ "/user.slice/user-*.slice/user@*.service/user.slice/libpod-*.scope", "podman",
	  "libpod-", ".scope", NAME_SHORT_ID },
	{ "/machine.slice/machine-qemu*.scope", "libvirt", "machine-", ".scope",
	  NAME_UNESCAPE | NAME_QEMU },
	{ "/machine/*.libvirt-qemu", "libvirt", "", ".libvirt-qemu", NAME_QEMU },
	{ "/machine.slice/machine-*.scope", "nspawn", "machine-", ".scope", NAME_UNESCAPE },
	{ DISCOVER_VZ_GLOB, "openvz", "", "", RULE_CTID },
	{ "/kubepods.slice/kubepods-pod*.slice", "kubernetes", "", ".slice", NAME_AFTER_POD },
	{ "/kubepods.slice/kubepods-*.slice/kubepods-*-pod*.slice", "kubernetes", "", ".slice",
	  NAME_AFTER_POD },
	{ "/kubepods/pod*", "kubernetes", "pod", "", 0 },
	{ "/kubepods/*/pod*", "kubernetes", "pod", "", 0 },
	{ "/system.slice/*.service", "systemd", "", ".service", NAME_UNESCAPE | RULE_OPT_IN },
};
#define DISCOVER_NBUILTIN (sizeof discover_builtin / sizeof discover_builtin[0])

struct discover_root {
	char *prefix;             /* literal leading directories of a pattern */
	int depth;                /* components below the prefix */
};

struct discover {
	char **globs;             /* what matches; NULL entries never */
	size_t nglobs;
	int use_optin;            /* "systemd" was asked for */
	struct discover_root *roots;
	size_t nroots;
	struct discover_limits lim;
};

static int
discover_has_magic(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '\\')
			return 1;
	return 0;
}

/* Splits glob into its literal prefix directory and the depth below it. */
static void
discover_add_root(struct discover *d, const char *glob)
{
	const char *p = glob, *lit_end = glob;
	int comps = 0, lit = 0, literal = 1;
	char *prefix;

	while (*p == '/') {
		const char *c = ++p;

		p += strcspn(p, "/");
		comps++;
		if (literal && !discover_has_magic(c, (size_t)(p - c)) && *p == '/') {
			lit++;
			lit_end = p;
		} else
			literal = 0;
	}
	prefix = lit == 0 ? xstrdup("/") : xstrndup(glob, (size_t)(lit_end - glob));
	for (size_t i = 0; i < d->nroots; i++) {
		if (strcmp(d->roots[i].prefix, prefix) == 0) {
			if (d->roots[i].depth < comps - lit)
				d->roots[i].depth = comps - lit;
			free(prefix);
			return;
		}
	}
	d->roots = xreallocarray(d->roots, d->nroots + 1, sizeof *d->roots);
	d->roots[d->nroots].prefix = prefix;
	d->roots[d->nroots].depth = comps - lit;
	d->nroots++;
}

static int
discover_glob_ok(const char *g, char *err, size_t errlen)
{
	if (g[0] != '/') {
		snprintf(err, errlen, "container pattern \"%s\" must start with '/'", g);
		return 0;
	}
	if (strstr(g, "//") != NULL || strstr(g, "/../") != NULL ||
	    (strlen(g) >= 3 && strcmp(g + strlen(g) - 3, "/..") == 0)) {
		snprintf(err, errlen, "container pattern \"%s\" is not a canonical path", g);
		return 0;
	}
	if (strcmp(g, "/") == 0) {
		snprintf(err, errlen, "container pattern \"/\" would govern the hierarchy root");
		return 0;
	}
	return 1;
}

int
discover_new(const char *const *globs, size_t n, const struct discover_limits *lim,
    struct discover **ret, char *err, size_t errlen)
{
	struct discover *d = xcalloc(1, sizeof *d);

	d->lim.max_containers = lim && lim->max_containers ? lim->max_containers : 4096;
	d->lim.max_visits = lim && lim->max_visits ? lim->max_visits : 65536;
	if (n == 0) {
		for (size_t i = 0; i < DISCOVER_NBUILTIN; i++) {
			if (discover_builtin[i].flags & RULE_OPT_IN)
				continue;
			d->globs = xreallocarray(d->globs, d->nglobs + 1, sizeof *d->globs);
			d->globs[d->nglobs++] = xstrdup(discover_builtin[i].glob);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(globs[i], "systemd") == 0) {
			d->use_optin = 1;
			for (size_t j = 0; j < DISCOVER_NBUILTIN; j++) {
				if (!(discover_builtin[j].flags & RULE_OPT_IN))
					continue;
				d->globs = xreallocarray(d->globs, d->nglobs + 1, sizeof *d->globs);
				d->globs[d->nglobs++] = xstrdup(discover_builtin[j].glob);
			}
			continue;
		}
		if (!discover_glob_ok(globs[i], err, errlen)) {
			discover_free(d);
			return -EINVAL;
		}
		d->globs = xreallocarray(d->globs, d->nglobs + 1, sizeof *d->globs);
		d->globs[d->nglobs++] = xstrdup(globs[i]);
	}
	for (size_t i = 0; i < d->nglobs; i++)
		discover_add_root(d, d->globs[i]);
	*ret = d;
	return 0;
}

void
discover_free(struct discover *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nglobs; i++)
		free(d->globs[i]);
	for (size_t i = 0; i < d->nroots; i++)
		free(d->roots[i].prefix);
	free(d->globs);
	free(d->roots);
	free(d);
}

/* systemd unit-name unescaping: "\x2d" -> '-'. Other bytes are copied;
 * the result is still tenant-controlled and escaped at output. */
static void
discover_unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r != '\0'; r++) {
		unsigned v;

		if (r[0] == '\\' && r[1] == 'x' && sscanf(r + 2, "%2x", &v) == 1 &&
		    r[2] != '\0' && r[3] != '\0' && v != 0) {
			*w++ = (char)v;
			r += 3;
		} else
			*w++ = *r;
	}
	*w = '\0';
}

static void
discover_name(const struct discover_rule *rule, const char *path, char *name, size_t len)
{
	const char *last = strrchr(path, '/');
	size_t n, plen = strlen(rule->prefix), slen = strlen(rule->suffix);
	char tmp[256];

	last = last ? last + 1 : path;
	n = strlen(last);
	if (n >= plen && strncmp(last, rule->prefix, plen) == 0) {
		last += plen;
		n -= plen;
	}
	if (n >= slen && strcmp(last + n - slen, rule->suffix) == 0)
		n -= slen;
	if (n >= sizeof tmp)
		n = sizeof tmp - 1;
	memcpy(tmp, last, n);
	tmp[n] = '\0';
	if (rule->flags & NAME_UNESCAPE)
		discover_unescape(tmp);
	if (rule->flags & NAME_QEMU) {
		/* "qemu-3-vm1": libvirt prefixes the domain with its ID. */
		char *p = tmp;

		if (strncmp(p, "qemu-", 5) == 0)
			p += 5;
		if (*p >= '0' && *p <= '9') {
			char *q = p + strspn(p, "0123456789");

			if (*q == '-' && q[1] != '\0')
				p = q + 1;
		}
		memmove(tmp, p, strlen(p) + 1);
	}
	if (rule->flags & NAME_AFTER_POD) {
		char *p = strstr(tmp, "pod"), *q;

		while (p != NULL && (q = strstr(p + 3, "pod")) != NULL)
			p = q;
		if (p != NULL && p[3] != '\0')
			memmove(tmp, p + 3, strlen(p + 3) + 1);
		for (p = tmp; *p != '\0'; p++)
			if (*p == '_')
				*p = '-';
	}
	if ((rule->flags & NAME_SHORT_ID) && strlen(tmp) > 12 &&
	    strspn(tmp, "0123456789abcdef") >= 12)
		tmp[12] = '\0';
	if (tmp[0] == '\0')
		snprintf(tmp, sizeof tmp, "%s", last);
	snprintf(name, len, "%s", tmp);
}

/* A Virtuozzo CTID as the last component of path: a legacy numeric ID
 * (1 to 10 digits) or a UUID (8-4-4-4-12 hex digits). */
static int
discover_ctid_ok(const char *path)
{
	const char *last = strrchr(path, '/');
	size_t len, digits;

	last = last != NULL ? last + 1 : path;
	len = strlen(last);
	digits = strspn(last, "0123456789");
	if (digits == len)
		return len >= 1 && len <= 10;
	if (len != 36)
		return 0;
	for (size_t i = 0; i < len; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? last[i] != '-' : strchr("0123456789abcdefABCDEF", last[i]) == NULL ||
		    last[i] == '\0')
			return 0;
	}
	return 1;
}

int
discover_match(const struct discover *d, const char *path, const char **ret_runtime,
    char *name, size_t namelen)
{
	size_t i;

	for (i = 0; i < d->nglobs; i++)
		if (fnmatch(d->globs[i], path, FNM_PATHNAME) == 0 &&
		    (strcmp(d->globs[i], DISCOVER_VZ_GLOB) != 0 || discover_ctid_ok(path)))
			break;
	if (i == d->nglobs)
		return 0;
	for (i = 0; i < DISCOVER_NBUILTIN; i++) {
		const struct discover_rule *rule = &discover_builtin[i];

		if ((rule->flags & RULE_CTID) && !discover_ctid_ok(path))
			continue;
		if (fnmatch(rule->glob, path, FNM_PATHNAME) == 0) {
			*ret_runtime = rule->runtime;
			discover_name(rule, path, name, namelen);
			return 1;
		}
	}
	{
		static const struct discover_rule plain = { "", "cgroup", "", "", 0 };

		*ret_runtime = plain.runtime;
		discover_name(&plain, path, name, namelen);
	}
	return 1;
}

/* Each pattern root has budgets of its own (visits and containers), so
 * that a tenant who may create cgroups under one root (a delegated v2
 * subtree) cannot use up the walk before another root is reached. */
struct discover_walk {
	const struct discover *d;
	struct discover_found *found;
	size_t n, cap;
	size_t visits;            /* of this root */
	size_t root_n;            /* w->n when this root's walk began */
	int truncated;
};

static void
discover_walk_dir(struct discover_walk *w, int dirfd, const char *path, int depth)
{
	DIR *dir;
	struct dirent *de;
	int fd;

	if (depth <= 0)
		return;
	/* O_PATH descriptors cannot be read as directories: reopen. */
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;         /* vanished while we walked: normal */
	}
	while ((de = readdir(dir)) != NULL) {
		char child[4096], name[DISCOVER_MAX_NAME];
		const char *runtime;
		int cfd;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (++w->visits > w->d->lim.max_visits) {
			w->truncated = 1;
			break;
		}
		if (snprintf(child, sizeof child, "%s/%s", strcmp(path, "/") == 0 ? "" : path,
		    de->d_name) >= (int)sizeof child)
			continue;
		if (discover_match(w->d, child, &runtime, name, sizeof name)) {
			/* Truncated only when a container is really left out. */
			if (w->n - w->root_n >= w->d->lim.max_containers) {
				w->truncated = 1;
				break;
			}
			if (w->n == w->cap) {
				w->cap = w->cap ? w->cap * 2 : 64;
				w->found = xreallocarray(w->found, w->cap, sizeof *w->found);
			}
			w->found[w->n].path = xstrdup(child);
			w->found[w->n].name = xstrdup(name);
			w->found[w->n].runtime = runtime;
			w->n++;
			continue;       /* never descend into a container */
		}
		if (depth > 1) {
			cfd = openat(dirfd, de->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (cfd < 0)
				continue;
			discover_walk_dir(w, cfd, child, depth - 1);
			close(cfd);
		}
	}
	closedir(dir);
}

static int
discover_found_cmp(const void *a, const void *b)
{
	return strcmp(((const struct discover_found *)a)->path,
	    ((const struct discover_found *)b)->path);
}

int
discover_scan(const struct discover *d, const struct cgfs *fs,
    struct discover_found **ret, size_t *ret_n, int *ret_truncated)
{
	struct discover_walk w = { .d = d };
	size_t out = 0;

	if (fs->ctrl[fs->walk].rootfd < 0)
		return -ENXIO;
	for (size_t i = 0; i < d->nroots; i++) {
		int fd = cgfs_open_dir(fs, fs->walk, d->roots[i].prefix);

		if (fd < 0)
			continue;       /* no /docker on this host: fine */
		w.visits = 0;
		w.root_n = w.n;
		discover_walk_dir(&w, fd, d->roots[i].prefix, d->roots[i].depth);
		close(fd);
	}
	/* Roots can overlap ("/" and "/lxc"): sort and drop duplicates. */
	if (w.n > 1)
		qsort(w.found, w.n, sizeof *w.found, discover_found_cmp);
	for (size_t i = 0; i < w.n; i++) {
		if (out > 0 && strcmp(w.found[out - 1].path, w.found[i].path) == 0) {
			free(w.found[i].path);
			free(w.found[i].name);
			continue;
		}
		w.found[out++] = w.found[i];
	}
	*ret = w.found;
	*ret_n = out;
	if (ret_truncated != NULL)
		*ret_truncated = w.truncated;
	return 0;
}

void
discover_found_free(struct discover_found *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].name);
	}
	free(v);
}

void
discover_print_builtin(FILE *out)
{
	for (size_t i = 0; i < DISCOVER_NBUILTIN; i++)
		fprintf(out, "%-62s %s%s\n", discover_builtin[i].glob, discover_builtin[i].runtime,
		    discover_builtin[i].flags & RULE_OPT_IN ? " (with --containers systemd)" : "");
}

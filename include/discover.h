/* discover.h: which cgroups are containers, what they are called.
 *
 * A container is a cgroup path matched by a pattern: a glob in which '*',
 * '?' and '[...]' never match '/' (fnmatch(3) with FNM_PATHNAME), so each
 * pattern has a fixed depth. That fixed depth is what bounds discovery: the
 * walk never descends below the deepest pattern, never into a cgroup that is
 * already a container (sub-cgroups are the tenant's business: a tenant that
 * creates 100k cgroups inside its container costs cgov nothing), and stops
 * at max_containers and max_visits directories per pattern root (the
 * literal directory a pattern starts from: each root has its own budget,
 * so a flood under one cannot starve another).
 *
 * The built-in patterns recognise the layouts of LXC, Docker, Podman,
 * libvirt/KVM and Kubernetes (cgroupfs and systemd drivers) and give each a
 * runtime kind and a readable name; "systemd" services are recognised only
 * when their pattern is asked for. User patterns (--containers, cgov.conf
 * `containers`) replace the built-in ones; a path they match still gets its
 * runtime and name from a built-in pattern when one also matches it, else
 * runtime "cgroup" and its last component as name.
 */
#ifndef CGOV_DISCOVER_H
#define CGOV_DISCOVER_H

#include <stddef.h>
#include <stdio.h>

#include "cgfs.h"

#define DISCOVER_MAX_NAME 128

struct discover;

struct discover_found {
	char *path;                      /* "/lxc/web1": tenant-controlled */
	char *name;                      /* "web1": tenant-controlled */
	const char *runtime;             /* static string: "lxc", "docker", ... */
};

struct discover_limits {
	size_t max_containers;           /* per pattern root, default 4096 */
	size_t max_visits;               /* directories per root, default 65536 */
};

/* Builds a matcher from user globs (n == 0: the built-in patterns). Globs
 * must be absolute; "systemd" as a glob means the built-in systemd-service
 * patterns. Returns 0 or -EINVAL with a message in err (size errlen). */
int discover_new(const char *const *globs, size_t n, const struct discover_limits *lim,
    struct discover **ret, char *err, size_t errlen);
void discover_free(struct discover *d);

/* Pure matching: does path name a container? On a match returns 1 and
 * fills *ret_runtime (static) and name (size namelen, NUL-terminated);
 * returns 0 otherwise. */
int discover_match(const struct discover *d, const char *path, const char **ret_runtime,
    char *name, size_t namelen);

/* Walks the hierarchy fs->walk and returns the containers found, sorted by
 * path and unique, in *ret (free with discover_found_free). Directories
 * that vanish during the walk are skipped. Returns 0, or -errno when the
 * hierarchy itself cannot be read. *ret_truncated is set when a bound
 * stopped the walk (the caller logs it once): the result is then not the
 * whole set, and a container missing from it may still be there. */
int discover_scan(const struct discover *d, const struct cgfs *fs,
    struct discover_found **ret, size_t *ret_n, int *ret_truncated);
void discover_found_free(struct discover_found *v, size_t n);

/* The built-in patterns, one per line "GLOB RUNTIME", for --help and docs. */
void discover_print_builtin(FILE *out);

#endif

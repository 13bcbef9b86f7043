/* rtname.h: Docker and Podman container names from the runtimes' state files.
 *
 * A Docker or Podman cgroup is named after its container ID; `docker ps`
 * shows the name the operator gave. The runtimes keep it in files cgov may
 * read (never write):
 *   Docker  DOCKER_ROOT/containers/<64-hex id>/config.v2.json, the top-level
 *           "Name" ("/web1");
 *   Podman  STORAGE/overlay-containers/containers.json (containers/storage's
 *           list: [{"id": "<64-hex>", "names": ["web1"], ...}, ...]), with
 *           STORAGE /run/containers/storage or /var/lib/containers/storage.
 *           Podman's own database (bolt or sqlite) is not read.
 * Who can run docker can name a container anything the runtime accepts, and
 * a state file may be half-written, huge or a link: files are opened without
 * following a final link, must be regular and at most RTNAME_MAX_FILE bytes,
 * are parsed by a bounded JSON scanner that looks at top-level keys only (a
 * label called "Name" deep inside is not the name), and a name is taken
 * only when it is what both runtimes allow, [a-zA-Z0-9][a-zA-Z0-9_.-]*,
 * at most 127 bytes; anything else falls back to the short ID.
 */
#ifndef CGOV_RTNAME_H
#define CGOV_RTNAME_H

#include <stddef.h>

#define RTNAME_MAX_FILE (4u << 20)

/* Where the state lives; NULL members (or a NULL struct): the defaults
 * /var/lib/docker, /run/containers/storage, /var/lib/containers/storage.
 * Tests point them at a temporary directory. */
struct rtname_roots {
	const char *docker;
	const char *podman_run;
	const char *podman_lib;
};

/* Pure parsers over a buffer of n bytes (not NUL-terminated).
 * rtname_parse_docker: the top-level "Name" of a config.v2.json, leading
 * '/' dropped. rtname_parse_podman: the first of "names" of the top-level
 * array's object whose "id" is id. Both return 0 with the name in name
 * (size len), -ENOENT when it is not there, -EINVAL when the JSON is
 * malformed or the name is not a valid container name. */
int rtname_parse_docker(const char *buf, size_t n, char *name, size_t len);
int rtname_parse_podman(const char *buf, size_t n, const char *id, char *name, size_t len);

/* The name of the container of runtime ("docker" or "podman") at cgroup
 * path, whose last component holds its 64-hex ID (docker-ID.scope,
 * libpod-ID.scope, /docker/ID). Returns 0 with the name, -ENOENT when the
 * runtime, ID or state file is not there, -EFBIG for a file over
 * RTNAME_MAX_FILE, -EINVAL for content that gives no valid name, other
 * -errno from open/read. Reads at most one file per state directory. */
int rtname_lookup(const struct rtname_roots *roots, const char *runtime, const char *path,
    char *name, size_t len);

#endif

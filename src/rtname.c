/* rtname.c: Docker and Podman names from their state files (rtname.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtname.h"
#include "xmalloc.h"

#define RTNAME_ID_LEN 64
#define RTNAME_NAME_MAX 128    /* with the NUL, as DISCOVER_MAX_NAME */

/* ---- a bounded JSON scanner: top-level keys only, no recursion ---------- */

struct rtname_js {
	const char *p, *end;
};

static void
js_ws(struct rtname_js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
js_peek(struct rtname_js *j)
{
	js_ws(j);
	return j->p < j->end ? (unsigned char)*j->p : -1;
}

/* A string at j->p. Its raw bytes go to out (size outlen) when it has no
 * escape and fits: *ret_plain says so; else *ret_plain is 0 and the string
 * is only skipped. Returns 0 or -EINVAL (no string, unterminated). */
static int
js_string(struct rtname_js *j, char *out, size_t outlen, int *ret_plain)
{
	const char *s;
	int plain = 1;

	if (js_peek(j) != '"')
		return -EINVAL;
	s = ++j->p;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p == '\\') {
			plain = 0;
			if (j->p + 1 >= j->end)
				return -EINVAL;
			j->p++;              /* the escaped byte; \uXXXX's digits are plain */
		}
		j->p++;
	}
	if (j->p >= j->end)
		return -EINVAL;
	if (out != NULL) {
		size_t n = (size_t)(j->p - s);

		if (plain && n < outlen) {
			memcpy(out, s, n);
			out[n] = '\0';
		} else
			plain = 0;
	}
	j->p++;
	if (ret_plain != NULL)
		*ret_plain = plain;
	return 0;
}

/* Skips one value: a string, a number or literal, or a whole object or
 * array (brackets counted, strings skipped). Returns 0 or -EINVAL. */
static int
js_skip(struct rtname_js *j)
{
	int c = js_peek(j);
	size_t depth = 0;

	if (c < 0)
		return -EINVAL;
	if (c == '"')
		return js_string(j, NULL, 0, NULL);
	if (c != '{' && c != '[') {
		const char *s = j->p;

		while (j->p < j->end && strchr(",}] \t\r\n", *j->p) == NULL)
			j->p++;
		return j->p > s ? 0 : -EINVAL;
	}
	while (j->p < j->end) {
		c = (unsigned char)*j->p;
		if (c == '"') {
			if (js_string(j, NULL, 0, NULL) < 0)
				return -EINVAL;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			if (depth == 0)
				return -EINVAL;
			if (--depth == 0) {
				j->p++;
				return 0;
			}
		}
		j->p++;
	}
	return -EINVAL;
}

/* After a member or element: ',' (returns 1), the closing bracket (0), or
 * anything else (-EINVAL). */
static int
js_next(struct rtname_js *j, int close)
{
	int c = js_peek(j);

	if (c == ',') {
		j->p++;
		return 1;
	}
	if (c == close) {
		j->p++;
		return 0;
	}
	return -EINVAL;
}

/* Both runtimes accept [a-zA-Z0-9][a-zA-Z0-9_.-]* as a name. */
static int
rtname_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= RTNAME_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return 0;
	}
	return 1;
}

static int
rtname_take(const char *cand, int plain, char *name, size_t len)
{
	if (!plain || !rtname_valid(cand) || strlen(cand) >= len)
		return -EINVAL;
	snprintf(name, len, "%s", cand);
	return 0;
}

int
rtname_parse_docker(const char *buf, size_t n, char *name, size_t len)
{
	struct rtname_js j = { buf, buf + n };
	char key[16], val[RTNAME_NAME_MAX + 1];
	int plain, r;

	if (js_peek(&j) != '{')
		return -EINVAL;
	j.p++;
	if (js_peek(&j) == '}')
		return -ENOENT;
	do {
		if (js_string(&j, key, sizeof key, &plain) < 0 || js_peek(&j) != ':')
			return -EINVAL;
		j.p++;
		if (plain && strcmp(key, "Name") == 0) {
			if (js_string(&j, val, sizeof val, &plain) < 0)
				return -EINVAL;
			/* Docker stores "/NAME". */
			return rtname_take(val[0] == '/' ? val + 1 : val, plain, name, len);
		}
		if (js_skip(&j) < 0)
			return -EINVAL;
	} while ((r = js_next(&j, '}')) == 1);
	return r < 0 ? -EINVAL : -ENOENT;
}

/* One object of containers.json: *ret_match when its "id" is id, the first
 * of its "names" in cand (plain: *ret_plain). */
static int
rtname_podman_object(struct rtname_js *j, const char *id, int *ret_match, char *cand,
    size_t candlen, int *ret_plain)
{
	char key[16], val[RTNAME_ID_LEN + 2];
	int plain, r;

	*ret_match = 0;
	*ret_plain = 1;                      /* no name yet: cand stays "" */
	cand[0] = '\0';
	j->p++;                              /* '{' */
	if (js_peek(j) == '}') {
		j->p++;
		return 0;
	}
	do {
		if (js_string(j, key, sizeof key, &plain) < 0 || js_peek(j) != ':')
			return -EINVAL;
		j->p++;
		if (plain && strcmp(key, "id") == 0) {
			if (js_string(j, val, sizeof val, &plain) < 0)
				return -EINVAL;
			*ret_match = plain && strcmp(val, id) == 0;
		} else if (plain && strcmp(key, "names") == 0 && js_peek(j) == '[') {
			j->p++;
			if (js_peek(j) == ']')
				j->p++;
			else {
				int first = 1;

				do {
					if (first) {
						if (js_string(j, cand, candlen, ret_plain) < 0)
							return -EINVAL;
						first = 0;
					} else if (js_skip(j) < 0)
						return -EINVAL;
				} while ((r = js_next(j, ']')) == 1);
				if (r < 0)
					return -EINVAL;
			}
		} else if (js_skip(j) < 0)
			return -EINVAL;
	} while ((r = js_next(j, '}')) == 1);
	return r < 0 ? -EINVAL : 0;
}

int
rtname_parse_podman(const char *buf, size_t n, const char *id, char *name, size_t len)
{
	struct rtname_js j = { buf, buf + n };
	char cand[RTNAME_NAME_MAX + 1];
	int match, plain, r;

	if (js_peek(&j) != '[')
		return -EINVAL;
	j.p++;
	if (js_peek(&j) == ']')
		return -ENOENT;
	do {
		if (js_peek(&j) != '{') {
			if (js_skip(&j) < 0)
				return -EINVAL;
			continue;
		}
		if (rtname_podman_object(&j, id, &match, cand, sizeof cand, &plain) < 0)
			return -EINVAL;
		if (match)
			return cand[0] == '\0' && plain ? -ENOENT : rtname_take(cand, plain, name, len);
	} while ((r = js_next(&j, ']')) == 1);
	return r < 0 ? -EINVAL : -ENOENT;
}

/* ---- the files ----------------------------------------------------------------- */

/* The whole of a regular file of at most RTNAME_MAX_FILE bytes, not
 * through a final link. Returns 0 with *ret (free it) and *ret_n, or
 * -errno (-EFBIG when larger, -EINVAL when not a regular file). */
static int
rtname_read(const char *path, char **ret, size_t *ret_n)
{
	struct stat sb;
	size_t n = 0, cap;
	char *buf;
	int fd, r = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)) < 0)
		return errno == ELOOP ? -EINVAL : -errno;
	if (fstat(fd, &sb) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (sb.st_size > (off_t)RTNAME_MAX_FILE) {
		close(fd);
		return -EFBIG;
	}
	/* Room for a file that grows while read, up to one byte past the cap:
	 * a file that grew past it shows. */
	cap = (size_t)sb.st_size + 4096;
	if (cap > RTNAME_MAX_FILE + 1)
		cap = RTNAME_MAX_FILE + 1;
	buf = xmalloc(cap);
	while (n < cap) {
		ssize_t k = read(fd, buf + n, cap - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			break;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	if (r == 0 && n > RTNAME_MAX_FILE)
		r = -EFBIG;
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	*ret_n = n;
	return 0;
}

/* The 64-hex ID in the last component of path: "docker-ID.scope",
 * "libpod-ID.scope", "libpod-ID", "ID". Returns 0 or -ENOENT. */
static int
rtname_id(const char *path, char id[RTNAME_ID_LEN + 1])
{
	const char *last = strrchr(path, '/');
	size_t n;

	last = last != NULL ? last + 1 : path;
	if (strncmp(last, "docker-", 7) == 0)
		last += 7;
	else if (strncmp(last, "libpod-", 7) == 0)
		last += 7;
	n = strlen(last);
	if (n > 6 && strcmp(last + n - 6, ".scope") == 0)
		n -= 6;
	if (n != RTNAME_ID_LEN || strspn(last, "0123456789abcdef") < RTNAME_ID_LEN)
		return -ENOENT;
	memcpy(id, last, RTNAME_ID_LEN);
	id[RTNAME_ID_LEN] = '\0';
	return 0;
}

static int
rtname_from_file(const char *file, const char *id, char *name, size_t len)
{
	char *buf;
	size_t n;
	int r;

	if ((r = rtname_read(file, &buf, &n)) < 0)
		return r;
	r = id == NULL ? rtname_parse_docker(buf, n, name, len) :
	    rtname_parse_podman(buf, n, id, name, len);
	free(buf);
	return r;
}

int
rtname_lookup(const struct rtname_roots *roots, const char *runtime, const char *path,
    char *name, size_t len)
{
	static const struct rtname_roots defaults = {
		"/var/lib/docker", "/run/containers/storage", "/var/lib/containers/storage",
	};
	char id[RTNAME_ID_LEN + 1], file[4096];
	int r;

	if (roots == NULL)
		roots = &defaults;
	if (rtname_id(path, id) < 0)
		return -ENOENT;
	if (strcmp(runtime, "docker") == 0) {
		if (snprintf(file, sizeof file, "%s/containers/%s/config.v2.json",
		    roots->docker ? roots->docker : defaults.docker, id) >= (int)sizeof file)
			return -ENAMETOOLONG;
		return rtname_from_file(file, NULL, name, len);
	}
	if (strcmp(runtime, "podman") != 0)
		return -ENOENT;
	r = -ENOENT;
	for (int i = 0; i < 2; i++) {
		const char *root = i == 0 ? (roots->podman_run ? roots->podman_run : defaults.podman_run) :
		    (roots->podman_lib ? roots->podman_lib : defaults.podman_lib);
		int k;

		if (snprintf(file, sizeof file, "%s/overlay-containers/containers.json", root) >=
		    (int)sizeof file)
			continue;
		k = rtname_from_file(file, id, name, len);
		if (k == 0)
			return 0;
		if (r == -ENOENT)
			r = k;           /* the first real failure is the one reported */
	}
	return r;
}

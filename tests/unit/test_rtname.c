/* test_rtname.c: Docker and Podman names from made-up state files, hostile
 * ones included: a "Name" label nested in the config, escapes, names the
 * runtimes would refuse, truncated JSON, links, oversized files. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "rtname.h"

#define ID1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static int
docker(const char *json, char *name)
{
	return rtname_parse_docker(json, strlen(json), name, 128);
}

static int
podman(const char *json, const char *id, char *name)
{
	return rtname_parse_podman(json, strlen(json), id, name, 128);
}

static void
test_parse_docker(void **state)
{
	char name[128];
	const char *nested = "{\"State\":{\"Running\":true},\"Config\":{\"Labels\":"
	    "{\"Name\":\"evil\",\"x\":\"}\\\"Name\\\":\"},\"Env\":[\"A=[{\"]},"
	    "\"ID\":\"" ID1 "\",\"Name\":\"/web-1.prod_a\",\"Driver\":\"overlay2\"}";

	assert_int_equal(docker(nested, name), 0);
	assert_string_equal(name, "web-1.prod_a");
	assert_int_equal(docker(" {\n \"Name\" : \"db\" } ", name), 0);
	assert_string_equal(name, "db");
	assert_int_equal(docker("{\"ID\":\"x\"}", name), -ENOENT);
	assert_int_equal(docker("{}", name), -ENOENT);
	/* Only what the runtime itself accepts. */
	assert_int_equal(docker("{\"Name\":\"/we\\u001b[31mb\"}", name), -EINVAL);
	assert_int_equal(docker("{\"Name\":\"/a b\"}", name), -EINVAL);
	assert_int_equal(docker("{\"Name\":\"/-x\"}", name), -EINVAL);
	assert_int_equal(docker("{\"Name\":\"/\"}", name), -EINVAL);
	assert_int_equal(docker("{\"Name\":\"/<script>\"}", name), -EINVAL);
	assert_int_equal(docker("{\"Name\":42}", name), -EINVAL);
	/* Truncated or broken files. */
	assert_int_equal(docker("{\"State\":{\"Running\":tr", name), -EINVAL);
	assert_int_equal(docker("{\"Name\":\"/web", name), -EINVAL);
	assert_int_equal(docker("{\"Name\":\"/web\\", name), -EINVAL);
	assert_int_equal(docker("[\"Name\",\"x\"]", name), -EINVAL);
	assert_int_equal(docker("", name), -EINVAL);
	{
		/* 200 characters: longer than a name may be here. */
		char buf[300];

		snprintf(buf, sizeof buf, "{\"Name\":\"/%0200d\"}", 7);
		assert_int_equal(docker(buf, name), -EINVAL);
	}
	/* The output buffer bounds the copy. */
	assert_int_equal(rtname_parse_docker("{\"Name\":\"/abcdef\"}", 18, name, 4), -EINVAL);
}

static void
test_parse_podman(void **state)
{
	char name[128];
	const char *list = "[{\"id\":\"" ID2 "\",\"names\":[\"other\"],\"metadata\":"
	    "\"{\\\"id\\\":\\\"" ID1 "\\\"}\"},"
	    "{\"names\":[\"api\",\"api-alias\"],\"image\":\"x\",\"id\":\"" ID1 "\","
	    "\"flags\":{\"MountLabel\":\"\"}}]";

	assert_int_equal(podman(list, ID1, name), 0);
	assert_string_equal(name, "api");
	assert_int_equal(podman(list, ID2, name), 0);
	assert_string_equal(name, "other");
	assert_int_equal(podman(list, "0000000000000000000000000000000000000000000000000000000000000000",
	    name), -ENOENT);
	assert_int_equal(podman("[]", ID1, name), -ENOENT);
	assert_int_equal(podman("[{\"id\":\"" ID1 "\",\"names\":[]}]", ID1, name), -ENOENT);
	assert_int_equal(podman("[{\"id\":\"" ID1 "\",\"names\":[\"a;rm -rf\"]}]", ID1, name),
	    -EINVAL);
	assert_int_equal(podman("[{\"id\":\"" ID1 "\",\"names\":[\"a\\nb\"]}]", ID1, name), -EINVAL);
	assert_int_equal(podman("[{\"id\":\"" ID1 "\",\"names\":[\"ok\"]", ID1, name), -EINVAL);
	assert_int_equal(podman("{\"id\":\"" ID1 "\"}", ID1, name), -EINVAL);
}

/* ---- files under a temporary root ---------------------------------------------- */

static char root[64];

static void
put(const char *rel, const char *content)
{
	char path[512], dir[512], *slash;
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", root, rel);
	snprintf(dir, sizeof dir, "%s", path);
	for (slash = dir + strlen(root) + 1; (slash = strchr(slash, '/')) != NULL; slash++) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	assert_non_null(fp = fopen(path, "w"));
	fputs(content, fp);
	fclose(fp);
}

static int
setup(void **state)
{
	snprintf(root, sizeof root, "/tmp/cgov-rtname.XXXXXX");
	return mkdtemp(root) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_lookup(void **state)
{
	char name[128], d[256], pr[256], pl[256], big[256];
	struct rtname_roots roots;
	int fd;

	snprintf(d, sizeof d, "%s/docker", root);
	snprintf(pr, sizeof pr, "%s/run", root);
	snprintf(pl, sizeof pl, "%s/lib", root);
	roots = (struct rtname_roots){ d, pr, pl };
	put("docker/containers/" ID1 "/config.v2.json", "{\"ID\":\"" ID1 "\",\"Name\":\"/web1\"}");
	put("lib/overlay-containers/containers.json",
	    "[{\"id\":\"" ID2 "\",\"names\":[\"pod-api\"]}]");
	put("run/overlay-containers/containers.json", "[]");

	assert_int_equal(rtname_lookup(&roots, "docker", "/docker/" ID1, name, sizeof name), 0);
	assert_string_equal(name, "web1");
	assert_int_equal(rtname_lookup(&roots, "docker", "/system.slice/docker-" ID1 ".scope",
	    name, sizeof name), 0);
	assert_string_equal(name, "web1");
	/* Podman: not in /run's list, found in /var/lib's. */
	assert_int_equal(rtname_lookup(&roots, "podman", "/machine.slice/libpod-" ID2 ".scope",
	    name, sizeof name), 0);
	assert_string_equal(name, "pod-api");
	/* No state file, no ID, another runtime. */
	assert_int_equal(rtname_lookup(&roots, "docker", "/docker/" ID2, name, sizeof name), -ENOENT);
	assert_int_equal(rtname_lookup(&roots, "docker", "/docker/0123456789ab", name, sizeof name),
	    -ENOENT);
	assert_int_equal(rtname_lookup(&roots, "docker", "/docker/../../etc/passwd", name,
	    sizeof name), -ENOENT);
	assert_int_equal(rtname_lookup(&roots, "lxc", "/lxc/" ID1, name, sizeof name), -ENOENT);
	assert_int_equal(rtname_lookup(&roots, "podman", "/machine.slice/libpod-" ID1 ".scope",
	    name, sizeof name), -ENOENT);

	/* A link is not followed; a directory is not a file. */
	put("elsewhere/config.v2.json", "{\"Name\":\"/linked\"}");
	snprintf(big, sizeof big, "%s/docker/containers/" ID2, root);
	assert_int_equal(mkdir(big, 0755), 0);
	snprintf(big, sizeof big, "%s/docker/containers/" ID2 "/config.v2.json", root);
	snprintf(d, sizeof d, "%s/elsewhere/config.v2.json", root);
	assert_int_equal(symlink(d, big), 0);
	snprintf(d, sizeof d, "%s/docker", root);
	assert_int_equal(rtname_lookup(&roots, "docker", "/docker/" ID2, name, sizeof name), -EINVAL);
	unlink(big);
	assert_int_equal(mkdir(big, 0755), 0);
	assert_int_equal(rtname_lookup(&roots, "docker", "/docker/" ID2, name, sizeof name), -EINVAL);
	rmdir(big);

	/* Over the size cap (sparse: no disk used). */
	assert_true((fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0);
	assert_int_equal(ftruncate(fd, (off_t)RTNAME_MAX_FILE + 1), 0);
	close(fd);
	assert_int_equal(rtname_lookup(&roots, "docker", "/docker/" ID2, name, sizeof name), -EFBIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_docker),
		cmocka_unit_test(test_parse_podman),
		cmocka_unit_test(test_lookup),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

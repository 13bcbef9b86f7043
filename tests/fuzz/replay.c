/* replay.c: the make-check driver of the fuzz targets (replay.h). */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "replay.h"

static size_t replay_count;
static uint64_t replay_rng = 0x9e3779b97f4a7c15ULL;

static void
replay_one(const uint8_t *data, size_t n)
{
	LLVMFuzzerTestOneInput(data, n);
	replay_count++;
}

size_t
replay_inputs(void)
{
	return replay_count;
}

static size_t
replay_file(const char *path, replay_file_fn fn)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *data;
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0) {
		if (fp)
			fclose(fp);
		return 0;
	}
	rewind(fp);
	data = malloc(n > 0 ? (size_t)n : 1);
	if (data == NULL || fread(data, 1, (size_t)n, fp) != (size_t)n) {
		free(data);
		fclose(fp);
		return 0;
	}
	fclose(fp);
	fn(data, (size_t)n);
	free(data);
	return 1;
}

size_t
replay_dir(const char *dir, replay_file_fn fn)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t files = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			files += replay_dir(path, fn);
		else if (S_ISREG(st.st_mode))
			files += replay_file(path, fn);
	}
	closedir(d);
	return files;
}

void
replay_prefixes(const uint8_t *data, size_t n, size_t max_cuts)
{
	size_t step = max_cuts > 0 && n > max_cuts ? n / max_cuts + 1 : 1;

	for (size_t cut = 0; cut < n; cut += step)
		replay_one(data, cut);
	replay_one(data, n);
}

static size_t
replay_rand(size_t n)
{
	replay_rng ^= replay_rng << 13;
	replay_rng ^= replay_rng >> 7;
	replay_rng ^= replay_rng << 17;
	return n ? (size_t)(replay_rng % n) : 0;
}

void
replay_mutants(const uint8_t *seed, size_t n, size_t count, const char *const *tokens,
    size_t ntokens)
{
	size_t longest = 0;
	uint8_t *buf;

	for (size_t i = 0; i < ntokens; i++)
		if (strlen(tokens[i]) > longest)
			longest = strlen(tokens[i]);
	if (n == 0 || (buf = malloc(2 * n + longest + 64)) == NULL)
		return;
	for (size_t i = 0; i < count; i++) {
		size_t at = replay_rand(n), len = n, span;
		const char *t;

		memcpy(buf, seed, n);
		switch (replay_rand(ntokens > 0 ? 4 : 3)) {
		case 0:
			buf[at] ^= (uint8_t)(1u << replay_rand(8));
			break;
		case 1:
			span = replay_rand(n - at) + 1;
			memmove(buf + at, buf + at + span, n - at - span);
			len = n - span;
			break;
		case 2:
			span = replay_rand(n - at < 64 ? n - at : 64) + 1;
			memmove(buf + at + span, buf + at, n - at);
			len = n + span;
			break;
		default:
			t = tokens[replay_rand(ntokens)];
			memmove(buf + at + strlen(t), buf + at, n - at);
			memcpy(buf + at, t, strlen(t));
			len = n + strlen(t);
			break;
		}
		replay_one(buf, len);
	}
	free(buf);
}

void
replay_strings(const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		replay_one((const uint8_t *)v[i], strlen(v[i]));
}

size_t
replay_corpus(const char *name, replay_file_fn fn)
{
	const char *src = getenv("CGOV_SRCDIR");
	char dir[4096];

	if (src == NULL)
		return 0;
	snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", src, name);
	return replay_dir(dir, fn);
}

/* Every prefix: the corpus files are small. */
static void
replay_all_prefixes(const uint8_t *data, size_t n)
{
	replay_prefixes(data, n, 0);
}

int
replay_main(const char *name, int argc, char **argv)
{
	size_t files;

	if (argc > 1)
		files = replay_dir(argv[1], replay_all_prefixes);
	else
		files = replay_corpus(name, replay_all_prefixes);
	printf("fuzz_%s replay: %zu files, %zu inputs, no crash\n", name, files,
	    replay_inputs());
	if (files == 0)
		fprintf(stderr, "fuzz_%s: no corpus (give a directory or set CGOV_SRCDIR)\n", name);
	return files > 0 ? 0 : 1;
}

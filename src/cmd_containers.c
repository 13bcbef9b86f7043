/* cmd_containers.c: `cgov containers`, what the history knows. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "units.h"

static const struct out_col containers_cols[] = {
	{ "name", "CONTAINER", 0, 32 },
	{ "runtime", "RUNTIME", 0, 0 },
	{ "state", "STATE", 0, 0 },
	{ "first_seen_ms", "FIRST SEEN", 0, 0 },
	{ "last_seen_ms", "LAST SEEN", 0, 0 },
	{ "gone_ms", NULL, 0, 0 },
	{ "path", "PATH", 0, 0 },
};
#define CONTAINERS_NCOLS (sizeof containers_cols / sizeof containers_cols[0])

int
cmd_containers(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_container *v;
	struct store *st;
	struct out *o;
	size_t n;
	int ch, all = 0, r;

	while ((ch = getopt_long(argc, argv, "ah", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			all = 1;
			break;
		case 'h':
			printf("usage: cgov containers [--all] [--format table|json|csv]\n"
			    "Lists the containers cgovd watches; --all adds those that are gone.\n");
			return CMD_OK;
		default:
			if (cmd_common_option(ctx, ch, optarg) == 1)
				break;
			fprintf(stderr, "usage: cgov containers [--all] [--format table|json|csv]\n");
			return CMD_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cgov: containers: unexpected argument \"%s\"\n", argv[optind]);
		return CMD_USAGE;
	}
	if ((st = cmd_open_store(ctx)) == NULL)
		return CMD_FAILURE;
	if ((r = store_query_containers(st, &v, &n)) < 0) {
		fprintf(stderr, "cgov: containers: query failed: %s\n", strerror(-r));
		store_close(st);
		return CMD_FAILURE;
	}
	o = out_new(ctx->format, containers_cols, CONTAINERS_NCOLS);
	for (size_t i = 0; i < n; i++) {
		if (!all && v[i].gone_ms != STORE_NULL)
			continue;
		out_str(o, v[i].name);
		out_str(o, v[i].runtime);
		out_str(o, v[i].gone_ms == STORE_NULL ? "present" : "gone");
		out_time(o, v[i].first_seen_ms, "-");
		out_time(o, v[i].last_seen_ms, "-");
		out_time(o, v[i].gone_ms, "-");
		out_str(o, v[i].path);
	}
	if (ctx->format == OUT_JSON) {
		fputs("{\"containers\": ", stdout);
		out_print(o, stdout);
		fputs("}\n", stdout);
	} else
		out_print(o, stdout);
	out_free(o);
	store_containers_free(v, n);
	store_close(st);
	return CMD_OK;
}

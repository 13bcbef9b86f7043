/* cgov.c: the command-line interface: global options and dispatch. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"

#ifndef CGOV_LOCALSTATEDIR
#define CGOV_LOCALSTATEDIR "/var/lib/cgov"
#endif

static const struct {
	const char *name;
	int (*fn)(struct cmd_ctx *, int, char **);
	const char *summary;
} commands[] = {
	{ "top", cmd_top, "containers ranked by a resource, now or over a window" },
	{ "containers", cmd_containers, "containers known to the history" },
	{ "history", cmd_history, "one container's metric over time, with a sparkline" },
	{ "report", cmd_report, "the capacity report of a period (text, JSON, CSV, HTML)" },
	{ "actions", cmd_actions, "the journal of governing actions and their reasons" },
	{ "policy", cmd_policy, "check a policy set, explain it for one container, replay it on history" },
	{ "status", cmd_status, "is cgovd running, what it governs, actions in force" },
	{ "audit", cmd_audit, "the hardening checklist of the live containers, with severities" },
	{ "sql", cmd_sql, "a read-only SQL query on the history (views included)" },
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: cgov [--db FILE] [--format table|json|csv] COMMAND [options]\n\n"
	    "commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n--db defaults to " CGOV_LOCALSTATEDIR "/cgov.db.\n"
	    "'cgov COMMAND --help' describes a command; cgov(1) has it all.\n");
}

struct store *
cmd_open_store(const struct cmd_ctx *ctx)
{
	struct store *st;
	int r = store_open(ctx->db, STORE_RDONLY, &st);

	if (r < 0) {
		fprintf(stderr, "cgov: cannot open database %s: %s%s\n", ctx->db, strerror(-r),
		    r == -ENOENT ? " (is cgovd running? see --db)" : "");
		return NULL;
	}
	return st;
}

int
cmd_common_option(struct cmd_ctx *ctx, int ch, const char *arg)
{
	switch (ch) {
	case 'D':
		ctx->db = arg;
		return 1;
	case 'F':
		if (out_parse_format(arg, &ctx->format) < 0) {
			fprintf(stderr, "cgov: unknown format \"%s\" (table, json, csv)\n", arg);
			return -1;
		}
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmd_ctx ctx = { .db = CGOV_LOCALSTATEDIR "/cgov.db", .format = OUT_TABLE };
	int ch;

	log_init("cgov", 0, LOG_LEVEL_WARN);
	/* "+": stop at the command; its options are its own. */
	while ((ch = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return CMD_OK;
		case 'V':
			printf("cgov %s\n", PACKAGE_VERSION);
			return CMD_OK;
		default:
			if (cmd_common_option(&ctx, ch, optarg) == 1)
				break;
			if (ch != '?' && ch != 'D' && ch != 'F')
				fprintf(stderr, "cgov: bad option\n");
			usage(stderr);
			return CMD_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CMD_USAGE;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			char **sub = argv + optind;
			int subc = argc - optind;

			/* The command parses its own argv. 0, not 1: glibc then
			 * starts afresh, so options may follow arguments again
			 * (the "+" of the top level is not inherited). */
			optind = 0;
			return commands[i].fn(&ctx, subc, sub);
		}
	}
	fprintf(stderr, "cgov: unknown command \"%s\"\n", argv[optind]);
	usage(stderr);
	return CMD_USAGE;
}

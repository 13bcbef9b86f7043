/* cmd_policy.c: `cgov policy check|explain|simulate`. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cgfs.h"
#include "cmd.h"
#include "policy.h"

static void
policy_usage(FILE *out)
{
	fprintf(out,
"usage: cgov policy check [--cgroup-version 1|2] PATH...\n"
"       cgov policy explain CONTAINER\n"
"       cgov policy simulate [--policies PATH] [--since DURATION] [--resolution raw|1m|1h]\n"
"check: parse and check policy files (a PATH is a file, or a directory whose\n"
"*.policy files are read in name order) as cgovd would load them together;\n"
"exit 0 when there is no error (warnings allowed), 2 otherwise.\n"
"--cgroup-version: check for a v1 or v2 host (default: this host's).\n");
}

/* The host's cgroup version as the governor sees it: the memory
 * controller's (hybrid hosts mix both); 0 when it cannot be told. */
static int
policy_host_version(void)
{
	struct cgfs *fs;
	int v;

	if (cgfs_open_host(&fs) < 0)
		return 0;
	v = fs->ctrl[CG_MEMORY].version;
	if (v == 0)
		v = fs->layout == CGFS_V2 ? 2 : 1;
	cgfs_close(fs);
	return v;
}

static int
policy_check_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup-version", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct policy_set *set = NULL;
	struct pol_diags d = { 0 };
	size_t nrules = 0;
	int ch, version = -1, rc;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'v':
			if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0) {
				fprintf(stderr, "cgov: policy check: --cgroup-version takes 1 or 2, "
				    "not \"%s\"\n", optarg);
				return CMD_USAGE;
			}
			version = optarg[0] - '0';
			break;
		case 'h':
			policy_usage(stdout);
			return CMD_OK;
		default:
			policy_usage(stderr);
			return CMD_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "cgov: policy check: which files? (a PATH is a file or a "
		    "directory)\n");
		policy_usage(stderr);
		return CMD_USAGE;
	}
	if (version < 0)
		version = policy_host_version();
	for (int i = optind; i < argc; i++)
		policy_parse_path(argv[i], &set, &d);
	/* The checks run on a clean parse only: on a broken one they would
	 * mostly echo what the parser already said. */
	if (d.nerrors == 0)
		policy_check(set, version, &d);
	pol_diags_print(&d, stdout);
	if (d.nerrors > 0) {
		printf("%zu error(s)\n", d.nerrors);
		rc = CMD_USAGE;
	} else {
		for (size_t i = 0; i < set->n; i++)
			nrules += set->v[i].nrules;
		printf("policies OK: %zu policies, %zu rules, %zu files\n", set->n, nrules,
		    set->nfiles);
		rc = CMD_OK;
	}
	pol_diags_free(&d);
	policy_set_free(set);
	return rc;
}

int
cmd_policy(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc < 2) {
		policy_usage(stderr);
		return CMD_USAGE;
	}
	if (strcmp(argv[1], "check") == 0)
		return policy_check_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "explain") == 0)
		return cmd_policy_explain(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "simulate") == 0)
		return cmd_policy_simulate(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		policy_usage(stdout);
		return CMD_OK;
	}
	fprintf(stderr, "cgov: policy: unknown subcommand \"%s\" (check, explain, simulate)\n",
	    argv[1]);
	policy_usage(stderr);
	return CMD_USAGE;
}

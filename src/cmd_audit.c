/* cmd_audit.c: `cgov audit`, the hardening checklist of the live host's
 * containers (audit.h), with an exit status for scripts. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cgfs.h"
#include "cmd.h"
#include "discover.h"
#include "escape.h"
#include "policy.h"
#include "xmalloc.h"

#ifndef CGOV_SYSCONFDIR
#define CGOV_SYSCONFDIR "/etc/cgov"
#endif

#define AUDIT_NCOLS audit_ncols

static const char audit_usage[] =
"usage: cgov audit [--containers GLOB]... [--policies PATH] [--min-severity LEVEL]\n"
"                  [--format table|json|csv]\n";

int
cmd_audit(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "containers", required_argument, NULL, 'c' },
		{ "policies", required_argument, NULL, 'P' },
		{ "min-severity", required_argument, NULL, 'm' },
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char **globs = NULL;
	size_t nglobs = 0, nfound = 0, shown = 0;
	const char *policies = NULL;
	enum audit_sev min = AS_INFO;
	int have_min = 0, ch, r, rc = CMD_FAILURE, truncated = 0;
	struct discover *d = NULL;
	struct discover_found *found = NULL;
	struct audit_target *t = NULL;
	struct audit_result res = { 0 };
	struct audit_opts ao = { 0 };
	struct policy_set *ps = NULL;
	struct pol_diags diags = { 0 };
	struct cgfs *fs = NULL;
	struct out *o;
	char err[256];

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			globs = xreallocarray(globs, nglobs + 1, sizeof *globs);
			globs[nglobs++] = optarg;
			break;
		case 'P':
			policies = optarg;
			break;
		case 'm':
			if (audit_sev_parse(optarg, &min) < 0) {
				fprintf(stderr, "cgov: audit: unknown severity \"%s\" (info, low, "
				    "medium, high, critical)\n", escape_log(0, optarg));
				free(globs);
				return CMD_USAGE;
			}
			have_min = 1;
			break;
		case 'h':
			printf("%s", audit_usage);
			printf("The hardening checklist of each container of the live host "
			    "(built-in patterns,\nor --containers): devices, limits, JVM swap, "
			    "capabilities, user namespace,\n/proc and /sys, I/O schedulers. "
			    "With --min-severity, only findings at or\nabove LEVEL are listed and "
			    "the exit status is 1 when there is one. See cgov(1).\n");
			free(globs);
			return CMD_OK;
		default:
			if (cmd_common_option(ctx, ch, optarg) == 1)
				break;
			fprintf(stderr, "%s", audit_usage);
			free(globs);
			return CMD_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cgov: audit: unexpected argument \"%s\"\n",
		    escape_log(0, argv[optind]));
		free(globs);
		return CMD_USAGE;
	}
	if (discover_new(globs, nglobs, NULL, &d, err, sizeof err) < 0) {
		fprintf(stderr, "cgov: audit: %s\n", err);
		free(globs);
		return CMD_USAGE;
	}
	/* The policies say which tenants are critical (cpu-shares-default).
	 * An explicit path must load; the default one is used when present. */
	if (policies == NULL) {
		struct stat sb;

		if (stat(CGOV_SYSCONFDIR "/policies.d", &sb) == 0)
			policies = CGOV_SYSCONFDIR "/policies.d";
	}
	if (policies != NULL && policy_load(policies, 0, &diags, &ps) < 0) {
		pol_diags_print(&diags, stderr);
		fprintf(stderr, "cgov: audit: %s cannot be loaded\n", escape_log(0, policies));
		rc = CMD_USAGE;
		goto out;
	}
	if ((r = cgfs_open_host(&fs)) < 0) {
		fprintf(stderr, "cgov: audit: no cgroup hierarchy to read: %s\n", strerror(-r));
		goto out;
	}
	if ((r = discover_scan(d, fs, &found, &nfound, &truncated)) < 0) {
		fprintf(stderr, "cgov: audit: cannot walk %s: %s\n",
		    cgfs_ctrl_name(fs, fs->walk), strerror(-r));
		goto out;
	}
	if (truncated)
		fprintf(stderr, "cgov: audit: discovery stopped at its bound: some containers "
		    "are not audited\n");
	t = xcalloc(nfound ? nfound : 1, sizeof *t);
	for (size_t i = 0; i < nfound; i++) {
		t[i].path = found[i].path;
		t[i].name = found[i].name;
		t[i].runtime = found[i].runtime;
	}
	ao.ps = ps;
	audit_run(fs, t, nfound, &ao, &res);

	o = out_new(ctx->format, audit_cols, AUDIT_NCOLS);
	for (size_t i = 0; i < res.n; i++) {
		const struct audit_finding *f = &res.v[i];

		if (f->sev < min)
			continue;
		shown++;
		audit_finding_row(o, f);
	}
	if (ctx->format == OUT_JSON) {
		printf("{\"containers_audited\": %zu, \"min_severity\": \"%s\", \"counts\": {",
		    res.ncontainers, audit_sev_name(min));
		for (int s = 0; s < AS__MAX; s++)
			printf("%s\"%s\": %zu", s ? ", " : "", audit_sev_name((enum audit_sev)s),
			    res.count[s]);
		printf("}, \"findings\": ");
		out_print(o, stdout);
		printf("}\n");
	} else {
		out_print(o, stdout);
		if (ctx->format == OUT_TABLE) {
			printf("\n%zu container%s audited:", res.ncontainers,
			    res.ncontainers == 1 ? "" : "s");
			for (int s = AS__MAX - 1; s >= 0; s--)
				printf(" %zu %s%s", res.count[s], audit_sev_name((enum audit_sev)s),
				    s ? "," : "");
			printf("%s\n", min > AS_INFO ? " (listed: those at or above the minimum)" : "");
		}
	}
	out_free(o);
	rc = have_min && shown > 0 ? CMD_FAILURE : CMD_OK;
out:
	audit_result_free(&res);
	free(t);
	discover_found_free(found, nfound);
	discover_free(d);
	cgfs_close(fs);
	policy_set_free(ps);
	pol_diags_free(&diags);
	free(globs);
	return rc;
}

/* cmd_report.c: `cgov report`, the nightly capacity report. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cgfs.h"
#include "cmd.h"
#include "escape.h"
#include "fsafe.h"
#include "journal.h"
#include "policy.h"
#include "report.h"
#include "units.h"
#include "xmalloc.h"

enum report_fmt { RF_TEXT, RF_JSON, RF_CSV, RF_HTML };

static const char report_usage[] =
"usage: cgov report [--since DURATION] [--format text|json|csv|html] [-o FILE]\n"
"                   [--top N] [--root DIR] [--no-audit]\n";

static int
report_render(const struct report *r, enum report_fmt f, FILE *out)
{
	switch (f) {
	case RF_TEXT:
		return report_text(r, out);
	case RF_JSON:
		return report_json(r, out);
	case RF_CSV:
		return report_csv(r, out);
	case RF_HTML:
		return report_html(r, out);
	}
	return -EINVAL;
}

/*
 * -o FILE: written to a temporary file beside it, then renamed over it,
 * so a cron job or a web server reading FILE never sees half a report.
 * The report names every tenant: mode 0640 (less the umask), as the
 * history itself. A FILE that exists and is not a regular file
 * (/dev/null, a pipe, a terminal) is written in place: renaming over
 * /dev/null would replace the device with a report. Only in a directory
 * no one else can write (fsafe.h): elsewhere a link planted as FILE would
 * have root write into whatever device it names.
 */
static int
report_write_file(const struct report *r, enum report_fmt f, const char *path)
{
	struct stat sb;
	char *tmp;
	FILE *fp;
	mode_t um;
	int fd, e;

	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		if ((e = fsafe_check_dir(path)) < 0)
			return e;
		if ((fp = fopen(path, "we")) == NULL)
			return -errno;
		e = report_render(r, f, fp);
		if (fclose(fp) != 0 && e == 0)
			e = -errno;
		return e;
	}
	tmp = xasprintf("%s.tmp.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		e = -errno;
		free(tmp);
		return e;
	}
	/* mkstemp makes it 0600: readable by the group too, never by all */
	um = umask(0);
	umask(um);
	(void)fchmod(fd, 0640 & ~um);
	if ((fp = fdopen(fd, "w")) == NULL) {
		e = -errno;
		close(fd);
		goto fail;
	}
	e = report_render(r, f, fp);
	if (e == 0 && fflush(fp) != 0)
		e = -errno;
	if (e == 0 && fsync(fileno(fp)) != 0)
		e = -errno;
	if (fclose(fp) != 0 && e == 0)
		e = -errno;
	if (e == 0 && rename(tmp, path) != 0)
		e = -errno;
	if (e == 0) {
		free(tmp);
		return 0;
	}
fail:
	unlink(tmp);
	free(tmp);
	return e;
}

/*
 * The audit summary: the containers present at the end of the window,
 * audited on the live host, with the policies the daemon that wrote the
 * history loaded (for cpu-shares-default; none when they cannot be read).
 * Only with --root / : another root is a fake host or another machine's,
 * and the live cgroupfs says nothing about it.
 */
static void
report_audit(struct report *r, struct store *st, const char *root, int no_audit)
{
	struct journal_daemon jd = { 0 };
	struct policy_set *ps = NULL;
	struct pol_diags diags = { 0 };
	struct audit_target *t;
	struct audit_opts ao = { 0 };
	struct cgfs *fs;
	size_t n = 0;

	if (no_audit) {
		r->audit_why_not = "--no-audit";
		return;
	}
	if (strcmp(root, "/") != 0) {
		r->audit_why_not = "--root is not /: the audit reads the live host only";
		return;
	}
	if (cgfs_open_host(&fs) < 0) {
		r->audit_why_not = "no cgroup hierarchy to read on this host";
		return;
	}
	if (journal_daemon_get(st, &jd) == 0 && jd.policies != NULL &&
	    policy_load(jd.policies, 0, &diags, &ps) < 0)
		ps = NULL;
	t = xcalloc(r->nctrs ? r->nctrs : 1, sizeof *t);
	for (size_t i = 0; i < r->nctrs; i++) {
		const struct report_ctr *c = &r->ctrs[i];

		if (c->gone_ms != STORE_NULL && c->gone_ms <= r->to_ms)
			continue;
		t[n].path = c->path;
		t[n].name = c->name;
		t[n].runtime = c->runtime;
		n++;
	}
	ao.ps = ps;
	r->audit = xcalloc(1, sizeof *r->audit);
	audit_run(fs, t, n, &ao, r->audit);
	free(t);
	cgfs_close(fs);
	policy_set_free(ps);
	pol_diags_free(&diags);
	journal_daemon_clear(&jd);
}

int
cmd_report(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "top", required_argument, NULL, 'n' },
		{ "root", required_argument, NULL, 'r' },
		{ "no-audit", no_argument, NULL, 'A' },
		{ "db", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct report_opts o = { .since_ms = 86400000, .top = 5, .root = "/" };
	enum report_fmt fmt = ctx->format == OUT_JSON ? RF_JSON :
	    ctx->format == OUT_CSV ? RF_CSV : RF_TEXT;
	const char *file = NULL;
	struct report *r;
	struct store *st;
	uint64_t since;
	int ch, e, no_audit = 0;

	while ((ch = getopt_long(argc, argv, "s:f:o:n:r:h", opts, NULL)) != -1) {
		char *end;
		long long l;

		switch (ch) {
		case 's':
			if (units_parse_duration(optarg, &since) < 0 || since == 0 ||
			    since > (uint64_t)100 * 365 * 86400000) {
				fprintf(stderr, "cgov: report: bad duration \"%s\" for --since "
				    "(e.g. 24h, 7d, 30d)\n", escape_log(0, optarg));
				return CMD_USAGE;
			}
			o.since_ms = (int64_t)since;
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0 || strcmp(optarg, "table") == 0)
				fmt = RF_TEXT;
			else if (strcmp(optarg, "json") == 0)
				fmt = RF_JSON;
			else if (strcmp(optarg, "csv") == 0)
				fmt = RF_CSV;
			else if (strcmp(optarg, "html") == 0)
				fmt = RF_HTML;
			else {
				fprintf(stderr, "cgov: report: unknown format \"%s\" "
				    "(text, json, csv, html)\n", escape_log(0, optarg));
				return CMD_USAGE;
			}
			break;
		case 'o':
			file = optarg;
			break;
		case 'n':
			errno = 0;
			l = strtoll(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || l < 0 || l > 100000) {
				fprintf(stderr, "cgov: report: --top wants a number (0 or more), "
				    "not \"%s\"\n", escape_log(0, optarg));
				return CMD_USAGE;
			}
			o.top = (size_t)l;
			break;
		case 'r':
			o.root = optarg;
			break;
		case 'A':
			no_audit = 1;
			break;
		case 'h':
			printf("%s", report_usage);
			printf("The capacity report of the window ending at the newest sample "
			    "(default 24h):\nper container, per node, top offenders, cgov's "
			    "actions, host checks\n(I/O schedulers, swap, JVMs, under --root, "
			    "default /), and with --root / the\nsummary of `cgov audit` on the "
			    "containers present (--no-audit: without). See cgov(1).\n");
			return CMD_OK;
		default:
			if (cmd_common_option(ctx, ch, optarg) == 1)
				break;
			fprintf(stderr, "%s", report_usage);
			return CMD_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cgov: report: unexpected argument \"%s\"\n",
		    escape_log(0, argv[optind]));
		return CMD_USAGE;
	}
	if ((st = cmd_open_store(ctx)) == NULL)
		return CMD_FAILURE;
	if ((e = report_build(st, &o, &r)) < 0) {
		fprintf(stderr, "cgov: report: reading the history failed: %s\n", strerror(-e));
		store_close(st);
		return CMD_FAILURE;
	}
	report_audit(r, st, o.root, no_audit);
	store_close(st);
	if (file != NULL)
		e = report_write_file(r, fmt, file);
	else
		e = report_render(r, fmt, stdout);
	if (e < 0)
		fprintf(stderr, "cgov: report: writing %s failed: %s%s\n",
		    file != NULL ? escape_log(0, file) : "the report", strerror(-e),
		    e == -EPERM ? " (not a regular file, in a directory others can write)" : "");
	report_free(r);
	return e < 0 ? CMD_FAILURE : CMD_OK;
}

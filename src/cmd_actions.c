/* cmd_actions.c: `cgov actions`, the journal of governing actions. */
#include "config.h"

#include <sys/sysmacros.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "journal.h"
#include "knob.h"
#include "policy.h"
#include "units.h"

/* The JSON/CSV keys are stable: cgov(1) documents each. */
static const struct out_col actions_cols[] = {
	{ "id", NULL, 1, 0 },
	{ "time_ms", "TIME", 0, 0 },
	{ "name", "CONTAINER", 0, 24 },
	{ "path", NULL, 0, 0 },
	{ "kind", "KIND", 0, 0 },
	{ "knob", "KNOB", 0, 0 },
	{ "dev", "DEV", 0, 0 },
	{ "old", NULL, 0, 0 },
	{ "new", NULL, 0, 0 },
	{ "old_value", NULL, 1, 0 },
	{ "new_value", NULL, 1, 0 },
	{ "change", "CHANGE", 0, 0 },
	{ "policy", "POLICY", 0, 24 },
	{ "rule", "RULE", 0, 24 },
	{ "rung", NULL, 1, 0 },
	{ "dry_run", "DRY", 0, 0 },
	{ "why", "WHY", 0, 56 },
	{ "error", "ERROR", 0, 0 },
	{ "in_force", NULL, 1, 0 },
	{ "restored_ms", "RESTORED", 0, 0 },
};
#define ACTIONS_NCOLS (sizeof actions_cols / sizeof actions_cols[0])

static const char actions_usage[] =
"usage: cgov actions [--since DURATION] [--container NAME|PATH] [--in-force]\n"
"                    [--limit N] [--format table|json|csv]\n";

static int
actions_knob_ok(int k)
{
	return k >= 0 && k < PK__MAX;
}

/* A knob value as text ("4G", "max"), NULL when unknown. */
static const char *
actions_value(int knob, int64_t v, char *buf, size_t len)
{
	if (v == STORE_NULL || !actions_knob_ok(knob))
		return NULL;
	knob_format((enum pol_knob)knob, v, buf, len);
	return buf;
}

/* A knob value as a number: null when unknown or unlimited ("max"), which
 * the `old` and `new` text tell apart. */
static void
actions_raw(struct out *o, int64_t v)
{
	if (v == STORE_NULL || v == POL_MAX)
		out_num(o, NAN, 0, "");
	else
		out_int(o, (long long)v);
}

static int
actions_holds(enum journal_kind k)
{
	return k == JK_APPLY || k == JK_REASSERT;
}

/* On a terminal: what cgov did in yellow, what it gave back in green,
 * kills, OOMs and failures in red (out_color_wanted: never with NO_COLOR). */
static const char *
actions_kind_color(enum journal_kind k)
{
	switch (k) {
	case JK_APPLY: case JK_REASSERT: return "33";
	case JK_RESTORE: return "32";
	case JK_KILL: case JK_OOM: case JK_OOM_KILL: case JK_FAILED: return "31";
	default: return NULL;
	}
}

static void
actions_add_row(struct out *o, const struct journal_action *a)
{
	char old[32], new[32], change[80], dev[32], err[96];
	const char *ot = actions_value(a->knob, a->old_value, old, sizeof old);
	const char *nt = actions_value(a->knob, a->new_value, new, sizeof new);

	if (a->kind == JK_KILL && nt != NULL)     /* new_value: the tasks killed */
		snprintf(new, sizeof new, "%" PRId64 " task%s", a->new_value,
		    a->new_value == 1 ? "" : "s");

	out_int(o, (long long)a->id);
	out_time(o, a->ts_ms, "-");
	out_str(o, a->name);
	out_str(o, a->path);
	out_str(o, journal_kind_name(a->kind));
	out_style(o, actions_kind_color(a->kind));
	out_str(o, actions_knob_ok(a->knob) ? pol_knob_name((enum pol_knob)a->knob) : NULL);
	snprintf(dev, sizeof dev, "%u:%u", major((dev_t)a->dev), minor((dev_t)a->dev));
	out_str(o, a->dev != 0 ? dev : NULL);
	out_str(o, ot);
	out_str(o, nt);
	actions_raw(o, a->old_value);
	actions_raw(o, a->new_value);
	if (a->kind == JK_KILL && nt != NULL)
		snprintf(change, sizeof change, "%s killed", nt);
	else if (ot != NULL || nt != NULL)
		snprintf(change, sizeof change, "%s -> %s", ot ? ot : "?", nt ? nt : "?");
	out_str(o, ot != NULL || nt != NULL ? change : NULL);
	out_str(o, a->policy);
	out_str(o, a->rule);
	if (a->rung >= 0)
		out_int(o, a->rung);
	else
		out_num(o, NAN, 0, "");
	out_num(o, a->dry_run ? 1 : 0, 0, a->dry_run ? "dry" : "");
	out_str(o, a->observed);
	snprintf(err, sizeof err, "%s", a->error != 0 ? strerror(a->error) : "");
	out_num(o, a->error != 0 ? a->error : NAN, 0, err);
	out_int(o, actions_holds(a->kind) && a->restored_ms == STORE_NULL);
	out_time(o, a->restored_ms, actions_holds(a->kind) ? "in force" : "");
}

int
cmd_actions(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "container", required_argument, NULL, 'c' },
		{ "in-force", no_argument, NULL, 'i' },
		{ "limit", required_argument, NULL, 'n' },
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct journal_filter f = { 0 };
	struct journal_action *v;
	struct store *st;
	struct out *o;
	uint64_t since;
	size_t n;
	int ch, r;

	while ((ch = getopt_long(argc, argv, "s:c:in:h", opts, NULL)) != -1) {
		char *end;
		long long l;

		switch (ch) {
		case 's':
			if (units_parse_duration(optarg, &since) < 0 || since == 0) {
				fprintf(stderr, "cgov: actions: bad duration \"%s\" for --since "
				    "(e.g. 30s, 10m, 24h)\n", optarg);
				return CMD_USAGE;
			}
			f.since_ms = units_now_ms() - (int64_t)since;
			break;
		case 'c':
			f.container = optarg;
			break;
		case 'i':
			f.in_force_only = 1;
			break;
		case 'n':
			errno = 0;
			l = strtoll(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || l <= 0) {
				fprintf(stderr, "cgov: actions: --limit wants a positive number, "
				    "not \"%s\"\n", optarg);
				return CMD_USAGE;
			}
			f.limit = (size_t)l;
			break;
		case 'h':
			printf("%s", actions_usage);
			printf("The journal of governing actions, oldest first: what cgovd changed, "
			    "why, and\nwhen it was restored. --limit keeps the newest N.\n");
			return CMD_OK;
		default:
			if (cmd_common_option(ctx, ch, optarg) == 1)
				break;
			fprintf(stderr, "%s", actions_usage);
			return CMD_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cgov: actions: unexpected argument \"%s\"\n", argv[optind]);
		return CMD_USAGE;
	}
	if ((st = cmd_open_store(ctx)) == NULL)
		return CMD_FAILURE;
	if ((r = journal_action_query(st, &f, &v, &n)) < 0) {
		fprintf(stderr, "cgov: actions: query failed: %s\n", strerror(-r));
		store_close(st);
		return CMD_FAILURE;
	}
	o = out_new(ctx->format, actions_cols, ACTIONS_NCOLS);
	out_set_color(o, out_color_wanted(stdout));
	for (size_t i = 0; i < n; i++)
		actions_add_row(o, &v[i]);
	if (ctx->format == OUT_JSON) {
		fputs("{\"actions\": ", stdout);
		out_print(o, stdout);
		fputs("}\n", stdout);
	} else
		out_print(o, stdout);
	out_free(o);
	journal_actions_free(v, n);
	store_close(st);
	return CMD_OK;
}

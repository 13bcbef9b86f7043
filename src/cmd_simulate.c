/* cmd_simulate.c: `cgov policy simulate`: a policy set replayed against the
 * stored history (the engine: simulate.h). Reads the database and the
 * policy files; never cgroupfs beyond finding the host's cgroup version. */
#include "config.h"

#include <sys/sysmacros.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cgfs.h"
#include "cmd.h"
#include "escape.h"
#include "journal.h"
#include "knob.h"
#include "policy.h"
#include "rollup.h"
#include "simulate.h"
#include "units.h"
#include "xmalloc.h"

#ifndef CGOV_SYSCONFDIR
#define CGOV_SYSCONFDIR "/etc/cgov"
#endif

#define SIM_DEFAULT_SINCE (24 * 3600 * 1000LL)

/* One row per rung that fired (a rung wanting two knobs, the v1 fallback,
 * is two rows). The JSON/CSV keys are stable: cgov(1) documents each. */
static const struct out_col firing_cols[] = {
	{ "firing", NULL, 1, 0 },
	{ "name", "CONTAINER", 0, 24 },
	{ "path", NULL, 0, 0 },
	{ "runtime", NULL, 0, 0 },
	{ "policy", "POLICY", 0, 20 },
	{ "rule", "RULE", 0, 20 },
	{ "rung", "RUNG", 1, 0 },
	{ "knob", NULL, 0, 0 },
	{ "dev", NULL, 0, 0 },
	{ "value", NULL, 0, 0 },
	{ "new_value", NULL, 1, 0 },
	{ "action", "ACTION", 0, 32 },
	{ "fired_ms", NULL, 0, 0 },
	{ "start_ms", "START", 0, 0 },
	{ "end_ms", "END", 0, 0 },
	{ "held_ms", "HELD", 1, 0 },
	{ "active_at_end", NULL, 1, 0 },
	{ "observed", "OBSERVED", 0, 64 },
	{ "cleared", NULL, 0, 0 },
	{ "note", NULL, 0, 0 },
};
#define FIRING_NCOLS (sizeof firing_cols / sizeof firing_cols[0])

static const struct out_col rule_cols[] = {
	{ "policy", "POLICY", 0, 24 },
	{ "rule", "RULE", 0, 24 },
	{ "replayed", "REPLAYED", 0, 0 },
	{ "matched", "MATCHED", 1, 0 },
	{ "fired", "FIRED ON", 1, 0 },
	{ "firings", "FIRINGS", 1, 0 },
	{ "held_ms", "HELD", 1, 0 },
	{ "source", NULL, 0, 0 },
};
#define RULE_NCOLS (sizeof rule_cols / sizeof rule_cols[0])

static void
simulate_usage(FILE *out)
{
	fprintf(out,
"usage: cgov policy simulate [--policies PATH] [--since DURATION]\n"
"                            [--resolution raw|1m|1h] [--cgroup-version 1|2]\n"
"                            [--format table|json|csv]\n"
"Replays the rules of a policy set against the stored history of the last\n"
"DURATION (default 24h) and prints when each would have fired, on which\n"
"container, what each rung would have set, and when it would have cleared.\n"
"Nothing is written anywhere. PATH defaults to the running cgovd's policies.\n");
}

/* The host's cgroup version as the governor sees it (the memory
 * controller's), as `policy check` finds it; 2 when it cannot be told. */
static int
simulate_host_version(void)
{
	struct cgfs *fs;
	int v;

	if (cgfs_open_host(&fs) < 0)
		return 2;
	v = fs->ctrl[CG_MEMORY].version;
	if (v == 0)
		v = fs->layout == CGFS_V2 ? 2 : 1;
	cgfs_close(fs);
	return v;
}

static void
simulate_duration(int64_t ms, char *buf, size_t len)
{
	units_format_duration(ms > 0 ? (uint64_t)ms : 0, buf, len);
}

/* --- rows ------------------------------------------------------------------ */

static void
simulate_want_row(struct out *o, const struct sim_result *r, size_t k,
    const struct sim_firing *f, const struct sim_want *w)
{
	const struct sim_ct *ct = &r->ct[f->ct];
	int64_t end = f->end_ms != STORE_NULL ? f->end_ms : r->end_ms;
	char val[48], action[256], dev[32], dur[32], held[48];
	int known = w->value != GOV_UNKNOWN;

	out_int(o, (long long)k + 1);
	out_str(o, ct->name);
	out_str(o, ct->path);
	out_str(o, ct->runtime);
	out_str(o, f->policy->name);
	out_str(o, f->rule->name);
	out_int(o, w->rung);
	out_str(o, pol_knob_name(w->knob));
	snprintf(dev, sizeof dev, "%u:%u", major(w->dev), minor(w->dev));
	out_str(o, w->dev != 0 ? dev : NULL);
	if (known)
		knob_format(w->knob, w->value, val, sizeof val);
	out_str(o, known ? val : NULL);
	if (known && w->value != POL_MAX)
		out_int(o, (long long)w->value);
	else
		out_num(o, NAN, 0, "");
	if (known)
		snprintf(action, sizeof action, "%s %s%s%s", pol_knob_name(w->knob), val,
		    w->dev != 0 ? " on " : "", w->dev != 0 ? dev : "");
	else
		snprintf(action, sizeof action, "%s: %s", pol_knob_name(w->knob),
		    w->note[0] ? w->note : "nothing");
	out_str(o, action);
	out_time(o, f->start_ms, "-");
	out_time(o, w->start_ms, "-");
	out_time(o, f->end_ms, f->gone ? "gone" : "still active");
	/* Still in force: held at least until the end of the history. */
	simulate_duration(end - w->start_ms, dur, sizeof dur);
	snprintf(held, sizeof held, "%s%s", f->end_ms == STORE_NULL ? ">= " : "", dur);
	out_num(o, (double)(end - w->start_ms), 0, held);
	out_int(o, f->end_ms == STORE_NULL);
	out_str(o, w->why);
	out_str(o, f->end_ms != STORE_NULL ? f->end_why : NULL);
	out_str(o, w->note[0] ? w->note : NULL);
}

static void
simulate_rule_row(struct out *o, const struct sim_rule *sr)
{
	char held[32], src[512];
	int replayed = sr->policy->nprocesses == 0;

	out_str(o, sr->policy->name);
	out_str(o, sr->rule->name);
	out_num(o, replayed, 0, replayed ? "yes" : "no: match process");
	out_int(o, (long long)sr->matched);
	out_int(o, (long long)sr->fired);
	out_int(o, (long long)sr->firings);
	simulate_duration(sr->held_ms, held, sizeof held);
	out_num(o, (double)sr->held_ms, 0, held);
	snprintf(src, sizeof src, "%s:%d:%d", sr->rule->loc.file, sr->rule->loc.line,
	    sr->rule->loc.col);
	out_str(o, src);
}

/* "policy \"jvm\" matches by process name ...", for stderr and JSON. */
static void
simulate_proc_warning(struct buf *b, const struct policy_set *set)
{
	size_t n = 0;

	buf_puts(b, "process names are not in the history: ");
	for (size_t i = 0; i < set->n; i++) {
		if (set->v[i].nprocesses == 0)
			continue;
		buf_printf(b, "%spolicy \"", n++ ? ", " : "");
		escape_term(b, set->v[i].name);
		buf_puts(b, "\"");
	}
	buf_printf(b, " %s by process name (`match process`) and %s not replayed",
	    n == 1 ? "matches" : "match", n == 1 ? "is" : "are");
}

static const char *
simulate_tiers(const struct sim_result *r, char *buf, size_t len)
{
	snprintf(buf, len, "%lld raw tick%s, %lld 1m bucket%s, %lld 1h bucket%s",
	    (long long)r->steps[ROLL_RAW], r->steps[ROLL_RAW] == 1 ? "" : "s",
	    (long long)r->steps[ROLL_MINUTE], r->steps[ROLL_MINUTE] == 1 ? "" : "s",
	    (long long)r->steps[ROLL_HOUR], r->steps[ROLL_HOUR] == 1 ? "" : "s");
	return buf;
}

static void
simulate_print_table(const struct sim_result *r, const char *policies, const char *warning,
    struct out *fo, struct out *ro)
{
	struct buf b;
	char from[32], to[32], span[32], tiers[128];

	buf_init(&b);
	if (r->first_ms == 0) {
		buf_puts(&b, "no history in the window: nothing replayed\n");
	} else {
		units_format_time(r->first_ms, from, sizeof from);
		units_format_time(r->end_ms, to, sizeof to);
		simulate_duration(r->end_ms - r->first_ms, span, sizeof span);
		buf_printf(&b, "replayed %s .. %s (%s): %s\n", from, to, span,
		    simulate_tiers(r, tiers, sizeof tiers));
	}
	buf_printf(&b, "%zu container%s (%zu governed), %zu polic%s, %zu rule%s from ",
	    r->nct, r->nct == 1 ? "" : "s", r->ngoverned, r->npolicies,
	    r->npolicies == 1 ? "y" : "ies", r->nrules, r->nrules == 1 ? "" : "s");
	escape_term(&b, policies);
	buf_printf(&b, ": %zu firing%s\n", r->nfirings, r->nfirings == 1 ? "" : "s");
	if (warning != NULL)
		buf_printf(&b, "warning: %s\n", warning);
	fputs(b.data, stdout);
	buf_free(&b);
	if (r->nfirings > 0) {
		fputs("\n", stdout);
		out_print(fo, stdout);
	}
	if (r->nrules > 0) {
		fputs("\nper rule:\n", stdout);
		out_print(ro, stdout);
	}
}

static void
simulate_print_json(const struct sim_result *r, const char *policies, const char *resolution,
    int version, const char *warning, struct out *fo, struct out *ro)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "{\"summary\": {\"from_ms\": %lld, \"to_ms\": %lld, ",
	    (long long)r->from_ms, (long long)r->to_ms);
	if (r->first_ms == 0)
		buf_puts(&b, "\"first_ms\": null, \"last_ms\": null, \"end_ms\": null, ");
	else
		buf_printf(&b, "\"first_ms\": %lld, \"last_ms\": %lld, \"end_ms\": %lld, ",
		    (long long)r->first_ms, (long long)r->last_ms, (long long)r->end_ms);
	buf_printf(&b, "\"resolution\": \"%s\", \"raw_ticks\": %lld, \"minute_buckets\": %lld, "
	    "\"hour_buckets\": %lld, \"records\": %lld, \"evaluations\": %lld, "
	    "\"containers\": %zu, \"governed\": %zu, \"policies\": %zu, \"rules\": %zu, "
	    "\"firings\": %zu, \"cgroup_version\": %d, \"policies_path\": ",
	    resolution, (long long)r->steps[ROLL_RAW], (long long)r->steps[ROLL_MINUTE],
	    (long long)r->steps[ROLL_HOUR],
	    (long long)(r->records[ROLL_RAW] + r->records[ROLL_MINUTE] + r->records[ROLL_HOUR]),
	    (long long)r->evals, r->nct, r->ngoverned, r->npolicies, r->nrules, r->nfirings,
	    version);
	escape_json(&b, policies);
	buf_puts(&b, "},\n \"warnings\": [");
	if (warning != NULL)
		escape_json(&b, warning);
	buf_puts(&b, "],\n \"firings\": ");
	fputs(b.data, stdout);
	out_print(fo, stdout);
	fputs(",\n \"rules\": ", stdout);
	out_print(ro, stdout);
	fputs("}\n", stdout);
	buf_free(&b);
}

/* --- the command ----------------------------------------------------------- */

static int
simulate_resolution(const char *s, int64_t *ret)
{
	if (strcmp(s, "raw") == 0)
		*ret = 0;
	else if (strcmp(s, "1m") == 0)
		*ret = roll_tier_ms(ROLL_MINUTE);
	else if (strcmp(s, "1h") == 0)
		*ret = roll_tier_ms(ROLL_HOUR);
	else
		return -EINVAL;
	return 0;
}

/* Loads the set as `policy check` does (policy_load: parse, then check a
 * clean parse); every diagnostic (warnings too) on stderr as
 * file:line:col. */
static int
simulate_load(const char *path, int version, struct policy_set **ret)
{
	struct pol_diags d = { 0 };
	int r;

	r = policy_load(path, version, &d, ret);
	pol_diags_print(&d, stderr);
	if (r < 0)
		fprintf(stderr, "cgov: policy simulate: %s: %zu error(s)\n", escape_log(0, path),
		    d.nerrors > 0 ? d.nerrors : 1);
	pol_diags_free(&d);
	return r < 0 ? -EINVAL : 0;
}

int
cmd_policy_simulate(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policies", required_argument, NULL, 'P' },
		{ "since", required_argument, NULL, 's' },
		{ "resolution", required_argument, NULL, 'r' },
		{ "cgroup-version", required_argument, NULL, 'v' },
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct journal_daemon jd = { 0 };
	struct gov_config gc = { 0 };
	struct policy_set *set = NULL;
	struct sim_result res = { 0 };
	struct store *st = NULL;
	struct out *fo = NULL, *ro = NULL;
	struct buf warn;
	const char *resolution = "raw";
	char *policies = NULL;
	uint64_t since = SIM_DEFAULT_SINCE;
	int64_t step = 0, latest = 0;
	int ch, r, version = 0, rc = CMD_FAILURE;

	buf_init(&warn);
	optind = 0;                     /* a fresh scan of our own argv */
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'P':
			free(policies);
			policies = xstrdup(optarg);
			break;
		case 's':
			if (units_parse_duration(optarg, &since) < 0 || since == 0) {
				fprintf(stderr, "cgov: policy simulate: bad duration \"%s\" for "
				    "--since (e.g. 30m, 24h, 7d)\n", escape_log(0, optarg));
				rc = CMD_USAGE;
				goto out;
			}
			break;
		case 'r':
			if (simulate_resolution(optarg, &step) < 0) {
				fprintf(stderr, "cgov: policy simulate: --resolution takes raw, 1m "
				    "or 1h, not \"%s\"\n", escape_log(0, optarg));
				rc = CMD_USAGE;
				goto out;
			}
			resolution = step == 0 ? "raw" : step == roll_tier_ms(ROLL_MINUTE) ?
			    "1m" : "1h";
			break;
		case 'v':
			if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0) {
				fprintf(stderr, "cgov: policy simulate: --cgroup-version takes 1 "
				    "or 2, not \"%s\"\n", escape_log(0, optarg));
				rc = CMD_USAGE;
				goto out;
			}
			version = optarg[0] - '0';
			break;
		case 'h':
			simulate_usage(stdout);
			rc = CMD_OK;
			goto out;
		default:
			if (cmd_common_option(ctx, ch, optarg) == 1)
				break;
			simulate_usage(stderr);
			rc = CMD_USAGE;
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cgov: policy simulate: unexpected argument \"%s\"\n",
		    escape_log(0, argv[optind]));
		simulate_usage(stderr);
		rc = CMD_USAGE;
		goto out;
	}
	if (version == 0)
		version = simulate_host_version();
	if ((st = cmd_open_store(ctx)) == NULL)
		goto out;
	if (policies == NULL && journal_daemon_get(st, &jd) == 0 && jd.policies != NULL)
		policies = xstrdup(jd.policies);
	if (policies == NULL)
		policies = xstrdup(CGOV_SYSCONFDIR "/policies.d");
	if (simulate_load(policies, version, &set) < 0) {
		rc = CMD_USAGE;
		goto out;
	}
	if ((r = roll_latest_ms(st, &latest)) < 0) {
		fprintf(stderr, "cgov: policy simulate: cannot read the history: %s\n",
		    strerror(-r));
		goto out;
	}
	gc.cgroup_version = version;
	/* The window is --since back from the newest tick, that tick included. */
	if (latest > 0 && (r = simulate_run(st, set, &gc, latest - (int64_t)since, latest + 1,
	    step, &res)) < 0) {
		fprintf(stderr, "cgov: policy simulate: replay failed: %s\n", strerror(-r));
		goto out;
	}
	if (latest == 0)                /* no history: the rules, nothing replayed */
		sim_finish(sim_new(set, &gc, NULL, 0, 0, 0), &res);
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].nprocesses > 0) {
			simulate_proc_warning(&warn, set);
			break;
		}
	if (warn.len > 0)
		fprintf(stderr, "cgov: policy simulate: warning: %s\n", warn.data);

	fo = out_new(ctx->format, firing_cols, FIRING_NCOLS);
	for (size_t k = 0; k < res.nfirings; k++)
		for (size_t j = 0; j < res.firings[k].nwants; j++)
			simulate_want_row(fo, &res, k, &res.firings[k], &res.firings[k].wants[j]);
	ro = out_new(ctx->format, rule_cols, RULE_NCOLS);
	for (size_t i = 0; i < res.nrules; i++)
		simulate_rule_row(ro, &res.rules[i]);
	switch (ctx->format) {
	case OUT_JSON:
		simulate_print_json(&res, policies, resolution, version,
		    warn.len > 0 ? warn.data : NULL, fo, ro);
		break;
	case OUT_CSV:
		out_print(fo, stdout);
		break;
	case OUT_TABLE:
		simulate_print_table(&res, policies, warn.len > 0 ? warn.data : NULL, fo, ro);
		break;
	}
	rc = CMD_OK;
out:
	out_free(fo);
	out_free(ro);
	sim_result_free(&res);
	policy_set_free(set);
	journal_daemon_clear(&jd);
	store_close(st);
	free(policies);
	buf_free(&warn);
	return rc;
}

/* cmd_status.c: `cgov status`: is cgovd alive, what it governs, what is in
 * force now. */
#include "config.h"

#include <sys/sysmacros.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "escape.h"
#include "journal.h"
#include "knob.h"
#include "policy.h"
#include "rollup.h"
#include "units.h"

/* A cgovd whose heartbeat is older than this many intervals is stuck. */
#define STATUS_BEAT_INTERVALS 3

/* The JSON/CSV keys are stable: cgov(1) documents each. */
static const struct out_col status_daemon_cols[] = {
	{ "state", NULL, 0, 0 },             /* string */
	{ "pid", NULL, 1, 0 },
	{ "started_ms", NULL, 1, 0 },
	{ "beat_ms", NULL, 1, 0 },
	{ "beat_age_ms", NULL, 1, 0 },
	{ "interval_ms", NULL, 1, 0 },
	{ "stopped_ms", NULL, 1, 0 },
	{ "containers", NULL, 1, 0 },
	{ "governed", NULL, 1, 0 },
	{ "dry_run", NULL, 1, 0 },
	{ "policies", NULL, 0, 0 },          /* string */
	{ "in_force", NULL, 1, 0 },
	{ "rules_armed", NULL, 1, 0 },
	{ "history_bytes", NULL, 1, 0 },
	{ "raw_from_ms", NULL, 1, 0 },
	{ "minute_from_ms", NULL, 1, 0 },
	{ "hour_from_ms", NULL, 1, 0 },
};
#define STATUS_DAEMON_NCOLS (sizeof status_daemon_cols / sizeof status_daemon_cols[0])

static const struct out_col status_force_cols[] = {
	{ "since_ms", "SINCE", 0, 0 },
	{ "name", "CONTAINER", 0, 24 },
	{ "path", NULL, 0, 0 },
	{ "knob", "KNOB", 0, 0 },
	{ "dev", "DEV", 0, 0 },
	{ "value", "VALUE", 1, 0 },
	{ "before", "BEFORE", 1, 0 },
	{ "policy", "POLICY", 0, 24 },
	{ "rule", "RULE", 0, 24 },
	{ "dry_run", "DRY", 0, 0 },
	{ "why", "WHY", 0, 56 },
};
#define STATUS_FORCE_NCOLS (sizeof status_force_cols / sizeof status_force_cols[0])

static const struct out_col status_rule_cols[] = {
	{ "name", "CONTAINER", 0, 24 },
	{ "path", NULL, 0, 0 },
	{ "policy", "POLICY", 0, 24 },
	{ "rule", "RULE", 0, 24 },
	{ "state", "STATE", 0, 0 },
	{ "rung", "RUNG", 1, 0 },
	{ "since_ms", "SINCE", 0, 0 },
	{ "why", "WHY", 0, 56 },
};
#define STATUS_RULE_NCOLS (sizeof status_rule_cols / sizeof status_rule_cols[0])

static const char status_usage[] = "usage: cgov status [--format table|json|csv]\n";

/* What the database says of cgovd, with the state worked out. */
struct status {
	int known;                   /* a cgovd ever wrote its row */
	struct journal_daemon d;
	const char *state;           /* "running", "stopped", "stale", "never" */
	int64_t now_ms, age_ms;      /* age of the heartbeat, STORE_NULL unknown */
	int64_t bytes;               /* the database's size */
	struct roll_tier_info tier[ROLL_NTIERS];  /* what each tier covers */
};

/* running: no clean stop recorded, the pid exists (on this host: the
 * database is local) and the heartbeat is fresh; stale: no clean stop but
 * the process is gone or silent (crashed or hung: a restart reconciles
 * what it left); stopped: a clean exit. */
static void
status_judge(struct status *s)
{
	int alive;

	s->age_ms = STORE_NULL;
	if (!s->known) {
		s->state = "never";
		return;
	}
	if (s->d.beat_ms != STORE_NULL)
		s->age_ms = s->now_ms - s->d.beat_ms;
	if (s->d.stopped_ms != STORE_NULL) {
		s->state = "stopped";
		return;
	}
	alive = s->d.pid > 0 && (kill((pid_t)s->d.pid, 0) == 0 || errno == EPERM);
	if (alive && s->age_ms != STORE_NULL && s->d.interval_ms > 0 &&
	    s->age_ms <= STATUS_BEAT_INTERVALS * s->d.interval_ms)
		s->state = "running";
	else
		s->state = "stale";
}

static const char *
status_value(int knob, int64_t v, char *buf, size_t len)
{
	if (v == STORE_NULL || knob < 0 || knob >= PK__MAX)
		return NULL;
	knob_format((enum pol_knob)knob, v, buf, len);
	return buf;
}

static void
status_force_row(struct out *o, const struct journal_action *a)
{
	char dev[32], old[32], new[32];
	int ok = a->knob >= 0 && a->knob < PK__MAX;

	out_time(o, a->ts_ms, "-");
	out_str(o, a->name);
	out_str(o, a->path);
	out_str(o, ok ? pol_knob_name((enum pol_knob)a->knob) : NULL);
	snprintf(dev, sizeof dev, "%u:%u", major((dev_t)a->dev), minor((dev_t)a->dev));
	out_str(o, a->dev != 0 ? dev : NULL);
	out_str(o, status_value(a->knob, a->new_value, new, sizeof new));
	out_str(o, status_value(a->knob, a->old_value, old, sizeof old));
	out_str(o, a->policy);
	out_str(o, a->rule);
	out_num(o, a->dry_run ? 1 : 0, 0, a->dry_run ? "dry" : "");
	out_str(o, a->observed);
}

static void
status_rule_row(struct out *o, const struct journal_rule_state *r)
{
	out_str(o, r->name);
	out_str(o, r->path);
	out_str(o, r->policy);
	out_str(o, r->rule);
	out_str(o, r->state);
	if (r->rung >= 0)
		out_int(o, r->rung);
	else
		out_num(o, NAN, 0, "-");
	out_time(o, r->since_ms, "-");
	out_str(o, r->why);
}

/* The daemon's figures, in the order of status_daemon_cols: one source for
 * the CSV row and the JSON object. */
struct status_field {
	const char *str;             /* string fields (NULL: null) */
	int64_t num;                 /* number fields, STORE_NULL: null */
};

static void
status_fields(const struct status *s, size_t nforce, size_t nrules,
    struct status_field f[STATUS_DAEMON_NCOLS])
{
	int64_t nums[] = {
		STORE_NULL,
		s->known ? s->d.pid : STORE_NULL,
		s->known ? s->d.started_ms : STORE_NULL,
		s->known ? s->d.beat_ms : STORE_NULL,
		s->age_ms,
		s->known ? s->d.interval_ms : STORE_NULL,
		s->known ? s->d.stopped_ms : STORE_NULL,
		s->known ? s->d.containers : STORE_NULL,
		s->known ? s->d.governed : STORE_NULL,
		s->known ? s->d.dry_run : STORE_NULL,
		STORE_NULL,
		(int64_t)nforce,
		(int64_t)nrules,
		s->bytes,
		s->tier[ROLL_RAW].end_ms ? s->tier[ROLL_RAW].first_ms : STORE_NULL,
		s->tier[ROLL_MINUTE].end_ms ? s->tier[ROLL_MINUTE].first_ms : STORE_NULL,
		s->tier[ROLL_HOUR].end_ms ? s->tier[ROLL_HOUR].first_ms : STORE_NULL,
	};

	for (size_t i = 0; i < STATUS_DAEMON_NCOLS; i++)
		f[i] = (struct status_field){ .num = nums[i] };
	f[0].str = s->state;
	f[10].str = s->known ? s->d.policies : NULL;
}

static int
status_is_str(size_t i)
{
	return i == 0 || i == 10;
}

static void
status_print_csv(FILE *fp, const struct status_field *f)
{
	struct out *o = out_new(OUT_CSV, status_daemon_cols, STATUS_DAEMON_NCOLS);

	for (size_t i = 0; i < STATUS_DAEMON_NCOLS; i++) {
		if (status_is_str(i))
			out_str(o, f[i].str);
		else if (f[i].num == STORE_NULL)
			out_num(o, NAN, 0, "");
		else
			out_int(o, (long long)f[i].num);
	}
	out_print(o, fp);
	out_free(o);
}

/* JSON: one object, {"daemon": {...}, "in_force": [...], "rules": [...]}. */
static void
status_print_json(FILE *fp, const struct status_field *f, struct out *force, struct out *rules)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "{\"daemon\": {");
	for (size_t i = 0; i < STATUS_DAEMON_NCOLS; i++) {
		buf_printf(&b, "%s\"%s\": ", i ? ", " : "", status_daemon_cols[i].key);
		if (status_is_str(i) && f[i].str != NULL)
			escape_json(&b, f[i].str);
		else if (status_is_str(i) || f[i].num == STORE_NULL)
			buf_puts(&b, "null");
		else
			buf_printf(&b, "%lld", (long long)f[i].num);
	}
	buf_puts(&b, "},\n\"in_force\": ");
	fputs(b.data, fp);
	buf_free(&b);
	out_print(force, fp);
	fputs(",\n\"rules\": ", fp);
	out_print(rules, fp);
	fputs("}\n", fp);
}

/* A duration for people: whole seconds past the first one. */
static const char *
status_ago(int64_t ms, char *buf, size_t len)
{
	if (ms == STORE_NULL)
		return "never";
	if (ms < 0)
		ms = 0;
	units_format_duration((uint64_t)(ms >= 1000 ? ms / 1000 * 1000 : ms), buf, len);
	return buf;
}

/* The table's header lines. The policy path is the operator's, but it is
 * escaped like everything read back from the database. */
static void
status_print_daemon(FILE *fp, const struct status *s, size_t nforce)
{
	char t[32], age[32], every[32], up[32];
	const char *how;
	struct buf b;

	if (!s->known) {
		fprintf(fp, "cgovd: never ran on this database\n");
		fprintf(fp, "actions in force: %zu\n", nforce);
		return;
	}
	units_format_duration(s->d.interval_ms > 0 ? (uint64_t)s->d.interval_ms : 0, every,
	    sizeof every);
	if (strcmp(s->state, "running") == 0) {
		fprintf(fp, "cgovd: running, pid %lld, up %s, last tick %s ago (every %s)\n",
		    (long long)s->d.pid, status_ago(s->now_ms - s->d.started_ms, up, sizeof up),
		    status_ago(s->age_ms, age, sizeof age), every);
	} else if (strcmp(s->state, "stopped") == 0) {
		units_format_time(s->d.stopped_ms, t, sizeof t);
		fprintf(fp, "cgovd: stopped at %s (clean exit)\n", t);
	} else {
		how = kill((pid_t)s->d.pid, 0) == 0 || errno == EPERM ? "is silent" : "is gone";
		fprintf(fp, "cgovd: not running: pid %lld %s, last tick %s ago; it did not exit "
		    "cleanly (the next start reconciles what it left)\n", (long long)s->d.pid,
		    how, status_ago(s->age_ms, age, sizeof age));
	}
	buf_init(&b);
	escape_term(&b, s->d.policies != NULL ? s->d.policies : "-");
	fprintf(fp, "policies: %s\n", b.data);
	buf_free(&b);
	fprintf(fp, "containers: %lld watched, %lld governed\n", (long long)s->d.containers,
	    (long long)s->d.governed);
	fprintf(fp, "dry run: %s\n", s->d.dry_run ? "yes (decisions journaled, nothing written)" :
	    "no");
	fprintf(fp, "actions in force: %zu\n", nforce);
}

/* "history: 1.2G; raw from ..., 1m from ..., 1h from ..." */
static void
status_print_history(FILE *fp, const struct status *s)
{
	char size[32], t[32];

	units_format_size(s->bytes > 0 ? (uint64_t)s->bytes : 0, size, sizeof size);
	fprintf(fp, "history: %s", size);
	for (int i = 0; i < ROLL_NTIERS; i++) {
		if (s->tier[i].end_ms == 0)
			continue;
		units_format_time(s->tier[i].first_ms, t, sizeof t);
		fprintf(fp, "; %s from %s", roll_tier_name(i), t);
	}
	fputc('\n', fp);
}

int
cmd_status(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct journal_filter f = { .in_force_only = 1 };
	struct status s = { 0 };
	struct journal_action *act = NULL;
	struct journal_rule_state *rs = NULL;
	struct status_field fields[STATUS_DAEMON_NCOLS];
	struct out *of, *orl;
	struct store *st;
	size_t nact = 0, nrs = 0;
	int ch, r;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			printf("%s", status_usage);
			printf("Whether cgovd runs, what it watches and governs, the actions in "
			    "force and\nthe rules armed, as its journal says.\n");
			return CMD_OK;
		default:
			if (cmd_common_option(ctx, ch, optarg) == 1)
				break;
			fprintf(stderr, "%s", status_usage);
			return CMD_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cgov: status: unexpected argument \"%s\"\n", argv[optind]);
		return CMD_USAGE;
	}
	if ((st = cmd_open_store(ctx)) == NULL)
		return CMD_FAILURE;
	r = journal_daemon_get(st, &s.d);
	s.known = r == 0;
	if (r == 0 || r == -ENOENT)
		r = journal_action_query(st, &f, &act, &nact);
	if (r == 0)
		r = journal_rule_state_list(st, NULL, &rs, &nrs);
	if (r == 0)
		r = roll_info(st, 0, s.tier);
	if (r == 0)
		r = store_stats(st, NULL, &s.bytes);
	if (r < 0) {
		fprintf(stderr, "cgov: status: query failed: %s\n", strerror(-r));
		if (s.known)
			journal_daemon_clear(&s.d);
		journal_actions_free(act, nact);
		store_close(st);
		return CMD_FAILURE;
	}
	s.now_ms = units_now_ms();
	status_judge(&s);

	status_fields(&s, nact, nrs, fields);
	of = out_new(ctx->format, status_force_cols, STATUS_FORCE_NCOLS);
	orl = out_new(ctx->format, status_rule_cols, STATUS_RULE_NCOLS);
	for (size_t i = 0; i < nact; i++)
		status_force_row(of, &act[i]);
	for (size_t i = 0; i < nrs; i++)
		status_rule_row(orl, &rs[i]);
	switch (ctx->format) {
	case OUT_JSON:
		status_print_json(stdout, fields, of, orl);
		break;
	case OUT_CSV:
		status_print_csv(stdout, fields);
		break;
	case OUT_TABLE:
		status_print_daemon(stdout, &s, nact);
		status_print_history(stdout, &s);
		if (nact > 0)
			out_print(of, stdout);
		printf("rules armed: %zu\n", nrs);
		if (nrs > 0)
			out_print(orl, stdout);
		break;
	}
	out_free(of);
	out_free(orl);
	if (s.known)
		journal_daemon_clear(&s.d);
	journal_actions_free(act, nact);
	journal_rule_states_free(rs, nrs);
	store_close(st);
	return CMD_OK;
}

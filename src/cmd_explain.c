/* cmd_explain.c: `cgov policy explain CONTAINER`: which policies match a
 * container, what they set, and the state of their rules. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cgfs.h"
#include "cmd.h"
#include "discover.h"
#include "escape.h"
#include "journal.h"
#include "knob.h"
#include "policy.h"
#include "units.h"
#include "xmalloc.h"

#ifndef CGOV_SYSCONFDIR
#define CGOV_SYSCONFDIR "/etc/cgov"
#endif

static const struct out_col explain_cols[] = {
	{ "policy", "POLICY", 0, 24 },
	{ "priority", "PRIO", 1, 0 },
	{ "matches", "MATCH", 0, 0 },
	{ "kind", "KIND", 0, 0 },
	{ "item", "ITEM", 0, 40 },
	{ "state", "STATE", 0, 0 },
	{ "since_ms", NULL, 0, 0 },
	{ "detail", "DETAIL", 0, 0 },
	{ "source", NULL, 0, 0 },
};
#define EXPLAIN_NCOLS (sizeof explain_cols / sizeof explain_cols[0])

struct explain_ct {
	char *path, *name, *runtime;
	int64_t cid;                    /* 0: not in the history */
	char **procs;
	size_t nprocs;
	int procs_known;
};

/* Finds the container by path or by name in the history (a path wins over
 * a name; two containers with one name are ambiguous); an absolute path the
 * history does not know is explained with the built-in runtime rules. */
static int
explain_find(struct store *st, const char *arg, struct explain_ct *ret)
{
	struct store_container *v;
	const struct store_container *hit = NULL;
	size_t n, names = 0;
	int r;

	if (st == NULL)
		n = 0, v = NULL;
	else if ((r = store_query_containers(st, &v, &n)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].path, arg) == 0) {
			hit = &v[i];
			names = 1;
			break;
		}
		if (strcmp(v[i].name, arg) == 0 && names++ == 0)
			hit = &v[i];
	}
	if (names > 1) {
		fprintf(stderr, "cgov: policy explain: %zu containers are named \"%s\": give "
		    "the path\n", names, escape_log(0, arg));
		store_containers_free(v, n);
		return -EEXIST;
	}
	if (hit != NULL) {
		ret->path = xstrdup(hit->path);
		ret->name = xstrdup(hit->name);
		ret->runtime = xstrdup(hit->runtime);
		ret->cid = hit->cid;
	}
	store_containers_free(v, n);
	if (hit != NULL)
		return 0;
	if (arg[0] == '/') {
		struct discover *d;
		char name[DISCOVER_MAX_NAME], err[256];
		const char *rt = "cgroup";

		if (discover_new(NULL, 0, NULL, &d, err, sizeof err) == 0) {
			if (!discover_match(d, arg, &rt, name, sizeof name))
				rt = "cgroup";
			discover_free(d);
		}
		ret->path = xstrdup(arg);
		ret->name = xstrdup(strrchr(arg, '/') + 1);
		ret->runtime = xstrdup(rt);
		return 0;
	}
	return -ENOENT;
}

/* The process names, read live (cgov usually runs as root beside cgovd). */
static void
explain_procs(struct explain_ct *c)
{
	struct cgfs *fs;

	if (cgfs_open_host(&fs) < 0)
		return;
	if (knob_procs(fs, c->path, 32, &c->procs, &c->nprocs) == 0)
		c->procs_known = 1;
	cgfs_close(fs);
}

/* Why a policy does not match, in words. */
static const char *
explain_mismatch(const struct policy *p, const struct explain_ct *c)
{
	struct policy paths = *p;       /* the same policy, processes aside */

	paths.nprocesses = 0;
	if (!policy_match(&paths, c->path, c->runtime, NULL, 0, 1))
		return "no: cgroup or runtime";
	if (!c->procs_known)
		return "no: its processes cannot be read";
	return "no: no such process";
}

static void
explain_loc(struct out *o, const struct pol_loc *l)
{
	char buf[512];

	snprintf(buf, sizeof buf, "%s:%d:%d", l->file, l->line, l->col);
	out_str(o, buf);
}

static void
explain_limit(struct out *o, const struct policy *p, const char *match,
    const struct pol_set_knob *k, const struct journal_action *inforce, size_t ninforce)
{
	char item[160];
	const char *state = "not in force";

	pol_set_knob_format(k, item, sizeof item);
	/* A limit for every disk is in force on any one of them; a dry run's
	 * decision is only "in force" as far as the dry run goes. */
	for (size_t i = 0; i < ninforce; i++) {
		const struct journal_action *a = &inforce[i];

		if (a->knob != (int)k->knob || a->policy == NULL || a->rule != NULL ||
		    strcmp(a->policy, p->name) != 0 ||
		    (k->dev.dev != 0 && a->dev != (int64_t)k->dev.dev))
			continue;
		state = a->dry_run ? "in force (dry run)" : "in force";
		if (!a->dry_run)
			break;
	}
	out_str(o, p->name);
	out_int(o, p->priority);
	out_str(o, match);
	out_str(o, "limit");
	out_str(o, item);
	out_str(o, match[0] == 'y' ? state : "-");
	out_num(o, NAN, 0, "-");
	out_str(o, "");
	explain_loc(o, &k->loc);
}

static void
explain_rule(struct out *o, const struct policy *p, const char *match, const struct pol_rule *r,
    const struct journal_rule_state *rs, size_t nrs)
{
	char when[256], step[160], dur[32];
	struct buf detail = { 0 };
	const struct journal_rule_state *s = NULL;

	for (size_t i = 0; i < nrs; i++)
		if (strcmp(rs[i].policy, p->name) == 0 && strcmp(rs[i].rule, r->name) == 0)
			s = &rs[i];
	pol_cond_format(r->when, when, sizeof when);
	units_format_duration(r->when_for_ms, dur, sizeof dur);
	buf_printf(&detail, "when %s for %s; do", when, dur);
	for (size_t i = 0; i < r->nsteps; i++) {
		pol_set_knob_format(&r->steps[i], step, sizeof step);
		buf_printf(&detail, "%s %s", i ? "," : "", step);
	}
	if (s != NULL && s->why != NULL && s->why[0] != '\0')
		buf_printf(&detail, "; now: %s", s->why);
	out_str(o, p->name);
	out_int(o, p->priority);
	out_str(o, match);
	out_str(o, "rule");
	out_str(o, r->name);
	if (s == NULL) {
		out_str(o, match[0] == 'y' ? "idle" : "-");
		out_num(o, NAN, 0, "-");
	} else {
		char st[48];

		if (strcmp(s->state, "active") == 0)
			snprintf(st, sizeof st, "active rung %d", s->rung);
		else
			snprintf(st, sizeof st, "%s", s->state);
		out_str(o, st);
		out_time(o, s->since_ms, "-");
	}
	out_str(o, detail.data ? detail.data : "");
	explain_loc(o, &r->loc);
	buf_free(&detail);
}

static void
explain_usage(FILE *out)
{
	fprintf(out, "usage: cgov policy explain [--policies PATH] [--format table|json|csv] "
	    "CONTAINER\n"
	    "CONTAINER is a path (/lxc/web1) or a name; PATH defaults to the running "
	    "cgovd's policies.\n");
}

int
cmd_policy_explain(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policies", required_argument, NULL, 'P' },
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct explain_ct c = { 0 };
	struct journal_daemon jd = { 0 };
	struct journal_filter jf = { .in_force_only = 1 };
	struct journal_action *inforce = NULL;
	struct journal_rule_state *rs = NULL;
	struct policy_set *ps = NULL;
	struct pol_diags diags = { 0 };
	struct store *st;
	struct out *o;
	struct buf b = { 0 };
	char *policies = NULL;
	size_t ninforce = 0, nrs = 0;
	int ch, r, rc = CMD_FAILURE;

	optind = 0;                     /* a fresh scan of our own argv */
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'P':
			free(policies);
			policies = xstrdup(optarg);
			break;
		case 'h':
			explain_usage(stdout);
			free(policies);
			return CMD_OK;
		default:
			if (cmd_common_option(ctx, ch, optarg) == 1)
				break;
			explain_usage(stderr);
			free(policies);
			return CMD_USAGE;
		}
	}
	if (optind + 1 != argc) {
		explain_usage(stderr);
		free(policies);
		return CMD_USAGE;
	}
	/* Without a history a path can still be explained (no rule states). */
	if (store_open(ctx->db, STORE_RDONLY, &st) < 0) {
		st = NULL;
		if (argv[optind][0] != '/') {
			fprintf(stderr, "cgov: policy explain: cannot open %s to find \"%s\": give "
			    "the container's cgroup path\n", ctx->db, escape_log(0, argv[optind]));
			free(policies);
			return CMD_FAILURE;
		}
	}
	if (policies == NULL && st != NULL && journal_daemon_get(st, &jd) == 0 &&
	    jd.policies != NULL)
		policies = xstrdup(jd.policies);
	if (policies == NULL)
		policies = xstrdup(CGOV_SYSCONFDIR "/policies.d");
	if ((r = explain_find(st, argv[optind], &c)) < 0) {
		if (r == -ENOENT)
			fprintf(stderr, "cgov: policy explain: no container \"%s\" in the history "
			    "(give its cgroup path)\n", escape_log(0, argv[optind]));
		else if (r != -EEXIST)
			fprintf(stderr, "cgov: policy explain: %s\n", strerror(-r));
		rc = r == -EEXIST || r == -ENOENT ? CMD_USAGE : CMD_FAILURE;
		goto out;
	}
	if (policy_load(policies, 0, &diags, &ps) < 0) {
		pol_diags_print(&diags, stderr);
		fprintf(stderr, "cgov: policy explain: %s cannot be loaded\n", policies);
		rc = CMD_USAGE;
		goto out;
	}
	explain_procs(&c);
	if (c.cid != 0 && st != NULL) {
		jf.container = c.path;
		journal_action_query(st, &jf, &inforce, &ninforce);
		journal_rule_state_list(st, c.path, &rs, &nrs);
	}

	o = out_new(ctx->format, explain_cols, EXPLAIN_NCOLS);
	for (size_t i = 0; i < ps->n; i++) {
		const struct policy *p = &ps->v[i];
		int m = policy_match(p, c.path, c.runtime, (const char *const *)c.procs, c.nprocs,
		    c.procs_known);
		const char *match = m ? "yes" : explain_mismatch(p, &c);

		out_str(o, p->name);
		out_int(o, p->priority);
		out_str(o, match);
		out_str(o, "policy");
		out_str(o, "");
		out_str(o, m ? "matches" : "-");
		out_num(o, NAN, 0, "-");
		out_str(o, "");
		explain_loc(o, &p->loc);
		for (size_t j = 0; j < p->nlimits; j++)
			explain_limit(o, p, match, &p->limits[j], inforce, ninforce);
		for (size_t j = 0; j < p->nrules; j++)
			explain_rule(o, p, match, &p->rules[j], rs, nrs);
	}
	if (ctx->format == OUT_JSON) {
		buf_printf(&b, "{\"container\": ");
		escape_json(&b, c.path);
		buf_printf(&b, ", \"name\": ");
		escape_json(&b, c.name);
		buf_printf(&b, ", \"runtime\": ");
		escape_json(&b, c.runtime);
		buf_printf(&b, ", \"processes\": %s", c.procs_known ? "[" : "null");
		for (size_t i = 0; c.procs_known && i < c.nprocs; i++) {
			if (i)
				buf_printf(&b, ", ");
			escape_json(&b, c.procs[i]);
		}
		buf_printf(&b, "%s, \"policies_path\": ", c.procs_known ? "]" : "");
		escape_json(&b, policies);
		buf_printf(&b, ", \"policies\": ");
		fputs(b.data, stdout);
		out_print(o, stdout);
		fputs("}\n", stdout);
	} else {
		if (ctx->format == OUT_TABLE) {
			buf_printf(&b, "container ");
			escape_term(&b, c.path);
			buf_puts(&b, " (");
			escape_term(&b, c.runtime);
			buf_puts(&b, " ");
			escape_term(&b, c.name);
			buf_printf(&b, "), processes: ");
			for (size_t i = 0; c.procs_known && i < c.nprocs; i++) {
				if (i)
					buf_printf(&b, ", ");
				escape_term(&b, c.procs[i]);
			}
			if (!c.procs_known)
				buf_printf(&b, "unknown");
			buf_printf(&b, "\npolicies from ");
			escape_term(&b, policies);
			printf("%s\n\n", b.data);
		}
		out_print(o, stdout);
	}
	out_free(o);
	rc = CMD_OK;
out:
	buf_free(&b);
	pol_diags_free(&diags);
	policy_set_free(ps);
	journal_actions_free(inforce, ninforce);
	journal_rule_states_free(rs, nrs);
	journal_daemon_clear(&jd);
	knob_procs_free(c.procs, c.nprocs);
	free(c.path);
	free(c.name);
	free(c.runtime);
	free(policies);
	store_close(st);
	return rc;
}

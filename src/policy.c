/* policy.c: the policy language's names, diagnostics, loading, matching and
 * formatting (policy.h, cgov.policy(5)); the parser is policy_parse.c, the
 * checks of a whole set policy_check.c. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "policy.h"
#include "units.h"
#include "xmalloc.h"

#define POL_MAX_FILE    (1024 * 1024)   /* bytes; a policy file is small */

/* ---- names ---------------------------------------------------------------- */

static const char *const pol_metric_names[PM__MAX] = {
	"memory", "swap", "cpu", "throttled", "io.read", "io.write", "io.read-iops",
	"io.write-iops", "pressure.cpu", "pressure.memory", "pressure.io", "pids",
	"memory.eta", "others.pressure.cpu", "others.pressure.memory", "others.pressure.io",
	"node.cpu", "node.memory.available", "node.swap.free",
	"node.pressure.cpu", "node.pressure.memory", "node.pressure.io", "node.temp",
};

static const enum pol_unit pol_metric_units[PM__MAX] = {
	PU_BYTES, PU_BYTES, PU_CORES, PU_PERCENT, PU_BYTES_S, PU_BYTES_S, PU_OPS_S,
	PU_OPS_S, PU_PERCENT, PU_PERCENT, PU_PERCENT, PU_COUNT,
	PU_MS, PU_PERCENT, PU_PERCENT, PU_PERCENT,
	PU_PERCENT, PU_BYTES, PU_BYTES,
	PU_PERCENT, PU_PERCENT, PU_PERCENT, PU_CELSIUS,
};

const char *
pol_metric_name(enum pol_metric m)
{
	return (unsigned)m < PM__MAX ? pol_metric_names[m] : "?";
}

enum pol_unit
pol_metric_unit(enum pol_metric m)
{
	return (unsigned)m < PM__MAX ? pol_metric_units[m] : PU_COUNT;
}

int
pol_metric_has_limit(enum pol_metric m)
{
	switch (m) {
	case PM_MEMORY: case PM_SWAP: case PM_CPU: case PM_PIDS:
	case PM_NODE_MEMORY_AVAILABLE: case PM_NODE_SWAP_FREE:
		return 1;
	default:
		return 0;
	}
}

int
pol_metric_lookup(const char *name)
{
	for (int m = 0; m < PM__MAX; m++)
		if (strcmp(pol_metric_names[m], name) == 0)
			return m;
	return -1;
}

int
pol_metric_has_of(enum pol_metric m, enum pol_of of)
{
	switch (of) {
	case POF_NODE:
	case POF_SHARE:
		return m == PM_CPU;
	case POF_DEVICE:
		return m == PM_IO_READ || m == PM_IO_WRITE || m == PM_IO_READ_IOPS ||
		    m == PM_IO_WRITE_IOPS;
	case POF_NONE:
		break;
	}
	return 0;
}

const char *
pol_of_name(enum pol_of of)
{
	static const char *const names[] = { "", "node", "share", "device" };

	return (unsigned)of < sizeof names / sizeof names[0] ? names[of] : "?";
}

static const struct {
	const char *name;
	int rung;
} pol_knobs[PK__MAX] = {
	[PK_MEM_LIMIT] = { "memory limit", -1 },
	[PK_MEM_HIGH] = { "memory high", 3 },
	[PK_SWAP_BUFFER] = { "memory swap-buffer", -1 },
	[PK_CPU_WEIGHT] = { "cpu shares", 0 },
	[PK_CPU_QUOTA] = { "cpu quota", 1 },
	[PK_IO_RBPS] = { "io read-limit", 2 },
	[PK_IO_WBPS] = { "io write-limit", 2 },
	[PK_IO_RIOPS] = { "io read-iops", 2 },
	[PK_IO_WIOPS] = { "io write-iops", 2 },
	[PK_PIDS_MAX] = { "pids max", -1 },
	[PK_FREEZE] = { "freeze", 4 },
	[PK_KILL] = { "kill", 5 },
	[PK_OOM_ADJ] = { "oom-score-adj", 3 },
	[PK_MEM_LOW] = { "memory low", 3 },
	[PK_MEM_MIN] = { "memory min", 3 },
};

const char *
pol_knob_name(enum pol_knob k)
{
	return (unsigned)k < PK__MAX ? pol_knobs[k].name : "?";
}

int
pol_knob_rung(enum pol_knob k)
{
	return (unsigned)k < PK__MAX ? pol_knobs[k].rung : -1;
}

/* ---- diagnostics ------------------------------------------------------------ */

void
pol_diags_add(struct pol_diags *d, enum pol_severity sev, const struct pol_loc *at,
    const struct pol_loc *hint_at, const char *hint, const char *fmt, ...)
{
	struct pol_diag *g;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if ((d->n & (d->n - 1)) == 0)
		d->v = xreallocarray(d->v, d->n ? d->n * 2 : 1, sizeof *d->v);
	g = &d->v[d->n++];
	memset(g, 0, sizeof *g);
	g->sev = sev;
	g->file = xstrdup(at->file);
	g->line = at->line;
	g->col = at->col;
	g->msg = xstrdup(msg);
	if (hint != NULL) {
		g->hint = xstrdup(hint);
		if (hint_at != NULL) {
			g->hint_file = xstrdup(hint_at->file);
			g->hint_line = hint_at->line;
			g->hint_col = hint_at->col;
		}
	}
	if (sev == PS_ERROR)
		d->nerrors++;
}

void
pol_diags_free(struct pol_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
		free(d->v[i].hint);
		free(d->v[i].hint_file);
	}
	free(d->v);
	memset(d, 0, sizeof *d);
}

static const struct pol_diags *pol_diags_sorting;

/* By file, line, column; then the order they were added in (qsort is not
 * stable, and an error must stay before what a later pass says there). */
static int
pol_diags_cmp(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct pol_diag *x = &pol_diags_sorting->v[i], *y = &pol_diags_sorting->v[j];
	int c = strcmp(x->file, y->file);

	if (c != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return i < j ? -1 : i > j;
}

static void
pol_diag_print_one(FILE *out, const char *file, int line, int col, const char *sev,
    const char *msg)
{
	if (line > 0)
		fprintf(out, "%s:%d:%d: %s: %s\n", escape_log(0, file), line, col, sev, msg);
	else
		fprintf(out, "%s: %s: %s\n", escape_log(0, file), sev, msg);
}

void
pol_diags_print(const struct pol_diags *d, FILE *out)
{
	size_t *idx = xcalloc(d->n ? d->n : 1, sizeof *idx);

	for (size_t i = 0; i < d->n; i++)
		idx[i] = i;
	pol_diags_sorting = d;
	qsort(idx, d->n, sizeof *idx, pol_diags_cmp);
	for (size_t i = 0; i < d->n; i++) {
		const struct pol_diag *g = &d->v[idx[i]];

		pol_diag_print_one(out, g->file, g->line, g->col,
		    g->sev == PS_ERROR ? "error" : "warning", g->msg);
		if (g->hint == NULL)
			continue;
		if (g->hint_file != NULL)
			pol_diag_print_one(out, g->hint_file, g->hint_line, g->hint_col, "note",
			    g->hint);
		else
			pol_diag_print_one(out, g->file, g->line, g->col, "note", g->hint);
	}
	free(idx);
}
/* ---- loading ------------------------------------------------------------------------------- */

static void
pol_file_error(struct pol_diags *d, const char *path, const char *why)
{
	struct pol_loc at = { path, 0, 0 };

	pol_diags_add(d, PS_ERROR, &at, NULL, NULL, "%s", why);
}

static int
policy_parse_file(const char *path, struct policy_set **set, struct pol_diags *d)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	ssize_t r;
	int fd, err = 0;

	/* O_NONBLOCK: a FIFO named *.policy must not hang a reload. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0 ||
	    fstat(fd, &st) < 0) {
		err = -errno;
		pol_file_error(d, path, strerror(-err));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > POL_MAX_FILE) {
		err = -EINVAL;
		pol_file_error(d, path, !S_ISREG(st.st_mode) ? "not a regular file" :
		    "too large for a policy file (over 1M)");
		goto out;
	}
	text = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size && (r = read(fd, text + len, (size_t)st.st_size - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			pol_file_error(d, path, strerror(-err));
			goto out;
		}
		len += (size_t)r;
	}
	err = (int)policy_parse_buffer(path, text, len, set, d);
out:
	if (fd >= 0)
		close(fd);
	free(text);
	return err;
}

static int
pol_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
policy_parse_dir(const char *dir, struct policy_set **set, struct pol_diags *d)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **names = NULL, *path;
	size_t n = 0, dlen = strlen(dir);
	int errors = 0, r;

	if (dp == NULL) {
		r = -errno;
		pol_file_error(d, dir, strerror(-r));
		return r;
	}
	while ((de = readdir(dp)) != NULL)
		if (fnmatch("*.policy", de->d_name, FNM_PERIOD) == 0)
		{
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
	closedir(dp);
	if (n > 0)
		qsort(names, n, sizeof *names, pol_strcmp);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		path = xasprintf("%.*s/%s", (int)dlen, dir, names[i]);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			r = 0;
		else if ((r = policy_parse_file(path, set, d)) < 0)
			r = 1;
		errors += r;
		free(path);
		free(names[i]);
	}
	free(names);
	return errors;
}

int
policy_parse_path(const char *path, struct policy_set **set, struct pol_diags *d)
{
	struct stat st;
	int r;

	if (*set == NULL)
		*set = xcalloc(1, sizeof **set);
	if (stat(path, &st) < 0) {
		r = -errno;
		pol_file_error(d, path, strerror(-r));
		return r;
	}
	return S_ISDIR(st.st_mode) ? policy_parse_dir(path, set, d) :
	    policy_parse_file(path, set, d);
}

int
policy_load(const char *path, int cgroup_version, struct pol_diags *d,
    struct policy_set **ret)
{
	struct policy_set *set = NULL;
	int r = policy_parse_path(path, &set, d);

	if (r == 0 && policy_check(set, cgroup_version, d) == 0) {
		*ret = set;
		return 0;
	}
	policy_set_free(set);
	*ret = NULL;
	return r < 0 ? r : -EINVAL;
}
/* ---- matching ----------------------------------------------------------------------------- */

static int
pol_glob_any(char *const *globs, size_t n, const char *s, int flags)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(globs[i], s, flags) == 0)
			return 1;
	return 0;
}

int
policy_match(const struct policy *p, const char *path, const char *runtime,
    const char *const *procs, size_t nprocs, int procs_known)
{
	size_t i;

	if (p->ncgroups > 0 && !pol_glob_any(p->cgroups, p->ncgroups, path, FNM_PATHNAME))
		return 0;
	if (p->nruntimes > 0) {
		for (i = 0; i < p->nruntimes; i++)
			if (runtime != NULL && strcmp(p->runtimes[i], runtime) == 0)
				break;
		if (i == p->nruntimes)
			return 0;
	}
	if (p->nprocesses == 0)
		return 1;
	if (!procs_known)
		return 0;
	for (i = 0; i < nprocs; i++)
		if (pol_glob_any(p->processes, p->nprocesses, procs[i], 0))
			return 1;
	return 0;
}

/* ---- formatting --------------------------------------------------------------------------- */

struct fmt {
	char *buf;
	size_t len, off;
};

static void __attribute__((format(printf, 2, 3)))
fmt_add(struct fmt *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (f->off + 1 >= f->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(f->buf + f->off, f->len - f->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		f->off = f->off + (size_t)n < f->len ? f->off + (size_t)n : f->len - 1;
}

/* The shortest decimal that reads back as v: "1.5", "90", "0.333". */
static void
fmt_num(struct fmt *f, double v)
{
	char t[64];

	for (int prec = 0; prec <= 17; prec++) {
		snprintf(t, sizeof t, "%.*f", prec, v);
		if (strtod(t, NULL) == v)
			break;
	}
	fmt_add(f, "%s", t);
}

/* Exact sizes in the largest unit that keeps one decimal: "4G", "1.5G",
 * "1536K", "900B". */
static void
fmt_size(struct fmt *f, double v)
{
	static const char units[] = "TGMK";
	uint64_t b = (uint64_t)v, mult;

	for (int i = 0; i < 4; i++) {
		mult = 1ULL << (10 * (4 - i));
		if (b < mult || (b % mult) * 10 % mult != 0)
			continue;
		if (b % mult == 0)
			fmt_add(f, "%llu%c", (unsigned long long)(b / mult), units[i]);
		else
			fmt_add(f, "%llu.%llu%c", (unsigned long long)(b / mult),
			    (unsigned long long)((b % mult) * 10 / mult), units[i]);
		return;
	}
	fmt_add(f, "%lluB", (unsigned long long)b);
}

static void
fmt_cores(struct fmt *f, double cores)
{
	fmt_num(f, cores);
	fmt_add(f, cores == 1 ? " core" : " cores");
}

static void fmt_value(struct fmt *f, const struct pol_cond *c);

static void
fmt_cmp(struct fmt *f, const struct pol_cond *c)
{
	static const char *const ops[] = { ">", ">=", "<", "<=" };
	char t[32];

	if (c->win == PW_AVG) {
		units_format_duration(c->win_ms, t, sizeof t);
		fmt_add(f, "avg(%s) over %s ", pol_metric_name(c->metric), t);
	} else {
		fmt_add(f, "%s ", pol_metric_name(c->metric));
	}
	if (c->sensor != NULL) {
		fmt_add(f, "\"");
		for (const char *s = c->sensor; *s != '\0'; s++)
			fmt_add(f, "%s%c", *s == '"' || *s == '\\' ? "\\" : "", *s);
		fmt_add(f, "\" ");
	}
	fmt_add(f, "%s ", ops[c->op]);
	fmt_value(f, c);
	if (c->win == PW_DURING) {
		units_format_duration(c->win_ms, t, sizeof t);
		fmt_add(f, " during ");
		fmt_num(f, c->during_pct);
		fmt_add(f, "%% of %s", t);
	}
}

/* The right-hand side of a comparison: "90% of limit", "1.5 cores". */
static void
fmt_value(struct fmt *f, const struct pol_cond *c)
{
	char t[32];

	if (c->of_limit || c->of != POF_NONE) {
		fmt_num(f, c->value);
		fmt_add(f, "%% of %s", c->of != POF_NONE ? pol_of_name(c->of) :
		    PM_IS_NODE(c->metric) ? "total" : "limit");
		return;
	}
	switch (pol_metric_unit(c->metric)) {
	case PU_BYTES: fmt_size(f, c->value); break;
	case PU_BYTES_S: fmt_size(f, c->value); fmt_add(f, "/s"); break;
	case PU_CORES: fmt_cores(f, c->value); break;
	case PU_PERCENT: fmt_num(f, c->value); fmt_add(f, "%%"); break;
	case PU_OPS_S: fmt_num(f, c->value); fmt_add(f, "/s"); break;
	case PU_COUNT: fmt_num(f, c->value); break;
	case PU_CELSIUS: fmt_num(f, c->value); fmt_add(f, "C"); break;
	case PU_MS:
		units_format_duration((uint64_t)c->value, t, sizeof t);
		fmt_add(f, "%s", t);
		break;
	}
}

/* Parentheses only where reading the text back needs them, so that
 * parse -> format -> parse gives the same tree. */
static void
fmt_cond(struct fmt *f, const struct pol_cond *c, int parens)
{
	if (parens)
		fmt_add(f, "(");
	if (c->kind == PC_CMP) {
		fmt_cmp(f, c);
	} else {
		fmt_cond(f, c->a, c->kind == PC_AND && c->a->kind == PC_OR);
		fmt_add(f, c->kind == PC_AND ? " and " : " or ");
		fmt_cond(f, c->b, c->b->kind != PC_CMP && (c->kind == PC_AND || c->b->kind == PC_OR));
	}
	if (parens)
		fmt_add(f, ")");
}

void
pol_cond_format(const struct pol_cond *c, char *buf, size_t len)
{
	struct fmt f = { buf, len, 0 };

	if (len == 0)
		return;
	buf[0] = '\0';
	fmt_cond(&f, c, 0);
}

static int
pol_is_word(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	while (isalnum((unsigned char)*s) || *s == '_' || *s == '.' || *s == '-')
		s++;
	return *s == '\0';
}

void
pol_set_knob_format(const struct pol_set_knob *k, char *buf, size_t len)
{
	struct fmt f = { buf, len, 0 };

	if (len == 0)
		return;
	buf[0] = '\0';
	fmt_add(&f, "%s", pol_knob_name(k->knob));
	if (k->knob == PK_FREEZE || k->knob == PK_KILL)
		return;
	fmt_add(&f, " ");
	if (k->dev.spec != NULL) {
		if (pol_is_word(k->dev.spec)) {
			fmt_add(&f, "%s ", k->dev.spec);
		} else {
			fmt_add(&f, "\"");
			for (const char *s = k->dev.spec; *s != '\0'; s++)
				fmt_add(&f, "%s%c", *s == '"' || *s == '\\' ? "\\" : "", *s);
			fmt_add(&f, "\" ");
		}
	}
	if (k->rel != PR_ABS) {
		fmt_num(&f, k->value);
		fmt_add(&f, "%% of %s", k->rel == PR_OF_LIMIT ? "limit" : "current");
		return;
	}
	if (k->value >= (double)POL_MAX) {
		fmt_add(&f, "max");
		return;
	}
	switch (k->knob) {
	case PK_MEM_LIMIT: case PK_MEM_HIGH: case PK_SWAP_BUFFER:
		fmt_size(&f, k->value);
		break;
	case PK_IO_RBPS: case PK_IO_WBPS:
		fmt_size(&f, k->value);
		fmt_add(&f, "/s");
		break;
	case PK_IO_RIOPS: case PK_IO_WIOPS:
		fmt_num(&f, k->value);
		fmt_add(&f, "/s");
		break;
	case PK_CPU_QUOTA:
		fmt_cores(&f, k->value / 1000);
		break;
	case PK_MEM_LOW:
	case PK_MEM_MIN:
		fmt_size(&f, k->value);
		break;
	case PK_OOM_ADJ:
		fmt_add(&f, "%+d", (int)k->value - POL_OOM_BIAS);
		break;
	default:
		fmt_num(&f, k->value);
		break;
	}
}

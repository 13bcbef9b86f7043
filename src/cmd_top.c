/* cmd_top.c: `cgov top`, containers ranked by a resource. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "escape.h"
#include "metrics.h"
#include "units.h"

enum top_by { BY_MEMORY, BY_SWAP, BY_CPU, BY_THROTTLE, BY_IO, BY_PRESSURE };

static const char *const top_by_names[] = {
	"memory", "swap", "cpu", "throttle", "io", "pressure"
};

struct top_opts {
	enum top_by by;
	uint64_t since_ms;              /* 0: now (the newest tick) */
	long limit;                     /* 0: all */
	int live;
	uint64_t refresh_ms;
};

/* The JSON/CSV keys are stable: cgov(1) documents each. */
static const struct out_col top_cols[] = {
	{ "name", "CONTAINER", 0, 24 },
	{ "runtime", "RUNTIME", 0, 0 },
	{ "path", NULL, 0, 0 },
	{ "samples", NULL, 1, 0 },
	{ "mem_bytes", "MEM", 1, 0 },
	{ "mem_max_bytes", "MEMMAX", 1, 0 },
	{ "mem_limit_bytes", "LIMIT", 1, 0 },
	{ "mem_pct_of_limit", "MEM%", 1, 0 },
	{ "swap_bytes", "SWAP", 1, 0 },
	{ "swap_limit_bytes", NULL, 1, 0 },
	{ "cpu_cores", "CPU", 1, 0 },
	{ "cpu_limit_cores", NULL, 1, 0 },
	{ "cpu_shares", NULL, 1, 0 },
	{ "throttled_pct", "THR%", 1, 0 },
	{ "throttled_time_pct", NULL, 1, 0 },
	{ "read_bytes_per_s", "READ/s", 1, 0 },
	{ "write_bytes_per_s", "WRITE/s", 1, 0 },
	{ "read_iops", NULL, 1, 0 },
	{ "write_iops", NULL, 1, 0 },
	{ "iops", "IOPS", 1, 0 },
	{ "psi_cpu_pct", NULL, 1, 0 },
	{ "psi_memory_pct", NULL, 1, 0 },
	{ "psi_io_pct", NULL, 1, 0 },
	{ "pressure_pct", "PSI%", 1, 0 },
	{ "pids", "PIDS", 1, 0 },
	{ "pids_max", NULL, 1, 0 },
	{ "oom", NULL, 1, 0 },
	{ "oom_kill", "OOMK", 1, 0 },
};
#define TOP_NCOLS (sizeof top_cols / sizeof top_cols[0])

static void
top_usage(FILE *out)
{
	fprintf(out,
"usage: cgov top [--by memory|swap|cpu|throttle|io|pressure] [--since DURATION]\n"
"                [--limit N] [--live [--refresh DURATION]] [--format table|json|csv]\n"
"Without --since: the newest sample. With --since: averages (and maxima) over the\n"
"window ending at the newest sample; rates come from counter deltas.\n");
}

/* The larger of a and b, the known one when only one is; NAN when neither. */
static double
top_max_known(double a, double b)
{
	return isnan(a) ? b : isnan(b) ? a : a > b ? a : b;
}

/* The figure a container is ranked by: memory and swap on the average
 * over the window (the newest value when no window), the rest on rates.
 * Pressure: the largest known (v1 without I/O wait counters has no
 * pressure.io, and its derived cpu and memory pressures still rank). */
static double
top_key(const struct store_top_row *r, enum top_by by)
{
	double v = NAN;

	switch (by) {
	case BY_MEMORY: v = r->mem_avg; break;
	case BY_SWAP: v = r->swap_avg; break;
	case BY_CPU: v = r->cpu_cores; break;
	case BY_THROTTLE: v = r->throttled_pct; break;    /* the THR% column */
	case BY_IO: v = metrics_sum(r->rbytes_s, r->wbytes_s); break;
	case BY_PRESSURE:
		v = top_max_known(top_max_known(r->psi_cpu_pct, r->psi_mem_pct), r->psi_io_pct);
		break;
	}
	return v;
}

static enum top_by top_sort_by;

/* Descending; unknown values (NAN) last; ties by path for a stable order. */
static int
top_cmp(const void *a, const void *b)
{
	const struct store_top_row *x = a, *y = b;
	double kx = top_key(x, top_sort_by), ky = top_key(y, top_sort_by);

	if (isnan(kx) != isnan(ky))
		return isnan(kx) ? 1 : -1;
	if (!isnan(kx) && kx != ky)
		return kx > ky ? -1 : 1;
	return strcmp(x->c.path, y->c.path);
}

static void
top_size(struct out *o, double v)
{
	char t[32];

	if (isnan(v))
		snprintf(t, sizeof t, "-");
	else if (isinf(v))
		snprintf(t, sizeof t, "max");
	else
		units_format_size((uint64_t)v, t, sizeof t);
	out_num(o, v, 0, t);
}

static void
top_fixed(struct out *o, double v, int decimals, const char *suffix)
{
	char t[32];

	if (isnan(v))
		snprintf(t, sizeof t, "-");
	else if (isinf(v))
		snprintf(t, sizeof t, "max");
	else
		snprintf(t, sizeof t, "%.*f%s", decimals, v, suffix);
	out_num(o, v, decimals == 0 ? 0 : 3, t);
}

static void
top_rate(struct out *o, double v)
{
	char t[32];

	if (isnan(v))
		snprintf(t, sizeof t, "-");
	else {
		units_format_size((uint64_t)v, t, sizeof t);
		strncat(t, "/s", sizeof t - strlen(t) - 1);
	}
	out_num(o, v, 0, t);
}

static void
top_add_row(struct out *o, const struct store_top_row *r)
{
	double pct = metrics_pct(r->mem_avg, r->mem_limit);

	out_str(o, r->c.name);
	out_str(o, r->c.runtime);
	out_str(o, r->c.path);
	top_fixed(o, (double)r->samples, 0, "");
	top_size(o, r->mem_avg);
	top_size(o, r->mem_max);
	top_size(o, r->mem_limit);
	top_fixed(o, pct, 1, "%");
	top_size(o, r->swap_avg);
	top_size(o, r->swap_limit);
	top_fixed(o, r->cpu_cores, 2, "");
	top_fixed(o, r->cpu_limit_cores, 2, "");
	top_fixed(o, r->cpu_shares, 0, "");
	top_fixed(o, r->throttled_pct, 1, "%");
	top_fixed(o, r->throttled_time_pct, 1, "%");
	top_rate(o, r->rbytes_s);
	top_rate(o, r->wbytes_s);
	top_fixed(o, r->rios_s, 1, "");
	top_fixed(o, r->wios_s, 1, "");
	top_fixed(o, metrics_sum(r->rios_s, r->wios_s), 1, "");
	top_fixed(o, r->psi_cpu_pct, 1, "%");
	top_fixed(o, r->psi_mem_pct, 1, "%");
	top_fixed(o, r->psi_io_pct, 1, "%");
	top_fixed(o, top_key(r, BY_PRESSURE), 1, "%");
	top_fixed(o, r->pids_last, 0, "");
	top_fixed(o, r->pids_max, 0, "");
	top_fixed(o, r->oom == STORE_NULL ? NAN : (double)r->oom, 0, "");
	top_fixed(o, r->oom_kill == STORE_NULL ? NAN : (double)r->oom_kill, 0, "");
}

static void
top_json_num(FILE *fp, const char *key, double v, int decimals, int last)
{
	if (isnan(v) || isinf(v))
		fprintf(fp, "\"%s\": null%s", key, last ? "" : ", ");
	else
		fprintf(fp, "\"%s\": %.*f%s", key, decimals, v, last ? "" : ", ");
}

/* The node line's figures: "-" when unknown, as in the table's cells. */
static const char *
top_node_size(double v, char *t, size_t len)
{
	if (isnan(v) || v < 0)
		snprintf(t, len, "-");
	else
		units_format_size((uint64_t)v, t, len);
	return t;
}

static const char *
top_node_fixed(double v, int decimals, const char *suffix, char *t, size_t len)
{
	if (isnan(v))
		snprintf(t, len, "-");
	else
		snprintf(t, len, "%.*f%s", decimals, v, suffix);
	return t;
}

/* The node beside the containers: is it the node that is short? */
/* The hottest of the temperature rows' latest readings, or -1. */
static long
top_hottest(const struct store_temp_row *t, size_t nt)
{
	long h = -1;

	for (size_t i = 0; i < nt; i++)
		if (!isnan(t[i].last_c) && (h < 0 || t[i].last_c > t[h].last_c))
			h = (long)i;
	return h;
}

/* ", temp 71.0C (CHIP/LABEL, hottest of N; max 80.0C)": sensor names come
 * from sysfs and are escaped. JSON: "temp_c" and "temps". */
static void
top_print_temps(FILE *fp, const struct cmd_ctx *ctx, const struct store_temp_row *t, size_t nt,
    int since)
{
	struct buf b;
	long h = top_hottest(t, nt);

	buf_init(&b);
	if (ctx->format == OUT_JSON) {
		top_json_num(fp, "temp_c", h < 0 ? NAN : t[h].last_c, 1, 0);
		fputs("\"temps\": [", fp);
		for (size_t i = 0; i < nt; i++) {
			buf_reset(&b);
			escape_json(&b, t[i].sensor);
			fprintf(fp, "%s{\"sensor\": %s, ", i ? ", " : "", b.data);
			top_json_num(fp, "celsius", t[i].last_c, 1, 0);
			top_json_num(fp, "max_celsius", t[i].max_c, 1, 1);
			fputc('}', fp);
		}
		fputs("], ", fp);
	} else if (nt == 0) {
		;                       /* no sensors: nothing to say each time */
	} else if (h < 0) {
		fputs("; temp -", fp);
	} else {
		double max = NAN;

		for (size_t i = 0; i < nt; i++)
			if (!isnan(t[i].max_c) && (isnan(max) || t[i].max_c > max))
				max = t[i].max_c;
		escape_term(&b, t[h].sensor);
		fprintf(fp, "; temp %.1fC (%s", t[h].last_c, b.data);
		if (nt > 1)
			fprintf(fp, ", hottest of %zu", nt);
		if (since && !isnan(max))
			fprintf(fp, "; max %.1fC", max);
		fputc(')', fp);
	}
	buf_free(&b);
}

static void
top_print_node(FILE *fp, const struct cmd_ctx *ctx, const struct store_node_row *n,
    const struct store_temp_row *t, size_t nt, int since)
{
	char total[16], avail[16], low[16], swap[16], swtot[16];
	char ncpu[32], busy[32], load[32], pc[32], pm[32], pi[32];

	if (ctx->format == OUT_JSON) {
		fputs("\"node\": {", fp);
		top_json_num(fp, "samples", (double)n->samples, 0, 0);
		top_json_num(fp, "ncpu", n->ncpu, 0, 0);
		top_json_num(fp, "cpu_busy_pct", n->cpu_busy_pct, 3, 0);
		top_json_num(fp, "load1", n->load1, 2, 0);
		top_json_num(fp, "mem_total_bytes", n->mem_total, 0, 0);
		top_json_num(fp, "mem_available_bytes", n->mem_available, 0, 0);
		top_json_num(fp, "mem_available_min_bytes", n->mem_available_min, 0, 0);
		top_json_num(fp, "swap_total_bytes", n->swap_total, 0, 0);
		top_json_num(fp, "swap_used_bytes", n->swap_used, 0, 0);
		top_json_num(fp, "psi_cpu_pct", n->psi_cpu_pct, 3, 0);
		top_json_num(fp, "psi_memory_pct", n->psi_mem_pct, 3, 0);
		top_json_num(fp, "psi_io_pct", n->psi_io_pct, 3, 0);
		top_print_temps(fp, ctx, t, nt, since);
		fprintf(fp, "\"temp_sensors\": %zu}, ", nt);
		return;
	}
	if (ctx->format != OUT_TABLE || n->samples == 0)
		return;
	fprintf(fp, "node: %s CPUs %s busy, load %s; memory %s, %s available (lowest %s)",
	    top_node_fixed(n->ncpu, 0, "", ncpu, sizeof ncpu),
	    top_node_fixed(n->cpu_busy_pct, 1, "%", busy, sizeof busy),
	    top_node_fixed(n->load1, 2, "", load, sizeof load),
	    top_node_size(n->mem_total, total, sizeof total),
	    top_node_size(n->mem_available, avail, sizeof avail),
	    top_node_size(n->mem_available_min, low, sizeof low));
	if (n->swap_total == 0)
		fputs("; no swap", fp);
	else
		fprintf(fp, "; swap %s of %s used", top_node_size(n->swap_used, swap, sizeof swap),
		    top_node_size(n->swap_total, swtot, sizeof swtot));
	if (!isnan(n->psi_cpu_pct) || !isnan(n->psi_mem_pct) || !isnan(n->psi_io_pct))
		fprintf(fp, "; PSI some cpu %s memory %s io %s",
		    top_node_fixed(n->psi_cpu_pct, 1, "%", pc, sizeof pc),
		    top_node_fixed(n->psi_mem_pct, 1, "%", pm, sizeof pm),
		    top_node_fixed(n->psi_io_pct, 1, "%", pi, sizeof pi));
	top_print_temps(fp, ctx, t, nt, since);
	fputc('\n', fp);
}

/* One query and its output. Returns a CMD_ code. */
/* No containers: on a node without a container runtime, cgovd's built-in
 * patterns find nothing. Tables only (JSON and CSV stay data). */
static void
top_print_empty_hint(FILE *fp)
{
	fputs("\nNo containers in the history. cgovd finds containers by their runtime's "
	    "cgroup layout\n(cgovd --list-patterns); on a node without a container runtime, "
	    "point it at\ncgroups of your own: cgovd --containers '/PATH/*' (or "
	    "`containers = /PATH/*` in\ncgov.conf). Those have runtime \"cgroup\": "
	    "`match runtime cgroup` in a policy\n(cgov.policy(5)); contrib/demo.sh shows it "
	    "on a sandbox.\n", fp);
}

static int
top_once(struct store *st, const struct cmd_ctx *ctx, const struct top_opts *t, FILE *fp)
{
	struct store_top_row *rows;
	struct store_node_row node;
	struct store_temp_row *temps = NULL;
	size_t n, shown, ntemps = 0;
	int64_t latest;
	struct out *o;
	int r;

	if ((r = store_query_top(st, (int64_t)t->since_ms, &rows, &n, &latest)) < 0) {
		fprintf(stderr, "cgov: top: query failed: %s\n", strerror(-r));
		return CMD_FAILURE;
	}
	if ((r = store_query_node(st, (int64_t)t->since_ms, &node)) < 0) {
		fprintf(stderr, "cgov: top: node query failed: %s\n", strerror(-r));
		store_top_free(rows, n);
		return CMD_FAILURE;
	}
	/* Temperatures are a side dish: a failure leaves them out. */
	if ((r = store_query_temps(st, (int64_t)t->since_ms, &temps, &ntemps)) < 0)
		fprintf(stderr, "cgov: top: temperature query failed: %s\n", strerror(-r));
	top_sort_by = t->by;
	if (n > 1)
		qsort(rows, n, sizeof *rows, top_cmp);
	shown = t->limit > 0 && (size_t)t->limit < n ? (size_t)t->limit : n;
	o = out_new(ctx->format, top_cols, TOP_NCOLS);
	for (size_t i = 0; i < shown; i++)
		top_add_row(o, &rows[i]);

	if (ctx->format == OUT_JSON) {
		fprintf(fp, "{\"by\": \"%s\", \"since_ms\": %llu, \"latest_ms\": %lld, ",
		    top_by_names[t->by], (unsigned long long)t->since_ms, (long long)latest);
		top_print_node(fp, ctx, &node, temps, ntemps, t->since_ms > 0);
		fputs("\"containers\": ", fp);
		out_print(o, fp);
		fputs("}\n", fp);
	} else if (ctx->format == OUT_TABLE) {
		char when[64], win[32];

		if (units_format_time(latest, when, sizeof when) < 0)
			snprintf(when, sizeof when, "no samples yet");
		if (t->since_ms > 0)
			units_format_duration(t->since_ms, win, sizeof win);
		if (t->since_ms > 0)
			fprintf(fp, "cgov top by %s, average over the %s up to %s, %zu of %zu "
			    "containers\n", top_by_names[t->by], win, when, shown, n);
		else
			fprintf(fp, "cgov top by %s, at %s, %zu of %zu containers\n",
			    top_by_names[t->by], when, shown, n);
		top_print_node(fp, ctx, &node, temps, ntemps, t->since_ms > 0);
		out_print(o, fp);
		if (n == 0)
			top_print_empty_hint(fp);
	} else
		out_print(o, fp);
	out_free(o);
	store_top_free(rows, n);
	store_temps_free(temps, ntemps);
	return CMD_OK;
}

static volatile sig_atomic_t top_stop;

static void
top_on_signal(int sig)
{
	top_stop = sig;
}

/* --live: redraw every refresh until 'q' or EOF on stdin, or a signal. The
 * wait is poll(2) on the terminal: a keypress ends it at once. Ctrl-C and
 * SIGTERM interrupt the poll (no SA_RESTART) so the terminal settings are
 * restored before exiting. */
static int
top_live(struct store *st, const struct cmd_ctx *ctx, const struct top_opts *t)
{
	struct sigaction sa = { .sa_handler = top_on_signal };
	struct termios saved, raw;
	int tty_ok = tcgetattr(STDIN_FILENO, &saved) == 0;
	int rc = CMD_OK;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (tty_ok) {
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	for (;;) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		char c;

		fputs("\033[H\033[2J", stdout);
		if ((rc = top_once(st, ctx, t, stdout)) != CMD_OK)
			break;
		fputs("(q to quit)\n", stdout);
		fflush(stdout);
		if (poll(&pfd, 1, (int)t->refresh_ms) > 0 &&
		    (read(STDIN_FILENO, &c, 1) <= 0 || c == 'q' || c == 'Q'))
			break;
		if (top_stop)
			break;
	}
	if (tty_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return rc;
}

int
cmd_top(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "since", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'n' },
		{ "live", no_argument, NULL, 'l' },
		{ "refresh", required_argument, NULL, 'r' },
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct top_opts t = { .by = BY_MEMORY, .limit = 0, .refresh_ms = 2000 };
	struct store *st;
	int ch, rc, limit_set = 0;

	while ((ch = getopt_long(argc, argv, "b:s:n:lr:h", opts, NULL)) != -1) {
		char *end;
		size_t i;

		switch (ch) {
		case 'b':
			for (i = 0; i < sizeof top_by_names / sizeof top_by_names[0]; i++)
				if (strcmp(optarg, top_by_names[i]) == 0)
					break;
			if (i == sizeof top_by_names / sizeof top_by_names[0]) {
				fprintf(stderr, "cgov: top: unknown --by \"%s\" (memory, swap, "
				    "cpu, throttle, io, pressure)\n", optarg);
				return CMD_USAGE;
			}
			t.by = (enum top_by)i;
			break;
		case 's':
			if (units_parse_duration(optarg, &t.since_ms) < 0 || t.since_ms == 0) {
				fprintf(stderr, "cgov: top: bad duration \"%s\" for --since "
				    "(e.g. 30s, 10m, 24h)\n", optarg);
				return CMD_USAGE;
			}
			break;
		case 'n':
			errno = 0;
			t.limit = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || t.limit < 1) {
				fprintf(stderr, "cgov: top: --limit wants a positive number, "
				    "not \"%s\"\n", optarg);
				return CMD_USAGE;
			}
			limit_set = 1;
			break;
		case 'l':
			t.live = 1;
			break;
		case 'r':
			if (units_parse_duration(optarg, &t.refresh_ms) < 0 || t.refresh_ms < 100 ||
			    t.refresh_ms > 3600000) {
				fprintf(stderr, "cgov: top: bad duration \"%s\" for --refresh "
				    "(100ms to 1h)\n", optarg);
				return CMD_USAGE;
			}
			break;
		case 'h':
			top_usage(stdout);
			return CMD_OK;
		default:
			if ((rc = cmd_common_option(ctx, ch, optarg)) == 1)
				break;
			top_usage(stderr);
			return CMD_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cgov: top: unexpected argument \"%s\"\n", argv[optind]);
		return CMD_USAGE;
	}
	if (t.live && (ctx->format != OUT_TABLE || !isatty(STDOUT_FILENO))) {
		fprintf(stderr, "cgov: top: --live needs a terminal and the table format\n");
		return CMD_USAGE;
	}
	if (t.live && !limit_set)
		t.limit = 20;
	if ((st = cmd_open_store(ctx)) == NULL)
		return CMD_FAILURE;
	rc = t.live ? top_live(st, ctx, &t) : top_once(st, ctx, &t, stdout);
	store_close(st);
	return rc;
}

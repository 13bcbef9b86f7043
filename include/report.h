/* report.h: the nightly capacity report: what `cgov report` computes once
 * (report_build) and the renderers that print it (text, JSON, CSV:
 * report_text.c; HTML: report_html.c).
 *
 * A report covers the window [to_ms - since_ms, to_ms], where to_ms is the
 * newest tick in the history (not the wall clock: the same database gives
 * the same report whenever it runs). It reads the history with one
 * roll_scan at a coarse step (rollup.h: the window / REPORT_SCAN_DIV,
 * which picks the minute tier for a day and the hour tier for a month),
 * merges each container's records into one roll_sum, re-buckets the same
 * records into the chart series, and reads the journal's actions once.
 * The host checks (I/O schedulers, the host's swap, which containers run
 * a JVM) read the live host under a root prefix (--root, "/" by default).
 *
 * Units: bytes, cores, percent (0..100), ms since the epoch; unknown
 * figures are NAN, "no limit" is INFINITY (as in rollup.h). Renderers
 * print NAN as "-" (text) or null (JSON) and INFINITY as "none"/null.
 *
 * Every string reached through a struct report_ctr or report_action
 * (path, name, runtime, policy, rule, observed) and the block device names
 * come from tenants or the host: hostile. Each renderer escapes them for
 * its format (escape.h).
 *
 * Errors: 0 or a negative errno (the store's, or -ENOMEM never: xmalloc).
 */
#ifndef CGOV_REPORT_H
#define CGOV_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "forecast.h"
#include "journal.h"
#include "store.h"

#define REPORT_SCAN_DIV     100     /* scan step = window / this */
#define REPORT_MAX_POINTS   200     /* chart points, at most */
#define REPORT_HORIZON_MS   (INT64_C(365) * 86400000)   /* forecast horizon */

/* The rule for a trend (a slope per day, a forecast, a trend line in a
 * chart): a series gets one only when its records cover at least
 * REPORT_TREND_MIN_COVER_PCT of the window, span at least
 * REPORT_TREND_MIN_SPAN_MS from the first to the last, and number at
 * least FORECAST_MIN_POINTS; otherwise its verdict is FC_TOO_SHORT and
 * its fit is withheld (ok 0, figures NAN). Two minutes of a day say
 * nothing about the day: a slope per day from them is an overstatement. */
#define REPORT_TREND_MIN_COVER_PCT 25.0
#define REPORT_TREND_MIN_SPAN_MS   INT64_C(3600000)

struct report_ctr;
struct audit_result;

#define REPORT_AUDIT_TOP 10         /* findings the report lists, most severe first */

/* The resources containers are ranked by ("top offenders"). */
enum report_res {
	RES_MEMORY,     /* mem_p95, bytes */
	RES_SWAP,       /* swap_max, bytes */
	RES_CPU,        /* cpu_avg, cores */
	RES_THROTTLE,   /* throttled_time_pct, % of wall time */
	RES_IO,         /* io_bytes (read + write over the window), bytes */
	RES_IOPS,       /* iops_p95, operations/s */
	RES_NRES
};
/* "memory", "swap", "cpu", "throttle", "io", "iops": stable (JSON keys). */
const char *report_res_name(enum report_res r);
/* The figure a container is ranked by for r (NAN when unknown). */
double report_res_value(const struct report_ctr *c, enum report_res r);

/* One container over the window. */
struct report_ctr {
	int64_t cid;
	char *path, *name, *runtime;   /* hostile; name/runtime may be NULL */
	int64_t first_seen_ms, last_seen_ms;
	int64_t gone_ms;               /* STORE_NULL while present */
	int64_t samples;               /* ticks merged */
	int64_t sampled_ms;            /* time covered by its records */
	int64_t data_from_ms, data_to_ms;   /* first and last instant its
	                                  records cover, inside the window */

	/* memory and swap, bytes */
	double mem_avg, mem_p50, mem_p95, mem_max;
	double mem_limit;              /* at the end of the window; INFINITY none */
	double mem_p95_pct, mem_max_pct;   /* % of mem_limit; NAN without one */
	double swap_avg, swap_max;
	double swap_limit;             /* INFINITY none, 0: no swap allowed */

	/* CPU */
	double cpu_avg, cpu_p95, cpu_max;  /* cores */
	double cpu_limit_cores;        /* quota / period; INFINITY none */
	double cpu_shares;             /* v1 scale (weight 100 = 1024) */
	double cpu_shares_pct;         /* its share of the shares of all the
	                                  containers present at the end, % */
	double throttled_pct;          /* % of CFS periods throttled */
	double throttled_time_pct;     /* % of its sampled time throttled */

	/* block I/O */
	double rbytes, wbytes;         /* bytes over the window */
	double rios, wios;             /* operations over the window */
	double io_avg;                 /* bytes/s, read + write */
	double io_p95;                 /* bytes/s, read + write */
	double iops_p95;               /* operations/s */

	int64_t oom, oom_kill;         /* events; STORE_NULL unknown */

	/* actions of cgov on this container in the window (report.actions) */
	size_t nactions;
	int64_t held_ms;               /* sum of their held_ms */

	/* the checks */
	int no_mem_limit;              /* mem_limit is INFINITY */
	int jvm;                       /* 1 a task runs java, 0 none, -1 unknown
	                                  (its cgroup is not under --root) */
	int jvm_no_swap;               /* jvm == 1 and swap_limit == 0 or the
	                                  host has no swap */

	/* its memory against its limit: the fit of its records' mem_avg
	 * (as the node's, forecast.h); FC_TOO_FEW also for a container
	 * without a limit or gone by to_ms */
	struct forecast mem_fc;
	enum forecast_verdict limit_verdict;
	int64_t limit_ms;              /* when it reaches mem_limit; INT64_MIN
	                                  unless reached/reaches */

	/* chart series, report.npoints values each, NAN where no data */
	float *mem;                    /* mean bytes in the bucket */
	float *cpu;                    /* mean cores in the bucket */
};

/* One journal action in the window (ts_ms >= from_ms). */
struct report_action {
	struct journal_action a;       /* strings hostile */
	size_t ctr;                    /* index in report.ctrs; SIZE_MAX when
	                                  the container is not in the report */
	int64_t held_ms;               /* apply/reassert rows: until restored,
	                                  or until to_ms while in force; -1 for
	                                  the other kinds */
	int in_force;                  /* apply/reassert not restored (what
	                                  `cgov status` shows); one restored
	                                  after to_ms (at cgovd's exit) is not */
};

struct report_blockdev {
	char *name;                    /* "sda" */
	char *scheduler;               /* the active one ("mq-deadline",
	                                  "none"); NULL when unreadable */
	char *available;               /* the whole line, brackets removed:
	                                  "mq-deadline kyber bfq none" */
};

struct report_node {
	int64_t samples;
	double ncpu;
	double mem_total;              /* bytes, newest */
	double mem_avail_avg, mem_avail_min;   /* bytes */
	double swap_total;             /* bytes, newest (history) */
	double swap_free_min;          /* bytes */
	double swap_used_max;          /* swap_total - swap_free_min */
	double cpu_busy_avg;           /* % of all CPUs */
	double cpu_busy_p95;           /* % of all CPUs */
	double load1_avg, load1_max;

	/* temperatures (store_query_temps over the window; raw history only,
	 * so a window past retain-raw sees its last day) */
	size_t temp_sensors;           /* 0: none in the window */
	double temp_max_c;             /* hottest reading of any sensor */
	char temp_max_sensor[128];     /* its "CHIP/LABEL": from sysfs, escape */
	double temp_last_c;            /* hottest of the newest readings */

	/* commitments of the containers present at the end of the window */
	size_t ctrs_present;
	size_t ctrs_no_limit;          /* ... of which without a memory limit */
	double mem_committed;          /* sum of their finite memory limits */
	double overcommit_ram;         /* mem_committed / mem_total */
	double overcommit_ram_swap;    /* mem_committed / (mem_total + swap_total) */
	double cpu_shares_total;       /* sum of their cpu_shares */
	double cpu_committed_cores;    /* sum of their finite CPU quotas */

	/* headroom over the window */
	double mem_headroom;           /* mem_avail_min, bytes */
	double mem_headroom_pct;       /* of mem_total */
	double cpu_headroom_cores;     /* ncpu * (100 - cpu_busy_p95) / 100 */

	/* when memory runs out: the fit of mem_avail_avg over time (see
	 * forecast.h), crossing 0 from to_ms on, horizon REPORT_HORIZON_MS */
	struct forecast mem_fc;
	enum forecast_verdict mem_verdict;
	int64_t mem_out_ms;            /* INT64_MIN unless reached/reaches */
};

/* Checks on the live host under root. */
struct report_checks {
	const char *root;              /* as given (not owned) */
	double host_swap_total;        /* root/proc/meminfo SwapTotal, bytes;
	                                  NAN when unreadable */
	int host_no_swap;              /* 1: SwapTotal 0 (or, when unreadable,
	                                  the history's swap_total 0); 0 has
	                                  swap; -1 unknown */
	int block_known;               /* root/sys/block was readable */
	size_t nblock;                 /* devices, sorted by name; loop*, ram*,
	                                  zram* and dm-* are left out (virtual:
	                                  their scheduler is "none" by design) */
	struct report_blockdev *block;
};

struct report {
	int64_t from_ms, to_ms;        /* the window; to_ms = newest tick */
	/* How much of the window the node's history covers: the time its
	 * records cover (clipped to the window), and the first and last
	 * instant they cover (INT64_MIN when there is none). */
	int64_t covered_ms;
	double coverage_pct;           /* covered_ms / since_ms, % */
	int64_t data_from_ms, data_to_ms;
	int64_t since_ms;              /* as asked */
	int64_t scan_step_ms;          /* the step given to roll_scan */
	int64_t records;               /* container records read */
	size_t top;                    /* offenders per resource */

	size_t nctrs;                  /* containers with records in the
	                                  window, sorted by path */
	struct report_ctr *ctrs;

	struct report_node node;
	struct report_checks checks;

	size_t nactions;               /* oldest first */
	struct report_action *actions;

	/* The hardening audit (audit.h) of the containers present at the end
	 * of the window, on the live host: run by `cgov report` itself, not by
	 * report_build, only when --root is "/" and --no-audit is not given
	 * (a report from a copied history, or a fake root, must not describe
	 * the machine it happens to run on). NULL when not run; then
	 * audit_why_not (static) says why. Owned by the report. */
	struct audit_result *audit;
	const char *audit_why_not;

	/* offenders: indices into ctrs, best first, those with a figure > 0
	 * only; ntop[r] <= top */
	size_t *tops[RES_NRES];
	size_t ntop[RES_NRES];

	/* chart series: npoints buckets of step_ms; bucket i starts at
	 * t_ms[i] = from_ms + i * step_ms */
	size_t npoints;
	int64_t step_ms;
	int64_t *t_ms;
	float *node_mem_avail;         /* bytes, mean in the bucket */
	float *node_cpu_busy;          /* % of all CPUs, mean in the bucket */
};

struct report_opts {
	int64_t since_ms;              /* window length, > 0 */
	size_t top;                    /* offenders per resource */
	const char *root;              /* host checks; "/" */
};

/* Builds the report of the window ending at the newest tick. A database
 * without ticks gives an empty report (nctrs 0, node.samples 0), not an
 * error. Free with report_free. */
int report_build(struct store *st, const struct report_opts *o, struct report **ret);
void report_free(struct report *r);

/* Renderers: write the whole report to out. Return 0 or -EIO when a write
 * failed (ferror). */
int report_text(const struct report *r, FILE *out);    /* report_text.c */
int report_json(const struct report *r, FILE *out);    /* report_text.c */
int report_csv(const struct report *r, FILE *out);     /* report_text.c */
int report_html(const struct report *r, FILE *out);    /* report_html.c */

/* ms since the epoch as ISO 8601 UTC, "2026-01-01T03:00:00Z" (the report
 * never prints local time: it must read the same anywhere). "-" for
 * INT64_MIN or a time gmtime cannot show. */
void report_iso_time(int64_t ms, char *buf, size_t len);

/* How the memory forecast is computed, one paragraph of plain text (the
 * renderers print it beside the figure). */
extern const char report_forecast_method[];

#endif

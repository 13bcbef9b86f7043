/* policy.h: the policy language of cgov (cgov.policy(5)), parsed and checked.
 *
 * A policy set is every "*.policy" file of a directory, loaded in name
 * order (strcmp of the file names), or one file. Each file holds
 * `policy "NAME" { ... }` blocks: how to match containers, static limits,
 * and rules (when / do / until / cooldown). The parser is hand-written
 * recursive descent (policy_parse.c), the checks that need the whole set are
 * in policy_check.c, names, diagnostics, loading, matching and formatting in
 * policy.c.
 *
 * Every quantity is stored here in one base unit per kind (enum pol_unit):
 * bytes, cores, percent, bytes/s, ops/s, milliseconds, counts, degrees C.
 * A value written "N% of limit" (conditions) or "N% of limit|current"
 * (actions) is kept as the percentage with `rel` saying of what.
 *
 * Errors and warnings are collected, never printed by the parser: every
 * diagnostic has the file, line and column (1-based, columns in bytes) of
 * the token it is about, a message, and optionally a hint ("did you mean
 * \"memory\"?"). All the errors of a file are reported: after an error the
 * parser skips to the next statement and goes on.
 *
 * Ownership: a policy_set owns everything reachable from it (strings
 * included); free it with policy_set_free(). A set is immutable once
 * returned: the governor and the CLI only read it.
 */
#ifndef CGOV_POLICY_H
#define CGOV_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct pol_loc {
	const char *file;        /* owned by the set (one copy per file) */
	int line, col;           /* 1-based */
};

/* --- metrics (conditions) ---------------------------------------------- */

enum pol_unit {
	PU_BYTES,                /* sizes: 512M, 4G */
	PU_CORES,                /* "1.5 cores", "1 core" */
	PU_PERCENT,              /* "80%" */
	PU_BYTES_S,              /* "100M/s" */
	PU_OPS_S,                /* "500/s" */
	PU_MS,                   /* durations: 30s, 5m (stored in ms) */
	PU_COUNT,                /* plain integers: pids */
	PU_CELSIUS,              /* "90C" */
};

/* Container metrics first, node metrics from PM_NODE_CPU on. */
enum pol_metric {
	PM_MEMORY,               /* bytes in use; "of limit": memory limit */
	PM_SWAP,                 /* bytes of swap in use; "of limit": swap allowed */
	PM_CPU,                  /* cores used; "of limit": the CFS quota in cores */
	PM_THROTTLED,            /* % of CFS periods throttled */
	PM_IO_READ,              /* bytes/s read */
	PM_IO_WRITE,             /* bytes/s written */
	PM_IO_READ_IOPS,         /* read ops/s */
	PM_IO_WRITE_IOPS,        /* write ops/s */
	PM_PRESSURE_CPU,         /* % of time some task stalled (PSI, v2) */
	PM_PRESSURE_MEMORY,
	PM_PRESSURE_IO,
	PM_PIDS,                 /* tasks; "of limit": pids.max */
	PM_MEMORY_ETA,           /* ms until memory reaches its limit at the
	                            current growth rate; unknown when not growing
	                            or unlimited */
	PM_OTHERS_PRESSURE_CPU,  /* %: the highest pressure.cpu among the OTHER
	                            containers this tick (governing.c); unknown
	                            when no other container's is known */
	PM_OTHERS_PRESSURE_MEMORY,
	PM_OTHERS_PRESSURE_IO,
	PM_NODE_CPU,             /* % of all CPUs busy */
	PM_NODE_MEMORY_AVAILABLE,/* bytes MemAvailable; "of total": of MemTotal */
	PM_NODE_SWAP_FREE,       /* bytes; "of total": of SwapTotal */
	PM_NODE_PRESSURE_CPU,    /* % (PSI some) */
	PM_NODE_PRESSURE_MEMORY,
	PM_NODE_PRESSURE_IO,
	PM_NODE_TEMP,            /* degrees C: the hottest sensor, or the one
	                            pol_cond.sensor names (temp.h); unknown on a
	                            node without sensors */
	PM__MAX
};

#define PM_IS_NODE(m) ((m) >= PM_NODE_CPU)

/* Name in the language ("memory", "io.write", "node.temp"), base unit, and
 * whether "N% of limit" (or "% of total" for node metrics) is allowed. */
const char *pol_metric_name(enum pol_metric m);
enum pol_unit pol_metric_unit(enum pol_metric m);
int pol_metric_has_limit(enum pol_metric m);
/* Looks a metric up by name; returns -1 when unknown. */
int pol_metric_lookup(const char *name);

enum pol_op { PO_GT, PO_GE, PO_LT, PO_LE };

enum pol_cond_kind { PC_CMP, PC_AND, PC_OR };

/* What a relative comparison ("cpu > 50% of node") is a percentage of
 * (doc/protection-design.md, section 1). of_limit is the older form and
 * stays apart: a comparison has at most one of the two. */
enum pol_of {
	POF_NONE,
	POF_NODE,                /* cpu: of the node's CPUs */
	POF_SHARE,               /* cpu: of the fair share, ncpu x weight /
	                            sum of the weights wanting CPU */
	POF_DEVICE,              /* io.*: of the disk's stated capability */
};

/* A comparison over a window (section 3): the every-tick form, the
 * window's time-weighted mean ("avg(io.write) over 60s > 40M/s"), or the
 * share of the window's time in which the comparison held ("io.write >
 * 40M/s during 50% of 60s"). */
enum pol_win { PW_NONE, PW_AVG, PW_DURING };
#define POL_MAX_WINDOW_MS (10 * 60 * 1000)

/* Whether metric m takes "N% of node|share|device" (of): cpu takes node and
 * share, the four io.* rates take device. pol_of_name: "node", "share",
 * "device" ("" for POF_NONE). */
int pol_metric_has_of(enum pol_metric m, enum pol_of of);
const char *pol_of_name(enum pol_of of);

struct pol_cond {
	enum pol_cond_kind kind;
	struct pol_loc loc;
	/* PC_AND / PC_OR */
	struct pol_cond *a, *b;
	/* PC_CMP: metric OP value [% of limit] */
	enum pol_metric metric;
	enum pol_op op;
	double value;            /* base unit of the metric, or percent when of_limit */
	int of_limit;            /* value is a % of the metric's limit / total */
	char *sensor;            /* node.temp "CHIP/LABEL": that sensor; NULL: the
	                            hottest (owned) */
	enum pol_of of;          /* POF_NONE, or value is a percent of that */
	enum pol_win win;        /* PW_NONE: every tick */
	uint64_t win_ms;         /* the window's length (PW_AVG, PW_DURING) */
	double during_pct;       /* PW_DURING: share of the window, percent */
};

/* --- knobs and actions ---------------------------------------------------- */

/* What cgov can set on a container. Values are int64 in the knob's unit;
 * POL_MAX means "max" (unlimited). */
enum pol_knob {
	PK_MEM_LIMIT,            /* bytes */
	PK_MEM_HIGH,             /* bytes; v1: the documented fallback */
	PK_SWAP_BUFFER,          /* bytes of swap the container may use on top
	                            of its memory limit */
	PK_CPU_WEIGHT,           /* v1 shares scale (1024 = default) */
	PK_CPU_QUOTA,            /* millicores (1000 = one core) */
	PK_IO_RBPS,              /* bytes/s, per device */
	PK_IO_WBPS,
	PK_IO_RIOPS,             /* ops/s, per device */
	PK_IO_WIOPS,
	PK_PIDS_MAX,             /* tasks */
	PK_FREEZE,               /* 1 frozen, 0 thawed (actions only) */
	PK_KILL,                 /* kill every task (actions only; opt-in) */
	PK_OOM_ADJ,              /* oom_score_adj of every task of the subtree,
	                            stored biased: adj + POL_OOM_BIAS (0..2000),
	                            so that the knob value is never negative */
	PK_MEM_LOW,              /* bytes; v2 memory.low (no v1 equivalent) */
	PK_MEM_MIN,              /* bytes; v2 memory.min (no v1 equivalent) */
	PK__MAX
};
#define POL_MAX INT64_MAX
#define POL_OOM_BIAS 1000        /* PK_OOM_ADJ value = oom_score_adj + this */

const char *pol_knob_name(enum pol_knob k);   /* "memory limit", "cpu quota", ... */
/* The rung of the action ladder (0 = gentlest): cpu weight 0, cpu quota 1,
 * io limits 2, memory high, low, min and oom-score-adj 3, freeze 4,
 * kill 5; static-only knobs -1. */
int pol_knob_rung(enum pol_knob k);

enum pol_rel {
	PR_ABS,                  /* value is in the knob's unit */
	PR_OF_LIMIT,             /* value is a percent of the container's current
	                            limit of that resource (memory limit for
	                            memory high) */
	PR_OF_CURRENT,           /* percent of the knob's current value (cpu quota:
	                            of the quota, or of the usage when unlimited) */
};

/* A device an io knob applies to. */
struct pol_dev {
	char *spec;              /* as written: "/dev/sda", "sda", or NULL = all */
	dev_t dev;               /* resolved MAJ:MIN; 0 when spec is NULL */
};

struct pol_set_knob {
	enum pol_knob knob;
	struct pol_loc loc;
	enum pol_rel rel;
	double value;            /* knob unit, percent when rel != PR_ABS; POL_MAX
	                            as a double means "max" */
	struct pol_dev dev;      /* io knobs only */
};

/* --- rules and policies ------------------------------------------------------ */

struct pol_rule {
	char *name;
	struct pol_loc loc;
	struct pol_cond *when;
	uint64_t when_for_ms;    /* 0: fires on the first tick it holds */
	struct pol_cond *until;  /* NULL: the default, "not WHEN for 60s" */
	uint64_t until_for_ms;
	uint64_t cooldown_ms;    /* after a restore, before it may fire again;
	                            the policy's cooldown when not given */
	uint64_t escalate_ms;    /* time a rung is in force, with WHEN still true,
	                            before the next `do` rung; default = cooldown */
	struct pol_set_knob *steps;  /* the `do` lines, in order: the ladder */
	size_t nsteps;
};

#define POL_DEFAULT_UNTIL_FOR_MS  60000
#define POL_DEFAULT_COOLDOWN_MS   30000

enum pol_drift { PD_REASSERT, PD_LOG };

struct policy {
	char *name;
	struct pol_loc loc;
	char **cgroups;          /* globs as discover.h (FNM_PATHNAME); none: any */
	size_t ncgroups;
	char **runtimes;         /* "lxc", "docker", ...; none: any */
	size_t nruntimes;
	char **processes;        /* fnmatch globs on comm or exe basename; none: any */
	size_t nprocesses;
	int priority;            /* default 0; higher wins (see policy_set_resolve) */
	uint64_t cooldown_ms;    /* per knob: at most one change per cooldown */
	int allow_kill;          /* `allow kill`: the kill rung is permitted */
	enum pol_drift drift;    /* `on-drift reassert|log`, default reassert */
	struct pol_set_knob *limits;  /* static limits, in file order */
	size_t nlimits;
	struct pol_rule *rules;
	size_t nrules;
	size_t order;            /* load order in the set (file name, then position) */
};

struct policy_set {
	struct policy *v;
	size_t n;
	char **files;            /* the files loaded, in order */
	size_t nfiles;
};

/* --- diagnostics ---------------------------------------------------------------- */

enum pol_severity { PS_ERROR, PS_WARNING };

struct pol_diag {
	enum pol_severity sev;
	char *file;
	int line, col;
	char *msg;               /* "unknown metric \"memroy\"" */
	char *hint;              /* "did you mean \"memory\"?" or NULL */
	char *hint_file;         /* where the hint points ("first defined
	                            here"); NULL: at the diagnostic itself */
	int hint_line, hint_col;
};

struct pol_diags {
	struct pol_diag *v;
	size_t n;
	size_t nerrors;
};

void pol_diags_free(struct pol_diags *d);
/* Prints each as "file:line:col: error: msg" / "...: warning: msg", and its
 * hint on the next line as "file:line:col: note: hint", in file (strcmp),
 * line, column order; diagnostics at one place keep the order they were
 * added in. A diagnostic about a whole file (line 0) reads "file: error: msg". */
void pol_diags_print(const struct pol_diags *d, FILE *out);
/* Appends a diagnostic at `at` (line 0: the whole file), with an optional
 * hint (hint_at NULL: at the same place). Copies every string. The message is
 * used as given: callers pass text from a policy file (names, words)
 * through escape_log() first. */
void pol_diags_add(struct pol_diags *d, enum pol_severity sev, const struct pol_loc *at,
    const struct pol_loc *hint_at, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* --- loading ------------------------------------------------------------------------ */

/* Parses text (len bytes, need not be NUL-terminated) as file `name`, and
 * appends its policies to *set (created when *set is NULL). Defaults are
 * resolved (no field is left "unset"), and io devices are resolved to
 * MAJ:MIN with knob_dev_resolve() (an unknown device is an error). The
 * policies of a text with errors are appended too, as far as they parsed.
 * Diagnostics are appended to d, at most 100 per text. Returns the number
 * of errors found in this text. */
size_t policy_parse_buffer(const char *name, const char *text, size_t len,
    struct policy_set **set, struct pol_diags *d);

/* Parses path, a directory (its *.policy files, hidden ones excepted, in
 * strcmp order of their names; other files are ignored) or one file, and
 * appends to *set (created when NULL, also for an empty directory) like
 * policy_parse_buffer. No policy_check. Returns the number of errors (a
 * file of the directory that cannot be read is one), or -errno when path
 * itself cannot be read (also in d). */
int policy_parse_path(const char *path, struct policy_set **set, struct pol_diags *d);

/* Loads path: a directory (its *.policy files in name order; other files are
 * ignored; an empty directory is a valid empty set) or one file. Runs the
 * parser and then, when it found no error, policy_check(set, cgroup_version,
 * d) (the checks would only echo a broken parse). On success (no errors) *ret owns the set
 * and 0 is returned; with errors *ret is NULL, every diagnostic is in d,
 * and -EINVAL is returned; -errno when path cannot be read (also in d). */
int policy_load(const char *path, int cgroup_version, struct pol_diags *d,
    struct policy_set **ret);

/* Semantic checks of a whole parsed set (run it on a set that parsed
 * without errors). Errors: duplicate policy names (with a note at the
 * first), duplicate rule names in a policy, a static knob set twice in a
 * policy, memory high at or above memory limit (both absolute), a swap
 * buffer of 0 in a policy whose `match process` globs match "java", kill
 * without `allow kill`, a rule without when or do, ladder steps going down
 * (pol_knob_rung), a when that can never be true (disjoint comparisons of
 * one metric, a percentage of a limit above 100, below 0). Warnings: on
 * cgroup v1, container PSI metrics and memory high (the v1 fallback);
 * an until that can never be true. Unknown
 * devices are the parser's errors. cgroup_version: 1 or 2 for the host, 0
 * for "unknown" (no version-specific checks). At most 100 diagnostics per
 * file. Returns the number of errors added to d. */
size_t policy_check(const struct policy_set *set, int cgroup_version, struct pol_diags *d);

void policy_set_free(struct policy_set *set);

/* --- matching --------------------------------------------------------------------- */

/* Does policy p match a container at path, of runtime, whose tasks have the
 * given process names (comm or exe basename; n may be 0)? procs_known is 0
 * when the container's tasks have not been read yet: a policy with
 * `match process` then does not match. */
int policy_match(const struct policy *p, const char *path, const char *runtime,
    const char *const *procs, size_t nprocs, int procs_known);

/* Writes the policy language form of a condition ("memory > 90% of limit
 * and cpu > 1.5 cores") into buf (size len, always NUL-terminated). */
void pol_cond_format(const struct pol_cond *c, char *buf, size_t len);
/* Same for one `do` / limit line ("cpu quota 1 core", "io write-limit sda 40M/s"). */
void pol_set_knob_format(const struct pol_set_knob *k, char *buf, size_t len);

#endif

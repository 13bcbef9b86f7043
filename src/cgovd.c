/* cgovd.c: the daemon: options, configuration and the one event loop. */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgfs.h"
#include "conf.h"
#include "discover.h"
#include "escape.h"
#include "fleet.h"
#include "fsafe.h"
#include "governing.h"
#include "hook.h"
#include "ioacct.h"
#include "lock.h"
#include "nodewatch.h"
#include "notify.h"
#include "log.h"
#include "policy.h"
#include "buf.h"
#include "priv.h"
#include "prom.h"
#include "rollup.h"
#include "sampler.h"
#include "store.h"
#include "temp.h"
#include "units.h"
#include "xmalloc.h"

#ifndef CGOV_SYSCONFDIR
#define CGOV_SYSCONFDIR "/etc/cgov"
#endif
#ifndef CGOV_LOCALSTATEDIR
#define CGOV_LOCALSTATEDIR "/var/lib/cgov"
#endif

/* A setting given on the command line; re-applied over the file on reload. */
struct opt_kv {
	const char *key, *value;
};

struct daemon {
	struct conf conf;
	char *config_path;              /* absolute; NULL: none */
	char start_dir[PATH_MAX];       /* relative paths are taken from here */
	char *pidfile;                  /* written at start, removed at exit */
	int config_required;            /* --config given: must exist */
	struct opt_kv *opts;
	size_t nopts;
	int foreground, once, dry_run, check, verbose;

	struct cgfs *fs;
	struct store *st;
	struct sampler *sampler;
	struct discover *disc;
	struct fleet *fleet;
	struct governing *gov;
	struct lock *lock;              /* DB.lock: one cgovd per database */
	int policies_required;          /* --policies given: must exist */
	int policies_loaded;            /* a path was read: it must not vanish */

	struct event_base *base;
	struct event *ev_tick, *ev_rescan, *ev_checkpoint;
	struct event *ev_hup, *ev_term, *ev_int;
	struct event *ev_due;           /* a pending rule's `for` ends (events) */
	struct notify *notify;          /* kernel notifications; NULL none */
	struct nodewatch *nodewatch;    /* node pressure polled; NULL none */
	struct prom *prom;              /* /metrics; NULL off */
	int prom_fd;                    /* its socket until the loop exists; -1 */
	int64_t last_tick_mono, last_memstat_mono;
	int truncated_logged;
	char *empty_hint;               /* the 0-containers hint last logged */
	int ioacct_done;                /* v1 I/O accounting turned on */
	int store_warned;               /* the database failed to open */
	int64_t roll_next_ms;           /* housekeeping idle until then (wall) */
	int roll_failing;               /* rollups or retention failed: warned */
	int roll_worked;                /* housekeeping did work since it was idle */
	struct temp *temp;              /* temperatures; NULL: off or no libsensors */
	struct event *ev_sensors;
	int temp_fresh;                 /* read since the last tick stored them */
	struct hook *hook;              /* on-action; NULL before the loop exists */
};

/* The governor's clock: the wall time at start plus monotonic time since.
 * Rule durations, cooldowns and escalations must not jump with an NTP step
 * or an admin's `date -s`; the journal's times stay comparable with the
 * samples' (wall) times unless the clock is stepped while cgovd runs, and
 * then are off by the step until the next start. */
static int64_t
gov_ms(void)
{
	static int64_t wall0, mono0;

	if (mono0 == 0) {
		wall0 = units_now_ms();
		mono0 = units_mono_ms();
	}
	return wall0 + (units_mono_ms() - mono0);
}

static void
usage(FILE *out)
{
	fprintf(out,
"usage: cgovd [options]\n"
"  -f, --foreground          stay in the foreground, log to stderr\n"
"      --once                discover, sample twice one interval apart, store, exit\n"
"      --dry-run             write nothing to cgroupfs, log what would be written\n"
"      --check               check the configuration and container patterns, exit\n"
"  -c, --config FILE         configuration file (default " CGOV_SYSCONFDIR "/cgov.conf)\n"
"      --policies PATH       policy directory (*.policy) or file\n"
"      --db FILE             history database (default " CGOV_LOCALSTATEDIR "/cgov.db)\n"
"      --interval DURATION   sampling tick, e.g. 1s or 500ms\n"
"      --rescan-interval D   container discovery walk\n"
"      --memstat-interval D  memory.stat breakdown cadence\n"
"      --containers GLOB     container pattern (repeatable; replaces the built-in ones)\n"
"      --max-containers N    stop discovery at N containers per pattern root\n"
"      --fd-budget N         cached file descriptors (0: automatic)\n"
"      --pidfile FILE        write the daemon's pid there\n"
"      --metrics ADDR:PORT   serve Prometheus metrics at /metrics (PORT alone: 127.0.0.1)\n"
"  -v, --verbose             debug messages\n"
"      --list-patterns       print the built-in container patterns, exit\n"
"  -h, --help                this text\n"
"  -V, --version             the version\n");
}

static char *daemon_abspath(const struct daemon *d, const char *path);

/* Makes a relative path of the configuration absolute from the start dir. */
static void
daemon_abs_in_place(const struct daemon *d, char **path)
{
	char *abs = daemon_abspath(d, *path);

	free(*path);
	*path = abs;
}

/* Builds the configuration: defaults, then the file, then the command
 * line. Returns 0 or -EINVAL (errors logged). */
static int
daemon_load_conf(struct daemon *d, struct conf *out)
{
	struct conf c;
	int r;

	conf_defaults(&c);
	if (d->config_path != NULL) {
		r = conf_load(&c, d->config_path);
		if (r == -ENOENT && !d->config_required)
			r = 0;
		else if (r == -ENOENT)
			log_err("%s: no such file", d->config_path);
		else if (r < 0 && r != -EINVAL)
			log_err("%s: %s", d->config_path, strerror(-r));
		if (r < 0) {
			conf_free(&c);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < d->nopts; i++) {
		if (strcmp(d->opts[i].key, "containers") != 0)
			continue;
		/* --containers replaces the file's patterns, it does not add. */
		for (size_t j = 0; j < c.ncontainers; j++)
			free(c.containers[j]);
		c.ncontainers = 0;
		break;
	}
	for (size_t i = 0; i < d->nopts; i++) {
		char err[512];

		if (conf_set(&c, d->opts[i].key, d->opts[i].value, err, sizeof err) < 0) {
			log_err("--%s: %s", d->opts[i].key, err);
			conf_free(&c);
			return -EINVAL;
		}
	}
	if (d->verbose > 0)
		c.log_level = LOG_LEVEL_DEBUG;
	if (conf_validate(&c) < 0) {
		conf_free(&c);
		return -EINVAL;
	}
	/* daemon(3) moves to "/": relative paths are taken from where cgovd
	 * was started, also when a reload or a retry opens them later. */
	daemon_abs_in_place(d, &c.db);
	daemon_abs_in_place(d, &c.policies);
	*out = c;
	return 0;
}

static int
daemon_make_discover(const struct conf *c, struct discover **ret)
{
	struct discover_limits lim = { .max_containers = c->max_containers };
	char err[512];

	if (discover_new((const char *const *)c->containers, c->ncontainers, &lim, ret, err,
	    sizeof err) < 0) {
		log_err("%s", err);
		return -EINVAL;
	}
	return 0;
}

/* Loads the policy set of configuration c. A missing default directory is
 * fine at start (cgovd then only monitors); a missing --policies is an
 * error, and so is any error in a file. While a policy set governs, a
 * missing path is an error too: a reload after the directory was removed
 * or renamed must not drop every rule and restore every throttle (hostile
 * or careless, the outcome would free every tenant at once).
 * Returns 0 (*ret may be NULL) or -EINVAL. */
static int
daemon_load_policies(struct daemon *d, const struct conf *c, int version,
    struct policy_set **ret)
{
	int r;

	*ret = NULL;
	if (access(c->policies, F_OK) < 0 && errno == ENOENT && !d->policies_required) {
		if (d->policies_loaded) {
			log_err("policies %s: %s (it was there before; an empty directory "
			    "stops governing)", c->policies, strerror(ENOENT));
			return -EINVAL;
		}
		log_info("no policies at %s: monitoring only", c->policies);
		return 0;
	}
	/* Every error, a missing --policies included, is logged there. */
	r = governing_load(c->policies, version, ret);
	if (r >= 0)
		d->policies_loaded = 1;
	return r < 0 ? -EINVAL : 0;
}

static size_t
daemon_nrules(const struct policy_set *ps)
{
	size_t rules = 0;

	for (size_t i = 0; ps != NULL && i < ps->n; i++)
		rules += ps->v[i].nrules;
	return rules;
}

static void
daemon_log_policies(const struct policy_set *ps, const char *path)
{
	log_info("policies from %s: %zu policies, %zu rules", path, ps ? ps->n : 0,
	    daemon_nrules(ps));
}

static void
daemon_open_store(struct daemon *d)
{
	int r;

	if (d->st != NULL)
		return;
	r = store_open(d->conf.db, 0, &d->st);
	if (r < 0) {
		/* Warn once; the retries every checkpoint interval are debug. */
		if (!d->store_warned)
			log_warnx("cannot open history database %s: %s; monitoring goes on "
			    "without history, retrying every checkpoint interval", d->conf.db,
			    strerror(-r));
		else
			log_debug("history database %s still cannot be opened: %s", d->conf.db,
			    strerror(-r));
		d->store_warned = 1;
		d->st = NULL;
		return;
	}
	d->store_warned = 0;
	log_info("history in %s", d->conf.db);
	if (d->fleet != NULL)
		fleet_set_store(d->fleet, d->st);
	if (d->gov != NULL)
		governing_set_store(d->gov, d->st, gov_ms());
}

/* A first run on a node without a container runtime finds nothing and
 * would say only "0 containers": say how to point cgovd at cgroups. Logged
 * when the count drops to 0 and again only when the hint changes (a reload
 * with other patterns); the patterns are the operator's, not a tenant's. */
static void
daemon_hint_empty(struct daemon *d, size_t n)
{
	char hint[1024];
	size_t len = 0;

	if (n > 0) {
		free(d->empty_hint);
		d->empty_hint = NULL;
		return;
	}
	if (d->conf.ncontainers == 0)
		len = (size_t)snprintf(hint, sizeof hint, "no containers: no cgroup in the %s "
		    "hierarchy at %s matches a built-in pattern (cgovd --list-patterns)",
		    cgfs_ctrl_name(d->fs, d->fs->walk), d->fs->ctrl[d->fs->walk].mount);
	else {
		len = (size_t)snprintf(hint, sizeof hint, "no containers: no cgroup in the %s "
		    "hierarchy at %s matches the container patterns",
		    cgfs_ctrl_name(d->fs, d->fs->walk), d->fs->ctrl[d->fs->walk].mount);
		for (size_t i = 0; i < d->conf.ncontainers && len < sizeof hint; i++)
			len += (size_t)snprintf(hint + len, sizeof hint - len, "%s %s",
			    i == 0 ? "" : ",", d->conf.containers[i]);
	}
	if (len < sizeof hint)
		snprintf(hint + len, sizeof hint - len, "; to govern cgroups of your own, "
		    "give their glob with --containers '/PATH/*' (or `containers = /PATH/*` in "
		    "cgov.conf): they get runtime \"cgroup\", matched in a policy by "
		    "`match runtime cgroup` (contrib/demo.sh shows it)");
	if (d->empty_hint != NULL && strcmp(d->empty_hint, hint) == 0)
		return;
	log_info("%s", hint);
	free(d->empty_hint);
	d->empty_hint = xstrdup(hint);
}

static void
daemon_rescan(struct daemon *d)
{
	struct discover_found *found;
	size_t n, kept;
	int truncated, r;

	r = discover_scan(d->disc, d->fs, &found, &n, &truncated);
	if (r < 0) {
		log_warnx("cannot walk the %s hierarchy: %s", cgfs_ctrl_name(d->fs, d->fs->walk),
		    strerror(-r));
		return;
	}
	/* A truncated walk is not the whole set: the containers it did not
	 * reach are checked one by one, never taken for gone. */
	kept = truncated ? fleet_keep_unseen(d->fleet, d->disc, &found, &n) : 0;
	if (truncated && !d->truncated_logged)
		log_warnx("discovery stopped at its bound (max-containers %llu per pattern "
		    "root): new containers beyond it are not watched; %zu watched ones it did "
		    "not reach are still there and kept", (unsigned long long)d->conf.max_containers,
		    kept);
	d->truncated_logged = truncated;
	daemon_hint_empty(d, n);
	fleet_sync(d->fleet, found, n, units_now_ms());
	if (!d->ioacct_done && n > 0) {
		ioacct_enable(d->fs, found[0].path, d->dry_run);
		d->ioacct_done = 1;
	}
	discover_found_free(found, n);
}

static void
daemon_tick(struct daemon *d)
{
	int64_t now = units_mono_ms(), wall = units_now_ms();
	int64_t dt = d->last_tick_mono ? now - d->last_tick_mono : 0;
	int memstat = d->last_memstat_mono == 0 ||
	    now - d->last_memstat_mono >= (int64_t)d->conf.memstat_ms;
	size_t n;
	int stored;

	prom_tick_begin(d->prom);
	/* Sample, decide and act first; history follows and may lag or fail
	 * without delaying a decision (DESIGN.md, safety rule 10). */
	n = fleet_sample(d->fleet, wall, dt, memstat);
	if (d->gov != NULL)
		governing_run(d->gov, gov_ms());
	stored = fleet_store(d->fleet, wall);    /* stamped when sampled, not when stored */
	prom_tick_end(d->prom, wall, stored);
	if (memstat)
		d->last_memstat_mono = now;
	d->last_tick_mono = now;
	log_debug("tick: %zu containers, %zu descriptors", n, sampler_fds(d->sampler));
}

/* Temperatures (temp.h): libsensors is started once, when sensors are
 * first wanted; a node without sensors has said so in temp_init and pays
 * nothing more. */
static void
daemon_open_temps(struct daemon *d)
{
	if (d->temp != NULL || d->conf.sensors_ms == 0)
		return;
	if (temp_init(&d->temp) < 0)
		d->temp = NULL;
}

/* Reads the sensors now: governing sees them at once, history with the
 * next tick (daemon_store_temps). */
static void
daemon_read_temps(struct daemon *d)
{
	const struct temp_reading *v;
	size_t n;

	if (temp_count(d->temp) == 0)
		return;
	temp_read(d->temp, units_now_ms());
	v = temp_latest(d->temp, &n, NULL);
	governing_set_temps(d->gov, v, n);
	d->temp_fresh = 1;
}

/* Inside the tick's transaction (fleet_set_extra): the readings taken
 * since the last tick, in millidegrees. */
static void
daemon_store_temps(void *arg, struct store *st)
{
	struct daemon *d = arg;
	const struct temp_reading *v;
	size_t n;

	if (!d->temp_fresh)
		return;
	v = temp_latest(d->temp, &n, NULL);
	for (size_t i = 0; i < n; i++)
		store_tick_add_temp(st, v[i].name, isnan(v[i].celsius) ? STORE_NULL :
		    (int64_t)llround(v[i].celsius * 1000));
	d->temp_fresh = 0;
}

/* /metrics (prom.h): the last readings, one gauge per sensor; a sensor
 * whose last read failed is left out (unknown), a node without sensors
 * serves the family's HELP and TYPE only. */
static void
daemon_prom_temps(void *arg, struct prom_out *o)
{
	struct daemon *d = arg;
	const struct temp_reading *v;
	struct buf lb;
	size_t n = 0;

	buf_init(&lb);
	prom_family(o, "cgov_node_temperature_celsius", "gauge",
	    "Node temperature sensors read through libsensors (CHIP/LABEL).");
	v = d->temp != NULL ? temp_latest(d->temp, &n, NULL) : NULL;
	for (size_t i = 0; i < n; i++) {
		buf_reset(&lb);
		prom_label(&lb, "sensor", v[i].name);
		prom_sample(o, "cgov_node_temperature_celsius", lb.data, v[i].celsius);
	}
	buf_free(&lb);
}

static void
on_sensors(evutil_socket_t fd, short what, void *arg)
{
	daemon_read_temps(arg);
}

/* The resident size in KiB (/proc/self/statm), 0 unknown. */
static long
daemon_rss_kib(void)
{
	long size, resident = 0;
	FILE *fp = fopen("/proc/self/statm", "re");

	if (fp == NULL)
		return 0;
	if (fscanf(fp, "%ld %ld", &size, &resident) != 2)
		resident = 0;
	fclose(fp);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Once the minute's housekeeping is done, the heap's free pages go back to
 * the kernel. A rollup builds per-container accumulators over a minute of
 * containers, churned ones included (thousands of small arrays), and frees
 * them at the end; glibc keeps the freed pages in the heap (only its top
 * is trimmed, and only past M_TRIM_THRESHOLD), so RSS stepped up by a few
 * MiB at each rollup under churn. malloc_trim(0) gives back every free
 * page, the heap's middle included (madvise): once a minute, after the
 * work, a walk of the free lists of a heap of a few MiB. cgovd is
 * single-threaded: one arena, so there is no M_ARENA_MAX to tune. */
static void
daemon_trim(struct daemon *d)
{
	long before;

	(void)d;
#if defined(__GLIBC__)
	before = log_enabled(LOG_LEVEL_DEBUG) ? daemon_rss_kib() : 0;
	malloc_trim(0);
	if (before > 0)
		log_debug("history: malloc_trim: RSS %ld KiB -> %ld KiB", before,
		    daemon_rss_kib());
#else
	(void)before;
#endif
}

/* History housekeeping (rollup.h): one bounded step per tick, right after
 * the tick's own commit, while there is work (a minute or an hour to roll
 * up, the current hour's partial row, a batch past retention or over the
 * size cap); once idle, nothing until the next minute starts. A failure
 * costs history, never a tick. */
static void
daemon_housekeep(struct daemon *d)
{
	struct roll_conf rc;
	enum roll_work work;
	int64_t now = units_now_ms(), t0;
	int r;

	if (d->st == NULL || now < d->roll_next_ms)
		return;
	roll_conf_defaults(&rc);
	rc.keep_ms[ROLL_RAW] = (int64_t)d->conf.retain_raw_ms;
	rc.keep_ms[ROLL_MINUTE] = (int64_t)d->conf.retain_minute_ms;
	rc.keep_ms[ROLL_HOUR] = (int64_t)d->conf.retain_hour_ms;
	rc.max_bytes = (int64_t)d->conf.max_db_bytes;
	t0 = units_mono_ms();
	r = roll_step(d->st, &rc, now, &work);
	if (r < 0) {
		if (!d->roll_failing)
			log_warnx("history rollup or retention failed (%s): retrying "
			    "every minute; sampling and governing go on", strerror(-r));
		d->roll_failing = 1;
		work = ROLL_IDLE;
	} else
		d->roll_failing = 0;
	if (work == ROLL_IDLE) {
		d->roll_next_ms = now - now % 60000 + 60000;
		if (d->roll_worked)
			daemon_trim(d);
		d->roll_worked = 0;
	} else {
		d->roll_worked = 1;
		log_debug("history: %s in %lld ms", roll_work_name(work),
		    (long long)(units_mono_ms() - t0));
	}
}

/* A rule pending on an event-driven container is decided when its `for`
 * ends, not at the next tick: one timer, for the earliest. */
static void
daemon_arm_due(struct daemon *d)
{
	int64_t due, wait;
	struct timeval tv;

	if (d->gov == NULL || d->ev_due == NULL)
		return;
	if ((due = governing_next_due(d->gov)) == 0) {
		evtimer_del(d->ev_due);
		return;
	}
	wait = due - gov_ms();
	if (wait < 0)
		wait = 0;
	tv.tv_sec = (time_t)(wait / 1000);
	tv.tv_usec = (suseconds_t)(wait % 1000) * 1000;
	evtimer_add(d->ev_due, &tv);
}

static void
on_due(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	governing_run_due(d->gov, gov_ms());
	daemon_arm_due(d);
}

/* A kernel notification: that container is sampled and decided now. */
static void
on_notify(void *arg, uint64_t key, enum notify_kind kind, int64_t mono_ms)
{
	struct daemon *d = arg;

	(void)mono_ms;
	if (d->gov == NULL)
		return;
	governing_event(d->gov, key, kind, gov_ms());
	daemon_arm_due(d);
}

/* The node's stall share is over a rule's threshold between ticks: the
 * containers whose rules name it are decided now (nodewatch.h). */
static void
on_nodewatch(void *arg, enum nodewatch_res res, double pct, int64_t mono_ms)
{
	struct daemon *d = arg;

	(void)mono_ms;
	if (d->gov == NULL)
		return;
	governing_node_wake(d->gov, res, pct, gov_ms());
	daemon_arm_due(d);
}

/* Polls the node pressures the policies compare, and only those. */
static void
daemon_watch_node(struct daemon *d)
{
	double thr[NODEWATCH__MAX];
	int n;

	if (d->nodewatch == NULL || d->gov == NULL)
		return;
	governing_node_thresholds(d->gov, thr);
	if ((n = nodewatch_set(d->nodewatch, thr)) > 0)
		log_debug("node pressure: %d resource%s polled every %d ms", n, n == 1 ? "" : "s",
		    NODEWATCH_PERIOD_MS);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	daemon_tick(arg);
	daemon_arm_due(arg);
	daemon_housekeep(arg);
}

static void
on_rescan(evutil_socket_t fd, short what, void *arg)
{
	daemon_rescan(arg);
}

static void
on_checkpoint(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	if (d->st == NULL)
		daemon_open_store(d);
	else
		store_checkpoint(d->st);
}

static void
daemon_arm_timers(struct daemon *d)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(d->conf.interval_ms / 1000);
	tv.tv_usec = (suseconds_t)(d->conf.interval_ms % 1000) * 1000;
	evtimer_add(d->ev_tick, &tv);
	tv.tv_sec = (time_t)(d->conf.rescan_ms / 1000);
	tv.tv_usec = (suseconds_t)(d->conf.rescan_ms % 1000) * 1000;
	evtimer_add(d->ev_rescan, &tv);
	tv.tv_sec = (time_t)(d->conf.checkpoint_ms / 1000);
	tv.tv_usec = (suseconds_t)(d->conf.checkpoint_ms % 1000) * 1000;
	evtimer_add(d->ev_checkpoint, &tv);
	sampler_set_limits_interval(d->sampler, d->conf.limits_ms);
	if (d->ev_sensors != NULL) {
		evtimer_del(d->ev_sensors);
		daemon_open_temps(d);
		/* Turned off by a reload: no stale reading goes on deciding. */
		if (d->conf.sensors_ms == 0)
			governing_set_temps(d->gov, NULL, 0);
		if (d->conf.sensors_ms > 0 && temp_count(d->temp) > 0) {
			tv.tv_sec = (time_t)(d->conf.sensors_ms / 1000);
			tv.tv_usec = (suseconds_t)(d->conf.sensors_ms % 1000) * 1000;
			evtimer_add(d->ev_sensors, &tv);
		}
	}
}

/* SIGHUP: re-read the configuration. A broken file keeps everything as it
 * runs now. */
static void
daemon_reload(struct daemon *d)
{
	struct conf c;
	struct discover *disc;
	struct policy_set *ps;

	log_info("SIGHUP: reloading configuration");
	if (daemon_load_conf(d, &c) < 0) {
		log_warnx("configuration has errors: keeping the running settings");
		return;
	}
	if (daemon_make_discover(&c, &disc) < 0) {
		conf_free(&c);
		log_warnx("container patterns have errors: keeping the running settings");
		return;
	}
	/* All or nothing: a policy set with errors keeps the running
	 * policies, and the running settings with them. */
	if (daemon_load_policies(d, &c, governing_cgroup_version(d->fs), &ps) < 0) {
		discover_free(disc);
		conf_free(&c);
		log_warnx("policies have errors: keeping the running policies and settings");
		return;
	}
	if ((c.metrics_listen == NULL) != (d->conf.metrics_listen == NULL) ||
	    (c.metrics_listen != NULL && strcmp(c.metrics_listen, d->conf.metrics_listen) != 0))
		log_warnx("metrics-listen is read at start only: restart cgovd to change it");
	if (strcmp(c.db, d->conf.db) != 0 && d->st != NULL) {
		fleet_set_store(d->fleet, NULL);
		governing_set_store(d->gov, NULL, gov_ms());
		store_close(d->st);
		d->st = NULL;
	}
	daemon_log_policies(ps, c.policies);
	governing_set_conf(d->gov, &c);
	governing_set_policies(d->gov, ps);
	daemon_watch_node(d);
	discover_free(d->disc);
	d->disc = disc;
	conf_free(&d->conf);
	d->conf = c;
	fleet_set_docker_root(d->fleet, d->conf.docker_root);
	log_init(NULL, !d->foreground, d->conf.log_level);
	if (d->hook != NULL)
		hook_configure(d->hook, d->conf.on_action, d->conf.on_action_timeout_ms);
	daemon_open_store(d);
	daemon_arm_timers(d);
	daemon_rescan(d);
	log_info("configuration reloaded: %zu containers", fleet_size(d->fleet));
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	if (sig == SIGHUP) {
		daemon_reload(d);
		return;
	}
	log_info("%s: exiting", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	event_base_loopbreak(d->base);
}

static void
on_libevent_log(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_ERR)
		log_err("libevent: %s", msg);
	else if (severity == EVENT_LOG_WARN)
		log_warnx("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

/* Raises the descriptor limit to the hard limit and returns how many
 * descriptors the sampler may cache. */
static size_t
daemon_fd_budget(const struct conf *c)
{
	struct rlimit rl;

	if (c->fd_budget != 0)
		return (size_t)c->fd_budget;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 768;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1 << 20)
		rl.rlim_cur = 1 << 20;
	/* An eighth (at least 128) is left to SQLite, the walk and libevent. */
	return rl.rlim_cur > 1024 ? (size_t)(rl.rlim_cur - rl.rlim_cur / 8 - 128) : 512;
}

/* A new file each time, never through a link (fsafe.h): a symlink planted
 * as the pidfile once had root overwrite its target. */
static void
daemon_write_pidfile(const char *path)
{
	char buf[32];
	int fd, len;

	if (path == NULL)
		return;
	if ((fd = fsafe_create(path, 0644)) < 0) {
		log_warnx("pidfile %s: %s", path, strerror(-fd));
		return;
	}
	len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)len) != len)
		log_warn("pidfile %s", path);
	close(fd);
}

static char *
daemon_abspath(const struct daemon *d, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	return xasprintf("%s/%s", d->start_dir, path);
}

enum {
	OPT_ONCE = 256, OPT_DRY_RUN, OPT_CHECK, OPT_DB, OPT_INTERVAL, OPT_RESCAN, OPT_MEMSTAT,
	OPT_CONTAINERS, OPT_MAXCT, OPT_FDBUDGET, OPT_PIDFILE, OPT_PATTERNS, OPT_POLICIES,
	OPT_METRICS,
};

static const struct option daemon_options[] = {
	{ "foreground", no_argument, NULL, 'f' },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "config", required_argument, NULL, 'c' },
	{ "db", required_argument, NULL, OPT_DB },
	{ "policies", required_argument, NULL, OPT_POLICIES },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "rescan-interval", required_argument, NULL, OPT_RESCAN },
	{ "memstat-interval", required_argument, NULL, OPT_MEMSTAT },
	{ "containers", required_argument, NULL, OPT_CONTAINERS },
	{ "max-containers", required_argument, NULL, OPT_MAXCT },
	{ "fd-budget", required_argument, NULL, OPT_FDBUDGET },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "list-patterns", no_argument, NULL, OPT_PATTERNS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
daemon_add_opt(struct daemon *d, const char *key, const char *value)
{
	d->opts = xreallocarray(d->opts, d->nopts + 1, sizeof *d->opts);
	d->opts[d->nopts].key = key;
	d->opts[d->nopts].value = value;
	d->nopts++;
}

static void
daemon_parse_args(struct daemon *d, int argc, char **argv)
{
	const char *config = NULL;
	int ch;

	while ((ch = getopt_long(argc, argv, "fc:vhV", daemon_options, NULL)) != -1) {
		switch (ch) {
		case 'f': d->foreground = 1; break;
		case OPT_ONCE: d->once = 1; d->foreground = 1; break;
		case OPT_DRY_RUN: d->dry_run = 1; break;
		case OPT_CHECK: d->check = 1; d->foreground = 1; break;
		case 'c': config = optarg; d->config_required = 1; break;
		case OPT_DB: daemon_add_opt(d, "db", optarg); break;
		case OPT_POLICIES:
			daemon_add_opt(d, "policies", optarg);
			d->policies_required = 1;
			break;
		case OPT_INTERVAL: daemon_add_opt(d, "interval", optarg); break;
		case OPT_RESCAN: daemon_add_opt(d, "rescan-interval", optarg); break;
		case OPT_MEMSTAT: daemon_add_opt(d, "memstat-interval", optarg); break;
		case OPT_CONTAINERS: daemon_add_opt(d, "containers", optarg); break;
		case OPT_MAXCT: daemon_add_opt(d, "max-containers", optarg); break;
		case OPT_FDBUDGET: daemon_add_opt(d, "fd-budget", optarg); break;
		case OPT_PIDFILE: daemon_add_opt(d, "pidfile", optarg); break;
		case OPT_METRICS: daemon_add_opt(d, "metrics-listen", optarg); break;
		case OPT_PATTERNS: discover_print_builtin(stdout); exit(0);
		case 'v': d->verbose++; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("cgovd %s\n", PACKAGE_VERSION); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cgovd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
	if (getcwd(d->start_dir, sizeof d->start_dir) == NULL)
		strcpy(d->start_dir, "/");
	d->config_path = daemon_abspath(d, config != NULL ? config : CGOV_SYSCONFDIR "/cgov.conf");
}

/* --once: a baseline, one interval, the tick that has rates. The sleep is
 * the sampling interval itself, not a stand-in for synchronisation. */
static int
daemon_once(struct daemon *d)
{
	struct timespec ts;
	int stored = 0;

	daemon_tick(d);
	ts.tv_sec = (time_t)(d->conf.interval_ms / 1000);
	ts.tv_nsec = (long)(d->conf.interval_ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	daemon_rescan(d);
	d->last_memstat_mono = 0;
	fleet_tick(d->fleet, units_now_ms(), units_mono_ms() - d->last_tick_mono, 1, &stored);
	log_info("once: %zu containers sampled%s", fleet_size(d->fleet),
	    stored ? "" : " (history NOT stored)");
	return stored ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct daemon d = { 0 };
	struct policy_set *ps = NULL;
	int rc = 0, r;

	/* The history names every tenant: readable by root's group, never
	 * by everyone, never writable but by cgovd. */
	umask(027);
	log_init("cgovd", 0, LOG_LEVEL_INFO);
	daemon_parse_args(&d, argc, argv);
	if (daemon_load_conf(&d, &d.conf) < 0) {
		rc = 2;
		goto out;
	}
	log_init(NULL, 0, d.conf.log_level);
	if (daemon_make_discover(&d.conf, &d.disc) < 0) {
		rc = 2;
		goto out;
	}
	if (d.check) {
		/* Version-specific checks when the host's layout can be read. */
		int version = cgfs_open_host(&d.fs) == 0 ? governing_cgroup_version(d.fs) : 0;

		if (daemon_load_policies(&d, &d.conf, version, &ps) < 0) {
			rc = 2;
			goto out;
		}
		printf("configuration OK\n");
		if (ps != NULL)
			printf("policies OK: %zu policies, %zu rules\n", ps->n, daemon_nrules(ps));
		policy_set_free(ps);
		goto out;
	}
	if (d.dry_run)
		log_info("dry run: nothing will be written to cgroupfs");
	/* Files root opens by name: none in a directory others can write,
	 * through a link or into a FIFO (fsafe.h; the reason is logged). */
	if (fsafe_check("database", d.conf.db) < 0 ||
	    (d.conf.pidfile != NULL && fsafe_check("pidfile", d.conf.pidfile) < 0)) {
		rc = 1;
		goto out;
	}
	/* Before anything is governed or written (--once writes history). */
	if (lock_daemon(d.conf.db, &d.lock) < 0) {
		rc = 1;
		goto out;
	}

	if ((r = cgfs_open_host(&d.fs)) < 0)
		fatalx("no usable cgroup controllers on this host (%s)", strerror(-r));
	if (!d.once && daemon_load_policies(&d, &d.conf, governing_cgroup_version(d.fs), &ps) < 0) {
		rc = 2;
		goto out;
	}
	log_info("cgroup layout %s; containers are found in the %s hierarchy at %s",
	    cgfs_layout_name(d.fs->layout), cgfs_ctrl_name(d.fs, d.fs->walk),
	    d.fs->ctrl[d.fs->walk].mount);
	d.sampler = sampler_new(d.fs, daemon_fd_budget(&d.conf));
	d.fleet = fleet_new(d.sampler, d.fs, NULL);
	fleet_set_docker_root(d.fleet, d.conf.docker_root);
	/* --once only samples: governing needs a running daemon to restore. */
	if (!d.once) {
		d.gov = governing_new(d.fs, d.fleet, NULL, &d.conf, d.dry_run);
		daemon_log_policies(ps, d.conf.policies);
		governing_set_policies(d.gov, ps);
	}
	daemon_open_store(&d);
	daemon_open_temps(&d);
	fleet_set_extra(d.fleet, daemon_store_temps, &d);
	daemon_read_temps(&d);
	daemon_rescan(&d);
	log_info("%zu containers", fleet_size(d.fleet));

	if (d.once) {
		rc = daemon_once(&d);
		goto out;
	}
	/* Before daemon(3): a port that cannot be had is an error the
	 * operator sees on the terminal (exit 1), not a line in syslog. */
	d.prom_fd = -1;
	if (d.conf.metrics_listen != NULL && (d.prom_fd = prom_listen(d.conf.metrics_listen)) < 0) {
		log_err("metrics: cannot listen on %s: %s", d.conf.metrics_listen,
		    strerror(-d.prom_fd));
		rc = 1;
		goto out;
	}
	if (!d.foreground) {
		if (daemon(0, 0) < 0)
			fatal("daemon");
		log_init(NULL, 1, d.conf.log_level);
		lock_set_pid(d.lock);
	}
	/* The pidfile of the start is the one removed at exit, whatever a
	 * reload says later. */
	if (d.conf.pidfile != NULL) {
		d.pidfile = daemon_abspath(&d, d.conf.pidfile);
		daemon_write_pidfile(d.pidfile);
	}

	event_set_log_callback(on_libevent_log);
	if ((d.base = event_base_new()) == NULL)
		fatalx("libevent: cannot create the event loop");
	d.ev_tick = event_new(d.base, -1, EV_PERSIST, on_tick, &d);
	d.ev_rescan = event_new(d.base, -1, EV_PERSIST, on_rescan, &d);
	d.ev_checkpoint = event_new(d.base, -1, EV_PERSIST, on_checkpoint, &d);
	d.ev_due = evtimer_new(d.base, on_due, &d);
	d.ev_sensors = event_new(d.base, -1, EV_PERSIST, on_sensors, &d);
	/* Hooks need the loop (SIGCHLD, timeouts): from the first tick on. */
	d.hook = hook_new(d.base);
	hook_configure(d.hook, d.conf.on_action, d.conf.on_action_timeout_ms);
	governing_set_hook(d.gov, d.hook);
	if (d.conf.no_notify)
		log_info("notifications off: governing reacts on ticks only");
	else if ((r = notify_new(d.base, d.fs, on_notify, &d, &d.notify)) < 0)
		log_warnx("kernel notifications unavailable (%s): governing reacts on ticks "
		    "only", strerror(-r));
	else
		governing_set_notify(d.gov, d.notify);
	/* The node's pressure between ticks: a poll, not a PSI trigger
	 * (nodewatch.h says why); off with the notifications. */
	if (!d.conf.no_notify && nodewatch_new(d.base, d.fs, on_nodewatch, &d, &d.nodewatch) < 0)
		log_warnx("node pressure watch unavailable: rules on node.pressure.* are decided "
		    "at the tick only");
	daemon_watch_node(&d);
	d.ev_hup = evsignal_new(d.base, SIGHUP, on_signal, &d);
	d.ev_term = evsignal_new(d.base, SIGTERM, on_signal, &d);
	d.ev_int = evsignal_new(d.base, SIGINT, on_signal, &d);
	evsignal_add(d.ev_hup, NULL);
	evsignal_add(d.ev_term, NULL);
	evsignal_add(d.ev_int, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (d.prom_fd >= 0) {
		if ((r = prom_new(d.base, d.prom_fd, &d.prom)) < 0)
			fatalx("metrics: cannot serve on %s: %s", d.conf.metrics_listen, strerror(-r));
		d.prom_fd = -1;
		prom_set_sources(d.prom, d.fleet, d.gov, d.notify);
		prom_add_collector(d.prom, daemon_prom_temps, &d);
		log_info("metrics: Prometheus /metrics on %s", d.conf.metrics_listen);
	}
	/* Start-up is over: what needed more than the kept capabilities
	 * (the port, the lock, the notifications) is open (priv.h). */
	if ((r = priv_drop()) < 0)
		fatalx("cannot drop privileges: %s", strerror(-r));
	daemon_tick(&d);
	daemon_arm_timers(&d);
	log_info("running: tick %llums, rescan %llums", (unsigned long long)d.conf.interval_ms,
	    (unsigned long long)d.conf.rescan_ms);
	event_base_dispatch(d.base);

	prom_free(d.prom);
	d.prom = NULL;
	event_free(d.ev_tick);
	event_free(d.ev_rescan);
	event_free(d.ev_checkpoint);
	event_free(d.ev_due);
	event_free(d.ev_sensors);
	/* Before the loop goes: the restores at exit run no hook. */
	governing_set_hook(d.gov, NULL);
	hook_free(d.hook);
	d.hook = NULL;
	/* The containers' notifications go before the layer, the layer before
	 * the loop it is registered with. */
	governing_set_notify(d.gov, NULL);
	notify_free(d.notify);
	nodewatch_free(d.nodewatch);
	d.nodewatch = NULL;
	event_free(d.ev_hup);
	event_free(d.ev_term);
	event_free(d.ev_int);
	event_base_free(d.base);
	if (d.pidfile != NULL)
		unlink(d.pidfile);
	free(d.pidfile);
out:
	if (d.gov != NULL)
		governing_exit(d.gov, gov_ms());
	governing_free(d.gov);
	if (d.fleet != NULL)
		fleet_flush(d.fleet);
	fleet_free(d.fleet);
	sampler_free(d.sampler);
	temp_close(d.temp);
	if (d.st != NULL) {
		store_checkpoint(d.st);
		store_close(d.st);
	}
	lock_release(d.lock);
	discover_free(d.disc);
	free(d.empty_hint);
	cgfs_close(d.fs);
	conf_free(&d.conf);
	free(d.config_path);
	free(d.opts);
	return rc;
}

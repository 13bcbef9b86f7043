/* conf.h: cgov.conf, the settings of cgovd (cgov.conf(5)).
 *
 * The file is lines of "key = value"; '#' starts a comment; blank lines are
 * ignored; `containers` may repeat. Most settings have a long option of the
 * same name that overrides the file (--containers replaces the file's
 * patterns as a whole). Errors name file:line:column and the key, and a
 * file with errors is not applied: a SIGHUP with a broken file keeps the
 * running settings.
 */
#ifndef CGOV_CONF_H
#define CGOV_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"

/* A disk's capability as the operator states it (`device = sda write
 * 500M/s read 1G/s iops 20000`), what "N% of device" is of
 * (cgov.policy(5)). 0: not stated. */
struct conf_device {
	char *name;                     /* as written: "sda", "/dev/nvme0n1" */
	uint64_t rbps, wbps;            /* bytes/s */
	uint64_t riops, wiops;          /* ops/s */
};

struct conf {
	char *db;                       /* history database */
	uint64_t interval_ms;           /* sampling tick */
	uint64_t rescan_ms;             /* discovery walk */
	uint64_t memstat_ms;            /* memory.stat cadence */
	uint64_t limits_ms;             /* settings re-read cadence (sampler.h); 0: every tick */
	uint64_t checkpoint_ms;         /* WAL checkpoint cadence */
	char **containers;              /* patterns; none: the built-in ones */
	size_t ncontainers;
	uint64_t max_containers;
	uint64_t fd_budget;             /* cached descriptors; 0: automatic */
	enum log_level log_level;
	char *pidfile;                  /* NULL: none */
	/* governing (cgov.policy(5)) */
	char *policies;                 /* directory of *.policy (or one file) */
	uint64_t jvm_swap_buffer;       /* bytes of swap a JVM container always keeps */
	uint64_t max_actions_per_min;   /* node-wide cap on knob changes */
	uint64_t v1_high_cpu_millicores;/* v1 fallback of memory high: CPU quota */
	int exit_restore_all;           /* at exit restore static limits too */
	int no_notify;                  /* notifications = off: ticks alone (start only) */
	uint64_t procs_ms;              /* process names (match process, JVMs) cadence */
	/* history (rollup.h): retention per tier, 0 = forever; size cap, 0 = none */
	uint64_t retain_raw_ms, retain_minute_ms, retain_hour_ms;
	uint64_t max_db_bytes;
	/* temperatures (temp.h): read cadence, 0 = off */
	uint64_t sensors_ms;
	/* hooks (hook.h): the command run on each action, NULL = none; the
	 * text as written, split into argv by hook.c */
	char *on_action;
	uint64_t on_action_timeout_ms;  /* then SIGKILL; default 10s */
	/* Prometheus /metrics (prom.h): "ADDR:PORT", NULL off; start only */
	char *metrics_listen;
	/* Docker's data-root, for container names (rtname.h); NULL: the
	 * default /var/lib/docker */
	char *docker_root;
	/* disks' capabilities (`device`, may repeat) */
	struct conf_device *devices;
	size_t ndevices;
};

/* Fills c with the defaults (db under CGOV_LOCALSTATEDIR, 1s tick, 10s
 * rescan, 30s memory.stat, 10s limits, 60s checkpoint, 4096 containers, policies in
 * CGOV_SYSCONFDIR/policies.d, JVM swap buffer 512M, 60 actions a minute,
 * v1 memory-high fallback quota 0.25 cores, exit restores rules only,
 * process names every 10s, raw history kept 24h, minutes 14d, hours 400d,
 * a 4G cap on the database, sensors every 10s, no on-action hook, its timeout 10s). */
void conf_defaults(struct conf *c);
void conf_free(struct conf *c);
/* Deep copy. */
void conf_copy(struct conf *dst, const struct conf *src);

/* Applies one setting, as from the file or a long option. Returns 0, or
 * -EINVAL with the reason in err (size errlen), which does not repeat the key. */
int conf_set(struct conf *c, const char *key, const char *value, char *err, size_t errlen);

/* Parses the file at path over c (which should hold the defaults). Errors
 * are logged, all of them, as "path:line:col: message". Returns 0, -ENOENT
 * when the file does not exist (callers decide if that is fine), -EINVAL
 * when it has errors (c is then left unchanged), or another -errno. */
int conf_load(struct conf *c, const char *path);

/* conf_load's parser on an open stream: name stands for the path in the
 * messages; fp is read to its end and left open (the caller closes it).
 * Returns 0, or -EINVAL when it has errors (c is then left unchanged). The
 * fuzz target feeds it an fmemopen'd input: no file per input. */
int conf_load_stream(struct conf *c, const char *name, FILE *fp);

/* Checks cross-setting constraints (the tick not above the rescan, ...).
 * Returns 0 or -EINVAL after logging the reason. */
int conf_validate(const struct conf *c);

#endif

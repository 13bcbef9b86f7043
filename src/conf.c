/* conf.c: cgov.conf parsing and the defaults. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "escape.h"
#include "hook.h"
#include "log.h"
#include "prom.h"
#include "units.h"
#include "xmalloc.h"

#ifndef CGOV_SYSCONFDIR
#define CGOV_SYSCONFDIR "/etc/cgov"
#endif
#ifndef CGOV_LOCALSTATEDIR
#define CGOV_LOCALSTATEDIR "/var/lib/cgov"
#endif

void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof *c);
	c->db = xstrdup(CGOV_LOCALSTATEDIR "/cgov.db");
	c->interval_ms = 1000;
	c->rescan_ms = 10000;
	c->memstat_ms = 30000;
	c->limits_ms = 10000;
	c->checkpoint_ms = 60000;
	c->max_containers = 4096;
	c->log_level = LOG_LEVEL_INFO;
	c->policies = xstrdup(CGOV_SYSCONFDIR "/policies.d");
	c->jvm_swap_buffer = 512ULL << 20;
	c->max_actions_per_min = 60;
	c->v1_high_cpu_millicores = 250;
	c->procs_ms = 10000;
	c->retain_raw_ms = 24ULL * 3600 * 1000;
	c->retain_minute_ms = 14ULL * 86400 * 1000;
	c->retain_hour_ms = 400ULL * 86400 * 1000;
	c->max_db_bytes = 4ULL << 30;
	c->sensors_ms = 10000;
	c->on_action_timeout_ms = 10000;
}

void
conf_free(struct conf *c)
{
	free(c->db);
	free(c->pidfile);
	free(c->policies);
	free(c->on_action);
	free(c->metrics_listen);
	free(c->docker_root);
	for (size_t i = 0; i < c->ncontainers; i++)
		free(c->containers[i]);
	free(c->containers);
	for (size_t i = 0; i < c->ndevices; i++)
		free(c->devices[i].name);
	free(c->devices);
	memset(c, 0, sizeof *c);
}

void
conf_copy(struct conf *dst, const struct conf *src)
{
	*dst = *src;
	dst->db = src->db ? xstrdup(src->db) : NULL;
	dst->pidfile = src->pidfile ? xstrdup(src->pidfile) : NULL;
	dst->policies = src->policies ? xstrdup(src->policies) : NULL;
	dst->on_action = src->on_action ? xstrdup(src->on_action) : NULL;
	dst->metrics_listen = src->metrics_listen ? xstrdup(src->metrics_listen) : NULL;
	dst->docker_root = src->docker_root ? xstrdup(src->docker_root) : NULL;
	dst->containers = xcalloc(src->ncontainers ? src->ncontainers : 1, sizeof(char *));
	for (size_t i = 0; i < src->ncontainers; i++)
		dst->containers[i] = xstrdup(src->containers[i]);
	dst->devices = xcalloc(src->ndevices ? src->ndevices : 1, sizeof *dst->devices);
	for (size_t i = 0; i < src->ndevices; i++) {
		dst->devices[i] = src->devices[i];
		dst->devices[i].name = xstrdup(src->devices[i].name);
	}
}



static int
conf_duration(const char *v, uint64_t min_ms, uint64_t *ret, char *err, size_t errlen)
{
	uint64_t ms;

	if (units_parse_duration(v, &ms) < 0) {
		snprintf(err, errlen, "bad duration \"%s\" (use ms, s, m, h or d, e.g. \"1s\")",
		    escape_log(1, v));
		return -EINVAL;
	}
	if (ms < min_ms) {
		snprintf(err, errlen, "duration \"%s\" is below the minimum of %llums", escape_log(1, v),
		    (unsigned long long)min_ms);
		return -EINVAL;
	}
	*ret = ms;
	return 0;
}

static int
conf_count(const char *v, uint64_t min, uint64_t max, uint64_t *ret, char *err, size_t errlen)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || *end != '\0' || errno != 0 || n < min || n > max) {
		snprintf(err, errlen, "\"%s\" is not a number between %llu and %llu", escape_log(1, v),
		    (unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	*ret = n;
	return 0;
}

/* `device = DISK [read RATE] [write RATE] [iops N] [read-iops N]
 * [write-iops N]`: at least one figure; a disk stated twice keeps the
 * last line. */
static int
conf_device(struct conf *c, const char *value, char *err, size_t errlen)
{
	struct conf_device d = { 0 };
	char buf[512], *save = NULL, *w, *arg;
	size_t i;

	if (strlen(value) >= sizeof buf) {
		snprintf(err, errlen, "too long");
		return -EINVAL;
	}
	snprintf(buf, sizeof buf, "%s", value);
	if ((w = strtok_r(buf, " \t", &save)) == NULL) {
		snprintf(err, errlen, "expected a disk and its capability (\"sda write 500M/s "
		    "read 1G/s iops 20000\")");
		return -EINVAL;
	}
	d.name = w;
	while ((w = strtok_r(NULL, " \t", &save)) != NULL) {
		int rate = strcmp(w, "read") == 0 || strcmp(w, "write") == 0;
		int ops = strcmp(w, "iops") == 0 || strcmp(w, "read-iops") == 0 ||
		    strcmp(w, "write-iops") == 0;
		char num[64];
		uint64_t v = 0, n;

		if (!rate && !ops) {
			snprintf(err, errlen, "unknown word \"%s\" (read, write, iops, read-iops, "
			    "write-iops)", escape_log(1, w));
			return -EINVAL;
		}
		arg = strtok_r(NULL, " \t", &save);
		n = arg != NULL ? strlen(arg) : 0;
		if (rate) {
			/* A rate: "500M/s". */
			if (n > 2 && n < sizeof num && strcmp(arg + n - 2, "/s") == 0) {
				snprintf(num, sizeof num, "%.*s", (int)(n - 2), arg);
				if (units_parse_size(num, &v) < 0)
					v = 0;
			}
		} else if (conf_count(arg != NULL ? arg : "", 1, 100000000, &v, err, errlen) < 0) {
			v = 0;
		}
		if (v == 0) {
			snprintf(err, errlen, "%s takes %s above 0, not \"%s\"", w,
			    rate ? "a rate such as \"500M/s\"" : "operations per second such as "
			    "\"20000\"", arg != NULL ? escape_log(1, arg) : "");
			return -EINVAL;
		}
		if (strcmp(w, "read") == 0)
			d.rbps = v;
		else if (strcmp(w, "write") == 0)
			d.wbps = v;
		if (strcmp(w, "iops") == 0 || strcmp(w, "read-iops") == 0)
			d.riops = v;
		if (strcmp(w, "iops") == 0 || strcmp(w, "write-iops") == 0)
			d.wiops = v;
	}
	if (d.rbps == 0 && d.wbps == 0 && d.riops == 0 && d.wiops == 0) {
		snprintf(err, errlen, "device %s states no capability (\"write 500M/s\", "
		    "\"read 1G/s\", \"iops 20000\")", escape_log(1, d.name));
		return -EINVAL;
	}
	for (i = 0; i < c->ndevices; i++)
		if (strcmp(c->devices[i].name, d.name) == 0)
			break;
	if (i == c->ndevices) {
		c->devices = xreallocarray(c->devices, c->ndevices + 1, sizeof *c->devices);
		c->ndevices++;
	} else {
		free(c->devices[i].name);
	}
	d.name = xstrdup(d.name);
	c->devices[i] = d;
	return 0;
}

int
conf_set(struct conf *c, const char *key, const char *value, char *err, size_t errlen)
{
	static const char *const levels[] = { "error", "warning", "info", "debug" };

	if (strcmp(key, "db") == 0) {
		if (value[0] == '\0') {
			snprintf(err, errlen, "empty path");
			return -EINVAL;
		}
		free(c->db);
		c->db = xstrdup(value);
		return 0;
	}
	if (strcmp(key, "pidfile") == 0) {
		free(c->pidfile);
		c->pidfile = value[0] != '\0' ? xstrdup(value) : NULL;
		return 0;
	}
	if (strcmp(key, "policies") == 0) {
		if (value[0] == '\0') {
			snprintf(err, errlen, "empty path");
			return -EINVAL;
		}
		free(c->policies);
		c->policies = xstrdup(value);
		return 0;
	}
	if (strcmp(key, "jvm-swap-buffer") == 0) {
		uint64_t b;

		if (units_parse_size(value, &b) < 0 || b == 0) {
			snprintf(err, errlen, "\"%s\" is not a size above zero (e.g. \"512M\"): "
			    "a JVM must keep some swap", escape_log(1, value));
			return -EINVAL;
		}
		c->jvm_swap_buffer = b;
		return 0;
	}
	if (strcmp(key, "max-actions-per-minute") == 0)
		return conf_count(value, 1, 100000, &c->max_actions_per_min, err, errlen);
	if (strcmp(key, "v1-high-cpu") == 0) {
		char *end;
		double cores = strtod(value, &end);

		while (*end == ' ')
			end++;
		if (end == value || !(cores >= 0.01 && cores <= 1024) ||
		    (strcmp(end, "cores") != 0 && strcmp(end, "core") != 0)) {
			snprintf(err, errlen, "\"%s\" is not a CPU amount such as \"0.25 cores\"",
			    escape_log(1, value));
			return -EINVAL;
		}
		c->v1_high_cpu_millicores = (uint64_t)(cores * 1000 + 0.5);
		return 0;
	}
	if (strcmp(key, "exit-restore") == 0) {
		if (strcmp(value, "rules") == 0 || strcmp(value, "all") == 0) {
			c->exit_restore_all = strcmp(value, "all") == 0;
			return 0;
		}
		snprintf(err, errlen, "\"%s\" is neither \"rules\" nor \"all\"",
		    escape_log(1, value));
		return -EINVAL;
	}
	if (strcmp(key, "notifications") == 0) {
		if (strcmp(value, "on") == 0 || strcmp(value, "off") == 0) {
			c->no_notify = strcmp(value, "off") == 0;
			return 0;
		}
		snprintf(err, errlen, "\"%s\" is neither \"on\" nor \"off\"", escape_log(1, value));
		return -EINVAL;
	}
	if (strcmp(key, "process-interval") == 0)
		return conf_duration(value, 1000, &c->procs_ms, err, errlen);
	if (strcmp(key, "retain-raw") == 0 || strcmp(key, "retain-minute") == 0 ||
	    strcmp(key, "retain-hour") == 0) {
		uint64_t *dst = key[7] == 'r' ? &c->retain_raw_ms :
		    key[7] == 'm' ? &c->retain_minute_ms : &c->retain_hour_ms;

		if (strcmp(value, "forever") == 0) {
			*dst = 0;
			return 0;
		}
		/* A tier is never trimmed before the next one has taken it,
		 * so a short retention is safe; under a minute is a typo. */
		return conf_duration(value, 60000, dst, err, errlen);
	}
	if (strcmp(key, "max-db-size") == 0) {
		uint64_t b;

		if (strcmp(value, "0") == 0 || strcmp(value, "none") == 0) {
			c->max_db_bytes = 0;
			return 0;
		}
		if (units_parse_size(value, &b) < 0 || b < (1ULL << 20)) {
			snprintf(err, errlen, "\"%s\" is not a size of at least 1M (e.g. \"4G\"),"
			    " nor \"none\"", escape_log(1, value));
			return -EINVAL;
		}
		c->max_db_bytes = b;
		return 0;
	}
	if (strcmp(key, "interval") == 0)
		return conf_duration(value, 100, &c->interval_ms, err, errlen);
	if (strcmp(key, "rescan-interval") == 0)
		return conf_duration(value, 100, &c->rescan_ms, err, errlen);
	if (strcmp(key, "memstat-interval") == 0)
		return conf_duration(value, 100, &c->memstat_ms, err, errlen);
	if (strcmp(key, "limits-interval") == 0)
		return conf_duration(value, 0, &c->limits_ms, err, errlen);
	if (strcmp(key, "checkpoint-interval") == 0)
		return conf_duration(value, 1000, &c->checkpoint_ms, err, errlen);
	if (strcmp(key, "max-containers") == 0)
		return conf_count(value, 1, 1000000, &c->max_containers, err, errlen);
	if (strcmp(key, "fd-budget") == 0)
		return conf_count(value, 0, 1000000, &c->fd_budget, err, errlen);
	if (strcmp(key, "containers") == 0) {
		if (value[0] != '/' && strcmp(value, "systemd") != 0) {
			snprintf(err, errlen, "pattern \"%s\" must be an absolute cgroup path "
			    "glob such as \"/lxc/*\", or \"systemd\"", escape_log(1, value));
			return -EINVAL;
		}
		c->containers = xreallocarray(c->containers, c->ncontainers + 1, sizeof(char *));
		c->containers[c->ncontainers++] = xstrdup(value);
		return 0;
	}
	if (strcmp(key, "log-level") == 0) {
		for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
			if (strcmp(value, levels[i]) == 0) {
				c->log_level = (enum log_level)i;
				return 0;
			}
		snprintf(err, errlen, "unknown level \"%s\" (error, warning, info, debug)",
		    escape_log(1, value));
		return -EINVAL;
	}
	if (strcmp(key, "sensors-interval") == 0) {
		if (strcmp(value, "off") == 0) {
			c->sensors_ms = 0;
			return 0;
		}
		return conf_duration(value, 1000, &c->sensors_ms, err, errlen);
	}
	if (strcmp(key, "on-action") == 0) {
		char **argv;

		free(c->on_action);
		c->on_action = NULL;
		if (value[0] == '\0' || strcmp(value, "none") == 0)
			return 0;
		if (hook_split(value, &argv, err, errlen) < 0)
			return -EINVAL;
		hook_argv_free(argv);
		c->on_action = xstrdup(value);
		return 0;
	}
	if (strcmp(key, "on-action-timeout") == 0)
		return conf_duration(value, 100, &c->on_action_timeout_ms, err, errlen);
	if (strcmp(key, "docker-root") == 0) {
		if (value[0] != '/') {
			snprintf(err, errlen, "\"%s\" is not an absolute path (Docker's data-root)",
			    escape_log(1, value));
			return -EINVAL;
		}
		free(c->docker_root);
		c->docker_root = xstrdup(value);
		return 0;
	}
	if (strcmp(key, "metrics-listen") == 0) {
		char addr[64];
		uint16_t port;

		free(c->metrics_listen);
		c->metrics_listen = NULL;
		if (value[0] == '\0' || strcmp(value, "off") == 0)
			return 0;
		if (prom_parse_listen(value, addr, sizeof addr, &port) < 0) {
			snprintf(err, errlen, "\"%s\" is not ADDR:PORT, :PORT or PORT (e.g. "
			    "\"127.0.0.1:9464\"; an IPv6 address in brackets), nor \"off\"",
			    escape_log(1, value));
			return -EINVAL;
		}
		c->metrics_listen = xstrdup(value);
		return 0;
	}
	if (strcmp(key, "device") == 0)
		return conf_device(c, value, err, errlen);
	snprintf(err, errlen, "unknown setting");
	return -EINVAL;
}

static char *
conf_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
conf_load(struct conf *c, const char *path)
{
	FILE *fp;
	int r;

	if ((fp = fopen(path, "re")) == NULL)
		return -errno;
	r = conf_load_stream(c, path, fp);
	fclose(fp);
	return r;
}

int
conf_load_stream(struct conf *c, const char *path, FILE *fp)
{
	struct conf tmp;
	char line[4096];
	int lineno = 0, errors = 0;

	conf_copy(&tmp, c);
	while (fgets(line, sizeof line, fp) != NULL) {
		char *hash, *eq, *key, *val, err[512];

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			log_err("%s:%d:1: line too long (more than %zu bytes)", path, lineno,
			    sizeof line - 2);
			errors++;
			while (fgets(line, sizeof line, fp) != NULL && strchr(line, '\n') == NULL)
				;
			continue;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		key = conf_trim(line);
		if (*key == '\0')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			log_err("%s:%d:%d: expected \"key = value\"", path, lineno,
			    (int)(key - line) + 1);
			errors++;
			continue;
		}
		*eq = '\0';
		val = conf_trim(eq + 1);
		key = conf_trim(key);
		if (conf_set(&tmp, key, val, err, sizeof err) < 0) {
			int col = (int)((strcmp(err, "unknown setting") == 0 ? key : val) - line) + 1;

			log_err("%s:%d:%d: %s: %s", path, lineno, col, escape_log(0, key), err);
			errors++;
		}
	}
	if (errors > 0) {
		conf_free(&tmp);
		return -EINVAL;
	}
	conf_free(c);
	*c = tmp;
	return 0;
}

int
conf_validate(const struct conf *c)
{
	if (c->rescan_ms < c->interval_ms) {
		log_err("rescan-interval must not be shorter than interval");
		return -EINVAL;
	}
	if (c->memstat_ms < c->interval_ms) {
		log_err("memstat-interval must not be shorter than interval");
		return -EINVAL;
	}
	return 0;
}

/* prom.c: /metrics for Prometheus, from what cgovd already holds in memory. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "fleet.h"
#include "governing.h"
#include "journal.h"
#include "log.h"
#include "notify.h"
#include "prom.h"
#include "units.h"
#include "xmalloc.h"

#define PROM_MAX_COLLECTORS 8
#define PROM_MAX_INPUT      (64 * 1024)   /* read high watermark per connection */
#define PROM_SWEEP_MS       250
#define PROM_FRESH_MAX      8192          /* the health lines, rendered per scrape */

/* The part of a response only a tick changes (node, containers, governing,
 * collectors): rendered once per tick and shared by every scrape of that
 * tick, each response holding a reference until its bytes are sent, so
 * sixteen slow readers hold one copy, not sixteen, and a scraper polling
 * in a loop costs one rendering per tick. */
struct prom_body {
	char *data;
	size_t len;
	unsigned refs;                  /* prom's own while cached, one per response */
	uint64_t tick;                  /* prom.ticks when rendered */
};

struct prom {
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct evconnlistener *lst;
	struct event *ev_sweep;
	/* Connections evhttp has: each bufferevent carries one reference of
	 * ours, so when evhttp frees it (its callbacks are then cleared) the
	 * socket stays until the sweep sees that and lets go. This is how the
	 * number of open connections is known with libevent 2.1, which has no
	 * connection limit and no "connection closed" hook for a connection
	 * that never completed a request. */
	struct bufferevent **conn;
	size_t nconn, capconn;
	int paused;                     /* the listener is disabled at the bound */

	const struct fleet *fleet;
	const struct governing *gov;
	const struct notify *notify;
	struct { prom_collect_fn fn; void *arg; } coll[PROM_MAX_COLLECTORS];
	size_t ncoll;

	/* the daemon's health */
	int64_t tick_t0_us;             /* monotonic, the tick under way */
	uint64_t ticks, ticks_unstored;
	uint64_t tick_us_sum, tick_us_last;
	int64_t last_tick_wall_ms, last_tick_mono_us;
	int64_t first_tick_wall_ms, last_stored_wall_ms;
	uint64_t scrapes;
	struct prom_body *body;         /* this tick's; NULL none yet */
};

static int64_t
prom_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- the address ----------------------------------------------------------- */

int
prom_parse_listen(const char *spec, char *ret_addr, size_t len, uint16_t *ret_port)
{
	const char *colon, *port;
	char addr[INET6_ADDRSTRLEN + 2];
	unsigned char tmp[sizeof(struct in6_addr)];
	unsigned long n;
	char *end;
	size_t alen;

	if (spec == NULL || spec[0] == '\0')
		return -EINVAL;
	if (spec[0] == '[') {                   /* [v6]:port */
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':')
			return -EINVAL;
		alen = (size_t)(close - spec - 1);
		if (alen == 0 || alen >= sizeof addr)
			return -EINVAL;
		memcpy(addr, spec + 1, alen);
		addr[alen] = '\0';
		if (inet_pton(AF_INET6, addr, tmp) != 1)
			return -EINVAL;
		port = close + 2;
	} else if ((colon = strrchr(spec, ':')) != NULL) {
		alen = (size_t)(colon - spec);
		if (alen >= sizeof addr || memchr(spec, ':', alen) != NULL)
			return -EINVAL;         /* a bare v6 address needs brackets */
		if (alen == 0)
			strcpy(addr, PROM_DEFAULT_ADDR);
		else {
			memcpy(addr, spec, alen);
			addr[alen] = '\0';
			if (inet_pton(AF_INET, addr, tmp) != 1)
				return -EINVAL;
		}
		port = colon + 1;
	} else {
		strcpy(addr, PROM_DEFAULT_ADDR);
		port = spec;
	}
	if (port[0] < '0' || port[0] > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(port, &end, 10);
	if (*end != '\0' || errno != 0 || n == 0 || n > 65535)
		return -EINVAL;
	if (strlen(addr) >= len)
		return -EINVAL;
	strcpy(ret_addr, addr);
	*ret_port = (uint16_t)n;
	return 0;
}

int
prom_listen(const char *spec)
{
	char addr[INET6_ADDRSTRLEN + 2];
	uint16_t port;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1, r;

	if (prom_parse_listen(spec, addr, sizeof addr, &port) < 0)
		return -EINVAL;
	memset(&ss, 0, sizeof ss);
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		sl = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		sl = sizeof *s4;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* A short backlog: connections past PROM_MAX_CONNS wait there, and
	 * past it the kernel refuses them, not cgovd. */
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, PROM_MAX_CONNS) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* ---- writing ------------------------------------------------------------------ */

void
prom_escape_label(struct buf *b, const char *s)
{
	struct buf t;

	buf_init(&t);
	escape_term(&t, s);
	for (size_t i = 0; i < t.len; i++) {
		/* escape_term leaves no byte < 0x20: no newline to escape. */
		if (t.data[i] == '\\' || t.data[i] == '"')
			buf_putc(b, '\\');
		buf_putc(b, t.data[i]);
	}
	buf_free(&t);
}

void
prom_label(struct buf *b, const char *key, const char *value)
{
	if (b->len > 0)
		buf_putc(b, ',');
	buf_puts(b, key);
	buf_puts(b, "=\"");
	prom_escape_label(b, value != NULL ? value : "");
	buf_putc(b, '"');
}

/* Appends what fits: a line is written whole or not at all. */
static void
prom_put(struct prom_out *o, const char *line, size_t n)
{
	if (o->full || n > o->max || o->b->len > o->max - n) {
		o->full = 1;
		return;
	}
	buf_append(o->b, line, n);
}

void
prom_family(struct prom_out *o, const char *name, const char *type, const char *help)
{
	char line[1024];
	int n = snprintf(line, sizeof line, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);

	if (n > 0 && (size_t)n < sizeof line)
		prom_put(o, line, (size_t)n);
}

static void
prom_value(char *dst, size_t len, double v)
{
	if (isinf(v))
		snprintf(dst, len, "%s", v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(dst, len, "%.0f", v);
	else {
		/* The shortest of the usual precisions that reads back as v
		 * (a timestamp in seconds with milliseconds needs 13 digits). */
		snprintf(dst, len, "%.15g", v);
		if (strtod(dst, NULL) != v)
			snprintf(dst, len, "%.17g", v);
	}
}

void
prom_sample(struct prom_out *o, const char *name, const char *labels, double v)
{
	size_t mark = o->b->len;
	char num[64];

	if (isnan(v) || o->full)
		return;
	prom_value(num, sizeof num, v);
	/* Written in place, taken back whole when it went past the bound. */
	buf_puts(o->b, name);
	if (labels != NULL && labels[0] != '\0') {
		buf_putc(o->b, '{');
		buf_puts(o->b, labels);
		buf_putc(o->b, '}');
	}
	buf_putc(o->b, ' ');
	buf_puts(o->b, num);
	buf_putc(o->b, '\n');
	if (o->b->len > o->max) {
		o->b->len = mark;
		o->b->data[mark] = '\0';
		o->full = 1;
	}
}

/* ---- the figures --------------------------------------------------------------- */

/* A sampled level: unknown left out. */
static double
prom_num(uint64_t v)
{
	return v == CG_UNKNOWN || v == CG_UNLIMITED ? NAN : (double)v;
}

/* A sampled limit: none is +Inf. */
static double
prom_limit(uint64_t v)
{
	return v == CG_UNKNOWN ? NAN : v == CG_UNLIMITED ? INFINITY : (double)v;
}

/* Microseconds as seconds. */
static double
prom_us(uint64_t v)
{
	return v == CG_UNKNOWN || v == CG_UNLIMITED ? NAN : (double)v / 1e6;
}

static double
prom_memsw(const struct cg_sample *s)
{
	double m = prom_limit(s->mem_limit), w = prom_limit(s->swap_limit);

	return isnan(m) || isnan(w) ? NAN : m + w;
}

static double
prom_quota(const struct cg_sample *s)
{
	if (s->cpu_quota_us == CG_UNLIMITED)
		return INFINITY;
	if (s->cpu_quota_us == CG_UNKNOWN || s->cpu_period_us == CG_UNKNOWN ||
	    s->cpu_period_us == CG_UNLIMITED || s->cpu_period_us == 0)
		return NAN;
	return (double)s->cpu_quota_us / (double)s->cpu_period_us;
}

typedef double (*prom_ct_fn)(const struct cg_sample *s);

#define PROM_CT(fname, expr) \
	static double fname(const struct cg_sample *s) { return expr; }
PROM_CT(pc_mem, prom_num(s->mem_current))
PROM_CT(pc_mem_limit, prom_limit(s->mem_limit))
PROM_CT(pc_mem_high, prom_limit(s->mem_high))
PROM_CT(pc_swap, prom_num(s->swap_current))
PROM_CT(pc_swap_limit, prom_limit(s->swap_limit))
PROM_CT(pc_memsw_limit, prom_memsw(s))
PROM_CT(pc_cpu, prom_us(s->cpu_usage_us))
PROM_CT(pc_periods, prom_num(s->nr_periods))
PROM_CT(pc_throttled, prom_num(s->nr_throttled))
PROM_CT(pc_throttled_s, prom_us(s->throttled_us))
PROM_CT(pc_shares, prom_num(s->cpu_shares))
PROM_CT(pc_quota, prom_quota(s))
PROM_CT(pc_rbytes, prom_num(s->io.rbytes))
PROM_CT(pc_wbytes, prom_num(s->io.wbytes))
PROM_CT(pc_rios, prom_num(s->io.rios))
PROM_CT(pc_wios, prom_num(s->io.wios))
PROM_CT(pc_pids, prom_num(s->pids_current))
PROM_CT(pc_pids_max, prom_limit(s->pids_max))
PROM_CT(pc_oom, prom_num(s->oom))
PROM_CT(pc_oom_kill, prom_num(s->oom_kill))

/* The per-container families, in the order they are written (and listed in
 * cgovd(8), "PROMETHEUS METRICS"). */
static const struct {
	const char *name, *type, *help;
	prom_ct_fn fn;
} prom_ct_families[] = {
	{ "cgov_container_memory_usage_bytes", "gauge",
	  "Memory in use (v1 memory.usage_in_bytes, v2 memory.current).", pc_mem },
	{ "cgov_container_memory_limit_bytes", "gauge",
	  "Memory limit (v1 memory.limit_in_bytes, v2 memory.max); +Inf none.", pc_mem_limit },
	{ "cgov_container_memory_high_bytes", "gauge",
	  "Memory throttle threshold (v2 memory.high); +Inf none.", pc_mem_high },
	{ "cgov_container_swap_usage_bytes", "gauge",
	  "Swap in use (v1 memsw usage minus memory usage, v2 memory.swap.current).", pc_swap },
	{ "cgov_container_swap_limit_bytes", "gauge",
	  "Swap the container may use (v1 memsw limit minus memory limit, v2 memory.swap.max); "
	  "+Inf none.", pc_swap_limit },
	{ "cgov_container_memsw_limit_bytes", "gauge",
	  "Memory plus swap limit (v1 memory.memsw.limit_in_bytes, v2 memory.max + "
	  "memory.swap.max); +Inf none.", pc_memsw_limit },
	{ "cgov_container_cpu_usage_seconds_total", "counter",
	  "CPU time used, all CPUs.", pc_cpu },
	{ "cgov_container_cpu_periods_total", "counter",
	  "CFS enforcement periods elapsed (cpu.stat nr_periods).", pc_periods },
	{ "cgov_container_cpu_throttled_periods_total", "counter",
	  "CFS periods in which the container was throttled (cpu.stat nr_throttled).",
	  pc_throttled },
	{ "cgov_container_cpu_throttled_seconds_total", "counter",
	  "Time the container's tasks were throttled (cpu.stat throttled time).", pc_throttled_s },
	{ "cgov_container_cpu_shares", "gauge",
	  "CPU shares (v1 cpu.shares; v2 cpu.weight converted to the v1 scale).", pc_shares },
	{ "cgov_container_cpu_quota_cores", "gauge",
	  "CPU quota in cores (quota / period); +Inf none.", pc_quota },
	{ "cgov_container_io_read_bytes_total", "counter",
	  "Bytes read from block devices, all devices.", pc_rbytes },
	{ "cgov_container_io_write_bytes_total", "counter",
	  "Bytes written to block devices, all devices.", pc_wbytes },
	{ "cgov_container_io_read_ops_total", "counter",
	  "Read operations on block devices, all devices.", pc_rios },
	{ "cgov_container_io_write_ops_total", "counter",
	  "Write operations on block devices, all devices.", pc_wios },
	{ "cgov_container_pids", "gauge", "Tasks in the container (pids.current).", pc_pids },
	{ "cgov_container_pids_max", "gauge", "Task limit (pids.max); +Inf none.", pc_pids_max },
	{ "cgov_container_oom_events_total", "counter",
	  "Times the container hit its memory limit and went OOM (v2 memory.events oom).",
	  pc_oom },
	{ "cgov_container_oom_kills_total", "counter",
	  "Tasks the kernel's OOM killer killed in the container.", pc_oom_kill },
};
#define PROM_NCT (sizeof prom_ct_families / sizeof prom_ct_families[0])

struct prom_ct {
	size_t labels;                  /* offset in the labels buffer */
	const struct cg_sample *cur;
};

struct prom_cts {
	struct prom_ct *v;
	size_t n, cap;
	struct buf labels;              /* NUL-separated label sets */
};

static void
prom_collect_ct(void *arg, const struct fleet_obs *o)
{
	struct prom_cts *c = arg;
	struct buf l;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->v = xreallocarray(c->v, c->cap, sizeof *c->v);
	}
	buf_init(&l);
	prom_label(&l, "container", o->name);
	prom_label(&l, "runtime", o->runtime);
	prom_label(&l, "cgroup", o->path);
	c->v[c->n].labels = c->labels.len;
	c->v[c->n].cur = o->cur;
	c->n++;
	buf_append(&c->labels, l.data, l.len);
	buf_putc(&c->labels, '\0');
	buf_free(&l);
}

static void
prom_render_containers(struct prom *p, struct prom_out *o)
{
	struct prom_cts c = { 0 };
	struct buf l;
	double psi[3];
	static const char *const res[3] = { "cpu", "memory", "io" };

	buf_init(&c.labels);
	fleet_foreach(p->fleet, prom_collect_ct, &c);
	for (size_t f = 0; f < PROM_NCT && !o->full; f++) {
		prom_family(o, prom_ct_families[f].name, prom_ct_families[f].type,
		    prom_ct_families[f].help);
		for (size_t i = 0; i < c.n; i++)
			prom_sample(o, prom_ct_families[f].name, c.labels.data + c.v[i].labels,
			    prom_ct_families[f].fn(c.v[i].cur));
	}
	prom_family(o, "cgov_container_pressure_some_seconds_total", "counter",
	    "Time some of the container's tasks stalled on a resource (PSI some total; "
	    "derived on cgroup v1, see cgov.policy(5)).");
	buf_init(&l);
	for (size_t i = 0; i < c.n; i++) {
		const struct cg_sample *s = c.v[i].cur;

		psi[0] = prom_us(s->psi_cpu_us);
		psi[1] = prom_us(s->psi_mem_us);
		psi[2] = prom_us(s->psi_io_us);
		for (size_t r = 0; r < 3; r++) {
			buf_reset(&l);
			buf_puts(&l, c.labels.data + c.v[i].labels);
			prom_label(&l, "resource", res[r]);
			prom_sample(o, "cgov_container_pressure_some_seconds_total", l.data, psi[r]);
		}
	}
	buf_free(&l);
	buf_free(&c.labels);
	free(c.v);
}

static void
prom_render_node(struct prom *p, struct prom_out *o)
{
	const struct cg_node *n = fleet_node(p->fleet);
	long hz = sysconf(_SC_CLK_TCK);
	static const char *const res[3] = { "cpu", "memory", "io" };
	double psi[3];
	char l[32];

	if (n == NULL)
		return;
	if (hz <= 0)
		hz = 100;
	prom_family(o, "cgov_node_memory_total_bytes", "gauge", "The node's RAM (MemTotal).");
	prom_sample(o, "cgov_node_memory_total_bytes", NULL, prom_num(n->mem.mem_total));
	prom_family(o, "cgov_node_memory_available_bytes", "gauge",
	    "Memory available for new work (MemAvailable).");
	prom_sample(o, "cgov_node_memory_available_bytes", NULL, prom_num(n->mem.mem_available));
	prom_family(o, "cgov_node_swap_total_bytes", "gauge", "Swap configured (SwapTotal).");
	prom_sample(o, "cgov_node_swap_total_bytes", NULL, prom_num(n->mem.swap_total));
	prom_family(o, "cgov_node_swap_free_bytes", "gauge", "Swap unused (SwapFree).");
	prom_sample(o, "cgov_node_swap_free_bytes", NULL, prom_num(n->mem.swap_free));
	prom_family(o, "cgov_node_cpu_busy_seconds_total", "counter",
	    "CPU time busy, all CPUs (/proc/stat user+nice+system+irq+softirq+steal).");
	prom_sample(o, "cgov_node_cpu_busy_seconds_total", NULL,
	    n->cpu.busy == CG_UNKNOWN ? NAN : (double)n->cpu.busy / (double)hz);
	prom_family(o, "cgov_node_cpu_seconds_total", "counter",
	    "CPU time elapsed, all CPUs, busy or idle (/proc/stat).");
	prom_sample(o, "cgov_node_cpu_seconds_total", NULL,
	    n->cpu.total == CG_UNKNOWN ? NAN : (double)n->cpu.total / (double)hz);
	prom_family(o, "cgov_node_cpus", "gauge", "CPUs in /proc/stat.");
	prom_sample(o, "cgov_node_cpus", NULL, n->cpu.ncpu == UINT32_MAX ? NAN : n->cpu.ncpu);
	prom_family(o, "cgov_node_load1", "gauge", "Load average over one minute.");
	prom_sample(o, "cgov_node_load1", NULL, n->load1 == UINT32_MAX ? NAN : n->load1 / 100.0);
	psi[0] = prom_us(n->psi_cpu_us);
	psi[1] = prom_us(n->psi_mem_us);
	psi[2] = prom_us(n->psi_io_us);
	/* The family is announced even without PSI, as the containers' are:
	 * a dashboard finds its name on every host. */
	prom_family(o, "cgov_node_pressure_some_seconds_total", "counter",
	    "Time some tasks stalled on a resource, node-wide (/proc/pressure, some total).");
	for (size_t r = 0; r < 3; r++) {
		snprintf(l, sizeof l, "resource=\"%s\"", res[r]);
		prom_sample(o, "cgov_node_pressure_some_seconds_total", l, psi[r]);
	}
}

struct prom_rule_arg {
	struct prom_out *o;
	struct buf l;
};

static void
prom_rule_one(void *arg, const char *path, const char *name, const char *runtime,
    const struct policy *p, const struct pol_rule *r, enum gov_state s, int rung)
{
	struct prom_rule_arg *x = arg;

	(void)rung;
	buf_reset(&x->l);
	prom_label(&x->l, "container", name);
	prom_label(&x->l, "runtime", runtime);
	prom_label(&x->l, "cgroup", path);
	prom_label(&x->l, "policy", p->name);
	prom_label(&x->l, "rule", r->name);
	prom_sample(x->o, "cgov_rule_active", x->l.data, s == GS_ACTIVE ? 1 : 0);
}

static void
prom_render_gov(struct prom *p, struct prom_out *o)
{
	struct prom_rule_arg x = { .o = o };
	static const enum journal_kind kinds[] = {
		JK_APPLY, JK_RESTORE, JK_REASSERT, JK_DRIFT, JK_REFUSED, JK_FAILED, JK_KILL,
	};
	char l[128];

	prom_family(o, "cgov_rule_active", "gauge",
	    "1 while the rule is active on the container (its action in force), else 0 "
	    "(idle, pending its `for`, or cooling down).");
	buf_init(&x.l);
	governing_rules_foreach(p->gov, prom_rule_one, &x);
	buf_free(&x.l);
	prom_family(o, "cgov_actions_total", "counter",
	    "Governing steps carried out since cgovd started, by knob and kind (in dry run, "
	    "those that would have been).");
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		for (int knob = 0; knob < PK__MAX; knob++) {
			/* kill is its own knob; only kill, refused and failed
			 * make sense for it, and kill for nothing else. */
			if ((knob == PK_KILL) != (kinds[k] == JK_KILL) &&
			    kinds[k] != JK_REFUSED && kinds[k] != JK_FAILED)
				continue;
			snprintf(l, sizeof l, "knob=\"%s\",kind=\"%s\"",
			    pol_knob_name((enum pol_knob)knob), journal_kind_name(kinds[k]));
			prom_sample(o, "cgov_actions_total", l,
			    (double)governing_actions(p->gov, kinds[k], (enum pol_knob)knob));
		}
	prom_family(o, "cgov_notifications_total", "counter",
	    "Kernel notifications handled (memory levels, OOM, memory.events, PSI triggers).");
	prom_sample(o, "cgov_notifications_total", NULL, (double)governing_events(p->gov));
}

static void
prom_render_health(struct prom *p, struct prom_out *o)
{
	int64_t now_us = prom_mono_us();
	int64_t lag_ms;

	prom_family(o, "cgov_build_info", "gauge", "cgovd's version, as a label; always 1.");
	prom_sample(o, "cgov_build_info", "version=\"" PACKAGE_VERSION "\"", 1);
	if (p->fleet != NULL) {
		prom_family(o, "cgov_containers", "gauge", "Containers watched.");
		prom_sample(o, "cgov_containers", NULL, (double)fleet_size(p->fleet));
	}
	prom_family(o, "cgov_ticks_total", "counter", "Ticks (sample, decide, store) since start.");
	prom_sample(o, "cgov_ticks_total", NULL, (double)p->ticks);
	prom_family(o, "cgov_tick_seconds_total", "counter",
	    "Time spent in ticks since start (with cgov_ticks_total: the mean tick).");
	prom_sample(o, "cgov_tick_seconds_total", NULL, (double)p->tick_us_sum / 1e6);
	if (p->ticks == 0)
		goto history;
	prom_family(o, "cgov_tick_duration_seconds", "gauge",
	    "How long the last tick took: sampling, governing and storing history.");
	prom_sample(o, "cgov_tick_duration_seconds", NULL, (double)p->tick_us_last / 1e6);
	prom_family(o, "cgov_last_tick_timestamp_seconds", "gauge",
	    "Wall time of the last tick (Unix seconds).");
	prom_sample(o, "cgov_last_tick_timestamp_seconds", NULL, (double)p->last_tick_wall_ms / 1e3);
	prom_family(o, "cgov_last_tick_age_seconds", "gauge",
	    "Seconds since the last tick ended (monotonic clock): above the interval, ticks are "
	    "late.");
	prom_sample(o, "cgov_last_tick_age_seconds", NULL,
	    (double)(now_us - p->last_tick_mono_us) / 1e6);
history:
	prom_family(o, "cgov_history_dropped_ticks_total", "counter",
	    "Ticks history did not get (no database, disk full, locked).");
	prom_sample(o, "cgov_history_dropped_ticks_total", NULL, (double)p->ticks_unstored);
	if (p->ticks > 0) {
		/* From the newest tick back to the newest tick stored; with
		 * none stored yet, back to the first tick. */
		lag_ms = p->last_tick_wall_ms - (p->last_stored_wall_ms != 0 ?
		    p->last_stored_wall_ms : p->first_tick_wall_ms);
		prom_family(o, "cgov_history_lag_seconds", "gauge",
		    "How far history is behind the newest tick (0: the last tick was stored).");
		prom_sample(o, "cgov_history_lag_seconds", NULL, lag_ms < 0 ? 0 : lag_ms / 1e3);
	}
	if (p->last_stored_wall_ms != 0) {
		prom_family(o, "cgov_history_last_stored_timestamp_seconds", "gauge",
		    "Wall time of the newest tick history stored (Unix seconds).");
		prom_sample(o, "cgov_history_last_stored_timestamp_seconds", NULL,
		    (double)p->last_stored_wall_ms / 1e3);
	}
	if (p->fleet != NULL) {
		prom_family(o, "cgov_history_backlog", "gauge",
		    "Records waiting in memory for history (containers gone, not yet stored).");
		prom_sample(o, "cgov_history_backlog", NULL, (double)fleet_pending_gone(p->fleet));
	}
	if (p->notify != NULL) {
		prom_family(o, "cgov_notify_dropped_total", "counter",
		    "Times kernel notifications were lost (inotify queue overflow; every container "
		    "was read again).");
		prom_sample(o, "cgov_notify_dropped_total", NULL, (double)notify_overflows(p->notify));
	}
	prom_family(o, "cgov_scrapes_total", "counter",
	    "Scrapes of /metrics answered, this one included.");
	prom_sample(o, "cgov_scrapes_total", NULL, (double)p->scrapes);
}

/* What only a tick changes: the node, the containers, governing and the
 * collectors, at most max bytes in b, the truncation mark included. */
static void
prom_render_tick(struct prom *p, struct buf *b, size_t max)
{
	/* 64 bytes are kept back for the truncation mark. */
	struct prom_out o = { .b = b, .max = b->len + (max > 64 ? max - 64 : 0) };

	if (p->fleet != NULL) {
		prom_render_node(p, &o);
		prom_render_containers(p, &o);
	}
	if (p->gov != NULL)
		prom_render_gov(p, &o);
	for (size_t i = 0; i < p->ncoll; i++)
		p->coll[i].fn(p->coll[i].arg, &o);
	if (o.full) {
		o.full = 0;
		o.max += 64;
		prom_family(&o, "cgov_scrape_truncated", "gauge",
		    "1: this response was cut at its size bound.");
		prom_sample(&o, "cgov_scrape_truncated", NULL, 1);
	}
}

/* cgovd's health: a few lines, fresh at every scrape (the tick's age). */
static void
prom_render_fresh(struct prom *p, struct buf *b)
{
	struct prom_out o = { .b = b, .max = b->len + PROM_FRESH_MAX };

	p->scrapes++;
	prom_render_health(p, &o);
}

size_t
prom_render(struct prom *p, struct buf *b, size_t max)
{
	size_t start = b->len;

	prom_render_fresh(p, b);
	prom_render_tick(p, b, max > b->len - start ? max - (b->len - start) : 0);
	return b->len - start;
}

int
prom_add_collector(struct prom *p, prom_collect_fn fn, void *arg)
{
	if (p->ncoll == PROM_MAX_COLLECTORS)
		return -ENOSPC;
	p->coll[p->ncoll].fn = fn;
	p->coll[p->ncoll].arg = arg;
	p->ncoll++;
	return 0;
}

void
prom_set_sources(struct prom *p, const struct fleet *f, const struct governing *g,
    const struct notify *n)
{
	if (p == NULL)
		return;
	p->fleet = f;
	p->gov = g;
	p->notify = n;
}

void
prom_tick_begin(struct prom *p)
{
	if (p != NULL)
		p->tick_t0_us = prom_mono_us();
}

void
prom_tick_end(struct prom *p, int64_t wall_ms, int stored)
{
	int64_t now;

	if (p == NULL || p->tick_t0_us == 0)
		return;
	now = prom_mono_us();
	p->tick_us_last = (uint64_t)(now - p->tick_t0_us);
	p->tick_us_sum += p->tick_us_last;
	p->ticks++;
	p->last_tick_mono_us = now;
	p->last_tick_wall_ms = wall_ms;
	if (p->first_tick_wall_ms == 0)
		p->first_tick_wall_ms = wall_ms;
	if (stored)
		p->last_stored_wall_ms = wall_ms;
	else
		p->ticks_unstored++;
	p->tick_t0_us = 0;
}

/* ---- HTTP ------------------------------------------------------------------------ */

static void
prom_body_unref(struct prom_body *body)
{
	if (body != NULL && --body->refs == 0) {
		free(body->data);
		free(body);
	}
}

static void
prom_body_sent(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	prom_body_unref(arg);
}

/* This tick's body, rendered now when the cached one is older. */
static struct prom_body *
prom_body_get(struct prom *p)
{
	struct buf b;

	if (p->body != NULL && p->body->tick == p->ticks)
		return p->body;
	prom_body_unref(p->body);
	buf_init(&b);
	prom_render_tick(p, &b, PROM_MAX_BYTES - PROM_FRESH_MAX);
	p->body = xcalloc(1, sizeof *p->body);
	p->body->data = b.data;         /* the buffer's memory, kept */
	p->body->len = b.len;
	p->body->refs = 1;
	p->body->tick = p->ticks;
	return p->body;
}

static void
prom_on_request(struct evhttp_request *req, void *arg)
{
	struct prom *p = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evhttp_request_get_output_buffer(req);
	struct prom_body *body;
	struct buf b;

	if (path == NULL || (strcmp(path, "/metrics") != 0 && strcmp(path, "/") != 0)) {
		evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
		evbuffer_add_printf(out, "not found: cgovd serves /metrics\n");
		evhttp_send_reply(req, HTTP_NOTFOUND, "Not Found", NULL);
		return;
	}
	if (strcmp(path, "/") == 0) {
		evhttp_add_header(h, "Content-Type", "text/html; charset=utf-8");
		evbuffer_add_printf(out, "<html><head><title>cgovd</title></head><body>"
		    "<a href=\"/metrics\">/metrics</a></body></html>\n");
		evhttp_send_reply(req, HTTP_OK, "OK", NULL);
		return;
	}
	buf_init(&b);
	prom_render_fresh(p, &b);
	body = prom_body_get(p);
	evhttp_add_header(h, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evbuffer_add(out, b.data, b.len);
	buf_free(&b);
	/* The shared body goes out by reference, not copied. */
	body->refs++;
	if (body->len > 0 && evbuffer_add_reference(out, body->data, body->len, prom_body_sent,
	    body) < 0) {
		body->refs--;
		evbuffer_add(out, body->data, body->len);
	} else if (body->len == 0)
		body->refs--;
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}

/* Lets go of the connections evhttp has freed (their callbacks are gone),
 * and accepts again below the bound. */
static void
prom_sweep(struct prom *p)
{
	size_t out = 0;

	for (size_t i = 0; i < p->nconn; i++) {
		bufferevent_data_cb rd, wr;
		bufferevent_event_cb ev;
		void *cbarg;

		bufferevent_getcb(p->conn[i], &rd, &wr, &ev, &cbarg);
		if (rd == NULL && wr == NULL && ev == NULL) {
			bufferevent_disable(p->conn[i], EV_READ | EV_WRITE);
			bufferevent_decref(p->conn[i]);      /* closes the socket */
			continue;
		}
		p->conn[out++] = p->conn[i];
	}
	p->nconn = out;
	if (p->paused && p->nconn < PROM_MAX_CONNS) {
		evconnlistener_enable(p->lst);
		p->paused = 0;
	}
	if (p->nconn == 0)
		evtimer_del(p->ev_sweep);
}

static void
prom_on_sweep(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	prom_sweep(arg);
}

static struct bufferevent *
prom_on_connection(struct event_base *base, void *arg)
{
	struct prom *p = arg;
	struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	struct timeval tv = { 0, PROM_SWEEP_MS * 1000 };

	if (bev == NULL)
		return NULL;            /* evhttp makes one itself: uncounted */
	prom_sweep(p);
	bufferevent_incref(bev);
	/* A client sending without end is not read past this; evhttp's
	 * header bound stops it well before. */
	bufferevent_setwatermark(bev, EV_READ, 0, PROM_MAX_INPUT);
	if (p->nconn == p->capconn) {
		p->capconn = p->capconn ? 2 * p->capconn : PROM_MAX_CONNS;
		p->conn = xreallocarray(p->conn, p->capconn, sizeof *p->conn);
	}
	p->conn[p->nconn++] = bev;
	if (p->nconn >= PROM_MAX_CONNS && !p->paused) {
		log_debug("metrics: %zu connections open: not accepting until one closes",
		    p->nconn);
		evconnlistener_disable(p->lst);
		p->paused = 1;
	}
	if (!evtimer_pending(p->ev_sweep, NULL))
		evtimer_add(p->ev_sweep, &tv);
	return bev;
}

int
prom_new(struct event_base *base, int fd, struct prom **ret)
{
	struct prom *p = xcalloc(1, sizeof *p);

	p->base = base;
	if ((p->http = evhttp_new(base)) == NULL) {
		close(fd);
		free(p);
		return -ENOMEM;
	}
	evhttp_set_allowed_methods(p->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_timeout(p->http, PROM_TIMEOUT_S);
	evhttp_set_max_headers_size(p->http, 8192);
	evhttp_set_max_body_size(p->http, 1024);
	evhttp_set_gencb(p->http, prom_on_request, p);
	evhttp_set_bevcb(p->http, prom_on_connection, p);
	if ((p->bound = evhttp_accept_socket_with_handle(p->http, fd)) == NULL) {
		evhttp_free(p->http);
		close(fd);
		free(p);
		return -EINVAL;
	}
	p->lst = evhttp_bound_socket_get_listener(p->bound);
	p->ev_sweep = event_new(base, -1, EV_PERSIST, prom_on_sweep, p);
	*ret = p;
	return 0;
}

void
prom_free(struct prom *p)
{
	if (p == NULL)
		return;
	/* evhttp_free frees its connections (clearing their callbacks); the
	 * sweep then drops our references and closes the sockets. */
	evhttp_free(p->http);
	p->lst = NULL;                  /* evhttp's, gone with it */
	p->paused = 0;
	prom_sweep(p);
	for (size_t i = 0; i < p->nconn; i++)
		bufferevent_decref(p->conn[i]);
	free(p->conn);
	event_free(p->ev_sweep);
	prom_body_unref(p->body);       /* responses in flight went with evhttp */
	free(p);
}

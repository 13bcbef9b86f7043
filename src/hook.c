/* hook.c: the on-action hook: posix_spawn, bounded, reaped from the loop. */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "escape.h"
#include "hook.h"
#include "knob.h"
#include "log.h"
#include "policy.h"
#include "units.h"
#include "xmalloc.h"

/* Drops are logged at most this often. */
#define HOOK_LOG_GAP_MS 60000

struct hook_run {
	struct hook *h;
	pid_t pid;                      /* 0: a free slot */
	char event[16];
	int64_t start_ms;               /* monotonic */
	struct event *timer;
	int killed;
};

struct hook {
	struct event_base *base;
	struct event *ev_chld;
	char **argv;                    /* NULL: no command */
	uint64_t timeout_ms;
	struct hook_run run[HOOK_MAX_RUNNING];
	size_t nrunning;
	char **queue[HOOK_MAX_QUEUED];  /* environments waiting for a slot */
	size_t qhead, nqueued;
	int64_t window_ms;              /* the rate window's start (monotonic) */
	unsigned window_n;
	uint64_t started, dropped, timed_out;
	uint64_t dropped_unlogged;
	int64_t drop_logged_ms;
	int spawn_failing;              /* logged once per burst */
};

/* ---- splitting ------------------------------------------------------------ */

void
hook_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (size_t i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

int
hook_split(const char *cmd, char ***ret_argv, char *err, size_t errlen)
{
	char **argv = xcalloc(HOOK_MAX_ARGS + 1, sizeof *argv);
	size_t n = 0;
	const char *p = cmd;
	struct buf w;

	*ret_argv = NULL;
	buf_init(&w);
	for (;;) {
		int inword = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		buf_reset(&w);
		while (*p != '\0' && *p != ' ' && *p != '\t') {
			inword = 1;
			if (*p == '\'') {
				const char *e = strchr(p + 1, '\'');

				if (e == NULL) {
					snprintf(err, errlen, "unbalanced ' quote");
					goto fail;
				}
				buf_append(&w, p + 1, (size_t)(e - p - 1));
				p = e + 1;
			} else if (*p == '"') {
				for (p++; *p != '"'; p++) {
					if (*p == '\0') {
						snprintf(err, errlen, "unbalanced \" quote");
						goto fail;
					}
					if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
						p++;
					buf_putc(&w, *p);
				}
				p++;
			} else if (*p == '\\' && p[1] != '\0') {
				buf_putc(&w, p[1]);
				p += 2;
			} else {
				buf_putc(&w, *p++);
			}
		}
		if (!inword)
			break;
		if (n == HOOK_MAX_ARGS) {
			snprintf(err, errlen, "more than %d words", HOOK_MAX_ARGS);
			goto fail;
		}
		argv[n++] = xstrndup(w.len ? w.data : "", w.len);
	}
	if (n == 0) {
		snprintf(err, errlen, "no program");
		goto fail;
	}
	if (argv[0][0] != '/') {
		snprintf(err, errlen, "\"%s\" is not an absolute path to a program (no shell "
		    "runs it)", escape_log(0, argv[0]));
		goto fail;
	}
	buf_free(&w);
	*ret_argv = argv;
	return 0;
fail:
	buf_free(&w);
	hook_argv_free(argv);
	return -EINVAL;
}

/* ---- the environment ------------------------------------------------------ */

static void
hook_env_add(char **env, size_t *n, const char *key, const char *value)
{
	env[(*n)++] = xasprintf("%s=%s", key, value != NULL ? value : "");
}

static void
hook_value(int knob, int64_t v, char *raw, size_t rlen, char *text, size_t tlen)
{
	if (v == POL_MAX) {
		snprintf(raw, rlen, "max");
		snprintf(text, tlen, "max");
	} else if (v < 0 || knob < 0) {
		raw[0] = text[0] = '\0';
	} else {
		snprintf(raw, rlen, "%" PRId64, v);
		knob_format((enum pol_knob)knob, v, text, tlen);
	}
}

#define HOOK_NENV 20

/* The child's whole environment: a fixed PATH and the event. */
static char **
hook_env(const struct hook_event *e)
{
	char **env = xcalloc(HOOK_NENV + 1, sizeof *env);
	char o[32], ot[64], nw[32], nt[64], t[32], dev[32];
	size_t n = 0;

	hook_value(e->knob, e->old_value, o, sizeof o, ot, sizeof ot);
	hook_value(e->knob, e->new_value, nw, sizeof nw, nt, sizeof nt);
	snprintf(t, sizeof t, "%" PRId64, e->ts_ms);
	if (e->dev != 0)
		snprintf(dev, sizeof dev, "%u:%u", major(e->dev), minor(e->dev));
	else
		dev[0] = '\0';
	hook_env_add(env, &n, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	hook_env_add(env, &n, "CGOV_EVENT", e->event);
	hook_env_add(env, &n, "CGOV_CONTAINER", e->container);
	hook_env_add(env, &n, "CGOV_CGROUP", e->cgroup);
	hook_env_add(env, &n, "CGOV_RUNTIME", e->runtime);
	hook_env_add(env, &n, "CGOV_POLICY", e->policy);
	hook_env_add(env, &n, "CGOV_RULE", e->rule);
	hook_env_add(env, &n, "CGOV_KNOB", e->knob >= 0 ? pol_knob_name((enum pol_knob)e->knob) : "");
	hook_env_add(env, &n, "CGOV_DEVICE", dev);
	hook_env_add(env, &n, "CGOV_OLD", o);
	hook_env_add(env, &n, "CGOV_NEW", nw);
	hook_env_add(env, &n, "CGOV_OLD_TEXT", ot);
	hook_env_add(env, &n, "CGOV_NEW_TEXT", nt);
	hook_env_add(env, &n, "CGOV_REASON", e->why);
	hook_env_add(env, &n, "CGOV_TIME", t);
	hook_env_add(env, &n, "CGOV_DRY_RUN", e->dry_run ? "1" : "0");
	env[n] = NULL;
	return env;
}

/* ---- running -------------------------------------------------------------- */

static void hook_start_queued(struct hook *h);

static void
hook_drop(struct hook *h, const char *why)
{
	int64_t now = units_mono_ms();

	h->dropped++;
	h->dropped_unlogged++;
	if (h->drop_logged_ms != 0 && now - h->drop_logged_ms < HOOK_LOG_GAP_MS)
		return;
	log_warnx("on-action: %" PRIu64 " event%s dropped (%s; at most %d running, %d "
	    "queued, %d started a minute)", h->dropped_unlogged,
	    h->dropped_unlogged == 1 ? "" : "s", why, HOOK_MAX_RUNNING, HOOK_MAX_QUEUED,
	    HOOK_MAX_PER_MIN);
	h->dropped_unlogged = 0;
	h->drop_logged_ms = now;
}

static void
on_hook_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct hook_run *r = arg;

	(void)fd;
	(void)what;
	if (r->pid <= 0)
		return;
	/* Its process group: a shell script's children go with it. */
	if (kill(-r->pid, SIGKILL) < 0)
		kill(r->pid, SIGKILL);
	r->killed = 1;
	r->h->timed_out++;
	log_warnx("on-action: the hook for %s (pid %ld) still ran after %" PRIu64 " ms: killed",
	    r->event, (long)r->pid, r->h->timeout_ms);
}

/* Spawns one hook with environment env (freed here). */
static void
hook_spawn(struct hook *h, char **env)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	struct hook_run *r = NULL;
	struct timeval tv;
	const char *ev = NULL;
	pid_t pid;
	int err;

	for (size_t i = 0; i < HOOK_MAX_RUNNING; i++)
		if (h->run[i].pid == 0) {
			r = &h->run[i];
			break;
		}
	if (r == NULL || h->argv == NULL) {     /* callers check; never happens */
		hook_argv_free(env);
		return;
	}
	for (size_t i = 0; env[i] != NULL; i++)
		if (strncmp(env[i], "CGOV_EVENT=", 11) == 0)
			ev = env[i] + 11;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	/* Belt and braces: cgovd opens its descriptors close-on-exec. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&def);
	/* cgovd ignores SIGPIPE; an ignored signal survives exec. */
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGCHLD);
	sigaddset(&def, SIGHUP);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGINT);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETPGROUP);
	err = posix_spawn(&pid, h->argv[0], &fa, &at, h->argv, env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (err != 0) {
		if (!h->spawn_failing)
			log_warnx("on-action: cannot run %s: %s", escape_log(0, h->argv[0]),
			    strerror(err));
		h->spawn_failing = 1;
		hook_argv_free(env);
		return;
	}
	h->spawn_failing = 0;
	memset(r, 0, sizeof *r);
	r->h = h;
	r->pid = pid;
	r->start_ms = units_mono_ms();
	snprintf(r->event, sizeof r->event, "%s", ev != NULL ? ev : "?");
	r->timer = evtimer_new(h->base, on_hook_timeout, r);
	tv.tv_sec = (time_t)(h->timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(h->timeout_ms % 1000) * 1000;
	evtimer_add(r->timer, &tv);
	h->nrunning++;
	h->started++;
	log_debug("on-action: %s: pid %ld started", r->event, (long)pid);
	hook_argv_free(env);
}

static void
hook_reap_one(struct hook *h, struct hook_run *r, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		log_debug("on-action: %s: pid %ld done in %lld ms", r->event, (long)r->pid,
		    (long long)(units_mono_ms() - r->start_ms));
	else if (WIFEXITED(status))
		log_info("on-action: the hook for %s (pid %ld) exited %d", r->event, (long)r->pid,
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status) && !r->killed)
		log_info("on-action: the hook for %s (pid %ld) died of signal %d", r->event,
		    (long)r->pid, WTERMSIG(status));
	event_free(r->timer);
	memset(r, 0, sizeof *r);
	h->nrunning--;
}

/* Reaps our children only, by pid: cgovd may have others one day. */
static void
hook_reap(struct hook *h)
{
	for (size_t i = 0; i < HOOK_MAX_RUNNING; i++) {
		struct hook_run *r = &h->run[i];
		int status;
		pid_t p;

		if (r->pid <= 0)
			continue;
		while ((p = waitpid(r->pid, &status, WNOHANG)) < 0 && errno == EINTR)
			;
		if (p == r->pid || (p < 0 && errno == ECHILD))
			hook_reap_one(h, r, p == r->pid ? status : 0);
	}
	hook_start_queued(h);
}

static void
on_sigchld(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	hook_reap(arg);
}

static void
hook_start_queued(struct hook *h)
{
	while (h->nqueued > 0 && h->nrunning < HOOK_MAX_RUNNING) {
		char **env = h->queue[h->qhead];

		h->queue[h->qhead] = NULL;
		h->qhead = (h->qhead + 1) % HOOK_MAX_QUEUED;
		h->nqueued--;
		if (h->argv == NULL)
			hook_argv_free(env);
		else
			hook_spawn(h, env);
	}
}

struct hook *
hook_new(struct event_base *base)
{
	struct hook *h = xcalloc(1, sizeof *h);

	h->base = base;
	h->timeout_ms = 10000;
	h->ev_chld = evsignal_new(base, SIGCHLD, on_sigchld, h);
	if (h->ev_chld == NULL || evsignal_add(h->ev_chld, NULL) < 0)
		log_warnx("on-action: no SIGCHLD event: hooks are reaped when the next starts");
	return h;
}

void
hook_free(struct hook *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < HOOK_MAX_RUNNING; i++) {
		struct hook_run *r = &h->run[i];
		int status;

		if (r->pid <= 0)
			continue;
		if (kill(-r->pid, SIGKILL) < 0)
			kill(r->pid, SIGKILL);
		r->killed = 1;
		while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
			;
		hook_reap_one(h, r, status);
	}
	while (h->nqueued > 0) {
		hook_argv_free(h->queue[h->qhead]);
		h->qhead = (h->qhead + 1) % HOOK_MAX_QUEUED;
		h->nqueued--;
	}
	if (h->ev_chld != NULL)
		event_free(h->ev_chld);
	hook_argv_free(h->argv);
	free(h);
}

int
hook_configure(struct hook *h, const char *cmd, uint64_t timeout_ms)
{
	char **argv = NULL, err[256];

	if (cmd != NULL && hook_split(cmd, &argv, err, sizeof err) < 0) {
		log_err("on-action: %s", err);
		return -EINVAL;
	}
	hook_argv_free(h->argv);
	h->argv = argv;
	h->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
	if (argv != NULL)
		log_info("on-action: %s (timeout %" PRIu64 " ms)", escape_log(0, argv[0]),
		    h->timeout_ms);
	return 0;
}

void
hook_fire(struct hook *h, const struct hook_event *e)
{
	int64_t now;

	if (h == NULL || h->argv == NULL)
		return;
	now = units_mono_ms();
	if (h->window_ms == 0 || now - h->window_ms >= 60000) {
		h->window_ms = now;
		h->window_n = 0;
	}
	if (h->window_n >= HOOK_MAX_PER_MIN) {
		hook_drop(h, "rate limit");
		return;
	}
	/* A SIGCHLD not yet delivered to the loop must not cost a slot. */
	if (h->nrunning == HOOK_MAX_RUNNING)
		hook_reap(h);
	if (h->nrunning < HOOK_MAX_RUNNING && h->nqueued == 0) {
		h->window_n++;
		hook_spawn(h, hook_env(e));
		return;
	}
	if (h->nqueued == HOOK_MAX_QUEUED) {
		hook_drop(h, "too many running");
		return;
	}
	h->window_n++;
	h->queue[(h->qhead + h->nqueued) % HOOK_MAX_QUEUED] = hook_env(e);
	h->nqueued++;
}

void
hook_stats(const struct hook *h, struct hook_stats *ret)
{
	memset(ret, 0, sizeof *ret);
	if (h == NULL)
		return;
	ret->started = h->started;
	ret->dropped = h->dropped;
	ret->timed_out = h->timed_out;
	ret->running = h->nrunning;
	ret->queued = h->nqueued;
}

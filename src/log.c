/* log.c: one place decides the format and destination of every message. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char *log_progname = "cgov";
static int log_to_syslog;
static enum log_level log_max = LOG_LEVEL_INFO;

void
log_init(const char *progname, int to_syslog, enum log_level level)
{
	if (progname != NULL)
		log_progname = progname;
	if (to_syslog && !log_to_syslog)
		openlog(log_progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (!to_syslog && log_to_syslog)
		closelog();
	log_to_syslog = to_syslog;
	log_max = level;
}

int
log_enabled(enum log_level level)
{
	return level <= log_max;
}

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *tag[] = { "error", "warning", "info", "debug" };

	if (level > log_max)
		return;
	if (log_to_syslog) {
		vsyslog(prio[level], fmt, ap);
		return;
	}
	fprintf(stderr, "%s: %s: ", log_progname, tag[level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#define LOG_DEFINE(fn, level)                   \
	void fn(const char *fmt, ...)           \
	{                                       \
		va_list ap;                     \
		va_start(ap, fmt);              \
		log_vmsg(level, fmt, ap);       \
		va_end(ap);                     \
	}

LOG_DEFINE(log_debug, LOG_LEVEL_DEBUG)
LOG_DEFINE(log_info, LOG_LEVEL_INFO)
LOG_DEFINE(log_warnx, LOG_LEVEL_WARN)
LOG_DEFINE(log_err, LOG_LEVEL_ERR)

/* Appends ": strerror(errno)" to the caller's message. */
static void log_errno(enum log_level, int, const char *, va_list) CGOV_PRINTF(3, 0);

static void
log_errno(enum log_level level, int saved, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (level > log_max)
		return;
	if (log_to_syslog)
		syslog(level == LOG_LEVEL_ERR ? LOG_ERR : LOG_WARNING, "%s: %s", msg,
		    strerror(saved));
	else
		fprintf(stderr, "%s: %s: %s: %s\n", log_progname,
		    level == LOG_LEVEL_ERR ? "error" : "warning", msg, strerror(saved));
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_errno(LOG_LEVEL_WARN, saved, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_errno(LOG_LEVEL_ERR, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}

/* log.h: the one logging API of cgov and cgovd.
 *
 * Messages go to stderr until log_init() is told the process runs in the
 * background, then to syslog (facility daemon). Every message is one line;
 * callers never add a trailing newline. Tenant-controlled strings (cgroup
 * names, process names) must be passed through escape_term() first: they may
 * hold escape sequences that would rewrite an operator's terminal.
 */
#ifndef CGOV_LOG_H
#define CGOV_LOG_H

#include <stdarg.h>

#define CGOV_PRINTF(a, b) __attribute__((format(printf, a, b)))

enum log_level { LOG_LEVEL_ERR = 0, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Sets the program name shown in messages, the destination (to_syslog
 * nonzero: syslog, else stderr) and the most verbose level printed. May be
 * called again, e.g. after daemonizing or on reload. */
void log_init(const char *progname, int to_syslog, enum log_level level);

/* Returns nonzero when messages of `level` would be printed. */
int log_enabled(enum log_level level);

void log_debug(const char *fmt, ...) CGOV_PRINTF(1, 2);
void log_info(const char *fmt, ...) CGOV_PRINTF(1, 2);
/* log_warn appends ": strerror(errno)"; log_warnx prints the message alone. */
void log_warn(const char *fmt, ...) CGOV_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) CGOV_PRINTF(1, 2);
/* Same, at error level, without exiting. */
void log_err(const char *fmt, ...) CGOV_PRINTF(1, 2);
/* fatal appends strerror(errno); both exit(1). For "cannot go on" only. */
__attribute__((noreturn)) void fatal(const char *fmt, ...) CGOV_PRINTF(1, 2);
__attribute__((noreturn)) void fatalx(const char *fmt, ...) CGOV_PRINTF(1, 2);

void log_vmsg(enum log_level level, const char *fmt, va_list ap) CGOV_PRINTF(2, 0);

#endif

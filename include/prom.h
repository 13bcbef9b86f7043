/* prom.h: cgovd's Prometheus endpoint, /metrics in the text format 0.0.4.
 *
 * Off unless `metrics-listen` (cgov.conf) or --metrics names an address.
 * libevent's HTTP server (evhttp) answers in cgovd's one loop, so a scrape
 * is rendered between two ticks and must be cheap and never wait:
 *
 *   - everything comes from memory the daemon already holds: the fleet's
 *     last samples (fleet.h), the governor's rule states and the
 *     actuator's counts (governing.h), the tick's own timings kept here;
 *     never SQLite, never cgroupfs, so a scrape costs no syscall but the
 *     socket's and a locked or slow database cannot slow it;
 *   - a response is at most PROM_MAX_BYTES: past it the families that do
 *     not fit are left out and cgov_scrape_truncated says so. All but a
 *     few lines of health are rendered once per tick and shared by every
 *     response of that tick (by reference, until sent): scrapes in a loop
 *     cost one rendering per tick, slow readers hold one copy;
 *   - at most about PROM_MAX_CONNS connections are open at once: at the
 *     bound the listening socket stops accepting (clients wait in the
 *     kernel's backlog), and every connection that sends or reads nothing
 *     for PROM_TIMEOUT_S seconds is closed, so a stalled client holds a
 *     descriptor, never the loop;
 *   - only GET and HEAD, request headers at most 8 KiB.
 *
 * Unknown values are left out, never written as 0; a limit that is not set
 * is +Inf. Tenant strings (container names, cgroup paths) go through
 * prom_escape_label.
 */
#ifndef CGOV_PROM_H
#define CGOV_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define PROM_MAX_BYTES  (32u << 20)
#define PROM_MAX_CONNS  16
#define PROM_TIMEOUT_S  10
#define PROM_DEFAULT_ADDR "127.0.0.1"

struct event_base;
struct fleet;
struct governing;
struct notify;
struct prom;

/* Parses a listen address: "ADDR:PORT", "[V6ADDR]:PORT", ":PORT" or
 * "PORT" (the last two on PROM_DEFAULT_ADDR). Copies the numeric address
 * into ret_addr (size len) and the port (1..65535) into *ret_port. Returns
 * 0 or -EINVAL (also for a host name: only numeric addresses, so that a
 * scrape endpoint never depends on DNS). Pure. */
int prom_parse_listen(const char *spec, char *ret_addr, size_t len, uint16_t *ret_port);

/* Opens a listening TCP socket (non-blocking, close-on-exec, SO_REUSEADDR)
 * on spec (prom_parse_listen). Called before cgovd daemonizes, so that a
 * busy port is an error on the terminal. Returns the descriptor, or
 * -errno (-EINVAL for a bad spec, -EADDRINUSE, -EACCES ...). */
int prom_listen(const char *spec);

/* Serves /metrics on the listening socket fd (ownership taken, closed by
 * prom_free) in base's loop. Returns 0 and *ret, or -errno (fd closed). */
int prom_new(struct event_base *base, int fd, struct prom **ret);
/* Closes the socket and every connection. NULL is fine. */
void prom_free(struct prom *p);

/* What a scrape reads (all borrowed, each may be NULL: its families are
 * left out). Set again after anything they point to is replaced. */
void prom_set_sources(struct prom *p, const struct fleet *f, const struct governing *g,
    const struct notify *n);

/* The daemon's tick: prom_tick_begin() right before it samples,
 * prom_tick_end() once it is done (stored: history got the tick, wall_ms
 * its wall time). Both are no-ops on NULL. */
void prom_tick_begin(struct prom *p);
void prom_tick_end(struct prom *p, int64_t wall_ms, int stored);

/* ---- writing the exposition, for prom.c and for other subsystems ------- */

/* A response being written: at most max bytes in b. Once a line does not
 * fit, nothing more is written and full is set. */
struct prom_out {
	struct buf *b;
	size_t max;
	int full;
};

/* The "# HELP" and "# TYPE" lines of a family (type "gauge", "counter").
 * name and help are the program's own: not escaped. Every sample of the
 * family must follow before the next family starts. */
void prom_family(struct prom_out *o, const char *name, const char *type, const char *help);

/* One sample line: name{labels} value. labels is NULL or the inside of the
 * braces, already escaped (prom_label). v NAN: nothing is written (the
 * value is unknown); +-INFINITY is written as +Inf/-Inf. */
void prom_sample(struct prom_out *o, const char *name, const char *labels, double v);

/* Appends `key="escaped value"` to b, a comma first when b is not empty. */
void prom_label(struct buf *b, const char *key, const char *value);

/* A label value as the text format wants it, quotes not included. Tenant
 * strings are hostile: the value is first made what `cgov top` shows
 * (escape_term: control bytes, invalid UTF-8, bidirectional overrides as
 * \xNN, a backslash doubled, so the result is valid UTF-8 and holds no
 * newline), then backslash and double quote are escaped with a backslash
 * (the format's own escapes). A scraper thus reads escape_term(s). */
void prom_escape_label(struct buf *b, const char *s);

/* A subsystem that keeps figures of its own (e.g. node sensors) adds them
 * here: fn is called at every scrape, after the built-in families, and
 * writes complete families with prom_family/prom_sample from memory only
 * (no I/O: it runs in the loop). At most 8 collectors. Returns 0 or
 * -ENOSPC. */
typedef void (*prom_collect_fn)(void *arg, struct prom_out *o);
int prom_add_collector(struct prom *p, prom_collect_fn fn, void *arg);

/* Renders the whole exposition of p's sources into b (at most max bytes),
 * as a scrape would. Returns the number of bytes written. */
size_t prom_render(struct prom *p, struct buf *b, size_t max);

#endif

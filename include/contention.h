/* contention.h: what a tick's containers make of each other (cgov.policy(5),
 * "RELATIVE CONDITIONS"): each container's fair share of the node's CPUs,
 * and the highest pressure among the OTHER containers (others.pressure.*).
 *
 * A container that cgov itself holds back (a rung of a rule in force turns
 * down that resource) is no "other": its pressure on that resource is
 * cgov's doing, and counting it would turn a throttled hog into a victim
 * and fire the rule on the tenants it protects (the throttled hog of a
 * bench run waited 100% of the time, and the throughput victim beside it
 * was cut in turn). Its weight still counts in every share.
 *
 * Two passes per tick: contention_add for every container seen, then
 * contention_fill for each one before its rules are judged. Pure: no I/O,
 * no allocation. Unknown stays unknown: a pressure that is NAN is not
 * taken as 0, and others.pressure.* is NAN when no other container's is
 * known.
 */
#ifndef CGOV_CONTENTION_H
#define CGOV_CONTENTION_H

#include <stdint.h>

#include "govern.h"

/* Cores above which a container "wants CPU" (or any pressure.cpu). */
#define CONTENTION_WANTS_CPU 0.05

struct contention {
	double wsum;                     /* weights of the containers wanting CPU */
	struct {
		double v[2];             /* the highest pressure and the next; NAN none */
		uint64_t key;            /* whose is v[0] */
	} top[3];                        /* pressure.cpu, .memory, .io */
};

/* Empties c for a new tick. */
void contention_reset(struct contention *c);

/* Whether a container with metrics m wants CPU now: more than
 * CONTENTION_WANTS_CPU cores, or a pressure.cpu above 0. */
int contention_wants_cpu(const struct gov_metrics *m);

/* Bits of contention_add's held: which resources cgov holds back. */
#define CONTENTION_HELD_CPU    (1u << 0)
#define CONTENTION_HELD_MEMORY (1u << 1)
#define CONTENTION_HELD_IO     (1u << 2)

/* Counts container key (its metrics m, its CPU weight on the v1 shares
 * scale; <= 0: the default 1024) in c. Its pressure on a resource whose
 * CONTENTION_HELD_* bit is set in held is left out of others.pressure.*. */
void contention_add(struct contention *c, uint64_t key, const struct gov_metrics *m,
    double weight, unsigned held);

/* Fills m->share (cores: ncpu x weight / the weights wanting CPU, counting
 * this container as if it joined when it wants none; NAN when nobody wants
 * CPU or ncpu is unknown), m->ncpu and m->v[PM_OTHERS_PRESSURE_*] (the
 * highest of the others, leaving key out) for container key. counted says
 * whether key's weight is in c's sum: whether the metrics it was added
 * with wanted CPU (contention_wants_cpu). At the tick those are m; a
 * decision between ticks has fresher metrics than c, and a tenant that
 * started to want CPU since is counted in too, or a hog that began after
 * the tick would be given the whole node as its share. */
void contention_fill(const struct contention *c, uint64_t key, double weight, int counted,
    double ncpu, struct gov_metrics *m);

#endif

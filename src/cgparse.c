/* cgparse.c: pure parsers of the cgroupfs and /proc formats.
 *
 * Nothing here reads a file: the sampler does, these only look at the text.
 * The text may be truncated (a cgroup vanished mid-read), from a kernel
 * newer or older than any seen, or made up by a fuzzer, so every scan is
 * bounded by the end of its line and the string's NUL, numbers are read
 * digit by digit (strtoull would take a sign, spaces and "0x"), and every
 * sum is checked for overflow.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "cgparse.h"

/* A line of text: [p, end), end at its '\n' or at the string's NUL. */
struct cgparse_line {
	const char *p, *end;
};

/* Moves *pos to the next line and fills *ret; returns 0 at the end. */
static int
cgparse_next_line(const char **pos, struct cgparse_line *ret)
{
	const char *p = *pos, *nl;

	if (*p == '\0')
		return 0;
	nl = strchr(p, '\n');
	ret->p = p;
	if (nl == NULL) {
		ret->end = p + strlen(p);
		*pos = ret->end;
	} else {
		ret->end = nl;
		*pos = nl + 1;
	}
	return 1;
}

static int
cgparse_is_space(char c)
{
	return c == ' ' || c == '\t';
}

static const char *
cgparse_skip_space(const char *p, const char *end)
{
	while (p < end && cgparse_is_space(*p))
		p++;
	return p;
}

/* Returns the end of the token starting at p: the next blank or end. */
static const char *
cgparse_token_end(const char *p, const char *end)
{
	while (p < end && !cgparse_is_space(*p))
		p++;
	return p;
}

static int
cgparse_token_is(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) == n && memcmp(p, word, n) == 0;
}

/*
 * Reads [p, end) as a whole unsigned decimal number. Returns 0, -EINVAL when
 * it is empty or holds anything but digits (a sign included), -ERANGE when
 * it does not fit in 64 bits.
 */
static int
cgparse_number(const char *p, const char *end, uint64_t *ret)
{
	uint64_t v = 0;
	int overflow = 0;
	unsigned int d;

	if (p >= end)
		return -EINVAL;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		d = (unsigned int)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			overflow = 1;
		else
			v = v * 10 + d;
	}
	if (overflow)
		return -ERANGE;
	*ret = v;
	return 0;
}

/*
 * The shared meaning of a value: "max" and anything at or above the v1
 * "no limit" sentinel are CG_UNLIMITED. That also keeps a real value from
 * ever reading as CG_UNKNOWN or CG_UNLIMITED.
 */
static int
cgparse_value(const char *p, const char *end, uint64_t *ret)
{
	uint64_t v;
	int error;

	if (cgparse_token_is(p, end, "max")) {
		*ret = CG_UNLIMITED;
		return 0;
	}
	if ((error = cgparse_number(p, end, &v)) != 0)
		return error;
	*ret = v >= CG_V1_UNLIMITED_MIN ? CG_UNLIMITED : v;
	return 0;
}

/*
 * Reads "N" or "N.DD" (PSI averages, load averages) as hundredths, extra
 * decimals cut. Returns 0 or -EINVAL, overflow of 32 bits included.
 */
static int
cgparse_centi(const char *p, const char *end, uint32_t *ret)
{
	const char *dot;
	uint64_t whole, frac = 0;
	int i;

	dot = memchr(p, '.', (size_t)(end - p));
	if (cgparse_number(p, dot != NULL ? dot : end, &whole) != 0)
		return -EINVAL;
	if (dot != NULL) {
		if (dot + 1 >= end)
			return -EINVAL;
		for (p = dot + 1; p < end; p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
		}
		for (i = 0, p = dot + 1; i < 2; i++) {
			frac *= 10;
			if (p < end)
				frac += (uint64_t)(*p++ - '0');
		}
	}
	if (whole > (UINT32_MAX - frac) / 100)
		return -EINVAL;
	*ret = (uint32_t)(whole * 100 + frac);
	return 0;
}

/* *acc += v, where a sum that would reach the sentinels becomes CG_UNKNOWN
 * and stays so. */
static void
cgparse_add(uint64_t *acc, uint64_t v)
{
	if (*acc == CG_UNKNOWN)
		return;
	if (v >= CG_UNLIMITED || *acc >= CG_UNLIMITED - v)
		*acc = CG_UNKNOWN;
	else
		*acc += v;
}

/* "MAJ:MIN", the device of io.stat and blkio lines. */
static int
cgparse_is_device(const char *p, const char *end)
{
	const char *colon;
	uint64_t v;

	colon = memchr(p, ':', (size_t)(end - p));
	if (colon == NULL)
		return 0;
	return cgparse_number(p, colon, &v) == 0 &&
	    cgparse_number(colon + 1, end, &v) == 0;
}

/* The end of a single-value file: one trailing newline is allowed. */
static const char *
cgparse_single_end(const char *buf)
{
	const char *end = buf + strlen(buf);

	if (end > buf && end[-1] == '\n')
		end--;
	return end;
}

int
cgparse_u64(const char *buf, uint64_t *ret)
{
	uint64_t v;

	*ret = CG_UNKNOWN;
	if (cgparse_value(buf, cgparse_single_end(buf), &v) != 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

int
cgparse_quota_us(const char *buf, uint64_t *ret)
{
	const char *end = cgparse_single_end(buf);
	uint64_t v;

	*ret = CG_UNKNOWN;
	if (cgparse_token_is(buf, end, "-1")) {
		*ret = CG_UNLIMITED;
		return 0;
	}
	/* cgparse_number refuses any other sign, and "max" is v2's word. */
	if (cgparse_number(buf, end, &v) != 0)
		return -EINVAL;
	*ret = v >= CG_V1_UNLIMITED_MIN ? CG_UNLIMITED : v;
	return 0;
}

/*
 * A period of 0 (or one that reads as a sentinel) is refused: callers divide
 * by it to get cores.
 */
int
cgparse_cpu_max(const char *buf, uint64_t *ret_quota_us,
    uint64_t *ret_period_us)
{
	const char *end = cgparse_single_end(buf);
	const char *q, *qend, *pp, *pend;
	uint64_t quota, period;

	*ret_quota_us = CG_UNKNOWN;
	*ret_period_us = CG_UNKNOWN;
	q = buf;
	qend = cgparse_token_end(q, end);
	pp = cgparse_skip_space(qend, end);
	if (pp == qend)
		return -EINVAL;
	pend = cgparse_token_end(pp, end);
	if (pend != end)
		return -EINVAL;
	if (cgparse_value(q, qend, &quota) != 0)
		return -EINVAL;
	if (cgparse_number(pp, pend, &period) != 0 || period == 0 ||
	    period >= CG_V1_UNLIMITED_MIN)
		return -EINVAL;
	*ret_quota_us = quota;
	*ret_period_us = period;
	return 0;
}

int
cgparse_keyed(const char *buf, const char *const *keys, size_t nkeys,
    uint64_t *ret)
{
	struct cgparse_line l;
	const char *pos = buf, *kend, *v, *vend;
	uint64_t val;
	size_t i, klen;
	int error, formed = 0, found = 0;

	for (i = 0; i < nkeys; i++)
		ret[i] = CG_UNKNOWN;
	while (cgparse_next_line(&pos, &l)) {
		kend = cgparse_token_end(l.p, l.end);
		v = cgparse_skip_space(kend, l.end);
		vend = cgparse_token_end(v, l.end);
		if (kend == l.p || v == kend || v == vend ||
		    cgparse_skip_space(vend, l.end) != l.end)
			continue;
		error = cgparse_value(v, vend, &val);
		if (error == -EINVAL)
			continue;
		formed = 1;
		if (error == -ERANGE)
			continue;    /* the key stays CG_UNKNOWN */
		klen = (size_t)(kend - l.p);
		for (i = 0; i < nkeys; i++) {
			/* First occurrence wins. */
			if (ret[i] == CG_UNKNOWN && strlen(keys[i]) == klen &&
			    memcmp(keys[i], l.p, klen) == 0)
				ret[i] = val;
		}
	}
	if (!formed)
		return -EINVAL;
	for (i = 0; i < nkeys; i++) {
		if (ret[i] != CG_UNKNOWN)
			found++;
	}
	return found;
}

int
cgparse_io_stat(const char *buf, struct cg_io *ret)
{
	static const char *const keys[] = {
		"rbytes", "wbytes", "rios", "wios"
	};
	struct cgparse_line l;
	const char *pos = buf, *t, *tend, *eq;
	uint64_t *fields[4], v;
	size_t i;
	int error;

	memset(ret, 0, sizeof *ret);
	fields[0] = &ret->rbytes;
	fields[1] = &ret->wbytes;
	fields[2] = &ret->rios;
	fields[3] = &ret->wios;
	while (cgparse_next_line(&pos, &l)) {
		t = cgparse_skip_space(l.p, l.end);
		if (t == l.end)
			continue;
		tend = cgparse_token_end(t, l.end);
		if (!cgparse_is_device(t, tend))
			goto bad;
		/* Devices with no I/O are listed bare ("253:0 "), and
		 * blk-iocost and blk-iolatency add keys of their own
		 * ("depth=max"): unknown keys are skipped unread. */
		for (;;) {
			t = cgparse_skip_space(tend, l.end);
			if (t == l.end)
				break;
			tend = cgparse_token_end(t, l.end);
			eq = memchr(t, '=', (size_t)(tend - t));
			if (eq == NULL || eq == t)
				goto bad;
			for (i = 0; i < 4; i++) {
				if (cgparse_token_is(t, eq, keys[i]))
					break;
			}
			if (i == 4)
				continue;
			error = cgparse_number(eq + 1, tend, &v);
			if (error == -EINVAL)
				goto bad;
			if (error == -ERANGE)
				*fields[i] = CG_UNKNOWN;
			else
				cgparse_add(fields[i], v);
		}
	}
	return 0;
bad:
	for (i = 0; i < 4; i++)
		*fields[i] = CG_UNKNOWN;
	return -EINVAL;
}

int
cgparse_blkio(const char *buf, uint64_t *ret_read, uint64_t *ret_write)
{
	struct cgparse_line l;
	const char *pos = buf, *t, *tend, *op, *opend, *n, *nend;
	uint64_t v = 0;
	int error;

	*ret_read = 0;
	*ret_write = 0;
	while (cgparse_next_line(&pos, &l)) {
		t = cgparse_skip_space(l.p, l.end);
		if (t == l.end)
			continue;
		tend = cgparse_token_end(t, l.end);
		if (cgparse_token_is(t, tend, "Total")) {
			/* The grand total line: checked, not used. */
			n = cgparse_skip_space(tend, l.end);
			nend = cgparse_token_end(n, l.end);
			if (n == tend ||
			    cgparse_skip_space(nend, l.end) != l.end ||
			    cgparse_number(n, nend, &v) == -EINVAL)
				goto bad;
			continue;
		}
		if (!cgparse_is_device(t, tend))
			goto bad;
		op = cgparse_skip_space(tend, l.end);
		opend = cgparse_token_end(op, l.end);
		n = cgparse_skip_space(opend, l.end);
		nend = cgparse_token_end(n, l.end);
		if (op == tend || op == opend || n == opend ||
		    cgparse_skip_space(nend, l.end) != l.end)
			goto bad;
		error = cgparse_number(n, nend, &v);
		if (error == -EINVAL)
			goto bad;
		if (cgparse_token_is(op, opend, "Read")) {
			if (error == -ERANGE)
				*ret_read = CG_UNKNOWN;
			else
				cgparse_add(ret_read, v);
		} else if (cgparse_token_is(op, opend, "Write")) {
			if (error == -ERANGE)
				*ret_write = CG_UNKNOWN;
			else
				cgparse_add(ret_write, v);
		}
	}
	return 0;
bad:
	*ret_read = CG_UNKNOWN;
	*ret_write = CG_UNKNOWN;
	return -EINVAL;
}

/* The avg10=.. avg60=.. avg300=.. total=.. part of a PSI line; all four are
 * required, other keys are skipped. */
static int
cgparse_psi_fields(const char *p, const char *end, struct cg_psi_line *ret)
{
	const char *t, *tend, *eq;
	unsigned int seen = 0;
	uint64_t v;
	int error;

	for (;;) {
		t = cgparse_skip_space(p, end);
		if (t == end)
			break;
		tend = cgparse_token_end(t, end);
		p = tend;
		eq = memchr(t, '=', (size_t)(tend - t));
		if (eq == NULL)
			return -EINVAL;
		if (cgparse_token_is(t, eq, "avg10")) {
			if (cgparse_centi(eq + 1, tend, &ret->avg10) != 0)
				return -EINVAL;
			seen |= 1;
		} else if (cgparse_token_is(t, eq, "avg60")) {
			if (cgparse_centi(eq + 1, tend, &ret->avg60) != 0)
				return -EINVAL;
			seen |= 2;
		} else if (cgparse_token_is(t, eq, "avg300")) {
			if (cgparse_centi(eq + 1, tend, &ret->avg300) != 0)
				return -EINVAL;
			seen |= 4;
		} else if (cgparse_token_is(t, eq, "total")) {
			error = cgparse_number(eq + 1, tend, &v);
			if (error == -EINVAL)
				return -EINVAL;
			ret->total_us = error == -ERANGE || v >= CG_UNLIMITED ?
			    CG_UNKNOWN : v;
			seen |= 8;
		}
	}
	return seen == 15 ? 0 : -EINVAL;
}

static void
cgparse_psi_unknown(struct cg_psi_line *l)
{
	l->avg10 = l->avg60 = l->avg300 = 0;
	l->total_us = CG_UNKNOWN;
}

/*
 * The header has no "unknown" for the 32-bit averages: they are 0 where the
 * line is absent or the file is malformed, and total_us says which.
 */
int
cgparse_psi(const char *buf, struct cg_psi *ret)
{
	struct cgparse_line l;
	struct cg_psi_line *dst;
	const char *pos = buf, *tend;
	int seen_some = 0, seen_full = 0;

	cgparse_psi_unknown(&ret->some);
	cgparse_psi_unknown(&ret->full);
	while (cgparse_next_line(&pos, &l)) {
		tend = cgparse_token_end(l.p, l.end);
		if (cgparse_token_is(l.p, tend, "some") && !seen_some) {
			dst = &ret->some;
			seen_some = 1;
		} else if (cgparse_token_is(l.p, tend, "full") && !seen_full) {
			dst = &ret->full;
			seen_full = 1;
		} else
			continue;    /* a line some later kernel adds */
		if (cgparse_psi_fields(tend, l.end, dst) != 0)
			goto bad;
	}
	if (!seen_some)
		goto bad;
	return 0;
bad:
	cgparse_psi_unknown(&ret->some);
	cgparse_psi_unknown(&ret->full);
	return -EINVAL;
}

int
cgparse_meminfo(const char *buf, struct cg_meminfo *ret)
{
	static const char *const keys[] = {
		"MemTotal", "MemAvailable", "SwapTotal", "SwapFree"
	};
	struct cgparse_line l;
	const char *pos = buf, *colon, *n, *nend, *u, *uend;
	uint64_t *fields[4], v = 0;
	size_t i;
	int error, formed = 0;

	fields[0] = &ret->mem_total;
	fields[1] = &ret->mem_available;
	fields[2] = &ret->swap_total;
	fields[3] = &ret->swap_free;
	for (i = 0; i < 4; i++)
		*fields[i] = CG_UNKNOWN;
	while (cgparse_next_line(&pos, &l)) {
		/* "Key:   N kB", or "Key:   N" for counts (HugePages_Total). */
		colon = memchr(l.p, ':', (size_t)(l.end - l.p));
		if (colon == NULL || colon == l.p)
			continue;
		n = cgparse_skip_space(colon + 1, l.end);
		nend = cgparse_token_end(n, l.end);
		u = cgparse_skip_space(nend, l.end);
		uend = cgparse_token_end(u, l.end);
		if (cgparse_skip_space(uend, l.end) != l.end)
			continue;
		error = cgparse_number(n, nend, &v);
		if (error == -EINVAL)
			continue;
		formed = 1;
		for (i = 0; i < 4; i++) {
			if (cgparse_token_is(l.p, colon, keys[i]))
				break;
		}
		/* The four we read are all in kB; without the unit the
		 * value means something else. First occurrence wins. */
		if (i == 4 || *fields[i] != CG_UNKNOWN || error != 0 ||
		    !cgparse_token_is(u, uend, "kB"))
			continue;
		if (v < CG_V1_UNLIMITED_MIN / 1024)
			*fields[i] = v * 1024;
	}
	return formed ? 0 : -EINVAL;
}

int
cgparse_proc_stat(const char *buf, struct cg_cpustat *ret)
{
	struct cgparse_line l;
	const char *pos = buf, *t, *tend;
	uint64_t f[10], busy = 0, total = 0, v;
	uint32_t ncpu = 0;
	size_t nf = 0, i;
	int seen_cpu = 0;

	ret->busy = CG_UNKNOWN;
	ret->total = CG_UNKNOWN;
	ret->ncpu = 0;
	memset(f, 0, sizeof f);
	while (cgparse_next_line(&pos, &l)) {
		if (l.end - l.p < 4 || memcmp(l.p, "cpu", 3) != 0)
			continue;
		tend = cgparse_token_end(l.p, l.end);
		if (tend - l.p > 3) {
			/* "cpuN": one more CPU, if N is a number. */
			if (cgparse_number(l.p + 3, tend, &v) == 0 &&
			    ncpu < UINT32_MAX)
				ncpu++;
			continue;
		}
		if (seen_cpu)
			continue;
		seen_cpu = 1;
		/* user nice system idle iowait irq softirq steal guest
		 * guest_nice; older kernels stop early, newer may add. */
		for (t = tend;;) {
			t = cgparse_skip_space(t, l.end);
			if (t == l.end)
				break;
			tend = cgparse_token_end(t, l.end);
			if (cgparse_number(t, tend, &v) != 0)
				return -EINVAL;
			if (nf < 10)
				f[nf] = v;
			nf++;
			t = tend;
		}
	}
	if (nf < 4)
		return -EINVAL;
	/* busy = user + nice + system + irq + softirq + steal; guest and
	 * guest_nice are already inside user and nice. */
	cgparse_add(&busy, f[0]);
	cgparse_add(&busy, f[1]);
	cgparse_add(&busy, f[2]);
	for (i = 5; i < 8; i++)
		cgparse_add(&busy, f[i]);
	total = busy;
	cgparse_add(&total, f[3]);
	cgparse_add(&total, f[4]);
	if (busy == CG_UNKNOWN || total == CG_UNKNOWN)
		return -EINVAL;
	ret->busy = busy;
	ret->total = total;
	ret->ncpu = ncpu;
	return 0;
}

int
cgparse_loadavg(const char *buf, uint32_t *ret_load1, uint32_t *ret_load5,
    uint32_t *ret_load15)
{
	const char *end = buf + strlen(buf), *t, *tend;
	uint32_t v[3];
	int i;

	*ret_load1 = *ret_load5 = *ret_load15 = 0;
	t = buf;
	for (i = 0; i < 3; i++) {
		/* Stop at the first line: the file has one. */
		tend = t;
		while (tend < end && !cgparse_is_space(*tend) && *tend != '\n')
			tend++;
		if (cgparse_centi(t, tend, &v[i]) != 0)
			return -EINVAL;
		if (i < 2) {
			if (tend == end || !cgparse_is_space(*tend))
				return -EINVAL;
			t = cgparse_skip_space(tend, end);
		}
	}
	*ret_load1 = v[0];
	*ret_load5 = v[1];
	*ret_load15 = v[2];
	return 0;
}

/* Whether the comma-separated list [p, end) holds name. */
static int
cgparse_list_has(const char *p, const char *end, const char *name)
{
	const char *comma;

	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (comma == NULL)
			comma = end;
		if (cgparse_token_is(p, comma, name))
			return 1;
		p = comma + 1;
	}
	return 0;
}

/*
 * The path is everything after the second colon: a cgroup name may hold ':'
 * (it may hold '\n' too, which this format cannot show unambiguously; the
 * kernel does not escape it).
 */
int
cgparse_proc_cgroup(const char *buf, const char *controller, char *ret,
    size_t len)
{
	struct cgparse_line l;
	const char *pos = buf, *c1, *c2, *path;
	uint64_t id;
	size_t plen;
	int unified;

	if (len > 0)
		ret[0] = '\0';
	unified = controller == NULL || *controller == '\0';
	while (cgparse_next_line(&pos, &l)) {
		if (l.p == l.end)
			continue;
		c1 = memchr(l.p, ':', (size_t)(l.end - l.p));
		if (c1 == NULL)
			return -EINVAL;
		c2 = memchr(c1 + 1, ':', (size_t)(l.end - (c1 + 1)));
		if (c2 == NULL)
			return -EINVAL;
		path = c2 + 1;
		if (cgparse_number(l.p, c1, &id) != 0 || path == l.end ||
		    *path != '/')
			return -EINVAL;
		if (unified) {
			if (id != 0 || c2 != c1 + 1)
				continue;
		} else if (!cgparse_list_has(c1 + 1, c2, controller))
			continue;
		plen = (size_t)(l.end - path);
		if (plen >= len)
			return -ENAMETOOLONG;
		memcpy(ret, path, plen);
		ret[plen] = '\0';
		return 0;
	}
	return -ENOENT;
}

int
cgparse_schedstat(const char *buf, uint64_t *ret_wait_ns)
{
	const char *end = cgparse_single_end(buf), *t = buf, *tend;
	uint64_t v[3];

	*ret_wait_ns = CG_UNKNOWN;
	/* Exactly three numbers on one line: a truncated or longer line is
	 * not a schedstat this parser understands. */
	for (int i = 0; i < 3; i++) {
		tend = t;
		while (tend < end && !cgparse_is_space(*tend))
			tend++;
		if (cgparse_number(t, tend, &v[i]) != 0)
			return -EINVAL;
		t = cgparse_skip_space(tend, end);
		if (i < 2 && (t == tend || t == end))
			return -EINVAL;
	}
	if (t != end)
		return -EINVAL;
	*ret_wait_ns = v[1];
	return 0;
}

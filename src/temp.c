/* temp.c: the node's temperature sensors, read through libsensors. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sensors/error.h>
#include <sensors/sensors.h>

#include "escape.h"
#include "log.h"
#include "temp.h"
#include "xmalloc.h"

/* One input: libsensors' handles stay valid until sensors_cleanup(). */
struct temp_input {
	const sensors_chip_name *chip;
	int subfeat;                    /* the temperature input's number */
};

struct temp {
	struct temp_input in[TEMP_MAX];
	struct temp_reading r[TEMP_MAX];
	size_t n;
	int64_t read_ms;
	int failing;                    /* a read failed: logged once per burst */
};

/* "CHIP/LABEL" into name, cut to TEMP_NAME_MAX: names are for people. */
static void
temp_name(char name[TEMP_NAME_MAX], const char *chip, const char *label)
{
	size_t a = strlen(chip), b = strlen(label);

	if (a > TEMP_NAME_MAX - 2)
		a = TEMP_NAME_MAX - 2;
	memcpy(name, chip, a);
	name[a++] = '/';
	if (b > TEMP_NAME_MAX - 1 - a)
		b = TEMP_NAME_MAX - 1 - a;
	memcpy(name + a, label, b);
	name[a + b] = '\0';
}

/* Lists the temperature inputs of every chip libsensors detected. */
static void
temp_scan(struct temp *t)
{
	const sensors_chip_name *chip;
	int c = 0, dropped = 0;

	while ((chip = sensors_get_detected_chips(NULL, &c)) != NULL) {
		const sensors_feature *f;
		char cname[TEMP_NAME_MAX];
		int fi = 0;

		if (sensors_snprintf_chip_name(cname, sizeof cname, chip) < 0)
			snprintf(cname, sizeof cname, "%s", chip->prefix ? chip->prefix : "?");
		while ((f = sensors_get_features(chip, &fi)) != NULL) {
			const sensors_subfeature *sf;
			struct temp_reading *r;
			char *label;

			if (f->type != SENSORS_FEATURE_TEMP)
				continue;
			sf = sensors_get_subfeature(chip, f, SENSORS_SUBFEATURE_TEMP_INPUT);
			if (sf == NULL || !(sf->flags & SENSORS_MODE_R))
				continue;
			if (t->n == TEMP_MAX) {
				dropped++;
				continue;
			}
			r = &t->r[t->n];
			label = sensors_get_label(chip, f);
			temp_name(r->name, cname, label != NULL ? label : f->name);
			free(label);
			r->celsius = NAN;
			t->in[t->n].chip = chip;
			t->in[t->n].subfeat = sf->number;
			t->n++;
		}
	}
	if (dropped > 0)
		log_warnx("temperature: %d sensors past the first %d are not read", dropped,
		    TEMP_MAX);
}

int
temp_init(struct temp **ret)
{
	struct temp *t;
	int r;

	*ret = NULL;
	if ((r = sensors_init(NULL)) != 0) {
		log_warnx("temperature: libsensors cannot start (%s): node.temp is unknown",
		    sensors_strerror(r));
		return -EIO;
	}
	t = xcalloc(1, sizeof *t);
	temp_scan(t);
	if (t->n == 0)
		log_info("no temperature sensors: node.temp is unknown");
	else
		log_info("temperature: %zu sensors", t->n);
	for (size_t i = 0; i < t->n; i++)
		log_debug("temperature sensor %s", escape_log(0, t->r[i].name));
	*ret = t;
	return 0;
}

void
temp_close(struct temp *t)
{
	if (t == NULL)
		return;
	free(t);
	sensors_cleanup();
}

size_t
temp_count(const struct temp *t)
{
	return t != NULL ? t->n : 0;
}

size_t
temp_read(struct temp *t, int64_t now_ms)
{
	size_t ok = 0;
	int bad = 0;

	if (t == NULL)
		return 0;
	for (size_t i = 0; i < t->n; i++) {
		double v;

		/* A sensor that fails (a device asleep, a driver unloaded)
		 * is unknown this time, not its last value. */
		if (sensors_get_value(t->in[i].chip, t->in[i].subfeat, &v) != 0 || !isfinite(v)) {
			t->r[i].celsius = NAN;
			bad++;
			continue;
		}
		t->r[i].celsius = v;
		ok++;
	}
	if (bad > 0 && !t->failing)
		log_warnx("temperature: %d of %zu sensors cannot be read", bad, t->n);
	else if (bad == 0 && t->failing)
		log_info("temperature: every sensor reads again");
	t->failing = bad > 0;
	t->read_ms = now_ms;
	return ok;
}

const struct temp_reading *
temp_latest(const struct temp *t, size_t *ret_n, int64_t *ret_ms)
{
	if (ret_ms != NULL)
		*ret_ms = t != NULL ? t->read_ms : 0;
	*ret_n = t != NULL && t->read_ms != 0 ? t->n : 0;
	return t != NULL ? t->r : NULL;
}

double
temp_hottest(const struct temp_reading *v, size_t n)
{
	double max = NAN;

	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i].celsius) && (isnan(max) || v[i].celsius > max))
			max = v[i].celsius;
	return max;
}

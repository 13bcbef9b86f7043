/* temp.h: the node's temperature sensors, through libsensors.
 *
 * cgovd reads every temperature input libsensors knows on a slow cadence
 * (cgov.conf `sensors-interval`, 10 s by default): sysfs hwmon files are
 * cheap, but some drivers wake a device or an embedded controller for each
 * read, and a temperature moves in seconds, not milliseconds.
 *
 * A sensor is named "CHIP/LABEL": the chip as libsensors prints it
 * ("coretemp-isa-0000", "nvme-pci-0100", "acpitz-acpi-0") and the feature's
 * label (the driver's tempN_label, a sensors3.conf `label`, else "tempN").
 * Both come from the kernel and the administrator's files: treat them as
 * untrusted text and escape them on output (escape.h).
 *
 * The prefix is temp_, not sensors_: that one is libsensors' own.
 */
#ifndef CGOV_TEMP_H
#define CGOV_TEMP_H

#include <stddef.h>
#include <stdint.h>

/* Longest sensor name kept (longer ones are cut, still NUL-terminated). */
#define TEMP_NAME_MAX   128
/* Sensors read at most; the rest of a huge machine's are ignored (logged). */
#define TEMP_MAX        256

struct temp_reading {
	char name[TEMP_NAME_MAX];       /* "CHIP/LABEL", untrusted */
	double celsius;                 /* NAN when the last read failed */
};

struct temp;

/* Initialises libsensors (its default configuration: /etc/sensors3.conf
 * and /etc/sensors.d) and lists the temperature inputs. libsensors keeps
 * global state: open one at a time. Returns 0 and *ret, also on a node
 * without sensors (temp_count() is then 0; "no temperature sensors" is
 * logged once, here), or -EIO when libsensors cannot start (logged). */
int temp_init(struct temp **ret);
void temp_close(struct temp *t);

/* The number of temperature inputs found at temp_init(). */
size_t temp_count(const struct temp *t);

/* Reads every input now, at wall time now_ms. Returns the number read
 * successfully (a sensor that fails keeps its slot with NAN), 0 without
 * sensors. Never fails as a whole. */
size_t temp_read(struct temp *t, int64_t now_ms);

/* The readings of the last temp_read() (borrowed, valid until the next
 * temp_read or temp_close), in libsensors' order; *ret_n their number and
 * *ret_ms (optional) their time, 0 before the first read. */
const struct temp_reading *temp_latest(const struct temp *t, size_t *ret_n, int64_t *ret_ms);

/* The hottest of readings v (n of them), NAN when none is known. */
double temp_hottest(const struct temp_reading *v, size_t n);

#endif

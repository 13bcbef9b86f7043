/* rollup_int.h: what rollup.c, rollup_scan.c and rollup_step.c share; not
 * an API for anyone else (use rollup.h). */
#ifndef CGOV_ROLLUP_INT_H
#define CGOV_ROLLUP_INT_H

#include <stdint.h>

#include "rollup.h"

struct sqlite3_stmt;

/* The tier tables and their columns, in the order of the migration. */
#define ROLL_REC_COLS	4	/* key, n, dt_ms, the packed figures */
#define ROLL_NODE_COLS	18	/* bucket + 17 values */

/* Binds a record as parameters ?1.. of an INSERT of all columns (key
 * first), and reads one from a SELECT of all columns (key first); -EIO
 * for a damaged row. */
void roll_rec_bind(struct sqlite3_stmt *stmt, const struct roll_rec *r, int64_t key);
int roll_rec_read(struct sqlite3_stmt *stmt, enum roll_tier tier, struct roll_rec *r);
void roll_node_bind(struct sqlite3_stmt *stmt, const struct roll_node_rec *r, int64_t bucket);
void roll_node_read(struct sqlite3_stmt *stmt, enum roll_tier tier, struct roll_node_rec *r);

/* Reads one tier over [from_ms, to_ms) (raw: ticks whose ts_ms is in it;
 * tiers: buckets starting in it), calling the callbacks in time order. */
int roll_read_tier(struct store *st, enum roll_tier tier, int64_t from_ms,
    int64_t to_ms, int64_t cid, roll_cb cb, roll_node_cb node_cb, void *arg);

/* Table names per tier (NULL for raw). */
const char *roll_table(enum roll_tier t);
const char *roll_node_table(enum roll_tier t);

/* roll_mark's row for the partial hour: the end of the minutes its row
 * holds (rollup.h, roll_tier_info.partial_ms). */
#define ROLL_MARK_PARTIAL	3
/* The roll_mark of a tier (0 when none), and setting it forward only;
 * tier is an enum roll_tier or ROLL_MARK_PARTIAL. */
int roll_mark_get(struct store *st, int t, int64_t *ret_ms);
int roll_mark_set(struct store *st, int t, int64_t done_ms);

#endif

/* cmd.h: the cgov commands and what they share.
 *
 * Each command is "cmd_NAME(ctx, argc, argv)": argv[0] is the command's
 * name and the rest its own options. Exit codes: 0 ok, 1 runtime failure
 * (no database, a query failed), 2 usage or configuration error.
 */
#ifndef CGOV_CMD_H
#define CGOV_CMD_H

#include "output.h"
#include "store.h"

#define CMD_OK       0
#define CMD_FAILURE  1
#define CMD_USAGE    2

struct cmd_ctx {
	const char *db;                 /* database path */
	enum out_format format;
};

/* Opens the database read-only; prints the reason and returns NULL when it
 * cannot. */
struct store *cmd_open_store(const struct cmd_ctx *ctx);

/* Parses the options every command accepts (--db, --format) at argv[optind];
 * returns 1 when consumed, 0 when not one of them, -1 on a bad value
 * (message printed). Used from each command's getopt loop. */
int cmd_common_option(struct cmd_ctx *ctx, int ch, const char *arg);

int cmd_top(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_containers(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_sql(struct cmd_ctx *ctx, int argc, char **argv);
/* `policy check|explain|simulate`: cmd_policy dispatches on argv[1]. */
int cmd_policy(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_policy_explain(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_policy_simulate(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_history(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_report(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_actions(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_status(struct cmd_ctx *ctx, int argc, char **argv);
/* `audit`: exit 1 also when --min-severity is given and a finding is at
 * or above it. */
int cmd_audit(struct cmd_ctx *ctx, int argc, char **argv);

#endif

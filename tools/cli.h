/* cli.h: pieces shared by the bindjit command's subcommands. */
#ifndef BJ_CLI_H
#define BJ_CLI_H

#include <stddef.h>

/* Draws "label [#####.....] done/total" on stderr (a terminal), in place. */
void cli_progress(const char *label, size_t done, size_t total);
/* Ends the progress line. */
void cli_progress_done(void);

/* Value of option `name` at argv[*i], given as "--name=value" or "--name
 * value" (advancing *i for the latter); NULL when argv[*i] is not it. */
const char *cli_opt_value(int argc, char **argv, int *i, const char *name);

/* `bindjit bench ARGS...` (argv[0] is "bench"); returns the exit status. */
int cli_bench(int argc, char **argv);

#endif

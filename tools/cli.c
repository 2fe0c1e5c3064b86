/* cli.c: helpers of the bindjit command: option values, and a one-line
 * progress bar on stderr. Callers decide whether to
 * draw it (only when stderr is a terminal), so pipes and logs stay clean. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cli_progress(const char *label, size_t done, size_t total)
{
    enum { WIDTH = 40 };
    size_t fill = total ? done * WIDTH / total : WIDTH;
    char bar[WIDTH + 1];
    for (size_t i = 0; i < WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(stderr, "\r%-10s [%s] %zu/%zu", label, bar, done, total);
    fflush(stderr);
}

void cli_progress_done(void)
{
    fputc('\n', stderr);
}

const char *cli_opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

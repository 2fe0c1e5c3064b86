/* bench.c: `bindjit bench` (issue 3 fills this in). */
#include <stdio.h>

#include "cli.h"

int cli_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "bindjit: bench is not built yet\n");
    return 2;
}

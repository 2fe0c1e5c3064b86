/* testutil.h: small helpers shared by the test files. */
#ifndef BJ_TESTUTIL_H
#define BJ_TESTUTIL_H

#include <stdlib.h>

#include "bindjit.h"

/* The document's HTML; valid until the next call (each test runs in its
 * own process, so the one string left at exit is still reachable). */
static inline const char *html_keep(bj_runtime *rt)
{
    static char *last;
    bj_string_free(last);
    last = NULL;
    if (bj_html(rt, &last, NULL) != 0)
        return "";
    return last;
}

#endif

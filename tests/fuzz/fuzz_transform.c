/* fuzz_transform.c: libFuzzer target for the transform compiler and
 * evaluator (src/xform.h): xf_compile on the raw input and, when it
 * compiles, xf_eval on a set of argument values.
 *
 * Checks that no transform text makes the lexer, parser, checker or
 * evaluator crash, leak, overflow the stack or hit undefined behaviour
 * (the sanitizers report those), and these contracts of xform.h/util.h:
 * - xf_compile returns 0 with a program, or BJ_ETRANSFORM with a message
 *   and a column within the text (1 .. len + 1), or BJ_ENOMEM;
 * - xf_source gives back the text as given;
 * - xf_eval returns 0, -1 (a run-time TypeError) or -2 (allocation
 *   failure); a string result is NUL-terminated at its length; evaluating
 *   twice gives the same result (the program is immutable);
 * - with an allocation failing part-way, xf_compile fails cleanly with
 *   BJ_ENOMEM, and evaluation with a scratch arena that cannot allocate
 *   returns -2 or a result that needed no allocation;
 * - afterwards bj_mem counts no live bytes (nothing leaks, even in the
 *   accounting).
 * Any violation aborts, so libFuzzer records the input as a crash.
 *
 * Run through tests/fuzz.sh (smoke, long, repro); tests/fuzz/transform.dict
 * is its dictionary.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bindjit.h"
#include "state.h"
#include "util.h"
#include "value.h"
#include "xform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "fuzz_transform: check failed: %s: ", #cond);    \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* Argument values; objects and arrays are state nodes built once. */
#define NARGS 16
static bj_val args[NARGS];
static const char *arg_names[NARGS];
static size_t nargs;
static bj_mem args_mem;

static void add_arg(const char *name, bj_val v)
{
    arg_names[nargs] = name;
    args[nargs++] = v;
}

static void add_node_arg(const char *name, const char *json)
{
    json_error_t err;
    json_t *j = json_loads(json, JSON_DECODE_INT_AS_REAL, &err);
    CHECK(j != NULL, "bad argument JSON %s", json);
    bj_node *n = st_from_json(&args_mem, j);   /* kept for the whole run */
    CHECK(n != NULL, "st_from_json failed");
    json_decref(j);
    add_arg(name, bj_val_of_node(n));
}

static void init_args(void)
{
    static const char utf8[] = "H\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x98\x80!";
    static const char spaced[] = " \xc2\xa0 pad\t\n";
    add_arg("42", bj_val_num(42));
    add_arg("-3.75", bj_val_num(-3.75));
    add_arg("NaN", bj_val_num(NAN));
    add_arg("-0", bj_val_num(-0.0));
    add_arg("1e21", bj_val_num(1e21));
    add_arg("-Infinity", bj_val_num(-INFINITY));
    add_arg("utf8 string", bj_val_str(utf8, (uint32_t)(sizeof utf8 - 1)));
    add_arg("padded string", bj_val_str(spaced, (uint32_t)(sizeof spaced - 1)));
    add_arg("\"12.5\"", bj_val_str("12.5", 4));
    add_arg("empty string", bj_val_str("", 0));
    add_arg("true", bj_val_bool(true));
    add_arg("null", bj_val_null());
    add_arg("undefined", bj_val_undef());
    add_node_arg("object", "{\"tag\": \"Error\", \"message\": \"caf\\u00e9 \\ud83d\\ude00\", "
                           "\"length\": 2, \"n\": -7}");
    add_node_arg("array", "[\"x\", null, 3.5, [1, 2], {\"a\": 1}]");
    add_node_arg("empty array", "[]");
}

static uint32_t hash_bytes(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static bool same_result(const bj_val *a, const bj_val *b)
{
    if (a->t != b->t)
        return false;
    switch (a->t) {
    case BJ_T_UNDEF:
    case BJ_T_NULL: return true;
    case BJ_T_BOOL: return a->u.b == b->u.b;
    case BJ_T_NUM:
        return (isnan(a->u.n) && isnan(b->u.n)) ||
               (a->u.n == b->u.n && signbit(a->u.n) == signbit(b->u.n));
    case BJ_T_STR: return a->len == b->len && memcmp(a->u.s, b->u.s, a->len) == 0;
    case BJ_T_ARR:   /* slice makes a new array each time */
    case BJ_T_OBJ: return bj_node_deep_equal(a->u.node, b->u.node);
    }
    return false;
}

static void check_result(const bj_val *r, const char *arg)
{
    CHECK(r->t >= BJ_T_UNDEF && r->t <= BJ_T_OBJ, "bad result type %d (arg %s)", (int)r->t, arg);
    if (r->t == BJ_T_STR) {
        CHECK(r->u.s != NULL, "NULL string result (arg %s)", arg);
        CHECK(r->u.s[r->len] == '\0', "string result not NUL-terminated at %u (arg %s)",
              r->len, arg);
    }
}

/* The runtime turns results into text with String(); do the same. */
static void stringify(const bj_val *r, bj_scratch *scratch, bj_mem *m)
{
    const char *s = NULL;
    size_t len = 0;
    if (bj_val_to_string(r, scratch, &s, &len))
        CHECK(s != NULL, "bj_val_to_string gave NULL");
    bj_buf b;
    bj_buf_init(&b, m);
    bj_val_append_string(r, &b);
    if (!b.failed && s)
        CHECK(b.len == len && memcmp(b.data ? b.data : "", s, len) == 0,
              "bj_val_to_string and bj_val_append_string disagree");
    bj_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (nargs == 0)
        init_args();
    const char *src = (const char *)data;
    bj_mem m = {0};
    xf_program *p = NULL;
    xf_error err;
    memset(&err, 0, sizeof err);

    int rc = xf_compile(&m, src, size, &p, &err);
    size_t compile_allocs = m.count;
    if (rc != 0) {
        CHECK(rc == BJ_ETRANSFORM, "xf_compile returned %d", rc);
        CHECK(err.message[0] != '\0', "rejected without a message");
        CHECK(memchr(err.message, '\0', sizeof err.message) != NULL, "message not terminated");
        CHECK(err.column >= 1 && (size_t)err.column <= size + 1,
              "column %d outside 1..%zu (%s)", err.column, size + 1, err.message);
        CHECK(m.live == 0, "a rejected transform leaves %zu bytes allocated", m.live);
        return 0;
    }
    CHECK(p != NULL, "xf_compile succeeded without a program");
    const char *back = xf_source(p);
    CHECK(back != NULL && memcmp(back, src, size) == 0 && back[size] == '\0',
          "xf_source differs from the text given");
    CHECK(xf_body(p) != NULL, "no body");

    bj_scratch scratch, failing;
    bj_mem fail_mem = {0};
    fail_mem.fail_at = 1;   /* every allocation fails */
    bj_scratch_init(&scratch, &m);
    bj_scratch_init(&failing, &fail_mem);
    for (size_t i = 0; i < nargs; i++) {
        bj_val r1, r2;
        bj_scratch_reset(&scratch);
        int e1 = xf_eval(p, &args[i], &scratch, &r1);
        CHECK(e1 == 0 || e1 == -1 || e1 == -2, "xf_eval returned %d (arg %s)", e1, arg_names[i]);
        if (e1 != 0)
            continue;
        check_result(&r1, arg_names[i]);
        int e2 = xf_eval(p, &args[i], &scratch, &r2);
        CHECK(e2 == 0 && same_result(&r1, &r2), "evaluating twice differs (arg %s)", arg_names[i]);
        stringify(&r1, &scratch, &m);

        bj_scratch_reset(&failing);
        int e3 = xf_eval(p, &args[i], &failing, &r2);
        CHECK(e3 == -2 || (e3 == 0 && same_result(&r1, &r2)),
              "without memory xf_eval returned %d, not -2 or the same result (arg %s)", e3,
              arg_names[i]);
    }
    bj_scratch_free(&failing);
    bj_scratch_free(&scratch);
    xf_free(&m, p);
    CHECK(m.live == 0, "%zu bytes still allocated after xf_free", m.live);

    /* Compile again with one allocation (and all after it) failing. */
    if (compile_allocs > 0) {
        bj_mem fm = {0};
        fm.fail_at = 1 + (long)(hash_bytes(data, size) % compile_allocs);
        p = NULL;
        rc = xf_compile(&fm, src, size, &p, &err);
        CHECK(rc == BJ_ENOMEM, "xf_compile failing allocation %ld of %zu returned %d",
              fm.fail_at, compile_allocs, rc);
        CHECK(fm.live == 0, "a failed compile leaves %zu bytes allocated", fm.live);
    }
    return 0;
}

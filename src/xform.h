/* xform.h: binding transforms, the JavaScript subset of docs/formats.md
 * (semantics section 4): lexer, parser to an AST, load-time checks, and an
 * evaluator with JavaScript's exact meaning.
 *
 * Invariants:
 * - Transform text is parsed once, at load; it is never executed as code of
 *   any host language. A compiled xf_program is immutable, so the JIT's
 *   compiler thread may read it while the UI thread evaluates it.
 * - Evaluation allocates only from the scratch arena it is given.
 */
#ifndef BJ_XFORM_H
#define BJ_XFORM_H

#include <stddef.h>

#include "util.h"
#include "value.h"

typedef struct xf_program xf_program;

/* Where and why a transform was rejected. */
typedef struct xf_error {
    int column;          /* 1-based column (in bytes) of the offending text */
    char message[160];   /* e.g. "unsupported method 'map'" */
} xf_error;

/* Parses and checks src[0..len). On success stores the program in *out and
 * returns 0. Returns BJ_ETRANSFORM with *err filled when the text is not in
 * the supported subset, BJ_ENOMEM on allocation failure (nothing leaks). */
int xf_compile(bj_mem *m, const char *src, size_t len, xf_program **out, xf_error *err);
void xf_free(bj_mem *m, xf_program *p);

/* Applies the program to arg. Returns 0 and the result in *out; -1 when the
 * transform throws at run time (a TypeError such as a string method on null:
 * the caller then uses the untransformed value); -2 on allocation failure.
 * Result strings live in scratch (or borrow from arg / the program). */
int xf_eval(const xf_program *p, const bj_val *arg, bj_scratch *scratch, bj_val *out);

/* The transform source text, as given (NUL-terminated). */
const char *xf_source(const xf_program *p);

/* ---- AST, exposed for the JIT's generator and for tests ------------------
 * Layout (xform.c builds exactly this; a tree is at most 256 levels deep):
 * - XF_TEMPLATE: nkids is odd; kids[0], kids[2], ... are XF_STR parts
 *   (escapes and CR LF resolved; possibly empty, len 0), kids[1], kids[3],
 *   ... the ${} expressions. `a${x}b` is STR "a", x, STR "b"; `` is one
 *   empty STR.
 * - String(), Number(), Boolean() without an argument are compiled to the
 *   constants XF_STR "", XF_NUM 0, XF_FALSE; the XF_CALL_* kinds always
 *   have exactly one kid. XF_MATH_MIN/MAX have 0 or more kids, the other
 *   XF_MATH_* exactly one.
 * - Methods: kids[0] is the receiver; argument counts are checked at
 *   compile time: toFixed 0-1, toString/toUpperCase/toLowerCase/trim 0,
 *   slice 0-2, padStart 1-2, includes/startsWith 1.
 * - XF_STR and XF_MEMBER strings are NUL-terminated copies owned by the
 *   program. column is the 1-based byte offset of the node's token in the
 *   source (the operator of unary, binary and ?: nodes, the name of members
 *   and methods, `String`/`Number`/`Boolean`/`Math` for calls).
 * - Receivers follow JavaScript's prototypes: slice and includes also work
 *   on arrays, toString on every non-nullish value, the other string
 *   methods only on strings, toFixed only on numbers; anything else throws.
 */
typedef enum xf_kind {
    XF_NUM,        /* literal number: num */
    XF_STR,        /* literal string: str, len (escapes resolved) */
    XF_TRUE, XF_FALSE, XF_NULL, XF_UNDEF,
    XF_PARAM,      /* the function's parameter */
    XF_TEMPLATE,   /* template literal: kids alternate XF_STR parts and exprs */
    XF_MEMBER,     /* kids[0].name */
    XF_NEG, XF_PLUS, XF_NOT,                 /* unary - + ! */
    XF_MUL, XF_DIV, XF_MOD, XF_ADD, XF_SUB,
    XF_LT, XF_LE, XF_GT, XF_GE,
    XF_SEQ, XF_SNE, XF_EQ, XF_NE,            /* === !== == != */
    XF_AND, XF_OR, XF_NULLISH,               /* && || ?? */
    XF_COND,                                 /* kids[0] ? kids[1] : kids[2] */
    XF_CALL_STRING, XF_CALL_NUMBER, XF_CALL_BOOLEAN,   /* String(E) ... */
    XF_MATH_ROUND, XF_MATH_FLOOR, XF_MATH_CEIL, XF_MATH_ABS,
    XF_MATH_MIN, XF_MATH_MAX, XF_MATH_TRUNC, XF_MATH_SIGN,
    /* methods: kids[0] is the receiver, kids[1..] the arguments */
    XF_M_TOFIXED, XF_M_TOSTRING, XF_M_TOUPPER, XF_M_TOLOWER, XF_M_TRIM,
    XF_M_SLICE, XF_M_PADSTART, XF_M_INCLUDES, XF_M_STARTSWITH,
} xf_kind;

typedef struct xf_node xf_node;
struct xf_node {
    xf_kind kind;
    int column;            /* 1-based, for messages */
    double num;            /* XF_NUM */
    const char *str;       /* XF_STR: bytes; XF_MEMBER: the name */
    size_t len;
    xf_node **kids;
    size_t nkids;
};

/* The body expression of the program. */
const xf_node *xf_body(const xf_program *p);

#endif

/* value.h: JavaScript values as the runtime sees them.
 *
 * Two representations:
 * - bj_node: a node of the state tree. It owns its string bytes, its array
 *   items and its object members. Created and mutated only by state.c.
 * - bj_val: a transient value used while applying a binding (transform
 *   arguments and results). It borrows: strings point into the state tree or
 *   into a scratch arena; arrays and objects point at state nodes. A bj_val
 *   is valid until the state changes or the scratch arena is reset.
 *
 * Invariants:
 * - Numbers are IEEE doubles, as in JavaScript; there is no integer type.
 * - Strings are UTF-8, NUL-terminated, with an explicit byte length. Lengths
 *   and indices that JavaScript exposes (length, slice, padStart) count
 *   UTF-16 code units; the helpers below convert.
 * - Object members keep insertion order (JavaScript's for string keys that
 *   are not array indices, which is what app files use).
 */
#ifndef BJ_VALUE_H
#define BJ_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef enum bj_vt {
    BJ_T_UNDEF = 0,
    BJ_T_NULL,
    BJ_T_BOOL,
    BJ_T_NUM,
    BJ_T_STR,
    BJ_T_ARR,
    BJ_T_OBJ,
} bj_vt;

typedef struct bj_node bj_node;

typedef struct bj_member {
    char *key;          /* owned, NUL-terminated */
    uint32_t klen;
    uint32_t hash;      /* bj_hash(key, klen) */
    bj_node *val;       /* owned */
} bj_member;

struct bj_node {
    bj_vt t;
    union {
        double n;
        bool b;
        struct { char *p; uint32_t len, cap; } s;          /* p owned, NUL-terminated */
        struct { bj_node **v; uint32_t n, cap; } a;
        struct {
            bj_member *v;       /* members in insertion order */
            uint32_t n, cap;
            int32_t *index;     /* state.c: open-addressing index of v, built when n > 8 */
            uint32_t icap;
        } o;
    } u;
};

typedef struct bj_val {
    bj_vt t;
    uint32_t len;               /* byte length, for BJ_T_STR */
    union {
        double n;
        bool b;
        const char *s;          /* BJ_T_STR: borrowed, NUL-terminated */
        const bj_node *node;    /* BJ_T_ARR, BJ_T_OBJ: borrowed */
    } u;
} bj_val;

static inline bj_val bj_val_undef(void) { bj_val v = {BJ_T_UNDEF, 0, {0}}; return v; }
static inline bj_val bj_val_null(void) { bj_val v = {BJ_T_NULL, 0, {0}}; return v; }
static inline bj_val bj_val_num(double n) { bj_val v = {BJ_T_NUM, 0, {.n = n}}; return v; }
static inline bj_val bj_val_bool(bool b) { bj_val v = {BJ_T_BOOL, 0, {.b = b}}; return v; }
static inline bj_val bj_val_str(const char *s, uint32_t len)
{
    bj_val v = {BJ_T_STR, len, {.s = s}};
    return v;
}

/* A view of a state node as a transient value (NULL node: undefined). */
bj_val bj_val_of_node(const bj_node *n);

/* ---- numbers (value.c) -------------------------------------------------- */

/* Big enough for any Number::toString result plus NUL. */
#define BJ_NUMBUF 32
/* Big enough for any toFixed(0..100) result plus NUL. */
#define BJ_FIXEDBUF 160

/* JavaScript's Number::toString(d): shortest round trip, its exponent rules,
 * NaN, Infinity, -Infinity, "0" for -0. Returns the length written. */
size_t bj_num_to_str(double d, char out[BJ_NUMBUF]);
/* JavaScript's StringToNumber: trims JS white space; "" is 0; decimal
 * literals, Infinity with sign, 0x/0o/0b integers; anything else NaN. */
double bj_str_to_num(const char *s, size_t n);
/* JavaScript's Number.prototype.toFixed(digits) for digits in 0..100:
 * exact decimal value of d, ties away from zero, String(d) when |d| >= 1e21.
 * Returns the length written. */
size_t bj_num_to_fixed(double d, int digits, char out[BJ_FIXEDBUF]);
/* Math.round: nearest integer, halves toward +Infinity, keeps -0. */
double bj_math_round(double d);

/* ---- strings (value.c) -------------------------------------------------- */

/* Writes code point cp (below 0x110000, not a surrogate) as UTF-8 at p;
 * returns the bytes written (1-4). */
size_t bj_utf8_encode(uint32_t cp, char *p);
/* Number of UTF-16 code units in the UTF-8 string s[0..n). */
size_t bj_utf16_len(const char *s, size_t n);
/* Byte offset in s[0..n) of UTF-16 unit index `unit` (clamped to n). */
size_t bj_utf16_offset(const char *s, size_t n, size_t unit);
/* String.prototype.toUpperCase / toLowerCase for ASCII, Latin-1, Latin
 * Extended-A, Greek and Cyrillic (other code points unchanged; ß upper-cases
 * to SS). Appends the result to out. */
void bj_str_upper(const char *s, size_t n, bj_buf *out);
void bj_str_lower(const char *s, size_t n, bj_buf *out);
/* String.prototype.trim: *start and *len give the trimmed range of s. JS
 * white space: tab, VT, FF, space, NBSP, ZWNBSP (U+FEFF), Unicode Zs, and
 * line terminators (LF, CR, U+2028, U+2029). */
void bj_str_trim(const char *s, size_t n, size_t *start, size_t *len);

/* ---- conversions and comparisons on bj_val (value.c) --------------------- */

/* ToBoolean. */
bool bj_val_truthy(const bj_val *v);
/* ToNumber (objects and arrays through their string form). */
double bj_val_to_number(const bj_val *v);
/* ToString: String(v). Numbers per bj_num_to_str; objects "[object Object]";
 * arrays their items' string forms joined by ","; null and undefined items
 * empty. undefined gives "undefined" and null "null" (callers apply `?? ''`
 * themselves). The result may point into v, into a static string, or into
 * scratch. Returns false only on allocation failure. */
bool bj_val_to_string(const bj_val *v, bj_scratch *scratch, const char **s, size_t *len);
/* Appends String(v) to out (same rules as bj_val_to_string). */
void bj_val_append_string(const bj_val *v, bj_buf *out);
/* ===, ==, and the relational comparison of `<` (JavaScript semantics;
 * objects and arrays compare by node identity). bj_val_less returns
 * -1 for undefined (a NaN was involved), 0 false, 1 true, and -2 when
 * scratch allocation fails (only for an array compared with a string form). */
bool bj_val_strict_eq(const bj_val *a, const bj_val *b);
bool bj_val_loose_eq(const bj_val *a, const bj_val *b);
int bj_val_less(const bj_val *a, const bj_val *b, bj_scratch *scratch);

/* Deep equality of two state nodes: same type; numbers by ==; strings by
 * bytes; arrays item by item; objects with the same key set (in any order)
 * and deep-equal values. NULL is undefined. */
bool bj_node_deep_equal(const bj_node *a, const bj_node *b);

#endif

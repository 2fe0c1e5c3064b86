/* test_value.c: unit tests of value.c against outputs of JavaScript (node
 * v18 printed every expected string below).
 *
 * Nodes are built by hand on the stack (state.c is not linked): n_num(),
 * n_str(), n_arr() etc. fill a caller-provided bj_node.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

/* ---- helpers -------------------------------------------------------------- */

static const char *num_str(double d)
{
    static char out[BJ_NUMBUF];
    size_t n = bj_num_to_str(d, out);
    cr_assert_eq(n, strlen(out), "length returned for %s", out);
    return out;
}

static const char *fixed(double d, int f)
{
    static char out[BJ_FIXEDBUF];
    size_t n = bj_num_to_fixed(d, f, out);
    cr_assert_eq(n, strlen(out), "length returned for %s", out);
    return out;
}

/* bj_str_to_num on an exact-size heap copy, so ASan sees any overread. */
static double to_num(const char *s)
{
    size_t n = strlen(s);
    char *copy = malloc(n ? n : 1);
    memcpy(copy, s, n);
    double d = bj_str_to_num(copy, n);
    free(copy);
    return d;
}

static bool same_double(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return a == b && signbit(a) == signbit(b);
}

static bj_node *n_undef(bj_node *n) { n->t = BJ_T_UNDEF; return n; }
static bj_node *n_null(bj_node *n) { n->t = BJ_T_NULL; return n; }
static bj_node *n_bool(bj_node *n, bool b) { n->t = BJ_T_BOOL; n->u.b = b; return n; }
static bj_node *n_num(bj_node *n, double d) { n->t = BJ_T_NUM; n->u.n = d; return n; }

static bj_node *n_str(bj_node *n, const char *s)
{
    n->t = BJ_T_STR;
    n->u.s.p = (char *)s;
    n->u.s.len = n->u.s.cap = (uint32_t)strlen(s);
    return n;
}

static bj_node *n_arr(bj_node *n, bj_node **items, uint32_t count)
{
    n->t = BJ_T_ARR;
    n->u.a.v = items;
    n->u.a.n = n->u.a.cap = count;
    return n;
}

static bj_node *n_obj(bj_node *n, bj_member *members, uint32_t count)
{
    n->t = BJ_T_OBJ;
    n->u.o.v = members;
    n->u.o.n = n->u.o.cap = count;
    return n;
}

static bj_member member(const char *key, bj_node *val)
{
    bj_member m = {(char *)key, (uint32_t)strlen(key), bj_hash(key, strlen(key)), val};
    return m;
}

static bj_val vstr(const char *s) { return bj_val_str(s, (uint32_t)strlen(s)); }

/* String(v) through bj_val_to_string, copied out of scratch. */
static char *to_string(const bj_val *v)
{
    static char out[256];
    bj_mem m = {0};
    bj_scratch sc;
    bj_scratch_init(&sc, &m);
    const char *s = NULL;
    size_t len = 0;
    cr_assert(bj_val_to_string(v, &sc, &s, &len));
    cr_assert_eq(s[len], '\0', "result is NUL-terminated");
    cr_assert_lt(len, sizeof out);
    memcpy(out, s, len + 1);
    bj_scratch_free(&sc);
    cr_assert_eq(m.live, 0);
    return out;
}

static char *append_string(const bj_val *v)
{
    static char out[256];
    bj_mem m = {0};
    bj_buf b;
    bj_buf_init(&b, &m);
    bj_buf_puts(&b, "<");
    bj_val_append_string(v, &b);
    cr_assert(!b.failed);
    cr_assert_lt(b.len, sizeof out);
    memcpy(out, b.data, b.len + 1);
    bj_buf_free(&b);
    return out;
}

/* ---- Number::toString ----------------------------------------------------- */

Test(value, num_to_str_integers)
{
    cr_assert_str_eq(num_str(0), "0");
    cr_assert_str_eq(num_str(-0.0), "0");
    cr_assert_str_eq(num_str(1), "1");
    cr_assert_str_eq(num_str(-1), "-1");
    cr_assert_str_eq(num_str(42), "42");
    cr_assert_str_eq(num_str(-1234567), "-1234567");
    cr_assert_str_eq(num_str(9007199254740991.0), "9007199254740991");
    cr_assert_str_eq(num_str(9007199254740992.0), "9007199254740992");
    cr_assert_str_eq(num_str(strtod("9007199254740993", NULL)), "9007199254740992");
    cr_assert_str_eq(num_str(9007199254740994.0), "9007199254740994");
    cr_assert_str_eq(num_str(ldexp(1, 60)), "1152921504606847000");
    cr_assert_str_eq(num_str(123456789012345680000.0), "123456789012345680000");
    cr_assert_str_eq(num_str(1e20), "100000000000000000000");
    cr_assert_str_eq(num_str(1e21), "1e+21");
    cr_assert_str_eq(num_str(-1e21), "-1e+21");
    cr_assert_str_eq(num_str(1e300 * 10), "1e+301");
}

Test(value, num_to_str_fractions)
{
    cr_assert_str_eq(num_str(0.1 * 3), "0.30000000000000004");
    cr_assert_str_eq(num_str(0.1 + 0.2), "0.30000000000000004");
    cr_assert_str_eq(num_str(1.0 / 3), "0.3333333333333333");
    cr_assert_str_eq(num_str(100.0 / 3), "33.333333333333336");
    cr_assert_str_eq(num_str(-1.5), "-1.5");
    cr_assert_str_eq(num_str(0.1), "0.1");
    cr_assert_str_eq(num_str(0.5), "0.5");
    cr_assert_str_eq(num_str(4.35), "4.35");
    cr_assert_str_eq(num_str(1.005), "1.005");
    cr_assert_str_eq(num_str(123.456), "123.456");
}

Test(value, num_to_str_exponent_boundaries)
{
    cr_assert_str_eq(num_str(0.000001), "0.000001");
    cr_assert_str_eq(num_str(1.5e-6), "0.0000015");
    cr_assert_str_eq(num_str(0.0000001), "1e-7");
    cr_assert_str_eq(num_str(-1e-7), "-1e-7");
    cr_assert_str_eq(num_str(1.5e-7), "1.5e-7");
    cr_assert_str_eq(num_str(3e-7), "3e-7");
    cr_assert_str_eq(num_str(123e-20), "1.23e-18");
    cr_assert_str_eq(num_str(-123.456e-10), "-1.23456e-8");
    cr_assert_str_eq(num_str(3.6900000000000003e22), "3.6900000000000003e+22");
}

Test(value, num_to_str_extremes)
{
    cr_assert_str_eq(num_str(5e-324), "5e-324");
    cr_assert_str_eq(num_str(-5e-324), "-5e-324");
    cr_assert_str_eq(num_str(1e-323), "1e-323");
    cr_assert_str_eq(num_str(2.2250738585072014e-308), "2.2250738585072014e-308");
    cr_assert_str_eq(num_str(1.7976931348623157e308), "1.7976931348623157e+308");
    /* A power of two whose closest 16-digit decimal does not read back but
     * the next one up does: 16 digits, not 17. */
    cr_assert_str_eq(num_str(ldexp(1, -1017)), "7.120236347223045e-307");
    cr_assert_str_eq(num_str(NAN), "NaN");
    cr_assert_str_eq(num_str(INFINITY), "Infinity");
    cr_assert_str_eq(num_str(-INFINITY), "-Infinity");
}

/* ---- toFixed ------------------------------------------------------------- */

Test(value, to_fixed_rounding)
{
    cr_assert_str_eq(fixed(1.005, 2), "1.00");
    cr_assert_str_eq(fixed(1.45, 1), "1.4");
    cr_assert_str_eq(fixed(4.35, 1), "4.3");
    cr_assert_str_eq(fixed(8.345, 2), "8.35");   /* 8.34500000000000063... */
    cr_assert_str_eq(fixed(10.235, 2), "10.23");
    cr_assert_str_eq(fixed(9.995, 2), "9.99");
    cr_assert_str_eq(fixed(0.35 * 3, 1), "1.0");
    cr_assert_str_eq(fixed(0.05, 1), "0.1");
    cr_assert_str_eq(fixed(123.456, 0), "123");
    cr_assert_str_eq(fixed(0, 0), "0");
    cr_assert_str_eq(fixed(0, 2), "0.00");
    cr_assert_str_eq(fixed(0.000001, 7), "0.0000010");
}

Test(value, to_fixed_exact_ties_away_from_zero)
{
    cr_assert_str_eq(fixed(2.5, 0), "3");
    cr_assert_str_eq(fixed(-2.5, 0), "-3");
    cr_assert_str_eq(fixed(0.5, 0), "1");
    cr_assert_str_eq(fixed(-0.5, 0), "-1");
    cr_assert_str_eq(fixed(1.25, 1), "1.3");
    cr_assert_str_eq(fixed(1.125, 2), "1.13");
    cr_assert_str_eq(fixed(-1.125, 2), "-1.13");
    cr_assert_str_eq(fixed(999.5, 0), "1000");
    cr_assert_str_eq(fixed(9.5, 0), "10");
}

Test(value, to_fixed_signs_and_specials)
{
    cr_assert_str_eq(fixed(-0.0, 2), "0.00");
    cr_assert_str_eq(fixed(-0.0001, 2), "-0.00");
    cr_assert_str_eq(fixed(-1.5e-7, 7), "-0.0000001");
    cr_assert_str_eq(fixed(NAN, 2), "NaN");
    cr_assert_str_eq(fixed(INFINITY, 1), "Infinity");
    cr_assert_str_eq(fixed(-INFINITY, 1), "-Infinity");
    cr_assert_str_eq(fixed(1e21, 2), "1e+21");
    cr_assert_str_eq(fixed(1e20, 2), "100000000000000000000.00");
    cr_assert_str_eq(fixed(5e-324, 3), "0.000");
}

Test(value, to_fixed_many_digits)
{
    cr_assert_str_eq(fixed(0.1, 20), "0.10000000000000000555");
    cr_assert_str_eq(fixed(1e-10, 20), "0.00000000010000000000");
    const char *s = fixed(123.456, 100);
    cr_assert_eq(strlen(s), 104);
    cr_assert_eq(strncmp(s, "123.45600000000000306954", 24), 0, "%s", s);
    s = fixed(-999999999999999900000.0, 100);
    cr_assert_eq(strlen(s), 123);   /* the longest result */
}

/* ---- Math.round ------------------------------------------------------------ */

Test(value, math_round)
{
    cr_assert(same_double(bj_math_round(0.49999999999999994), 0.0));
    cr_assert(same_double(bj_math_round(0.5), 1.0));
    cr_assert(same_double(bj_math_round(2.5), 3.0));
    cr_assert(same_double(bj_math_round(-2.5), -2.0));
    cr_assert(same_double(bj_math_round(-1.5), -1.0));
    cr_assert(same_double(bj_math_round(1.4999999999999998), 1.0));
    cr_assert(same_double(bj_math_round(-0.5), -0.0));
    cr_assert(same_double(bj_math_round(-0.2), -0.0));
    cr_assert(same_double(bj_math_round(-0.0), -0.0));
    cr_assert(same_double(bj_math_round(0.0), 0.0));
    cr_assert(same_double(bj_math_round(-0.5000000000000001), -1.0));
    cr_assert(same_double(bj_math_round(4503599627370495.5), 4503599627370496.0));
    cr_assert(same_double(bj_math_round(-4503599627370495.5), -4503599627370495.0));
    cr_assert(same_double(bj_math_round(4503599627370497.0), 4503599627370497.0));
    cr_assert(same_double(bj_math_round(1e300), 1e300));
    cr_assert(same_double(bj_math_round(NAN), NAN));
    cr_assert(same_double(bj_math_round(-INFINITY), -INFINITY));
}

/* ---- StringToNumber ---------------------------------------------------------- */

Test(value, str_to_num_valid)
{
    static const struct { const char *s; double d; } cases[] = {
        {"", 0}, {"   ", 0}, {"0", 0}, {"-0", -0.0}, {"+0", 0}, {"1", 1}, {"-1", -1},
        {".5", 0.5}, {"5.", 5}, {"-.5", -0.5}, {"+.5", 0.5}, {"1e5", 1e5},
        {"1E5", 1e5}, {"1e+5", 1e5}, {"1e-5", 1e-5}, {".5e-1", 0.05},
        {"1.5e3", 1500}, {"00012", 12}, {"0012.50e2", 1250}, {"0.1", 0.1},
        {"  \n 12.5e1 \xC2\xA0", 125}, {"\xEF\xBB\xBF" "7\xE3\x80\x80", 7},
        {"\xE2\x80\xA8" "8\xE2\x80\x8A", 8},
        {"0x10", 16}, {"0X1f", 31}, {"0o777", 511}, {"0O17", 15}, {"0b101", 5},
        {"0B11", 3},
        {"0x1fffffffffffff", 9007199254740991.0},
        {"0x20000000000001", 9007199254740992.0},   /* tie to even: down */
        {"0x20000000000003", 9007199254740996.0},   /* tie to even: up */
        {"Infinity", INFINITY}, {"+Infinity", INFINITY}, {"-Infinity", -INFINITY},
        {" -Infinity\t", -INFINITY},
        {"1e400", INFINITY}, {"-1e400", -INFINITY}, {"1e-400", 0},
        {"4.9e-324", 5e-324}, {"2e-324", 0}, {"3e-324", 5e-324},
        {"1.7976931348623158e308", 1.7976931348623157e308},
        {"1.7976931348623159e308", INFINITY},
        {"9007199254740993", 9007199254740992.0},
        {"1e1000000000000000000", INFINITY}, {"1e-99999999999999999999", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double d = to_num(cases[i].s);
        cr_assert(same_double(d, cases[i].d), "Number(\"%s\") = %.17g, want %.17g",
                  cases[i].s, d, cases[i].d);
    }
}

Test(value, str_to_num_invalid)
{
    static const char *const cases[] = {
        ".", "+", "-", "e5", "1e", "1e+", ".e1", "0x", "0xg", "-0x10", "+0x10",
        "0O8", "0b", "0B2", "infinity", "inf", "INF", "nan", "NaN", "1_000",
        "1,000", "1 2", "12abc", "1f", "1d", "- 1", "--1", "+-1", "1e5.5",
        "0x1.8p1", "0x1p3", "Infinityx", "\xD9\xA3", "\xEF\xBC\x91",
        "\xE2\x80\x8B" "1", "\xC2\x85" "1", "1\xFF",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        cr_assert(isnan(to_num(cases[i])), "Number(\"%s\") should be NaN", cases[i]);
}

Test(value, str_to_num_long_inputs)
{
    char buf[3000];
    /* 1 followed by 400 zeros. */
    buf[0] = '1';
    memset(buf + 1, '0', 400);
    buf[401] = '\0';
    cr_assert(same_double(to_num(buf), INFINITY));
    /* 2000 leading zeros, then 42. */
    memset(buf, '0', 2000);
    strcpy(buf + 2000, "42");
    cr_assert(same_double(to_num(buf), 42));
    /* 9007199254740993 is halfway between two doubles (ties to even goes
     * down); a 1 eight hundred digits later tips it up. */
    strcpy(buf, "9007199254740993");
    memset(buf + 16, '0', 800);
    strcpy(buf + 816, "1e-801");
    cr_assert(same_double(to_num(buf), 9007199254740994.0));
    strcpy(buf + 816, "e-800");
    cr_assert(same_double(to_num(buf), 9007199254740992.0));
    /* 0.000...0001 with 400 zeros is below the smallest subnormal. */
    strcpy(buf, "0.");
    memset(buf + 2, '0', 400);
    strcpy(buf + 402, "1");
    cr_assert(same_double(to_num(buf), 0));
    /* 0x followed by 300 f's: beyond 2^1024. */
    strcpy(buf, "0x");
    memset(buf + 2, 'f', 300);
    buf[302] = '\0';
    cr_assert(same_double(to_num(buf), INFINITY));
    /* 60 one bits round up to 2^60. */
    strcpy(buf, "0b");
    memset(buf + 2, '1', 60);
    buf[62] = '\0';
    cr_assert(same_double(to_num(buf), 1152921504606846976.0));
}

Test(value, str_to_num_round_trips_printed_numbers)
{
    const double ds[] = {0.1 * 3, 1.0 / 3, 5e-324, 1.7976931348623157e308, 123e-20,
                         ldexp(1, -1017), -1.5, 3.6900000000000003e22, 1e21};
    for (size_t i = 0; i < sizeof ds / sizeof *ds; i++) {
        const char *s = num_str(ds[i]);
        cr_assert(same_double(to_num(s), ds[i]), "%s", s);
    }
}

/* ---- UTF-16 helpers ----------------------------------------------------------- */

Test(value, utf16_len)
{
    cr_assert_eq(bj_utf16_len("", 0), 0);
    cr_assert_eq(bj_utf16_len("abc", 3), 3);
    cr_assert_eq(bj_utf16_len("日本", 6), 2);
    cr_assert_eq(bj_utf16_len("café", 5), 4);
    cr_assert_eq(bj_utf16_len("😀", 4), 2);
    cr_assert_eq(bj_utf16_len("a😀b", 6), 4);
    /* Invalid bytes count one unit each. */
    cr_assert_eq(bj_utf16_len("\xFF\xFE", 2), 2);
    cr_assert_eq(bj_utf16_len("\xE6\x97", 2), 2);        /* truncated 日 */
    cr_assert_eq(bj_utf16_len("\xED\xA0\x80", 3), 3);    /* encoded surrogate */
    cr_assert_eq(bj_utf16_len("\xC0\xAF", 2), 2);        /* overlong '/' */
}

Test(value, utf16_len_never_reads_past_n)
{
    char *s = malloc(2);
    memcpy(s, "\xF0\x9F", 2);   /* the first half of 😀 at the end of memory */
    cr_assert_eq(bj_utf16_len(s, 2), 2);
    cr_assert_eq(bj_utf16_offset(s, 2, 1), 1);
    free(s);
}

Test(value, utf16_offset)
{
    const char *s = "a😀b";   /* bytes: a(0) 😀(1..4) b(5); units: a 😀 😀 b */
    cr_assert_eq(bj_utf16_offset(s, 6, 0), 0);
    cr_assert_eq(bj_utf16_offset(s, 6, 1), 1);
    cr_assert_eq(bj_utf16_offset(s, 6, 2), 1);   /* inside the pair */
    cr_assert_eq(bj_utf16_offset(s, 6, 3), 5);
    cr_assert_eq(bj_utf16_offset(s, 6, 4), 6);
    cr_assert_eq(bj_utf16_offset(s, 6, 10), 6);  /* clamped */
    cr_assert_eq(bj_utf16_offset("日本", 6, 1), 3);
    cr_assert_eq(bj_utf16_offset("café", 5, 4), 5);
    cr_assert_eq(bj_utf16_offset("café", 5, 3), 3);
    cr_assert_eq(bj_utf16_offset("\xFF" "a", 2, 1), 1);
}

/* ---- case mapping ------------------------------------------------------------ */

static char *upper(const char *s)
{
    static char out[256];
    bj_mem m = {0};
    bj_buf b;
    bj_buf_init(&b, &m);
    bj_str_upper(s, strlen(s), &b);
    cr_assert(!b.failed);
    memcpy(out, b.data, b.len + 1);
    bj_buf_free(&b);
    return out;
}

static char *lower(const char *s)
{
    static char out[256];
    bj_mem m = {0};
    bj_buf b;
    bj_buf_init(&b, &m);
    bj_str_lower(s, strlen(s), &b);
    cr_assert(!b.failed);
    memcpy(out, b.data, b.len + 1);
    bj_buf_free(&b);
    return out;
}

Test(value, upper_case)
{
    cr_assert_str_eq(upper("hello, World 1!"), "HELLO, WORLD 1!");
    cr_assert_str_eq(upper("café"), "CAFÉ");
    cr_assert_str_eq(upper("ß"), "SS");
    cr_assert_str_eq(upper("Straße"), "STRASSE");
    cr_assert_str_eq(upper("ÿ"), "Ÿ");
    cr_assert_str_eq(upper("µ"), "Μ");           /* U+00B5 -> U+039C */
    cr_assert_str_eq(upper("×÷"), "×÷");
    cr_assert_str_eq(upper("ı"), "I");
    cr_assert_str_eq(upper("ŉ"), "ʼN");
    cr_assert_str_eq(upper("ſ"), "S");
    cr_assert_str_eq(upper("ĸ"), "ĸ");
    cr_assert_str_eq(upper("łódź"), "ŁÓDŹ");
    cr_assert_str_eq(upper("αβγ ς ω"), "ΑΒΓ Σ Ω");
    cr_assert_str_eq(upper("άέήίόύώ"), "ΆΈΉΊΌΎΏ");
    cr_assert_str_eq(upper("ΐ"), "\xCE\x99\xCC\x88\xCC\x81");   /* I + 0308 + 0301 */
    cr_assert_str_eq(upper("привет ёж"), "ПРИВЕТ ЁЖ");
    cr_assert_str_eq(upper("日本😀"), "日本😀");
    cr_assert_str_eq(upper("a\xFF" "b"), "A\xFF" "B");   /* invalid byte kept */
}

Test(value, lower_case)
{
    cr_assert_str_eq(lower("HELLO, World 1!"), "hello, world 1!");
    cr_assert_str_eq(lower("CAFÉ"), "café");
    cr_assert_str_eq(lower("ÀÉÎÕÜÞ"), "àéîõüþ");
    cr_assert_str_eq(lower("Ÿ"), "ÿ");
    cr_assert_str_eq(lower("İ"), "i̇");          /* i + U+0307 */
    cr_assert_str_eq(lower("I"), "i");
    cr_assert_str_eq(lower("ŁÓDŹ"), "łódź");
    cr_assert_str_eq(lower("ΑΒΓ"), "αβγ");
    cr_assert_str_eq(lower("ΆΈΉΊΌΎΏ"), "άέήίόύώ");
    cr_assert_str_eq(lower("ПРИВЕТ ЁЖ Ђ"), "привет ёж ђ");
    cr_assert_str_eq(lower("ß"), "ß");
    /* Known gap: JavaScript gives "οδος" (final sigma by context). */
    cr_assert_str_eq(lower("ΟΔΟΣ"), "οδοσ");
}

Test(value, case_appends)
{
    bj_mem m = {0};
    bj_buf b;
    bj_buf_init(&b, &m);
    bj_buf_puts(&b, "x:");
    bj_str_upper("ab", 2, &b);
    bj_str_lower("CD", 2, &b);
    cr_assert_str_eq(b.data, "x:ABcd");
    /* Longer than the internal chunk: 300 'ß' become 600 'S'. */
    bj_buf_clear(&b);
    char src[600];
    for (int i = 0; i < 300; i++)
        memcpy(src + 2 * i, "ß", 2);
    bj_str_upper(src, sizeof src, &b);
    cr_assert_eq(b.len, 600);
    cr_assert_eq(strspn(b.data, "S"), 600);
    bj_buf_free(&b);
    cr_assert_eq(m.live, 0);
}

/* ---- trim ---------------------------------------------------------------------- */

static char *trim(const char *s)
{
    static char out[256];
    size_t start = 99, len = 99;
    bj_str_trim(s, strlen(s), &start, &len);
    cr_assert_leq(start + len, strlen(s));
    memcpy(out, s + start, len);
    out[len] = '\0';
    return out;
}

Test(value, trim)
{
    cr_assert_str_eq(trim("  a b  "), "a b");
    cr_assert_str_eq(trim("\t\n\v\f\r x \r\n"), "x");
    cr_assert_str_eq(trim("\xC2\xA0x\xC2\xA0"), "x");                 /* NBSP */
    cr_assert_str_eq(trim("\xEF\xBB\xBF x \xE3\x80\x80"), "x");       /* FEFF, U+3000 */
    cr_assert_str_eq(trim("\xE2\x80\xA8\xE2\x80\xA9y\xE2\x80\xAF\xE2\x81\x9F"), "y");
    cr_assert_str_eq(trim("\xE1\x9A\x80z\xE2\x80\x80\xE2\x80\x8A"), "z");
    cr_assert_str_eq(trim("\xE2\x80\x8Bw"), "\xE2\x80\x8Bw");         /* ZWSP stays */
    cr_assert_str_eq(trim("\xC2\x85w"), "\xC2\x85w");                 /* NEL stays */
    cr_assert_str_eq(trim("é "), "é");
    cr_assert_str_eq(trim(" \xA0"), "\xA0");    /* lone continuation byte stays */
    cr_assert_str_eq(trim("   "), "");
    cr_assert_str_eq(trim(""), "");
}

/* ---- truthiness, ToNumber, ToString -------------------------------------------- */

Test(value, truthy)
{
    bj_node o, a;
    bj_val u = bj_val_undef(), nl = bj_val_null(), f = bj_val_bool(false), t = bj_val_bool(true);
    cr_assert(!bj_val_truthy(&u));
    cr_assert(!bj_val_truthy(&nl));
    cr_assert(!bj_val_truthy(&f));
    cr_assert(bj_val_truthy(&t));
    bj_val zero = bj_val_num(0), nz = bj_val_num(-0.0), nan = bj_val_num(NAN);
    bj_val one = bj_val_num(-1), empty = vstr(""), szero = vstr("0"), sp = vstr(" ");
    cr_assert(!bj_val_truthy(&zero));
    cr_assert(!bj_val_truthy(&nz));
    cr_assert(!bj_val_truthy(&nan));
    cr_assert(bj_val_truthy(&one));
    cr_assert(!bj_val_truthy(&empty));
    cr_assert(bj_val_truthy(&szero));
    cr_assert(bj_val_truthy(&sp));
    bj_val ea = bj_val_of_node(n_arr(&a, NULL, 0)), eo = bj_val_of_node(n_obj(&o, NULL, 0));
    cr_assert(bj_val_truthy(&ea));
    cr_assert(bj_val_truthy(&eo));
}

Test(value, to_number)
{
    bj_node x[8], a[8];
    bj_node *one[1], *two[2], *nested[1];
    bj_val v = bj_val_undef();
    cr_assert(isnan(bj_val_to_number(&v)));
    v = bj_val_null();
    cr_assert(same_double(bj_val_to_number(&v), 0));
    v = bj_val_bool(true);
    cr_assert(same_double(bj_val_to_number(&v), 1));
    v = vstr("  12  ");
    cr_assert(same_double(bj_val_to_number(&v), 12));
    v = vstr("");
    cr_assert(same_double(bj_val_to_number(&v), 0));
    v = bj_val_of_node(n_arr(&a[0], NULL, 0));                 /* [] */
    cr_assert(same_double(bj_val_to_number(&v), 0));
    one[0] = n_num(&x[0], 5);
    v = bj_val_of_node(n_arr(&a[1], one, 1));                  /* [5] */
    cr_assert(same_double(bj_val_to_number(&v), 5));
    one[0] = n_str(&x[1], " 7 ");
    cr_assert(same_double(bj_val_to_number(&v), 7));           /* [" 7 "] */
    one[0] = n_null(&x[2]);
    cr_assert(same_double(bj_val_to_number(&v), 0));           /* [null] */
    one[0] = n_num(&x[3], -0.0);
    cr_assert(same_double(bj_val_to_number(&v), 0.0));         /* [-0]: +0 */
    one[0] = n_bool(&x[4], true);
    cr_assert(isnan(bj_val_to_number(&v)));                    /* [true] */
    two[0] = n_num(&x[5], 1);
    two[1] = n_num(&x[6], 2);
    v = bj_val_of_node(n_arr(&a[2], two, 2));                  /* [1,2] */
    cr_assert(isnan(bj_val_to_number(&v)));
    nested[0] = n_arr(&a[3], one, 1);
    one[0] = n_num(&x[7], 3);
    v = bj_val_of_node(n_arr(&a[4], nested, 1));               /* [[3]] */
    cr_assert(same_double(bj_val_to_number(&v), 3));
    v = bj_val_of_node(n_obj(&a[5], NULL, 0));                 /* {} */
    cr_assert(isnan(bj_val_to_number(&v)));
}

Test(value, to_string_primitives)
{
    bj_val v = bj_val_undef();
    cr_assert_str_eq(to_string(&v), "undefined");
    v = bj_val_null();
    cr_assert_str_eq(to_string(&v), "null");
    v = bj_val_bool(true);
    cr_assert_str_eq(to_string(&v), "true");
    v = bj_val_bool(false);
    cr_assert_str_eq(to_string(&v), "false");
    v = bj_val_num(-0.0);
    cr_assert_str_eq(to_string(&v), "0");
    v = bj_val_num(1e21);
    cr_assert_str_eq(to_string(&v), "1e+21");
    bj_node o;
    v = bj_val_of_node(n_obj(&o, NULL, 0));
    cr_assert_str_eq(to_string(&v), "[object Object]");
}

Test(value, to_string_borrows_strings)
{
    const char *text = "hello";
    bj_val v = bj_val_str(text, 5);
    bj_mem m = {0};
    bj_scratch sc;
    bj_scratch_init(&sc, &m);
    const char *s;
    size_t len;
    cr_assert(bj_val_to_string(&v, &sc, &s, &len));
    cr_assert_eq(s, text);
    cr_assert_eq(len, 5);
    cr_assert_eq(m.count, 0, "no allocation for a string");
    bj_scratch_free(&sc);
}

Test(value, to_string_arrays)
{
    /* [1, "a", null, undefined, [2, 3], {}, true, 0.5] */
    bj_node x[10], inner, outer, obj;
    bj_node *in[2] = {n_num(&x[0], 2), n_num(&x[1], 3)};
    bj_node *items[8] = {n_num(&x[2], 1), n_str(&x[3], "a"), n_null(&x[4]), &x[5],
                         n_arr(&inner, in, 2), n_obj(&obj, NULL, 0), n_bool(&x[6], true),
                         n_num(&x[7], 0.5)};
    n_undef(&x[5]);
    bj_val v = bj_val_of_node(n_arr(&outer, items, 8));
    cr_assert_str_eq(to_string(&v), "1,a,,,2,3,[object Object],true,0.5");
    cr_assert_str_eq(append_string(&v), "<1,a,,,2,3,[object Object],true,0.5");
    /* A NULL item pointer is undefined too. */
    items[0] = NULL;
    cr_assert_str_eq(to_string(&v), ",a,,,2,3,[object Object],true,0.5");
    bj_node e, ee;
    bj_node *one[1] = {n_arr(&e, NULL, 0)};
    v = bj_val_of_node(n_arr(&ee, one, 1));                    /* [[]] */
    cr_assert_str_eq(to_string(&v), "");
    cr_assert_str_eq(append_string(&v), "<");
}

Test(value, append_string_primitives)
{
    bj_val v = bj_val_num(0.1 * 3);
    cr_assert_str_eq(append_string(&v), "<0.30000000000000004");
    v = bj_val_undef();
    cr_assert_str_eq(append_string(&v), "<undefined");
    v = vstr("é");
    cr_assert_str_eq(append_string(&v), "<é");
}

Test(value, to_string_allocation_failure)
{
    bj_mem m = {0};
    m.fail_at = 1;
    bj_scratch sc;
    bj_scratch_init(&sc, &m);
    const char *s;
    size_t len;
    bj_val v = bj_val_num(1.5);
    cr_assert(!bj_val_to_string(&v, &sc, &s, &len));
    bj_node x, a;
    bj_node *one[1] = {n_num(&x, 2)};
    v = bj_val_of_node(n_arr(&a, one, 1));
    cr_assert(!bj_val_to_string(&v, &sc, &s, &len));
    cr_assert_eq(m.live, 0);
    bj_scratch_free(&sc);
}

/* ---- equality --------------------------------------------------------------------- */

Test(value, strict_eq)
{
    bj_val nan = bj_val_num(NAN), pz = bj_val_num(0), nz = bj_val_num(-0.0);
    bj_val one = bj_val_num(1), s1 = vstr("1"), s1b = bj_val_str("12", 1);
    bj_val u = bj_val_undef(), nl = bj_val_null(), t = bj_val_bool(true);
    cr_assert(!bj_val_strict_eq(&nan, &nan));
    cr_assert(bj_val_strict_eq(&pz, &nz));
    cr_assert(!bj_val_strict_eq(&one, &s1));
    cr_assert(bj_val_strict_eq(&s1, &s1b));
    cr_assert(bj_val_strict_eq(&u, &u));
    cr_assert(bj_val_strict_eq(&nl, &nl));
    cr_assert(!bj_val_strict_eq(&u, &nl));
    cr_assert(!bj_val_strict_eq(&t, &one));
    bj_node a1, a2;
    bj_val va1 = bj_val_of_node(n_arr(&a1, NULL, 0)), va2 = bj_val_of_node(n_arr(&a2, NULL, 0));
    bj_val va1b = bj_val_of_node(&a1);
    cr_assert(bj_val_strict_eq(&va1, &va1b));
    cr_assert(!bj_val_strict_eq(&va1, &va2));
}

/* a == b, checked both ways round. */
static bool loose(bj_val a, bj_val b)
{
    bool ab = bj_val_loose_eq(&a, &b), ba = bj_val_loose_eq(&b, &a);
    cr_assert_eq(ab, ba, "== must be symmetric");
    return ab;
}

Test(value, loose_eq_primitives)
{
    bj_val u = bj_val_undef(), nl = bj_val_null();
    cr_assert(loose(nl, u));
    cr_assert(loose(nl, nl));
    cr_assert(!loose(nl, bj_val_num(0)));
    cr_assert(!loose(u, bj_val_num(0)));
    cr_assert(!loose(nl, bj_val_bool(false)));
    cr_assert(!loose(nl, vstr("")));
    cr_assert(loose(vstr("1"), bj_val_num(1)));
    cr_assert(loose(bj_val_bool(true), bj_val_num(1)));
    cr_assert(loose(bj_val_bool(true), vstr("1")));
    cr_assert(!loose(bj_val_bool(true), vstr("true")));
    cr_assert(loose(bj_val_bool(false), vstr("")));
    cr_assert(loose(vstr("0"), bj_val_bool(false)));
    cr_assert(loose(vstr(""), bj_val_num(0)));
    cr_assert(loose(vstr(" 42 "), bj_val_num(42)));
    cr_assert(loose(vstr("0x10"), bj_val_num(16)));
    cr_assert(loose(vstr("1e3"), bj_val_num(1000)));
    cr_assert(!loose(bj_val_num(NAN), bj_val_num(NAN)));
    cr_assert(!loose(vstr("abc"), bj_val_num(NAN)));
    cr_assert(!loose(vstr("1"), vstr("01")));
    cr_assert(loose(bj_val_num(0), bj_val_num(-0.0)));
}

Test(value, loose_eq_objects)
{
    bj_node x[6], a[6], o1, o2;
    bj_node *one[1] = {n_num(&x[0], 1)};
    bj_node *two[2] = {n_num(&x[1], 1), n_num(&x[2], 2)};
    bj_val a_1 = bj_val_of_node(n_arr(&a[0], one, 1));         /* [1] */
    bj_val a_12 = bj_val_of_node(n_arr(&a[1], two, 2));        /* [1,2] */
    bj_val a_e = bj_val_of_node(n_arr(&a[2], NULL, 0));        /* [] */
    cr_assert(loose(a_1, bj_val_num(1)));
    cr_assert(loose(a_1, vstr("1")));
    cr_assert(loose(a_1, bj_val_bool(true)));
    cr_assert(loose(a_12, vstr("1,2")));
    cr_assert(!loose(a_12, vstr("1,2,")));
    cr_assert(!loose(a_12, vstr("1,")));
    cr_assert(!loose(a_12, bj_val_num(1)));
    cr_assert(loose(a_e, vstr("")));
    cr_assert(loose(a_e, bj_val_num(0)));
    cr_assert(loose(a_e, bj_val_bool(false)));
    cr_assert(!loose(a_e, bj_val_null()));
    cr_assert(!loose(a_e, bj_val_undef()));
    bj_node *zero[1] = {n_num(&x[3], 0)};
    cr_assert(loose(bj_val_of_node(n_arr(&a[3], zero, 1)), bj_val_bool(false)));
    bj_node *nul[1] = {n_null(&x[4])};
    cr_assert(loose(bj_val_of_node(n_arr(&a[4], nul, 1)), vstr("")));
    bj_node *nest[2] = {&a[1], n_num(&x[5], 3)};               /* [[1,2],3] */
    cr_assert(loose(bj_val_of_node(n_arr(&a[5], nest, 2)), vstr("1,2,3")));
    bj_val vo1 = bj_val_of_node(n_obj(&o1, NULL, 0)), vo2 = bj_val_of_node(n_obj(&o2, NULL, 0));
    cr_assert(loose(vo1, vstr("[object Object]")));
    cr_assert(!loose(vo1, vstr("[object Object] ")));
    cr_assert(!loose(vo1, bj_val_num(NAN)));
    cr_assert(loose(vo1, vo1));
    cr_assert(!loose(vo1, vo2));
    cr_assert(!loose(vo1, a_e));
    cr_assert(loose(a_12, a_12));
}

/* ---- relational comparison ---------------------------------------------------------- */

static int less(bj_val a, bj_val b)
{
    bj_mem m = {0};
    bj_scratch sc;
    bj_scratch_init(&sc, &m);
    int r = bj_val_less(&a, &b, &sc);
    bj_scratch_free(&sc);
    return r;
}

Test(value, less_numbers_and_mixed)
{
    cr_assert_eq(less(bj_val_num(1), bj_val_num(2)), 1);
    cr_assert_eq(less(bj_val_num(2), bj_val_num(1)), 0);
    cr_assert_eq(less(bj_val_num(1), bj_val_num(1)), 0);
    cr_assert_eq(less(bj_val_num(-0.0), bj_val_num(0)), 0);
    cr_assert_eq(less(bj_val_num(NAN), bj_val_num(1)), -1);
    cr_assert_eq(less(bj_val_num(1), bj_val_num(NAN)), -1);
    cr_assert_eq(less(bj_val_undef(), bj_val_num(1)), -1);
    cr_assert_eq(less(bj_val_null(), bj_val_num(1)), 1);
    cr_assert_eq(less(bj_val_bool(true), bj_val_num(2)), 1);
    cr_assert_eq(less(vstr("10"), bj_val_num(9)), 0);
    cr_assert_eq(less(vstr("x"), bj_val_num(1)), -1);
    cr_assert_eq(less(bj_val_num(-INFINITY), vstr("-1e308")), 1);
}

Test(value, less_strings)
{
    cr_assert_eq(less(vstr("a"), vstr("b")), 1);
    cr_assert_eq(less(vstr("b"), vstr("a")), 0);
    cr_assert_eq(less(vstr("10"), vstr("9")), 1);
    cr_assert_eq(less(vstr("abc"), vstr("abcd")), 1);
    cr_assert_eq(less(vstr("abcd"), vstr("abc")), 0);
    cr_assert_eq(less(vstr(""), vstr("")), 0);
    cr_assert_eq(less(vstr("é"), vstr("z")), 0);
    cr_assert_eq(less(vstr("z"), vstr("é")), 1);
    /* UTF-16 order: a surrogate pair (D83D ...) sorts before U+FFFF and
     * U+E000, unlike code point (and UTF-8 byte) order. */
    cr_assert_eq(less(vstr("\xEF\xBF\xBF"), vstr("😀")), 0);
    cr_assert_eq(less(vstr("😀"), vstr("\xEF\xBF\xBF")), 1);
    cr_assert_eq(less(vstr("\xEE\x80\x80"), vstr("😀")), 0);
    cr_assert_eq(less(vstr("x😀"), vstr("x\xEE\x80\x80")), 1);
    cr_assert_eq(less(vstr("😀"), vstr("😁")), 1);
    cr_assert_eq(less(vstr("\xED\x9F\xBF"), vstr("😀")), 1);   /* U+D7FF */
}

Test(value, less_arrays)
{
    bj_node x[4], a[3];
    bj_node *ten[1] = {n_num(&x[0], 10)};
    bj_node *p12[2] = {n_num(&x[1], 1), n_num(&x[2], 2)};
    bj_node *p13[2] = {&x[1], n_num(&x[3], 3)};
    bj_val a10 = bj_val_of_node(n_arr(&a[0], ten, 1));
    bj_val a12 = bj_val_of_node(n_arr(&a[1], p12, 2));
    bj_val a13 = bj_val_of_node(n_arr(&a[2], p13, 2));
    cr_assert_eq(less(a10, vstr("9")), 1);          /* "10" < "9" */
    cr_assert_eq(less(a10, bj_val_num(9)), 0);      /* 10 < 9 */
    cr_assert_eq(less(a10, bj_val_num(11)), 1);
    cr_assert_eq(less(a12, a13), 1);                /* "1,2" < "1,3" */
    cr_assert_eq(less(a13, a12), 0);
    cr_assert_eq(less(a12, bj_val_num(5)), -1);     /* NaN */
}

Test(value, less_allocation_failure)
{
    bj_node x, a;
    bj_node *one[1] = {n_num(&x, 10)};
    bj_val arr = bj_val_of_node(n_arr(&a, one, 1)), s = vstr("9");
    bj_mem m = {0};
    m.fail_at = 1;
    bj_scratch sc;
    bj_scratch_init(&sc, &m);
    cr_assert_eq(bj_val_less(&arr, &s, &sc), -2);
    cr_assert_eq(m.live, 0);
    bj_scratch_free(&sc);
}

/* ---- deep equality and node views ------------------------------------------------------ */

Test(value, deep_equal_scalars)
{
    bj_node a, b;
    cr_assert(bj_node_deep_equal(NULL, NULL));
    n_undef(&a);
    cr_assert(bj_node_deep_equal(NULL, &a));
    cr_assert(!bj_node_deep_equal(NULL, n_null(&b)));
    cr_assert(bj_node_deep_equal(n_num(&a, 0), n_num(&b, -0.0)));
    cr_assert(!bj_node_deep_equal(n_num(&a, NAN), n_num(&b, NAN)));
    cr_assert(!bj_node_deep_equal(n_num(&a, 1), n_str(&b, "1")));
    cr_assert(bj_node_deep_equal(n_str(&a, "abc"), n_str(&b, "abc")));
    cr_assert(!bj_node_deep_equal(n_str(&a, "abc"), n_str(&b, "abd")));
    cr_assert(!bj_node_deep_equal(n_str(&a, "ab"), n_str(&b, "abc")));
    cr_assert(!bj_node_deep_equal(n_bool(&a, true), n_bool(&b, false)));
}

Test(value, deep_equal_containers)
{
    bj_node x[8], a1, a2, a3, o1, o2, o3, o4;
    bj_node *i1[2] = {n_num(&x[0], 1), n_str(&x[1], "a")};
    bj_node *i2[2] = {n_num(&x[2], 1), n_str(&x[3], "a")};
    bj_node *i3[1] = {n_num(&x[4], 1)};
    cr_assert(bj_node_deep_equal(n_arr(&a1, i1, 2), n_arr(&a2, i2, 2)));
    cr_assert(!bj_node_deep_equal(&a1, n_arr(&a3, i3, 1)));
    n_str(&x[3], "b");
    cr_assert(!bj_node_deep_equal(&a1, &a2));
    n_str(&x[3], "a");
    /* {x: 1, y: [1,"a"]} vs {y: [1,"a"], x: 1}: key order does not matter. */
    bj_member m1[2] = {member("x", n_num(&x[5], 1)), member("y", &a1)};
    bj_member m2[2] = {member("y", &a2), member("x", n_num(&x[6], 1))};
    cr_assert(bj_node_deep_equal(n_obj(&o1, m1, 2), n_obj(&o2, m2, 2)));
    n_num(&x[6], 2);
    cr_assert(!bj_node_deep_equal(&o1, &o2));
    /* Same size, different key sets. */
    bj_member m3[2] = {member("x", &x[5]), member("z", &a1)};
    cr_assert(!bj_node_deep_equal(&o1, n_obj(&o3, m3, 2)));
    /* Different sizes. */
    cr_assert(!bj_node_deep_equal(&o1, n_obj(&o4, m1, 1)));
    /* An array never equals an object. */
    cr_assert(!bj_node_deep_equal(n_arr(&a3, NULL, 0), n_obj(&o4, NULL, 0)));
}

Test(value, val_of_node)
{
    bj_node n;
    bj_val v = bj_val_of_node(NULL);
    cr_assert_eq(v.t, BJ_T_UNDEF);
    v = bj_val_of_node(n_null(&n));
    cr_assert_eq(v.t, BJ_T_NULL);
    v = bj_val_of_node(n_bool(&n, true));
    cr_assert(v.t == BJ_T_BOOL && v.u.b);
    v = bj_val_of_node(n_num(&n, 2.5));
    cr_assert(v.t == BJ_T_NUM && v.u.n == 2.5);
    v = bj_val_of_node(n_str(&n, "hey"));
    cr_assert(v.t == BJ_T_STR && v.len == 3 && v.u.s == n.u.s.p);
    v = bj_val_of_node(n_arr(&n, NULL, 0));
    cr_assert(v.t == BJ_T_ARR && v.u.node == &n);
    v = bj_val_of_node(n_obj(&n, NULL, 0));
    cr_assert(v.t == BJ_T_OBJ && v.u.node == &n);
    n_undef(&n);
    v = bj_val_of_node(&n);
    cr_assert_eq(v.t, BJ_T_UNDEF);
}

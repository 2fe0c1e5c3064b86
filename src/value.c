/* value.c: JavaScript's number printing and parsing, the string helpers the
 * transforms need, and the conversions and comparisons on bj_val.
 *
 * Invariants:
 * - Every function gives JavaScript's exact result (ECMA-262) for its
 *   inputs; the few places that knowingly stop short say so where they do.
 * - Nothing here allocates except through the bj_scratch or bj_buf the
 *   caller passes. Number parsing and printing use fixed stack buffers.
 * - Output never depends on the C locale: decimal points printed by the C
 *   library are recognised as "any non-digit", and strings handed to strtod
 *   contain no decimal point (digits and an exponent only).
 * - UTF-8 input may be invalid; an invalid byte counts as one code unit and
 *   is copied through unchanged. No function reads past the length given.
 */
#include "value.h"
#include "casemap.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2^53: below it every integer is a double and int64_t holds it exactly. */
#define TWO53 9007199254740992.0

bj_val bj_val_of_node(const bj_node *n)
{
    if (!n)
        return bj_val_undef();
    switch (n->t) {
    case BJ_T_NULL: return bj_val_null();
    case BJ_T_BOOL: return bj_val_bool(n->u.b);
    case BJ_T_NUM: return bj_val_num(n->u.n);
    case BJ_T_STR: return bj_val_str(n->u.s.p, n->u.s.len);
    case BJ_T_ARR:
    case BJ_T_OBJ: {
        bj_val v = {n->t, 0, {.node = n}};
        return v;
    }
    case BJ_T_UNDEF: break;
    }
    return bj_val_undef();
}

/* ==== numbers ============================================================ */

/* Writes the decimal digits of u (no sign) to out; returns their count.
 * Two digits per division: String(integer) is the largest single cost of a
 * plain update (129 of 588 instructions per map-handle op under callgrind
 * with one digit per step). */
static size_t put_uint(uint64_t u, char *out)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    char tmp[24];
    size_t k = sizeof tmp;
    while (u >= 100) {
        unsigned r = (unsigned)(u % 100);
        u /= 100;
        tmp[--k] = pairs[2 * r + 1];
        tmp[--k] = pairs[2 * r];
    }
    if (u >= 10) {
        tmp[--k] = pairs[2 * u + 1];
        tmp[--k] = pairs[2 * u];
    } else {
        tmp[--k] = (char)('0' + u);
    }
    size_t len = sizeof tmp - k;
    memcpy(out, tmp + k, len);
    return len;
}

/* d correctly rounded to prec significant digits, into dig; returns prec
 * and sets *point (d ~ 0.DIGITS * 10^point). */
static int sci_digits(double d, int prec, char dig[20], int *point)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
    int k = 0;
    const char *p = buf;
    for (; *p && *p != 'e' && *p != 'E'; p++)
        if (*p >= '0' && *p <= '9')   /* skips the locale's decimal point */
            dig[k++] = *p;
    assert(*p && k == prec);
    *point = atoi(p + 1) + 1;
    return k;
}

/* Whether the decimal 0.dig[0..k) * 10^point reads back as d. */
static bool reads_back(const char *dig, int k, int point, double d)
{
    char buf[48];
    memcpy(buf, dig, (size_t)k);
    snprintf(buf + k, sizeof buf - (size_t)k, "e%d", point - k);
    return strtod(buf, NULL) == d;
}

/* Adds one unit in the last place to the k digits dig (a carry out of the
 * first digit gives 1000... with *point one higher). */
static void digits_up(char *dig, int k, int *point)
{
    int i = k - 1;
    for (; i >= 0 && dig[i] == '9'; i--)
        dig[i] = '0';
    if (i >= 0) {
        dig[i]++;
    } else {
        dig[0] = '1';
        (*point)++;
    }
}

/* Shortest significant digits of finite d > 0 that read back as d, without
 * trailing zeros, into dig; returns their count k and sets *point to n of
 * ECMA-262 Number::toString (d = 0.DIGITS * 10^n). glibc prints the
 * correctly rounded decimal, so the first precision that round-trips gives
 * the closest shortest string, with one exception handled below.
 * For normal numbers, fewer than 15 digits need no separate try: 15-digit
 * decimals are spaced wider than doubles, so when a shorter string
 * round-trips, the 15-digit rounding is that string padded with zeros.
 * Subnormals have fewer bits (5e-324 has one digit): they try every
 * precision. */
static int shortest_digits(double d, char dig[20], int *point)
{
    int k = 0;
    for (int prec = d < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
        k = sci_digits(d, prec, dig, point);
        if (prec == 17 || reads_back(dig, k, *point, d))
            break;
        /* A power of two has a gap below it half as wide as above, so the
         * closest 16-digit decimal can fall just short below while the next
         * one up reads back (2^-1017 is 7.120236347223045e-307, not the
         * 17 digits ...0444e-307). Only below: above, the gap is wider. */
        int e2;
        if (prec == 16 && frexp(d, &e2) == 0.5 && d >= DBL_MIN) {
            char up[20];
            int upoint = *point;
            memcpy(up, dig, (size_t)k);
            digits_up(up, k, &upoint);
            if (reads_back(up, k, upoint, d)) {
                memcpy(dig, up, (size_t)k);
                *point = upoint;
                break;
            }
        }
    }
    while (k > 1 && dig[k - 1] == '0')
        k--;
    return k;
}

/* Exact powers of ten: every one up to 1e22 is a double. */
static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Fast path of shortest_digits for finite d > 0 whose shortest form has at
 * most 15 significant digits and at most 22 after the point (prices, ratios,
 * most decimals apps show): the smallest k for which m = round(d * 10^k)
 * satisfies m / 10^k == d. The division is correctly rounded, so equality
 * means the decimal m * 10^-k reads back as d; a 15-digit decimal is the
 * only one of its length that does (15 digits are spaced wider than
 * doubles), and a shorter one would have been found at a smaller k. Returns
 * the digit count, or 0 to send d down the slow path. Measured: 12.34 went
 * from about 6,100 instructions (snprintf + strtod) to about 150. */
static int short_decimal_digits(double d, char dig[20], int *point)
{
    for (int k = 1; k <= 22; k++) {
        double p = d * POW10[k];
        if (p >= 1e15)
            return 0;
        double m = nearbyint(p);
        if (m > 0 && m / POW10[k] == d) {
            int c = (int)put_uint((uint64_t)m, dig);
            *point = c - k;
            return c;
        }
    }
    return 0;
}

/* Lays out k digits with point n per Number::toString's steps 6-10. */
static size_t layout_digits(const char *dig, int k, int n, char *out)
{
    size_t o = 0;
    if (k <= n && n <= 21) {
        memcpy(out, dig, (size_t)k);
        o = (size_t)k;
        for (int i = k; i < n; i++)
            out[o++] = '0';
    } else if (0 < n && n <= 21) {
        memcpy(out, dig, (size_t)n);
        out[n] = '.';
        memcpy(out + n + 1, dig + n, (size_t)(k - n));
        o = (size_t)k + 1;
    } else if (-6 < n && n <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = n; i < 0; i++)
            out[o++] = '0';
        memcpy(out + o, dig, (size_t)k);
        o += (size_t)k;
    } else {
        out[o++] = dig[0];
        if (k > 1) {
            out[o++] = '.';
            memcpy(out + o, dig + 1, (size_t)(k - 1));
            o += (size_t)(k - 1);
        }
        int e = n - 1;
        out[o++] = 'e';
        out[o++] = e < 0 ? '-' : '+';
        o += put_uint((uint64_t)(e < 0 ? -e : e), out + o);
    }
    return o;
}

size_t bj_num_to_str(double d, char out[BJ_NUMBUF])
{
    size_t o = 0;
    if (isnan(d)) {
        memcpy(out, "NaN", 4);
        return 3;
    }
    if (d < 0) {
        out[o++] = '-';
        d = -d;
    }
    if (isinf(d)) {
        memcpy(out + o, "Infinity", 9);
        return o + 8;
    }
    /* Hot path: counters and ids are integers; printing them directly takes
     * about 40 ns against about 1.3 us for the snprintf/strtod path (gcc -O2,
     * 2M calls each, x86-64). Also covers 0 and -0 ("0"). */
    if (d < TWO53 && d == (double)(int64_t)d) {
        o += put_uint((uint64_t)d, out + o);
        out[o] = '\0';
        return o;
    }
    char dig[20];
    int n;
    int k = d >= DBL_MIN ? short_decimal_digits(d, dig, &n) : 0;
    if (k == 0)
        k = shortest_digits(d, dig, &n);
    o += layout_digits(dig, k, n, out + o);
    assert(o < BJ_NUMBUF);
    out[o] = '\0';
    return o;
}

/* ---- toFixed ------------------------------------------------------------ */

/* Adds one unit in the last place of the decimal digits s[0..len) (which may
 * contain a decimal point, any non-digit bytes); returns the new length (one
 * more on a carry out). */
static size_t decimal_increment(char *s, size_t len)
{
    for (size_t i = len; i-- > 0;) {
        if (s[i] < '0' || s[i] > '9')
            continue;
        if (s[i] != '9') {
            s[i]++;
            return len;
        }
        s[i] = '0';
    }
    memmove(s + 1, s, len);
    s[0] = '1';
    return len + 1;
}

/* True when x * 10^f lies exactly halfway between two integers. With
 * x = m * 2^e (m odd) that needs e = -(f+1): x * 2^(f+1) is an odd integer.
 * The ldexp is exact (x < 1e21, f <= 100: no overflow, no rounding). */
static bool fixed_is_tie(double x, int f)
{
    double y = ldexp(x, f + 1);
    return y < TWO53 && y == floor(y) && fmod(y, 2.0) == 1.0;
}

/* Fast path of toFixed for x * 10^f below 2^53 (f <= 22): n is the nearest
 * integer to x * 10^f, and fma gives the exact residual x * 10^f - n
 * rounded once, so when it is clearly away from 1/2 n is the exact
 * rounding; ties and near-ties go to the slow path. Writes the digits of n
 * with a point f from the end; returns the length, 0 for the slow path.
 * Measured: (x).toFixed(2) from about 2,260 instructions (glibc's
 * multi-precision printf) to about 120. */
static size_t fixed_fast(double x, int f, char *out)
{
    if (f > 22)
        return 0;
    double p = x * POW10[f];
    if (!(p < TWO53))
        return 0;
    double n = nearbyint(p);
    double r = fma(x, POW10[f], -n);
    if (fabs(r) > 0.4999999)
        return 0;
    char dig[24];
    int c = (int)put_uint((uint64_t)n, dig);
    size_t o = 0;
    if (c <= f) {                     /* 0.00ddd: leading zeros */
        out[o++] = '0';
        if (f > 0)
            out[o++] = '.';
        for (int i = c; i < f; i++)
            out[o++] = '0';
        memcpy(out + o, dig, (size_t)c);
        o += (size_t)c;
    } else {
        memcpy(out, dig, (size_t)(c - f));
        o = (size_t)(c - f);
        if (f > 0) {
            out[o++] = '.';
            memcpy(out + o, dig + c - f, (size_t)f);
            o += (size_t)f;
        }
    }
    out[o] = '\0';
    return o;
}

size_t bj_num_to_fixed(double d, int digits, char out[BJ_FIXEDBUF])
{
    assert(digits >= 0 && digits <= 100);
    if (digits < 0)
        digits = 0;
    if (digits > 100)
        digits = 100;
    if (isnan(d) || fabs(d) >= 1e21)
        return bj_num_to_str(d, out);
    size_t o = 0;
    if (d < 0)          /* not for -0: JavaScript's "x < 0" is false there */
        out[o++] = '-';
    double x = fabs(d);
    size_t fast = fixed_fast(x, digits, out + o);
    if (fast)
        return o + fast;
    char buf[BJ_FIXEDBUF];
    size_t len;
    if (fixed_is_tie(x, digits)) {
        /* glibc breaks exact ties to even; JavaScript takes the larger n.
         * One more digit prints x exactly (it ends in 5); drop that 5 and
         * round the rest up by hand. */
        len = (size_t)snprintf(buf, sizeof buf, "%.*f", digits + 1, x);
        len--;
        while (len > 0 && (buf[len - 1] < '0' || buf[len - 1] > '9'))
            len--;                    /* the decimal point, for f = 0 */
        len = decimal_increment(buf, len);
    } else {
        len = (size_t)snprintf(buf, sizeof buf, "%.*f", digits, x);
    }
    assert(o + len < BJ_FIXEDBUF);
    for (size_t i = 0; i < len; i++)   /* the locale's decimal point -> '.' */
        out[o++] = (buf[i] >= '0' && buf[i] <= '9') ? buf[i] : '.';
    out[o] = '\0';
    return o;
}

double bj_math_round(double d)
{
    /* Large values are integers already; NaN and infinities pass through. */
    if (!(fabs(d) < 4503599627370496.0))   /* 2^52 */
        return d;
    /* d - floor(d) is exact, unlike d + 0.5, which rounds up for
     * 0.49999999999999994 and for odd integers + 0.5 near 2^52. */
    double r = floor(d);
    if (d - r >= 0.5)
        r += 1.0;
    if (r == 0.0 && signbit(d))
        return -0.0;   /* [-0.5, -0] rounds to -0 */
    return r;
}

/* ---- StringToNumber ----------------------------------------------------- */

/* Value of digit c in radix 2^bits, or -1. */
static int radix_digit(char c, int bits)
{
    int v;
    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
    else
        return -1;
    return v < (1 << bits) ? v : -1;
}

/* A 0x/0o/0b literal's digits s[0..n) in radix 2^bits, correctly rounded
 * (ties to even) as ECMA-262 requires; NaN when invalid or empty. The first
 * 64 significant bits are kept in m, later ones only in exp and sticky. */
static double parse_radix(const char *s, size_t n, int bits)
{
    uint64_t m = 0;
    int exp = 0;
    bool sticky = false;
    if (n == 0)
        return NAN;
    for (size_t i = 0; i < n; i++) {
        int v = radix_digit(s[i], bits);
        if (v < 0)
            return NAN;
        for (int b = bits - 1; b >= 0; b--) {
            unsigned bit = ((unsigned)v >> b) & 1u;
            if (m < (UINT64_C(1) << 63)) {
                m = m << 1 | bit;
            } else {
                exp = exp < 4096 ? exp + 1 : exp;   /* beyond 2^1024 anyway */
                sticky |= bit;
            }
        }
    }
    if (m < (UINT64_C(1) << 53))
        return ldexp((double)m, exp);
    int top = 63;
    while (!(m >> top))
        top--;
    int shift = top - 52;
    uint64_t keep = m >> shift, rem = m & ((UINT64_C(1) << shift) - 1);
    uint64_t half = UINT64_C(1) << (shift - 1);
    if (rem > half || (rem == half && (sticky || (keep & 1))))
        keep++;
    return ldexp((double)keep, exp + shift);
}

/* Decimal significant digits kept for strtod. Halfway points between
 * doubles have at most 767 significant digits, so keeping 780 and standing
 * in a single nonzero digit for the rest rounds the same way. */
#define DEC_KEEP 780

typedef struct dec_acc {
    char dig[DEC_KEEP + 32];  /* significant digits, then "e<exp>" */
    size_t k;                 /* digits kept */
    int64_t scale;            /* value = dig * 10^scale (before the exponent) */
    bool sticky;              /* a dropped digit was nonzero */
} dec_acc;

/* Adds one mantissa digit, in the fraction part when frac. */
static void dec_push(dec_acc *a, char c, bool frac)
{
    if (a->k == 0 && c == '0') {
        a->scale -= frac;              /* leading zero: only shifts */
    } else if (a->k < DEC_KEEP) {
        a->dig[a->k++] = c;
        a->scale -= frac;
    } else {
        a->scale += !frac;             /* dropped integer digit: x10 */
        a->sticky |= c != '0';
    }
}

/* Reads digits from s[*i..n) into a; returns how many. */
static size_t dec_digits(dec_acc *a, const char *s, size_t n, size_t *i, bool frac)
{
    size_t start = *i;
    for (; *i < n && s[*i] >= '0' && s[*i] <= '9'; (*i)++)
        dec_push(a, s[*i], frac);
    return *i - start;
}

/* Reads an optional exponent part at s[*i..n): 0 when absent; false when
 * malformed. Saturates far beyond any double's range. */
static bool dec_exponent(const char *s, size_t n, size_t *i, int64_t *e)
{
    *e = 0;
    if (*i == n || (s[*i] != 'e' && s[*i] != 'E'))
        return true;
    (*i)++;
    bool neg = false;
    if (*i < n && (s[*i] == '+' || s[*i] == '-'))
        neg = s[(*i)++] == '-';
    size_t start = *i;
    for (; *i < n && s[*i] >= '0' && s[*i] <= '9'; (*i)++)
        if (*e < 1000000000)
            *e = *e * 10 + (s[*i] - '0');
    if (neg)
        *e = -*e;
    return *i > start;
}

/* StrDecimalLiteral (sign, digits, fraction, exponent; "Infinity" handled
 * by the caller) validated here, converted by strtod; NaN when invalid. */
static double parse_decimal(const char *s, size_t n)
{
    size_t i = 0;
    bool neg = false;
    if (s[0] == '+' || s[0] == '-')
        neg = s[i++] == '-';
    dec_acc a;
    a.k = 0;
    a.scale = 0;
    a.sticky = false;
    size_t nd = dec_digits(&a, s, n, &i, false);
    if (i < n && s[i] == '.') {
        i++;
        nd += dec_digits(&a, s, n, &i, true);
    }
    int64_t e;
    if (nd == 0 || !dec_exponent(s, n, &i, &e) || i != n)
        return NAN;
    if (a.k == 0)
        return neg ? -0.0 : 0.0;
    if (a.sticky) {
        a.dig[a.k++] = '1';
        a.scale--;
    }
    int64_t x = a.scale + e;
    x = x > 100000 ? 100000 : x < -100000 ? -100000 : x;
    snprintf(a.dig + a.k, sizeof a.dig - a.k, "e%lld", (long long)x);
    double v = strtod(a.dig, NULL);
    return neg ? -v : v;
}

double bj_str_to_num(const char *s, size_t n)
{
    size_t start, len;
    bj_str_trim(s, n, &start, &len);
    s += start;
    if (len == 0)
        return 0.0;
    if (len >= 2 && s[0] == '0') {
        switch (s[1]) {
        case 'x': case 'X': return parse_radix(s + 2, len - 2, 4);
        case 'o': case 'O': return parse_radix(s + 2, len - 2, 3);
        case 'b': case 'B': return parse_radix(s + 2, len - 2, 1);
        default: break;
        }
    }
    size_t sign = (s[0] == '+' || s[0] == '-');
    if (len - sign == 8 && memcmp(s + sign, "Infinity", 8) == 0)
        return s[0] == '-' ? -INFINITY : INFINITY;
    return parse_decimal(s, len);
}

/* ==== strings ============================================================ */

/* Length of the well-formed UTF-8 sequence at s[i..n) with its code point in
 * *cp; 0 when the bytes there are not one (overlong forms, surrogates and
 * values past U+10FFFF included). */
static size_t u8_decode(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
    unsigned c = s[i];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v;
    unsigned lo = 0x80, hi = 0xBF;   /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
        return 0;
    for (size_t j = 1; j < len; j++) {
        if ((s[i + j] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i + j] & 0x3F);
    }
    *cp = v;
    return len;
}

/* Like u8_decode, but an invalid byte is a sequence of its own (cp = the
 * byte | 0x80000000, which maps to nothing). */
static size_t u8_next(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
    size_t len = u8_decode(s, n, i, cp);
    if (len)
        return len;
    *cp = 0x80000000u | s[i];
    return 1;
}

size_t bj_utf8_encode(uint32_t cp, char *p)
{
    if (cp < 0x80) {
        p[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        p[0] = (char)(0xC0 | cp >> 6);
        p[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        p[0] = (char)(0xE0 | cp >> 12);
        p[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        p[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    p[0] = (char)(0xF0 | cp >> 18);
    p[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    p[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    p[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t bj_utf16_len(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t units = 0;
    for (size_t i = 0; i < n;) {
        if (u[i] < 0x80) {   /* ASCII runs are the common case */
            i++;
            units++;
            continue;
        }
        uint32_t cp;
        size_t len = u8_next(u, n, i, &cp);
        units += len == 4 ? 2 : 1;
        i += len;
    }
    return units;
}

size_t bj_utf16_offset(const char *s, size_t n, size_t unit)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t units = 0, i = 0;
    while (i < n && units < unit) {
        uint32_t cp;
        size_t len = u8_next(u, n, i, &cp);
        size_t w = len == 4 ? 2 : 1;
        if (units + w > unit)   /* unit is the low surrogate of this pair */
            break;
        units += w;
        i += len;
    }
    return i;
}

/* ---- case mapping ----------------------------------------------------------
 * Full Unicode, as node's String.prototype.toUpperCase / toLowerCase: the
 * tables in casemap.h are generated by scripts/gen_casemap.js from node
 * itself, over every code point. They hold the simple (one code point)
 * mappings as sorted runs, and the unconditional multi-code-point ones of
 * SpecialCasing.txt (U+00DF to "SS", U+0149 to U+02BC "N", U+0390 to
 * U+0399 U+0308 U+0301, U+FB00 to "FF", U+0130 lower-casing to "i" U+0307,
 * ...) as UTF-8 strings. Language-specific mappings (Turkish, Lithuanian)
 * are not part of these methods in JavaScript either.
 * Not done: the context-dependent Final_Sigma rule (JavaScript lower-cases
 * a word-final U+03A3 to U+03C2; we always give U+03C3). */

/* str_case flushes its buffer with 8 bytes to spare. */
_Static_assert(CASEMAP_MAX_BYTES <= 8, "case mapping longer than str_case's slack");

typedef casemap_run case_range;

/* cp mapped through the sorted, disjoint runs r[0..n), or cp itself. */
static uint32_t case_map(const case_range *r, size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].lo)
            hi = mid;
        else if (cp - r[mid].lo > (uint32_t)(r[mid].n - 1) * r[mid].step)
            lo = mid + 1;
        else if ((cp - r[mid].lo) % r[mid].step == 0)
            return (uint32_t)((int32_t)cp + r[mid].delta);
        else
            return cp;
    }
    return cp;
}

/* The multi-code-point mapping of cp in the sorted t[0..n), or NULL. */
static const char *case_special(const casemap_special *t, size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < t[mid].cp)
            hi = mid;
        else if (cp > t[mid].cp)
            lo = mid + 1;
        else
            return t[mid].s;
    }
    return NULL;
}

/* Writes the full upper- (upper) or lower-case form of cp to p; returns the
 * bytes written (at most CASEMAP_MAX_BYTES). */
static size_t case_convert(uint32_t cp, bool upper, char *p)
{
    const char *sp = upper
        ? case_special(upper_special, sizeof upper_special / sizeof *upper_special, cp)
        : case_special(lower_special, sizeof lower_special / sizeof *lower_special, cp);
    if (sp) {
        size_t len = strlen(sp);
        memcpy(p, sp, len);
        return len;
    }
    if (upper)
        return bj_utf8_encode(case_map(upper_ranges, sizeof upper_ranges / sizeof *upper_ranges, cp), p);
    return bj_utf8_encode(case_map(lower_ranges, sizeof lower_ranges / sizeof *lower_ranges, cp), p);
}

/* Shared loop of bj_str_upper / bj_str_lower: maps through a small stack
 * buffer so a long string costs a few appends, not one per character. */
static void str_case(const char *s, size_t n, bj_buf *out, bool upper)
{
    const unsigned char *u = (const unsigned char *)s;
    char tmp[256];
    size_t t = 0;
    bj_buf_reserve(out, n);
    for (size_t i = 0; i < n;) {
        if (t > sizeof tmp - 8) {
            bj_buf_append(out, tmp, t);
            t = 0;
        }
        unsigned c = u[i];
        if (c < 0x80) {
            if (upper && c >= 'a' && c <= 'z')
                c -= 32;
            else if (!upper && c >= 'A' && c <= 'Z')
                c += 32;
            tmp[t++] = (char)c;
            i++;
            continue;
        }
        uint32_t cp;
        size_t len = u8_decode(u, n, i, &cp);
        if (len == 0) {                /* invalid byte: copied through */
            tmp[t++] = (char)c;
            i++;
            continue;
        }
        t += case_convert(cp, upper, tmp + t);
        i += len;
    }
    bj_buf_append(out, tmp, t);
}

void bj_str_upper(const char *s, size_t n, bj_buf *out)
{
    str_case(s, n, out, true);
}

void bj_str_lower(const char *s, size_t n, bj_buf *out)
{
    str_case(s, n, out, false);
}

/* ---- trim ----------------------------------------------------------------- */

/* True when cp is JavaScript white space or a line terminator. */
static bool js_space(uint32_t cp)
{
    switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20:
    case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
    case 0x205F: case 0x3000: case 0xFEFF:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

/* Byte length of the white space character starting at s[i], or 0. */
static size_t space_at(const unsigned char *s, size_t n, size_t i)
{
    uint32_t cp;
    size_t len = u8_decode(s, n, i, &cp);
    return len && js_space(cp) ? len : 0;
}

/* Byte length of the white space character ending just before s[end], or
 * 0. White space is at most 3 bytes long. */
static size_t space_before(const unsigned char *s, size_t start, size_t end)
{
    for (size_t len = 1; len <= 3 && len <= end - start; len++) {
        uint32_t cp;
        if (u8_decode(s, end, end - len, &cp) == len)
            return js_space(cp) ? len : 0;
    }
    return 0;
}

void bj_str_trim(const char *s, size_t n, size_t *start, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t b = 0, e = n, w;
    while (b < e && (w = space_at(u, e, b)) != 0)
        b += w;
    while (e > b && (w = space_before(u, b, e)) != 0)
        e -= w;
    *start = b;
    *len = e - b;
}

/* ==== conversions ======================================================== */

static bool is_object(const bj_val *v)
{
    return v->t == BJ_T_ARR || v->t == BJ_T_OBJ;
}

static bool is_nullish(const bj_val *v)
{
    return v->t == BJ_T_UNDEF || v->t == BJ_T_NULL;
}

bool bj_val_truthy(const bj_val *v)
{
    switch (v->t) {
    case BJ_T_UNDEF:
    case BJ_T_NULL: return false;
    case BJ_T_BOOL: return v->u.b;
    case BJ_T_NUM: return !(v->u.n == 0 || isnan(v->u.n));
    case BJ_T_STR: return v->len > 0;
    case BJ_T_ARR:
    case BJ_T_OBJ: return true;
    }
    return false;
}

/* ToNumber(String(array)) without building the string: "" is 0, a comma
 * (two or more items) is never valid, and one item reads back as itself
 * (String of a number round-trips, except -0 which prints "0"). */
static double array_to_number(const bj_node *a)
{
    if (a->u.a.n == 0)
        return 0.0;
    if (a->u.a.n > 1)
        return NAN;
    const bj_node *it = a->u.a.v[0];
    switch (it ? it->t : BJ_T_UNDEF) {
    case BJ_T_UNDEF:
    case BJ_T_NULL: return 0.0;
    case BJ_T_NUM: return it->u.n == 0 ? 0.0 : it->u.n;
    case BJ_T_STR: return bj_str_to_num(it->u.s.p, it->u.s.len);
    case BJ_T_ARR: return array_to_number(it);
    case BJ_T_BOOL:
    case BJ_T_OBJ: break;
    }
    return NAN;
}

double bj_val_to_number(const bj_val *v)
{
    switch (v->t) {
    case BJ_T_UNDEF: return NAN;
    case BJ_T_NULL: return 0.0;
    case BJ_T_BOOL: return v->u.b ? 1.0 : 0.0;
    case BJ_T_NUM: return v->u.n;
    case BJ_T_STR: return bj_str_to_num(v->u.s, v->len);
    case BJ_T_ARR: return array_to_number(v->u.node);
    case BJ_T_OBJ: return NAN;   /* "[object Object]" */
    }
    return NAN;
}

#define OBJECT_STR "[object Object]"

/* String(v) for anything but an array: a static string, v's own bytes, or
 * numbuf. */
static void leaf_string(const bj_val *v, char numbuf[BJ_NUMBUF], const char **s, size_t *len)
{
    const char *r = OBJECT_STR;   /* objects; arrays are joined by callers */
    switch (v->t) {
    case BJ_T_UNDEF: r = "undefined"; break;
    case BJ_T_NULL: r = "null"; break;
    case BJ_T_BOOL: r = v->u.b ? "true" : "false"; break;
    case BJ_T_NUM:
        *len = bj_num_to_str(v->u.n, numbuf);
        *s = numbuf;
        return;
    case BJ_T_STR:
        *s = v->u.s;
        *len = v->len;
        return;
    case BJ_T_ARR:
    case BJ_T_OBJ: break;
    }
    *s = r;
    *len = strlen(r);
}

/* String form of array item it (null and undefined are empty); arrays are
 * left to the caller (*s NULL). */
static void item_string(const bj_node *it, char numbuf[BJ_NUMBUF], const char **s, size_t *len)
{
    bj_val v = bj_val_of_node(it);
    if (is_nullish(&v)) {
        *s = "";
        *len = 0;
    } else if (v.t == BJ_T_ARR) {
        *s = NULL;
        *len = 0;
    } else {
        leaf_string(&v, numbuf, s, len);
    }
}

/* Byte length of String(array a). */
static size_t join_len(const bj_node *a)
{
    size_t total = a->u.a.n ? a->u.a.n - 1 : 0;   /* the commas */
    for (uint32_t i = 0; i < a->u.a.n; i++) {
        char nb[BJ_NUMBUF];
        const char *s;
        size_t len;
        item_string(a->u.a.v[i], nb, &s, &len);
        total += s ? len : join_len(a->u.a.v[i]);
    }
    return total;
}

/* Appends String(array a) to out. */
static void join_append(const bj_node *a, bj_buf *out)
{
    for (uint32_t i = 0; i < a->u.a.n; i++) {
        char nb[BJ_NUMBUF];
        const char *s;
        size_t len;
        if (i)
            bj_buf_putc(out, ',');
        item_string(a->u.a.v[i], nb, &s, &len);
        if (s)
            bj_buf_append(out, s, len);
        else
            join_append(a->u.a.v[i], out);
    }
}

/* Writes String(array a) at p; returns the end. */
static char *join_write(const bj_node *a, char *p)
{
    for (uint32_t i = 0; i < a->u.a.n; i++) {
        char nb[BJ_NUMBUF];
        const char *s;
        size_t len;
        if (i)
            *p++ = ',';
        item_string(a->u.a.v[i], nb, &s, &len);
        if (s) {
            memcpy(p, s, len);
            p += len;
        } else {
            p = join_write(a->u.a.v[i], p);
        }
    }
    return p;
}

/* Whether String(array a) continues str[*pos..n) (advancing *pos). */
static bool join_match(const bj_node *a, const char *str, size_t n, size_t *pos)
{
    for (uint32_t i = 0; i < a->u.a.n; i++) {
        char nb[BJ_NUMBUF];
        const char *s;
        size_t len;
        if (i) {
            if (*pos >= n || str[*pos] != ',')
                return false;
            (*pos)++;
        }
        item_string(a->u.a.v[i], nb, &s, &len);
        if (!s) {
            if (!join_match(a->u.a.v[i], str, n, pos))
                return false;
        } else {
            if (len > n - *pos || memcmp(str + *pos, s, len) != 0)
                return false;
            *pos += len;
        }
    }
    return true;
}

bool bj_val_to_string(const bj_val *v, bj_scratch *scratch, const char **s, size_t *len)
{
    if (v->t == BJ_T_NUM) {
        char *p = bj_scratch_alloc(scratch, BJ_NUMBUF);
        if (!p)
            return false;
        *len = bj_num_to_str(v->u.n, p);
        *s = p;
        return true;
    }
    if (v->t != BJ_T_ARR) {
        leaf_string(v, NULL, s, len);
        return true;
    }
    size_t n = join_len(v->u.node);
    if (n == 0) {
        *s = "";
        *len = 0;
        return true;
    }
    char *p = bj_scratch_alloc(scratch, n + 1);
    if (!p)
        return false;
    char *end = join_write(v->u.node, p);
    assert((size_t)(end - p) == n);
    *end = '\0';
    *s = p;
    *len = n;
    return true;
}

void bj_val_append_string(const bj_val *v, bj_buf *out)
{
    if (v->t == BJ_T_ARR) {
        join_append(v->u.node, out);
        return;
    }
    char nb[BJ_NUMBUF];
    const char *s;
    size_t len;
    leaf_string(v, nb, &s, &len);
    bj_buf_append(out, s, len);
}

/* ==== comparisons ======================================================== */

bool bj_val_strict_eq(const bj_val *a, const bj_val *b)
{
    if (a->t != b->t)
        return false;
    switch (a->t) {
    case BJ_T_UNDEF:
    case BJ_T_NULL: return true;
    case BJ_T_BOOL: return a->u.b == b->u.b;
    case BJ_T_NUM: return a->u.n == b->u.n;   /* NaN != NaN, 0 == -0 */
    case BJ_T_STR: return a->len == b->len && memcmp(a->u.s, b->u.s, a->len) == 0;
    case BJ_T_ARR:
    case BJ_T_OBJ: return a->u.node == b->u.node;
    }
    return false;
}

/* String(o) == str for an object or array o, without building String(o). */
static bool object_string_eq(const bj_val *o, const char *str, size_t n)
{
    if (o->t == BJ_T_OBJ)
        return n == strlen(OBJECT_STR) && memcmp(str, OBJECT_STR, n) == 0;
    size_t pos = 0;
    return join_match(o->u.node, str, n, &pos) && pos == n;
}

bool bj_val_loose_eq(const bj_val *a, const bj_val *b)
{
    if (a->t == b->t || (is_object(a) && is_object(b)))
        return bj_val_strict_eq(a, b);
    if (is_nullish(a) || is_nullish(b))
        return is_nullish(a) && is_nullish(b);
    if (a->t == BJ_T_BOOL || b->t == BJ_T_BOOL) {
        bj_val x = a->t == BJ_T_BOOL ? bj_val_num(a->u.b) : *a;
        bj_val y = b->t == BJ_T_BOOL ? bj_val_num(b->u.b) : *b;
        return bj_val_loose_eq(&x, &y);
    }
    /* Left: number vs string, or an object vs a number or a string. */
    if (!is_object(a) && !is_object(b))
        return bj_val_to_number(a) == bj_val_to_number(b);
    const bj_val *o = is_object(a) ? a : b, *p = is_object(a) ? b : a;
    if (p->t == BJ_T_NUM)   /* ToPrimitive(o) is a string; then ToNumber */
        return bj_val_to_number(o) == p->u.n;
    return object_string_eq(o, p->u.s, p->len);
}

/* Sort key of a code point in UTF-16 code unit order: supplementary code
 * points (surrogates D800-DFFF) come before U+E000-U+FFFF. */
static uint32_t utf16_key(uint32_t cp)
{
    if (cp >= 0x10000)
        return 0xD800 + ((cp - 0x10000) >> 10);
    return cp;
}

/* -1, 0 or 1 as a compares to b by UTF-16 code units. Byte order of UTF-8
 * is code point order, which agrees except where the first difference is a
 * supplementary code point against one in U+E000-U+FFFF. */
static int utf16_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    const unsigned char *ua = (const unsigned char *)a, *ub = (const unsigned char *)b;
    size_t n = an < bn ? an : bn, i = 0;
    while (i < n && ua[i] == ub[i])
        i++;
    if (i == n)
        return an < bn ? -1 : an > bn;
    int bytes = ua[i] < ub[i] ? -1 : 1;
    if (ua[i] < 0x80 || ub[i] < 0x80)
        return bytes;
    size_t j = i;   /* start of the differing code points (same in both) */
    while (j > 0 && i - j < 3 && (ua[j] & 0xC0) == 0x80)
        j--;
    uint32_t ca, cb;
    if (!u8_decode(ua, an, j, &ca) || !u8_decode(ub, bn, j, &cb))
        return bytes;
    uint32_t ka = utf16_key(ca), kb = utf16_key(cb);
    if (ka != kb)
        return ka < kb ? -1 : 1;
    return bytes;   /* same high surrogate: the low ones follow cp order */
}

int bj_val_less(const bj_val *a, const bj_val *b, bj_scratch *scratch)
{
    bool sa = a->t == BJ_T_STR || is_object(a), sb = b->t == BJ_T_STR || is_object(b);
    if (sa && sb) {   /* ToPrimitive gives two strings */
        const char *x, *y;
        size_t xn, yn;
        if (!bj_val_to_string(a, scratch, &x, &xn) || !bj_val_to_string(b, scratch, &y, &yn))
            return -2;
        return utf16_cmp(x, xn, y, yn) < 0;
    }
    double x = bj_val_to_number(a), y = bj_val_to_number(b);
    if (isnan(x) || isnan(y))
        return -1;
    return x < y;
}

/* The member of object o named key, or NULL; tries index hint first since
 * equal objects usually list their keys in the same order. */
static const bj_member *find_member(const bj_node *o, const bj_member *key, uint32_t hint)
{
    for (uint32_t k = 0; k < o->u.o.n; k++) {
        const bj_member *m = &o->u.o.v[(hint + k) % o->u.o.n];
        if (m->hash == key->hash && m->klen == key->klen &&
            memcmp(m->key, key->key, key->klen) == 0)
            return m;
    }
    return NULL;
}

bool bj_node_deep_equal(const bj_node *a, const bj_node *b)
{
    bj_vt ta = a ? a->t : BJ_T_UNDEF, tb = b ? b->t : BJ_T_UNDEF;
    if (ta != tb)
        return false;
    switch (ta) {
    case BJ_T_UNDEF:
    case BJ_T_NULL: return true;
    case BJ_T_BOOL: return a->u.b == b->u.b;
    case BJ_T_NUM: return a->u.n == b->u.n;
    case BJ_T_STR:
        return a->u.s.len == b->u.s.len && memcmp(a->u.s.p, b->u.s.p, a->u.s.len) == 0;
    case BJ_T_ARR:
        if (a->u.a.n != b->u.a.n)
            return false;
        for (uint32_t i = 0; i < a->u.a.n; i++)
            if (!bj_node_deep_equal(a->u.a.v[i], b->u.a.v[i]))
                return false;
        return true;
    case BJ_T_OBJ:
        if (a->u.o.n != b->u.o.n)
            return false;
        for (uint32_t i = 0; i < a->u.o.n; i++) {
            const bj_member *m = find_member(b, &a->u.o.v[i], i);
            if (!m || !bj_node_deep_equal(a->u.o.v[i].val, m->val))
                return false;
        }
        return true;
    }
    return false;
}

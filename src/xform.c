/* xform.c: binding transforms, the JavaScript subset of semantics section 4.
 *
 * Pipeline: source -> lexer (one token at a time, on demand) -> recursive
 * descent parser (precedence climbing for the binary operators) building
 * xf_node trees in a temporary arena; every load-time check (names,
 * methods, argument counts, nesting) happens while parsing -> the tree is
 * packed into one block -> the evaluator, a recursive switch over it.
 *
 * Grammar (JavaScript's, restricted; whitespace and comments anywhere):
 *   program := NAME '=>' body | '(' NAME ','? ')' '=>' body
 *            | 'function' NAME? '(' NAME ','? ')' block
 *   body    := block | expr          block := '{' 'return' expr? ';'? '}'
 *   expr    := short ('?' expr ':' expr)?
 *   short   := bin ('??' bin)+ | and ('||' and)*   (?? never mixes with && ||)
 *   and     := bin ('&&' bin)*
 *   bin     := unary (OP unary)*    OP by precedence: * / %  >  + -  >
 *                                   < <= > >=  >  === !== == !=
 *   unary   := ('-' | '+' | '!') unary | postfix
 *   postfix := primary ('.' NAME ('(' args ')')?)*
 *   primary := NUM | STR | TEMPLATE | '(' expr ')' | the parameter | true
 *            | false | null | undefined | (String|Number|Boolean) '(' args ')'
 *            | 'Math' '.' NAME '(' args ')'
 *
 * Invariants:
 * - A parse error longjmps (as Lua's parser does) out to parse_guarded.
 *   Everything allocated until then lives in the parser's arena, which
 *   xf_compile frees whatever happened, so no failure leaks.
 * - Tree depth and parser recursion are both at most XF_MAX_DEPTH, so
 *   neither the parser, the evaluator nor the JIT walking a tree can run
 *   out of stack on hostile input.
 * - A program is one bj_malloc block (header, nodes, strings, source) and
 *   nothing in it changes after xf_compile returns.
 * - Evaluation allocates only from the scratch arena, and never for a
 *   number or boolean result. Result strings are NUL-terminated.
 * - Error columns count bytes from the start of the source, 1-based (a
 *   transform is one line; a multi-line one is counted across its lines).
 *
 * Known deviations from JavaScript: strings are UTF-8, so a lone
 * surrogate (an escape such as '\uD800', or a slice or padStart cut
 * through a surrogate pair) becomes U+FFFD; properties come from own
 * members only (s.toUpperCase uncalled or o.constructor is undefined, not
 * a function); identifiers are ASCII; legacy octal literals and escapes,
 * which sloppy-mode JavaScript accepts, are rejected.
 * Methods follow JavaScript's prototypes: slice and includes also work on
 * arrays (Array.prototype), toString on every non-nullish value, the other
 * string methods only on strings, toFixed only on numbers.
 */
#include "xform.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bindjit.h"

#define XF_MAX_DEPTH 256
/* V8's String::kMaxLength in UTF-16 units: longer results throw a
 * RangeError ("Invalid string length") there, so they do here. */
#define XF_MAX_STRING 536870888u
#define XF_NOINLINE __attribute__((noinline))
#define COUNT(a) (sizeof (a) / sizeof *(a))

/* ==== lexer ============================================================== */

typedef enum tk {
    TK_EOF, TK_NUM, TK_STR, TK_TPL, TK_NAME,
    TK_LP, TK_RP, TK_LC, TK_RC, TK_COMMA, TK_SEMI, TK_DOT, TK_QUEST, TK_COLON,
    TK_ARROW, TK_NULLISH, TK_AND, TK_OR, TK_NOT,
    TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_PERCENT,
    TK_LT, TK_LE, TK_GT, TK_GE, TK_SEQ, TK_SNE, TK_EQ, TK_NE,
    TK_OTHER,   /* a JavaScript punctuator outside the subset */
} tk;

typedef struct token {
    tk kind;
    size_t pos, end;       /* source span [pos, end) */
    bool nl_before;        /* a line terminator precedes it (for ASI) */
    bool tpl_more;         /* TK_TPL: the part ends with "${", not "`" */
    double num;            /* TK_NUM */
    const char *str;       /* TK_STR, TK_TPL: cooked value, in the arena */
    size_t len;
} token;

/* A tree node while parsing: depth is the height of its subtree. */
typedef struct pnode {
    xf_node n;
    int depth;
} pnode;

typedef struct parser {
    const char *src;
    size_t len;
    size_t pos;            /* lexer position: the end of tok */
    token tok;             /* the current token */
    bj_scratch arena;      /* tokens' strings and the tree, freed at the end */
    const char *param;     /* the parameter's name */
    size_t param_len;
    int nest;              /* parser recursion depth */
    xf_error *err;
    int rc;                /* BJ_ETRANSFORM or BJ_ENOMEM after a longjmp */
    jmp_buf jb;
} parser;

struct xf_program {
    const xf_node *body;
    const char *src;       /* NUL-terminated copy of the source */
    size_t len;
};

static const char *const reserved_words[] = {
    "await", "break", "case", "catch", "class", "const", "continue",
    "debugger", "default", "delete", "do", "else", "enum", "export",
    "extends", "false", "finally", "for", "function", "if", "implements",
    "import", "in", "instanceof", "interface", "let", "new", "null",
    "package", "private", "protected", "public", "return", "static",
    "super", "switch", "this", "throw", "true", "try", "typeof", "var",
    "void", "while", "with", "yield",
};

/* Longest first, so the first match is the token. */
static const struct punct { const char *s; tk kind; } puncts[] = {
    {">>>=", TK_OTHER}, {"...", TK_OTHER}, {"===", TK_SEQ}, {"!==", TK_SNE},
    {"**=", TK_OTHER}, {"<<=", TK_OTHER}, {">>=", TK_OTHER}, {">>>", TK_OTHER},
    {"&&=", TK_OTHER}, {"||=", TK_OTHER}, {"?\?=", TK_OTHER},
    {"=>", TK_ARROW}, {"==", TK_EQ}, {"!=", TK_NE}, {"<=", TK_LE}, {">=", TK_GE},
    {"&&", TK_AND}, {"||", TK_OR}, {"??", TK_NULLISH}, {"?.", TK_OTHER},
    {"++", TK_OTHER}, {"--", TK_OTHER}, {"+=", TK_OTHER}, {"-=", TK_OTHER},
    {"*=", TK_OTHER}, {"/=", TK_OTHER}, {"%=", TK_OTHER}, {"&=", TK_OTHER},
    {"|=", TK_OTHER}, {"^=", TK_OTHER}, {"**", TK_OTHER}, {"<<", TK_OTHER},
    {">>", TK_OTHER},
    {"(", TK_LP}, {")", TK_RP}, {"{", TK_LC}, {"}", TK_RC}, {"[", TK_OTHER},
    {"]", TK_OTHER}, {";", TK_SEMI}, {",", TK_COMMA}, {"<", TK_LT}, {">", TK_GT},
    {"+", TK_PLUS}, {"-", TK_MINUS}, {"*", TK_STAR}, {"/", TK_SLASH},
    {"%", TK_PERCENT}, {"&", TK_OTHER}, {"|", TK_OTHER}, {"^", TK_OTHER},
    {"!", TK_NOT}, {"~", TK_OTHER}, {"?", TK_QUEST}, {":", TK_COLON},
    {"=", TK_OTHER}, {".", TK_DOT}, {"@", TK_OTHER}, {"#", TK_OTHER},
};

/* Stops parsing with a message about the text at byte offset pos. */
static _Noreturn void fail(parser *P, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static _Noreturn void fail(parser *P, size_t pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(P->err->message, sizeof P->err->message, fmt, ap);
    va_end(ap);
    P->err->column = (int)pos + 1;
    P->rc = BJ_ETRANSFORM;
    longjmp(P->jb, 1);
}

/* Stops parsing after an allocation failure. */
static _Noreturn void fail_nomem(parser *P)
{
    snprintf(P->err->message, sizeof P->err->message, "out of memory");
    P->err->column = 0;
    P->rc = BJ_ENOMEM;
    longjmp(P->jb, 1);
}

/* n bytes from the parser's arena; never NULL. */
static void *palloc(parser *P, size_t n)
{
    void *p = bj_scratch_alloc(&P->arena, n ? n : 1);
    if (!p)
        fail_nomem(P);
    return p;
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_ident_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
static bool is_ident_part(int c) { return is_ident_start(c) || is_digit(c); }

/* Value of hex digit c, or -1. */
static int hex_val(int c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Byte at i, or 0 past the end. */
static unsigned char at(const parser *P, size_t i)
{
    return i < P->len ? (unsigned char)P->src[i] : 0;
}

/* Length of the line terminator at i (LF, CR, U+2028, U+2029), or 0. */
static size_t newline_len(const parser *P, size_t i)
{
    unsigned char c = at(P, i);
    if (c == '\n' || c == '\r')
        return 1;
    if (c == 0xE2 && at(P, i + 1) == 0x80 && (at(P, i + 2) == 0xA8 || at(P, i + 2) == 0xA9))
        return 3;
    return 0;
}

/* Length of the JavaScript white space (not a line terminator) at i, or 0:
 * TAB VT FF SP, NBSP, U+FEFF and the Zs category. */
static size_t space_len(const parser *P, size_t i)
{
    unsigned char c = at(P, i), c1 = at(P, i + 1), c2 = at(P, i + 2);
    if (c == ' ' || c == '\t' || c == '\v' || c == '\f')
        return 1;
    if (c == 0xC2 && c1 == 0xA0)
        return 2;
    if ((c == 0xE1 && c1 == 0x9A && c2 == 0x80) || (c == 0xE3 && c1 == 0x80 && c2 == 0x80) ||
        (c == 0xE2 && c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xAF)) ||
        (c == 0xE2 && c1 == 0x81 && c2 == 0x9F) || (c == 0xEF && c1 == 0xBB && c2 == 0xBF))
        return 3;
    return 0;
}

/* Skips a comment starting at i (a '/' followed by '/' or '*'); returns
 * its end and sets *nl when it holds a line terminator. */
static size_t skip_comment(parser *P, size_t i, bool *nl)
{
    bool block = at(P, i + 1) == '*';
    size_t j = i + 2;
    for (;;) {
        if (j >= P->len) {
            if (block)
                fail(P, i, "unterminated comment");
            return j;
        }
        size_t k = newline_len(P, j);
        if (k && !block)
            return j;
        if (k)
            *nl = true;
        if (block && P->src[j] == '*' && at(P, j + 1) == '/')
            return j + 2;
        j += k ? k : 1;
    }
}

/* The offset of the next token at or after i; *nl tells whether a line
 * terminator was skipped. */
static size_t skip_space(parser *P, size_t i, bool *nl)
{
    for (;;) {
        size_t k = space_len(P, i);
        if (!k && (k = newline_len(P, i)) != 0)
            *nl = true;
        if (!k && at(P, i) == '/' && (at(P, i + 1) == '/' || at(P, i + 1) == '*')) {
            i = skip_comment(P, i, nl);
            continue;
        }
        if (!k)
            return i;
        i += k;
    }
}

/* Scans a numeric literal at t->pos (validated here, converted by
 * StringToNumber, whose grammar includes every literal accepted). */
static void lex_number(parser *P, token *t)
{
    size_t i = t->pos, j = i;
    int c1 = at(P, i + 1) | 0x20;
    if (at(P, i) == '0' && (c1 == 'x' || c1 == 'o' || c1 == 'b')) {
        int radix = c1 == 'x' ? 16 : c1 == 'o' ? 8 : 2;
        for (j = i + 2; j < P->len && hex_val(at(P, j)) >= 0 && hex_val(at(P, j)) < radix; j++)
            ;
        if (j == i + 2)
            fail(P, i, "invalid number literal");
    } else {
        if (at(P, i) == '0' && is_digit(at(P, i + 1)))
            fail(P, i, "numbers with a leading zero (legacy octal) are not supported");
        while (is_digit(at(P, j)))
            j++;
        if (at(P, j) == '.')
            for (j++; is_digit(at(P, j)); j++)
                ;
        if ((at(P, j) | 0x20) == 'e') {
            size_t e = j + 1 + (at(P, j + 1) == '+' || at(P, j + 1) == '-');
            if (!is_digit(at(P, e)))
                fail(P, j, "invalid exponent in number literal");
            for (j = e; is_digit(at(P, j)); j++)
                ;
        }
    }
    if (is_ident_part(at(P, j)) || at(P, j) == '\\')
        fail(P, j, "identifier starts immediately after a number");
    t->kind = TK_NUM;
    t->end = j;
    t->num = bj_str_to_num(P->src + i, j - i);
}

/* Appends code point cp as UTF-8 at p; returns the bytes written. */
static size_t utf8_put(uint32_t cp, char *p)
{
    if (cp >= 0xD800 && cp <= 0xDFFF)
        cp = 0xFFFD;   /* a lone surrogate: UTF-8 cannot hold it */
    return bj_utf8_encode(cp, p);
}

/* Reads `ndig` hex digits at *i (advancing); fails at esc otherwise. */
static uint32_t read_hex(parser *P, size_t *i, int ndig, size_t esc)
{
    uint32_t v = 0;
    for (int k = 0; k < ndig; k++, (*i)++) {
        int h = hex_val(at(P, *i));
        if (h < 0)
            fail(P, esc, "invalid escape sequence");
        v = v * 16 + (uint32_t)h;
    }
    return v;
}

/* Reads the "uHHHH" or "u{H...}" of a \u escape at *i (the 'u'). */
static uint32_t read_u_escape(parser *P, size_t *i, size_t esc)
{
    (*i)++;
    if (at(P, *i) != '{')
        return read_hex(P, i, 4, esc);
    uint32_t v = 0;
    size_t start = ++*i;
    for (int h; (h = hex_val(at(P, *i))) >= 0; (*i)++) {
        v = v * 16 + (uint32_t)h;
        if (v > 0x10FFFF)
            fail(P, esc, "code point out of range in escape");
    }
    if (*i == start || at(P, *i) != '}')
        fail(P, esc, "invalid escape sequence");
    (*i)++;
    return v;
}

/* Decodes a \u escape at *i (the 'u'), pairing a high surrogate with a low
 * one escaped right after it; writes UTF-8 at out, returns its length. */
static size_t cook_u_escape(parser *P, size_t *i, size_t esc, char *out)
{
    uint32_t cp = read_u_escape(P, i, esc);
    if (cp >= 0xD800 && cp <= 0xDBFF && at(P, *i) == '\\' && at(P, *i + 1) == 'u') {
        size_t j = *i + 1;
        uint32_t lo = read_u_escape(P, &j, *i);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            *i = j;
        }
    }
    return utf8_put(cp, out);
}

/* Decodes the escape sequence whose backslash is at *i, advancing *i past
 * it; writes its UTF-8 at out and returns the length (0 for a line
 * continuation). */
static size_t cook_escape(parser *P, size_t *i, char *out)
{
    size_t esc = *i, k;
    unsigned char c = at(P, ++*i);
    if ((k = newline_len(P, *i)) != 0) {
        *i += k + (c == '\r' && at(P, *i + 1) == '\n');
        return 0;
    }
    static const char from[] = "ntrbfv", to[] = "\n\t\r\b\f\v";
    const char *hit = c ? strchr(from, c) : NULL;
    if (c == 'u')
        return cook_u_escape(P, i, esc, out);
    (*i)++;
    if (hit) {
        out[0] = to[hit - from];
        return 1;
    }
    if (c == 'x')
        return utf8_put(read_hex(P, i, 2, esc), out);
    if (c == '0' && !is_digit(at(P, *i))) {
        out[0] = '\0';
        return 1;
    }
    if (is_digit(c))
        fail(P, esc, "octal escape sequences are not supported");
    out[0] = (char)c;   /* \' \" \\ \` \$ and any other character */
    return 1;
}

/* Cooks src[from..to) of a string (tpl false) or template part into the
 * arena, resolving escapes (and, in templates, CR LF and CR to LF). */
static void cook(parser *P, size_t from, size_t to, bool tpl, token *t)
{
    char *out = palloc(P, to - from + 1);
    size_t o = 0;
    for (size_t i = from; i < to;) {
        unsigned char c = at(P, i);
        if (c == '\\') {
            o += cook_escape(P, &i, out + o);
        } else if (tpl && c == '\r') {
            out[o++] = '\n';
            i += 1 + (at(P, i + 1) == '\n');
        } else {
            out[o++] = (char)c;
            i++;
        }
    }
    out[o] = '\0';
    t->str = out;
    t->len = o;
}

/* Scans a '...' or "..." literal at t->pos. */
static void lex_string(parser *P, token *t)
{
    unsigned char q = at(P, t->pos);
    size_t i = t->pos + 1;
    for (;;) {
        unsigned char c = at(P, i);
        if (i >= P->len || c == '\n' || c == '\r')
            fail(P, t->pos, "unterminated string literal");
        if (c == q)
            break;
        if (c == '\\')
            i += 1 + (at(P, i + 1) == '\r' && at(P, i + 2) == '\n');
        i++;
    }
    cook(P, t->pos + 1, i, false, t);
    t->kind = TK_STR;
    t->end = i + 1;
}

/* Scans a template part starting at `from` (after "`" or "}") up to "${"
 * or "`"; the token is placed at t->pos. */
static void lex_template(parser *P, size_t from, token *t)
{
    size_t i = from;
    for (;;) {
        unsigned char c = at(P, i);
        if (i >= P->len)
            fail(P, t->pos, "unterminated template literal");
        if (c == '`' || (c == '$' && at(P, i + 1) == '{'))
            break;
        i += c == '\\' ? 2 : 1;
    }
    cook(P, from, i, true, t);
    t->kind = TK_TPL;
    t->tpl_more = at(P, i) == '$';
    t->end = i + (t->tpl_more ? 2 : 1);
}

/* Scans a punctuator at t->pos. */
static void lex_punct(parser *P, token *t)
{
    const char *s = P->src + t->pos;
    size_t left = P->len - t->pos;
    for (size_t k = 0; k < COUNT(puncts); k++) {
        size_t n = strlen(puncts[k].s);
        if (n > left || memcmp(s, puncts[k].s, n) != 0)
            continue;
        if (puncts[k].s[0] == '?' && puncts[k].s[1] == '.' && is_digit(at(P, t->pos + 2)))
            continue;   /* a ?.5 : b is a conditional */
        t->kind = puncts[k].kind;
        t->end = t->pos + n;
        return;
    }
    unsigned char c = (unsigned char)s[0];
    if (c >= 0x20 && c < 0x7F)
        fail(P, t->pos, "unexpected character '%c'", c);
    fail(P, t->pos, "unexpected character (byte 0x%02X)", c);
}

/* Advances to the next token. */
static void next(parser *P)
{
    token t = {0};
    t.pos = skip_space(P, P->pos, &t.nl_before);
    unsigned char c = at(P, t.pos);
    if (t.pos >= P->len) {
        t.kind = TK_EOF;
        t.end = t.pos;
    } else if (is_digit(c) || (c == '.' && is_digit(at(P, t.pos + 1)))) {
        lex_number(P, &t);
    } else if (is_ident_start(c)) {
        for (t.end = t.pos; is_ident_part(at(P, t.end)); t.end++)
            ;
        t.kind = TK_NAME;
    } else if (c == '\'' || c == '"') {
        lex_string(P, &t);
    } else if (c == '`') {
        lex_template(P, t.pos + 1, &t);
    } else {
        lex_punct(P, &t);
    }
    P->tok = t;
    P->pos = t.end;
}

/* ==== parser: helpers ====================================================== */

/* Whether the current token is the name s. */
static bool tok_is(const parser *P, const char *s)
{
    size_t n = strlen(s);
    return P->tok.kind == TK_NAME && P->tok.end - P->tok.pos == n &&
           memcmp(P->src + P->tok.pos, s, n) == 0;
}

/* Whether the current token is a reserved word. */
static bool tok_reserved(const parser *P)
{
    for (size_t i = 0; i < COUNT(reserved_words); i++)
        if (tok_is(P, reserved_words[i]))
            return true;
    return false;
}

/* Length of the current token's text, capped for messages. */
static int tok_len(const parser *P)
{
    size_t n = P->tok.end - P->tok.pos;
    return n > 40 ? 40 : (int)n;
}

/* Fails on a punctuator outside the subset, with a message naming it. */
static _Noreturn void fail_other(parser *P)
{
    const char *s = P->src + P->tok.pos;
    size_t n = P->tok.end - P->tok.pos;
    if (n == 2 && s[0] == '?' && s[1] == '.')
        fail(P, P->tok.pos, "optional chaining '?.' is not supported");
    if (s[n - 1] == '=')
        fail(P, P->tok.pos, "assignment is not supported");
    if (s[0] == '[')
        fail(P, P->tok.pos, "'[' is not supported (no arrays or computed members)");
    if (n == 2 && (s[0] == '+' || s[0] == '-'))
        fail(P, P->tok.pos, "increment and decrement are not supported");
    if (s[0] == '.' && n == 3)
        fail(P, P->tok.pos, "spread '...' is not supported");
    fail(P, P->tok.pos, "unsupported operator '%.*s'", (int)n, s);
}

/* Fails on the current token, which nothing in the grammar accepts here. */
static _Noreturn void fail_unexpected(parser *P)
{
    if (P->tok.kind == TK_OTHER)
        fail_other(P);
    if (P->tok.kind == TK_EOF)
        fail(P, P->tok.pos, "unexpected end of transform");
    if (tok_is(P, "in") || tok_is(P, "instanceof"))
        fail(P, P->tok.pos, "unsupported operator '%.*s'", tok_len(P), P->src + P->tok.pos);
    if (P->tok.kind == TK_STR || P->tok.kind == TK_TPL)
        fail(P, P->tok.pos, "unexpected string");
    fail(P, P->tok.pos, "unexpected '%.*s'", tok_len(P), P->src + P->tok.pos);
}

/* Requires a token of kind k (described by what); does not advance. */
static void expect(parser *P, tk k, const char *what)
{
    if (P->tok.kind == k)
        return;
    if (P->tok.kind == TK_OTHER)
        fail_other(P);
    fail(P, P->tok.pos, "expected %s", what);
}

/* Enters one level of parser recursion. */
static void enter(parser *P)
{
    if (++P->nest > XF_MAX_DEPTH)
        fail(P, P->tok.pos, "expression nested too deeply (limit %d)", XF_MAX_DEPTH);
}

/* A node with room for nkids kids (filled by the caller, then finish()). */
static xf_node *new_node(parser *P, xf_kind kind, size_t pos, size_t nkids)
{
    pnode *pn = palloc(P, sizeof *pn);
    memset(pn, 0, sizeof *pn);
    pn->n.kind = kind;
    pn->n.column = (int)pos + 1;
    pn->n.nkids = nkids;
    pn->n.kids = nkids ? palloc(P, nkids * sizeof *pn->n.kids) : NULL;
    pn->depth = 1;
    return &pn->n;
}

/* Computes n's depth from its kids and enforces XF_MAX_DEPTH. */
static xf_node *finish(parser *P, xf_node *n)
{
    pnode *pn = (pnode *)n;
    for (size_t i = 0; i < n->nkids; i++) {
        int d = ((const pnode *)n->kids[i])->depth + 1;
        if (d > pn->depth)
            pn->depth = d;
    }
    if (pn->depth > XF_MAX_DEPTH)
        fail(P, (size_t)n->column - 1, "expression nested too deeply (limit %d)", XF_MAX_DEPTH);
    return n;
}

/* A node with one or two kids. */
static xf_node *node1(parser *P, xf_kind kind, size_t pos, xf_node *a)
{
    xf_node *n = new_node(P, kind, pos, 1);
    n->kids[0] = a;
    return finish(P, n);
}

static xf_node *node2(parser *P, xf_kind kind, size_t pos, xf_node *a, xf_node *b)
{
    xf_node *n = new_node(P, kind, pos, 2);
    n->kids[0] = a;
    n->kids[1] = b;
    return finish(P, n);
}

/* A leaf holding bytes s[0..len) (XF_STR, XF_MEMBER). */
static xf_node *str_node(parser *P, xf_kind kind, size_t pos, const char *s, size_t len)
{
    xf_node *n = new_node(P, kind, pos, 0);
    n->str = s;
    n->len = len;
    return n;
}

/* A growable list of nodes in the arena. */
typedef struct kidvec {
    xf_node **v;
    size_t n, cap;
} kidvec;

static void vec_push(parser *P, kidvec *kv, xf_node *x)
{
    if (kv->n == kv->cap) {
        size_t cap = kv->cap ? kv->cap * 2 : 4;
        xf_node **v = palloc(P, cap * sizeof *v);
        if (kv->n)
            memcpy(v, kv->v, kv->n * sizeof *v);
        kv->v = v;
        kv->cap = cap;
    }
    kv->v[kv->n++] = x;
}

/* A node whose kids are `first` (if not NULL) then kv's. */
static xf_node *vec_node(parser *P, xf_kind kind, size_t pos, xf_node *first, const kidvec *kv)
{
    size_t k = first != NULL;
    xf_node *n = new_node(P, kind, pos, k + kv->n);
    if (first)
        n->kids[0] = first;
    if (kv->n)
        memcpy(n->kids + k, kv->v, kv->n * sizeof *kv->v);
    return finish(P, n);
}

/* ==== parser: expressions ================================================ */

static xf_node *parse_expr(parser *P);

/* Parses "(" args ")" with tok at "(" (a trailing comma is allowed). */
static void parse_args(parser *P, kidvec *kv)
{
    next(P);
    while (P->tok.kind != TK_RP) {
        vec_push(P, kv, parse_expr(P));
        if (P->tok.kind == TK_COMMA)
            next(P);
        else
            expect(P, TK_RP, "')'");
    }
    next(P);
}

/* Fails unless min <= n <= max (max < 0: no upper bound). */
static void check_argc(parser *P, size_t pos, const char *name, size_t n, int min, int max)
{
    if (n >= (size_t)min && (max < 0 || n <= (size_t)max))
        return;
    if (max < 0)
        fail(P, pos, "'%s' takes at least %d argument%s", name, min, min == 1 ? "" : "s");
    if (max == 0)
        fail(P, pos, "'%s' takes no arguments", name);
    if (min == max)
        fail(P, pos, "'%s' takes %d argument%s", name, min, min == 1 ? "" : "s");
    if (min == 0)
        fail(P, pos, "'%s' takes at most %d argument%s", name, max, max == 1 ? "" : "s");
    fail(P, pos, "'%s' takes %d to %d arguments", name, min, max);
}

static const struct callee {
    const char *name;
    xf_kind kind;
    int min, max;          /* argument counts (max -1: any) */
} methods[] = {
    {"toFixed", XF_M_TOFIXED, 0, 1},      {"toString", XF_M_TOSTRING, 0, 0},
    {"toUpperCase", XF_M_TOUPPER, 0, 0},  {"toLowerCase", XF_M_TOLOWER, 0, 0},
    {"trim", XF_M_TRIM, 0, 0},            {"slice", XF_M_SLICE, 0, 2},
    {"padStart", XF_M_PADSTART, 1, 2},    {"includes", XF_M_INCLUDES, 1, 1},
    {"startsWith", XF_M_STARTSWITH, 1, 1},
}, math_fns[] = {
    {"round", XF_MATH_ROUND, 1, 1}, {"floor", XF_MATH_FLOOR, 1, 1},
    {"ceil", XF_MATH_CEIL, 1, 1},   {"abs", XF_MATH_ABS, 1, 1},
    {"min", XF_MATH_MIN, 0, -1},    {"max", XF_MATH_MAX, 0, -1},
    {"trunc", XF_MATH_TRUNC, 1, 1}, {"sign", XF_MATH_SIGN, 1, 1},
}, globals[] = {
    {"String", XF_CALL_STRING, 0, 1}, {"Number", XF_CALL_NUMBER, 0, 1},
    {"Boolean", XF_CALL_BOOLEAN, 0, 1},
};

/* The entry of table t[0..n) named s[0..len), or NULL. */
static const struct callee *find_callee(const struct callee *t, size_t n, const char *s,
                                        size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(t[i].name) == len && memcmp(t[i].name, s, len) == 0)
            return &t[i];
    return NULL;
}

/* The entry of table t named by the current token, or NULL. */
static const struct callee *tok_callee(const parser *P, const struct callee *t, size_t n)
{
    if (P->tok.kind != TK_NAME)
        return NULL;
    return find_callee(t, n, P->src + P->tok.pos, P->tok.end - P->tok.pos);
}

/* Parses the "(args)" of recv.name(args), the name at src[pos..pos+len)
 * and tok at "(". */
static xf_node *parse_method(parser *P, xf_node *recv, size_t pos, size_t len)
{
    const struct callee *c = find_callee(methods, COUNT(methods), P->src + pos, len);
    if (!c)
        fail(P, pos, "unsupported method '%.*s'", len > 40 ? 40 : (int)len, P->src + pos);
    kidvec kv = {0};
    parse_args(P, &kv);
    check_argc(P, pos, c->name, kv.n, c->min, c->max);
    return vec_node(P, c->kind, pos, recv, &kv);
}

/* Parses Math.f(args), tok at "Math". */
static xf_node *parse_math(parser *P)
{
    size_t pos = P->tok.pos;
    next(P);
    if (P->tok.kind != TK_DOT)
        fail(P, pos, "'Math' is only supported as Math.f(...)");
    next(P);
    if (P->tok.kind != TK_NAME)
        fail(P, P->tok.pos, "expected a Math function name");
    size_t fpos = P->tok.pos;
    const struct callee *c = tok_callee(P, math_fns, COUNT(math_fns));
    if (!c)
        fail(P, fpos, "unsupported Math member '%.*s'", tok_len(P), P->src + fpos);
    next(P);
    if (P->tok.kind != TK_LP)
        fail(P, fpos, "'Math.%s' must be called", c->name);
    kidvec kv = {0};
    parse_args(P, &kv);
    char name[24];
    snprintf(name, sizeof name, "Math.%s", c->name);
    check_argc(P, fpos, name, kv.n, c->min, c->max);
    return vec_node(P, c->kind, pos, NULL, &kv);
}

/* Parses String(E), Number(E) or Boolean(E), tok at the name. Without an
 * argument they are the constants "", 0 and false, and become those. */
static xf_node *parse_global_call(parser *P, const struct callee *c)
{
    size_t pos = P->tok.pos;
    next(P);
    if (P->tok.kind != TK_LP)
        fail(P, pos, "'%s' is only supported as a call", c->name);
    kidvec kv = {0};
    parse_args(P, &kv);
    check_argc(P, pos, c->name, kv.n, c->min, c->max);
    if (kv.n == 1)
        return vec_node(P, c->kind, pos, NULL, &kv);
    if (c->kind == XF_CALL_STRING)
        return str_node(P, XF_STR, pos, "", 0);
    if (c->kind == XF_CALL_BOOLEAN)
        return new_node(P, XF_FALSE, pos, 0);
    return new_node(P, XF_NUM, pos, 0);
}

/* Parses an identifier in an expression. */
static xf_node *parse_name(parser *P)
{
    size_t pos = P->tok.pos, n = P->tok.end - pos;
    static const struct { const char *s; xf_kind kind; } consts[] = {
        {"true", XF_TRUE}, {"false", XF_FALSE}, {"null", XF_NULL}, {"undefined", XF_UNDEF},
    };
    if (n == P->param_len && memcmp(P->src + pos, P->param, n) == 0) {
        next(P);
        return new_node(P, XF_PARAM, pos, 0);
    }
    for (size_t i = 0; i < COUNT(consts); i++) {
        if (tok_is(P, consts[i].s)) {
            next(P);
            return new_node(P, consts[i].kind, pos, 0);
        }
    }
    const struct callee *g = tok_callee(P, globals, COUNT(globals));
    if (g)
        return parse_global_call(P, g);
    if (tok_is(P, "Math"))
        return parse_math(P);
    if (tok_reserved(P))
        fail(P, pos, "unsupported keyword '%.*s'", tok_len(P), P->src + pos);
    fail(P, pos, "unknown identifier '%.*s'", tok_len(P), P->src + pos);
}

/* Parses a template literal, tok at its first part. Kids alternate
 * XF_STR parts (possibly empty) and expressions, first and last a part. */
static xf_node *parse_template(parser *P)
{
    size_t pos = P->tok.pos;
    kidvec kv = {0};
    vec_push(P, &kv, str_node(P, XF_STR, pos, P->tok.str, P->tok.len));
    while (P->tok.tpl_more) {
        next(P);
        vec_push(P, &kv, parse_expr(P));
        expect(P, TK_RC, "'}' closing '${'");
        token t = {0};
        t.pos = P->tok.pos;
        lex_template(P, P->tok.end, &t);
        P->tok = t;
        P->pos = t.end;
        vec_push(P, &kv, str_node(P, XF_STR, t.pos, t.str, t.len));
    }
    next(P);
    return vec_node(P, XF_TEMPLATE, pos, NULL, &kv);
}

/* Parses a primary expression. */
static xf_node *parse_primary(parser *P)
{
    size_t pos = P->tok.pos;
    xf_node *n;
    switch (P->tok.kind) {
    case TK_NUM:
        n = new_node(P, XF_NUM, pos, 0);
        n->num = P->tok.num;
        next(P);
        return n;
    case TK_STR:
        n = str_node(P, XF_STR, pos, P->tok.str, P->tok.len);
        next(P);
        return n;
    case TK_TPL:
        return parse_template(P);
    case TK_LP:
        next(P);
        n = parse_expr(P);
        expect(P, TK_RP, "')'");
        next(P);
        return n;
    case TK_NAME:
        return parse_name(P);
    case TK_SLASH:
        fail(P, pos, "regular expressions are not supported");
    case TK_LC:
        fail(P, pos, "object literals are not supported");
    default:
        fail_unexpected(P);
    }
}

/* Parses member accesses and method calls after a primary. */
static xf_node *parse_postfix(parser *P)
{
    xf_node *e = parse_primary(P);
    for (;;) {
        if (P->tok.kind == TK_LP)
            fail(P, P->tok.pos, "only String, Number, Boolean, Math functions and "
                                "string or number methods can be called");
        if (P->tok.kind == TK_TPL)
            fail(P, P->tok.pos, "tagged templates are not supported");
        if (P->tok.kind != TK_DOT)
            return e;
        next(P);
        if (P->tok.kind != TK_NAME)
            fail(P, P->tok.pos, "expected a property name after '.'");
        size_t pos = P->tok.pos, n = P->tok.end - pos;
        next(P);
        if (P->tok.kind == TK_LP) {
            e = parse_method(P, e, pos, n);
        } else {
            e = node1(P, XF_MEMBER, pos, e);
            e->str = P->src + pos;   /* the packer copies it out of the source */
            e->len = n;
        }
    }
}

/* Parses a unary expression. */
static xf_node *parse_unary(parser *P)
{
    xf_kind kind;
    switch (P->tok.kind) {
    case TK_MINUS: kind = XF_NEG; break;
    case TK_PLUS: kind = XF_PLUS; break;
    case TK_NOT: kind = XF_NOT; break;
    default: return parse_postfix(P);
    }
    size_t pos = P->tok.pos;
    next(P);
    enter(P);
    xf_node *e = node1(P, kind, pos, parse_unary(P));
    P->nest--;
    return e;
}

/* Precedence of binary operator k (0: not one) and its node kind. */
static int binop(tk k, xf_kind *kind)
{
    static const struct { tk t; xf_kind kind; int prec; } ops[] = {
        {TK_STAR, XF_MUL, 4}, {TK_SLASH, XF_DIV, 4}, {TK_PERCENT, XF_MOD, 4},
        {TK_PLUS, XF_ADD, 3}, {TK_MINUS, XF_SUB, 3},
        {TK_LT, XF_LT, 2}, {TK_LE, XF_LE, 2}, {TK_GT, XF_GT, 2}, {TK_GE, XF_GE, 2},
        {TK_SEQ, XF_SEQ, 1}, {TK_SNE, XF_SNE, 1}, {TK_EQ, XF_EQ, 1}, {TK_NE, XF_NE, 1},
    };
    for (size_t i = 0; i < COUNT(ops); i++) {
        if (ops[i].t == k) {
            *kind = ops[i].kind;
            return ops[i].prec;
        }
    }
    return 0;
}

/* Parses binary operators of precedence >= minprec (left-associative). */
static xf_node *parse_bin(parser *P, int minprec)
{
    xf_node *left = parse_unary(P);
    for (;;) {
        xf_kind kind;
        int prec = binop(P->tok.kind, &kind);
        if (prec == 0 || prec < minprec)
            return left;
        size_t pos = P->tok.pos;
        next(P);
        left = node2(P, kind, pos, left, parse_bin(P, prec + 1));
    }
}

/* Applies "&& bin" repeatedly to left. */
static xf_node *and_tail(parser *P, xf_node *left)
{
    while (P->tok.kind == TK_AND) {
        size_t pos = P->tok.pos;
        next(P);
        left = node2(P, XF_AND, pos, left, parse_bin(P, 1));
    }
    return left;
}

/* Fails on a '??' mixed with '&&' or '||' without parentheses. */
static _Noreturn void fail_mix(parser *P)
{
    fail(P, P->tok.pos, "'?\?' cannot be mixed with '&&' or '||' without parentheses");
}

/* Parses && || ?? (JavaScript's ShortCircuitExpression). */
static xf_node *parse_short(parser *P)
{
    xf_node *left = parse_bin(P, 1);
    if (P->tok.kind == TK_NULLISH) {
        while (P->tok.kind == TK_NULLISH) {
            size_t pos = P->tok.pos;
            next(P);
            left = node2(P, XF_NULLISH, pos, left, parse_bin(P, 1));
        }
        if (P->tok.kind == TK_AND || P->tok.kind == TK_OR)
            fail_mix(P);
        return left;
    }
    left = and_tail(P, left);
    while (P->tok.kind == TK_OR) {
        size_t pos = P->tok.pos;
        next(P);
        left = node2(P, XF_OR, pos, left, and_tail(P, parse_bin(P, 1)));
    }
    if (P->tok.kind == TK_NULLISH)
        fail_mix(P);
    return left;
}

/* Parses a conditional expression (the top of the expression grammar). */
static xf_node *parse_expr(parser *P)
{
    enter(P);
    xf_node *e = parse_short(P);
    if (P->tok.kind == TK_QUEST) {
        size_t pos = P->tok.pos;
        next(P);
        xf_node *c = new_node(P, XF_COND, pos, 3);
        c->kids[0] = e;
        c->kids[1] = parse_expr(P);
        expect(P, TK_COLON, "':'");
        next(P);
        c->kids[2] = parse_expr(P);
        e = finish(P, c);
    }
    P->nest--;
    return e;
}

/* ==== parser: the function forms ============================================ */

/* Parses the parameter name (tok at it) and records it. */
static void parse_param(parser *P)
{
    if (P->tok.kind != TK_NAME)
        fail(P, P->tok.pos, "expected one parameter name");
    if (tok_reserved(P))
        fail(P, P->tok.pos, "'%.*s' cannot be a parameter name", tok_len(P), P->src + P->tok.pos);
    P->param = P->src + P->tok.pos;
    P->param_len = P->tok.end - P->tok.pos;
    next(P);
}

/* Parses "(" NAME ","? ")" (tok at "("). */
static void parse_param_list(parser *P)
{
    expect(P, TK_LP, "'('");
    next(P);
    parse_param(P);
    if (P->tok.kind == TK_COMMA) {
        next(P);
        if (P->tok.kind != TK_RP)
            fail(P, P->tok.pos, "only one parameter is supported");
    }
    expect(P, TK_RP, "')'");
    next(P);
}

/* Parses "{ return E; }" (tok at "{"); `return;` gives undefined. */
static xf_node *parse_block(parser *P)
{
    next(P);
    if (!tok_is(P, "return"))
        fail(P, P->tok.pos, "a function body must be a single 'return E;'");
    size_t pos = P->tok.pos;
    next(P);
    xf_node *e;
    if (P->tok.kind == TK_SEMI || P->tok.kind == TK_RC || P->tok.nl_before)
        e = new_node(P, XF_UNDEF, pos, 0);   /* ASI: "return\nE" returns undefined */
    else
        e = parse_expr(P);
    if (P->tok.kind == TK_SEMI)
        next(P);
    if (P->tok.kind != TK_RC)
        fail(P, P->tok.pos, "expected '}' (a function body must be a single 'return E;')");
    next(P);
    return e;
}

/* Parses "function name? (x) { return E; }", tok at "function". */
static xf_node *parse_function(parser *P)
{
    next(P);
    if (P->tok.kind == TK_NAME) {
        if (tok_reserved(P))
            fail(P, P->tok.pos, "'%.*s' cannot be a function name", tok_len(P), P->src + P->tok.pos);
        next(P);
    }
    parse_param_list(P);
    expect(P, TK_LC, "'{'");
    return parse_block(P);
}

/* Parses "x => body" or "(x) => body". */
static xf_node *parse_arrow(parser *P)
{
    if (P->tok.kind == TK_LP)
        parse_param_list(P);
    else
        parse_param(P);
    expect(P, TK_ARROW, "'=>'");
    if (P->tok.nl_before)
        fail(P, P->tok.pos, "line break before '=>'");
    next(P);
    if (P->tok.kind == TK_LC)
        return parse_block(P);
    return parse_expr(P);
}

/* Parses a whole transform; returns its body. */
static xf_node *parse_program(parser *P)
{
    next(P);
    xf_node *body;
    if (tok_is(P, "function"))
        body = parse_function(P);
    else if (P->tok.kind == TK_LP || (P->tok.kind == TK_NAME && !tok_reserved(P)))
        body = parse_arrow(P);
    else
        fail(P, P->tok.pos, "expected a function: 'x => E', '(x) => E' or "
                            "'function (x) { return E; }'");
    if (P->tok.kind != TK_EOF)
        fail_unexpected(P);
    return body;
}

/* ==== packing: the tree into one block ======================================== */

/* n rounded up to the alignment of xf_node. */
static size_t node_align(size_t n)
{
    size_t a = _Alignof(xf_node);
    return (n + a - 1) / a * a;
}

/* Adds the bytes of n's subtree: nodes and kid arrays, and strings. */
static void pack_measure(const xf_node *n, size_t *nodes, size_t *strs)
{
    *nodes += sizeof *n + node_align(n->nkids * sizeof *n->kids);
    if (n->str)
        *strs += n->len + 1;
    for (size_t i = 0; i < n->nkids; i++)
        pack_measure(n->kids[i], nodes, strs);
}

/* Copies n's subtree, taking nodes at *nodes and strings at *strs. */
static xf_node *pack_copy(const xf_node *n, char **nodes, char **strs)
{
    xf_node *c = (xf_node *)(void *)*nodes;
    *nodes += sizeof *c;
    *c = *n;
    if (n->nkids) {
        c->kids = (xf_node **)(void *)*nodes;
        *nodes += node_align(n->nkids * sizeof *n->kids);
        for (size_t i = 0; i < n->nkids; i++)
            c->kids[i] = pack_copy(n->kids[i], nodes, strs);
    }
    if (n->str) {
        memcpy(*strs, n->str, n->len);
        (*strs)[n->len] = '\0';
        c->str = *strs;
        *strs += n->len + 1;
    }
    return c;
}

/* The program block for body: header, nodes, strings, then the source. */
static xf_program *pack(parser *P, bj_mem *m, const xf_node *body)
{
    size_t head = node_align(sizeof(xf_program)), nodes = 0, strs = 0;
    pack_measure(body, &nodes, &strs);
    xf_program *prog = bj_malloc(m, head + nodes + strs + P->len + 1);
    if (!prog)
        fail_nomem(P);
    char *np = (char *)prog + head, *sp = np + nodes;
    prog->body = pack_copy(body, &np, &sp);
    memcpy(sp, P->src, P->len);
    sp[P->len] = '\0';
    prog->src = sp;
    prog->len = P->len;
    return prog;
}

/* Parses and packs; the one place parse errors land (see the header). */
static int parse_guarded(parser *P, bj_mem *m, xf_program **out)
{
    if (setjmp(P->jb))
        return P->rc;
    const xf_node *body = parse_program(P);
    *out = pack(P, m, body);
    return 0;
}

int xf_compile(bj_mem *m, const char *src, size_t len, xf_program **out, xf_error *err)
{
    xf_error dummy;
    parser P;
    memset(&P, 0, sizeof P);
    P.src = src;
    P.len = len;
    P.err = err ? err : &dummy;
    P.err->column = 0;
    P.err->message[0] = '\0';
    *out = NULL;
    if (len > (size_t)XF_MAX_STRING) {
        snprintf(P.err->message, sizeof P.err->message, "transform too long");
        P.err->column = 1;
        return BJ_ETRANSFORM;
    }
    bj_scratch_init(&P.arena, m);
    int rc = parse_guarded(&P, m, out);
    bj_scratch_free(&P.arena);
    return rc;
}

void xf_free(bj_mem *m, xf_program *p)
{
    bj_free(m, p);
}

const char *xf_source(const xf_program *p)
{
    return p->src;
}

const xf_node *xf_body(const xf_program *p)
{
    return p->body;
}

/* ==== evaluator: helpers ====================================================== */

typedef struct ev_ctx {
    const bj_val *arg;
    bj_scratch *s;
} ev_ctx;

static int ev(const xf_node *n, const ev_ctx *x, bj_val *out);

static bool nullish(const bj_val *v) { return v->t == BJ_T_UNDEF || v->t == BJ_T_NULL; }

/* Whether ToPrimitive(v) is a string (strings, arrays, objects). */
static bool stringish(const bj_val *v)
{
    return v->t == BJ_T_STR || v->t == BJ_T_ARR || v->t == BJ_T_OBJ;
}

/* ToNumber, with numbers inline. */
static inline double num_of(const bj_val *v)
{
    return v->t == BJ_T_NUM ? v->u.n : bj_val_to_number(v);
}

/* ToIntegerOrInfinity(ToNumber(v)). */
static double int_of(const bj_val *v)
{
    double d = num_of(v);
    return isnan(d) ? 0.0 : trunc(d) + 0.0;   /* + 0.0 turns -0 into 0 */
}

/* Evaluates n and converts the result with ToNumber. */
static int ev_num(const xf_node *n, const ev_ctx *x, double *d)
{
    bj_val v;
    int rc = ev(n, x, &v);
    if (rc == 0)
        *d = num_of(&v);
    return rc;
}

/* Evaluates both kids of n. */
static int ev_pair(const xf_node *n, const ev_ctx *x, bj_val *a, bj_val *b)
{
    int rc = ev(n->kids[0], x, a);
    return rc ? rc : ev(n->kids[1], x, b);
}

/* Copies s[0..len) into scratch as a string value. */
static int str_copy(const ev_ctx *x, const char *s, size_t len, bj_val *out)
{
    char *p = bj_scratch_alloc(x->s, len + 1);
    if (!p)
        return -2;
    memcpy(p, s, len);
    p[len] = '\0';
    *out = bj_val_str(p, (uint32_t)len);
    return 0;
}

/* String(v) as a value. */
static int to_str_val(const bj_val *v, const ev_ctx *x, bj_val *out)
{
    if (v->t == BJ_T_STR) {
        *out = *v;
        return 0;
    }
    const char *s;
    size_t len;
    if (!bj_val_to_string(v, x->s, &s, &len))
        return -2;
    *out = bj_val_str(s, (uint32_t)len);
    return 0;
}

/* Evaluates n, which must give a string (anything else has none of the
 * string methods: a TypeError, -1). */
static int ev_str(const xf_node *n, const ev_ctx *x, bj_val *out)
{
    int rc = ev(n, x, out);
    return rc ? rc : out->t == BJ_T_STR ? 0 : -1;
}

/* recv.name for the member node n. */
static int member_get(const bj_val *recv, const xf_node *n, bj_val *out)
{
    bool is_length = n->len == 6 && memcmp(n->str, "length", 6) == 0;
    *out = bj_val_undef();
    switch (recv->t) {
    case BJ_T_UNDEF:
    case BJ_T_NULL: return -1;   /* TypeError: cannot read properties */
    case BJ_T_STR:
        if (is_length)
            *out = bj_val_num((double)bj_utf16_len(recv->u.s, recv->len));
        return 0;
    case BJ_T_ARR:
        if (is_length)
            *out = bj_val_num(recv->u.node->u.a.n);
        return 0;
    case BJ_T_OBJ: {
        /* A linear scan: transform objects are small sum-type variants. */
        const bj_node *o = recv->u.node;
        for (uint32_t i = 0; i < o->u.o.n; i++) {
            const bj_member *mb = &o->u.o.v[i];
            if (mb->klen == n->len && memcmp(mb->key, n->str, n->len) == 0) {
                *out = bj_val_of_node(mb->val);
                break;
            }
        }
        return 0;
    }
    default: return 0;   /* numbers and booleans: no own properties */
    }
}

/* ==== evaluator: string building ============================================== */

/* A string being concatenated: up to CAT_MAX pending pieces, plus a
 * prefix already copied into a scratch buffer that grows geometrically.
 * Joining the pieces into a fresh copy of the whole prefix every CAT_MAX
 * pieces made long templates quadratic in memory (1000 parts of a 100-byte
 * value: 8.2 MB of scratch for 100 KB of text); doubling keeps it linear. */
#define CAT_MAX 8
typedef struct cat {
    const char *p[CAT_MAX];
    size_t len[CAT_MAX];
    char num[CAT_MAX][BJ_NUMBUF];   /* the text of number pieces */
    unsigned numbits;               /* pieces that point into num */
    int k;
    char *buf;                      /* the prefix, in scratch; NULL when empty */
    size_t blen, bcap;
} cat;

static void cat_init(cat *c)
{
    c->k = 0;
    c->numbits = 0;
    c->buf = NULL;
    c->blen = c->bcap = 0;
}

/* UTF-16 length of prefix and pieces, or their byte count when that is
 * small enough to prove the limit holds. */
static size_t cat_units(const cat *c, size_t bytes)
{
    if (bytes <= XF_MAX_STRING)
        return bytes;   /* at most one unit per byte */
    size_t units = c->buf ? bj_utf16_len(c->buf, c->blen) : 0;
    for (int i = 0; i < c->k; i++)
        units += bj_utf16_len(c->p[i], c->len[i]);
    return units;
}

/* Moves the pieces to the end of the prefix buffer, growing it to at least
 * twice its size when they do not fit. -1: longer than JavaScript allows
 * (RangeError); -2: no memory. */
static int cat_flush(cat *c, const ev_ctx *x)
{
    size_t total = c->blen;
    for (int i = 0; i < c->k; i++)
        total += c->len[i];
    if (cat_units(c, total) > XF_MAX_STRING)
        return -1;
    if (total + 1 > c->bcap) {
        size_t cap = c->bcap * 2 > total + 1 ? c->bcap * 2 : total + 1;
        char *nb = bj_scratch_alloc(x->s, cap);
        if (!nb)
            return -2;
        if (c->blen)
            memcpy(nb, c->buf, c->blen);
        c->buf = nb;
        c->bcap = cap;
    }
    for (int i = 0; i < c->k; i++) {
        memcpy(c->buf + c->blen, c->p[i], c->len[i]);
        c->blen += c->len[i];
    }
    c->buf[c->blen] = '\0';
    c->k = 0;
    c->numbits = 0;
    return 0;
}

/* Appends String(v) as a piece. */
static int cat_put(cat *c, const ev_ctx *x, const bj_val *v)
{
    if (c->k == CAT_MAX) {
        int rc = cat_flush(c, x);
        if (rc)
            return rc;
    }
    const char *s;
    size_t len;
    if (v->t == BJ_T_NUM) {
        len = bj_num_to_str(v->u.n, c->num[c->k]);
        s = c->num[c->k];
        c->numbits |= 1u << c->k;
    } else if (v->t == BJ_T_STR) {
        s = v->u.s;
        len = v->len;
    } else if (!bj_val_to_string(v, x->s, &s, &len)) {
        return -2;
    }
    if (len == 0)
        return 0;
    c->p[c->k] = s;
    c->len[c->k++] = len;
    return 0;
}

/* The concatenation as a value: borrowed when it is one stable piece. */
static int cat_done(cat *c, const ev_ctx *x, bj_val *out)
{
    if (c->k == 0 && !c->buf) {
        *out = bj_val_str("", 0);
        return 0;
    }
    if (c->k == 1 && !c->buf && !(c->numbits & 1u)) {
        *out = bj_val_str(c->p[0], (uint32_t)c->len[0]);
        return 0;
    }
    int rc = cat_flush(c, x);
    if (rc)
        return rc;
    *out = bj_val_str(c->buf, (uint32_t)c->blen);
    return 0;
}

/* A template literal: its parts and String() of its substitutions. */
static XF_NOINLINE int ev_template(const xf_node *n, const ev_ctx *x, bj_val *out)
{
    cat c;
    cat_init(&c);
    for (size_t i = 0; i < n->nkids; i++) {
        bj_val v;
        int rc = ev(n->kids[i], x, &v);
        if (rc || (rc = cat_put(&c, x, &v)) != 0)
            return rc;
    }
    return cat_done(&c, x, out);
}

/* A chain a + b + c ... (left-deep XF_ADD nodes): numeric addition while
 * neither side is a string after ToPrimitive, then concatenation of
 * everything from there on, joined once. A chain is at most XF_MAX_DEPTH
 * deep, so all of it is taken in one call (evaluating a long chain's head
 * recursively would copy its growing prefix at every level). */
#define ADD_STACK 16
static XF_NOINLINE int ev_add(const xf_node *n, const ev_ctx *x, bj_val *out)
{
    const xf_node *stack_ops[ADD_STACK];
    const xf_node **ops = stack_ops;
    int k = 0, rc;
    size_t count = 1;
    for (const xf_node *m = n; m->kind == XF_ADD; m = m->kids[0])
        count++;
    /* Long chains take their operand list from scratch rather than the C
     * stack: nested chains recurse, and 2 KB frames would add up. */
    if (count > ADD_STACK && !(ops = bj_scratch_alloc(x->s, count * sizeof *ops)))
        return -2;
    for (; n->kind == XF_ADD; n = n->kids[0])
        ops[k++] = n->kids[1];
    ops[k] = n;   /* ops[k] is the leftmost operand, ops[0] the rightmost */
    bj_val acc, r;
    if ((rc = ev(ops[k], x, &acc)) != 0)
        return rc;
    int i = k - 1;
    for (; i >= 0 && !stringish(&acc); i--) {
        if ((rc = ev(ops[i], x, &r)) != 0)
            return rc;
        if (stringish(&r))
            break;
        acc = bj_val_num(num_of(&acc) + num_of(&r));
    }
    if (i < 0 && !stringish(&acc)) {
        *out = acc;
        return 0;
    }
    cat c;
    cat_init(&c);
    if ((rc = cat_put(&c, x, &acc)) != 0)
        return rc;
    if (!stringish(&acc)) {   /* the loop stopped at ops[i], a string r */
        if ((rc = cat_put(&c, x, &r)) != 0)
            return rc;
        i--;
    }
    for (; i >= 0; i--)
        if ((rc = ev(ops[i], x, &r)) != 0 || (rc = cat_put(&c, x, &r)) != 0)
            return rc;
    return cat_done(&c, x, out);
}

/* ==== evaluator: operators and builtins ======================================== */

/* < <= > >= (JavaScript's IsLessThan, with undefined as false). */
static int ev_compare(const xf_node *n, const ev_ctx *x, bj_val *out)
{
    bj_val a, b;
    int rc = ev_pair(n, x, &a, &b);
    if (rc)
        return rc;
    bool swap = n->kind == XF_GT || n->kind == XF_LE;
    bool negate = n->kind == XF_LE || n->kind == XF_GE;
    int r;
    if (a.t == BJ_T_NUM && b.t == BJ_T_NUM)
        r = isnan(a.u.n) || isnan(b.u.n) ? -1 : swap ? b.u.n < a.u.n : a.u.n < b.u.n;
    else
        r = swap ? bj_val_less(&b, &a, x->s) : bj_val_less(&a, &b, x->s);
    if (r == -2)
        return -2;
    *out = bj_val_bool(negate ? r == 0 : r == 1);
    return 0;
}

/* === !== == != */
static int ev_equal(const xf_node *n, const ev_ctx *x, bj_val *out)
{
    bj_val a, b;
    int rc = ev_pair(n, x, &a, &b);
    if (rc)
        return rc;
    bool strict = n->kind == XF_SEQ || n->kind == XF_SNE;
    bool eq = a.t == BJ_T_NUM && b.t == BJ_T_NUM ? a.u.n == b.u.n
              : strict ? bj_val_strict_eq(&a, &b) : bj_val_loose_eq(&a, &b);
    *out = bj_val_bool(n->kind == XF_SEQ || n->kind == XF_EQ ? eq : !eq);
    return 0;
}

/* * / % - */
static int ev_arith(const xf_node *n, const ev_ctx *x, bj_val *out)
{
    double a, b;
    int rc = ev_num(n->kids[0], x, &a);
    if (rc || (rc = ev_num(n->kids[1], x, &b)) != 0)
        return rc;
    switch (n->kind) {
    case XF_MUL: a *= b; break;
    case XF_DIV: a /= b; break;
    case XF_MOD: a = fmod(a, b); break;   /* C's fmod is JavaScript's % */
    default: a -= b; break;
    }
    *out = bj_val_num(a);
    return 0;
}

/* Math.round floor ceil abs trunc sign of d. */
static double math1(xf_kind k, double d)
{
    switch (k) {
    case XF_MATH_ROUND: return bj_math_round(d);
    case XF_MATH_FLOOR: return floor(d);
    case XF_MATH_CEIL: return ceil(d);
    case XF_MATH_ABS: return fabs(d);
    case XF_MATH_TRUNC: return trunc(d);
    default: return d > 0 ? 1.0 : d < 0 ? -1.0 : d;   /* NaN, 0 and -0 stay */
    }
}

/* Math.min / Math.max: NaN wins; -0 is below +0. */
static int ev_minmax(const xf_node *n, const ev_ctx *x, bj_val *out)
{
    bool max = n->kind == XF_MATH_MAX, nan = false;
    double r = max ? -INFINITY : INFINITY;
    for (size_t i = 0; i < n->nkids; i++) {
        double d;
        int rc = ev_num(n->kids[i], x, &d);
        if (rc)
            return rc;
        if (isnan(d))
            nan = true;
        else if (max ? (d > r || (d == r && !signbit(d))) : (d < r || (d == r && signbit(d))))
            r = d;
    }
    *out = bj_val_num(nan ? NAN : r);
    return 0;
}

/* E.toFixed(digits?): a number receiver, digits 0..100 (else RangeError). */
static XF_NOINLINE int ev_tofixed(const xf_node *n, const ev_ctx *x, bj_val *out)
{
    bj_val v, a = bj_val_undef();
    int rc = ev(n->kids[0], x, &v);
    if (rc || (n->nkids > 1 && (rc = ev(n->kids[1], x, &a)) != 0))
        return rc;
    if (v.t != BJ_T_NUM)
        return -1;
    double f = int_of(&a);
    if (!(f >= 0 && f <= 100))
        return -1;
    char buf[BJ_FIXEDBUF];
    size_t len = bj_num_to_fixed(v.u.n, (int)f, buf);
    return str_copy(x, buf, len, out);
}

/* E.toUpperCase() / E.toLowerCase(). The output is written straight into
 * scratch, sized for the worst case (ASCII maps 1:1; elsewhere a code
 * point grows at most threefold, U+0390 -> 3 code points); the bj_buf's
 * bj_mem refuses every allocation, so it never reallocates scratch memory. */
static XF_NOINLINE int ev_case(const xf_node *n, const ev_ctx *x, bj_val *out)
{
    bool upper = n->kind == XF_M_TOUPPER;
    bj_val v;
    int rc = ev_str(n->kids[0], x, &v);
    if (rc)
        return rc;
    bool ascii = true, same = true;
    for (uint32_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.u.s[i];
        ascii &= c < 0x80;
        same &= upper ? !(c >= 'a' && c <= 'z') : !(c >= 'A' && c <= 'Z');
    }
    if (ascii && same) {
        *out = v;
        return 0;
    }
    size_t cap = (ascii ? (size_t)v.len : (size_t)v.len * 3) + 1;
    bj_mem none = {0, 0, 0, 1};
    bj_buf b = {&none, bj_scratch_alloc(x->s, cap), 0, cap, false};
    if (!b.data)
        return -2;
    if (upper)
        bj_str_upper(v.u.s, v.len, &b);
    else
        bj_str_lower(v.u.s, v.len, &b);
    if (b.failed)
        return -2;
    b.data[b.len] = '\0';
    *out = bj_val_str(b.data, (uint32_t)b.len);
    return 0;
}

/* E.trim(): borrows the receiver when the trimmed text ends where it does. */
static int ev_trim(const xf_node *n, const ev_ctx *x, bj_val *out)
{
    bj_val v;
    int rc = ev_str(n->kids[0], x, &v);
    if (rc)
        return rc;
    size_t start, len;
    bj_str_trim(v.u.s, v.len, &start, &len);
    if (start + len == v.len) {
        *out = bj_val_str(v.u.s + start, (uint32_t)len);
        return 0;
    }
    return str_copy(x, v.u.s + start, len, out);
}

/* A cut of s[0..n) at UTF-16 index u: the byte offset of the code point
 * holding it, and whether u falls inside a surrogate pair there. */
static size_t cut_at(const char *s, size_t n, size_t u, size_t units, bool *half)
{
    *half = false;
    if (units == n)   /* one byte per unit: ASCII */
        return u;
    size_t off = bj_utf16_offset(s, n, u);
    if (off < n && bj_utf16_offset(s + off, n - off, 1) == 0)   /* a pair starts here */
        *half = bj_utf16_len(s, off) != u;
    return off;
}

/* Relative index per String.prototype.slice: negative from the end. */
static size_t rel_index(double d, size_t len)
{
    if (d < 0)
        return d + (double)len < 0 ? 0 : (size_t)(d + (double)len);
    return d > (double)len ? len : (size_t)d;
}

#define FFFD "\xEF\xBF\xBD"

/* s[from..to) in UTF-16 units, lone surrogate halves as U+FFFD. */
static int substring(const ev_ctx *x, const char *s, size_t n, size_t units, size_t from,
                     size_t to, bj_val *out)
{
    bool h1, h2;
    size_t a = cut_at(s, n, from, units, &h1), b = cut_at(s, n, to, units, &h2);
    if (h1)
        a += 4;   /* the low half of the pair becomes U+FFFD below */
    if (!h1 && !h2 && b == n) {
        *out = bj_val_str(s + a, (uint32_t)(n - a));
        return 0;
    }
    size_t len = b - a + 3 * h1 + 3 * h2;
    char *p = bj_scratch_alloc(x->s, len + 1);
    if (!p)
        return -2;
    char *q = p;
    if (h1) {
        memcpy(q, FFFD, 3);
        q += 3;
    }
    memcpy(q, s + a, b - a);
    q += b - a;
    if (h2) {
        memcpy(q, FFFD, 3);
        q += 3;
    }
    *q = '\0';
    *out = bj_val_str(p, (uint32_t)len);
    return 0;
}

/* Array.prototype.slice: a new array node in scratch that borrows the
 * receiver's item pointers (items are contiguous; the node owns nothing). */
static int array_slice(const bj_node *arr, size_t from, size_t to, const ev_ctx *x, bj_val *out)
{
    bj_node *r = bj_scratch_alloc(x->s, sizeof *r);
    if (!r)
        return -2;
    memset(r, 0, sizeof *r);
    r->t = BJ_T_ARR;
    if (from < to) {
        r->u.a.v = arr->u.a.v + from;
        r->u.a.n = (uint32_t)(to - from);
    }
    *out = bj_val_undef();
    out->t = BJ_T_ARR;
    out->u.node = r;
    return 0;
}

/* E.slice(start?, end?): strings in UTF-16 units, or arrays by item. */
static XF_NOINLINE int ev_slice(const xf_node *n, const ev_ctx *x, bj_val *out)
{
    bj_val v, a = bj_val_undef(), b = bj_val_undef();
    int rc = ev(n->kids[0], x, &v);
    if (rc || (n->nkids > 1 && (rc = ev(n->kids[1], x, &a)) != 0) ||
        (n->nkids > 2 && (rc = ev(n->kids[2], x, &b)) != 0))
        return rc;
    if (v.t != BJ_T_STR && v.t != BJ_T_ARR)
        return -1;   /* TypeError: not a function */
    size_t units = v.t == BJ_T_ARR ? v.u.node->u.a.n : bj_utf16_len(v.u.s, v.len);
    size_t from = rel_index(int_of(&a), units);
    size_t to = b.t == BJ_T_UNDEF ? units : rel_index(int_of(&b), units);
    if (v.t == BJ_T_ARR)
        return array_slice(v.u.node, from, to, x, out);
    if (from >= to) {
        *out = bj_val_str("", 0);
        return 0;
    }
    return substring(x, v.u.s, v.len, units, from, to, out);
}

/* Writes `units` UTF-16 units of fill repeated (fill has fu units, fn
 * bytes) at p, or only counts when p is NULL; returns the bytes. */
static size_t pad_fill(char *p, const char *fill, size_t fn, size_t fu, size_t units)
{
    size_t whole = units / fu, rest = units % fu, bytes = whole * fn;
    bool half = false;
    size_t cut = rest ? cut_at(fill, fn, rest, fu, &half) : 0;
    for (size_t i = 0; p && i < whole; i++)
        memcpy(p + i * fn, fill, fn);
    if (p)
        memcpy(p + bytes, fill, cut);
    bytes += cut;
    if (half && p)
        memcpy(p + bytes, FFFD, 3);
    return bytes + 3 * half;
}

/* E.padStart(length, fill?) in UTF-16 units. */
static XF_NOINLINE int ev_padstart(const xf_node *n, const ev_ctx *x, bj_val *out)
{
    bj_val v, a, f = bj_val_undef();
    int rc = ev_str(n->kids[0], x, &v);
    if (rc || (rc = ev(n->kids[1], x, &a)) != 0 ||
        (n->nkids > 2 && (rc = ev(n->kids[2], x, &f)) != 0))
        return rc;
    double want = int_of(&a);
    size_t units = bj_utf16_len(v.u.s, v.len);
    *out = v;
    if (want <= (double)units)
        return 0;
    if (f.t == BJ_T_UNDEF)
        f = bj_val_str(" ", 1);
    else if ((rc = to_str_val(&f, x, &f)) != 0)
        return rc;
    if (f.len == 0)
        return 0;
    if (want > XF_MAX_STRING)
        return -1;   /* RangeError: Invalid string length */
    size_t fu = bj_utf16_len(f.u.s, f.len), pad = (size_t)want - units;
    size_t pb = pad_fill(NULL, f.u.s, f.len, fu, pad);
    char *p = bj_scratch_alloc(x->s, pb + v.len + 1);
    if (!p)
        return -2;
    pad_fill(p, f.u.s, f.len, fu, pad);
    memcpy(p + pb, v.u.s, v.len + 1);
    *out = bj_val_str(p, (uint32_t)(pb + v.len));
    return 0;
}

/* Whether needle occurs in hay (bytes; for valid UTF-8 this is the UTF-16
 * answer, since UTF-8 never matches inside a code point). */
static bool contains(const char *hay, size_t hn, const char *needle, size_t nn)
{
    if (nn == 0)
        return true;
    for (const char *p = hay, *end = hay + hn; (size_t)(end - p) >= nn; p++) {
        p = memchr(p, needle[0], (size_t)(end - p) - nn + 1);
        if (!p)
            return false;
        if (memcmp(p, needle, nn) == 0)
            return true;
    }
    return false;
}

/* Array.prototype.includes: SameValueZero (=== except that NaN matches
 * NaN) against each item. */
static bool array_includes(const bj_node *arr, const bj_val *a)
{
    bool nan = a->t == BJ_T_NUM && isnan(a->u.n);
    for (uint32_t i = 0; i < arr->u.a.n; i++) {
        bj_val it = bj_val_of_node(arr->u.a.v[i]);
        if (bj_val_strict_eq(&it, a) || (nan && it.t == BJ_T_NUM && isnan(it.u.n)))
            return true;
    }
    return false;
}

/* E.includes(s) / E.startsWith(s) on strings, s through ToString; or
 * E.includes(x) on arrays. */
static int ev_search(const xf_node *n, const ev_ctx *x, bj_val *out)
{
    bj_val v, a;
    int rc = ev(n->kids[0], x, &v);
    if (rc || (rc = ev(n->kids[1], x, &a)) != 0)
        return rc;
    if (v.t == BJ_T_ARR && n->kind == XF_M_INCLUDES) {
        *out = bj_val_bool(array_includes(v.u.node, &a));
        return 0;
    }
    if (v.t != BJ_T_STR)
        return -1;   /* TypeError: not a function */
    if ((rc = to_str_val(&a, x, &a)) != 0)
        return rc;
    bool r = n->kind == XF_M_INCLUDES ? contains(v.u.s, v.len, a.u.s, a.len)
                                      : a.len <= v.len && memcmp(v.u.s, a.u.s, a.len) == 0;
    *out = bj_val_bool(r);
    return 0;
}

/* ==== evaluator: dispatch ======================================================= */

/* Evaluates n: 0 and *out, -1 on a JavaScript exception, -2 out of memory. */
static int ev(const xf_node *n, const ev_ctx *x, bj_val *out)
{
    bj_val a;
    double d;
    int rc;
    switch (n->kind) {
    case XF_NUM: *out = bj_val_num(n->num); return 0;
    case XF_STR: *out = bj_val_str(n->str, (uint32_t)n->len); return 0;
    case XF_TRUE: *out = bj_val_bool(true); return 0;
    case XF_FALSE: *out = bj_val_bool(false); return 0;
    case XF_NULL: *out = bj_val_null(); return 0;
    case XF_UNDEF: *out = bj_val_undef(); return 0;
    case XF_PARAM: *out = *x->arg; return 0;
    case XF_TEMPLATE: return ev_template(n, x, out);
    case XF_MEMBER:
        if ((rc = ev(n->kids[0], x, &a)) != 0)
            return rc;
        return member_get(&a, n, out);
    case XF_NEG:
    case XF_PLUS:
    case XF_CALL_NUMBER:
        if ((rc = ev_num(n->kids[0], x, &d)) != 0)
            return rc;
        *out = bj_val_num(n->kind == XF_NEG ? -d : d);
        return 0;
    case XF_NOT:
    case XF_CALL_BOOLEAN:
        if ((rc = ev(n->kids[0], x, &a)) != 0)
            return rc;
        *out = bj_val_bool(bj_val_truthy(&a) == (n->kind == XF_CALL_BOOLEAN));
        return 0;
    case XF_MUL:
    case XF_DIV:
    case XF_MOD:
    case XF_SUB: return ev_arith(n, x, out);
    case XF_ADD: return ev_add(n, x, out);
    case XF_LT:
    case XF_LE:
    case XF_GT:
    case XF_GE: return ev_compare(n, x, out);
    case XF_SEQ:
    case XF_SNE:
    case XF_EQ:
    case XF_NE: return ev_equal(n, x, out);
    case XF_AND:
    case XF_OR:
    case XF_NULLISH: {
        if ((rc = ev(n->kids[0], x, out)) != 0)
            return rc;
        bool done = n->kind == XF_AND ? !bj_val_truthy(out)
                  : n->kind == XF_OR ? bj_val_truthy(out) : !nullish(out);
        return done ? 0 : ev(n->kids[1], x, out);
    }
    case XF_COND:
        if ((rc = ev(n->kids[0], x, &a)) != 0)
            return rc;
        return ev(n->kids[bj_val_truthy(&a) ? 1 : 2], x, out);
    case XF_CALL_STRING:
    case XF_M_TOSTRING:
        if ((rc = ev(n->kids[0], x, &a)) != 0)
            return rc;
        if (n->kind == XF_M_TOSTRING && nullish(&a))
            return -1;   /* TypeError: cannot read properties of null */
        return to_str_val(&a, x, out);
    case XF_MATH_ROUND:
    case XF_MATH_FLOOR:
    case XF_MATH_CEIL:
    case XF_MATH_ABS:
    case XF_MATH_TRUNC:
    case XF_MATH_SIGN:
        if ((rc = ev_num(n->kids[0], x, &d)) != 0)
            return rc;
        *out = bj_val_num(math1(n->kind, d));
        return 0;
    case XF_MATH_MIN:
    case XF_MATH_MAX: return ev_minmax(n, x, out);
    case XF_M_TOFIXED: return ev_tofixed(n, x, out);
    case XF_M_TOUPPER:
    case XF_M_TOLOWER: return ev_case(n, x, out);
    case XF_M_TRIM: return ev_trim(n, x, out);
    case XF_M_SLICE: return ev_slice(n, x, out);
    case XF_M_PADSTART: return ev_padstart(n, x, out);
    case XF_M_INCLUDES:
    case XF_M_STARTSWITH: return ev_search(n, x, out);
    }
    return -1;
}

int xf_eval(const xf_program *p, const bj_val *arg, bj_scratch *scratch, bj_val *out)
{
    ev_ctx x = {arg, scratch};
    return ev(p->body, &x, out);
}

/* workload.c: seeded generators for the benchmark's apps and op sequences.
 *
 * An app is a list of entities, each an instance of a schema (a comment, a
 * cart line, a task, a badge, an order): its state object, its view (a
 * VNODE) and its bindings, all emitted as the JSON text of the app format
 * (docs/semantics.md section 1) and loaded by the benchmark through
 * bj_load_buffer, as a user's app would be.
 *
 * Invariants:
 * - Everything random comes from one splitmix64 stream seeded by the caller,
 *   consumed in a fixed order: the same (kind, n, nops, seed) gives the same
 *   bytes.
 * - Exactly n bindings: entities are drawn while one fits in what is left,
 *   and one-binding badges fill the rest.
 * - Each generated value differs from the value its key holds at that point
 *   of the sequence (tracked in `cur`), so no op is a no-op.
 * - Every number is written with %.17g, which reads back as the same
 *   double, so the app's state is exactly the generator's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* ---- schemas ---------------------------------------------------------------- */

static const char *const comment_status[] = {"visible", "hidden", "flagged", NULL};
static const char *const order_status[] = {"pending", "paid", "shipped", "delivered", NULL};
static const char *const product_names[] = {
    "Espresso beans 1 kg", "Oat milk", "Café filters (100)", "Ceramic mug",
    "Milk frother", "Grinder burrs", "Descaler", "Tea sampler", NULL};

/* The plain schemas: numbers bound to textContent, no transform. Integers
 * only (counters; prices in cents), so that plain measures the binding
 * machinery, as the plan's did: a decimal costs its String() (shortest
 * round trip) far more than the binding does, and mixed and entity have
 * decimals enough. */
#define PLAIN(el) "{\"elementId\":\"@-" el "\",\"property\":\"textContent\"}"

static const wl_schema schemas[SC_COUNT] = {
    [SC_PLAIN_COMMENT] = {
        "comment", "c", 4,
        {{"likes", BV_NUM, G_INT, 0, 5000, NULL}, {"replies", BV_NUM, G_INT, 0, 500, NULL},
         {"shares", BV_NUM, G_INT, 0, 1000, NULL}, {"views", BV_NUM, G_INT, 0, 100000, NULL}},
        4, {{0, PLAIN("likes")}, {1, PLAIN("replies")}, {2, PLAIN("shares")}, {3, PLAIN("views")}},
        "{\"tag\":\"article\",\"id\":\"@\",\"children\":["
        "{\"tag\":\"span\",\"id\":\"@-likes\",\"children\":[\"0\"]},"
        "{\"tag\":\"span\",\"id\":\"@-replies\",\"children\":[\"0\"]},"
        "{\"tag\":\"span\",\"id\":\"@-shares\",\"children\":[\"0\"]},"
        "{\"tag\":\"span\",\"id\":\"@-views\",\"children\":[\"0\"]}]}",
    },
    [SC_PLAIN_CART] = {
        "cart line", "l", 3,
        {{"price", BV_NUM, G_INT, 50, 50000, NULL}, {"qty", BV_NUM, G_INT, 1, 20, NULL},
         {"total", BV_NUM, G_INT, 50, 1000000, NULL}},
        3, {{0, PLAIN("price")}, {1, PLAIN("qty")}, {2, PLAIN("total")}},
        "{\"tag\":\"li\",\"id\":\"@\",\"children\":["
        "{\"tag\":\"span\",\"id\":\"@-price\"},{\"tag\":\"span\",\"id\":\"@-qty\"},"
        "{\"tag\":\"span\",\"id\":\"@-total\"}]}",
    },
    [SC_PLAIN_BADGE] = {
        "badge", "b", 1, {{"count", BV_NUM, G_INT, 0, 999, NULL}},
        1, {{0, "{\"elementId\":\"@\",\"property\":\"textContent\"}"}},
        "{\"tag\":\"span\",\"id\":\"@\",\"props\":{\"className\":\"badge\"},\"children\":[\"0\"]}",
    },
    [SC_MIX_COMMENT] = {
        "comment", "c", 4,
        {{"likes", BV_NUM, G_INT, 0, 150, NULL}, {"content", BV_STR, G_WORDS, 8, 80, NULL},
         {"liked", BV_BOOL, G_BOOL, 0, 0, NULL}, {"status", BV_STR, G_CHOICE, 0, 0, comment_status}},
        7,
        {{0, "{\"elementId\":\"@-likes\",\"property\":\"textContent\","
             "\"transform\":\"(v) => v + ' likes'\"}"},
         {0, "{\"elementId\":\"@-likes-bar\",\"property\":\"style.width\",\"styleProperty\":\"width\","
             "\"transform\":\"v => Math.min(v, 100) + '%'\"}"},
         {1, "{\"elementId\":\"@-content\",\"property\":\"textContent\","
             "\"transform\":\"v => v.length > 40 ? v.slice(0, 40) + '\u2026' : v\"}"},
         {2, "{\"elementId\":\"@-like\",\"property\":\"className\","
             "\"transform\":\"v => v ? 'like active' : 'like'\"}"},
         {2, "{\"elementId\":\"@-like-box\",\"property\":\"checked\"}"},
         {3, "{\"elementId\":\"@-flag\",\"property\":\"textContent\",\"transform\":\"s => s.toUpperCase()\","
             "\"when\":{\"discriminant\":[\"@\",\"status\"],\"tag\":\"flagged\",\"isTotal\":false}}"},
         {3, "{\"elementId\":\"@\",\"property\":\"className\",\"transform\":\"s => 'comment ' + s\"}"}},
        "{\"tag\":\"article\",\"id\":\"@\",\"props\":{\"className\":\"comment visible\"},\"children\":["
        "{\"tag\":\"span\",\"id\":\"@-likes\",\"children\":[\"0 likes\"]},"
        "{\"tag\":\"div\",\"id\":\"@-likes-bar\",\"props\":{\"className\":\"bar\",\"style\":{\"width\":\"0%\"}}},"
        "{\"tag\":\"p\",\"id\":\"@-content\"},"
        "{\"tag\":\"button\",\"id\":\"@-like\",\"props\":{\"className\":\"like\"},\"children\":[\"Like\"]},"
        "{\"tag\":\"input\",\"id\":\"@-like-box\",\"props\":{\"type\":\"checkbox\"}},"
        "{\"tag\":\"span\",\"id\":\"@-flag\",\"props\":{\"className\":\"flag\",\"style\":{\"display\":\"none\"}}}]}",
    },
    [SC_MIX_CART] = {
        "cart line", "l", 5,
        {{"price", BV_NUM, G_CENTS, 1, 500, NULL}, {"qty", BV_NUM, G_INT, 1, 20, NULL},
         {"total", BV_NUM, G_CENTS, 1, 10000, NULL}, {"name", BV_STR, G_CHOICE, 0, 0, product_names},
         {"inStock", BV_BOOL, G_BOOL, 0, 0, NULL}},
        7,
        {{0, "{\"elementId\":\"@-price\",\"property\":\"textContent\","
             "\"transform\":\"v => '$' + v.toFixed(2)\"}"},
         {1, "{\"elementId\":\"@-qty\",\"property\":\"value\"}"},
         {1, "{\"elementId\":\"@-minus\",\"property\":\"disabled\",\"transform\":\"q => q <= 1\"}"},
         {2, "{\"elementId\":\"@-total\",\"property\":\"textContent\","
             "\"transform\":\"v => '$' + v.toFixed(2)\"}"},
         {2, "{\"elementId\":\"@-summary\",\"property\":\"textContent\",\"statePath\":[\"@\",\"qty\"],"
             "\"transform\":\"q => q + (q === 1 ? ' item' : ' items')\"}"},
         {3, "{\"elementId\":\"@-name\",\"property\":\"textContent\"}"},
         {4, "{\"elementId\":\"@-stock\",\"property\":\"textContent\","
             "\"transform\":\"v => v ? '' : 'out of stock'\","
             "\"when\":{\"discriminant\":[\"@\",\"inStock\"],\"tag\":\"false\",\"isTotal\":false}}"}},
        "{\"tag\":\"li\",\"id\":\"@\",\"props\":{\"className\":\"line\"},\"children\":["
        "{\"tag\":\"span\",\"id\":\"@-name\"},{\"tag\":\"span\",\"id\":\"@-price\"},"
        "{\"tag\":\"button\",\"id\":\"@-minus\",\"children\":[\"-\"]},"
        "{\"tag\":\"input\",\"id\":\"@-qty\",\"props\":{\"type\":\"number\",\"value\":\"1\"}},"
        "{\"tag\":\"span\",\"id\":\"@-total\"},{\"tag\":\"small\",\"id\":\"@-summary\"},"
        "{\"tag\":\"em\",\"id\":\"@-stock\",\"props\":{\"style\":{\"display\":\"none\"}}}]}",
    },
    [SC_MIX_TASK] = {
        "task", "t", 4,
        {{"title", BV_STR, G_WORDS, 5, 40, NULL}, {"done", BV_BOOL, G_BOOL, 0, 0, NULL},
         {"priority", BV_NUM, G_INT, 1, 5, NULL}, {"progress", BV_NUM, G_FRAC, 0, 1000, NULL}},
        6,
        {{0, "{\"elementId\":\"@-title\",\"property\":\"textContent\"}"},
         {1, "{\"elementId\":\"@-done\",\"property\":\"checked\"}"},
         {1, "{\"elementId\":\"@\",\"property\":\"className\","
             "\"transform\":\"d => d ? 'task done' : 'task'\"}"},
         {2, "{\"elementId\":\"@-prio\",\"property\":\"textContent\",\"transform\":\"p => 'P' + p\"}"},
         {3, "{\"elementId\":\"@-bar\",\"property\":\"style.width\",\"styleProperty\":\"width\","
             "\"transform\":\"p => Math.round(p * 100) + '%'\"}"},
         {3, "{\"elementId\":\"@-pct\",\"property\":\"textContent\","
             "\"transform\":\"p => (p * 100).toFixed(1) + '%'\"}"}},
        "{\"tag\":\"div\",\"id\":\"@\",\"props\":{\"className\":\"task\"},\"children\":["
        "{\"tag\":\"input\",\"id\":\"@-done\",\"props\":{\"type\":\"checkbox\"}},"
        "{\"tag\":\"span\",\"id\":\"@-title\"},{\"tag\":\"b\",\"id\":\"@-prio\"},"
        "{\"tag\":\"div\",\"id\":\"@-bar\",\"props\":{\"className\":\"bar\",\"style\":{\"width\":\"0%\"}}},"
        "{\"tag\":\"span\",\"id\":\"@-pct\"}]}",
    },
    [SC_MIX_BADGE] = {
        "badge", "b", 1, {{"count", BV_NUM, G_INT, 0, 150, NULL}},
        1, {{0, "{\"elementId\":\"@\",\"property\":\"textContent\","
                "\"transform\":\"n => n > 99 ? '99+' : String(n)\"}"}},
        "{\"tag\":\"span\",\"id\":\"@\",\"props\":{\"className\":\"badge\"},\"children\":[\"0\"]}",
    },
    [SC_ORDER] = {
        "order", "o", 10,
        {{"subtotal", BV_NUM, G_CENTS, 0, 2000, NULL}, {"tax", BV_NUM, G_CENTS, 0, 200, NULL},
         {"shipping", BV_NUM, G_INT, 0, 9, NULL}, {"discount", BV_NUM, G_CENTS, 0, 50, NULL},
         {"total", BV_NUM, G_CENTS, 0, 3000, NULL}, {"items", BV_NUM, G_INT, 1, 50, NULL},
         {"weight", BV_NUM, G_TENTHS, 0, 300, NULL}, {"status", BV_STR, G_CHOICE, 0, 0, order_status},
         {"paid", BV_BOOL, G_BOOL, 0, 0, NULL}, {"note", BV_STR, G_WORDS, 0, 60, NULL}},
        10,
        {{0, "{\"elementId\":\"@-subtotal\",\"property\":\"textContent\",\"transform\":\"v => v.toFixed(2)\"}"},
         {1, "{\"elementId\":\"@-tax\",\"property\":\"textContent\",\"transform\":\"v => v.toFixed(2)\"}"},
         {2, "{\"elementId\":\"@-shipping\",\"property\":\"textContent\","
             "\"transform\":\"v => v === 0 ? 'free' : v.toFixed(2)\"}"},
         {3, "{\"elementId\":\"@-discount\",\"property\":\"textContent\","
             "\"transform\":\"v => '-' + v.toFixed(2)\"}"},
         {4, "{\"elementId\":\"@-total\",\"property\":\"textContent\","
             "\"transform\":\"v => '$' + v.toFixed(2)\"}"},
         {5, "{\"elementId\":\"@-items\",\"property\":\"textContent\"}"},
         {6, "{\"elementId\":\"@-weight\",\"property\":\"textContent\",\"transform\":\"w => w + ' kg'\"}"},
         {7, "{\"elementId\":\"@\",\"property\":\"className\",\"transform\":\"s => 'order ' + s\"}"},
         {8, "{\"elementId\":\"@-paid\",\"property\":\"checked\"}"},
         {9, "{\"elementId\":\"@-note\",\"property\":\"textContent\"}"}},
        "{\"tag\":\"section\",\"id\":\"@\",\"props\":{\"className\":\"order pending\"},\"children\":["
        "{\"tag\":\"span\",\"id\":\"@-items\"},{\"tag\":\"span\",\"id\":\"@-weight\"},"
        "{\"tag\":\"span\",\"id\":\"@-subtotal\"},{\"tag\":\"span\",\"id\":\"@-tax\"},"
        "{\"tag\":\"span\",\"id\":\"@-shipping\"},{\"tag\":\"span\",\"id\":\"@-discount\"},"
        "{\"tag\":\"strong\",\"id\":\"@-total\"},"
        "{\"tag\":\"input\",\"id\":\"@-paid\",\"props\":{\"type\":\"checkbox\"}},"
        "{\"tag\":\"p\",\"id\":\"@-note\"}]}",
    },
};

const wl_schema *wl_schema_get(schema_id id)
{
    return &schemas[id];
}

static const wl_kind_info kinds[WL_KIND_COUNT] = {
    [WL_PLAIN] = {"plain", "numbers to textContent, no transform; op = 1 update + flush", 1, WL_PLAIN},
    [WL_MIXED] = {"mixed", "transforms, when, statePath, Int/Double/String/Bool; op = 1 update + flush",
                  1, WL_MIXED},
    [WL_HOTSPOT] = {"hotspot", "plain app, 90% of updates hit 10% of the bindings; op = 1 update + flush",
                    1, WL_PLAIN},
    [WL_ENTITY] = {"entity", "entity batch: 10 fields of one order, then 1 flush; op = 1 field update",
                   10, WL_ENTITY},
    [WL_PLAIN_B100] = {"plain-b100", "plain app, batched: 100 updates, then 1 flush; op = 1 update",
                       100, WL_PLAIN},
    [WL_MIXED_B100] = {"mixed-b100", "mixed app, batched: 100 updates, then 1 flush; op = 1 update",
                       100, WL_MIXED},
};

const wl_kind_info *wl_kind_get(wl_kind k)
{
    return &kinds[k];
}

int wl_kind_find(const char *name)
{
    for (int k = 0; k < WL_KIND_COUNT; k++)
        if (strcmp(kinds[k].name, name) == 0)
            return k;
    return -1;
}

/* ---- random numbers: splitmix64 ----------------------------------------------- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n); the modulo bias (n < 2^32) is negligible here. */
static uint32_t rng_below(rng *r, uint32_t n)
{
    return (uint32_t)(rng_next(r) % n);
}

/* ---- string storage that never moves ---------------------------------------------- */

struct wl_block {
    struct wl_block *next;
    size_t used, cap;
    char data[];
};

/* Copies s[0..len) and a NUL into the workload's string blocks. */
static const char *store_string(workload *w, const char *s, size_t len)
{
    struct wl_block *b = w->strings;
    if (!b || b->used + len + 1 > b->cap) {
        size_t cap = len + 1 > 65536 ? len + 1 : 65536;
        struct wl_block *nb = malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->next = b;
        nb->used = 0;
        nb->cap = cap;
        w->strings = b = nb;
    }
    char *p = b->data + b->used;
    memcpy(p, s, len);
    p[len] = '\0';
    b->used += len + 1;
    return p;
}

/* ---- a growable text buffer (the app JSON) ------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool failed;
} sbuf;

static void sb_append(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_append(b, s, strlen(s));
}

/* Appends a template with each '@' replaced by the entity name. */
static void sb_template(sbuf *b, const char *t, const char *name)
{
    for (const char *at; (at = strchr(t, '@')); t = at + 1) {
        sb_append(b, t, (size_t)(at - t));
        sb_puts(b, name);
    }
    sb_puts(b, t);
}

/* Appends a value as JSON (strings here never need more than \" and \\). */
static void sb_value(sbuf *b, const bench_val *v)
{
    char num[40];
    switch (v->t) {
    case BV_NUM:
        snprintf(num, sizeof num, "%.17g", v->n);
        sb_puts(b, num);
        break;
    case BV_BOOL: sb_puts(b, v->b ? "true" : "false"); break;
    case BV_STR:
        sb_append(b, "\"", 1);
        for (uint32_t i = 0; i < v->len; i++) {
            if (v->s[i] == '"' || v->s[i] == '\\')
                sb_append(b, "\\", 1);
            sb_append(b, v->s + i, 1);
        }
        sb_append(b, "\"", 1);
        break;
    }
}

/* ---- values ------------------------------------------------------------------------------ */

static const char *const words[] = {
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "café", "naïve",
    "über", "déjà", "vu", "smörgåsbord", "Ελλάδα", "привет", "binding", "update", "render",
    "state", "great", "post", "thanks", "agree", "really", "nice", "idea", "a", "of", "to",
};

/* A sentence of about lo..hi bytes (words are added until the drawn length
 * is reached, so it may pass hi by one word). */
static const char *gen_words(workload *w, rng *r, int lo, int hi, uint32_t *len)
{
    char tmp[256];
    size_t n = 0, target = (size_t)lo + rng_below(r, (uint32_t)(hi - lo + 1));
    while (n < target) {
        const char *wd = words[rng_below(r, sizeof words / sizeof words[0])];
        size_t wl = strlen(wd);
        if (n + wl + 1 >= sizeof tmp)
            break;
        if (n)
            tmp[n++] = ' ';
        memcpy(tmp + n, wd, wl);
        n += wl;
    }
    *len = (uint32_t)n;
    return store_string(w, tmp, n);
}

/* One value of field f, drawn without looking at the current value. */
static int gen_draw(workload *w, rng *r, const wl_field *f, bench_val *out)
{
    memset(out, 0, sizeof *out);
    out->t = f->type;
    uint32_t span = (uint32_t)(f->hi - f->lo);
    switch (f->gen) {
    case G_INT: out->n = f->lo + (double)rng_below(r, span + 1); break;
    case G_CENTS: out->n = (f->lo * 100 + (double)rng_below(r, span * 100 + 1)) / 100.0; break;
    case G_TENTHS: out->n = (f->lo + (double)rng_below(r, span + 1)) / 10.0; break;
    case G_FRAC: out->n = (f->lo + (double)rng_below(r, span + 1)) / 1000.0; break;
    case G_BOOL: out->b = rng_below(r, 2); break;
    case G_WORDS: out->s = gen_words(w, r, f->lo, f->hi, &out->len); break;
    case G_CHOICE: {
        size_t n = 0;
        while (f->choices[n])
            n++;
        const char *c = f->choices[rng_below(r, (uint32_t)n)];
        out->s = c;     /* static text: lives as long as the program */
        out->len = (uint32_t)strlen(c);
        break;
    }
    }
    return f->type == BV_STR && !out->s ? -1 : 0;
}

static bool val_equal(const bench_val *a, const bench_val *b)
{
    if (a->t != b->t)
        return false;
    switch (a->t) {
    case BV_NUM: return a->n == b->n;
    case BV_BOOL: return a->b == b->b;
    case BV_STR: return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
    }
    return false;
}

/* A value of field f that differs from *cur. */
static int gen_value(workload *w, rng *r, const wl_field *f, const bench_val *cur, bench_val *out)
{
    if (f->gen == G_BOOL) {
        *out = *cur;
        out->b = !cur->b;
        return 0;
    }
    for (int tries = 0; tries < 64; tries++) {
        if (gen_draw(w, r, f, out) != 0)
            return -1;
        if (!val_equal(out, cur))
            return 0;
    }
    /* Practically unreachable with these ranges; still keep the invariant. */
    if (f->type == BV_NUM) {
        out->n = cur->n + 1;
        return 0;
    }
    char tmp[300];
    int n = snprintf(tmp, sizeof tmp, "%s!", cur->s);
    out->s = store_string(w, tmp, (size_t)n);
    out->len = (uint32_t)n;
    return out->s ? 0 : -1;
}

/* ---- entities ------------------------------------------------------------------------------ */

/* Draws the schemas of the entities: n bindings exactly. */
static int plan_entities(workload *w, rng *r, size_t n)
{
    static const schema_id plain_pick[] = {SC_PLAIN_COMMENT, SC_PLAIN_COMMENT, SC_PLAIN_CART};
    static const schema_id mixed_pick[] = {SC_MIX_COMMENT, SC_MIX_CART, SC_MIX_TASK};
    static const schema_id order_pick[] = {SC_ORDER};
    const schema_id *pick = plain_pick;
    size_t npick = 3;
    schema_id filler = SC_PLAIN_BADGE;
    if (kinds[w->kind].app == WL_MIXED) {
        pick = mixed_pick;
        filler = SC_MIX_BADGE;
    } else if (kinds[w->kind].app == WL_ENTITY) {
        pick = order_pick;
        npick = 1;
        filler = SC_MIX_BADGE;
    }
    w->entities = calloc(n, sizeof *w->entities);   /* at most one per binding */
    if (!w->entities)
        return -1;
    for (size_t left = n; left > 0;) {
        schema_id s = pick[rng_below(r, (uint32_t)npick)];
        if ((size_t)schemas[s].nbindings > left)
            s = filler;
        wl_entity *e = &w->entities[w->nentities++];
        e->schema = s;
        snprintf(e->name, sizeof e->name, "%s%zu", schemas[s].prefix, w->nentities);
        left -= (size_t)schemas[s].nbindings;
    }
    return 0;
}

/* Draws initial values and names the keys of every entity. */
static int init_entities(workload *w, rng *r)
{
    size_t nkeys = 0;
    for (size_t i = 0; i < w->nentities; i++)
        nkeys += (size_t)schemas[w->entities[i].schema].nfields;
    w->keys = calloc(nkeys, sizeof *w->keys);
    w->key_entity = calloc(nkeys, sizeof *w->key_entity);
    w->key_field = calloc(nkeys, sizeof *w->key_field);
    if (!w->keys || !w->key_entity || !w->key_field)
        return -1;
    for (size_t i = 0; i < w->nentities; i++) {
        wl_entity *e = &w->entities[i];
        const wl_schema *s = &schemas[e->schema];
        e->first_key = (uint32_t)w->nkeys;
        for (int f = 0; f < s->nfields; f++) {
            char key[64];
            int len = snprintf(key, sizeof key, "%s.%s", e->name, s->fields[f].name);
            if (gen_draw(w, r, &s->fields[f], &e->init[f]) != 0 ||
                !(w->keys[w->nkeys] = store_string(w, key, (size_t)len)))
                return -1;
            w->key_entity[w->nkeys] = (uint32_t)i;
            w->key_field[w->nkeys++] = (uint8_t)f;
        }
    }
    return 0;
}

/* ---- the app text ------------------------------------------------------------------------- */

static void emit_view(sbuf *b, const workload *w)
{
    sb_puts(b, "{\"view\":{\"tag\":\"main\",\"id\":\"app\",\"children\":[");
    for (size_t i = 0; i < w->nentities; i++) {
        if (i)
            sb_append(b, ",", 1);
        sb_template(b, schemas[w->entities[i].schema].view, w->entities[i].name);
    }
    sb_puts(b, "]},\n");
}

static void emit_state(sbuf *b, const workload *w)
{
    sb_puts(b, "\"state\":{");
    for (size_t i = 0; i < w->nentities; i++) {
        const wl_entity *e = &w->entities[i];
        const wl_schema *s = &schemas[e->schema];
        sb_puts(b, i ? ",\"" : "\"");
        sb_puts(b, e->name);
        sb_puts(b, "\":{");
        for (int f = 0; f < s->nfields; f++) {
            sb_puts(b, f ? ",\"" : "\"");
            sb_puts(b, s->fields[f].name);
            sb_puts(b, "\":");
            sb_value(b, &e->init[f]);
        }
        sb_append(b, "}", 1);
    }
    sb_puts(b, "},\n");
}

/* Bindings grouped by key, keys in field order, bindings in schema order. */
static void emit_bindings(sbuf *b, const workload *w)
{
    sb_puts(b, "\"bindings\":{");
    for (size_t k = 0; k < w->nkeys; k++) {
        const wl_entity *e = &w->entities[w->key_entity[k]];
        const wl_schema *s = &schemas[e->schema];
        sb_puts(b, k ? ",\n\"" : "\n\"");
        sb_puts(b, w->keys[k]);
        sb_puts(b, "\":[");
        int n = 0;
        for (int i = 0; i < s->nbindings; i++) {
            if (s->bindings[i].field != w->key_field[k])
                continue;
            if (n++)
                sb_append(b, ",", 1);
            sb_template(b, s->bindings[i].json, e->name);
        }
        sb_append(b, "]", 1);
    }
    sb_puts(b, "}}\n");
}

static int emit_app(workload *w)
{
    sbuf b = {NULL, 0, 0, false};
    emit_view(&b, w);
    emit_state(&b, w);
    w->app_bindings_at = b.len;
    emit_bindings(&b, w);
    if (b.failed) {
        free(b.p);
        return -1;
    }
    w->app = b.p;
    w->app_len = b.len;
    return 0;
}

/* ---- the op sequence ---------------------------------------------------------------------------- */

/* The key of op i: uniform, hot spot, or the fields of one order in turn. */
static uint32_t pick_key(const workload *w, rng *r, size_t i, const uint32_t *perm, size_t nhot,
                         uint32_t *entity_first)
{
    switch (w->kind) {
    case WL_HOTSPOT:
        if (w->nkeys == nhot || rng_below(r, 10) < 9)
            return perm[rng_below(r, (uint32_t)nhot)];
        return perm[nhot + rng_below(r, (uint32_t)(w->nkeys - nhot))];
    case WL_ENTITY:
        if (i % 10 == 0) {
            const wl_entity *e;
            do
                e = &w->entities[rng_below(r, (uint32_t)w->nentities)];
            while (e->schema != SC_ORDER);
            *entity_first = e->first_key;
        }
        return *entity_first + (uint32_t)(i % 10);
    default:
        return rng_below(r, (uint32_t)w->nkeys);
    }
}

/* A random permutation of the keys; its first tenth is the hot set. */
static uint32_t *hot_permutation(const workload *w, rng *r)
{
    uint32_t *perm = malloc(w->nkeys * sizeof *perm);
    if (!perm)
        return NULL;
    for (size_t i = 0; i < w->nkeys; i++)
        perm[i] = (uint32_t)i;
    for (size_t i = w->nkeys; i > 1; i--) {
        uint32_t j = rng_below(r, (uint32_t)i);
        uint32_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    return perm;
}

static int gen_ops(workload *w, rng *r, size_t nops)
{
    bench_val *cur = malloc(w->nkeys * sizeof *cur);
    uint32_t *perm = w->kind == WL_HOTSPOT ? hot_permutation(w, r) : NULL;
    w->ops = malloc(nops * sizeof *w->ops);
    if (!cur || !w->ops || (w->kind == WL_HOTSPOT && !perm)) {
        free(cur);
        free(perm);
        return -1;
    }
    for (size_t k = 0; k < w->nkeys; k++)
        cur[k] = w->entities[w->key_entity[k]].init[w->key_field[k]];
    size_t nhot = (w->nkeys + 9) / 10;
    uint32_t entity_first = 0;
    int rc = 0;
    for (size_t i = 0; i < nops && rc == 0; i++) {
        uint32_t k = pick_key(w, r, i, perm, nhot, &entity_first);
        const wl_entity *e = &w->entities[w->key_entity[k]];
        const wl_field *f = &schemas[e->schema].fields[w->key_field[k]];
        w->ops[i].key = k;
        rc = gen_value(w, r, f, &cur[k], &w->ops[i].v);
        cur[k] = w->ops[i].v;
    }
    w->nops = nops;
    free(cur);
    free(perm);
    return rc;
}

/* ---- building ------------------------------------------------------------------------------------- */

int wl_build(workload *w, wl_kind kind, size_t n, size_t nops, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    w->kind = kind;
    w->nominal = w->nbindings = n;
    w->seed = seed;
    w->updates_per_flush = kinds[kind].updates_per_flush;
    unsigned per = w->updates_per_flush;
    nops = (nops + per - 1) / per * per;
    if (nops == 0)
        nops = per;
    if (kind == WL_ENTITY && n < 10) {
        fprintf(stderr, "bindjit bench: the entity workload needs at least 10 bindings\n");
        return -1;
    }
    /* One stream per app: its kind and size are mixed into the seed so that
     * plain:100 and plain:1000 are independent draws, while hotspot:100
     * draws the very app of plain:100 (then its own ops). */
    rng r = {seed * 0x100000001B3ull ^ ((uint64_t)kinds[kind].app << 56) ^ n};
    if (plan_entities(w, &r, n) != 0 || init_entities(w, &r) != 0 || emit_app(w) != 0 ||
        gen_ops(w, &r, nops) != 0) {
        fprintf(stderr, "bindjit bench: out of memory building workload %s:%zu\n",
                kinds[kind].name, n);
        wl_free(w);
        return -1;
    }
    return 0;
}

void wl_free(workload *w)
{
    free(w->app);
    free(w->keys);
    free(w->key_entity);
    free(w->key_field);
    free(w->entities);
    free(w->ops);
    while (w->strings) {
        struct wl_block *next = w->strings->next;
        free(w->strings);
        w->strings = next;
    }
    memset(w, 0, sizeof *w);
}

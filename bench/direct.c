/* direct.c: the `direct` variant, the ceiling of issue 3 (the plan's
 * "direct code simulation"). What a perfect code generator could emit for
 * the synthetic workloads: one C function per entity schema, compiled by
 * gcc -O2 with the rest, over per-entity records.
 *
 *   set:   op -> (record, field) resolved before timing -> compare with the
 *          state slot, store, mark the field dirty, queue the record once
 *   flush: for each queued record, its schema's function writes the
 *          bindings of the dirty fields, in the app's binding order, with
 *          the transforms as straight-line C
 *
 * Invariants:
 * - No maps, no interpretation: the only indirection per op is the target
 *   table (like the runtime's path handle) and one call per flushed entity
 *   through the schema table.
 * - The record owns its state slots (strings are copied, like the
 *   runtime's state tree) and borrows element pointers from the document of
 *   its own runtime instance, which nothing else writes and from which no
 *   element is ever removed.
 * - Every write goes through the document's doc_write_* helpers and every
 *   number is formatted by the runtime's bj_num_* helpers, so the write work
 *   equals the runtime's and only the binding machinery differs. The bench
 *   compares the resulting document with the runtime's after every run.
 * - The functions below must mirror the schemas of workload.c binding by
 *   binding: element index i is the schema's binding i, slot f its field f.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "runtime.h"

typedef union dx_slot {
    double n;
    bool b;
    struct {
        char *p;
        uint32_t len, cap;
    } s;
} dx_slot;

typedef struct dx_rec {
    uint32_t dirty;     /* bit f: field f was set since the last flush */
    uint8_t schema;
    bool queued;
    bj_elem **el;       /* one per binding, in the schema's binding order */
    dx_slot slot[];     /* one per field, then the element pointers */
} dx_rec;

typedef struct dx_target {
    dx_rec *rec;
    uint32_t field;
} dx_target;

struct direct {
    bj_doc *doc;
    bj_mem mem;         /* for buf only */
    bj_buf buf;         /* results of string transforms */
    size_t nrecs;
    dx_rec **recs;
    size_t ntargets;
    dx_target *targets; /* per key of the workload */
    size_t nq;
    dx_rec **queue;     /* at most one entry per record */
};

typedef int (*dx_update_fn)(direct *dx, dx_rec *r, uint32_t dirty);

#define TRY(e)                 \
    do {                       \
        int rc_ = (e);         \
        if (rc_)               \
            return rc_;        \
    } while (0)

/* ---- helpers: the pieces generated code would call -------------------------- */

/* Concatenates a and b into out (big enough: callers size it). */
static size_t cat(char *out, const char *a, size_t an, const char *b, size_t bn)
{
    memcpy(out, a, an);
    memcpy(out + an, b, bn);
    return an + bn;
}

static int text_num(direct *dx, bj_elem *el, double v)
{
    char num[BJ_NUMBUF];
    return el ? doc_write_text(dx->doc, el, num, bj_num_to_str(v, num)) : 0;
}

/* textContent = String(v) + suffix. */
static int text_num_suffix(direct *dx, bj_elem *el, double v, const char *suf, size_t sn)
{
    char num[BJ_NUMBUF], out[BJ_NUMBUF + 16];
    size_t n = bj_num_to_str(v, num);
    return el ? doc_write_text(dx->doc, el, out, cat(out, num, n, suf, sn)) : 0;
}

/* textContent = prefix + v.toFixed(digits). */
static int text_fixed(direct *dx, bj_elem *el, const char *pre, size_t pn, double v, int digits)
{
    char fx[BJ_FIXEDBUF], out[BJ_FIXEDBUF + 8];
    size_t n = bj_num_to_fixed(v, digits, fx);
    return el ? doc_write_text(dx->doc, el, out, cat(out, pre, pn, fx, n)) : 0;
}

static int text_str(direct *dx, bj_elem *el, const dx_slot *s)
{
    return el ? doc_write_text(dx->doc, el, s->s.p, s->s.len) : 0;
}

/* className = prefix + s (through buf: s has no length bound). */
static int class_prefixed(direct *dx, bj_elem *el, const char *pre, const dx_slot *s)
{
    if (!el)
        return 0;
    bj_buf_clear(&dx->buf);
    bj_buf_puts(&dx->buf, pre);
    bj_buf_append(&dx->buf, s->s.p, s->s.len);
    if (dx->buf.failed)
        return BJ_ENOMEM;
    return doc_write_class(dx->doc, el, dx->buf.data, dx->buf.len);
}

static int class_lit(direct *dx, bj_elem *el, const char *s, size_t n)
{
    return el ? doc_write_class(dx->doc, el, s, n) : 0;
}

static int checked(direct *dx, bj_elem *el, bool on)
{
    return el ? doc_write_checked(dx->doc, el, on) : 0;
}

/* style.NAME = String(v) + '%'. */
static int style_pct(direct *dx, bj_elem *el, const char *name, size_t nn, double v)
{
    char num[BJ_NUMBUF], out[BJ_NUMBUF + 1];
    size_t n = bj_num_to_str(v, num);
    return el ? doc_write_style(dx->doc, el, name, nn, out, cat(out, num, n, "%", 1)) : 0;
}

/* The `when` step of a binding: display "" when it holds, else "none". */
static int when_display(direct *dx, bj_elem *el, bool holds)
{
    return doc_write_style(dx->doc, el, "display", 7, holds ? "" : "none", holds ? 0 : 4);
}

/* Math.min(a, b) exactly: NaN wins, and -0 is below +0. */
static double js_min(double a, double b)
{
    if (isnan(a) || isnan(b))
        return NAN;
    if (a == b)
        return signbit(a) ? a : b;
    return a < b ? a : b;
}

static bool slot_is(const dx_slot *s, const char *lit, size_t n)
{
    return s->s.len == n && memcmp(s->s.p, lit, n) == 0;
}

/* ---- the plain schemas: String(v) to textContent --------------------------------- */

static int upd_plain_comment(direct *dx, dx_rec *r, uint32_t d)
{
    if (d & 1u)
        TRY(text_num(dx, r->el[0], r->slot[0].n));
    if (d & 2u)
        TRY(text_num(dx, r->el[1], r->slot[1].n));
    if (d & 4u)
        TRY(text_num(dx, r->el[2], r->slot[2].n));
    if (d & 8u)
        TRY(text_num(dx, r->el[3], r->slot[3].n));
    return 0;
}

static int upd_plain_cart(direct *dx, dx_rec *r, uint32_t d)
{
    if (d & 1u)
        TRY(text_num(dx, r->el[0], r->slot[0].n));
    if (d & 2u)
        TRY(text_num(dx, r->el[1], r->slot[1].n));
    if (d & 4u)
        TRY(text_num(dx, r->el[2], r->slot[2].n));
    return 0;
}

static int upd_badge(direct *dx, dx_rec *r, uint32_t d)
{
    return (d & 1u) ? text_num(dx, r->el[0], r->slot[0].n) : 0;
}

/* ---- the mixed schemas ------------------------------------------------------------------ */

/* content: v => v.length > 40 ? v.slice(0, 40) + '…' : v */
static int comment_content(direct *dx, bj_elem *el, const dx_slot *s)
{
    if (!el)
        return 0;
    if (bj_utf16_len(s->s.p, s->s.len) <= 40)
        return doc_write_text(dx->doc, el, s->s.p, s->s.len);
    size_t cut = bj_utf16_offset(s->s.p, s->s.len, 40);
    bj_buf_clear(&dx->buf);
    bj_buf_append(&dx->buf, s->s.p, cut);
    bj_buf_puts(&dx->buf, "\u2026");
    if (dx->buf.failed)
        return BJ_ENOMEM;
    return doc_write_text(dx->doc, el, dx->buf.data, dx->buf.len);
}

/* status, when tag "flagged": s => s.toUpperCase() */
static int comment_flag(direct *dx, bj_elem *el, const dx_slot *s)
{
    if (!el)
        return 0;
    bool holds = slot_is(s, "flagged", 7);
    TRY(when_display(dx, el, holds));
    if (!holds)
        return 0;
    bj_buf_clear(&dx->buf);
    bj_str_upper(s->s.p, s->s.len, &dx->buf);
    if (dx->buf.failed)
        return BJ_ENOMEM;
    return doc_write_text(dx->doc, el, dx->buf.data, dx->buf.len);
}

static int upd_mix_comment(direct *dx, dx_rec *r, uint32_t d)
{
    if (d & 1u) {
        TRY(text_num_suffix(dx, r->el[0], r->slot[0].n, " likes", 6));
        TRY(style_pct(dx, r->el[1], "width", 5, js_min(r->slot[0].n, 100)));
    }
    if (d & 2u)
        TRY(comment_content(dx, r->el[2], &r->slot[1]));
    if (d & 4u) {
        bool liked = r->slot[2].b;
        TRY(class_lit(dx, r->el[3], liked ? "like active" : "like", liked ? 11 : 4));
        TRY(checked(dx, r->el[4], liked));
    }
    if (d & 8u) {
        TRY(comment_flag(dx, r->el[5], &r->slot[3]));
        TRY(class_prefixed(dx, r->el[6], "comment ", &r->slot[3]));
    }
    return 0;
}

/* total, statePath qty: q => q + (q === 1 ? ' item' : ' items') */
static int cart_summary(direct *dx, bj_elem *el, double q)
{
    return q == 1 ? text_num_suffix(dx, el, q, " item", 5) : text_num_suffix(dx, el, q, " items", 6);
}

/* inStock, when tag "false": v => v ? '' : 'out of stock' */
static int cart_stock(direct *dx, bj_elem *el, bool in_stock)
{
    if (!el)
        return 0;
    bool holds = !in_stock;     /* String(false) === "false" */
    TRY(when_display(dx, el, holds));
    return holds ? doc_write_text(dx->doc, el, "out of stock", 12) : 0;
}

static int upd_mix_cart(direct *dx, dx_rec *r, uint32_t d)
{
    if (d & 1u)
        TRY(text_fixed(dx, r->el[0], "$", 1, r->slot[0].n, 2));
    if (d & 2u) {
        double q = r->slot[1].n;
        char num[BJ_NUMBUF];
        if (r->el[1])
            TRY(doc_write_value(dx->doc, r->el[1], num, bj_num_to_str(q, num)));
        if (r->el[2])
            TRY(doc_write_disabled(dx->doc, r->el[2], q <= 1));
    }
    if (d & 4u) {
        TRY(text_fixed(dx, r->el[3], "$", 1, r->slot[2].n, 2));
        TRY(cart_summary(dx, r->el[4], r->slot[1].n));
    }
    if (d & 8u)
        TRY(text_str(dx, r->el[5], &r->slot[3]));
    if (d & 16u)
        TRY(cart_stock(dx, r->el[6], r->slot[4].b));
    return 0;
}

/* progress: p => (p * 100).toFixed(1) + '%' */
static int task_pct(direct *dx, bj_elem *el, double p)
{
    char fx[BJ_FIXEDBUF], out[BJ_FIXEDBUF + 1];
    size_t n = bj_num_to_fixed(p * 100, 1, fx);
    return el ? doc_write_text(dx->doc, el, out, cat(out, fx, n, "%", 1)) : 0;
}

static int upd_mix_task(direct *dx, dx_rec *r, uint32_t d)
{
    if (d & 1u)
        TRY(text_str(dx, r->el[0], &r->slot[0]));
    if (d & 2u) {
        bool done = r->slot[1].b;
        TRY(checked(dx, r->el[1], done));
        TRY(class_lit(dx, r->el[2], done ? "task done" : "task", done ? 9 : 4));
    }
    if ((d & 4u) && r->el[3]) {
        char num[BJ_NUMBUF], out[BJ_NUMBUF + 1];
        size_t n = bj_num_to_str(r->slot[2].n, num);
        TRY(doc_write_text(dx->doc, r->el[3], out, cat(out, "P", 1, num, n)));
    }
    if (d & 8u) {
        double p = r->slot[3].n;
        TRY(style_pct(dx, r->el[4], "width", 5, bj_math_round(p * 100)));
        TRY(task_pct(dx, r->el[5], p));
    }
    return 0;
}

/* n => n > 99 ? '99+' : String(n) */
static int upd_mix_badge(direct *dx, dx_rec *r, uint32_t d)
{
    if (!(d & 1u) || !r->el[0])
        return 0;
    double n = r->slot[0].n;
    return n > 99 ? doc_write_text(dx->doc, r->el[0], "99+", 3) : text_num(dx, r->el[0], n);
}

static int upd_order(direct *dx, dx_rec *r, uint32_t d)
{
    if (d & 1u)
        TRY(text_fixed(dx, r->el[0], "", 0, r->slot[0].n, 2));
    if (d & 2u)
        TRY(text_fixed(dx, r->el[1], "", 0, r->slot[1].n, 2));
    if (d & 4u) {
        double v = r->slot[2].n;
        if (v == 0 && r->el[2])
            TRY(doc_write_text(dx->doc, r->el[2], "free", 4));
        else
            TRY(text_fixed(dx, r->el[2], "", 0, v, 2));
    }
    if (d & 8u)
        TRY(text_fixed(dx, r->el[3], "-", 1, r->slot[3].n, 2));
    if (d & 16u)
        TRY(text_fixed(dx, r->el[4], "$", 1, r->slot[4].n, 2));
    if (d & 32u)
        TRY(text_num(dx, r->el[5], r->slot[5].n));
    if (d & 64u)
        TRY(text_num_suffix(dx, r->el[6], r->slot[6].n, " kg", 3));
    if (d & 128u)
        TRY(class_prefixed(dx, r->el[7], "order ", &r->slot[7]));
    if (d & 256u)
        TRY(checked(dx, r->el[8], r->slot[8].b));
    if (d & 512u)
        TRY(text_str(dx, r->el[9], &r->slot[9]));
    return 0;
}

static const dx_update_fn updaters[SC_COUNT] = {
    [SC_PLAIN_COMMENT] = upd_plain_comment, [SC_PLAIN_CART] = upd_plain_cart,
    [SC_PLAIN_BADGE] = upd_badge,           [SC_MIX_COMMENT] = upd_mix_comment,
    [SC_MIX_CART] = upd_mix_cart,           [SC_MIX_TASK] = upd_mix_task,
    [SC_MIX_BADGE] = upd_mix_badge,         [SC_ORDER] = upd_order,
};

/* ---- set and flush ------------------------------------------------------------------------- */

static inline void touch(direct *dx, dx_rec *r, uint32_t f)
{
    r->dirty |= 1u << f;
    if (!r->queued) {
        r->queued = true;
        dx->queue[dx->nq++] = r;
    }
}

/* Equality as the runtime's: numbers by ==, strings by bytes. */
static inline void set_num(direct *dx, dx_rec *r, uint32_t f, double v)
{
    if (r->slot[f].n == v)
        return;
    r->slot[f].n = v;
    touch(dx, r, f);
}

static inline void set_bool(direct *dx, dx_rec *r, uint32_t f, bool v)
{
    if (r->slot[f].b == v)
        return;
    r->slot[f].b = v;
    touch(dx, r, f);
}

static int slot_store(dx_slot *s, const char *p, uint32_t len)
{
    if (len + 1 > s->s.cap) {
        char *np = realloc(s->s.p, len + 1);
        if (!np)
            return BJ_ENOMEM;
        s->s.p = np;
        s->s.cap = len + 1;
    }
    memcpy(s->s.p, p, len);
    s->s.p[len] = '\0';
    s->s.len = len;
    return 0;
}

static inline int set_str(direct *dx, dx_rec *r, uint32_t f, const char *p, uint32_t len)
{
    dx_slot *s = &r->slot[f];
    if (s->s.len == len && memcmp(s->s.p, p, len) == 0)
        return 0;
    TRY(slot_store(s, p, len));
    touch(dx, r, f);
    return 0;
}

static int dx_flush(direct *dx)
{
    for (size_t i = 0; i < dx->nq; i++) {
        dx_rec *r = dx->queue[i];
        uint32_t d = r->dirty;
        r->dirty = 0;
        r->queued = false;
        int rc = updaters[r->schema](dx, r, d);
        if (rc)
            return rc;   /* a benchmark stops at the first failure */
    }
    dx->nq = 0;
    return 0;
}

int dx_run(direct *dx, const workload *w, size_t from, size_t to)
{
    unsigned per = w->updates_per_flush, left = per;
    for (size_t i = from; i < to; i++) {
        const bench_op *op = &w->ops[i];
        const dx_target *t = &dx->targets[op->key];
        switch (op->v.t) {
        case BV_NUM: set_num(dx, t->rec, t->field, op->v.n); break;
        case BV_BOOL: set_bool(dx, t->rec, t->field, op->v.b); break;
        case BV_STR: TRY(set_str(dx, t->rec, t->field, op->v.s, op->v.len)); break;
        }
        if (--left == 0) {
            left = per;
            TRY(dx_flush(dx));
        }
    }
    return dx_flush(dx);
}

/* ---- building the records ------------------------------------------------------------------- */

/* The element id of a binding template ("@-likes") for entity `name`. */
static size_t element_id(const char *tmpl, const char *name, char *out, size_t cap)
{
    const char *p = strstr(tmpl, "\"elementId\":\"");
    size_t n = 0;
    for (p = p ? p + 13 : ""; *p && *p != '"' && n + 16 < cap; p++) {
        if (*p == '@') {
            n += (size_t)snprintf(out + n, cap - n, "%s", name);
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
    return n;
}

static dx_rec *rec_new(direct *dx, const wl_entity *e)
{
    const wl_schema *s = wl_schema_get(e->schema);
    dx_rec *r = calloc(1, sizeof *r + (size_t)s->nfields * sizeof(dx_slot) +
                              (size_t)s->nbindings * sizeof(bj_elem *));
    if (!r)
        return NULL;
    r->schema = (uint8_t)e->schema;
    r->el = (bj_elem **)&r->slot[s->nfields];
    for (int i = 0; i < s->nbindings; i++) {
        char id[96];
        size_t n = element_id(s->bindings[i].json, e->name, id, sizeof id);
        r->el[i] = doc_find(dx->doc, id, n);
    }
    for (int f = 0; f < s->nfields; f++) {
        const bench_val *v = &e->init[f];
        if (v->t == BV_NUM)
            r->slot[f].n = v->n;
        else if (v->t == BV_BOOL)
            r->slot[f].b = v->b;
        else if (slot_store(&r->slot[f], v->s, v->len) != 0)
            return r;   /* caught by the caller's check of every string slot */
    }
    return r;
}

/* True when every string slot of r got its buffer. */
static bool rec_complete(const dx_rec *r)
{
    const wl_schema *s = wl_schema_get((schema_id)r->schema);
    for (int f = 0; f < s->nfields; f++)
        if (s->fields[f].type == BV_STR && !r->slot[f].s.p)
            return false;
    return true;
}

direct *dx_new(bj_runtime *rt, const workload *w)
{
    direct *dx = calloc(1, sizeof *dx);
    if (!dx)
        return NULL;
    dx->doc = rt->doc;
    bj_buf_init(&dx->buf, &dx->mem);
    dx->recs = calloc(w->nentities ? w->nentities : 1, sizeof *dx->recs);
    dx->queue = calloc(w->nentities ? w->nentities : 1, sizeof *dx->queue);
    dx->targets = calloc(w->nkeys ? w->nkeys : 1, sizeof *dx->targets);
    bool ok = dx->recs && dx->queue && dx->targets && bj_buf_reserve(&dx->buf, 256);
    for (size_t i = 0; ok && i < w->nentities; i++) {
        dx_rec *r = rec_new(dx, &w->entities[i]);
        if (r)
            dx->recs[dx->nrecs++] = r;
        ok = r && rec_complete(r);
    }
    for (size_t k = 0; ok && k < w->nkeys; k++)
        dx->targets[k] = (dx_target){dx->recs[w->key_entity[k]], w->key_field[k]};
    dx->ntargets = w->nkeys;
    if (!ok) {
        fprintf(stderr, "bindjit bench: out of memory building the direct records\n");
        dx_free(dx);
        return NULL;
    }
    return dx;
}

void dx_free(direct *dx)
{
    if (!dx)
        return;
    for (size_t i = 0; i < dx->nrecs; i++) {
        dx_rec *r = dx->recs[i];
        const wl_schema *s = wl_schema_get((schema_id)r->schema);
        for (int f = 0; f < s->nfields; f++)
            if (s->fields[f].type == BV_STR)
                free(r->slot[f].s.p);
        free(r);
    }
    free(dx->recs);
    free(dx->queue);
    free(dx->targets);
    bj_buf_free(&dx->buf);
    free(dx);
}

size_t dx_memory(const direct *dx)
{
    /* the record table, the queue and the op targets (the path handles) */
    size_t total = dx->nrecs * 2 * sizeof(dx_rec *) + dx->ntargets * sizeof(dx_target);
    for (size_t i = 0; i < dx->nrecs; i++) {
        const dx_rec *r = dx->recs[i];
        const wl_schema *s = wl_schema_get((schema_id)r->schema);
        total += sizeof *r + (size_t)s->nfields * sizeof(dx_slot) +
                 (size_t)s->nbindings * sizeof(bj_elem *);
        for (int f = 0; f < s->nfields; f++)
            if (s->fields[f].type == BV_STR)
                total += r->slot[f].s.cap;
    }
    return total;
}

/* runtime.c: the public API and the interpreter (the map walk).
 *
 * The update pipeline: a setter stores the value in the state tree
 * (state.c), queues the path's key and the keys whose `when` clauses watch
 * that path, and flushes when the batch size is reached. A flush applies
 * each queued key's bindings in order (rt_apply_key): element lookup
 * (cached per binding), `when` test, value read (cached per path), transform,
 * property write through the document's helpers.
 *
 * Invariants:
 * - Nothing is allocated per update in the common case: paths are interned
 *   once, state scalars are updated in place, element lookups are cached,
 *   string forms go to a reused buffer, transform results to a scratch
 *   arena that is reset per binding.
 * - A failure leaves what was applied before it applied; the queue keeps
 *   the keys that were not applied.
 */
#include "runtime.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *bj_strerror(int code)
{
    switch (code) {
    case BJ_OK: return "success";
#define BJ_ERROR_CASE(name, value, msg) case value: return msg;
        BJ_ERROR_TABLE(BJ_ERROR_CASE)
#undef BJ_ERROR_CASE
    }
    return "unknown error";
}

int rt_fail(bj_runtime *rt, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rt->error, sizeof rt->error, fmt, ap);
    va_end(ap);
    return code;
}

const char *bj_last_error(const bj_runtime *rt)
{
    return rt->error;
}

void bj_config_init(bj_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
}

/* ---- creation ---------------------------------------------------------------- */

int bj_runtime_new(const bj_config *cfg, bj_runtime **out)
{
    *out = NULL;
    bj_runtime *rt = calloc(1, sizeof *rt);
    if (!rt)
        return BJ_ENOMEM;
    if (cfg)
        rt->cfg = *cfg;
    bj_map_init(&rt->paths, &rt->mem);
    bj_map_init(&rt->dotted, &rt->mem);
    bj_map_init(&rt->keys, &rt->mem);
    bj_scratch_init(&rt->scratch, &rt->mem);
    bj_buf_init(&rt->strbuf, &rt->mem);
    if (st_init(&rt->state, &rt->mem) != 0 || !(rt->doc = doc_new(&rt->mem))) {
        bj_runtime_free(rt);
        return BJ_ENOMEM;
    }
    *out = rt;
    return 0;
}

static void key_free(bj_runtime *rt, bj_key *k)
{
    for (uint32_t i = 0; i < k->nbindings; i++)
        rt_binding_free(rt, k->bindings[i]);
    bj_free(&rt->mem, k->bindings);
    bj_free(&rt->mem, k->watchers);
    bj_free(&rt->mem, k->key);
    bj_free(&rt->mem, k);
}

static void path_free(bj_runtime *rt, bj_path *p)
{
    bj_free(&rt->mem, p->segs);
    bj_free(&rt->mem, p->text);
    bj_free(&rt->mem, p);
}

void rt_forget_bindings(bj_runtime *rt)
{
    for (uint32_t i = 0; i < rt->keys.n; i++)
        if (rt->keys.entries[i].key)
            key_free(rt, rt->keys.entries[i].value);
    for (uint32_t i = 0; i < rt->paths.n; i++)
        if (rt->paths.entries[i].key)
            path_free(rt, rt->paths.entries[i].value);
    bj_map_free(&rt->keys);
    bj_map_free(&rt->paths);
    bj_map_free(&rt->dotted);
    rt->queue.n = 0;
    rt->stats.bindings = 0;
}

void bj_runtime_free(bj_runtime *rt)
{
    if (!rt)
        return;
    rt_forget_bindings(rt);
    bj_free(&rt->mem, rt->queue.v);
    bj_free(&rt->mem, rt->flushing_queue.v);
    bj_scratch_free(&rt->scratch);
    bj_buf_free(&rt->strbuf);
    st_free(&rt->state);
    doc_free(rt->doc);
    bj_free(&rt->mem, rt->source_name);
    free(rt);
}

void bj_test_fail_alloc(bj_runtime *rt, long nth)
{
    rt->mem.fail_at = nth > 0 ? (long)rt->mem.count + nth : 0;
}

void bj_set_host(bj_runtime *rt, bj_write_fn fn, void *userdata)
{
    doc_set_host(rt->doc, fn, userdata);
}

void bj_get_stats(const bj_runtime *rt, bj_stats *out)
{
    *out = rt->stats;
    out->writes = doc_write_count(rt->doc);
    out->memory_bytes = rt->mem.live;
    out->memory_peak = rt->mem.peak;
    out->allocations = rt->mem.count;
}

int rt_read_file(bj_runtime *rt, const char *path, bj_buf *out)
{
    bj_buf_init(out, &rt->mem);
    FILE *f = fopen(path, "rb");
    if (!f)
        return rt_fail(rt, BJ_EIO, "%s: cannot open", path);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        bj_buf_append(out, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return rt_fail(rt, BJ_EIO, "%s: read error", path);
    if (out->failed)
        return rt_fail(rt, BJ_ENOMEM, "%s: out of memory", path);
    return 0;
}

/* ---- keys and paths ------------------------------------------------------------- */

int rt_key_get(bj_runtime *rt, const char *key, size_t len, bj_key **out)
{
    bj_key *k = bj_map_get(&rt->keys, key, len);
    if (!k) {
        k = bj_calloc(&rt->mem, 1, sizeof *k);
        if (!k || !(k->key = bj_strndup(&rt->mem, key, len)) ||
            bj_map_put(&rt->keys, key, len, k) != 0) {
            if (k)
                bj_free(&rt->mem, k->key);
            bj_free(&rt->mem, k);
            return rt_fail(rt, BJ_ENOMEM, "out of memory");
        }
        k->klen = (uint32_t)len;
    }
    *out = k;
    return 0;
}

/* Builds a new path from segments; the caller interns it. */
static bj_path *path_new(bj_runtime *rt, const char *const *segs, const size_t *lens, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += lens[i] + 1;
    bj_path *p = bj_calloc(&rt->mem, 1, sizeof *p);
    if (!p)
        return NULL;
    p->segs = bj_calloc(&rt->mem, n, sizeof *p->segs);
    p->text = bj_malloc(&rt->mem, total ? total : 1);
    if (!p->segs || !p->text) {
        path_free(rt, p);
        return NULL;
    }
    char *w = p->text;
    for (size_t i = 0; i < n; i++) {
        memcpy(w, segs[i], lens[i]);
        p->segs[i] = (st_seg){w, (uint32_t)lens[i], bj_hash(segs[i], lens[i])};
        w += lens[i];
        *w++ = i + 1 < n ? '.' : '\0';
    }
    if (!n)
        *w = '\0';
    p->nsegs = (uint32_t)n;
    return p;
}

int rt_path_segments(bj_runtime *rt, const char *const *segs, const size_t *lens,
                     size_t n, bj_path **out)
{
    if (n == 0)
        return rt_fail(rt, BJ_EARG, "empty path");
    bj_buf id;
    bj_buf_init(&id, &rt->mem);
    for (size_t i = 0; i < n; i++) {
        uint32_t l = (uint32_t)lens[i];
        bj_buf_append(&id, (const char *)&l, sizeof l);
        bj_buf_append(&id, segs[i], lens[i]);
    }
    if (id.failed) {
        bj_buf_free(&id);
        return rt_fail(rt, BJ_ENOMEM, "out of memory");
    }
    bj_path *p = bj_map_get(&rt->paths, id.data, id.len);
    if (p) {
        bj_buf_free(&id);
        *out = p;
        return 0;
    }
    p = path_new(rt, segs, lens, n);
    int rc = p ? 0 : BJ_ENOMEM;
    if (rc == 0)
        rc = rt_key_get(rt, p->text, strlen(p->text), &p->key);
    if (rc == 0 && bj_map_put(&rt->paths, id.data, id.len, p) != 0)
        rc = BJ_ENOMEM;
    bj_buf_free(&id);
    if (rc != 0) {
        if (p)
            path_free(rt, p);
        return rt_fail(rt, rc, "out of memory");
    }
    bool plain = true;
    for (size_t i = 0; i < n; i++)
        if (memchr(segs[i], '.', lens[i]))
            plain = false;
    if (plain || !p->key->path)
        p->key->path = p;
    *out = p;
    return 0;
}

int bj_path_getv(bj_runtime *rt, const char *const *segments, size_t n, bj_path **out)
{
    size_t lens[64];
    if (n > 64)
        return rt_fail(rt, BJ_EARG, "path has more than 64 segments");
    for (size_t i = 0; i < n; i++)
        lens[i] = strlen(segments[i]);
    return rt_path_segments(rt, segments, lens, n, out);
}

int bj_path_get(bj_runtime *rt, const char *dotted, bj_path **out)
{
    /* The string API resolves the same text on every call: one hash lookup
     * of the whole text, no splitting and no allocation, on a hit. */
    size_t total = strlen(dotted);
    bj_path *hit = bj_map_get(&rt->dotted, dotted, total);
    if (hit) {
        *out = hit;
        return 0;
    }
    const char *segs[64];
    size_t lens[64], n = 0;
    const char *s = dotted;
    for (;;) {
        const char *dot = strchr(s, '.');
        size_t len = dot ? (size_t)(dot - s) : strlen(s);
        if (n == 64)
            return rt_fail(rt, BJ_EARG, "path '%s' has more than 64 segments", dotted);
        segs[n] = s;
        lens[n++] = len;
        if (!dot)
            break;
        s = dot + 1;
    }
    int rc = rt_path_segments(rt, segs, lens, n, out);
    if (rc == 0 && bj_map_put(&rt->dotted, dotted, total, *out) != 0)
        return rt_fail(rt, BJ_ENOMEM, "out of memory");
    return rc;
}

const char *bj_path_key(const bj_path *p)
{
    return p->text;
}

/* ---- the queue --------------------------------------------------------------------- */

static int queue_push(bj_runtime *rt, key_queue *q, bj_key *k)
{
    if (q->n == q->cap) {
        uint32_t cap = q->cap ? q->cap * 2 : 16;
        bj_key **v = bj_realloc(&rt->mem, q->v, cap * sizeof *v);
        if (!v)
            return rt_fail(rt, BJ_ENOMEM, "out of memory");
        q->v = v;
        q->cap = cap;
    }
    q->v[q->n++] = k;
    return 0;
}

static int queue_key(bj_runtime *rt, bj_key *k)
{
    if (k->queued)
        return 0;
    int rc = queue_push(rt, &rt->queue, k);
    if (rc == 0)
        k->queued = true;
    return rc;
}

static bool batch_full(const bj_runtime *rt)
{
    return rt->cfg.batch_size && rt->queue.n >= rt->cfg.batch_size &&
           rt->batch_depth == 0 && !rt->flushing;
}

static int queue_reserve(bj_runtime *rt, key_queue *q, uint32_t extra)
{
    if (q->n + extra <= q->cap)
        return 0;
    uint32_t cap = q->cap ? q->cap : 16;
    while (cap < q->n + extra)
        cap *= 2;
    bj_key **v = bj_realloc(&rt->mem, q->v, cap * sizeof *v);
    if (!v)
        return rt_fail(rt, BJ_ENOMEM, "out of memory queueing an update");
    q->v = v;
    q->cap = cap;
    return 0;
}

int rt_set_node(bj_runtime *rt, bj_path *p, const bj_node *value)
{
    bool changed;
    if (queue_reserve(rt, &rt->queue, 1 + p->key->nwatchers) != 0)
        return BJ_ENOMEM;
    int rc = st_write(&rt->state, p->segs, p->nsegs, &p->ref, value, &changed);
    if (rc == BJ_EPATH)
        return rt_fail(rt, rc, "cannot set '%s': a segment before the last is not an object", p->text);
    if (rc != 0)
        return rt_fail(rt, rc, "out of memory setting '%s'", p->text);
    if (!changed)
        return 0;
    rt->stats.sets++;
    bj_key *k = p->key;
    if ((rc = queue_key(rt, k)) != 0)
        return rc;
    for (uint32_t i = 0; i < k->nwatchers; i++)
        if ((rc = queue_key(rt, k->watchers[i])) != 0)
            return rc;
    return batch_full(rt) ? bj_flush(rt) : 0;
}

/* ---- setters -------------------------------------------------------------------------- */

int bj_path_set_number(bj_runtime *rt, bj_path *p, double v)
{
    bj_node n = {.t = BJ_T_NUM, .u.n = v};
    return rt_set_node(rt, p, &n);
}

int bj_path_set_string(bj_runtime *rt, bj_path *p, const char *s, size_t len)
{
    if (len >= UINT32_MAX)
        return rt_fail(rt, BJ_EARG, "string too long");
    bj_node n = {.t = BJ_T_STR, .u.s = {(char *)s, (uint32_t)len, 0}};
    return rt_set_node(rt, p, &n);
}

int bj_path_set_bool(bj_runtime *rt, bj_path *p, bool v)
{
    bj_node n = {.t = BJ_T_BOOL, .u.b = v};
    return rt_set_node(rt, p, &n);
}

int bj_path_set_null(bj_runtime *rt, bj_path *p)
{
    bj_node n = {.t = BJ_T_NULL};
    return rt_set_node(rt, p, &n);
}

int bj_path_set_json(bj_runtime *rt, bj_path *p, const char *json, size_t len)
{
    json_error_t err;
    json_t *j = json_loadb(json, len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &err);
    if (!j)
        return rt_fail(rt, BJ_EJSON, "value for '%s': line %d, column %d: %s", p->text,
                       err.line, err.column, err.text);
    bj_node *n = st_from_json(&rt->mem, j);
    json_decref(j);
    if (!n)
        return rt_fail(rt, BJ_ENOMEM, "out of memory");
    int rc = rt_set_node(rt, p, n);
    st_node_free(&rt->mem, n);
    return rc;
}

int bj_set_number(bj_runtime *rt, const char *path, double v)
{
    bj_path *p;
    int rc = bj_path_get(rt, path, &p);
    return rc ? rc : bj_path_set_number(rt, p, v);
}

int bj_set_string(bj_runtime *rt, const char *path, const char *s)
{
    bj_path *p;
    int rc = bj_path_get(rt, path, &p);
    return rc ? rc : bj_path_set_string(rt, p, s, strlen(s));
}

int bj_set_bool(bj_runtime *rt, const char *path, bool v)
{
    bj_path *p;
    int rc = bj_path_get(rt, path, &p);
    return rc ? rc : bj_path_set_bool(rt, p, v);
}

int bj_set_null(bj_runtime *rt, const char *path)
{
    bj_path *p;
    int rc = bj_path_get(rt, path, &p);
    return rc ? rc : bj_path_set_null(rt, p);
}

int bj_set_json(bj_runtime *rt, const char *path, const char *json)
{
    bj_path *p;
    int rc = bj_path_get(rt, path, &p);
    return rc ? rc : bj_path_set_json(rt, p, json, strlen(json));
}

/* Copies buf into a caller-owned string. */
static int give_string(bj_runtime *rt, const bj_buf *b, char **out, size_t *len)
{
    if (b->failed)
        return rt_fail(rt, BJ_ENOMEM, "out of memory");
    char *s = malloc(b->len + 1);
    if (!s)
        return rt_fail(rt, BJ_ENOMEM, "out of memory");
    memcpy(s, b->data ? b->data : "", b->len);
    s[b->len] = '\0';
    *out = s;
    if (len)
        *len = b->len;
    return 0;
}

int bj_get_json(bj_runtime *rt, const char *path, char **out, size_t *len)
{
    bj_path *p;
    int rc = bj_path_get(rt, path, &p);
    if (rc)
        return rc;
    bj_buf b;
    bj_buf_init(&b, &rt->mem);
    st_to_json(st_read(&rt->state, p->segs, p->nsegs, &p->ref), &b);
    rc = give_string(rt, &b, out, len);
    bj_buf_free(&b);
    return rc;
}

void bj_string_free(char *s)
{
    free(s);
}

/* ---- flushing ---------------------------------------------------------------------------- */

int bj_set_batch_size(bj_runtime *rt, unsigned batch_size)
{
    rt->cfg.batch_size = batch_size;
    return batch_full(rt) ? bj_flush(rt) : 0;
}

int bj_flush(bj_runtime *rt)
{
    if (rt->flushing || rt->queue.n == 0)
        return 0;
    /* Keys queued while this flush runs (by a host callback) wait for the
     * next flush, as in the JavaScript runtime, which iterates a snapshot. */
    key_queue work = rt->queue;
    rt->queue = rt->flushing_queue;
    rt->queue.n = 0;
    rt->flushing = true;
    int rc = 0;
    uint32_t i = 0;
    for (; i < work.n; i++) {
        bj_key *k = work.v[i];
        k->queued = false;
        if ((rc = rt_apply_key(rt, k)) != 0)
            break;
    }
    rt->flushing = false;
    if (rc != 0) {
        /* The keys not applied go back in front of those queued meanwhile. */
        key_queue late = rt->queue;
        memmove(work.v, work.v + i, (work.n - i) * sizeof *work.v);
        work.n -= i;
        for (uint32_t j = 0; j < work.n; j++)
            work.v[j]->queued = true;
        /* Keys queued meanwhile are already marked queued; they follow. The
         * pushes cannot fail: reserved first, or the late keys stay apart. */
        if (queue_reserve(rt, &work, late.n) == 0) {
            for (uint32_t j = 0; j < late.n; j++)
                work.v[work.n++] = late.v[j];
            late.n = 0;
        }
        rt->queue = work;
        rt->flushing_queue = late;
    } else {
        rt->flushing_queue = work;
    }
    rt->flushing_queue.n = 0;
    if (i > 0)
        rt->stats.flushes++;
    if (rc == 0 && batch_full(rt))
        return bj_flush(rt);
    return rc;
}

int bj_batch_begin(bj_runtime *rt)
{
    rt->batch_depth++;
    return 0;
}

int bj_batch_end(bj_runtime *rt)
{
    if (rt->batch_depth == 0)
        return rt_fail(rt, BJ_ESTATE, "bj_batch_end without bj_batch_begin");
    if (--rt->batch_depth == 0)
        return bj_flush(rt);
    return 0;
}

/* ---- the interpreter ------------------------------------------------------------------------ */

/* The binding's element, looked up again only after a removal. */
static bj_elem *binding_elem(bj_runtime *rt, bj_binding *b)
{
    uint64_t epoch = doc_epoch(rt->doc) + 1; /* +1: el_epoch 0 means "never looked up" */
    if (b->el_epoch != epoch) {
        b->el = doc_find(rt->doc, b->element_id, b->element_id_len);
        b->el_epoch = epoch;
    }
    return b->el;
}

static const bj_node *path_read(bj_runtime *rt, bj_path *p)
{
    return st_read(&rt->state, p->segs, p->nsegs, &p->ref);
}

/* String(v ?? ''): the text every string-valued property receives. */
static bool string_form(bj_runtime *rt, const bj_val *v, char num[BJ_NUMBUF],
                        const char **s, size_t *len)
{
    switch (v->t) {
    case BJ_T_UNDEF:
    case BJ_T_NULL: *s = ""; *len = 0; return true;
    case BJ_T_STR: *s = v->u.s; *len = v->len; return true;
    case BJ_T_NUM: *len = bj_num_to_str(v->u.n, num); *s = num; return true;
    case BJ_T_BOOL:
        *s = v->u.b ? "true" : "false";
        *len = v->u.b ? 4 : 5;
        return true;
    default: return bj_val_to_string(v, &rt->scratch, s, len);
    }
}

/* A `when` holds when the discriminant is an object whose tag === when.tag,
 * or a non-object whose string form equals when.tag. */
static bool when_holds(bj_runtime *rt, const bj_binding *b)
{
    const bj_node *d = path_read(rt, b->when_disc);
    if (d && (d->t == BJ_T_OBJ || d->t == BJ_T_ARR)) {
        if (d->t == BJ_T_ARR)
            return false;
        const bj_node *tag = st_obj_get(d, "tag", 3, bj_hash("tag", 3), NULL);
        return tag && tag->t == BJ_T_STR && tag->u.s.len == b->when_tag_len &&
               memcmp(tag->u.s.p, b->when_tag, b->when_tag_len) == 0;
    }
    bj_val v = bj_val_of_node(d);
    const char *s;
    size_t len;
    if (v.t == BJ_T_UNDEF) {
        s = "undefined";
        len = 9;
    } else if (v.t == BJ_T_NULL) {
        s = "null";
        len = 4;
    } else {
        char num[BJ_NUMBUF];
        if (!string_form(rt, &v, num, &s, &len))
            return false;
        return len == b->when_tag_len && memcmp(s, b->when_tag, len) == 0;
    }
    return len == b->when_tag_len && memcmp(s, b->when_tag, len) == 0;
}

/* Writes v to the binding's property of el. */
static int write_property(bj_runtime *rt, const bj_binding *b, bj_elem *el, const bj_val *v)
{
    char num[BJ_NUMBUF];
    const char *s = NULL;
    size_t len = 0;
    if (b->prop == BJ_PROP_CHECKED)
        return doc_write_checked(rt->doc, el, bj_val_truthy(v));
    if (b->prop == BJ_PROP_DISABLED)
        return doc_write_disabled(rt->doc, el, bj_val_truthy(v));
    if (!string_form(rt, v, num, &s, &len))
        return rt_fail(rt, BJ_ENOMEM, "out of memory");
    switch (b->prop) {
    case BJ_PROP_TEXT: return doc_write_text(rt->doc, el, s, len);
    case BJ_PROP_CLASS: return doc_write_class(rt->doc, el, s, len);
    case BJ_PROP_VALUE: return doc_write_value(rt->doc, el, s, len);
    case BJ_PROP_STYLE:
        if (!b->style_name_len)
            return 0; /* el.style[""] = v writes no declaration */
        return doc_write_style(rt->doc, el, b->style_name, b->style_name_len, s, len);
    default: return 0;
    }
}

/* Applies one binding of key k. */
static int apply_binding(bj_runtime *rt, bj_key *k, bj_binding *b)
{
    bj_elem *el = binding_elem(rt, b);
    if (!el)
        return 0;
    bj_scratch_reset(&rt->scratch);
    int rc;
    if (b->has_when && !b->when_total) {
        bool holds = when_holds(rt, b);
        rc = doc_write_style(rt->doc, el, "display", 7, holds ? "" : "none", holds ? 0 : 4);
        if (rc != 0 || !holds)
            return rc;
    }
    bj_val v = bj_val_of_node(path_read(rt, b->read ? b->read : k->path));
    if (b->xf) {
        bj_scratch_reset(&rt->scratch);
        bj_val out;
        int xr = xf_eval(b->xf, &v, &rt->scratch, &out);
        if (xr == -2)
            return rt_fail(rt, BJ_ENOMEM, "out of memory applying '%s'", k->key);
        if (xr == 0)
            v = out;
    }
    rt->stats.bindings_applied++;
    return write_property(rt, b, el, &v);
}

int rt_apply_key(bj_runtime *rt, bj_key *k)
{
    rt->stats.keys_applied++;
    for (uint32_t i = 0; i < k->nbindings; i++) {
        int rc = apply_binding(rt, k, k->bindings[i]);
        if (rc != 0)
            return rc == BJ_ENOMEM ? rt_fail(rt, rc, "out of memory applying '%s'", k->key) : rc;
    }
    return 0;
}

/* ---- the document ------------------------------------------------------------------------------ */

bj_elem *bj_find(bj_runtime *rt, const char *element_id)
{
    return doc_find(rt->doc, element_id, strlen(element_id));
}

int bj_remove(bj_runtime *rt, const char *element_id)
{
    if (rt->flushing)
        return rt_fail(rt, BJ_ESTATE, "bj_remove('%s') during a flush", element_id);
    bj_elem *el = bj_find(rt, element_id);
    if (!el)
        return rt_fail(rt, BJ_ENOTFOUND, "no element '%s' to remove", element_id);
    doc_remove(rt->doc, el);
    return 0;
}

const char *bj_elem_tag(const bj_elem *el)
{
    return doc_elem_tag(el);
}

const char *bj_elem_attr(const bj_elem *el, const char *name)
{
    return doc_elem_attr(el, name);
}

int bj_html(bj_runtime *rt, char **out, size_t *len)
{
    bj_buf b;
    bj_buf_init(&b, &rt->mem);
    doc_html(rt->doc, &b);
    int rc = give_string(rt, &b, out, len);
    bj_buf_free(&b);
    return rc;
}

int bj_dump_json(bj_runtime *rt, char **out, size_t *len)
{
    bj_buf b;
    bj_buf_init(&b, &rt->mem);
    doc_dump_json(rt->doc, &b);
    int rc = give_string(rt, &b, out, len);
    bj_buf_free(&b);
    return rc;
}

/* state.c: the state tree.
 *
 * Invariants (see state.h): the root is an object; the epoch changes on
 * every layout change; members are never removed. Objects with more than
 * OBJ_INDEX_MIN members carry an open-addressing index so that an entity
 * table with thousands of keys is still O(1) to search.
 */
#include "state.h"

#include <string.h>

#include "bindjit.h"

#define OBJ_INDEX_MIN 8

int st_init(bj_state *st, bj_mem *m)
{
    st->m = m;
    st->epoch = 1;
    st->root = st_new(m, BJ_T_OBJ);
    return st->root ? 0 : BJ_ENOMEM;
}

void st_free(bj_state *st)
{
    st_node_free(st->m, st->root);
    st->root = NULL;
}

bj_node *st_new(bj_mem *m, bj_vt t)
{
    bj_node *n = bj_calloc(m, 1, sizeof *n);
    if (n)
        n->t = t;
    return n;
}

/* Frees what n owns, leaving n itself. */
static void node_clear(bj_mem *m, bj_node *n)
{
    switch (n->t) {
    case BJ_T_STR:
        bj_free(m, n->u.s.p);
        break;
    case BJ_T_ARR:
        for (uint32_t i = 0; i < n->u.a.n; i++)
            st_node_free(m, n->u.a.v[i]);
        bj_free(m, n->u.a.v);
        break;
    case BJ_T_OBJ:
        for (uint32_t i = 0; i < n->u.o.n; i++) {
            bj_free(m, n->u.o.v[i].key);
            st_node_free(m, n->u.o.v[i].val);
        }
        bj_free(m, n->u.o.v);
        bj_free(m, n->u.o.index);
        break;
    default:
        break;
    }
    memset(&n->u, 0, sizeof n->u);
}

void st_node_free(bj_mem *m, bj_node *n)
{
    if (!n)
        return;
    node_clear(m, n);
    bj_free(m, n);
}

/* Makes n a string node holding s[0..len), reusing its buffer if it fits. */
static int node_set_string(bj_mem *m, bj_node *n, const char *s, uint32_t len)
{
    if (n->t != BJ_T_STR || !n->u.s.p || n->u.s.cap < len + 1) {
        uint32_t cap = len + 1 < 16 ? 16 : len + 1;
        char *p = bj_malloc(m, cap);
        if (!p)
            return BJ_ENOMEM;
        node_clear(m, n);
        n->t = BJ_T_STR;
        n->u.s.p = p;
        n->u.s.cap = cap;
    }
    memmove(n->u.s.p, s, len);
    n->u.s.p[len] = '\0';
    n->u.s.len = len;
    return 0;
}

/* ---- objects ---------------------------------------------------------------- */

static void obj_index_insert(bj_node *obj, uint32_t i)
{
    uint32_t mask = obj->u.o.icap - 1;
    uint32_t s = obj->u.o.v[i].hash & mask;
    while (obj->u.o.index[s] >= 0)
        s = (s + 1) & mask;
    obj->u.o.index[s] = (int32_t)i;
}

/* Rebuilds the index for at least `want` members. */
static int obj_reindex(bj_mem *m, bj_node *obj, uint32_t want)
{
    uint32_t icap = 32;
    while (icap < want * 2)
        icap *= 2;
    int32_t *index = bj_malloc(m, icap * sizeof *index);
    if (!index)
        return BJ_ENOMEM;
    memset(index, 0xff, icap * sizeof *index);
    bj_free(m, obj->u.o.index);
    obj->u.o.index = index;
    obj->u.o.icap = icap;
    for (uint32_t i = 0; i < obj->u.o.n; i++)
        obj_index_insert(obj, i);
    return 0;
}

bj_node *st_obj_get(const bj_node *obj, const char *key, size_t len, uint32_t hash, uint32_t *idx)
{
    const bj_member *v = obj->u.o.v;
    if (obj->u.o.index) {
        uint32_t mask = obj->u.o.icap - 1;
        for (uint32_t s = hash & mask; obj->u.o.index[s] >= 0; s = (s + 1) & mask) {
            const bj_member *mb = &v[obj->u.o.index[s]];
            if (mb->hash == hash && mb->klen == len && memcmp(mb->key, key, len) == 0) {
                if (idx)
                    *idx = (uint32_t)obj->u.o.index[s];
                return mb->val;
            }
        }
        return NULL;
    }
    for (uint32_t i = 0; i < obj->u.o.n; i++) {
        if (v[i].hash == hash && v[i].klen == len && memcmp(v[i].key, key, len) == 0) {
            if (idx)
                *idx = i;
            return v[i].val;
        }
    }
    return NULL;
}

int st_obj_add(bj_mem *m, bj_node *obj, const char *key, size_t len, bj_node *val)
{
    if (obj->u.o.n == obj->u.o.cap) {
        uint32_t cap = obj->u.o.cap ? obj->u.o.cap * 2 : 4;
        bj_member *v = bj_realloc(m, obj->u.o.v, cap * sizeof *v);
        if (!v)
            goto fail;
        obj->u.o.v = v;
        obj->u.o.cap = cap;
    }
    uint32_t n = obj->u.o.n;
    if (n + 1 > OBJ_INDEX_MIN && (n + 1) * 2 > obj->u.o.icap) {
        if (obj_reindex(m, obj, n + 1) != 0)
            goto fail;
    }
    char *k = bj_strndup(m, key, len);
    if (!k)
        goto fail;
    obj->u.o.v[n] = (bj_member){k, (uint32_t)len, bj_hash(key, len), val};
    obj->u.o.n = n + 1;
    if (obj->u.o.index)
        obj_index_insert(obj, n);
    return 0;
fail:
    st_node_free(m, val);
    return BJ_ENOMEM;
}

/* Parses a canonical array index ("0", "17"; no sign, no leading zero). */
static bool parse_index(const char *s, uint32_t len, uint32_t *out)
{
    if (len == 0 || len > 9 || (len > 1 && s[0] == '0'))
        return false;
    uint32_t v = 0;
    for (uint32_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

const bj_node *st_child(const bj_node *n, const st_seg *seg)
{
    if (!n)
        return NULL;
    if (n->t == BJ_T_OBJ)
        return st_obj_get(n, seg->s, seg->len, seg->hash, NULL);
    uint32_t i;
    if (n->t == BJ_T_ARR && parse_index(seg->s, seg->len, &i) && i < n->u.a.n)
        return n->u.a.v[i];
    return NULL;
}

/* ---- copying and conversion ---------------------------------------------------- */

bj_node *st_clone(bj_mem *m, const bj_node *src)
{
    bj_node *n = st_new(m, src->t);
    if (!n)
        return NULL;
    switch (src->t) {
    case BJ_T_NUM: n->u.n = src->u.n; break;
    case BJ_T_BOOL: n->u.b = src->u.b; break;
    case BJ_T_STR:
        n->t = BJ_T_UNDEF;
        if (node_set_string(m, n, src->u.s.p, src->u.s.len) != 0)
            goto fail;
        break;
    case BJ_T_ARR:
        if (src->u.a.n) {
            n->u.a.v = bj_calloc(m, src->u.a.n, sizeof *n->u.a.v);
            if (!n->u.a.v)
                goto fail;
            n->u.a.cap = src->u.a.n;
        }
        for (uint32_t i = 0; i < src->u.a.n; i++) {
            if (!(n->u.a.v[i] = st_clone(m, src->u.a.v[i])))
                goto fail;
            n->u.a.n++;
        }
        break;
    case BJ_T_OBJ:
        for (uint32_t i = 0; i < src->u.o.n; i++) {
            const bj_member *mb = &src->u.o.v[i];
            bj_node *c = st_clone(m, mb->val);
            if (!c || st_obj_add(m, n, mb->key, mb->klen, c) != 0)
                goto fail;
        }
        break;
    default:
        break;
    }
    return n;
fail:
    st_node_free(m, n);
    return NULL;
}

bj_node *st_from_json(bj_mem *m, const json_t *j)
{
    bj_node *n = NULL;
    switch (json_typeof(j)) {
    case JSON_NULL: return st_new(m, BJ_T_NULL);
    case JSON_TRUE:
    case JSON_FALSE:
        if ((n = st_new(m, BJ_T_BOOL)))
            n->u.b = json_is_true(j);
        return n;
    case JSON_INTEGER:
    case JSON_REAL:
        if ((n = st_new(m, BJ_T_NUM)))
            n->u.n = json_number_value(j);
        return n;
    case JSON_STRING:
        if (json_string_length(j) >= UINT32_MAX)
            return NULL; /* lengths are 32-bit; reported as out of memory */
        if ((n = st_new(m, BJ_T_UNDEF)) &&
            node_set_string(m, n, json_string_value(j), (uint32_t)json_string_length(j)) != 0) {
            st_node_free(m, n);
            return NULL;
        }
        return n;
    case JSON_ARRAY: {
        if (!(n = st_new(m, BJ_T_ARR)))
            return NULL;
        size_t count = json_array_size(j);
        if (count && !(n->u.a.v = bj_calloc(m, count, sizeof *n->u.a.v)))
            goto fail;
        n->u.a.cap = (uint32_t)count;
        for (size_t i = 0; i < count; i++) {
            if (!(n->u.a.v[i] = st_from_json(m, json_array_get(j, i))))
                goto fail;
            n->u.a.n++;
        }
        return n;
    }
    case JSON_OBJECT: {
        if (!(n = st_new(m, BJ_T_OBJ)))
            return NULL;
        const char *key;
        size_t klen;
        json_t *val;
        json_object_keylen_foreach((json_t *)j, key, klen, val) {
            bj_node *c = st_from_json(m, val);
            if (!c || st_obj_add(m, n, key, klen, c) != 0)
                goto fail;
        }
        return n;
    }
    }
fail:
    st_node_free(m, n);
    return NULL;
}

void st_to_json(const bj_node *n, bj_buf *out)
{
    char num[BJ_NUMBUF];
    if (!n) {
        bj_buf_puts(out, "undefined");
        return;
    }
    switch (n->t) {
    case BJ_T_UNDEF: bj_buf_puts(out, "null"); break;
    case BJ_T_NULL: bj_buf_puts(out, "null"); break;
    case BJ_T_BOOL: bj_buf_puts(out, n->u.b ? "true" : "false"); break;
    case BJ_T_NUM:
        /* JSON.stringify writes NaN and the infinities as null. */
        if (n->u.n != n->u.n || n->u.n - n->u.n != 0)
            bj_buf_puts(out, "null");
        else
            bj_buf_append(out, num, bj_num_to_str(n->u.n, num));
        break;
    case BJ_T_STR: bj_buf_json_string(out, n->u.s.p, n->u.s.len); break;
    case BJ_T_ARR:
        bj_buf_putc(out, '[');
        for (uint32_t i = 0; i < n->u.a.n; i++) {
            if (i)
                bj_buf_putc(out, ',');
            st_to_json(n->u.a.v[i], out);
        }
        bj_buf_putc(out, ']');
        break;
    case BJ_T_OBJ:
        bj_buf_putc(out, '{');
        for (uint32_t i = 0; i < n->u.o.n; i++) {
            if (i)
                bj_buf_putc(out, ',');
            bj_buf_json_string(out, n->u.o.v[i].key, n->u.o.v[i].klen);
            bj_buf_putc(out, ':');
            st_to_json(n->u.o.v[i].val, out);
        }
        bj_buf_putc(out, '}');
        break;
    }
}

/* ---- paths ------------------------------------------------------------------------ */

static bool ref_valid(const bj_state *st, const st_ref *ref)
{
    return ref->epoch == st->epoch;
}

const bj_node *st_read(bj_state *st, const st_seg *segs, size_t n, st_ref *ref)
{
    if (ref && ref_valid(st, ref)) {
        if (!ref->obj || ref->idx == ST_MISSING)
            return NULL;
        return ref->obj->u.o.v[ref->idx].val;
    }
    const bj_node *cur = st->root;
    bool via_arr = false;
    for (size_t i = 0; i + 1 < n && cur; i++) {
        via_arr |= cur->t == BJ_T_ARR;
        cur = st_child(cur, &segs[i]);
    }
    const bj_node *leaf = NULL;
    uint32_t idx = ST_MISSING;
    if (cur && cur->t == BJ_T_OBJ)
        leaf = st_obj_get(cur, segs[n - 1].s, segs[n - 1].len, segs[n - 1].hash, &idx);
    else if (cur)
        leaf = st_child(cur, &segs[n - 1]);
    if (ref) {
        /* A leaf inside an array is not a member: such paths are not cached. */
        ref->obj = cur && cur->t == BJ_T_OBJ ? (bj_node *)cur : NULL;
        ref->idx = idx;
        ref->epoch = via_arr || (cur && cur->t == BJ_T_ARR) ? 0 : st->epoch;
    }
    return leaf;
}

/* Follows the existing objects of the path's prefix: *holder is the last
 * object reached and *depth the index of the first segment it lacks (n - 1
 * when every parent exists). BJ_EPATH when a non-object is in the way. */
static int walk_existing(bj_state *st, const st_seg *segs, size_t n, bj_node **holder,
                         size_t *depth)
{
    bj_node *cur = st->root;
    size_t i = 0;
    for (; i + 1 < n; i++) {
        if (cur->t != BJ_T_OBJ)
            return BJ_EPATH;
        bj_node *next = st_obj_get(cur, segs[i].s, segs[i].len, segs[i].hash, NULL);
        if (!next)
            break;
        cur = next;
    }
    if (cur->t != BJ_T_OBJ)
        return BJ_EPATH;
    *holder = cur;
    *depth = i;
    return 0;
}

/* Builds the missing objects segs[i+1..n-1] around a copy of value aside
 * and attaches them to holder under segs[i] with one st_obj_add, so an
 * allocation failure leaves the state exactly as it was. */
static int attach_chain(bj_state *st, bj_node *holder, const st_seg *segs, size_t i, size_t n,
                        const bj_node *value)
{
    bj_node *chain = st_clone(st->m, value);
    for (size_t j = n - 1; chain && j > i; j--) {
        bj_node *o = st_new(st->m, BJ_T_OBJ);
        if (!o) {
            st_node_free(st->m, chain);
            return BJ_ENOMEM;
        }
        if (st_obj_add(st->m, o, segs[j].s, segs[j].len, chain) != 0) { /* frees chain */
            st_node_free(st->m, o);
            return BJ_ENOMEM;
        }
        chain = o;
    }
    if (!chain || st_obj_add(st->m, holder, segs[i].s, segs[i].len, chain) != 0)
        return BJ_ENOMEM;
    st->epoch++;
    return 0;
}

static bool is_compound(const bj_node *n)
{
    return n->t == BJ_T_ARR || n->t == BJ_T_OBJ;
}

/* Overwrites the existing node `dst` with a copy of `value`. */
static int replace_node(bj_state *st, bj_node *dst, const bj_node *value)
{
    if (!is_compound(value)) {
        if (is_compound(dst))
            st->epoch++;
        switch (value->t) {
        case BJ_T_STR:
            return node_set_string(st->m, dst, value->u.s.p, value->u.s.len);
        case BJ_T_NUM:
            node_clear(st->m, dst);
            dst->t = BJ_T_NUM;
            dst->u.n = value->u.n;
            return 0;
        case BJ_T_BOOL:
            node_clear(st->m, dst);
            dst->t = BJ_T_BOOL;
            dst->u.b = value->u.b;
            return 0;
        default:
            node_clear(st->m, dst);
            dst->t = value->t;
            return 0;
        }
    }
    bj_node *copy = st_clone(st->m, value);
    if (!copy)
        return BJ_ENOMEM;
    node_clear(st->m, dst);
    *dst = *copy;       /* dst keeps its address: parents need no update */
    bj_free(st->m, copy);
    st->epoch++;
    return 0;
}

int st_write(bj_state *st, const st_seg *segs, size_t n, st_ref *ref,
             const bj_node *value, bool *changed)
{
    *changed = false;
    bj_node *obj;
    uint32_t idx;
    if (ref && ref_valid(st, ref) && ref->obj) {
        obj = ref->obj;
        idx = ref->idx;
    } else {
        bj_node *cur;
        size_t i;
        int rc = walk_existing(st, segs, n, &cur, &i);
        if (rc != 0)
            return rc;
        if (i + 1 < n) {
            if ((rc = attach_chain(st, cur, segs, i, n, value)) != 0)
                return rc;
            *changed = true;
            if (ref)
                ref->epoch = 0;
            return 0;
        }
        obj = cur;
        idx = ST_MISSING;
        st_obj_get(obj, segs[n - 1].s, segs[n - 1].len, segs[n - 1].hash, &idx);
    }
    if (idx != ST_MISSING) {
        bj_node *cur = obj->u.o.v[idx].val;
        /* A number over a number is the common update: a compare and a
         * store instead of deep_equal + replace_node (132 instructions of a
         * 637-instruction map-handle op under callgrind). */
        if (cur->t == BJ_T_NUM && value->t == BJ_T_NUM) {
            if (cur->u.n == value->u.n)
                goto done;
            cur->u.n = value->u.n;
            goto changed;
        }
        if (bj_node_deep_equal(cur, value))
            goto done;
        int rc = replace_node(st, cur, value);
        if (rc != 0)
            return rc;
    } else {
        bj_node *copy = st_clone(st->m, value);
        if (!copy || st_obj_add(st->m, obj, segs[n - 1].s, segs[n - 1].len, copy) != 0)
            return BJ_ENOMEM;
        idx = obj->u.o.n - 1;
        st->epoch++;
    }
changed:
    *changed = true;
done:
    if (ref) {
        ref->obj = obj;
        ref->idx = idx;
        ref->epoch = st->epoch;
    }
    return 0;
}

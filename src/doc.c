/* doc.c: the built-in document (element tree, lookups, property writes,
 * HTML serialization, the JSON dump).
 *
 * Structures:
 * - Every node starts with a doc_node: parent pointer and sibling links.
 *   An element (struct bj_elem) adds first/last child pointers; a text node
 *   (doc_text) adds its data. Linked children make append, unlink and
 *   "replace all children" cheap, and every traversal is iterative (deep
 *   views cannot overflow the C stack).
 * - Attributes: an array of (name, value) pairs in the order first set.
 *   Names are stored ASCII-lowercased, as setAttribute does in an HTML
 *   document, and looked up case-insensitively.
 * - Style: a second array of (css-name, value) declarations. The `style`
 *   attribute is an ordinary attribute whose value is rebuilt from that
 *   array ("name: value;" joined by one space) whenever it changes. Removed
 *   declarations stay allocated after the declared ones as spares, so a
 *   property toggled on and off does not allocate.
 * - Strings that bindings rewrite (attribute values, text data, current
 *   values) are doc_str buffers with a capacity: a steady stream of writes
 *   of similar length does not allocate.
 * - Two indexes (bj_map) from a data-bosatsu-id / id value to the list of
 *   elements carrying it, in no particular order. A lookup returns the
 *   candidate that is connected and first in document order, so it stays
 *   correct whatever order the loader builds in (attributes set before or
 *   after attaching, subtrees built bottom-up or top-down).
 *
 * Invariants:
 * - el->connected is true exactly for the root and the elements under it.
 *   Elements become connected only in doc_append_child and stop being
 *   connected only by being freed, so the flag never needs clearing.
 * - An element is in the index of data-bosatsu-id (id) under value V iff
 *   its data-bosatsu-id (id) attribute is V, whether connected or not.
 * - If the style attribute exists, its value is the serialization of the
 *   declarations; declarations exist only while the attribute does (it
 *   may exist with none: style="").
 * - A failed allocation leaves the document as it was: each mutation
 *   allocates first and commits after (or undoes what it added).
 * - d->epoch changes whenever an element leaves the document (doc_remove,
 *   or a textContent write replacing element children).
 */
#include "doc.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* ---- structures ------------------------------------------------------------ */

/* A growable string; s is NUL-terminated once set; cap counts the NUL. */
typedef struct doc_str {
    char *s;
    size_t len, cap;
} doc_str;

/* An attribute or a style declaration. */
typedef struct doc_pair {
    char *name; /* owned, lowercased (custom properties "--x" as given) */
    size_t nlen;
    doc_str val;
} doc_pair;

typedef struct doc_node doc_node;
struct doc_node {
    bj_elem *parent;
    doc_node *prev, *next;
    bool is_text;
};

typedef struct doc_text {
    doc_node node; /* first member: a text doc_node * is its doc_text * */
    doc_str str;
} doc_text;

enum { EL_VOID = 1, EL_RAWTEXT = 2 };

struct bj_elem {
    doc_node node; /* first member: an element doc_node * is its bj_elem * */
    doc_node *first, *last;
    char *tag;
    size_t tlen;
    doc_tag_kind kind;
    uint8_t flags;       /* EL_VOID, EL_RAWTEXT */
    bool connected;      /* under the root (or the root) */
    bool value_dirty;    /* current value written: no longer follows the attribute */
    bool checked;        /* checkedness (inputs) */
    bool checked_dirty;  /* checkedness written: no longer follows the attribute */
    doc_pair *attrs;
    uint32_t nattrs, cattrs;
    doc_pair *decls;     /* [0, ndecls) declared, then nspare spares */
    uint32_t ndecls, nspare, cdecls;
    doc_str value;       /* current value once dirty (input, textarea, select) */
};

/* Elements sharing one indexed attribute value. */
typedef struct doc_ilist {
    uint32_t n, cap;
    bj_elem *items[];
} doc_ilist;

struct bj_doc {
    bj_mem *m;
    bj_elem *root;
    uint64_t epoch, writes;
    bj_map by_bid, by_id; /* value -> doc_ilist * */
    bj_write_fn host;
    void *host_ud;
};

static bj_elem *as_elem(doc_node *n)
{
    assert(!n->is_text);
    return (bj_elem *)n;
}

static const bj_elem *as_celem(const doc_node *n)
{
    assert(!n->is_text);
    return (const bj_elem *)n;
}

/* ---- small string helpers --------------------------------------------------- */

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* True when s[0..n) equals the lowercase literal lit, ASCII case-insensitively. */
static bool name_is(const char *s, size_t n, const char *lit)
{
    size_t i = 0;
    for (; i < n && lit[i]; i++)
        if (lower(s[i]) != lit[i])
            return false;
    return i == n && lit[i] == '\0';
}

static bool bytes_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* Rounds a capacity up to 16 bytes so small growth (9 -> 10) reuses it. */
static size_t str_round(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

/* Makes room for len bytes plus a NUL without changing the contents. If
 * *alias (may be NULL) points into the buffer it is moved along. */
static int str_reserve(bj_mem *m, doc_str *st, size_t len, const char **alias)
{
    if (len < st->cap)
        return 0;
    size_t cap = str_round(len + 1);
    if (cap <= len)
        return -1;
    uintptr_t base = (uintptr_t)st->s;
    uintptr_t a = alias ? (uintptr_t)*alias : 0;
    bool inside = st->s && alias && a >= base && a < base + st->cap;
    char *p = bj_realloc(m, st->s, cap);
    if (!p)
        return -1;
    if (!st->s)
        p[0] = '\0';
    if (inside)
        *alias = p + (a - base);
    st->s = p;
    st->cap = cap;
    return 0;
}

/* Stores s[0..len) into a buffer already reserved for it. */
static void str_commit(doc_str *st, const char *s, size_t len)
{
    assert(len < st->cap);
    if (len)
        memmove(st->s, s, len);
    st->s[len] = '\0';
    st->len = len;
}

/* Stores s[0..len); -1 on allocation failure (st unchanged). */
static int str_set(bj_mem *m, doc_str *st, const char *s, size_t len)
{
    if (str_reserve(m, st, len, &s) != 0)
        return -1;
    str_commit(st, s, len);
    return 0;
}

static void str_free(bj_mem *m, doc_str *st)
{
    bj_free(m, st->s);
    st->s = NULL;
    st->len = st->cap = 0;
}

static void pairs_free(bj_mem *m, doc_pair *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        bj_free(m, p[i].name);
        str_free(m, &p[i].val);
    }
    bj_free(m, p);
}

/* Index of the pair named name (case-insensitively unless a custom "--"
 * property), or -1. */
static int pair_find(const doc_pair *p, uint32_t n, const char *name, size_t nlen)
{
    bool exact = nlen >= 2 && name[0] == '-' && name[1] == '-';
    for (uint32_t i = 0; i < n; i++) {
        if (p[i].nlen != nlen)
            continue;
        /* Names are stored lowercased and bindings pass lowercase CSS
         * names: an exact compare settles almost every lookup without the
         * per-byte folding (about 115 instructions per mixed op). */
        if (memcmp(p[i].name, name, nlen) == 0)
            return (int)i;
        size_t k = 0;
        while (k < nlen && (exact ? name[k] : lower(name[k])) == p[i].name[k])
            k++;
        if (k == nlen)
            return (int)i;
    }
    return -1;
}

/* Grows a pair array so it can take one more; -1 on allocation failure. */
static int pairs_grow(bj_mem *m, doc_pair **p, uint32_t n, uint32_t *cap)
{
    if (n < *cap)
        return 0;
    uint32_t ncap = *cap ? *cap * 2 : 4;
    doc_pair *np = bj_realloc(m, *p, ncap * sizeof *np);
    if (!np)
        return -1;
    *p = np;
    *cap = ncap;
    return 0;
}

/* An owned copy of a name, ASCII-lowercased unless it is a custom "--x". */
static char *name_dup(bj_mem *m, const char *name, size_t nlen)
{
    char *s = bj_strndup(m, name, nlen);
    if (s && !(nlen >= 2 && name[0] == '-' && name[1] == '-'))
        for (size_t i = 0; i < nlen; i++)
            s[i] = lower(s[i]);
    return s;
}

/* ---- tree structure ---------------------------------------------------------- */

/* The node after n in document order, staying inside top's subtree. */
static doc_node *next_in(const doc_node *n, const doc_node *top)
{
    if (!n->is_text && as_celem(n)->first)
        return as_celem(n)->first;
    while (n != top) {
        if (n->next)
            return n->next;
        n = &n->parent->node;
    }
    return NULL;
}

static void link_last(bj_elem *parent, doc_node *n)
{
    n->parent = parent;
    n->prev = parent->last;
    n->next = NULL;
    if (parent->last)
        parent->last->next = n;
    else
        parent->first = n;
    parent->last = n;
}

static void unlink_node(doc_node *n)
{
    bj_elem *p = n->parent;
    if (!p)
        return;
    if (n->prev)
        n->prev->next = n->next;
    else
        p->first = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        p->last = n->prev;
    n->parent = NULL;
    n->prev = n->next = NULL;
}

/* ---- indexes ------------------------------------------------------------------- */

/* The index kept for attribute `name`, or NULL when it is not indexed. */
static bj_map *index_for(bj_doc *d, const char *name, size_t nlen)
{
    if (name_is(name, nlen, "data-bosatsu-id"))
        return &d->by_bid;
    if (name_is(name, nlen, "id"))
        return &d->by_id;
    return NULL;
}

/* Adds el under key (once); -1 on allocation failure (index unchanged). */
static int index_add(bj_doc *d, bj_map *map, const char *key, size_t klen, bj_elem *el)
{
    bj_map_entry *e = bj_map_find(map, key, klen);
    if (e) {
        doc_ilist *l = e->value;
        for (uint32_t i = 0; i < l->n; i++)
            if (l->items[i] == el)
                return 0;
        if (l->n == l->cap) {
            uint32_t cap = l->cap * 2;
            l = bj_realloc(d->m, l, sizeof *l + cap * sizeof l->items[0]);
            if (!l)
                return -1;
            l->cap = cap;
            e->value = l;
        }
        l->items[l->n++] = el;
        return 0;
    }
    /* Room for one: shared values are rare, most keys never grow. */
    doc_ilist *l = bj_malloc(d->m, sizeof *l + sizeof l->items[0]);
    if (!l)
        return -1;
    l->n = 1;
    l->cap = 1;
    l->items[0] = el;
    if (bj_map_put(map, key, klen, l) != 0) {
        bj_free(d->m, l);
        return -1;
    }
    return 0;
}

/* Removes el from key's list (and the key when the list empties). */
static void index_del(bj_doc *d, bj_map *map, const char *key, size_t klen, bj_elem *el)
{
    doc_ilist *l = bj_map_get(map, key, klen);
    if (!l)
        return;
    for (uint32_t i = 0; i < l->n; i++) {
        if (l->items[i] != el)
            continue;
        memmove(&l->items[i], &l->items[i + 1], (l->n - i - 1) * sizeof l->items[0]);
        l->n--;
        break;
    }
    if (l->n == 0) {
        bj_map_remove(map, key, klen);
        bj_free(d->m, l);
    }
}

/* Number of ancestors of el. */
static size_t depth_of(const bj_elem *el)
{
    size_t n = 0;
    for (; el->node.parent; el = el->node.parent)
        n++;
    return n;
}

/* True when a comes before b in document order (both in the same tree). */
static bool precedes(const bj_elem *a, const bj_elem *b)
{
    size_t da = depth_of(a), db = depth_of(b);
    const bj_elem *x = a, *y = b;
    for (; da > db; da--)
        x = x->node.parent;
    for (; db > da; db--)
        y = y->node.parent;
    if (x == y) /* one contains the other: the ancestor comes first */
        return x == a;
    while (x->node.parent != y->node.parent) {
        x = x->node.parent;
        y = y->node.parent;
    }
    for (const doc_node *n = x->node.next; n; n = n->next)
        if (n == &y->node)
            return true;
    return false;
}

/* The connected element first in document order among key's list. */
static bj_elem *index_first(bj_doc *d, const bj_map *map, const char *key, size_t klen)
{
    const doc_ilist *l = bj_map_get(map, key, klen);
    bj_elem *best = NULL;
    if (!l)
        return NULL;
    for (uint32_t i = 0; i < l->n; i++) {
        bj_elem *el = l->items[i];
        if (!el->connected || el == d->root)
            continue;
        if (!best || precedes(el, best))
            best = el;
    }
    return best;
}

/* Removes el from both indexes. */
static void unindex(bj_doc *d, bj_elem *el)
{
    for (uint32_t i = 0; i < el->nattrs; i++) {
        bj_map *map = index_for(d, el->attrs[i].name, el->attrs[i].nlen);
        if (map)
            index_del(d, map, el->attrs[i].val.s, el->attrs[i].val.len, el);
    }
}

/* ---- creating and freeing nodes --------------------------------------------- */

typedef struct tag_info {
    const char *name;
    doc_tag_kind kind;
    uint8_t flags;
} tag_info;

/* The tags the property rules and the serializer care about. Void elements
 * are the HTML fragment serialization algorithm's full list (a superset of
 * semantics.md's). */
static const tag_info tag_table[] = {
    {"input", DOC_TAG_INPUT, EL_VOID}, {"textarea", DOC_TAG_TEXTAREA, 0},
    {"select", DOC_TAG_SELECT, 0},     {"button", DOC_TAG_BUTTON, 0},
    {"fieldset", DOC_TAG_FIELDSET, 0}, {"optgroup", DOC_TAG_OPTGROUP, 0},
    {"option", DOC_TAG_OPTION, 0},     {"area", 0, EL_VOID},
    {"base", 0, EL_VOID},              {"basefont", 0, EL_VOID},
    {"bgsound", 0, EL_VOID},           {"br", 0, EL_VOID},
    {"col", 0, EL_VOID},               {"embed", 0, EL_VOID},
    {"frame", 0, EL_VOID},             {"hr", 0, EL_VOID},
    {"img", 0, EL_VOID},               {"keygen", 0, EL_VOID},
    {"link", 0, EL_VOID},              {"meta", 0, EL_VOID},
    {"param", 0, EL_VOID},             {"source", 0, EL_VOID},
    {"track", 0, EL_VOID},             {"wbr", 0, EL_VOID},
    {"style", 0, EL_RAWTEXT},          {"script", 0, EL_RAWTEXT},
    {"xmp", 0, EL_RAWTEXT},            {"iframe", 0, EL_RAWTEXT},
    {"noembed", 0, EL_RAWTEXT},        {"noframes", 0, EL_RAWTEXT},
    {"plaintext", 0, EL_RAWTEXT},
};

bj_elem *doc_create_element(bj_doc *d, const char *tag, size_t len)
{
    bj_elem *el = bj_calloc(d->m, 1, sizeof *el);
    if (!el)
        return NULL;
    el->tag = name_dup(d->m, tag, len);
    if (!el->tag) {
        bj_free(d->m, el);
        return NULL;
    }
    el->tlen = len;
    for (size_t i = 0; i < sizeof tag_table / sizeof tag_table[0]; i++) {
        if (name_is(tag, len, tag_table[i].name)) {
            el->kind = tag_table[i].kind;
            el->flags = tag_table[i].flags;
            break;
        }
    }
    return el;
}

static doc_text *text_new(bj_doc *d, const char *s, size_t len)
{
    doc_text *t = bj_calloc(d->m, 1, sizeof *t);
    if (!t)
        return NULL;
    t->node.is_text = true;
    if (str_set(d->m, &t->str, s, len) != 0) {
        bj_free(d->m, t);
        return NULL;
    }
    return t;
}

/* Frees one node (its children already gone), unindexing an element. */
static void free_node(bj_doc *d, doc_node *n)
{
    if (n->is_text) {
        str_free(d->m, &((doc_text *)n)->str);
        bj_free(d->m, n);
        return;
    }
    bj_elem *el = as_elem(n);
    assert(!el->first);
    unindex(d, el);
    pairs_free(d->m, el->attrs, el->nattrs);
    pairs_free(d->m, el->decls, el->ndecls + el->nspare);
    str_free(d->m, &el->value);
    bj_free(d->m, el->tag);
    bj_free(d->m, el);
}

/* Frees top and its subtree, deepest first, without recursion. top must
 * not be linked to siblings that are meant to survive (its own next is
 * never followed). */
static void free_subtree(bj_doc *d, doc_node *top)
{
    doc_node *n = top;
    for (;;) {
        while (!n->is_text && as_elem(n)->first)
            n = as_elem(n)->first;
        if (n == top) {
            free_node(d, n);
            return;
        }
        doc_node *next = n->next;
        bj_elem *up = n->parent;
        free_node(d, n);
        if (next) {
            n = next;
        } else {
            up->first = up->last = NULL;
            n = &up->node;
        }
    }
}

/* Frees every child of el; bumps the epoch when an element left. */
static void remove_children(bj_doc *d, bj_elem *el)
{
    bool elem_left = false;
    doc_node *c = el->first;
    el->first = el->last = NULL;
    while (c) {
        doc_node *next = c->next;
        elem_left |= !c->is_text;
        c->parent = NULL;
        free_subtree(d, c);
        c = next;
    }
    if (elem_left)
        d->epoch++;
}

void doc_free_detached(bj_doc *d, bj_elem *el)
{
    if (!el)
        return;
    assert(!el->node.parent && el != d->root);
    free_subtree(d, &el->node);
}

bj_doc *doc_new(bj_mem *m)
{
    bj_doc *d = bj_calloc(m, 1, sizeof *d);
    if (!d)
        return NULL;
    d->m = m;
    bj_map_init(&d->by_bid, m);
    bj_map_init(&d->by_id, m);
    d->root = doc_create_element(d, "div", 3);
    if (!d->root) {
        bj_free(m, d);
        return NULL;
    }
    d->root->connected = true;
    return d;
}

/* Frees the lists an index still holds (those of detached elements that
 * were never freed: the loader's leak, but not ours to repeat). */
static void index_free(bj_doc *d, bj_map *map)
{
    for (uint32_t i = 0; i < map->n; i++)
        if (map->entries[i].key)
            bj_free(d->m, map->entries[i].value);
    bj_map_free(map);
}

void doc_free(bj_doc *d)
{
    if (!d)
        return;
    free_subtree(d, &d->root->node);
    index_free(d, &d->by_bid);
    index_free(d, &d->by_id);
    bj_free(d->m, d);
}

bj_elem *doc_root(bj_doc *d)
{
    return d->root;
}

uint64_t doc_epoch(const bj_doc *d)
{
    return d->epoch;
}

/* ---- attributes ---------------------------------------------------------------- */

static int attr_find(const bj_elem *el, const char *name, size_t nlen)
{
    return pair_find(el->attrs, el->nattrs, name, nlen);
}

/* Index of attribute name, appended with an empty value when absent
 * (*created set), with room for a value of vlen bytes. -1 on allocation
 * failure, el unchanged. */
static int attr_reserve(bj_doc *d, bj_elem *el, const char *name, size_t nlen,
                        size_t vlen, bool *created)
{
    int i = attr_find(el, name, nlen);
    *created = false;
    if (i >= 0)
        return str_reserve(d->m, &el->attrs[i].val, vlen, NULL) == 0 ? i : -1;
    if (pairs_grow(d->m, &el->attrs, el->nattrs, &el->cattrs) != 0)
        return -1;
    doc_pair p = {0};
    p.name = bj_strndup(d->m, name, nlen);
    if (!p.name)
        return -1;
    for (size_t k = 0; k < nlen; k++)
        p.name[k] = lower(p.name[k]);
    p.nlen = nlen;
    if (str_reserve(d->m, &p.val, vlen, NULL) != 0) {
        bj_free(d->m, p.name);
        return -1;
    }
    el->attrs[el->nattrs] = p;
    *created = true;
    return (int)el->nattrs++;
}

/* Removes attribute i (never an indexed one: callers unindex first). */
static void attr_remove(bj_doc *d, bj_elem *el, int i)
{
    doc_pair *p = &el->attrs[i];
    bj_free(d->m, p->name);
    str_free(d->m, &p->val);
    memmove(p, p + 1, (el->nattrs - (uint32_t)i - 1) * sizeof *p);
    el->nattrs--;
}

const char *doc_elem_tag(const bj_elem *el)
{
    return el->tag;
}

doc_tag_kind doc_elem_kind(const bj_elem *el)
{
    return el->kind;
}

const char *doc_elem_attr(const bj_elem *el, const char *name)
{
    int i = attr_find(el, name, strlen(name));
    return i < 0 ? NULL : el->attrs[i].val.s;
}

const char *doc_elem_bosatsu_id(const bj_elem *el)
{
    int i = attr_find(el, "data-bosatsu-id", 15);
    return i < 0 ? NULL : el->attrs[i].val.s;
}

/* The value of attribute name as (s, len); false when absent. */
static bool attr_get(const bj_elem *el, const char *name, const char **s, size_t *len)
{
    int i = attr_find(el, name, strlen(name));
    if (i < 0)
        return false;
    *s = el->attrs[i].val.s;
    *len = el->attrs[i].val.len;
    return true;
}

/* ---- style declarations ---------------------------------------------------------- */

/* Length of the serialized declarations: "a: b; c: d;". */
static size_t style_len(const doc_pair *p, uint32_t n)
{
    size_t len = n ? n - 1 : 0;
    for (uint32_t i = 0; i < n; i++)
        len += p[i].nlen + 2 + p[i].val.len + 1;
    return len;
}

/* Rewrites the style attribute (index ai, already reserved large enough)
 * from the declarations. */
static void style_sync(bj_elem *el, int ai)
{
    doc_str *v = &el->attrs[ai].val;
    assert(style_len(el->decls, el->ndecls) < v->cap);
    char *o = v->s;
    for (uint32_t i = 0; i < el->ndecls; i++) {
        const doc_pair *p = &el->decls[i];
        if (i)
            *o++ = ' ';
        memcpy(o, p->name, p->nlen);
        o += p->nlen;
        *o++ = ':';
        *o++ = ' ';
        if (p->val.len)
            memcpy(o, p->val.s, p->val.len);
        o += p->val.len;
        *o++ = ';';
    }
    *o = '\0';
    v->len = (size_t)(o - v->s);
}

/* Sets or appends a declaration in a pair array; -1 on allocation failure
 * (the array unchanged). */
static int decl_put(bj_mem *m, doc_pair **p, uint32_t *n, uint32_t *cap,
                    const char *name, size_t nlen, const char *val, size_t vlen)
{
    int i = pair_find(*p, *n, name, nlen);
    if (i >= 0)
        return str_set(m, &(*p)[i].val, val, vlen);
    if (pairs_grow(m, p, *n, cap) != 0)
        return -1;
    doc_pair q = {0};
    q.name = name_dup(m, name, nlen);
    if (!q.name)
        return -1;
    q.nlen = nlen;
    if (str_set(m, &q.val, val, vlen) != 0) {
        bj_free(m, q.name);
        return -1;
    }
    (*p)[(*n)++] = q;
    return 0;
}

static bool css_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Trims CSS whitespace from both ends of [*s, *s + *n). */
static void css_trim(const char **s, size_t *n)
{
    while (*n && css_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && css_space((*s)[*n - 1]))
        (*n)--;
}

/* Length of the declaration starting at s: up to the first ';' outside
 * quotes and parentheses (so url("a;b") stays whole). */
static size_t css_decl_len(const char *s, size_t n)
{
    char quote = 0;
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (quote) {
            if (c == '\\' && i + 1 < n)
                i++;
            else if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '(') {
            depth++;
        } else if (c == ')' && depth) {
            depth--;
        } else if (c == ';' && !depth) {
            return i;
        }
    }
    return n;
}

/* Parses "a: b; c: d" into declarations. Chunks without a name, a colon
 * or a value are dropped (a CSS parser would drop them too); a repeated
 * name keeps its first position and takes the last value. No validation
 * of names or values beyond that. -1 on allocation failure. */
static int css_parse(bj_mem *m, const char *s, size_t n, doc_pair **out,
                     uint32_t *nout, uint32_t *cap)
{
    size_t i = 0;
    while (i < n) {
        size_t dl = css_decl_len(s + i, n - i);
        const char *decl = s + i;
        const char *colon = memchr(decl, ':', dl);
        i += dl + 1;
        if (!colon)
            continue;
        const char *name = decl, *val = colon + 1;
        size_t nl = (size_t)(colon - decl), vl = dl - nl - 1;
        css_trim(&name, &nl);
        css_trim(&val, &vl);
        if (!nl || !vl)
            continue;
        if (decl_put(m, out, nout, cap, name, nl, val, vl) != 0)
            return -1;
    }
    return 0;
}

/* setAttribute("style", v): the declarations are replaced by v's. */
static int style_set_attr(bj_doc *d, bj_elem *el, const char *value, size_t vlen)
{
    doc_pair *nd = NULL;
    uint32_t nn = 0, nc = 0;
    bool created;
    if (css_parse(d->m, value, vlen, &nd, &nn, &nc) != 0)
        goto fail;
    int ai = attr_reserve(d, el, "style", 5, style_len(nd, nn), &created);
    if (ai < 0)
        goto fail;
    pairs_free(d->m, el->decls, el->ndecls + el->nspare);
    el->decls = nd;
    el->ndecls = nn;
    el->nspare = 0;
    el->cdecls = nc;
    style_sync(el, ai);
    return 0;
fail:
    pairs_free(d->m, nd, nn);
    return BJ_ENOMEM;
}

/* Removes declaration di; the style attribute shrinks, so no allocation.
 * Its storage becomes a spare: `when` bindings toggle display between
 * "none" and removed on every flip, and reusing the spare makes that
 * toggle allocation-free (each re-add used to cost two allocations; a
 * class + display toggle loop now makes none after the first round).
 * Spares are bounded by the distinct names ever set on el. */
static void style_remove(bj_elem *el, int di)
{
    doc_pair gone = el->decls[di];
    doc_pair *p = &el->decls[di];
    memmove(p, p + 1, (el->ndecls - (uint32_t)di - 1) * sizeof *p);
    el->ndecls--;
    el->decls[el->ndecls] = gone; /* the slot freed at the end of the declared part */
    el->nspare++;
    int ai = attr_find(el, "style", 5);
    assert(ai >= 0);
    style_sync(el, ai);
}

/* Appends a declaration not yet declared, reusing a spare of that name
 * when there is one. -1 on allocation failure (el unchanged). */
static int decl_add(bj_doc *d, bj_elem *el, const char *name, size_t nlen,
                    const char *value, size_t vlen)
{
    /* NULL + 0 is undefined in C: an element without declarations has no array. */
    doc_pair *spares = el->decls ? el->decls + el->ndecls : NULL;
    int si = pair_find(spares, el->nspare, name, nlen);
    if (si >= 0) {
        if (str_reserve(d->m, &spares[si].val, vlen, &value) != 0)
            return -1;
        doc_pair p = spares[si];
        spares[si] = spares[0];
        spares[0] = p;
    } else {
        if (el->ndecls + el->nspare == el->cdecls &&
            pairs_grow(d->m, &el->decls, el->cdecls, &el->cdecls) != 0)
            return -1;
        doc_pair p = {0};
        p.name = name_dup(d->m, name, nlen);
        p.nlen = nlen;
        if (!p.name || str_reserve(d->m, &p.val, vlen, NULL) != 0) {
            bj_free(d->m, p.name);
            return -1;
        }
        spares = el->decls + el->ndecls;
        if (el->nspare)
            spares[el->nspare] = spares[0]; /* the first spare moves to the end */
        spares[0] = p;
        el->nspare++;
    }
    str_commit(&el->decls[el->ndecls].val, value, vlen);
    el->ndecls++;
    el->nspare--;
    return 0;
}

int doc_style_set(bj_doc *d, bj_elem *el, const char *name, size_t nlen,
                  const char *value, size_t vlen)
{
    int di = pair_find(el->decls, el->ndecls, name, nlen);
    if (vlen == 0) {
        /* Removing what is not declared changes nothing, not even by
         * creating an empty style attribute (CSSOM removeProperty). */
        if (di >= 0)
            style_remove(el, di);
        return 0;
    }
    size_t len = style_len(el->decls, el->ndecls);
    if (di >= 0)
        len = len - el->decls[di].val.len + vlen;
    else
        len += (el->ndecls ? 1 : 0) + nlen + 3 + vlen;
    bool created;
    int ai = attr_reserve(d, el, "style", 5, len, &created);
    if (ai < 0)
        return BJ_ENOMEM;
    int rc = 0;
    if (di >= 0)
        rc = str_set(d->m, &el->decls[di].val, value, vlen);
    else
        rc = decl_add(d, el, name, nlen, value, vlen);
    if (rc != 0) {
        if (created)
            attr_remove(d, el, ai);
        return BJ_ENOMEM;
    }
    style_sync(el, ai);
    return 0;
}

/* ---- inputs ------------------------------------------------------------------------ */

/* Input types grouped by value mode and sanitization (HTML standard). */
typedef enum input_type {
    IT_TEXT,    /* text, search, tel, password, unknown: strip newlines */
    IT_TRIM,    /* url, email: strip newlines, trim whitespace */
    IT_NUMBER,  /* number: a valid floating-point number or "" */
    IT_COLOR,   /* color: a valid simple color, lowercased, or #000000 */
    IT_PLAIN,   /* date, month, week, time, datetime-local, range: not sanitized here */
    IT_CHECKBOX,/* value mode default/on */
    IT_RADIO,   /* value mode default/on */
    IT_DEFAULT, /* hidden, submit, image, reset, button: value mode default */
    IT_FILE,    /* value mode filename: always "" here (no files) */
} input_type;

static input_type input_type_of(const bj_elem *el)
{
    static const struct { const char *name; input_type t; } types[] = {
        {"checkbox", IT_CHECKBOX}, {"radio", IT_RADIO}, {"text", IT_TEXT},
        {"search", IT_TEXT}, {"tel", IT_TEXT}, {"password", IT_TEXT},
        {"url", IT_TRIM}, {"email", IT_TRIM}, {"number", IT_NUMBER},
        {"color", IT_COLOR}, {"date", IT_PLAIN}, {"month", IT_PLAIN},
        {"week", IT_PLAIN}, {"time", IT_PLAIN}, {"datetime-local", IT_PLAIN},
        {"range", IT_PLAIN}, {"hidden", IT_DEFAULT}, {"submit", IT_DEFAULT},
        {"image", IT_DEFAULT}, {"reset", IT_DEFAULT}, {"button", IT_DEFAULT},
        {"file", IT_FILE},
    };
    const char *s;
    size_t n;
    if (!attr_get(el, "type", &s, &n))
        return IT_TEXT;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (name_is(s, n, types[i].name))
            return types[i].t;
    return IT_TEXT;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static size_t skip_digits(const char *s, size_t i, size_t n)
{
    while (i < n && is_digit(s[i]))
        i++;
    return i;
}

/* HTML's "valid floating-point number": -?(D+|D+.D+|.D+)([eE][+-]?D+)? */
static bool valid_float(const char *s, size_t n)
{
    size_t i = (n && s[0] == '-') ? 1 : 0;
    size_t j = skip_digits(s, i, n);
    bool digits = j > i;
    if (j < n && s[j] == '.') {
        size_t k = skip_digits(s, j + 1, n);
        if (k == j + 1)
            return false;
        digits = true;
        j = k;
    }
    if (!digits)
        return false;
    if (j < n && (s[j] == 'e' || s[j] == 'E')) {
        j++;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        size_t k = skip_digits(s, j, n);
        if (k == j)
            return false;
        j = k;
    }
    return j == n;
}

static bool is_hex(char c)
{
    return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f');
}

/* Writes the sanitized value of s into out (room for max(n, 7) bytes;
 * out may equal s: every rule writes at or before where it reads) and
 * returns its length. */
static size_t sanitize(input_type t, const char *s, size_t n, char *out)
{
    size_t o = 0;
    switch (t) {
    case IT_TEXT:
    case IT_TRIM:
        for (size_t i = 0; i < n; i++)
            if (s[i] != '\n' && s[i] != '\r')
                out[o++] = s[i];
        if (t == IT_TRIM) {
            size_t b = 0;
            while (b < o && css_space(out[b]))
                b++;
            while (o > b && css_space(out[o - 1]))
                o--;
            memmove(out, out + b, o - b);
            o -= b;
        }
        return o;
    case IT_NUMBER:
        if (!valid_float(s, n))
            return 0;
        break;
    case IT_COLOR:
        if (n == 7 && s[0] == '#' && is_hex(s[1]) && is_hex(s[2]) && is_hex(s[3]) &&
            is_hex(s[4]) && is_hex(s[5]) && is_hex(s[6])) {
            for (size_t i = 0; i < 7; i++)
                out[i] = lower(s[i]);
        } else {
            memcpy(out, "#000000", 7);
        }
        return 7;
    default:
        break;
    }
    if (n)
        memmove(out, s, n);
    return n;
}

/* The nearest <form> ancestor (the radio group's form owner), or NULL. */
static const bj_elem *form_of(const bj_elem *el)
{
    for (const bj_elem *p = el->node.parent; p; p = p->node.parent)
        if (p->tlen == 4 && memcmp(p->tag, "form", 4) == 0)
            return p;
    return NULL;
}

/* Unchecks the other radios of el's group: same tree (connected or a
 * detached subtree), same non-empty name, same form owner (the `form`
 * attribute is not supported). */
static void radio_uncheck_others(bj_elem *el)
{
    const char *name, *on;
    size_t nlen, olen;
    if (!attr_get(el, "name", &name, &nlen) || nlen == 0)
        return;
    const bj_elem *form = form_of(el);
    bj_elem *tree = el;
    while (tree->node.parent)
        tree = tree->node.parent;
    const doc_node *top = &tree->node;
    for (doc_node *n = &tree->node; n; n = next_in(n, top)) {
        if (n->is_text || n == &el->node)
            continue;
        bj_elem *o = as_elem(n);
        if (o->kind == DOC_TAG_INPUT && o->checked && input_type_of(o) == IT_RADIO &&
            attr_get(o, "name", &on, &olen) && bytes_eq(on, olen, name, nlen) &&
            form_of(o) == form)
            o->checked = false;
    }
}

/* Sets an input's checkedness, applying the radio group rule. */
static void set_checkedness(bj_elem *el, bool on)
{
    el->checked = on;
    if (on && input_type_of(el) == IT_RADIO)
        radio_uncheck_others(el);
}

int doc_set_attr(bj_doc *d, bj_elem *el, const char *name, size_t nlen,
                 const char *value, size_t vlen)
{
    if (name_is(name, nlen, "style"))
        return style_set_attr(d, el, value, vlen);
    bool created;
    int i = attr_reserve(d, el, name, nlen, vlen, &created);
    if (i < 0)
        return BJ_ENOMEM;
    doc_str *v = &el->attrs[i].val;
    bj_map *map = index_for(d, name, nlen);
    if (map && (created || !bytes_eq(v->s, v->len, value, vlen))) {
        if (index_add(d, map, value, vlen, el) != 0) {
            if (created)
                attr_remove(d, el, i);
            return BJ_ENOMEM;
        }
        if (!created)
            index_del(d, map, v->s, v->len, el);
    }
    str_commit(v, value, vlen);
    /* The value attribute needs nothing here: the current value is read
     * from it lazily while the element is not dirty. Checkedness is stored
     * because radio groups change it without touching the attribute. */
    if (el->kind != DOC_TAG_INPUT)
        return 0;
    if (created && !el->checked_dirty && name_is(name, nlen, "checked"))
        set_checkedness(el, true);
    else if (el->checked && (name_is(name, nlen, "name") || name_is(name, nlen, "type")))
        set_checkedness(el, true); /* a name change or a type change */
    return 0;
}

/* ---- building ------------------------------------------------------------------------ */

/* Marks child's subtree connected, then applies the radio group rule to
 * its checked radios in tree order ("becomes connected"). */
static void connect_subtree(bj_doc *d, bj_elem *child)
{
    bool radios = false;
    const doc_node *top = &child->node;
    for (doc_node *n = &child->node; n; n = next_in(n, top)) {
        if (n->is_text)
            continue;
        bj_elem *el = as_elem(n);
        el->connected = true;
        radios |= el->kind == DOC_TAG_INPUT && el->checked;
    }
    if (!radios)
        return;
    for (doc_node *n = &child->node; n; n = next_in(n, top)) {
        if (n->is_text)
            continue;
        bj_elem *el = as_elem(n);
        if (el->kind == DOC_TAG_INPUT && el->checked && input_type_of(el) == IT_RADIO)
            radio_uncheck_others(el);
    }
}

int doc_append_child(bj_doc *d, bj_elem *parent, bj_elem *child)
{
    if (child->node.parent || child == d->root)
        return BJ_EARG;
    /* A connected parent cannot be inside a detached child; only a
     * detached parent needs the cycle check (cheap when building
     * bottom-up, where parents have no parent yet). */
    if (!parent->connected)
        for (const bj_elem *p = parent; p; p = p->node.parent)
            if (p == child)
                return BJ_EARG;
    link_last(parent, &child->node);
    if (parent->connected)
        connect_subtree(d, child);
    return 0;
}

int doc_append_text(bj_doc *d, bj_elem *parent, const char *s, size_t len)
{
    doc_text *t = text_new(d, s, len);
    if (!t)
        return BJ_ENOMEM;
    link_last(parent, &t->node);
    return 0;
}

/* ---- lookup ---------------------------------------------------------------------------- */

bj_elem *doc_find_bosatsu_id(bj_doc *d, const char *value, size_t len)
{
    return index_first(d, &d->by_bid, value, len);
}

bj_elem *doc_find_id(bj_doc *d, const char *value, size_t len)
{
    return index_first(d, &d->by_id, value, len);
}

/* First connected element (root excluded) in document order with the
 * attribute, whose value equals value when value is non-NULL. */
static bj_elem *scan_attr(bj_doc *d, const char *name, size_t nlen,
                          const char *value, size_t vlen)
{
    const doc_node *top = &d->root->node;
    for (doc_node *n = d->root->first; n; n = next_in(n, top)) {
        if (n->is_text)
            continue;
        bj_elem *el = as_elem(n);
        int i = attr_find(el, name, nlen);
        if (i >= 0 && (!value || bytes_eq(el->attrs[i].val.s, el->attrs[i].val.len, value, vlen)))
            return el;
    }
    return NULL;
}

bj_elem *doc_find_attr(bj_doc *d, const char *name, size_t nlen, const char *value, size_t vlen)
{
    bj_map *map = index_for(d, name, nlen);
    if (map)
        return index_first(d, map, value, vlen);
    return scan_attr(d, name, nlen, value, vlen);
}

static size_t skip_css_space(const char *s, size_t i, size_t n)
{
    while (i < n && css_space(s[i]))
        i++;
    return i;
}

/* Appends code point cp as UTF-8 (U+FFFD for invalid ones, as CSS does). */
static void put_utf8(bj_buf *b, unsigned long cp)
{
    char u[4];
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        u[0] = (char)cp;
        bj_buf_append(b, u, 1);
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        bj_buf_append(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        bj_buf_append(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        bj_buf_append(b, u, 4);
    }
}

/* Reads a CSS escape after the backslash at s[i]; returns the index past it. */
static size_t css_unescape(const char *s, size_t i, size_t n, bj_buf *out)
{
    size_t j = i + 1;
    unsigned long cp = 0;
    while (j < n && j < i + 7 && is_hex(s[j])) {
        char c = lower(s[j]);
        cp = cp * 16 + (unsigned long)(is_digit(c) ? c - '0' : c - 'a' + 10);
        j++;
    }
    if (j > i + 1) {
        put_utf8(out, cp);
        return (j < n && css_space(s[j])) ? j + 1 : j;
    }
    if (j < n)
        bj_buf_append(out, s + j, 1);
    return j + 1;
}

/* Parses [name], [name=v], [name="v"], [name='v'] (CSS escapes in values)
 * and finds the element. NULL when malformed. */
static bj_elem *find_selector(bj_doc *d, const char *s, size_t n)
{
    size_t i = skip_css_space(s, 1, n), ns = i;
    while (i < n && !css_space(s[i]) && s[i] != '=' && s[i] != ']')
        i++;
    size_t nl = i - ns;
    i = skip_css_space(s, i, n);
    if (!nl || i >= n)
        return NULL;
    if (s[i] == ']')
        return i + 1 == n ? scan_attr(d, s + ns, nl, NULL, 0) : NULL;
    if (s[i] != '=')
        return NULL;
    i = skip_css_space(s, i + 1, n);
    bj_buf v;
    bj_buf_init(&v, d->m);
    char quote = (i < n && (s[i] == '"' || s[i] == '\'')) ? s[i++] : 0;
    bool closed = !quote;
    while (i < n) {
        char c = s[i];
        if (quote && c == quote) {
            closed = true;
            i++;
            break;
        }
        if (!quote && (c == ']' || css_space(c)))
            break;
        if (c == '\\') {
            i = css_unescape(s, i, n, &v);
        } else {
            bj_buf_append(&v, &c, 1);
            i++;
        }
    }
    i = skip_css_space(s, i, n);
    bj_elem *el = NULL;
    if (closed && (quote || v.len) && !v.failed && i + 1 == n && s[i] == ']')
        el = doc_find_attr(d, s + ns, nl, v.data ? v.data : "", v.len);
    bj_buf_free(&v);
    return el;
}

bj_elem *doc_find(bj_doc *d, const char *element_id, size_t len)
{
    if (len && element_id[0] == '#')
        return doc_find_id(d, element_id + 1, len - 1);
    if (len && element_id[0] == '[')
        return find_selector(d, element_id, len);
    return doc_find_bosatsu_id(d, element_id, len);
}

void doc_remove(bj_doc *d, bj_elem *el)
{
    if (!el || el == d->root)
        return;
    unlink_node(&el->node);
    free_subtree(d, &el->node);
    d->epoch++;
}

/* ---- writes -------------------------------------------------------------------------------- */

void doc_set_host(bj_doc *d, bj_write_fn fn, void *userdata)
{
    d->host = fn;
    d->host_ud = userdata;
}

uint64_t doc_write_count(const bj_doc *d)
{
    return d->writes;
}

/* Counts an applied write and reports it to the host, if any. */
static void report(bj_doc *d, bj_elem *el, bj_prop prop, const char *style_name,
                   const char *s, size_t len, bool flag)
{
    d->writes++;
    if (!d->host)
        return;
    bj_write w = {
        .elem = el,
        .element_id = doc_elem_bosatsu_id(el),
        .prop = prop,
        .style_name = style_name,
        .value = s,
        .len = len,
        .flag = flag,
    };
    d->host(d->host_ud, &w);
}

/* textContent when the fast path does not apply. */
static int write_text_slow(bj_doc *d, bj_elem *el, const char *s, size_t len)
{
    doc_node *c = el->first;
    if (len && c && c == el->last && c->is_text) {
        doc_text *t = (doc_text *)c;
        if (str_set(d->m, &t->str, s, len) != 0)
            return BJ_ENOMEM;
        report(d, el, BJ_PROP_TEXT, NULL, t->str.s, len, false);
        return 0;
    }
    doc_text *t = NULL;
    if (len && !(t = text_new(d, s, len)))
        return BJ_ENOMEM;
    remove_children(d, el);
    if (t)
        link_last(el, &t->node);
    report(d, el, BJ_PROP_TEXT, NULL, t ? t->str.s : "", len, false);
    return 0;
}

int doc_write_text(bj_doc *d, bj_elem *el, const char *s, size_t len)
{
    /* The hot case: one text child whose buffer is big enough. A write
     * here is a few compares, a memmove and the report. */
    doc_node *c = el->first;
    if (c && c == el->last && c->is_text && len && len < ((doc_text *)c)->str.cap) {
        doc_str *st = &((doc_text *)c)->str;
        memmove(st->s, s, len);
        st->s[len] = '\0';
        st->len = len;
        report(d, el, BJ_PROP_TEXT, NULL, st->s, len, false);
        return 0;
    }
    return write_text_slow(d, el, s, len);
}

int doc_write_class(bj_doc *d, bj_elem *el, const char *s, size_t len)
{
    bool created;
    int i = attr_reserve(d, el, "class", 5, len, &created);
    if (i < 0)
        return BJ_ENOMEM;
    str_commit(&el->attrs[i].val, s, len);
    report(d, el, BJ_PROP_CLASS, NULL, el->attrs[i].val.s, len, false);
    return 0;
}

/* Stores a textarea value: newlines normalized (CRLF, CR -> LF) as its
 * API value is. */
static int textarea_store(bj_doc *d, bj_elem *el, const char *s, size_t len)
{
    if (str_reserve(d->m, &el->value, len, &s) != 0)
        return BJ_ENOMEM;
    char *o = el->value.s;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\r') {
            *o++ = '\n';
            if (i + 1 < len && s[i + 1] == '\n')
                i++;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    el->value.len = (size_t)(o - el->value.s);
    return 0;
}

/* Stores an input's current value in value mode, sanitized for its type. */
static int input_store(bj_doc *d, bj_elem *el, input_type t, const char *s, size_t len)
{
    if (str_reserve(d->m, &el->value, len < 7 ? 7 : len, &s) != 0)
        return BJ_ENOMEM;
    size_t n = sanitize(t, s, len, el->value.s);
    el->value.s[n] = '\0';
    el->value.len = n;
    return 0;
}

int doc_write_value(bj_doc *d, bj_elem *el, const char *s, size_t len)
{
    int rc = 0;
    switch (el->kind) {
    case DOC_TAG_INPUT: {
        input_type t = input_type_of(el);
        if (t == IT_CHECKBOX || t == IT_RADIO || t == IT_DEFAULT) {
            /* Value modes default and default/on: the property reflects
             * the value attribute, so the HTML changes. */
            rc = doc_set_attr(d, el, "value", 5, s, len);
            if (rc == 0)
                report(d, el, BJ_PROP_VALUE, NULL, doc_elem_attr(el, "value"), len, false);
            return rc;
        }
        if (t == IT_FILE) { /* no files: the value stays "" */
            report(d, el, BJ_PROP_VALUE, NULL, "", 0, false);
            return 0;
        }
        rc = input_store(d, el, t, s, len);
        break;
    }
    case DOC_TAG_TEXTAREA:
        rc = textarea_store(d, el, s, len);
        break;
    case DOC_TAG_SELECT:
        /* Stored as written; option selection is not modelled (a select's
         * value is not part of the dump). */
        rc = str_set(d->m, &el->value, s, len);
        break;
    default:
        return 0;
    }
    if (rc != 0)
        return BJ_ENOMEM;
    el->value_dirty = true;
    report(d, el, BJ_PROP_VALUE, NULL, el->value.s, el->value.len, false);
    return 0;
}

int doc_write_checked(bj_doc *d, bj_elem *el, bool on)
{
    if (el->kind != DOC_TAG_INPUT)
        return 0;
    el->checked_dirty = true;
    set_checkedness(el, on);
    report(d, el, BJ_PROP_CHECKED, NULL, NULL, 0, on);
    return 0;
}

int doc_write_disabled(bj_doc *d, bj_elem *el, bool on)
{
    switch (el->kind) {
    case DOC_TAG_BUTTON: case DOC_TAG_INPUT: case DOC_TAG_SELECT: case DOC_TAG_TEXTAREA:
    case DOC_TAG_FIELDSET: case DOC_TAG_OPTGROUP: case DOC_TAG_OPTION:
        break;
    default:
        return 0;
    }
    int i = attr_find(el, "disabled", 8);
    if (on && (i < 0 || el->attrs[i].val.len)) {
        bool created;
        i = attr_reserve(d, el, "disabled", 8, 0, &created);
        if (i < 0)
            return BJ_ENOMEM;
        str_commit(&el->attrs[i].val, "", 0);
    } else if (!on && i >= 0) {
        attr_remove(d, el, i);
    }
    report(d, el, BJ_PROP_DISABLED, NULL, NULL, 0, on);
    return 0;
}

int doc_write_style(bj_doc *d, bj_elem *el, const char *name, size_t nlen,
                    const char *s, size_t len)
{
    int rc = doc_style_set(d, el, name, nlen, s, len);
    if (rc != 0)
        return rc;
    /* The host gets a NUL-terminated name: the stored one when declared,
     * else a copy (removal of a missing declaration). */
    int di = pair_find(el->decls, el->ndecls, name, nlen);
    char tmp[128];
    const char *sn = name;
    if (di >= 0) {
        sn = el->decls[di].name;
    } else if (nlen < sizeof tmp) {
        memcpy(tmp, name, nlen);
        tmp[nlen] = '\0';
        sn = tmp;
    }
    report(d, el, BJ_PROP_STYLE, sn, di >= 0 ? el->decls[di].val.s : "", len, false);
    return 0;
}

/* ---- output ---------------------------------------------------------------------------- */

/* Appends s escaped for HTML text (attr false) or a double-quoted
 * attribute value (attr true), per the fragment serialization algorithm:
 * text escapes & < > NBSP, attributes & " NBSP (< > stay raw there, as
 * the conformance cases show: class="<MiXeD>" in small-002). */
static void html_escape(bj_buf *out, const char *s, size_t n, bool attr)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *esc = NULL;
        size_t skip = 1;
        switch (s[i]) {
        case '&': esc = "&amp;"; break;
        case '<': esc = attr ? NULL : "&lt;"; break;
        case '>': esc = attr ? NULL : "&gt;"; break;
        case '"': esc = attr ? "&quot;" : NULL; break;
        case '\xC2':
            if (i + 1 < n && s[i + 1] == '\xA0') {
                esc = "&nbsp;";
                skip = 2;
            }
            break;
        default: break;
        }
        if (!esc)
            continue;
        bj_buf_append(out, s + run, i - run);
        bj_buf_puts(out, esc);
        i += skip - 1;
        run = i + 1;
    }
    bj_buf_append(out, s + run, n - run);
}

static void open_tag(bj_buf *out, const bj_elem *el)
{
    bj_buf_putc(out, '<');
    bj_buf_append(out, el->tag, el->tlen);
    for (uint32_t i = 0; i < el->nattrs; i++) {
        const doc_pair *a = &el->attrs[i];
        bj_buf_putc(out, ' ');
        bj_buf_append(out, a->name, a->nlen);
        bj_buf_append(out, "=\"", 2);
        html_escape(out, a->val.s, a->val.len, true);
        bj_buf_putc(out, '"');
    }
    bj_buf_putc(out, '>');
}

static void close_tag(bj_buf *out, const bj_elem *el)
{
    bj_buf_append(out, "</", 2);
    bj_buf_append(out, el->tag, el->tlen);
    bj_buf_putc(out, '>');
}

/* Text under style/script/xmp/iframe/noembed/noframes/plaintext is written
 * as it is, as the algorithm says (noscript is escaped: scripting off). */
static void text_out(bj_buf *out, const doc_text *t)
{
    if (t->node.parent->flags & EL_RAWTEXT)
        bj_buf_append(out, t->str.s, t->str.len);
    else
        html_escape(out, t->str.s, t->str.len, false);
}

void doc_html(bj_doc *d, bj_buf *out)
{
    const bj_elem *root = d->root;
    const doc_node *n = root->first;
    while (n) {
        if (n->is_text) {
            text_out(out, (const doc_text *)n);
        } else {
            const bj_elem *el = as_celem(n);
            open_tag(out, el);
            if (!(el->flags & EL_VOID)) {
                if (el->first) {
                    n = el->first;
                    continue;
                }
                close_tag(out, el);
            }
        }
        /* Climb until a node has a next sibling, closing the elements left. */
        while (!n->next) {
            const bj_elem *p = n->parent;
            if (p == root)
                return;
            close_tag(out, p);
            n = &p->node;
        }
        n = n->next;
    }
}

/* Appends the concatenated text of el's descendants. */
static void text_content(const bj_elem *el, bj_buf *out)
{
    const doc_node *top = &el->node;
    for (const doc_node *n = el->first; n; n = next_in(n, top))
        if (n->is_text)
            bj_buf_append(out, ((const doc_text *)n)->str.s, ((const doc_text *)n)->str.len);
}

/* Appends the current value of an input (value shown in the dump) or a
 * textarea. */
static void value_of(const bj_elem *el, bj_buf *out)
{
    const char *s = "";
    size_t n = 0;
    if (el->kind == DOC_TAG_TEXTAREA) {
        if (el->value_dirty) {
            bj_buf_append(out, el->value.s, el->value.len);
            return;
        }
        /* Not dirty: the child text content, newlines normalized. */
        for (const doc_node *c = el->first; c; c = c->next) {
            if (!c->is_text)
                continue;
            const doc_str *st = &((const doc_text *)c)->str;
            for (size_t i = 0; i < st->len; i++) {
                char ch = st->s[i];
                if (ch == '\r' && i + 1 < st->len && st->s[i + 1] == '\n')
                    continue;
                bj_buf_putc(out, ch == '\r' ? '\n' : ch);
            }
        }
        return;
    }
    input_type t = input_type_of(el);
    if (t == IT_FILE)
        return;
    if (t == IT_DEFAULT || t == IT_CHECKBOX || t == IT_RADIO) {
        if (!attr_get(el, "value", &s, &n) && t != IT_DEFAULT)
            bj_buf_puts(out, "on");
        else
            bj_buf_append(out, s, n);
        return;
    }
    if (el->value_dirty) {
        bj_buf_append(out, el->value.s, el->value.len);
        return;
    }
    attr_get(el, "value", &s, &n);
    if (!bj_buf_reserve(out, n < 7 ? 7 : n))
        return;
    out->len += sanitize(t, s, n, out->data + out->len);
    out->data[out->len] = '\0';
}

/* Appends `,\n   "key": ` (without the comma for the first key). */
static void dump_key(bj_buf *out, const char *key, bool first)
{
    bj_buf_puts(out, first ? "\n   \"" : ",\n   \"");
    bj_buf_puts(out, key);
    bj_buf_puts(out, "\": ");
}

/* Appends one element's dump object; tmp is scratch. */
static void dump_elem(const bj_elem *el, bj_buf *out, bj_buf *tmp)
{
    const char *s;
    size_t n;
    bj_buf_putc(out, '{');
    bj_buf_clear(tmp);
    text_content(el, tmp);
    dump_key(out, "textContent", true);
    bj_buf_json_string(out, tmp->data ? tmp->data : "", tmp->len);
    dump_key(out, "className", false);
    if (attr_get(el, "class", &s, &n))
        bj_buf_json_string(out, s, n);
    else
        bj_buf_puts(out, "\"\"");
    dump_key(out, "style", false);
    if (attr_get(el, "style", &s, &n))
        bj_buf_json_string(out, s, n);
    else
        bj_buf_puts(out, "null");
    input_type t = el->kind == DOC_TAG_INPUT ? input_type_of(el) : IT_TEXT;
    bool checkable = el->kind == DOC_TAG_INPUT && (t == IT_CHECKBOX || t == IT_RADIO);
    if ((el->kind == DOC_TAG_INPUT && !checkable) || el->kind == DOC_TAG_TEXTAREA) {
        bj_buf_clear(tmp);
        value_of(el, tmp);
        dump_key(out, "value", false);
        bj_buf_json_string(out, tmp->data ? tmp->data : "", tmp->len);
        out->failed |= tmp->failed;
    }
    if (checkable) {
        dump_key(out, "checked", false);
        bj_buf_puts(out, el->checked ? "true" : "false");
    }
    if (el->kind == DOC_TAG_BUTTON || el->kind == DOC_TAG_INPUT ||
        el->kind == DOC_TAG_SELECT || el->kind == DOC_TAG_TEXTAREA) {
        dump_key(out, "disabled", false);
        bj_buf_puts(out, attr_find(el, "disabled", 8) >= 0 ? "true" : "false");
    }
    bj_buf_puts(out, "\n  }");
    out->failed |= tmp->failed;
}

/* JavaScript orders an object's array-index keys ("0".."4294967294",
 * canonical) first, ascending; *v gets the index. */
static bool array_index(const char *k, size_t n, uint32_t *v)
{
    if (n == 0 || n > 10 || (k[0] == '0' && n > 1))
        return false;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(k[i]))
            return false;
        x = x * 10 + (uint64_t)(k[i] - '0');
    }
    if (x >= 4294967295u)
        return false;
    *v = (uint32_t)x;
    return true;
}

typedef struct dump_key_ref {
    uint32_t index; /* array index value */
    uint32_t entry; /* position in the map's entries */
} dump_key_ref;

static int key_ref_cmp(const void *a, const void *b)
{
    uint32_t x = ((const dump_key_ref *)a)->index, y = ((const dump_key_ref *)b)->index;
    return x < y ? -1 : x > y;
}

/* Appends the "elements" object of the dump from ids (key -> element, in
 * first-seen order, value the last element seen, as JS assignment does). */
static void dump_elements(bj_doc *d, const bj_map *ids, bj_buf *out, bj_buf *tmp)
{
    if (ids->live == 0) {
        bj_buf_puts(out, "{}");
        return;
    }
    dump_key_ref *refs = bj_malloc(d->m, ids->n * sizeof *refs);
    if (!refs) {
        out->failed = true;
        return;
    }
    uint32_t nidx = 0;
    for (uint32_t i = 0; i < ids->n; i++)
        if (ids->entries[i].key &&
            array_index(ids->entries[i].key, ids->entries[i].klen, &refs[nidx].index))
            refs[nidx++].entry = i;
    qsort(refs, nidx, sizeof *refs, key_ref_cmp);
    uint32_t emitted = 0;
    /* Pass 0: the array-index keys in numeric order; pass 1: the rest. */
    for (int pass = 0; pass < 2; pass++) {
        uint32_t count = pass == 0 ? nidx : ids->n;
        for (uint32_t r = 0; r < count; r++) {
            uint32_t i = pass == 0 ? refs[r].entry : r;
            const bj_map_entry *e = &ids->entries[i];
            uint32_t ignored;
            if (!e->key || (pass == 1 && array_index(e->key, e->klen, &ignored)))
                continue;
            bj_buf_puts(out, emitted++ ? ",\n  " : "{\n  ");
            bj_buf_json_string(out, e->key, e->klen);
            bj_buf_puts(out, ": ");
            dump_elem(e->value, out, tmp);
        }
    }
    bj_buf_puts(out, "\n }");
    bj_free(d->m, refs);
}

void doc_dump_json(bj_doc *d, bj_buf *out)
{
    bj_map ids;
    bj_buf tmp;
    bj_map_init(&ids, d->m);
    bj_buf_init(&tmp, d->m);
    const doc_node *top = &d->root->node;
    for (doc_node *n = d->root->first; n; n = next_in(n, top)) {
        if (n->is_text)
            continue;
        int i = attr_find(as_elem(n), "data-bosatsu-id", 15);
        if (i < 0)
            continue;
        const doc_str *v = &as_elem(n)->attrs[i].val;
        bj_map_entry *e = bj_map_find(&ids, v->s, v->len);
        if (e)
            e->value = as_elem(n);
        else if (bj_map_put(&ids, v->s, v->len, as_elem(n)) != 0)
            goto fail;
    }
    doc_html(d, &tmp);
    if (tmp.failed)
        goto fail;
    bj_buf_puts(out, "{\n \"html\": ");
    bj_buf_json_string(out, tmp.data ? tmp.data : "", tmp.len);
    bj_buf_puts(out, ",\n \"elements\": ");
    dump_elements(d, &ids, out, &tmp);
    bj_buf_puts(out, "\n}\n");
    goto done;
fail:
    out->failed = true;
done:
    bj_buf_free(&tmp);
    bj_map_free(&ids);
}

void doc_css_name(const char *camel, size_t len, bj_buf *out)
{
    /* CSSOM's special names: cssFloat is `float`; a lowercase "webkit"
     * prefix is the webkit-cased attribute of a -webkit- property. */
    if (len == 8 && memcmp(camel, "cssFloat", 8) == 0) {
        bj_buf_puts(out, "float");
        return;
    }
    if (len > 6 && memcmp(camel, "webkit", 6) == 0 && camel[6] >= 'A' && camel[6] <= 'Z')
        bj_buf_putc(out, '-');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        char c = camel[i];
        if (c < 'A' || c > 'Z')
            continue;
        bj_buf_append(out, camel + run, i - run);
        char dash[2] = {'-', lower(c)};
        bj_buf_append(out, dash, 2);
        run = i + 1;
    }
    bj_buf_append(out, camel + run, len - run);
}

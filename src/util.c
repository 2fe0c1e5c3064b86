/* util.c: memory accounting, buffers, hash maps, scratch arenas.
 *
 * Invariants:
 * - Each allocation carries a 16-byte header holding its payload size, so
 *   bj_free can keep bj_mem.live exact without the caller passing sizes.
 * - bj_map.index has at least twice as many slots as live entries plus
 *   tombstones, so probing always ends at an empty slot.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef union alloc_header {
    size_t size;
    max_align_t align;
} alloc_header;

/* Counts one allocation; false when the failure hook says this one fails. */
static bool mem_admit(bj_mem *m)
{
    m->count++;
    return !(m->fail_at > 0 && (long)m->count >= m->fail_at);
}

static void mem_account(bj_mem *m, size_t add, size_t sub)
{
    m->live = m->live + add - sub;
    if (m->live > m->peak)
        m->peak = m->live;
}

void *bj_malloc(bj_mem *m, size_t n)
{
    if (!mem_admit(m) || n > SIZE_MAX - sizeof(alloc_header))
        return NULL;
    alloc_header *h = malloc(sizeof *h + n);
    if (!h)
        return NULL;
    h->size = n;
    mem_account(m, n, 0);
    return h + 1;
}

void *bj_calloc(bj_mem *m, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = bj_malloc(m, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *bj_realloc(bj_mem *m, void *p, size_t n)
{
    if (!p)
        return bj_malloc(m, n);
    if (!mem_admit(m) || n > SIZE_MAX - sizeof(alloc_header))
        return NULL;
    alloc_header *old = (alloc_header *)p - 1;
    size_t old_size = old->size;
    alloc_header *h = realloc(old, sizeof *h + n);
    if (!h)
        return NULL;
    h->size = n;
    mem_account(m, n, old_size);
    return h + 1;
}

void bj_free(bj_mem *m, void *p)
{
    if (!p)
        return;
    alloc_header *h = (alloc_header *)p - 1;
    mem_account(m, 0, h->size);
    free(h);
}

char *bj_strndup(bj_mem *m, const char *s, size_t n)
{
    char *d = bj_malloc(m, n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* ---- buffers ------------------------------------------------------------ */

void bj_buf_init(bj_buf *b, bj_mem *m)
{
    memset(b, 0, sizeof *b);
    b->m = m;
}

void bj_buf_free(bj_buf *b)
{
    bj_free(b->m, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void bj_buf_clear(bj_buf *b)
{
    b->len = 0;
    b->failed = false;
    if (b->data)
        b->data[0] = '\0';
}

bool bj_buf_reserve(bj_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *d = bj_realloc(b->m, b->data, cap);
    if (!d) {
        b->failed = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

void bj_buf_append(bj_buf *b, const char *s, size_t n)
{
    if (!bj_buf_reserve(b, n))
        return;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void bj_buf_puts(bj_buf *b, const char *s)
{
    bj_buf_append(b, s, strlen(s));
}

void bj_buf_putc(bj_buf *b, char c)
{
    bj_buf_append(b, &c, 1);
}

void bj_buf_printf(bj_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !bj_buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void bj_buf_json_string(bj_buf *b, const char *s, size_t n)
{
    bj_buf_putc(b, '"');
    size_t run = 0; /* start of the current run of bytes copied as they are */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char hex[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c < 0x20) {
                snprintf(hex, sizeof hex, "\\u%04x", c);
                esc = hex;
            }
        }
        if (esc) {
            bj_buf_append(b, s + run, i - run);
            bj_buf_puts(b, esc);
            run = i + 1;
        }
    }
    bj_buf_append(b, s + run, n - run);
    bj_buf_putc(b, '"');
}

/* ---- hash map ------------------------------------------------------------ */

/* FNV-1a: short keys, good enough spread, no dependencies. */
uint32_t bj_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

void bj_map_init(bj_map *map, bj_mem *m)
{
    memset(map, 0, sizeof *map);
    map->m = m;
}

void bj_map_free(bj_map *map)
{
    for (uint32_t i = 0; i < map->n; i++)
        bj_free(map->m, map->entries[i].key);
    bj_free(map->m, map->entries);
    bj_free(map->m, map->index);
    bj_map_init(map, map->m);
}

/* Index slot holding key, or the empty slot where it would go (-1 if none). */
static int64_t map_slot(const bj_map *map, const char *key, size_t klen, uint32_t h)
{
    if (!map->icap)
        return -1;
    uint32_t mask = map->icap - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        int32_t e = map->index[i];
        if (e == -1)
            return i;
        if (e >= 0) {
            const bj_map_entry *en = &map->entries[e];
            if (en->hash == h && en->klen == klen && memcmp(en->key, key, klen) == 0)
                return i;
        }
    }
}

bj_map_entry *bj_map_find(const bj_map *map, const char *key, size_t klen)
{
    int64_t slot = map_slot(map, key, klen, bj_hash(key, klen));
    if (slot < 0 || map->index[slot] < 0)
        return NULL;
    return &map->entries[map->index[slot]];
}

void *bj_map_get(const bj_map *map, const char *key, size_t klen)
{
    bj_map_entry *e = bj_map_find(map, key, klen);
    return e ? e->value : NULL;
}

/* Rebuilds the index with room for `want` entries, compacting removed ones. */
static int map_rehash(bj_map *map, uint32_t want)
{
    uint32_t icap = 16;
    while (icap < want * 2)
        icap *= 2;
    int32_t *index = bj_malloc(map->m, icap * sizeof *index);
    if (!index)
        return -1;
    uint32_t j = 0;
    for (uint32_t i = 0; i < map->n; i++)
        if (map->entries[i].key)
            map->entries[j++] = map->entries[i];
    map->n = j;
    memset(index, 0xff, icap * sizeof *index);
    for (uint32_t i = 0; i < map->n; i++) {
        uint32_t s = map->entries[i].hash & (icap - 1);
        while (index[s] != -1)
            s = (s + 1) & (icap - 1);
        index[s] = (int32_t)i;
    }
    bj_free(map->m, map->index);
    map->index = index;
    map->icap = icap;
    return 0;
}

int bj_map_put(bj_map *map, const char *key, size_t klen, void *value)
{
    uint32_t h = bj_hash(key, klen);
    int64_t slot = map_slot(map, key, klen, h);
    if (slot >= 0 && map->index[slot] >= 0) {
        map->entries[map->index[slot]].value = value;
        return 0;
    }
    if (map->n + 1 > map->cap) {
        uint32_t cap = map->cap ? map->cap * 2 : 8;
        bj_map_entry *e = bj_realloc(map->m, map->entries, cap * sizeof *e);
        if (!e)
            return -1;
        map->entries = e;
        map->cap = cap;
    }
    char *k = bj_strndup(map->m, key, klen);
    if (!k)
        return -1;
    if ((map->n + 1) * 2 > map->icap) {
        if (map_rehash(map, map->live + 1) != 0) {
            bj_free(map->m, k);
            return -1;
        }
    }
    slot = map_slot(map, key, klen, h);
    map->entries[map->n] = (bj_map_entry){k, (uint32_t)klen, h, value};
    map->index[slot] = (int32_t)map->n;
    map->n++;
    map->live++;
    return 0;
}

void *bj_map_remove(bj_map *map, const char *key, size_t klen)
{
    int64_t slot = map_slot(map, key, klen, bj_hash(key, klen));
    if (slot < 0 || map->index[slot] < 0)
        return NULL;
    bj_map_entry *e = &map->entries[map->index[slot]];
    void *value = e->value;
    bj_free(map->m, e->key);
    e->key = NULL;
    map->index[slot] = -2;
    map->live--;
    return value;
}

/* ---- scratch arena -------------------------------------------------------- */

struct bj_scratch_block {
    bj_scratch_block *next;
    size_t size;
    max_align_t data[];
};

void bj_scratch_init(bj_scratch *s, bj_mem *m)
{
    s->m = m;
    s->head = NULL;
    s->used = 0;
}

void bj_scratch_free(bj_scratch *s)
{
    while (s->head) {
        bj_scratch_block *next = s->head->next;
        bj_free(s->m, s->head);
        s->head = next;
    }
    s->used = 0;
}

void bj_scratch_reset(bj_scratch *s)
{
    /* Keep the newest block (the largest, since sizes double); free the rest. */
    if (s->head) {
        bj_scratch_block *rest = s->head->next;
        s->head->next = NULL;
        while (rest) {
            bj_scratch_block *next = rest->next;
            bj_free(s->m, rest);
            rest = next;
        }
    }
    s->used = 0;
}

void *bj_scratch_alloc(bj_scratch *s, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (!s->head || s->used + n > s->head->size) {
        size_t size = s->head ? s->head->size * 2 : 1024;
        while (size < n)
            size *= 2;
        bj_scratch_block *b = bj_malloc(s->m, sizeof *b + size);
        if (!b)
            return NULL;
        b->next = s->head;
        b->size = size;
        s->head = b;
        s->used = 0;
    }
    void *p = (char *)s->head->data + s->used;
    s->used += n;
    return p;
}

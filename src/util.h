/* util.h: memory accounting, growable buffers, string hash maps, scratch
 * arenas. Every other module builds on these.
 *
 * Invariants:
 * - Every allocation of the library goes through a bj_mem. It counts live
 *   bytes (for the benchmark's bytes-per-binding figure) and can be told to
 *   fail the Nth allocation (the allocation-failure test loop). A failed
 *   allocation returns NULL; callers report BJ_ENOMEM and leak nothing.
 * - A bj_buf is always NUL-terminated when its data is non-NULL; on an
 *   allocation failure it sets `failed` and further appends do nothing, so
 *   a writer checks once at the end.
 * - A bj_map never owns its values; it owns copies of its keys.
 */
#ifndef BJ_UTIL_H
#define BJ_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- memory ------------------------------------------------------------ */
typedef struct bj_mem {
    size_t live;       /* bytes currently allocated (payload only) */
    size_t peak;       /* highest value of live */
    size_t count;      /* allocations made so far */
    long fail_at;      /* fail the allocation whose count reaches this; 0: never */
} bj_mem;

void *bj_malloc(bj_mem *m, size_t n);
void *bj_calloc(bj_mem *m, size_t n, size_t size);
/* Like realloc; on failure returns NULL and leaves p untouched. */
void *bj_realloc(bj_mem *m, void *p, size_t n);
void bj_free(bj_mem *m, void *p);
/* Copies s[0..n) and appends a NUL. */
char *bj_strndup(bj_mem *m, const char *s, size_t n);

/* ---- growable byte buffer ---------------------------------------------- */
typedef struct bj_buf {
    bj_mem *m;
    char *data;
    size_t len, cap;
    bool failed;
} bj_buf;

void bj_buf_init(bj_buf *b, bj_mem *m);
void bj_buf_free(bj_buf *b);
void bj_buf_clear(bj_buf *b);
bool bj_buf_reserve(bj_buf *b, size_t extra);
void bj_buf_append(bj_buf *b, const char *s, size_t n);
void bj_buf_puts(bj_buf *b, const char *s);
void bj_buf_putc(bj_buf *b, char c);
void bj_buf_printf(bj_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal (quotes included), escaping as
 * JSON.stringify does: \" \\ \b \f \n \r \t, other controls as \u00xx;
 * everything else (UTF-8 included) is copied as it is. */
void bj_buf_json_string(bj_buf *b, const char *s, size_t n);

/* ---- string -> pointer hash map (open addressing, insertion-ordered) ---- */
typedef struct bj_map_entry {
    char *key;         /* owned copy, NUL-terminated */
    uint32_t klen;
    uint32_t hash;
    void *value;
} bj_map_entry;

typedef struct bj_map {
    bj_mem *m;
    bj_map_entry *entries; /* dense, in insertion order; removed ones have key NULL */
    uint32_t n, cap;       /* used slots of entries (including removed), capacity */
    uint32_t live;         /* entries not removed */
    int32_t *index;        /* open addressing table of entry indices, -1 empty, -2 tombstone */
    uint32_t icap;         /* power of two */
} bj_map;

uint32_t bj_hash(const char *s, size_t n);
void bj_map_init(bj_map *map, bj_mem *m);
void bj_map_free(bj_map *map);
void *bj_map_get(const bj_map *map, const char *key, size_t klen);
/* Returns the entry for key, or NULL. */
bj_map_entry *bj_map_find(const bj_map *map, const char *key, size_t klen);
/* Inserts or replaces. Returns 0, or -1 on allocation failure (map unchanged). */
int bj_map_put(bj_map *map, const char *key, size_t klen, void *value);
/* Removes key if present; returns its value or NULL. */
void *bj_map_remove(bj_map *map, const char *key, size_t klen);

/* ---- scratch arena: bump allocation, reset in O(1), memory kept --------- */
typedef struct bj_scratch_block bj_scratch_block;
typedef struct bj_scratch {
    bj_mem *m;
    bj_scratch_block *head;   /* current block; older ones follow */
    size_t used;              /* bytes used in head */
} bj_scratch;

void bj_scratch_init(bj_scratch *s, bj_mem *m);
void bj_scratch_free(bj_scratch *s);
/* Forgets everything allocated; keeps the largest block for reuse. */
void bj_scratch_reset(bj_scratch *s);
/* 8-byte aligned; NULL on allocation failure. */
void *bj_scratch_alloc(bj_scratch *s, size_t n);

#endif

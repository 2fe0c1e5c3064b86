/* state.h: the state tree (a JSON-like tree of bj_node) and cached
 * locations in it.
 *
 * Invariants:
 * - The root is always an object node.
 * - st->epoch changes whenever the tree's layout changes: a member is added
 *   to an object, or an object or array node is freed or replaced. A
 *   st_ref filled at epoch E stays valid (its object pointer is live and its
 *   member index names the same key) while st->epoch == E. Scalar updates in
 *   place never change the epoch: that is what makes cached paths O(1).
 * - Members are never removed from an object; objects are only replaced
 *   whole, so a member index is stable for the life of its object.
 */
#ifndef BJ_STATE_H
#define BJ_STATE_H

#include <jansson.h>

#include "util.h"
#include "value.h"

typedef struct bj_state {
    bj_mem *m;
    bj_node *root;
    uint64_t epoch;
} bj_state;

/* One segment of a path. */
typedef struct st_seg {
    const char *s;
    uint32_t len;
    uint32_t hash;   /* bj_hash(s, len) */
} st_seg;

/* A cached location: member `idx` of object `obj` (idx == ST_MISSING when
 * the object lacks the member; obj == NULL when no object holds the path). */
#define ST_MISSING UINT32_MAX
typedef struct st_ref {
    bj_node *obj;
    uint32_t idx;
    uint64_t epoch;  /* the state epoch it was filled at; 0 never valid */
} st_ref;

int st_init(bj_state *st, bj_mem *m);
void st_free(bj_state *st);

/* Node construction and destruction. */
bj_node *st_new(bj_mem *m, bj_vt t);
void st_node_free(bj_mem *m, bj_node *n);
/* Deep copy; NULL on allocation failure. */
bj_node *st_clone(bj_mem *m, const bj_node *n);
/* Converts a jansson value (numbers become doubles); NULL on allocation failure. */
bj_node *st_from_json(bj_mem *m, const json_t *j);
/* Appends n as JSON text (undefined as "undefined"). */
void st_to_json(const bj_node *n, bj_buf *out);

/* The member of obj named key (NULL when absent); *idx gets its index. */
bj_node *st_obj_get(const bj_node *obj, const char *key, size_t len, uint32_t hash, uint32_t *idx);
/* Adds a member (obj must lack it); takes val. Returns 0 or BJ_ENOMEM (val freed). */
int st_obj_add(bj_mem *m, bj_node *obj, const char *key, size_t len, bj_node *val);
/* Child of an object by key, or of an array by canonical index ("0", "12"). */
const bj_node *st_child(const bj_node *n, const st_seg *seg);

/* The value at a path (NULL: undefined), through the cache in *ref. */
const bj_node *st_read(bj_state *st, const st_seg *segs, size_t n, st_ref *ref);
/* Stores a copy of value at the path, creating intermediate objects.
 * Sets *changed to false (and does nothing) when the current value deep-
 * equals value. Returns 0, BJ_EPATH when a segment other than the last
 * names a non-object, or BJ_ENOMEM (state unchanged). Scalars are copied in
 * place without allocating when the current value is a scalar (a string
 * only allocates when it outgrows its buffer). */
int st_write(bj_state *st, const st_seg *segs, size_t n, st_ref *ref,
             const bj_node *value, bool *changed);

#endif

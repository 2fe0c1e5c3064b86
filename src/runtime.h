/* runtime.h: the runtime's private structures, shared by the loader
 * (app.c), the interpreter and public API (runtime.c), the op log (oplog.c)
 * and, later, the JIT.
 *
 * Invariants:
 * - A bj_path is interned by its segments and lives until the runtime is
 *   freed; its key record (bj_key) is interned by the joined key string.
 *   Paths with the same key share one bj_key.
 * - bj_key.queued is true exactly when the key is in rt->queue.
 * - A binding's cached element is valid while its el_epoch equals the
 *   document's epoch (elements are freed when removed).
 * - Every document write goes through doc_write_* (doc.h).
 */
#ifndef BJ_RUNTIME_H
#define BJ_RUNTIME_H

#include "bindjit.h"
#include "doc.h"
#include "state.h"
#include "util.h"
#include "value.h"
#include "xform.h"

typedef struct bj_key bj_key;

typedef struct bj_binding {
    bj_prop prop;
    char *element_id;            /* as written in the app */
    uint32_t element_id_len;
    char *style_name;            /* BJ_PROP_STYLE: CSS (kebab-case) name */
    uint32_t style_name_len;
    xf_program *xf;              /* NULL: no transform */
    bj_path *read;               /* statePath, or NULL: the key's own path */
    bool has_when, when_total;
    bj_path *when_disc;          /* the discriminant path */
    char *when_tag;
    uint32_t when_tag_len;
    bj_elem *el;                 /* cached lookup ... */
    uint64_t el_epoch;           /* ... valid while this equals doc_epoch; 0 never */
} bj_binding;

struct bj_key {
    char *key;                   /* segments joined by '.' */
    uint32_t klen;
    bj_path *path;               /* the path this key reads when a binding has no statePath */
    bj_binding **bindings;       /* in definition order; owned */
    uint32_t nbindings, cap;
    bj_key **watchers;           /* keys with a `when` on this key's path, in order */
    uint32_t nwatchers, wcap;
    bool queued;
};

struct bj_path {
    st_seg *segs;                /* segment bytes live in `text` */
    uint32_t nsegs;
    char *text;                  /* the segments joined by '.', NUL-terminated */
    bj_key *key;
    st_ref ref;                  /* cached location in the state */
};

typedef struct key_queue {
    bj_key **v;
    uint32_t n, cap;
} key_queue;

struct bj_runtime {
    bj_mem mem;
    bj_config cfg;
    bj_state state;
    bj_doc *doc;
    bj_map paths;                /* segments joined by '\x1f' -> bj_path* */
    bj_map dotted;               /* dotted text as given to bj_path_get -> bj_path* */
    bj_map keys;                 /* key string -> bj_key* */
    key_queue queue, flushing_queue;
    unsigned batch_depth;
    bool flushing;
    bool loaded;
    bj_scratch scratch;          /* transform results; reset per binding */
    bj_buf strbuf;               /* string forms of values; reused */
    char error[1024];
    char *source_name;           /* file name of the loaded app, for messages */
    bj_stats stats;
};

/* Records a detailed message for bj_last_error and returns code. */
int rt_fail(bj_runtime *rt, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reads a whole file into *out (initialized here; the caller frees it
 * whatever the result). */
int rt_read_file(bj_runtime *rt, const char *path, bj_buf *out);

/* Interns a path given as segments (copied). */
int rt_path_segments(bj_runtime *rt, const char *const *segs, const size_t *lens,
                     size_t n, bj_path **out);
/* Interns the key record for a key string. */
int rt_key_get(bj_runtime *rt, const char *key, size_t len, bj_key **out);

/* Stores value (a node; not taken) at path and queues what it affects. */
int rt_set_node(bj_runtime *rt, bj_path *p, const bj_node *value);

/* Parses and appends a binding (a JSON object) to key. `where` names it
 * in messages (e.g. "bindings[\"c1.likes\"][0]"). */
int rt_binding_add_json(bj_runtime *rt, bj_key *key, const json_t *b, const char *where);
void rt_binding_free(bj_runtime *rt, bj_binding *b);

/* Frees every key, binding and path, leaving empty maps and queue. */
void rt_forget_bindings(bj_runtime *rt);

/* Applies one key's bindings (the interpreter). */
int rt_apply_key(bj_runtime *rt, bj_key *k);

/* The loader (app.c): fills an empty runtime from a parsed app object. */
int app_load_json(bj_runtime *rt, const json_t *app, const char *text, size_t len);
/* Line and column (1-based) of the first `"key":` in text, for messages;
 * 0 when not found. */
void app_locate_key(const char *text, size_t len, const char *key, int *line, int *col);

#endif

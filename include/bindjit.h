/* bindjit.h: the public API of bindjit, a UI data-binding runtime whose
 * bindings are data (maps from state paths to element updates).
 *
 * Threading: a bj_runtime belongs to one thread (the UI thread); every call
 * on it happens there. Different runtimes are independent.
 *
 * Errors: functions that can fail return 0 or a negative BJ_E* code; the
 * detailed message of the last failure (naming file, line, column and key
 * where there is one) is bj_last_error(rt). A failure never loses what was
 * applied before it, and the runtime stays usable.
 *
 * Ownership: pointers returned by the runtime (bj_path, bj_elem, strings
 * from accessors) are borrowed and valid until the call named beside them.
 * Buffers returned through `char **out` are the caller's, freed with
 * bj_string_free().
 */
#ifndef BINDJIT_H
#define BINDJIT_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BINDJIT_VERSION "0.1.0"

/* ---- errors ---------------------------------------------------------------- */
/* X(NAME, message): one table gives the codes and bj_strerror(). */
#define BJ_ERROR_TABLE(X)                                                    \
    X(NOMEM, -1, "out of memory")                                            \
    X(IO, -2, "cannot read file")                                            \
    X(JSON, -3, "malformed JSON")                                            \
    X(APP, -4, "invalid app description")                                    \
    X(TRANSFORM, -5, "unsupported or invalid transform")                     \
    X(PROPERTY, -6, "unknown binding property")                              \
    X(PATH, -7, "path goes through a non-object value")                      \
    X(OP, -8, "invalid op")                                                  \
    X(ARG, -9, "invalid argument")                                           \
    X(NOTFOUND, -10, "not found")                                            \
    X(STATE, -11, "call not allowed in this state")                          \
    X(JIT, -12, "JIT unavailable")

enum {
    BJ_OK = 0,
#define BJ_ERROR_ENUM(name, code, msg) BJ_E##name = code,
    BJ_ERROR_TABLE(BJ_ERROR_ENUM)
#undef BJ_ERROR_ENUM
};

/* The fixed message of an error code ("unknown error" for others). */
const char *bj_strerror(int code);

/* ---- runtime ----------------------------------------------------------------- */
typedef struct bj_runtime bj_runtime;

typedef enum bj_jit_mode {
    BJ_JIT_OFF = 0,  /* interpreter only */
    BJ_JIT_ON,       /* compile hot shapes in the background (JIT issue) */
    BJ_JIT_ALWAYS,   /* compile every shape at once (JIT issue; for tests) */
} bj_jit_mode;

typedef struct bj_config {
    /* Flush as soon as this many keys are queued; 0 means unlimited (flush
     * only on bj_flush / bj_batch_end). 1 is immediate mode. */
    unsigned batch_size;
    bj_jit_mode jit;
} bj_config;

/* Fills *cfg with the defaults (unlimited batch size, JIT off). */
void bj_config_init(bj_config *cfg);

/* Creates an empty runtime (no view, no state, no bindings). cfg may be
 * NULL for the defaults. Returns 0 or BJ_ENOMEM. */
int bj_runtime_new(const bj_config *cfg, bj_runtime **out);
/* Frees the runtime and everything it owns. NULL is allowed. */
void bj_runtime_free(bj_runtime *rt);

/* Loads an app (view, state, bindings) from a JSON file or buffer into an
 * empty runtime: one on which no path, binding or op log has been made yet
 * (otherwise BJ_ESTATE). `name` names the buffer in messages (may be NULL). On
 * failure the runtime is left empty and usable. */
int bj_load_file(bj_runtime *rt, const char *path);
int bj_load_buffer(bj_runtime *rt, const char *json, size_t len, const char *name);

/* The detailed message of the last failure on rt ("" when none). Valid
 * until the next call on rt. */
const char *bj_last_error(const bj_runtime *rt);

/* Changes the batch size (0: unlimited). Flushes at once when the queue
 * already holds that many keys and no batch is open. */
int bj_set_batch_size(bj_runtime *rt, unsigned batch_size);

/* ---- paths and state ---------------------------------------------------------- */
/* A pre-resolved state path; valid until bj_runtime_free, and only with
 * the runtime that resolved it. */
typedef struct bj_path bj_path;

/* Resolves a dotted path ("c1.likes") or a list of segments. Resolving the
 * same path twice gives the same handle. */
int bj_path_get(bj_runtime *rt, const char *dotted, bj_path **out);
int bj_path_getv(bj_runtime *rt, const char *const *segments, size_t n, bj_path **out);
/* The path's binding key: its segments joined by '.'. */
const char *bj_path_key(const bj_path *p);

/* Setters: store a value at a path (creating intermediate objects), queue
 * the path's key and any keys whose `when` clause watches it, and flush
 * when the batch size is reached. Setting a value equal to the current one
 * does nothing. Return 0, BJ_EPATH when the path crosses a non-object value,
 * BJ_EJSON for unparsable JSON text, BJ_ENOMEM. */
int bj_set_number(bj_runtime *rt, const char *path, double v);
int bj_set_string(bj_runtime *rt, const char *path, const char *s);
int bj_set_bool(bj_runtime *rt, const char *path, bool v);
int bj_set_null(bj_runtime *rt, const char *path);
/* Any JSON value (objects such as sum-type variants {"tag": "Ready"}). */
int bj_set_json(bj_runtime *rt, const char *path, const char *json);

/* The same through a handle: no parsing, no lookup of the path text. */
int bj_path_set_number(bj_runtime *rt, bj_path *p, double v);
int bj_path_set_string(bj_runtime *rt, bj_path *p, const char *s, size_t len);
int bj_path_set_bool(bj_runtime *rt, bj_path *p, bool v);
int bj_path_set_null(bj_runtime *rt, bj_path *p);
int bj_path_set_json(bj_runtime *rt, bj_path *p, const char *json, size_t len);

/* The value at a path as JSON text (caller frees with bj_string_free);
 * "undefined" (not JSON) when nothing is there. */
int bj_get_json(bj_runtime *rt, const char *path, char **out, size_t *len);

/* ---- updates ------------------------------------------------------------------- */
/* Applies every queued key's bindings now. */
int bj_flush(bj_runtime *rt);
/* Inside a batch nothing flushes; bj_batch_end of the outermost batch
 * flushes. Batches nest. */
int bj_batch_begin(bj_runtime *rt);
int bj_batch_end(bj_runtime *rt);

/* ---- bindings ------------------------------------------------------------------- */
/* Adds a binding, given as the JSON object of the app format, to `key`
 * (a dotted path). Its transform is checked now. */
int bj_binding_add(bj_runtime *rt, const char *key, const char *binding_json);
/* Removes the bindings of `key` that target element_id (all of the key's
 * bindings when element_id is NULL). *removed (may be NULL) gets the count. */
int bj_binding_remove(bj_runtime *rt, const char *key, const char *element_id,
                      size_t *removed);

/* ---- the document ----------------------------------------------------------------- */
/* An element; valid until it or an ancestor is removed, a textContent
 * write replaces the children it sits in, or the runtime is freed. */
typedef struct bj_elem bj_elem;

/* Finds an element as bindings do: "#x" by id attribute, "[name=\"v\"]" by
 * attribute, anything else by data-bosatsu-id. NULL when absent. */
bj_elem *bj_find(bj_runtime *rt, const char *element_id);
/* Removes the element found as bj_find would, with its subtree. Returns
 * BJ_ENOTFOUND when there is none. */
int bj_remove(bj_runtime *rt, const char *element_id);

const char *bj_elem_tag(const bj_elem *el);
/* An attribute's value, or NULL. */
const char *bj_elem_attr(const bj_elem *el, const char *name);

/* The inner HTML of the mount root, and the canonical JSON dump (format in
 * docs/formats.md). Caller frees *out with bj_string_free. */
int bj_html(bj_runtime *rt, char **out, size_t *len);
int bj_dump_json(bj_runtime *rt, char **out, size_t *len);
void bj_string_free(char *s);

/* ---- op logs ----------------------------------------------------------------------- */
/* An op log (JSON Lines, docs/formats.md) parsed ahead of time: paths
 * resolved to handles, values converted, so that replaying it measures the
 * runtime and not the parser. Valid until bj_oplog_free. */
typedef struct bj_oplog bj_oplog;

/* Parses text[0..len). On a bad line returns BJ_EJSON or BJ_EOP with the
 * line number in bj_last_error, and *out still holds the ops before that
 * line (so they can be applied, as the format requires); *out is NULL only
 * on BJ_ENOMEM. `name` names the text in messages. */
int bj_oplog_parse(bj_runtime *rt, const char *text, size_t len, const char *name,
                   bj_oplog **out);
/* The same for a file; BJ_EIO when it cannot be read (*out NULL). */
int bj_oplog_load_file(bj_runtime *rt, const char *path, bj_oplog **out);
/* Number of top-level ops (lines holding an op). */
size_t bj_oplog_count(const bj_oplog *log);
/* Applies ops [from, to). Stops at the first failure; its message names the
 * op's line. Removing an element that is absent is not a failure. */
int bj_oplog_run(bj_runtime *rt, const bj_oplog *log, size_t from, size_t to);
/* Frees a log; call it before bj_runtime_free(rt). A log is only usable
 * with the runtime that parsed it (BJ_EARG otherwise). */
void bj_oplog_free(bj_runtime *rt, bj_oplog *log);

/* ---- host callbacks ------------------------------------------------------------------- */
typedef enum bj_prop {
    BJ_PROP_TEXT = 0,   /* textContent */
    BJ_PROP_CLASS,      /* className */
    BJ_PROP_VALUE,      /* value */
    BJ_PROP_CHECKED,    /* checked */
    BJ_PROP_DISABLED,   /* disabled */
    BJ_PROP_STYLE,      /* style.NAME */
} bj_prop;

/* One write the runtime applied to the document. Strings are borrowed for
 * the duration of the callback. */
typedef struct bj_write {
    bj_elem *elem;
    const char *element_id;  /* the element's data-bosatsu-id, or NULL */
    bj_prop prop;
    const char *style_name;  /* BJ_PROP_STYLE: the CSS name (kebab-case) */
    const char *value;       /* text, class, value, style value ("" removes) */
    size_t len;
    bool flag;               /* checked / disabled */
} bj_write;

typedef void (*bj_write_fn)(void *userdata, const bj_write *w);
/* Every write applied from now on is also reported to fn (NULL: none).
 * w->elem is valid only during the call. Inside the callback the host may
 * read and set state (keys it queues are applied by the next flush, or at
 * once in immediate mode); bj_remove and bj_binding_remove fail with
 * BJ_ESTATE there, and a nested bj_flush does nothing. */
void bj_set_host(bj_runtime *rt, bj_write_fn fn, void *userdata);

/* ---- statistics ------------------------------------------------------------------------ */
typedef struct bj_stats {
    unsigned long long sets;          /* setter calls that changed state */
    unsigned long long flushes;       /* flushes that applied at least one key */
    unsigned long long keys_applied;  /* keys applied by flushes */
    unsigned long long bindings_applied;
    unsigned long long writes;        /* document writes */
    size_t bindings;                  /* bindings currently defined */
    size_t memory_bytes;              /* bytes the runtime holds now */
    size_t memory_peak;
    unsigned long long allocations;   /* allocations made so far (for checking the
                                         no-allocation-per-update promise) */
} bj_stats;

void bj_get_stats(const bj_runtime *rt, bj_stats *out);

/* ---- testing hooks -------------------------------------------------------------------------- */
/* Makes the runtime's Nth allocation from now on, and every one after it,
 * fail (0: never). For the
 * allocation-failure tests; not for production use. */
void bj_test_fail_alloc(bj_runtime *rt, long nth);

#ifdef __cplusplus
}
#endif
#endif

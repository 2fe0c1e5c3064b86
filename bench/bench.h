/* bench.h: the pieces of `bindjit bench` (issue 3) shared by its files.
 *
 *   workload.c  seeded generators: an app (JSON text, loaded through
 *               bj_load_buffer exactly as a user's app is) and the sequence
 *               of updates replayed against it
 *   direct.c    the `direct` variant: the ceiling, C code specialized per
 *               entity schema (one function per schema, per-entity records
 *               of element pointers and state slots, no maps, no
 *               interpretation), writing through the same doc_write_*
 *               helpers as the runtime
 *   bench.c     the driver: options, interleaved timing, the self-check that
 *               every variant produced the same document, Markdown tables
 *   report.c    the --json and --svg outputs
 *
 * Invariants:
 * - A workload is fully determined by (kind, nominal size, seed): the same
 *   triple gives the same app text and the same op sequence, byte for byte.
 * - Every op's value differs from the value its path holds when the op is
 *   generated, so every op does real work in every variant (the runtime
 *   skips sets that do not change the state; direct does the same check).
 * - Every key of a synthetic workload belongs to exactly one entity, and
 *   every element is written by the bindings of exactly one key, so the
 *   final document does not depend on the order in which keys of one flush
 *   are applied (direct applies entity by entity, the runtime key by key).
 */
#ifndef BJ_BENCH_H
#define BJ_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bindjit.h"

/* ---- values and ops --------------------------------------------------------- */

/* The four value types of the plan (Int and Double are both numbers). */
typedef enum bv_type { BV_NUM = 0, BV_STR, BV_BOOL } bv_type;

typedef struct bench_val {
    bv_type t;
    bool b;
    uint32_t len;        /* BV_STR: bytes, without the NUL */
    double n;
    const char *s;       /* BV_STR: NUL-terminated, owned by the workload */
} bench_val;

/* One update: a key (index into workload.keys) and its new value. */
typedef struct bench_op {
    uint32_t key;
    bench_val v;
} bench_op;

/* ---- entity schemas ----------------------------------------------------------- */

/* Schema ids; direct.c has one update function for each. */
typedef enum schema_id {
    SC_PLAIN_COMMENT = 0,
    SC_PLAIN_CART,
    SC_PLAIN_BADGE,
    SC_MIX_COMMENT,
    SC_MIX_CART,
    SC_MIX_TASK,
    SC_MIX_BADGE,
    SC_ORDER,
    SC_COUNT
} schema_id;

#define WL_MAX_FIELDS 10
#define WL_MAX_BINDINGS 12

/* How new values of a field are drawn. */
typedef enum gen_kind {
    G_INT,      /* integer in [lo, hi] */
    G_CENTS,    /* lo..hi with two decimals */
    G_TENTHS,   /* lo..hi with one decimal */
    G_FRAC,     /* k/1000, k in [lo, hi] */
    G_WORDS,    /* a sentence of lo..hi bytes */
    G_CHOICE,   /* one of `choices` */
    G_BOOL,
} gen_kind;

typedef struct wl_field {
    const char *name;
    bv_type type;
    gen_kind gen;
    int lo, hi;
    const char *const *choices;   /* G_CHOICE, NULL-terminated */
} wl_field;

typedef struct wl_binding {
    int field;              /* the key is ENTITY.fields[field].name */
    const char *json;       /* the binding object; '@' stands for the entity name */
} wl_binding;

typedef struct wl_schema {
    const char *name;       /* "comment" */
    const char *prefix;     /* entity names are PREFIX + number: "c12" */
    int nfields;
    wl_field fields[WL_MAX_FIELDS];
    int nbindings;
    wl_binding bindings[WL_MAX_BINDINGS];   /* in definition order */
    const char *view;       /* the entity's VNODE; '@' stands for the entity name */
} wl_schema;

const wl_schema *wl_schema_get(schema_id id);

/* ---- workloads ------------------------------------------------------------------ */

typedef enum wl_kind {
    WL_PLAIN = 0,   /* numbers -> textContent, no transform; 1 update per flush */
    WL_MIXED,       /* transforms, when, statePath, four value types; 1 per flush */
    WL_HOTSPOT,     /* plain app; 90% of updates hit 10% of the bindings */
    WL_ENTITY,      /* 10 fields of one entity, then one flush */
    WL_PLAIN_B100,  /* plain, 100 updates per flush */
    WL_MIXED_B100,  /* mixed, 100 updates per flush */
    WL_KIND_COUNT
} wl_kind;

typedef struct wl_kind_info {
    const char *name;          /* "plain" */
    const char *title;         /* one line for tables */
    unsigned updates_per_flush;
    wl_kind app;               /* the kind whose app this one runs on (same
                                * size and seed: the same app text) */
} wl_kind_info;

const wl_kind_info *wl_kind_get(wl_kind k);
/* The kind named `name`, or -1. */
int wl_kind_find(const char *name);

typedef struct wl_entity {
    schema_id schema;
    char name[16];                    /* "c12" */
    uint32_t first_key;               /* keys of field f: first_key + f */
    bench_val init[WL_MAX_FIELDS];    /* initial state, per field */
} wl_entity;

typedef struct workload {
    wl_kind kind;
    size_t nominal;            /* the N asked for */
    size_t nbindings;          /* bindings in the app (== nominal) */
    uint64_t seed;
    unsigned updates_per_flush;
    char *app;                 /* the app, JSON text */
    size_t app_len;
    size_t app_bindings_at;    /* offset of "bindings" in app (the view and
                                * state alone are app[0..app_bindings_at)) */
    size_t nkeys;
    const char **keys;         /* dotted key of each (entity, field) */
    uint32_t *key_entity;      /* entity index of each key */
    uint8_t *key_field;        /* field index of each key */
    size_t nentities;
    wl_entity *entities;
    size_t nops;               /* a multiple of updates_per_flush */
    bench_op *ops;
    struct wl_block *strings;  /* storage of every string value */
} workload;

/* Builds the workload (kind, n, seed) with nops updates (rounded up to a
 * multiple of the kind's updates per flush). Returns 0 or -1 (out of
 * memory, message on stderr). */
int wl_build(workload *w, wl_kind kind, size_t n, size_t nops, uint64_t seed);
void wl_free(workload *w);

/* ---- the direct variant ----------------------------------------------------------- */

typedef struct direct direct;

/* Builds the records of w over the document of rt (loaded from w->app, and
 * written by nothing else): element pointers looked up once, state slots
 * filled from the initial state. NULL on failure (message on stderr). */
direct *dx_new(bj_runtime *rt, const workload *w);
void dx_free(direct *dx);
/* Applies ops [from, to) of w, flushing after every w->updates_per_flush
 * updates (from must be a multiple of it). Returns 0 or a BJ_E* code. */
int dx_run(direct *dx, const workload *w, size_t from, size_t to);
/* Bytes held by the records and their state slots. */
size_t dx_memory(const direct *dx);

/* ---- results, for the reports ---------------------------------------------------- */

enum { V_MAP = 0, V_HANDLE, V_DIRECT, V_COUNT };
extern const char *const bench_variant_names[V_COUNT];

/* The ratios reported: direct/map (the plan's speedup), map-handle/map,
 * direct/map-handle. */
enum { R_DIRECT_MAP = 0, R_HANDLE_MAP, R_DIRECT_HANDLE, R_COUNT };
extern const char *const bench_ratio_names[R_COUNT];

#define BENCH_MAX_REPS 64

typedef struct cell_result {
    wl_kind kind;
    size_t nominal, nbindings, nkeys, nentities, nops;
    size_t runtime_bytes;             /* bj_get_stats memory_bytes after load */
    size_t view_state_bytes;          /* the same for the app without bindings */
    size_t direct_bytes;              /* dx_memory */
    int reps;
    double ops_per_sec[V_COUNT][BENCH_MAX_REPS];
    double median[V_COUNT], min[V_COUNT], max[V_COUNT];
    /* Ratios: the median over repetitions of each repetition's ratio
     * (within a repetition the variants ran interleaved slice by slice, so
     * its ratio cancels most of the machine's drift). */
    double ratio[R_COUNT];
} cell_result;

typedef struct bench_results {
    uint64_t seed;
    bool quick;
    int reps;
    size_t ncells;
    cell_result *cells;
    char started[64];              /* ISO 8601 UTC */
    double seconds;                /* whole run */
} bench_results;

/* One --app/--ops replay measurement (variant map). */
typedef struct app_result {
    const char *app, *ops_file;
    size_t nops, nbindings, runtime_bytes;
    int reps;
    double ops_per_sec[BENCH_MAX_REPS];
    double median, min, max;
} app_result;

/* "GO (2x target met)", "GO" or "NO-GO" for a speedup, per the plan's exit
 * criterion (1.5x required, 2x target). */
const char *bench_verdict(double speedup);

/* report.c: the --json and --svg files. Return 0, or 1 after a message. */
int report_json(const bench_results *r, const char *path);
int report_svg(const bench_results *r, const char *path);
int report_app_json(const app_result *a, const char *path);

#endif

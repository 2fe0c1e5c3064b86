/* bench.c: `bindjit bench`, the driver of the benchmark of issue 3.
 *
 * For each workload (kind x size) it builds the app and the op sequence
 * (workload.c), loads the app into one runtime per variant through
 * bj_load_buffer, runs each variant once untimed (to fill the runtime's
 * caches and the processor's), then times R repetitions of the whole op
 * sequence, the variants interleaved and their order rotated each
 * repetition, so that drift on a noisy machine hits all of them alike.
 * Then it checks that every variant left the same document (the JSON dump)
 * and fails with exit status 1 when one did not.
 *
 * Invariants:
 * - Nothing is parsed, looked up or allocated by the driver inside a timed
 *   region: ops are pre-generated, handles and direct targets resolved
 *   before timing. Each variant pays exactly its own costs.
 * - bench_measured_run is the only code timed; `make callgrind` collects
 *   bench_only_measured (--toggle-collect), which runs it once after an
 *   untimed pass, so wall time and instruction counts measure the same
 *   thing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"

/* Ops per timed slice: a multiple of every updates_per_flush (1, 10, 100),
 * a few milliseconds long. */
#define SLICE_OPS 5000

const char *const bench_variant_names[V_COUNT] = {"map", "map-handle", "direct"};
const char *const bench_ratio_names[R_COUNT] = {"direct/map", "map-handle/map", "direct/map-handle"};

static const char usage[] =
    "usage: bindjit bench [--quick] [--json FILE] [--svg FILE] [--seed N] [--reps N]\n"
    "                     [--sizes N,N,...] [--workloads NAME,...] [--ops-count N]\n"
    "       bindjit bench --app APP.json --ops OPS.jsonl [--reps N] [--json FILE]\n"
    "       bindjit bench --only WORKLOAD:N:VARIANT [--ops-count N] [--seed N]\n"
    "\n"
    "Times the binding runtime on seeded synthetic workloads, in three variants\n"
    "measured in the same process, interleaved:\n"
    "  map         the runtime through path strings: bj_set_*(\"c1.likes\") + bj_flush\n"
    "  map-handle  the runtime through pre-resolved handles: bj_path_set_* + bj_flush\n"
    "  direct      the ceiling: C specialized per entity schema (no maps, no\n"
    "              interpretation), writing through the same document helpers\n"
    "Workloads: plain, mixed, hotspot, entity, plain-b100, mixed-b100; sizes\n"
    "10, 100, 1000, 10000, 100000 bindings. An op is one update; the flush that\n"
    "applies it follows every update (every 10 in entity, every 100 in *-b100).\n"
    "Prints one Markdown table per workload (median ops/s of the repetitions,\n"
    "+-half their min-max spread, speedups, the plan's verdict: 1.5x required\n"
    "and 2x target at 100 bindings) and fails (exit 1) when two variants leave\n"
    "different documents.\n"
    "\n"
    "  --quick        a few seconds: small sizes and op counts, one repetition\n"
    "                 (checks that everything runs and agrees, not speed)\n"
    "  --json FILE    every figure, every repetition and the machine, as JSON\n"
    "  --svg FILE     a chart: ops/s against bindings, log scales, one line per variant\n"
    "  --seed N       workload seed (default 1)\n"
    "  --reps N       timed repetitions per workload (default 7, at most 64)\n"
    "  --sizes LIST   binding counts (default 10,100,1000,10000,100000)\n"
    "  --workloads L  workload names (default all)\n"
    "  --ops-count N  updates per timed run (default 100000); with --only, the\n"
    "                 number of updates of the measured run\n"
    "  --app, --ops   time the replay of an op log on an app (parsed before\n"
    "                 timing, the log's flushes and a final flush): variant map\n"
    "                 only, as direct is written for the synthetic schemas\n"
    "  --only W:N:V   run one workload and variant (after one untimed pass) and\n"
    "                 print its time; `make callgrind` uses it for instructions/op\n";

typedef struct bench_opts {
    bool quick;
    const char *json, *svg, *app, *ops, *only;
    size_t ops_count;
    uint64_t seed;
    int reps;
    size_t sizes[16];
    int nsizes;
    bool kinds[WL_KIND_COUNT];
} bench_opts;

/* ---- options ------------------------------------------------------------------ */

static int bench_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "bindjit bench: %s%s%s\n%s", msg, arg ? ": " : "", arg ? arg : "", usage);
    return 2;
}


static bool parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v == 0 || v > 10000000)
        return false;
    *out = (size_t)v;
    return true;
}

static bool parse_sizes(const char *list, bench_opts *o)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", list);
    o->nsizes = 0;
    for (char *save = NULL, *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (o->nsizes == 16 || !parse_size(t, &o->sizes[o->nsizes++]))
            return false;
    return o->nsizes > 0;
}

static bool parse_kinds(const char *list, bench_opts *o)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", list);
    memset(o->kinds, 0, sizeof o->kinds);
    for (char *save = NULL, *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int k = wl_kind_find(t);
        if (k < 0)
            return false;
        o->kinds[k] = true;
    }
    return true;
}

/* One option at argv[*i]; returns 0, or the exit status of a usage error. */
static int parse_one(int argc, char **argv, int *i, bench_opts *o, bool *sizes_given)
{
    const char *v;
    size_t n;
    if (strcmp(argv[*i], "--quick") == 0)
        o->quick = true;
    else if ((v = cli_opt_value(argc, argv, i, "--json")))
        o->json = v;
    else if ((v = cli_opt_value(argc, argv, i, "--svg")))
        o->svg = v;
    else if ((v = cli_opt_value(argc, argv, i, "--app")))
        o->app = v;
    else if ((v = cli_opt_value(argc, argv, i, "--ops-count")))
        return parse_size(v, &o->ops_count) ? 0 : bench_usage("bad --ops-count", v);
    else if ((v = cli_opt_value(argc, argv, i, "--ops")))
        o->ops = v;
    else if ((v = cli_opt_value(argc, argv, i, "--only")))
        o->only = v;
    else if ((v = cli_opt_value(argc, argv, i, "--seed")))
        return parse_size(v, &n) ? (o->seed = n, 0) : bench_usage("bad --seed", v);
    else if ((v = cli_opt_value(argc, argv, i, "--reps")))
        return parse_size(v, &n) && n <= BENCH_MAX_REPS ? (o->reps = (int)n, 0)
                                                        : bench_usage("bad --reps (1..64)", v);
    else if ((v = cli_opt_value(argc, argv, i, "--sizes")))
        return parse_sizes(v, o) ? (*sizes_given = true, 0) : bench_usage("bad --sizes", v);
    else if ((v = cli_opt_value(argc, argv, i, "--workloads")))
        return parse_kinds(v, o) ? 0 : bench_usage("unknown workload in --workloads", v);
    else
        return bench_usage("unknown option", argv[*i]);
    return 0;
}

static int parse_opts(int argc, char **argv, bench_opts *o)
{
    static const size_t full[] = {10, 100, 1000, 10000, 100000};
    static const size_t quick[] = {10, 100, 1000, 10000};
    memset(o, 0, sizeof *o);
    o->seed = 1;
    bool sizes_given = false;
    for (int k = 0; k < WL_KIND_COUNT; k++)
        o->kinds[k] = true;
    for (int i = 1; i < argc; i++) {
        int rc = parse_one(argc, argv, &i, o, &sizes_given);
        if (rc)
            return rc;
    }
    if (!sizes_given) {
        const size_t *s = o->quick ? quick : full;
        o->nsizes = o->quick ? 4 : 5;
        memcpy(o->sizes, s, (size_t)o->nsizes * sizeof *s);
    }
    if (!o->reps)
        o->reps = o->quick ? 1 : 7;
    if (!o->ops_count)
        o->ops_count = o->quick ? 2000 : 100000;
    if ((o->app != NULL) != (o->ops != NULL))
        return bench_usage("--app and --ops go together", NULL);
    return 0;
}

/* ---- time and machine ------------------------------------------------------------ */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool show_progress(void)
{
    return isatty(STDERR_FILENO);
}

/* ---- one workload's three instances ------------------------------------------------ */

typedef struct cell_ctx {
    const workload *w;
    bj_runtime *rt[V_COUNT];
    bj_path **handles;       /* per key, in rt[V_HANDLE] */
    direct *dx;              /* over rt[V_DIRECT]'s document */
} cell_ctx;

static int run_map(bj_runtime *rt, const workload *w, size_t from, size_t to)
{
    unsigned per = w->updates_per_flush, left = per;
    for (size_t i = from; i < to; i++) {
        const bench_op *op = &w->ops[i];
        const char *path = w->keys[op->key];
        int rc = 0;
        switch (op->v.t) {
        case BV_NUM: rc = bj_set_number(rt, path, op->v.n); break;
        case BV_BOOL: rc = bj_set_bool(rt, path, op->v.b); break;
        case BV_STR: rc = bj_set_string(rt, path, op->v.s); break;
        }
        if (rc == 0 && --left == 0) {
            left = per;
            rc = bj_flush(rt);
        }
        if (rc)
            return rc;
    }
    return bj_flush(rt);
}

static int run_handle(bj_runtime *rt, bj_path **handles, const workload *w, size_t from, size_t to)
{
    unsigned per = w->updates_per_flush, left = per;
    for (size_t i = from; i < to; i++) {
        const bench_op *op = &w->ops[i];
        bj_path *p = handles[op->key];
        int rc = 0;
        switch (op->v.t) {
        case BV_NUM: rc = bj_path_set_number(rt, p, op->v.n); break;
        case BV_BOOL: rc = bj_path_set_bool(rt, p, op->v.b); break;
        case BV_STR: rc = bj_path_set_string(rt, p, op->v.s, op->v.len); break;
        }
        if (rc == 0 && --left == 0) {
            left = per;
            rc = bj_flush(rt);
        }
        if (rc)
            return rc;
    }
    return bj_flush(rt);
}

/* The measured code: ops [from, to) of variant v. Not inlined, so that
 * profiles show it as one function. */
__attribute__((noinline)) int bench_measured_run(cell_ctx *c, int v, size_t from, size_t to);
__attribute__((noinline)) int bench_measured_run(cell_ctx *c, int v, size_t from, size_t to)
{
    switch (v) {
    case V_MAP: return run_map(c->rt[V_MAP], c->w, from, to);
    case V_HANDLE: return run_handle(c->rt[V_HANDLE], c->handles, c->w, from, to);
    default: return dx_run(c->dx, c->w, from, to);
    }
}

/* The measured pass of --only, and the one function `make callgrind`
 * collects (--toggle-collect): the warm-up pass before it calls
 * bench_measured_run directly and is not counted. */
__attribute__((noinline)) int bench_only_measured(cell_ctx *c, int v, size_t n);
__attribute__((noinline)) int bench_only_measured(cell_ctx *c, int v, size_t n)
{
    return bench_measured_run(c, v, 0, n);
}

static void cell_free(cell_ctx *c)
{
    dx_free(c->dx);
    free(c->handles);
    for (int v = 0; v < V_COUNT; v++)
        bj_runtime_free(c->rt[v]);
    memset(c, 0, sizeof *c);
}

/* Loads the app into one runtime per variant and resolves handles and
 * direct targets. Returns 0 or 1 after a message. */
static int cell_open(cell_ctx *c, const workload *w)
{
    memset(c, 0, sizeof *c);
    c->w = w;
    char name[64];
    snprintf(name, sizeof name, "<bench %s:%zu>", wl_kind_get(w->kind)->name, w->nominal);
    for (int v = 0; v < V_COUNT; v++) {
        if (bj_runtime_new(NULL, &c->rt[v]) != 0) {
            fprintf(stderr, "bindjit bench: out of memory\n");
            return 1;
        }
        if (bj_load_buffer(c->rt[v], w->app, w->app_len, name) != 0) {
            fprintf(stderr, "bindjit bench: %s\n", bj_last_error(c->rt[v]));
            return 1;
        }
    }
    c->handles = calloc(w->nkeys, sizeof *c->handles);
    if (!c->handles)
        return fprintf(stderr, "bindjit bench: out of memory\n"), 1;
    for (size_t k = 0; k < w->nkeys; k++) {
        if (bj_path_get(c->rt[V_HANDLE], w->keys[k], &c->handles[k]) != 0) {
            fprintf(stderr, "bindjit bench: %s\n", bj_last_error(c->rt[V_HANDLE]));
            return 1;
        }
    }
    c->dx = dx_new(c->rt[V_DIRECT], w);
    return c->dx ? 0 : 1;
}

/* Runs ops [from, to) of variant v; its time in seconds, or -1. */
static double cell_time(cell_ctx *c, int v, size_t from, size_t to)
{
    double t0 = now();
    int rc = bench_measured_run(c, v, from, to);
    double t = now() - t0;
    if (rc) {
        const char *msg = v == V_DIRECT ? bj_strerror(rc) : bj_last_error(c->rt[v]);
        fprintf(stderr, "bindjit bench: variant %s failed: %s\n", bench_variant_names[v], msg);
        return -1;
    }
    return t;
}

/* Prints where two dumps first differ, with some context. */
static void show_difference(const char *a, const char *b, const char *na, const char *nb)
{
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    size_t from = i > 120 ? i - 120 : 0;
    fprintf(stderr, "  first difference at byte %zu\n  %s: ...%.240s\n  %s: ...%.240s\n", i, na,
            a + from, nb, b + from);
}

/* Every variant must have left the same document: a fast wrong variant
 * cannot win. Returns 0, or 1 after a message. */
static int cell_check(cell_ctx *c)
{
    char *dump[V_COUNT] = {NULL};
    int bad = 0;
    for (int v = 0; v < V_COUNT && !bad; v++)
        bad = bj_dump_json(c->rt[v], &dump[v], NULL) != 0;
    for (int v = 1; v < V_COUNT && !bad; v++) {
        if (strcmp(dump[0], dump[v]) != 0) {
            fprintf(stderr, "bindjit bench: MISMATCH in %s:%zu: variants %s and %s left different "
                    "documents\n", wl_kind_get(c->w->kind)->name, c->w->nominal,
                    bench_variant_names[0], bench_variant_names[v]);
            show_difference(dump[0], dump[v], bench_variant_names[0], bench_variant_names[v]);
            bad = 1;
        }
    }
    if (bad && !dump[V_COUNT - 1])
        fprintf(stderr, "bindjit bench: cannot dump the document\n");
    for (int v = 0; v < V_COUNT; v++)
        bj_string_free(dump[v]);
    return bad;
}

/* ---- statistics ------------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(const double *v, int n)
{
    double s[BENCH_MAX_REPS];
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void summarize(cell_result *r)
{
    static const int num[R_COUNT] = {V_DIRECT, V_HANDLE, V_DIRECT};
    static const int den[R_COUNT] = {V_MAP, V_MAP, V_HANDLE};
    for (int v = 0; v < V_COUNT; v++) {
        r->median[v] = median_of(r->ops_per_sec[v], r->reps);
        r->min[v] = r->max[v] = r->ops_per_sec[v][0];
        for (int i = 1; i < r->reps; i++) {
            r->min[v] = r->ops_per_sec[v][i] < r->min[v] ? r->ops_per_sec[v][i] : r->min[v];
            r->max[v] = r->ops_per_sec[v][i] > r->max[v] ? r->ops_per_sec[v][i] : r->max[v];
        }
    }
    for (int q = 0; q < R_COUNT; q++) {
        double per_rep[BENCH_MAX_REPS];
        for (int i = 0; i < r->reps; i++)
            per_rep[i] = r->ops_per_sec[num[q]][i] / r->ops_per_sec[den[q]][i];
        r->ratio[q] = median_of(per_rep, r->reps);
    }
}

/* ---- one cell: workload kind x size ------------------------------------------------------ */

typedef struct progress {
    size_t done, total;
} progress;

static void progress_step(progress *p, const char *label)
{
    p->done++;
    if (show_progress())
        cli_progress(label, p->done, p->total);
}

/* One repetition: the whole sequence in every variant, interleaved slice by
 * slice (the order rotated each slice), so that the machine's noise (other
 * processes on 2 cores) falls on all variants alike. t[v] gets the times. */
static int rep_run(cell_ctx *c, int rep, double t[V_COUNT])
{
    size_t n = c->w->nops;
    for (int v = 0; v < V_COUNT; v++)
        t[v] = 0;
    for (size_t from = 0, slice = 0; from < n; from += SLICE_OPS, slice++) {
        size_t to = from + SLICE_OPS < n ? from + SLICE_OPS : n;
        for (int j = 0; j < V_COUNT; j++) {
            int v = (int)((rep + slice + (size_t)j) % V_COUNT);
            double dt = cell_time(c, v, from, to);
            if (dt < 0)
                return 1;
            t[v] += dt;
        }
    }
    return 0;
}

/* Untimed pass, then reps interleaved timed passes, then the check. */
static int cell_measure(cell_ctx *c, cell_result *r, int reps, progress *pg, const char *label)
{
    for (int v = 0; v < V_COUNT; v++)
        if (cell_time(c, v, 0, c->w->nops) < 0)
            return 1;
    progress_step(pg, label);
    r->reps = reps;
    for (int rep = 0; rep < reps; rep++) {
        double t[V_COUNT];
        if (rep_run(c, rep, t) != 0)
            return 1;
        for (int v = 0; v < V_COUNT; v++)
            r->ops_per_sec[v][rep] = (double)c->w->nops / (t[v] > 1e-9 ? t[v] : 1e-9);
        progress_step(pg, label);
    }
    summarize(r);
    return cell_check(c);
}

/* FNV-1a of the app text: workloads that share an app must share it
 * byte for byte. */
static uint64_t app_hash(const workload *w)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < w->app_len; i++)
        h = (h ^ (unsigned char)w->app[i]) * 0x100000001b3ull;
    return h;
}

/* Bytes the runtime holds for w's view and state alone (the app loaded
 * with no bindings), so that the binding tables' share can be told apart.
 * 0 when it cannot be measured. */
static size_t view_state_bytes(const workload *w)
{
    static const char tail[] = "\"bindings\":{}}\n";
    char *text = malloc(w->app_bindings_at + sizeof tail);
    bj_runtime *rt = NULL;
    size_t bytes = 0;
    if (text && bj_runtime_new(NULL, &rt) == 0) {
        memcpy(text, w->app, w->app_bindings_at);
        memcpy(text + w->app_bindings_at, tail, sizeof tail);
        if (bj_load_buffer(rt, text, w->app_bindings_at + sizeof tail - 1, "<view and state>") == 0) {
            bj_stats st;
            bj_get_stats(rt, &st);
            bytes = st.memory_bytes;
        }
    }
    bj_runtime_free(rt);
    free(text);
    return bytes;
}

/* The static facts of a cell (the memory figures come from its app). */
static void cell_facts(cell_result *r, const workload *w, size_t rt_bytes, size_t vs_bytes,
                       size_t dx_bytes)
{
    memset(r, 0, sizeof *r);
    r->kind = w->kind;
    r->nominal = w->nominal;
    r->nbindings = w->nbindings;
    r->nkeys = w->nkeys;
    r->nentities = w->nentities;
    r->nops = w->nops;
    r->runtime_bytes = rt_bytes;
    r->view_state_bytes = vs_bytes;
    r->direct_bytes = dx_bytes;
}

/* The instances of one app, shared by the kinds that run on it. */
typedef struct family {
    cell_ctx c;
    bool opened;
    uint64_t hash;
    size_t rt_bytes, vs_bytes, dx_bytes;
} family;

/* Opens the family's instances with its first workload, or checks that a
 * later one has the same app. Returns 0 or 1 after a message. */
static int family_enter(family *f, const workload *w)
{
    if (f->opened) {
        if (app_hash(w) == f->hash)
            return 0;
        fprintf(stderr, "bindjit bench: internal error: %s:%zu does not share its app\n",
                wl_kind_get(w->kind)->name, w->nominal);
        return 1;
    }
    f->opened = true;
    f->hash = app_hash(w);
    if (cell_open(&f->c, w) != 0)
        return 1;
    bj_stats st;
    bj_get_stats(f->c.rt[V_MAP], &st);
    f->rt_bytes = st.memory_bytes;
    f->dx_bytes = dx_memory(f->c.dx);
    f->vs_bytes = view_state_bytes(w);
    return 0;
}

/* Every selected kind that runs on app `app` at size n, on one set of
 * instances loaded once: a 100000-binding app takes seconds to load, and
 * later workloads start from the document the earlier ones left, in every
 * variant alike. grid[k] receives kind k's result; filled[k] is set. */
static int run_app_family(const bench_opts *o, wl_kind app, size_t n, cell_result *grid,
                          bool *filled, progress *pg)
{
    family f;
    memset(&f, 0, sizeof f);
    int rc = 0;
    for (int k = 0; k < WL_KIND_COUNT && rc == 0; k++) {
        if (!o->kinds[k] || wl_kind_get((wl_kind)k)->app != app)
            continue;
        workload w;
        if (wl_build(&w, (wl_kind)k, n, o->ops_count, o->seed) != 0) {
            rc = 1;
            break;
        }
        if ((rc = family_enter(&f, &w)) == 0) {
            char label[32];
            snprintf(label, sizeof label, "%s:%zu", wl_kind_get((wl_kind)k)->name, n);
            f.c.w = &w;
            cell_facts(&grid[k], &w, f.rt_bytes, f.vs_bytes, f.dx_bytes);
            rc = cell_measure(&f.c, &grid[k], o->reps, pg, label);
            filled[k] = rc == 0;
        }
        wl_free(&w);
        f.c.w = NULL;
    }
    cell_free(&f.c);
    return rc;
}

/* ---- the Markdown tables ------------------------------------------------------------------ */

const char *bench_verdict(double speedup)
{
    if (speedup >= 2.0)
        return "\u2705 GO (2x target met)";
    return speedup >= 1.5 ? "\u2705 GO" : "\u274c NO-GO";
}

/* "2,317,749" */
static void fmt_int(double v, char *out, size_t cap)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", v);
    size_t n = strlen(digits), j = 0;
    for (size_t i = 0; i < n && j + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0)
            out[j++] = ',';
        out[j++] = digits[i];
    }
    out[j] = '\0';
}

/* "2,317,749 ±3%": the median and half the min-max spread. */
static void fmt_ops(const cell_result *r, int v, char *out, size_t cap)
{
    char num[40];
    fmt_int(r->median[v], num, sizeof num);
    double spread = r->median[v] > 0 ? 50.0 * (r->max[v] - r->min[v]) / r->median[v] : 0;
    snprintf(out, cap, "%s \u00b1%.0f%%", num, spread);
}

static void print_table_head(wl_kind k)
{
    printf("\n### %s: %s\n\n", wl_kind_get(k)->name, wl_kind_get(k)->title);
    printf("| Bindings | Map ops/s | Generated (direct) ops/s | Speedup | Verdict "
           "| Map-handle ops/s | Handle/Map | Direct/Handle | Runtime B/binding (tables) "
           "| Direct B/binding |\n");
    printf("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|\n");
}

/* Bytes per binding: all the runtime holds, and (in parentheses) what the
 * binding tables add to the view and state. */
static void fmt_bytes(const cell_result *r, char *out, size_t cap)
{
    double nb = (double)r->nbindings;
    if (r->view_state_bytes && r->view_state_bytes <= r->runtime_bytes)
        snprintf(out, cap, "%.0f (%.0f)", (double)r->runtime_bytes / nb,
                 (double)(r->runtime_bytes - r->view_state_bytes) / nb);
    else
        snprintf(out, cap, "%.0f", (double)r->runtime_bytes / nb);
}

static void print_row(const cell_result *r)
{
    char b[32], m[48], g[48], h[48], mem[48];
    fmt_int((double)r->nbindings, b, sizeof b);
    fmt_ops(r, V_MAP, m, sizeof m);
    fmt_ops(r, V_DIRECT, g, sizeof g);
    fmt_ops(r, V_HANDLE, h, sizeof h);
    fmt_bytes(r, mem, sizeof mem);
    double sp = r->ratio[R_DIRECT_MAP];
    printf("| %s | %s | %s | %.2fx | %s | %s | %.2fx | %.2fx | %s | %.0f |\n", b, m, g, sp,
           bench_verdict(sp), h, r->ratio[R_HANDLE_MAP], r->ratio[R_DIRECT_HANDLE], mem,
           (double)r->direct_bytes / (double)r->nbindings);
}

/* The plan's exit criterion, for each workload that has 100 bindings. */
static void print_criterion(const bench_results *res)
{
    printf("\n### Exit criterion (the plan's): speedup at 100 bindings, 1.5x required, 2x target\n\n");
    printf("| Workload | Direct/Map | Verdict | Direct/Handle | Verdict |\n|---|---:|---|---:|---|\n");
    for (size_t i = 0; i < res->ncells; i++) {
        const cell_result *r = &res->cells[i];
        if (r->nominal != 100)
            continue;
        double a = r->ratio[R_DIRECT_MAP];
        double b = r->ratio[R_DIRECT_HANDLE];
        printf("| %s | %.2fx | %s | %.2fx | %s |\n", wl_kind_get(r->kind)->name, a, bench_verdict(a),
               b, bench_verdict(b));
    }
}

static void print_tables(const bench_results *res)
{
    printf("## bindjit bench%s (seed %llu, %d repetition%s, interleaved)\n\n", res->quick ? " --quick" : "",
           (unsigned long long)res->seed, res->reps, res->reps == 1 ? "" : "s");
    printf("Ops/s: median of the repetitions \u00b1 half their min-max spread. Ratios: median "
           "of the per-repetition ratios (the variants run interleaved in slices of %d ops, so "
           "each repetition's ratio cancels most of the machine's drift). Generated = `direct`, "
           "the ceiling (C specialized per schema); the JIT will be added as `jit`. "
           "Speedup = direct/map. B/binding: bytes the runtime holds after loading, per binding "
           "(in parentheses: what the binding tables add to the view and state).\n", SLICE_OPS);
    int last = -1;
    for (size_t i = 0; i < res->ncells; i++) {
        const cell_result *r = &res->cells[i];
        if ((int)r->kind != last)
            print_table_head(r->kind);
        last = (int)r->kind;
        print_row(r);
    }
    print_criterion(res);
    printf("\nAll variants left the same document in every workload (checked).\n");
    fflush(stdout);
}

/* ---- the synthetic run ---------------------------------------------------------------------- */

/* Runs every selected kind at every size, each app loaded once per size;
 * the results go to res->cells grouped by kind, sizes in order. */
static int run_grid(const bench_opts *o, bench_results *res, progress *pg)
{
    size_t ns = (size_t)o->nsizes;
    cell_result *grid = calloc(WL_KIND_COUNT * ns, sizeof *grid);
    bool *filled = calloc(WL_KIND_COUNT * ns, sizeof *filled);
    cell_result *row = calloc(WL_KIND_COUNT, sizeof *row);
    bool row_filled[WL_KIND_COUNT];
    int rc = grid && filled && row ? 0 : (fprintf(stderr, "bindjit bench: out of memory\n"), 1);
    for (size_t s = 0; s < ns && rc == 0; s++) {
        memset(row_filled, 0, sizeof row_filled);
        for (int app = 0; app < WL_KIND_COUNT && rc == 0; app++)
            if (wl_kind_get((wl_kind)app)->app == (wl_kind)app)
                rc = run_app_family(o, (wl_kind)app, o->sizes[s], row, row_filled, pg);
        for (int k = 0; k < WL_KIND_COUNT; k++) {
            grid[(size_t)k * ns + s] = row[k];
            filled[(size_t)k * ns + s] = row_filled[k];
        }
    }
    for (size_t i = 0; rc == 0 && i < WL_KIND_COUNT * ns; i++)
        if (filled[i])
            res->cells[res->ncells++] = grid[i];
    free(grid);
    free(filled);
    free(row);
    return rc;
}

static int run_synthetic(const bench_opts *o)
{
    bench_results res;
    memset(&res, 0, sizeof res);
    res.seed = o->seed;
    res.quick = o->quick;
    res.reps = o->reps;
    time_t t = time(NULL);
    struct tm tm;
    strftime(res.started, sizeof res.started, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    res.cells = calloc(WL_KIND_COUNT * (size_t)o->nsizes, sizeof *res.cells);
    if (!res.cells)
        return fprintf(stderr, "bindjit bench: out of memory\n"), 1;
    progress pg = {0, 0};
    for (int k = 0; k < WL_KIND_COUNT; k++)
        pg.total += o->kinds[k] ? (size_t)o->nsizes * (size_t)(o->reps + 1) : 0;
    double t0 = now();
    int rc = run_grid(o, &res, &pg);
    if (show_progress())
        cli_progress_done();
    res.seconds = now() - t0;
    if (rc == 0) {
        print_tables(&res);
        if (o->json)
            rc = report_json(&res, o->json);
        if (o->svg && rc == 0)
            rc = report_svg(&res, o->svg);
    }
    free(res.cells);
    return rc;
}

/* ---- --only: one workload and variant, for callgrind ------------------------------------------- */

static int parse_only(const char *spec, wl_kind *k, size_t *n, int *v)
{
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s", spec);
    char *c1 = strchr(tmp, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2)
        return -1;
    *c1 = *c2 = '\0';
    int kind = wl_kind_find(tmp);
    *v = -1;
    for (int i = 0; i < V_COUNT; i++)
        if (strcmp(c2 + 1, bench_variant_names[i]) == 0)
            *v = i;
    if (kind < 0 || *v < 0 || !parse_size(c1 + 1, n))
        return -1;
    *k = (wl_kind)kind;
    return 0;
}

static int run_only(const bench_opts *o)
{
    wl_kind k;
    size_t n;
    int v;
    if (parse_only(o->only, &k, &n, &v) != 0)
        return bench_usage("--only takes WORKLOAD:N:VARIANT (e.g. plain:1000:map)", o->only);
    workload w;
    if (wl_build(&w, k, n, o->ops_count, o->seed) != 0)
        return 1;
    cell_ctx c;
    int rc = cell_open(&c, &w);
    double t = rc ? -1 : cell_time(&c, v, 0, w.nops);   /* untimed: warms the caches */
    if (t >= 0) {
        double t0 = now();
        rc = bench_only_measured(&c, v, w.nops);
        t = rc ? -1 : now() - t0;
        if (rc)
            fprintf(stderr, "bindjit bench: variant %s failed\n", bench_variant_names[v]);
    }
    if (t >= 0)
        printf("%s:%zu:%s: %zu updates in %.4f s, %.0f ops/s\n", wl_kind_get(k)->name, n,
               bench_variant_names[v], w.nops, t, (double)w.nops / (t > 1e-9 ? t : 1e-9));
    cell_free(&c);
    wl_free(&w);
    return t >= 0 ? 0 : 1;
}

/* ---- --app/--ops: a user's app and op log ---------------------------------------------------------- */

/* One timed replay on a fresh runtime; its time, or -1 after a message. */
static double app_replay(const bench_opts *o, size_t *nops, size_t *bytes, size_t *bindings)
{
    bj_runtime *rt;
    bj_oplog *log = NULL;
    double t = -1;
    if (bj_runtime_new(NULL, &rt) != 0)
        return fprintf(stderr, "bindjit bench: out of memory\n"), -1;
    bj_stats st;
    int rc = bj_load_file(rt, o->app);
    bj_get_stats(rt, &st);      /* the app's memory, before the log's */
    if (rc != 0 || bj_oplog_load_file(rt, o->ops, &log) != 0) {
        fprintf(stderr, "bindjit bench: %s\n", bj_last_error(rt));
    } else {
        *bytes = st.memory_bytes;
        *bindings = st.bindings;
        *nops = bj_oplog_count(log);
        double t0 = now();
        rc = bj_oplog_run(rt, log, 0, *nops);
        if (rc == 0)
            rc = bj_flush(rt);
        t = now() - t0;
        if (rc) {
            fprintf(stderr, "bindjit bench: %s\n", bj_last_error(rt));
            t = -1;
        }
    }
    bj_oplog_free(rt, log);
    bj_runtime_free(rt);
    return t < 0 ? -1 : t > 1e-9 ? t : 1e-9;
}

/* Repeats the replay (each on a fresh runtime, as the log expects the app's
 * initial state) after one untimed replay that warms the caches: small logs
 * run in a millisecond, so until 0.5 s are timed (at least --reps times, at
 * most 64). Returns 0 or 1 after a message. */
static int app_measure(const bench_opts *o, app_result *a)
{
    double timed = 0;
    int cap = o->quick ? 3 : BENCH_MAX_REPS;
    if (app_replay(o, &a->nops, &a->runtime_bytes, &a->nbindings) < 0)
        return 1;
    while (a->reps < cap && (a->reps < o->reps || timed < 0.5)) {
        double t = app_replay(o, &a->nops, &a->runtime_bytes, &a->nbindings);
        if (t < 0)
            return 1;
        a->ops_per_sec[a->reps++] = (double)a->nops / t;
        timed += t;
        if (show_progress())
            cli_progress("replay", (size_t)a->reps, (size_t)cap);
    }
    if (show_progress())
        cli_progress_done();
    a->median = median_of(a->ops_per_sec, a->reps);
    a->min = a->max = a->ops_per_sec[0];
    for (int i = 1; i < a->reps; i++) {
        a->min = a->ops_per_sec[i] < a->min ? a->ops_per_sec[i] : a->min;
        a->max = a->ops_per_sec[i] > a->max ? a->ops_per_sec[i] : a->max;
    }
    return 0;
}

static void print_app(const app_result *a)
{
    char med[40], lo[40], hi[40];
    fmt_int(a->median, med, sizeof med);
    fmt_int(a->min, lo, sizeof lo);
    fmt_int(a->max, hi, sizeof hi);
    printf("## bindjit bench --app %s --ops %s\n\n", a->app, a->ops_file);
    printf("| Variant | Ops/s (median) | Min | Max | Ops | Reps | Bindings | Runtime B/binding |\n"
           "|---|---:|---:|---:|---:|---:|---:|---:|\n");
    printf("| map (prepared log: bj_oplog_run + final bj_flush) | %s | %s | %s | %zu | %d | %zu | %.0f |\n",
           med, lo, hi, a->nops, a->reps, a->nbindings,
           a->nbindings ? (double)a->runtime_bytes / (double)a->nbindings : 0.0);
    printf("\nmap-handle is what bj_oplog_run does (paths are resolved when the log is parsed); "
           "direct does not apply to an arbitrary app.\n");
}

static int run_app(const bench_opts *o)
{
    app_result a;
    memset(&a, 0, sizeof a);
    a.app = o->app;
    a.ops_file = o->ops;
    if (app_measure(o, &a) != 0)
        return 1;
    print_app(&a);
    return o->json ? report_app_json(&a, o->json) : 0;
}

int cli_bench(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, stdout);
        return 0;
    }
    bench_opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc)
        return rc;
    if (o.only)
        return run_only(&o);
    if (o.app) {
        if (o.svg)
            fprintf(stderr, "bindjit bench: --svg applies to the synthetic workloads; ignored\n");
        return run_app(&o);
    }
    return run_synthetic(&o);
}

/* report.c: the machine-readable (--json) and graphical (--svg) outputs of
 * `bindjit bench`.
 *
 * Invariants:
 * - The JSON names the variants exactly as the tables and the issue do
 *   (map, map-handle, direct; the JIT issue adds jit) and carries every
 *   repetition, so figures can be recomputed from it.
 * - The SVG is drawn here, from the same results, with no library: one
 *   panel per workload, ops/s against bindings on log-log axes, one line per
 *   variant (median) with min-max bars. Both axes are decades; all panels
 *   share the y range so they compare at a glance.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"

/* ---- the machine --------------------------------------------------------------- */

typedef struct machine {
    char cpu[128];
    long cores;
    char system[256];
    const char *compiler;
} machine;

static void machine_get(machine *m)
{
    memset(m, 0, sizeof *m);
    snprintf(m->cpu, sizeof m->cpu, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            snprintf(m->cpu, sizeof m->cpu, "%s", colon + 2);
            m->cpu[strcspn(m->cpu, "\n")] = '\0';
            break;
        }
    }
    if (f)
        fclose(f);
    m->cores = sysconf(_SC_NPROCESSORS_ONLN);
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(m->system, sizeof m->system, "%s %s %s", u.sysname, u.release, u.machine);
#if defined(__clang__)
    m->compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
    m->compiler = "gcc " __VERSION__;
#else
    m->compiler = "unknown";
#endif
}

/* Writes s as a JSON string (the texts here are ASCII or UTF-8). */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", (unsigned char)*s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

static void json_machine(FILE *f)
{
    machine m;
    machine_get(&m);
    fprintf(f, "  \"machine\": {\"cpu\": ");
    json_str(f, m.cpu);
    fprintf(f, ", \"cores\": %ld, \"system\": ", m.cores);
    json_str(f, m.system);
    fprintf(f, ", \"compiler\": ");
    json_str(f, m.compiler);
    fprintf(f, "},\n");
}

static FILE *open_out(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        perror(path);
    return f;
}

static int close_out(FILE *f, const char *path)
{
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad)
        fprintf(stderr, "bindjit bench: %s: write failed\n", path);
    return bad;
}

/* ---- --json --------------------------------------------------------------------------- */

static const char *plain_verdict(double speedup)
{
    return speedup >= 2.0 ? "GO (2x target met)" : speedup >= 1.5 ? "GO" : "NO-GO";
}

static void json_variant(FILE *f, const cell_result *r, int v)
{
    fprintf(f, "          \"%s\": {\"ops_per_sec\": {\"median\": %.1f, \"min\": %.1f, \"max\": %.1f}, "
            "\"repetitions\": [", bench_variant_names[v], r->median[v], r->min[v], r->max[v]);
    for (int i = 0; i < r->reps; i++)
        fprintf(f, "%s%.1f", i ? ", " : "", r->ops_per_sec[v][i]);
    fprintf(f, "]}%s\n", v + 1 < V_COUNT ? "," : "");
}

static void json_cell(FILE *f, const cell_result *r, bool last)
{
    double nb = (double)r->nbindings;
    fprintf(f, "      {\"bindings\": %zu, \"keys\": %zu, \"entities\": %zu, \"ops\": %zu,\n",
            r->nbindings, r->nkeys, r->nentities, r->nops);
    fprintf(f, "        \"memory\": {\"runtime_bytes\": %zu, \"runtime_bytes_per_binding\": %.1f, "
            "\"view_state_bytes\": %zu, \"binding_tables_bytes_per_binding\": %.1f, "
            "\"direct_bytes\": %zu, \"direct_bytes_per_binding\": %.1f},\n",
            r->runtime_bytes, (double)r->runtime_bytes / nb, r->view_state_bytes,
            ((double)r->runtime_bytes - (double)r->view_state_bytes) / nb, r->direct_bytes,
            (double)r->direct_bytes / nb);
    fprintf(f, "        \"variants\": {\n");
    for (int v = 0; v < V_COUNT; v++)
        json_variant(f, r, v);
    fprintf(f, "        },\n        \"ratios\": {");
    for (int q = 0; q < R_COUNT; q++)
        fprintf(f, "%s\"%s\": %.3f", q ? ", " : "", bench_ratio_names[q], r->ratio[q]);
    fprintf(f, "},\n        \"verdict\": \"%s\"}%s\n", plain_verdict(r->ratio[R_DIRECT_MAP]),
            last ? "" : ",");
}

static void json_workloads(FILE *f, const bench_results *res)
{
    fprintf(f, "  \"workloads\": [\n");
    for (size_t i = 0; i < res->ncells;) {
        const wl_kind_info *k = wl_kind_get(res->cells[i].kind);
        fprintf(f, "    {\"name\": \"%s\", \"description\": ", k->name);
        json_str(f, k->title);
        fprintf(f, ", \"updates_per_flush\": %u,\n     \"results\": [\n", k->updates_per_flush);
        size_t j = i;
        while (j < res->ncells && res->cells[j].kind == res->cells[i].kind)
            j++;
        for (size_t c = i; c < j; c++)
            json_cell(f, &res->cells[c], c + 1 == j);
        fprintf(f, "     ]}%s\n", j < res->ncells ? "," : "");
        i = j;
    }
    fprintf(f, "  ]\n");
}

int report_json(const bench_results *res, const char *path)
{
    FILE *f = open_out(path);
    if (!f)
        return 1;
    fprintf(f, "{\n  \"tool\": \"bindjit bench\",\n  \"version\": \"%s\",\n  \"started\": \"%s\",\n"
            "  \"seconds\": %.1f,\n  \"seed\": %llu,\n  \"quick\": %s,\n  \"repetitions\": %d,\n",
            BINDJIT_VERSION, res->started, res->seconds, (unsigned long long)res->seed,
            res->quick ? "true" : "false", res->reps);
    json_machine(f);
    fprintf(f, "  \"method\": \"Each workload is loaded into one runtime per variant through "
            "bj_load_buffer; each variant replays the whole op sequence once untimed, then "
            "`repetitions` times, interleaved with the order rotated; ops_per_sec = updates / "
            "seconds of one replay, the variants interleaved in slices of 5000 ops; ratios are the "
            "median over repetitions of each repetition's ratio. After the runs every variant's "
            "document (bj_dump_json) is compared with map's.\",\n");
    fprintf(f, "  \"variants\": [\"map\", \"map-handle\", \"direct\"],\n");
    fprintf(f, "  \"exit_criterion\": {\"bindings\": 100, \"ratio\": \"direct/map\", "
            "\"required\": 1.5, \"target\": 2.0},\n");
    json_workloads(f, res);
    fprintf(f, "}\n");
    return close_out(f, path);
}

int report_app_json(const app_result *a, const char *path)
{
    FILE *f = open_out(path);
    if (!f)
        return 1;
    fprintf(f, "{\n  \"tool\": \"bindjit bench\",\n  \"version\": \"%s\",\n", BINDJIT_VERSION);
    json_machine(f);
    fprintf(f, "  \"app\": ");
    json_str(f, a->app);
    fprintf(f, ",\n  \"ops_file\": ");
    json_str(f, a->ops_file);
    fprintf(f, ",\n  \"ops\": %zu,\n  \"bindings\": %zu,\n  \"runtime_bytes\": %zu,\n", a->nops,
            a->nbindings, a->runtime_bytes);
    fprintf(f, "  \"variants\": {\"map\": {\"ops_per_sec\": {\"median\": %.1f, \"min\": %.1f, "
            "\"max\": %.1f}, \"repetitions\": [", a->median, a->min, a->max);
    for (int i = 0; i < a->reps; i++)
        fprintf(f, "%s%.1f", i ? ", " : "", a->ops_per_sec[i]);
    fprintf(f, "]}}\n}\n");
    return close_out(f, path);
}

/* ---- --svg ------------------------------------------------------------------------------ */

enum { PANEL_W = 380, PANEL_H = 280, HEAD_H = 64, PAD_L = 62, PAD_R = 16, PAD_T = 30, PAD_B = 42 };

static const char *const colors[V_COUNT] = {"#d62728", "#ff7f0e", "#2ca02c"};

/* One panel's frame: where data coordinates land. */
typedef struct frame {
    double x0, y0, w, h;        /* plot area in SVG units */
    double lx0, lx1, ly0, ly1;  /* log10 ranges */
} frame;

static double fx(const frame *fr, double n)
{
    return fr->x0 + (log10(n) - fr->lx0) / (fr->lx1 - fr->lx0) * fr->w;
}

static double fy(const frame *fr, double ops)
{
    return fr->y0 + fr->h - (log10(ops) - fr->ly0) / (fr->ly1 - fr->ly0) * fr->h;
}

/* "10", "1k", "100k", "10M" for 10^e. */
static void decade_label(int e, char *out, size_t cap)
{
    static const char *const units[] = {"", "k", "M", "G"};
    int u = e / 3 < 3 ? e / 3 : 3;
    int zeros = e - 3 * u;
    snprintf(out, cap, "%s%s", zeros == 0 ? "1" : zeros == 1 ? "10" : "100", units[u]);
}

static void svg_axes(FILE *f, const frame *fr, const char *title)
{
    fprintf(f, "<text x='%.1f' y='%.1f' font-weight='bold'>%s</text>\n", fr->x0, fr->y0 - 10, title);
    for (int e = (int)fr->lx0; e <= (int)fr->lx1; e++) {
        char lab[16];
        double x = fx(fr, pow(10, e));
        decade_label(e, lab, sizeof lab);
        fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#ddd'/>"
                "<text x='%.1f' y='%.1f' text-anchor='middle'>%s</text>\n",
                x, fr->y0, x, fr->y0 + fr->h, x, fr->y0 + fr->h + 16, lab);
    }
    for (int e = (int)fr->ly0; e <= (int)fr->ly1; e++) {
        char lab[16];
        double y = fy(fr, pow(10, e));
        decade_label(e, lab, sizeof lab);
        fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#ddd'/>"
                "<text x='%.1f' y='%.1f' text-anchor='end'>%s</text>\n",
                fr->x0, y, fr->x0 + fr->w, y, fr->x0 - 6, y + 4, lab);
    }
    fprintf(f, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='none' stroke='#444'/>\n",
            fr->x0, fr->y0, fr->w, fr->h);
    fprintf(f, "<text x='%.1f' y='%.1f' text-anchor='middle' fill='#444'>bindings</text>\n",
            fr->x0 + fr->w / 2, fr->y0 + fr->h + 34);
    fprintf(f, "<text transform='translate(%.1f %.1f) rotate(-90)' text-anchor='middle' "
            "fill='#444'>ops/s</text>\n", fr->x0 - 48, fr->y0 + fr->h / 2);
}

/* One variant's line over cells [from, to), with min-max bars. */
static void svg_series(FILE *f, const frame *fr, const cell_result *c, size_t n, int v)
{
    fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='2' points='", colors[v]);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.1f,%.1f ", fx(fr, (double)c[i].nbindings), fy(fr, c[i].median[v]));
    fprintf(f, "'/>\n");
    for (size_t i = 0; i < n; i++) {
        double x = fx(fr, (double)c[i].nbindings);
        fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='%s'/>"
                "<circle cx='%.1f' cy='%.1f' r='3' fill='%s'/>\n",
                x, fy(fr, c[i].min[v]), x, fy(fr, c[i].max[v]), colors[v], x,
                fy(fr, c[i].median[v]), colors[v]);
    }
}

/* Decade ranges covering every figure (x: bindings, y: ops/s). */
static void data_ranges(const bench_results *res, double *lx0, double *lx1, double *ly0, double *ly1)
{
    double xmin = 1e300, xmax = 0, ymin = 1e300, ymax = 0;
    for (size_t i = 0; i < res->ncells; i++) {
        const cell_result *c = &res->cells[i];
        xmin = fmin(xmin, (double)c->nbindings);
        xmax = fmax(xmax, (double)c->nbindings);
        for (int v = 0; v < V_COUNT; v++) {
            ymin = fmin(ymin, c->min[v]);
            ymax = fmax(ymax, c->max[v]);
        }
    }
    *lx0 = floor(log10(xmin));
    *lx1 = fmax(ceil(log10(xmax)), *lx0 + 1);
    *ly0 = floor(log10(ymin));
    *ly1 = fmax(ceil(log10(ymax)), *ly0 + 1);
}

static void svg_legend(FILE *f, const bench_results *res)
{
    machine m;
    machine_get(&m);
    fprintf(f, "<text x='16' y='22' font-size='15' font-weight='bold'>bindjit bench: ops/s against "
            "bindings (median of %d, min-max bars; log scales)</text>\n", res->reps);
    fprintf(f, "<text x='16' y='40' fill='#444'>%s, %ld cores, %s; seed %llu</text>\n", m.cpu,
            m.cores, m.compiler, (unsigned long long)res->seed);
    for (int v = 0; v < V_COUNT; v++)
        fprintf(f, "<line x1='%d' y1='54' x2='%d' y2='54' stroke='%s' stroke-width='3'/>"
                "<text x='%d' y='58'>%s</text>\n", 16 + v * 140, 40 + v * 140, colors[v],
                46 + v * 140, bench_variant_names[v]);
}

static void svg_panels(FILE *f, const bench_results *res, int cols)
{
    double lx0, lx1, ly0, ly1;
    data_ranges(res, &lx0, &lx1, &ly0, &ly1);
    int panel = 0;
    for (size_t i = 0; i < res->ncells; panel++) {
        size_t j = i;
        while (j < res->ncells && res->cells[j].kind == res->cells[i].kind)
            j++;
        double px = (panel % cols) * PANEL_W, py = HEAD_H + (panel / cols) * PANEL_H;
        frame fr = {px + PAD_L, py + PAD_T, PANEL_W - PAD_L - PAD_R, PANEL_H - PAD_T - PAD_B,
                    lx0, lx1, ly0, ly1};
        svg_axes(f, &fr, wl_kind_get(res->cells[i].kind)->name);
        for (int v = 0; v < V_COUNT; v++)
            svg_series(f, &fr, &res->cells[i], j - i, v);
        i = j;
    }
}

int report_svg(const bench_results *res, const char *path)
{
    int panels = 0;
    for (size_t i = 0; i < res->ncells; i++)
        panels += i == 0 || res->cells[i].kind != res->cells[i - 1].kind;
    if (panels == 0)
        return 0;
    int cols = panels < 3 ? panels : 3, rows = (panels + cols - 1) / cols;
    FILE *f = open_out(path);
    if (!f)
        return 1;
    fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
            "font-family='sans-serif' font-size='12'>\n<rect width='100%%' height='100%%' "
            "fill='white'/>\n", cols * PANEL_W, HEAD_H + rows * PANEL_H);
    svg_legend(f, res);
    svg_panels(f, res, cols);
    fprintf(f, "</svg>\n");
    return close_out(f, path);
}

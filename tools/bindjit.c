/* bindjit: the command-line tool.
 *
 *   bindjit run APP.json [--ops OPS.jsonl] [--dump=json|html|none] [--jit=off]
 *               [--output FILE] [--stats]
 *   bindjit bench [...]          (see bindjit bench --help)
 *
 * Exit status: 0 success, 1 bad input or a runtime error (the message names
 * the file and line), 2 bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bindjit.h"
#include "cli.h"

static const char usage[] =
    "usage: bindjit run APP.json [--ops OPS.jsonl] [--dump=json|html|none]\n"
    "                            [--jit=off|on|always] [--output FILE] [--stats]\n"
    "       bindjit bench [--quick] [--json FILE] [--svg FILE] [--app APP.json --ops OPS.jsonl]\n"
    "       bindjit --help | --version\n"
    "\n"
    "run: loads APP.json (view, state, bindings), replays the op log if one is\n"
    "given (flushing where it says and once at the end), and writes the\n"
    "resulting document: its HTML (default), the canonical JSON dump, or\n"
    "nothing. Progress is shown on stderr when it is a terminal and the log\n"
    "is long. --jit: 'off' runs the interpreter only (the JIT is not built in\n"
    "this version, so 'on' and 'always' also interpret and say so).\n"
    "--stats prints runtime statistics to stderr.\n"
    "\n"
    "bench: the benchmark (bindjit bench --help).\n"
    "\n"
    "Exit status: 0 success, 1 bad input or runtime error, 2 bad usage.\n"
    "File formats: docs/formats.md.\n";

typedef struct run_opts {
    const char *app, *ops, *output;
    const char *dump;   /* "html", "json", "none" */
    const char *jit;
    int stats;
} run_opts;

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "bindjit: %s%s%s\n%s", msg, arg ? ": " : "", arg ? arg : "", usage);
    return 2;
}

static int parse_run(int argc, char **argv, run_opts *o)
{
    memset(o, 0, sizeof *o);
    o->dump = "html";
    o->jit = "off";
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = cli_opt_value(argc, argv, &i, "--ops")))
            o->ops = v;
        else if ((v = cli_opt_value(argc, argv, &i, "--dump")))
            o->dump = v;
        else if ((v = cli_opt_value(argc, argv, &i, "--jit")))
            o->jit = v;
        else if ((v = cli_opt_value(argc, argv, &i, "--output")) || (v = cli_opt_value(argc, argv, &i, "-o")))
            o->output = v;
        else if (strcmp(argv[i], "--stats") == 0)
            o->stats = 1;
        else if (argv[i][0] == '-')
            return usage_error("unknown option", argv[i]);
        else if (!o->app)
            o->app = argv[i];
        else
            return usage_error("unexpected argument", argv[i]);
    }
    if (!o->app)
        return usage_error("run needs an app file", NULL);
    if (strcmp(o->dump, "html") && strcmp(o->dump, "json") && strcmp(o->dump, "none"))
        return usage_error("--dump takes json, html or none", o->dump);
    if (strcmp(o->jit, "off") && strcmp(o->jit, "on") && strcmp(o->jit, "always"))
        return usage_error("--jit takes off, on or always", o->jit);
    return 0;
}

/* Applies the op log in chunks, drawing a progress bar on a terminal. */
static int replay(bj_runtime *rt, const bj_oplog *log)
{
    size_t n = bj_oplog_count(log);
    int show = n >= 1000 && isatty(STDERR_FILENO);
    size_t step = show ? n / 100 : n;
    if (step == 0)
        step = 1;
    for (size_t done = 0; done < n; done += step) {
        int rc = bj_oplog_run(rt, log, done, done + step);
        if (rc)
            return rc;
        if (show)
            cli_progress("replay", done + step > n ? n : done + step, n);
    }
    if (show)
        cli_progress_done();
    return 0;
}

static int write_output(const char *path, const char *data, size_t len)
{
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (!f) {
        fprintf(stderr, "bindjit: %s: %s\n", path, strerror(errno));
        return 1;
    }
    int bad = fwrite(data, 1, len, f) != len;
    bad |= path ? fclose(f) != 0 : fflush(f) != 0;
    if (bad)
        fprintf(stderr, "bindjit: %s: write failed\n", path ? path : "stdout");
    return bad;
}

static void print_stats(const bj_runtime *rt)
{
    bj_stats s;
    bj_get_stats(rt, &s);
    fprintf(stderr,
            "stats: sets %llu, flushes %llu, keys applied %llu, bindings applied %llu, "
            "writes %llu, bindings %zu, memory %zu bytes (peak %zu)\n",
            s.sets, s.flushes, s.keys_applied, s.bindings_applied, s.writes, s.bindings,
            s.memory_bytes, s.memory_peak);
}

/* Writes the document as asked; 0 or 1. */
static int emit(bj_runtime *rt, const run_opts *o)
{
    if (strcmp(o->dump, "none") == 0)
        return 0;
    char *out = NULL;
    size_t len = 0;
    int rc = strcmp(o->dump, "json") == 0 ? bj_dump_json(rt, &out, &len) : bj_html(rt, &out, &len);
    if (rc) {
        fprintf(stderr, "bindjit: %s\n", bj_last_error(rt));
        return 1;
    }
    if (strcmp(o->dump, "html") == 0) {
        char *nl = realloc(out, len + 2);
        if (nl) {
            out = nl;
            out[len++] = '\n';
            out[len] = '\0';
        }
    }
    int bad = write_output(o->output, out, len);
    bj_string_free(out);
    return bad;
}

static int cmd_run(int argc, char **argv)
{
    run_opts o;
    int rc = parse_run(argc, argv, &o);
    if (rc)
        return rc;
    bj_config cfg;
    bj_config_init(&cfg);
    bj_runtime *rt;
    if (bj_runtime_new(&cfg, &rt) != 0) {
        fprintf(stderr, "bindjit: out of memory\n");
        return 1;
    }
    if (strcmp(o.jit, "off") != 0)
        fprintf(stderr, "bindjit: the JIT is not built in this version; interpreting\n");
    int status = 0;
    bj_oplog *log = NULL;
    if (bj_load_file(rt, o.app) != 0) {
        fprintf(stderr, "bindjit: %s\n", bj_last_error(rt));
        status = 1;
        goto done;
    }
    /* A bad line stops the log there; the ops before it are still applied. */
    int parse_rc = o.ops ? bj_oplog_load_file(rt, o.ops, &log) : 0;
    char parse_err[1100] = "";
    if (parse_rc)
        snprintf(parse_err, sizeof parse_err, "%s", bj_last_error(rt));
    /* After a failing op the final flush still runs, so the document shows
     * everything that was applied before it. */
    if (log && replay(rt, log) != 0) {
        fprintf(stderr, "bindjit: %s\n", bj_last_error(rt));
        status = 1;
    }
    if (bj_flush(rt) != 0) {
        fprintf(stderr, "bindjit: %s\n", bj_last_error(rt));
        status = 1;
    }
    if (parse_rc) {
        fprintf(stderr, "bindjit: %s\n", parse_err);
        status = 1;
    }
    if (o.stats)
        print_stats(rt);
    if (emit(rt, &o))
        status = 1;
done:
    bj_oplog_free(rt, log);
    bj_runtime_free(rt);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("missing command", NULL);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("bindjit %s\n", BINDJIT_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "run") == 0)
        return cmd_run(argc, argv);
    if (strcmp(argv[1], "bench") == 0)
        return cli_bench(argc - 1, argv + 1);
    return usage_error("unknown command", argv[1]);
}

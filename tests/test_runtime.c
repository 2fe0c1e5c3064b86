/* test_runtime.c: the public API end to end: loading, setters, batching,
 * `when` clauses, statePath, host callbacks, bindings at run time, bad
 * input (each error names its place, what was applied stays applied, the
 * runtime stays usable) and the allocation-failure loop. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindjit.h"
#include "testutil.h"

static const char *APP =
    "{\"view\": {\"tag\": \"div\", \"id\": \"root\", \"children\": ["
    "  {\"tag\": \"span\", \"id\": \"likes\", \"children\": [\"0\"]},"
    "  {\"tag\": \"p\", \"id\": \"msg\"},"
    "  {\"tag\": \"input\", \"id\": \"box\", \"props\": {\"type\": \"checkbox\"}},"
    "  {\"tag\": \"button\", \"id\": \"go\", \"children\": [\"Go\"]},"
    "  {\"tag\": \"b\", \"id\": \"err\", \"children\": [\"!\"]}"
    "]},"
    "\"state\": {\"c1\": {\"likes\": 0, \"text\": \"hi\", \"on\": false}, \"s\": {\"tag\": \"Loading\"}},"
    "\"bindings\": {"
    "  \"c1.likes\": [{\"elementId\": \"likes\", \"property\": \"textContent\", \"transform\": \"v => v + ' likes'\"}],"
    "  \"c1.text\": [{\"elementId\": \"msg\", \"property\": \"textContent\"},"
    "               {\"elementId\": \"msg\", \"property\": \"className\", \"statePath\": [\"c1\", \"likes\"]}],"
    "  \"c1.on\": [{\"elementId\": \"box\", \"property\": \"checked\"},"
    "             {\"elementId\": \"go\", \"property\": \"disabled\"}],"
    "  \"s.message\": [{\"elementId\": \"err\", \"property\": \"textContent\","
    "                  \"when\": {\"discriminant\": [\"s\"], \"tag\": \"Error\", \"isTotal\": false}}]"
    "}}";

static bj_runtime *load(const char *app)
{
    bj_runtime *rt;
    cr_assert_eq(bj_runtime_new(NULL, &rt), 0);
    int rc = bj_load_buffer(rt, app, strlen(app), "test.json");
    cr_assert_eq(rc, 0, "load failed: %s", bj_last_error(rt));
    return rt;
}

static char *html(bj_runtime *rt)
{
    char *s;
    cr_assert_eq(bj_html(rt, &s, NULL), 0);
    return s;
}

/* The inner HTML of the element with data-bosatsu-id `id`, cut out of the
 * document HTML, is awkward; tests compare whole documents instead. */
#define ASSERT_HTML(rt, expected)                                          \
    do {                                                                   \
        char *h_ = html(rt);                                               \
        cr_assert_str_eq(h_, expected);                                    \
        bj_string_free(h_);                                                \
    } while (0)

static const char *INITIAL =
    "<div data-bosatsu-id=\"root\"><span data-bosatsu-id=\"likes\">0</span>"
    "<p data-bosatsu-id=\"msg\"></p><input type=\"checkbox\" data-bosatsu-id=\"box\">"
    "<button data-bosatsu-id=\"go\">Go</button><b data-bosatsu-id=\"err\">!</b></div>";

Test(runtime, load_does_not_apply_bindings)
{
    bj_runtime *rt = load(APP);
    ASSERT_HTML(rt, INITIAL);
    bj_runtime_free(rt);
}

Test(runtime, set_then_flush_applies_transform)
{
    bj_runtime *rt = load(APP);
    cr_assert_eq(bj_set_number(rt, "c1.likes", 5), 0);
    ASSERT_HTML(rt, INITIAL); /* nothing before the flush */
    cr_assert_eq(bj_flush(rt), 0);
    cr_assert(strstr(html_keep(rt), "<span data-bosatsu-id=\"likes\">5 likes</span>"));
    bj_runtime_free(rt);
}

Test(runtime, handles_and_strings_agree)
{
    bj_runtime *rt = load(APP);
    bj_path *p, *q;
    cr_assert_eq(bj_path_get(rt, "c1.text", &p), 0);
    const char *segs[] = {"c1", "text"};
    cr_assert_eq(bj_path_getv(rt, segs, 2, &q), 0);
    cr_assert_eq(p, q, "the same path must intern to the same handle");
    cr_assert_str_eq(bj_path_key(p), "c1.text");
    cr_assert_eq(bj_path_set_string(rt, p, "hello", 5), 0);
    cr_assert_eq(bj_flush(rt), 0);
    /* className reads statePath c1.likes (still 0). */
    cr_assert(strstr(html_keep(rt), "<p data-bosatsu-id=\"msg\" class=\"0\">hello</p>"));
    bj_runtime_free(rt);
}

Test(runtime, equal_value_is_a_no_op)
{
    bj_runtime *rt = load(APP);
    bj_stats s;
    cr_assert_eq(bj_set_number(rt, "c1.likes", 0), 0); /* already 0 */
    cr_assert_eq(bj_flush(rt), 0);
    bj_get_stats(rt, &s);
    cr_assert_eq(s.sets, 0);
    cr_assert_eq(s.keys_applied, 0);
    ASSERT_HTML(rt, INITIAL);
    cr_assert_eq(bj_set_json(rt, "s", "{\"tag\": \"Loading\"}"), 0); /* deep-equal object */
    bj_get_stats(rt, &s);
    cr_assert_eq(s.sets, 0);
    bj_runtime_free(rt);
}

Test(runtime, booleans_drive_checked_and_disabled)
{
    bj_runtime *rt = load(APP);
    cr_assert_eq(bj_set_bool(rt, "c1.on", true), 0);
    cr_assert_eq(bj_flush(rt), 0);
    cr_assert(strstr(html_keep(rt), "<button data-bosatsu-id=\"go\" disabled=\"\">Go</button>"));
    char *dump;
    cr_assert_eq(bj_dump_json(rt, &dump, NULL), 0);
    cr_assert(strstr(dump, "\"checked\": true"), "%s", dump);
    bj_string_free(dump);
    bj_runtime_free(rt);
}

Test(runtime, when_hides_and_shows)
{
    bj_runtime *rt = load(APP);
    cr_assert_eq(bj_set_string(rt, "s.message", "boom"), 0);
    cr_assert_eq(bj_flush(rt), 0);
    /* s is Loading: the Error binding hides its element and writes nothing. */
    cr_assert(strstr(html_keep(rt), "<b data-bosatsu-id=\"err\" style=\"display: none;\">!</b>"));
    /* Setting the discriminant re-queues s.message. */
    cr_assert_eq(bj_set_json(rt, "s", "{\"tag\": \"Error\", \"message\": \"bad\"}"), 0);
    cr_assert_eq(bj_flush(rt), 0);
    cr_assert(strstr(html_keep(rt), "<b data-bosatsu-id=\"err\" style=\"\">bad</b>"));
    bj_runtime_free(rt);
}

Test(runtime, batch_size_flushes_automatically)
{
    bj_runtime *rt = load(APP);
    cr_assert_eq(bj_set_batch_size(rt, 2), 0);
    cr_assert_eq(bj_set_number(rt, "c1.likes", 1), 0);
    ASSERT_HTML(rt, INITIAL);
    cr_assert_eq(bj_set_string(rt, "c1.text", "x"), 0); /* second key: flush */
    cr_assert(strstr(html_keep(rt), "1 likes"));
    bj_runtime_free(rt);
}

Test(runtime, batch_defers_until_end)
{
    bj_runtime *rt = load(APP);
    cr_assert_eq(bj_set_batch_size(rt, 1), 0);
    cr_assert_eq(bj_batch_begin(rt), 0);
    cr_assert_eq(bj_set_number(rt, "c1.likes", 7), 0);
    cr_assert_eq(bj_batch_begin(rt), 0); /* nested */
    cr_assert_eq(bj_set_number(rt, "c1.likes", 8), 0);
    cr_assert_eq(bj_batch_end(rt), 0);
    ASSERT_HTML(rt, INITIAL);
    cr_assert_eq(bj_batch_end(rt), 0);
    cr_assert(strstr(html_keep(rt), "8 likes"));
    cr_assert_eq(bj_batch_end(rt), BJ_ESTATE);
    bj_runtime_free(rt);
}

typedef struct recorder {
    int count;
    char last[128];
} recorder;

static void record(void *ud, const bj_write *w)
{
    recorder *r = ud;
    r->count++;
    snprintf(r->last, sizeof r->last, "%s %d %.*s", w->element_id ? w->element_id : "?",
             (int)w->prop, (int)w->len, w->value ? w->value : "");
}

Test(runtime, host_callback_sees_every_write)
{
    bj_runtime *rt = load(APP);
    recorder r = {0, ""};
    bj_set_host(rt, record, &r);
    cr_assert_eq(bj_set_number(rt, "c1.likes", 3), 0);
    cr_assert_eq(bj_flush(rt), 0);
    cr_assert_eq(r.count, 1);
    cr_assert_str_eq(r.last, "likes 0 3 likes");
    bj_runtime_free(rt);
}

Test(runtime, remove_element_skips_its_bindings)
{
    bj_runtime *rt = load(APP);
    cr_assert_eq(bj_remove(rt, "likes"), 0);
    cr_assert_null(bj_find(rt, "likes"));
    cr_assert_eq(bj_remove(rt, "likes"), BJ_ENOTFOUND);
    cr_assert_eq(bj_set_number(rt, "c1.likes", 4), 0);
    cr_assert_eq(bj_flush(rt), 0);
    cr_assert_null(strstr(html_keep(rt), "likes\""));
    bj_runtime_free(rt);
}

Test(runtime, bindings_added_and_removed_at_run_time)
{
    bj_runtime *rt = load(APP);
    cr_assert_eq(bj_binding_add(rt, "c1.likes", "{\"elementId\": \"msg\", \"property\": \"style.fontWeight\","
                                               " \"styleProperty\": \"fontWeight\","
                                               " \"transform\": \"v => v > 2 ? 'bold' : 'normal'\"}"), 0);
    cr_assert_eq(bj_set_number(rt, "c1.likes", 3), 0);
    cr_assert_eq(bj_flush(rt), 0);
    cr_assert(strstr(html_keep(rt), "style=\"font-weight: bold;\""));
    size_t removed = 0;
    cr_assert_eq(bj_binding_remove(rt, "c1.likes", "msg", &removed), 0);
    cr_assert_eq(removed, 1);
    cr_assert_eq(bj_set_number(rt, "c1.likes", 1), 0);
    cr_assert_eq(bj_flush(rt), 0);
    cr_assert(strstr(html_keep(rt), "style=\"font-weight: bold;\""), "removed binding still wrote");
    cr_assert(strstr(html_keep(rt), "1 likes"));
    cr_assert_eq(bj_binding_remove(rt, "nope", NULL, NULL), BJ_ENOTFOUND);
    bj_runtime_free(rt);
}

Test(runtime, steady_updates_do_not_allocate)
{
    bj_runtime *rt = load(APP);
    bj_path *likes, *text;
    cr_assert_eq(bj_path_get(rt, "c1.likes", &likes), 0);
    cr_assert_eq(bj_path_get(rt, "c1.text", &text), 0);
    char s[32];
    for (int i = 0; i < 3; i++) { /* warm up: buffers reach their size */
        bj_path_set_number(rt, likes, 1000 + i);
        bj_path_set_string(rt, text, "warm up text", 12);
        bj_flush(rt);
    }
    bj_stats before, after;
    bj_get_stats(rt, &before);
    for (int i = 0; i < 1000; i++) {
        cr_assert_eq(bj_path_set_number(rt, likes, i * 0.5), 0);
        int n = snprintf(s, sizeof s, "text %d", i % 97);
        cr_assert_eq(bj_path_set_string(rt, text, s, (size_t)n), 0);
        cr_assert_eq(bj_set_number(rt, "c1.likes", i + 0.25), 0); /* the string API too */
        cr_assert_eq(bj_flush(rt), 0);
    }
    bj_get_stats(rt, &after);
    cr_assert_eq(after.allocations, before.allocations, "%llu allocations in 1000 updates",
                 after.allocations - before.allocations);
    cr_assert_geq(after.bindings_applied - before.bindings_applied, 3000);
    bj_runtime_free(rt);
}

/* ---- bad input -------------------------------------------------------------------- */

static void expect_load_error(const char *app, int code, const char *needle)
{
    bj_runtime *rt;
    cr_assert_eq(bj_runtime_new(NULL, &rt), 0);
    int rc = bj_load_buffer(rt, app, strlen(app), "bad.json");
    cr_assert_eq(rc, code, "expected %d, got %d: %s", code, rc, bj_last_error(rt));
    cr_assert(strstr(bj_last_error(rt), needle), "message '%s' lacks '%s'", bj_last_error(rt), needle);
    /* The runtime stays usable: a good app loads after the failure. */
    cr_assert_eq(bj_load_buffer(rt, APP, strlen(APP), "good.json"), 0, "%s", bj_last_error(rt));
    cr_assert_eq(bj_set_number(rt, "c1.likes", 2), 0);
    cr_assert_eq(bj_flush(rt), 0);
    bj_runtime_free(rt);
}

Test(errors, malformed_json_names_line_and_column)
{
    expect_load_error("{\"view\": {},\n \"state\": [1,}", BJ_EJSON, "bad.json:2:");
}

Test(errors, unknown_property_names_key)
{
    expect_load_error("{\"bindings\": {\n  \"a.b\": [{\"elementId\": \"x\", \"property\": \"innerHTML\"}]}}",
                      BJ_EPROPERTY, "bad.json:2:3: bindings[\"a.b\"][0]: unknown property 'innerHTML'");
}

Test(errors, view_error_names_the_node)
{
    expect_load_error("{\"view\": {\"children\": [\"a\", {\"tag\": \"p\", \"children\": [1, {\"tag\": 5}]}]}}",
                      BJ_EAPP, "bad.json: view.children[1].children[1]: an element's \"tag\" must be a string");
}

Test(errors, unsupported_transform_names_column)
{
    expect_load_error("{\"bindings\": {\"k\": [{\"elementId\": \"x\", \"property\": \"textContent\","
                      " \"transform\": \"v => alert(v)\"}]}}",
                      BJ_ETRANSFORM, "bindings[\"k\"][0]: transform, column 6");
}

Test(errors, path_through_non_object_keeps_state)
{
    bj_runtime *rt = load(APP);
    cr_assert_eq(bj_set_number(rt, "c1.likes", 9), 0);
    cr_assert_eq(bj_set_number(rt, "c1.likes.deeper", 1), BJ_EPATH);
    cr_assert(strstr(bj_last_error(rt), "c1.likes.deeper"), "%s", bj_last_error(rt));
    cr_assert_eq(bj_flush(rt), 0); /* what was applied stays applied */
    cr_assert(strstr(html_keep(rt), "9 likes"));
    char *v;
    cr_assert_eq(bj_get_json(rt, "c1.likes", &v, NULL), 0);
    cr_assert_str_eq(v, "9");
    bj_string_free(v);
    bj_runtime_free(rt);
}

Test(errors, op_log_bad_line_keeps_earlier_ops)
{
    bj_runtime *rt = load(APP);
    const char *ops = "{\"op\": \"set\", \"path\": [\"c1\", \"likes\"], \"value\": 6}\n"
                      "\n"
                      "{\"op\": \"explode\"}\n"
                      "{\"op\": \"set\", \"path\": [\"c1\", \"likes\"], \"value\": 7}\n";
    bj_oplog *log = NULL;
    int rc = bj_oplog_parse(rt, ops, strlen(ops), "ops.jsonl", &log);
    cr_assert_eq(rc, BJ_EOP);
    cr_assert(strstr(bj_last_error(rt), "ops.jsonl:3: unknown op 'explode'"), "%s", bj_last_error(rt));
    cr_assert_eq(bj_oplog_count(log), 1);
    cr_assert_eq(bj_oplog_run(rt, log, 0, 1), 0);
    cr_assert_eq(bj_flush(rt), 0);
    cr_assert(strstr(html_keep(rt), "6 likes"));
    bj_oplog_free(rt, log);

    const char *notjson = "{\"op\": \"flush\"}\n{\"op\": \"set\", \"path\": [\"c1\"\n";
    cr_assert_eq(bj_oplog_parse(rt, notjson, strlen(notjson), "j.jsonl", &log), BJ_EJSON);
    cr_assert(strstr(bj_last_error(rt), "j.jsonl:2:"), "%s", bj_last_error(rt));
    cr_assert_eq(bj_oplog_count(log), 1);
    bj_oplog_free(rt, log);
    bj_runtime_free(rt);
}

Test(errors, op_log_run_error_names_line)
{
    bj_runtime *rt = load(APP);
    const char *ops = "{\"op\": \"set\", \"path\": [\"c1\", \"likes\"], \"value\": 1}\n"
                      "{\"op\": \"set\", \"path\": [\"c1\", \"likes\", \"x\"], \"value\": 1}\n";
    bj_oplog *log;
    cr_assert_eq(bj_oplog_parse(rt, ops, strlen(ops), "r.jsonl", &log), 0);
    cr_assert_eq(bj_oplog_run(rt, log, 0, 2), BJ_EPATH);
    cr_assert(strstr(bj_last_error(rt), "r.jsonl:2:"), "%s", bj_last_error(rt));
    bj_oplog_free(rt, log);
    bj_runtime_free(rt);
}

Test(errors, strerror_table)
{
    cr_assert_str_eq(bj_strerror(BJ_ENOMEM), "out of memory");
    cr_assert_str_eq(bj_strerror(BJ_OK), "success");
    cr_assert_str_eq(bj_strerror(12345), "unknown error");
}

/* ---- allocation failures ---------------------------------------------------------------- */

/* Loads APP and runs a few ops with the Nth allocation failing; returns the
 * first failing code (0 when everything succeeded). */
static int run_with_failure(long nth)
{
    bj_runtime *rt;
    if (bj_runtime_new(NULL, &rt) != 0)
        return BJ_ENOMEM;
    bj_test_fail_alloc(rt, nth);
    int rc = bj_load_buffer(rt, APP, strlen(APP), "app.json");
    if (rc == 0)
        rc = bj_set_json(rt, "s", "{\"tag\": \"Error\", \"message\": \"a long enough message string\"}");
    if (rc == 0)
        rc = bj_set_string(rt, "c1.text", "some text that is longer than sixteen bytes");
    if (rc == 0)
        rc = bj_set_number(rt, "c1.likes", 12.5);
    if (rc == 0)
        rc = bj_flush(rt);
    char *out = NULL;
    if (rc == 0)
        rc = bj_dump_json(rt, &out, NULL);
    bj_string_free(out);
    /* Whatever failed, the runtime must still work without the hook. */
    bj_test_fail_alloc(rt, 0);
    if (rc != 0)
        cr_assert_eq(rc, BJ_ENOMEM, "allocation %ld: got %d (%s)", nth, rc, bj_last_error(rt));
    bj_set_number(rt, "c1.likes", 1);
    bj_flush(rt);
    bj_runtime_free(rt);
    return rc;
}

Test(alloc, every_failure_is_clean)
{
    long n = 1;
    for (; n < 100000; n++)
        if (run_with_failure(n) == 0)
            break;
    cr_assert_gt(n, 10, "the loop must have failed some allocations");
    cr_assert_lt(n, 100000);
}

/* A long `+` chain (at most the parser's depth limit) must not copy its
 * growing prefix once per group of operands. */
Test(runtime, long_concatenation_uses_linear_memory)
{
    enum { TERMS = 250, LEN = 1000 };
    char tr[TERMS * 4 + 16] = "v => v";
    for (int i = 1; i < TERMS; i++)
        strcat(tr, " + v");
    char app[sizeof tr + 512];
    snprintf(app, sizeof app,
             "{\"view\": {\"tag\": \"p\", \"id\": \"p\"}, \"state\": {\"v\": \"\"},"
             " \"bindings\": {\"v\": [{\"elementId\": \"p\", \"property\": \"textContent\","
             " \"transform\": \"%s\"}]}}", tr);
    bj_runtime *rt = load(app);
    char val[LEN + 1];
    memset(val, 'b', LEN);
    val[LEN] = '\0';
    bj_stats s0, s1;
    bj_get_stats(rt, &s0);
    cr_assert_eq(bj_set_string(rt, "v", val), 0);
    cr_assert_eq(bj_flush(rt), 0);
    bj_get_stats(rt, &s1);
    size_t result = (size_t)TERMS * LEN;
    cr_assert_lt(s1.memory_peak - s0.memory_peak, 6 * result, "%zu bytes of peak growth for %zu",
                 s1.memory_peak - s0.memory_peak, result);
    cr_assert(strstr(html_keep(rt), "bbbb"));
    bj_runtime_free(rt);
}

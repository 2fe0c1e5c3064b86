/* test_review.c: regression tests for the findings of the code review of
 * runtime.c, state.c, app.c, oplog.c and util.c. Each test states the
 * behaviour the contract (bindjit.h, semantics.md, the module headers)
 * promises; a failing test is an open bug. The use-after-free tests are also
 * meant to run under `make asan`. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindjit.h"
#include "testutil.h"

static bj_runtime *rv_load(const char *app)
{
    bj_runtime *rt;
    cr_assert_eq(bj_runtime_new(NULL, &rt), 0);
    int rc = bj_load_buffer(rt, app, strlen(app), "review.json");
    cr_assert_eq(rc, 0, "load failed: %s", bj_last_error(rt));
    return rt;
}

static char *rv_get(bj_runtime *rt, const char *path)
{
    char *s = NULL;
    cr_assert_eq(bj_get_json(rt, path, &s, NULL), 0, "%s", bj_last_error(rt));
    return s;
}

#define ASSERT_STATE(rt, path, expected)                                     \
    do {                                                                     \
        char *g_ = rv_get(rt, path);                                         \
        cr_assert_str_eq(g_, expected, "state at %s", path);                 \
        bj_string_free(g_);                                                  \
    } while (0)

static const char *SIMPLE =
    "{\"view\": {\"tag\": \"div\", \"children\": ["
    "  {\"tag\": \"span\", \"id\": \"likes\", \"children\": [\"0\"]},"
    "  {\"tag\": \"p\", \"id\": \"msg\"}]},"
    "\"state\": {\"c1\": {\"likes\": 0, \"text\": \"hi\"}},"
    "\"bindings\": {"
    "  \"c1.likes\": [{\"elementId\": \"likes\", \"property\": \"textContent\"}],"
    "  \"c1.text\": [{\"elementId\": \"msg\", \"property\": \"textContent\"}]}}";

/* ---- 1. runtime.c rt_set_node: ENOMEM while queueing after the state
 * changed loses the update for good (the next equal set is a no-op). ---- */
Test(review, enomem_in_queue_does_not_lose_update)
{
    bj_runtime *rt = rv_load(SIMPLE);
    /* c1.likes is a number: st_write updates it in place without
     * allocating, so the first allocation is the queue's growth. */
    bj_test_fail_alloc(rt, 1);
    int rc = bj_set_number(rt, "c1.likes", 5);
    bj_test_fail_alloc(rt, 0);
    if (rc == BJ_ENOMEM) {
        /* Either the state must be unchanged (so a retry works) ... */
        bj_set_number(rt, "c1.likes", 5); /* the caller retries */
    }
    cr_assert_eq(bj_flush(rt), 0);
    /* ... or the key must still be queued: the document must show 5. */
    cr_assert(strstr(html_keep(rt), "<span data-bosatsu-id=\"likes\">5</span>"),
              "update lost after ENOMEM: %s", html_keep(rt));
    bj_runtime_free(rt);
}

/* ---- 2. state.c node_set_string: clears the old value before the
 * allocation that can fail; st_write promises "state unchanged". ---- */
Test(review, enomem_setting_string_keeps_old_value)
{
    bj_runtime *rt = rv_load(SIMPLE);
    cr_assert_eq(bj_set_string(rt, "c1.text", "warm"), 0); /* queue buffers exist */
    cr_assert_eq(bj_flush(rt), 0);
    bj_test_fail_alloc(rt, 1); /* the number -> string conversion allocates */
    int rc = bj_set_string(rt, "c1.likes", "x");
    bj_test_fail_alloc(rt, 0);
    cr_assert_eq(rc, BJ_ENOMEM);
    ASSERT_STATE(rt, "c1.likes", "0");
    bj_runtime_free(rt);
}

/* ---- 3. state.c walk_for_write: ENOMEM after creating intermediate
 * objects leaves them in the state. ---- */
Test(review, enomem_creates_no_intermediate_objects)
{
    for (long nth = 1; nth < 50; nth++) {
        bj_runtime *rt = rv_load(SIMPLE);
        bj_path *p;
        cr_assert_eq(bj_path_get(rt, "n1.n2.n3", &p), 0);
        cr_assert_eq(bj_set_string(rt, "c1.text", "warm"), 0);
        cr_assert_eq(bj_flush(rt), 0);
        bj_test_fail_alloc(rt, nth);
        int rc = bj_path_set_number(rt, p, 1);
        bj_test_fail_alloc(rt, 0);
        if (rc == 0) {
            bj_runtime_free(rt);
            return;
        }
        cr_assert_eq(rc, BJ_ENOMEM);
        char *g = rv_get(rt, "n1");
        cr_assert_str_eq(g, "undefined", "allocation %ld failed, yet n1 is %s", nth, g);
        bj_string_free(g);
        bj_runtime_free(rt);
    }
}

/* ---- 4. runtime.c rt_path_segments: the interning id joins segments
 * with '\x1f', so ["a\x1fb"] and ["a","b"] are the same path. ---- */
Test(review, unit_separator_segment_is_not_two_segments)
{
    bj_runtime *rt = rv_load("{\"state\": {\"a\": {\"b\": 0}}}");
    bj_path *two, *one;
    cr_assert_eq(bj_path_get(rt, "a.b", &two), 0);
    const char *seg[] = {"a\x1f" "b"};
    cr_assert_eq(bj_path_getv(rt, seg, 1, &one), 0);
    cr_assert_neq(one, two, "['a\\x1fb'] resolved to the handle of ['a','b']");
    cr_assert_eq(bj_set_number(rt, "a\x1f" "b", 5), 0);
    ASSERT_STATE(rt, "a.b", "0");
    bj_runtime_free(rt);
}

/* ---- 5. runtime.c apply_binding: a host callback that removes the
 * element during the `display` write of a `when` binding; the binding
 * then writes to the freed element (use-after-free). ---- */
static const char *WHEN_APP =
    "{\"view\": {\"tag\": \"div\", \"children\": ["
    "  {\"tag\": \"b\", \"id\": \"err\", \"children\": [\"!\"]}]},"
    "\"state\": {\"s\": {\"tag\": \"Loading\"}, \"m\": \"\"},"
    "\"bindings\": {"
    "  \"m\": [{\"elementId\": \"err\", \"property\": \"textContent\","
    "           \"when\": {\"discriminant\": [\"s\"], \"tag\": \"Error\", \"isTotal\": false}}]}}";

typedef struct host_ctx {
    bj_runtime *rt;
    int writes, writes_after;
    bool done, removed;
    const char *mode; /* "remove-elem", "remove-binding", "set" */
} host_ctx;

static void hostile_host(void *ud, const bj_write *w)
{
    host_ctx *c = ud;
    c->writes++;
    if (c->done) {
        if (c->removed)
            c->writes_after++;
        return;
    }
    if (strcmp(c->mode, "remove-elem") == 0 && w->prop == BJ_PROP_STYLE) {
        c->done = true;
        int r = bj_remove(c->rt, "err"); /* refusing (BJ_ESTATE) is a valid fix */
        cr_assert(r == 0 || r == BJ_ESTATE, "%d", r);
        c->removed = r == 0;
    } else if (strcmp(c->mode, "remove-binding") == 0 && w->prop == BJ_PROP_STYLE) {
        c->done = true;
        int r = bj_binding_remove(c->rt, "m", NULL, NULL);
        cr_assert(r == 0 || r == BJ_ESTATE, "%d", r);
        c->removed = r == 0;
    }
}

Test(review, host_removes_element_during_flush)
{
    bj_runtime *rt = rv_load(WHEN_APP);
    host_ctx c = {rt, 0, 0, false, false, "remove-elem"};
    bj_set_host(rt, hostile_host, &c);
    cr_assert_eq(bj_set_json(rt, "s", "{\"tag\": \"Error\"}"), 0);
    cr_assert_eq(bj_set_string(rt, "m", "boom"), 0);
    cr_assert_eq(bj_flush(rt), 0);
    cr_assert_eq(c.writes_after, 0, "wrote to an element after it was removed (freed)");
    bj_runtime_free(rt);
}

Test(review, host_removes_binding_during_flush)
{
    bj_runtime *rt = rv_load(WHEN_APP);
    host_ctx c = {rt, 0, 0, false, false, "remove-binding"};
    bj_set_host(rt, hostile_host, &c);
    cr_assert_eq(bj_set_json(rt, "s", "{\"tag\": \"Error\"}"), 0);
    cr_assert_eq(bj_set_string(rt, "m", "boom"), 0);
    cr_assert_eq(bj_flush(rt), 0);
    cr_assert_eq(c.writes_after, 0, "applied a binding after it was removed (freed)");
    bj_runtime_free(rt);
}

/* ---- 6. runtime.c bj_flush: a host callback's set in immediate mode
 * (batchSize 1) is never flushed until some unrelated later call. ---- */
static void set_from_host(void *ud, const bj_write *w)
{
    host_ctx *c = ud;
    if (!c->done && w->prop == BJ_PROP_TEXT && w->element_id && strcmp(w->element_id, "likes") == 0) {
        c->done = true;
        cr_assert_eq(bj_set_string(c->rt, "c1.text", "from host"), 0);
    }
}

Test(review, immediate_mode_applies_sets_made_by_host)
{
    bj_runtime *rt = rv_load(SIMPLE);
    cr_assert_eq(bj_set_batch_size(rt, 1), 0);
    host_ctx c = {rt, 0, 0, false, false, "set"};
    bj_set_host(rt, set_from_host, &c);
    cr_assert_eq(bj_set_number(rt, "c1.likes", 3), 0);
    cr_assert(c.done);
    cr_assert(strstr(html_keep(rt), "<p data-bosatsu-id=\"msg\">from host</p>"),
              "batchSize 1 but the queued key waits: %s", html_keep(rt));
    bj_runtime_free(rt);
}

/* ---- 7. state.c st_read caches a location reached through an array, and
 * st_write then trusts it: whether a set through an array fails with
 * BJ_EPATH depends on whether the path was read before. ---- */
static int set_through_array(bool read_first)
{
    bj_runtime *rt = rv_load("{\"state\": {\"arr\": [{\"x\": 0}]}}");
    if (read_first)
        bj_string_free(rv_get(rt, "arr.0.x"));
    int rc = bj_set_number(rt, "arr.0.x", 1);
    bj_runtime_free(rt);
    return rc;
}

Test(review, set_through_array_does_not_depend_on_earlier_read)
{
    int cold = set_through_array(false), warm = set_through_array(true);
    cr_assert_eq(cold, warm, "set arr.0.x: %d without a prior read, %d after one", cold, warm);
}

/* ---- 8. runtime.c apply_binding: the scratch arena is reset only for
 * bindings with a transform, so array-valued bindings without one grow it
 * on every flush (an unbounded leak while the runtime lives). ---- */
Test(review, array_text_without_transform_does_not_grow_memory)
{
    bj_runtime *rt = rv_load(SIMPLE);
    char json[64];
    bj_stats s0, s1;
    for (int i = 0; i < 50; i++) {
        snprintf(json, sizeof json, "[%d, \"some text to make it long\", %d]", i, i);
        cr_assert_eq(bj_set_json(rt, "c1.likes", json), 0);
        cr_assert_eq(bj_flush(rt), 0);
    }
    bj_get_stats(rt, &s0);
    for (int i = 0; i < 2000; i++) {
        snprintf(json, sizeof json, "[%d, \"some text to make it long\", %d]", i, i);
        cr_assert_eq(bj_set_json(rt, "c1.likes", json), 0);
        cr_assert_eq(bj_flush(rt), 0);
    }
    bj_get_stats(rt, &s1);
    cr_assert_lt(s1.memory_bytes, s0.memory_bytes + 4096, "memory grew from %zu to %zu bytes",
                 s0.memory_bytes, s1.memory_bytes);
    bj_runtime_free(rt);
}

/* ---- 9. oplog.c parse_batch: a failing nested batch is dropped with
 * o->sub.n-- without freeing the ops it had parsed. ---- */
Test(review, bad_nested_batch_leaks_nothing)
{
    bj_runtime *rt = rv_load(SIMPLE);
    const char *ops =
        "{\"op\": \"batch\", \"ops\": [{\"op\": \"batch\", \"ops\": ["
        "{\"op\": \"set\", \"path\": [\"c1\", \"likes\"], \"value\": {\"big\": [1, 2, 3]}},"
        "{\"op\": \"bogus\"}]}]}\n";
    bj_oplog *log;
    /* The first parse interns the path; measure the second. */
    cr_assert_eq(bj_oplog_parse(rt, ops, strlen(ops), "n.jsonl", &log), BJ_EOP);
    bj_oplog_free(rt, log);
    bj_stats s0, s1;
    bj_get_stats(rt, &s0);
    cr_assert_eq(bj_oplog_parse(rt, ops, strlen(ops), "n.jsonl", &log), BJ_EOP);
    bj_oplog_free(rt, log);
    bj_get_stats(rt, &s1);
    cr_assert_eq(s1.memory_bytes, s0.memory_bytes, "leaked %zu bytes",
                 s1.memory_bytes - s0.memory_bytes);
    bj_runtime_free(rt);
}

/* ---- 10. oplog.c ops_push: every batch's sub-list starts at 64 ops
 * (~4.6 KB), so a log of small batches costs ~100x its size. ---- */
Test(review, small_batch_op_costs_little_memory)
{
    bj_runtime *rt = rv_load(SIMPLE);
    const char *line = "{\"op\": \"batch\", \"ops\": [{\"op\": \"flush\"}]}\n";
    size_t n = 1000, ll = strlen(line);
    char *text = malloc(n * ll + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(text + i * ll, line, ll);
    text[n * ll] = '\0';
    bj_stats s0, s1;
    bj_get_stats(rt, &s0);
    bj_oplog *log;
    cr_assert_eq(bj_oplog_parse(rt, text, n * ll, "b.jsonl", &log), 0);
    bj_get_stats(rt, &s1);
    size_t per_op = (s1.memory_bytes - s0.memory_bytes) / n;
    cr_assert_lt(per_op, 512, "%zu bytes per one-op batch (line is %zu bytes)", per_op, ll);
    bj_oplog_free(rt, log);
    free(text);
    bj_runtime_free(rt);
}

/* ---- 11. app.c build_vnode: {"type": "text"} without "text" passes
 * json_string("") that is never released (leak outside bj_mem; NULL
 * deref when jansson's allocation fails). ---- */
static long jansson_live;
static void *count_malloc(size_t n)
{
    size_t *p = malloc(n + sizeof(size_t) * 2);
    if (!p)
        return NULL;
    jansson_live++;
    return p + 2;
}
static void count_free(void *p)
{
    if (!p)
        return;
    jansson_live--;
    free((size_t *)p - 2);
}

Test(review, text_vnode_without_text_leaks_nothing)
{
    json_set_alloc_funcs(count_malloc, count_free);
    bj_runtime *rt = rv_load("{\"view\": {\"tag\": \"div\", \"children\": ["
                             "{\"type\": \"text\"}, {\"type\": \"text\"}]}}");
    bj_runtime_free(rt);
    cr_assert_eq(jansson_live, 0, "%ld jansson values leaked", jansson_live);
}

/* ---- 12. runtime.c rt_path_segments: a key's own path (read by its
 * bindings without statePath) is whichever path with that key was interned
 * first, so an unrelated statePath ["a.b"] listed earlier changes what the
 * bindings of key "a.b" read. ---- */
static char *doc_of(const char *app)
{
    bj_runtime *rt = rv_load(app);
    cr_assert_eq(bj_set_json(rt, "a", "{\"b\": \"nested\"}"), 0);
    cr_assert_eq(bj_flush(rt), 0);
    bj_set_string(rt, "a.b", "new");
    cr_assert_eq(bj_flush(rt), 0);
    char *h;
    cr_assert_eq(bj_html(rt, &h, NULL), 0);
    bj_runtime_free(rt);
    return h;
}

Test(review, key_path_does_not_depend_on_binding_order)
{
    const char *plain =
        "{\"view\": {\"tag\": \"div\", \"children\": [{\"tag\": \"i\", \"id\": \"t\"}, {\"tag\": \"u\", \"id\": \"z\"}]},"
        "\"state\": {\"a\": {\"b\": \"nested\"}, \"a.b\": \"flat\"},"
        "\"bindings\": {"
        "  \"a.b\": [{\"elementId\": \"t\", \"property\": \"textContent\"}],"
        "  \"z\": [{\"elementId\": \"z\", \"property\": \"className\", \"statePath\": [\"a.b\"]}]}}";
    const char *reordered =
        "{\"view\": {\"tag\": \"div\", \"children\": [{\"tag\": \"i\", \"id\": \"t\"}, {\"tag\": \"u\", \"id\": \"z\"}]},"
        "\"state\": {\"a\": {\"b\": \"nested\"}, \"a.b\": \"flat\"},"
        "\"bindings\": {"
        "  \"z\": [{\"elementId\": \"z\", \"property\": \"className\", \"statePath\": [\"a.b\"]}],"
        "  \"a.b\": [{\"elementId\": \"t\", \"property\": \"textContent\"}]}}";
    char *h1 = doc_of(plain), *h2 = doc_of(reordered);
    cr_assert_str_eq(h1, h2, "the order of binding keys changed what \"a.b\" reads:\n%s\n%s", h1, h2);
    bj_string_free(h1);
    bj_string_free(h2);
}

/* ---- 13. app.c parse_property: "styleProperty": "" gives a NULL style
 * name of length 0 that reaches doc_write_style (memcpy from NULL) and
 * declares a nameless property. In the DOM, el.style[""] = v is no CSS
 * write at all. ---- */
Test(review, empty_style_property_is_rejected_or_ignored)
{
    bj_runtime *rt;
    cr_assert_eq(bj_runtime_new(NULL, &rt), 0);
    const char *app =
        "{\"view\": {\"tag\": \"div\", \"id\": \"d\"},"
        "\"state\": {\"v\": \"x\"},"
        "\"bindings\": {\"v\": [{\"elementId\": \"d\", \"property\": \"style.color\","
        "                      \"styleProperty\": \"\"}]}}";
    int rc = bj_load_buffer(rt, app, strlen(app), "s.json");
    if (rc == 0) {
        cr_assert_eq(bj_set_string(rt, "v", "red"), 0);
        cr_assert_eq(bj_flush(rt), 0);
        cr_assert(!strstr(html_keep(rt), "style="), "nameless declaration: %s", html_keep(rt));
    }
    bj_runtime_free(rt);
}

/* ---- 14. runtime.c bj_flush: after a failure the keys not applied are
 * appended behind the keys a host callback queued during the flush, so
 * the retry applies them out of first-queued order. ---- */
static const char *ORDER_APP =
    "{\"view\": {\"tag\": \"div\", \"children\": ["
    "  {\"tag\": \"span\", \"id\": \"likes\", \"children\": [\"0\"]},"
    "  {\"tag\": \"p\", \"id\": \"msg\"}, {\"tag\": \"i\", \"id\": \"extra\"}]},"
    "\"state\": {\"c1\": {\"likes\": 0, \"text\": \"hi\", \"extra\": \"\"}},"
    "\"bindings\": {"
    "  \"c1.likes\": [{\"elementId\": \"likes\", \"property\": \"textContent\"}],"
    "  \"c1.text\": [{\"elementId\": \"msg\", \"property\": \"textContent\"}],"
    "  \"c1.extra\": [{\"elementId\": \"extra\", \"property\": \"className\"}]}}";

typedef struct order_ctx {
    bj_runtime *rt;
    bool arm, fired;
    char seen[8][16];
    int nseen;
} order_ctx;

static void order_host(void *ud, const bj_write *w)
{
    order_ctx *c = ud;
    if (c->nseen < 8 && w->element_id)
        snprintf(c->seen[c->nseen++], sizeof c->seen[0], "%s", w->element_id);
    if (c->arm && !c->fired && w->element_id && strcmp(w->element_id, "likes") == 0) {
        c->fired = true;
        bj_set_string(c->rt, "c1.extra", "x");       /* queued during the flush */
        bj_test_fail_alloc(c->rt, 1);                /* c1.text's write now fails */
    }
}

Test(review, keys_requeued_after_failure_keep_their_order)
{
    bj_runtime *rt = rv_load(ORDER_APP);
    order_ctx c = {rt, false, false, {{0}}, 0};
    bj_set_host(rt, order_host, &c);
    cr_assert_eq(bj_set_number(rt, "c1.likes", 1), 0); /* warm both queue buffers */
    cr_assert_eq(bj_flush(rt), 0);
    cr_assert_eq(bj_set_number(rt, "c1.likes", 2), 0);
    cr_assert_eq(bj_set_string(rt, "c1.text", "a text longer than the small buffers"), 0);
    c.arm = true;
    int rc = bj_flush(rt);
    bj_test_fail_alloc(rt, 0);
    cr_assert_eq(rc, BJ_ENOMEM, "the write was expected to fail: %d", rc);
    c.nseen = 0;
    cr_assert_eq(bj_flush(rt), 0);
    cr_assert_eq(c.nseen, 2);
    cr_assert_str_eq(c.seen[0], "msg", "c1.text was queued before c1.extra, but %s came first",
                     c.seen[0]);
    bj_runtime_free(rt);
}

/* ---- 15. app.c app_locate_key: the first `"KEY":` anywhere in the text
 * is taken as the binding key's place, so a state member of the same name
 * earlier in the file gets the blame. ---- */
Test(review, binding_error_points_at_the_binding_key)
{
    const char *app =
        "{\"state\": {\n"
        "  \"x\": 1},\n"
        "\"bindings\": {\n"
        "  \"x\": [{\"elementId\": \"a\", \"property\": \"innerHTML\"}]}}\n";
    bj_runtime *rt;
    cr_assert_eq(bj_runtime_new(NULL, &rt), 0);
    cr_assert_eq(bj_load_buffer(rt, app, strlen(app), "loc.json"), BJ_EPROPERTY);
    cr_assert(strstr(bj_last_error(rt), "loc.json:4:3"), "%s", bj_last_error(rt));
    bj_runtime_free(rt);
}

/* ---- 16. oplog.c / bindjit.h: an op log holds paths interned in the
 * runtime that parsed it; running it on another runtime queues that
 * runtime's keys (and their cached element pointers) into this one. The
 * header does not forbid it and nothing checks it. ---- */
Test(review, oplog_of_another_runtime_is_refused)
{
    bj_runtime *rt1 = rv_load(SIMPLE), *rt2 = rv_load(SIMPLE);
    const char *ops = "{\"op\": \"set\", \"path\": [\"c1\", \"likes\"], \"value\": 7}\n";
    bj_oplog *log;
    cr_assert_eq(bj_oplog_parse(rt1, ops, strlen(ops), "x.jsonl", &log), 0);
    cr_assert_eq(bj_set_number(rt1, "c1.likes", 1), 0); /* warm rt1's caches */
    cr_assert_eq(bj_flush(rt1), 0);
    int rc = bj_oplog_run(rt2, log, 0, 1);
    if (rc == 0) {
        cr_assert_eq(bj_flush(rt2), 0);
        /* If it is accepted, it must at least update rt2's document. */
        cr_assert(strstr(html_keep(rt2), ">7</span>"), "rt2 not updated: %s", html_keep(rt2));
    } else {
        cr_assert_eq(rc, BJ_EARG);
    }
    bj_oplog_free(rt1, log);
    bj_runtime_free(rt1);
    bj_runtime_free(rt2);
}

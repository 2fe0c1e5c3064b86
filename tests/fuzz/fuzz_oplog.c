/* fuzz_oplog.c: libFuzzer target for the op-log reader and replay
 * (bj_oplog_parse, bj_oplog_run) on a fixed small app.
 *
 * The app below has bindings of every property kind (textContent,
 * className, value, checked, disabled, style.NAME), transforms, `when`
 * clauses (total and not), statePath, and element ids of the three lookup
 * forms ("#id", "[name=\"value\"]", data-bosatsu-id), so fuzzed op logs
 * reach the interpreter's flush, the queue, batching, re-queueing by
 * discriminant and element removal.
 *
 * Checks that no op log makes parsing or replay crash, leak or hit
 * undefined behaviour (the sanitizers report those), and that:
 * - bj_oplog_parse returns 0 or a BJ_E* code with a message, and *out is
 *   non-NULL except on BJ_ENOMEM;
 * - a failing op leaves the runtime usable: the remaining ops are then
 *   run one at a time, and the final flush, bj_html and bj_dump_json
 *   succeed, the dump being valid JSON whose "html" equals bj_html.
 * Any violation aborts, so libFuzzer records the input as a crash.
 *
 * Run through tests/fuzz.sh (smoke, long, repro).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bindjit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "fuzz_oplog: check failed: %s: ", #cond);        \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
            abort();                                                         \
        }                                                                    \
    } while (0)

static const char APP[] =
    "{\"view\": {\"tag\": \"div\", \"id\": \"root\", \"props\": {\"className\": \"app\"},"
    " \"children\": ["
    "  {\"tag\": \"h1\", \"id\": \"title\", \"children\": [\"Hello\"]},"
    "  {\"tag\": \"span\", \"id\": \"likes\", \"children\": [\"0 likes\"]},"
    "  {\"tag\": \"div\", \"id\": \"bar\", \"props\": {\"style\": {\"width\": \"0%\", \"backgroundColor\": \"red\"}}},"
    "  {\"tag\": \"input\", \"id\": \"name\", \"props\": {\"type\": \"text\", \"value\": \"Ann\"}},"
    "  {\"tag\": \"input\", \"id\": \"agree\", \"props\": {\"type\": \"checkbox\", \"checked\": true}},"
    "  {\"tag\": \"button\", \"id\": \"go\", \"props\": {\"onClick\": \"x\"}, \"children\": [\"Go\"]},"
    "  {\"tag\": \"p\", \"props\": {\"id\": \"plain\", \"className\": \"c\"}, \"children\": [\"plain\"]},"
    "  {\"tag\": \"b\", \"props\": {\"data-role\": \"badge\"}, \"children\": [\"0\"]},"
    "  {\"tag\": \"div\", \"id\": \"status\", \"props\": {\"style\": {\"display\": \"none\"}}},"
    "  {\"tag\": \"div\", \"id\": \"ok\"},"
    "  {\"tag\": \"span\", \"id\": \"mode\", \"children\": [\"view\"]},"
    "  {\"tag\": \"textarea\", \"id\": \"notes\"},"
    "  {\"tag\": \"select\", \"id\": \"sel\", \"children\": ["
    "     {\"tag\": \"option\", \"props\": {\"value\": \"a\"}, \"children\": [\"A\"]},"
    "     {\"tag\": \"option\", \"props\": {\"value\": \"b\"}, \"children\": [\"B\"]}]},"
    "  {\"tag\": \"ul\", \"id\": \"list\", \"children\": ["
    "     {\"tag\": \"li\", \"id\": \"i0\", \"children\": [\"zero\"]},"
    "     {\"tag\": \"li\", \"id\": \"i1\", \"children\": [{\"tag\": \"em\", \"id\": \"i1e\", \"children\": [\"one\"]}]}]},"
    "  {\"type\": \"fragment\", \"children\": [{\"tag\": \"span\", \"id\": \"total\"}, \"tail & <text>\"]}"
    " ]},"
    " \"state\": {\"c1\": {\"likes\": 3, \"name\": \"Ann\"}, \"s\": {\"tag\": \"Loading\"},"
    "  \"flag\": true, \"items\": [1, 2], \"n\": 0, \"t\": \"hi\", \"mode\": \"view\"},"
    " \"bindings\": {"
    "  \"c1.likes\": ["
    "    {\"elementId\": \"likes\", \"property\": \"textContent\", \"transform\": \"v => v + ' likes'\"},"
    "    {\"elementId\": \"bar\", \"property\": \"style.width\", \"styleProperty\": \"width\","
    "     \"transform\": \"v => Math.max(0, Math.min(100, v * 10)) + '%'\"}],"
    "  \"c1.name\": ["
    "    {\"elementId\": \"name\", \"property\": \"value\"},"
    "    {\"elementId\": \"title\", \"property\": \"textContent\","
    "     \"transform\": \"s => String(s).trim().toUpperCase().padStart(6, '*')\"}],"
    "  \"flag\": ["
    "    {\"elementId\": \"agree\", \"property\": \"checked\"},"
    "    {\"elementId\": \"go\", \"property\": \"disabled\", \"transform\": \"b => !b\"},"
    "    {\"elementId\": \"#plain\", \"property\": \"className\", \"transform\": \"b => b ? 'on' : 'off'\"},"
    "    {\"elementId\": \"bar\", \"property\": \"style.fontWeight\", \"styleProperty\": \"fontWeight\","
    "     \"transform\": \"(v) => v ? 'bold' : ''\"}],"
    "  \"s\": ["
    "    {\"elementId\": \"status\", \"property\": \"textContent\", \"transform\": \"o => o.message ?? o.tag\","
    "     \"when\": {\"discriminant\": [\"s\"], \"tag\": \"Error\", \"isTotal\": false}},"
    "    {\"elementId\": \"ok\", \"property\": \"textContent\", \"transform\": \"o => `state: ${o.tag}`\","
    "     \"when\": {\"discriminant\": [\"s\"], \"tag\": \"Ready\", \"isTotal\": false}}],"
    "  \"s.message\": ["
    "    {\"elementId\": \"status\", \"property\": \"className\", \"statePath\": [\"s\", \"message\"],"
    "     \"transform\": \"m => m && m.toLowerCase()\","
    "     \"when\": {\"discriminant\": [\"s\"], \"tag\": \"Error\", \"isTotal\": false}}],"
    "  \"n\": ["
    "    {\"elementId\": \"[data-role=\\\"badge\\\"]\", \"property\": \"textContent\", \"transform\": \"n => n.toFixed(2)\"},"
    "    {\"elementId\": \"i0\", \"property\": \"textContent\","
    "     \"transform\": \"function (n) { return n % 2 === 0 ? 'even' : 'odd'; }\"},"
    "    {\"elementId\": \"total\", \"property\": \"textContent\", \"statePath\": [\"c1\", \"likes\"],"
    "     \"transform\": \"v => String(v).slice(0, 3) + '/' + Math.round(v / 3)\"}],"
    "  \"t\": ["
    "    {\"elementId\": \"notes\", \"property\": \"value\"},"
    "    {\"elementId\": \"sel\", \"property\": \"value\"},"
    "    {\"elementId\": \"i1\", \"property\": \"textContent\","
    "     \"transform\": \"s => s.length > 3 && s.includes('e') ? s.slice(1, -1) : s\"},"
    "    {\"elementId\": \"mode\", \"property\": \"textContent\", \"statePath\": [\"mode\"],"
    "     \"when\": {\"discriminant\": [\"mode\"], \"tag\": \"edit\", \"isTotal\": true}}],"
    "  \"mode\": ["
    "    {\"elementId\": \"mode\", \"property\": \"style.color\", \"styleProperty\": \"color\","
    "     \"transform\": \"m => m === 'edit' ? 'blue' : ''\","
    "     \"when\": {\"discriminant\": [\"flag\"], \"tag\": \"true\", \"isTotal\": false}}],"
    "  \"items\": ["
    "    {\"elementId\": \"i1e\", \"property\": \"className\"},"
    "    {\"elementId\": \"#missing\", \"property\": \"textContent\"},"
    "    {\"elementId\": \"list\", \"property\": \"style.borderTopWidth\", \"styleProperty\": \"borderTopWidth\","
    "     \"statePath\": [\"items\", \"1\"], \"transform\": \"v => v + 'px'\"}]"
    " }}";

static void check_error(bj_runtime *rt, int rc, const char *what)
{
    CHECK(rc < 0 && rc >= BJ_EJIT, "%s returned %d", what, rc);
    const char *msg = bj_last_error(rt);
    CHECK(msg != NULL && msg[0] != '\0', "%s failed (%d) without a message", what, rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bj_runtime *rt = NULL;
    if (bj_runtime_new(NULL, &rt) != 0)
        return 0;
    int rc = bj_load_buffer(rt, APP, sizeof APP - 1, "fuzz_oplog.app.json");
    CHECK(rc == 0, "the fixed app does not load: %s", bj_last_error(rt));

    bj_oplog *log = NULL;
    rc = bj_oplog_parse(rt, (const char *)data, size, "fuzz.ops.jsonl", &log);
    if (rc != 0) {
        check_error(rt, rc, "bj_oplog_parse");
        CHECK(log != NULL || rc == BJ_ENOMEM, "bj_oplog_parse gave %d and no log", rc);
    }
    if (log) {
        /* The ops before a bad line are applied, as the format requires. */
        size_t n = bj_oplog_count(log);
        rc = bj_oplog_run(rt, log, 0, n);
        if (rc != 0) {
            check_error(rt, rc, "bj_oplog_run");
            /* The runtime stays usable: go on one op at a time. */
            for (size_t i = 0; i < n; i++) {
                rc = bj_oplog_run(rt, log, i, i + 1);
                if (rc != 0)
                    check_error(rt, rc, "bj_oplog_run (one op)");
            }
        }
        /* A range past the end is clamped. */
        CHECK(bj_oplog_run(rt, log, n, n + 5) == 0, "empty range failed");
    }

    rc = bj_flush(rt);
    CHECK(rc == 0, "final flush failed: %d %s", rc, bj_last_error(rt));
    char *html = NULL, *dump = NULL;
    size_t hlen = 0, dlen = 0;
    rc = bj_html(rt, &html, &hlen);
    CHECK(rc == 0 && html && strlen(html) == hlen, "bj_html: %d %s", rc, bj_last_error(rt));
    rc = bj_dump_json(rt, &dump, &dlen);
    CHECK(rc == 0 && dump && strlen(dump) == dlen, "bj_dump_json: %d %s", rc, bj_last_error(rt));
    json_error_t err;
    json_t *j = json_loadb(dump, dlen, 0, &err);
    CHECK(j != NULL, "dump is not valid JSON (%s at %d): %.400s", err.text, err.position, dump);
    const json_t *jh = json_object_get(j, "html");
    CHECK(json_is_string(jh) && json_string_length(jh) == hlen &&
              memcmp(json_string_value(jh), html, hlen) == 0,
          "dump html differs from bj_html");
    CHECK(json_is_object(json_object_get(j, "elements")), "dump lacks \"elements\"");
    json_decref(j);

    /* The state is still readable. */
    char *v = NULL;
    rc = bj_get_json(rt, "c1.likes", &v, NULL);
    if (rc == 0)
        bj_string_free(v);

    bj_string_free(html);
    bj_string_free(dump);
    bj_oplog_free(rt, log);
    bj_runtime_free(rt);
    return 0;
}

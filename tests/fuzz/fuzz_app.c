/* fuzz_app.c: libFuzzer target for the app loader (bj_load_buffer).
 *
 * Checks that no input, however malformed, makes the loader, the first
 * flush, the HTML serializer or the JSON dump crash, leak, read out of
 * bounds or hit undefined behaviour (the sanitizers report those), and
 * that these contracts of include/bindjit.h hold:
 * - a load either succeeds or fails with a BJ_E* code and a non-empty
 *   message from bj_last_error;
 * - bj_dump_json always produces valid JSON with the "html" and "elements"
 *   members (semantics section 6), and its "html" equals bj_html;
 * - a load that fails because an allocation failed leaves the runtime
 *   empty and usable: loading the same input again (allocations working)
 *   succeeds and gives the same dump as on a fresh runtime.
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
            fprintf(stderr, "fuzz_app: check failed: %s: ", #cond);          \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* FNV-1a, to derive a reproducible allocation-failure point from the input. */
static uint32_t hash_bytes(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void check_error(bj_runtime *rt, int rc, const char *what)
{
    CHECK(rc < 0 && rc >= BJ_EJIT, "%s returned %d", what, rc);
    const char *msg = bj_last_error(rt);
    CHECK(msg != NULL && msg[0] != '\0', "%s failed (%d) without a message", what, rc);
    CHECK(strcmp(bj_strerror(rc), "unknown error") != 0, "%s: code %d has no message", what, rc);
}

/* Flushes, serializes and dumps a loaded runtime; returns the dump (caller
 * frees with bj_string_free), or NULL when an allocation failed. */
static char *render(bj_runtime *rt)
{
    int rc = bj_flush(rt);
    if (rc != 0) {
        check_error(rt, rc, "bj_flush");
        return NULL;
    }
    char *html = NULL, *dump = NULL;
    size_t hlen = 0, dlen = 0;
    rc = bj_html(rt, &html, &hlen);
    if (rc != 0) {
        check_error(rt, rc, "bj_html");
        return NULL;
    }
    CHECK(html != NULL && strlen(html) == hlen, "bj_html length %zu", hlen);
    rc = bj_dump_json(rt, &dump, &dlen);
    if (rc != 0) {
        check_error(rt, rc, "bj_dump_json");
        bj_string_free(html);
        return NULL;
    }
    CHECK(dump != NULL && strlen(dump) == dlen, "bj_dump_json length %zu", dlen);

    json_error_t err;
    json_t *j = json_loadb(dump, dlen, 0, &err);
    CHECK(j != NULL, "dump is not valid JSON (%s at %d): %.400s", err.text, err.position, dump);
    const json_t *jh = json_object_get(j, "html");
    CHECK(json_is_string(jh), "dump lacks a string \"html\"");
    CHECK(json_is_object(json_object_get(j, "elements")), "dump lacks an object \"elements\"");
    CHECK(json_string_length(jh) == hlen && memcmp(json_string_value(jh), html, hlen) == 0,
          "dump html differs from bj_html");
    json_decref(j);
    bj_string_free(html);
    return dump;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    bj_runtime *rt = NULL;
    if (bj_runtime_new(NULL, &rt) != 0)
        return 0;
    int rc = bj_load_buffer(rt, text, size, "fuzz.app.json");
    if (rc != 0) {
        check_error(rt, rc, "bj_load_buffer");
        /* The runtime stays usable after a failed load. */
        char *dump = NULL;
        if (bj_dump_json(rt, &dump, NULL) == 0)
            bj_string_free(dump);
        bj_runtime_free(rt);
        return 0;
    }
    char *want = render(rt);
    bj_runtime_free(rt);
    if (!want)
        return 0;

    /* The same load with an allocation failing part-way (a point derived
     * from the input, so a crash reproduces), then again without. */
    rt = NULL;
    if (bj_runtime_new(NULL, &rt) != 0) {
        bj_string_free(want);
        return 0;
    }
    long nth = 1 + (long)(hash_bytes(data, size) % 97u);
    bj_test_fail_alloc(rt, nth);
    rc = bj_load_buffer(rt, text, size, "fuzz.app.json");
    bj_test_fail_alloc(rt, 0);
    if (rc != 0) {
        CHECK(rc == BJ_ENOMEM, "load failing allocation %ld gave %d, not BJ_ENOMEM: %s", nth, rc,
              bj_last_error(rt));
        rc = bj_load_buffer(rt, text, size, "fuzz.app.json");
        CHECK(rc == 0, "reload after an allocation failure (allocation %ld) failed: %d %s", nth,
              rc, bj_last_error(rt));
        char *got = render(rt);
        CHECK(got != NULL, "render after reload failed: %s", bj_last_error(rt));
        CHECK(strcmp(got, want) == 0,
              "reload after an allocation failure (allocation %ld) gives another dump:\n"
              "want %.600s\ngot  %.600s", nth, want, got);
        bj_string_free(got);
    } else {
        /* The load did not reach that allocation. */
        char *got = render(rt);
        CHECK(got != NULL, "render failed: %s", bj_last_error(rt));
        CHECK(strcmp(got, want) == 0, "same app, another dump:\nwant %.600s\ngot  %.600s", want,
              got);
        bj_string_free(got);
    }
    bj_runtime_free(rt);
    bj_string_free(want);
    return 0;
}

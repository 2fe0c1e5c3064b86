/* oplog.c: the op log (JSON Lines): parsing into prepared ops, and replay.
 *
 * Invariants:
 * - A prepared op owns its value node and element id; paths are interned
 *   in the runtime (valid as long as it is).
 * - Parsing stops at the first bad line; the ops before it stay in the log
 *   so the caller can apply them ("what was applied stays applied").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

typedef enum op_kind { OP_SET, OP_FLUSH, OP_BATCH, OP_CONFIGURE, OP_REMOVE } op_kind;

typedef struct op op;
typedef struct op_list {
    op *v;
    size_t n, cap;
} op_list;

struct op {
    op_kind kind;
    int line;
    bj_path *path;        /* OP_SET */
    bj_node *value;       /* OP_SET, owned */
    unsigned batch_size;  /* OP_CONFIGURE: 0 is unlimited */
    char *element_id;     /* OP_REMOVE, owned */
    op_list sub;          /* OP_BATCH */
};

struct bj_oplog {
    bj_runtime *rt;
    op_list ops;
    char *name;
};

static void ops_clear(bj_runtime *rt, op_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        st_node_free(&rt->mem, l->v[i].value);
        bj_free(&rt->mem, l->v[i].element_id);
        ops_clear(rt, &l->v[i].sub);
    }
    bj_free(&rt->mem, l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

void bj_oplog_free(bj_runtime *rt, bj_oplog *log)
{
    if (!log)
        return;
    rt = log->rt; /* its memory came from the runtime that parsed it */
    ops_clear(rt, &log->ops);
    bj_free(&rt->mem, log->name);
    bj_free(&rt->mem, log);
}

size_t bj_oplog_count(const bj_oplog *log)
{
    return log ? log->ops.n : 0;
}

static op *ops_push(bj_runtime *rt, op_list *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        op *v = bj_realloc(&rt->mem, l->v, cap * sizeof *v);
        if (!v)
            return NULL;
        l->v = v;
        l->cap = cap;
    }
    memset(&l->v[l->n], 0, sizeof l->v[l->n]);
    return &l->v[l->n++];
}

static int parse_op(bj_runtime *rt, const json_t *j, const char *place, op *o, int depth);

/* {"op": "set", "path": [...], "value": V} */
static int parse_set(bj_runtime *rt, const json_t *j, const char *place, op *o)
{
    const json_t *path = json_object_get(j, "path");
    size_t n = json_array_size(path);
    if (!json_is_array(path) || n == 0 || n > 64)
        return rt_fail(rt, BJ_EOP, "%s: set: \"path\" must be a non-empty array of strings", place);
    const char *segs[64];
    size_t lens[64];
    char nums[64][BJ_NUMBUF];
    for (size_t i = 0; i < n; i++) {
        const json_t *s = json_array_get(path, i);
        if (json_is_string(s)) {
            segs[i] = json_string_value(s);
            lens[i] = json_string_length(s);
        } else if (json_is_number(s)) {
            lens[i] = bj_num_to_str(json_number_value(s), nums[i]);
            segs[i] = nums[i];
        } else {
            return rt_fail(rt, BJ_EOP, "%s: set: \"path\" item %zu is not a string", place, i);
        }
    }
    int rc = rt_path_segments(rt, segs, lens, n, &o->path);
    if (rc)
        return rc;
    const json_t *value = json_object_get(j, "value");
    if (!value)
        return rt_fail(rt, BJ_EOP, "%s: set: \"value\" is missing", place);
    if (!(o->value = st_from_json(&rt->mem, value)))
        return rt_fail(rt, BJ_ENOMEM, "%s: out of memory", place);
    return 0;
}

/* {"op": "batch", "ops": [...]} */
static int parse_batch(bj_runtime *rt, const json_t *j, const char *place, op *o, int depth)
{
    const json_t *ops = json_object_get(j, "ops");
    if (!json_is_array(ops))
        return rt_fail(rt, BJ_EOP, "%s: batch: \"ops\" must be an array", place);
    if (depth > 32)
        return rt_fail(rt, BJ_EOP, "%s: batch: nested more than 32 levels", place);
    size_t cnt = json_array_size(ops);
    if (cnt && !(o->sub.v = bj_calloc(&rt->mem, cnt, sizeof *o->sub.v)))
        return rt_fail(rt, BJ_ENOMEM, "%s: out of memory", place);
    o->sub.cap = cnt;
    for (size_t i = 0; i < json_array_size(ops); i++) {
        op *sub = ops_push(rt, &o->sub);
        if (!sub)
            return rt_fail(rt, BJ_ENOMEM, "%s: out of memory", place);
        sub->line = o->line;
        int rc = parse_op(rt, json_array_get(ops, i), place, sub, depth + 1);
        if (rc) {
            ops_clear(rt, &sub->sub);
            st_node_free(&rt->mem, sub->value);
            bj_free(&rt->mem, sub->element_id);
            o->sub.n--;
            return rc;
        }
    }
    return 0;
}

static int parse_op(bj_runtime *rt, const json_t *j, const char *place, op *o, int depth)
{
    const char *name = json_string_value(json_object_get(j, "op"));
    if (!json_is_object(j) || !name)
        return rt_fail(rt, BJ_EOP, "%s: an op must be an object with a string \"op\"", place);
    if (strcmp(name, "set") == 0) {
        o->kind = OP_SET;
        return parse_set(rt, j, place, o);
    }
    if (strcmp(name, "flush") == 0) {
        o->kind = OP_FLUSH;
        return 0;
    }
    if (strcmp(name, "batch") == 0) {
        o->kind = OP_BATCH;
        return parse_batch(rt, j, place, o, depth);
    }
    if (strcmp(name, "configure") == 0) {
        const json_t *bs = json_object_get(j, "batchSize");
        o->kind = OP_CONFIGURE;
        if (json_is_null(bs))
            return 0;
        double v = json_number_value(bs);
        if (!json_is_number(bs) || v < 1 || v > 1e9 || v != (double)(unsigned)v)
            return rt_fail(rt, BJ_EOP, "%s: configure: \"batchSize\" must be a positive integer or null", place);
        o->batch_size = (unsigned)v;
        return 0;
    }
    if (strcmp(name, "remove") == 0) {
        const json_t *id = json_object_get(j, "elementId");
        o->kind = OP_REMOVE;
        if (!json_is_string(id))
            return rt_fail(rt, BJ_EOP, "%s: remove: \"elementId\" must be a string", place);
        if (!(o->element_id = bj_strndup(&rt->mem, json_string_value(id), json_string_length(id))))
            return rt_fail(rt, BJ_ENOMEM, "%s: out of memory", place);
        return 0;
    }
    return rt_fail(rt, BJ_EOP, "%s: unknown op '%s' (expected set, flush, batch, configure or remove)",
                   place, name);
}

/* True when line[0..n) holds only white space. */
static bool blank(const char *line, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
            return false;
    return true;
}

/* Parses one line into a new op at the end of the log. */
static int parse_line(bj_runtime *rt, bj_oplog *log, const char *line, size_t n, int lineno)
{
    char place[600];
    snprintf(place, sizeof place, "%s:%d", log->name, lineno);
    json_error_t err;
    json_t *j = json_loadb(line, n, JSON_DECODE_INT_AS_REAL, &err);
    if (!j)
        return rt_fail(rt, BJ_EJSON, "%s:%d: not valid JSON: %s", place, err.column, err.text);
    op *o = ops_push(rt, &log->ops);
    int rc = BJ_ENOMEM;
    if (o) {
        o->line = lineno;
        rc = parse_op(rt, j, place, o, 0);
        if (rc) {
            ops_clear(rt, &o->sub);
            st_node_free(&rt->mem, o->value);
            bj_free(&rt->mem, o->element_id);
            log->ops.n--;
        }
    } else {
        rt_fail(rt, rc, "%s: out of memory", place);
    }
    json_decref(j);
    return rc;
}

int bj_oplog_parse(bj_runtime *rt, const char *text, size_t len, const char *name, bj_oplog **out)
{
    *out = NULL;
    bj_oplog *log = bj_calloc(&rt->mem, 1, sizeof *log);
    if (!name)
        name = "<ops>";
    if (!log || !(log->name = bj_strndup(&rt->mem, name, strlen(name)))) {
        bj_free(&rt->mem, log);
        return rt_fail(rt, BJ_ENOMEM, "out of memory");
    }
    log->rt = rt;
    *out = log;
    int lineno = 0;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        lineno++;
        if (!blank(text + pos, n)) {
            int rc = parse_line(rt, log, text + pos, n, lineno);
            if (rc)
                return rc;
        }
        pos += n + 1;
    }
    return 0;
}

int bj_oplog_load_file(bj_runtime *rt, const char *path, bj_oplog **out)
{
    *out = NULL;
    bj_buf b;
    int rc = rt_read_file(rt, path, &b);
    if (rc == 0)
        rc = bj_oplog_parse(rt, b.data ? b.data : "", b.len, path, out);
    bj_buf_free(&b);
    return rc;
}

/* Applies one op; failures get the op's line prefixed. */
static int run_op(bj_runtime *rt, const bj_oplog *log, const op *o)
{
    int rc = 0;
    switch (o->kind) {
    case OP_SET: rc = rt_set_node(rt, o->path, o->value); break;
    case OP_FLUSH: rc = bj_flush(rt); break;
    case OP_CONFIGURE: rc = bj_set_batch_size(rt, o->batch_size); break;
    case OP_REMOVE:
        rc = bj_remove(rt, o->element_id);
        if (rc == BJ_ENOTFOUND)
            rc = 0;
        break;
    case OP_BATCH:
        bj_batch_begin(rt);
        for (size_t i = 0; i < o->sub.n && rc == 0; i++)
            rc = run_op(rt, log, &o->sub.v[i]);
        /* The batch ends even after a failure, so later ops still flush. */
        if (rc == 0)
            rc = bj_batch_end(rt);
        else
            rt->batch_depth--;
        return rc;
    }
    if (rc && o->kind != OP_BATCH) {
        char msg[sizeof rt->error];
        snprintf(msg, sizeof msg, "%s", rt->error);
        rt_fail(rt, rc, "%s:%d: %s", log->name, o->line, msg);
    }
    return rc;
}

int bj_oplog_run(bj_runtime *rt, const bj_oplog *log, size_t from, size_t to)
{
    if (log->rt != rt)
        return rt_fail(rt, BJ_EARG, "op log '%s' belongs to another runtime", log->name);
    if (to > log->ops.n)
        to = log->ops.n;
    for (size_t i = from; i < to; i++) {
        int rc = run_op(rt, log, &log->ops.v[i]);
        if (rc)
            return rc;
    }
    return 0;
}

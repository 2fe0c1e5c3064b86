/* app.c: the app loader (view, state, bindings from JSON) and binding
 * definitions added at run time.
 *
 * Invariants:
 * - Loading is all or nothing: the view and state are built aside and
 *   swapped in only when everything (every binding and transform) checked;
 *   on failure the runtime is left empty and may be loaded again.
 * - Every error message names the place: the file, the line and column of
 *   the binding key (found in the text), the key, the binding's index and,
 *   for transforms, the column inside the transform text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

/* ---- locating keys in the text, for messages --------------------------------- */

/* Offset of the first `"key":` at or after `from`, or len when absent. */
static size_t find_key(const char *text, size_t len, size_t from, const char *key)
{
    size_t klen = strlen(key);
    for (size_t i = from; i + klen + 2 <= len; i++) {
        if (text[i] != '"' || memcmp(text + i + 1, key, klen) != 0 || text[i + klen + 1] != '"')
            continue;
        size_t j = i + klen + 2;
        while (j < len && (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r'))
            j++;
        if (j < len && text[j] == ':')
            return i;
    }
    return len;
}

void app_locate_key(const char *text, size_t len, const char *key, int *line, int *col)
{
    *line = *col = 0;
    if (!text)
        return;
    /* Binding keys are searched after the "bindings" member, so a state
     * member of the same name earlier in the file does not take the blame. */
    size_t start = find_key(text, len, 0, "bindings");
    size_t at = find_key(text, len, start < len ? start : 0, key);
    if (at == len)
        return;
    int l = 1, c = 1;
    for (size_t k = 0; k < at; k++) {
        if (text[k] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* State of one load, for messages. */
typedef struct loader {
    bj_runtime *rt;
    const char *name;     /* file or buffer name */
    const char *text;
    size_t len;
    bj_doc *doc;
    char vpath[512];      /* where in the view the builder is: "view.children[2]" */
    size_t vlen;
} loader;

/* Fails with a message naming the view node being built. */
static int view_fail(loader *ld, const char *why)
{
    return rt_fail(ld->rt, BJ_EAPP, "%s: %s: %s", ld->name, ld->vpath, why);
}

/* Builds child i of the current view node, with the path extended for
 * messages (a path too long for the buffer stops growing). */
static int build_vnode(loader *ld, bj_elem *parent, const json_t *v, int depth);
static int build_child(loader *ld, bj_elem *parent, const json_t *kids, size_t i, int depth)
{
    size_t saved = ld->vlen;
    int n = snprintf(ld->vpath + saved, sizeof ld->vpath - saved, ".children[%zu]", i);
    if (n > 0 && saved + (size_t)n < sizeof ld->vpath)
        ld->vlen = saved + (size_t)n;
    else
        ld->vpath[saved] = '\0';
    int rc = build_vnode(ld, parent, json_array_get(kids, i), depth + 1);
    ld->vlen = saved;
    ld->vpath[saved] = '\0';
    return rc;
}

/* "name:line:col: " prefix for a binding key, written into buf. */
static void key_place(const loader *ld, const char *key, char *buf, size_t cap)
{
    int line, col;
    app_locate_key(ld->text, ld->len, key, &line, &col);
    if (line)
        snprintf(buf, cap, "%s:%d:%d", ld->name, line, col);
    else
        snprintf(buf, cap, "%s", ld->name);
}

/* ---- string forms of JSON values (attributes, tags) ---------------------------- */

/* String(v) of a JSON scalar or compound into out (reset first). */
static int json_string_form(bj_runtime *rt, const json_t *j, bj_buf *out)
{
    bj_buf_clear(out);
    if (json_is_string(j)) {
        bj_buf_append(out, json_string_value(j), json_string_length(j));
    } else {
        bj_node *n = st_from_json(&rt->mem, j);
        if (!n)
            return BJ_ENOMEM;
        bj_val v = bj_val_of_node(n);
        bj_val_append_string(&v, out);
        st_node_free(&rt->mem, n);
    }
    return out->failed ? BJ_ENOMEM : 0;
}

/* ---- the view ------------------------------------------------------------------------ */

/* Applies one prop/attribute of a VNode. */
static int apply_prop(loader *ld, bj_elem *el, const char *key, size_t klen, const json_t *val)
{
    bj_runtime *rt = ld->rt;
    if (klen >= 2 && key[0] == 'o' && key[1] == 'n')
        return 0; /* event handlers are attached elsewhere */
    if (strcmp(key, "style") == 0 && json_is_object(val)) {
        const char *name;
        size_t nlen;
        json_t *sv;
        json_object_keylen_foreach((json_t *)val, name, nlen, sv) {
            bj_buf css;
            bj_buf_init(&css, &rt->mem);
            doc_css_name(name, nlen, &css);
            int rc = json_string_form(rt, sv, &rt->strbuf);
            if (rc == 0 && css.failed)
                rc = BJ_ENOMEM;
            if (rc == 0 && !json_is_null(sv))
                rc = doc_style_set(ld->doc, el, css.data, css.len, rt->strbuf.data, rt->strbuf.len);
            bj_buf_free(&css);
            if (rc)
                return rc;
        }
        return 0;
    }
    if (json_is_null(val) || json_is_false(val))
        return 0;
    if (strcmp(key, "className") == 0) {
        key = "class";
        klen = 5;
    }
    if (json_is_true(val)) {
        return doc_set_attr(ld->doc, el, key, klen, "", 0);
    }
    int rc = json_string_form(rt, val, &rt->strbuf);
    return rc ? rc : doc_set_attr(ld->doc, el, key, klen, rt->strbuf.data, rt->strbuf.len);
}

static int build_element(loader *ld, bj_elem *parent, const json_t *v, int depth)
{
    bj_runtime *rt = ld->rt;
    const json_t *tag = json_object_get(v, "tag");
    const char *t = json_is_string(tag) ? json_string_value(tag) : "div";
    if (tag && !json_is_string(tag))
        return view_fail(ld, "an element's \"tag\" must be a string");
    bj_elem *el = doc_create_element(ld->doc, t, strlen(t));
    if (!el)
        return BJ_ENOMEM;
    int rc = doc_append_child(ld->doc, parent, el);
    if (rc) {
        doc_free_detached(ld->doc, el);
        return rc;
    }
    const json_t *props = json_object_get(v, "props");
    if (!props)
        props = json_object_get(v, "attributes");
    if (props && json_is_object(props)) {
        const char *key;
        size_t klen;
        json_t *val;
        json_object_keylen_foreach((json_t *)props, key, klen, val) {
            if ((rc = apply_prop(ld, el, key, klen, val)) != 0)
                return rc;
        }
    }
    const json_t *id = json_object_get(v, "id");
    if (id && !json_is_null(id)) {
        if ((rc = json_string_form(rt, id, &rt->strbuf)) != 0 ||
            (rc = doc_set_attr(ld->doc, el, "data-bosatsu-id", 15, rt->strbuf.data, rt->strbuf.len)) != 0)
            return rc;
    }
    const json_t *kids = json_object_get(v, "children");
    if (kids && !json_is_array(kids) && !json_is_null(kids))
        return view_fail(ld, "\"children\" must be an array");
    for (size_t i = 0; i < json_array_size(kids); i++)
        if ((rc = build_child(ld, el, kids, i, depth)) != 0)
            return rc;
    return 0;
}

static int build_vnode(loader *ld, bj_elem *parent, const json_t *v, int depth)
{
    bj_runtime *rt = ld->rt;
    if (depth > 1000)
        return view_fail(ld, "nested more than 1000 levels");
    if (json_is_string(v))
        return doc_append_text(ld->doc, parent, json_string_value(v), json_string_length(v));
    if (json_is_number(v) || json_is_boolean(v)) {
        int rc = json_string_form(rt, v, &rt->strbuf);
        return rc ? rc : doc_append_text(ld->doc, parent, rt->strbuf.data, rt->strbuf.len);
    }
    if (json_is_null(v))
        return 0;
    if (!json_is_object(v))
        return view_fail(ld, "a node must be a string or an object");
    const json_t *type = json_object_get(v, "type");
    if (json_is_string(type) && strcmp(json_string_value(type), "text") == 0) {
        const json_t *text = json_object_get(v, "text");
        if (!text)
            return doc_append_text(ld->doc, parent, "", 0);
        int rc = json_string_form(rt, text, &rt->strbuf);
        return rc ? rc : doc_append_text(ld->doc, parent, rt->strbuf.data, rt->strbuf.len);
    }
    if (json_is_string(type) && strcmp(json_string_value(type), "fragment") == 0) {
        const json_t *kids = json_object_get(v, "children");
        for (size_t i = 0; i < json_array_size(kids); i++) {
            int rc = build_child(ld, parent, kids, i, depth);
            if (rc)
                return rc;
        }
        return 0;
    }
    return build_element(ld, parent, v, depth);
}

/* ---- bindings ------------------------------------------------------------------------------ */

void rt_binding_free(bj_runtime *rt, bj_binding *b)
{
    if (!b)
        return;
    bj_free(&rt->mem, b->element_id);
    bj_free(&rt->mem, b->style_name);
    bj_free(&rt->mem, b->when_tag);
    xf_free(&rt->mem, b->xf);
    bj_free(&rt->mem, b);
}

/* Parses "property" (and "styleProperty") into b. */
static int parse_property(bj_runtime *rt, bj_binding *b, const json_t *def, const char *where)
{
    const char *p = json_string_value(json_object_get(def, "property"));
    if (!p)
        return rt_fail(rt, BJ_EAPP, "%s: \"property\" must be a string", where);
    static const struct { const char *name; bj_prop prop; } props[] = {
        {"textContent", BJ_PROP_TEXT}, {"className", BJ_PROP_CLASS},
        {"value", BJ_PROP_VALUE},      {"checked", BJ_PROP_CHECKED},
        {"disabled", BJ_PROP_DISABLED},
    };
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
        if (strcmp(p, props[i].name) == 0) {
            b->prop = props[i].prop;
            return 0;
        }
    }
    if (strncmp(p, "style.", 6) != 0 || !p[6])
        return rt_fail(rt, BJ_EPROPERTY, "%s: unknown property '%s' (expected textContent, "
                       "className, value, checked, disabled or style.NAME)", where, p);
    const json_t *sp = json_object_get(def, "styleProperty");
    const char *camel = json_is_string(sp) ? json_string_value(sp) : p + 6;
    bj_buf css;
    bj_buf_init(&css, &rt->mem);
    doc_css_name(camel, strlen(camel), &css);
    if (css.failed) {
        bj_buf_free(&css);
        return rt_fail(rt, BJ_ENOMEM, "out of memory");
    }
    b->prop = BJ_PROP_STYLE;
    b->style_name = css.data;
    b->style_name_len = (uint32_t)css.len;
    return 0;
}

/* A JSON array of path segments (strings, or numbers as their string form)
 * to an interned path. */
static int parse_path(bj_runtime *rt, const json_t *arr, const char *where, const char *what,
                      bj_path **out)
{
    size_t n = json_array_size(arr);
    if (!json_is_array(arr) || n == 0 || n > 64)
        return rt_fail(rt, BJ_EAPP, "%s: \"%s\" must be a non-empty array of strings", where, what);
    const char *segs[64];
    size_t lens[64];
    char nums[64][BJ_NUMBUF];
    for (size_t i = 0; i < n; i++) {
        const json_t *s = json_array_get(arr, i);
        if (json_is_string(s)) {
            segs[i] = json_string_value(s);
            lens[i] = json_string_length(s);
        } else if (json_is_number(s)) {
            lens[i] = bj_num_to_str(json_number_value(s), nums[i]);
            segs[i] = nums[i];
        } else {
            return rt_fail(rt, BJ_EAPP, "%s: \"%s\" must be a non-empty array of strings", where, what);
        }
    }
    return rt_path_segments(rt, segs, lens, n, out);
}

/* Parses "when" into b and registers k as a watcher of the discriminant. */
static int parse_when(bj_runtime *rt, bj_key *k, bj_binding *b, const json_t *w, const char *where)
{
    if (!json_is_object(w))
        return rt_fail(rt, BJ_EAPP, "%s: \"when\" must be an object", where);
    int rc = parse_path(rt, json_object_get(w, "discriminant"), where, "when.discriminant", &b->when_disc);
    if (rc)
        return rc;
    const json_t *tag = json_object_get(w, "tag");
    if (!json_is_string(tag))
        return rt_fail(rt, BJ_EAPP, "%s: \"when.tag\" must be a string", where);
    b->when_tag_len = (uint32_t)json_string_length(tag);
    if (!(b->when_tag = bj_strndup(&rt->mem, json_string_value(tag), b->when_tag_len)))
        return rt_fail(rt, BJ_ENOMEM, "out of memory");
    b->has_when = true;
    b->when_total = json_is_true(json_object_get(w, "isTotal"));
    bj_key *dk = b->when_disc->key;
    for (uint32_t i = 0; i < dk->nwatchers; i++)
        if (dk->watchers[i] == k)
            return 0;
    if (dk->nwatchers == dk->wcap) {
        uint32_t cap = dk->wcap ? dk->wcap * 2 : 4;
        bj_key **v = bj_realloc(&rt->mem, dk->watchers, cap * sizeof *v);
        if (!v)
            return rt_fail(rt, BJ_ENOMEM, "out of memory");
        dk->watchers = v;
        dk->wcap = cap;
    }
    dk->watchers[dk->nwatchers++] = k;
    return 0;
}

/* Fills b from its JSON definition. */
static int parse_binding(bj_runtime *rt, bj_key *k, bj_binding *b, const json_t *def, const char *where)
{
    if (!json_is_object(def))
        return rt_fail(rt, BJ_EAPP, "%s: a binding must be an object", where);
    const json_t *id = json_object_get(def, "elementId");
    if (!json_is_string(id))
        return rt_fail(rt, BJ_EAPP, "%s: \"elementId\" must be a string", where);
    b->element_id_len = (uint32_t)json_string_length(id);
    if (!(b->element_id = bj_strndup(&rt->mem, json_string_value(id), b->element_id_len)))
        return rt_fail(rt, BJ_ENOMEM, "out of memory");
    int rc = parse_property(rt, b, def, where);
    if (rc)
        return rc;
    const json_t *xf = json_object_get(def, "transform");
    if (xf && !json_is_null(xf)) {
        if (!json_is_string(xf))
            return rt_fail(rt, BJ_ETRANSFORM, "%s: \"transform\" must be a string", where);
        xf_error err = {0, ""};
        rc = xf_compile(&rt->mem, json_string_value(xf), json_string_length(xf), &b->xf, &err);
        if (rc == BJ_ENOMEM)
            return rt_fail(rt, rc, "out of memory");
        if (rc)
            return rt_fail(rt, BJ_ETRANSFORM, "%s: transform, column %d: %s (in: %s)", where,
                           err.column, err.message, json_string_value(xf));
    }
    const json_t *sp = json_object_get(def, "statePath");
    if (sp && !json_is_null(sp) && (rc = parse_path(rt, sp, where, "statePath", &b->read)) != 0)
        return rc;
    const json_t *w = json_object_get(def, "when");
    if (w && !json_is_null(w) && (rc = parse_when(rt, k, b, w, where)) != 0)
        return rc;
    return 0;
}

int rt_binding_add_json(bj_runtime *rt, bj_key *k, const json_t *def, const char *where)
{
    if (k->nbindings == k->cap) {
        uint32_t cap = k->cap ? k->cap * 2 : 2;
        bj_binding **v = bj_realloc(&rt->mem, k->bindings, cap * sizeof *v);
        if (!v)
            return rt_fail(rt, BJ_ENOMEM, "out of memory");
        k->bindings = v;
        k->cap = cap;
    }
    bj_binding *b = bj_calloc(&rt->mem, 1, sizeof *b);
    if (!b)
        return rt_fail(rt, BJ_ENOMEM, "out of memory");
    int rc = parse_binding(rt, k, b, def, where);
    if (rc) {
        rt_binding_free(rt, b);
        return rc;
    }
    k->bindings[k->nbindings++] = b;
    rt->stats.bindings++;
    return 0;
}

/* Adds the bindings listed under one key; messages start at "bindings[...]". */
static int load_key(loader *ld, const char *key, const json_t *list)
{
    bj_runtime *rt = ld->rt;
    if (!json_is_array(list))
        return rt_fail(rt, BJ_EAPP, "bindings[\"%s\"] must be an array", key);
    bj_path *p;
    int rc = bj_path_get(rt, key, &p);
    for (size_t i = 0; rc == 0 && i < json_array_size(list); i++) {
        char where[600];
        snprintf(where, sizeof where, "bindings[\"%s\"][%zu]", key, i);
        rc = rt_binding_add_json(rt, p->key, json_array_get(list, i), where);
    }
    return rc;
}

static int load_bindings(loader *ld, const json_t *bindings)
{
    bj_runtime *rt = ld->rt;
    if (!bindings || json_is_null(bindings))
        return 0;
    if (!json_is_object(bindings))
        return rt_fail(rt, BJ_EAPP, "%s: \"bindings\" must be an object", ld->name);
    const char *key;
    json_t *list;
    json_object_foreach((json_t *)bindings, key, list) {
        int rc = load_key(ld, key, list);
        if (rc != 0 && rc != BJ_ENOMEM) {
            /* Locating the key scans the text: done only for the message,
             * since doing it per key made loading quadratic (78% of a
             * 1000-binding load under callgrind). */
            char place[512], msg[sizeof rt->error];
            key_place(ld, key, place, sizeof place);
            snprintf(msg, sizeof msg, "%s", rt->error);
            rt_fail(rt, rc, "%s: %s", place, msg);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- loading -------------------------------------------------------------------------------- */

int app_load_json(bj_runtime *rt, const json_t *app, const char *text, size_t len)
{
    loader ld = {rt, rt->source_name ? rt->source_name : "<app>", text, len, NULL, "view", 4};
    if (!json_is_object(app))
        return rt_fail(rt, BJ_EAPP, "%s: the app must be a JSON object", ld.name);
    const json_t *state = json_object_get(app, "state");
    if (state && !json_is_object(state) && !json_is_null(state))
        return rt_fail(rt, BJ_EAPP, "%s: \"state\" must be an object", ld.name);
    ld.doc = doc_new(&rt->mem);
    bj_node *root = state && json_is_object(state) ? st_from_json(&rt->mem, state)
                                                   : st_new(&rt->mem, BJ_T_OBJ);
    int rc = ld.doc && root ? 0 : BJ_ENOMEM;
    const json_t *view = json_object_get(app, "view");
    if (rc == 0 && view)
        rc = build_vnode(&ld, doc_root(ld.doc), view, 0);
    if (rc == 0)
        rc = load_bindings(&ld, json_object_get(app, "bindings"));
    if (rc != 0) {
        if (ld.doc)
            doc_free(ld.doc);
        st_node_free(&rt->mem, root);
        return rc == BJ_ENOMEM ? rt_fail(rt, rc, "%s: out of memory", ld.name) : rc;
    }
    doc_free(rt->doc);
    rt->doc = ld.doc;
    st_node_free(&rt->mem, rt->state.root);
    rt->state.root = root;
    rt->state.epoch++;
    return 0;
}

int bj_load_buffer(bj_runtime *rt, const char *json, size_t len, const char *name)
{
    if (rt->loaded || rt->paths.live)
        return rt_fail(rt, BJ_ESTATE, "an app can only be loaded into a new runtime");
    if (!name)
        name = "<buffer>";
    bj_free(&rt->mem, rt->source_name);
    if (!(rt->source_name = bj_strndup(&rt->mem, name, strlen(name))))
        return rt_fail(rt, BJ_ENOMEM, "out of memory");
    json_error_t err;
    json_t *app = json_loadb(json, len, JSON_DECODE_INT_AS_REAL, &err);
    if (!app)
        return rt_fail(rt, BJ_EJSON, "%s:%d:%d: malformed JSON: %s", name, err.line, err.column,
                       err.text);
    int rc = app_load_json(rt, app, json, len);
    json_decref(app);
    if (rc != 0) {
        rt_forget_bindings(rt);
        return rc;
    }
    rt->loaded = true;
    return 0;
}

int bj_load_file(bj_runtime *rt, const char *path)
{
    bj_buf b;
    int rc = rt_read_file(rt, path, &b);
    if (rc == 0)
        rc = bj_load_buffer(rt, b.data ? b.data : "", b.len, path);
    bj_buf_free(&b);
    return rc;
}

/* ---- bindings at run time -------------------------------------------------------------------- */

int bj_binding_add(bj_runtime *rt, const char *key, const char *binding_json)
{
    json_error_t err;
    json_t *def = json_loads(binding_json, JSON_DECODE_INT_AS_REAL, &err);
    if (!def)
        return rt_fail(rt, BJ_EJSON, "binding for '%s': line %d, column %d: %s", key, err.line,
                       err.column, err.text);
    bj_path *p;
    int rc = bj_path_get(rt, key, &p);
    if (rc == 0) {
        char where[512];
        snprintf(where, sizeof where, "binding for '%s'", key);
        rc = rt_binding_add_json(rt, p->key, def, where);
    }
    json_decref(def);
    return rc;
}

/* Drops k from the watchers of discriminants it no longer has a `when` on. */
static void unwatch(bj_key *k, bj_key *disc)
{
    for (uint32_t i = 0; i < k->nbindings; i++)
        if (k->bindings[i]->has_when && k->bindings[i]->when_disc->key == disc)
            return;
    for (uint32_t i = 0; i < disc->nwatchers; i++) {
        if (disc->watchers[i] == k) {
            memmove(&disc->watchers[i], &disc->watchers[i + 1],
                    (disc->nwatchers - i - 1) * sizeof *disc->watchers);
            disc->nwatchers--;
            return;
        }
    }
}

int bj_binding_remove(bj_runtime *rt, const char *key, const char *element_id, size_t *removed)
{
    size_t count = 0;
    if (rt->flushing)
        return rt_fail(rt, BJ_ESTATE, "bj_binding_remove('%s') during a flush", key);
    bj_key *k = bj_map_get(&rt->keys, key, strlen(key));
    if (k) {
        uint32_t kept = 0;
        for (uint32_t i = 0; i < k->nbindings; i++) {
            bj_binding *b = k->bindings[i];
            if (element_id && strcmp(b->element_id, element_id) != 0) {
                k->bindings[kept++] = b;
            } else {
                rt_binding_free(rt, b);
                count++;
            }
        }
        k->nbindings = kept;
        /* Removal is rare: recheck every discriminant k may have watched. */
        for (uint32_t i = 0; count && i < rt->keys.n; i++)
            if (rt->keys.entries[i].key)
                unwatch(k, rt->keys.entries[i].value);
    }
    rt->stats.bindings -= count;
    if (removed)
        *removed = count;
    return count ? 0 : rt_fail(rt, BJ_ENOTFOUND, "no binding of '%s'%s%s to remove", key,
                               element_id ? " targets " : "", element_id ? element_id : "");
}

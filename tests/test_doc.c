/* test_doc.c: unit tests of the built-in document (src/doc.c): building,
 * attributes and style, serialization, the property write rules, lookups,
 * removal, the JSON dump, host reports, and allocation failures. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

/* ---- helpers ----------------------------------------------------------------- */

/* The document's inner HTML as a malloc'd string. */
static char *html_of(bj_doc *d, bj_mem *m)
{
    bj_buf b;
    bj_buf_init(&b, m);
    doc_html(d, &b);
    cr_assert(!b.failed);
    char *s = strdup(b.data ? b.data : "");
    bj_buf_free(&b);
    return s;
}

static char *dump_of(bj_doc *d, bj_mem *m)
{
    bj_buf b;
    bj_buf_init(&b, m);
    doc_dump_json(d, &b);
    cr_assert(!b.failed);
    char *s = strdup(b.data ? b.data : "");
    bj_buf_free(&b);
    return s;
}

static void expect_html(bj_doc *d, bj_mem *m, const char *want)
{
    char *got = html_of(d, m);
    cr_expect_str_eq(got, want);
    free(got);
}

static bj_elem *mk(bj_doc *d, bj_elem *parent, const char *tag)
{
    bj_elem *el = doc_create_element(d, tag, strlen(tag));
    cr_assert_not_null(el);
    if (parent)
        cr_assert_eq(doc_append_child(d, parent, el), 0);
    return el;
}

static void attr(bj_doc *d, bj_elem *el, const char *name, const char *value)
{
    cr_assert_eq(doc_set_attr(d, el, name, strlen(name), value, strlen(value)), 0);
}

static void text(bj_doc *d, bj_elem *el, const char *s)
{
    cr_assert_eq(doc_append_text(d, el, s, strlen(s)), 0);
}

static bj_elem *find(bj_doc *d, const char *sel)
{
    return doc_find(d, sel, strlen(sel));
}

static void wtext(bj_doc *d, bj_elem *el, const char *s)
{
    cr_assert_eq(doc_write_text(d, el, s, strlen(s)), 0);
}

static void wstyle(bj_doc *d, bj_elem *el, const char *name, const char *v)
{
    cr_assert_eq(doc_write_style(d, el, name, strlen(name), v, strlen(v)), 0);
}

static void wvalue(bj_doc *d, bj_elem *el, const char *s)
{
    cr_assert_eq(doc_write_value(d, el, s, strlen(s)), 0);
}

/* ---- building and attributes --------------------------------------------------- */

Test(doc, build_tree)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    cr_assert_not_null(d);
    bj_elem *div = mk(d, NULL, "DIV"); /* lowercased, as createElement does */
    bj_elem *span = mk(d, div, "span");
    text(d, span, "a");
    text(d, div, "b");
    mk(d, div, "br");
    cr_assert_eq(doc_append_child(d, doc_root(d), div), 0);
    cr_expect_str_eq(doc_elem_tag(div), "div");
    cr_expect_eq(doc_elem_kind(div), DOC_TAG_OTHER);
    bj_elem *in = mk(d, NULL, "Input");
    cr_expect_eq(doc_elem_kind(in), DOC_TAG_INPUT);
    doc_free_detached(d, in);
    expect_html(d, &m, "<div><span>a</span>b<br></div>");
    /* Appending an attached element, or a parent under its own child, is refused. */
    cr_expect_eq(doc_append_child(d, doc_root(d), span), BJ_EARG);
    bj_elem *a = mk(d, NULL, "p"), *b = mk(d, a, "i");
    cr_expect_eq(doc_append_child(d, b, a), BJ_EARG);
    doc_free_detached(d, a);
    doc_free_detached(d, mk(d, NULL, "input"));
    doc_free_detached(d, NULL);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, attribute_order_and_replace)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *el = mk(d, doc_root(d), "p");
    attr(d, el, "b", "1");
    attr(d, el, "A", "2");
    attr(d, el, "b", "3"); /* in place, keeps its position */
    attr(d, el, "c", "");
    expect_html(d, &m, "<p b=\"3\" a=\"2\" c=\"\"></p>");
    cr_expect_str_eq(doc_elem_attr(el, "a"), "2");
    cr_expect_str_eq(doc_elem_attr(el, "B"), "3");
    cr_expect_null(doc_elem_attr(el, "d"));
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, style_set_replace_remove)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *el = mk(d, doc_root(d), "p");
    attr(d, el, "class", "x");
    cr_assert_eq(doc_style_set(d, el, "color", 5, "red", 3), 0);
    cr_assert_eq(doc_style_set(d, el, "font-weight", 11, "bold", 4), 0);
    expect_html(d, &m, "<p class=\"x\" style=\"color: red; font-weight: bold;\"></p>");
    cr_assert_eq(doc_style_set(d, el, "color", 5, "blue", 4), 0); /* in place */
    expect_html(d, &m, "<p class=\"x\" style=\"color: blue; font-weight: bold;\"></p>");
    cr_assert_eq(doc_style_set(d, el, "color", 5, "", 0), 0);
    expect_html(d, &m, "<p class=\"x\" style=\"font-weight: bold;\"></p>");
    cr_assert_eq(doc_style_set(d, el, "display", 7, "", 0), 0); /* not declared: no change */
    expect_html(d, &m, "<p class=\"x\" style=\"font-weight: bold;\"></p>");
    cr_assert_eq(doc_style_set(d, el, "font-weight", 11, "", 0), 0);
    expect_html(d, &m, "<p class=\"x\" style=\"\"></p>");
    cr_expect_str_eq(doc_elem_attr(el, "style"), "");
    cr_assert_eq(doc_style_set(d, el, "display", 7, "none", 4), 0);
    expect_html(d, &m, "<p class=\"x\" style=\"display: none;\"></p>");

    /* Removing from an element without a style attribute creates none. */
    bj_elem *q = mk(d, doc_root(d), "q");
    cr_assert_eq(doc_style_set(d, q, "display", 7, "", 0), 0);
    cr_expect_null(doc_elem_attr(q, "style"));
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, style_attribute_parsed)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *el = mk(d, doc_root(d), "div");
    attr(d, el, "style", " color:red ;; bogus; Font-Weight : bold; background: url(\"a;b\") ");
    cr_expect_str_eq(doc_elem_attr(el, "style"),
                     "color: red; font-weight: bold; background: url(\"a;b\");");
    /* The declarations are live: a property write edits them. */
    cr_assert_eq(doc_style_set(d, el, "font-weight", 11, "normal", 6), 0);
    cr_expect_str_eq(doc_elem_attr(el, "style"),
                     "color: red; font-weight: normal; background: url(\"a;b\");");
    /* Custom properties keep their case and are compared exactly. */
    cr_assert_eq(doc_style_set(d, el, "--Main", 6, "1", 1), 0);
    cr_assert_eq(doc_style_set(d, el, "--main", 6, "2", 1), 0);
    cr_assert_eq(doc_style_set(d, el, "--Main", 6, "3", 1), 0);
    cr_expect_str_eq(doc_elem_attr(el, "style"),
                     "color: red; font-weight: normal; background: url(\"a;b\"); --Main: 3; --main: 2;");
    attr(d, el, "style", ""); /* replaces them all */
    cr_expect_str_eq(doc_elem_attr(el, "style"), "");
    cr_assert_eq(doc_style_set(d, el, "color", 5, "", 0), 0);
    cr_expect_str_eq(doc_elem_attr(el, "style"), "");
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

/* ---- serialization ------------------------------------------------------------------ */

Test(doc, html_escaping)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *p = mk(d, doc_root(d), "p");
    attr(d, p, "title", "a&b \"q\" <t> x\xC2\xA0y");
    text(d, p, "1 & 2 < 3 > 0 \"q\" x\xC2\xA0y \xC3\xA9");
    expect_html(d, &m,
                "<p title=\"a&amp;b &quot;q&quot; <t> x&nbsp;y\">"
                "1 &amp; 2 &lt; 3 &gt; 0 \"q\" x&nbsp;y \xC3\xA9</p>");
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, void_and_rawtext_elements)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *in = mk(d, doc_root(d), "input");
    text(d, in, "never written");
    mk(d, doc_root(d), "br");
    bj_elem *img = mk(d, doc_root(d), "img");
    attr(d, img, "src", "x.png");
    bj_elem *sc = mk(d, doc_root(d), "script");
    text(d, sc, "a < b && c");
    bj_elem *ta = mk(d, doc_root(d), "textarea");
    text(d, ta, "<x>");
    expect_html(d, &m,
                "<input><br><img src=\"x.png\"><script>a < b && c</script>"
                "<textarea>&lt;x&gt;</textarea>");
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, empty_document)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    expect_html(d, &m, "");
    char *dump = dump_of(d, &m);
    cr_expect_str_eq(dump, "{\n \"html\": \"\",\n \"elements\": {}\n}\n");
    free(dump);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

/* ---- textContent --------------------------------------------------------------------- */

Test(doc, text_replaces_children)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *p = mk(d, doc_root(d), "p");
    text(d, p, "a");
    bj_elem *i = mk(d, p, "i");
    attr(d, i, "data-bosatsu-id", "inner");
    text(d, i, "b");
    cr_assert_eq(find(d, "inner"), i);
    uint64_t e0 = doc_epoch(d);
    wtext(d, p, "new");
    expect_html(d, &m, "<p>new</p>");
    cr_expect_neq(doc_epoch(d), e0, "an element left the document");
    cr_expect_null(find(d, "inner"));
    uint64_t e1 = doc_epoch(d);
    wtext(d, p, "newer and much longer than the first buffer was");
    expect_html(d, &m, "<p>newer and much longer than the first buffer was</p>");
    wtext(d, p, "");
    expect_html(d, &m, "<p></p>");
    wtext(d, p, "");
    wtext(d, p, "back");
    expect_html(d, &m, "<p>back</p>");
    cr_expect_eq(doc_epoch(d), e1, "only text nodes left");
    cr_expect_eq(doc_write_count(d), 5);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, text_write_does_not_allocate)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *p = mk(d, doc_root(d), "p");
    text(d, p, "initial text");
    size_t count = m.count;
    char num[16];
    for (int k = 0; k < 1000; k++) {
        int n = snprintf(num, sizeof num, "%d", k);
        cr_assert_eq(doc_write_text(d, p, num, (size_t)n), 0);
    }
    cr_expect_eq(m.count, count, "steady writes reuse the text buffer");
    expect_html(d, &m, "<p>999</p>");
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

/* ---- className, value, checked, disabled -------------------------------------------- */

Test(doc, class_write)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *p = mk(d, doc_root(d), "p");
    attr(d, p, "id", "x");
    cr_assert_eq(doc_write_class(d, p, "a b", 3), 0);
    cr_assert_eq(doc_write_class(d, p, "", 0), 0);
    expect_html(d, &m, "<p id=\"x\" class=\"\"></p>");
    cr_assert_eq(doc_write_class(d, p, "c", 1), 0);
    expect_html(d, &m, "<p id=\"x\" class=\"c\"></p>");
    cr_expect_eq(doc_write_count(d), 3);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, value_rules)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *in = mk(d, doc_root(d), "input");
    attr(d, in, "type", "text");
    attr(d, in, "value", "init");
    attr(d, in, "data-bosatsu-id", "in");
    bj_elem *ta = mk(d, doc_root(d), "textarea");
    attr(d, ta, "data-bosatsu-id", "ta");
    text(d, ta, "t1");
    bj_elem *div = mk(d, doc_root(d), "div");
    attr(d, div, "data-bosatsu-id", "div");
    bj_elem *sel = mk(d, doc_root(d), "select");

    wvalue(d, in, "typed\nline");   /* text inputs drop newlines */
    attr(d, in, "value", "later");  /* dirty: the attribute no longer drives it */
    wvalue(d, ta, "x\r\ny");
    wvalue(d, sel, "s");
    uint64_t n = doc_write_count(d);
    wvalue(d, div, "ignored");
    cr_expect_eq(doc_write_count(d), n, "a div has no value");
    expect_html(d, &m,
                "<input type=\"text\" value=\"later\" data-bosatsu-id=\"in\">"
                "<textarea data-bosatsu-id=\"ta\">t1</textarea>"
                "<div data-bosatsu-id=\"div\"></div><select></select>");
    char *dump = dump_of(d, &m);
    cr_expect(strstr(dump, "\"value\": \"typedline\"") != NULL, "%s", dump);
    cr_expect(strstr(dump, "\"value\": \"x\\ny\"") != NULL, "%s", dump);
    cr_expect(strstr(dump, "\"value\": \"ignored\"") == NULL, "%s", dump);
    free(dump);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, value_initial_state)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *a = mk(d, doc_root(d), "input"); /* no type: text */
    attr(d, a, "data-bosatsu-id", "a");
    attr(d, a, "value", "first");
    attr(d, a, "value", "second"); /* not dirty: follows the attribute */
    bj_elem *ta = mk(d, doc_root(d), "textarea");
    attr(d, ta, "data-bosatsu-id", "ta");
    text(d, ta, "one");
    wtext(d, ta, "two"); /* not dirty: the value is the text */
    bj_elem *num = mk(d, doc_root(d), "input");
    attr(d, num, "type", "NUMBER");
    attr(d, num, "data-bosatsu-id", "num");
    wvalue(d, num, "1.5e3");
    bj_elem *num2 = mk(d, doc_root(d), "input");
    attr(d, num2, "type", "number");
    attr(d, num2, "data-bosatsu-id", "num2");
    wvalue(d, num2, "1.");
    char *dump = dump_of(d, &m);
    cr_expect(strstr(dump, "\"a\": {\n   \"textContent\": \"\",\n   \"className\": \"\",\n"
                           "   \"style\": null,\n   \"value\": \"second\",") != NULL, "%s", dump);
    cr_expect(strstr(dump, "\"value\": \"two\"") != NULL, "%s", dump);
    cr_expect(strstr(dump, "\"value\": \"1.5e3\"") != NULL, "%s", dump);
    cr_expect(strstr(dump, "\"num2\": {\n   \"textContent\": \"\",\n   \"className\": \"\",\n"
                           "   \"style\": null,\n   \"value\": \"\",") != NULL, "%s", dump);
    free(dump);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, checkbox_value_reflects_attribute)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *cb = mk(d, doc_root(d), "input");
    attr(d, cb, "type", "checkbox");
    wvalue(d, cb, "v");
    expect_html(d, &m, "<input type=\"checkbox\" value=\"v\">");
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, checked_rules)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *cb = mk(d, doc_root(d), "input");
    attr(d, cb, "type", "checkbox");
    attr(d, cb, "checked", "");
    attr(d, cb, "data-bosatsu-id", "cb");
    bj_elem *cb2 = mk(d, doc_root(d), "input");
    attr(d, cb2, "type", "checkbox");
    attr(d, cb2, "data-bosatsu-id", "cb2");
    bj_elem *div = mk(d, doc_root(d), "div");
    cr_assert_eq(doc_write_checked(d, cb, false), 0);
    cr_assert_eq(doc_write_checked(d, cb2, true), 0);
    cr_assert_eq(doc_write_checked(d, div, true), 0);
    cr_expect_eq(doc_write_count(d), 2);
    /* The attribute stays; the dump shows the state. */
    expect_html(d, &m,
                "<input type=\"checkbox\" checked=\"\" data-bosatsu-id=\"cb\">"
                "<input type=\"checkbox\" data-bosatsu-id=\"cb2\"><div></div>");
    char *dump = dump_of(d, &m);
    cr_expect(strstr(dump, "\"cb\": {\n   \"textContent\": \"\",\n   \"className\": \"\",\n"
                           "   \"style\": null,\n   \"checked\": false,\n   \"disabled\": false\n  }")
                  != NULL, "%s", dump);
    cr_expect(strstr(dump, "\"checked\": true") != NULL, "%s", dump);
    free(dump);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, radio_group)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *r[3];
    bj_elem *wrap = mk(d, NULL, "div"); /* built detached, attached at the end */
    for (int i = 0; i < 3; i++) {
        r[i] = mk(d, wrap, "input");
        attr(d, r[i], "type", "radio");
        attr(d, r[i], "name", "g");
        char id[4] = {'r', (char)('0' + i), 0};
        attr(d, r[i], "data-bosatsu-id", id);
    }
    attr(d, r[0], "checked", "");
    attr(d, r[1], "checked", "");
    cr_assert_eq(doc_append_child(d, doc_root(d), wrap), 0);
    char *dump = dump_of(d, &m);
    /* Becoming connected: the last checked radio of the group wins. */
    cr_expect(strstr(dump, "\"r0\": {\n   \"textContent\": \"\",\n   \"className\": \"\",\n"
                           "   \"style\": null,\n   \"checked\": false") != NULL, "%s", dump);
    cr_expect(strstr(dump, "\"r1\": {\n   \"textContent\": \"\",\n   \"className\": \"\",\n"
                           "   \"style\": null,\n   \"checked\": true") != NULL, "%s", dump);
    free(dump);
    cr_assert_eq(doc_write_checked(d, r[2], true), 0);
    dump = dump_of(d, &m);
    cr_expect(strstr(dump, "\"r1\": {\n   \"textContent\": \"\",\n   \"className\": \"\",\n"
                           "   \"style\": null,\n   \"checked\": false") != NULL, "%s", dump);
    free(dump);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, radio_group_connect_order)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *wrap = mk(d, NULL, "form");
    bj_elem *other = mk(d, doc_root(d), "input"); /* same name, no form: another group */
    attr(d, other, "type", "radio");
    attr(d, other, "name", "g");
    attr(d, other, "checked", "");
    attr(d, other, "data-bosatsu-id", "other");
    for (int i = 0; i < 2; i++) {
        /* Attributes first, then appended: each is alone when checked. */
        bj_elem *r = mk(d, NULL, "input");
        attr(d, r, "type", "radio");
        attr(d, r, "name", "g");
        attr(d, r, "checked", "");
        char id[4] = {'r', (char)('0' + i), 0};
        attr(d, r, "data-bosatsu-id", id);
        cr_assert_eq(doc_append_child(d, wrap, r), 0);
    }
    cr_assert_eq(doc_append_child(d, doc_root(d), wrap), 0);
    char *dump = dump_of(d, &m);
    /* Becoming connected in tree order: r0 unchecks r1. */
    cr_expect(strstr(dump, "\"r0\": {\n   \"textContent\": \"\",\n   \"className\": \"\",\n"
                           "   \"style\": null,\n   \"checked\": true") != NULL, "%s", dump);
    cr_expect(strstr(dump, "\"r1\": {\n   \"textContent\": \"\",\n   \"className\": \"\",\n"
                           "   \"style\": null,\n   \"checked\": false") != NULL, "%s", dump);
    cr_expect(strstr(dump, "\"other\": {\n   \"textContent\": \"\",\n   \"className\": \"\",\n"
                           "   \"style\": null,\n   \"checked\": true") != NULL, "%s", dump);
    free(dump);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, disabled_reflection)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *b = mk(d, doc_root(d), "button");
    bj_elem *fs = mk(d, doc_root(d), "fieldset");
    bj_elem *span = mk(d, doc_root(d), "span");
    attr(d, b, "disabled", "yes");
    cr_assert_eq(doc_write_disabled(d, b, true), 0); /* reflected as "" */
    cr_assert_eq(doc_write_disabled(d, fs, true), 0);
    cr_assert_eq(doc_write_disabled(d, span, true), 0);
    expect_html(d, &m, "<button disabled=\"\"></button><fieldset disabled=\"\"></fieldset><span></span>");
    cr_assert_eq(doc_write_disabled(d, b, false), 0);
    cr_assert_eq(doc_write_disabled(d, b, false), 0);
    expect_html(d, &m, "<button></button><fieldset disabled=\"\"></fieldset><span></span>");
    cr_expect_eq(doc_write_count(d), 4);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, style_toggle_does_not_allocate)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *p = mk(d, doc_root(d), "p");
    wstyle(d, p, "color", "red");
    wstyle(d, p, "display", "none");
    wstyle(d, p, "display", "");
    wstyle(d, p, "color", "");
    size_t count = m.count;
    for (int k = 0; k < 100; k++) {
        wstyle(d, p, "display", "none");
        wstyle(d, p, "color", "blue");
        wstyle(d, p, "display", "");
        if (k < 99)
            wstyle(d, p, "color", "");
    }
    cr_expect_eq(m.count, count, "removed declarations are reused");
    expect_html(d, &m, "<p style=\"color: blue;\"></p>");
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, style_write)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *p = mk(d, doc_root(d), "p");
    attr(d, p, "data-bosatsu-id", "p");
    wstyle(d, p, "display", "");
    expect_html(d, &m, "<p data-bosatsu-id=\"p\"></p>");
    wstyle(d, p, "display", "none");
    wstyle(d, p, "font-weight", "bold");
    wstyle(d, p, "display", "");
    expect_html(d, &m, "<p data-bosatsu-id=\"p\" style=\"font-weight: bold;\"></p>");
    cr_expect_eq(doc_write_count(d), 4);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

/* ---- lookup and removal --------------------------------------------------------------- */

Test(doc, lookup_forms)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *a = mk(d, doc_root(d), "p");
    attr(d, a, "id", "main");
    attr(d, a, "data-bosatsu-id", "x");
    bj_elem *b = mk(d, a, "span");
    attr(d, b, "data-role", "tag");
    attr(d, b, "data-odd", "a\"b]c");
    cr_expect_eq(find(d, "#main"), a);
    cr_expect_eq(find(d, "x"), a);
    cr_expect_eq(find(d, "[data-role=\"tag\"]"), b);
    cr_expect_eq(find(d, "[data-role='tag']"), b);
    cr_expect_eq(find(d, "[ data-role = tag ]"), b);
    cr_expect_eq(find(d, "[DATA-ROLE=\"tag\"]"), b);
    cr_expect_eq(find(d, "[data-role]"), b);
    cr_expect_eq(find(d, "[data-odd=\"a\\\"b]c\"]"), b);
    cr_expect_eq(find(d, "[data-role=\"t\\61 g\"]"), b); /* CSS hex escape */
    attr(d, b, "data-bad", "\xEF\xBF\xBD");
    cr_expect_eq(find(d, "[data-bad=\"\\0\"]"), b); /* NUL escapes to U+FFFD */
    cr_expect_eq(find(d, "[id=\"main\"]"), a);
    cr_expect_eq(find(d, "[data-bosatsu-id=x]"), a);
    cr_expect_null(find(d, "[data-role=\"tag\""));
    cr_expect_null(find(d, "[data-role=\"nope\"]"));
    cr_expect_null(find(d, "[data-role=]"));
    cr_expect_null(find(d, "#nope"));
    cr_expect_null(find(d, "main"));
    /* Changing an indexed attribute moves the element in the index. */
    attr(d, a, "id", "other");
    cr_expect_null(find(d, "#main"));
    cr_expect_eq(find(d, "#other"), a);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, lookup_duplicates_in_document_order)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    /* Indexed in the reverse of document order, and before being attached. */
    bj_elem *outer = mk(d, NULL, "div");
    bj_elem *inner = mk(d, NULL, "span");
    bj_elem *later = mk(d, NULL, "b");
    attr(d, later, "data-bosatsu-id", "dup");
    attr(d, inner, "data-bosatsu-id", "dup");
    attr(d, outer, "data-bosatsu-id", "dup");
    attr(d, later, "id", "i");
    attr(d, inner, "id", "i");
    cr_expect_null(find(d, "dup"), "detached elements are not found");
    cr_assert_eq(doc_append_child(d, outer, inner), 0);
    cr_assert_eq(doc_append_child(d, doc_root(d), later), 0);
    cr_expect_eq(find(d, "dup"), later, "only attached elements are found");
    cr_assert_eq(doc_append_child(d, doc_root(d), outer), 0);
    cr_expect_eq(find(d, "dup"), later, "later precedes outer");
    cr_expect_eq(find(d, "#i"), later);
    uint64_t e0 = doc_epoch(d);
    doc_remove(d, later);
    cr_expect_neq(doc_epoch(d), e0);
    cr_expect_eq(find(d, "dup"), outer, "an ancestor precedes its descendants");
    cr_expect_eq(find(d, "#i"), inner);
    doc_remove(d, outer);
    cr_expect_null(find(d, "dup"));
    cr_expect_null(find(d, "#i"));
    expect_html(d, &m, "");
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, remove_rules)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *a = mk(d, doc_root(d), "p");
    bj_elem *b = mk(d, doc_root(d), "p");
    attr(d, b, "data-bosatsu-id", "b");
    bj_elem *c = mk(d, b, "i");
    attr(d, c, "data-bosatsu-id", "c");
    mk(d, doc_root(d), "hr");
    uint64_t e0 = doc_epoch(d);
    doc_remove(d, doc_root(d)); /* ignored */
    cr_expect_eq(doc_epoch(d), e0);
    doc_remove(d, b);
    cr_expect_neq(doc_epoch(d), e0);
    cr_expect_null(find(d, "b"));
    cr_expect_null(find(d, "c"));
    expect_html(d, &m, "<p></p><hr>");
    doc_remove(d, a);
    expect_html(d, &m, "<hr>");
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, free_detached_unindexes)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *keep = mk(d, doc_root(d), "p");
    attr(d, keep, "data-bosatsu-id", "k");
    bj_elem *x = mk(d, NULL, "div");
    attr(d, x, "data-bosatsu-id", "k");
    bj_elem *y = mk(d, x, "span");
    attr(d, y, "id", "y");
    doc_free_detached(d, x);
    cr_expect_eq(find(d, "k"), keep);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

/* ---- the dump ----------------------------------------------------------------------------- */

Test(doc, dump_format)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    bj_elem *r = mk(d, doc_root(d), "div");
    attr(d, r, "class", "app");
    attr(d, r, "data-bosatsu-id", "r");
    bj_elem *in = mk(d, r, "input");
    attr(d, in, "type", "text");
    attr(d, in, "value", "a");
    attr(d, in, "data-bosatsu-id", "i");
    bj_elem *cb = mk(d, r, "input");
    attr(d, cb, "type", "checkbox");
    attr(d, cb, "checked", "");
    attr(d, cb, "data-bosatsu-id", "c");
    bj_elem *b = mk(d, r, "button");
    attr(d, b, "data-bosatsu-id", "b");
    text(d, b, "Go");
    bj_elem *p = mk(d, r, "p");
    cr_assert_eq(doc_style_set(d, p, "color", 5, "red", 3), 0);
    attr(d, p, "data-bosatsu-id", "p");
    text(d, p, "x<y \"\xE6\x97\xA5\"");
    mk(d, r, "span"); /* no data-bosatsu-id: not listed */
    char *dump = dump_of(d, &m);
    cr_expect_str_eq(dump,
        "{\n"
        " \"html\": \"<div class=\\\"app\\\" data-bosatsu-id=\\\"r\\\">"
        "<input type=\\\"text\\\" value=\\\"a\\\" data-bosatsu-id=\\\"i\\\">"
        "<input type=\\\"checkbox\\\" checked=\\\"\\\" data-bosatsu-id=\\\"c\\\">"
        "<button data-bosatsu-id=\\\"b\\\">Go</button>"
        "<p style=\\\"color: red;\\\" data-bosatsu-id=\\\"p\\\">x&lt;y \\\"\xE6\x97\xA5\\\"</p>"
        "<span></span></div>\",\n"
        " \"elements\": {\n"
        "  \"r\": {\n"
        "   \"textContent\": \"Gox<y \\\"\xE6\x97\xA5\\\"\",\n"
        "   \"className\": \"app\",\n"
        "   \"style\": null\n"
        "  },\n"
        "  \"i\": {\n"
        "   \"textContent\": \"\",\n"
        "   \"className\": \"\",\n"
        "   \"style\": null,\n"
        "   \"value\": \"a\",\n"
        "   \"disabled\": false\n"
        "  },\n"
        "  \"c\": {\n"
        "   \"textContent\": \"\",\n"
        "   \"className\": \"\",\n"
        "   \"style\": null,\n"
        "   \"checked\": true,\n"
        "   \"disabled\": false\n"
        "  },\n"
        "  \"b\": {\n"
        "   \"textContent\": \"Go\",\n"
        "   \"className\": \"\",\n"
        "   \"style\": null,\n"
        "   \"disabled\": false\n"
        "  },\n"
        "  \"p\": {\n"
        "   \"textContent\": \"x<y \\\"\xE6\x97\xA5\\\"\",\n"
        "   \"className\": \"\",\n"
        "   \"style\": \"color: red;\"\n"
        "  }\n"
        " }\n"
        "}\n");
    free(dump);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

Test(doc, dump_duplicate_and_index_keys)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    const char *ids[] = {"a", "10", "dup", "2", "dup", "01"};
    for (int i = 0; i < 6; i++) {
        bj_elem *el = mk(d, doc_root(d), "p");
        attr(d, el, "data-bosatsu-id", ids[i]);
        char cls[2] = {(char)('0' + i), 0};
        attr(d, el, "class", cls);
    }
    char *dump = dump_of(d, &m);
    /* JS object order: array-index keys ascending, then insertion order;
     * a repeated key keeps its first place and takes the last value. */
    const char *k2 = strstr(dump, "\"2\": {"), *k10 = strstr(dump, "\"10\": {");
    const char *ka = strstr(dump, "\"a\": {"), *kd = strstr(dump, "\"dup\": {");
    const char *k01 = strstr(dump, "\"01\": {");
    cr_assert(k2 && k10 && ka && kd && k01, "%s", dump);
    cr_expect(k2 < k10 && k10 < ka && ka < kd && kd < k01, "%s", dump);
    const char *cls = strstr(kd, "\"className\": \"4\"");
    cr_expect(cls != NULL && cls < k01, "%s", dump);
    cr_expect_null(strstr(kd + 1, "\"dup\": {"), "%s", dump);
    free(dump);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

/* ---- host reports ---------------------------------------------------------------------------- */

typedef struct host_log {
    int n;
    bj_prop prop[16];
    char id[16][16];
    char value[16][32];
    char style[16][16];
    bool flag[16];
} host_log;

static void host_fn(void *ud, const bj_write *w)
{
    host_log *log = ud;
    int i = log->n++;
    cr_assert_lt(i, 16);
    log->prop[i] = w->prop;
    snprintf(log->id[i], sizeof log->id[i], "%s", w->element_id ? w->element_id : "(null)");
    snprintf(log->value[i], sizeof log->value[i], "%.*s", (int)w->len, w->value ? w->value : "");
    snprintf(log->style[i], sizeof log->style[i], "%s", w->style_name ? w->style_name : "");
    log->flag[i] = w->flag;
}

Test(doc, host_receives_writes)
{
    bj_mem m = {0};
    bj_doc *d = doc_new(&m);
    host_log log = {0};
    doc_set_host(d, host_fn, &log);
    bj_elem *p = mk(d, doc_root(d), "p");
    attr(d, p, "data-bosatsu-id", "p1");
    bj_elem *in = mk(d, doc_root(d), "input");
    wtext(d, p, "hello");
    cr_assert_eq(doc_write_class(d, p, "c", 1), 0);
    wstyle(d, p, "font-weight", "bold");
    wstyle(d, p, "display", "");
    cr_assert_eq(doc_write_checked(d, in, true), 0);
    cr_assert_eq(doc_write_disabled(d, in, true), 0);
    wvalue(d, in, "v");
    wvalue(d, p, "ignored");
    cr_assert_eq(log.n, 7);
    cr_expect_eq(log.prop[0], BJ_PROP_TEXT);
    cr_expect_str_eq(log.id[0], "p1");
    cr_expect_str_eq(log.value[0], "hello");
    cr_expect_eq(log.prop[1], BJ_PROP_CLASS);
    cr_expect_str_eq(log.value[1], "c");
    cr_expect_eq(log.prop[2], BJ_PROP_STYLE);
    cr_expect_str_eq(log.style[2], "font-weight");
    cr_expect_str_eq(log.value[2], "bold");
    cr_expect_str_eq(log.style[3], "display");
    cr_expect_str_eq(log.value[3], "");
    cr_expect_eq(log.prop[4], BJ_PROP_CHECKED);
    cr_expect_str_eq(log.id[4], "(null)");
    cr_expect(log.flag[4]);
    cr_expect_eq(log.prop[5], BJ_PROP_DISABLED);
    cr_expect(log.flag[5]);
    cr_expect_eq(log.prop[6], BJ_PROP_VALUE);
    cr_expect_str_eq(log.value[6], "v");
    cr_expect_eq(doc_write_count(d), 7);
    doc_free(d);
    cr_expect_eq(m.live, 0);
}

/* ---- css names --------------------------------------------------------------------------------- */

static void expect_css(const char *camel, const char *want)
{
    bj_mem m = {0};
    bj_buf b;
    bj_buf_init(&b, &m);
    doc_css_name(camel, strlen(camel), &b);
    cr_expect_str_eq(b.data ? b.data : "", want);
    bj_buf_free(&b);
}

Test(doc, css_names)
{
    expect_css("fontWeight", "font-weight");
    expect_css("display", "display");
    expect_css("borderTopLeftRadius", "border-top-left-radius");
    expect_css("WebkitTransform", "-webkit-transform");
    expect_css("webkitTransform", "-webkit-transform");
    expect_css("cssFloat", "float");
    expect_css("font-size", "font-size");
    expect_css("", "");
}

/* ---- allocation failures ------------------------------------------------------------------------- */

/* Runs one step under the failure hook: the HTML taken before and after
 * (with the hook paused) must be equal when the step fails. */
#define STEP(expr)                                                          \
    do {                                                                    \
        char *before = snapshot(d, m);                                      \
        int rc_ = (expr);                                                   \
        if (rc_ != 0) {                                                     \
            cr_assert_eq(rc_, BJ_ENOMEM);                                   \
            char *after = snapshot(d, m);                                   \
            cr_assert_str_eq(after, before, "failed step changed the doc"); \
            free(before);                                                   \
            free(after);                                                    \
            return rc_;                                                     \
        }                                                                   \
        cr_assert(m->fail_at == 0 || (long)m->count < m->fail_at,          \
                  "a failed allocation was swallowed");                    \
        free(before);                                                       \
    } while (0)

/* The HTML and dump with the failure hook paused (its count kept aligned). */
static char *snapshot(bj_doc *d, bj_mem *m)
{
    long fail_at = m->fail_at;
    size_t count = m->count;
    m->fail_at = 0;
    char *h = html_of(d, m);
    char *j = dump_of(d, m);
    size_t n = strlen(h) + strlen(j) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%s%s", h, j);
    free(h);
    free(j);
    if (fail_at)
        m->fail_at = fail_at + (long)(m->count - count);
    return s;
}

static int set_attr_s(bj_doc *d, bj_elem *el, const char *n, const char *v)
{
    return doc_set_attr(d, el, n, strlen(n), v, strlen(v));
}

static int make_child(bj_doc *d, bj_elem *parent, const char *tag, bj_elem **out)
{
    *out = doc_create_element(d, tag, strlen(tag));
    if (!*out)
        return BJ_ENOMEM;
    return doc_append_child(d, parent, *out);
}

/* Builds, writes and serializes; returns the first failure or 0. */
static int oom_sequence(bj_doc *d, bj_mem *m, char **html)
{
    bj_elem *root = doc_root(d), *p, *in, *ta, *b;
    STEP(make_child(d, root, "p", &p));
    STEP(set_attr_s(d, p, "data-bosatsu-id", "p"));
    STEP(set_attr_s(d, p, "id", "pid"));
    STEP(set_attr_s(d, p, "id", "pid2"));
    STEP(set_attr_s(d, p, "style", "color: red; display: block"));
    STEP(doc_append_text(d, p, "text", 4));
    STEP(make_child(d, root, "input", &in));
    STEP(set_attr_s(d, in, "data-bosatsu-id", "p")); /* a duplicate */
    STEP(set_attr_s(d, in, "type", "text"));
    STEP(set_attr_s(d, in, "value", "v"));
    STEP(make_child(d, root, "textarea", &ta));
    STEP(make_child(d, root, "b", &b));
    STEP(set_attr_s(d, b, "data-bosatsu-id", "b"));
    STEP(make_child(d, b, "i", &ta)); /* reused pointer: freed below by a text write */
    const char *t1 = "a longer text than before, to grow the buffer";
    STEP(doc_write_text(d, p, t1, strlen(t1)));
    STEP(doc_write_text(d, b, "replaces the i", 14));
    STEP(doc_write_class(d, p, "cls", 3));
    STEP(doc_write_style(d, p, "font-weight", 11, "bold", 4));
    STEP(doc_write_style(d, p, "color", 5, "", 0));
    STEP(doc_write_style(d, p, "color", 5, "rgb(100, 100, 100)", 18)); /* reuses a spare */
    STEP(doc_write_style(d, b, "display", 7, "none", 4));
    STEP(doc_write_value(d, in, "typed", 5));
    STEP(doc_write_disabled(d, in, true));
    STEP(doc_write_checked(d, in, true));
    bj_buf out;
    bj_buf_init(&out, m);
    doc_dump_json(d, &out);
    if (out.failed) {
        bj_buf_free(&out);
        return BJ_ENOMEM;
    }
    bj_buf_clear(&out);
    doc_html(d, &out);
    if (out.failed) {
        bj_buf_free(&out);
        return BJ_ENOMEM;
    }
    *html = strdup(out.data);
    bj_buf_free(&out);
    return 0;
}

Test(doc, allocation_failures)
{
    const char *want =
        "<p data-bosatsu-id=\"p\" id=\"pid2\" "
        "style=\"display: block; font-weight: bold; color: rgb(100, 100, 100);\" "
        "class=\"cls\">a longer text than before, to grow the buffer</p>"
        "<input data-bosatsu-id=\"p\" type=\"text\" value=\"v\" disabled=\"\">"
        "<textarea></textarea><b data-bosatsu-id=\"b\" style=\"display: none;\">replaces the i</b>";
    int failures = 0;
    for (long n = 1; n < 10000; n++) {
        bj_mem m = {0};
        m.fail_at = n;
        bj_doc *d = doc_new(&m);
        if (!d) {
            cr_assert_eq(m.live, 0);
            failures++;
            continue;
        }
        char *html = NULL;
        int rc = oom_sequence(d, &m, &html);
        if (rc == 0) {
            cr_expect_str_eq(html, want);
            m.fail_at = 0;
            cr_expect_eq(find(d, "p"), doc_find(d, "[id=pid2]", 9));
            free(html);
            doc_free(d);
            cr_expect_eq(m.live, 0);
            cr_expect_gt(failures, 10, "the loop exercised failures");
            return;
        }
        cr_assert_eq(rc, BJ_ENOMEM);
        failures++;
        doc_free(d);
        cr_assert_eq(m.live, 0, "leak after failing allocation %ld", n);
    }
    cr_assert_fail("the sequence never succeeded");
}

/* doc.h: the built-in document. An element tree with attributes (in the
 * order first set), style declarations (in order), text nodes, the
 * per-element property rules of docs/formats.md, HTML fragment serialization
 * and the canonical JSON dump.
 *
 * Invariants:
 * - The mount root is an element that is never serialized itself: the HTML
 *   of the document is its inner HTML.
 * - doc->epoch changes whenever an element leaves the document, so a
 *   (pointer, epoch) pair cached by a binding is valid while the epoch is
 *   unchanged. Removed elements are freed at once: nothing may keep their
 *   pointers across an epoch change.
 * - Every property write goes through the doc_write_* helpers, which apply
 *   the property rules (an element lacking the property ignores the write)
 *   and report the write to the host callback. Compiled code calls the same
 *   helpers, so it writes exactly what the interpreter writes.
 */
#ifndef BJ_DOC_H
#define BJ_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bindjit.h"
#include "util.h"

typedef struct bj_doc bj_doc;

/* Element kinds that matter for the property rules. */
typedef enum doc_tag_kind {
    DOC_TAG_OTHER = 0,
    DOC_TAG_INPUT,
    DOC_TAG_TEXTAREA,
    DOC_TAG_SELECT,
    DOC_TAG_BUTTON,
    DOC_TAG_FIELDSET,
    DOC_TAG_OPTGROUP,
    DOC_TAG_OPTION,
} doc_tag_kind;

bj_doc *doc_new(bj_mem *m);
void doc_free(bj_doc *d);

/* The mount root (never NULL). */
bj_elem *doc_root(bj_doc *d);
/* Changes whenever an element leaves the document. */
uint64_t doc_epoch(const bj_doc *d);

/* ---- building (used by the app loader) -------------------------------------- */
/* Creates a detached element; tag is copied. NULL on allocation failure. */
bj_elem *doc_create_element(bj_doc *d, const char *tag, size_t len);
/* Appends child (detached) to parent; returns 0 or BJ_ENOMEM. */
int doc_append_child(bj_doc *d, bj_elem *parent, bj_elem *child);
/* Appends a text node; returns 0 or BJ_ENOMEM. */
int doc_append_text(bj_doc *d, bj_elem *parent, const char *s, size_t len);
/* Frees a detached element and its subtree. */
void doc_free_detached(bj_doc *d, bj_elem *el);
/* Sets an attribute (existing: value changed in place; new: appended).
 * Setting "value" or "checked" on an input also sets its initial current
 * value / checked state while the element is not yet dirty. Setting
 * "data-bosatsu-id" or "id" indexes the element for lookups. Setting
 * "style" parses declarations. Returns 0 or BJ_ENOMEM. */
int doc_set_attr(bj_doc *d, bj_elem *el, const char *name, size_t nlen,
                 const char *value, size_t vlen);
/* Sets one style declaration by its CSS (kebab-case) name; an empty value
 * removes it. Returns 0 or BJ_ENOMEM. */
int doc_style_set(bj_doc *d, bj_elem *el, const char *name, size_t nlen,
                  const char *value, size_t vlen);

/* ---- lookup ------------------------------------------------------------------- */
/* First element in document order (attached under the root) whose
 * data-bosatsu-id / id attribute / given attribute equals value. */
bj_elem *doc_find_bosatsu_id(bj_doc *d, const char *value, size_t len);
bj_elem *doc_find_id(bj_doc *d, const char *value, size_t len);
bj_elem *doc_find_attr(bj_doc *d, const char *name, size_t nlen, const char *value, size_t vlen);
/* The lookup rule of bindings: "#x", "[name=\"v\"]" (also single quotes or
 * none), else data-bosatsu-id. */
bj_elem *doc_find(bj_doc *d, const char *element_id, size_t len);

/* Removes el (attached, not the root) and its subtree from the document and
 * frees them; changes the epoch. */
void doc_remove(bj_doc *d, bj_elem *el);

/* ---- accessors ------------------------------------------------------------------ */
const char *doc_elem_tag(const bj_elem *el);
doc_tag_kind doc_elem_kind(const bj_elem *el);
const char *doc_elem_attr(const bj_elem *el, const char *name);
/* The element's data-bosatsu-id, or NULL. */
const char *doc_elem_bosatsu_id(const bj_elem *el);

/* ---- writes (the binding helpers; each reports to the host) --------------------- */
void doc_set_host(bj_doc *d, bj_write_fn fn, void *userdata);
/* Number of writes applied so far (writes an element ignores are not counted). */
uint64_t doc_write_count(const bj_doc *d);

/* textContent: children replaced by one text node (none when len is 0).
 * Reuses the existing text node's buffer when it can. */
int doc_write_text(bj_doc *d, bj_elem *el, const char *s, size_t len);
/* className: the class attribute. */
int doc_write_class(bj_doc *d, bj_elem *el, const char *s, size_t len);
/* value: input, textarea, select only (the current value, not the attribute). */
int doc_write_value(bj_doc *d, bj_elem *el, const char *s, size_t len);
/* checked: input only. */
int doc_write_checked(bj_doc *d, bj_elem *el, bool on);
/* disabled: button, input, select, textarea, fieldset, optgroup, option
 * only; reflected as the attribute (present and empty, or absent). */
int doc_write_disabled(bj_doc *d, bj_elem *el, bool on);
/* style.NAME (kebab-case CSS name); "" removes the declaration. */
int doc_write_style(bj_doc *d, bj_elem *el, const char *name, size_t nlen,
                    const char *s, size_t len);

/* ---- output ----------------------------------------------------------------------- */
/* Appends the inner HTML of the root (HTML fragment serialization). */
void doc_html(bj_doc *d, bj_buf *out);
/* Appends the canonical JSON dump, formatted as JSON.stringify(x, null, 1)
 * (which is also Python's json.dumps(x, indent=1, ensure_ascii=False)),
 * with a final newline. */
void doc_dump_json(bj_doc *d, bj_buf *out);

/* camelCase style property name to CSS kebab-case ("fontWeight" ->
 * "font-weight"), appended to out. */
void doc_css_name(const char *camel, size_t len, bj_buf *out);

#endif

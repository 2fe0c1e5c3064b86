#!/usr/bin/env python3
"""gen_examples.py: writes the example apps and op logs of this directory.

    python3 examples/gen_examples.py            # (re)writes every example
    python3 examples/gen_examples.py --check    # also runs every transform in
                                                # node on the values the op log
                                                # feeds it (needs node)

Each example is a pair NAME.app.json (view, state, bindings; docs/formats.md)
and NAME.ops.jsonl (the op log). Everything is generated from fixed seeds, so
running the script twice gives byte-identical files.

The generator keeps a model of each app's state and emits only consistent
updates (a cart's totals always add up), the way a real host would. The
initial view is rendered from the initial state with the same rules the
bindings apply, as a server-side render would be, so the first flush changes
nothing that was already right.

Only the transform subset of docs/formats.md is used. Every transform string
is a constant below (T_*), so it is easy to review them in one place.
"""
import json
import os
import random
import subprocess
import sys
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

HERE = os.path.dirname(os.path.abspath(__file__))


# ---- small JavaScript mirrors, for rendering the initial view ----------------

def to_fixed(x, digits):
    """Number.prototype.toFixed: exact binary value, ties away from zero."""
    q = Decimal(1).scaleb(-digits)
    return str(Decimal(x).quantize(q, rounding=ROUND_HALF_UP))


def js_round(x):
    """Math.round: the nearest integer, halves toward +Infinity (exact)."""
    return int((Decimal(x) + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR))


def money(cents):
    """Cents to the double a host would store (12.5 for 1250)."""
    v = cents / 100
    return int(v) if v == int(v) else v


# ---- building the app file ----------------------------------------------------

def el(tag, id=None, props=None, children=None, attributes=None):
    """An element VNode; keys in the order the format documents them."""
    n = {"tag": tag}
    if id is not None:
        n["id"] = id
    if props is not None:
        n["props"] = props
    if attributes is not None:
        n["attributes"] = attributes
    if children is not None:
        n["children"] = children
    return n


def bind(element_id, prop, transform=None, state_path=None, when=None):
    b = {"elementId": element_id, "property": prop}
    if prop.startswith("style."):
        b["styleProperty"] = prop[len("style."):]
    if transform is not None:
        b["transform"] = transform
    if state_path is not None:
        b["statePath"] = state_path
    if when is not None:
        b["when"] = when
    return b


def when(discriminant, tag, total=False):
    return {"discriminant": discriminant, "tag": tag, "isTotal": total}


def hidden_unless(cond, style=None):
    """A props "style" object: display none unless cond (plus extra decls)."""
    s = dict(style or {})
    if not cond:
        s["display"] = "none"
    return s


class OpLog:
    """Collects op log lines; batch() nests a list of set ops."""

    def __init__(self):
        self.lines = []

    @staticmethod
    def set_op(path, value):
        return {"op": "set", "path": list(path), "value": value}

    def set(self, path, value):
        self.lines.append(self.set_op(path, value))

    def flush(self):
        self.lines.append({"op": "flush"})

    def batch(self, sets):
        if sets:
            self.lines.append({"op": "batch", "ops": [self.set_op(p, v) for p, v in sets]})

    def configure(self, batch_size):
        self.lines.append({"op": "configure", "batchSize": batch_size})

    def remove(self, element_id):
        self.lines.append({"op": "remove", "elementId": element_id})

    def text(self):
        return "".join(json.dumps(op, ensure_ascii=False) + "\n" for op in self.lines)


def write_example(name, app, log):
    app_text = json.dumps(app, indent=1, ensure_ascii=False) + "\n"
    ops_text = log.text()
    for suffix, text in ((".app.json", app_text), (".ops.jsonl", ops_text)):
        with open(os.path.join(HERE, name + suffix), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    check_app(name, app, log)
    print("%-10s app %7d bytes, ops %7d bytes, %5d lines"
          % (name, len(app_text.encode()), len(ops_text.encode()), len(log.lines)))


# ---- static checks: every example must be valid per docs/formats.md ---------

def walk(v):
    """Yields every element VNode of a view."""
    if isinstance(v, dict):
        if v.get("type") not in ("text", "fragment"):
            yield v
        for c in v.get("children") or []:
            yield from walk(c)


def check_app(name, app, log):
    ids, html_ids, attrs = set(), set(), set()
    for n in walk(app["view"]):
        if "id" in n:
            assert n["id"] not in ids, (name, "duplicate id", n["id"])
            assert not n["id"].isdigit(), (name, "integer-like id", n["id"])
            ids.add(n["id"])
        props = n.get("props", n.get("attributes")) or {}
        if "id" in props:
            html_ids.add(props["id"])
        for k, v in props.items():
            if isinstance(v, str):
                attrs.add('[%s="%s"]' % (k, v))

    def found(eid):
        if eid.startswith("#"):
            return eid[1:] in html_ids
        if eid.startswith("["):
            return eid in attrs
        return eid in ids

    def has_path(path):
        node = app["state"]
        for seg in path:
            if not isinstance(node, dict) or seg not in node:
                return False
            node = node[seg]
        return True

    for key, bindings in app["bindings"].items():
        assert has_path(key.split(".")), (name, "binding key not in state", key)
        for b in bindings:
            assert found(b["elementId"]), (name, key, "no element", b["elementId"])
            assert b["property"] in ("textContent", "className", "value", "checked", "disabled") \
                or b["property"].startswith("style."), (name, key, b["property"])
            if "statePath" in b:
                assert has_path(b["statePath"]), (name, key, "statePath", b["statePath"])
            if "when" in b:
                assert has_path(b["when"]["discriminant"]), (name, key, "discriminant")
    assert log.lines, name


# ---- transforms ----------------------------------------------------------------
# comments
T_LIKES = "v => v + ' likes'"
T_LIKES_WEIGHT = "v => v >= 10 ? 'bold' : ''"
T_LIKED_CLASS = "b => b ? 'comment liked' : 'comment'"
T_LIKED_LABEL = "b => b ? 'Liked' : 'Like'"
T_SHOW_IF = "b => b ? '' : 'none'"
T_HIDE_IF = "b => b ? 'none' : ''"
T_TAG_LOWER = "s => s.tag.toLowerCase()"
T_TAG = "(s) => s.tag"
T_COMMENT_LOADING = "s => 'Loading comment...'"
T_COMMENT_ERROR = "s => 'Could not load: ' + (s.message ?? 'unknown error')"
T_COLLAPSE_LABEL = "function (c) { return c ? 'Show replies' : 'Hide replies'; }"
T_FEED_LOADING = "s => 'Loading comments...'"
T_FEED_ERROR = "s => `Feed error: ${s.message} (retry ${s.retry ?? 0})`"
T_FEED_LIST = "s => 'thread ' + s.tag.toLowerCase()"
T_FEED_COUNT = "n => `${n} comment${n === 1 ? '' : 's'}`"
T_FILTER_NOTE = ("f => f.trim() === '' ? '' : "
                 "'Showing comments matching \"' + f.trim().toLowerCase() + '\"'")
T_DRAFT_COUNT = "t => t.length + '/500'"
T_DRAFT_COLOR = "t => t.length > 500 ? 'red' : ''"
T_DRAFT_SEND = "t => t.trim() === '' || t.length > 500"
# cart
T_MONEY = "v => '$' + v.toFixed(2)"
T_BOLD_100 = "v => v >= 100 ? 'bold' : ''"
T_ROW_DISPLAY = "q => q > 0 ? '' : 'none'"
T_DEC_DISABLED = "q => q <= 1"
T_QTY_LABEL = "(q) => '\u00d7 ' + q"
T_STOCK_TEXT = "n => n === 0 ? 'Out of stock' : n < 5 ? `Only ${n} left` : 'In stock'"
T_STOCK_CLASS = "n => 'stock ' + (n === 0 ? 'out' : n < 5 ? 'low' : 'ok')"
T_ZERO = "n => n === 0"
T_ITEM_COUNT = "n => `${n} item${n === 1 ? '' : 's'}`"
T_EMPTY_MSG = "n => n === 0 ? 'block' : 'none'"
T_DISCOUNT_ROW = "d => d > 0 ? '' : 'none'"
T_DISCOUNT = "d => '-$' + d.toFixed(2)"
T_COUPON_NOTE = "c => c === '' ? '' : 'Code ' + c + ' applied'"
T_SHIPPING = "v => v === 0 ? 'Free' : '$' + v.toFixed(2)"
T_PAY_LABEL = "t => 'Pay $' + t.toFixed(2)"
T_CHECKING_OUT = "s => s.tag === 'CheckingOut'"
T_CART_CLASS = "s => 'cart cart-' + s.tag.toLowerCase()"
T_PLACING = "s => 'Placing your order...'"
T_PAY_FAILED = "s => 'Payment failed: ' + s.message"
T_CONFIRMED = "s => 'Order ' + s.orderId + ' confirmed. Thank you!'"
T_COUPON_APPLY = "c => c.trim().length < 3"
# Deliberately sloppy: couponError is null most of the time, and null.trim()
# throws a TypeError, so the runtime writes the untransformed null ('').
T_COUPON_ERROR = "e => e.trim()"
T_COUPON_ERROR_SHOW = "e => e ? 'block' : 'none'"
T_NOT = "b => !b"
T_NOTE_LEFT = "s => (200 - s.length) + ' characters left'"
# dashboard
T_BADGE = "s => s.tag.toUpperCase().padStart(8)"
T_BADGE_CLASS = "s => 'badge ' + s.tag.toLowerCase()"
T_REASON = "s => '  reason: ' + s.reason"
T_DOWN = "s => `  down since ${s.since} (${s.checks} failed checks)`"
T_LATENCY = "v => v.toFixed(1).padStart(7) + ' ms'"
T_LATENCY_COLOR = "v => v > 250 ? 'red' : v > 100 ? 'orange' : ''"
T_CPU_TEXT = "p => String(Math.round(p)).padStart(3) + '%'"
T_CPU_WIDTH = "p => Math.min(100, Math.max(0, p)).toFixed(0) + '%'"
T_MEM = "m => (m / 1024).toFixed(2) + ' GiB'"
T_UPTIME = "s => Math.floor(s / 86400) + 'd ' + Math.floor(s % 86400 / 3600) + 'h ' + Math.floor(s % 3600 / 60) + 'm'"
T_RPS = "n => Math.round(n).toString().padStart(6) + ' req/s'"
T_ERRORS = "n => n === 1 ? '1 error' : n + ' errors'"
T_ERRORS_COLOR = "n => n > 0 ? 'red' : ''"
T_PAUSED = "m => '-- PAUSED --'"
T_LIVE = "m => 'LIVE'"
T_PAUSE_BTN = "m => m === 'live' ? 'Pause' : 'Resume'"
T_LOG_LINE = "l => l === null ? '' : `[${l.time}] ${l.level.toUpperCase().padStart(5)} ${l.text}`"
T_LOG_CLASS = "l => l && l.level === 'error' ? 'log error' : 'log'"
T_HOST_SHORT = "h => h.slice(0, 12)"


# ==== comments: the plan's nested comments ==================================

AUTHORS = ["ada", "grace", "linus", "ken", "barbara", "edsger", "margaret",
           "dennis", "frances", "john", "radia", "niklaus"]
WORDS = ("the runtime binding map flush batch queue element value state path "
         "shape entity compile module thread cache faster slower measure "
         "benchmark interpreter compiler nice idea agree disagree really "
         "think maybe works here because update render frame cost").split()
ERRORS = ["Timed out", "Server returned 503", "Connection reset", "Rate limited"]


def sentence(rng, lo=4, hi=12):
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice([".", ".", "!", "?"])


def comments_example():
    rng = random.Random(20260131)
    n = 36
    threads = 8
    parent, depth, kids = {}, {}, {i: [] for i in range(1, n + 1)}
    for i in range(1, n + 1):
        if i <= threads:
            parent[i], depth[i] = None, 0
        else:
            p = rng.choice([c for c in range(1, i) if depth[c] < 4])
            parent[i], depth[i] = p, depth[p] + 1
            kids[p].append(i)

    state = {
        "feed": {"status": {"tag": "Loading"}, "count": n, "filter": ""},
        "draft": {"text": ""},
    }
    for i in range(1, n + 1):
        c = {
            "author": rng.choice(AUTHORS),
            "content": sentence(rng),
            "likes": rng.randint(0, 25),
            "liked": rng.random() < 0.3,
            "edited": False,
            "status": {"tag": "Ready"},
        }
        if i in (n - 1, n):
            c["status"] = {"tag": "Loading"}       # replies still being posted
        if i == 23:
            c["status"] = {"tag": "Error", "message": "Timed out"}
        if i <= threads:
            c["collapsed"] = False
        state["c%d" % i] = c

    # -- the view, rendered from the state --
    def comment_view(i):
        c = state["c%d" % i]
        cid = "c%d" % i
        st = c["status"]["tag"]
        likes_style = {"fontWeight": "bold"} if c["likes"] >= 10 else None
        header = [
            el("span", cid + "-author", {"className": "author"}, [c["author"]]),
            " ",
            el("span", cid + "-likes", {"className": "likes", **({"style": likes_style} if likes_style else {})},
               ["%d likes" % c["likes"]]),
            " ",
            el("button", cid + "-like",
               {"className": "like-btn", "type": "button", "onClick": "like('%s')" % cid,
                "disabled": c["liked"]},
               ["Liked" if c["liked"] else "Like"]),
            el("input", cid + "-fav",
               {"type": "checkbox", "title": "favourite", "checked": c["liked"],
                "onChange": "fav('%s')" % cid}),
            el("span", cid + "-edited", {"className": "edited", "style": {"display": "none"}}, ["(edited)"]),
            el("span", cid + "-state", {"className": "state"}, [st.lower()]),
        ]
        body = [
            el("header", None, None, header),
            el("p", cid + "-content", {"className": "content", "style": hidden_unless(st == "Ready")},
               [c["content"]]),
            el("div", cid + "-loading", {"className": "spinner", "style": hidden_unless(st == "Loading")},
               ["Loading comment..." if st == "Loading" else ""]),
            el("div", cid + "-error", {"className": "error", "role": "alert",
                                       "style": hidden_unless(st == "Error")},
               ["Could not load: " + c["status"]["message"] if st == "Error" else ""]),
        ]
        if parent[i] is None:
            body.append(el("button", cid + "-toggle", {"className": "toggle", "onClick": "toggle('%s')" % cid},
                           ["Hide replies"]))
        replies = [comment_view(k) for k in kids[i]]
        if replies or parent[i] is None:
            body.append(el("div", cid + "-replies", {"className": "replies"}, replies))
        return el("article", cid,
                  {"className": "comment liked" if c["liked"] else "comment", "data-depth": depth[i]},
                  body)

    view = el("div", "app", {"className": "comments-app"}, [
        el("header", "feed-header", {"className": "feed-header"}, [
            el("h1", None, None, ["Discussion: runtime JIT for map-based bindings"]),
            el("span", "feed-count", {"className": "count"}, ["%d comments" % n]),
            " ",
            el("span", "feed-state", {"className": "feed-state"}, ["Loading"]),
        ]),
        el("div", "feed-loading", {"className": "spinner"}, ["Loading comments..."]),
        el("div", "feed-error", {"className": "error", "style": {"display": "none"}}, [""]),
        el("div", None, {"className": "toolbar"}, [
            el("label", None, {"for": "filter"}, ["Filter: "]),
            el("input", "feed-filter", {"type": "text", "id": "filter", "placeholder": "word",
                                        "value": "", "onInput": "filter(event)"}),
            el("span", "feed-filter-note", {"className": "note"}, []),
        ]),
        el("section", "feed-list", {"className": "thread", "style": {"display": "none"}},
           [comment_view(i) for i in range(1, threads + 1)]),
        el("form", "reply-form", {"className": "reply", "onSubmit": "send(event)"}, [
            el("textarea", "reply-box", {"rows": 3, "placeholder": "Write a reply", "spellcheck": True}),
            el("span", "reply-chars", {"className": "chars"}, ["0/500"]),
            el("button", "reply-send", {"type": "submit", "disabled": True}, ["Send"]),
        ]),
    ])

    # -- bindings --
    bindings = {
        "feed.status": [
            bind("feed-state", "textContent", T_TAG),
            bind("feed-loading", "textContent", T_FEED_LOADING, when=when(["feed", "status"], "Loading")),
            bind("feed-error", "textContent", T_FEED_ERROR, when=when(["feed", "status"], "Error")),
            bind("feed-list", "className", T_FEED_LIST, when=when(["feed", "status"], "Ready")),
        ],
        "feed.count": [bind("feed-count", "textContent", T_FEED_COUNT)],
        "feed.filter": [
            bind("feed-filter", "value"),
            bind("feed-filter-note", "textContent", T_FILTER_NOTE),
        ],
        "draft.text": [
            bind("reply-box", "value"),
            bind("reply-chars", "textContent", T_DRAFT_COUNT),
            bind("reply-chars", "style.color", T_DRAFT_COLOR),
            bind("reply-send", "disabled", T_DRAFT_SEND),
        ],
    }
    for i in range(1, n + 1):
        cid = "c%d" % i
        status = [cid, "status"]
        bindings[cid + ".likes"] = [
            bind(cid + "-likes", "textContent", T_LIKES),
            bind(cid + "-likes", "style.fontWeight", T_LIKES_WEIGHT),
        ]
        bindings[cid + ".liked"] = [
            bind(cid, "className", T_LIKED_CLASS),
            bind(cid + "-like", "disabled"),
            bind(cid + "-like", "textContent", T_LIKED_LABEL),
            bind(cid + "-fav", "checked"),
        ]
        bindings[cid + ".content"] = [bind(cid + "-content", "textContent", when=when(status, "Ready"))]
        bindings[cid + ".edited"] = [bind(cid + "-edited", "style.display", T_SHOW_IF)]
        bindings[cid + ".status"] = [
            bind(cid + "-state", "textContent", T_TAG_LOWER),
            bind(cid + "-loading", "textContent", T_COMMENT_LOADING, when=when(status, "Loading")),
            bind(cid + "-error", "textContent", T_COMMENT_ERROR, when=when(status, "Error")),
        ]
        if parent[i] is None:
            bindings[cid + ".collapsed"] = [
                bind(cid + "-replies", "style.display", T_HIDE_IF),
                bind(cid + "-toggle", "textContent", T_COLLAPSE_LABEL),
            ]
    app = {"view": view, "state": state, "bindings": bindings}

    # -- the op log: a session of about 700 frames --
    log = OpLog()
    model = json.loads(json.dumps(state))
    alive = set(range(1, n + 1))          # comments still in the document
    pending = {}                          # comment -> frames until it resolves
    draft = ""
    feed_pending = None

    def c(i):
        return model["c%d" % i]

    def set_(path, value, into=None):
        node = model
        for seg in path[:-1]:
            node = node[seg]
        node[path[-1]] = value
        (into.append((path, value)) if into is not None else log.set(path, value))

    # The feed arrives.
    set_(["feed", "status"], {"tag": "Ready"})
    log.flush()
    for i in (n - 1, n):
        pending[i] = rng.randint(2, 6)

    frames = 800
    for frame in range(frames):
        if frame == 150:
            log.configure(1)              # a debug session: immediate mode
        elif frame == 210:
            log.configure(16)
        elif frame == 420:
            log.configure(None)
        if frame == 300:
            # A moderator removes a whole thread (its replies go with it).
            victim = max(range(1, threads + 1), key=lambda t: len(kids[t]))
            gone = [victim]
            k = 0
            while k < len(gone):
                gone += kids[gone[k]]
                k += 1
            log.remove("c%d" % victim)
            alive -= set(gone)
            removed_thread = gone
            set_(["feed", "count"], len(alive))
        if frame == 520:
            # A reply inside the removed thread: already gone, not an error.
            log.remove("c%d" % removed_thread[-1])
            # And a single leaf comment elsewhere.
            leaves = sorted(i for i in alive if not kids[i] and parent[i] is not None)
            leaf = leaves[len(leaves) // 2]
            log.remove("c%d" % leaf)
            alive.discard(leaf)
            set_(["feed", "count"], len(alive))

        events = rng.choice([1, 1, 2, 2, 3, 4, 6])
        for _ in range(events):
            r = rng.random()
            # Updates keep arriving for removed comments too (the server does
            # not know); their bindings find no element and are skipped.
            i = rng.randint(1, n)
            if r < 0.30:                                   # other readers like it
                set_(["c%d" % i, "likes"], c(i)["likes"] + rng.randint(1, 3))
            elif r < 0.42:                                 # this reader (un)likes
                liked = not c(i)["liked"]
                ops = []
                set_(["c%d" % i, "liked"], liked, ops)
                set_(["c%d" % i, "likes"], max(0, c(i)["likes"] + (1 if liked else -1)), ops)
                log.batch(ops)
            elif r < 0.50:                                 # the author edits it
                ops = []
                set_(["c%d" % i, "content"], sentence(rng), ops)
                set_(["c%d" % i, "edited"], True, ops)
                if rng.random() < 0.5:
                    # A key without bindings: changes the entity's layout.
                    set_(["c%d" % i, "editedAt"], 1767225600 + frame * 7, ops)
                log.batch(ops)
            elif r < 0.56:                                 # reload a comment
                if i not in pending:
                    set_(["c%d" % i, "status"], {"tag": "Loading"})
                    pending[i] = rng.randint(1, 5)
            elif r < 0.66:                                 # typing a reply
                if len(draft) < 60 or rng.random() < 0.1:
                    draft += rng.choice(WORDS) + " "
                else:
                    draft = draft[:-rng.randint(1, 6)]
                set_(["draft", "text"], draft)
            elif r < 0.69:                                 # send it
                if draft.strip():
                    draft = ""
                    set_(["draft", "text"], draft)
            elif r < 0.73:                                 # filter box
                f = model["feed"]["filter"]
                f = f + rng.choice("jitmapflush") if len(f) < 5 and rng.random() < 0.7 else ""
                set_(["feed", "filter"], f)
            elif r < 0.77:                                 # collapse a thread
                t = rng.randint(1, threads)
                set_(["c%d" % t, "collapsed"], not c(t)["collapsed"])
            elif r < 0.82:                                 # a repeated value: no-op
                set_(["c%d" % i, "liked"], c(i)["liked"])
            elif r < 0.84 and feed_pending is None:        # the connection drops
                set_(["feed", "status"], {"tag": "Error", "message": "Connection lost",
                                          "retry": rng.randint(1, 3)})
                feed_pending = rng.randint(2, 8)
            else:                                          # a quieter frame
                set_(["c%d" % i, "likes"], c(i)["likes"] + 1)

        # Comments that were loading resolve.
        for i in sorted(pending):
            pending[i] -= 1
            if pending[i] <= 0:
                del pending[i]
                if rng.random() < 0.85:
                    ops = []
                    set_(["c%d" % i, "content"], sentence(rng), ops)
                    set_(["c%d" % i, "status"], {"tag": "Ready"}, ops)
                    log.batch(ops)
                else:
                    set_(["c%d" % i, "status"], {"tag": "Error", "message": rng.choice(ERRORS)})
        if feed_pending is not None:
            feed_pending -= 1
            if feed_pending == 0:
                set_(["feed", "status"], {"tag": "Ready"})
                feed_pending = None
        if rng.random() < 0.9:            # most frames end with a flush
            log.flush()
    return app, log


# ==== cart: a shopping cart ====================================================

PRODUCTS = [
    ("Mechanical keyboard", 8999),
    ("USB-C cable, 2 m", 1299),
    ("27\" monitor", 32950),
    ("Laptop stand", 4525),
    ("Noise-cancelling headphones", 19900),
    ("Mouse pad (XL)", 1850),
    ("Webcam 1080p", 5999),
    ("Desk lamp", 3475),
]
COUPONS = {"SAVE10": 10, "JIT20": 20}
PAY_ERRORS = ["Card declined", "Insufficient funds", "Payment provider timed out",
              "Address could not be verified"]


def cart_example():
    rng = random.Random(4242)
    n = len(PRODUCTS)
    items = {}
    for k, (name, price) in enumerate(PRODUCTS, 1):
        qty = rng.choice([1, 1, 2, 3]) if k <= 5 else 0
        items["i%d" % k] = {"name": name, "priceCents": price, "qty": qty,
                            "stock": rng.choice([0, 2, 4, 12, 30, 50]) if k != 1 else 40}
    for it in items.values():
        if it["stock"] < it["qty"]:
            it["stock"] = it["qty"] + 10

    cart = {"coupon": "", "percent": 0, "express": False, "giftWrap": False, "giftNote": "",
            "status": {"tag": "Open"}}

    def totals():
        sub = sum(it["priceCents"] * it["qty"] for it in items.values())
        disc = sub * cart["percent"] // 100
        count = sum(it["qty"] for it in items.values())
        ship = 0 if count == 0 or sub - disc >= 5000 and not cart["express"] else (1500 if cart["express"] else 499)
        wrap = 350 if cart["giftWrap"] and count else 0
        return {"subtotal": money(sub), "discount": money(disc), "shipping": money(ship + wrap),
                "total": money(sub - disc + ship + wrap), "itemCount": count}

    def item_state(it):
        return {"name": it["name"], "price": money(it["priceCents"]), "qty": it["qty"],
                "total": money(it["priceCents"] * it["qty"]), "stock": it["stock"]}

    state = {"cart": {"status": cart["status"], "coupon": "", "appliedCoupon": "", "couponError": None,
                      "express": False, "giftWrap": False, "giftNote": "", **totals()}}
    for k in range(1, n + 1):
        state["i%d" % k] = item_state(items["i%d" % k])

    # -- the view --
    def stock_text(s):
        return "Out of stock" if s == 0 else ("Only %d left" % s if s < 5 else "In stock")

    def stock_class(s):
        return "stock " + ("out" if s == 0 else "low" if s < 5 else "ok")

    def row(k):
        iid = "i%d" % k
        it = state[iid]
        total_style = {"fontWeight": "bold"} if it["total"] >= 100 else None
        return el("tr", iid, {"className": "line", "style": hidden_unless(it["qty"] > 0)}, [
            el("td", iid + "-name", {"className": "name"}, [it["name"]]),
            el("td", iid + "-price", {"className": "price"}, ["$" + to_fixed(it["price"], 2)]),
            el("td", None, {"className": "qty"}, [
                el("button", iid + "-dec", {"type": "button", "onClick": "dec('%s')" % iid,
                                            "disabled": it["qty"] <= 1}, ["\u2212"]),
                el("input", iid + "-qty", {"type": "number", "min": 0, "value": it["qty"],
                                           "onInput": "qty('%s', event)" % iid}),
                el("button", iid + "-inc", {"type": "button", "onClick": "inc('%s')" % iid,
                                            "disabled": it["stock"] == 0}, ["+"]),
                el("span", iid + "-qty-label", {"className": "qty-label"}, ["\u00d7 %d" % it["qty"]]),
            ]),
            el("td", iid + "-stock", {"className": stock_class(it["stock"])}, [stock_text(it["stock"])]),
            el("td", iid + "-total", {"className": "total", **({"style": total_style} if total_style else {})},
               ["$" + to_fixed(it["total"], 2)]),
        ])

    c0 = state["cart"]
    view = el("div", "cart", {"className": "cart cart-open"}, [
        el("div", "promo-banner", {"className": "promo"}, ["Free shipping on orders over $50"]),
        el("h1", None, None, ["Your cart ", el("span", "cart-count", {"className": "count"},
                                               ["%d items" % c0["itemCount"]])]),
        el("p", "empty-msg", {"className": "empty", "style": {"display": "none"}}, ["Your cart is empty."]),
        el("table", "lines", {"className": "lines"}, [
            el("thead", None, None, [el("tr", None, None, [
                el("th", None, None, [h]) for h in ("Item", "Price", "Qty", "Stock", "Total")])]),
            el("tbody", None, None, [row(k) for k in range(1, n + 1)]),
        ]),
        el("div", "coupon-box", {"className": "coupon"}, [
            el("input", "coupon-input", {"type": "text", "placeholder": "Coupon code", "value": "",
                                         "autocomplete": "off", "onInput": "coupon(event)"}),
            el("button", "coupon-apply", {"type": "button", "disabled": True}, ["Apply"]),
            el("span", "coupon-note", {"className": "note"}, []),
            el("div", "coupon-error", {"className": "error", "style": {"display": "none"}}, []),
        ]),
        el("fieldset", "shipping-box", {"className": "shipping"}, [
            el("label", None, None, [
                el("input", "ship-standard", {"type": "radio", "name": "ship", "value": "standard",
                                              "checked": True}), " Standard"]),
            el("label", None, None, [
                el("input", "ship-express", {"type": "radio", "name": "ship", "value": "express"}),
                " Express"]),
            el("label", None, None, [
                el("input", "gift-wrap", {"type": "checkbox"}), " Gift wrap ($3.50)"]),
            el("div", "gift-note-row", {"style": {"display": "none"}}, [
                el("textarea", "gift-note", {"maxlength": 200, "placeholder": "A note for the gift"}),
                el("span", "gift-note-count", {"className": "hint"}, ["200 characters left"]),
            ]),
        ]),
        el("table", "summary", {"className": "summary"}, [
            el("tr", None, None, [el("td", None, None, ["Subtotal"]),
                                  el("td", "subtotal", None, ["$" + to_fixed(c0["subtotal"], 2)])]),
            el("tr", "discount-row", {"style": {"display": "none"}}, [
                el("td", None, None, ["Discount"]),
                el("td", "discount-amount", {"className": "discount"}, ["-$0.00"])]),
            el("tr", None, None, [el("td", None, None, ["Shipping"]),
                                  el("td", "shipping", None, ["Free" if c0["shipping"] == 0
                                                              else "$" + to_fixed(c0["shipping"], 2)])]),
            el("tr", None, {"className": "grand"}, [
                el("td", None, None, ["Total"]),
                el("td", "grand-total", {"style": {"fontWeight": "bold"}}, ["$" + to_fixed(c0["total"], 2)])]),
        ]),
        el("div", "checkout-box", None, [
            el("button", None, {"id": "checkout", "className": "primary", "type": "button",
                                "onClick": "checkout()"},
               [el("span", "pay-label", None, ["Pay $" + to_fixed(c0["total"], 2)])]),
            el("div", "checkout-spinner", {"className": "spinner", "style": {"display": "none"}}, []),
            el("div", "cart-error", {"className": "error", "role": "alert", "style": {"display": "none"}}, []),
            el("div", "confirmation", {"className": "ok", "style": {"display": "none"}}, []),
        ]),
    ])

    status = ["cart", "status"]
    bindings = {}
    for k in range(1, n + 1):
        iid = "i%d" % k
        bindings[iid + ".price"] = [bind(iid + "-price", "textContent", T_MONEY)]
        bindings[iid + ".qty"] = [
            bind(iid, "style.display", T_ROW_DISPLAY),
            bind(iid + "-qty", "value", when=when(status, "Open")),
            bind(iid + "-dec", "disabled", T_DEC_DISABLED),
            bind(iid + "-qty-label", "textContent", T_QTY_LABEL),
        ]
        bindings[iid + ".total"] = [
            bind(iid + "-total", "textContent", T_MONEY),
            bind(iid + "-total", "style.fontWeight", T_BOLD_100),
        ]
        bindings[iid + ".stock"] = [
            bind(iid + "-stock", "textContent", T_STOCK_TEXT),
            bind(iid + "-stock", "className", T_STOCK_CLASS),
            bind(iid + "-inc", "disabled", T_ZERO),
        ]
    bindings.update({
        "cart.itemCount": [
            bind("cart-count", "textContent", T_ITEM_COUNT),
            bind("empty-msg", "style.display", T_EMPTY_MSG),
            bind("#checkout", "disabled", T_ZERO),
        ],
        "cart.subtotal": [bind("subtotal", "textContent", T_MONEY)],
        "cart.discount": [
            bind("discount-row", "style.display", T_DISCOUNT_ROW),
            bind("discount-amount", "textContent", T_DISCOUNT),
            # When the discount changes, the note reads the code that the
            # host applied (a path with no bindings of its own).
            bind("coupon-note", "textContent", T_COUPON_NOTE, state_path=["cart", "appliedCoupon"]),
        ],
        "cart.shipping": [bind("shipping", "textContent", T_SHIPPING)],
        "cart.total": [
            bind("grand-total", "textContent", T_MONEY),
            bind("pay-label", "textContent", T_PAY_LABEL),
        ],
        "cart.status": [
            bind("cart", "className", T_CART_CLASS),
            bind("#checkout", "disabled", T_CHECKING_OUT),
            bind("checkout-spinner", "textContent", T_PLACING, when=when(status, "CheckingOut")),
            bind("cart-error", "textContent", T_PAY_FAILED, when=when(status, "Error")),
            bind("confirmation", "textContent", T_CONFIRMED, when=when(status, "Confirmed")),
        ],
        "cart.coupon": [
            bind("coupon-input", "value"),
            bind("coupon-apply", "disabled", T_COUPON_APPLY),
        ],
        "cart.couponError": [
            bind("coupon-error", "textContent", T_COUPON_ERROR),
            bind("coupon-error", "style.display", T_COUPON_ERROR_SHOW),
        ],
        "cart.express": [
            bind("ship-express", "checked"),
            bind("ship-standard", "checked", T_NOT),
        ],
        "cart.giftWrap": [
            bind("gift-wrap", "checked"),
            bind("gift-note-row", "style.display", T_SHOW_IF),
        ],
        "cart.giftNote": [
            bind("gift-note", "value"),
            bind("gift-note-count", "textContent", T_NOTE_LEFT),
        ],
    })
    app = {"view": view, "state": state, "bindings": bindings}

    # -- the op log: several shopping sessions --
    log = OpLog()
    alive = set(range(1, n + 1))
    order_no = 100417

    def recompute(ops, touched=()):
        """Sets for the touched items' qty/total and every cart total."""
        for k in touched:
            iid = "i%d" % k
            it = items[iid]
            ops.append(([iid, "total"], money(it["priceCents"] * it["qty"])))
            ops.append(([iid, "qty"], it["qty"]))
        for key, v in totals().items():
            ops.append((["cart", key], v))

    def frame_end():
        log.flush()

    def type_text(path, start, target, per_frame=1):
        """Keystrokes from start to target: backspaces, then characters."""
        cur = start
        while not target.startswith(cur):
            cur = cur[:-1]
            log.set(path, cur)
            frame_end()
        while cur != target:
            cur = target[:len(cur) + per_frame]
            log.set(path, cur)
            frame_end()
        return cur

    def open_items():
        return [k for k in range(1, n + 1) if items["i%d" % k]["qty"] > 0]

    frames = 0
    while len(log.lines) < 2600:
        frames += 1
        if frames == 60:
            log.configure(1)
        elif frames == 110:
            log.configure(4)
        elif frames == 260:
            log.configure(None)
        if frames == 200 and 8 in alive:
            # The product is discontinued: its row leaves the page. Price and
            # stock pushes for it keep arriving and are skipped.
            if items["i8"]["qty"]:
                items["i8"]["qty"] = 0
                ops = []
                recompute(ops, [8])
                log.batch(ops)
            log.remove("i8")
            alive.discard(8)
        if frames == 330:
            log.remove("promo-banner")
        r = rng.random()
        if cart["status"]["tag"] != "Open":
            pass
        elif r < 0.30:                                    # change a quantity
            k = rng.choice([k for k in range(1, n + 1) if k in alive])
            it = items["i%d" % k]
            step = rng.choice([1, 1, -1, -1, 2, -it["qty"]])
            it["qty"] = max(0, min(it["stock"], it["qty"] + step))
            ops = []
            recompute(ops, [k])
            log.batch(ops)
        elif r < 0.40:                                    # the server reprices
            k = rng.randint(1, n)
            it = items["i%d" % k]
            it["priceCents"] = max(99, it["priceCents"] + rng.choice([-500, -250, -1, 1, 250, 500]))
            ops = [(["i%d" % k, "price"], money(it["priceCents"]))]
            recompute(ops, [k])
            log.batch(ops)
        elif r < 0.50:                                    # stock level push
            k = rng.randint(1, n)
            it = items["i%d" % k]
            it["stock"] = max(it["qty"], it["stock"] + rng.choice([-3, -1, 5, 10]))
            if rng.random() < 0.15:
                it["stock"] = it["qty"]
            log.set(["i%d" % k, "stock"], it["stock"])
        elif r < 0.60:                                    # type a coupon
            code = rng.choice(["SAVE10", "JIT20", "FREESHIP", "save10", "xyz"])
            cur = type_text(["cart", "coupon"], cart["coupon"], code, per_frame=rng.choice([1, 2]))
            cart["coupon"] = cur
            pct = COUPONS.get(code.strip().upper(), 0)
            if pct:
                cart["percent"] = pct
                ops = [(["cart", "appliedCoupon"], code.strip().upper()),
                       (["cart", "couponError"], None)]
            else:
                cart["percent"] = 0
                ops = [(["cart", "appliedCoupon"], ""),
                       (["cart", "couponError"], "Code %s is not valid " % code.upper())]
            recompute(ops)
            log.batch(ops)
        elif r < 0.64:                                    # remove the coupon
            cart["coupon"] = ""
            cart["percent"] = 0
            ops = [(["cart", "coupon"], ""), (["cart", "appliedCoupon"], ""),
                   (["cart", "couponError"], None)]
            recompute(ops)
            log.batch(ops)
        elif r < 0.70:                                    # shipping options
            if rng.random() < 0.5:
                cart["express"] = not cart["express"]
                ops = [(["cart", "express"], cart["express"])]
            else:
                cart["giftWrap"] = not cart["giftWrap"]
                ops = [(["cart", "giftWrap"], cart["giftWrap"])]
            recompute(ops)
            log.batch(ops)
        elif r < 0.76 and cart["giftWrap"]:               # a gift note
            note = rng.choice(["Happy birthday!", "For the new desk. Enjoy",
                               "Thanks for all the code reviews \u2764", ""])
            cart["giftNote"] = type_text(["cart", "giftNote"], cart["giftNote"], note,
                                         per_frame=rng.choice([2, 3, 5]))
        elif r < 0.82:                                    # a no-op re-send
            log.set(["cart", "express"], cart["express"])
        elif r < 0.92 and open_items():                   # check out
            log.set(["cart", "status"], {"tag": "CheckingOut"})
            frame_end()
            for _ in range(rng.randint(1, 3)):
                frame_end()                               # waiting frames: nothing queued
            if rng.random() < 0.45:
                log.set(["cart", "status"], {"tag": "Error", "message": rng.choice(PAY_ERRORS)})
                cart["status"] = {"tag": "Error"}
            else:
                order_no += rng.randint(1, 40)
                log.set(["cart", "status"], {"tag": "Confirmed", "orderId": "A-%d" % order_no})
                cart["status"] = {"tag": "Confirmed"}
        else:                                             # add something
            k = rng.choice([k for k in range(1, n + 1) if k in alive])
            it = items["i%d" % k]
            if it["stock"] > it["qty"]:
                it["qty"] += 1
                ops = []
                recompute(ops, [k])
                log.batch(ops)
        if cart["status"]["tag"] == "Error" and rng.random() < 0.5:
            frame_end()
            log.set(["cart", "status"], {"tag": "Open"})
            cart["status"] = {"tag": "Open"}
        elif cart["status"]["tag"] == "Confirmed":
            frame_end()
            frame_end()
            # A new session: the cart empties, one or two things go back in.
            ops = [(["cart", "status"], {"tag": "Open"})]
            cart.update(status={"tag": "Open"}, coupon="", percent=0, giftWrap=False, giftNote="")
            ops += [(["cart", "coupon"], ""), (["cart", "appliedCoupon"], ""),
                    (["cart", "couponError"], None),
                    (["cart", "giftWrap"], False), (["cart", "giftNote"], "")]
            touched = []
            for k in range(1, n + 1):
                it = items["i%d" % k]
                if it["qty"]:
                    it["stock"] = max(0, it["stock"] - it["qty"])
                    ops.append((["i%d" % k, "stock"], it["stock"]))
                    it["qty"] = 0
                    touched.append(k)
            for k in rng.sample([k for k in range(1, n + 1) if k in alive], 2):
                it = items["i%d" % k]
                if it["stock"] > 0:
                    it["qty"] = 1
                    if k not in touched:
                        touched.append(k)
            recompute(ops, touched)
            log.batch(ops)
        if rng.random() < 0.85:
            frame_end()
    return app, log


# ==== dashboard: a terminal-style status screen =================================

SERVICES = ["api-gateway", "auth", "billing", "search", "indexer", "mailer",
            "scheduler", "storage-eu-west-1", "storage-us-east-2", "metrics"]
REASONS = ["p99 latency above SLO", "replica lag 12s", "disk 91% full",
           "error rate 2.3%", "GC pauses"]
LOG_TEXT = ["deploy started", "deploy finished", "health check failed", "health check ok",
            "config reloaded", "certificate renewed", "leader elected", "cache warmed",
            "connection pool exhausted", "backup completed"]


def clock(t):
    return "%02d:%02d:%02d" % (t // 3600 % 24, t // 60 % 60, t % 60)


def dashboard_example():
    rng = random.Random(7)
    n = len(SERVICES)
    svc = {}
    for k, name in enumerate(SERVICES, 1):
        svc["s%d" % k] = {"host": "%s.prod.internal" % name, "state": {"tag": "Up"},
                          "latency": round(rng.uniform(5, 80), 1), "cpu": round(rng.uniform(3, 60), 1),
                          "mem": rng.randint(300, 6000), "uptime": rng.randint(3600, 40 * 86400)}
    t0 = 9 * 3600 + 41 * 60
    state = {"sys": {"time": clock(t0), "mode": "live", "rps": 1520.0, "errors": 0,
                     "log1": None, "log2": None, "log3": None, "log4": None},
             "ui": {"autoscroll": True}}
    state.update(svc)

    def uptime_text(s):
        return "%dd %dh %dm" % (s // 86400, s % 86400 // 3600, s % 3600 // 60)

    def latency_color(v):
        return "red" if v > 250 else "orange" if v > 100 else None

    def row(k):
        sid = "s%d" % k
        s = state[sid]
        lat_style = {"color": latency_color(s["latency"])} if latency_color(s["latency"]) else None
        cpu = s["cpu"]
        return el("div", sid, {"className": "svc"}, [
            el("span", sid + "-host", {"className": "host", "title": s["host"]}, [s["host"][:12]]),
            el("span", sid + "-badge", {"className": "badge up"}, ["UP".rjust(8)]),
            el("span", sid + "-latency", {"className": "num", **({"style": lat_style} if lat_style else {})},
               [to_fixed(s["latency"], 1).rjust(7) + " ms"]),
            el("span", sid + "-cpu", {"className": "num"}, [("%d" % js_round(cpu)).rjust(3) + "%"]),
            el("span", None, {"className": "bar"}, [
                el("span", sid + "-cpu-bar", {"className": "fill", "style": {"width": to_fixed(cpu, 0) + "%"}}, [])]),
            el("span", sid + "-mem", {"className": "num"}, [to_fixed(s["mem"] / 1024, 2) + " GiB"]),
            el("span", sid + "-uptime", {"className": "num"}, [uptime_text(s["uptime"])]),
            el("pre", sid + "-reason", {"className": "reason", "style": {"display": "none"}}, []),
            el("pre", sid + "-down", {"className": "down", "style": {"display": "none"}}, []),
        ])

    view = el("div", "term", {"className": "terminal"}, [
        el("div", None, {"className": "topbar"}, [
            el("span", None, {"id": "clock", "className": "clock"}, [state["sys"]["time"]]),
            " ",
            el("span", "live", {"className": "live"}, ["LIVE"]),
            el("span", "paused", {"className": "paused", "style": {"display": "none"}}, []),
            " ",
            el("span", None, {"data-metric": "rps"}, ["  1520 req/s"]),
            " ",
            el("span", None, {"data-metric": "errors"}, ["0 errors"]),
            " ",
            el("button", "pause-btn", {"type": "button", "onClick": "togglePause()"}, ["Pause"]),
            el("label", None, None, [el("input", "autoscroll", {"type": "checkbox", "checked": True}),
                                     " autoscroll"]),
        ]),
        {"type": "fragment", "children": [row(k) for k in range(1, n + 1)]},
        el("div", "log", {"className": "log-pane"}, [
            el("pre", "log%d" % j, {"className": "log"}, []) for j in range(1, 5)]),
        {"type": "text", "text": "-- end of screen --"},
    ])

    bindings = {
        "sys.time": [bind("#clock", "textContent")],
        "sys.mode": [
            bind("live", "textContent", T_LIVE, when=when(["sys", "mode"], "live")),
            bind("paused", "textContent", T_PAUSED, when=when(["sys", "mode"], "paused")),
            bind("pause-btn", "textContent", T_PAUSE_BTN),
        ],
        "sys.rps": [bind('[data-metric="rps"]', "textContent", T_RPS)],
        "sys.errors": [
            bind('[data-metric="errors"]', "textContent", T_ERRORS),
            bind('[data-metric="errors"]', "style.color", T_ERRORS_COLOR),
        ],
        "ui.autoscroll": [bind("autoscroll", "checked")],
    }
    for j in range(1, 5):
        bindings["sys.log%d" % j] = [
            bind("log%d" % j, "textContent", T_LOG_LINE),
            bind("log%d" % j, "className", T_LOG_CLASS),
        ]
    for k in range(1, n + 1):
        sid = "s%d" % k
        st = [sid, "state"]
        bindings[sid + ".host"] = [bind(sid + "-host", "textContent", T_HOST_SHORT)]
        bindings[sid + ".state"] = [
            bind(sid + "-badge", "textContent", T_BADGE),
            bind(sid + "-badge", "className", T_BADGE_CLASS, when=when(st, "Up", total=True)),
            bind(sid + "-reason", "textContent", T_REASON, when=when(st, "Degraded")),
            bind(sid + "-down", "textContent", T_DOWN, when=when(st, "Down")),
        ]
        bindings[sid + ".latency"] = [
            bind(sid + "-latency", "textContent", T_LATENCY),
            bind(sid + "-latency", "style.color", T_LATENCY_COLOR),
        ]
        bindings[sid + ".cpu"] = [
            bind(sid + "-cpu", "textContent", T_CPU_TEXT),
            bind(sid + "-cpu-bar", "style.width", T_CPU_WIDTH),
        ]
        bindings[sid + ".mem"] = [bind(sid + "-mem", "textContent", T_MEM)]
        bindings[sid + ".uptime"] = [bind(sid + "-uptime", "textContent", T_UPTIME)]
    app = {"view": view, "state": state, "bindings": bindings}

    # -- the op log: one tick a second for ten minutes or so --
    log = OpLog()
    logs = [None, None, None, None]
    model = json.loads(json.dumps(svc))
    base_latency = {k: svc["s%d" % k]["latency"] for k in range(1, n + 1)}
    mode = "live"
    errors = 0
    t = t0
    tick = 0
    while len(log.lines) < 3000:
        tick += 1
        t += 1
        if tick == 120:
            log.configure(2)
        elif tick == 150:
            log.configure(None)
        if tick == 400:
            log.remove("s6")                  # the mailer is decommissioned
        if mode == "paused":
            log.set(["sys", "time"], clock(t))
            if rng.random() < 0.15:
                mode = "live"
                log.batch([(["sys", "mode"], mode)])
            log.flush()
            continue
        ops = [(["sys", "time"], clock(t)),
               (["sys", "rps"], round(rng.uniform(900, 2600), 2))]
        for k in rng.sample(range(1, n + 1), rng.randint(2, 6)):
            sid = "s%d" % k
            s = model[sid]
            s["uptime"] += rng.randint(1, 20)
            s["cpu"] = round(min(100.0, max(0.0, s["cpu"] + rng.uniform(-8, 8))), 1)
            tag = s["state"]["tag"]
            # A noisy walk pulled back toward the service's normal latency;
            # a degraded service runs slow.
            normal = base_latency[k] + (180 if tag == "Degraded" else 0)
            s["latency"] = round(max(1.0, 0.8 * s["latency"] * rng.uniform(0.85, 1.2)
                                     + 0.2 * normal), 1)
            ops += [([sid, "cpu"], s["cpu"]), ([sid, "latency"], s["latency"]),
                    ([sid, "uptime"], s["uptime"])]
            if rng.random() < 0.2:
                s["mem"] = max(128, s["mem"] + rng.randint(-256, 256))
                ops.append(([sid, "mem"], s["mem"]))
            r = rng.random()
            new = None
            if tag == "Up" and r < 0.04:
                new = {"tag": "Degraded", "reason": rng.choice(REASONS)}
            elif tag == "Up" and r < 0.055:
                new = {"tag": "Down", "since": clock(t), "checks": 1}
            elif tag == "Degraded" and r < 0.25:
                new = {"tag": "Up"}
            elif tag == "Down":
                new = ({"tag": "Up"} if r < 0.3 else
                       dict(s["state"], checks=s["state"]["checks"] + 1))
                if new["tag"] == "Up":
                    s["uptime"] = 0
                    ops.append(([sid, "uptime"], 0))
            if new is not None:
                s["state"] = new
                ops.append(([sid, "state"], new))
                level = {"Up": "info", "Degraded": "warn", "Down": "error"}[new["tag"]]
                if new["tag"] == "Down":
                    errors += 1
                logs = logs[1:] + [{"time": clock(t), "level": level,
                                    "text": "%s: %s" % (SERVICES[k - 1], new["tag"].lower())}]
                ops += [(["sys", "log%d" % (j + 1)], logs[j]) for j in range(4)]
                ops.append((["sys", "errors"], errors))
        if rng.random() < 0.05:
            logs = logs[1:] + [{"time": clock(t), "level": "info", "text": rng.choice(LOG_TEXT)}]
            ops += [(["sys", "log%d" % (j + 1)], logs[j]) for j in range(4)]
        if rng.random() < 0.03:
            k = rng.randint(1, n)
            host = "%s-%d.prod.internal" % (SERVICES[k - 1], rng.randint(2, 9))
            ops.append((["s%d" % k, "host"], host))
        if tick % 5 == 0:
            # The host's sampler: plain sets, flushed by the frame below.
            for path, value in ops:
                log.set(path, value)
        else:
            log.batch(ops)
        if rng.random() < 0.02:
            mode = "paused"
            log.set(["sys", "mode"], mode)
        if rng.random() < 0.01:
            log.set(["ui", "autoscroll"], rng.random() < 0.5)
        log.flush()
    return app, log


# ---- optional check: run every transform in node on the values it will see --

NODE_CHECK = r"""
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = [];
for (const c of cases) {
  const f = (0, eval)('(' + c.src + ')');
  let thrown = 0, first = null;
  for (const v of c.values) {
    try { f(v === '__undefined__' ? undefined : v); }
    catch (e) { thrown++; if (first === null) first = JSON.stringify(v) + ': ' + e.message; }
  }
  if (thrown) out.push(`${c.where}: ${c.src}: throws for ${thrown} of ${c.values.length} values, e.g. ${first}`);
}
console.log(out.join('\n') || 'no transform throws');
"""


def node_check(name, app, log):
    def flat(ops):
        for op in ops:
            if op["op"] == "batch":
                yield from flat(op["ops"])
            else:
                yield op

    def get(path):
        node = app["state"]
        for seg in path:
            if not isinstance(node, dict) or seg not in node:
                return "__undefined__"
            node = node[seg]
        return node

    seen = {}
    for key in app["bindings"]:
        seen[key] = [get(key.split("."))]
    for op in flat(log.lines):
        if op["op"] == "set":
            seen.setdefault(".".join(op["path"]), []).append(op["value"])
    cases = []
    for key, bs in app["bindings"].items():
        for b in bs:
            if "transform" not in b:
                continue
            read = ".".join(b["statePath"]) if "statePath" in b else key
            values = list({json.dumps(v): v for v in seen.get(read, [])}.values())
            cases.append({"where": "%s %s" % (name, key), "src": b["transform"], "values": values})
    res = subprocess.run(["node", "-e", NODE_CHECK], input=json.dumps(cases),
                         capture_output=True, text=True, check=True)
    print(res.stdout.strip())


def main():
    check = "--check" in sys.argv[1:]
    for name, make in (("comments", comments_example), ("cart", cart_example),
                       ("dashboard", dashboard_example)):
        app, log = make()
        write_example(name, app, log)
        if check:
            node_check(name, app, log)


if __name__ == "__main__":
    main()

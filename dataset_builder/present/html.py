"""A record as a self-contained HTML page, and an index of such pages.

Everything the page shows comes from the record and is escaped: article text is untrusted.
The page loads nothing (inline CSS only; its Content-Security-Policy forbids any other
source), so it opens the same from a file, a mail attachment or a course site. Every event
date is a `<mark class="date">` with its TIMEX3 value and interval (`data-timex`,
`data-start`, `data-end`, `title`); topic evidence is a `<span class="ev t-…">` per stretch
of text, with a class and a `data-topic` code for every topic whose evidence covers it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from dataset_builder.present.marks import (
    DateMark,
    DateNode,
    FieldView,
    RecordView,
    Segment,
    TopicMark,
)

# The angle between successive topic hues: the golden angle keeps neighbours apart
# however many topics a record has.
HUE_STEP = 137.508

PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
# Marks the pages written here: a page is replaced only when it carries this tag.
GENERATOR = "dataset-builder show"
INDEX_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

BASE_CSS = """
:root { color-scheme: light; }
body { font: 16px/1.55 system-ui, sans-serif; margin: 0 auto; max-width: 72rem;
  padding: 1rem 1.5rem; color: #1d1d1f; background: #fff;
  display: grid; grid-template-columns: minmax(0, 1fr) 22rem; gap: 2rem; }
@media (max-width: 60rem) { body { display: block; } }
nav { grid-column: 1 / -1; }
h1 { font-size: 1.6rem; line-height: 1.3; margin: .3rem 0 1rem; }
h2 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; color: #444; }
.field { white-space: pre-wrap; overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem;
  font-size: .9rem; color: #333; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
mark.date { background: #fff3b0; color: inherit; border-bottom: 2px solid #a07800;
  padding: 0 .05em; }
mark.date::after { content: attr(data-number); font-size: .7em; vertical-align: super;
  color: #7a5c00; padding-left: .1em; }
.ev { border-radius: .2em; box-shadow: inset 0 -2px 0 rgba(0,0,0,.25); }
aside.legend { font-size: .9rem; }
aside.legend table { border-collapse: collapse; width: 100%; }
aside.legend td { padding: .15rem .3rem; vertical-align: top; }
.swatch { display: inline-block; min-width: 1.2em; border-radius: .2em; padding: 0 .3em; }
ol.dates { padding-left: 1.6rem; } ol.dates li { margin: .2rem 0; }
.code, .timex { font-family: ui-monospace, monospace; font-size: .85em; }
.problems { color: #8a1c1c; }
"""


@dataclass(frozen=True)
class IndexEntry:
    """One row of the index page: a page written for a record, and what filters it."""

    href: str
    record_id: str
    kind: str  # article | teaser
    title: str
    outlet: str
    date: str  # ISO date, or "" when unknown
    language: str
    split: str
    topics: tuple[tuple[str, str], ...]  # (code, label), best first


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def topic_class(code: str) -> str:
    """A CSS class for a topic code: `medtop:11000000` -> `t-11000000`."""
    return "t-" + re.sub(r"[^A-Za-z0-9_-]", "_", code.removeprefix("medtop:"))


def topic_colour(rank: int) -> str:
    """Background colour of the topic ranked `rank` (0 = best scored)."""
    return f"hsl({round(rank * HUE_STEP % 360, 1)} 85% 84%)"


def _topic_css(topics: Sequence[TopicMark]) -> str:
    rules: list[str] = []
    # Equal specificity: the rule written last wins, so the best-scored topic's colour
    # shows where evidence of several topics coincides.
    for topic in reversed(topics):
        fill = topic_colour(topic.rank)
        rules.append(f".{topic_class(topic.code)} {{ background-color: {fill}; }}")
    # Choosing one topic in the legend highlights its evidence only (CSS, no script).
    for topic in topics:
        name = topic_class(topic.code)
        fill = topic_colour(topic.rank)
        rules.append(
            f"body:has(#focus-{name}:checked) .ev:not(.{name}) "
            "{ background-color: transparent; box-shadow: none; }"
        )
        rules.append(f"body:has(#focus-{name}:checked) .ev.{name} {{ background-color: {fill}; }}")
    return "\n".join(rules)


def _interval_attributes(date: DateMark) -> str:
    """`data-start` and `data-end`, when the date has a calendar interval."""
    if date.start_date is None or date.end_date is None:
        return ' data-underspecified=""'
    return f' data-start="{_e(date.start_date)}" data-end="{_e(date.end_date)}"'


class _Drawer:
    """Draws the fields of one page: date ids are unique on it."""

    def __init__(self, view: RecordView) -> None:
        self.codes = {t.rank: t.code for t in view.topics}
        self.labels = {t.rank: t.label for t in view.topics}
        self.dates = {d.number: d for d in view.dates}
        self.opened: set[int] = set()

    def segment(self, text: str, ranks: tuple[int, ...]) -> str:
        if not ranks:
            return _e(text)
        codes = [self.codes[r] for r in ranks]
        classes = " ".join(dict.fromkeys(topic_class(c) for c in codes))
        labels = "; ".join(f"{self.labels[r]} ({self.codes[r]})" for r in ranks)
        return (
            f'<span class="ev {_e(classes)}" data-topic="{_e(" ".join(codes))}" '
            f'title="{_e(labels)}">{_e(text)}</span>'
        )

    def node(self, node: Segment | DateNode) -> str:
        if isinstance(node, Segment):
            return self.segment(node.text, node.topics)
        inner = "".join(self.node(child) for child in node.children)
        date = self.dates[node.number]
        # A date drawn in parts (it overlaps another) carries its id on the first part.
        anchor = "" if node.number in self.opened else f' id="date-{node.number}"'
        self.opened.add(node.number)
        return (
            f'<mark class="date"{anchor} data-number="{node.number}" '
            f'data-timex="{_e(date.timex)}"{_interval_attributes(date)} '
            f'title="{_e(date.describe())}">{inner}</mark>'
        )

    def field(self, view: FieldView) -> str:
        return "".join(self.node(node) for node in view.nodes)


def _facts(view: RecordView, parent_href: str | None) -> list[tuple[str, str]]:
    """(name, HTML) pairs of the record's facts."""
    record = view.record

    def text(name: str) -> str:
        value = record.get(name)
        return "unknown" if value is None else _e(value)

    facts = [("id", f'<span class="code">{text("id")}</span> ({view.kind})')]
    if view.kind == "article":
        precision = record.get("published_date_precision")
        how = text("published_date_source") + (f", {_e(precision)}" if precision else "")
        facts += [("outlet", text("outlet")), ("date", f"{text('published_date')} ({how})")]
    else:
        parent = text("parent_id")
        if parent_href:
            parent = f'<a href="{_e(parent_href)}">{parent}</a>'
        facts += [
            ("under", f"article {parent}, teaser {text('position')}"),
            ("date", f"{text('reference_date')} ({text('reference_date_source')})"),
        ]
    confidence = record.get("language_confidence")
    sure = f", confidence {confidence:.2f}" if isinstance(confidence, float) else ""
    facts += [
        ("language", f"{text('language')} ({text('script')}{sure})"),
        ("split", text("split")),
    ]
    for name in ("url", "original_url"):
        value = record.get(name)
        if isinstance(value, str) and re.match(r"https?://", value):
            facts.append((name.replace("_", " "), f'<a href="{_e(value)}">{_e(value)}</a>'))
    if record.get("translated_from"):
        facts.append(("translated from", text("translated_from")))
    if record.get("rights"):
        facts.append(("rights", text("rights")))
    return facts


def _legend(view: RecordView) -> str:
    parts = ['<aside class="legend">', f"<h2>Topics ({len(view.topics)})</h2>"]
    if view.topics:
        parts.append("<table>")
        parts.append(
            '<tr><td><input type="radio" name="focus" id="focus-all" checked></td>'
            '<td colspan="2"><label for="focus-all">highlight every topic</label></td></tr>'
        )
        for topic in view.topics:
            name = topic_class(topic.code)
            parts.append(
                f'<tr class="topic" data-topic="{_e(topic.code)}">'
                f'<td><input type="radio" name="focus" id="focus-{_e(name)}"></td>'
                f'<td><label for="focus-{_e(name)}"><span class="swatch {_e(name)}">'
                f"{_e(topic.label)}</span></label></td>"
                f'<td><span class="code">{_e(topic.code)}</span> level {topic.level}, '
                f"score {topic.score:g}, {topic.evidence_count} terms</td></tr>"
            )
        parts.append("</table>")
        primary = view.record.get("primary_topic")
        if primary:
            parts.append(f'<p>primary topic: <span class="code">{_e(primary)}</span></p>')
    else:
        parts.append("<p>none assigned</p>")
    parts.append(f"<h2>Event dates ({len(view.dates)})</h2>")
    if view.dates:
        parts.append('<ol class="dates">')
        for date in view.dates:
            parts.append(
                f'<li value="{date.number}"><a href="#date-{date.number}">{_e(date.text)}</a> '
                f'<span class="timex">{_e(date.timex)}</span> {_e(date.interval())}'
                + (f", relative to {_e(date.reference_date)}" if date.relative else "")
                + "</li>"
            )
        parts.append("</ol>")
    else:
        parts.append("<p>none found</p>")
    if view.problems:
        parts.append('<h2>Not marked</h2><ul class="problems">')
        parts += [f"<li>{_e(problem)}</li>" for problem in view.problems]
        parts.append("</ul>")
    parts.append("</aside>")
    return "\n".join(parts)


def _head(title: str, language: str, policy: str, css: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_e(language)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        f'<meta name="generator" content="{GENERATOR}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{css}</style>\n</head>\n"
    )


def article_page(
    view: RecordView, index_href: str | None = None, parent_href: str | None = None
) -> str:
    """A whole page for one record: its fields with marks, its facts and the legend."""
    drawer = _Drawer(view)
    language = str(view.record.get("language") or "und")
    heading, *rest = view.fields or (None,)
    parts = [
        _head(view.heading or view.id, language, PAGE_POLICY, BASE_CSS + _topic_css(view.topics))
    ]
    parts.append("<body>")
    if index_href:
        parts.append(f'<nav><a href="{_e(index_href)}">← all articles</a></nav>')
    parts.append("<article>")
    if heading is not None:
        parts.append(
            f'<h1 class="field" data-field="{_e(heading.name)}">{drawer.field(heading)}</h1>'
        )
    parts.append('<dl class="facts">')
    parts += [f"<dt>{_e(name)}</dt><dd>{value}</dd>" for name, value in _facts(view, parent_href)]
    parts.append("</dl>")
    for field_view in rest:
        if field_view is None:
            continue
        index = "" if field_view.index is None else f' data-field-index="{field_view.index}"'
        parts.append(
            f"<section><h2>{_e(field_view.label.capitalize())}</h2>"
            f'<div class="field" data-field="{_e(field_view.name)}"{index}>'
            f"{drawer.field(field_view)}</div></section>"
        )
    parts.append("</article>")
    parts.append(_legend(view))
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)


INDEX_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 80rem;
  padding: 1rem 1.5rem; color: #1d1d1f; background: #fff; }
form.filters { display: flex; flex-wrap: wrap; gap: .6rem 1.2rem; margin: 1rem 0; }
form.filters label { display: flex; flex-direction: column; font-size: .85rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid #ddd;
  vertical-align: top; }
tr[hidden] { display: none; }
.code { font-family: ui-monospace, monospace; font-size: .85em; }
"""

# Filters the rows by the data attributes their select names; runs from file:// as
# well as from a server, and without it every row stays listed. The chosen filters are
# kept in the address (#language=sv&year=2025), so a filtered list can be linked to.
INDEX_SCRIPT = """
(function () {
  var form = document.getElementById("filters");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tbody tr"));
  var shown = document.getElementById("shown");
  function apply() {
    var selects = form.querySelectorAll("select");
    var count = 0;
    rows.forEach(function (row) {
      var keep = true;
      Array.prototype.forEach.call(selects, function (select) {
        if (!select.value) { return; }
        var values = (row.getAttribute("data-" + select.name) || "").split(" ");
        if (values.indexOf(select.value) < 0) { keep = false; }
      });
      row.hidden = !keep;
      if (keep) { count += 1; }
    });
    shown.textContent = String(count);
  }
  function remember() {
    var pairs = [];
    Array.prototype.forEach.call(form.querySelectorAll("select"), function (select) {
      if (select.value) {
        pairs.push(encodeURIComponent(select.name) + "=" + encodeURIComponent(select.value));
      }
    });
    try { history.replaceState(null, "", "#" + pairs.join("&")); } catch (e) { /* kept */ }
  }
  // A link such as index.html#language=sv&year=2025 opens with those filters chosen.
  location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
    var parts = pair.split("=");
    if (parts.length !== 2) { return; }
    var select = form.querySelector("select[name='" + decodeURIComponent(parts[0])
      .replace(/[^a-z]/g, "") + "']");
    var value = decodeURIComponent(parts[1]);
    if (select && Array.prototype.some.call(select.options, function (o) {
      return o.value === value;
    })) { select.value = value; }
  });
  form.addEventListener("change", function () { apply(); remember(); });
  form.addEventListener("reset", function () { setTimeout(function () { apply(); remember(); }, 0); });
  apply();
})();
"""

FILTERS = (
    ("language", "Language"),
    ("outlet", "Outlet"),
    ("topic", "Topic"),
    ("year", "Year"),
    ("kind", "Kind"),
)


def _filter_value(text: str) -> str:
    """A value as one token of a space-separated data attribute."""
    return re.sub(r"\s", "_", text) or "unknown"


def _row_values(entry: IndexEntry) -> dict[str, list[str]]:
    return {
        "language": [entry.language or "unknown"],
        "outlet": [_filter_value(entry.outlet)],
        "topic": [code for code, _ in entry.topics],
        "year": [entry.date[:4] if entry.date else "unknown"],
        "kind": [entry.kind],
    }


def index_page(entries: Sequence[IndexEntry], title: str) -> str:
    """The list of pages with filters on language, outlet, topic, year and kind."""
    options: dict[str, dict[str, str]] = {name: {} for name, _ in FILTERS}
    for entry in entries:
        values = _row_values(entry)
        options["language"].setdefault(values["language"][0], values["language"][0])
        options["outlet"].setdefault(values["outlet"][0], entry.outlet or "unknown")
        for code, label in entry.topics:
            options["topic"].setdefault(code, f"{label} ({code})")
        options["year"].setdefault(values["year"][0], values["year"][0])
        options["kind"].setdefault(entry.kind, entry.kind)
    parts = [_head(title, "en", INDEX_POLICY, INDEX_CSS), "<body>", f"<h1>{_e(title)}</h1>"]
    parts.append('<form class="filters" id="filters">')
    for name, label in FILTERS:
        choices = sorted(options[name].items(), key=lambda item: item[1].casefold())
        parts.append(
            f'<label>{label}<select name="{name}" id="filter-{name}">'
            '<option value="">all</option>'
            + "".join(f'<option value="{_e(v)}">{_e(shown)}</option>' for v, shown in choices)
            + "</select></label>"
        )
    parts.append('<button type="reset">show all</button></form>')
    parts.append(f'<p><span id="shown">{len(entries)}</span> of {len(entries)} shown</p>')
    parts.append(
        "<table><thead><tr><th>id</th><th>title</th><th>outlet</th><th>date</th>"
        "<th>language</th><th>split</th><th>topics</th></tr></thead><tbody>"
    )
    for entry in entries:
        data = " ".join(
            f'data-{name}="{_e(" ".join(values))}"' for name, values in _row_values(entry).items()
        )
        topics = ", ".join(_e(label) for _, label in entry.topics)
        parts.append(
            f'<tr {data}><td class="code">{_e(entry.record_id)}</td>'
            f'<td><a href="{_e(entry.href)}">{_e(entry.title)}</a></td>'
            f"<td>{_e(entry.outlet or 'unknown')}</td><td>{_e(entry.date or 'unknown')}</td>"
            f"<td>{_e(entry.language)}</td><td>{_e(entry.split)}</td><td>{topics}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append(f"<script>{INDEX_SCRIPT}</script>")
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)

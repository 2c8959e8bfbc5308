"""An annotated record cut into marked segments, shared by the terminal and HTML views.

Event dates and topic evidence carry code-point offsets into the field they name
(`title`, `lead`, `body`, `caption` with its position in `captions`; `headline`,
`summary`, `caption` for a teaser), the same segments the annotators saw
(`annotators.segments.record_segments`). Both views draw dates as the outer marks and
topic evidence inside them, so a date stays one mark however evidence crosses it; a stretch
of text gets one inner mark naming every topic whose evidence covers it. A date inside
another nests in it; two dates that overlap without one holding the other are drawn with
the later one in parts. A span that does
not fit its field (out of range, empty, or not the text it claims) is left unmarked and
reported, never guessed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dataset_builder.annotators.segments import ARTICLE_FIELDS, RELATED_FIELDS, record_segments


@dataclass(frozen=True)
class DateMark:
    """An event date, numbered in reading order (1, 2, ...)."""

    number: int
    text: str
    timex: str
    start_date: str | None  # None when the TIMEX3 value is underspecified (2021-07-XX)
    end_date: str | None
    granularity: str
    relative: bool
    reference_date: str | None

    def interval(self) -> str:
        if self.start_date is None or self.end_date is None:
            return "no calendar interval: underspecified"
        return f"{self.start_date}..{self.end_date}"

    def describe(self) -> str:
        """The date's value and interval, as the legend and the page's tooltips show it."""
        how = f"{self.granularity}, relative to {self.reference_date}" if self.relative else ""
        return f"{self.timex} ({self.interval()})" + (f" {how}" if how else "")


@dataclass(frozen=True)
class TopicMark:
    """A topic of the record, with its place in the record's list (0 = best scored)."""

    rank: int
    code: str
    label: str
    level: int
    score: float
    evidence_count: int


@dataclass(frozen=True)
class Segment:
    """A stretch of a field with the same marks throughout."""

    text: str
    dates: tuple[int, ...]  # numbers of the event dates covering it, outer first
    topics: tuple[int, ...]  # ranks of the topics whose evidence covers it, best first


@dataclass(frozen=True)
class DateNode:
    """An event date's mark around its text (segments and the dates nested in it).

    A date that overlaps another without holding it is drawn in parts: one node each.
    """

    number: int
    children: tuple[Segment | DateNode, ...]


@dataclass(frozen=True)
class FieldView:
    name: str  # title | lead | body | caption | headline | summary
    index: int | None  # position in `captions`, or None
    text: str
    nodes: tuple[Segment | DateNode, ...]  # in text order

    @property
    def label(self) -> str:
        return self.name if self.index is None else f"{self.name} {self.index + 1}"


@dataclass(frozen=True)
class RecordView:
    """What both views show of a record: its fields cut into nodes, its dates and topics."""

    record: Mapping[str, Any]
    kind: str  # article | teaser
    fields: tuple[FieldView, ...]
    dates: tuple[DateMark, ...]
    topics: tuple[TopicMark, ...]
    problems: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        return str(self.record.get("id", ""))

    @property
    def heading(self) -> str:
        return str(self.record.get("title" if self.kind == "article" else "headline") or "")

    def field_view(self, name: str, index: int | None = None) -> FieldView | None:
        return next((f for f in self.fields if (f.name, f.index) == (name, index)), None)


def record_kind(record: Mapping[str, Any]) -> str:
    """`teaser` for a record of the related configuration, `article` otherwise."""
    return "teaser" if "headline" in record and "title" not in record else "article"


def _iso(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _span(
    entry: Mapping[str, Any], texts: Mapping[tuple[str, int | None], str], expected_key: str
) -> tuple[tuple[str, int | None], int, int] | str:
    """The field key and offsets of an annotation, or why they do not fit the record."""
    key = (str(entry.get("field")), entry.get("field_index"))
    where = f"{key[0]}[{key[1]}]" if key[1] is not None else key[0]
    text = texts.get(key)
    start, end = entry.get("span_start"), entry.get("span_end")
    if text is None:
        return f"names field {where}, which the record does not have"
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        return f"offsets {start}..{end} lie outside {where} ({len(text)} characters)"
    expected = entry.get(expected_key)
    if text[start:end] != expected:
        return f"{expected_key} {expected!r} is not {where}[{start}:{end}] {text[start:end]!r}"
    return key, start, end


def _cut(
    text: str,
    date_spans: Sequence[tuple[int, int, int]],
    topic_spans: Sequence[tuple[int, int, int]],
) -> tuple[Segment | DateNode, ...]:
    """Cut `text` where any mark starts or ends, and nest the segments in their dates.

    Spans are (start, end, date number or topic rank), sorted by start, longest first.
    """
    bounds = sorted({0, len(text)} | {p for s, e, _ in [*date_spans, *topic_spans] for p in (s, e)})
    root: list[Segment | DateNode] = []
    # The dates open at this point, outer first, each with the children gathered so far.
    open_dates: list[tuple[int, list[Segment | DateNode]]] = []

    def close_to(depth: int) -> None:
        while len(open_dates) > depth:
            number, children = open_dates.pop()
            (open_dates[-1][1] if open_dates else root).append(DateNode(number, tuple(children)))

    for left, right in itertools.pairwise(bounds):
        dates = tuple(_covering(date_spans, left, right))
        topics = tuple(sorted(set(_covering(topic_spans, left, right))))
        # Keep the dates that stay open; close the rest (and those inside them), open anew.
        keep = 0
        while keep < min(len(open_dates), len(dates)) and open_dates[keep][0] == dates[keep]:
            keep += 1
        close_to(keep)
        open_dates.extend((number, []) for number in dates[keep:])
        # Every bound is where a mark starts or ends: two terms side by side stay two.
        (open_dates[-1][1] if open_dates else root).append(Segment(text[left:right], dates, topics))
    close_to(0)
    return tuple(root)


def _covering(spans: Sequence[tuple[int, int, int]], left: int, right: int) -> list[int]:
    # Spans are sorted by start (then longest first), so the outer mark comes first.
    return [n for s, e, n in spans if s <= left and right <= e]


def record_view(record: Mapping[str, Any]) -> RecordView:
    """Cut a published record (article or teaser) into the nodes both views draw."""
    kind = record_kind(record)
    names = ARTICLE_FIELDS if kind == "article" else RELATED_FIELDS
    segments = record_segments(record, names)
    texts = {(s.field, s.field_index): s.text for s in segments}
    order = {key: i for i, key in enumerate(texts)}
    problems: list[str] = []

    placed_dates: list[tuple[tuple[str, int | None], int, int, Mapping[str, Any]]] = []
    for i, entry in enumerate(record.get("event_dates") or []):
        span = _span(entry, texts, "text")
        if isinstance(span, str):
            problems.append(f"event_dates[{i}]: {span}; not marked")
        else:
            placed_dates.append((*span, entry))
    placed_dates.sort(key=lambda d: (order[d[0]], d[1], -d[2]))
    dates = tuple(
        DateMark(
            number=n,
            text=str(entry["text"]),
            timex=str(entry.get("timex")),
            start_date=_iso(entry.get("start_date")),
            end_date=_iso(entry.get("end_date")),
            granularity=str(entry.get("granularity")),
            relative=bool(entry.get("relative")),
            reference_date=_iso(entry.get("reference_date")),
        )
        for n, (_, _, _, entry) in enumerate(placed_dates, start=1)
    )

    topics: list[TopicMark] = []
    topic_spans: dict[tuple[str, int | None], list[tuple[int, int, int]]] = {}
    for rank, topic in enumerate(record.get("topics") or []):
        evidence = topic.get("evidence") or []
        topics.append(
            TopicMark(
                rank=rank,
                code=str(topic.get("code")),
                label=str(topic.get("label") or topic.get("code")),
                level=int(topic.get("level") or 1),
                score=float(topic.get("score") or 0),
                evidence_count=len(evidence),
            )
        )
        for j, entry in enumerate(evidence):
            span = _span(entry, texts, "term")
            if isinstance(span, str):
                problems.append(
                    f"topics[{rank}].evidence[{j}] ({topic.get('code')}): {span}; not marked"
                )
            else:
                topic_spans.setdefault(span[0], []).append((span[1], span[2], rank))

    date_spans: dict[tuple[str, int | None], list[tuple[int, int, int]]] = {}
    for (key, start, end, _), mark in zip(placed_dates, dates, strict=True):
        date_spans.setdefault(key, []).append((start, end, mark.number))
    views = tuple(
        FieldView(
            name=s.field,
            index=s.field_index,
            text=s.text,
            nodes=_cut(
                s.text,
                date_spans.get((s.field, s.field_index), []),
                sorted(topic_spans.get((s.field, s.field_index), []), key=lambda t: (t[0], -t[1])),
            ),
        )
        for s in segments
    )
    return RecordView(record, kind, views, dates, tuple(topics), tuple(problems))

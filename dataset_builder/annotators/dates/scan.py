"""Scanning a text for date expressions, and resolving what was found.

Tagging is two steps: scanning a text finds the rule matches (what each expression says),
resolving places them on the calendar against a reference date. A record is scanned once
(`FoundDates`); its matches are resolved twice when its date must first be inferred from
them.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from dataset_builder.annotators.dates.fields import Fields
from dataset_builder.annotators.dates.resolve import PRECISIONS, RESOLVERS, Reference, Resolved
from dataset_builder.annotators.dates.rules import Tagger, compile_tagger
from dataset_builder.annotators.languages import UNDETERMINED, scan_languages
from dataset_builder.annotators.segments import Segment
from dataset_builder.config import RESOURCES_DIR

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)

Mention = dict[str, Any]


class InferredDate(NamedTuple):
    date: datetime.date
    precision: str  # "day" | "month" | "year"


def normalise_language(language: str, *, root: Path = RESOURCES_DIR) -> str:
    """ "zh-Hant" -> "zh"; codes of no language declared under `root` become "und"."""
    code = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in scan_languages(root) else UNDETERMINED


class _Match(NamedTuple):
    """A rule's match in a text, not yet resolved; offsets into the text."""

    start: int
    end: int
    kind: str
    fields: Fields


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end in spans)


def _scanned(tagger: Tagger, text: str) -> Iterator[re.Match[str]]:
    """What `tagger.scanner.finditer(text)` yields; faster where the resource names the
    characters a date starts with (`start_chars`), as the scan then jumps between them."""
    if tagger.starts is None:
        yield from tagger.scanner.finditer(text)
        return
    position = 0
    while (start := tagger.starts.search(text, position)) is not None:
        scanned = tagger.scanner.match(text, start.start())
        if scanned is None:
            position = start.start() + 1
        elif scanned.end() > scanned.start():
            yield scanned
            position = scanned.end()
        else:  # an empty match: finditer's rule for what may follow it applies from here
            yield from tagger.scanner.finditer(text, start.start())
            return


# How far back the clause of a match is searched for a cue of tense.
_CLAUSE_BEFORE = 80
# A full stop after a capital letter ends an abbreviation ("U.S."), not a sentence.
_CLAUSE_END = re.compile(r"(?<![A-Z])[.!?](?=\s)|[;\n]")


def _future_before(tagger: Tagger, text: str, start: int) -> bool:
    if tagger.future_before is None:
        return False
    before = text[max(0, start - _CLAUSE_BEFORE) : start]
    ends = list(_CLAUSE_END.finditer(before))
    if ends:
        before = before[ends[-1].end() :]
    return tagger.future_before.search(before) is not None


def _scan(tagger: Tagger, text: str) -> list[_Match]:
    """The matches of one language's rules in `text`, in text order."""
    folded = text.translate(tagger.fold) if tagger.foldable.search(text) else text
    urls = [m.span() for m in _URL.finditer(folded)] if "/" in folded or "www" in folded else []
    found: list[_Match] = []
    for scanned in _scanned(tagger, folded):
        rule = tagger.rules[scanned.lastgroup or ""]
        # The first rule to match at a position matches the same text on its own.
        match = rule.pattern.match(folded, scanned.start())
        assert match is not None and match.end() == scanned.end()
        span_group = rule.groups.get("t")
        start, end = match.span(span_group[0][0]) if span_group else match.span()
        if start == end or (urls and _overlaps(start, end, urls)):
            continue
        fields = Fields(tagger, rule, match)
        if not fields.has("fut") and _future_before(tagger, folded, start):
            fields.assume("fut", 1)
        found.append(_Match(start, end, rule.kind, fields))
    return found


def _fiscal_start(matches: Iterable[_Match]) -> int | None:
    """The month the fiscal years of a text start, where one of them says it ("the fiscal
    year beginning in April", "ending on March 31"): split years ("1987/88") take it."""
    for match in matches:
        if match.kind != "fiscal_year":
            continue
        first, last = match.fields.number("m"), match.fields.number("me")
        if first is not None and 1 <= first <= 12:
            return first
        if last is not None and 1 <= last <= 12:
            return last % 12 + 1
    return None


_Resolution = tuple[_Match, Resolved]


def _resolve(matches: Iterable[_Match], reference: Reference | None) -> list[_Resolution]:
    """The matches that resolve against `reference`, with their intervals."""
    resolved: list[_Resolution] = []
    for match in matches:
        try:
            interval = RESOLVERS[match.kind](match.fields, reference)
        except (ValueError, OverflowError):  # February 30, year 0 and the like
            continue
        if interval is None:
            continue
        if interval.start is None or interval.end is None or interval.start <= interval.end:
            resolved.append((match, interval))
    return resolved


def _merge_longest(resolved: Iterable[_Resolution]) -> list[_Resolution]:
    """Non-overlapping mentions, longest first where they compete, in text order."""
    ordered = sorted(resolved, key=lambda r: (r[0].start, -r[0].end))
    kept: list[_Resolution] = []
    for item in ordered:
        match = item[0]
        if kept and match.start < kept[-1][0].end:
            if match.end - match.start > kept[-1][0].end - kept[-1][0].start:
                kept[-1] = item
            continue
        kept.append(item)
    return kept


def _reference(reference_date: datetime.date | None, precision: str) -> Reference | None:
    if reference_date is None:
        return None
    return Reference(reference_date, precision if precision in PRECISIONS else "day")


class FoundDates:
    """The date expressions of one record's segments, scanned once and resolved on demand.

    A record without a printed date is resolved twice: without a reference to infer its
    date (`document_date`), then against that date (`event_dates`); the text is scanned once.
    """

    def __init__(
        self, segments: Sequence[Segment], language: str, *, root: Path = RESOURCES_DIR
    ) -> None:
        code = normalise_language(language, root=root)
        codes = scan_languages(root).codes if code == UNDETERMINED else (code,)
        taggers = [compile_tagger(c, root) for c in codes]
        # Per segment with any, the matches of each language's rules ("und" runs them all).
        scanned = (
            (segment, [_scan(tagger, segment.text) for tagger in taggers])
            for segment in segments
            if segment.text
        )
        self._segments = [(segment, found) for segment, found in scanned if any(found)]
        every = [match for _, by_language in self._segments for f in by_language for match in f]
        fiscal_start = _fiscal_start(every)
        if fiscal_start is not None:
            for match in every:
                if match.kind == "fiscal_year" and match.fields.has("split"):
                    match.fields.assume("fm", fiscal_start)

    def _resolved(self, reference: Reference | None) -> Iterator[tuple[Segment, _Resolution]]:
        for segment, by_language in self._segments:
            if len(by_language) == 1:
                resolved = _resolve(by_language[0], reference)
            else:
                resolved = _merge_longest(
                    item for matches in by_language for item in _resolve(matches, reference)
                )
            for item in resolved:
                yield segment, item

    def event_dates(
        self, reference_date: datetime.date | None, *, reference_precision: str = "day"
    ) -> list[Mention]:
        """The `event_dates` of the record: mentions of every segment, with field and index."""
        reference = _reference(reference_date, reference_precision)
        reference_iso = reference_date.isoformat() if reference_date else None
        return [
            {
                "text": segment.text[match.start : match.end],
                "field": segment.field,
                "field_index": segment.field_index,
                "span_start": match.start,
                "span_end": match.end,
                "timex": resolved.timex,
                "start_date": resolved.start.isoformat() if resolved.start else None,
                "end_date": resolved.end.isoformat() if resolved.end else None,
                "granularity": resolved.granularity,
                "relative": resolved.relative,
                "reference_date": reference_iso,
            }
            for segment, (match, resolved) in self._resolved(reference)
        ]

    def document_date(self) -> InferredDate | None:
        """The document date the text implies; see `infer_document_date`."""
        absolute = [resolved for _, (_, resolved) in self._resolved(None) if not resolved.relative]
        days = [r.end for r in absolute if r.granularity == "day" and r.end is not None]
        if days:
            return InferredDate(max(days).replace(day=1), "month")
        months = [
            r.start
            for r in absolute
            if r.granularity == "month" and "/" not in r.timex and r.start is not None
        ]
        if months:
            return InferredDate(max(months), "month")
        years = Counter(
            int(r.timex) for r in absolute if r.granularity == "year" and "/" not in r.timex
        )
        if years:
            year = max(years, key=lambda y: (years[y], y))
            return InferredDate(datetime.date(year, 1, 1), "year")
        return None

"""Event dates: a fast rule-based temporal tagger with calendar-interval normalisation.

One engine, per-language knowledge as data. Each declared language has a resource file
`resources/languages/<code>/dates.json` (month and weekday names, numerals, range
connectors, relative words, season and period words, and the rule patterns that combine
them); `resources/shared/dates.json` adds the character folding, number macros and
numeric formats every language shares. At load time the rules of a language are expanded
and compiled into ONE regular expression (`rules`), so tagging a text is a single
left-to-right scan (`scan`); the first rule (in file order) that matches at a position
wins, which is why longer expressions (ranges, periods) come first in the files. A record
is scanned once (`find_dates`); its matches are then resolved against a reference date
(`resolve`), first without one when the record's own date has to be inferred from them.

Every mention is normalised to a TIMEX3 value and an inclusive calendar interval
(`start_date`..`end_date`); see `docs/annotation-guidelines.md` for what is annotated and how.

Reference dates. Expressions that need one (relative words, day+month without a year,
weekdays) are resolved against `reference_date`. Its `reference_precision` ("day", "month"
or "year", default "day") says how much of it is known: with "month" only expressions of
a month or coarser are resolved from it (plus day+month, whose year it fixes), with "year"
only those of a year or coarser (plus day+month and month names, which take its year).
When `reference_date` is None such expressions are skipped: without a year they cannot be
placed on the calendar.

Language "und" (unknown) runs every language's rules and keeps the longest non-overlapping
mentions; any other code that names no declared language is treated as "und". The
languages are those declared under the resource folder `root` (the package's own unless
told otherwise; see `annotators/languages.py`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from dataset_builder.annotators.dates.scan import FoundDates, InferredDate, Mention
from dataset_builder.annotators.segments import Segment
from dataset_builder.config import RESOURCES_DIR

__all__ = [
    "VERSION",
    "FoundDates",
    "InferredDate",
    "Mention",
    "event_dates",
    "find_dates",
    "infer_document_date",
    "tag_dates",
    "text_mentions",
]

VERSION = "1.2.0"


def find_dates(
    segments: Sequence[Segment], language: str, *, root: Path = RESOURCES_DIR
) -> FoundDates:
    """Scan the segments of one record for date expressions, to be resolved later."""
    return FoundDates(segments, language, root=root)


def tag_dates(
    text: str,
    language: str,
    reference_date: datetime.date | None,
    *,
    reference_precision: str = "day",
    root: Path = RESOURCES_DIR,
) -> list[Mention]:
    """Date expressions in `text`, with offsets into `text`, in text order.

    Each mention has text, span_start, span_end, timex, start_date, end_date (ISO strings),
    granularity, relative and reference_date (ISO string or None).
    """
    mentions = FoundDates([Segment("body", None, text)], language, root=root).event_dates(
        reference_date, reference_precision=reference_precision
    )
    return text_mentions(mentions)


def text_mentions(mentions: Sequence[Mention]) -> list[Mention]:
    """Mentions found in one text (a single segment), without its field and field_index."""
    return [{k: v for k, v in m.items() if k not in ("field", "field_index")} for m in mentions]


def event_dates(
    segments: Sequence[Segment],
    language: str,
    reference_date: datetime.date | None,
    *,
    reference_precision: str = "day",
    root: Path = RESOURCES_DIR,
) -> list[Mention]:
    """The `event_dates` of one record: mentions of every segment, with field and field_index."""
    return FoundDates(segments, language, root=root).event_dates(
        reference_date, reference_precision=reference_precision
    )


def infer_document_date(
    segments: Sequence[Segment], language: str, *, root: Path = RESOURCES_DIR
) -> InferredDate | None:
    """A document date inferred from the text itself, for records without a published date.

    Only absolute expressions count (written years; nothing resolved against a reference):
    1. the latest day among explicit full dates (year, month and day; a range contributes
       its last day) gives that day's month, precision "month" -- a news text reports
       events of the days around its publication, so the month is known, the day is not;
    2. else the latest explicit year+month gives that month, precision "month";
    3. else the year written most often, ties going to the latest, precision "year"
       (counting beats taking the latest here: targets such as "by 2030" are one-offs).
    Ranges of months or years, decades, centuries, seasons and quarters are not evidence.
    None when the text has no such expression. The date is the first day of the period.
    """
    return FoundDates(segments, language, root=root).document_date()

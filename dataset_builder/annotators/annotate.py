"""Annotate parsed records: language, reference date, event dates and topics.

Plain functions over plain dicts; no Parquet, no CLI. Each annotator sees segments
(`dataset_builder.annotators.segments`), never a record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from dataset_builder.annotators import dates, language, topics
from dataset_builder.annotators.segments import (
    ARTICLE_FIELDS,
    RELATED_FIELDS,
    Segment,
    record_segments,
)
from dataset_builder.ingest.records import Record


def annotator_versions() -> dict[str, str]:
    """Versions of every annotator; a change invalidates cached annotations."""
    return {
        "language": language.VERSION,
        "dates": dates.VERSION,
        "topics": topics.default_topic_version(),
    }


def _language(record: Record, fields: tuple[str, ...]) -> str:
    # Title and running text, never a lone token: captions repeat names and credits.
    texts = [record.get(name) or "" for name in fields]
    result = language.detect_language(texts)
    record["language"], record["script"] = result.language, result.script
    record["language_confidence"] = result.confidence
    return result.language


def _topics(record: Record, segments: list[Segment], lang: str) -> None:
    result = topics.default_topic_annotator().annotate(segments, lang)
    record["topics"], record["primary_topic"] = result.topics, result.primary_topic


def _reference_date(
    record: Record, found: dates.FoundDates, prefix: str
) -> tuple[dt.date | None, str]:
    """The record's own date when known, otherwise one inferred from its text.

    Returns the date and its precision (day | month | year); an inferred month or year
    is stored as its first day, and the tagger needs to know that it is not a day.
    """
    known = record.get(f"{prefix}_date")
    if known:
        record[f"{prefix}_date_precision"] = "day"
        return dt.date.fromisoformat(known), "day"
    inferred = found.document_date()
    if inferred is None:
        record[f"{prefix}_date"], record[f"{prefix}_date_source"] = None, "unknown"
        record[f"{prefix}_date_precision"] = None
        return None, "day"
    record[f"{prefix}_date"] = inferred.date.isoformat()
    record[f"{prefix}_date_source"] = "inferred"
    record[f"{prefix}_date_precision"] = inferred.precision
    return inferred.date, inferred.precision


@dataclass(frozen=True)
class Unit:
    """What is annotated: which fields it has, which of them say its language, and which
    of its dates is the reference for relative expressions."""

    fields: tuple[str, ...]
    language_fields: tuple[str, ...]
    date_prefix: str  # `<prefix>_date` holds the reference date


ARTICLE = Unit(ARTICLE_FIELDS, ("title", "lead", "body"), "published")
TEASER = Unit(RELATED_FIELDS, ("headline", "summary"), "reference")

# An annotator writes its fields into the record; it reads the segments and what the
# annotators before it wrote (the language).
Annotator = Callable[[Record, list[Segment], Unit], None]


def annotate_language(record: Record, segments: list[Segment], unit: Unit) -> None:
    _language(record, unit.language_fields)


def annotate_dates(record: Record, segments: list[Segment], unit: Unit) -> None:
    found = dates.find_dates(segments, record["language"])
    reference, precision = _reference_date(record, found, unit.date_prefix)
    record["event_dates"] = found.event_dates(reference, reference_precision=precision)


def annotate_topics(record: Record, segments: list[Segment], unit: Unit) -> None:
    _topics(record, segments, record["language"])


# Run in this order. A new annotation is a function here, its fields in the schemas.
ANNOTATORS: tuple[Annotator, ...] = (annotate_language, annotate_dates, annotate_topics)


def annotate(record: Record, unit: Unit) -> Record:
    segments = record_segments(record, unit.fields)
    for annotator in ANNOTATORS:
        annotator(record, segments, unit)
    return record


def annotate_article(record: Record) -> Record:
    return annotate(record, ARTICLE)


def annotate_teaser(teaser: Record) -> Record:
    # Teasers come from a later state of the page than the article: their date is
    # inferred from their own text, never taken from the parent.
    teaser.setdefault("reference_date", None)
    return annotate(teaser, TEASER)


def annotate_text(
    text: str, lang: str | None = None, reference_date: dt.date | None = None
) -> Record:
    """Annotations of a whole text file, offsets into the text as given."""
    segments = [Segment("body", None, text)]
    result = language.detect_language([text])
    used = lang or result.language
    precision = "day"
    found = dates.find_dates(segments, used)  # scanned once: for the date and the mentions
    if reference_date is None:
        inferred = found.document_date()
        if inferred is not None:
            reference_date, precision = inferred.date, inferred.precision
    topic_result = topics.default_topic_annotator().annotate(segments, used)
    mentions = dates.text_mentions(found.event_dates(reference_date, reference_precision=precision))
    return {
        "language": used,
        "script": result.script if lang is None else language.script_for(used, text),
        "language_confidence": result.confidence,
        "reference_date": reference_date.isoformat() if reference_date else None,
        "reference_date_precision": precision if reference_date else None,
        "topics": topic_result.topics,
        "primary_topic": topic_result.primary_topic,
        "event_dates": mentions,
    }

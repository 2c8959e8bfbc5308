"""Annotate parsed records: language, reference date, event dates and topics.

Plain functions over plain dicts; no Parquet, no CLI. Each annotator sees segments
(`dataset_builder.annotators.segments`), never a record.
"""

from __future__ import annotations

import datetime as dt

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
        "topics": topics.default_topic_annotator().version,
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


def annotate_article(record: Record) -> Record:
    segments = record_segments(record, ARTICLE_FIELDS)
    lang = _language(record, ("title", "lead", "body"))
    found = dates.find_dates(segments, lang)
    reference, precision = _reference_date(record, found, "published")
    record["event_dates"] = found.event_dates(reference, reference_precision=precision)
    _topics(record, segments, lang)
    return record


def annotate_teaser(teaser: Record) -> Record:
    segments = record_segments(teaser, RELATED_FIELDS)
    lang = _language(teaser, ("headline", "summary"))
    # Teasers come from a later state of the page than the article: their date is
    # inferred from their own text, never taken from the parent.
    teaser.setdefault("reference_date", None)
    found = dates.find_dates(segments, lang)
    reference, precision = _reference_date(teaser, found, "reference")
    teaser["event_dates"] = found.event_dates(reference, reference_precision=precision)
    _topics(teaser, segments, lang)
    return teaser


def annotate_text(
    text: str, lang: str | None = None, reference_date: dt.date | None = None
) -> Record:
    """Annotations of a whole text file, offsets into the text as given."""
    segments = [Segment("body", None, text)]
    result = language.detect_language([text])
    used = lang or result.language
    precision = "day"
    if reference_date is None:
        inferred = dates.infer_document_date(segments, used)
        if inferred is not None:
            reference_date, precision = inferred.date, inferred.precision
    topic_result = topics.default_topic_annotator().annotate(segments, used)
    mentions = dates.tag_dates(text, used, reference_date, reference_precision=precision)
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

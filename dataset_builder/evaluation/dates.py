"""Scoring the date tagger against the hand-checked gold (`tests/gold/dates.json`).

Shared by `tests/test_dates.py` and `benchmarks/dates.py`: a gold item is an article or
one of its related teasers, re-parsed from the seed file the gold names; mentions are
matched on strict spans (field, field_index, span_start, span_end all equal), and a
matched span's interval is scored on its own.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from dataset_builder.annotators.dates import event_dates
from dataset_builder.annotators.segments import (
    ARTICLE_FIELDS,
    RELATED_FIELDS,
    Segment,
    record_segments,
)
from dataset_builder.ingest.layouts.detect import parse_text


class GoldItem(NamedTuple):
    """One annotated unit of tests/gold/dates.json: an article or one related teaser."""

    id: str
    language: str
    reference_date: datetime.date | None
    reference_precision: str
    segments: list[Segment]
    expressions: list[dict[str, Any]]

    def tagged(self) -> list[dict[str, Any]]:
        """What the tagger finds in this item, against the gold's reference date."""
        return event_dates(
            self.segments,
            self.language,
            self.reference_date,
            reference_precision=self.reference_precision,
        )


class Scores(NamedTuple):
    """Strict span matching (field, field_index, span_start, span_end all equal), and the
    share of matched spans whose interval (start_date, end_date) is also right."""

    gold: int
    predicted: int
    matched: int
    interval_matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def interval_accuracy(self) -> float:
        return self.interval_matched / self.matched if self.matched else 0.0

    def __add__(self, other: object) -> Scores:
        if not isinstance(other, Scores):
            return NotImplemented
        return Scores(*(a + b for a, b in zip(self, other, strict=True)))


def _span_key(mention: Mapping[str, Any]) -> tuple[str, int | None, int, int]:
    return (mention["field"], mention["field_index"], mention["span_start"], mention["span_end"])


def score_mentions(
    gold: Sequence[Mapping[str, Any]], predicted: Sequence[Mapping[str, Any]]
) -> Scores:
    gold_by_span = {_span_key(m): m for m in gold}
    predicted_by_span = {_span_key(m): m for m in predicted}
    matched = gold_by_span.keys() & predicted_by_span.keys()
    interval_matched = sum(
        1
        for key in matched
        if (gold_by_span[key]["start_date"], gold_by_span[key]["end_date"])
        == (predicted_by_span[key]["start_date"], predicted_by_span[key]["end_date"])
    )
    return Scores(len(gold_by_span), len(predicted_by_span), len(matched), interval_matched)


def load_gold(gold_path: Path, root: Path) -> list[GoldItem]:
    """Gold items with their segments, re-parsed from the seed files the gold names."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    records: dict[str, dict[str, Any]] = {}
    items: list[GoldItem] = []
    for item in gold["items"]:
        source = item["source"]
        if source not in records:
            records[source] = parse_text((root / source).read_text(encoding="utf-8"))
        record = records[source]
        if item["related_position"] is None:
            segments = record_segments(record, ARTICLE_FIELDS)
        else:
            segments = record_segments(
                record["related"][item["related_position"] - 1], RELATED_FIELDS
            )
        reference = item["reference_date"]
        items.append(
            GoldItem(
                id=item["id"],
                language=item["language"],
                reference_date=datetime.date.fromisoformat(reference) if reference else None,
                reference_precision=item["reference_precision"] or "day",
                segments=segments,
                expressions=item["expressions"],
            )
        )
    return items


def locate_expression(segment_text: str, text: str, occurrence: int) -> tuple[int, int] | None:
    """Offsets of the `occurrence`-th start of `text` in a segment (to re-anchor gold offsets
    after a parser change); None when there is no such occurrence."""
    start = -1
    for _ in range(occurrence + 1):
        start = segment_text.find(text, start + 1)
        if start < 0:
            return None
    return start, start + len(text)


class DevScores(NamedTuple):
    """Strict span and value scores on development gold, where some gold items are
    optional (neither a miss when not found nor a false alarm when found) and some have
    no value (the reference date is too coarse to place them): those count for the span
    and are left out of the value score."""

    gold: int
    predicted: int
    matched: int
    value_gold: int
    value_predicted: int
    value_matched: int

    @staticmethod
    def _f1(matched: int, gold: int, predicted: int) -> float:
        return 2 * matched / (gold + predicted) if gold + predicted else 0.0

    @property
    def span_f1(self) -> float:
        return self._f1(self.matched, self.gold, self.predicted)

    @property
    def span_precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def span_recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def value_f1(self) -> float:
        return self._f1(self.value_matched, self.value_gold, self.value_predicted)

    def __add__(self, other: object) -> DevScores:
        if not isinstance(other, DevScores):
            return NotImplemented
        return DevScores(*(a + b for a, b in zip(self, other, strict=True)))


def score_development(
    gold: Sequence[Mapping[str, Any]], predicted: Sequence[Mapping[str, Any]]
) -> DevScores:
    optional = {_span_key(m) for m in gold if m.get("optional")}
    required = {_span_key(m): m for m in gold if not m.get("optional")}
    found = {_span_key(m): m for m in predicted if _span_key(m) not in optional}
    matched = required.keys() & found.keys()
    valueless = {key for key, m in required.items() if m.get("start_date") is None}
    value_gold = required.keys() - valueless
    # A gold value the tagger leaves underspecified is a value missed, not a false one.
    underspecified = {key for key, m in found.items() if m.get("start_date") is None}
    value_found = found.keys() - valueless - underspecified
    value_matched = sum(
        1
        for key in matched & value_gold
        if (required[key]["start_date"], required[key]["end_date"])
        == (found[key]["start_date"], found[key]["end_date"])
    )
    return DevScores(
        len(required), len(found), len(matched), len(value_gold), len(value_found), value_matched
    )


def load_development_gold(gold_path: Path, corpus: Path) -> list[GoldItem]:
    """Items of a development gold file (tests/gold/devcorpus/<lang>.json) with the text of
    each file as one segment; a `YYYY-MM` reference date is the month's first day, at
    month precision."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    items: list[GoldItem] = []
    for item in gold["items"]:
        text = (corpus / item["file"]).read_text(encoding="utf-8")
        reference = item["reference_date"]
        precision = "day" if len(reference) == 10 else "month"
        day = datetime.date.fromisoformat(reference if precision == "day" else reference + "-01")
        expressions = [{"field": "body", "field_index": None, **e} for e in item["expressions"]]
        items.append(
            GoldItem(
                id=item["file"],
                language=gold["language"],
                reference_date=day,
                reference_precision=precision,
                segments=[Segment("body", None, text)],
                expressions=expressions,
            )
        )
    return items
